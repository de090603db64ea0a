//! Likes with a room goal (点赞): viewers tap hearts as fast as they like; the widget counts
//! the taps on the device and sends them coalesced — at most one `like.sent` per
//! [`FLUSH_MS`], counting at most [`MAX_TAPS_PER_SEC`] taps a second — so a tap storm costs
//! the network one small event a second. The room's total, and the goal it unlocks
//! ("10,000 likes unlocks a coupon"), come from the server.
use crate::error::HudongError;
use crate::protocol::Event;
use crate::protocol::{Action, Command};
use crate::validate;
use crate::widget::Transition;
use crate::Millis;
use serde::{Deserialize, Serialize};

/// At most one `like.sent` event per this many ms.
pub const FLUSH_MS: Millis = 1_000;
/// Taps counted per second at most (faster taps still show hearts, but are not counted):
/// about the fastest a thumb goes; anything above is a script.
pub const MAX_TAPS_PER_SEC: u64 = 15;

/// `likes.open`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct LikesSpec {
    pub widget_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goal: Option<LikeGoal>,
}

/// A room goal: when the room's total reaches `target`, `reward` is unlocked for everyone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct LikeGoal {
    pub target: u64,
    /// What reaching it unlocks ("解锁 5 元券").
    pub reward: String,
}

/// `likes.total`: the room's total as the server counts it (never shown lower).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct LikesTotal {
    pub widget_id: String,
    pub total: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct LikesSnapshot {
    pub spec: LikesSpec,
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub total: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename = "LikesState"))]
pub struct Likes {
    spec: LikesSpec,
    /// The server's total.
    total: u64,
    /// Counted taps not sent yet.
    pending: u64,
    /// Taps sent since the server's total last rose (shown on top of it meanwhile).
    in_flight: u64,
    /// What the view shows: never lower than before.
    shown: u64,
    /// This viewer's counted taps, ever.
    mine: u64,
    batches: u64,
    last_sent_at: Option<Millis>,
    /// The start of the current one-second window, and the taps counted in it.
    window_start: Millis,
    window_taps: u64,
    goal_reached: bool,
}

impl Likes {
    pub fn open(spec: LikesSpec) -> Result<(Likes, Transition), HudongError> {
        validate::id("widget_id", &spec.widget_id)?;
        if let Some(g) = &spec.goal {
            if g.target == 0 || g.target > 1_000_000_000_000 {
                return Err(HudongError::field("goal.target is 1 to 10^12 likes"));
            }
            validate::text("goal.reward", &g.reward, 40)?;
        }
        let l = Likes {
            spec,
            total: 0,
            pending: 0,
            in_flight: 0,
            shown: 0,
            mine: 0,
            batches: 0,
            last_sent_at: None,
            window_start: 0,
            window_taps: 0,
            goal_reached: false,
        };
        Ok((l, Transition::changed(vec![Event::WidgetShown])))
    }

    pub fn id(&self) -> &str {
        &self.spec.widget_id
    }
    pub fn spec(&self) -> &LikesSpec {
        &self.spec
    }
    /// The count to show: the server's total plus this viewer's taps it has not counted yet.
    pub fn shown(&self) -> u64 {
        self.shown
    }
    /// The server's total.
    pub fn total(&self) -> u64 {
        self.total
    }
    /// This viewer's counted taps.
    pub fn mine(&self) -> u64 {
        self.mine
    }
    /// Counted taps waiting for the next `like.sent`.
    pub fn pending(&self) -> u64 {
        self.pending
    }
    pub fn goal_reached(&self) -> bool {
        self.goal_reached
    }
    /// Progress towards the goal, 0.0 to 1.0 (from the server's total).
    pub fn progress(&self) -> Option<f64> {
        self.spec
            .goal
            .as_ref()
            .map(|g| (self.total as f64 / g.target as f64).min(1.0))
    }

    pub fn next_deadline(&self, now: Millis) -> Option<Millis> {
        // A clock that went back makes the window due at once.
        (self.pending > 0).then(|| {
            self.last_sent_at
                .map_or(now, |t| if now < t { now } else { t + FLUSH_MS })
        })
    }

    /// Sends the pending taps when the coalescing window has passed.
    pub fn tick(&mut self, now: Millis) -> Transition {
        self.flush(now)
    }

    fn flush(&mut self, now: Millis) -> Transition {
        let due = self
            .last_sent_at
            .is_none_or(|t| now >= t + FLUSH_MS || now < t);
        if self.pending == 0 || !due {
            return Transition::default();
        }
        self.batches += 1;
        let count = std::mem::take(&mut self.pending);
        self.in_flight += count;
        self.last_sent_at = Some(now);
        Transition {
            events: vec![Event::LikeSent {
                count,
                batch: self.batches,
            }],
            changed: false,
        }
    }

    /// A tap. Counted (up to [`MAX_TAPS_PER_SEC`]) and shown at once; sent coalesced. Returns
    /// `changed` even for an uncounted tap, so the view can still float a heart.
    pub fn tap(&mut self, now: Millis) -> Transition {
        if now >= self.window_start + 1_000 || now < self.window_start {
            self.window_start = now;
            self.window_taps = 0;
        }
        if self.window_taps < MAX_TAPS_PER_SEC {
            self.window_taps += 1;
            self.pending += 1;
            self.mine += 1;
            self.shown = self.shown.max(self.total + self.in_flight + self.pending);
        }
        let mut t = self.flush(now);
        t.changed = true;
        t
    }

    /// `likes.total`: the server's count. Never lower; taps sent before it are now in it.
    pub fn set_total(&mut self, c: &LikesTotal) -> Transition {
        if c.total <= self.total {
            return Transition::default();
        }
        self.total = c.total;
        self.in_flight = 0;
        self.shown = self.shown.max(self.total + self.pending);
        let mut events = Vec::new();
        if let Some(g) = &self.spec.goal {
            if !self.goal_reached && self.total >= g.target {
                self.goal_reached = true;
                events.push(Event::LikesGoalReached {
                    target: g.target,
                    total: self.total,
                });
            }
        }
        Transition {
            events,
            changed: true,
        }
    }

    pub fn snapshot(&self) -> LikesSnapshot {
        LikesSnapshot {
            spec: self.spec.clone(),
            total: self.total,
        }
    }

    pub fn merge_snapshot(&mut self, s: &LikesSnapshot) -> Transition {
        self.set_total(&LikesTotal {
            widget_id: s.spec.widget_id.clone(),
            total: s.total,
        })
    }
}

crate::widget::widget_state! {
    Likes: LikesSpec, LikesSnapshot, "a like button";
    open(spec, _now) => Likes::open(spec);
    command(self, _cx) {
        Command::LikesTotal(t) => Ok(self.set_total(t)),
    }
    act(self, cx) {
        Action::LikeTap { .. } => Ok(self.tap(cx.now)),
    }
    fn next_deadline(&self, now: Millis) -> Option<Millis> {
        Likes::next_deadline(self, now)
    }
    fn tick(&mut self, now: Millis) -> Transition {
        Likes::tick(self, now)
    }
    fn merge_snapshot(&mut self, s: &LikesSnapshot, _now: Millis) -> Result<Transition, HudongError> {
        Ok(Likes::merge_snapshot(self, s))
    }
}
