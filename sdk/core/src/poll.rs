//! The poll: open → (voted) → closed → revealed.
use crate::error::{ErrorCode, HudongError};
use crate::protocol::{Action, Command};
use crate::protocol::{CloseReason, Event, PollReveal, PollSnapshot, PollSpec, PollTally};
use crate::validate;
use crate::widget::Transition;
use crate::Millis;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const MIN_OPTIONS: usize = 2;
pub const MAX_OPTIONS: usize = 10;
pub const MAX_QUESTION_CHARS: usize = 200;
pub const MAX_LABEL_CHARS: usize = 80;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum PollPhase {
    Open,
    Closed,
    Revealed,
}

/// A poll's whole state. Serializable, so it can be snapshotted and replayed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename = "PollState"))]
pub struct Poll {
    spec: PollSpec,
    phase: PollPhase,
    close_reason: Option<CloseReason>,
    /// Server counts, one per option, in option order, with the viewer's own vote counted
    /// at once (optimistically) until a tally includes it.
    counts: Vec<u64>,
    /// Indices of the options the viewer picked, ascending; empty before voting.
    my_choice: Vec<usize>,
    /// How many votes this viewer has cast here (re-votes included).
    votes_cast: u32,
}

impl Poll {
    /// Validates a `poll.open` and builds the poll. Past-deadline polls open closed.
    pub fn open(spec: PollSpec, now: Millis) -> Result<(Poll, Transition), HudongError> {
        validate_spec(&spec)?;
        let n = spec.options.len();
        let expired = spec.closes_at.is_some_and(|t| t <= now);
        let poll = Poll {
            phase: if expired {
                PollPhase::Closed
            } else {
                PollPhase::Open
            },
            close_reason: expired.then_some(CloseReason::Deadline),
            counts: vec![0; n],
            my_choice: Vec::new(),
            votes_cast: 0,
            spec,
        };
        Ok((poll, Transition::changed(vec![Event::WidgetShown])))
    }

    pub fn spec(&self) -> &PollSpec {
        &self.spec
    }
    pub fn id(&self) -> &str {
        &self.spec.widget_id
    }
    pub fn phase(&self) -> PollPhase {
        self.phase
    }
    pub fn close_reason(&self) -> Option<CloseReason> {
        self.close_reason
    }
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }
    pub fn total(&self) -> u64 {
        self.counts.iter().fold(0u64, |a, &c| a.saturating_add(c))
    }
    pub fn my_choice(&self) -> &[usize] {
        &self.my_choice
    }
    pub fn has_voted(&self) -> bool {
        !self.my_choice.is_empty()
    }
    pub fn votes_cast(&self) -> u32 {
        self.votes_cast
    }
    pub fn is_multi(&self) -> bool {
        self.spec.max_choices > 1
    }

    /// Whether a vote would be accepted at `now` (open, before the deadline, and either
    /// not voted yet or re-voting allowed).
    pub fn can_vote(&self, now: Millis) -> bool {
        self.accepting(now) && (!self.has_voted() || self.spec.revote)
    }

    fn accepting(&self, now: Millis) -> bool {
        self.phase == PollPhase::Open && self.spec.closes_at.is_none_or(|t| now < t)
    }

    /// Milliseconds left before the deadline, if the poll has one and is open.
    pub fn remaining_ms(&self, now: Millis) -> Option<u64> {
        match (self.phase, self.spec.closes_at) {
            (PollPhase::Open, Some(t)) => Some(t.saturating_sub(now)),
            _ => None,
        }
    }

    /// The next time this poll needs a tick.
    pub fn next_deadline(&self) -> Option<Millis> {
        match self.phase {
            PollPhase::Open => self.spec.closes_at,
            _ => None,
        }
    }

    /// Whole percentages per option that always add up to 100 (largest remainder), or all
    /// zero when nobody voted. For multi-choice polls, shares are of all ticks.
    pub fn percentages(&self) -> Vec<u8> {
        percentages(&self.counts)
    }

    /// Option indices with the highest count (none when nobody voted).
    pub fn winners(&self) -> Vec<usize> {
        let max = self.counts.iter().copied().max().unwrap_or(0);
        if max == 0 {
            return Vec::new();
        }
        (0..self.counts.len())
            .filter(|&i| self.counts[i] == max)
            .collect()
    }

    fn option_ids(&self, indices: &[usize]) -> Vec<String> {
        indices
            .iter()
            .map(|&i| self.spec.options[i].id.clone())
            .collect()
    }

    fn counts_map(&self) -> BTreeMap<String, u64> {
        self.spec
            .options
            .iter()
            .zip(&self.counts)
            .map(|(o, &c)| (o.id.clone(), c))
            .collect()
    }

    /// Resolves server counts by option id into a full vector, without touching `self`.
    fn merged_counts(
        &self,
        counts: &BTreeMap<String, u64>,
        reset: bool,
    ) -> Result<Vec<u64>, HudongError> {
        let mut next = if reset {
            vec![0; self.counts.len()]
        } else {
            self.counts.clone()
        };
        for (id, &c) in counts {
            let i = self.index_of(id).ok_or_else(|| {
                HudongError::field(format!(
                    "counts names option \"{}\" that this poll does not have",
                    short(id)
                ))
            })?;
            next[i] = if reset { c } else { next[i].max(c) };
        }
        Ok(next)
    }

    fn index_of(&self, option_id: &str) -> Option<usize> {
        self.spec.options.iter().position(|o| o.id == option_id)
    }

    /// `poll.tally`: counts only go up, unless the server resets them.
    pub fn tally(&mut self, t: &PollTally) -> Result<Transition, HudongError> {
        let next = self.merged_counts(&t.counts, t.reset)?;
        if next == self.counts {
            return Ok(Transition::none());
        }
        self.counts = next;
        Ok(Transition::changed(Vec::new()))
    }

    /// `poll.close`: idempotent.
    pub fn close(&mut self) -> Transition {
        if self.phase != PollPhase::Open {
            return Transition::none();
        }
        self.phase = PollPhase::Closed;
        self.close_reason = Some(CloseReason::Host);
        Transition::changed(vec![Event::PollClosed {
            reason: CloseReason::Host,
        }])
    }

    /// `poll.reveal`: closes if open, applies final counts, announces the result once.
    pub fn reveal(&mut self, r: &PollReveal) -> Result<Transition, HudongError> {
        let next = match &r.counts {
            Some(c) => self.merged_counts(c, false)?,
            None => self.counts.clone(),
        };
        let counts_changed = next != self.counts;
        if self.phase == PollPhase::Revealed {
            self.counts = next;
            return Ok(Transition {
                events: Vec::new(),
                changed: counts_changed,
            });
        }
        let mut events = self.close().events;
        self.counts = next;
        self.phase = PollPhase::Revealed;
        events.push(Event::PollRevealed {
            counts: self.counts_map(),
            total: self.total(),
            winners: self.option_ids(&self.winners()),
            my_choice: self.option_ids(&self.my_choice),
        });
        Ok(Transition::changed(events))
    }

    /// The viewer votes. `actor` names the viewer in the idempotency key.
    pub fn vote(
        &mut self,
        option_ids: &[String],
        now: Millis,
        key_prefix: &str,
    ) -> Result<Transition, HudongError> {
        if !self.accepting(now) {
            return Err(HudongError::new(ErrorCode::NotOpen, "this poll is closed"));
        }
        if option_ids.is_empty() {
            return Err(HudongError::new(
                ErrorCode::InvalidChoice,
                "pick at least one option",
            ));
        }
        if option_ids.len() > self.spec.max_choices as usize {
            return Err(HudongError::new(
                ErrorCode::InvalidChoice,
                format!("pick at most {} option(s)", self.spec.max_choices),
            ));
        }
        let mut chosen = Vec::with_capacity(option_ids.len());
        for id in option_ids {
            let i = self.index_of(id).ok_or_else(|| {
                HudongError::new(
                    ErrorCode::InvalidChoice,
                    format!("no option \"{}\" in this poll", short(id)),
                )
            })?;
            chosen.push(i);
        }
        chosen.sort_unstable();
        if chosen.windows(2).any(|w| w[0] == w[1]) {
            return Err(HudongError::new(
                ErrorCode::InvalidChoice,
                "an option was picked twice",
            ));
        }
        if chosen == self.my_choice {
            // A double tap or a retry of the same vote: nothing new to say.
            return Ok(Transition::none());
        }
        if self.has_voted() && !self.spec.revote {
            return Err(HudongError::new(
                ErrorCode::AlreadyVoted,
                "this poll does not allow changing your vote",
            ));
        }
        let revote = self.has_voted();
        let idempotency_key = format!("{key_prefix}:vote:{}", self.votes_cast + 1);
        // The viewer's first vote counts at once, before the server's next tally (which only
        // raises counts, so it takes over as soon as it includes this vote). A changed vote
        // waits for the server: counts never go down between two tallies.
        if !revote {
            for &i in &chosen {
                self.counts[i] = self.counts[i].saturating_add(1);
            }
        }
        self.my_choice = chosen;
        self.votes_cast += 1;
        Ok(Transition::changed(vec![Event::PollVote {
            option_ids: self.option_ids(&self.my_choice),
            idempotency_key,
            revote,
        }]))
    }

    /// What a server would send a late joiner about this poll.
    pub fn snapshot(&self) -> PollSnapshot {
        PollSnapshot {
            spec: self.spec.clone(),
            phase: self.phase,
            close_reason: self.close_reason,
            counts: self.counts_map(),
            my_choice: self.option_ids(&self.my_choice),
        }
    }

    /// Checks a snapshot of this poll without applying it.
    pub fn check_snapshot(&self, s: &PollSnapshot) -> Result<(), HudongError> {
        self.merged_counts(&s.counts, false)?;
        self.choice_indices(&s.my_choice)?;
        Ok(())
    }

    fn choice_indices(&self, ids: &[String]) -> Result<Vec<usize>, HudongError> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(self.index_of(id).ok_or_else(|| {
                HudongError::field(format!(
                    "my_choice names option \"{}\" that this poll does not have",
                    short(id)
                ))
            })?);
        }
        out.sort_unstable();
        out.dedup();
        if out.len() > self.spec.max_choices as usize {
            return Err(HudongError::field(
                "my_choice has more options than max_choices",
            ));
        }
        Ok(out)
    }

    /// Moves this poll forward to a snapshot of the same poll: counts rise, the phase
    /// advances (announcing a close or a reveal the viewer missed), and a vote the viewer
    /// made before (on another page) is restored without a new vote event.
    pub fn merge_snapshot(&mut self, s: &PollSnapshot) -> Result<Transition, HudongError> {
        let counts = self.merged_counts(&s.counts, false)?;
        let mine = self.choice_indices(&s.my_choice)?;
        let mut t = Transition::default();
        if counts != self.counts {
            self.counts = counts;
            t.changed = true;
        }
        if !self.has_voted() && !mine.is_empty() {
            self.my_choice = mine;
            self.votes_cast = self.votes_cast.max(1);
            t.changed = true;
        }
        if s.phase >= PollPhase::Closed && self.phase == PollPhase::Open {
            let reason = s.close_reason.unwrap_or(CloseReason::Host);
            self.phase = PollPhase::Closed;
            self.close_reason = Some(reason);
            t.events.push(Event::PollClosed { reason });
            t.changed = true;
        }
        if s.phase == PollPhase::Revealed && self.phase != PollPhase::Revealed {
            let r = self.reveal(&PollReveal {
                widget_id: self.spec.widget_id.clone(),
                counts: None,
            })?;
            t.events.extend(r.events);
            t.changed = true;
        }
        Ok(t)
    }

    /// Time passes: closes the poll at its deadline.
    pub fn tick(&mut self, now: Millis) -> Transition {
        if self.phase == PollPhase::Open && self.spec.closes_at.is_some_and(|t| now >= t) {
            self.phase = PollPhase::Closed;
            self.close_reason = Some(CloseReason::Deadline);
            return Transition::changed(vec![Event::PollClosed {
                reason: CloseReason::Deadline,
            }]);
        }
        Transition::none()
    }
}

fn short(s: &str) -> String {
    s.chars().take(64).collect()
}

fn validate_spec(spec: &PollSpec) -> Result<(), HudongError> {
    validate::id("widget_id", &spec.widget_id)?;
    validate::text("question", &spec.question, MAX_QUESTION_CHARS)?;
    let n = spec.options.len();
    if !(MIN_OPTIONS..=MAX_OPTIONS).contains(&n) {
        return Err(HudongError::field(format!(
            "a poll needs {MIN_OPTIONS}–{MAX_OPTIONS} options, got {n}"
        )));
    }
    for (i, o) in spec.options.iter().enumerate() {
        validate::id(&format!("options[{i}].id"), &o.id)?;
        validate::text(&format!("options[{i}].label"), &o.label, MAX_LABEL_CHARS)?;
        if let Some(url) = &o.image {
            validate::image_url(&format!("options[{i}].image"), url)?;
        }
        if spec.options[..i].iter().any(|p| p.id == o.id) {
            return Err(HudongError::field(format!(
                "option id \"{}\" appears twice",
                o.id
            )));
        }
    }
    if spec.max_choices == 0 || spec.max_choices as usize > n {
        return Err(HudongError::field(format!(
            "max_choices must be between 1 and {n}"
        )));
    }
    Ok(())
}

/// Whole percentages per count that always add up to 100 (largest remainder), or all zero
/// when every count is zero.
pub(crate) fn percentages(counts: &[u64]) -> Vec<u8> {
    let total: u128 = counts.iter().map(|&c| c as u128).sum();
    if total == 0 {
        return vec![0; counts.len()];
    }
    let mut floors: Vec<u8> = Vec::with_capacity(counts.len());
    let mut rema: Vec<(u128, usize)> = Vec::with_capacity(counts.len());
    for (i, &c) in counts.iter().enumerate() {
        let scaled = c as u128 * 100;
        floors.push((scaled / total) as u8);
        rema.push((scaled % total, i));
    }
    let missing = 100 - floors.iter().map(|&p| p as u32).sum::<u32>();
    rema.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, i) in rema.iter().take(missing as usize) {
        floors[i] += 1;
    }
    floors
}

crate::widget::widget_state! {
    Poll: PollSpec, PollSnapshot, "a poll";
    open(spec, now) => Poll::open(spec, now);
    command(self, _cx) {
        Command::PollTally(t) => self.tally(t),
        Command::PollClose(_) => Ok(self.close()),
        Command::PollReveal(r) => self.reveal(r),
    }
    act(self, cx) {
        Action::PollVote { option_ids, .. } => self.vote(option_ids, cx.now, &cx.key_prefix()),
    }
    fn next_deadline(&self, _now: Millis) -> Option<Millis> {
        Poll::next_deadline(self)
    }
    fn tick(&mut self, now: Millis) -> Transition {
        Poll::tick(self, now)
    }
    fn check_snapshot(&self, s: &PollSnapshot) -> Result<(), HudongError> {
        Poll::check_snapshot(self, s)
    }
    fn merge_snapshot(&mut self, s: &PollSnapshot, _now: Millis) -> Result<Transition, HudongError> {
        Poll::merge_snapshot(self, s)
    }
}
