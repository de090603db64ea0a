//! The question queue: asks and upvotes booked, an ask acknowledged at once.
use super::*;

/// Books a stored question event (an ask or an upvote) into the room's queue in the
/// database, where every process reads the same queue. For an ask, returns what to
/// acknowledge: (request id, question id, merged).
pub fn book_question(
    store: &crate::store::Store,
    env: &Envelope,
    at: u64,
) -> Result<Option<(String, String, bool)>, DecideError> {
    let (room, Some(widget), Some(actor)) = (&env.room_id, env.widget_id.as_deref(), actor(env)) else {
        return Ok(None);
    };
    Ok(match &env.event {
        Event::QuestionAsk { request_id, text } => {
            let text = text.trim();
            if hudong_core::validate::text("text", text, 300).is_err() {
                return Ok(None);
            }
            let norm = hudong_core::normalize_question(text);
            let (id, merged) = store.ask(room, widget, actor, text, &norm, at)?;
            Some((request_id.clone(), id, merged))
        }
        Event::QuestionUpvote { question_id, .. } => {
            store.upvote_question(room, widget, actor, question_id)?;
            None
        }
        _ => None,
    })
}

/// A question or an upvote: on a live queue, booked, and an ask acknowledged at once with
/// its place (the queue itself goes out with the tallies).
pub(super) fn question(sent: Stored<'_>) -> Result<(), DecideError> {
    let (hub, room, widget, actor) = sent.parts();
    let e = sent.raw;
    let live = matches!(
        hub.lock().get(room).and_then(|r| r.core.widget(widget)),
        Some(Widget::Questions(_))
    );
    if !live {
        return no_widget(hub, e, "question queue");
    }
    let ack = book_question(&hub.store, sent.env, now_ms())?;
    hub.books()
        .dirty_questions
        .insert((room.to_owned(), widget.to_owned()));
    if let Some((request_id, question_id, merged)) = ack {
        let position = crate::hub::QuestionBook::load(&hub.store, room, widget)?.position(&question_id);
        let msg = json!({"type": "question.ack", "widget_id": widget, "request_id": request_id, "question_id": question_id,
            "position": position, "merged": merged});
        let mut rooms = hub.lock();
        hub.post_to(&mut rooms, room, actor, msg)?;
    }
    Ok(())
}

/// Its events, as the registry routes them.
pub(super) struct Decide;

impl Decider for Decide {
    fn on_event(ev: &Stored<'_>) -> Result<(), DecideError> {
        match ev.event() {
            Event::QuestionAsk { .. } | Event::QuestionUpvote { .. } => question(*ev),
            _ => Ok(()),
        }
    }
}
