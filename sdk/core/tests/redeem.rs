//! Point-redeem: scenarios and properties.
mod common;

use common::*;
use hudong_core::*;
use proptest::prelude::*;
use serde_json::json;

fn room(user: &str) -> Room {
    Room::new(RoomConfig::new("r1", "s1").with_user(user).with_seed(5))
}

fn open() -> Command {
    cmd(json!({
        "type": "redeem.open", "widget_id": "shop", "title": "积分商城",
        "tiers": [{"id": "new", "name": "新手"}, {"id": "pro", "name": "达人"}],
        "items": [
            {"item_id": "coupon", "name": "满100减20券", "cost": 100, "stock": 50, "per_viewer_limit": 2},
            {"item_id": "lipstick", "name": "唇釉小样", "cost": 300, "stock": 1, "image": "/img/lip.webp"},
            {"item_id": "vip", "name": "达人专享礼盒", "cost": 50, "stock": 10, "tier": "pro"}
        ]
    }))
}

fn account(balance: u64, tier: &str) -> Command {
    cmd(
        json!({"type": "redeem.account", "widget_id": "shop", "user_id": "u1", "balance": balance, "tier": tier}),
    )
}

fn shop(r: &Room) -> Redeem {
    widget!(r, "shop", Redeem)
}

fn request(item: &str) -> Action {
    Action::RedeemRequest {
        widget_id: "shop".into(),
        item_id: item.into(),
    }
}

fn request_id(fx: &Effects) -> String {
    match &fx.events[0].event {
        Event::RedeemRequest { request_id, .. } => request_id.clone(),
        e => panic!("{e:?}"),
    }
}

#[test]
fn confirm_pending_success_with_voucher_and_history() {
    let mut r = room("u1");
    assert_eq!(types(&r.apply(&open(), 0).unwrap()), ["widget.shown"]);
    // Before the server says the balance, nothing can be redeemed.
    assert_eq!(
        r.act(&request("coupon"), 1).unwrap_err().code,
        ErrorCode::NotOpen
    );
    r.apply(&account(250, "new"), 2).unwrap();
    assert_eq!(shop(&r).shown_balance(), Some(250));
    assert_eq!(shop(&r).tier_name(), Some("新手"));

    let fx = r.act(&request("coupon"), 3).unwrap();
    assert_eq!(types(&fx), ["redeem.request"]);
    let id = request_id(&fx);
    assert_eq!(id, "r1:shop:u1:redeem:1");
    assert_eq!(
        shop(&r).shown_balance(),
        Some(150),
        "optimistic while pending"
    );
    // A second tap while pending sends nothing.
    assert!(r.act(&request("coupon"), 4).unwrap().events.is_empty());

    let fx = r
        .apply(&cmd(json!({"type": "redeem.result", "widget_id": "shop", "request_id": id, "outcome": "success", "voucher_ref": "V-1"})), 5)
        .unwrap();
    assert_eq!(types(&fx), ["redeem.result"]);
    let s = shop(&r);
    assert_eq!(s.shown_balance(), Some(150));
    assert_eq!(s.account().unwrap().balance, 150);
    assert_eq!(s.history().len(), 1);
    assert_eq!(s.history()[0].voucher_ref, "V-1");
    assert_eq!(s.stock_of("coupon"), Some(49));
    assert_eq!(s.last_result(), Some(("coupon", RedeemOutcome::Success)));
    // The same answer again (a retried command) changes nothing.
    let again = r
        .apply(&cmd(json!({"type": "redeem.result", "widget_id": "shop", "request_id": id, "outcome": "success", "voucher_ref": "V-1"})), 6)
        .unwrap();
    assert!(again.events.is_empty() && !again.render);
    assert_eq!(shop(&r).history().len(), 1);
}

#[test]
fn failure_rolls_the_balance_back_exactly_even_with_gains_meanwhile() {
    let mut r = room("u1");
    r.apply(&open(), 0).unwrap();
    r.apply(&account(400, "new"), 0).unwrap();
    let id = request_id(&r.act(&request("lipstick"), 1).unwrap());
    assert_eq!(shop(&r).shown_balance(), Some(100));
    let fx = r
        .apply(&cmd(json!({"type": "redeem.points", "widget_id": "shop", "gain_id": "g1", "delta": 10, "reason": "看播5分钟"})), 2)
        .unwrap();
    assert_eq!(types(&fx), ["redeem.points"]);
    assert_eq!(shop(&r).shown_balance(), Some(110));
    assert_eq!(shop(&r).last_gain().unwrap().reason, "看播5分钟");
    // The same gain twice counts once.
    assert!(r
        .apply(&cmd(json!({"type": "redeem.points", "widget_id": "shop", "gain_id": "g1", "delta": 10, "reason": "看播5分钟"})), 3)
        .unwrap()
        .events
        .is_empty());
    let fx = r
        .apply(&cmd(json!({"type": "redeem.result", "widget_id": "shop", "request_id": id, "outcome": "out_of_stock"})), 4)
        .unwrap();
    assert_eq!(types(&fx), ["redeem.result"]);
    let s = shop(&r);
    assert_eq!(s.shown_balance(), Some(410), "400 + 10, nothing taken");
    assert_eq!(s.stock_of("lipstick"), Some(0));
    assert!(s.history().is_empty());
    assert_eq!(
        r.act(&request("lipstick"), 5).unwrap_err().code,
        ErrorCode::OutOfStock
    );
}

#[test]
fn client_side_checks_are_typed_and_change_nothing() {
    let mut r = room("u1");
    r.apply(&open(), 0).unwrap();
    r.apply(&account(120, "new"), 0).unwrap();
    let before = r.clone();
    assert_eq!(
        r.act(&request("vip"), 1).unwrap_err().code,
        ErrorCode::TierTooLow
    );
    assert_eq!(
        r.act(&request("lipstick"), 1).unwrap_err().code,
        ErrorCode::InsufficientPoints
    );
    assert_eq!(
        r.act(&request("nope"), 1).unwrap_err().code,
        ErrorCode::InvalidChoice
    );
    assert_eq!(r, before);
    // Another viewer's account is not this viewer's.
    r.apply(&cmd(json!({"type": "redeem.account", "widget_id": "shop", "user_id": "u2", "balance": 9999, "tier": "pro"})), 1).unwrap();
    assert_eq!(shop(&r).shown_balance(), Some(120));
    // The per-viewer limit counts the history.
    r.apply(&cmd(json!({"type": "redeem.account", "widget_id": "shop", "user_id": "u1", "balance": 1000, "tier": "pro",
        "history": [{"request_id": "old1", "item_id": "coupon", "cost": 100, "voucher_ref": "V-a"},
                    {"request_id": "old2", "item_id": "coupon", "cost": 100, "voucher_ref": "V-b"}]})), 2).unwrap();
    assert_eq!(
        r.act(&request("coupon"), 3).unwrap_err().code,
        ErrorCode::LimitReached
    );
    assert_eq!(
        types(&r.act(&request("vip"), 3).unwrap()),
        ["redeem.request"]
    );
}

#[test]
fn hostile_and_malformed_commands_are_refused_whole() {
    let mut r = room("u1");
    r.apply(&open(), 0).unwrap();
    r.apply(&account(100, "new"), 0).unwrap();
    let before = r.clone();
    let bad = [
        json!({"type": "redeem.account", "widget_id": "shop", "balance": 5, "tier": "gold"}),
        json!({"type": "redeem.points", "widget_id": "shop", "gain_id": "g", "delta": 5, "reason": "x\u{202e}gnp.exe"}),
        json!({"type": "redeem.stock", "widget_id": "shop", "stock": {"coupon": 1, "ghost": 3}}),
        json!({"type": "redeem.result", "widget_id": "shop", "request_id": "x", "outcome": "success"}),
        json!({"type": "redeem.open", "widget_id": "shop2", "items": []}),
        json!({"type": "redeem.open", "widget_id": "shop2", "items": [{"item_id": "a", "name": "A", "cost": 1, "stock": 1, "image": "javascript:alert(1)"}]}),
        json!({"type": "redeem.open", "widget_id": "shop2", "items": [{"item_id": "a", "name": "A", "cost": 1, "stock": 1, "tier": "nope"}]}),
    ];
    for b in bad {
        let c = decode_command_json(&b.to_string());
        let res = c.and_then(|c| r.apply(&c, 1));
        let e = res.expect_err(&b.to_string());
        assert_eq!(e.code, ErrorCode::InvalidField, "{b}");
        assert_eq!(r, before, "{b} changed the room");
    }
}

#[test]
fn a_lost_result_is_settled_by_the_snapshot_history() {
    let mut r = room("u1");
    r.apply(&open(), 0).unwrap();
    r.apply(&account(300, "new"), 0).unwrap();
    let id = request_id(&r.act(&request("coupon"), 1).unwrap());
    // The result never arrived; on reconnect the server's snapshot knows the redemption.
    let mut snap = r.snapshot();
    let WidgetSnapshot::Redeem(s) = &mut snap.widgets[0] else {
        panic!()
    };
    s.account = Some(Account {
        balance: 200,
        tier: Some("new".into()),
    });
    s.history = vec![Redemption {
        request_id: id.clone(),
        item_id: "coupon".into(),
        cost: 100,
        voucher_ref: "V-9".into(),
    }];
    s.stock.insert("coupon".into(), 40);
    r.apply(&Command::RoomSnapshot(snap.clone()), 2).unwrap();
    let x = shop(&r);
    assert!(x.pending().is_none());
    assert_eq!(x.shown_balance(), Some(200));
    assert_eq!(x.history().len(), 1);
    assert_eq!(x.stock_of("coupon"), Some(40));
    // Applying it again changes nothing.
    let fx = r.apply(&Command::RoomSnapshot(snap), 3).unwrap();
    assert!(!fx.render && fx.events.is_empty());
}

#[derive(Debug, Clone)]
enum Step {
    Request(usize),
    Answer(u8, bool),
    Points(i64, u8),
    Stock(usize, u64, bool),
    Account(u64, bool),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0..4usize).prop_map(Step::Request),
        3 => (0..5u8, any::<bool>()).prop_map(|(o, stale)| Step::Answer(o, stale)),
        2 => (-50..80i64, 0..6u8).prop_map(|(d, g)| Step::Points(d, g)),
        1 => (0..3usize, 0..60u64, any::<bool>()).prop_map(|(i, n, reset)| Step::Stock(i, n, reset)),
        1 => (0..600u64, any::<bool>()).prop_map(|(b, pro)| Step::Account(b, pro)),
    ]
}

const ITEMS: [&str; 4] = ["coupon", "lipstick", "vip", "ghost"];
const COST: [u64; 3] = [100, 300, 50];
const TOTAL: [u64; 3] = [50, 1, 10];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    /// Whatever the order of requests, answers, gains and resyncs: the shown balance is
    /// the server's minus the pending cost; a failure gives back exactly what the request
    /// took; stock never rises without a reset; a refused input changes nothing; the state
    /// survives a serde round trip.
    #[test]
    fn redeem_invariants(start in 0..600u64, steps in prop::collection::vec(step(), 1..60)) {
        let mut r = room("u1");
        r.apply(&open(), 0).unwrap();
        r.apply(&account(start, "new"), 0).unwrap();
        let mut pending: Option<(String, usize)> = None;
        for (now, s) in steps.into_iter().enumerate() {
            let now = now as u64 + 1;
            let before = r.clone();
            let prev = shop(&r);
            let result = match &s {
                Step::Request(i) => r.act(&request(ITEMS[*i]), now),
                Step::Answer(o, stale) => {
                    let outcome = ["success", "insufficient_points", "out_of_stock", "limit_reached", "tier_too_low"][*o as usize];
                    let id = if *stale { "stale".to_string() } else { pending.as_ref().map(|p| p.0.clone()).unwrap_or_else(|| "none".into()) };
                    r.apply(&cmd(json!({"type": "redeem.result", "widget_id": "shop", "request_id": id, "outcome": outcome, "voucher_ref": format!("V{now}")})), now)
                }
                Step::Points(d, g) => r.apply(&cmd(json!({"type": "redeem.points", "widget_id": "shop", "gain_id": format!("g{g}"), "delta": d, "reason": "看播"})), now),
                Step::Stock(i, n, reset) => {
                    r.apply(&cmd(json!({"type": "redeem.stock", "widget_id": "shop", "stock": {ITEMS[*i]: n}, "reset": reset})), now)
                }
                Step::Account(b, pro) => r.apply(&account(*b, if *pro { "pro" } else { "new" }), now),
            };
            let x = shop(&r);
            match result {
                Err(e) => {
                    prop_assert!(!e.message.is_empty());
                    prop_assert_eq!(&r, &before, "a refused input changed the room");
                }
                Ok(fx) => {
                    for e in &fx.events {
                        match &e.event {
                            Event::RedeemRequest { request_id, item_id, cost } => {
                                prop_assert!(pending.is_none(), "two requests pending");
                                let i = ITEMS.iter().position(|x| x == item_id).unwrap();
                                prop_assert_eq!(*cost, COST[i]);
                                prop_assert!(prev.shown_balance().unwrap() >= *cost, "sent a request the balance cannot cover");
                                prop_assert_eq!(x.shown_balance().unwrap(), prev.shown_balance().unwrap() - cost);
                                pending = Some((request_id.clone(), i));
                            }
                            Event::RedeemResult { request_id, outcome, .. } => {
                                let (id, i) = pending.take().expect("a result with nothing pending");
                                prop_assert_eq!(&id, request_id);
                                let cost = COST[i];
                                let server = prev.account().unwrap().balance;
                                if *outcome == RedeemOutcome::Success {
                                    prop_assert_eq!(x.account().unwrap().balance, server.saturating_sub(cost));
                                    prop_assert_eq!(x.history().last().unwrap().request_id.as_str(), id.as_str());
                                } else {
                                    // Rolled back exactly: the hold goes, the server's balance shows.
                                    prop_assert_eq!(x.shown_balance().unwrap(), server);
                                    prop_assert_eq!(x.account().unwrap().balance, server);
                                }
                            }
                            Event::RedeemPoints { delta, .. } => {
                                let a = (prev.account().unwrap().balance as i64 + delta).max(0) as u64;
                                prop_assert_eq!(x.account().unwrap().balance, a);
                            }
                            other => prop_assert!(false, "unexpected event {:?}", other),
                        }
                    }
                }
            }
            // Invariants after every step.
            let a = x.account().unwrap();
            let cost = x.pending().map_or(0, |p| p.cost);
            prop_assert_eq!(x.shown_balance().unwrap(), a.balance.saturating_sub(cost));
            for (i, item) in ITEMS[..3].iter().enumerate() {
                prop_assert!(x.stock_of(item).unwrap() <= prev.stock_of(item).unwrap() || matches!(s, Step::Stock(j, _, true) if j == i),
                    "stock rose without a reset");
                prop_assert!(x.stock_of(item).unwrap() <= TOTAL[i]);
            }
            let mut ids: Vec<_> = x.history().iter().map(|h| h.request_id.clone()).collect();
            ids.sort();
            ids.dedup();
            prop_assert_eq!(ids.len(), x.history().len(), "a redemption recorded twice");
            let round: Room = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
            prop_assert_eq!(&round, &r);
        }
    }
}

/// The server's new stock may come before or after its answer (the reference backend sends
/// the stock to the room first): either way, this viewer's unit is taken once.
#[test]
fn a_success_takes_one_unit_whichever_of_stock_and_answer_comes_first() {
    for stock_first in [true, false] {
        let mut r = room("u1");
        r.apply(&open(), 0).unwrap();
        r.apply(&account(250, "new"), 1).unwrap();
        let id = request_id(&r.act(&request("coupon"), 2).unwrap());
        let stock =
            cmd(json!({"type": "redeem.stock", "widget_id": "shop", "stock": {"coupon": 49}}));
        let answer = cmd(
            json!({"type": "redeem.result", "widget_id": "shop", "request_id": id,
                                "outcome": "success", "voucher_ref": "V-1"}),
        );
        let (a, b) = if stock_first {
            (&stock, &answer)
        } else {
            (&answer, &stock)
        };
        r.apply(a, 3).unwrap();
        r.apply(b, 4).unwrap();
        assert_eq!(
            shop(&r).stock_of("coupon"),
            Some(49),
            "stock first: {stock_first}"
        );
    }
}
