//! The protocol's tables and the widget registry: each type written once, routed once.
use hudong_core::{Action, Addressee, Command, Event, Room, RoomConfig, WidgetKind};
use std::collections::BTreeSet;

fn unique(types: &[&str]) -> bool {
    types.iter().collect::<BTreeSet<_>>().len() == types.len()
}

#[test]
fn every_type_is_written_once() {
    assert!(unique(Command::TYPES), "a command type appears twice");
    assert!(unique(Action::TYPES), "an action type appears twice");
    assert!(unique(Event::TYPES), "an event type appears twice");
    assert_eq!(Command::TYPES.len(), 53);
}

#[test]
fn commands_route_by_the_table() {
    let cmd = |json: &str| -> Command { serde_json::from_str(json).unwrap() };
    let open = cmd(
        r#"{"type":"poll.open","widget_id":"p","question":"Q?","options":[{"id":"a","label":"A"},{"id":"b","label":"B"}]}"#,
    );
    assert_eq!(open.addressee(), Addressee::Opens(WidgetKind::Poll));
    assert_eq!(open.widget_id(), "p");
    assert_eq!(open.type_name(), "poll.open");
    let tally = cmd(r#"{"type":"poll.tally","widget_id":"p","counts":{"a":1}}"#);
    assert_eq!(tally.addressee(), Addressee::Widget(WidgetKind::Poll));
    let remove = cmd(r#"{"type":"widget.remove","widget_id":"p"}"#);
    assert_eq!(remove.addressee(), Addressee::AnyWidget);
    let layout = cmd(r#"{"type":"room.layout","max_cards":2}"#);
    assert_eq!(layout.addressee(), Addressee::Room);
    assert_eq!(layout.widget_id(), "");

    // A command for another kind of widget is refused with the kind the table names, and
    // changes nothing.
    let mut room = Room::new(RoomConfig::new("r", "s").with_user("u"));
    room.apply(&open, 1_000).unwrap();
    let before = room.clone();
    let stock = cmd(r#"{"type":"flash.stock","widget_id":"p","stock_left":3}"#);
    let err = room.apply(&stock, 2_000).unwrap_err();
    assert_eq!(err.code.as_str(), "wrong_widget_kind");
    assert!(err.message.contains("a flash sale"), "{}", err.message);
    assert_eq!(room, before);
    let grab = Action::FlashGrab {
        widget_id: "p".into(),
    };
    assert_eq!(grab.kind(), WidgetKind::FlashSale);
    let err = room.act(&grab, 2_000).unwrap_err();
    assert_eq!(err.code.as_str(), "wrong_widget_kind");
    assert_eq!(room, before);
}

#[test]
fn a_viewers_own_commands_name_the_viewer() {
    let cmd = |json: &str| -> Command { serde_json::from_str(json).unwrap() };
    let standing = cmd(
        r#"{"type":"quiz.standing","widget_id":"q","user_id":"u-1","score":10,"streak":1,"eliminated":false}"#,
    );
    assert_eq!(standing.viewer(), Some("u-1"));
    let points = cmd(
        r#"{"type":"redeem.points","widget_id":"r","user_id":"u-2","gain_id":"g","delta":5,"reason":"like"}"#,
    );
    assert_eq!(points.viewer(), Some("u-2"));
    let tally = cmd(r#"{"type":"poll.tally","widget_id":"p","counts":{}}"#);
    assert_eq!(tally.viewer(), None);
}

#[test]
fn interactions_and_requests_are_flags_of_the_event_table() {
    let interactions: BTreeSet<_> = Event::interaction_types().collect();
    let expected: BTreeSet<_> = [
        "poll.vote",
        "quiz.answer",
        "flash.grab",
        "flash.remind",
        "redeem.request",
        "lottery.enter",
        "tryon.opened",
        "tryon.add_to_cart",
        "lead.clicked",
        "lead.confirm",
        "like.sent",
        "product.buy",
        "product.add_to_cart",
        "coupon.claim",
        "coupon.shared",
        "question.ask",
        "question.upvote",
        "task.claim",
        "task.shared",
    ]
    .into_iter()
    .collect();
    assert_eq!(interactions, expected);
    let requests: BTreeSet<_> = Event::request_types().collect();
    let expected: BTreeSet<_> = [
        "flash.grab",
        "redeem.request",
        "lottery.enter",
        "lottery.claim",
        "lead.confirm",
        "coupon.claim",
        "task.claim",
        "question.ask",
    ]
    .into_iter()
    .collect();
    assert_eq!(requests, expected);
    // Every request carries the request id its answer will name.
    for t in &requests {
        assert!(Event::TYPES.contains(t));
    }
    assert!(Event::FlashGrab {
        request_id: "k".into()
    }
    .awaits_answer());
    assert!(Event::FlashGrab {
        request_id: "k".into()
    }
    .is_interaction());
    assert!(!Event::WidgetShown.awaits_answer());
    assert!(!Event::WidgetShown.is_interaction());
}
