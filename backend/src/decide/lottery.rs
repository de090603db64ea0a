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
    let (spec, open) = {
        let rooms = hub.lock();
        let Some(Widget::Lottery(l)) = rooms.get(room).and_then(|r| r.core.widget(widget)) else {
            drop(rooms);
            return req.gone("lottery.entry", "closed");
        };
        (l.spec().clone(), l.phase(req.seen_at()) == hudong_core::LotteryPhase::Open)
    };
    let already = hub.store.entered(room, widget, actor)?;
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
    // One entry per viewer, whichever process takes it (a unique key); a repeat entry is
    // answered but not counted twice.
    let fresh = outcome == "entered" && hub.store.enter(room, widget, actor, now)?;
    let outcome_recorded = if outcome == "entered" && !fresh {
        "entered_again"
    } else {
        outcome
    };
    if fresh {
        hub.books()
            .dirty_lotteries
            .insert((room.to_owned(), widget.to_owned()));
    }
    req.refuse(None, outcome_recorded, answer, now)
}

/// A winner's claim: answered `success` with a prize reference for a winner, else `expired`.
pub(super) fn lottery_claim(req: Request<'_>) -> Result<(), DecideError> {
    let Some((hub, room, widget, request_id, actor)) = req.fresh()? else {
        return Ok(());
    };
    let won = hub
        .store
        .decision(room, actor, &draw_id(room, widget, actor))?
        .and_then(|a| serde_json::from_str::<Value>(&a).ok())
        .is_some_and(|a| a["won"] == true);
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
        // One process draws each bag, in one transaction: the one whose insert takes it.
        let result = |actor: &str, won: bool| {
            json!({"type": "lottery.result", "widget_id": widget, "user_id": actor, "won": won})
        };
        let drawn = hub.store.draw(
            &room,
            &widget,
            now,
            |entrants| {
                let mut order = entrants.to_vec();
                shuffle(&mut order);
                order.truncate(count as usize);
                order
            },
            |actor| draw_id(&room, &widget, actor),
            |actor, won| result(actor, won).to_string(),
        );
        let (entrants, winners) = match drawn {
            Ok(Some(d)) => d,
            Ok(None) => continue,
            Err(e) => {
                eprintln!("hudong-backend: could not draw a lottery: {e}");
                continue;
            }
        };
        let mut rooms = hub.lock();
        let shown: Vec<String> = winners.iter().take(20).map(|a| display_name(a)).collect();
        let draw = json!({"type": "lottery.draw", "widget_id": widget, "winners": shown, "entries": entrants.len()});
        if let Err(e) = hub.post_locked(&mut rooms, &room, draw) {
            eprintln!("hudong-backend: could not announce a draw: {}", e.message);
            continue;
        }
        for actor in &entrants {
            let _ = hub.post_to(&mut rooms, &room, actor, result(actor, winners.contains(actor)));
        }
    }
}

/// The id a viewer's draw result is recorded under.
fn draw_id(room: &str, widget: &str, actor: &str) -> String {
    format!("draw:{room}:{widget}:{actor}")
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
