//! The flash sale: scenarios and properties.
mod common;

use common::*;
use hudong_core::*;
use proptest::prelude::*;
use serde_json::json;

const START: u64 = 10_000;
const END: u64 = 70_000;

fn open(limit: u32) -> Command {
    cmd(json!({
        "type": "flash.open", "widget_id": "f1",
        "product": {"name": "丝绒唇釉", "price": 8900, "original_price": 15900, "image": "/img/lip.webp"},
        "stock_total": 100, "starts_at": START, "ends_at": END, "per_viewer_limit": limit,
        "gate": "加入品牌企业微信群后可抢"
    }))
}

fn sale(r: &Room) -> FlashSale {
    widget!(r, "f1", FlashSale)
}

fn room() -> Room {
    Room::new(RoomConfig::new("r1", "s1").with_user("u1").with_seed(3))
}

fn grab() -> Action {
    Action::FlashGrab {
        widget_id: "f1".into(),
    }
}

#[test]
fn preview_live_grab_result_end() {
    let mut r = room();
    let fx = r.apply(&open(1), 0).unwrap();
    assert_eq!(types(&fx), ["widget.shown"]);
    assert_eq!(fx.wake_at, Some(START));
    assert_eq!(sale(&r).phase(0), FlashPhase::Preview);
    assert_eq!(r.act(&grab(), 1).unwrap_err().code, ErrorCode::NotOpen);
    let fx = r
        .act(
            &Action::FlashRemind {
                widget_id: "f1".into(),
            },
            1,
        )
        .unwrap();
    assert_eq!(types(&fx), ["flash.remind"]);
    assert!(r
        .act(
            &Action::FlashRemind {
                widget_id: "f1".into()
            },
            2
        )
        .unwrap()
        .events
        .is_empty());

    let fx = r.tick(START);
    assert_eq!(types(&fx), ["flash.started"]);
    assert_eq!(fx.wake_at, Some(END));
    let fx = r.act(&grab(), START + 5).unwrap();
    let request_id = match &fx.events[0].event {
        Event::FlashGrab { request_id } => request_id.clone(),
        e => panic!("{e:?}"),
    };
    assert_eq!(request_id, "r1:f1:u1:grab:1");
    assert!(sale(&r).pending());
    // A double tap while pending sends nothing more.
    assert!(r.act(&grab(), START + 6).unwrap().events.is_empty());
    // A stale answer to something else changes nothing.
    let stale = cmd(
        json!({"type": "flash.result", "widget_id": "f1", "request_id": "other", "outcome": "success", "order_ref": "X"}),
    );
    assert!(r.apply(&stale, START + 7).unwrap().events.is_empty());
    let ok = cmd(
        json!({"type": "flash.result", "widget_id": "f1", "request_id": request_id, "outcome": "success", "order_ref": "ORD-1"}),
    );
    let fx = r.apply(&ok, START + 8).unwrap();
    assert_eq!(types(&fx), ["flash.result"]);
    assert_eq!(sale(&r).orders(), ["ORD-1".to_string()]);
    assert!(
        r.apply(&ok, START + 9).unwrap().events.is_empty(),
        "the same answer twice counts once"
    );
    assert_eq!(
        r.act(&grab(), START + 10).unwrap_err().code,
        ErrorCode::LimitReached
    );

    let fx = r
        .apply(
            &cmd(json!({"type": "flash.end", "widget_id": "f1"})),
            START + 20,
        )
        .unwrap();
    assert_eq!(types(&fx), ["flash.ended"]);
    assert!(r
        .apply(
            &cmd(json!({"type": "flash.end", "widget_id": "f1"})),
            START + 21
        )
        .unwrap()
        .events
        .is_empty());
    assert_eq!(
        r.act(&grab(), START + 22).unwrap_err().code,
        ErrorCode::NotOpen
    );
}

#[test]
fn stock_never_rises_sold_out_and_extension() {
    let mut r = room();
    r.apply(&open(2), START).unwrap();
    let stock = |n: u64, reset: bool| {
        cmd(
            json!({"type": "flash.stock", "widget_id": "f1", "stock_left": n, "waiting": 321, "reset": reset}),
        )
    };
    r.apply(&stock(40, false), START + 1).unwrap();
    r.apply(&stock(60, false), START + 2).unwrap();
    assert_eq!(
        sale(&r).stock_left(),
        40,
        "a stale stock value never shows more"
    );
    assert_eq!(sale(&r).waiting(), Some(321));
    r.apply(&stock(60, true), START + 3).unwrap();
    assert_eq!(sale(&r).stock_left(), 60);
    let fx = r.apply(&stock(0, false), START + 4).unwrap();
    assert!(fx.render);
    assert_eq!(sale(&r).phase(START + 4), FlashPhase::SoldOut);
    assert_eq!(
        r.act(&grab(), START + 5).unwrap_err().code,
        ErrorCode::NotOpen
    );
    // Extensions only move the end later.
    r.apply(
        &cmd(json!({"type": "flash.extend", "widget_id": "f1", "ends_at": END - 1})),
        START + 6,
    )
    .unwrap();
    assert_eq!(sale(&r).ends_at(), END);
    r.apply(
        &cmd(json!({"type": "flash.extend", "widget_id": "f1", "ends_at": END + 30_000})),
        START + 7,
    )
    .unwrap();
    assert_eq!(sale(&r).ends_at(), END + 30_000);
    let fx = r.tick(END + 30_000);
    assert_eq!(types(&fx), ["flash.ended"]);
    match &fx.events[0].event {
        Event::FlashEnded { sold } => assert_eq!(*sold, 100),
        e => panic!("{e:?}"),
    }
}

#[test]
fn refused_specs() {
    let mut r = room();
    let base = json!({
        "type": "flash.open", "widget_id": "f1", "product": {"name": "X", "price": 100},
        "stock_total": 10, "starts_at": 0, "ends_at": 10
    });
    for (patch, what) in [
        (json!({"stock_total": 0}), "stock"),
        (json!({"ends_at": 0}), "window"),
        (json!({"per_viewer_limit": 0}), "limit"),
        (
            json!({"product": {"name": "X", "price": 100, "currency": "rmb"}}),
            "currency",
        ),
        (
            json!({"product": {"name": "X", "price": 100, "image": "javascript:alert(1)"}}),
            "image",
        ),
        (json!({"product": {"name": " ", "price": 100}}), "name"),
    ] {
        let mut v = base.clone();
        v.as_object_mut()
            .unwrap()
            .extend(patch.as_object().unwrap().clone());
        let e = r.apply(&cmd(v), 0).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidField, "{what}: {e}");
    }
    assert!(r.widgets().is_empty());
    // Commands for a poll sent to a flash sale are refused by kind.
    r.apply(&open(1), 0).unwrap();
    let e = r
        .apply(&cmd(json!({"type": "poll.close", "widget_id": "f1"})), 0)
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::WrongWidgetKind);
}

#[test]
fn a_late_joiner_gets_the_sale_from_a_snapshot() {
    let mut server = room();
    server.apply(&open(1), START - 5_000).unwrap();
    server
        .apply(
            &cmd(json!({"type": "flash.stock", "widget_id": "f1", "stock_left": 7})),
            START + 1,
        )
        .unwrap();
    let mut late = Room::new(RoomConfig::new("r1", "s2"));
    let fx = late
        .apply(&Command::RoomSnapshot(server.snapshot()), START + 2)
        .unwrap();
    assert_eq!(types(&fx), ["widget.shown"]);
    assert_eq!(sale(&late).stock_left(), 7);
    assert_eq!(sale(&late).phase(START + 2), FlashPhase::Live);
    assert_eq!(late.snapshot(), server.snapshot());
}

#[derive(Debug, Clone)]
enum Step {
    Tick(u64),
    Grab,
    Remind,
    Stock(u64, bool),
    Answer(u8, bool),
    Extend(u64),
    End,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0..20_000u64).prop_map(Step::Tick),
        4 => Just(Step::Grab),
        1 => Just(Step::Remind),
        2 => (0..120u64, prop::bool::weighted(0.1)).prop_map(|(n, r)| Step::Stock(n, r)),
        3 => (0..5u8, any::<bool>()).prop_map(|(o, stale)| Step::Answer(o, stale)),
        1 => (0..40_000u64).prop_map(Step::Extend),
        1 => Just(Step::End),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn flash_invariants(limit in 1..3u32, steps in prop::collection::vec(step(), 1..60)) {
        let mut r = room();
        let mut now = 0u64;
        r.apply(&open(limit), now).unwrap();
        let mut last_server_stock = 100u64;
        let mut grabs = 0u32;
        // The end is announced once, and again only after an extension reopened the sale.
        let mut may_announce_end = true;
        let mut pending: Option<String> = None;
        for s in steps {
            let before = r.clone();
            let prev = sale(&r);
            let result = match &s {
                Step::Tick(dt) => { now += dt; Ok(r.tick(now)) }
                Step::Grab => r.act(&grab(), now),
                Step::Remind => r.act(&Action::FlashRemind { widget_id: "f1".into() }, now),
                Step::Stock(n, reset) => {
                    if *reset { last_server_stock = *n.min(&100); } else { last_server_stock = last_server_stock.min(*n); }
                    r.apply(&cmd(json!({"type": "flash.stock", "widget_id": "f1", "stock_left": n, "reset": reset})), now)
                }
                Step::Answer(o, stale) => {
                    let outcome = ["success", "sold_out", "limit_reached", "not_eligible", "ended"][*o as usize];
                    let id = if *stale { "stale".to_string() } else { pending.clone().unwrap_or_else(|| "none".into()) };
                    r.apply(&cmd(json!({"type": "flash.result", "widget_id": "f1", "request_id": id, "outcome": outcome, "order_ref": format!("O{now}")})), now)
                }
                Step::Extend(t) => r.apply(&cmd(json!({"type": "flash.extend", "widget_id": "f1", "ends_at": END + t})), now),
                Step::End => r.apply(&cmd(json!({"type": "flash.end", "widget_id": "f1"})), now),
            };
            let f = sale(&r);
            match result {
                Err(e) => {
                    prop_assert!(!e.message.is_empty());
                    prop_assert_eq!(&r, &before, "a refused input changed the room");
                }
                Ok(fx) => {
                    for e in &fx.events {
                        match &e.event {
                            Event::FlashGrab { request_id } => {
                                grabs += 1;
                                // Grabs only while live, one at a time, within the limit.
                                prop_assert_eq!(prev.phase(now), FlashPhase::Live);
                                prop_assert!(!prev.pending());
                                prop_assert!((prev.orders().len() as u32) < limit);
                                pending = Some(request_id.clone());
                            }
                            Event::FlashResult { request_id, .. } => {
                                prop_assert_eq!(Some(request_id), pending.as_ref());
                                pending = None;
                            }
                            Event::FlashEnded { .. } => {
                                prop_assert!(may_announce_end, "flash.ended announced twice");
                                may_announce_end = false;
                            }
                            _ => {}
                        }
                    }
                }
            }
            if matches!(s, Step::Extend(_)) && f.ends_at() > prev.ends_at() {
                may_announce_end = true;
            }
            // The bar never shows more than the server last said.
            prop_assert!(f.stock_left() <= last_server_stock);
            prop_assert!(f.orders().len() as u32 <= limit);
            prop_assert_eq!(f.pending(), pending.is_some());
            prop_assert!(f.ends_at() >= END);
        }
        let f = sale(&r);
        prop_assert!(f.orders().len() as u32 <= grabs);
    }
}

/// A viewer whose video is 20 s behind the room: the sale opens, runs and ends on their
/// video's time, and their grab says how far behind they were.
#[test]
fn a_viewer_behind_the_room_gets_the_whole_window_on_their_video() {
    let mut r = room();
    r.set_behind(20_000);
    let fx = r.apply(&open(1), 0).unwrap();
    // The window starts when the video reaches START: 20 s later in server time.
    assert_eq!(fx.wake_at, Some(START + 20_000));
    assert_eq!(
        r.act(&grab(), START + 19_999).unwrap_err().code,
        ErrorCode::NotOpen
    );
    let fx = r.act(&grab(), END + 19_000).unwrap();
    assert_eq!(types(&fx), ["flash.grab"]);
    assert_eq!(fx.events[0].at, END + 19_000, "events keep server time");
    assert_eq!(fx.events[0].behind_ms, Some(20_000));
    // Ends on the video's time too.
    let fx = r.tick(END + 20_000);
    assert!(fx.render);
    assert_eq!(sale(&r).phase(END), FlashPhase::Ended);
    // Live viewers' events carry no delay.
    let mut live = room();
    live.apply(&open(1), 0).unwrap();
    assert_eq!(live.act(&grab(), START).unwrap().events[0].behind_ms, None);
}
