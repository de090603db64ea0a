//! Likes with a room goal: scenarios and properties.
mod common;

use common::*;
use hudong_core::*;
use proptest::prelude::*;
use serde_json::json;

fn room() -> Room {
    room_with(
        3,
        json!({"type": "likes.open", "widget_id": "likes", "goal": {"target": 10_000, "reward": "解锁 5 元券"}}),
        0,
    )
}

fn likes(r: &Room) -> Likes {
    widget!(r, "likes", Likes)
}

fn tap() -> Action {
    Action::LikeTap {
        widget_id: "likes".into(),
    }
}

fn sent(fx: &Effects) -> u64 {
    fx.events
        .iter()
        .map(|e| {
            if let Event::LikeSent { count, .. } = e.event {
                count
            } else {
                0
            }
        })
        .sum()
}

#[test]
fn the_first_tap_goes_at_once_then_taps_coalesce_into_one_event_a_second() {
    let mut r = room();
    let fx = r.act(&tap(), 1_000).unwrap();
    assert_eq!(types(&fx), ["like.sent"]);
    assert_eq!(sent(&fx), 1);
    assert!(fx.render);
    // A storm: 10 taps in 500 ms send nothing yet, but show at once.
    for i in 0..10 {
        assert!(r.act(&tap(), 1_050 + i * 50).unwrap().events.is_empty());
    }
    assert_eq!(likes(&r).shown(), 11);
    assert_eq!(r.next_wake(1_500), Some(2_000));
    let fx = r.tick(2_000);
    assert_eq!(types(&fx), ["like.sent"]);
    assert_eq!(sent(&fx), 10);
    assert!(matches!(
        fx.events[0].event,
        Event::LikeSent { batch: 2, .. }
    ));
    assert_eq!(r.next_wake(2_000), None, "nothing pending, no wake-up");
}

#[test]
fn taps_beyond_fifteen_a_second_are_not_counted() {
    let mut r = room();
    for i in 0..100 {
        r.act(&tap(), 10_000 + i * 5).unwrap(); // 100 taps in half a second: a script
    }
    assert_eq!(likes(&r).mine(), MAX_TAPS_PER_SEC);
    let fx = r.tick(11_000);
    assert_eq!(sent(&fx), MAX_TAPS_PER_SEC - 1, "the first went at once");
}

#[test]
fn the_total_comes_from_the_server_never_drops_and_the_goal_is_reached_once() {
    let mut r = room();
    r.act(&tap(), 1_000).unwrap();
    r.act(&tap(), 1_100).unwrap();
    assert_eq!(likes(&r).shown(), 2);
    let total = |n: u64| cmd(json!({"type": "likes.total", "widget_id": "likes", "total": n}));
    r.apply(&total(5_000), 1_200).unwrap();
    assert_eq!(
        likes(&r).shown(),
        5_001,
        "the server's total plus the tap it has not had yet"
    );
    assert_eq!(likes(&r).progress(), Some(0.5));
    assert!(r.apply(&total(4_000), 1_300).unwrap().events.is_empty());
    assert_eq!(likes(&r).total(), 5_000);
    let fx = r.apply(&total(10_020), 1_400).unwrap();
    assert_eq!(types(&fx), ["likes.goal_reached"]);
    assert!(likes(&r).goal_reached());
    assert!(
        r.apply(&total(10_500), 1_500).unwrap().events.is_empty(),
        "once"
    );
}

#[test]
fn a_goal_must_make_sense() {
    let mut r = Room::new(RoomConfig::new("r1", "s1"));
    for bad in [
        json!({"target": 0, "reward": "x"}),
        json!({"target": 10, "reward": ""}),
        json!({"target": 10, "reward": "\u{202e}x"}),
    ] {
        let e = r
            .apply(
                &cmd(json!({"type": "likes.open", "widget_id": "l", "goal": bad})),
                0,
            )
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidField);
    }
    assert!(r.widgets().is_empty());
}

#[derive(Debug, Clone)]
enum Step {
    Tap(u64),
    Wait(u64),
    Total(u64),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => (0u64..120).prop_map(Step::Tap),
        2 => (0u64..3_000).prop_map(Step::Wait),
        1 => (0u64..20_000).prop_map(Step::Total),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    /// At most one `like.sent` a second; every counted tap is sent exactly once; no more
    /// than 15 counted in any second (30 across any sliding second); the shown count never
    /// drops and is never below the server's total; the goal event comes once, at the goal.
    #[test]
    fn likes_invariants(steps in prop::collection::vec(step(), 1..200)) {
        let mut r = room();
        let mut now = 0u64;
        let mut last_sent: Option<u64> = None;
        let mut sent_total = 0u64;
        let mut counted_at: Vec<u64> = Vec::new();
        let mut goals = 0;
        let mut prev_shown = 0;
        for s in steps {
            let before = likes(&r);
            let fx = match s {
                Step::Tap(dt) => { now += dt; r.act(&tap(), now).unwrap() }
                Step::Wait(dt) => { now += dt; r.tick(now) }
                Step::Total(n) => r.apply(&cmd(json!({"type": "likes.total", "widget_id": "likes", "total": n})), now).unwrap(),
            };
            let l = likes(&r);
            for _ in before.mine()..l.mine() {
                counted_at.push(now);
            }
            for e in &fx.events {
                match e.event {
                    Event::LikeSent { count, .. } => {
                        prop_assert!(count > 0);
                        if let Some(t) = last_sent { prop_assert!(now >= t + LIKE_FLUSH_MS, "two sends within a second"); }
                        last_sent = Some(now);
                        sent_total += count;
                    }
                    Event::LikesGoalReached { total, .. } => { goals += 1; prop_assert!(total >= 10_000); }
                    _ => {}
                }
            }
            prop_assert_eq!(sent_total + l.pending(), l.mine(), "a counted tap lost or sent twice");
            prop_assert!(l.shown() >= prev_shown && l.shown() >= l.total());
            prev_shown = l.shown();
            if let Some(&t) = counted_at.last() {
                let recent = counted_at.iter().filter(|&&x| x + 1_000 > t).count() as u64;
                prop_assert!(recent <= 2 * MAX_TAPS_PER_SEC);
            }
        }
        prop_assert!(goals <= 1);
        prop_assert_eq!(goals == 1, likes(&r).goal_reached());
        // Whatever is pending goes out by the next wake-up.
        if let Some(at) = r.next_wake(now) {
            let fx = r.tick(at.max(now));
            sent_total += fx.events.iter().map(|e| if let Event::LikeSent { count, .. } = e.event { count } else { 0 }).sum::<u64>();
        }
        prop_assert_eq!(likes(&r).pending(), 0);
        prop_assert_eq!(sent_total, likes(&r).mine());
    }
}
