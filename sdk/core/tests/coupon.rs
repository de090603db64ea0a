//! Coupons and red packets: scenarios and properties.
mod common;

use common::*;
use hudong_core::*;
use proptest::prelude::*;
use serde_json::json;

const ENDS: u64 = 120_000;

fn room(gate: &str) -> Room {
    room_with(
        4,
        json!({"type": "coupon.open", "widget_id": "cp", "kind": "coupon", "name": "满 99 减 20", "value": 2000,
            "threshold": 9900, "quantity": 100, "starts_at": 1_000, "ends_at": ENDS, "valid_ms": 86_400_000, "gate": gate}),
        0,
    )
}

fn coupon(r: &Room) -> Coupon {
    widget!(r, "cp", Coupon)
}

fn claim() -> Action {
    Action::CouponClaim {
        widget_id: "cp".into(),
    }
}

fn won(request_id: &str, coupon_ref: &str) -> Command {
    cmd(
        json!({"type": "coupon.result", "widget_id": "cp", "request_id": request_id, "outcome": "success",
        "coupon": {"coupon_ref": coupon_ref, "name": "满 99 减 20", "value": 2000, "threshold": 9900, "expires_at": 90_000_000}}),
    )
}

fn request_id(fx: &Effects) -> String {
    match &fx.events[0].event {
        Event::CouponClaim { request_id, .. } => request_id.clone(),
        e => panic!("{e:?}"),
    }
}

#[test]
fn claim_pending_then_the_servers_coupon_lands_in_the_wallet() {
    let mut r = room("none");
    assert_eq!(
        r.act(&claim(), 500).unwrap_err().code,
        ErrorCode::NotOpen,
        "not open yet"
    );
    assert!(r.tick(1_000).render, "opening redraws");
    let fx = r.act(&claim(), 1_500).unwrap();
    let id = request_id(&fx);
    assert!(
        r.act(&claim(), 1_600).unwrap().events.is_empty(),
        "a double tap is absorbed"
    );
    assert!(r
        .apply(&won("stale", "CPN-0"), 1_700)
        .unwrap()
        .events
        .is_empty());
    let fx = r.apply(&won(&id, "CPN-1"), 2_000).unwrap();
    assert!(matches!(
        fx.events[0].event,
        Event::CouponResult {
            outcome: CouponOutcome::Success,
            value: Some(2000),
            ..
        }
    ));
    assert_eq!(
        coupon(&r).mine(),
        &MyClaim::Claimed {
            coupon_ref: "CPN-1".into()
        }
    );
    assert_eq!(coupon(&r).wallet().len(), 1);
    assert!(
        r.act(&claim(), 2_100).unwrap().events.is_empty(),
        "claimed once"
    );
    // The server's wallet replaces it (addressed to this viewer only).
    let wallet = |user: &str, n: usize| {
        let coupons: Vec<_> = (0..n).map(|i| json!({"coupon_ref": format!("CPN-{i}"), "name": "券", "value": 100, "expires_at": 5})).collect();
        cmd(
            json!({"type": "coupon.wallet", "widget_id": "cp", "user_id": user, "coupons": coupons}),
        )
    };
    assert!(
        !r.apply(&wallet("u2", 3), 2_200).unwrap().render,
        "someone else's wallet"
    );
    r.apply(&wallet("u1", 3), 2_300).unwrap();
    assert_eq!(coupon(&r).wallet().len(), 3);
    assert_eq!(
        r.apply(&wallet("u1", 51), 2_400).unwrap_err().code,
        ErrorCode::InvalidField
    );
}

#[test]
fn share_gate_sold_out_limit_and_end() {
    let mut r = room("share");
    let before = r.clone();
    assert_eq!(
        r.act(&claim(), 2_000).unwrap_err().code,
        ErrorCode::ConditionNotMet
    );
    assert_eq!(r, before);
    let fx = r
        .act(
            &Action::CouponShare {
                widget_id: "cp".into(),
                channel: "wechat_group".into(),
            },
            2_100,
        )
        .unwrap();
    assert_eq!(types(&fx), ["coupon.shared"]);
    let id = request_id(&r.act(&claim(), 2_200).unwrap());
    r.apply(&cmd(json!({"type": "coupon.result", "widget_id": "cp", "request_id": id, "outcome": "limit_reached"})), 2_300).unwrap();
    assert_eq!(
        r.act(&claim(), 2_400).unwrap_err().code,
        ErrorCode::LimitReached
    );

    let mut r = room("none");
    r.apply(
        &cmd(json!({"type": "coupon.stock", "widget_id": "cp", "left": 3})),
        1_000,
    )
    .unwrap();
    r.apply(
        &cmd(json!({"type": "coupon.stock", "widget_id": "cp", "left": 9})),
        1_000,
    )
    .unwrap();
    assert_eq!(coupon(&r).left(), 3, "never higher without reset");
    r.apply(
        &cmd(json!({"type": "coupon.stock", "widget_id": "cp", "left": 0})),
        1_000,
    )
    .unwrap();
    assert_eq!(
        r.act(&claim(), 2_000).unwrap_err().code,
        ErrorCode::OutOfStock
    );
    assert_eq!(coupon(&r).phase(2_000), CouponPhase::SoldOut);
    assert_eq!(coupon(&r).phase(ENDS), CouponPhase::Ended);
}

#[test]
fn offers_that_make_no_sense_are_refused() {
    let mut r = Room::new(RoomConfig::new("r1", "s1"));
    let base = json!({"type": "coupon.open", "widget_id": "c", "kind": "coupon", "name": "券", "value": 2000, "quantity": 10, "ends_at": 10, "valid_ms": 1});
    for (k, v) in [
        ("threshold", json!(1000)),
        ("value", json!(0)),
        ("quantity", json!(0)),
        ("ends_at", json!(0)),
        ("currency", json!("rmb")),
        ("name", json!("<b>\u{202e}")),
    ] {
        let mut bad = base.clone();
        bad[k] = v;
        assert_eq!(
            r.apply(&cmd(bad), 0).unwrap_err().code,
            ErrorCode::InvalidField,
            "{k}"
        );
    }
    assert!(r.widgets().is_empty());
}

#[derive(Debug, Clone)]
enum Step {
    Wait(u64),
    Claim,
    Share,
    Answer(u8, bool),
    Stock(u64),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        1 => (0u64..20_000).prop_map(Step::Wait),
        3 => Just(Step::Claim),
        1 => Just(Step::Share),
        2 => ((0u8..5), any::<bool>()).prop_map(|(o, stale)| Step::Answer(o, stale)),
        1 => (0u64..120).prop_map(Step::Stock),
    ]
}

const OUTCOMES: [&str; 5] = [
    "success",
    "sold_out",
    "limit_reached",
    "not_eligible",
    "ended",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    /// At most one claim pending and one coupon claimed; only the pending request's answer
    /// counts; no claim through a closed share gate, out of time or sold out; the count left
    /// never rises; refused inputs change nothing; the state survives a serde round trip.
    #[test]
    fn coupon_invariants(gate in prop_oneof![Just("none"), Just("share"), Just("follow")], steps in prop::collection::vec(step(), 1..50)) {
        let mut r = room(gate);
        let mut now = 0u64;
        let mut claimed = 0;
        for s in steps {
            let before = r.clone();
            let prev = coupon(&r);
            let res = match &s {
                Step::Wait(dt) => { now += dt; Ok(r.tick(now)) }
                Step::Claim => r.act(&claim(), now),
                Step::Share => r.act(&Action::CouponShare { widget_id: "cp".into(), channel: "wechat_group".into() }, now),
                Step::Answer(o, stale) => {
                    let id = match (prev.mine(), stale) {
                        (MyClaim::Pending { request_id }, false) => request_id.clone(),
                        _ => "stale".into(),
                    };
                    if *o == 0 { r.apply(&won(&id, &format!("CPN-{now}")), now) } else {
                        r.apply(&cmd(json!({"type": "coupon.result", "widget_id": "cp", "request_id": id, "outcome": OUTCOMES[*o as usize]})), now)
                    }
                }
                Step::Stock(n) => r.apply(&cmd(json!({"type": "coupon.stock", "widget_id": "cp", "left": n})), now),
            };
            let c = coupon(&r);
            match res {
                Err(e) => { prop_assert_eq!(&r, &before); prop_assert!(!e.message.is_empty()); }
                Ok(fx) => for e in &fx.events {
                    if let Event::CouponClaim { .. } = e.event {
                        prop_assert_eq!(prev.phase(now), CouponPhase::Open);
                        prop_assert!(gate != "share" || prev.shared(), "claimed through a closed share gate");
                        let idle = !matches!(prev.mine(), MyClaim::Pending { .. } | MyClaim::Claimed { .. });
                        prop_assert!(idle, "a claim while one was pending or done");
                    }
                    if let Event::CouponResult { outcome: CouponOutcome::Success, .. } = e.event { claimed += 1; }
                }
            }
            prop_assert!(claimed <= 1, "two coupons from one offer");
            prop_assert!(c.left() <= prev.left());
            if let MyClaim::Claimed { .. } = prev.mine() { prop_assert_eq!(c.mine(), prev.mine()); }
            let back: Room = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
            prop_assert_eq!(&back, &r);
        }
    }
}
