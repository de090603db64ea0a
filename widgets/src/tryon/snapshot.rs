//! Snapshots: what the viewer sees (the mirrored camera or the photo, and the product)
//! drawn into a JPEG, shown with save and share, and handed to the page's `onSnapshot`.
use super::camera::use_object_url;
use super::stage::Stage;
use super::Emit;
use hudong_core::{Action, Pose, Source};
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use web_sys::{Blob, HtmlCanvasElement, HtmlImageElement, HtmlVideoElement};
use yew::prelude::*;

/// The last snapshot and what to do with it.
pub(super) struct Snapshot {
    /// The last snapshot, as an object URL.
    pub url: UseStateHandle<Option<String>>,
    /// Whether the last one could not be drawn (a cross-origin product image without CORS).
    pub failed: UseStateHandle<bool>,
    /// Takes one.
    pub take: Callback<MouseEvent>,
    /// Shares the last one (the system share sheet, or a new tab).
    pub share: Callback<MouseEvent>,
}

/// Snapshots of `stage` while `source` is live, of a product of this width and anchor.
#[hook]
pub(super) fn use_snapshot(
    stage: &Stage,
    source: Option<Source>,
    product: &hudong_core::TryOnProduct,
    on_snapshot: Option<Callback<Blob>>,
    emit: Emit,
) -> Snapshot {
    let url = use_state(|| None::<String>);
    let failed = use_state(|| false);
    let blob = use_mut_ref(|| None::<Blob>);
    use_object_url((*url).clone());
    let take = {
        let (stage, url, failed, blob) = (stage.clone(), url.clone(), failed.clone(), blob.clone());
        let (anchor, width) = (product.anchor, product.width);
        Callback::from(move |_: MouseEvent| {
            let Some(source) = source else { return };
            let pose = *stage.pose.borrow();
            let Some(canvas) = draw_snapshot(source, &stage, pose, anchor, width) else {
                failed.set(true);
                return;
            };
            let (url, shot_failed, emit, on_snapshot, blob) =
                (url.clone(), failed.clone(), emit.clone(), on_snapshot.clone(), blob.clone());
            let done = Closure::once_into_js(move |b: JsValue| {
                let Ok(b) = b.dyn_into::<Blob>() else {
                    shot_failed.set(true);
                    return;
                };
                shot_failed.set(false);
                *blob.borrow_mut() = Some(b.clone());
                if let Ok(u) = web_sys::Url::create_object_url_with_blob(&b) {
                    url.set(Some(u));
                }
                emit(&|widget_id| Action::TryOnSnapshot { widget_id });
                if let Some(cb) = on_snapshot {
                    cb.emit(b);
                }
            });
            // A cross-origin product image without CORS taints the canvas: toBlob throws.
            if canvas
                .to_blob_with_type_and_encoder_options(
                    done.unchecked_ref(),
                    "image/jpeg",
                    &JsValue::from_f64(0.9),
                )
                .is_err()
            {
                failed.set(true);
            }
        })
    };
    let share = {
        let (url, blob, name) = (url.clone(), blob.clone(), product.name.clone());
        Callback::from(move |_: MouseEvent| {
            let (Some(url), Some(blob)) = ((*url).clone(), blob.borrow().clone()) else {
                return;
            };
            share_image(&blob, &url, &name);
        })
    };
    Snapshot {
        url,
        failed,
        take,
        share,
    }
}

/// Draws what the viewer sees (the mirrored camera or the photo, and the product) into a
/// canvas at the source's own resolution.
fn draw_snapshot(
    source: Source,
    stage: &Stage,
    p: Pose,
    anchor: hudong_core::Point,
    width: f64,
) -> Option<HtmlCanvasElement> {
    let doc = web_sys::window()?.document()?;
    let canvas: HtmlCanvasElement = doc.create_element("canvas").ok()?.dyn_into().ok()?;
    let item = stage.product.cast::<HtmlImageElement>()?;
    let (w, h) = match source {
        Source::Camera => {
            let v = stage.video.cast::<HtmlVideoElement>()?;
            (v.video_width() as f64, v.video_height() as f64)
        }
        Source::Photo => {
            let i = stage.photo.cast::<HtmlImageElement>()?;
            (i.natural_width() as f64, i.natural_height() as f64)
        }
    };
    if w < 1.0 || h < 1.0 || item.natural_width() == 0 {
        return None;
    }
    canvas.set_width(w as u32);
    canvas.set_height(h as u32);
    let ctx: web_sys::CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
    match source {
        Source::Camera => {
            ctx.translate(w, 0.0).ok()?;
            ctx.scale(-1.0, 1.0).ok()?;
            ctx.draw_image_with_html_video_element_and_dw_and_dh(
                &stage.video.cast::<HtmlVideoElement>()?,
                0.0,
                0.0,
                w,
                h,
            )
            .ok()?;
            ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0).ok()?;
        }
        Source::Photo => {
            ctx.draw_image_with_html_image_element_and_dw_and_dh(
                &stage.photo.cast::<HtmlImageElement>()?,
                0.0,
                0.0,
                w,
                h,
            )
            .ok()?;
        }
    }
    let pw = width * w;
    let ph = pw * item.natural_height() as f64 / item.natural_width() as f64;
    ctx.translate(p.x * w, p.y * h).ok()?;
    ctx.rotate(p.rotation).ok()?;
    ctx.scale(p.scale, p.scale).ok()?;
    ctx.draw_image_with_html_image_element_and_dw_and_dh(
        &item,
        -anchor.x * pw,
        -anchor.y * ph,
        pw,
        ph,
    )
    .ok()?;
    Some(canvas)
}

/// Shares the snapshot through the system share sheet where the browser can share files;
/// elsewhere opens it (to save or long-press).
fn share_image(blob: &Blob, url: &str, title: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let nav = window.navigator();
    let get = |name: &str| {
        js_sys::Reflect::get(&nav, &name.into())
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
    };
    let data = js_sys::Object::new();
    if let Ok(file) = web_sys::File::new_with_blob_sequence(&js_sys::Array::of1(blob), "try-on.jpg")
    {
        let _ = js_sys::Reflect::set(&data, &"files".into(), &js_sys::Array::of1(&file));
        let _ = js_sys::Reflect::set(&data, &"title".into(), &title.into());
    }
    let can = get("canShare")
        .and_then(|f| f.call1(&nav, &data).ok())
        .is_some_and(|v| v.is_truthy());
    match get("share") {
        Some(share) if can => {
            let _ = share.call1(&nav, &data);
        }
        _ => {
            let _ = window.open_with_url_and_target(url, "_blank");
        }
    }
}
