//! The interaction leaderboard with honor titles (互动热榜): the room's most active viewers,
//! live, each with the title of their rank (榜一, 铁粉…), and rewards for the top ranks when
//! the board closes. Who ranks is counted by the server from the interactions it stored
//! (votes, answers, grabs, likes, questions…); rewards are decided there, once. The widget
//! shows what the server sends, in order, and never goes back: an older ranking is ignored,
//! a final one is never replaced by a live one.
use crate::error::HudongError;
use crate::protocol::{Command, Event};
use crate::validate;
use crate::widget::Transition;
use crate::Millis;
use serde::{Deserialize, Serialize};

/// Rows a board shows at most.
pub const MAX_ROWS: u32 = 20;
/// Tiers of titles a board has at most.
pub const MAX_TIERS: usize = 5;

/// `leaderboard.open`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct LeaderboardSpec {
    pub widget_id: String,
    /// The heading (互动热榜 when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// How many viewers the board lists, 1 to 20 (10 when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top: Option<u32>,
    /// Honor titles by rank, best first: each covers the ranks up to `up_to` that the tier
    /// before it does not. A tier with a `reward` gives it to those ranks when the board
    /// closes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tiers: Vec<RankTier>,
    /// When the board closes and its rewards are decided (server time, ms); open-ended when
    /// absent (the host removes it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(type = "number | null", optional))]
    pub ends_at: Option<Millis>,
}

impl LeaderboardSpec {
    /// How many rows the board lists.
    pub fn rows(&self) -> u32 {
        self.top.unwrap_or(10)
    }

    /// The tier a rank falls in.
    pub fn tier(&self, rank: u32) -> Option<&RankTier> {
        self.tiers.iter().find(|t| rank <= t.up_to)
    }
}

/// An honor title (and perhaps a reward) for the ranks up to `up_to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct RankTier {
    pub up_to: u32,
    /// The title shown beside the name (铁粉).
    pub title: String,
    /// What the ranks of this tier win when the board closes (a coupon, a gift).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reward: Option<String>,
}

/// One row of the board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct RankRow {
    pub rank: u32,
    /// The name to show (masked by the server: 用户**88).
    pub name: String,
    /// Interactions counted.
    pub score: u64,
}

/// `leaderboard.ranks`: the board as the server counts it now (`final` when it closed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct LeaderboardRanks {
    pub widget_id: String,
    /// Grows with every ranking the server sends; an older one is ignored.
    pub version: u64,
    pub rows: Vec<RankRow>,
    /// Viewers who interacted since the board opened.
    #[serde(default)]
    pub participants: u64,
    #[serde(default, rename = "final")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub closed: bool,
}

/// `leaderboard.standing`: one viewer's own place (addressed by `user_id`), and their
/// reward once the board closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct LeaderboardStanding {
    pub widget_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    pub version: u64,
    /// The viewer's rank (none before their first interaction).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank: Option<u32>,
    pub score: u64,
    /// What the viewer won (only when the board closed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reward: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct LeaderboardSnapshot {
    pub spec: LeaderboardSpec,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ranks: Option<LeaderboardRanks>,
}

/// Where the board is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum LeaderboardPhase {
    /// Counting, ranks arrive live.
    Live,
    /// Past `ends_at`: the server is deciding the final board.
    Counting,
    /// The final board, with its rewards.
    Final,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename = "LeaderboardState"))]
pub struct Leaderboard {
    spec: LeaderboardSpec,
    /// When this room opened it (server time): the server counts interactions from then.
    opened_at: Millis,
    phase: LeaderboardPhase,
    ranks: Option<LeaderboardRanks>,
    standing: Option<LeaderboardStanding>,
}

impl Leaderboard {
    pub fn open(
        spec: LeaderboardSpec,
        now: Millis,
    ) -> Result<(Leaderboard, Transition), HudongError> {
        validate::id("widget_id", &spec.widget_id)?;
        if let Some(t) = &spec.title {
            validate::text("title", t, 20)?;
        }
        if !(1..=MAX_ROWS).contains(&spec.rows()) {
            return Err(HudongError::field("top is 1 to 20 rows"));
        }
        if spec.tiers.len() > MAX_TIERS {
            return Err(HudongError::field("tiers has at most 5 titles"));
        }
        let mut below = 0;
        for t in &spec.tiers {
            if t.up_to <= below {
                return Err(HudongError::field(
                    "tiers go from the best rank down: each up_to is larger than the one before",
                ));
            }
            below = t.up_to;
            validate::text("tiers.title", &t.title, 8)?;
            if let Some(r) = &t.reward {
                validate::text("tiers.reward", r, 40)?;
            }
        }
        let phase = match spec.ends_at {
            Some(end) if end <= now => LeaderboardPhase::Counting,
            _ => LeaderboardPhase::Live,
        };
        let board = Leaderboard {
            spec,
            opened_at: now,
            phase,
            ranks: None,
            standing: None,
        };
        Ok((board, Transition::changed(vec![Event::WidgetShown])))
    }

    pub fn id(&self) -> &str {
        &self.spec.widget_id
    }
    pub fn spec(&self) -> &LeaderboardSpec {
        &self.spec
    }
    /// When this room opened the board (server time).
    pub fn opened_at(&self) -> Millis {
        self.opened_at
    }
    pub fn phase(&self) -> LeaderboardPhase {
        self.phase
    }
    /// The rows shown, best first.
    pub fn rows(&self) -> &[RankRow] {
        self.ranks.as_ref().map_or(&[], |r| &r.rows)
    }
    pub fn participants(&self) -> u64 {
        self.ranks.as_ref().map_or(0, |r| r.participants)
    }
    /// This viewer's place, as the server last sent it.
    pub fn standing(&self) -> Option<&LeaderboardStanding> {
        self.standing.as_ref()
    }
    /// The honor title of a rank.
    pub fn title_of(&self, rank: u32) -> Option<&str> {
        self.spec.tier(rank).map(|t| t.title.as_str())
    }

    /// `leaderboard.ranks`. Checked whole before anything changes; an older version, or a
    /// live ranking after the final one, changes nothing.
    pub fn set_ranks(&mut self, r: &LeaderboardRanks) -> Result<Transition, HudongError> {
        if r.rows.len() > self.spec.rows() as usize {
            return Err(HudongError::field("rows: more than the board's top"));
        }
        let mut last: Option<&RankRow> = None;
        for row in &r.rows {
            validate::text("rows.name", &row.name, 24)?;
            let ordered = match last {
                None => row.rank >= 1,
                Some(p) => row.rank >= p.rank && row.score <= p.score,
            };
            if !ordered {
                return Err(HudongError::field(
                    "rows go from rank 1 down, scores never rising",
                ));
            }
            last = Some(row);
        }
        let current = self.ranks.as_ref();
        let stale = current.is_some_and(|c| r.version <= c.version || (c.closed && !r.closed));
        if stale || (self.phase == LeaderboardPhase::Final && !r.closed) {
            return Ok(Transition::none());
        }
        self.ranks = Some(r.clone());
        if r.closed {
            self.phase = LeaderboardPhase::Final;
        }
        Ok(Transition::changed(Vec::new()))
    }

    /// `leaderboard.standing` for this viewer (the room passes no other's). A reward is announced (`leaderboard.rewarded`)
    /// the first time it arrives.
    pub fn set_standing(&mut self, s: &LeaderboardStanding) -> Result<Transition, HudongError> {
        if let Some(r) = &s.reward {
            validate::text("reward", r, 40)?;
        }
        if self
            .standing
            .as_ref()
            .is_some_and(|c| s.version <= c.version)
        {
            return Ok(Transition::none());
        }
        let had_reward = self.standing.as_ref().is_some_and(|c| c.reward.is_some());
        let mut events = Vec::new();
        if let (Some(reward), false) = (&s.reward, had_reward) {
            let rank = s.rank.unwrap_or(0);
            events.push(Event::LeaderboardRewarded {
                rank,
                title: self.title_of(rank).map(str::to_owned),
                reward: reward.clone(),
            });
        }
        let mut kept = s.clone();
        if had_reward && kept.reward.is_none() {
            // A reward once given is not taken back by a later standing.
            kept.reward = self.standing.as_ref().and_then(|c| c.reward.clone());
        }
        self.standing = Some(kept);
        Ok(Transition::changed(events))
    }

    pub fn next_deadline(&self, _now: Millis) -> Option<Millis> {
        match (self.phase, self.spec.ends_at) {
            (LeaderboardPhase::Live, Some(end)) => Some(end),
            _ => None,
        }
    }

    /// Past `ends_at`, the board waits for the server's final ranking.
    pub fn tick(&mut self, now: Millis) -> Transition {
        match (self.phase, self.spec.ends_at) {
            (LeaderboardPhase::Live, Some(end)) if now >= end => {
                self.phase = LeaderboardPhase::Counting;
                Transition::changed(Vec::new())
            }
            _ => Transition::none(),
        }
    }

    pub fn snapshot(&self) -> LeaderboardSnapshot {
        LeaderboardSnapshot {
            spec: self.spec.clone(),
            ranks: self.ranks.clone(),
        }
    }
}

crate::widget::widget_state! {
    Leaderboard: LeaderboardSpec, LeaderboardSnapshot, "a leaderboard";
    open(spec, now) => Leaderboard::open(spec, now);
    command(self, _cx) {
        Command::LeaderboardRanks(r) => self.set_ranks(r),
        Command::LeaderboardStanding(s) => self.set_standing(s),
    }
    act(self, _) {}
    fn next_deadline(&self, now: Millis) -> Option<Millis> {
        Leaderboard::next_deadline(self, now)
    }
    fn tick(&mut self, now: Millis) -> Transition {
        Leaderboard::tick(self, now)
    }
    fn check_snapshot(&self, s: &LeaderboardSnapshot) -> Result<(), HudongError> {
        s.ranks.as_ref().map_or(Ok(()), |r| self.clone().set_ranks(r).map(|_| ()))
    }
    fn merge_snapshot(&mut self, s: &LeaderboardSnapshot, now: Millis) -> Result<Transition, HudongError> {
        let mut t = Leaderboard::tick(self, now);
        if let Some(r) = &s.ranks {
            let moved = self.set_ranks(r)?;
            t.changed |= moved.changed;
        }
        Ok(t)
    }
}
