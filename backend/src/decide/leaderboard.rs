//! The interaction leaderboard (互动热榜). Who ranks is counted from the interactions the
//! collector stored since the board opened (`Event::is_interaction`: votes, answers, grabs,
//! likes, questions…), one query per room that had any, sent a few times a second with the
//! tallies. When the board ends, its final ranking and each reward are decisions recorded
//! once: only the process whose insert wins announces them, so any number of processes
//! decide as one.
use super::*;
use crate::store::Activity;
use hudong_core::{Event, Leaderboard, LeaderboardPhase};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

/// Rooms with interactions since their boards were last sent. A cache: losing it (a
/// restart) only delays a board until the next interaction or its end.
static DIRTY: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());

/// The place each viewer was last told, per board: `(room, widget, viewer) → (rank, score)`.
/// A cache, so a flush sends standings only to the viewers whose place changed (losing it
/// sends them again, which the viewers' rooms absorb).
static TOLD: Mutex<BTreeMap<Told, (u32, u64)>> = Mutex::new(BTreeMap::new());

/// `(room, widget, viewer)`.
type Told = (String, String, String);

/// Standings sent at most per board and flush (the most active viewers first).
const STANDINGS_PER_FLUSH: usize = 500;

pub(super) struct Decide;

impl Decider for Decide {
    const EXAMPLE: Option<&'static str> = Some(
        r#"{"type": "leaderboard.open", "widget_id": "lb1", "title": "今晚铁粉榜", "top": 5, "ends_in": 120000,
 "tiers": [{"up_to": 1, "title": "榜一", "reward": "¥20 无门槛券"}, {"up_to": 3, "title": "铁粉", "reward": "¥5 券"}, {"up_to": 5, "title": "活跃"}]}"#,
    );

    fn on_event(ev: &Stored<'_>) -> Result<(), DecideError> {
        if ev.event().is_interaction() {
            lock_dirty().insert(ev.room.to_owned());
        }
        Ok(())
    }

    fn flush(hub: &Hub) {
        let boards: Vec<(String, Leaderboard)> = hub
            .lock()
            .iter()
            .flat_map(|(room, entry)| {
                entry.core.widgets().iter().filter_map(move |w| match w {
                    Widget::Leaderboard(b) if b.phase() != LeaderboardPhase::Final => {
                        Some((room.clone(), b.clone()))
                    }
                    _ => None,
                })
            })
            .collect();
        if boards.is_empty() {
            return;
        }
        let dirty = std::mem::take(&mut *lock_dirty());
        let now = now_ms();
        for (room, board) in boards {
            let ended = board.spec().ends_at.is_some_and(|end| now >= end);
            let result = if ended {
                close(hub, &room, &board)
            } else if dirty.contains(&room) {
                send_live(hub, &room, &board)
            } else {
                Ok(())
            };
            if let Err(e) = result {
                eprintln!("hudong-backend: could not rank leaderboard {} in room {room}: {e}", board.id());
            }
        }
    }
}

fn lock_dirty() -> std::sync::MutexGuard<'static, BTreeSet<String>> {
    DIRTY.lock().unwrap_or_else(|p| p.into_inner())
}

/// Every viewer who interacted since the board opened, most active first.
fn ranking(hub: &Hub, room: &str, board: &Leaderboard) -> Result<Vec<Activity>, DecideError> {
    let types: Vec<&str> = Event::interaction_types().collect();
    Ok(hub.store.activity(room, board.opened_at(), &types)?)
}

/// `leaderboard.ranks` for the top of the ranking.
fn ranks(board: &Leaderboard, all: &[Activity], version: u64, closed: bool) -> Value {
    let rows: Vec<Value> = all
        .iter()
        .take(board.spec().rows() as usize)
        .enumerate()
        .map(|(i, a)| json!({"rank": i + 1, "name": display_name(&a.actor), "score": a.count}))
        .collect();
    json!({"type": "leaderboard.ranks", "widget_id": board.id(), "version": version, "rows": rows,
           "participants": all.len(), "final": closed})
}

fn version(hub: &Hub, room: &str, board: &Leaderboard) -> Result<u64, DecideError> {
    Ok(hub.store.next(&format!("leaderboard:{room}:{}", board.id()))?)
}

/// The live board, and the own place of each of the most active viewers whose place
/// changed since they were last told.
fn send_live(hub: &Hub, room: &str, board: &Leaderboard) -> Result<(), DecideError> {
    let all = ranking(hub, room, board)?;
    let v = version(hub, room, board)?;
    hub.post(room, ranks(board, &all, v, false))?;
    let changed: Vec<(u32, &Activity)> = {
        let mut told = TOLD.lock().unwrap_or_else(|p| p.into_inner());
        all.iter()
            .take(STANDINGS_PER_FLUSH)
            .enumerate()
            .map(|(i, a)| (i as u32 + 1, a))
            .filter(|(rank, a)| {
                let key = (room.to_owned(), board.id().to_owned(), a.actor.clone());
                told.insert(key, (*rank, a.count)) != Some((*rank, a.count))
            })
            .collect()
    };
    for (rank, a) in changed {
        hub.post(room, json!({"type": "leaderboard.standing", "widget_id": board.id(), "user_id": a.actor,
                              "version": v, "rank": rank, "score": a.count}))?;
    }
    Ok(())
}

/// The board ended: its final ranking and every reward, decided once.
fn close(hub: &Hub, room: &str, board: &Leaderboard) -> Result<(), DecideError> {
    let widget = board.id();
    let key = format!("{room}:{widget}:final");
    let decided = Request {
        hub,
        room,
        widget,
        id: &key,
        actor: "",
        behind: 0,
    };
    if hub.store.decision(room, "", &key)?.is_some() {
        return Ok(());
    }
    let all = ranking(hub, room, board)?;
    let v = version(hub, room, board)?;
    let final_ranks = ranks(board, &all, v, true);
    if !decided.record(None, "final", &final_ranks, now_ms())? {
        return Ok(()); // another process decided it, and announces it
    }
    hub.post(room, final_ranks)?;
    // The live standings are over for this board.
    TOLD.lock()
        .unwrap_or_else(|p| p.into_inner())
        .retain(|(r, w, _), _| (r.as_str(), w.as_str()) != (room, widget));
    for (i, a) in all.iter().enumerate() {
        let rank = i as u32 + 1;
        let reward = board.spec().tier(rank).and_then(|t| t.reward.clone());
        if let Some(reward) = &reward {
            let id = format!("{room}:{widget}:reward:{}", a.actor);
            let request = Request {
                hub,
                room,
                widget,
                id: &id,
                actor: &a.actor,
                behind: 0,
            };
            let answer = json!({"rank": rank, "reward": reward});
            request.record(Some(reward), "rewarded", &answer, now_ms())?;
        } else if i >= STANDINGS_PER_FLUSH {
            break;
        }
        hub.post(room, json!({"type": "leaderboard.standing", "widget_id": widget, "user_id": a.actor,
                              "version": v, "rank": rank, "score": a.count, "reward": reward}))?;
    }
    Ok(())
}
