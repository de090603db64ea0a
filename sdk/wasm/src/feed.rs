//! The room's command feed: messages from a source (or `room.receive`) go through the
//! sequencer (room order, duplicates, gaps, snapshots) and the delay line (the viewer's
//! playhead) before the room applies them. The clock is synced against the backend.
use crate::Inner;
use gloo::events::EventListener;
use gloo::timers::callback::Timeout;
use hudong_core::channel::{Carried, ChannelConfig, DelayLine, Sequenced, Sequencer};
use hudong_core::{Command, HudongError, Millis};
use hudong_web::source::{sync_clock, CommandSource, SourceCallbacks, SourceKind, SourceState};
use hudong_web::WakeTimer;
use js_sys::{Function, Reflect};
use serde::Deserialize;
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;

/// `{type: "websocket" | "sse", url, snapshot_url?}`
#[derive(Deserialize)]
pub struct SourceOptions {
    #[serde(rename = "type")]
    kind: String,
    url: String,
    #[serde(default)]
    snapshot_url: Option<String>,
}

/// Where the viewer's video is, in stream time (program-date-time, ms).
pub enum Playhead {
    /// No playhead: commands apply as they arrive.
    None,
    /// The video lags the live edge by a fixed, measured delay.
    Delay(f64),
    /// The host's function returns the playhead (or null while unknown).
    Function(Function),
}

/// A command with the message it was decoded from (a fresh value the module owns): the
/// room's journal records that message as it came, instead of encoding the command again.
pub struct Incoming {
    pub command: Command,
    pub input: JsValue,
}

impl Carried for Incoming {
    fn is_snapshot(&self) -> bool {
        self.command.is_snapshot()
    }
}

pub struct Feed {
    sequencer: RefCell<Sequencer<Incoming>>,
    delay: RefCell<DelayLine<Incoming>>,
    max_hold_ms: Millis,
    playhead: RefCell<Playhead>,
    source: RefCell<Option<CommandSource>>,
    time_url: Option<String>,
    state: Cell<&'static str>,
    gap_timer: RefCell<WakeTimer>,
    hold_timer: RefCell<Option<Timeout>>,
    listeners: RefCell<Vec<EventListener>>,
}

impl Feed {
    pub fn new(config: ChannelConfig, playhead: Playhead, time_url: Option<String>) -> Feed {
        Feed {
            delay: RefCell::new(DelayLine::new(config.max_hold_ms)),
            max_hold_ms: config.max_hold_ms,
            sequencer: RefCell::new(Sequencer::new(config)),
            playhead: RefCell::new(playhead),
            source: RefCell::new(None),
            time_url,
            state: Cell::new("none"),
            gap_timer: RefCell::new(WakeTimer::default()),
            hold_timer: RefCell::new(None),
            listeners: RefCell::new(Vec::new()),
        }
    }

    pub fn state(&self) -> &'static str {
        self.state.get()
    }

    pub fn close(&self) {
        if let Some(s) = self.source.borrow_mut().take() {
            s.close();
        }
        self.gap_timer.borrow_mut().cancel();
        self.hold_timer.borrow_mut().take();
        self.listeners.borrow_mut().clear();
    }

    /// `close`, skipping any part still borrowed by code that failed (after a panic).
    pub fn release(&self) {
        if let Ok(mut s) = self.source.try_borrow_mut() {
            if let Some(s) = s.take() {
                s.close();
            }
        }
        if let Ok(mut t) = self.gap_timer.try_borrow_mut() {
            t.cancel();
        }
        if let Ok(mut t) = self.hold_timer.try_borrow_mut() {
            t.take();
        }
        if let Ok(mut l) = self.listeners.try_borrow_mut() {
            l.clear();
        }
    }

    pub fn drop_connection(&self) {
        if let Some(s) = self.source.borrow().as_ref() {
            s.drop_connection();
        }
    }
}

/// Connects the room's source, starts clock sync, and follows page visibility.
pub fn start(me: &Rc<Inner>, source: Option<SourceOptions>) -> Result<(), JsValue> {
    if let Some(o) = source {
        let kind = match o.kind.as_str() {
            "websocket" => SourceKind::WebSocket { url: o.url },
            "sse" => {
                let snapshot_url = o.snapshot_url.ok_or_else(|| {
                    crate::invalid("commands of type \"sse\" need a snapshotUrl".into())
                })?;
                SourceKind::Sse {
                    url: o.url,
                    snapshot_url,
                }
            }
            other => {
                return Err(crate::invalid(format!(
                    "unknown commands type \"{other}\" (websocket, sse)"
                )))
            }
        };
        let (w1, w2, w3) = (Rc::downgrade(me), Rc::downgrade(me), Rc::downgrade(me));
        let callbacks = SourceCallbacks {
            on_message: Box::new(move |msg| {
                if let Some(me) = w1.upgrade() {
                    if let Err(e) = msg.and_then(|msg| receive_checked(&me, &msg)) {
                        me.emit_error(&e);
                    }
                }
            }),
            on_state: Box::new(move |s| {
                if let Some(me) = w2.upgrade() {
                    set_state(&me, s);
                }
            }),
            on_open: Box::new(move || {
                if let Some(me) = w3.upgrade() {
                    resync(&me);
                }
            }),
        };
        me.feed.state.set(SourceState::Connecting.as_str());
        *me.feed.source.borrow_mut() = Some(CommandSource::connect(kind, callbacks));
    }
    sync(me);
    if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
        let weak = Rc::downgrade(me);
        let d = doc.clone();
        me.feed.listeners.borrow_mut().push(EventListener::new(
            &doc,
            "visibilitychange",
            move |_| {
                if d.visibility_state() == web_sys::VisibilityState::Visible {
                    if let Some(me) = weak.upgrade() {
                        // Back from the background: the clock may have drifted and commands
                        // may have been missed while the page was frozen.
                        resync(&me);
                        me.render();
                    }
                }
            },
        ));
    }
    Ok(())
}

fn set_state(me: &Rc<Inner>, s: SourceState) {
    me.feed.state.set(s.as_str());
    me.set_connection(s == SourceState::Reconnecting);
    let value = js_sys::Object::new();
    let _ = Reflect::set(&value, &"type".into(), &"channel.state".into());
    let _ = Reflect::set(&value, &"state".into(), &s.as_str().into());
    let _ = me.emit.call1(&JsValue::NULL, &value);
}

/// Asks for a snapshot and re-measures the clock.
fn resync(me: &Rc<Inner>) {
    let now = me.clock.now();
    if me.feed.sequencer.borrow_mut().resync(now) {
        if let Some(s) = me.feed.source.borrow().as_ref() {
            s.request_snapshot();
        }
    }
    arm_gap_timer(me, now);
    me.clock.reset_samples();
    sync(me);
}

fn sync(me: &Rc<Inner>) {
    let Some(url) = me.feed.time_url.clone() else {
        return;
    };
    let weak = Rc::downgrade(me);
    let clock = me.clock.clone();
    spawn_local(async move {
        if sync_clock(&clock, &url, 5).await.is_some() {
            if let Some(me) = weak.upgrade() {
                me.room
                    .borrow_mut()
                    .set_clock_offset(clock.offset_from_device() as i64);
                me.render();
            }
        }
    });
}

/// One message from `room.receive`: `{seq?, pts?, ...command}`, as an object or JSON text.
/// Read whole and held to the input limits before anything is decoded.
pub fn receive(me: &Rc<Inner>, msg: &JsValue) -> Result<(), HudongError> {
    receive_checked(me, &hudong_web::read_whole(msg, "a message")?)
}

/// A message's `seq` and `pts`, each a non-negative whole number when present.
fn position(msg: &JsValue) -> Result<(Option<u64>, Option<Millis>), HudongError> {
    let as_millis = |k: &str| -> Result<Option<Millis>, HudongError> {
        match Reflect::get(msg, &k.into())
            .ok()
            .filter(|v| !v.is_undefined() && !v.is_null())
        {
            None => Ok(None),
            Some(v) => match v.as_f64() {
                Some(f) if f >= 0.0 && f.fract() == 0.0 && f <= 9_007_199_254_740_991.0 => {
                    Ok(Some(f as Millis))
                }
                _ => Err(HudongError::field(format!(
                    "\"{k}\" must be a non-negative integer"
                ))),
            },
        }
    };
    Ok((as_millis("seq")?, as_millis("pts")?))
}

/// A snapshot's `tail`: each `{seq, pts?, ...command}` decoded as the channel's own message,
/// checked to be in room order after the snapshot.
pub fn tail_of(msg: &JsValue, seq: Option<u64>) -> Result<Vec<Sequenced<Incoming>>, HudongError> {
    let tail = Reflect::get(msg, &"tail".into()).unwrap_or(JsValue::UNDEFINED);
    if tail.is_undefined() || tail.is_null() {
        return Ok(Vec::new());
    }
    let Some(list) = tail.dyn_ref::<js_sys::Array>() else {
        return Err(HudongError::field("\"tail\" must be an array of commands"));
    };
    let mut out = Vec::with_capacity(list.length() as usize);
    for (i, item) in list.iter().enumerate() {
        let (s, pts) =
            position(&item).map_err(|e| HudongError::field(format!("tail[{i}]: {}", e.message)))?;
        let command = hudong_web::decode_command_checked(&item)?;
        out.push(Sequenced {
            seq: s.unwrap_or(0),
            pts,
            command: Incoming {
                command,
                input: item,
            },
        });
    }
    hudong_core::channel::check_tail(seq, &out)?;
    Ok(out)
}

/// One message, parsed from checked text (a source's, or [`receive`]'s).
fn receive_checked(me: &Rc<Inner>, msg: &JsValue) -> Result<(), HudongError> {
    let (seq, pts) = position(msg)?;
    let command = hudong_web::decode_command_checked(msg)?;
    let tail = match &command {
        Command::RoomSnapshot(_) => {
            tail_of(msg, seq).map_err(|e| e.with_command("room.snapshot"))?
        }
        _ => Vec::new(),
    };
    let now = me.clock.now();
    let Some(seq) = seq else {
        // Not sequenced (a direct call, or a player's metadata): only the delay line applies.
        if let Command::RoomSnapshot(_) = command {
            // The snapshot at once; its tail, if any, on the video's time.
            me.apply(&command, msg)?;
            for t in tail {
                me.feed
                    .delay
                    .borrow_mut()
                    .push(Sequenced { seq: 0, ..t }, now);
            }
            release(me);
            return Ok(());
        }
        me.feed.delay.borrow_mut().push(
            Sequenced {
                seq: 0,
                pts,
                command: Incoming {
                    command,
                    input: msg.clone(),
                },
            },
            now,
        );
        release(me);
        return Ok(());
    };
    let intake = me.feed.sequencer.borrow_mut().receive_with_tail(
        Sequenced {
            seq,
            pts,
            command: Incoming {
                command,
                input: msg.clone(),
            },
        },
        tail,
        now,
    );
    if intake.need_snapshot {
        if let Some(s) = me.feed.source.borrow().as_ref() {
            s.request_snapshot();
        }
    }
    for m in intake.ready {
        if m.command.is_snapshot() {
            me.feed.delay.borrow_mut().drop_through(m.seq);
            me.apply(&m.command.command, &m.command.input)?;
        } else {
            me.feed.delay.borrow_mut().push(m, now);
        }
    }
    release(me);
    arm_gap_timer(me, now);
    Ok(())
}

/// How far the viewer's video is behind the room at server time `now` (ms, at most the
/// longest hold: beyond it commands are not held either); `None` while the player does not
/// know where it is.
pub fn behind(me: &Inner, now: Millis) -> Option<Millis> {
    let most = me.feed.max_hold_ms;
    let delay = match &*me.feed.playhead.borrow() {
        Playhead::None => return Some(0),
        Playhead::Delay(ms) => Some(*ms as Millis),
        Playhead::Function(_) => None,
    };
    match delay {
        Some(ms) => Some(ms.min(most)),
        None => match playhead(me) {
            Some(head) if head > 0 => Some(now.saturating_sub(head).min(most)),
            _ => None,
        },
    }
}

fn playhead(me: &Inner) -> Option<Millis> {
    // The host's function is called with nothing borrowed: it may call back into the room.
    let f = match &*me.feed.playhead.borrow() {
        Playhead::None => return None,
        Playhead::Delay(ms) => return Some((me.clock.now() as f64 - ms).max(0.0) as Millis),
        Playhead::Function(f) => f.clone(),
    };
    f.call0(&JsValue::NULL)
        .ok()
        .and_then(|v| v.as_f64())
        .filter(|v| v.is_finite() && *v > 0.0)
        .map(|v| v as Millis)
        // A playhead source that does not know yet holds everything (up to max_hold).
        .or(Some(0))
}

/// Follows another playhead from now on; what is held is checked against it at once.
pub fn set_playhead(me: &Rc<Inner>, playhead: Playhead) {
    *me.feed.playhead.borrow_mut() = playhead;
    release(me);
}

/// Applies what the playhead has reached; re-checks while anything is held.
fn release(me: &Rc<Inner>) {
    let now = me.clock.now();
    let head = playhead(me);
    let ready = me.feed.delay.borrow_mut().release(head, now);
    for m in ready {
        if let Err(e) = me.apply(&m.command.command, &m.command.input) {
            me.emit_error(&e);
        }
    }
    let delay = me.feed.delay.borrow();
    let wait = match (delay.next_deadline(), head.and_then(|h| delay.due_in(h))) {
        (None, _) => None,
        (Some(deadline), due) => {
            let until_deadline = deadline.saturating_sub(now);
            // Re-check at the due time, and at least every 250 ms (players pause and seek).
            Some(due.unwrap_or(250).min(250).min(until_deadline))
        }
    };
    drop(delay);
    *me.feed.hold_timer.borrow_mut() = wait.map(|ms| {
        let weak: Weak<Inner> = Rc::downgrade(me);
        Timeout::new(ms as u32, move || {
            if let Some(me) = weak.upgrade() {
                release(&me);
            }
        })
    });
}

fn arm_gap_timer(me: &Rc<Inner>, now: Millis) {
    let wake = me.feed.sequencer.borrow().next_wake();
    let weak = Rc::downgrade(me);
    me.feed.gap_timer.borrow_mut().arm(wake, now, move || {
        if let Some(me) = weak.upgrade() {
            me.feed.gap_timer.borrow_mut().cancel();
            let now = me.clock.now();
            if me.feed.sequencer.borrow_mut().tick(now) {
                if let Some(s) = me.feed.source.borrow().as_ref() {
                    s.request_snapshot();
                }
            }
            arm_gap_timer(&me, now);
        }
    });
}
