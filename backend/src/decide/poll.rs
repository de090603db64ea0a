//! Poll votes, checked by the poll's own state machine at server time.
use super::*;

/// A vote counts when the poll's own state machine would take it now (server time): open,
/// before its deadline, valid options, and a change of vote only where `revote` allows.
/// The tally is announced by [`flush_tallies`].
pub(super) fn vote(sent: Stored<'_>, options: &[String]) -> Result<(), DecideError> {
    let (hub, room, widget, actor) = sent.parts();
    let e = sent.raw;
    let rooms = hub.lock();
    let Some(Widget::Poll(poll)) = rooms.get(room).and_then(|r| r.core.widget(widget)) else {
        drop(rooms);
        return no_widget(hub, e, "poll");
    };
    let mut books = hub.books();
    let key = (room.to_owned(), widget.to_owned());
    let previous = books.votes.get(&key).and_then(|v| v.get(actor)).cloned();
    let mut check = poll.clone();
    let verdict = match &previous {
        Some(p) if *p == options => Ok(()), // a retry: already counted
        Some(_) if !poll.spec().revote => Err(hudong_core::HudongError::new(
            hudong_core::ErrorCode::AlreadyVoted,
            "this poll does not allow changing a vote",
        )),
        _ => check.vote(&options, now_ms(), "server").map(|_| ()),
    };
    drop(rooms);
    match verdict {
        Ok(()) => {
            books
                .votes
                .entry(key.clone())
                .or_default()
                .insert(actor.to_owned(), options.to_vec());
            books.dirty.insert(key);
            Ok(())
        }
        Err(err) => {
            drop(books);
            reject(hub, e, &err)
        }
    }
}

/// Its events, as the registry routes them.
pub(super) struct Decide;

impl Decider for Decide {
    fn on_event(ev: &Stored<'_>) -> Result<(), DecideError> {
        match ev.event() {
            Event::PollVote { option_ids, .. } => vote(*ev, option_ids),
            _ => Ok(()),
        }
    }
}
