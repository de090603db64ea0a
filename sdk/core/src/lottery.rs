//! Lottery / lucky bag (抽奖 / 福袋): viewers enter under a condition the host picks, the
//! server draws the winners at the draw time and tells each entrant; a winner claims the
//! prize. The server decides every entry, draw and claim; the widget shows "pending" until
//! its answer arrives.
use crate::error::{ErrorCode, HudongError};
use crate::protocol::Event;
use crate::protocol::{Action, Command};
use crate::validate;
use crate::widget::Transition;
use crate::Millis;
use serde::{Deserialize, Serialize};

pub const MAX_WINNERS_SHOWN: usize = 20;

/// What a viewer must do to enter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum EntryCondition {
    /// Tap to enter.
    None,
    /// Send the keyword (口令) as a comment.
    Keyword,
    /// Follow the host.
    Follow,
    /// Have watched for `watch_ms`.
    Watch,
    /// Have liked the room ("every like earns a draw").
    Like,
}

/// `lottery.open`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct LotterySpec {
    pub widget_id: String,
    pub prize: Prize,
    #[serde(default = "no_condition")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub condition: EntryCondition,
    /// The keyword of a `keyword` lottery (shown to viewers: sending it is the entry).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keyword: Option<String>,
    /// The watch time of a `watch` lottery.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub watch_ms: Option<u64>,
    /// Server time of the draw; entries close then.
    pub draw_at: Millis,
}

fn no_condition() -> EntryCondition {
    EntryCondition::None
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct Prize {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// How many winners.
    pub count: u32,
}

/// `lottery.entries`: how many viewers entered (never shown lower unless `reset`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct LotteryEntries {
    pub widget_id: String,
    pub count: u64,
}

/// `lottery.entry`: the server's answer to one viewer's entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct LotteryEntry {
    pub widget_id: String,
    pub request_id: String,
    pub outcome: EntryOutcome,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum EntryOutcome {
    Entered,
    /// The condition is not met (wrong keyword, not following, not watched long enough).
    NotEligible,
    /// Too late: the draw has happened.
    Closed,
    /// The viewer already won as often as the room allows.
    LimitReached,
}

/// `lottery.draw`: the winners (display names) for everyone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct LotteryDraw {
    pub widget_id: String,
    pub winners: Vec<String>,
    pub entries: u64,
}

/// `lottery.result`: whether this viewer won (addressed to them), and what to claim with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct LotteryResult {
    pub widget_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    pub won: bool,
}

/// `lottery.claimed`: the server's answer to a claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct LotteryClaimed {
    pub widget_id: String,
    pub request_id: String,
    pub outcome: ClaimOutcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim_ref: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ClaimOutcome {
    Success,
    Expired,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum LotteryPhase {
    /// Entries open, counting down to the draw.
    Open,
    /// The draw time passed; waiting for the server's draw.
    Drawing,
    Drawn,
}

/// The viewer's entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum MyEntry {
    None,
    Pending { request_id: String },
    Entered,
    Refused { outcome: EntryOutcome },
}

/// What the server knows of a lottery, for late joiners.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct LotterySnapshot {
    pub spec: LotterySpec,
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub entries: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub winners: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename = "LotteryState"))]
pub struct Lottery {
    spec: LotterySpec,
    entries: u64,
    winners: Option<Vec<String>>,
    mine: MyEntry,
    won: Option<bool>,
    claim_pending: Option<String>,
    claimed: Option<Result<String, ClaimOutcome>>,
    attempts: u32,
    /// The countdown's end was seen (the view re-renders once for it).
    closed_seen: bool,
}

impl Lottery {
    pub fn open(spec: LotterySpec) -> Result<(Lottery, Transition), HudongError> {
        validate_spec(&spec)?;
        let l = Lottery {
            spec,
            entries: 0,
            winners: None,
            mine: MyEntry::None,
            won: None,
            claim_pending: None,
            claimed: None,
            attempts: 0,
            closed_seen: false,
        };
        Ok((l, Transition::changed(vec![Event::WidgetShown])))
    }

    pub fn id(&self) -> &str {
        &self.spec.widget_id
    }
    pub fn spec(&self) -> &LotterySpec {
        &self.spec
    }
    pub fn entries(&self) -> u64 {
        self.entries
    }
    pub fn winners(&self) -> Option<&[String]> {
        self.winners.as_deref()
    }
    pub fn mine(&self) -> &MyEntry {
        &self.mine
    }
    /// Whether this viewer won, once the server said.
    pub fn won(&self) -> Option<bool> {
        self.won
    }
    /// The request id of the claim awaiting the server's answer.
    pub fn claim_pending(&self) -> Option<&str> {
        self.claim_pending.as_deref()
    }
    /// The claim reference, or why the claim failed.
    pub fn claimed(&self) -> Option<&Result<String, ClaimOutcome>> {
        self.claimed.as_ref()
    }

    pub fn phase(&self, now: Millis) -> LotteryPhase {
        if self.winners.is_some() {
            LotteryPhase::Drawn
        } else if now >= self.spec.draw_at {
            LotteryPhase::Drawing
        } else {
            LotteryPhase::Open
        }
    }

    pub fn next_deadline(&self, now: Millis) -> Option<Millis> {
        (self.phase(now) == LotteryPhase::Open).then_some(self.spec.draw_at)
    }

    pub fn tick(&mut self, now: Millis) -> Transition {
        // The countdown reaching zero changes what the view shows (entries closed), once.
        let changed = now >= self.spec.draw_at && !self.closed_seen;
        self.closed_seen |= changed;
        Transition {
            events: Vec::new(),
            changed,
        }
    }

    /// The viewer enters (sends the keyword, for a keyword lottery). Repeats while pending
    /// or after entering are absorbed.
    pub fn enter(&mut self, now: Millis, key_prefix: &str) -> Result<Transition, HudongError> {
        if self.phase(now) != LotteryPhase::Open {
            return Err(HudongError::new(ErrorCode::NotOpen, "entries are closed"));
        }
        match self.mine {
            MyEntry::Pending { .. } | MyEntry::Entered => return Ok(Transition::default()),
            MyEntry::None | MyEntry::Refused { .. } => {}
        }
        self.attempts += 1;
        let request_id = format!("{key_prefix}:enter:{}", self.attempts);
        self.mine = MyEntry::Pending {
            request_id: request_id.clone(),
        };
        Ok(Transition::changed(vec![Event::LotteryEnter {
            request_id,
            condition: self.spec.condition,
            keyword: self.spec.keyword.clone(),
        }]))
    }

    /// `lottery.entries`: never lower.
    pub fn set_entries(&mut self, e: &LotteryEntries) -> Transition {
        let changed = e.count > self.entries;
        self.entries = self.entries.max(e.count);
        Transition {
            events: Vec::new(),
            changed,
        }
    }

    /// `lottery.entry`: the answer to the pending entry; anything else changes nothing.
    pub fn entry(&mut self, e: &LotteryEntry) -> Transition {
        if !matches!(&self.mine, MyEntry::Pending { request_id } if *request_id == e.request_id) {
            return Transition::default();
        }
        self.mine = if e.outcome == EntryOutcome::Entered {
            MyEntry::Entered
        } else {
            MyEntry::Refused { outcome: e.outcome }
        };
        Transition::changed(vec![Event::LotteryEntry {
            request_id: e.request_id.clone(),
            outcome: e.outcome,
        }])
    }

    /// `lottery.draw`: once.
    pub fn draw(&mut self, d: &LotteryDraw) -> Result<Transition, HudongError> {
        if d.winners.len() > MAX_WINNERS_SHOWN {
            return Err(HudongError::field(format!(
                "at most {MAX_WINNERS_SHOWN} winners are shown"
            )));
        }
        for w in &d.winners {
            validate::text("winners[]", w, 40)?;
        }
        if self.winners.is_some() {
            return Ok(Transition::default());
        }
        self.winners = Some(d.winners.clone());
        self.entries = self.entries.max(d.entries);
        if let MyEntry::Pending { .. } = self.mine {
            self.mine = MyEntry::Refused {
                outcome: EntryOutcome::Closed,
            };
        }
        Ok(Transition::changed(vec![Event::LotteryDrawn {
            winners: d.winners.len() as u32,
            entries: self.entries,
        }]))
    }

    /// `lottery.result` for this viewer (`me`: the room's user id).
    pub fn result(&mut self, r: &LotteryResult, me: Option<&str>) -> Transition {
        if r.user_id.as_deref().is_some_and(|u| Some(u) != me) || self.won.is_some() {
            return Transition::default();
        }
        self.won = Some(r.won);
        Transition::changed(vec![Event::LotteryResult { won: r.won }])
    }

    /// A winner claims the prize.
    pub fn claim(&mut self, key_prefix: &str) -> Result<Transition, HudongError> {
        if self.won != Some(true) {
            return Err(HudongError::new(
                ErrorCode::NotOpen,
                "only a winner can claim",
            ));
        }
        if self.claim_pending.is_some() || matches!(self.claimed, Some(Ok(_))) {
            return Ok(Transition::default());
        }
        self.attempts += 1;
        let request_id = format!("{key_prefix}:claim:{}", self.attempts);
        self.claim_pending = Some(request_id.clone());
        Ok(Transition::changed(vec![Event::LotteryClaim {
            request_id,
        }]))
    }

    /// `lottery.claimed`: the answer to the pending claim.
    pub fn claimed_by_server(&mut self, c: &LotteryClaimed) -> Result<Transition, HudongError> {
        if c.outcome == ClaimOutcome::Success {
            match &c.claim_ref {
                Some(r) => validate::text("claim_ref", r, 64)?,
                None => return Err(HudongError::field("a successful claim needs a claim_ref")),
            }
        }
        if self.claim_pending.as_deref() != Some(c.request_id.as_str()) {
            return Ok(Transition::default());
        }
        self.claim_pending = None;
        self.claimed = Some(match c.outcome {
            ClaimOutcome::Success => Ok(c.claim_ref.clone().unwrap_or_default()),
            other => Err(other),
        });
        Ok(Transition::changed(vec![Event::LotteryClaimed {
            request_id: c.request_id.clone(),
            outcome: c.outcome,
        }]))
    }

    pub fn snapshot(&self) -> LotterySnapshot {
        LotterySnapshot {
            spec: self.spec.clone(),
            entries: self.entries,
            winners: self.winners.clone(),
        }
    }

    pub fn check_snapshot(&self, s: &LotterySnapshot) -> Result<(), HudongError> {
        if let Some(w) = &s.winners {
            if w.len() > MAX_WINNERS_SHOWN {
                return Err(HudongError::field(format!(
                    "at most {MAX_WINNERS_SHOWN} winners are shown"
                )));
            }
            for name in w {
                validate::text("winners[]", name, 40)?;
            }
        }
        Ok(())
    }

    pub fn merge_snapshot(&mut self, s: &LotterySnapshot) -> Result<Transition, HudongError> {
        self.check_snapshot(s)?;
        let mut t = self.set_entries(&LotteryEntries {
            widget_id: s.spec.widget_id.clone(),
            count: s.entries,
        });
        if let Some(w) = &s.winners {
            let d = self.draw(&LotteryDraw {
                widget_id: s.spec.widget_id.clone(),
                winners: w.clone(),
                entries: s.entries,
            })?;
            t.changed |= d.changed;
            t.events.extend(d.events);
        }
        Ok(t)
    }
}

fn validate_spec(s: &LotterySpec) -> Result<(), HudongError> {
    validate::id("widget_id", &s.widget_id)?;
    validate::text("prize.name", &s.prize.name, 60)?;
    if let Some(url) = &s.prize.image {
        validate::image_url("prize.image", url)?;
    }
    if s.prize.count == 0 || s.prize.count > 10_000 {
        return Err(HudongError::field("prize.count is 1 to 10000 winners"));
    }
    match (s.condition, &s.keyword, s.watch_ms) {
        (EntryCondition::Keyword, Some(k), _) => validate::text("keyword", k, 20)?,
        (EntryCondition::Keyword, None, _) => {
            return Err(HudongError::field("a keyword lottery needs its keyword"))
        }
        (EntryCondition::Watch, _, Some(ms)) if ms > 0 => {}
        (EntryCondition::Watch, _, _) => {
            return Err(HudongError::field("a watch lottery needs watch_ms"))
        }
        _ => {}
    }
    Ok(())
}

crate::widget::widget_state! {
    Lottery: LotterySpec, LotterySnapshot, "a lottery";
    open(spec, _now) => Lottery::open(spec);
    command(self, cx) {
        Command::LotteryEntries(e) => Ok(self.set_entries(e)),
        Command::LotteryEntry(e) => Ok(self.entry(e)),
        Command::LotteryDraw(d) => self.draw(d),
        Command::LotteryResult(r) => Ok(self.result(r, cx.user_id)),
        Command::LotteryClaimed(c) => self.claimed_by_server(c),
    }
    act(self, cx) {
        Action::LotteryEnter { .. } => self.enter(cx.now, &cx.key_prefix()),
        Action::LotteryClaim { .. } => self.claim(&cx.key_prefix()),
    }
    fn next_deadline(&self, now: Millis) -> Option<Millis> {
        Lottery::next_deadline(self, now)
    }
    fn tick(&mut self, now: Millis) -> Transition {
        Lottery::tick(self, now)
    }
    fn check_snapshot(&self, s: &LotterySnapshot) -> Result<(), HudongError> {
        Lottery::check_snapshot(self, s)
    }
    fn merge_snapshot(&mut self, s: &LotterySnapshot, _now: Millis) -> Result<Transition, HudongError> {
        Lottery::merge_snapshot(self, s)
    }
}
