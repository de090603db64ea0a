//! The server's side of every reward. The client only asks (`flash.grab`,
//! `redeem.request`, each with a `request_id`); the answer is decided here from the room's
//! state (the same core crate the client runs) and the books in SQLite, recorded once per
//! `request_id`, and announced as a command (`flash.result`, `redeem.result`) with the new
//! stock. Everything happens under the rooms lock, so concurrent taps are serialized and a
//! request seen twice gets its first answer again.
use crate::hub::{now_ms, Hub};
use crate::hub::{RoomEntry, Standing};
use crate::store::Decision;
use hudong_core::{FlashPhase, QuizMode, QuizReveal, Widget};
use serde_json::{json, Value};
use std::collections::HashMap;

/// Acts on an event the collector stored for the first time.
pub fn on_event(hub: &Hub, e: &Value) {
    let s = |k: &str| e.get(k).and_then(Value::as_str);
    let (Some(room), Some(widget), Some(kind)) = (s("room_id"), s("widget_id"), s("type")) else {
        return;
    };
    let Some(actor) = s("user_id").or(s("session_id")) else {
        return;
    };
    let result = match kind {
        "flash.grab" => match s("request_id") {
            Some(id) => grab(hub, room, widget, id, actor),
            None => Ok(()),
        },
        "poll.vote" => vote(hub, room, widget, actor, e),
        "lottery.enter" => match s("request_id") {
            Some(id) => lottery_enter(hub, room, widget, id, actor, e),
            None => Ok(()),
        },
        "lottery.claim" => match s("request_id") {
            Some(id) => lottery_claim(hub, room, widget, id, actor),
            None => Ok(()),
        },
        "quiz.answer" => answer(hub, room, widget, actor, e),
        "like.sent" => likes(hub, room, widget, actor, e),
        "question.ask" | "question.upvote" => question(hub, room, widget, actor, e),
        "task.claim" => match (s("request_id"), s("task_id")) {
            (Some(id), Some(task)) => task_claim(hub, room, widget, id, actor, task),
            _ => Ok(()),
        },
        "coupon.claim" => match s("request_id") {
            Some(id) => coupon_claim(hub, room, widget, id, actor),
            None => Ok(()),
        },
        "lead.confirm" => match s("request_id") {
            Some(id) => lead_confirm(hub, room, widget, id, actor, e),
            None => Ok(()),
        },
        "redeem.request" => match (s("request_id"), s("item_id"), s("user_id")) {
            (Some(id), Some(item), Some(user)) => redeem(hub, room, widget, id, user, item),
            _ => Ok(()),
        },
        _ => Ok(()),
    };
    if let Err(e) = result {
        eprintln!("hudong-backend: could not decide {kind} in room {room}: {e}");
    }
    // What moves a task on: the viewer's new progress goes to them at once.
    if matches!(
        kind,
        "like.sent" | "task.shared" | "coupon.shared" | "quiz.answer"
    ) {
        if let Err(e) = push_task_progress(hub, room, actor) {
            eprintln!("hudong-backend: could not count tasks in room {room}: {e}");
        }
    }
}

/// A viewer's progress on each task of a task list, from their stored events.
fn task_progress(
    hub: &Hub,
    room: &str,
    actor: &str,
    spec: &hudong_core::TasksSpec,
) -> Result<std::collections::BTreeMap<String, u64>, String> {
    let err = |x: rusqlite::Error| x.to_string();
    let (likes, shares, answers) = hub.store.task_counts(room, actor).map_err(err)?;
    let watched = hub
        .store
        .first_seen(room, actor)
        .map_err(err)?
        .map_or(0, |t| now_ms().saturating_sub(t) / 60_000);
    Ok(spec
        .tasks
        .iter()
        .map(|t| {
            let n = match t.kind {
                hudong_core::TaskKind::Watch => watched,
                hudong_core::TaskKind::Like => likes,
                hudong_core::TaskKind::Share => shares,
                hudong_core::TaskKind::Answer => answers,
            };
            (t.task_id.clone(), n.min(t.target))
        })
        .collect())
}

/// Sends a viewer their progress on every live task list of the room.
fn push_task_progress(hub: &Hub, room: &str, actor: &str) -> Result<(), String> {
    let lists: Vec<hudong_core::TasksSpec> = hub
        .lock()
        .get(room)
        .map(|r| {
            r.core
                .widgets()
                .iter()
                .filter_map(|w| {
                    if let Widget::Tasks(t) = w {
                        Some(t.spec().clone())
                    } else {
                        None
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    for spec in lists {
        let progress = task_progress(hub, room, actor, &spec)?;
        let msg = json!({"type": "tasks.progress", "widget_id": spec.widget_id, "user_id": actor, "progress": progress});
        let mut rooms = hub.lock();
        hub.post_to(&mut rooms, room, actor, msg)
            .map_err(|e| e.message)?;
    }
    Ok(())
}

/// A task's reward: the task done by the server's count, rewarded once per viewer.
fn task_claim(
    hub: &Hub,
    room: &str,
    widget: &str,
    request_id: &str,
    actor: &str,
    task_id: &str,
) -> Result<(), String> {
    if answer_again(hub, room, request_id, actor)? {
        return Ok(());
    }
    let spec = match hub.lock().get(room).and_then(|r| r.core.widget(widget)) {
        Some(Widget::Tasks(t)) => t.spec().clone(),
        _ => return Ok(()),
    };
    let Some(task) = spec.tasks.iter().find(|t| t.task_id == task_id) else {
        return Ok(());
    };
    let progress = task_progress(hub, room, actor, &spec)?;
    let err = |x: rusqlite::Error| x.to_string();
    let done = progress.get(task_id).copied().unwrap_or(0) >= task.target;
    let rewarded = hub
        .store
        .successes(room, widget, Some(actor), Some(task_id))
        .map_err(err)?
        > 0;
    let outcome = if rewarded {
        "claimed"
    } else if done {
        "success"
    } else {
        "not_done"
    };
    let mut answer = json!({"type": "task.result", "widget_id": widget, "request_id": request_id, "outcome": outcome});
    if outcome == "success" {
        answer["reward_ref"] = format!("RWD-{:06}", hub.store.next("reward").map_err(err)?).into();
    }
    let mut rooms = hub.lock();
    let d = Decision {
        request_id,
        room,
        widget,
        actor,
        item: Some(task_id),
        outcome,
        answer: &answer.to_string(),
        at: now_ms(),
    };
    if hub.store.record_decision(&d).map_err(err)? {
        hub.post_to(&mut rooms, room, actor, answer)
            .map_err(|e| e.message)?;
    }
    drop(rooms);
    push_task_progress(hub, room, actor)
}

fn reject(hub: &Hub, e: &Value, err: &hudong_core::HudongError) -> Result<(), String> {
    hub.store
        .reject(e, err.code.as_str(), &err.message, now_ms())
        .map_err(|x| x.to_string())
}

/// A vote counts when the poll's own state machine would take it now (server time): open,
/// before its deadline, valid options, and a change of vote only where `revote` allows.
/// The tally is announced by [`flush_tallies`].
fn vote(hub: &Hub, room: &str, widget: &str, actor: &str, e: &Value) -> Result<(), String> {
    let options: Vec<String> = e
        .get("option_ids")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let rooms = hub.lock();
    let Some(Widget::Poll(poll)) = rooms.get(room).and_then(|r| r.core.widget(widget)) else {
        let err = hudong_core::HudongError::new(
            hudong_core::ErrorCode::UnknownWidget,
            "no live poll has this id",
        );
        drop(rooms);
        return reject(hub, e, &err);
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
                .insert(actor.to_owned(), options);
            books.dirty.insert(key);
            Ok(())
        }
        Err(err) => {
            drop(books);
            reject(hub, e, &err)
        }
    }
}

/// How many prizes one viewer may win in a room.
const WINS_PER_VIEWER: u64 = 1;

/// A lottery entry: open at server time, the condition met, under the room's win limit.
fn lottery_enter(
    hub: &Hub,
    room: &str,
    widget: &str,
    request_id: &str,
    actor: &str,
    e: &Value,
) -> Result<(), String> {
    if answer_again(hub, room, request_id, actor)? {
        return Ok(());
    }
    let now = now_ms();
    let mut rooms = hub.lock();
    let Some(Widget::Lottery(l)) = rooms.get(room).and_then(|r| r.core.widget(widget)) else {
        return Ok(());
    };
    let spec = l.spec().clone();
    let open = l.phase(now) == hudong_core::LotteryPhase::Open;
    let err = |x: rusqlite::Error| x.to_string();
    let already = hub
        .store
        .actors_with(room, widget, "entered")
        .map_err(err)?
        .iter()
        .any(|a| a == actor);
    let outcome = if !open {
        "closed"
    } else if hub.store.wins(room, actor).map_err(err)? >= WINS_PER_VIEWER {
        "limit_reached"
    } else if already {
        "entered" // a second request of the same viewer: entered once
    } else {
        let eligible = match spec.condition {
            hudong_core::EntryCondition::None => true,
            hudong_core::EntryCondition::Keyword => {
                e.get("keyword").and_then(Value::as_str) == spec.keyword.as_deref()
            }
            hudong_core::EntryCondition::Follow => hub.store.follows(room, actor).map_err(err)?,
            hudong_core::EntryCondition::Like => {
                hub.store.task_counts(room, actor).map_err(err)?.0 > 0
            }
            hudong_core::EntryCondition::Watch => hub
                .store
                .first_seen(room, actor)
                .map_err(err)?
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
    let d = Decision {
        request_id,
        room,
        widget,
        actor,
        item: None,
        outcome: outcome_recorded,
        answer: &answer.to_string(),
        at: now,
    };
    if !hub.store.record_decision(&d).map_err(err)? {
        drop(rooms);
        answer_again(hub, room, request_id, actor)?;
        return Ok(());
    }
    if outcome == "entered" && !already {
        hub.books()
            .dirty_lotteries
            .insert((room.to_owned(), widget.to_owned()));
    }
    hub.post_to(&mut rooms, room, actor, answer)
        .map_err(|e| e.message)?;
    Ok(())
}

/// A winner's claim: answered `success` with a prize reference for a winner, else `expired`.
fn lottery_claim(
    hub: &Hub,
    room: &str,
    widget: &str,
    request_id: &str,
    actor: &str,
) -> Result<(), String> {
    if answer_again(hub, room, request_id, actor)? {
        return Ok(());
    }
    let err = |x: rusqlite::Error| x.to_string();
    let won = hub
        .store
        .actors_with(room, widget, "won")
        .map_err(err)?
        .iter()
        .any(|a| a == actor);
    let mut answer = json!({"type": "lottery.claimed", "widget_id": widget, "request_id": request_id, "outcome": if won { "success" } else { "expired" }});
    if won {
        answer["claim_ref"] = format!("PRIZE-{:06}", hub.store.next("prize").map_err(err)?).into();
    }
    let mut rooms = hub.lock();
    let d = Decision {
        request_id,
        room,
        widget,
        actor,
        item: None,
        outcome: if won { "claimed" } else { "claim_refused" },
        answer: &answer.to_string(),
        at: now_ms(),
    };
    if hub.store.record_decision(&d).map_err(err)? {
        hub.post_to(&mut rooms, room, actor, answer)
            .map_err(|e| e.message)?;
    }
    Ok(())
}

/// Likes: each `like.sent` (stored once per `event_id` by the collector) adds its count to
/// the room's total, kept in SQLite. A viewer's count is capped at what a thumb can do — 15
/// taps a second since their previous batch (at most 10 s' worth) — so a script cannot
/// inflate the room. Totals go out as `likes.total` with the tallies.
fn likes(hub: &Hub, room: &str, widget: &str, actor: &str, e: &Value) -> Result<(), String> {
    let count = e.get("count").and_then(Value::as_u64).unwrap_or(0);
    let live = matches!(
        hub.lock().get(room).and_then(|r| r.core.widget(widget)),
        Some(Widget::Likes(_))
    );
    if !live {
        return reject(
            hub,
            e,
            &hudong_core::HudongError::new(
                hudong_core::ErrorCode::UnknownWidget,
                "no live like button has this id",
            ),
        );
    }
    let now = now_ms();
    let allowed = {
        let mut books = hub.books();
        let last = books
            .like_batches
            .insert((room.to_owned(), widget.to_owned(), actor.to_owned()), now);
        let secs = last.map_or(1, |t| now.saturating_sub(t).div_ceil(1_000).clamp(1, 10));
        hudong_core::MAX_TAPS_PER_SEC * secs
    };
    let counted = count.min(allowed);
    if counted == 0 {
        return Ok(());
    }
    let total = hub
        .store
        .add(&format!("likes:{room}:{widget}"), counted)
        .map_err(|x| x.to_string())?;
    hub.books()
        .dirty_likes
        .insert((room.to_owned(), widget.to_owned()), total);
    Ok(())
}

/// Books a stored question event (an ask or an upvote) into the room's queue. For an ask,
/// returns what to acknowledge: (request id, question id, merged). Used live and when the
/// hub rebuilds its queues on start.
pub fn book_question(books: &mut crate::hub::Books, e: &Value) -> Option<(String, String, bool)> {
    let s = |k: &str| e.get(k).and_then(Value::as_str);
    let (room, widget, actor) = (
        s("room_id")?,
        s("widget_id")?,
        s("user_id").or(s("session_id"))?,
    );
    let key = (room.to_owned(), widget.to_owned());
    let book = books.questions.entry(key.clone()).or_default();
    let out = match s("type")? {
        "question.ask" => {
            let text = s("text")?.trim();
            hudong_core::validate::text("text", text, 300).ok()?;
            let (id, merged) = book.ask(actor, text);
            Some((s("request_id")?.to_owned(), id, merged))
        }
        "question.upvote" => {
            book.upvote(actor, s("question_id")?);
            None
        }
        _ => None,
    };
    books.dirty_questions.insert(key);
    out
}

/// A question or an upvote: on a live queue, booked, and an ask acknowledged at once with
/// its place (the queue itself goes out with the tallies).
fn question(hub: &Hub, room: &str, widget: &str, actor: &str, e: &Value) -> Result<(), String> {
    let live = matches!(
        hub.lock().get(room).and_then(|r| r.core.widget(widget)),
        Some(Widget::Questions(_))
    );
    if !live {
        return reject(
            hub,
            e,
            &hudong_core::HudongError::new(
                hudong_core::ErrorCode::UnknownWidget,
                "no live question queue has this id",
            ),
        );
    }
    let (ack, position) = {
        let mut books = hub.books();
        let ack = book_question(&mut books, e);
        let position = ack
            .as_ref()
            .map(|(_, id, _)| books.questions[&(room.to_owned(), widget.to_owned())].position(id));
        (ack, position)
    };
    if let (Some((request_id, question_id, merged)), Some(position)) = (ack, position) {
        let msg = json!({"type": "question.ack", "widget_id": widget, "request_id": request_id, "question_id": question_id,
            "position": position, "merged": merged});
        let mut rooms = hub.lock();
        hub.post_to(&mut rooms, room, actor, msg)
            .map_err(|e| e.message)?;
    }
    Ok(())
}

/// A coupon or red-packet claim: open at server time, the gate passed (a follow on record, or
/// the viewer's `coupon.shared` event stored), one per viewer, and never more claims than
/// the quantity, even under concurrent taps from several processes (one IMMEDIATE
/// transaction counts and records). A red packet's amount is drawn between a tenth of the
/// value and the value. The viewer gets the result and their wallet; everyone the count left.
fn coupon_claim(
    hub: &Hub,
    room: &str,
    widget: &str,
    request_id: &str,
    actor: &str,
) -> Result<(), String> {
    if answer_again(hub, room, request_id, actor)? {
        return Ok(());
    }
    let now = now_ms();
    let err = |x: rusqlite::Error| x.to_string();
    let mut rooms = hub.lock();
    let Some(Widget::Coupon(c)) = rooms.get(room).and_then(|r| r.core.widget(widget)) else {
        return Ok(());
    };
    let spec = c.spec().clone();
    let gate_passed = match spec.gate {
        hudong_core::CouponGate::None => true,
        hudong_core::CouponGate::Follow => hub.store.follows(room, actor).map_err(err)?,
        hudong_core::CouponGate::Share => hub
            .store
            .has_event(room, widget, actor, "coupon.shared")
            .map_err(err)?,
    };
    let mut outcome = if now >= spec.ends_at {
        "ended"
    } else if now < spec.starts_at || !gate_passed {
        "not_eligible"
    } else if hub
        .store
        .successes(room, widget, Some(actor), None)
        .map_err(err)?
        >= 1
    {
        "limit_reached"
    } else {
        "success"
    };
    let mut answer = json!({"type": "coupon.result", "widget_id": widget, "request_id": request_id, "outcome": outcome});
    let mut recorded = None;
    if outcome == "success" {
        let value = match spec.kind {
            hudong_core::CouponKind::Coupon => spec.value,
            hudong_core::CouponKind::RedPacket => {
                let low = (spec.value / 10).max(1);
                low + os_random() % (spec.value - low + 1)
            }
        };
        let mut coupon = json!({"coupon_ref": format!("CPN-{:06}", hub.store.next("coupon").map_err(err)?), "name": spec.name,
            "value": value, "currency": spec.currency, "expires_at": now + spec.valid_ms});
        if let Some(t) = spec.threshold {
            coupon["threshold"] = t.into();
        }
        answer["coupon"] = coupon;
        let d = Decision {
            request_id,
            room,
            widget,
            actor,
            item: None,
            outcome,
            answer: &answer.to_string(),
            at: now,
        };
        recorded = hub
            .store
            .record_success_capped(&d, spec.quantity)
            .map_err(err)?;
        if recorded.is_none() {
            outcome = "sold_out";
            answer = json!({"type": "coupon.result", "widget_id": widget, "request_id": request_id, "outcome": outcome});
        }
    }
    let recorded = match recorded {
        Some(r) => r,
        None => {
            let d = Decision {
                request_id,
                room,
                widget,
                actor,
                item: None,
                outcome,
                answer: &answer.to_string(),
                at: now,
            };
            hub.store.record_decision(&d).map_err(err)?
        }
    };
    if !recorded {
        drop(rooms);
        answer_again(hub, room, request_id, actor)?;
        return Ok(());
    }
    hub.post_to(&mut rooms, room, actor, answer)
        .map_err(|e| e.message)?;
    if outcome == "success" {
        let claimed = hub.store.successes(room, widget, None, None).map_err(err)?;
        let left = json!({"type": "coupon.stock", "widget_id": widget, "left": spec.quantity.saturating_sub(claimed)});
        hub.post_locked(&mut rooms, room, left)
            .map_err(|e| e.message)?;
        let coupons: Vec<Value> = hub
            .store
            .answers_of(room, actor, "success")
            .map_err(err)?
            .iter()
            .filter_map(|a| serde_json::from_str::<Value>(a).ok())
            .filter(|a| a["type"] == "coupon.result")
            .map(|a| a["coupon"].clone())
            .collect();
        let wallet = json!({"type": "coupon.wallet", "widget_id": widget, "user_id": actor, "coupons": coupons});
        hub.post_locked(&mut rooms, room, wallet)
            .map_err(|e| e.message)?;
    }
    Ok(())
}

/// Network time allowed after a lead card's `perk_until` for a confirmation made in time.
const PERK_GRACE_MS: u64 = 2_000;

/// A lead card's confirmation. Where the viewer's details go to the brand, the consent must
/// be in the event (with the purpose, stored with it: the record the law asks for). A follow
/// is recorded as a follow (a follow-to-enter lottery then takes the viewer), a WeCom contact
/// or group as membership (a WeCom-gated flash sale then lets the viewer buy). The perk goes
/// once per viewer and card, to confirmations that reach the server before `perk_until`.
fn lead_confirm(
    hub: &Hub,
    room: &str,
    widget: &str,
    request_id: &str,
    actor: &str,
    e: &Value,
) -> Result<(), String> {
    if answer_again(hub, room, request_id, actor)? {
        return Ok(());
    }
    let now = now_ms();
    let err = |x: rusqlite::Error| x.to_string();
    let mut rooms = hub.lock();
    let Some(Widget::Lead(l)) = rooms.get(room).and_then(|r| r.core.widget(widget)) else {
        return Ok(());
    };
    let spec = l.spec().clone();
    let consent = e.get("consent").and_then(Value::as_bool) == Some(true);
    let signed_in = e.get("user_id").and_then(Value::as_str).is_some();
    let confirmed = signed_in && (consent || !spec.target.shares_details());
    let mut answer = json!({"type": "lead.result", "widget_id": widget, "request_id": request_id,
        "outcome": if confirmed { "confirmed" } else { "declined" }});
    let mut outcome = if confirmed { "confirmed" } else { "declined" };
    if confirmed {
        match spec.target {
            hudong_core::LeadTarget::Follow | hudong_core::LeadTarget::OfficialAccount => {
                hub.store.set_follow(room, actor, true)
            }
            hudong_core::LeadTarget::WecomContact | hudong_core::LeadTarget::WecomGroup => {
                hub.store.set_member(room, actor, true)
            }
        }
        .map_err(err)?;
        let in_time = spec.perk_until.is_none_or(|t| now <= t + PERK_GRACE_MS);
        let had_perk = hub
            .store
            .actors_with(room, widget, "perk")
            .map_err(err)?
            .iter()
            .any(|a| a == actor);
        if spec.perk.is_some() && in_time && !had_perk {
            answer["perk_ref"] = format!("PERK-{:06}", hub.store.next("perk").map_err(err)?).into();
            outcome = "perk";
        }
    }
    let d = Decision {
        request_id,
        room,
        widget,
        actor,
        item: None,
        outcome,
        answer: &answer.to_string(),
        at: now,
    };
    if hub.store.record_decision(&d).map_err(err)? {
        hub.post_to(&mut rooms, room, actor, answer)
            .map_err(|e| e.message)?;
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

/// Fisher–Yates with a seed from the operating system (time as a fallback).
/// A random number from the operating system (time-based if it has none to give).
fn os_random() -> u64 {
    use std::io::Read;
    let mut seed = [0u8; 8];
    let seeded = std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut seed))
        .is_ok();
    if seeded {
        u64::from_le_bytes(seed)
    } else {
        now_ms() ^ 0x9E37_79B9_7F4A_7C15
    }
}

fn shuffle(v: &mut [String]) {
    let mut x = os_random() | 1;
    for i in (1..v.len()).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v.swap(i, (x % (i as u64 + 1)) as usize);
    }
}

/// Announces the tallies of polls that changed (called a few times a second).
pub fn flush_tallies(hub: &Hub) {
    let queues: Vec<(String, String, Value)> = {
        let mut books = hub.books();
        let dirty: Vec<_> = books.dirty_questions.drain().collect();
        dirty
            .into_iter()
            .filter_map(|(room, widget)| {
                let book = books.questions.get(&(room.clone(), widget.clone()))?;
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
        if let Ok(n) = hub
            .store
            .actors_with(&room, &widget, "entered")
            .map(|a| a.len())
        {
            let _ = hub.post(
                &room,
                json!({"type": "lottery.entries", "widget_id": widget, "count": n}),
            );
        }
    }
    draw_due(hub);
    let dirty: Vec<_> = hub.books().dirty.drain().collect();
    for (room, widget) in dirty {
        let counts = {
            let books = hub.books();
            let mut counts: HashMap<String, u64> = HashMap::new();
            for choice in books
                .votes
                .get(&(room.clone(), widget.clone()))
                .into_iter()
                .flat_map(|v| v.values())
            {
                for o in choice {
                    *counts.entry(o.clone()).or_default() += 1;
                }
            }
            counts
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

/// A quiz answer counts when the quiz's state machine would take it now: the current
/// question, inside its window; one per viewer; none from an eliminated viewer.
fn answer(hub: &Hub, room: &str, widget: &str, actor: &str, e: &Value) -> Result<(), String> {
    let (Some(question), Some(option)) = (
        e.get("question_id").and_then(Value::as_str),
        e.get("option_id").and_then(Value::as_str),
    ) else {
        return Ok(());
    };
    let rooms = hub.lock();
    let Some(Widget::Quiz(quiz)) = rooms.get(room).and_then(|r| r.core.widget(widget)) else {
        drop(rooms);
        return reject(
            hub,
            e,
            &hudong_core::HudongError::new(
                hudong_core::ErrorCode::UnknownWidget,
                "no live quiz has this id",
            ),
        );
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

/// Names on the leaderboard: the viewer id, shortened (a real backend shows nicknames).
fn display_name(actor: &str) -> String {
    let name: String = actor.chars().take(16).collect();
    if name.trim().is_empty() {
        "viewer".into()
    } else {
        name
    }
}

fn answer_again(hub: &Hub, room: &str, request_id: &str, actor: &str) -> Result<bool, String> {
    match hub.store.decision(request_id).map_err(|e| e.to_string())? {
        Some(answer) => {
            let v: Value = serde_json::from_str(&answer).map_err(|e| e.to_string())?;
            let mut rooms = hub.lock();
            hub.post_to(&mut rooms, room, actor, v)
                .map_err(|e| e.message)?;
            Ok(true)
        }
        None => Ok(false),
    }
}

/// A flash-sale grab: live, in stock, under the viewer's limit, and through the gate.
pub fn grab(
    hub: &Hub,
    room: &str,
    widget: &str,
    request_id: &str,
    actor: &str,
) -> Result<(), String> {
    if answer_again(hub, room, request_id, actor)? {
        return Ok(());
    }
    let now = now_ms();
    let mut rooms = hub.lock();
    let Some(entry) = rooms.get(room) else {
        return Ok(());
    };
    let Some(Widget::FlashSale(sale)) = entry.core.widget(widget) else {
        return Ok(());
    };
    let spec = sale.spec().clone();
    let stock = sale.stock_left();
    let mine = hub
        .store
        .successes(room, widget, Some(actor), None)
        .map_err(|e| e.to_string())?;
    let outcome = match sale.phase(now) {
        FlashPhase::Ended => "ended",
        FlashPhase::Preview => "not_eligible",
        FlashPhase::SoldOut => "sold_out",
        FlashPhase::Live if stock == 0 => "sold_out",
        FlashPhase::Live if mine >= spec.per_viewer_limit as u64 => "limit_reached",
        FlashPhase::Live
            if spec.gate.is_some()
                && !hub
                    .store
                    .is_member(room, actor)
                    .map_err(|e| e.to_string())? =>
        {
            "not_eligible"
        }
        FlashPhase::Live => "success",
    };
    let mut outcome = outcome;
    let mut answer = json!({"type": "flash.result", "widget_id": widget, "request_id": request_id, "outcome": outcome});
    let mut recorded = None;
    if outcome == "success" {
        let n = hub.store.next("order").map_err(|e| e.to_string())?;
        answer["order_ref"] = format!("ORD-{n:06}").into();
        let d = Decision {
            request_id,
            room,
            widget,
            actor,
            item: None,
            outcome,
            answer: &answer.to_string(),
            at: now,
        };
        // Never more orders than units, even with several processes on one database.
        recorded = hub
            .store
            .record_success_capped(&d, spec.stock_total)
            .map_err(|e| e.to_string())?;
        if recorded.is_none() {
            outcome = "sold_out";
            answer = json!({"type": "flash.result", "widget_id": widget, "request_id": request_id, "outcome": outcome});
        }
    }
    let recorded = match recorded {
        Some(r) => r,
        None => {
            let d = Decision {
                request_id,
                room,
                widget,
                actor,
                item: None,
                outcome,
                answer: &answer.to_string(),
                at: now,
            };
            hub.store.record_decision(&d).map_err(|e| e.to_string())?
        }
    };
    if !recorded {
        drop(rooms);
        answer_again(hub, room, request_id, actor)?;
        return Ok(());
    }
    if outcome == "success" {
        let left = json!({"type": "flash.stock", "widget_id": widget, "stock_left": stock - 1});
        hub.post_locked(&mut rooms, room, left)
            .map_err(|e| e.message)?;
    }
    hub.post_to(&mut rooms, room, actor, answer)
        .map_err(|e| e.message)?;
    Ok(())
}

/// A point redemption: the viewer's tier, the stock, their limit and their balance.
pub fn redeem(
    hub: &Hub,
    room: &str,
    widget: &str,
    request_id: &str,
    user: &str,
    item_id: &str,
) -> Result<(), String> {
    if answer_again(hub, room, request_id, user)? {
        return Ok(());
    }
    let now = now_ms();
    let mut rooms = hub.lock();
    let Some(entry) = rooms.get(room) else {
        return Ok(());
    };
    let Some(Widget::Redeem(shop)) = entry.core.widget(widget) else {
        return Ok(());
    };
    let spec = shop.spec().clone();
    let Some(item) = spec.items.iter().find(|i| i.item_id == item_id) else {
        return Ok(());
    };
    let left = shop.stock_of(item_id).unwrap_or(0);
    let account = hub
        .store
        .account(room, widget, user)
        .map_err(|e| e.to_string())?;
    let mine = hub
        .store
        .successes(room, widget, Some(user), Some(item_id))
        .map_err(|e| e.to_string())?;
    let rank = |t: Option<&str>| t.and_then(|t| spec.tiers.iter().position(|x| x.id == t));
    let (balance, tier) = account.clone().unwrap_or((0, None));
    let outcome = if item.tier.is_some() && rank(tier.as_deref()) < rank(item.tier.as_deref()) {
        "tier_too_low"
    } else if left == 0 {
        "out_of_stock"
    } else if mine >= item.per_viewer_limit as u64 {
        "limit_reached"
    } else if account.is_none() || balance < item.cost {
        "insufficient_points"
    } else {
        "success"
    };
    let new_balance = if outcome == "success" {
        balance - item.cost
    } else {
        balance
    };
    let mut answer = json!({"type": "redeem.result", "widget_id": widget, "request_id": request_id, "outcome": outcome, "balance": new_balance});
    if outcome == "success" {
        let n = hub.store.next("voucher").map_err(|e| e.to_string())?;
        answer["voucher_ref"] = format!("V-{n:06}").into();
    }
    let d = Decision {
        request_id,
        room,
        widget,
        actor: user,
        item: Some(item_id),
        outcome,
        answer: &answer.to_string(),
        at: now,
    };
    if !hub.store.record_decision(&d).map_err(|e| e.to_string())? {
        drop(rooms);
        answer_again(hub, room, request_id, user)?;
        return Ok(());
    }
    if outcome == "success" {
        hub.store
            .set_account(room, widget, user, new_balance, tier.as_deref())
            .map_err(|e| e.to_string())?;
        let stock =
            json!({"type": "redeem.stock", "widget_id": widget, "stock": {item_id: left - 1}});
        hub.post_locked(&mut rooms, room, stock)
            .map_err(|e| e.message)?;
    }
    hub.post_to(&mut rooms, room, user, answer)
        .map_err(|e| e.message)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fanout::LocalFanout;
    use crate::store::Store;
    use std::sync::Arc;

    fn hub(dir: &std::path::Path) -> Arc<Hub> {
        let store = Store::open(&dir.join("t.db")).unwrap();
        Arc::new(
            Hub::new(
                store,
                Arc::new(LocalFanout::default()),
                crate::auth::Auth::new(None, None).unwrap(),
            )
            .unwrap(),
        )
    }

    fn temp(name: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!(
            "hudong-backend-{name}-{}-{}",
            std::process::id(),
            now_ms()
        ));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn open_sale(hub: &Hub, stock: u64, limit: u32) {
        let now = now_ms();
        hub.post("r", json!({"type": "flash.open", "widget_id": "f", "product": {"name": "唇釉", "price": 100},
            "stock_total": stock, "starts_at": now - 1_000, "ends_at": now + 600_000, "per_viewer_limit": limit}))
            .unwrap();
    }

    /// 64 viewers tap at once, twice each (a retry), for 10 units: exactly 10 orders, each
    /// request answered once, and the stock the viewers see ends at 0.
    #[test]
    fn concurrent_grabs_are_decided_exactly_once() {
        let dir = temp("grabs");
        let hub = hub(&dir);
        open_sale(&hub, 10, 1);
        let mut rx = hub.fanout.subscribe("r");
        let threads: Vec<_> = (0..64)
            .map(|i| {
                let hub = hub.clone();
                std::thread::spawn(move || {
                    for _ in 0..2 {
                        grab(
                            &hub,
                            "r",
                            "f",
                            &format!("r:f:u{i}:grab:1"),
                            &format!("u{i}"),
                        )
                        .unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(hub.store.successes("r", "f", None, None).unwrap(), 10);
        let rooms = hub.lock();
        let Some(Widget::FlashSale(sale)) = rooms["r"].core.widget("f") else {
            panic!()
        };
        assert_eq!(sale.stock_left(), 0);
        drop(rooms);
        // Every viewer got an answer (the second copy repeats the first), and only ten
        // of them say success, each with its own order reference.
        let mut answers = std::collections::HashMap::new();
        let mut orders = std::collections::HashSet::new();
        while let Ok(m) = rx.try_recv() {
            let v: Value = serde_json::from_str(&m.text).unwrap();
            if v["type"] == "flash.result" {
                let id = v["request_id"].as_str().unwrap().to_owned();
                let outcome = v["outcome"].as_str().unwrap().to_owned();
                if let Some(prev) = answers.insert(id, outcome.clone()) {
                    assert_eq!(prev, outcome, "a request got two different answers");
                }
                if let Some(o) = v["order_ref"].as_str() {
                    orders.insert(o.to_owned());
                }
            }
        }
        assert_eq!(answers.len(), 64);
        assert_eq!(answers.values().filter(|o| *o == "success").count(), 10);
        assert_eq!(orders.len(), 10);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn redemption_checks_tier_stock_limit_and_balance_and_survives_a_restart() {
        let dir = temp("redeem");
        {
            let hub = hub(&dir);
            hub.post("r", json!({"type": "redeem.open", "widget_id": "s",
                "tiers": [{"id": "new", "name": "新手"}, {"id": "pro", "name": "达人"}],
                "items": [{"item_id": "c", "name": "券", "cost": 100, "stock": 5, "per_viewer_limit": 1},
                          {"item_id": "g", "name": "礼盒", "cost": 10, "stock": 5, "tier": "pro"}]}))
                .unwrap();
            hub.post("r", json!({"type": "redeem.account", "widget_id": "s", "user_id": "u1", "balance": 150, "tier": "new"})).unwrap();
            hub.post("r", json!({"type": "redeem.points", "widget_id": "s", "user_id": "u1", "gain_id": "g1", "delta": 10, "reason": "看播"})).unwrap();
            hub.post("r", json!({"type": "redeem.points", "widget_id": "s", "user_id": "u1", "gain_id": "g1", "delta": 10, "reason": "看播"})).unwrap();
            assert_eq!(
                hub.store.account("r", "s", "u1").unwrap().unwrap().0,
                160,
                "a gain counts once"
            );
            redeem(&hub, "r", "s", "q1", "u1", "g").unwrap();
            redeem(&hub, "r", "s", "q2", "u1", "c").unwrap();
            redeem(&hub, "r", "s", "q3", "u1", "c").unwrap();
            redeem(&hub, "r", "s", "q4", "u9", "c").unwrap();
            let outcome = |id: &str| -> String {
                let a: Value =
                    serde_json::from_str(&hub.store.decision(id).unwrap().unwrap()).unwrap();
                a["outcome"].as_str().unwrap().to_owned()
            };
            assert_eq!(outcome("q1"), "tier_too_low");
            assert_eq!(outcome("q2"), "success");
            assert_eq!(outcome("q3"), "limit_reached");
            assert_eq!(
                outcome("q4"),
                "insufficient_points",
                "no account, no points"
            );
            assert_eq!(hub.store.account("r", "s", "u1").unwrap().unwrap().0, 60);
        }
        // A restart rebuilds the room from its commands and keeps the books.
        let hub = hub(&dir);
        let rooms = hub.lock();
        let Some(Widget::Redeem(shop)) = rooms["r"].core.widget("s") else {
            panic!()
        };
        assert_eq!(shop.stock_of("c"), Some(4));
        drop(rooms);
        redeem(&hub, "r", "s", "q2", "u1", "c").unwrap(); // the same request again
        assert_eq!(
            hub.store.account("r", "s", "u1").unwrap().unwrap().0,
            60,
            "not charged twice"
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    fn ev(room: &str, widget: &str, actor: &str, id: &str, extra: Value) -> Value {
        let mut e = json!({"v": 1, "event_id": id, "room_id": room, "widget_id": widget, "user_id": actor, "session_id": "s", "at": now_ms()});
        e.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        e
    }

    #[test]
    fn votes_are_tallied_by_the_server_and_refused_with_a_reason_after_close() {
        let dir = temp("votes");
        let hub = hub(&dir);
        hub.post(
            "r",
            json!({"type": "poll.open", "widget_id": "p", "question": "哪款?",
            "options": [{"id": "a", "label": "A"}, {"id": "b", "label": "B"}]}),
        )
        .unwrap();
        let mut rx = hub.fanout.subscribe("r");
        for (i, (actor, opt)) in [("u1", "a"), ("u2", "b"), ("u3", "b"), ("u1", "b")]
            .iter()
            .enumerate()
        {
            let e = ev(
                "r",
                "p",
                actor,
                &format!("v{i}"),
                json!({"type": "poll.vote", "option_ids": [opt]}),
            );
            hub.store
                .insert_events(std::slice::from_ref(&e), now_ms())
                .unwrap();
            on_event(&hub, &e);
        }
        flush_tallies(&hub);
        let tally: Value = serde_json::from_str(&rx.try_recv().unwrap().text).unwrap();
        assert_eq!(tally["type"], "poll.tally");
        assert_eq!(
            tally["counts"],
            json!({"a": 1, "b": 2}),
            "u1's second vote (no revote) does not count"
        );
        let rejected = hub.store.rejections(Some("r"), 10).unwrap();
        assert_eq!(rejected.len(), 1);
        assert_eq!(rejected[0]["code"], "already_voted");

        hub.post("r", json!({"type": "poll.close", "widget_id": "p"}))
            .unwrap();
        let late = ev(
            "r",
            "p",
            "u4",
            "v9",
            json!({"type": "poll.vote", "option_ids": ["a"]}),
        );
        hub.store
            .insert_events(std::slice::from_ref(&late), now_ms())
            .unwrap();
        on_event(&hub, &late);
        let rejected = hub.store.rejections(Some("r"), 10).unwrap();
        assert_eq!(rejected[0]["event_id"], "v9");
        assert_eq!(rejected[0]["code"], "not_open");
        assert_eq!(rejected[0]["reason"], "this poll is closed");
        drop(hub);
        // After a restart the accepted votes are tallied again.
        let hub = self::hub(&dir);
        assert_eq!(
            hub.books().votes[&("r".to_string(), "p".to_string())].len(),
            3
        );
    }

    #[test]
    fn lead_cards_record_follows_and_members_check_consent_and_grant_the_perk_once_in_time() {
        let dir = temp("lead");
        let hub = hub(&dir);
        let now = now_ms();
        hub.post("r", json!({"type": "lead.open", "widget_id": "g", "target": "wecom_group", "title": "进群", "perk": "5 元券",
            "perk_until": now + 60_000, "url": "https://work.weixin.qq.com/gm/x", "purpose": "直播预告"})).unwrap();
        hub.post("r", json!({"type": "lead.open", "widget_id": "late", "target": "wecom_contact", "title": "加我", "perk": "5 元券",
            "perk_until": now - 10_000, "code": "brand-01", "purpose": "直播预告"})).unwrap();
        hub.post(
            "r",
            json!({"type": "lead.open", "widget_id": "f", "target": "follow", "title": "关注"}),
        )
        .unwrap();
        let mut rx = hub.fanout.subscribe("r");
        let mut confirm = |widget: &str, actor: &str, id: &str, consent: bool| -> Value {
            let e = ev(
                "r",
                widget,
                actor,
                id,
                json!({"type": "lead.confirm", "request_id": id, "target": "x", "consent": consent, "perk_open": true}),
            );
            hub.store
                .insert_events(std::slice::from_ref(&e), now_ms())
                .unwrap();
            on_event(&hub, &e);
            let m = rx.try_recv().expect("an answer");
            assert_eq!(m.to.as_deref(), Some(actor), "answered to the viewer only");
            serde_json::from_str(&m.text).unwrap()
        };
        assert_eq!(
            confirm("g", "u1", "r:g:u1:lead:1", false)["outcome"],
            "declined",
            "no consent, no contact"
        );
        assert!(!hub.store.is_member("r", "u1").unwrap());
        let ok = confirm("g", "u1", "r:g:u1:lead:2", true);
        assert_eq!(ok["outcome"], "confirmed");
        assert!(ok["perk_ref"].as_str().unwrap().starts_with("PERK-"));
        assert!(
            hub.store.is_member("r", "u1").unwrap(),
            "a WeCom-gated sale now lets u1 buy"
        );
        // The same request again gets the same answer; a new one no second perk.
        assert_eq!(confirm("g", "u1", "r:g:u1:lead:2", true), ok);
        assert!(confirm("g", "u1", "r:g:u1:lead:3", true)
            .get("perk_ref")
            .is_none());
        // Too late for the perk, still confirmed.
        let late = confirm("late", "u2", "r:late:u2:lead:1", true);
        assert_eq!(late["outcome"], "confirmed");
        assert!(late.get("perk_ref").is_none());
        // A follow needs no consent and is recorded as a follow.
        assert_eq!(
            confirm("f", "u3", "r:f:u3:lead:1", false)["outcome"],
            "confirmed"
        );
        assert!(
            hub.store.follows("r", "u3").unwrap(),
            "a follow-to-enter lottery now takes u3"
        );
        let outcomes: HashMap<String, u64> =
            hub.store.outcomes("r", None).unwrap().into_iter().collect();
        assert_eq!(outcomes["perk"], 1);
    }

    #[test]
    fn like_batches_add_up_capped_at_a_thumbs_pace_and_survive_a_restart() {
        let dir = temp("likes");
        let hub = hub(&dir);
        hub.post("r", json!({"type": "likes.open", "widget_id": "l", "goal": {"target": 100, "reward": "券"}})).unwrap();
        let send = |hub: &Hub, actor: &str, id: &str, count: u64| {
            let e = ev(
                "r",
                "l",
                actor,
                id,
                json!({"type": "like.sent", "count": count, "batch": 1}),
            );
            hub.store
                .insert_events(std::slice::from_ref(&e), now_ms())
                .unwrap();
            on_event(hub, &e);
        };
        send(&hub, "u1", "a1", 12);
        send(&hub, "u2", "a2", 5);
        send(&hub, "u2", "a3", 1_000_000); // a script: capped at 15 for the second since
        let mut rx = hub.fanout.subscribe("r");
        flush_tallies(&hub);
        let v: Value = serde_json::from_str(&rx.try_recv().unwrap().text).unwrap();
        assert_eq!(v["type"], "likes.total");
        assert_eq!(v["total"], 12 + 5 + 15);
        // On a widget that is not live, refused with a reason.
        send(&hub, "u1", "a4", 3);
        hub.post("r", json!({"type": "widget.remove", "widget_id": "l"}))
            .unwrap();
        send(&hub, "u1", "a5", 3);
        assert_eq!(
            hub.store.rejections(Some("r"), 10).unwrap()[0]["code"],
            "unknown_widget"
        );
        flush_tallies(&hub);
        drop(hub);
        let hub = self::hub(&dir);
        hub.post("r", json!({"type": "likes.open", "widget_id": "l", "goal": {"target": 100, "reward": "券"}})).unwrap();
        send(&hub, "u3", "a6", 1);
        let mut rx = hub.fanout.subscribe("r");
        flush_tallies(&hub);
        let v: Value = serde_json::from_str(&rx.try_recv().unwrap().text).unwrap();
        assert_eq!(
            v["total"],
            12 + 5 + 15 + 3 + 1,
            "the total is kept in SQLite"
        );
    }

    #[test]
    fn coupons_are_claimed_exactly_quantity_times_behind_their_gates_into_wallets() {
        let dir = temp("coupons");
        let hub = hub(&dir);
        let now = now_ms();
        hub.post("r", json!({"type": "coupon.open", "widget_id": "c", "kind": "coupon", "name": "满 99 减 20", "value": 2000,
            "threshold": 9900, "quantity": 10, "ends_at": now + 60_000, "valid_ms": 3_600_000})).unwrap();
        let mut rx = hub.fanout.subscribe("r");
        let threads: Vec<_> = (0..40)
            .map(|i| {
                let hub = hub.clone();
                std::thread::spawn(move || {
                    for _ in 0..2 {
                        coupon_claim(
                            &hub,
                            "r",
                            "c",
                            &format!("r:c:u{i}:coupon:1"),
                            &format!("u{i}"),
                        )
                        .unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(hub.store.successes("r", "c", None, None).unwrap(), 10);
        let mut answers = HashMap::new();
        let mut wallets = 0;
        while let Ok(m) = rx.try_recv() {
            let v: Value = serde_json::from_str(&m.text).unwrap();
            match v["type"].as_str() {
                Some("coupon.result") => {
                    if let Some(prev) = answers.insert(
                        v["request_id"].as_str().unwrap().to_owned(),
                        v["outcome"].clone(),
                    ) {
                        assert_eq!(prev, v["outcome"], "a request got two different answers");
                    }
                    if v["outcome"] == "success" {
                        assert_eq!(v["coupon"]["value"], 2000);
                        assert_eq!(v["coupon"]["threshold"], 9900);
                    }
                }
                Some("coupon.wallet") => {
                    assert_eq!(
                        m.to.as_deref(),
                        v["user_id"].as_str(),
                        "a wallet goes to its viewer only"
                    );
                    assert_eq!(v["coupons"].as_array().unwrap().len(), 1);
                    wallets += 1;
                }
                _ => {}
            }
        }
        assert_eq!(answers.len(), 40);
        assert_eq!(answers.values().filter(|o| *o == "success").count(), 10);
        assert_eq!(answers.values().filter(|o| *o == "sold_out").count(), 30);
        assert_eq!(wallets, 10);

        // Gates: a share-gated red packet needs the viewer's coupon.shared event; a
        // follow-gated one a follow on record. Amounts stay within a tenth of the value and the value.
        hub.post("r", json!({"type": "coupon.open", "widget_id": "p", "kind": "red_packet", "name": "红包", "value": 888,
            "quantity": 100, "ends_at": now + 60_000, "valid_ms": 1000, "gate": "share"})).unwrap();
        hub.post("r", json!({"type": "coupon.open", "widget_id": "q", "kind": "coupon", "name": "关注券", "value": 500,
            "quantity": 100, "ends_at": now + 60_000, "valid_ms": 1000, "gate": "follow"})).unwrap();
        let mut rx = hub.fanout.subscribe("r");
        let mut outcome = |widget: &str, actor: &str, n: u32| -> Value {
            coupon_claim(
                &hub,
                "r",
                widget,
                &format!("r:{widget}:{actor}:coupon:{n}"),
                actor,
            )
            .unwrap();
            loop {
                let v: Value = serde_json::from_str(&rx.try_recv().unwrap().text).unwrap();
                if v["type"] == "coupon.result" {
                    return v;
                }
            }
        };
        assert_eq!(outcome("p", "v1", 1)["outcome"], "not_eligible");
        let shared = ev(
            "r",
            "p",
            "v1",
            "s1",
            json!({"type": "coupon.shared", "channel": "wechat_group"}),
        );
        hub.store
            .insert_events(std::slice::from_ref(&shared), now_ms())
            .unwrap();
        let got = outcome("p", "v1", 2);
        assert_eq!(got["outcome"], "success");
        let v = got["coupon"]["value"].as_u64().unwrap();
        assert!((88..=888).contains(&v), "{v}");
        assert_eq!(outcome("p", "v1", 3)["outcome"], "limit_reached");
        assert_eq!(outcome("q", "v2", 1)["outcome"], "not_eligible");
        hub.store.set_follow("r", "v2", true).unwrap();
        assert_eq!(outcome("q", "v2", 2)["outcome"], "success");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn questions_are_acknowledged_at_once_merged_upvoted_ranked_and_rebuilt_after_a_restart() {
        let dir = temp("questions");
        let hub = hub(&dir);
        hub.post("r", json!({"type": "questions.open", "widget_id": "qa"}))
            .unwrap();
        let mut rx = hub.fanout.subscribe("r");
        let mut send = |hub: &Hub, actor: &str, id: &str, body: Value| -> Option<Value> {
            let e = ev("r", "qa", actor, id, body);
            hub.store
                .insert_events(std::slice::from_ref(&e), now_ms())
                .unwrap();
            on_event(hub, &e);
            rx.try_recv().ok().map(|m| {
                assert_eq!(
                    m.to.as_deref(),
                    Some(actor),
                    "an acknowledgement goes to its viewer only"
                );
                serde_json::from_str(&m.text).unwrap()
            })
        };
        let ack = send(
            &hub,
            "u1",
            "e1",
            json!({"type": "question.ask", "request_id": "r:qa:u1:ask:1", "text": "干皮能用吗？"}),
        )
        .unwrap();
        assert_eq!(
            (
                ack["question_id"].as_str(),
                ack["position"].as_u64(),
                ack["merged"].as_bool()
            ),
            (Some("q1"), Some(1), Some(false))
        );
        let ack = send(
            &hub,
            "u2",
            "e2",
            json!({"type": "question.ask", "request_id": "r:qa:u2:ask:1", "text": "持妆多久"}),
        )
        .unwrap();
        assert_eq!(ack["position"], 2);
        // The same question in other words' clothing: merged, counted as a vote.
        let ack = send(
            &hub,
            "u3",
            "e3",
            json!({"type": "question.ask", "request_id": "r:qa:u3:ask:1", "text": "干皮 能用吗"}),
        )
        .unwrap();
        assert_eq!(
            (ack["question_id"].as_str(), ack["merged"].as_bool()),
            (Some("q1"), Some(true))
        );
        assert!(send(
            &hub,
            "u4",
            "e4",
            json!({"type": "question.upvote", "question_id": "q2"})
        )
        .is_none());
        assert!(send(
            &hub,
            "u5",
            "e5",
            json!({"type": "question.upvote", "question_id": "q2"})
        )
        .is_none());
        assert!(send(
            &hub,
            "u5",
            "e6",
            json!({"type": "question.upvote", "question_id": "q2"})
        )
        .is_none()); // once
        assert!(send(
            &hub,
            "u2",
            "e7",
            json!({"type": "question.upvote", "question_id": "q2"})
        )
        .is_none()); // not one's own
        hub.post("r", json!({"type": "question.mark", "widget_id": "qa", "question_id": "q1", "state": "answering"})).unwrap();
        let queue_of = |hub: &Hub| -> Vec<(String, u64, String)> {
            let mut rx = hub.fanout.subscribe("r");
            hub.books()
                .dirty_questions
                .insert(("r".into(), "qa".into()));
            flush_tallies(hub);
            loop {
                let v: Value = serde_json::from_str(&rx.try_recv().unwrap().text).unwrap();
                if v["type"] == "question.queue" {
                    return v["items"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|i| {
                            (
                                i["question_id"].as_str().unwrap().to_owned(),
                                i["votes"].as_u64().unwrap(),
                                i["state"].as_str().unwrap().to_owned(),
                            )
                        })
                        .collect();
                }
            }
        };
        let before = queue_of(&hub);
        assert_eq!(
            before,
            [
                ("q1".into(), 2, "answering".into()),
                ("q2".into(), 3, "queued".into())
            ]
        );
        drop(send);
        drop(hub);
        let hub = self::hub(&dir);
        assert_eq!(queue_of(&hub), before, "the queue comes back from SQLite");
    }

    #[test]
    fn tasks_count_a_viewers_events_and_reward_a_done_task_once() {
        let dir = temp("tasks");
        let hub = hub(&dir);
        hub.post("r", json!({"type": "likes.open", "widget_id": "l"}))
            .unwrap();
        hub.post(
            "r",
            json!({"type": "tasks.open", "widget_id": "t", "tasks": [
            {"task_id": "like", "kind": "like", "target": 20, "reward": "5 积分"},
            {"task_id": "share", "kind": "share", "target": 1, "reward": "券"}]}),
        )
        .unwrap();
        let mut rx = hub.fanout.subscribe("r");
        let mut send = |hub: &Hub, id: &str, widget: &str, body: Value| -> Vec<Value> {
            let e = ev("r", widget, "u1", id, body);
            hub.store
                .insert_events(std::slice::from_ref(&e), now_ms())
                .unwrap();
            on_event(hub, &e);
            std::iter::from_fn(|| rx.try_recv().ok())
                .map(|m| serde_json::from_str(&m.text).unwrap())
                .collect()
        };
        let out = send(
            &hub,
            "e1",
            "l",
            json!({"type": "like.sent", "count": 12, "batch": 1}),
        );
        let progress = out
            .iter()
            .find(|v| v["type"] == "tasks.progress")
            .expect("progress pushed");
        assert_eq!(progress["progress"], json!({"like": 12, "share": 0}));
        let out = send(
            &hub,
            "e2",
            "t",
            json!({"type": "task.claim", "request_id": "r:t:u1:task:like:1", "task_id": "like"}),
        );
        assert_eq!(out[0]["outcome"], "not_done");
        // A script's huge batch counts 150 at most; twelve plus ten is enough.
        send(
            &hub,
            "e3",
            "l",
            json!({"type": "like.sent", "count": 10, "batch": 2}),
        );
        let out = send(
            &hub,
            "e4",
            "t",
            json!({"type": "task.claim", "request_id": "r:t:u1:task:like:2", "task_id": "like"}),
        );
        assert_eq!(out[0]["outcome"], "success");
        assert!(out[0]["reward_ref"].as_str().unwrap().starts_with("RWD-"));
        let out = send(
            &hub,
            "e5",
            "t",
            json!({"type": "task.claim", "request_id": "r:t:u1:task:like:3", "task_id": "like"}),
        );
        assert_eq!(out[0]["outcome"], "claimed", "rewarded once");
        let out = send(
            &hub,
            "e6",
            "t",
            json!({"type": "task.shared", "channel": "wechat_group"}),
        );
        assert_eq!(
            out.iter().find(|v| v["type"] == "tasks.progress").unwrap()["progress"]["share"],
            1
        );
        let (likes, _, _) = hub.store.task_counts("r", "u1").unwrap();
        assert_eq!(likes, 22);
        send(
            &hub,
            "e7",
            "l",
            json!({"type": "like.sent", "count": 1_000_000, "batch": 3}),
        );
        assert_eq!(hub.store.task_counts("r", "u1").unwrap().0, 22 + 150);
    }

    #[test]
    fn a_like_to_enter_lucky_bag_takes_a_viewer_once_they_liked() {
        let dir = temp("likebag");
        let hub = hub(&dir);
        hub.post("r", json!({"type": "likes.open", "widget_id": "l"}))
            .unwrap();
        hub.post("r", json!({"type": "lottery.open", "widget_id": "bag", "prize": {"name": "福袋", "count": 1},
            "condition": "like", "draw_at": now_ms() + 60_000})).unwrap();
        let mut rx = hub.fanout.subscribe("r");
        let mut enter = |n: u32| -> Value {
            let id = format!("r:bag:u1:enter:{n}");
            let e = ev(
                "r",
                "bag",
                "u1",
                &id,
                json!({"type": "lottery.enter", "request_id": id, "condition": "like"}),
            );
            hub.store
                .insert_events(std::slice::from_ref(&e), now_ms())
                .unwrap();
            on_event(&hub, &e);
            serde_json::from_str(&rx.try_recv().unwrap().text).unwrap()
        };
        assert_eq!(enter(1)["outcome"], "not_eligible");
        let like = ev(
            "r",
            "l",
            "u1",
            "like-1",
            json!({"type": "like.sent", "count": 3, "batch": 1}),
        );
        hub.store
            .insert_events(std::slice::from_ref(&like), now_ms())
            .unwrap();
        assert_eq!(enter(2)["outcome"], "entered");
    }

    #[test]
    fn quiz_answers_are_checked_scored_on_reveal_and_eliminate() {
        let dir = temp("quiz");
        let hub = hub(&dir);
        hub.post(
            "r",
            json!({"type": "quiz.open", "widget_id": "q", "mode": "elimination"}),
        )
        .unwrap();
        let ask = |id: &str, closes_in: i64| {
            hub.post("r", json!({"type": "quiz.question", "widget_id": "q", "question_id": id, "text": "?",
                "options": [{"id": "a", "label": "A"}, {"id": "b", "label": "B"}], "closes_at": (now_ms() as i64 + closes_in) as u64}))
                .unwrap();
        };
        let answer = |actor: &str, q: &str, opt: &str, id: &str| {
            let e = ev(
                "r",
                "q",
                actor,
                id,
                json!({"type": "quiz.answer", "question_id": q, "option_id": opt}),
            );
            hub.store
                .insert_events(std::slice::from_ref(&e), now_ms())
                .unwrap();
            on_event(&hub, &e);
        };
        ask("q1", 60_000);
        answer("u1", "q1", "a", "e1");
        answer("u2", "q1", "b", "e2");
        answer("u1", "q1", "b", "e3"); // a second answer
        let mut rx = hub.fanout.subscribe("r");
        hub.post(
            "r",
            json!({"type": "quiz.reveal", "widget_id": "q", "question_id": "q1", "correct": ["a"]}),
        )
        .unwrap();
        let mut standings = HashMap::new();
        let mut board = Value::Null;
        while let Ok(m) = rx.try_recv() {
            let v: Value = serde_json::from_str(&m.text).unwrap();
            if v["type"] == "quiz.standing" {
                assert_eq!(
                    m.to.as_deref(),
                    v["user_id"].as_str(),
                    "a standing goes to its viewer only"
                );
                assert!(v.get("seq").is_none(), "outside the room's sequence");
            }
            match v["type"].as_str() {
                Some("quiz.standing") => {
                    standings.insert(v["user_id"].as_str().unwrap().to_owned(), v.clone());
                }
                Some("quiz.leaderboard") => board = v,
                _ => {}
            }
        }
        assert_eq!(standings["u1"]["score"], 10);
        assert_eq!(standings["u1"]["rank"], 1);
        assert_eq!(standings["u2"]["eliminated"], true);
        assert_eq!(board["top"][0]["name"], "u1");
        // The eliminated viewer's answers no longer count; a late answer is refused too.
        ask("q2", -1);
        answer("u2", "q2", "a", "e4");
        answer("u1", "q2", "a", "e5");
        let codes: Vec<String> = hub
            .store
            .rejections(Some("r"), 10)
            .unwrap()
            .iter()
            .map(|r| r["code"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(codes.len(), 3, "{codes:?}");
        assert!(
            codes
                .iter()
                .all(|c| c == "not_open" || c == "already_voted"),
            "{codes:?}"
        );

        // u3 first plays at the third question. After a restart the books come back as they
        // were: u3 is not scored on questions before they played, u2 stays eliminated.
        ask("q3", 60_000);
        answer("u3", "q3", "a", "e6");
        answer("u1", "q3", "b", "e7");
        hub.post(
            "r",
            json!({"type": "quiz.reveal", "widget_id": "q", "question_id": "q3", "correct": ["a"]}),
        )
        .unwrap();
        let standings_of = |hub: &Hub| -> std::collections::BTreeMap<String, (u64, u32, bool)> {
            let books = hub.books();
            books.quizzes[&("r".to_owned(), "q".to_owned())]
                .players
                .iter()
                .map(|(a, s)| (a.clone(), (s.score, s.streak, s.eliminated)))
                .collect()
        };
        let before = standings_of(&hub);
        assert_eq!(before["u1"], (10, 0, true));
        assert_eq!(before["u2"], (0, 0, true));
        assert_eq!(before["u3"], (10, 1, false));
        drop(hub);
        let hub = self::hub(&dir);
        assert_eq!(standings_of(&hub), before);
        // A reveal replayed on start is not scored a second time when the host sends it again.
        hub.post(
            "r",
            json!({"type": "quiz.reveal", "widget_id": "q", "question_id": "q3", "correct": ["a"]}),
        )
        .ok();
        assert_eq!(standings_of(&hub), before);
    }
}
