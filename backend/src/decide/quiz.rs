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
        .answer(question, option, now_ms(), "server")
        .map(|_| ());
    drop(rooms);
    let mut books = hub.books();
    let book = books
        .quizzes
        .entry((room.to_owned(), widget.to_owned()))
        .or_default();
    let verdict = verdict.and_then(|()| {
        if book.players.get(actor).is_some_and(|p| p.eliminated) {
            Err(hudong_core::HudongError::new(
                hudong_core::ErrorCode::NotOpen,
                "an eliminated viewer watches; answers do not count",
            ))
        } else if book
            .answers
            .get(question)
            .is_some_and(|a| a.contains_key(actor))
        {
            Err(hudong_core::HudongError::new(
                hudong_core::ErrorCode::AlreadyVoted,
                "one answer per question",
            ))
        } else {
            Ok(())
        }
    });
    match verdict {
        Ok(()) => {
            book.take_answer(question.to_owned(), actor.to_owned(), option.to_owned());
            Ok(())
        }
        Err(err) => {
            drop(books);
            reject(hub, e, &err)
        }
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

/// Scores a revealed question into the books, once; `None` if it was scored already. Also
/// used when the hub rebuilds its books from SQLite after a restart.
pub fn score_quietly(
    hub: &Hub,
    rooms: &HashMap<String, RoomEntry>,
    room: &str,
    r: &QuizReveal,
) -> Option<Vec<(String, Standing)>> {
    let Some(Widget::Quiz(quiz)) = rooms.get(room).and_then(|x| x.core.widget(&r.widget_id)) else {
        return None;
    };
    let mode = quiz.spec().mode;
    let points = quiz
        .question()
        .filter(|q| q.spec.question_id == r.question_id)
        .map_or(10, |q| q.spec.points) as u64;
    let mut books = hub.books();
    let book = books
        .quizzes
        .entry((room.to_owned(), r.widget_id.clone()))
        .or_default();
    if !book.scored.insert(r.question_id.clone()) {
        return None;
    }
    let answers = book
        .answers
        .get(&r.question_id)
        .cloned()
        .unwrap_or_default();
    for (actor, p) in book.players.iter_mut() {
        if p.eliminated {
            continue;
        }
        let right = answers.get(actor).is_some_and(|a| r.correct.contains(a));
        if right {
            p.score += points;
            p.streak += 1;
        } else {
            p.streak = 0;
            p.eliminated = mode == QuizMode::Elimination;
        }
    }
    Some(book.players.iter().map(|(a, s)| (a.clone(), *s)).collect())
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
