//! Room tasks: scenarios and properties.
mod common;

use common::*;
use hudong_core::*;
use proptest::prelude::*;
use serde_json::json;

fn room() -> Room {
    room_with(
        6,
        json!({"type": "tasks.open", "widget_id": "t", "tasks": [
            {"task_id": "watch", "kind": "watch", "target": 3, "reward": "10 积分"},
            {"task_id": "like", "kind": "like", "target": 20, "reward": "5 积分"},
            {"task_id": "share", "kind": "share", "target": 1, "reward": "5 元券"},
        ]}),
        0,
    )
}

fn tasks(r: &Room) -> Tasks {
    widget!(r, "t", Tasks)
}

fn claim(id: &str) -> Action {
    Action::TaskClaim {
        widget_id: "t".into(),
        task_id: id.into(),
    }
}

fn progress(p: serde_json::Value) -> Command {
    cmd(json!({"type": "tasks.progress", "widget_id": "t", "user_id": "u1", "progress": p}))
}

#[test]
fn progress_from_the_server_and_the_watch_clock_then_a_claim() {
    let mut r = room();
    let t = tasks(&r);
    let spec = |i: usize| t.spec().tasks[i].clone();
    assert_eq!(
        r.act(&claim("like"), 1_000).unwrap_err().code,
        ErrorCode::ConditionNotMet
    );
    r.apply(&progress(json!({"like": 12})), 1_000).unwrap();
    r.apply(&progress(json!({"like": 8})), 1_100).unwrap();
    assert_eq!(tasks(&r).progress(&spec(1), 1_100), 12, "never lower");
    // Someone else's progress is not this viewer's.
    r.apply(&cmd(json!({"type": "tasks.progress", "widget_id": "t", "user_id": "u2", "progress": {"like": 20}})), 1_200).unwrap();
    assert!(!tasks(&r).done(&spec(1), 1_200));
    // The watch task moves with the clock, minute by minute (one redraw a minute).
    assert_eq!(r.next_wake(1_000), Some(60_000));
    assert!(r.tick(60_000).render);
    assert_eq!(tasks(&r).progress(&spec(0), 60_000), 1);
    assert!(!r.tick(60_500).render);
    let fx = r.act(&claim("watch"), 180_000).unwrap();
    let request_id = match &fx.events[0].event {
        Event::TaskClaim {
            request_id,
            task_id,
        } => {
            assert_eq!(task_id, "watch");
            request_id.clone()
        }
        e => panic!("{e:?}"),
    };
    assert!(
        r.act(&claim("watch"), 180_100).unwrap().events.is_empty(),
        "a double tap is absorbed"
    );
    let fx = r.apply(&cmd(json!({"type": "task.result", "widget_id": "t", "request_id": request_id, "outcome": "success", "reward_ref": "PTS-1"})), 181_000).unwrap();
    assert_eq!(types(&fx), ["task.result"]);
    assert_eq!(
        tasks(&r).claim_of("watch"),
        Some(&TaskClaim::Claimed {
            reward_ref: "PTS-1".into()
        })
    );
    // Sharing (reported by the page) completes the share task on the device at once.
    assert_eq!(
        types(
            &r.act(
                &Action::TaskShare {
                    widget_id: "t".into(),
                    channel: "wechat_group".into()
                },
                182_000
            )
            .unwrap()
        ),
        ["task.shared"]
    );
    assert!(tasks(&r).done(&spec(2), 182_000));
}

#[test]
fn task_lists_are_checked() {
    let mut r = Room::new(RoomConfig::new("r1", "s1"));
    for bad in [
        json!([]),
        json!([{"task_id": "a", "kind": "like", "target": 0, "reward": "x"}]),
        json!([{"task_id": "a", "kind": "like", "target": 1, "reward": "x"}, {"task_id": "a", "kind": "watch", "target": 1, "reward": "y"}]),
        json!([{"task_id": "a b", "kind": "like", "target": 1, "reward": "x"}]),
    ] {
        assert_eq!(
            r.apply(
                &cmd(json!({"type": "tasks.open", "widget_id": "t", "tasks": bad})),
                0
            )
            .unwrap_err()
            .code,
            ErrorCode::InvalidField
        );
    }
}

#[derive(Debug, Clone)]
enum Step {
    Wait(u64),
    Progress(u8, u64),
    Claim(u8),
    Answer(u8, bool),
    Share,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0u64..90_000).prop_map(Step::Wait),
        ((0u8..3), 0u64..30).prop_map(|(i, n)| Step::Progress(i, n)),
        (0u8..4).prop_map(Step::Claim),
        ((0u8..4), any::<bool>()).prop_map(|(o, stale)| Step::Answer(o, stale)),
        Just(Step::Share),
    ]
}

const IDS: [&str; 4] = ["watch", "like", "share", "nope"];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    /// A claim only for a done task, one pending per task, a reward claimed once; progress
    /// never drops; refused steps change nothing; the state survives a serde round trip.
    #[test]
    fn task_invariants(steps in prop::collection::vec(step(), 1..50)) {
        let mut r = room();
        let mut now = 0u64;
        let mut rewarded = std::collections::HashSet::new();
        for s in steps {
            let before = r.clone();
            let prev = tasks(&r);
            let res = match &s {
                Step::Wait(dt) => { now += dt; Ok(r.tick(now)) }
                Step::Progress(i, n) => r.apply(&progress(json!({IDS[*i as usize]: n})), now),
                Step::Claim(i) => r.act(&claim(IDS[*i as usize]), now),
                Step::Answer(o, stale) => {
                    let pending = prev.spec().tasks.iter().find_map(|t| match prev.claim_of(&t.task_id) {
                        Some(TaskClaim::Pending { request_id }) => Some(request_id.clone()),
                        _ => None,
                    });
                    let id = if *stale { "stale".to_owned() } else { pending.unwrap_or_else(|| "none".into()) };
                    let outcome = ["success", "not_done", "claimed", "success"][*o as usize];
                    r.apply(&cmd(json!({"type": "task.result", "widget_id": "t", "request_id": id, "outcome": outcome, "reward_ref": "R-1"})), now)
                }
                Step::Share => r.act(&Action::TaskShare { widget_id: "t".into(), channel: "x".into() }, now),
            };
            let t = tasks(&r);
            match res {
                Err(e) => { prop_assert_eq!(&r, &before); prop_assert!(!e.message.is_empty()); }
                Ok(fx) => for e in &fx.events {
                    match &e.event {
                        Event::TaskClaim { task_id, .. } => {
                            let spec = prev.spec().tasks.iter().find(|x| &x.task_id == task_id).unwrap();
                            prop_assert!(prev.done(spec, now), "claimed before done");
                            let open = matches!(prev.claim_of(task_id), None | Some(TaskClaim::Refused { outcome: TaskOutcome::NotDone }));
                            prop_assert!(open, "a claim while one was pending or rewarded");
                        }
                        Event::TaskResult { task_id, outcome: TaskOutcome::Success, .. } => {
                            prop_assert!(rewarded.insert(task_id.clone()), "rewarded twice");
                        }
                        _ => {}
                    }
                }
            }
            for spec in &t.spec().tasks {
                prop_assert!(t.progress(spec, now) >= prev.progress(spec, now));
            }
            let back: Room = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
            prop_assert_eq!(&back, &r);
        }
    }
}
