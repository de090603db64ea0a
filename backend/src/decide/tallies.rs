//! What goes out a few times a second: poll tallies, lottery counts, like totals, question queues.
use super::*;

/// Announces the tallies of polls that changed (called a few times a second).
pub fn flush_tallies(hub: &Hub) {
    let queues: Vec<(String, String, Value)> = {
        let dirty: Vec<_> = hub.books().dirty_questions.drain().collect();
        dirty
            .into_iter()
            .filter_map(|(room, widget)| {
                let book = crate::hub::QuestionBook::load(&hub.store, &room, &widget)
                    .map_err(|e| eprintln!("hudong-backend: could not read a question queue: {e}"))
                    .ok()?;
                let ranked = book.ranked();
                let waiting = ranked.iter().filter(|q| q.state == hudong_core::QuestionState::Queued).count();
                let items: Vec<Value> = ranked
                    .iter()
                    .take(hudong_core::QUESTIONS_SHOWN)
                    .map(|q| json!({"question_id": q.id, "text": q.text, "votes": q.voters.len() + 1, "state": q.state}))
                    .collect();
                Some((room, widget.clone(), json!({"type": "question.queue", "widget_id": widget, "items": items, "waiting": waiting})))
            })
            .collect()
    };
    for (room, widget, msg) in queues {
        let live = matches!(
            hub.lock().get(&room).and_then(|r| r.core.widget(&widget)),
            Some(Widget::Questions(_))
        );
        if live {
            let _ = hub.post(&room, msg);
        }
    }
    let likes: Vec<_> = hub.books().dirty_likes.drain().collect();
    for ((room, widget), total) in likes {
        let _ = hub.post(
            &room,
            json!({"type": "likes.total", "widget_id": widget, "total": total}),
        );
    }
    let lotteries: Vec<_> = hub.books().dirty_lotteries.drain().collect();
    for (room, widget) in lotteries {
        if let Ok(n) = hub.store.entry_count(&room, &widget) {
            let _ = hub.post(
                &room,
                json!({"type": "lottery.entries", "widget_id": widget, "count": n}),
            );
        }
    }
    draw_due(hub);
    each_flush(hub);
    let mut dirty: Vec<_> = hub.books().dirty.drain().collect();
    dirty.extend(stale_tallies(hub));
    for (room, widget) in dirty {
        let counts: HashMap<String, u64> = match hub.store.tally(&room, &widget) {
            Ok(rows) => rows.into_iter().collect(),
            Err(e) => {
                eprintln!("hudong-backend: could not read a tally: {e}");
                continue;
            }
        };
        let open = matches!(
            hub.lock().get(&room).and_then(|r| r.core.widget(&widget)),
            Some(Widget::Poll(_))
        );
        if open {
            let _ = hub.post(
                &room,
                json!({"type": "poll.tally", "widget_id": widget, "counts": counts}),
            );
        }
    }
}

/// How often each process compares the stored tallies of the polls it holds with the
/// rooms' (ms).
const SWEEP_MS: u64 = 2_000;

/// Polls whose stored tally has differed from the room's for a whole sweep: votes that a
/// process took, stored and acknowledged, but died before announcing. Any process holding
/// the room announces them then (a process that is merely a little behind has announced
/// its own by the next sweep, so a live one is not doubled).
fn stale_tallies(hub: &Hub) -> Vec<(String, String)> {
    let now = now_ms();
    {
        let mut books = hub.books();
        if now.saturating_sub(books.swept_at) < SWEEP_MS {
            return Vec::new();
        }
        books.swept_at = now;
    }
    let polls: Vec<(String, String, Vec<String>, Vec<u64>)> = hub
        .lock()
        .iter()
        .flat_map(|(room, entry)| {
            entry.core.widgets().iter().filter_map(move |w| match w {
                Widget::Poll(p) if p.phase() == hudong_core::PollPhase::Open => Some((
                    room.clone(),
                    p.id().to_owned(),
                    p.spec().options.iter().map(|o| o.id.clone()).collect(),
                    p.counts().to_vec(),
                )),
                _ => None,
            })
        })
        .collect();
    let mut now_stale = HashMap::new();
    for (room, widget, options, shown) in polls {
        let Ok(rows) = hub.store.tally(&room, &widget) else {
            continue;
        };
        let stored: HashMap<String, u64> = rows.into_iter().collect();
        let stored: Vec<u64> = options
            .iter()
            .map(|o| stored.get(o).copied().unwrap_or(0))
            .collect();
        if stored != shown {
            now_stale.insert((room, widget), stored);
        }
    }
    let mut books = hub.books();
    let due = now_stale
        .iter()
        .filter(|(key, stored)| books.stale.get(*key) == Some(*stored))
        .map(|(key, _)| key.clone())
        .collect();
    books.stale = now_stale;
    due
}
