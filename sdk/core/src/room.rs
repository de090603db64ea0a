//! The room engine: owns the live widgets, routes commands and actions to their state
//! machines through the protocol's tables and the widget trait, and wraps what they report
//! into event envelopes. It names no widget: the registry (`widget.rs`) does.
use crate::error::{ErrorCode, HudongError};
use crate::protocol::{
    Action, Addressee, Command, Envelope, Event, RoomSnapshot, WidgetKind, PROTOCOL_VERSION,
};
use crate::rng::SplitMix64;
pub use crate::widget::Widget;
use crate::widget::{wrong_kind, Context, Transition};
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
    /// How far the viewer's video is behind the room, in ms ([`Room::set_behind`]).
    #[serde(default, skip_serializing_if = "is_zero")]
    behind_ms: Millis,
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
            behind_ms: 0,
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

    /// Records how far the viewer's video is behind the room (ms; 0: live, or no video).
    /// The widgets then live in the video's time: a countdown, a sale window or a deadline
    /// is reached when the video reaches it, `now - behind` of server time. Events keep
    /// server time in `at` and carry `behind_ms`.
    pub fn set_behind(&mut self, behind_ms: Millis) {
        self.behind_ms = behind_ms;
    }

    /// How far behind the room the viewer's video is, as last set.
    pub fn behind(&self) -> Millis {
        self.behind_ms
    }

    /// The widgets' time at server time `now`: the moment of the stream on the viewer's
    /// screen.
    fn widget_now(&self, now: Millis) -> Millis {
        now.saturating_sub(self.behind_ms)
    }

    /// Server time minus device time, in ms, as last set.
    pub fn clock_offset(&self) -> i64 {
        self.clock_offset_ms
    }

    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// The earliest deadline any widget is waiting for, as of `now`.
    pub fn next_wake(&self, now: Millis) -> Option<Millis> {
        let t = self.widget_now(now);
        self.widgets
            .iter()
            .filter_map(|w| w.next_deadline(t))
            .min()
            .map(|d| d.saturating_add(self.behind_ms))
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
            #[cfg(feature = "typescript")]
            tail: None,
        }
    }

    /// Makes the room match a snapshot. Checked whole before anything changes.
    fn apply_snapshot(&mut self, snap: &RoomSnapshot, now: Millis) -> Result<Effects, HudongError> {
        let t_now = self.widget_now(now);
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
                _ => Widget::from_snapshot(w, t_now)?.0.check_snapshot(w)?,
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
            let mut t = Transition::none();
            if self.widget(id).is_none() {
                let (created, opened) = Widget::from_snapshot(w, t_now)?;
                self.widgets.push(created);
                t = opened;
            }
            let i = self.position(id)?;
            let merged = self.widgets[i].merge_snapshot(w, t_now)?;
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
        match (command, command.addressee()) {
            (Command::RoomSnapshot(snap), _) => {
                return self
                    .apply_room_snapshot(snap, now)
                    .map_err(|e| e.with_command("room.snapshot"));
            }
            (Command::RoomLayout(layout), _) => {
                layout.check().map_err(|e| e.with_command("room.layout"))?;
                let render = self.layout != *layout;
                self.layout = layout.clone();
                return Ok(Effects {
                    events: Vec::new(),
                    render,
                    wake_at: self.next_wake(now),
                });
            }
            _ => {}
        }
        let id = command.widget_id().to_owned();
        if self.failed.contains(&id) {
            return Err(failed_error(&id).with_command(command.type_name()));
        }
        let _scope = crate::blame::enter(&id);
        match self.apply_to_widget(command, &id, now) {
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

    /// A snapshot from the server. A widget taken down after a failure stays down, whatever
    /// the server still has.
    fn apply_room_snapshot(
        &mut self,
        snap: &RoomSnapshot,
        now: Millis,
    ) -> Result<Effects, HudongError> {
        if !snap
            .widgets
            .iter()
            .any(|w| self.failed.contains(w.widget_id()))
        {
            return self.apply_snapshot(snap, now);
        }
        let kept = RoomSnapshot {
            widgets: snap
                .widgets
                .iter()
                .filter(|w| !self.failed.contains(w.widget_id()))
                .cloned()
                .collect(),
            layout: snap.layout.clone(),
            #[cfg(feature = "typescript")]
            tail: None,
        };
        self.apply_snapshot(&kept, now)
    }

    /// A command for one widget, routed by the protocol's table: `*.open` makes a widget
    /// (a repeat of the same open changes nothing; a different widget with the id is a
    /// conflict), `widget.remove` takes one down, anything else goes to the live widget of
    /// the kind the table names.
    fn apply_to_widget(
        &mut self,
        command: &Command,
        id: &str,
        now: Millis,
    ) -> Result<(Transition, WidgetKind), HudongError> {
        match command.addressee() {
            Addressee::Opens(kind) => {
                if let Some(existing) = self.widget(id) {
                    return if command.opens_same(existing) {
                        Ok((Transition::none(), kind))
                    } else {
                        Err(conflict())
                    };
                }
                let (w, t) = command
                    .open(self.widget_now(now))
                    .unwrap_or_else(|| unreachable!("the table routes only *.open here"))?;
                self.widgets.push(w);
                Ok((t, kind))
            }
            Addressee::AnyWidget => match self.widgets.iter().position(|w| w.id() == id) {
                // Nothing to remove: no event, so the kind is never read.
                None => Ok((Transition::none(), WidgetKind::Poll)),
                Some(i) => {
                    let mut w = self.widgets.remove(i);
                    // A widget taken down still reports what it has to (a try-on, how long
                    // it ran).
                    let mut events = w.remove(self.widget_now(now));
                    events.push(Event::WidgetHidden);
                    Ok((Transition::changed(events), w.kind()))
                }
            },
            Addressee::Widget(kind) => {
                let i = self.position_of_kind(id, kind)?;
                // Another viewer's own command (their standing, account, wallet) is not for
                // this room: it changes nothing here.
                let me = self.config.user_id.as_deref();
                if command.viewer().is_some_and(|u| Some(u) != me) {
                    return Ok((Transition::none(), kind));
                }
                let cx = context(&self.config, id, self.widget_now(now));
                let t = self.widgets[i].command(command, &cx)?;
                Ok((t, kind))
            }
            Addressee::Room => unreachable!("room-wide commands are applied by apply"),
        }
    }

    /// The live widget with this id, if it is of this kind.
    fn position_of_kind(&self, id: &str, kind: WidgetKind) -> Result<usize, HudongError> {
        let i = self.position(id)?;
        if self.widgets[i].kind() == kind {
            Ok(i)
        } else {
            Err(wrong_kind(kind.noun()))
        }
    }

    /// Applies a viewer action. On error, nothing changed.
    pub fn act(&mut self, action: &Action, now: Millis) -> Result<Effects, HudongError> {
        let id = action.widget_id().to_owned();
        if self.failed.contains(&id) {
            return Err(failed_error(&id));
        }
        let _scope = crate::blame::enter(&id);
        let kind = action.kind();
        let t_now = self.widget_now(now);
        let t = self
            .position_of_kind(&id, kind)
            .and_then(|i| self.widgets[i].act(action, &context(&self.config, &id, t_now)))
            .map_err(|e| {
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
        let t_now = self.widget_now(now);
        for i in 0..self.widgets.len() {
            let t = {
                let _scope = crate::blame::enter(self.widgets[i].id());
                self.widgets[i].tick(t_now)
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
            behind_ms: (self.behind_ms > 0).then_some(self.behind_ms),
            room_id: self.config.room_id.clone(),
            session_id: self.config.session_id.clone(),
            user_id: self.config.user_id.clone(),
            widget_id: widget.map(|w| w.0.to_owned()),
            kind: widget.map(|w| w.1),
            event,
        }
    }
}

/// Who acts, where and when, for a step of widget `id`.
fn context<'a>(config: &'a RoomConfig, id: &'a str, now: Millis) -> Context<'a> {
    Context {
        now,
        user_id: config.user_id.as_deref(),
        room_id: &config.room_id,
        widget_id: id,
        actor: config.user_id.as_deref().unwrap_or(&config.session_id),
    }
}

fn is_zero(v: &Millis) -> bool {
    *v == 0
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
