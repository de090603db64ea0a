//! The camera: opened on request, always released by the holder. Browser errors are
//! mapped to [`CameraResult`] so the widget can explain them and offer a photo instead.
use hudong_core::CameraResult;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{MediaStream, MediaStreamConstraints, MediaStreamTrack};

/// Asks for the front camera (640×480 is plenty for a try-on, and light on phones).
pub async fn open_front_camera() -> Result<MediaStream, CameraResult> {
    let devices = web_sys::window()
        .and_then(|w| w.navigator().media_devices().ok())
        .ok_or(CameraResult::Unsupported)?;
    let constraints = MediaStreamConstraints::new();
    let video = js_sys::Object::new();
    let set = |k: &str, v: JsValue| js_sys::Reflect::set(&video, &JsValue::from_str(k), &v).ok();
    set("facingMode", "user".into());
    set("width", ideal(640.0));
    set("height", ideal(480.0));
    constraints.set_video(&video);
    constraints.set_audio(&JsValue::FALSE);
    let promise = devices
        .get_user_media_with_constraints(&constraints)
        .map_err(|e| classify(&e))?;
    let stream = JsFuture::from(promise).await.map_err(|e| classify(&e))?;
    let stream = stream
        .dyn_into::<MediaStream>()
        .map_err(|_| CameraResult::Error)?;
    OPEN.with(|o| o.borrow_mut().push(stream.clone()));
    Ok(stream)
}

thread_local! {
    /// Streams opened and not yet released, so that they can be stopped even when their
    /// holder cannot run any more (after a panic).
    static OPEN: std::cell::RefCell<Vec<MediaStream>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Stops every stream this module opened and has not released: the camera light goes off.
pub fn release_all() {
    let open = OPEN
        .try_with(|o| {
            o.try_borrow_mut()
                .map(|mut o| std::mem::take(&mut *o))
                .unwrap_or_default()
        })
        .unwrap_or_default();
    for stream in &open {
        stop_tracks(stream);
    }
}

fn ideal(v: f64) -> JsValue {
    let o = js_sys::Object::new();
    js_sys::Reflect::set(&o, &"ideal".into(), &v.into()).ok();
    o.into()
}

/// Maps a `getUserMedia` rejection to what the viewer is told.
pub fn classify(error: &JsValue) -> CameraResult {
    let name = js_sys::Reflect::get(error, &"name".into())
        .ok()
        .and_then(|n| n.as_string())
        .unwrap_or_default();
    match name.as_str() {
        "NotAllowedError" | "PermissionDeniedError" | "SecurityError" => CameraResult::Denied,
        "NotFoundError" | "DevicesNotFoundError" | "OverconstrainedError" => CameraResult::NoCamera,
        "NotReadableError" | "TrackStartError" | "AbortError" => CameraResult::InUse,
        "TypeError" => CameraResult::Unsupported,
        _ => CameraResult::Error,
    }
}

/// Stops every track: the camera light goes off.
pub fn release(stream: &MediaStream) {
    let _ = OPEN.try_with(|o| {
        if let Ok(mut o) = o.try_borrow_mut() {
            o.retain(|s| s != stream);
        }
    });
    stop_tracks(stream);
}

fn stop_tracks(stream: &MediaStream) {
    for t in stream.get_tracks().iter() {
        if let Ok(t) = t.dyn_into::<MediaStreamTrack>() {
            t.stop();
        }
    }
}
