//! The lottery: scenarios and properties.
mod common;

use common::*;
use hudong_core::*;
use proptest::prelude::*;
use serde_json::json;

const DRAW: u64 = 60_000;

fn room() -> Room {
    room_with(
        11,
        json!({"type": "lottery.open", "widget_id": "bag", "prize": {"name": "福袋: 唇釉正装", "count": 3},
            "condition": "keyword", "keyword": "想要唇釉", "draw_at": DRAW}),
        0,
    )
}

fn bag(r: &Room) -> Lottery {
    widget!(r, "bag", Lottery)
}

fn enter() -> Action {
    Action::LotteryEnter {
        widget_id: "bag".into(),
    }
}

#[test]
fn enter_pending_entered_draw_win_claim() {
    let mut r = room();
    let fx = r.act(&enter(), 1_000).unwrap();
    assert_eq!(types(&fx), ["lottery.enter"]);
    let (request_id, keyword) = match &fx.events[0].event {
        Event::LotteryEnter {
            request_id,
            keyword,
            condition,
        } => {
            assert_eq!(*condition, EntryCondition::Keyword);
            (request_id.clone(), keyword.clone())
        }
        e => panic!("{e:?}"),
    };
    assert_eq!(keyword.as_deref(), Some("想要唇釉"));
    assert!(
        r.act(&enter(), 1_001).unwrap().events.is_empty(),
        "a second tap while pending is absorbed"
    );
    let fx = r.apply(&cmd(json!({"type": "lottery.entry", "widget_id": "bag", "request_id": request_id, "outcome": "entered"})), 2_000).unwrap();
    assert_eq!(types(&fx), ["lottery.entry"]);
    assert_eq!(bag(&r).mine(), &MyEntry::Entered);
    r.apply(
        &cmd(json!({"type": "lottery.entries", "widget_id": "bag", "count": 120})),
        3_000,
    )
    .unwrap();
    r.apply(
        &cmd(json!({"type": "lottery.entries", "widget_id": "bag", "count": 80})),
        3_001,
    )
    .unwrap();
    assert_eq!(bag(&r).entries(), 120, "never lower");
    // The countdown ends: entries close, the view re-renders once.
    assert!(r.tick(DRAW).render);
    assert!(!r.tick(DRAW + 1).render);
    assert_eq!(bag(&r).phase(DRAW), LotteryPhase::Drawing);
    assert_eq!(r.act(&enter(), DRAW).unwrap_err().code, ErrorCode::NotOpen);
    let fx = r.apply(&cmd(json!({"type": "lottery.draw", "widget_id": "bag", "winners": ["小美", "u1", "阿强"], "entries": 130})), DRAW + 500).unwrap();
    assert_eq!(types(&fx), ["lottery.drawn"]);
    // Someone else's result is not this viewer's.
    assert!(r
        .apply(
            &cmd(
                json!({"type": "lottery.result", "widget_id": "bag", "user_id": "u2", "won": true})
            ),
            DRAW + 600
        )
        .unwrap()
        .events
        .is_empty());
    assert_eq!(
        r.act(
            &Action::LotteryClaim {
                widget_id: "bag".into()
            },
            DRAW + 650
        )
        .unwrap_err()
        .code,
        ErrorCode::NotOpen
    );
    let fx = r
        .apply(
            &cmd(
                json!({"type": "lottery.result", "widget_id": "bag", "user_id": "u1", "won": true}),
            ),
            DRAW + 700,
        )
        .unwrap();
    assert_eq!(types(&fx), ["lottery.result"]);
    let fx = r
        .act(
            &Action::LotteryClaim {
                widget_id: "bag".into(),
            },
            DRAW + 800,
        )
        .unwrap();
    let claim_id = match &fx.events[0].event {
        Event::LotteryClaim { request_id } => request_id.clone(),
        e => panic!("{e:?}"),
    };
    assert!(r
        .act(
            &Action::LotteryClaim {
                widget_id: "bag".into()
            },
            DRAW + 801
        )
        .unwrap()
        .events
        .is_empty());
    r.apply(&cmd(json!({"type": "lottery.claimed", "widget_id": "bag", "request_id": claim_id, "outcome": "success", "claim_ref": "PRIZE-7"})), DRAW + 900).unwrap();
    assert_eq!(bag(&r).claimed(), Some(&Ok("PRIZE-7".to_string())));
}

#[test]
fn refusals_and_late_joiners() {
    let mut r = room();
    let fx = r.act(&enter(), 1).unwrap();
    let Event::LotteryEnter { request_id, .. } = &fx.events[0].event else {
        panic!()
    };
    r.apply(&cmd(json!({"type": "lottery.entry", "widget_id": "bag", "request_id": request_id, "outcome": "not_eligible"})), 2).unwrap();
    assert_eq!(
        bag(&r).mine(),
        &MyEntry::Refused {
            outcome: EntryOutcome::NotEligible
        }
    );
    // May try again (for example after following).
    assert_eq!(types(&r.act(&enter(), 3).unwrap()), ["lottery.enter"]);
    // A late joiner's snapshot brings the draw; a pending entry becomes "closed".
    let mut snap = r.snapshot();
    let WidgetSnapshot::Lottery(l) = &mut snap.widgets[0] else {
        panic!()
    };
    l.winners = Some(vec!["小美".into()]);
    l.entries = 40;
    let fx = r
        .apply(&Command::RoomSnapshot(snap.clone()), DRAW + 1)
        .unwrap();
    assert_eq!(types(&fx), ["lottery.drawn"]);
    assert_eq!(
        bag(&r).mine(),
        &MyEntry::Refused {
            outcome: EntryOutcome::Closed
        }
    );
    assert!(r
        .apply(&Command::RoomSnapshot(snap), DRAW + 2)
        .unwrap()
        .events
        .is_empty());
    // Bad specs are refused whole.
    for bad in [
        json!({"type": "lottery.open", "widget_id": "x", "prize": {"name": "p", "count": 1}, "condition": "keyword", "draw_at": 5}),
        json!({"type": "lottery.open", "widget_id": "x", "prize": {"name": "p", "count": 0}, "draw_at": 5}),
        json!({"type": "lottery.open", "widget_id": "x", "prize": {"name": "p", "count": 1}, "condition": "watch", "draw_at": 5}),
    ] {
        assert_eq!(
            r.apply(&cmd(bad.clone()), 0).unwrap_err().code,
            ErrorCode::InvalidField,
            "{bad}"
        );
    }
}

#[derive(Debug, Clone)]
enum Step {
    Enter,
    Answer(u8, bool),
    Entries(u64),
    Draw,
    Result(bool, bool),
    Claim,
    Claimed(bool),
    Wait(u64),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => Just(Step::Enter),
        3 => (0..4u8, any::<bool>()).prop_map(|(o, stale)| Step::Answer(o, stale)),
        1 => (0..500u64).prop_map(Step::Entries),
        1 => Just(Step::Draw),
        2 => (any::<bool>(), any::<bool>()).prop_map(|(won, mine)| Step::Result(won, mine)),
        2 => Just(Step::Claim),
        2 => any::<bool>().prop_map(Step::Claimed),
        1 => (1..30_000u64).prop_map(Step::Wait),
    ]
}

const OUTCOMES: [&str; 4] = ["entered", "not_eligible", "closed", "limit_reached"];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    /// At most one entry and one claim pending; only the pending request's answer counts;
    /// a claim only by a winner; entries never drop; the draw happens once; refused inputs
    /// change nothing; the state survives a serde round trip.
    #[test]
    fn lottery_invariants(steps in prop::collection::vec(step(), 1..50)) {
        let mut r = room();
        let mut now = 0u64;
        for s in steps {
            let before = r.clone();
            let prev = bag(&r);
            let res = match &s {
                Step::Wait(dt) => { now += dt; Ok(r.tick(now)) }
                Step::Enter => r.act(&enter(), now),
                Step::Answer(o, stale) => {
                    let id = match (prev.mine(), stale) {
                        (MyEntry::Pending { request_id }, false) => request_id.clone(),
                        _ => "stale".into(),
                    };
                    r.apply(&cmd(json!({"type": "lottery.entry", "widget_id": "bag", "request_id": id, "outcome": OUTCOMES[*o as usize]})), now)
                }
                Step::Entries(n) => r.apply(&cmd(json!({"type": "lottery.entries", "widget_id": "bag", "count": n})), now),
                Step::Draw => r.apply(&cmd(json!({"type": "lottery.draw", "widget_id": "bag", "winners": ["a", "b"], "entries": 10})), now),
                Step::Result(won, mine) => r.apply(&cmd(json!({"type": "lottery.result", "widget_id": "bag", "user_id": if *mine { "u1" } else { "u9" }, "won": won})), now),
                Step::Claim => r.act(&Action::LotteryClaim { widget_id: "bag".into() }, now),
                Step::Claimed(ok) => {
                    let id = prev.claim_pending().unwrap_or("stale").to_owned();
                    let outcome = if *ok { json!({"outcome": "success", "claim_ref": "C-1"}) } else { json!({"outcome": "expired"}) };
                    let mut c = json!({"type": "lottery.claimed", "widget_id": "bag", "request_id": id});
                    c.as_object_mut().unwrap().extend(outcome.as_object().unwrap().clone());
                    r.apply(&cmd(c), now)
                }
            };
            let l = bag(&r);
            match res {
                Err(e) => {
                    prop_assert!(!e.message.is_empty());
                    prop_assert_eq!(&r, &before, "a refused input changed the room");
                }
                Ok(fx) => {
                    for e in &fx.events {
                        match &e.event {
                            Event::LotteryEnter { .. } => {
                                let busy = matches!(prev.mine(), MyEntry::Pending { .. } | MyEntry::Entered);
                                prop_assert!(!busy, "entered twice");
                                prop_assert_eq!(prev.phase(now), LotteryPhase::Open);
                            }
                            Event::LotteryEntry { request_id, .. } => {
                                prop_assert_eq!(prev.mine(), &MyEntry::Pending { request_id: request_id.clone() });
                            }
                            Event::LotteryClaim { .. } => prop_assert_eq!(prev.won(), Some(true)),
                            Event::LotteryDrawn { .. } => prop_assert!(prev.winners().is_none(), "drawn twice"),
                            _ => {}
                        }
                    }
                }
            }
            prop_assert!(l.entries() >= prev.entries());
            if prev.won().is_some() { prop_assert_eq!(l.won(), prev.won(), "a result changed"); }
            let round: Room = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
            prop_assert_eq!(&round, &r);
        }
    }
}
