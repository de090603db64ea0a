//! Task lists: a viewer's progress counted from their stored events, and a done task rewarded once.
use super::*;

/// A viewer's progress on each task of a task list, from their stored events.
pub(super) fn task_progress(
    hub: &Hub,
    room: &str,
    actor: &str,
    spec: &hudong_core::TasksSpec,
) -> Result<std::collections::BTreeMap<String, u64>, DecideError> {
    let counts = hub.store.task_counts(room, actor)?;
    let watched = hub
        .store
        .first_seen(room, actor)?
        .map_or(0, |t| now_ms().saturating_sub(t) / 60_000);
    Ok(spec
        .tasks
        .iter()
        .map(|t| {
            let n = match t.kind {
                hudong_core::TaskKind::Watch => watched,
                hudong_core::TaskKind::Like => counts.likes,
                hudong_core::TaskKind::Share => counts.shares,
                hudong_core::TaskKind::Answer => counts.answers,
            };
            (t.task_id.clone(), n.min(t.target))
        })
        .collect())
}

/// Sends a viewer their progress on every live task list of the room.
pub(super) fn push_task_progress(hub: &Hub, room: &str, actor: &str) -> Result<(), DecideError> {
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
        hub.post_to(&mut rooms, room, actor, msg)?;
    }
    Ok(())
}

/// A task's reward: the task done by the server's count, rewarded once per viewer.
pub(super) fn task_claim(req: Request<'_>, task_id: &str) -> Result<(), DecideError> {
    let Some((hub, room, widget, request_id, actor)) = req.fresh()? else {
        return Ok(());
    };
    let spec = match hub.lock().get(room).and_then(|r| r.core.widget(widget)) {
        Some(Widget::Tasks(t)) => t.spec().clone(),
        _ => return Ok(()),
    };
    let Some(task) = spec.tasks.iter().find(|t| t.task_id == task_id) else {
        return Ok(());
    };
    let progress = task_progress(hub, room, actor, &spec)?;
    let done = progress.get(task_id).copied().unwrap_or(0) >= task.target;
    let rewarded = hub
        .store
        .successes(room, widget, Some(actor), Some(task_id))?
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
        answer["reward_ref"] = format!("RWD-{:06}", hub.store.next("reward")?).into();
    }
    let mut rooms = hub.lock();
    if req.record(Some(task_id), outcome, &answer, now_ms())? {
        hub.post_to(&mut rooms, room, actor, answer)?;
    }
    drop(rooms);
    push_task_progress(hub, room, actor)
}

/// Its events, as the registry routes them.
pub(super) struct Decide;

impl Decider for Decide {
    fn on_event(ev: &Stored<'_>) -> Result<(), DecideError> {
        let claimed = match ev.event() {
            Event::TaskClaim {
                request_id,
                task_id,
            } => task_claim(ev.request(request_id), task_id),
            _ => Ok(()),
        };
        // What moves a task on: the viewer's new progress goes to them at once.
        if matches!(
            ev.event(),
            Event::LikeSent { .. }
                | Event::TaskShared { .. }
                | Event::CouponShared { .. }
                | Event::QuizAnswer { .. }
        ) {
            push_task_progress(ev.hub, ev.room, ev.actor)?;
        }
        claimed
    }
}
