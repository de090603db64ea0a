//! Quiz answers, scored on reveal, standings and the leaderboard.
use super::*;

/// A quiz answer counts when the quiz's state machine would take it now: the current
/// question, inside its window; one per viewer; none from an eliminated viewer.
pub(super) fn answer(sent: Stored<'_>, question: &str, option: &str) -> Result<(), DecideError> {
    let (hub, room, widget, actor) = sent.parts();
    let e = sent.raw;
    let rooms = hub.lock();
    let Some(Widget::Quiz(quiz)) = rooms.get(room).and_then(|r| r.core.widget(widget)) else {
        drop(rooms);
        return no_widget(hub, e, "quiz");
    };
    let mut check = quiz.clone();
    let verdict = check
        .answer(question, option, sent.seen_at(), "server")
        .map(|_| ());
    drop(rooms);
    let verdict = verdict.and_then(|()| {
        // One answer per question and none from an eliminated viewer, whichever process
        // takes it (one transaction of the database).
        match hub.store.answer(room, widget, question, actor, option, now_ms()) {
            Ok(AnswerOutcome::Counted) => Ok(()),
            Ok(AnswerOutcome::Eliminated) => Err(hudong_core::HudongError::new(
                hudong_core::ErrorCode::NotOpen,
                "an eliminated viewer watches; answers do not count",
            )),
            Ok(AnswerOutcome::Again) => Err(hudong_core::HudongError::new(
                hudong_core::ErrorCode::AlreadyVoted,
                "one answer per question",
            )),
            Err(e) => Err(hudong_core::HudongError::new(
                hudong_core::ErrorCode::Internal,
                format!("the answer could not be stored: {e}"),
            )),
        }
    });
    match verdict {
        Ok(()) => Ok(()),
        Err(err) => reject(hub, e, &err),
    }
}

/// On `quiz.reveal`: scores the question for everyone who has played (a missing answer is a
/// wrong one), announces each viewer's standing to them and the leaderboard to all.
pub fn score_reveal(hub: &Hub, rooms: &mut HashMap<String, RoomEntry>, room: &str, r: &QuizReveal) {
    let Some(mut standings) = score_quietly(hub, rooms, room, r) else {
        return;
    };
    standings.sort_by(|a, b| b.1.score.cmp(&a.1.score).then(a.0.cmp(&b.0)));
    for (rank, (actor, s)) in standings.iter().enumerate() {
        let msg = json!({"type": "quiz.standing", "widget_id": r.widget_id, "user_id": actor, "score": s.score,
            "streak": s.streak, "eliminated": s.eliminated, "rank": rank + 1});
        let _ = hub.post_locked(rooms, room, msg);
    }
    let top: Vec<Value> = standings
        .iter()
        .take(10)
        .map(|(a, s)| json!({"name": display_name(a), "score": s.score}))
        .collect();
    let _ = hub.post_locked(
        rooms,
        room,
        json!({"type": "quiz.leaderboard", "widget_id": r.widget_id, "top": top}),
    );
}

/// Scores a revealed question, once across every processes (the database decides which
/// one scores it); `None` if it was scored already.
fn score_quietly(
    hub: &Hub,
    rooms: &HashMap<String, RoomEntry>,
    room: &str,
    r: &QuizReveal,
) -> Option<Vec<(String, Standing)>> {
    let Some(Widget::Quiz(quiz)) = rooms.get(room).and_then(|x| x.core.widget(&r.widget_id)) else {
        return None;
    };
    let elimination = quiz.spec().mode == QuizMode::Elimination;
    let points = quiz
        .question()
        .filter(|q| q.spec.question_id == r.question_id)
        .map_or(10, |q| q.spec.points) as u64;
    match hub
        .store
        .score(room, &r.widget_id, &r.question_id, &r.correct, points, elimination)
    {
        Ok(s) => s,
        Err(e) => {
            eprintln!("hudong-backend: could not score a quiz question: {e}");
            None
        }
    }
}

/// Its events, as the registry routes them.
pub(super) struct Decide;

impl Decider for Decide {
    fn on_event(ev: &Stored<'_>) -> Result<(), DecideError> {
        match ev.event() {
            Event::QuizAnswer {
                question_id,
                option_id,
                ..
            } => answer(*ev, question_id, option_id),
            _ => Ok(()),
        }
    }
}
