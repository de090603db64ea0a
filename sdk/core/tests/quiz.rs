//! The quiz: scenarios and properties.
mod common;

use common::*;
use hudong_core::*;
use proptest::prelude::*;
use serde_json::json;

fn room(user: &str) -> Room {
    Room::new(RoomConfig::new("r1", "s1").with_user(user).with_seed(3))
}

fn quiz(r: &Room) -> Quiz {
    widget!(r, "q", Quiz)
}

fn question(id: &str, closes_at: u64) -> Command {
    cmd(json!({
        "type": "quiz.question", "widget_id": "q", "question_id": id, "text": "口红的正确涂法?",
        "options": [{"id": "a", "label": "先描边"}, {"id": "b", "label": "直接涂"}, {"id": "c", "label": "先打底"}],
        "closes_at": closes_at
    }))
}

fn answer(qid: &str, opt: &str) -> Action {
    Action::QuizAnswer {
        widget_id: "q".into(),
        question_id: qid.into(),
        option_id: opt.into(),
    }
}

#[test]
fn one_tap_locked_answer_reveal_and_standing() {
    let mut r = room("u1");
    r.apply(&cmd(json!({"type": "quiz.open", "widget_id": "q", "title": "知识问答", "mode": "elimination"})), 0).unwrap();
    let fx = r.apply(&question("q1", 20_000), 1_000).unwrap();
    assert_eq!(types(&fx), ["quiz.question"]);
    assert_eq!(fx.wake_at, Some(20_000));
    // The question carries no answer: nothing in the client can leak it.
    assert!(!serde_json::to_string(&r).unwrap().contains("correct\":[0"));
    let fx = r.act(&answer("q1", "c"), 3_500).unwrap();
    match &fx.events[0].event {
        Event::QuizAnswer {
            option_id,
            time_to_answer_ms,
            idempotency_key,
            ..
        } => {
            assert_eq!(option_id, "c");
            assert_eq!(*time_to_answer_ms, 2_500);
            assert_eq!(idempotency_key, "r1:q:u1:answer:q1");
        }
        e => panic!("{e:?}"),
    }
    assert!(
        r.act(&answer("q1", "c"), 3_600).unwrap().events.is_empty(),
        "double tap"
    );
    assert_eq!(
        r.act(&answer("q1", "a"), 3_700).unwrap_err().code,
        ErrorCode::AlreadyVoted
    );
    let fx = r.tick(20_000);
    assert!(fx.render);
    assert!(!quiz(&r).can_answer(20_000));
    let fx = r.apply(&cmd(json!({"type": "quiz.reveal", "widget_id": "q", "question_id": "q1", "correct": ["a"], "counts": {"a": 60, "b": 30, "c": 10}})), 21_000).unwrap();
    match &fx.events[0].event {
        Event::QuizRevealed {
            right,
            my_answer,
            correct,
            ..
        } => {
            assert_eq!(*right, Some(false));
            assert_eq!(my_answer.as_deref(), Some("c"));
            assert_eq!(correct, &vec!["a".to_string()]);
        }
        e => panic!("{e:?}"),
    }
    assert_eq!(quiz(&r).question().unwrap().percentages(), vec![60, 30, 10]);
    // The server decides the consequence.
    let out = cmd(
        json!({"type": "quiz.standing", "widget_id": "q", "user_id": "u1", "score": 0, "streak": 0, "eliminated": true, "rank": 812}),
    );
    assert_eq!(types(&r.apply(&out, 21_500).unwrap()), ["quiz.eliminated"]);
    // Someone else's standing is not ours.
    let other = cmd(
        json!({"type": "quiz.standing", "widget_id": "q", "user_id": "u2", "score": 90, "eliminated": false}),
    );
    assert!(r.apply(&other, 21_600).unwrap().events.is_empty());
    assert!(quiz(&r).eliminated());
    r.apply(&question("q2", 40_000), 30_000).unwrap();
    assert_eq!(
        r.act(&answer("q2", "a"), 31_000).unwrap_err().code,
        ErrorCode::NotOpen,
        "spectators do not answer"
    );
    // A revive card from the server lets the viewer back in.
    let revive = cmd(
        json!({"type": "quiz.standing", "widget_id": "q", "user_id": "u1", "score": 0, "eliminated": false}),
    );
    assert_eq!(types(&r.apply(&revive, 31_500).unwrap()), ["quiz.revived"]);
    assert_eq!(
        types(&r.act(&answer("q2", "a"), 32_000).unwrap()),
        ["quiz.answer"]
    );
}

#[test]
fn team_answers_carry_the_team_and_a_late_joiner_gets_the_question() {
    let mut server = room("host");
    server
        .apply(
            &cmd(json!({"type": "quiz.open", "widget_id": "q", "mode": "team"})),
            0,
        )
        .unwrap();
    server.apply(&question("q1", 60_000), 1_000).unwrap();
    server.apply(&cmd(json!({"type": "quiz.leaderboard", "widget_id": "q", "top": [{"name": "小美", "score": 30}, {"name": "阿强", "score": 20}]})), 1_500).unwrap();
    let mut late = room("u7");
    late.apply(&Command::RoomSnapshot(server.snapshot()), 5_000)
        .unwrap();
    assert_eq!(late.snapshot(), server.snapshot());
    assert_eq!(quiz(&late).leaderboard().unwrap().top.len(), 2);
    late.apply(&cmd(json!({"type": "quiz.standing", "widget_id": "q", "user_id": "u7", "score": 0, "team_id": "team-9"})), 5_100).unwrap();
    let fx = late.act(&answer("q1", "b"), 7_000).unwrap();
    match &fx.events[0].event {
        Event::QuizAnswer {
            team_id,
            time_to_answer_ms,
            ..
        } => {
            assert_eq!(team_id.as_deref(), Some("team-9"));
            assert_eq!(*time_to_answer_ms, 2_000, "from when this viewer saw it");
        }
        e => panic!("{e:?}"),
    }
}

#[test]
fn refused_inputs() {
    let mut r = room("u1");
    r.apply(&cmd(json!({"type": "quiz.open", "widget_id": "q"})), 0)
        .unwrap();
    let bad = [
        json!({"type": "quiz.question", "widget_id": "q", "question_id": "x", "text": "t", "options": [{"id": "a", "label": "A"}], "closes_at": 9}),
        json!({"type": "quiz.question", "widget_id": "q", "question_id": "x", "text": "t", "options": [{"id": "a", "label": "A"}, {"id": "a", "label": "B"}], "closes_at": 9}),
        json!({"type": "quiz.reveal", "widget_id": "q", "question_id": "nope", "correct": ["a"]}),
    ];
    let before = r.clone();
    for b in bad {
        assert_eq!(
            r.apply(&cmd(b.clone()), 1).unwrap_err().code,
            ErrorCode::InvalidField,
            "{b}"
        );
    }
    r.apply(&question("q1", 10), 1).unwrap();
    let before_reveal = r.clone();
    let wrong = cmd(
        json!({"type": "quiz.reveal", "widget_id": "q", "question_id": "q1", "correct": ["zz"]}),
    );
    assert_eq!(
        r.apply(&wrong, 2).unwrap_err().code,
        ErrorCode::InvalidField
    );
    assert_eq!(r, before_reveal);
    assert_ne!(before, before_reveal);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1_000))]

    #[test]
    fn one_answer_per_question_and_never_after_the_window(
        steps in prop::collection::vec((0..4u8, 0..3usize, 0..8_000u64), 1..50)
    ) {
        let mut r = room("u1");
        r.apply(&cmd(json!({"type": "quiz.open", "widget_id": "q"})), 0).unwrap();
        let mut now = 0u64;
        let mut qn = 0;
        let mut answers_for: std::collections::HashMap<String, u32> = Default::default();
        let mut current: Option<(String, u64)> = None;
        for (what, opt, dt) in steps {
            now += dt;
            let before = r.clone();
            let res = match what {
                0 => { qn += 1; let id = format!("q{qn}"); current = Some((id.clone(), now + 10_000)); r.apply(&question(&id, now + 10_000), now) }
                1 | 2 => match &current {
                    Some((id, _)) => r.act(&answer(id, ["a", "b", "c"][opt]), now),
                    None => continue,
                },
                _ => Ok(r.tick(now)),
            };
            match res {
                Err(e) => { prop_assert!(!e.message.is_empty()); prop_assert_eq!(&r, &before); }
                Ok(fx) => for e in fx.events {
                    if let Event::QuizAnswer { question_id, time_to_answer_ms, .. } = e.event {
                        let (cur, closes) = current.clone().unwrap();
                        prop_assert_eq!(&question_id, &cur);
                        prop_assert!(now < closes, "answered after the window");
                        prop_assert!(time_to_answer_ms <= 10_000);
                        *answers_for.entry(question_id).or_default() += 1;
                    }
                },
            }
        }
        for (q, n) in answers_for {
            prop_assert_eq!(n, 1, "question {} answered {} times", q, n);
        }
    }
}
