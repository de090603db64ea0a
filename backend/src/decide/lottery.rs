//! Lucky bags: entries, draws and winners' claims.
use super::*;

/// How many prizes one viewer may win in a room.
pub(super) const WINS_PER_VIEWER: u64 = 1;

/// A lottery entry: open at server time, the condition met, under the room's win limit.
pub(super) fn lottery_enter(req: Request<'_>, keyword: Option<&str>) -> Result<(), DecideError> {
    let Some((hub, room, widget, request_id, actor)) = req.fresh()? else {
        return Ok(());
    };
    let now = now_ms();
    let mut rooms = hub.lock();
    let Some(Widget::Lottery(l)) = rooms.get(room).and_then(|r| r.core.widget(widget)) else {
        return Ok(());
    };
    let spec = l.spec().clone();
    let open = l.phase(now) == hudong_core::LotteryPhase::Open;
    let already = hub
        .store
        .actors_with(room, widget, "entered")?
        .iter()
        .any(|a| a == actor);
    let outcome = if !open {
        "closed"
    } else if hub.store.wins(room, actor)? >= WINS_PER_VIEWER {
        "limit_reached"
    } else if already {
        "entered" // a second request of the same viewer: entered once
    } else {
        let eligible = match spec.condition {
            hudong_core::EntryCondition::None => true,
            hudong_core::EntryCondition::Keyword => {
                keyword == spec.keyword.as_deref()
            }
            hudong_core::EntryCondition::Follow => hub.store.follows(room, actor)?,
            hudong_core::EntryCondition::Like => hub.store.task_counts(room, actor)?.likes > 0,
            hudong_core::EntryCondition::Watch => hub
                .store
                .first_seen(room, actor)?
                .is_some_and(|t| now.saturating_sub(t) >= spec.watch_ms.unwrap_or(0)),
        };
        if eligible {
            "entered"
        } else {
            "not_eligible"
        }
    };
    let answer = json!({"type": "lottery.entry", "widget_id": widget, "request_id": request_id, "outcome": outcome});
    // A repeat entry is answered but not counted twice.
    let outcome_recorded = if already && outcome == "entered" {
        "entered_again"
    } else {
        outcome
    };
    if !req.record(None, outcome_recorded, &answer, now)? {
        drop(rooms);
        req.answered_before()?;
        return Ok(());
    }
    if outcome == "entered" && !already {
        hub.books()
            .dirty_lotteries
            .insert((room.to_owned(), widget.to_owned()));
    }
    hub.post_to(&mut rooms, room, actor, answer)?;
    Ok(())
}

/// A winner's claim: answered `success` with a prize reference for a winner, else `expired`.
pub(super) fn lottery_claim(req: Request<'_>) -> Result<(), DecideError> {
    let Some((hub, room, widget, request_id, actor)) = req.fresh()? else {
        return Ok(());
    };
    let won = hub
        .store
        .actors_with(room, widget, "won")?
        .iter()
        .any(|a| a == actor);
    let mut answer = json!({"type": "lottery.claimed", "widget_id": widget, "request_id": request_id, "outcome": if won { "success" } else { "expired" }});
    if won {
        answer["claim_ref"] = format!("PRIZE-{:06}", hub.store.next("prize")?).into();
    }
    let mut rooms = hub.lock();
    let outcome = if won { "claimed" } else { "claim_refused" };
    if req.record(None, outcome, &answer, now_ms())? {
        hub.post_to(&mut rooms, room, actor, answer)?;
    }
    Ok(())
}

/// Draws lotteries whose time has come: winners picked uniformly among the entrants with
/// the operating system's randomness, recorded, announced to all, and told to each entrant.
pub fn draw_due(hub: &Hub) {
    let now = now_ms();
    let due: Vec<(String, String, u32)> = hub
        .lock()
        .iter()
        .flat_map(|(room, entry)| {
            entry.core.widgets().iter().filter_map(move |w| match w {
                Widget::Lottery(l) if l.phase(now) == hudong_core::LotteryPhase::Drawing => {
                    Some((room.clone(), l.id().to_owned(), l.spec().prize.count))
                }
                _ => None,
            })
        })
        .collect();
    for (room, widget, count) in due {
        let Ok(mut entrants) = hub.store.actors_with(&room, &widget, "entered") else {
            continue;
        };
        shuffle(&mut entrants);
        let winners: Vec<String> = entrants.iter().take(count as usize).cloned().collect();
        let mut rooms = hub.lock();
        for actor in &entrants {
            let won = winners.contains(actor);
            let answer = json!({"type": "lottery.result", "widget_id": widget, "user_id": actor, "won": won});
            let id = format!("draw:{room}:{widget}:{actor}");
            let d = Decision {
                request_id: &id,
                room: &room,
                widget: &widget,
                actor,
                item: None,
                outcome: if won { "won" } else { "lost" },
                answer: &answer.to_string(),
                at: now,
            };
            if let Err(e) = hub.store.record_decision(&d) {
                eprintln!("hudong-backend: could not record a draw: {e}");
                return;
            }
        }
        let shown: Vec<String> = winners.iter().take(20).map(|a| display_name(a)).collect();
        let draw = json!({"type": "lottery.draw", "widget_id": widget, "winners": shown, "entries": entrants.len()});
        if let Err(e) = hub.post_locked(&mut rooms, &room, draw) {
            eprintln!("hudong-backend: could not announce a draw: {}", e.message);
            continue;
        }
        for actor in &entrants {
            let answer = json!({"type": "lottery.result", "widget_id": widget, "user_id": actor, "won": winners.contains(actor)});
            let _ = hub.post_to(&mut rooms, &room, actor, answer);
        }
    }
}

/// Its events, as the registry routes them.
pub(super) struct Decide;

impl Decider for Decide {
    fn on_event(ev: &Stored<'_>) -> Result<(), DecideError> {
        match ev.event() {
            Event::LotteryEnter {
                request_id,
                keyword,
                ..
            } => lottery_enter(ev.request(request_id), keyword.as_deref()),
            Event::LotteryClaim { request_id } => lottery_claim(ev.request(request_id)),
            _ => Ok(()),
        }
    }
}
