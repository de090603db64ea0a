//! # hudong-wasm
//!
//! The wasm-bindgen facade the npm package loads. It owns one [`Room`] per mounted room,
//! carries out the core's effects (render, wake-up, emit) through the browser glue, and
//! turns every failure, panics included, into an `error` event instead of an exception.
//!
//! JavaScript users do not call this module directly: `sdk/js/index.js` wraps it in the
//! documented API (`createRoom`, `apply`, `on`, `destroy`).
use hudong_core::delivery::{DeliveryConfig, Transport};
use hudong_core::wire::{PersonalPolicy, WireFormat};
use hudong_core::{Action, Command, Effects, ErrorCode, HudongError, Room, RoomConfig};
use hudong_web::courier::{parse_consent, Courier, CourierOptions};
use hudong_web::transport::{
    ConsoleTransport, FunctionTransport, HttpTransport, Settle, WebSocketTransport,
};
use hudong_web::{to_js, Clock, WakeTimer};
use js_sys::Function;
use serde::{Deserialize, Serialize};
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

mod feed;
#[cfg(feature = "views")]
mod view;

/// Options the JS facade passes when it creates a room.
#[derive(Deserialize)]
struct CoreOptions {
    room_id: String,
    session_id: String,
    #[serde(default)]
    user_id: Option<String>,
    #[serde(default)]
    seed: Option<f64>,
    #[serde(default)]
    server_time_offset_ms: f64,
    #[serde(default)]
    locale: Option<String>,
    #[serde(default)]
    theme: Option<String>,
    /// The host's texts in place of Hudong's own, by key (`{poll: "Vote"}`), over the
    /// locale's pack. The headless build draws nothing and ignores them.
    #[cfg(feature = "views")]
    #[serde(default)]
    strings: Option<std::collections::BTreeMap<String, String>>,
    #[serde(default)]
    transport: Option<TransportOptions>,
    #[serde(default)]
    format: Option<String>,
    #[serde(default)]
    write_key: Option<String>,
    #[serde(default)]
    delivery: DeliveryConfig,
    #[serde(default)]
    consent: Option<String>,
    #[serde(default)]
    personal: PersonalPolicy,
    #[serde(default = "yes")]
    persist: bool,
    /// Where commands come from: `{type: "websocket" | "sse", url, snapshot_url?}`.
    #[serde(default)]
    commands: Option<feed::SourceOptions>,
    /// The backend's time endpoint (`{"now": ms}`), for clock sync.
    #[serde(default)]
    time_url: Option<String>,
    /// A fixed stream delay of the viewer's video behind the live edge.
    #[serde(default)]
    playhead_delay_ms: Option<f64>,
    #[serde(default)]
    channel: hudong_core::channel::ChannelConfig,
    /// Widgets that failed in this room (after a failure restarted the module): taken down
    /// once the room's journal is replayed.
    #[serde(default)]
    fail_widgets: Vec<String>,
    /// The event queue the failed module's room handed over (when storage did not hold it).
    #[serde(default)]
    adopt_queue: Option<String>,
}

fn yes() -> bool {
    true
}

/// `{type: "http" | "websocket" | "function" | "console", url?, beacon_url?, headers?}`
#[derive(Deserialize)]
struct TransportOptions {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    beacon_url: Option<String>,
    #[serde(default)]
    headers: BTreeMap<String, String>,
}

fn invalid(message: String) -> JsValue {
    js_sys::TypeError::new(&message).into()
}

/// Builds the courier the options ask for, or none (events then go to listeners only).
fn courier_for(
    o: &mut CoreOptions,
    seed: u64,
    clock: Clock,
    function: Option<Function>,
    on_error: impl Fn(HudongError) + 'static,
) -> Result<Option<Courier>, JsValue> {
    let Some(t) = o.transport.take() else {
        return Ok(None);
    };
    let url = |what: &str| {
        t.url
            .clone()
            .ok_or_else(|| invalid(format!("transport \"{what}\" needs a url")))
    };
    let make: Box<dyn FnOnce(Settle) -> Box<dyn Transport>> = match t.kind.as_str() {
        "http" => {
            let (url, beacon, headers) = (
                url("http")?,
                t.beacon_url.clone(),
                t.headers.clone().into_iter().collect(),
            );
            Box::new(move |settle| Box::new(HttpTransport::new(url, beacon, headers, settle)))
        }
        "websocket" => {
            let url = url("websocket")?;
            Box::new(move |settle| Box::new(WebSocketTransport::new(url, settle)))
        }
        "function" => {
            let f = function
                .ok_or_else(|| invalid("transport \"function\" needs a function".into()))?;
            Box::new(move |settle| Box::new(FunctionTransport::new(f, settle)))
        }
        "console" => Box::new(|settle| Box::new(ConsoleTransport::new(settle))),
        other => {
            return Err(invalid(format!(
                "unknown transport type \"{other}\" (http, websocket, function, console)"
            )))
        }
    };
    let format = match o.format.as_deref().unwrap_or("hudong") {
        "hudong" => WireFormat::Hudong,
        "segment" => WireFormat::Segment {
            write_key: o.write_key.clone(),
        },
        other => {
            return Err(invalid(format!(
                "unknown format \"{other}\" (hudong, segment)"
            )))
        }
    };
    let consent = match o.consent.as_deref() {
        None => hudong_core::delivery::Consent::Granted,
        Some(c) => parse_consent(c).ok_or_else(|| {
            invalid(format!(
                "consent must be granted, pending or denied, not \"{c}\""
            ))
        })?,
    };
    let options = CourierOptions {
        room_id: o.room_id.clone(),
        session_id: o.session_id.clone(),
        format,
        personal: o.personal.clone(),
        config: o.delivery.clone(),
        consent,
        persist: o.persist,
        seed,
        adopt: o.adopt_queue.take(),
    };
    Ok(Some(Courier::new(options, clock, make, on_error)))
}

/// The result of `apply` and `act`, as JavaScript sees it.
#[derive(Serialize)]
struct Outcome<'a> {
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a HudongError>,
}

/// When a step's redraw happens. Commands from the server are drawn in the next animation
/// frame, once however many arrive; the viewer's own action is drawn at once: its feedback
/// is immediate, and the next key press or tap must act on what it changed.
#[derive(Clone, Copy)]
enum Draw {
    NextFrame,
    Now,
}

struct Inner {
    room: RefCell<Room>,
    clock: Clock,
    /// How far the viewer's video is behind the room (ms), as last read from the playhead:
    /// the widgets and the views live in the video's time (`Room::set_behind`).
    behind: Rc<Cell<hudong_core::Millis>>,
    timer: RefCell<WakeTimer>,
    /// Called with each event envelope, and with `{type: "error", ...}` objects.
    emit: Function,
    destroyed: Cell<bool>,
    courier: RefCell<Option<Courier>>,
    feed: feed::Feed,
    #[cfg(feature = "views")]
    view: RefCell<Option<view::View>>,
    /// The next frame's redraw, when one is asked for: however many commands arrive
    /// between two frames, the overlay is drawn once, from the state as it is then.
    #[cfg(feature = "views")]
    frame: RefCell<Option<gloo::render::AnimationFrame>>,
    #[cfg(feature = "views")]
    frame_pending: Cell<bool>,
    /// Called with `[kind, input, now, clock_offset, behind]` after every step the room took
    /// (`"c"` a command, `"a"` an action, `"t"` a tick): the room is a pure function of
    /// these, so replaying them rebuilds it exactly if the module has to restart.
    journal: Option<Function>,
    /// Steps recorded since the journal last started again from a checkpoint.
    since_checkpoint: Cell<u32>,
    /// The viewer's session (also in the room, which a failure may leave borrowed).
    session_id: String,
}

thread_local! {
    /// Live rooms, so a panic can be reported to each of them.
    static LIVE: RefCell<Vec<Weak<Inner>>> = const { RefCell::new(Vec::new()) };
    /// The facade's failure handler: `(message, widget_id | undefined)`.
    static ON_PANIC: RefCell<Option<Function>> = const { RefCell::new(None) };
}

/// Registers the function told of a panic, with the message and the widget whose code was
/// running (`undefined` when none was). The module cannot go on after a panic: the facade
/// restarts it and rebuilds the rooms from their journals without that widget. Without
/// a handler, each live room gets an `internal` error event.
#[wasm_bindgen(js_name = setPanicHandler)]
pub fn set_panic_handler(handler: Option<Function>) {
    install_panic_hook();
    ON_PANIC.with(|h| *h.borrow_mut() = handler);
}

/// After a panic: releases what every live room holds in the page (timers, frames,
/// sockets, listeners, camera tracks, the event queue's lock), as far as the failed module
/// still can, before the facade restarts it. Returns `{session_id: queue}` for the event
/// queues storage does not hold, to hand to the restored rooms (the others are adopted from
/// storage).
#[wasm_bindgen(js_name = releaseAll)]
pub fn release_all() -> js_sys::Object {
    let queues = js_sys::Object::new();
    let rooms: Vec<Rc<Inner>> = LIVE
        .try_with(|live| {
            live.try_borrow()
                .map(|l| l.iter().filter_map(Weak::upgrade).collect())
                .unwrap_or_default()
        })
        .unwrap_or_default();
    for room in rooms {
        if let Some(queue) = room.release() {
            let _ = js_sys::Reflect::set(
                &queues,
                &JsValue::from_str(&room.session_id),
                &JsValue::from_str(&queue),
            );
        }
    }
    #[cfg(feature = "views")]
    hudong_widgets::halt();
    hudong_web::camera::release_all();
    queues
}

/// Steps between two checkpoints of a room's journal (see `Inner::record`).
const CHECKPOINT_EVERY: u32 = 100;

/// Replays a room's journal into a new room: the same steps at the same times give the same
/// state, sequence numbers and event ids. The events were delivered the first time round
/// and are dropped; a step that is refused now (it cannot be: the core is deterministic)
/// is skipped.
fn replay_journal(room: &mut Room, steps: &js_sys::Array) -> Result<(), JsValue> {
    for entry in steps.iter() {
        let get = |i: u32| js_sys::Reflect::get_u32(&entry, i).unwrap_or(JsValue::UNDEFINED);
        let kind = get(0).as_string().unwrap_or_default();
        let input = get(1);
        let now = get(2).as_f64().unwrap_or(0.0) as hudong_core::Millis;
        if let Some(offset) = get(3).as_f64() {
            room.set_clock_offset(offset as i64);
        }
        if let Some(behind) = get(4).as_f64() {
            room.set_behind(behind.max(0.0) as hudong_core::Millis);
        }
        match kind.as_str() {
            // The journal's own entries, written by the module: plain values, decoded as
            // they are (no reading whole, no limits: they are not the page's input).
            "c" => {
                if let Ok(c) = hudong_web::decode_command_checked(&input) {
                    let _ = room.apply(&c, now);
                }
            }
            "a" => {
                if let Ok(a) = serde_wasm_bindgen::from_value::<Action>(input) {
                    let _ = room.act(&a, now);
                }
            }
            "t" => {
                let _ = room.tick(now);
            }
            // A checkpoint: the room as it was then (its journal starts again from it).
            "k" => *room = restore_checkpoint(&input)?,
            _ => {}
        }
    }
    Ok(())
}

/// The room a checkpoint holds (its JSON text).
#[cfg(feature = "restore")]
fn restore_checkpoint(input: &JsValue) -> Result<Room, JsValue> {
    let text = input.as_string().unwrap_or_default();
    hudong_web::from_json::<Room>(&text)
        .map_err(|e| invalid(format!("the room's checkpoint could not be read: {e}")))
}

/// Without the `restore` feature the module cannot read a checkpoint: the facade restores
/// such a room with the recovery build instead.
#[cfg(not(feature = "restore"))]
fn restore_checkpoint(_: &JsValue) -> Result<Room, JsValue> {
    Err(invalid(
        "this build cannot restore a room from a checkpoint (the recovery build can)".into(),
    ))
}

/// Whether this build restores rooms from checkpoints (the recovery build, and test builds).
#[wasm_bindgen(js_name = canRestore)]
pub fn can_restore() -> bool {
    cfg!(feature = "restore")
}

fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let hook = Box::new(|info: &std::panic::PanicHookInfo<'_>| {
            let widget = hudong_core::blame::current();
            let mut err = HudongError::new(ErrorCode::Internal, format!("Hudong failed: {info}"));
            if let Some(w) = &widget {
                err = err.with_widget(w);
            }
            web_sys::console::error_1(&JsValue::from_str(&err.message));
            let handler = ON_PANIC
                .try_with(|h| h.try_borrow().ok().and_then(|h| h.clone()))
                .ok()
                .flatten();
            if let Some(f) = handler {
                let widget = widget.map_or(JsValue::UNDEFINED, |w| JsValue::from_str(&w));
                let _ = f.call2(&JsValue::NULL, &JsValue::from_str(&err.message), &widget);
                return;
            }
            // try_with: during teardown the thread-local may be gone.
            let _ = LIVE.try_with(|live| {
                if let Ok(live) = live.try_borrow() {
                    for room in live.iter().filter_map(Weak::upgrade) {
                        room.emit_error(&err);
                    }
                }
            });
        });
        #[cfg(feature = "views")]
        yew::set_custom_panic_hook(hook);
        #[cfg(not(feature = "views"))]
        std::panic::set_hook(hook);
    });
}

fn emit_error_to(emit: &Function, err: &HudongError) {
    let value = to_js(err);
    let _ = js_sys::Reflect::set(&value, &"type".into(), &"error".into());
    let _ = emit.call1(&JsValue::NULL, &value);
}

impl Inner {
    fn emit_error(&self, err: &HudongError) {
        emit_error_to(&self.emit, err);
    }

    /// Shows or hides the overlay's "reconnecting" notice.
    fn set_connection(&self, reconnecting: bool) {
        #[cfg(feature = "views")]
        if let Some(view) = self.view.borrow_mut().as_mut() {
            view.set_reconnecting(reconnecting);
        }
        #[cfg(not(feature = "views"))]
        let _ = reconnecting;
    }

    /// Carries out what a step asked for: redraw, re-arm the wake-up, then emit events
    /// (last, so a listener that calls back into the room finds it consistent).
    fn perform(self: &Rc<Self>, fx: Effects, draw: Draw) {
        if fx.render {
            match draw {
                Draw::NextFrame => self.render(),
                Draw::Now => self.render_now(),
            }
        }
        let weak = Rc::downgrade(self);
        self.timer
            .borrow_mut()
            .arm(fx.wake_at, self.clock.now(), move || {
                if let Some(me) = weak.upgrade() {
                    me.timer.borrow_mut().cancel();
                    me.tick();
                }
            });
        for event in &fx.events {
            // Into the durable queue first, then to the page's listeners.
            if let Some(c) = self.courier.borrow().as_ref() {
                c.enqueue(event);
                // A request the viewer now waits on leaves at once, not with the next batch.
                if event.event.awaits_answer() {
                    c.flush();
                }
            }
            let _ = self.emit.call1(&JsValue::NULL, &to_js(event));
        }
    }

    /// Records a step the room took, for a replay (see `journal`). Every
    /// [`CHECKPOINT_EVERY`] steps the entry is instead a checkpoint, `["k", room, now,
    /// offset, behind]`: the whole room as JSON text, from which the journal starts again, so a
    /// six-hour show keeps a journal of a few hundred steps, not of every step it took.
    fn record(&self, kind: &str, input: JsValue, now: hudong_core::Millis) {
        let Some(f) = &self.journal else { return };
        let offset = self.room.try_borrow().map_or(0, |r| r.clock_offset());
        let steps = self.since_checkpoint.get() + 1;
        // The room's JSON stays a JavaScript string: it is not copied into the module.
        let checkpoint = (steps >= CHECKPOINT_EVERY)
            .then(|| {
                let room = self.room.try_borrow().ok()?;
                let value = hudong_web::try_to_js(&*room).ok()?;
                js_sys::JSON::stringify(&value).ok()
            })
            .flatten();
        let (kind, input) = match checkpoint {
            Some(state) => {
                self.since_checkpoint.set(0);
                ("k", state.into())
            }
            None => {
                self.since_checkpoint.set(steps);
                (kind, input)
            }
        };
        let entry = js_sys::Array::of5(
            &JsValue::from_str(kind),
            &input,
            &JsValue::from_f64(now as f64),
            &JsValue::from_f64(offset as f64),
            &JsValue::from_f64(self.behind.get() as f64),
        );
        let _ = f.call1(&JsValue::NULL, &entry);
    }

    /// Lets go of everything the room holds in the page (timers, frames, sockets, listeners,
    /// the event queue's lock, the overlay) without trusting its state: after a panic some
    /// parts may still be borrowed by the code that failed, and are skipped. The event queue
    /// is saved first, for the restored room to take over.
    fn release(&self) -> Option<String> {
        self.destroyed.set(true);
        let handover = self
            .courier
            .try_borrow()
            .ok()
            .and_then(|c| c.as_ref().and_then(Courier::handover));
        if let Ok(mut t) = self.timer.try_borrow_mut() {
            t.cancel();
        }
        self.feed.release();
        if let Ok(mut c) = self.courier.try_borrow_mut() {
            if let Some(c) = c.take() {
                c.close();
            }
        }
        #[cfg(feature = "views")]
        {
            if let Ok(mut f) = self.frame.try_borrow_mut() {
                f.take();
            }
            if !view::failed_in_render() {
                if let Ok(mut v) = self.view.try_borrow_mut() {
                    if let Some(v) = v.take() {
                        v.destroy();
                    }
                }
            }
        }
        handover
    }

    /// Asks for a redraw in the next animation frame (none while the tab is hidden: the
    /// browser holds frames back, and the overlay is drawn once when the viewer returns).
    fn render(self: &Rc<Self>) {
        #[cfg(feature = "views")]
        {
            if self.frame_pending.get() || self.view.borrow().is_none() {
                return;
            }
            self.frame_pending.set(true);
            let weak = Rc::downgrade(self);
            // Replacing the previous handle drops a frame that has already run.
            *self.frame.borrow_mut() = Some(gloo::render::request_animation_frame(move |_| {
                if let Some(me) = weak.upgrade() {
                    me.frame_pending.set(false);
                    me.draw();
                }
            }));
        }
    }

    #[cfg(feature = "views")]
    fn draw(&self) {
        if self.destroyed.get() {
            return;
        }
        if let Some(view) = self.view.borrow_mut().as_mut() {
            let room = self.room.borrow();
            view.update(room.widgets(), room.layout());
        }
    }

    fn tick(self: &Rc<Self>) {
        if self.destroyed.get() {
            return;
        }
        let now = self.now();
        let fx = self.room.borrow_mut().tick(now);
        self.record("t", JsValue::UNDEFINED, now);
        self.perform(fx, Draw::NextFrame);
    }

    /// Server time for a step. Once the clock is synced, the room's record of the device
    /// clock's offset is refreshed too, so events' `client_at` stays the device's time even
    /// after its clock jumps (server time does not move: it runs on the monotonic clock).
    fn now(&self) -> hudong_core::Millis {
        let now = self.clock.now();
        if let Some(behind) = feed::behind(self, now) {
            if behind != self.behind.get() {
                self.behind.set(behind);
                self.room.borrow_mut().set_behind(behind);
            }
        }
        if self.clock.is_synced() {
            let device = js_sys::Date::now();
            if device.is_finite() {
                self.room
                    .borrow_mut()
                    .set_clock_offset(now as i64 - device as i64);
            }
        }
        now
    }

    /// Applies a command decoded from `input` (a fresh value the module owns), which the
    /// journal records as it came.
    fn apply(self: &Rc<Self>, command: &Command, input: &JsValue) -> Result<(), HudongError> {
        let now = self.now();
        let fx = self.room.borrow_mut().apply(command, now)?;
        self.record("c", input.clone(), now);
        self.perform(fx, Draw::NextFrame);
        Ok(())
    }

    fn act(self: &Rc<Self>, action: &Action) -> Result<(), HudongError> {
        let now = self.now();
        let fx = self.room.borrow_mut().act(action, now)?;
        self.record("a", to_js(action), now);
        self.perform(fx, Draw::Now);
        Ok(())
    }

    /// Draws now, in place of a redraw waiting for the next frame (which is cancelled).
    fn render_now(&self) {
        #[cfg(feature = "views")]
        {
            if self.frame_pending.replace(false) {
                self.frame.borrow_mut().take();
            }
            self.draw();
        }
    }

    fn outcome(&self, result: Result<(), HudongError>) -> JsValue {
        match result {
            Ok(()) => to_js(&Outcome {
                ok: true,
                error: None,
            }),
            Err(e) => {
                self.emit_error(&e);
                to_js(&Outcome {
                    ok: false,
                    error: Some(&e),
                })
            }
        }
    }
}

/// Whether this build draws the overlay (`false` for the headless build).
#[wasm_bindgen(js_name = hasViews)]
pub fn has_views() -> bool {
    cfg!(feature = "views")
}

/// The keys of the overlay's texts a host may replace with `options.strings` (none in the
/// headless build, which draws nothing).
#[wasm_bindgen(js_name = stringKeys)]
pub fn string_keys() -> Vec<String> {
    #[cfg(feature = "views")]
    return hudong_widgets::Strings::KEYS
        .iter()
        .map(|k| (*k).to_owned())
        .collect();
    #[cfg(not(feature = "views"))]
    Vec::new()
}

/// Fetches the code of these kinds of widget (`"poll"`, `"flash_sale"`…; none given: every
/// kind) now, so that their first frame need not wait for it (the SDK fetches each kind's
/// view when a widget of that kind is first drawn): whether all of it arrived.
#[cfg(feature = "views")]
#[wasm_bindgen]
pub async fn prefetch(kinds: Option<Vec<String>>) -> bool {
    hudong_widgets::prefetch(kinds).await
}

/// Decimal places of a currency's minor unit (ISO 4217), as Hudong reads prices.
#[wasm_bindgen(js_name = minorDigits)]
pub fn minor_digits(currency: &str) -> u32 {
    hudong_core::money::minor_digits(currency)
}

/// The language pack (`locales/<pack>.json` beside the module) a room in `locale` needs
/// on top of the built-in strings, if any (never in the headless build).
#[wasm_bindgen(js_name = localePack)]
pub fn locale_pack(locale: &str) -> Option<String> {
    #[cfg(feature = "views")]
    return hudong_widgets::locale_pack(locale).map(str::to_owned);
    #[cfg(not(feature = "views"))]
    {
        let _ = locale;
        None
    }
}

/// One viewer's room: the engine, its timer and (with views) its overlay.
#[wasm_bindgen]
pub struct RoomCore {
    inner: Rc<Inner>,
    /// The widget taken down when this room was restored after a failure, if it held it.
    took_down: Option<String>,
}

#[wasm_bindgen]
impl RoomCore {
    /// `mount`: the element the overlay renders into (`null` for headless use).
    /// `options`: the room's data, read whole as JSON: `{room_id, session_id, user_id?,
    /// seed?, server_time_offset_ms?, locale?, theme?, …}`.
    /// `hooks`: what the room calls back, from the facade: `{emit, transport?, playhead?,
    /// journal?, replay?}` — `emit` gets every event and error; `transport` is the host's
    /// send function (for `transport: {type: "function"}`); `playhead` the host's playhead
    /// function (program-date-time in ms, or null); `journal` records each step for a
    /// replay; `replay` is a journal to rebuild the room from.
    #[wasm_bindgen(constructor)]
    pub fn new(
        mount: Option<web_sys::Element>,
        options: JsValue,
        hooks: &js_sys::Object,
    ) -> Result<RoomCore, JsValue> {
        install_panic_hook();
        let hook = |name: &str| {
            js_sys::Reflect::get(hooks, &JsValue::from_str(name))
                .ok()
                .filter(|v| !v.is_undefined() && !v.is_null())
        };
        let function = |name: &str| hook(name).and_then(|v| v.dyn_into::<Function>().ok());
        let emit =
            function("emit").ok_or_else(|| invalid("hooks.emit must be a function".into()))?;
        let (transport, playhead, journal) = (
            function("transport"),
            function("playhead"),
            function("journal"),
        );
        let replay = hook("replay").and_then(|v| v.dyn_into::<js_sys::Array>().ok());
        // Read whole, as JSON text, before anything else: a page's object that throws while
        // it is read is a TypeError here, not an exception inside the module.
        let options =
            hudong_web::read_whole(&options, "the room options").map_err(|e| invalid(e.message))?;
        let mut o: CoreOptions = serde_wasm_bindgen::from_value(options)
            .map_err(|e| invalid(format!("invalid room options: {e}")))?;
        #[cfg(feature = "views")]
        let strings = {
            let overrides: Vec<(String, String)> =
                o.strings.take().unwrap_or_default().into_iter().collect();
            hudong_widgets::Strings::resolve(o.locale.as_deref().unwrap_or("zh-CN"), &overrides)
                .map_err(|e| invalid(format!("invalid room options: {e}")))?
        };
        let seed = o
            .seed
            .unwrap_or_else(|| js_sys::Math::random() * 9_007_199_254_740_991.0)
            as u64;
        let clock = Clock::with_offset(o.server_time_offset_ms);
        let errors = emit.clone();
        let courier = courier_for(&mut o, seed, clock.clone(), transport, move |e| {
            emit_error_to(&errors, &e)
        })?;
        let session_id = o.session_id.clone();
        let mut config = RoomConfig::new(o.room_id, o.session_id).with_seed(seed);
        config.user_id = o.user_id;
        let mut room = Room::new(config);
        room.set_clock_offset(o.server_time_offset_ms as i64);
        let restored = replay.is_some();
        if let Some(steps) = &replay {
            replay_journal(&mut room, steps)?;
        }
        let took_down: Vec<String> = o
            .fail_widgets
            .iter()
            .filter(|w| room.fail_widget(w))
            .cloned()
            .collect();
        let took_down = took_down.last().cloned();
        let playhead = match (playhead, o.playhead_delay_ms) {
            (Some(f), _) => feed::Playhead::Function(f),
            (None, Some(ms)) if ms.is_finite() && ms >= 0.0 => feed::Playhead::Delay(ms),
            (None, Some(_)) => {
                return Err(invalid(
                    "playhead delay must be a non-negative number of ms".into(),
                ))
            }
            (None, None) => feed::Playhead::None,
        };
        let source = o.commands.take();
        let inner = Rc::new(Inner {
            behind: Rc::new(Cell::new(room.behind())),
            room: RefCell::new(room),
            clock: clock.clone(),
            timer: RefCell::new(WakeTimer::default()),
            emit,
            destroyed: Cell::new(false),
            courier: RefCell::new(courier),
            feed: feed::Feed::new(o.channel.clone(), playhead, o.time_url.clone()),
            #[cfg(feature = "views")]
            view: RefCell::new(None),
            #[cfg(feature = "views")]
            frame: RefCell::new(None),
            #[cfg(feature = "views")]
            frame_pending: Cell::new(false),
            journal,
            since_checkpoint: Cell::new(0),
            session_id: session_id.clone(),
        });
        #[cfg(feature = "views")]
        if let Some(mount) = mount {
            let weak = Rc::downgrade(&inner);
            let on_action = move |action: Action| {
                if let Some(me) = weak.upgrade() {
                    let result = me.act(&action);
                    if let Err(e) = result {
                        me.emit_error(&e);
                    }
                }
            };
            let clock = inner.clock.clone();
            let behind = inner.behind.clone();
            let v = view::View::mount(
                mount,
                strings,
                o.theme.as_deref().unwrap_or("auto"),
                // The views' countdowns run on the video's time, like the widgets.
                move || clock.now().saturating_sub(behind.get()),
                on_action,
            );
            *inner.view.borrow_mut() = Some(v);
        }
        #[cfg(not(feature = "views"))]
        let _ = (mount, o.locale, o.theme);
        LIVE.with(|live| {
            let mut live = live.borrow_mut();
            live.retain(|w| w.strong_count() > 0);
            live.push(Rc::downgrade(&inner));
        });
        feed::start(&inner, source)?;
        if restored {
            // Drawn and woken as it was before the failure, without the widget that failed.
            let now = inner.now();
            let wake_at = inner.room.borrow().next_wake(now);
            inner.perform(
                Effects {
                    events: Vec::new(),
                    render: true,
                    wake_at,
                },
                Draw::Now,
            );
        }
        Ok(RoomCore { inner, took_down })
    }

    /// Applies a command (an object or JSON text). Returns `{ok: true}` or `{ok: false,
    /// error}`; an error is also emitted as an `error` event. Never throws for bad input:
    /// the command is read whole and held to the input limits (`hudong_core::limits`)
    /// before it is decoded.
    pub fn apply(&self, command: JsValue) -> JsValue {
        let result = self.check_alive().and_then(|_| {
            let value = hudong_web::read_whole(&command, "a command")?;
            let command = hudong_web::decode_command_checked(&value)?;
            // A snapshot's tail, applied at once after it (a channel holds it for the video).
            let tail = match &command {
                Command::RoomSnapshot(_) => feed::tail_of(&value, None)
                    .map_err(|e| e.with_command("room.snapshot"))?,
                _ => Vec::new(),
            };
            self.inner.apply(&command, &value)?;
            for t in tail {
                if let Err(e) = self.inner.apply(&t.command.command, &t.command.input) {
                    self.inner.emit_error(&e);
                }
            }
            Ok(())
        });
        self.inner.outcome(result)
    }

    /// Takes one message from any command source: `{seq?, pts?, ...command}`. Sequenced
    /// messages are put in room order (duplicates dropped, gaps held or filled by a
    /// snapshot); messages with a stream position wait for the viewer's playhead.
    pub fn receive(&self, message: JsValue) -> JsValue {
        let result = self
            .check_alive()
            .and_then(|_| feed::receive(&self.inner, &message));
        self.inner.outcome(result)
    }

    /// Follows another playhead from now on: a function returning the stream time on
    /// screen (ms, or null while unknown), as the `playhead` hook (`attachHls`,
    /// `attachVideo`); `null` goes back to none (commands apply as they arrive).
    #[wasm_bindgen(js_name = setPlayhead)]
    pub fn set_playhead(&self, playhead: Option<Function>) -> JsValue {
        let result = self.check_alive().map(|_| {
            feed::set_playhead(
                &self.inner,
                playhead.map_or(feed::Playhead::None, feed::Playhead::Function),
            )
        });
        self.inner.outcome(result)
    }

    /// The room as a server would send it to a late joiner (`room.snapshot`).
    pub fn snapshot(&self) -> JsValue {
        let value = to_js(&self.inner.room.borrow().snapshot());
        let _ = js_sys::Reflect::set(&value, &"type".into(), &"room.snapshot".into());
        value
    }

    /// Server time now, in ms since the epoch.
    #[wasm_bindgen(js_name = serverNow)]
    pub fn server_now(&self) -> f64 {
        self.inner.clock.now() as f64
    }

    /// `"none"` (no source), `"connecting"`, `"live"`, `"reconnecting"` or `"closed"`.
    #[wasm_bindgen(js_name = channelState)]
    pub fn channel_state(&self) -> String {
        self.inner.feed.state().to_owned()
    }

    /// Drops the command connection; it reconnects (with backoff) and resyncs.
    pub fn reconnect(&self) {
        self.inner.feed.drop_connection();
    }

    /// Performs a viewer action (`{type: "poll.vote", widget_id, option_ids}`), as a tap
    /// on the overlay would. For headless hosts that draw their own UI.
    pub fn act(&self, action: JsValue) -> JsValue {
        let result = self.check_alive().and_then(|_| {
            let action = hudong_web::decode_action(&action)?;
            self.inner.act(&action)
        });
        self.inner.outcome(result)
    }

    /// The live widgets and their state, as plain objects.
    pub fn widgets(&self) -> JsValue {
        to_js(self.inner.room.borrow().widgets())
    }

    /// Plugs an AR engine into try-on widgets (`tracker`: an object with `track(source,
    /// now)`, or null for hand placement), a snapshot receiver (`on_snapshot(blob)`), and
    /// the most tracker calls per second (0: 30).
    #[wasm_bindgen(js_name = setTryOn)]
    pub fn set_try_on(
        &self,
        tracker: JsValue,
        on_snapshot: Option<Function>,
        max_fps: u32,
    ) -> Result<(), JsValue> {
        let tracker = if tracker.is_null() || tracker.is_undefined() {
            None
        } else {
            Some(hudong_web::tracker::Tracker::new(tracker).map_err(invalid)?)
        };
        #[cfg(feature = "views")]
        if let Some(v) = self.inner.view.borrow_mut().as_mut() {
            let on_snapshot = on_snapshot.map(|f| {
                yew::Callback::from(move |blob: web_sys::Blob| {
                    let _ = f.call1(&JsValue::NULL, &blob);
                })
            });
            v.set_tryon(hudong_widgets::TryOnHooks {
                tracker,
                on_snapshot,
                max_fps,
            });
        }
        #[cfg(not(feature = "views"))]
        let _ = (tracker, on_snapshot, max_fps);
        Ok(())
    }

    /// Switches the overlay's language live: `locale` (a tag like `en` or `th`) with the
    /// host's `strings` (key → text, a language pack's texts and the host's own, merged) on
    /// top. Every widget keeps its state; only the texts change. A malformed tag, an unknown
    /// key or a text over the limit is refused with `invalid_field` and changes nothing.
    #[wasm_bindgen(js_name = setLocale)]
    pub fn set_locale(&self, locale: &str, strings: JsValue) -> JsValue {
        let result = self.check_alive().and_then(|_| {
            let overrides: std::collections::BTreeMap<String, String> =
                if strings.is_null() || strings.is_undefined() {
                    Default::default()
                } else {
                    serde_wasm_bindgen::from_value(strings).map_err(|e| {
                        HudongError::new(ErrorCode::InvalidField, format!("strings: {e}"))
                    })?
                };
            #[cfg(feature = "views")]
            {
                let overrides: Vec<(String, String)> = overrides.into_iter().collect();
                let resolved = hudong_widgets::Strings::resolve(locale, &overrides)
                    .map_err(|e| HudongError::new(ErrorCode::InvalidField, e))?;
                if let Some(v) = self.inner.view.borrow_mut().as_mut() {
                    v.set_strings(resolved);
                }
            }
            #[cfg(not(feature = "views"))]
            let _ = (locale, overrides);
            Ok(())
        });
        self.inner.outcome(result)
    }

    /// Unmounts the overlay and cancels the timer. Idempotent.
    pub fn destroy(&self) {
        if self.inner.destroyed.replace(true) {
            return;
        }
        self.inner.timer.borrow_mut().cancel();
        self.inner.feed.close();
        if let Some(c) = self.inner.courier.borrow_mut().take() {
            c.close();
        }
        #[cfg(feature = "views")]
        {
            // A frame still to come is cancelled; one that ran is left alone (this may be
            // called from inside it).
            if self.inner.frame_pending.replace(false) {
                self.inner.frame.borrow_mut().take();
            }
            if let Some(view) = self.inner.view.borrow_mut().take() {
                view.destroy();
            }
        }
        let me = Rc::as_ptr(&self.inner);
        LIVE.with(|live| {
            live.borrow_mut()
                .retain(|w| w.strong_count() > 0 && w.as_ptr() != me)
        });
    }

    /// Sends queued events now instead of waiting for a full batch.
    pub fn flush(&self) {
        if let Some(c) = self.inner.courier.borrow().as_ref() {
            c.flush();
        }
    }

    /// `"granted"`, `"pending"` or `"denied"`.
    #[wasm_bindgen(js_name = setConsent)]
    pub fn set_consent(&self, consent: &str) -> Result<(), JsValue> {
        let c = parse_consent(consent).ok_or_else(|| {
            invalid(format!(
                "consent must be granted, pending or denied, not \"{consent}\""
            ))
        })?;
        if let Some(courier) = self.inner.courier.borrow().as_ref() {
            courier.set_consent(c);
        }
        Ok(())
    }

    /// Delivery counters: `{queued, in_flight, delivered, dropped, dead_lettered, discarded_no_consent, retries}`.
    pub fn delivery(&self) -> JsValue {
        match self.inner.courier.borrow().as_ref() {
            Some(c) => to_js(&c.stats()),
            None => JsValue::NULL,
        }
    }

    /// Batches the collector refused for good: `[{status, reason, at, events: [{id, body, at}]}]`.
    #[wasm_bindgen(js_name = deadLetters)]
    pub fn dead_letters(&self) -> JsValue {
        let dead = self
            .inner
            .courier
            .borrow()
            .as_ref()
            .map(|c| c.dead_letters())
            .unwrap_or_default();
        to_js(&dead)
    }

    /// Puts dead-lettered events back in the queue; returns how many.
    #[wasm_bindgen(js_name = retryDeadLetters)]
    pub fn retry_dead_letters(&self) -> usize {
        self.inner
            .courier
            .borrow()
            .as_ref()
            .map_or(0, |c| c.retry_dead_letters())
    }

    /// The widget taken down when this room was restored after a failure (`undefined` when
    /// it did not hold the widget that failed, or was not restored).
    #[wasm_bindgen(getter, js_name = tookDown)]
    pub fn took_down(&self) -> Option<String> {
        self.took_down.clone()
    }

    /// Whether a wake-up timer is pending (for leak checks in tests).
    #[wasm_bindgen(getter, js_name = timerArmed)]
    pub fn timer_armed(&self) -> bool {
        self.inner.timer.borrow().is_armed()
    }
}

impl RoomCore {
    fn check_alive(&self) -> Result<(), HudongError> {
        if self.inner.destroyed.get() {
            Err(HudongError::new(
                ErrorCode::NotOpen,
                "this room was destroyed",
            ))
        } else {
            Ok(())
        }
    }
}
