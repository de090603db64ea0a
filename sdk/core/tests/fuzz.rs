//! Fuzzing the whole room: the command decoder, the action decoder and every widget's state
//! machine, fed arbitrary JSON, valid messages with mutations (fields dropped, retyped,
//! replaced with hostile strings, huge or negative numbers), real snapshots with mutations,
//! and a clock that jumps back and forth.
//!
//! Checked on every input: nothing panics; a rejected input is a typed error with a message
//! and leaves the room exactly as it was; accepted inputs never number two events alike
//! (`seq` goes up by one, `event_id`s are unique); the room survives a serialize/restore.
//!
//! `HUDONG_FUZZ_CASES` sets the number of cases (each a sequence of up to 48 inputs);
//! `npm run fuzz` runs a long campaign in release mode and prints the counts.
use hudong_core::{decode_command_json, Action, ErrorCode, Room, RoomConfig};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Value};
use std::cell::Cell;
use std::collections::HashSet;

const T0: u64 = 1_795_429_500_000;

fn corpus() -> (Vec<Value>, Vec<Value>) {
    let v: Value = serde_json::from_str(include_str!("fuzz_corpus.json")).unwrap();
    (
        v["commands"].as_array().unwrap().clone(),
        v["actions"].as_array().unwrap().clone(),
    )
}

/// Strings a hostile or broken backend might send.
fn hostile_string() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("<img src=x onerror=alert(1)>".to_owned()),
        Just("\"><script>alert(1)</script>".to_owned()),
        Just("javascript:alert(1)".to_owned()),
        Just("data:text/html,<script>alert(1)</script>".to_owned()),
        Just("\u{202e}evil\u{0000}\u{fffd}\u{1f600}".to_owned()),
        Just("x".repeat(70_000)),
        Just("a".to_owned()),
        Just("poll".to_owned()),
        Just("u-1".to_owned()),
        "\\PC{0,40}",
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        prop_oneof![
            Just(-1.5f64),
            Just(1e308),
            Just(-0.0),
            Just(0.5),
            Just(f64::MIN_POSITIVE)
        ]
        .prop_map(|f| json!(f)),
        (0u64..10_000_000).prop_map(|d| json!(T0 + d)),
        hostile_string().prop_map(Value::String),
    ]
}

fn any_json() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,12}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// One change to a message: `(path choice, what to do, the new value)`.
type Mutation = (usize, usize, u8, Value);

fn mutate(mut v: Value, mutations: &[Mutation], type_names: &[String]) -> Value {
    for (pick, nested, op, new) in mutations {
        let Value::Object(map) = &mut v else { return v };
        if map.is_empty() {
            continue;
        }
        let key = map.keys().nth(pick % map.len()).unwrap().clone();
        // Go one level down into an object or array field when there is one.
        let target = match map.get_mut(&key) {
            Some(Value::Object(inner)) if !inner.is_empty() && nested % 2 == 0 => {
                let k = inner.keys().nth(nested % inner.len()).unwrap().clone();
                inner.get_mut(&k).unwrap()
            }
            Some(Value::Array(items)) if !items.is_empty() && nested % 2 == 0 => {
                let n = items.len();
                &mut items[nested % n]
            }
            Some(slot) => slot,
            None => continue,
        };
        match op % 4 {
            0 => *target = new.clone(),
            1 => *target = Value::Null,
            2 => {
                map.remove(&key);
            }
            _ => {
                map.insert("type".into(), json!(type_names[nested % type_names.len()]));
            }
        }
    }
    v
}

#[derive(Debug, Clone)]
enum Input {
    /// A command from the corpus (or a snapshot taken of the room) with mutations.
    Command {
        pick: usize,
        snapshot: bool,
        mutations: Vec<Mutation>,
    },
    /// An action from the corpus with mutations.
    Action {
        pick: usize,
        mutations: Vec<Mutation>,
    },
    /// Arbitrary JSON, as a command and as an action.
    Junk(Value),
    /// The clock moves (backwards too).
    Clock(i64),
}

fn mutations() -> impl Strategy<Value = Vec<Mutation>> {
    prop::collection::vec(
        (any::<usize>(), any::<usize>(), any::<u8>(), any_json()),
        0..3,
    )
}

fn input() -> impl Strategy<Value = Input> {
    prop_oneof![
        5 => (any::<usize>(), prop::bool::weighted(0.1), mutations())
            .prop_map(|(pick, snapshot, mutations)| Input::Command { pick, snapshot, mutations }),
        4 => (any::<usize>(), mutations()).prop_map(|(pick, mutations)| Input::Action { pick, mutations }),
        1 => any_json().prop_map(Input::Junk),
        1 => prop_oneof![
            Just(-86_400_000i64), Just(-5_000), Just(0), Just(1), Just(1_000), Just(61_000),
            Just(3_600_000), Just(30 * 86_400_000)
        ]
        .prop_map(Input::Clock),
    ]
}

#[derive(Default)]
struct Counts {
    inputs: Cell<u64>,
    decode_rejected: Cell<u64>,
    step_rejected: Cell<u64>,
    accepted: Cell<u64>,
    events: Cell<u64>,
}

fn bump(c: &Cell<u64>, n: u64) {
    c.set(c.get() + n);
}

struct Run<'a> {
    room: Room,
    now: u64,
    last_seq: u64,
    ids: HashSet<String>,
    counts: &'a Counts,
}

impl Run<'_> {
    fn events(&mut self, fx: &hudong_core::Effects) -> Result<(), TestCaseError> {
        for e in &fx.events {
            prop_assert_eq!(e.seq, self.last_seq + 1, "events are numbered one by one");
            self.last_seq = e.seq;
            prop_assert!(
                self.ids.insert(e.event_id.clone()),
                "event id {} twice",
                e.event_id
            );
        }
        bump(&self.counts.events, fx.events.len() as u64);
        Ok(())
    }

    fn rejected(&self, before: &Room, e: &hudong_core::HudongError) -> Result<(), TestCaseError> {
        prop_assert!(
            !e.message.trim().is_empty(),
            "an error without a message: {:?}",
            e
        );
        prop_assert!(
            &self.room == before,
            "a rejected input ({:?}) changed the room",
            e.code
        );
        bump(&self.counts.step_rejected, 1);
        Ok(())
    }

    fn command(&mut self, text: &str) -> Result<(), TestCaseError> {
        bump(&self.counts.inputs, 1);
        let command = match decode_command_json(text) {
            Ok(c) => c,
            Err(e) => {
                prop_assert!(
                    matches!(
                        e.code,
                        ErrorCode::MalformedCommand
                            | ErrorCode::UnknownCommand
                            | ErrorCode::UnsupportedVersion
                            | ErrorCode::InvalidField
                    ),
                    "decoder error code {:?}",
                    e.code
                );
                prop_assert!(!e.message.trim().is_empty());
                bump(&self.counts.decode_rejected, 1);
                return Ok(());
            }
        };
        let before = self.room.clone();
        match self.room.apply(&command, self.now) {
            Ok(fx) => {
                bump(&self.counts.accepted, 1);
                self.events(&fx)
            }
            Err(e) => self.rejected(&before, &e),
        }
    }

    fn action(&mut self, value: Value) -> Result<(), TestCaseError> {
        bump(&self.counts.inputs, 1);
        let Ok(action) = serde_json::from_value::<Action>(value) else {
            bump(&self.counts.decode_rejected, 1);
            return Ok(());
        };
        let before = self.room.clone();
        match self.room.act(&action, self.now) {
            Ok(fx) => {
                bump(&self.counts.accepted, 1);
                self.events(&fx)
            }
            Err(e) => self.rejected(&before, &e),
        }
    }
}

fn cases() -> u32 {
    std::env::var("HUDONG_FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_500)
}

#[test]
fn fuzz_the_room() {
    let (commands, actions) = corpus();
    let mut type_names: Vec<String> = commands
        .iter()
        .chain(&actions)
        .map(|c| c["type"].as_str().unwrap().to_owned())
        .collect();
    type_names.push("no.such".into());
    let counts = Counts::default();
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = (any::<u64>(), prop::collection::vec(input(), 1..48));
    let result = runner.run(&strategy, |(seed, inputs)| {
        let mut run = Run {
            room: Room::new(
                RoomConfig::new("a11y", "s1")
                    .with_user("u-1")
                    .with_seed(seed),
            ),
            now: T0,
            last_seq: 0,
            ids: HashSet::new(),
            counts: &counts,
        };
        // Every kind of widget is live before the fuzzed inputs arrive.
        for c in commands.iter().take_while(|c| c["type"] != "poll.tally") {
            run.command(&c.to_string())?;
        }
        for input in inputs {
            match input {
                Input::Command {
                    pick,
                    snapshot,
                    mutations,
                } => {
                    let base = if snapshot {
                        let mut s = serde_json::to_value(run.room.snapshot()).unwrap();
                        s["type"] = json!("room.snapshot");
                        s
                    } else {
                        commands[pick % commands.len()].clone()
                    };
                    run.command(&mutate(base, &mutations, &type_names).to_string())?;
                }
                Input::Action { pick, mutations } => {
                    run.action(mutate(
                        actions[pick % actions.len()].clone(),
                        &mutations,
                        &type_names,
                    ))?;
                }
                Input::Junk(v) => {
                    run.command(&v.to_string())?;
                    run.action(v)?;
                }
                Input::Clock(delta) => {
                    run.now = run.now.saturating_add_signed(delta);
                    let fx = run.room.tick(run.now);
                    run.events(&fx)?;
                }
            }
        }
        // What a page persists and restores is the same room.
        let saved = serde_json::to_string(&run.room).unwrap();
        let restored: Room = serde_json::from_str(&saved).unwrap();
        prop_assert!(restored == run.room, "the room does not survive a restore");
        Ok(())
    });
    println!(
        "fuzz: {} cases, {} inputs: {} refused by the decoders, {} refused by the room (state unchanged), {} accepted, {} events",
        cases(),
        counts.inputs.get(),
        counts.decode_rejected.get(),
        counts.step_rejected.get(),
        counts.accepted.get(),
        counts.events.get()
    );
    if let Err(e) = result {
        panic!("{e}");
    }
    // The campaign reached every path it aims at.
    assert!(counts.decode_rejected.get() > 0 && counts.step_rejected.get() > 0);
    assert!(counts.accepted.get() > counts.inputs.get() / 10);
}

/// One step a page's journal records: what the room took, and when.
#[derive(Debug, Clone)]
enum Step {
    Command(hudong_core::Command, u64),
    Action(Action, u64),
    Tick(u64),
}

fn take(room: &mut Room, step: &Step) -> Option<hudong_core::Effects> {
    match step {
        Step::Command(c, now) => room.apply(c, *now).ok(),
        Step::Action(a, now) => room.act(a, *now).ok(),
        Step::Tick(now) => Some(room.tick(*now)),
    }
}

/// The page keeps a bounded journal: a checkpoint of the whole room (as JSON text) and the
/// steps after it. Rebuilding from that gives the room the full journal would have given,
/// and the steps after the checkpoint give the same events: the same `seq` and event ids.
#[test]
fn a_checkpoint_and_the_steps_after_it_rebuild_the_same_room() {
    let (commands, actions) = corpus();
    let names: Vec<String> = commands
        .iter()
        .chain(&actions)
        .map(|c| c["type"].as_str().unwrap().to_owned())
        .collect();
    let mut runner = TestRunner::new(Config {
        cases: cases() / 3,
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = (
        any::<u64>(),
        prop::collection::vec(input(), 1..48),
        any::<prop::sample::Index>(),
    );
    let result = runner.run(&strategy, |(seed, inputs, cut)| {
        let mut now = T0;
        let mut steps: Vec<Step> = commands
            .iter()
            .take_while(|c| c["type"] != "poll.tally")
            .filter_map(|c| decode_command_json(&c.to_string()).ok())
            .map(|c| Step::Command(c, T0))
            .collect();
        for input in inputs {
            match input {
                Input::Command {
                    pick, mutations, ..
                } => {
                    let text = mutate(commands[pick % commands.len()].clone(), &mutations, &names)
                        .to_string();
                    if let Ok(c) = decode_command_json(&text) {
                        steps.push(Step::Command(c, now));
                    }
                }
                Input::Action { pick, mutations } => {
                    let v = mutate(actions[pick % actions.len()].clone(), &mutations, &names);
                    if let Ok(a) = serde_json::from_value::<Action>(v) {
                        steps.push(Step::Action(a, now));
                    }
                }
                Input::Junk(_) => {}
                Input::Clock(delta) => {
                    now = now.saturating_add_signed(delta);
                    steps.push(Step::Tick(now));
                }
            }
        }
        let config = RoomConfig::new("a11y", "s1")
            .with_user("u-1")
            .with_seed(seed);
        let cut = cut.index(steps.len() + 1);
        let mut whole = Room::new(config.clone());
        let mut head = Room::new(config);
        for step in &steps[..cut] {
            take(&mut whole, step);
            take(&mut head, step);
        }
        let checkpoint = serde_json::to_string(&head).unwrap();
        let mut rebuilt: Room = serde_json::from_str(&checkpoint).unwrap();
        prop_assert!(rebuilt == whole, "the checkpoint is not the room");
        for step in &steps[cut..] {
            let a = take(&mut whole, step);
            let b = take(&mut rebuilt, step);
            prop_assert_eq!(a, b, "a step after the checkpoint went differently");
        }
        prop_assert!(rebuilt == whole, "the rebuilt room differs");
        prop_assert_eq!(rebuilt.seq(), whole.seq());
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
