//! The AR try-on view. It carries out what the core's phase asks: the camera is open
//! exactly while `wants_camera()` holds (released on close, on pause, on unmount), the
//! tracker is polled only while live and only on new video frames (capped), and poses are
//! written straight to the product's style so following a face re-renders nothing.
//!
//! The view only lays the card out; each part is a hook of its own: the camera and the
//! photo ([`camera`]), the stage and the tracker loop ([`stage`]), drag and pinch
//! ([`gesture`]), the modal dialog's focus ([`focus`]) and snapshots ([`snapshot`]).
mod camera;
mod focus;
mod gesture;
mod snapshot;
mod stage;

use crate::card::Card;
use crate::i18n::{format_money, Strings};
use camera::{use_camera, use_photo};
use focus::use_focus_trap;
use gesture::use_gestures;
use hudong_core::{Action, CameraResult, Source, TrackerState, TryOn, TryOnPhase};
use hudong_web::tracker::Tracker;
use snapshot::use_snapshot;
use stage::{use_stage, use_tracker};
use std::rc::Rc;
use web_sys::Blob;
use yew::prelude::*;

/// Tells the core something about this widget: the action, made from its id.
type Emit = Rc<dyn Fn(&dyn Fn(String) -> Action)>;

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

    let emit: Emit = {
        let (on_action, id) = (on_action.clone(), id.clone());
        Rc::new(move |make: &dyn Fn(String) -> Action| on_action.emit(make(id.clone())))
    };
    let click = |make: fn(String) -> Action| {
        let emit = emit.clone();
        Callback::from(move |_: MouseEvent| emit(&make))
    };
    let added = use_state(|| false);

    let stage = use_stage(t.pose(), product.width, product.anchor);
    use_camera(t.wants_camera(), stage.video.clone(), emit.clone());
    let photo = use_photo(emit.clone());
    use_tracker(&stage, source, hooks.tracker.clone(), (*photo.url).clone(), hooks.max_fps, emit.clone());
    let (on_pointer, on_key) = use_gestures(&stage, emit.clone());
    let shot = use_snapshot(&stage, source, product, hooks.on_snapshot.clone(), emit.clone());

    let add_to_cart = {
        let (emit, added) = (emit.clone(), added.clone());
        Callback::from(move |_: MouseEvent| {
            emit(&|widget_id| Action::TryOnAddToCart { widget_id });
            added.set(true);
        })
    };
    let close = {
        let (emit, shot_url) = (emit.clone(), shot.url.clone());
        Callback::from(move |()| {
            shot_url.set(None);
            emit(&|widget_id| Action::TryOnClose { widget_id });
        })
    };
    let modal = matches!(
        phase,
        TryOnPhase::Explain | TryOnPhase::Requesting | TryOnPhase::Live(_)
    );
    let card_ref = use_node_ref();
    let onkeydown = use_focus_trap(modal, card_ref.clone(), close.clone());

    let title_id = Card::heading_id(&id);
    let hint_id = format!("hd-{id}-hint");
    let live = source.is_some();
    let show_stage = live || phase == TryOnPhase::Requesting;
    let photo_button = html! { <button type="button" class="hd-ghost" onclick={photo.pick.clone()}>{s.use_photo}</button> };
    let failure = |r: CameraResult| match r {
        CameraResult::Denied => s.camera_denied,
        CameraResult::NoCamera => s.camera_missing,
        CameraResult::InUse => s.camera_busy,
        CameraResult::Unsupported => s.camera_unsupported,
        CameraResult::Granted | CameraResult::Error => s.camera_error,
    };

    let mut card = Card::new("tryon", &id)
        .badge(s.try_on)
        .phase(phase_name(phase))
        .live(live, t.tracker().map_or("none", tracker_name))
        .dialog(modal, card_ref, onkeydown);
    if phase != TryOnPhase::Idle {
        let close = close.reform(|_: MouseEvent| ());
        card = card.aside(html! { <button type="button" class="hd-ghost hd-small" onclick={close}>{s.close}</button> });
    }
    card.view(html! {
        <>
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
            <div class="hd-ar-stage" ref={stage.stage.clone()} hidden={!show_stage}
                 onpointerdown={on_pointer.clone()} onpointermove={on_pointer.clone()}
                 onpointerup={on_pointer.clone()} onpointercancel={on_pointer}>
                <video class="hd-ar-video" ref={stage.video.clone()} hidden={source == Some(Source::Photo)}
                       playsinline=true autoplay=true muted=true aria-label={s.try_on}></video>
                <img class="hd-ar-photo" ref={stage.photo.clone()} hidden={source != Some(Source::Photo)} alt=""
                     src={(*photo.url).clone().unwrap_or_default()} />
                <img class="hd-ar-product" ref={stage.product.clone()} src={product.image.clone()} alt={s.product_position}
                     crossorigin="anonymous" tabindex="0" draggable="false" aria-describedby={hint_id.clone()}
                     hidden={!live} onkeydown={on_key} />
            </div>
            if live {
                <p class="hd-hint" id={hint_id}>
                    if t.tracker() == Some(TrackerState::Lost) { <span role="status">{s.tracking_lost}{" · "}</span> }
                    {s.drag_hint}
                </p>
                <div class="hd-row">
                    <button type="button" class="hd-submit" onclick={shot.take.clone()}>{s.snapshot}</button>
                    <button type="button" class="hd-submit hd-alt" onclick={add_to_cart.clone()}>{s.add_to_cart}</button>
                </div>
                if let Some(url) = (*shot.url).clone() {
                    <figure class="hd-shot">
                        <img src={url.clone()} alt={s.snapshot} />
                        <figcaption class="hd-row">
                            <a class="hd-ghost" href={url} download={format!("{}.jpg", product.sku)}>{s.save_photo}</a>
                            <button type="button" class="hd-ghost" onclick={shot.share.clone()}>{s.share}</button>
                        </figcaption>
                    </figure>
                }
            } else if phase == TryOnPhase::Idle {
                <button type="button" class="hd-ghost" onclick={add_to_cart}>{s.add_to_cart}</button>
            }
            <p class="hd-status" role="status">
                if *added { {s.added_to_cart} }
                if *shot.failed { {" "}{s.camera_error} }
            </p>
            <input type="file" accept="image/*" class="hd-sr" ref={photo.input.clone()} tabindex="-1" aria-hidden="true" onchange={photo.on_file.clone()} />
        </>
    })
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
