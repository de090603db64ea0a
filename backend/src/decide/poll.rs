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
    let mut check = poll.clone();
    let revote = poll.spec().revote;
    // The state machine's checks (open, in time, valid options); then, in one transaction
    // of the database, whether this viewer voted before and the tally.
    let verdict = check.vote(options, sent.seen_at(), "server").map(|_| ());
    drop(rooms);
    let verdict = verdict.and_then(|()| {
        match hub.store.vote(room, widget, actor, options, revote, now_ms()) {
            Ok(VoteOutcome::Counted) => {
                hub.books().dirty.insert((room.to_owned(), widget.to_owned()));
                Ok(())
            }
            Ok(VoteOutcome::Repeat) => Ok(()), // a retry: already counted
            Ok(VoteOutcome::NoRevote) => Err(hudong_core::HudongError::new(
                hudong_core::ErrorCode::AlreadyVoted,
                "this poll does not allow changing a vote",
            )),
            Err(e) => Err(hudong_core::HudongError::new(
                hudong_core::ErrorCode::Internal,
                format!("the vote could not be stored: {e}"),
            )),
        }
    });
    match verdict {
        Ok(()) => Ok(()),
        Err(err) => reject(hub, e, &err),
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
