//! Likes: batches added to the room's total, capped at a thumb's pace.
use super::*;

/// Likes: each `like.sent` (stored once per `event_id` by the collector) adds its count to
/// the room's total, kept in the database. A viewer's count is capped at what a thumb can do — 15
/// taps a second since their previous batch (at most 10 s' worth) — so a script cannot
/// inflate the room. Totals go out as `likes.total` with the tallies.
pub(super) fn likes(sent: Stored<'_>, count: u64) -> Result<(), DecideError> {
    let (hub, room, widget, actor) = sent.parts();
    let live = matches!(
        hub.lock().get(room).and_then(|r| r.core.widget(widget)),
        Some(Widget::Likes(_))
    );
    if !live {
        return no_widget(hub, sent.raw, "like button");
    }
    let now = now_ms();
    // The pace is the database's too: a viewer's batches through several processes share it.
    let last = hub.store.like_batch(room, widget, actor, now)?;
    let secs = last.map_or(1, |t| now.saturating_sub(t).div_ceil(1_000).clamp(1, 10));
    let allowed = hudong_core::MAX_TAPS_PER_SEC * secs;
    let counted = count.min(allowed);
    if counted == 0 {
        return Ok(());
    }
    let total = hub.store.add(&format!("likes:{room}:{widget}"), counted)?;
    hub.books()
        .dirty_likes
        .insert((room.to_owned(), widget.to_owned()), total);
    Ok(())
}

/// Its events, as the registry routes them.
pub(super) struct Decide;

impl Decider for Decide {
    fn on_event(ev: &Stored<'_>) -> Result<(), DecideError> {
        match ev.event() {
            Event::LikeSent { count, .. } => likes(*ev, *count),
            _ => Ok(()),
        }
    }
}
