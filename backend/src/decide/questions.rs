//! The question queue: asks and upvotes booked, an ask acknowledged at once.
use super::*;

/// Books a stored question event (an ask or an upvote) into the room's queue. For an ask,
/// returns what to acknowledge: (request id, question id, merged). Used live and when the
/// hub rebuilds its queues on start.
pub fn book_question(books: &mut crate::hub::Books, env: &Envelope) -> Option<(String, String, bool)> {
    let (room, widget, actor) = (&env.room_id, env.widget_id.as_deref()?, actor(env)?);
    let key = (room.to_owned(), widget.to_owned());
    let book = books.questions.entry(key.clone()).or_default();
    let out = match &env.event {
        Event::QuestionAsk { request_id, text } => {
            let text = text.trim();
            hudong_core::validate::text("text", text, 300).ok()?;
            let (id, merged) = book.ask(actor, text);
            Some((request_id.clone(), id, merged))
        }
        Event::QuestionUpvote { question_id, .. } => {
            book.upvote(actor, question_id);
            None
        }
        _ => None,
    };
    books.dirty_questions.insert(key);
    out
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
    let (ack, position) = {
        let mut books = hub.books();
        let ack = book_question(&mut books, sent.env);
        let position = ack
            .as_ref()
            .map(|(_, id, _)| books.questions[&(room.to_owned(), widget.to_owned())].position(id));
        (ack, position)
    };
    if let (Some((request_id, question_id, merged)), Some(position)) = (ack, position) {
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
