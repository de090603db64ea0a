//! The tracker hook: any AR engine the host page registers, called through a small JS
//! interface.
//!
//! ```ts
//! interface Tracker {
//!   // Once, with the <video> (camera) or <img> (photo) the product is placed on.
//!   init?(source: HTMLVideoElement | HTMLImageElement): void | Promise<void>;
//!   // For each new frame: where the product goes, in the source's own (unmirrored)
//!   // coordinates, or null when the target is lost.
//!   track(source: HTMLVideoElement | HTMLImageElement, now: number):
//!     { x: number; y: number; scale?: number; rotation?: number } | null;
//!   dispose?(): void;
//! }
//! ```
use hudong_core::Pose;
use js_sys::{Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// A registered tracker. Equal when it is the same JS object.
#[derive(Clone, Debug)]
pub struct Tracker(JsValue);

impl PartialEq for Tracker {
    fn eq(&self, other: &Self) -> bool {
        js_sys::Object::is(&self.0, &other.0)
    }
}

/// What a tracker said about a frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Seen {
    At(Pose),
    Lost,
}

impl Tracker {
    /// Checks the object has a `track` function.
    pub fn new(value: JsValue) -> Result<Tracker, String> {
        match Reflect::get(&value, &"track".into()) {
            Ok(f) if f.is_function() => Ok(Tracker(value)),
            _ => Err("a tracker is an object with a track(source, now) function".into()),
        }
    }

    fn method(&self, name: &str) -> Option<Function> {
        Reflect::get(&self.0, &name.into())
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
    }

    /// Calls `init(source)` and waits for it if it returns a promise.
    pub async fn init(&self, source: &JsValue) -> Result<(), JsValue> {
        let Some(f) = self.method("init") else {
            return Ok(());
        };
        let out = f.call1(&self.0, source)?;
        if let Ok(p) = out.dyn_into::<js_sys::Promise>() {
            JsFuture::from(p).await?;
        }
        Ok(())
    }

    /// Calls `track(source, now)`. A throw, or an answer that is not a usable pose, counts
    /// as lost (and is returned as the error for the host to see).
    pub fn track(&self, source: &JsValue, now: f64) -> Result<Seen, JsValue> {
        let f = self
            .method("track")
            .ok_or_else(|| JsValue::from_str("track is gone"))?;
        let out = f.call2(&self.0, source, &now.into())?;
        if out.is_null() || out.is_undefined() {
            return Ok(Seen::Lost);
        }
        let num = |k: &str, default: f64| {
            Reflect::get(&out, &k.into())
                .ok()
                .and_then(|v| v.as_f64())
                .unwrap_or(default)
        };
        let pose = Pose {
            x: num("x", f64::NAN),
            y: num("y", f64::NAN),
            scale: num("scale", 1.0),
            rotation: num("rotation", 0.0),
        };
        pose.check().map_err(|e| JsValue::from_str(&e.message))?;
        Ok(Seen::At(pose))
    }

    pub fn dispose(&self) {
        if let Some(f) = self.method("dispose") {
            let _ = f.call0(&self.0);
        }
    }
}
