//! Commands from the room, in order and on time: a sequencer that restores the room's order
//! (dropping duplicates, holding early arrivals, asking for a snapshot when a gap stays
//! open), a delay line that holds commands until the viewer's video shows them, and the
//! clock offset to the server.
use crate::protocol::Command;
use crate::Millis;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};

/// A command as a room's command channel carries it. `C` is the command: a [`Command`],
/// or whatever a host keeps with it (the browser glue keeps the message it was decoded
/// from, which the room's journal records as it came).
#[derive(Debug, Clone, PartialEq)]
pub struct Sequenced<C = Command> {
    /// The room's sequence number: 1, 2, 3… per room. Snapshots carry the number of the
    /// last command they include.
    pub seq: u64,
    /// The stream position the command belongs to (program-date-time, ms), if any.
    pub pts: Option<Millis>,
    pub command: C,
}

/// What the channel needs to know of a command it carries.
pub trait Carried {
    /// Whether it is a `room.snapshot` (which resets the room's order).
    fn is_snapshot(&self) -> bool;
}

impl Carried for Command {
    fn is_snapshot(&self) -> bool {
        matches!(self, Command::RoomSnapshot(_))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChannelConfig {
    /// How long a gap in the sequence may stay open before a snapshot is requested.
    pub gap_timeout_ms: u64,
    /// Most commands held while waiting for a gap to fill.
    pub max_held: usize,
    /// Longest a command waits for the viewer's playhead (a broken player cannot hide
    /// widgets for longer). A minute: HLS viewers run up to 30 s behind and more, and a
    /// command released before their video reaches it would be a spoiler.
    pub max_hold_ms: u64,
}

impl Default for ChannelConfig {
    fn default() -> Self {
        ChannelConfig {
            gap_timeout_ms: 2_000,
            max_held: 512,
            max_hold_ms: 60_000,
        }
    }
}

/// What the sequencer lets through.
#[derive(Debug, Clone, PartialEq)]
pub struct Intake<C = Command> {
    /// Commands to apply, in room order (a snapshot first, when one arrived).
    pub ready: Vec<Sequenced<C>>,
    /// Ask the source for a snapshot.
    pub need_snapshot: bool,
}

impl<C> Default for Intake<C> {
    fn default() -> Self {
        Intake {
            ready: Vec::new(),
            need_snapshot: false,
        }
    }
}

/// Restores a room's command order.
#[derive(Debug, Clone, PartialEq)]
pub struct Sequencer<C = Command> {
    config: ChannelConfig,
    /// The next sequence number to apply; `None` before the first snapshot.
    next: Option<u64>,
    held: BTreeMap<u64, Sequenced<C>>,
    /// Since when a gap (or the missing first snapshot) has been waited on.
    waiting_since: Option<Millis>,
    /// When a snapshot was last requested.
    requested_at: Option<Millis>,
}

impl<C> Default for Sequencer<C> {
    fn default() -> Self {
        Sequencer {
            config: ChannelConfig::default(),
            next: None,
            held: BTreeMap::new(),
            waiting_since: None,
            requested_at: None,
        }
    }
}

impl<C: Carried> Sequencer<C> {
    pub fn new(config: ChannelConfig) -> Self {
        Sequencer {
            config,
            ..Sequencer::default()
        }
    }

    /// Starts at a known position without a snapshot (a host that feeds commands from 1).
    pub fn starting_at(config: ChannelConfig, next: u64) -> Self {
        Sequencer {
            config,
            next: Some(next),
            ..Sequencer::default()
        }
    }

    /// The next sequence number expected.
    pub fn next_seq(&self) -> Option<u64> {
        self.next
    }

    pub fn held(&self) -> usize {
        self.held.len()
    }

    /// Takes one message from the channel.
    pub fn receive(&mut self, msg: Sequenced<C>, now: Millis) -> Intake<C> {
        self.receive_one(msg, now)
    }

    /// Takes a snapshot and its `tail` (the commands after it, each with its `seq` and `pts`)
    /// apart: the snapshot, then each command as if it had come on its own (those already
    /// applied are duplicates; the others fill the gap up to the present). A snapshot older
    /// than what was applied is skipped, but its tail still counts. Check the tail first
    /// ([`check_tail`]).
    pub fn receive_with_tail(
        &mut self,
        snapshot: Sequenced<C>,
        tail: Vec<Sequenced<C>>,
        now: Millis,
    ) -> Intake<C> {
        let mut out = self.receive_one(snapshot, now);
        for m in tail {
            let more = self.receive_one(m, now);
            out.ready.extend(more.ready);
            out.need_snapshot |= more.need_snapshot;
        }
        out
    }

    fn receive_one(&mut self, msg: Sequenced<C>, now: Millis) -> Intake<C> {
        let mut out = Intake::default();
        if msg.command.is_snapshot() {
            // A snapshot older than what was applied would undo newer commands: skip it.
            if self.next.is_some_and(|n| msg.seq + 1 < n) {
                return out;
            }
            self.next = Some(msg.seq + 1);
            self.held.retain(|&s, _| s > msg.seq);
            self.requested_at = None;
            out.ready.push(msg);
            self.drain(&mut out.ready);
        } else {
            match self.next {
                Some(n) if msg.seq < n => {} // a duplicate: already applied
                Some(n) if msg.seq == n => {
                    self.next = Some(n + 1);
                    out.ready.push(msg);
                    self.drain(&mut out.ready);
                }
                _ => {
                    self.held.insert(msg.seq, msg);
                    if self.held.len() > self.config.max_held {
                        // Too far behind to catch up command by command: keep the newest,
                        // and let a snapshot cover the rest.
                        self.held.pop_first();
                        if self.requested_at.is_none() {
                            out.need_snapshot = self.request(now);
                        }
                    }
                }
            }
        }
        self.waiting_since = if self.held.is_empty() && self.next.is_some() {
            None
        } else {
            self.waiting_since.or(Some(now))
        };
        if self.next.is_none() && self.requested_at.is_none() {
            out.need_snapshot |= self.request(now);
        }
        out
    }

    fn drain(&mut self, ready: &mut Vec<Sequenced<C>>) {
        while let Some(n) = self.next {
            match self.held.remove(&n) {
                Some(m) => {
                    ready.push(m);
                    self.next = Some(n + 1);
                }
                None => break,
            }
        }
    }

    fn request(&mut self, now: Millis) -> bool {
        self.requested_at = Some(now);
        true
    }

    /// The source (re)connected, or the page came back from the background: what was
    /// missed is unknown, so ask for a snapshot.
    pub fn resync(&mut self, now: Millis) -> bool {
        self.waiting_since.get_or_insert(now);
        self.request(now)
    }

    /// Time passes: a gap open too long, or a snapshot request unanswered, asks again.
    pub fn tick(&mut self, now: Millis) -> bool {
        let Some(since) = self.waiting_since else {
            return false;
        };
        let timeout = self.config.gap_timeout_ms;
        match self.requested_at {
            None if now >= since + timeout => self.request(now),
            Some(at) if now >= at + 2 * timeout => self.request(now),
            _ => false,
        }
    }

    pub fn next_wake(&self) -> Option<Millis> {
        let since = self.waiting_since?;
        Some(match self.requested_at {
            None => since + self.config.gap_timeout_ms,
            Some(at) => at + 2 * self.config.gap_timeout_ms,
        })
    }
}

/// Checks a snapshot's tail: commands only (no snapshot in it), in room order after the
/// snapshot's `seq` (when it has one).
pub fn check_tail<C: Carried>(
    seq: Option<u64>,
    tail: &[Sequenced<C>],
) -> Result<(), crate::HudongError> {
    let mut last = seq.unwrap_or(0);
    for (i, t) in tail.iter().enumerate() {
        if t.command.is_snapshot() {
            return Err(crate::HudongError::field(format!(
                "tail[{i}] is a room.snapshot: a tail holds commands only"
            )));
        }
        if t.seq == 0 || (t.seq <= last && (i > 0 || seq.is_some())) {
            return Err(crate::HudongError::field(format!(
                "tail[{i}].seq must be greater than {last}: a tail is in room order after its snapshot"
            )));
        }
        last = t.seq;
    }
    Ok(())
}

/// Holds commands until the viewer's video reaches the moment they belong to.
#[derive(Debug, Clone, PartialEq)]
pub struct DelayLine<C = Command> {
    max_hold_ms: u64,
    /// In room order, with the time each arrived.
    held: VecDeque<(Sequenced<C>, Millis)>,
}

impl<C> DelayLine<C> {
    pub fn new(max_hold_ms: u64) -> Self {
        DelayLine {
            max_hold_ms,
            held: VecDeque::new(),
        }
    }

    /// Holds a command. A sequenced one goes last (room order). One outside the room's
    /// sequence (`seq` 0: a direct call, a video's timed metadata) that has a stream position
    /// goes before the first held command with a later one: metadata read from a segment
    /// arrives seconds after the channel's commands of the same moments.
    pub fn push(&mut self, msg: Sequenced<C>, now: Millis) {
        let at = match (msg.seq, msg.pts) {
            (0, Some(pts)) => self
                .held
                .iter()
                .position(|(m, _)| m.pts.is_some_and(|p| p > pts))
                .unwrap_or(self.held.len()),
            _ => self.held.len(),
        };
        self.held.insert(at, (msg, now));
    }

    pub fn held(&self) -> usize {
        self.held.len()
    }

    /// Drops held commands a snapshot has summed up (`seq <= through`): applied after it,
    /// they would undo what came later.
    pub fn drop_through(&mut self, through: u64) {
        self.held.retain(|(m, _)| m.seq == 0 || m.seq > through);
    }

    /// Releases, in order, the commands whose stream position the playhead has reached
    /// (or that waited `max_hold_ms`). `playhead: None` means no playhead source: release
    /// everything. A held command also holds those behind it, so order is kept.
    pub fn release(&mut self, playhead: Option<Millis>, now: Millis) -> Vec<Sequenced<C>> {
        let mut out = Vec::new();
        while let Some((msg, arrived)) = self.held.front() {
            let due = match (msg.pts, playhead) {
                (None, _) | (_, None) => true,
                (Some(pts), Some(head)) => head >= pts,
            } || now >= arrived + self.max_hold_ms;
            if !due {
                break;
            }
            out.push(self.held.pop_front().unwrap().0);
        }
        out
    }

    /// When the first held command must go out at the latest (its hold limit). With a
    /// moving playhead, hosts also re-check on every animation frame or player time update.
    pub fn next_deadline(&self) -> Option<Millis> {
        self.held
            .front()
            .map(|(_, arrived)| arrived + self.max_hold_ms)
    }

    /// When the first held command's stream position is reached, given the playhead now.
    pub fn due_in(&self, playhead: Millis) -> Option<u64> {
        self.held
            .front()
            .and_then(|(m, _)| m.pts)
            .map(|pts| pts.saturating_sub(playhead))
    }
}

/// NTP-style offset of the server clock over a local monotonic clock: of the recent
/// samples, the one with the shortest round trip wins (its midpoint is the most certain).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ClockSync {
    samples: VecDeque<Sample>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// Server time minus local time at the round trip's midpoint.
    pub offset: f64,
    pub rtt: f64,
}

impl ClockSync {
    const KEEP: usize = 8;

    /// Records one round trip: local time sent, server time answered, local time received.
    pub fn add(&mut self, sent: f64, server: f64, received: f64) -> Option<Sample> {
        if !(sent.is_finite() && server.is_finite() && received.is_finite()) || received < sent {
            return None;
        }
        let s = Sample {
            offset: server - (sent + received) / 2.0,
            rtt: received - sent,
        };
        self.samples.push_back(s);
        if self.samples.len() > Self::KEEP {
            self.samples.pop_front();
        }
        Some(s)
    }

    /// The best sample so far.
    pub fn best(&self) -> Option<Sample> {
        self.samples
            .iter()
            .copied()
            .min_by(|a, b| a.rtt.total_cmp(&b.rtt))
    }

    /// Forgets the samples (after a network change, the old round trips mean nothing).
    pub fn clear(&mut self) {
        self.samples.clear();
    }
}
