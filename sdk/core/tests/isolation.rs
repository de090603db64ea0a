//! Failure isolation in the core (test builds, feature `fault`): a panic inside a widget is
//! pinned on it; replaying the room's journal rebuilds it exactly (state, seq, event ids);
//! `fail_widget` then takes down that widget alone, and it stays down.
#![cfg(feature = "fault")]
use hudong_core::{blame, decode_command_json, Action, Command, ErrorCode, Room, RoomConfig};
use serde_json::{json, Value};
use std::panic::{catch_unwind, AssertUnwindSafe};

const T0: u64 = 1_795_429_500_000;

#[derive(Clone)]
enum Step {
    Command(Command),
    Action(Action),
    Tick,
}

/// A room and the journal of the steps it took, as the browser glue keeps it.
struct Journaled {
    room: Room,
    journal: Vec<(Step, u64)>,
    seqs: Vec<u64>,
    ids: Vec<String>,
}

impl Journaled {
    fn new() -> Self {
        Journaled {
            room: Room::new(RoomConfig::new("iso", "s1").with_user("u-1").with_seed(42)),
            journal: Vec::new(),
            seqs: Vec::new(),
            ids: Vec::new(),
        }
    }
    fn step(&mut self, step: Step, now: u64) {
        let fx = match &step {
            Step::Command(c) => self.room.apply(c, now).unwrap(),
            Step::Action(a) => self.room.act(a, now).unwrap(),
            Step::Tick => self.room.tick(now),
        };
        self.seqs.extend(fx.events.iter().map(|e| e.seq));
        self.ids
            .extend(fx.events.iter().map(|e| e.event_id.clone()));
        self.journal.push((step, now));
    }
    fn command(&mut self, v: Value, now: u64) {
        self.step(
            Step::Command(decode_command_json(&v.to_string()).unwrap()),
            now,
        );
    }
    fn action(&mut self, v: Value, now: u64) {
        self.step(Step::Action(serde_json::from_value(v).unwrap()), now);
    }
    /// The room again, from nothing but its journal.
    fn replay(&self) -> Room {
        let mut room = Room::new(self.room.config().clone());
        for (step, now) in &self.journal {
            match step {
                Step::Command(c) => drop(room.apply(c, *now)),
                Step::Action(a) => drop(room.act(a, *now)),
                Step::Tick => drop(room.tick(*now)),
            }
        }
        room
    }
}

fn show(fail_on: &str) -> Journaled {
    let mut j = Journaled::new();
    j.command(json!({"type": "poll.open", "widget_id": "poll", "question": "Shade?", "options": [{"id": "a", "label": "Ruby"}, {"id": "b", "label": "Rose"}], "closes_at": T0 + 60_000}), T0);
    j.command(json!({"type": "flash.open", "widget_id": "flash", "product": {"name": "Tint", "price": 8900}, "stock_total": 10, "starts_at": T0 + 1_000, "ends_at": T0 + 60_000}), T0);
    j.command(json!({"type": "likes.open", "widget_id": "likes"}), T0);
    j.command(json!({"type": "fault.open", "widget_id": "fault", "title": "Fails", "fail_on": fail_on, "fail_after_ms": 5_000}), T0);
    j.action(
        json!({"type": "poll.vote", "widget_id": "poll", "option_ids": ["b"]}),
        T0 + 100,
    );
    j.action(json!({"type": "like.tap", "widget_id": "likes"}), T0 + 200);
    j.step(Step::Tick, T0 + 1_000); // the sale goes live
    j.step(Step::Tick, T0 + 1_200); // the likes go out
    j.action(
        json!({"type": "flash.grab", "widget_id": "flash"}),
        T0 + 1_500,
    );
    j
}

thread_local! {
    /// The widget blamed when this thread last panicked (set by the hook below).
    static SEEN: std::cell::RefCell<Option<Option<String>>> = const { std::cell::RefCell::new(None) };
}

/// Runs `f`, which must panic, and returns the widget blamed at the moment of the panic.
/// One hook for the whole test binary, installed once: the tests run on parallel threads,
/// and a hook swapped in and out per test would be swapped out from under another test.
fn blamed<F: FnOnce()>(f: F) -> Option<String> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        std::panic::set_hook(Box::new(|_| {
            SEEN.with(|s| *s.borrow_mut() = Some(blame::current()));
        }))
    });
    SEEN.with(|s| s.borrow_mut().take());
    let result = catch_unwind(AssertUnwindSafe(f));
    assert!(result.is_err(), "the step should have panicked");
    SEEN.with(|s| s.borrow_mut().take()).expect("the hook ran")
}

fn recover_and_check(mut j: Journaled, fail: impl FnOnce(&mut Room)) {
    let before = j.room.clone();
    let mut failing = j.room.clone();
    assert_eq!(blamed(|| fail(&mut failing)).as_deref(), Some("fault"));
    // The journal rebuilds the room exactly as it was before the failed step.
    let mut rebuilt = j.replay();
    assert_eq!(rebuilt, before);
    assert!(rebuilt.fail_widget("fault"));
    let kinds: Vec<_> = rebuilt
        .widgets()
        .iter()
        .map(|w| w.id().to_owned())
        .collect();
    assert_eq!(kinds, ["poll", "flash", "likes"]);
    for id in ["poll", "flash", "likes"] {
        assert_eq!(rebuilt.widget(id), before.widget(id), "{id} unchanged");
    }
    // It stays down: its commands and taps are refused, and a snapshot cannot bring it back.
    let reopen = decode_command_json(&json!({"type": "fault.open", "widget_id": "fault", "title": "Again", "fail_on": "command"}).to_string()).unwrap();
    let err = rebuilt.apply(&reopen, T0 + 3_000).unwrap_err();
    assert_eq!(err.code, ErrorCode::WidgetFailed);
    assert_eq!(err.widget_id.as_deref(), Some("fault"));
    let tap = Action::FaultTap {
        widget_id: "fault".into(),
    };
    assert_eq!(
        rebuilt.act(&tap, T0 + 3_000).unwrap_err().code,
        ErrorCode::WidgetFailed
    );
    let snapshot = Command::RoomSnapshot(before.snapshot());
    rebuilt.apply(&snapshot, T0 + 3_000).unwrap();
    assert!(rebuilt.widget("fault").is_none());
    assert!(rebuilt.widget("poll").is_some());
    // Saved and restored, it remembers.
    let saved: Room = serde_json::from_str(&serde_json::to_string(&rebuilt).unwrap()).unwrap();
    assert_eq!(saved.failed_widgets().collect::<Vec<_>>(), ["fault"]);
    // The others go on, numbering their events after the ones already sent.
    j.room = rebuilt;
    let last = *j.seqs.last().unwrap();
    j.action(
        json!({"type": "like.tap", "widget_id": "likes"}),
        T0 + 4_000,
    );
    j.step(Step::Tick, T0 + 5_500);
    assert_eq!(j.seqs, (1..=j.seqs.len() as u64).collect::<Vec<_>>());
    assert!(j.seqs.len() as u64 > last);
    let unique: std::collections::BTreeSet<_> = j.ids.iter().collect();
    assert_eq!(unique.len(), j.ids.len());
}

#[test]
fn a_widget_failing_on_a_command_is_blamed_and_taken_down_alone() {
    let j = show("command");
    let poke =
        decode_command_json(&json!({"type": "fault.poke", "widget_id": "fault"}).to_string())
            .unwrap();
    recover_and_check(j, move |room| drop(room.apply(&poke, T0 + 2_000)));
}

#[test]
fn a_widget_failing_on_a_tap_is_blamed_and_taken_down_alone() {
    let j = show("action");
    let tap = Action::FaultTap {
        widget_id: "fault".into(),
    };
    recover_and_check(j, move |room| drop(room.act(&tap, T0 + 2_000)));
}

#[test]
fn a_widget_failing_on_its_timer_is_blamed_and_taken_down_alone() {
    let j = show("tick");
    recover_and_check(j, |room| drop(room.tick(T0 + 5_000)));
}

#[test]
fn outside_every_widget_nothing_is_blamed() {
    let j = show("render");
    assert_eq!(blame::current(), None);
    // A render failure is in the view, not the core: the core's steps all go through.
    let mut room = j.room.clone();
    room.act(
        &Action::FaultTap {
            widget_id: "fault".into(),
        },
        T0 + 2_000,
    )
    .unwrap();
    assert_eq!(blame::current(), None);
}
