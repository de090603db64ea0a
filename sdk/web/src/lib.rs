//! # hudong-web
//!
//! Browser glue for the pure core: the clock, the wake-up timer, and moving values
//! between JavaScript and Rust. It carries out the effects the core returns and holds no
//! widget logic of its own.
pub mod camera;
pub mod clipboard;
pub mod courier;
mod locks;
pub mod share;
pub mod source;
pub mod storage;
pub mod tracker;
pub mod transport;

use gloo::timers::callback::Timeout;
use hudong_core::channel::{ClockSync, Sample};
use hudong_core::{Action, Command, ErrorCode, HudongError, Millis};
use serde::Serialize;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;

/// Server time. Before a sync it is the device clock plus a configured offset; after one,
/// it is the page's monotonic clock (`performance.now()`) plus the measured offset, so a
/// device clock that is wrong, or jumps, does not matter.
#[derive(Clone, Default)]
pub struct Clock {
    inner: Rc<ClockState>,
}

#[derive(Default)]
struct ClockState {
    configured_offset_ms: Cell<f64>,
    sync: RefCell<ClockSync>,
    /// Server time minus `performance.now()`, once synced.
    mono_offset_ms: Cell<Option<f64>>,
}

fn perf_now() -> Option<f64> {
    let perf = js_sys::Reflect::get(&js_sys::global(), &"performance".into()).ok()?;
    let now: js_sys::Function = js_sys::Reflect::get(&perf, &"now".into())
        .ok()?
        .dyn_into()
        .ok()?;
    now.call0(&perf).ok()?.as_f64()
}

impl Clock {
    /// A clock at `offset_ms` from the device clock until it is synced.
    pub fn with_offset(offset_ms: f64) -> Self {
        let c = Clock::default();
        c.inner.configured_offset_ms.set(if offset_ms.is_finite() {
            offset_ms
        } else {
            0.0
        });
        c
    }

    /// Server time in ms since the epoch.
    pub fn now(&self) -> Millis {
        let t = match (self.inner.mono_offset_ms.get(), perf_now()) {
            (Some(offset), Some(mono)) => mono + offset,
            _ => js_sys::Date::now() + self.inner.configured_offset_ms.get(),
        };
        if t.is_finite() && t > 0.0 {
            t as Millis
        } else {
            0
        }
    }

    /// Local monotonic time for a sync round trip.
    pub fn mono(&self) -> Option<f64> {
        perf_now()
    }

    /// Records a round trip to the time endpoint (`sent`/`received` from [`Clock::mono`]).
    pub fn add_sample(&self, sent: f64, server: f64, received: f64) -> Option<Sample> {
        let mut sync = self.inner.sync.borrow_mut();
        sync.add(sent, server, received)?;
        let best = sync.best()?;
        self.inner.mono_offset_ms.set(Some(best.offset));
        Some(best)
    }

    /// Forgets past samples (before a re-sync after a reconnect).
    pub fn reset_samples(&self) {
        self.inner.sync.borrow_mut().clear();
    }

    /// Server time minus the device clock, as now known.
    pub fn offset_from_device(&self) -> f64 {
        self.now() as f64 - js_sys::Date::now()
    }

    pub fn is_synced(&self) -> bool {
        self.inner.mono_offset_ms.get().is_some()
    }
}

/// The one pending wake-up of a room: re-armed after every step with the core's
/// earliest deadline, cancelled when dropped.
#[derive(Default)]
pub struct WakeTimer {
    pending: Option<(Millis, Timeout)>,
}

impl WakeTimer {
    /// Arms the timer for server time `at` (or disarms it for `None`). Keeps the running
    /// timer when the deadline is unchanged.
    pub fn arm(&mut self, at: Option<Millis>, now: Millis, fire: impl FnOnce() + 'static) {
        match at {
            None => self.pending = None,
            Some(at) if self.pending.as_ref().is_some_and(|(t, _)| *t == at) => {}
            Some(at) => {
                // Browsers clamp timers to 2^31-1 ms; a farther deadline re-arms on the next step.
                let delay = at.saturating_sub(now).min(i32::MAX as u64) as u32;
                self.pending = Some((at, Timeout::new(delay, fire)));
            }
        }
    }

    pub fn cancel(&mut self) {
        self.pending = None;
    }

    pub fn is_armed(&self) -> bool {
        self.pending.is_some()
    }
}

/// Serializes a value as plain JSON-like JavaScript (objects, not `Map`s; numbers, not
/// `BigInt`s). Fails for integers beyond 2^53, which JavaScript numbers cannot hold.
pub fn try_to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, String> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| e.to_string())
}

/// [`try_to_js`] for values that hold no such integers (events, errors, state): a failure
/// there is a bug, reported as a string value rather than a panic.
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> JsValue {
    try_to_js(value).unwrap_or_else(|e| JsValue::from_str(&format!("serialization failed: {e}")))
}

/// JSON text of a value, through the browser's `JSON.stringify` (no JSON encoder in the wasm).
pub fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<String, String> {
    let js = try_to_js(value)?;
    js_sys::JSON::stringify(&js)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| "JSON.stringify failed".to_owned())
}

/// Parses JSON text into a value, through the browser's `JSON.parse`, after checking it
/// against the input limits (stored state: [`hudong_core::limits::MAX_STORED_BYTES`]).
pub fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, String> {
    hudong_core::limits::check_json(text, hudong_core::limits::MAX_STORED_BYTES, "stored state")
        .map_err(|e| e.message)?;
    let js = js_sys::JSON::parse(text).map_err(|_| "not JSON".to_owned())?;
    serde_wasm_bindgen::from_value(js).map_err(|e| e.to_string())
}

/// The message of what a JavaScript call threw (an `Error`'s, or a thrown string).
fn thrown(e: &JsValue) -> Option<String> {
    js_sys::Reflect::get(e, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| e.as_string())
}

/// A value the page handed in, read completely before any Rust state is touched, and
/// returned as a fresh, plain JavaScript value: a string is taken as JSON text; anything
/// else goes through `JSON.stringify`, whose exceptions (a getter or a Proxy trap that
/// throws, a cycle, nesting too deep for the engine) come back as a typed error instead of
/// unwinding through the module. The text is held to the input limits
/// ([`hudong_core::limits`]) before it is parsed. `what` names the input in errors.
pub fn read_whole(value: &JsValue, what: &str) -> Result<JsValue, HudongError> {
    use hudong_core::limits::{check_json, too_large, MAX_MESSAGE_BYTES};
    let malformed = |message: String| HudongError::new(ErrorCode::MalformedCommand, message);
    let text: js_sys::JsString = match value.dyn_ref::<js_sys::JsString>() {
        Some(s) => s.clone(),
        None => {
            let s = js_sys::JSON::stringify(value).map_err(|e| {
                let why = thrown(&e).unwrap_or_else(|| "it threw".to_owned());
                malformed(format!("{what} could not be read: {why}"))
            })?;
            // `JSON.stringify(undefined)` (or a function) is `undefined`, not a string.
            if !s.is_string() {
                return Err(malformed(format!("{what} must be an object or JSON text")));
            }
            s
        }
    };
    // Each UTF-16 unit is at least one byte: too long here is too long, before any copy.
    let units = text.length() as usize;
    if units > MAX_MESSAGE_BYTES {
        return Err(too_large(units, MAX_MESSAGE_BYTES, what));
    }
    let text = String::from(text);
    check_json(&text, MAX_MESSAGE_BYTES, what)?;
    js_sys::JSON::parse(&text).map_err(|e| {
        let why = thrown(&e).unwrap_or_default();
        malformed(format!("{what} is not JSON: {why}"))
    })
}

/// Decodes a command given as a JavaScript object or JSON text (see [`read_whole`]).
pub fn decode_command(value: &JsValue) -> Result<Command, HudongError> {
    decode_command_checked(&read_whole(value, "a command")?)
}

/// Decodes a command from a plain value ([`read_whole`]'s, or the journal's own).
pub fn decode_command_checked(value: &JsValue) -> Result<Command, HudongError> {
    hudong_core::decode_command(|| serde_wasm_bindgen::Deserializer::from(value.clone()))
}

/// Decodes a viewer action given as a JavaScript object or JSON text (see [`read_whole`]).
pub fn decode_action(value: &JsValue) -> Result<Action, HudongError> {
    serde_wasm_bindgen::from_value(read_whole(value, "an action")?)
        .map_err(|e| HudongError::new(ErrorCode::InvalidField, format!("bad action: {e}")))
}
