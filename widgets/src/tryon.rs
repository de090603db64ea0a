//! The AR try-on view. It carries out what the core's phase asks: the camera is open
//! exactly while `wants_camera()` holds (released on close, on pause, on unmount), the
//! tracker is polled only while live and only on new video frames (capped), and poses are
//! written straight to the product's style so following a face re-renders nothing.
use crate::i18n::{format_money, Strings};
use gloo::events::EventListener;
use gloo::render::{request_animation_frame, AnimationFrame};
use hudong_core::{Action, CameraResult, Pose, Source, TrackerState, TryOn, TryOnPhase};
use hudong_web::camera;
use hudong_web::tracker::{Seen, Tracker};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use web_sys::{
    Blob, HtmlCanvasElement, HtmlElement, HtmlImageElement, HtmlInputElement, HtmlVideoElement,
    MediaStream,
};
use yew::prelude::*;

/// What the host page plugs into try-on widgets.
#[derive(Clone, PartialEq, Default)]
pub struct TryOnHooks {
    /// The AR engine that places the product; without one the viewer places it.
    pub tracker: Option<Tracker>,
    /// Receives each snapshot (a JPEG blob).
    pub on_snapshot: Option<Callback<Blob>>,
    /// Most tracker calls per second; 0 means 30.
    pub max_fps: u32,
}

#[function_component(TryOnView)]
pub fn tryon_view(props: &crate::WidgetProps<TryOn>) -> Html {
    let (t, _, on_action, s, _drawing) = props.parts();
    let hooks = &props.hooks;
    let spec = t.spec();
    let product = &spec.product;
    let id = spec.widget_id.clone();
    let phase = t.phase();
    let source = match phase {
        TryOnPhase::Live(src) => Some(src),
        _ => None,
    };

    let section_ref = use_node_ref();
    let video_ref = use_node_ref();
    let photo_ref = use_node_ref();
    let product_ref = use_node_ref();
    let stage_ref = use_node_ref();
    let file_ref = use_node_ref();
    let photo_url = use_state(|| None::<String>);
    let shot_url = use_state(|| None::<String>);
    let shot_blob = use_mut_ref(|| None::<Blob>);
    let added = use_state(|| false);
    let shot_failed = use_state(|| false);
    // The pose on screen: the core's (the viewer's placement) or the tracker's.
    let live_pose = use_mut_ref(|| t.pose());

    let emit = {
        let (on_action, id) = (on_action.clone(), id.clone());
        Rc::new(move |make: &dyn Fn(String) -> Action| on_action.emit(make(id.clone())))
    };
    let click = |make: fn(String) -> Action| {
        let emit = emit.clone();
        Callback::from(move |_: MouseEvent| emit(&make))
    };

    // The camera, held exactly while the core wants it.
    {
        let (emit, video_ref) = (emit.clone(), video_ref.clone());
        use_effect_with(t.wants_camera(), move |&wanted| {
            let alive = Rc::new(Cell::new(wanted));
            let held: Rc<RefCell<Option<MediaStream>>> = Rc::default();
            if wanted {
                let (alive, held, video_ref) = (alive.clone(), held.clone(), video_ref.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    let result = camera::open_front_camera().await;
                    if !alive.get() {
                        // Closed while the prompt was up: let go of what arrived.
                        if let Ok(stream) = &result {
                            camera::release(stream);
                        }
                        return;
                    }
                    match result {
                        Ok(stream) => {
                            if let Some(v) = video_ref.cast::<HtmlVideoElement>() {
                                v.set_muted(true);
                                v.set_src_object(Some(&stream));
                                let _ = v.play();
                            }
                            *held.borrow_mut() = Some(stream);
                            emit(&|widget_id| Action::TryOnCamera {
                                widget_id,
                                result: CameraResult::Granted,
                            });
                        }
                        Err(result) => emit(&|widget_id| Action::TryOnCamera { widget_id, result }),
                    }
                });
            }
            let video_ref = video_ref.clone();
            move || {
                alive.set(false);
                if let Some(stream) = held.borrow_mut().take() {
                    camera::release(&stream);
                }
                if let Some(v) = video_ref.cast::<HtmlVideoElement>() {
                    v.set_src_object(None);
                }
            }
        });
    }

    // A hidden page (another app, a locked phone, the WebView sent back) or a page being
    // left gives the camera back.
    {
        let emit = emit.clone();
        use_effect_with((), move |_| {
            let mut listeners = Vec::new();
            if let Some(window) = web_sys::window() {
                if let Some(doc) = window.document() {
                    let (d, emit) = (doc.clone(), emit.clone());
                    listeners.push(EventListener::new(&doc, "visibilitychange", move |_| {
                        if d.hidden() {
                            emit(&|widget_id| Action::TryOnPause { widget_id });
                        }
                    }));
                }
                listeners.push(EventListener::new(&window, "pagehide", move |_| {
                    emit(&|widget_id| Action::TryOnPause { widget_id });
                }));
            }
            move || drop(listeners)
        });
    }

    // The product's size and anchor, as custom properties set through the CSSOM (a strict
    // CSP refuses style attributes, not style properties).
    {
        let stage_ref = stage_ref.clone();
        let dims =
            [product.width, product.anchor.x, product.anchor.y].map(|v| (v * 1e4).round() as i64);
        use_effect_with(dims, move |d| {
            if let Some(el) = stage_ref.cast::<HtmlElement>() {
                let style = el.style();
                for (name, v) in [("--hd-ar-w", d[0]), ("--hd-ax", d[1]), ("--hd-ay", d[2])] {
                    let _ = style.set_property(
                        name,
                        &format!("{}%", crate::i18n::fixed(v as f64 / 100.0, 2)),
                    );
                }
            }
        });
    }

    // The viewer's placement from the core, whenever it changes.
    {
        let (live_pose, product_ref) = (live_pose.clone(), product_ref.clone());
        use_effect_with(t.pose(), move |&pose| {
            *live_pose.borrow_mut() = pose;
            apply_pose(&product_ref, pose);
        });
    }
    // And after every render (the element may be new).
    {
        let (live_pose, product_ref) = (live_pose.clone(), product_ref.clone());
        use_effect(move || apply_pose(&product_ref, *live_pose.borrow()));
    }

    // The tracker, while live.
    {
        let deps = (source, hooks.tracker.clone(), photo_url.as_ref().cloned());
        let (emit, video_ref, photo_ref, product_ref, live_pose) = (
            emit.clone(),
            video_ref.clone(),
            photo_ref.clone(),
            product_ref.clone(),
            live_pose.clone(),
        );
        let fps = if hooks.max_fps == 0 {
            30
        } else {
            hooks.max_fps.min(60)
        };
        use_effect_with(deps, move |(source, tracker, _)| {
            let alive = Rc::new(Cell::new(true));
            let frame: Rc<RefCell<Option<AnimationFrame>>> = Rc::default();
            if let (Some(source), Some(tracker)) = (*source, tracker.clone()) {
                let el: Option<JsValue> = match source {
                    Source::Camera => video_ref.cast::<HtmlVideoElement>().map(Into::into),
                    Source::Photo => photo_ref.cast::<HtmlImageElement>().map(Into::into),
                };
                if let Some(el) = el {
                    let run = TrackLoop {
                        tracker,
                        el,
                        mirrored: source == Source::Camera,
                        once: source == Source::Photo,
                        min_gap_ms: 1000.0 / fps as f64,
                        alive: alive.clone(),
                        frame: frame.clone(),
                        emit,
                        product_ref,
                        live_pose,
                        state: Rc::default(),
                    };
                    wasm_bindgen_futures::spawn_local(async move {
                        if run.tracker.init(&run.el).await.is_err() || !run.alive.get() {
                            return; // no tracker: the viewer places the product by hand
                        }
                        (run.emit)(&|widget_id| Action::TryOnTracker {
                            widget_id,
                            state: TrackerState::Attached,
                        });
                        run.state.set(Some(TrackerState::Attached));
                        Rc::new(run).schedule(-1.0, -1.0);
                    });
                }
            }
            let tracker = tracker.clone();
            move || {
                alive.set(false);
                frame.borrow_mut().take();
                if let Some(t) = tracker {
                    t.dispose();
                }
            }
        });
    }

    // Drag and pinch (pointer events; two pointers scale and turn).
    let gesture = use_mut_ref(Gesture::default);
    let on_pointer = {
        let (gesture, stage_ref, product_ref, live_pose, emit) = (
            gesture.clone(),
            stage_ref.clone(),
            product_ref.clone(),
            live_pose.clone(),
            emit.clone(),
        );
        Callback::from(move |e: PointerEvent| {
            let Some(stage) = stage_ref.cast::<HtmlElement>() else {
                return;
            };
            let rect = stage.get_bounding_client_rect();
            if rect.width() <= 0.0 || rect.height() <= 0.0 {
                return;
            }
            let p = (
                (e.client_x() as f64 - rect.left()) / rect.width(),
                (e.client_y() as f64 - rect.top()) / rect.height(),
            );
            let mut g = gesture.borrow_mut();
            match e.type_().as_str() {
                "pointerdown" => {
                    let _ = stage.set_pointer_capture(e.pointer_id());
                    g.pointers.retain(|(id, _)| *id != e.pointer_id());
                    g.pointers.push((e.pointer_id(), p));
                    g.rebase(*live_pose.borrow());
                }
                "pointermove" => {
                    let Some(slot) = g.pointers.iter_mut().find(|(id, _)| *id == e.pointer_id())
                    else {
                        return;
                    };
                    slot.1 = p;
                    let pose = g.pose(rect.width() / rect.height());
                    *live_pose.borrow_mut() = pose;
                    apply_pose(&product_ref, pose);
                }
                _ => {
                    g.pointers.retain(|(id, _)| *id != e.pointer_id());
                    let pose = clamp(*live_pose.borrow());
                    g.rebase(pose);
                    if g.pointers.is_empty() {
                        drop(g);
                        emit(&move |widget_id| Action::TryOnPlace { widget_id, pose });
                    }
                }
            }
        })
    };

    let on_key = {
        let (live_pose, emit) = (live_pose.clone(), emit.clone());
        Callback::from(move |e: KeyboardEvent| {
            let mut p = *live_pose.borrow();
            match e.key().as_str() {
                "ArrowLeft" => p.x -= 0.02,
                "ArrowRight" => p.x += 0.02,
                "ArrowUp" => p.y -= 0.02,
                "ArrowDown" => p.y += 0.02,
                "+" | "=" => p.scale *= 1.1,
                "-" | "_" => p.scale /= 1.1,
                "[" => p.rotation -= 0.1,
                "]" => p.rotation += 0.1,
                _ => return,
            }
            e.prevent_default();
            let pose = clamp(p);
            emit(&move |widget_id| Action::TryOnPlace { widget_id, pose });
        })
    };

    let pick_photo = {
        let file_ref = file_ref.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(input) = file_ref.cast::<HtmlInputElement>() {
                input.set_value("");
                input.click();
            }
        })
    };
    let on_file = {
        let (photo_url, emit) = (photo_url.clone(), emit.clone());
        Callback::from(move |e: Event| {
            let Some(input) = e.target_dyn_into::<HtmlInputElement>() else {
                return;
            };
            let Some(file) = input.files().and_then(|f| f.get(0)) else {
                return;
            };
            if let Ok(url) = web_sys::Url::create_object_url_with_blob(&file) {
                photo_url.set(Some(url));
                emit(&|widget_id| Action::TryOnPhoto { widget_id });
            }
        })
    };
    // Object URLs are let go when replaced and on unmount.
    {
        use_effect_with((*photo_url).clone(), |url| {
            let url = url.clone();
            move || {
                if let Some(u) = url {
                    let _ = web_sys::Url::revoke_object_url(&u);
                }
            }
        });
        use_effect_with((*shot_url).clone(), |url| {
            let url = url.clone();
            move || {
                if let Some(u) = url {
                    let _ = web_sys::Url::revoke_object_url(&u);
                }
            }
        });
    }

    let take_shot = {
        let (video_ref, photo_ref, product_ref, live_pose) = (
            video_ref.clone(),
            photo_ref.clone(),
            product_ref.clone(),
            live_pose.clone(),
        );
        let (shot_url, shot_failed, emit, on_snapshot, shot_blob) = (
            shot_url.clone(),
            shot_failed.clone(),
            emit.clone(),
            hooks.on_snapshot.clone(),
            shot_blob.clone(),
        );
        let (anchor, width) = (product.anchor, product.width);
        Callback::from(move |_: MouseEvent| {
            let Some(source) = source else { return };
            let canvas = draw_snapshot(
                source,
                &video_ref,
                &photo_ref,
                &product_ref,
                *live_pose.borrow(),
                anchor,
                width,
            );
            let Some(canvas) = canvas else {
                shot_failed.set(true);
                return;
            };
            let failed = shot_failed.clone();
            let (shot_url, shot_failed, emit, on_snapshot, shot_blob) = (
                shot_url.clone(),
                shot_failed.clone(),
                emit.clone(),
                on_snapshot.clone(),
                shot_blob.clone(),
            );
            let done = Closure::once_into_js(move |blob: JsValue| {
                let Ok(blob) = blob.dyn_into::<Blob>() else {
                    shot_failed.set(true);
                    return;
                };
                shot_failed.set(false);
                *shot_blob.borrow_mut() = Some(blob.clone());
                if let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) {
                    shot_url.set(Some(url));
                }
                emit(&|widget_id| Action::TryOnSnapshot { widget_id });
                if let Some(cb) = on_snapshot {
                    cb.emit(blob);
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
        let (shot_url, shot_blob, name) =
            (shot_url.clone(), shot_blob.clone(), product.name.clone());
        Callback::from(move |_: MouseEvent| {
            let (Some(url), Some(blob)) = ((*shot_url).clone(), shot_blob.borrow().clone()) else {
                return;
            };
            share_image(&blob, &url, &name);
        })
    };
    let add_to_cart = {
        let (emit, added) = (emit.clone(), added.clone());
        Callback::from(move |_: MouseEvent| {
            emit(&|widget_id| Action::TryOnAddToCart { widget_id });
            added.set(true);
        })
    };
    let close = {
        let (emit, shot_url) = (emit.clone(), shot_url.clone());
        Callback::from(move |_: MouseEvent| {
            shot_url.set(None);
            emit(&|widget_id| Action::TryOnClose { widget_id });
        })
    };

    // While the camera is being explained, asked for or shown, the card is a modal dialog:
    // the focus moves into it, Tab stays inside, Escape closes it, and the focus comes back
    // to the "try it on" button after.
    let modal = matches!(
        phase,
        TryOnPhase::Explain | TryOnPhase::Requesting | TryOnPhase::Live(_)
    );
    {
        let (section, was) = (section_ref.clone(), use_mut_ref(|| None::<bool>));
        use_effect_with(modal, move |&modal| {
            let before = was.replace(Some(modal));
            if let (Some(before), Some(card)) = (before, section.cast::<HtmlElement>()) {
                if before != modal && (modal || focus_is_lost_or_inside(&card)) {
                    let first = focusables(&card).into_iter().next();
                    if let Some(first) = first {
                        let _ = first.focus();
                    }
                }
            }
        });
    }
    let onkeydown = {
        let (emit, section, shot_url) = (emit.clone(), section_ref.clone(), shot_url.clone());
        Callback::from(move |e: KeyboardEvent| {
            if !modal {
                return;
            }
            match e.key().as_str() {
                "Escape" => {
                    e.prevent_default();
                    shot_url.set(None);
                    emit(&|widget_id| Action::TryOnClose { widget_id });
                }
                "Tab" => {
                    let Some(card) = section.cast::<HtmlElement>() else {
                        return;
                    };
                    let all = focusables(&card);
                    let (Some(first), Some(last)) = (all.first().cloned(), all.last().cloned())
                    else {
                        return;
                    };
                    let target = e.target().and_then(|t| t.dyn_into::<web_sys::Node>().ok());
                    let wrap_to = match (e.shift_key(), target) {
                        (true, Some(t)) if t.is_same_node(Some(&first)) => Some(last),
                        (false, Some(t)) if t.is_same_node(Some(&last)) => Some(first),
                        _ => None,
                    };
                    if let Some(el) = wrap_to {
                        e.prevent_default();
                        let _ = el.focus();
                    }
                }
                _ => {}
            }
        })
    };

    let title_id = format!("hd-{id}-t");
    let hint_id = format!("hd-{id}-hint");
    let live = source.is_some();
    let show_stage = live || phase == TryOnPhase::Requesting;
    let photo_button = html! { <button type="button" class="hd-ghost" onclick={pick_photo.clone()}>{s.use_photo}</button> };
    let failure = |r: CameraResult| match r {
        CameraResult::Denied => s.camera_denied,
        CameraResult::NoCamera => s.camera_missing,
        CameraResult::InUse => s.camera_busy,
        CameraResult::Unsupported => s.camera_unsupported,
        CameraResult::Granted | CameraResult::Error => s.camera_error,
    };

    html! {
        <section class={classes!("hd-card", "hd-tryon")} aria-labelledby={title_id.clone()}
                 ref={section_ref} role={modal.then_some("dialog")} aria-modal={modal.then_some("true")} {onkeydown}
                 data-widget-id={id.clone()} data-phase={phase_name(phase)} data-live={live.to_string()}
                 data-tracker={t.tracker().map_or("none", tracker_name)}>
            <header class="hd-head">
                <span class="hd-badge">{s.try_on}</span>
                if phase != TryOnPhase::Idle {
                    <button type="button" class="hd-ghost hd-small" onclick={close.clone()}>{s.close}</button>
                }
            </header>
            <div class="hd-product">
                if !live { <img class="hd-product-img" src={product.image.clone()} alt="" decoding="async" /> }
                <div class="hd-product-text">
                    <h2 class="hd-q" id={title_id}>{&product.name}</h2>
                    if let Some(price) = product.price {
                        <p class="hd-price"><span class="hd-price-now">{format_money(price, &product.currency, s.lang)}</span></p>
                    }
                </div>
            </div>
            {match phase {
                TryOnPhase::Idle => html! {
                    <div class="hd-row">
                        <button type="button" class="hd-submit" onclick={click(|widget_id| Action::TryOnStart { widget_id })}>{s.try_it_on}</button>
                    </div>
                },
                TryOnPhase::Explain => html! {
                    <div class="hd-explain">
                        <p class="hd-hint">{s.camera_why}</p>
                        <button type="button" class="hd-submit" onclick={click(|widget_id| Action::TryOnAllowCamera { widget_id })}>{s.allow_camera}</button>
                        {photo_button.clone()}
                    </div>
                },
                TryOnPhase::Requesting => html! { <p class="hd-hint" role="status">{s.camera_waiting}</p> },
                TryOnPhase::Paused => html! {
                    <div class="hd-explain">
                        <p class="hd-hint" role="status">{s.paused}</p>
                        <button type="button" class="hd-submit" onclick={click(|widget_id| Action::TryOnAllowCamera { widget_id })}>{s.resume}</button>
                    </div>
                },
                TryOnPhase::Failed(r) => html! {
                    <div class="hd-explain">
                        <p class="hd-hint hd-error" role="alert" data-result={camera_name(r)}>{failure(r)}</p>
                        if matches!(r, CameraResult::Denied | CameraResult::InUse | CameraResult::Error) {
                            <button type="button" class="hd-submit" onclick={click(|widget_id| Action::TryOnAllowCamera { widget_id })}>{s.retry}</button>
                        }
                        {photo_button.clone()}
                    </div>
                },
                TryOnPhase::Live(_) => html! {},
            }}
            <div class="hd-ar-stage" ref={stage_ref.clone()} hidden={!show_stage}
                 onpointerdown={on_pointer.clone()} onpointermove={on_pointer.clone()}
                 onpointerup={on_pointer.clone()} onpointercancel={on_pointer}>
                <video class="hd-ar-video" ref={video_ref} hidden={source == Some(Source::Photo)}
                       playsinline=true autoplay=true muted=true aria-label={s.try_on}></video>
                <img class="hd-ar-photo" ref={photo_ref} hidden={source != Some(Source::Photo)} alt=""
                     src={(*photo_url).clone().unwrap_or_default()} />
                <img class="hd-ar-product" ref={product_ref} src={product.image.clone()} alt={s.product_position}
                     crossorigin="anonymous" tabindex="0" draggable="false" aria-describedby={hint_id.clone()}
                     hidden={!live} onkeydown={on_key} />
            </div>
            if live {
                <p class="hd-hint" id={hint_id}>
                    if t.tracker() == Some(TrackerState::Lost) { <span role="status">{s.tracking_lost}{" · "}</span> }
                    {s.drag_hint}
                </p>
                <div class="hd-row">
                    <button type="button" class="hd-submit" onclick={take_shot}>{s.snapshot}</button>
                    <button type="button" class="hd-submit hd-alt" onclick={add_to_cart.clone()}>{s.add_to_cart}</button>
                </div>
                if let Some(url) = (*shot_url).clone() {
                    <figure class="hd-shot">
                        <img src={url.clone()} alt={s.snapshot} />
                        <figcaption class="hd-row">
                            <a class="hd-ghost" href={url} download={format!("{}.jpg", product.sku)}>{s.save_photo}</a>
                            <button type="button" class="hd-ghost" onclick={share}>{s.share}</button>
                        </figcaption>
                    </figure>
                }
            } else if phase == TryOnPhase::Idle {
                <button type="button" class="hd-ghost" onclick={add_to_cart}>{s.add_to_cart}</button>
            }
            <p class="hd-status" role="status">
                if *added { {s.added_to_cart} }
                if *shot_failed { {" "}{s.camera_error} }
            </p>
            <input type="file" accept="image/*" class="hd-sr" ref={file_ref} tabindex="-1" aria-hidden="true" onchange={on_file} />
        </section>
    }
}

/// The tracker's polling loop: one call per new video frame, at most `1000 / min_gap_ms`
/// a second, and a DOM write only when the pose moved.
struct TrackLoop {
    tracker: Tracker,
    el: JsValue,
    mirrored: bool,
    once: bool,
    min_gap_ms: f64,
    alive: Rc<Cell<bool>>,
    frame: Rc<RefCell<Option<AnimationFrame>>>,
    emit: Rc<dyn Fn(&dyn Fn(String) -> Action)>,
    product_ref: NodeRef,
    live_pose: Rc<RefCell<Pose>>,
    state: Rc<Cell<Option<TrackerState>>>,
}

impl TrackLoop {
    fn schedule(self: Rc<Self>, last_call: f64, last_media_time: f64) {
        if !self.alive.get() || crate::halted() {
            return;
        }
        let me = self.clone();
        let handle = request_animation_frame(move |ts| me.step(ts, last_call, last_media_time));
        *self.frame.borrow_mut() = Some(handle);
    }

    fn step(self: Rc<Self>, ts: f64, last_call: f64, last_media_time: f64) {
        if !self.alive.get() {
            return;
        }
        let video = self.el.dyn_ref::<HtmlVideoElement>();
        let media_time = video.map_or(0.0, |v| v.current_time());
        let ready = video.is_none_or(|v| v.ready_state() >= 2);
        let fresh = media_time != last_media_time || self.once;
        if !ready || !fresh || (last_call >= 0.0 && ts - last_call < self.min_gap_ms) {
            return self.schedule(last_call, last_media_time);
        }
        let seen = self.tracker.track(&self.el, ts).unwrap_or(Seen::Lost);
        let next_state = match (seen, self.state.get()) {
            (Seen::Lost, Some(TrackerState::Attached | TrackerState::Found)) => {
                Some(TrackerState::Lost)
            }
            (Seen::At(_), Some(TrackerState::Lost)) => Some(TrackerState::Found),
            _ => None,
        };
        if let Seen::At(p) = seen {
            let p = if self.mirrored { p.mirrored() } else { p };
            if *self.live_pose.borrow() != p {
                *self.live_pose.borrow_mut() = p;
                apply_pose(&self.product_ref, p);
            }
        }
        if let Some(state) = next_state {
            self.state.set(Some(state));
            (self.emit)(&move |widget_id| Action::TryOnTracker { widget_id, state });
        }
        if !self.once {
            self.schedule(ts, media_time);
        }
    }
}

#[derive(Default)]
struct Gesture {
    pointers: Vec<(i32, (f64, f64))>,
    start_pose: Option<Pose>,
    start: Vec<(f64, f64)>,
}

impl Gesture {
    fn rebase(&mut self, pose: Pose) {
        self.start_pose = Some(pose);
        self.start = self.pointers.iter().map(|p| p.1).collect();
    }

    /// The pose the pointers ask for; `aspect` is width / height of the stage.
    fn pose(&self, aspect: f64) -> Pose {
        let base = self.start_pose.unwrap_or(Pose::CENTRE);
        let now: Vec<_> = self.pointers.iter().map(|p| p.1).collect();
        if now.len() != self.start.len() || now.is_empty() {
            return base;
        }
        let mid = |v: &[(f64, f64)]| {
            let n = v.len().min(2) as f64;
            v.iter()
                .take(2)
                .fold((0.0, 0.0), |a, p| (a.0 + p.0 / n, a.1 + p.1 / n))
        };
        let (m0, m1) = (mid(&self.start), mid(&now));
        let mut pose = Pose {
            x: base.x + m1.0 - m0.0,
            y: base.y + m1.1 - m0.1,
            ..base
        };
        if now.len() >= 2 {
            // In stage pixels (x scaled by the aspect) so angles and distances are true.
            let v = |a: (f64, f64), b: (f64, f64)| ((b.0 - a.0) * aspect, b.1 - a.1);
            let (a, b) = (v(self.start[0], self.start[1]), v(now[0], now[1]));
            let (la, lb) = (a.0.hypot(a.1), b.0.hypot(b.1));
            if la > 1e-3 {
                pose.scale = base.scale * lb / la;
                pose.rotation = base.rotation + (b.1.atan2(b.0) - a.1.atan2(a.0));
            }
        }
        clamp(pose)
    }
}

fn clamp(p: Pose) -> Pose {
    let f = |v: f64, lo: f64, hi: f64, d: f64| if v.is_finite() { v.clamp(lo, hi) } else { d };
    Pose {
        x: f(p.x, -0.5, 1.5, 0.5),
        y: f(p.y, -0.5, 1.5, 0.5),
        scale: f(p.scale, 0.05, 10.0, 1.0),
        rotation: f(p.rotation, -100.0, 100.0, 0.0),
    }
}

/// What Tab may land on inside the try-on dialog, in document order.
const FOCUSABLE: &str =
    "button:not([disabled]):not([tabindex='-1']), [href]:not([tabindex='-1']), \
    input:not([disabled]):not([type=hidden]):not([tabindex='-1']), [tabindex]:not([tabindex='-1'])";

/// The controls Tab reaches in `card`, in order: those that match [`FOCUSABLE`] and are
/// rendered (a hidden file input or a `hidden` stage is not).
fn focusables(card: &HtmlElement) -> Vec<HtmlElement> {
    let Ok(list) = card.query_selector_all(FOCUSABLE) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.get(i)?.dyn_into::<HtmlElement>().ok())
        .filter(|el| el.offset_parent().is_some())
        .collect()
}

/// Whether the focus went nowhere (the button that had it was removed) or is in `card`, so
/// moving it does not take it from a field the host page is using.
fn focus_is_lost_or_inside(card: &HtmlElement) -> bool {
    let root = card.get_root_node();
    let active = match root.dyn_ref::<web_sys::ShadowRoot>() {
        Some(shadow) => shadow.active_element(),
        None => gloo::utils::document()
            .active_element()
            .filter(|a| a.tag_name() != "BODY"),
    };
    active.is_none_or(|a| card.contains(Some(&a)))
}

fn apply_pose(product: &NodeRef, p: Pose) {
    let Some(el) = product.cast::<HtmlElement>() else {
        return;
    };
    let style = el.style();
    let _ = style.set_property("left", &format!("{}%", crate::i18n::fixed(p.x * 100.0, 3)));
    let _ = style.set_property("top", &format!("{}%", crate::i18n::fixed(p.y * 100.0, 3)));
    let _ = style.set_property(
        "transform",
        &format!(
            "translate(calc(-1 * var(--hd-ax)), calc(-1 * var(--hd-ay))) rotate({:.4}rad) scale({:.4})",
            p.rotation, p.scale
        ),
    );
    let _ = el.set_attribute(
        "data-pose",
        &[p.x, p.y, p.scale, p.rotation]
            .map(|v| crate::i18n::fixed(v, 3))
            .join(","),
    );
}

/// Draws what the viewer sees (the mirrored camera or the photo, and the product) into a
/// canvas at the source's own resolution.
fn draw_snapshot(
    source: Source,
    video: &NodeRef,
    photo: &NodeRef,
    product: &NodeRef,
    p: Pose,
    anchor: hudong_core::Point,
    width: f64,
) -> Option<HtmlCanvasElement> {
    let doc = web_sys::window()?.document()?;
    let canvas: HtmlCanvasElement = doc.create_element("canvas").ok()?.dyn_into().ok()?;
    let item = product.cast::<HtmlImageElement>()?;
    let (w, h) = match source {
        Source::Camera => {
            let v = video.cast::<HtmlVideoElement>()?;
            (v.video_width() as f64, v.video_height() as f64)
        }
        Source::Photo => {
            let i = photo.cast::<HtmlImageElement>()?;
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
                &video.cast::<HtmlVideoElement>()?,
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
                &photo.cast::<HtmlImageElement>()?,
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

fn phase_name(p: TryOnPhase) -> &'static str {
    match p {
        TryOnPhase::Idle => "idle",
        TryOnPhase::Explain => "explain",
        TryOnPhase::Requesting => "requesting",
        TryOnPhase::Live(Source::Camera) => "live_camera",
        TryOnPhase::Live(Source::Photo) => "live_photo",
        TryOnPhase::Paused => "paused",
        TryOnPhase::Failed(_) => "failed",
    }
}

fn tracker_name(s: TrackerState) -> &'static str {
    match s {
        TrackerState::Attached => "attached",
        TrackerState::Lost => "lost",
        TrackerState::Found => "found",
    }
}

fn camera_name(r: CameraResult) -> &'static str {
    match r {
        CameraResult::Granted => "granted",
        CameraResult::Denied => "denied",
        CameraResult::NoCamera => "no_camera",
        CameraResult::InUse => "in_use",
        CameraResult::Unsupported => "unsupported",
        CameraResult::Error => "error",
    }
}

impl crate::View for TryOn {
    fn chip(&self, s: &'static Strings) -> (&'static str, &str) {
        (s.try_on, self.spec().product.name.as_str())
    }
}
