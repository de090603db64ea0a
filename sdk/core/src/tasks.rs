//! Room tasks (直播间任务): watch N minutes, like N times, share once, answer N quiz
//! questions — each viewer's progress, counted by the server from their events, and a reward
//! to claim when a task is done (pending until the server confirms it).
use crate::error::{ErrorCode, HudongError};
use crate::protocol::Event;
use crate::protocol::{Action, Command};
use crate::validate;
use crate::widget::Transition;
use crate::Millis;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const MAX_TASKS: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    /// Watch `target` minutes.
    Watch,
    /// Like `target` times.
    Like,
    /// Share the room `target` times (usually once).
    Share,
    /// Answer `target` quiz questions.
    Answer,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct TaskSpec {
    pub task_id: String,
    pub kind: TaskKind,
    pub target: u64,
    /// What completing it earns ("10 积分", "5 元券").
    pub reward: String,
}

/// `tasks.open`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct TasksSpec {
    pub widget_id: String,
    pub tasks: Vec<TaskSpec>,
}

/// `tasks.progress`: this viewer's progress per task, as the server counts it (addressed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct TasksProgress {
    pub widget_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    pub progress: BTreeMap<String, u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum TaskOutcome {
    Success,
    /// The server does not count the task as done (yet).
    NotDone,
    /// Already rewarded.
    Claimed,
}

/// `task.result`: the answer to a claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct TaskResult {
    pub widget_id: String,
    pub request_id: String,
    pub outcome: TaskOutcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reward_ref: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum TaskClaim {
    Pending { request_id: String },
    Claimed { reward_ref: String },
    Refused { outcome: TaskOutcome },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct TasksSnapshot {
    pub spec: TasksSpec,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename = "TasksState"))]
pub struct Tasks {
    spec: TasksSpec,
    progress: BTreeMap<String, u64>,
    claims: BTreeMap<String, TaskClaim>,
    /// When this page first saw the widget: the watch estimate counts from here.
    seen_at: Millis,
    attempts: u32,
    shared: bool,
    /// The watch minutes last shown (the view redraws when they move).
    minutes_seen: u64,
}

impl Tasks {
    pub fn open(spec: TasksSpec, now: Millis) -> Result<(Tasks, Transition), HudongError> {
        validate::id("widget_id", &spec.widget_id)?;
        if spec.tasks.is_empty() || spec.tasks.len() > MAX_TASKS {
            return Err(HudongError::field(format!(
                "tasks holds 1 to {MAX_TASKS} tasks"
            )));
        }
        for (i, t) in spec.tasks.iter().enumerate() {
            validate::id("tasks[].task_id", &t.task_id)?;
            validate::text("tasks[].reward", &t.reward, 40)?;
            if t.target == 0 || t.target > 100_000 {
                return Err(HudongError::field("tasks[].target is 1 to 100000"));
            }
            if spec.tasks[..i].iter().any(|o| o.task_id == t.task_id) {
                return Err(HudongError::field(format!(
                    "task \"{}\" appears twice",
                    t.task_id
                )));
            }
        }
        let t = Tasks {
            spec,
            progress: BTreeMap::new(),
            claims: BTreeMap::new(),
            seen_at: now,
            attempts: 0,
            shared: false,
            minutes_seen: 0,
        };
        Ok((t, Transition::changed(vec![Event::WidgetShown])))
    }

    pub fn id(&self) -> &str {
        &self.spec.widget_id
    }
    pub fn spec(&self) -> &TasksSpec {
        &self.spec
    }
    pub fn claim_of(&self, task_id: &str) -> Option<&TaskClaim> {
        self.claims.get(task_id)
    }

    /// Progress shown for a task: the server's count; for a watch task, at least the minutes
    /// this page has been open (the server checks its own clock on claim).
    pub fn progress(&self, task: &TaskSpec, now: Millis) -> u64 {
        let server = self.progress.get(&task.task_id).copied().unwrap_or(0);
        let local = match task.kind {
            TaskKind::Watch => now.saturating_sub(self.seen_at) / 60_000,
            TaskKind::Share => self.shared as u64,
            TaskKind::Like | TaskKind::Answer => 0,
        };
        server.max(local).min(task.target)
    }

    pub fn done(&self, task: &TaskSpec, now: Millis) -> bool {
        self.progress(task, now) >= task.target
    }

    /// The next minute a watch task's shown progress moves.
    pub fn next_deadline(&self, now: Millis) -> Option<Millis> {
        let watching = self.spec.tasks.iter().any(|t| {
            t.kind == TaskKind::Watch && !self.done(t, now) && !self.claims.contains_key(&t.task_id)
        });
        watching.then(|| self.seen_at + (now.saturating_sub(self.seen_at) / 60_000 + 1) * 60_000)
    }

    pub fn tick(&mut self, now: Millis) -> Transition {
        let minutes = now.saturating_sub(self.seen_at) / 60_000;
        let changed = minutes != self.minutes_seen;
        self.minutes_seen = minutes;
        Transition {
            events: Vec::new(),
            changed,
        }
    }

    /// `tasks.progress` for this viewer (the room passes no other's): per task, never lower.
    pub fn set_progress(&mut self, p: &TasksProgress) -> Result<Transition, HudongError> {
        if p.progress.len() > MAX_TASKS {
            return Err(HudongError::field(format!(
                "progress holds at most {MAX_TASKS} tasks"
            )));
        }
        let mut changed = false;
        for (id, n) in &p.progress {
            if self.spec.tasks.iter().any(|t| &t.task_id == id) {
                let cur = self.progress.entry(id.clone()).or_insert(0);
                if *n > *cur {
                    *cur = *n;
                    changed = true;
                }
            }
        }
        Ok(Transition {
            events: Vec::new(),
            changed,
        })
    }

    /// The viewer shared the room (a share task's step; the host page reports it in WebViews).
    pub fn share(&mut self, channel: &str) -> Result<Transition, HudongError> {
        validate::id("channel", channel)?;
        if self.shared {
            return Ok(Transition::default());
        }
        self.shared = true;
        Ok(Transition::changed(vec![Event::TaskShared {
            channel: channel.to_owned(),
        }]))
    }

    /// Claims a done task's reward; once per task (repeats absorbed while pending or after).
    pub fn claim(
        &mut self,
        task_id: &str,
        now: Millis,
        key_prefix: &str,
    ) -> Result<Transition, HudongError> {
        let Some(task) = self.spec.tasks.iter().find(|t| t.task_id == task_id) else {
            return Err(HudongError::new(ErrorCode::InvalidChoice, "no such task"));
        };
        match self.claims.get(task_id) {
            Some(TaskClaim::Pending { .. } | TaskClaim::Claimed { .. }) => {
                return Ok(Transition::default())
            }
            Some(TaskClaim::Refused {
                outcome: TaskOutcome::Claimed,
            }) => {
                return Err(HudongError::new(
                    ErrorCode::LimitReached,
                    "this reward was claimed already",
                ))
            }
            _ => {}
        }
        if !self.done(task, now) {
            return Err(HudongError::new(
                ErrorCode::ConditionNotMet,
                "the task is not done yet",
            ));
        }
        self.attempts += 1;
        let request_id = format!("{key_prefix}:task:{task_id}:{}", self.attempts);
        self.claims.insert(
            task_id.to_owned(),
            TaskClaim::Pending {
                request_id: request_id.clone(),
            },
        );
        Ok(Transition::changed(vec![Event::TaskClaim {
            request_id,
            task_id: task_id.to_owned(),
        }]))
    }

    /// `task.result`: the answer to a pending claim.
    pub fn result(&mut self, r: &TaskResult) -> Result<Transition, HudongError> {
        if let Some(x) = &r.reward_ref {
            validate::text("reward_ref", x, 64)?;
        }
        if r.outcome == TaskOutcome::Success && r.reward_ref.is_none() {
            return Err(HudongError::field("a successful claim needs a reward_ref"));
        }
        let Some(task_id) = self
            .claims
            .iter()
            .find(|(_, c)| matches!(c, TaskClaim::Pending { request_id } if *request_id == r.request_id))
            .map(|(k, _)| k.clone())
        else {
            return Ok(Transition::default());
        };
        let claim = match (&r.outcome, &r.reward_ref) {
            (TaskOutcome::Success, Some(x)) => TaskClaim::Claimed {
                reward_ref: x.clone(),
            },
            (outcome, _) => TaskClaim::Refused { outcome: *outcome },
        };
        self.claims.insert(task_id.clone(), claim);
        Ok(Transition::changed(vec![Event::TaskResult {
            request_id: r.request_id.clone(),
            task_id,
            outcome: r.outcome,
        }]))
    }

    pub fn snapshot(&self) -> TasksSnapshot {
        TasksSnapshot {
            spec: self.spec.clone(),
        }
    }
}

crate::widget::widget_state! {
    Tasks: TasksSpec, TasksSnapshot, "a task list";
    open(spec, now) => Tasks::open(spec, now);
    command(self, _cx) {
        Command::TasksProgress(p) => self.set_progress(p),
        Command::TaskResult(r) => self.result(r),
    }
    act(self, cx) {
        Action::TaskClaim { task_id, .. } => self.claim(task_id, cx.now, &cx.key_prefix()),
        Action::TaskShare { channel, .. } => self.share(channel),
    }
    fn next_deadline(&self, now: Millis) -> Option<Millis> {
        Tasks::next_deadline(self, now)
    }
    fn tick(&mut self, now: Millis) -> Transition {
        Tasks::tick(self, now)
    }
}
