//! The question queue: scenarios and properties.
mod common;

use common::*;
use hudong_core::*;
use proptest::prelude::*;
use serde_json::json;

fn room() -> Room {
    room_with(
        2,
        json!({"type": "questions.open", "widget_id": "qa", "prompt": "有什么想问主播的？"}),
        0,
    )
}

fn qa(r: &Room) -> Questions {
    widget!(r, "qa", Questions)
}

fn ask(text: &str) -> Action {
    Action::QuestionAsk {
        widget_id: "qa".into(),
        text: text.into(),
    }
}

fn queue(items: serde_json::Value, waiting: u64) -> Command {
    cmd(json!({"type": "question.queue", "widget_id": "qa", "items": items, "waiting": waiting}))
}

#[test]
fn ask_is_acknowledged_with_a_place_that_follows_the_queue() {
    let mut r = room();
    let fx = r.act(&ask("  干皮能用吗？ "), 1_000).unwrap();
    let request_id = match &fx.events[0].event {
        Event::QuestionAsk { request_id, text } => {
            assert_eq!(text, "干皮能用吗？", "trimmed");
            request_id.clone()
        }
        e => panic!("{e:?}"),
    };
    assert_eq!(
        qa(&r).mine()[0].question_id,
        None,
        "shown at once, waiting for its place"
    );
    assert_eq!(
        r.act(&ask("还有一个问题"), 5_000).unwrap_err().code,
        ErrorCode::LimitReached,
        "one every 10 s"
    );
    let fx = r.apply(&cmd(json!({"type": "question.ack", "widget_id": "qa", "request_id": request_id, "question_id": "q7", "position": 3})), 1_200).unwrap();
    assert_eq!(types(&fx), ["question.acked"]);
    let mine = qa(&r).mine()[0].clone();
    assert_eq!(qa(&r).position_of(&mine), Some(3));
    // The queue moves: the viewer's question is now second among the waiting ones.
    let items = json!([
        {"question_id": "q2", "text": "怎么卸?", "votes": 9, "state": "answering"},
        {"question_id": "q5", "text": "持妆多久?", "votes": 7, "state": "queued"},
        {"question_id": "q7", "text": "干皮能用吗？", "votes": 2, "state": "queued"},
    ]);
    r.apply(&queue(items, 12), 2_000).unwrap();
    assert_eq!(qa(&r).position_of(&mine), Some(2));
    assert_eq!(qa(&r).waiting(), 12);
    // The host takes it: the viewer hears it once.
    let fx = r.apply(&cmd(json!({"type": "question.mark", "widget_id": "qa", "question_id": "q7", "state": "answering"})), 3_000).unwrap();
    assert!(matches!(
        &fx.events[0].event,
        Event::QuestionState {
            state: QuestionState::Answering,
            ..
        }
    ));
    assert_eq!(qa(&r).position_of(&mine), None, "being answered: no place");
    assert!(r.apply(&cmd(json!({"type": "question.mark", "widget_id": "qa", "question_id": "q7", "state": "answering"})), 3_100).unwrap().events.is_empty());
}

#[test]
fn upvotes_once_never_ones_own_and_bad_input_is_refused() {
    let mut r = room();
    r.apply(&queue(json!([{"question_id": "q1", "text": "a", "votes": 1, "state": "queued"}, {"question_id": "q9", "text": "b", "votes": 0, "state": "answered"}]), 2), 0).unwrap();
    let up = |id: &str| Action::QuestionUpvote {
        widget_id: "qa".into(),
        question_id: id.into(),
    };
    let fx = r.act(&up("q1"), 10).unwrap();
    assert!(
        matches!(&fx.events[0].event, Event::QuestionUpvote { idempotency_key, .. } if idempotency_key == "r1:qa:u1:upvote:q1")
    );
    assert_eq!(qa(&r).items()[0].votes, 2, "shown at once");
    assert!(r.act(&up("q1"), 20).unwrap().events.is_empty(), "once");
    assert_eq!(r.act(&up("q9"), 30).unwrap_err().code, ErrorCode::NotOpen);
    assert_eq!(
        r.act(&up("nope"), 30).unwrap_err().code,
        ErrorCode::InvalidChoice
    );
    for bad in ["", "   ", "\u{202e}evil", &"长".repeat(101)] {
        let before = r.clone();
        assert_eq!(
            r.act(&ask(bad), 100_000).unwrap_err().code,
            ErrorCode::InvalidField,
            "{bad:?}"
        );
        assert_eq!(r, before);
    }
    let dup = json!([{"question_id": "q1", "text": "a", "votes": 1, "state": "queued"}, {"question_id": "q1", "text": "b", "votes": 0, "state": "queued"}]);
    assert_eq!(
        r.apply(&queue(dup, 2), 0).unwrap_err().code,
        ErrorCode::InvalidField
    );
    assert_eq!(
        normalize_question("Is it OK for dry skin?"),
        normalize_question("is it ok for dry-skin")
    );
}

#[derive(Debug, Clone)]
enum Step {
    Wait(u64),
    Ask(u8),
    Ack(u8, u64),
    Queue(Vec<(u8, u8)>),
    Upvote(u8),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0u64..15_000).prop_map(Step::Wait),
        (0u8..4).prop_map(Step::Ask),
        ((0u8..6), 1u64..50).prop_map(|(i, p)| Step::Ack(i, p)),
        prop::collection::vec((0u8..8, 0u8..3), 0..8).prop_map(Step::Queue),
        (0u8..8).prop_map(Step::Upvote),
    ]
}

const TEXTS: [&str; 4] = ["干皮能用吗", "持妆多久", "怎么卸", "会拔干吗"];
const STATES: [&str; 3] = ["queued", "answering", "answered"];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    /// Questions at most one per 10 s; each acknowledged once; upvotes once per question and
    /// never on one's own; positions are 1-based; refused input changes nothing; the state
    /// survives a serde round trip.
    #[test]
    fn question_invariants(steps in prop::collection::vec(step(), 1..50)) {
        let mut r = room();
        let mut now = 0u64;
        let mut asked_at: Vec<u64> = Vec::new();
        let mut upvoted = std::collections::HashSet::new();
        let mut acked = std::collections::HashSet::new();
        for s in steps {
            let before = r.clone();
            let prev = qa(&r);
            let res = match &s {
                Step::Wait(dt) => { now += dt; Ok(r.tick(now)) }
                Step::Ask(i) => r.act(&ask(TEXTS[*i as usize]), now),
                Step::Ack(i, p) => {
                    let id = prev.mine().get(*i as usize).map_or("stale".to_owned(), |m| m.request_id.clone());
                    r.apply(&cmd(json!({"type": "question.ack", "widget_id": "qa", "request_id": id, "question_id": format!("q{i}"), "position": p})), now)
                }
                Step::Queue(items) => {
                    let mut seen = std::collections::HashSet::new();
                    let items: Vec<_> = items.iter().filter(|(id, _)| seen.insert(*id))
                        .map(|(id, st)| json!({"question_id": format!("q{id}"), "text": "?", "votes": 1, "state": STATES[*st as usize]})).collect();
                    r.apply(&queue(json!(items), 9), now)
                }
                Step::Upvote(i) => r.act(&Action::QuestionUpvote { widget_id: "qa".into(), question_id: format!("q{i}") }, now),
            };
            match res {
                Err(e) => { prop_assert_eq!(&r, &before); prop_assert!(!e.message.is_empty()); }
                Ok(fx) => for e in &fx.events {
                    match &e.event {
                        Event::QuestionAsk { .. } => {
                            if let Some(&t) = asked_at.last() { prop_assert!(now >= t + ASK_EVERY_MS, "two questions within 10 s"); }
                            asked_at.push(now);
                        }
                        Event::QuestionUpvote { question_id, .. } => {
                            prop_assert!(upvoted.insert(question_id.clone()), "upvoted twice");
                            prop_assert!(!prev.is_mine(question_id), "upvoted one's own question");
                        }
                        Event::QuestionAcked { request_id, .. } => prop_assert!(acked.insert(request_id.clone()), "acknowledged twice"),
                        _ => {}
                    }
                }
            }
            let q = qa(&r);
            for m in q.mine() {
                if let Some(p) = q.position_of(m) { prop_assert!(p >= 1); }
            }
            let back: Room = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
            prop_assert_eq!(&back, &r);
        }
    }
}
