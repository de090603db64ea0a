//! The room engine: owns the live widgets, routes commands and actions to their state
//! machines, and wraps what they report into event envelopes.
use crate::coupon::Coupon;
use crate::error::{ErrorCode, HudongError};
use crate::flash::FlashSale;
use crate::lead::Lead;
use crate::likes::Likes;
use crate::lottery::Lottery;
use crate::poll::{Poll, Transition};
use crate::products::{ProductIntent, Products};
use crate::protocol::{
    Action, Command, Envelope, Event, RoomSnapshot, WidgetKind, WidgetSnapshot, PROTOCOL_VERSION,
};
use crate::questions::Questions;
use crate::quiz::Quiz;
use crate::redeem::Redeem;
use crate::rng::SplitMix64;
use crate::tasks::Tasks;
use crate::tryon::TryOn;
use crate::Millis;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Who and where: fixed for the life of a room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomConfig {
    pub room_id: String,
    /// One page load of one viewer. Hosts usually pass a random UUID.
    pub session_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Seed for event ids. Give real entropy in production, a constant in tests.
    #[serde(default, with = "crate::rng::u64_string")]
    pub seed: u64,
}

impl RoomConfig {
    pub fn new(room_id: impl Into<String>, session_id: impl Into<String>) -> Self {
        RoomConfig {
            room_id: room_id.into(),
            session_id: session_id.into(),
            user_id: None,
            seed: 0,
        }
    }
    pub fn with_user(mut self, user_id: impl Into<String>) -> Self {
        self.user_id = Some(user_id.into());
        self
    }
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
}

/// One live widget.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename = "WidgetState"))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Widget {
    Poll(Poll),
    FlashSale(FlashSale),
    Quiz(Quiz),
    Redeem(Redeem),
    TryOn(TryOn),
    Lottery(Lottery),
    Lead(Lead),
    Likes(Likes),
    Products(Products),
    Coupon(Coupon),
    Questions(Questions),
    Tasks(Tasks),
    #[cfg(feature = "fault")]
    Fault(crate::fault::Fault),
}

impl Widget {
    pub fn id(&self) -> &str {
        match self {
            Widget::Poll(p) => p.id(),
            Widget::FlashSale(f) => f.id(),
            Widget::Quiz(q) => q.id(),
            Widget::Redeem(r) => r.id(),
            Widget::TryOn(t) => t.id(),
            Widget::Lottery(l) => l.id(),
            Widget::Lead(l) => l.id(),
            Widget::Likes(l) => l.id(),
            Widget::Products(p) => p.id(),
            Widget::Coupon(c) => c.id(),
            Widget::Questions(q) => q.id(),
            Widget::Tasks(t) => t.id(),
            #[cfg(feature = "fault")]
            Widget::Fault(f) => f.id(),
        }
    }
    pub fn kind(&self) -> WidgetKind {
        match self {
            Widget::Poll(_) => WidgetKind::Poll,
            Widget::FlashSale(_) => WidgetKind::FlashSale,
            Widget::Quiz(_) => WidgetKind::Quiz,
            Widget::Redeem(_) => WidgetKind::Redeem,
            Widget::TryOn(_) => WidgetKind::TryOn,
            Widget::Lottery(_) => WidgetKind::Lottery,
            Widget::Lead(_) => WidgetKind::Lead,
            Widget::Likes(_) => WidgetKind::Likes,
            Widget::Products(_) => WidgetKind::Products,
            Widget::Coupon(_) => WidgetKind::Coupon,
            Widget::Questions(_) => WidgetKind::Questions,
            Widget::Tasks(_) => WidgetKind::Tasks,
            #[cfg(feature = "fault")]
            Widget::Fault(_) => WidgetKind::Fault,
        }
    }
    fn next_deadline(&self, now: Millis) -> Option<Millis> {
        match self {
            Widget::Poll(p) => p.next_deadline(),
            Widget::FlashSale(f) => f.next_deadline(now),
            Widget::Quiz(q) => q.next_deadline(),
            Widget::Redeem(_) | Widget::TryOn(_) | Widget::Products(_) | Widget::Questions(_) => {
                None
            }
            Widget::Lottery(l) => l.next_deadline(now),
            Widget::Lead(l) => l.next_deadline(now),
            Widget::Likes(l) => l.next_deadline(now),
            Widget::Coupon(c) => c.next_deadline(now),
            Widget::Tasks(t) => t.next_deadline(now),
            #[cfg(feature = "fault")]
            Widget::Fault(f) => f.next_deadline(),
        }
    }
    fn tick(&mut self, now: Millis) -> Transition {
        match self {
            Widget::Poll(p) => p.tick(now),
            Widget::FlashSale(f) => f.tick(now),
            Widget::Quiz(q) => q.tick(now),
            Widget::Redeem(_) | Widget::TryOn(_) | Widget::Products(_) | Widget::Questions(_) => {
                Transition::default()
            }
            Widget::Lottery(l) => l.tick(now),
            Widget::Lead(l) => l.tick(now),
            Widget::Likes(l) => l.tick(now),
            Widget::Coupon(c) => c.tick(now),
            Widget::Tasks(t) => t.tick(now),
            #[cfg(feature = "fault")]
            Widget::Fault(f) => f.tick(now),
        }
    }
    fn snapshot(&self) -> WidgetSnapshot {
        match self {
            Widget::Poll(p) => WidgetSnapshot::Poll(p.snapshot()),
            Widget::FlashSale(f) => WidgetSnapshot::FlashSale(f.snapshot()),
            Widget::Quiz(q) => WidgetSnapshot::Quiz(q.snapshot()),
            Widget::Redeem(r) => WidgetSnapshot::Redeem(r.snapshot()),
            Widget::TryOn(t) => WidgetSnapshot::TryOn(t.snapshot()),
            Widget::Lottery(l) => WidgetSnapshot::Lottery(l.snapshot()),
            Widget::Lead(l) => WidgetSnapshot::Lead(l.snapshot()),
            Widget::Likes(l) => WidgetSnapshot::Likes(l.snapshot()),
            Widget::Products(p) => WidgetSnapshot::Products(p.snapshot()),
            Widget::Coupon(c) => WidgetSnapshot::Coupon(c.snapshot()),
            Widget::Questions(q) => WidgetSnapshot::Questions(q.snapshot()),
            Widget::Tasks(t) => WidgetSnapshot::Tasks(t.snapshot()),
            #[cfg(feature = "fault")]
            Widget::Fault(f) => WidgetSnapshot::Fault(f.snapshot()),
        }
    }
    /// Whether a snapshot describes this very widget (same kind and content).
    fn same_as(&self, s: &WidgetSnapshot) -> bool {
        match (self, s) {
            (Widget::Poll(p), WidgetSnapshot::Poll(ps)) => p.spec() == &ps.spec,
            (Widget::FlashSale(f), WidgetSnapshot::FlashSale(fs)) => f.spec() == &fs.spec,
            (Widget::Quiz(q), WidgetSnapshot::Quiz(qs)) => q.spec() == &qs.spec,
            (Widget::Redeem(r), WidgetSnapshot::Redeem(rs)) => r.spec() == &rs.spec,
            (Widget::TryOn(t), WidgetSnapshot::TryOn(ts)) => t.spec() == &ts.spec,
            (Widget::Lottery(l), WidgetSnapshot::Lottery(ls)) => l.spec() == &ls.spec,
            (Widget::Lead(l), WidgetSnapshot::Lead(ls)) => l.spec() == &ls.spec,
            (Widget::Likes(l), WidgetSnapshot::Likes(ls)) => l.spec() == &ls.spec,
            (Widget::Products(p), WidgetSnapshot::Products(ps)) => p.spec() == &ps.spec,
            (Widget::Coupon(c), WidgetSnapshot::Coupon(cs)) => c.spec() == &cs.spec,
            (Widget::Questions(q), WidgetSnapshot::Questions(qs)) => q.spec() == &qs.spec,
            (Widget::Tasks(t), WidgetSnapshot::Tasks(ts)) => t.spec() == &ts.spec,
            #[cfg(feature = "fault")]
            (Widget::Fault(f), WidgetSnapshot::Fault(fs)) => f.spec() == &fs.spec,
            _ => false,
        }
    }
    fn check_snapshot(&self, s: &WidgetSnapshot) -> Result<(), HudongError> {
        match (self, s) {
            (Widget::Poll(p), WidgetSnapshot::Poll(ps)) => p.check_snapshot(ps),
            (Widget::FlashSale(f), WidgetSnapshot::FlashSale(fs)) => f.check_snapshot(fs),
            (Widget::Quiz(q), WidgetSnapshot::Quiz(qs)) => q.check_snapshot(qs),
            (Widget::Redeem(r), WidgetSnapshot::Redeem(rs)) => r.check_snapshot(rs),
            (Widget::TryOn(_), WidgetSnapshot::TryOn(_)) => Ok(()),
            (Widget::Lottery(l), WidgetSnapshot::Lottery(ls)) => l.check_snapshot(ls),
            (Widget::Lead(_), WidgetSnapshot::Lead(_))
            | (Widget::Likes(_), WidgetSnapshot::Likes(_)) => Ok(()),
            (Widget::Products(p), WidgetSnapshot::Products(ps)) => p.check_snapshot(ps),
            (Widget::Coupon(_), WidgetSnapshot::Coupon(_)) => Ok(()),
            (Widget::Questions(q), WidgetSnapshot::Questions(qs)) => q.check_snapshot(qs),
            (Widget::Tasks(_), WidgetSnapshot::Tasks(_)) => Ok(()),
            #[cfg(feature = "fault")]
            (Widget::Fault(_), WidgetSnapshot::Fault(_)) => Ok(()),
            _ => Err(HudongError::new(
                ErrorCode::WrongWidgetKind,
                "snapshot of another kind of widget",
            )),
        }
    }
    fn merge_snapshot(
        &mut self,
        s: &WidgetSnapshot,
        now: Millis,
    ) -> Result<Transition, HudongError> {
        match (self, s) {
            (Widget::Poll(p), WidgetSnapshot::Poll(ps)) => p.merge_snapshot(ps),
            (Widget::FlashSale(f), WidgetSnapshot::FlashSale(fs)) => f.merge_snapshot(fs, now),
            (Widget::Quiz(q), WidgetSnapshot::Quiz(qs)) => q.merge_snapshot(qs, now),
            (Widget::Redeem(r), WidgetSnapshot::Redeem(rs)) => r.merge_snapshot(rs),
            (Widget::TryOn(_), WidgetSnapshot::TryOn(_)) => Ok(Transition::default()),
            (Widget::Lottery(l), WidgetSnapshot::Lottery(ls)) => l.merge_snapshot(ls),
            (Widget::Lead(_), WidgetSnapshot::Lead(_)) => Ok(Transition::default()),
            (Widget::Likes(l), WidgetSnapshot::Likes(ls)) => Ok(l.merge_snapshot(ls)),
            (Widget::Products(p), WidgetSnapshot::Products(ps)) => p.merge_snapshot(ps),
            (Widget::Coupon(c), WidgetSnapshot::Coupon(cs)) => Ok(c.merge_snapshot(cs)),
            (Widget::Questions(q), WidgetSnapshot::Questions(qs)) => q.merge_snapshot(qs),
            (Widget::Tasks(_), WidgetSnapshot::Tasks(_)) => Ok(Transition::default()),
            #[cfg(feature = "fault")]
            (Widget::Fault(_), WidgetSnapshot::Fault(_)) => Ok(Transition::default()),
            _ => Err(HudongError::new(
                ErrorCode::WrongWidgetKind,
                "snapshot of another kind of widget",
            )),
        }
    }
    /// A new widget from a snapshot of it.
    fn from_snapshot(s: &WidgetSnapshot, now: Millis) -> Result<(Widget, Transition), HudongError> {
        Ok(match s {
            WidgetSnapshot::Poll(ps) => {
                let (p, t) = Poll::open(ps.spec.clone(), now)?;
                (Widget::Poll(p), t)
            }
            WidgetSnapshot::FlashSale(fs) => {
                let (f, t) = FlashSale::open(fs.spec.clone(), now)?;
                (Widget::FlashSale(f), t)
            }
            WidgetSnapshot::Quiz(qs) => {
                let (q, t) = Quiz::open(qs.spec.clone())?;
                (Widget::Quiz(q), t)
            }
            WidgetSnapshot::Redeem(rs) => {
                let (r, t) = Redeem::open(rs.spec.clone())?;
                (Widget::Redeem(r), t)
            }
            WidgetSnapshot::TryOn(ts) => {
                let (w, t) = TryOn::open(ts.spec.clone())?;
                (Widget::TryOn(w), t)
            }
            WidgetSnapshot::Lottery(ls) => {
                let (w, t) = Lottery::open(ls.spec.clone())?;
                (Widget::Lottery(w), t)
            }
            WidgetSnapshot::Lead(ls) => {
                let (w, t) = Lead::open(ls.spec.clone())?;
                (Widget::Lead(w), t)
            }
            WidgetSnapshot::Likes(ls) => {
                let (w, t) = Likes::open(ls.spec.clone())?;
                (Widget::Likes(w), t)
            }
            WidgetSnapshot::Products(ps) => {
                let (w, t) = Products::open(ps.spec.clone())?;
                (Widget::Products(w), t)
            }
            WidgetSnapshot::Coupon(cs) => {
                let (w, t) = Coupon::open(cs.spec.clone(), now)?;
                (Widget::Coupon(w), t)
            }
            WidgetSnapshot::Questions(qs) => {
                let (w, t) = Questions::open(qs.spec.clone())?;
                (Widget::Questions(w), t)
            }
            WidgetSnapshot::Tasks(ts) => {
                let (w, t) = Tasks::open(ts.spec.clone(), now)?;
                (Widget::Tasks(w), t)
            }
            #[cfg(feature = "fault")]
            WidgetSnapshot::Fault(fs) => {
                let (w, t) = crate::fault::Fault::open(fs.spec.clone(), now)?;
                (Widget::Fault(w), t)
            }
        })
    }
}

/// What the outside world should do after a step.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Effects {
    /// Events to deliver, in order.
    pub events: Vec<Envelope>,
    /// The widgets changed: redraw.
    pub render: bool,
    /// Call [`Room::tick`] at this server time (the earliest pending deadline), if any.
    pub wake_at: Option<Millis>,
}

/// The state of one viewer's room: every live widget, in the order they appeared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Room {
    config: RoomConfig,
    widgets: Vec<Widget>,
    seq: u64,
    rng: SplitMix64,
    /// Server time minus device time, in ms, as last measured.
    #[serde(default)]
    clock_offset_ms: i64,
    /// How the overlay arranges the widgets (`room.layout`).
    #[serde(default)]
    layout: crate::layout::Layout,
    /// Widgets that failed inside Hudong and were taken down ([`Room::fail_widget`]).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    failed: BTreeSet<String>,
}

impl Room {
    pub fn new(config: RoomConfig) -> Self {
        let rng = SplitMix64::new(config.seed);
        Room {
            config,
            widgets: Vec::new(),
            seq: 0,
            rng,
            clock_offset_ms: 0,
            layout: Default::default(),
            failed: BTreeSet::new(),
        }
    }

    pub fn config(&self) -> &RoomConfig {
        &self.config
    }

    /// Live widgets, oldest first.
    pub fn widgets(&self) -> &[Widget] {
        &self.widgets
    }

    /// The host's layout (`room.layout`).
    pub fn layout(&self) -> &crate::layout::Layout {
        &self.layout
    }

    /// Where each live widget goes now; `picked`: the card the viewer opened from the tray.
    pub fn arrange(&self, picked: Option<&str>) -> crate::layout::Arrangement<'_> {
        crate::layout::arrange(&self.widgets, &self.layout, picked)
    }

    pub fn widget(&self, id: &str) -> Option<&Widget> {
        self.widgets.iter().find(|w| w.id() == id)
    }

    /// Records the measured offset of server time over the device clock; events then carry
    /// both times.
    pub fn set_clock_offset(&mut self, offset_ms: i64) {
        self.clock_offset_ms = offset_ms;
    }

    /// Events emitted so far in this session.
    /// Server time minus device time, in ms, as last set.
    pub fn clock_offset(&self) -> i64 {
        self.clock_offset_ms
    }

    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// The earliest deadline any widget is waiting for, as of `now`.
    pub fn next_wake(&self, now: Millis) -> Option<Millis> {
        self.widgets
            .iter()
            .filter_map(|w| w.next_deadline(now))
            .min()
    }

    fn position(&self, id: &str) -> Result<usize, HudongError> {
        self.widgets
            .iter()
            .position(|w| w.id() == id)
            .ok_or_else(|| {
                HudongError::new(ErrorCode::UnknownWidget, "no live widget has this id")
                    .with_widget(id)
            })
    }

    /// The room as a server sends it to a late joiner.
    pub fn snapshot(&self) -> RoomSnapshot {
        let layout = (self.layout != crate::layout::Layout::default()).then(|| self.layout.clone());
        RoomSnapshot {
            widgets: self.widgets.iter().map(Widget::snapshot).collect(),
            layout,
        }
    }

    /// Makes the room match a snapshot. Checked whole before anything changes.
    fn apply_snapshot(&mut self, snap: &RoomSnapshot, now: Millis) -> Result<Effects, HudongError> {
        // Check everything first: a refused snapshot changes nothing.
        if let Some(l) = &snap.layout {
            l.check()?;
        }
        for (i, w) in snap.widgets.iter().enumerate() {
            if snap.widgets[..i]
                .iter()
                .any(|o| o.widget_id() == w.widget_id())
            {
                return Err(HudongError::field(format!(
                    "widget \"{}\" appears twice",
                    w.widget_id()
                )));
            }
            let _scope = crate::blame::enter(w.widget_id());
            match self.widget(w.widget_id()) {
                Some(existing) if existing.same_as(w) => existing.check_snapshot(w)?,
                _ => Widget::from_snapshot(w, now)?.0.check_snapshot(w)?,
            }
        }
        let mut fx = Effects::default();
        if let Some(l) = &snap.layout {
            fx.render |= self.layout != *l;
            self.layout = l.clone();
        }
        // Widgets the server no longer has (or has replaced) go first.
        let mut i = 0;
        while i < self.widgets.len() {
            if snap.widgets.iter().any(|w| self.widgets[i].same_as(w)) {
                i += 1;
            } else {
                let w = self.widgets.remove(i);
                let t = Transition::changed(vec![Event::WidgetHidden]);
                self.collect(&mut fx, w.id(), w.kind(), t, now);
            }
        }
        for w in &snap.widgets {
            let id = w.widget_id();
            let _scope = crate::blame::enter(id);
            let mut t = Transition::default();
            if self.widget(id).is_none() {
                let (created, opened) = Widget::from_snapshot(w, now)?;
                self.widgets.push(created);
                t = opened;
            }
            let i = self.position(id)?;
            let merged = self.widgets[i].merge_snapshot(w, now)?;
            let kind = self.widgets[i].kind();
            t.changed |= merged.changed;
            t.events.extend(merged.events);
            self.collect(&mut fx, id, kind, t, now);
        }
        fx.wake_at = self.next_wake(now);
        Ok(fx)
    }

    /// Adds a widget's transition to the effects, wrapping its events.
    fn collect(
        &mut self,
        fx: &mut Effects,
        id: &str,
        kind: WidgetKind,
        t: Transition,
        now: Millis,
    ) {
        fx.render |= t.changed;
        for e in t.events {
            let env = self.envelope(Some((id, kind)), e, now);
            fx.events.push(env);
        }
    }

    /// Takes down a widget that failed inside Hudong (a panic in its state machine or its
    /// view): it is removed, and commands and actions for its id are refused with
    /// `widget_failed` for the rest of the session, so a failure cannot come back through a
    /// resent command or the server's next snapshot. The other widgets are untouched.
    /// Returns whether a live widget was removed.
    pub fn fail_widget(&mut self, widget_id: &str) -> bool {
        self.failed.insert(widget_id.to_owned());
        let before = self.widgets.len();
        self.widgets.retain(|w| w.id() != widget_id);
        self.widgets.len() != before
    }

    /// The widgets taken down after a failure.
    pub fn failed_widgets(&self) -> impl Iterator<Item = &str> {
        self.failed.iter().map(String::as_str)
    }

    /// Applies a command. On error, nothing changed.
    pub fn apply(&mut self, command: &Command, now: Millis) -> Result<Effects, HudongError> {
        if let Command::RoomSnapshot(snap) = command {
            // A widget taken down after a failure stays down, whatever the server still has.
            let kept;
            let snap = if snap
                .widgets
                .iter()
                .any(|w| self.failed.contains(w.widget_id()))
            {
                kept = RoomSnapshot {
                    widgets: snap
                        .widgets
                        .iter()
                        .filter(|w| !self.failed.contains(w.widget_id()))
                        .cloned()
                        .collect(),
                    layout: snap.layout.clone(),
                };
                &kept
            } else {
                snap
            };
            return self
                .apply_snapshot(snap, now)
                .map_err(|e| e.with_command("room.snapshot"));
        }
        if let Command::RoomLayout(layout) = command {
            layout.check().map_err(|e| e.with_command("room.layout"))?;
            let render = self.layout != *layout;
            self.layout = layout.clone();
            return Ok(Effects {
                events: Vec::new(),
                render,
                wake_at: self.next_wake(now),
            });
        }
        let id = command.widget_id().to_owned();
        if self.failed.contains(&id) {
            return Err(failed_error(&id).with_command(command.type_name()));
        }
        let _scope = crate::blame::enter(&id);
        let result = self.apply_inner(command, now);
        match result {
            Ok((t, kind)) => Ok(self.finish(&id, kind, t, now)),
            Err(e) => {
                let e = if e.widget_id.is_none() && !id.is_empty() {
                    e.with_widget(&id)
                } else {
                    e
                };
                Err(e.with_command(command.type_name()))
            }
        }
    }

    /// Opens a widget. A repeat of the same `open` changes nothing; a different widget with
    /// the id is a conflict.
    fn open_widget(
        &mut self,
        id: &str,
        kind: WidgetKind,
        same: impl Fn(&Widget) -> bool,
        open: impl FnOnce() -> Result<(Widget, Transition), HudongError>,
    ) -> Result<(Transition, WidgetKind), HudongError> {
        if let Some(existing) = self.widget(id) {
            return if same(existing) {
                Ok((Transition::default(), kind))
            } else {
                Err(conflict())
            };
        }
        let (w, t) = open()?;
        self.widgets.push(w);
        Ok((t, kind))
    }

    fn apply_inner(
        &mut self,
        command: &Command,
        now: Millis,
    ) -> Result<(Transition, WidgetKind), HudongError> {
        let poll = WidgetKind::Poll;
        let flash = WidgetKind::FlashSale;
        match command {
            Command::PollOpen(spec) => self.open_widget(
                &spec.widget_id,
                WidgetKind::Poll,
                |w| matches!(w, Widget::Poll(x) if x.spec() == spec),
                || Poll::open(spec.clone(), now).map(|(w, t)| (Widget::Poll(w), t)),
            ),
            Command::FlashOpen(spec) => self.open_widget(
                &spec.widget_id,
                WidgetKind::FlashSale,
                |w| matches!(w, Widget::FlashSale(x) if x.spec() == spec),
                || FlashSale::open(spec.clone(), now).map(|(w, t)| (Widget::FlashSale(w), t)),
            ),
            Command::FlashStock(c) => Ok((self.flash_mut(&c.widget_id)?.stock(c, now), flash)),
            Command::FlashExtend(c) => Ok((self.flash_mut(&c.widget_id)?.extend(c, now), flash)),
            Command::FlashResult(c) => Ok((self.flash_mut(&c.widget_id)?.result(c, now)?, flash)),
            Command::FlashEnd(c) => Ok((self.flash_mut(&c.widget_id)?.end(now), flash)),
            Command::QuizOpen(spec) => self.open_widget(
                &spec.widget_id,
                WidgetKind::Quiz,
                |w| matches!(w, Widget::Quiz(x) if x.spec() == spec),
                || Quiz::open(spec.clone()).map(|(w, t)| (Widget::Quiz(w), t)),
            ),
            Command::QuizQuestion(c) => {
                Ok((self.quiz_mut(&c.widget_id)?.ask(c, now)?, WidgetKind::Quiz))
            }
            Command::QuizClose(c) => Ok((
                self.quiz_mut(&c.widget_id)?.close(&c.question_id)?,
                WidgetKind::Quiz,
            )),
            Command::QuizReveal(c) => {
                Ok((self.quiz_mut(&c.widget_id)?.reveal(c)?, WidgetKind::Quiz))
            }
            Command::QuizStanding(c) => {
                let me = self.config.user_id.clone();
                Ok((
                    self.quiz_mut(&c.widget_id)?.stand(c, me.as_deref())?,
                    WidgetKind::Quiz,
                ))
            }
            Command::QuizLeaderboard(c) => Ok((
                self.quiz_mut(&c.widget_id)?.set_leaderboard(c)?,
                WidgetKind::Quiz,
            )),
            Command::RedeemOpen(spec) => self.open_widget(
                &spec.widget_id,
                WidgetKind::Redeem,
                |w| matches!(w, Widget::Redeem(x) if x.spec() == spec),
                || Redeem::open(spec.clone()).map(|(w, t)| (Widget::Redeem(w), t)),
            ),
            Command::RedeemAccount(c) => {
                let me = self.config.user_id.clone();
                Ok((
                    self.redeem_mut(&c.widget_id)?
                        .set_account(c, me.as_deref())?,
                    WidgetKind::Redeem,
                ))
            }
            Command::RedeemPoints(c) => {
                let me = self.config.user_id.clone();
                Ok((
                    self.redeem_mut(&c.widget_id)?.points(c, me.as_deref())?,
                    WidgetKind::Redeem,
                ))
            }
            Command::RedeemStock(c) => Ok((
                self.redeem_mut(&c.widget_id)?.set_stock(c)?,
                WidgetKind::Redeem,
            )),
            Command::RedeemResult(c) => Ok((
                self.redeem_mut(&c.widget_id)?.result(c)?,
                WidgetKind::Redeem,
            )),
            Command::TryOnOpen(spec) => self.open_widget(
                &spec.widget_id,
                WidgetKind::TryOn,
                |w| matches!(w, Widget::TryOn(x) if x.spec() == spec),
                || TryOn::open(spec.clone()).map(|(w, t)| (Widget::TryOn(w), t)),
            ),
            Command::LotteryOpen(spec) => self.open_widget(
                &spec.widget_id,
                WidgetKind::Lottery,
                |w| matches!(w, Widget::Lottery(x) if x.spec() == spec),
                || Lottery::open(spec.clone()).map(|(w, t)| (Widget::Lottery(w), t)),
            ),
            Command::LotteryEntries(c) => Ok((
                self.lottery_mut(&c.widget_id)?.set_entries(c),
                WidgetKind::Lottery,
            )),
            Command::LotteryEntry(c) => Ok((
                self.lottery_mut(&c.widget_id)?.entry(c),
                WidgetKind::Lottery,
            )),
            Command::LotteryDraw(c) => Ok((
                self.lottery_mut(&c.widget_id)?.draw(c)?,
                WidgetKind::Lottery,
            )),
            Command::LotteryResult(c) => {
                let me = self.config.user_id.clone();
                Ok((
                    self.lottery_mut(&c.widget_id)?.result(c, me.as_deref()),
                    WidgetKind::Lottery,
                ))
            }
            Command::LotteryClaimed(c) => Ok((
                self.lottery_mut(&c.widget_id)?.claimed_by_server(c)?,
                WidgetKind::Lottery,
            )),
            Command::LeadOpen(spec) => self.open_widget(
                &spec.widget_id,
                WidgetKind::Lead,
                |w| matches!(w, Widget::Lead(x) if x.spec() == spec),
                || Lead::open(spec.clone()).map(|(w, t)| (Widget::Lead(w), t)),
            ),
            Command::LeadResult(c) => {
                Ok((self.lead_mut(&c.widget_id)?.result(c)?, WidgetKind::Lead))
            }
            Command::LikesOpen(spec) => self.open_widget(
                &spec.widget_id,
                WidgetKind::Likes,
                |w| matches!(w, Widget::Likes(x) if x.spec() == spec),
                || Likes::open(spec.clone()).map(|(w, t)| (Widget::Likes(w), t)),
            ),
            Command::LikesTotal(c) => Ok((
                self.likes_mut(&c.widget_id)?.set_total(c),
                WidgetKind::Likes,
            )),
            Command::ProductsOpen(spec) => self.open_widget(
                &spec.widget_id,
                WidgetKind::Products,
                |w| matches!(w, Widget::Products(x) if x.spec() == spec),
                || Products::open(spec.clone()).map(|(w, t)| (Widget::Products(w), t)),
            ),
            Command::ProductPresent(c) => Ok((
                self.products_mut(&c.widget_id)?.present(c)?,
                WidgetKind::Products,
            )),
            Command::ProductPin(c) => Ok((
                self.products_mut(&c.widget_id)?.pin(c)?,
                WidgetKind::Products,
            )),
            Command::ProductUnpin(c) => Ok((
                self.products_mut(&c.widget_id)?.unpin(c),
                WidgetKind::Products,
            )),
            Command::ProductStock(c) => Ok((
                self.products_mut(&c.widget_id)?.stock(c),
                WidgetKind::Products,
            )),
            Command::CouponOpen(spec) => self.open_widget(
                &spec.widget_id,
                WidgetKind::Coupon,
                |w| matches!(w, Widget::Coupon(x) if x.spec() == spec),
                || Coupon::open(spec.clone(), now).map(|(w, t)| (Widget::Coupon(w), t)),
            ),
            Command::CouponStock(c) => {
                Ok((self.coupon_mut(&c.widget_id)?.stock(c), WidgetKind::Coupon))
            }
            Command::CouponResult(c) => Ok((
                self.coupon_mut(&c.widget_id)?.result(c)?,
                WidgetKind::Coupon,
            )),
            Command::QuestionsOpen(spec) => self.open_widget(
                &spec.widget_id,
                WidgetKind::Questions,
                |w| matches!(w, Widget::Questions(x) if x.spec() == spec),
                || Questions::open(spec.clone()).map(|(w, t)| (Widget::Questions(w), t)),
            ),
            Command::QuestionQueue(c) => Ok((
                self.questions_mut(&c.widget_id)?.set_queue(c)?,
                WidgetKind::Questions,
            )),
            Command::QuestionAck(c) => Ok((
                self.questions_mut(&c.widget_id)?.ack(c)?,
                WidgetKind::Questions,
            )),
            Command::QuestionMark(c) => Ok((
                self.questions_mut(&c.widget_id)?.mark(c),
                WidgetKind::Questions,
            )),
            Command::TasksOpen(spec) => self.open_widget(
                &spec.widget_id,
                WidgetKind::Tasks,
                |w| matches!(w, Widget::Tasks(x) if x.spec() == spec),
                || Tasks::open(spec.clone(), now).map(|(w, t)| (Widget::Tasks(w), t)),
            ),
            Command::TasksProgress(c) => {
                let me = self.config.user_id.clone();
                Ok((
                    self.tasks_mut(&c.widget_id)?
                        .set_progress(c, me.as_deref())?,
                    WidgetKind::Tasks,
                ))
            }
            Command::TaskResult(c) => {
                Ok((self.tasks_mut(&c.widget_id)?.result(c)?, WidgetKind::Tasks))
            }
            Command::CouponWallet(c) => {
                let me = self.config.user_id.clone();
                Ok((
                    self.coupon_mut(&c.widget_id)?
                        .set_wallet(c, me.as_deref())?,
                    WidgetKind::Coupon,
                ))
            }
            Command::PollTally(t) => Ok((self.poll_mut(&t.widget_id)?.tally(t)?, poll)),
            Command::PollClose(t) => Ok((self.poll_mut(&t.widget_id)?.close(), poll)),
            Command::PollReveal(r) => Ok((self.poll_mut(&r.widget_id)?.reveal(r)?, poll)),
            Command::WidgetRemove(t) => {
                match self.widgets.iter().position(|w| w.id() == t.widget_id) {
                    None => Ok((Transition::default(), poll)),
                    Some(i) => {
                        let mut w = self.widgets.remove(i);
                        let mut events = match &mut w {
                            // A try-on taken down mid-session still reports how long it ran.
                            Widget::TryOn(t) => t.close(now).events,
                            _ => Vec::new(),
                        };
                        events.push(Event::WidgetHidden);
                        Ok((
                            Transition {
                                events,
                                changed: true,
                            },
                            w.kind(),
                        ))
                    }
                }
            }
            Command::RoomSnapshot(_) | Command::RoomLayout(_) => {
                unreachable!("room-wide commands are applied by apply")
            }
            #[cfg(feature = "fault")]
            Command::FaultOpen(spec) => self.open_widget(
                &spec.widget_id,
                WidgetKind::Fault,
                |w| matches!(w, Widget::Fault(x) if x.spec() == spec),
                || crate::fault::Fault::open(spec.clone(), now).map(|(w, t)| (Widget::Fault(w), t)),
            ),
            #[cfg(feature = "fault")]
            Command::FaultPoke(c) => {
                let i = self.position(&c.widget_id)?;
                match &mut self.widgets[i] {
                    Widget::Fault(f) => Ok((f.poke(), WidgetKind::Fault)),
                    _ => Err(wrong_kind("fault")),
                }
            }
        }
    }

    /// Applies a viewer action. On error, nothing changed.
    pub fn act(&mut self, action: &Action, now: Millis) -> Result<Effects, HudongError> {
        let id = action.widget_id().to_owned();
        if self.failed.contains(&id) {
            return Err(failed_error(&id));
        }
        let _scope = crate::blame::enter(&id);
        let actor = self
            .config
            .user_id
            .as_deref()
            .unwrap_or(&self.config.session_id);
        let key_prefix = format!("{}:{}:{}", self.config.room_id, id, actor);
        let (t, kind) = match action {
            Action::PollVote {
                widget_id,
                option_ids,
            } => (
                self.poll_mut(widget_id)
                    .and_then(|p| p.vote(option_ids, now, &key_prefix)),
                WidgetKind::Poll,
            ),
            Action::FlashGrab { widget_id } => (
                self.flash_mut(widget_id)
                    .and_then(|f| f.grab(now, &key_prefix)),
                WidgetKind::FlashSale,
            ),
            Action::FlashRemind { widget_id } => (
                self.flash_mut(widget_id).and_then(|f| f.remind(now)),
                WidgetKind::FlashSale,
            ),
            Action::QuizAnswer {
                widget_id,
                question_id,
                option_id,
            } => (
                self.quiz_mut(widget_id)
                    .and_then(|q| q.answer(question_id, option_id, now, &key_prefix)),
                WidgetKind::Quiz,
            ),
            Action::RedeemRequest { widget_id, item_id } => (
                self.redeem_mut(widget_id)
                    .and_then(|r| r.request(item_id, &key_prefix)),
                WidgetKind::Redeem,
            ),
            Action::TryOnStart { widget_id } => (
                self.tryon_mut(widget_id).and_then(|t| t.start()),
                WidgetKind::TryOn,
            ),
            Action::TryOnAllowCamera { widget_id } => (
                self.tryon_mut(widget_id).and_then(|t| t.allow_camera()),
                WidgetKind::TryOn,
            ),
            Action::TryOnCamera { widget_id, result } => (
                self.tryon_mut(widget_id)
                    .and_then(|t| t.camera(*result, now)),
                WidgetKind::TryOn,
            ),
            Action::TryOnPhoto { widget_id } => (
                self.tryon_mut(widget_id).and_then(|t| t.use_photo(now)),
                WidgetKind::TryOn,
            ),
            Action::TryOnPause { widget_id } => (
                self.tryon_mut(widget_id).map(|t| t.pause(now)),
                WidgetKind::TryOn,
            ),
            Action::TryOnTracker { widget_id, state } => (
                self.tryon_mut(widget_id).and_then(|t| t.track(*state)),
                WidgetKind::TryOn,
            ),
            Action::TryOnPlace { widget_id, pose } => (
                self.tryon_mut(widget_id).and_then(|t| t.place(*pose)),
                WidgetKind::TryOn,
            ),
            Action::TryOnSnapshot { widget_id } => (
                self.tryon_mut(widget_id).and_then(|t| t.snapshot_taken()),
                WidgetKind::TryOn,
            ),
            Action::TryOnAddToCart { widget_id } => (
                self.tryon_mut(widget_id)
                    .and_then(|t| t.add_to_cart(&key_prefix)),
                WidgetKind::TryOn,
            ),
            Action::TryOnClose { widget_id } => (
                self.tryon_mut(widget_id).map(|t| t.close(now)),
                WidgetKind::TryOn,
            ),
            Action::LotteryEnter { widget_id } => (
                self.lottery_mut(widget_id)
                    .and_then(|l| l.enter(now, &key_prefix)),
                WidgetKind::Lottery,
            ),
            Action::LotteryClaim { widget_id } => (
                self.lottery_mut(widget_id)
                    .and_then(|l| l.claim(&key_prefix)),
                WidgetKind::Lottery,
            ),
            Action::LeadClick { widget_id, via } => (
                self.lead_mut(widget_id).and_then(|l| l.click(*via)),
                WidgetKind::Lead,
            ),
            Action::LeadConsent { widget_id, given } => (
                self.lead_mut(widget_id).and_then(|l| l.set_consent(*given)),
                WidgetKind::Lead,
            ),
            Action::LeadConfirm { widget_id } => (
                self.lead_mut(widget_id)
                    .and_then(|l| l.confirm(now, &key_prefix)),
                WidgetKind::Lead,
            ),
            Action::LeadFold { widget_id, folded } => (
                self.lead_mut(widget_id).map(|l| l.fold(*folded)),
                WidgetKind::Lead,
            ),
            Action::LikeTap { widget_id } => (
                self.likes_mut(widget_id).map(|l| l.tap(now)),
                WidgetKind::Likes,
            ),
            Action::QuestionAsk { widget_id, text } => (
                self.questions_mut(widget_id)
                    .and_then(|q| q.ask(text, now, &key_prefix)),
                WidgetKind::Questions,
            ),
            Action::QuestionUpvote {
                widget_id,
                question_id,
            } => (
                self.questions_mut(widget_id)
                    .and_then(|q| q.upvote(question_id, &key_prefix)),
                WidgetKind::Questions,
            ),
            Action::TaskClaim { widget_id, task_id } => (
                self.tasks_mut(widget_id)
                    .and_then(|t| t.claim(task_id, now, &key_prefix)),
                WidgetKind::Tasks,
            ),
            Action::TaskShare { widget_id, channel } => (
                self.tasks_mut(widget_id).and_then(|t| t.share(channel)),
                WidgetKind::Tasks,
            ),
            Action::CouponClaim { widget_id } => (
                self.coupon_mut(widget_id)
                    .and_then(|c| c.claim(now, &key_prefix)),
                WidgetKind::Coupon,
            ),
            Action::CouponShare { widget_id, channel } => (
                self.coupon_mut(widget_id).and_then(|c| c.share(channel)),
                WidgetKind::Coupon,
            ),
            Action::ProductBuy { widget_id, sku } => (
                self.products_mut(widget_id)
                    .and_then(|p| p.tap(sku, ProductIntent::Buy, now, &key_prefix)),
                WidgetKind::Products,
            ),
            Action::ProductAddToCart { widget_id, sku } => (
                self.products_mut(widget_id)
                    .and_then(|p| p.tap(sku, ProductIntent::AddToCart, now, &key_prefix)),
                WidgetKind::Products,
            ),
            #[cfg(feature = "fault")]
            Action::FaultTap { widget_id } => (
                self.position(widget_id)
                    .and_then(|i| match &mut self.widgets[i] {
                        Widget::Fault(f) => Ok(f.tap()),
                        _ => Err(wrong_kind("fault")),
                    }),
                WidgetKind::Fault,
            ),
        };
        let t = t.map_err(|e| {
            if e.widget_id.is_none() {
                e.with_widget(&id)
            } else {
                e
            }
        })?;
        Ok(self.finish(&id, kind, t, now))
    }

    /// Time passes: every widget whose deadline is due moves on.
    pub fn tick(&mut self, now: Millis) -> Effects {
        let mut fx = Effects::default();
        for i in 0..self.widgets.len() {
            let t = {
                let _scope = crate::blame::enter(self.widgets[i].id());
                self.widgets[i].tick(now)
            };
            let (id, kind) = (self.widgets[i].id().to_owned(), self.widgets[i].kind());
            self.collect(&mut fx, &id, kind, t, now);
        }
        fx.wake_at = self.next_wake(now);
        fx
    }

    fn finish(&mut self, id: &str, kind: WidgetKind, t: Transition, now: Millis) -> Effects {
        let mut fx = Effects::default();
        self.collect(&mut fx, id, kind, t, now);
        fx.wake_at = self.next_wake(now);
        fx
    }

    fn envelope(
        &mut self,
        widget: Option<(&str, WidgetKind)>,
        event: Event,
        now: Millis,
    ) -> Envelope {
        self.seq += 1;
        let id = uuid::Builder::from_unix_timestamp_millis(now, &self.rng.bytes10()).into_uuid();
        Envelope {
            v: PROTOCOL_VERSION,
            event_id: id.hyphenated().to_string(),
            seq: self.seq,
            at: now,
            client_at: (now as i64).saturating_sub(self.clock_offset_ms).max(0) as Millis,
            room_id: self.config.room_id.clone(),
            session_id: self.config.session_id.clone(),
            user_id: self.config.user_id.clone(),
            widget_id: widget.map(|w| w.0.to_owned()),
            kind: widget.map(|w| w.1),
            event,
        }
    }
}

/// `fn name_mut(&mut self, id)`: the live widget with this id, if it is of that kind.
macro_rules! widget_mut {
    ($($name:ident => $variant:ident($ty:ty), $what:literal;)*) => {
        impl Room {
            $(fn $name(&mut self, id: &str) -> Result<&mut $ty, HudongError> {
                let i = self.position(id)?;
                match &mut self.widgets[i] {
                    Widget::$variant(w) => Ok(w),
                    _ => Err(wrong_kind($what)),
                }
            })*
        }
    };
}

widget_mut! {
    poll_mut => Poll(Poll), "a poll";
    quiz_mut => Quiz(Quiz), "a quiz";
    redeem_mut => Redeem(Redeem), "a point-redeem catalog";
    tryon_mut => TryOn(TryOn), "a try-on";
    lottery_mut => Lottery(Lottery), "a lottery";
    tasks_mut => Tasks(Tasks), "a task list";
    questions_mut => Questions(Questions), "a question queue";
    coupon_mut => Coupon(Coupon), "a coupon";
    products_mut => Products(Products), "a product card";
    likes_mut => Likes(Likes), "a like button";
    lead_mut => Lead(Lead), "a lead card";
    flash_mut => FlashSale(FlashSale), "a flash sale";
}

fn failed_error(widget_id: &str) -> HudongError {
    HudongError::new(
        ErrorCode::WidgetFailed,
        format!("widget \"{widget_id}\" failed earlier in this session and was taken down"),
    )
    .with_widget(widget_id)
}

fn conflict() -> HudongError {
    HudongError::new(
        ErrorCode::WidgetConflict,
        "a different widget with this id is live; remove it first",
    )
}

fn wrong_kind(expected: &str) -> HudongError {
    HudongError::new(
        ErrorCode::WrongWidgetKind,
        format!("this widget is not {expected}"),
    )
}
