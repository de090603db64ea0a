//! The system share sheet (Web Share API), where the browser has one.
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

fn share_fn() -> Option<(web_sys::Navigator, js_sys::Function)> {
    let navigator = web_sys::window()?.navigator();
    let f = js_sys::Reflect::get(&navigator, &JsValue::from_str("share")).ok()?;
    f.dyn_into::<js_sys::Function>()
        .ok()
        .map(|f| (navigator, f))
}

/// Whether this browser has a share sheet. In-app WebViews usually share through the app's
/// own menu instead; the host page then reports the share with the `coupon.share` action.
pub fn can_share() -> bool {
    share_fn().is_some()
}

/// Opens the share sheet for `url`; resolves when the viewer shared, fails when they
/// cancelled or the browser refused.
pub async fn share(title: &str, url: &str) -> Result<(), JsValue> {
    let (navigator, f) = share_fn().ok_or_else(|| JsValue::from_str("no share sheet"))?;
    let data = js_sys::Object::new();
    js_sys::Reflect::set(&data, &"title".into(), &title.into())?;
    js_sys::Reflect::set(&data, &"url".into(), &url.into())?;
    let promise: js_sys::Promise = f.call1(&navigator, &data)?.dyn_into()?;
    JsFuture::from(promise).await.map(|_| ())
}
