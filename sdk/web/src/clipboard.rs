//! Copying text for the viewer (a lead card's WeChat ID or group code).
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

/// Writes `text` to the clipboard. Fails where the Clipboard API is missing or refused
/// (an insecure context, some in-app WebViews): the caller then selects the text so the
/// viewer can copy it by hand.
pub async fn copy_text(text: &str) -> Result<(), JsValue> {
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    let navigator = window.navigator();
    // `navigator.clipboard` is undefined outside secure contexts.
    let has = js_sys::Reflect::get(&navigator, &JsValue::from_str("clipboard"))
        .map(|c| !c.is_undefined())
        .unwrap_or(false);
    if !has {
        return Err(JsValue::from_str("the Clipboard API is unavailable"));
    }
    JsFuture::from(navigator.clipboard().write_text(text))
        .await
        .map(|_| ())
}
