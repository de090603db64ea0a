//! Scenario tests of the poll through the room engine, as a host would drive it.
mod common;

use common::*;
use hudong_core::*;
use serde_json::json;

fn room() -> Room {
    Room::new(RoomConfig::new("r1", "s1").with_user("u1").with_seed(7))
}

fn open(extra: serde_json::Value) -> Command {
    let mut base = json!({
        "type": "poll.open", "v": 1, "widget_id": "p1", "question": "哪个色号?",
        "options": [{"id": "a", "label": "正红"}, {"id": "b", "label": "豆沙"}, {"id": "c", "label": "橘调"}]
    });
    base.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    cmd(base)
}

fn vote(ids: &[&str]) -> Action {
    Action::PollVote {
        widget_id: "p1".into(),
        option_ids: ids.iter().map(|s| s.to_string()).collect(),
    }
}

fn poll(room: &Room) -> &Poll {
    match room.widget("p1").expect("poll is live") {
        Widget::Poll(p) => p,
        w => panic!("not a poll: {w:?}"),
    }
}

#[test]
fn open_vote_tally_close_reveal() {
    let mut r = room();
    let fx = r.apply(&open(json!({})), 1_000).unwrap();
    assert!(fx.render);
    assert_eq!(fx.events.len(), 1);
    assert_eq!(fx.events[0].event, Event::WidgetShown);
    assert_eq!(fx.events[0].widget_id.as_deref(), Some("p1"));
    assert_eq!(fx.events[0].kind, Some(WidgetKind::Poll));
    assert_eq!(fx.events[0].seq, 1);

    let fx = r.act(&vote(&["b"]), 2_000).unwrap();
    match &fx.events[0].event {
        Event::PollVote {
            option_ids,
            idempotency_key,
            revote,
        } => {
            assert_eq!(option_ids, &vec!["b".to_string()]);
            assert_eq!(idempotency_key, "r1:p1:u1:vote:1");
            assert!(!revote);
        }
        e => panic!("unexpected {e:?}"),
    }
    assert_eq!(poll(&r).my_choice(), &[1]);

    r.apply(
        &cmd(json!({"type": "poll.tally", "widget_id": "p1", "counts": {"a": 3, "b": 6, "c": 1}})),
        2_500,
    )
    .unwrap();
    assert_eq!(poll(&r).counts(), &[3, 6, 1]);
    assert_eq!(poll(&r).percentages(), vec![30, 60, 10]);

    let fx = r
        .apply(
            &cmd(json!({"type": "poll.close", "widget_id": "p1"})),
            3_000,
        )
        .unwrap();
    assert_eq!(
        fx.events[0].event,
        Event::PollClosed {
            reason: CloseReason::Host
        }
    );
    assert_eq!(
        r.act(&vote(&["a"]), 3_100).unwrap_err().code,
        ErrorCode::NotOpen
    );

    let fx = r
        .apply(
            &cmd(json!({"type": "poll.reveal", "widget_id": "p1", "counts": {"b": 7}})),
            4_000,
        )
        .unwrap();
    match &fx.events[0].event {
        Event::PollRevealed {
            counts,
            total,
            winners,
            my_choice,
        } => {
            assert_eq!(counts["b"], 7);
            assert_eq!(*total, 11);
            assert_eq!(winners, &vec!["b".to_string()]);
            assert_eq!(my_choice, &vec!["b".to_string()]);
        }
        e => panic!("unexpected {e:?}"),
    }
    assert_eq!(poll(&r).phase(), PollPhase::Revealed);
    // Revealing again announces nothing new.
    assert!(r
        .apply(
            &cmd(json!({"type": "poll.reveal", "widget_id": "p1"})),
            4_100
        )
        .unwrap()
        .events
        .is_empty());

    let fx = r
        .apply(
            &cmd(json!({"type": "widget.remove", "widget_id": "p1"})),
            5_000,
        )
        .unwrap();
    assert_eq!(fx.events[0].event, Event::WidgetHidden);
    assert!(r.widgets().is_empty());
}

#[test]
fn deadline_closes_and_schedules_wakeup() {
    let mut r = room();
    let fx = r.apply(&open(json!({"closes_at": 10_000})), 1_000).unwrap();
    assert_eq!(fx.wake_at, Some(10_000));
    assert_eq!(poll(&r).remaining_ms(4_000), Some(6_000));
    assert!(r.tick(9_999).events.is_empty());
    // A vote judged after the deadline is refused even before the tick lands.
    assert_eq!(
        r.act(&vote(&["a"]), 10_000).unwrap_err().code,
        ErrorCode::NotOpen
    );
    let fx = r.tick(10_000);
    assert_eq!(
        fx.events[0].event,
        Event::PollClosed {
            reason: CloseReason::Deadline
        }
    );
    assert_eq!(fx.wake_at, None);
    assert!(r.tick(20_000).events.is_empty());
}

#[test]
fn past_deadline_opens_closed() {
    let mut r = room();
    r.apply(&open(json!({"closes_at": 500})), 1_000).unwrap();
    assert_eq!(poll(&r).phase(), PollPhase::Closed);
    assert!(!poll(&r).can_vote(1_000));
}

#[test]
fn single_choice_vote_is_final_unless_revote() {
    let mut r = room();
    r.apply(&open(json!({})), 0).unwrap();
    r.act(&vote(&["a"]), 1).unwrap();
    // The same vote again (double tap) is silently absorbed.
    assert!(r.act(&vote(&["a"]), 2).unwrap().events.is_empty());
    let e = r.act(&vote(&["b"]), 3).unwrap_err();
    assert_eq!(e.code, ErrorCode::AlreadyVoted);
    assert_eq!(e.widget_id.as_deref(), Some("p1"));

    let mut r = room();
    r.apply(&open(json!({"revote": true})), 0).unwrap();
    r.act(&vote(&["a"]), 1).unwrap();
    let fx = r.act(&vote(&["c"]), 2).unwrap();
    match &fx.events[0].event {
        Event::PollVote {
            revote,
            idempotency_key,
            ..
        } => {
            assert!(*revote);
            assert_eq!(idempotency_key, "r1:p1:u1:vote:2");
        }
        e => panic!("unexpected {e:?}"),
    }
}

#[test]
fn multi_choice_limits() {
    let mut r = room();
    r.apply(&open(json!({"max_choices": 2})), 0).unwrap();
    assert_eq!(
        r.act(&vote(&["a", "b", "c"]), 1).unwrap_err().code,
        ErrorCode::InvalidChoice
    );
    assert_eq!(
        r.act(&vote(&["a", "a"]), 1).unwrap_err().code,
        ErrorCode::InvalidChoice
    );
    assert_eq!(
        r.act(&vote(&[]), 1).unwrap_err().code,
        ErrorCode::InvalidChoice
    );
    assert_eq!(
        r.act(&vote(&["zz"]), 1).unwrap_err().code,
        ErrorCode::InvalidChoice
    );
    let fx = r.act(&vote(&["c", "a"]), 1).unwrap();
    match &fx.events[0].event {
        Event::PollVote { option_ids, .. } => {
            assert_eq!(option_ids, &vec!["a".to_string(), "c".to_string()])
        }
        e => panic!("unexpected {e:?}"),
    }
}

#[test]
fn tallies_never_decrease_unless_reset() {
    let mut r = room();
    r.apply(&open(json!({})), 0).unwrap();
    r.apply(
        &cmd(json!({"type": "poll.tally", "widget_id": "p1", "counts": {"a": 5, "b": 2}})),
        1,
    )
    .unwrap();
    let fx = r
        .apply(
            &cmd(json!({"type": "poll.tally", "widget_id": "p1", "counts": {"a": 3}})),
            2,
        )
        .unwrap();
    assert!(!fx.render, "a stale tally changes nothing");
    assert_eq!(poll(&r).counts(), &[5, 2, 0]);
    r.apply(
        &cmd(json!({"type": "poll.tally", "widget_id": "p1", "counts": {"a": 1}, "reset": true})),
        3,
    )
    .unwrap();
    assert_eq!(poll(&r).counts(), &[1, 0, 0]);
}

#[test]
fn bad_commands_are_typed_and_change_nothing() {
    let mut r = room();
    r.apply(&open(json!({})), 0).unwrap();
    let before = r.clone();
    let cases: &[(&str, ErrorCode)] = &[
        ("not json", ErrorCode::MalformedCommand),
        ("[1,2]", ErrorCode::MalformedCommand),
        ("{}", ErrorCode::MalformedCommand),
        (r#"{"type": 5}"#, ErrorCode::MalformedCommand),
        (r#"{"type": "poll.explode"}"#, ErrorCode::UnknownCommand),
        (
            r#"{"type": "poll.open", "v": 2}"#,
            ErrorCode::UnsupportedVersion,
        ),
        (
            r#"{"type": "poll.open", "widget_id": "p2"}"#,
            ErrorCode::InvalidField,
        ),
        (
            r#"{"type": "poll.tally", "widget_id": "p1", "counts": {"a": -1}}"#,
            ErrorCode::InvalidField,
        ),
    ];
    for (text, code) in cases {
        let e = decode_command_json(text).unwrap_err();
        assert_eq!(e.code, *code, "{text}: {e}");
        assert!(!e.message.is_empty());
    }
    let decoded_but_refused: &[(serde_json::Value, ErrorCode)] = &[
        (
            json!({"type": "poll.tally", "widget_id": "p1", "counts": {"a": 4, "nope": 1}}),
            ErrorCode::InvalidField,
        ),
        (
            json!({"type": "poll.close", "widget_id": "ghost"}),
            ErrorCode::UnknownWidget,
        ),
        (
            json!({"type": "poll.open", "widget_id": "p1", "question": "other?",
                "options": [{"id": "x", "label": "X"}, {"id": "y", "label": "Y"}]}),
            ErrorCode::WidgetConflict,
        ),
        (
            json!({"type": "poll.open", "widget_id": "p3", "question": "q",
                "options": [{"id": "x", "label": "X"}]}),
            ErrorCode::InvalidField,
        ),
        (
            json!({"type": "poll.open", "widget_id": "p3", "question": "q",
                "options": [{"id": "x", "label": "X"}, {"id": "x", "label": "Y"}]}),
            ErrorCode::InvalidField,
        ),
        (
            json!({"type": "poll.open", "widget_id": "p3", "question": "q", "max_choices": 3,
                "options": [{"id": "x", "label": "X"}, {"id": "y", "label": "Y"}]}),
            ErrorCode::InvalidField,
        ),
        (
            json!({"type": "poll.open", "widget_id": "p3", "question": "q",
                "options": [{"id": "x", "label": "X", "image": "javascript:alert(1)"}, {"id": "y", "label": "Y"}]}),
            ErrorCode::InvalidField,
        ),
    ];
    for (v, code) in decoded_but_refused {
        let e = r.apply(&cmd(v.clone()), 5).unwrap_err();
        assert_eq!(e.code, *code, "{v}: {e}");
        assert!(e.command_type.is_some());
    }
    assert_eq!(r, before, "refused commands leave the room unchanged");
}

#[test]
fn reopening_the_same_poll_is_a_no_op() {
    let mut r = room();
    r.apply(&open(json!({})), 0).unwrap();
    r.act(&vote(&["a"]), 1).unwrap();
    let before = r.clone();
    let fx = r.apply(&open(json!({})), 2).unwrap();
    assert!(fx.events.is_empty() && !fx.render);
    assert_eq!(r, before);
}

#[test]
fn event_ids_are_uuid_v7_unique_and_replayable() {
    let run = || {
        let mut r = room();
        let mut ids = Vec::new();
        ids.extend(r.apply(&open(json!({})), 1_700_000_000_000).unwrap().events);
        ids.extend(r.act(&vote(&["a"]), 1_700_000_000_500).unwrap().events);
        ids.into_iter().map(|e| e.event_id).collect::<Vec<_>>()
    };
    let a = run();
    assert_eq!(a, run(), "same seed and inputs give the same ids");
    assert_ne!(a[0], a[1]);
    for id in &a {
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "7", "version nibble of {id}");
    }
}

#[test]
fn envelopes_serialize_flat_with_a_type() {
    let mut r = room();
    let fx = r.apply(&open(json!({})), 1_000).unwrap();
    let v = serde_json::to_value(&fx.events[0]).unwrap();
    assert_eq!(v["type"], "widget.shown");
    assert_eq!(v["v"], 1);
    assert_eq!(v["kind"], "poll");
    assert_eq!(v["room_id"], "r1");
    let back: Envelope = serde_json::from_value(v).unwrap();
    assert_eq!(back, fx.events[0]);
}

#[test]
fn snapshot_round_trips() {
    let mut r = room();
    r.apply(&open(json!({"closes_at": 9_000})), 0).unwrap();
    r.act(&vote(&["c"]), 1).unwrap();
    let text = serde_json::to_string(&r).unwrap();
    let back: Room = serde_json::from_str(&text).unwrap();
    assert_eq!(back, r);
}
