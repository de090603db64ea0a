//! The stage the product is placed on: the camera's video or the photo, the product image
//! and its pose. Poses are written straight to the product's style (a tracker following a
//! face re-renders nothing). The tracker is polled only while live, only on new video
//! frames and at most `max_fps` times a second.
use super::Emit;
use gloo::render::{request_animation_frame, AnimationFrame};
use hudong_core::{Action, Pose, Source, TrackerState};
use hudong_web::tracker::{Seen, Tracker};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{HtmlElement, HtmlImageElement, HtmlVideoElement};
use yew::prelude::*;

/// The stage's elements and the pose on screen.
#[derive(Clone)]
pub(super) struct Stage {
    pub stage: NodeRef,
    pub video: NodeRef,
    pub photo: NodeRef,
    pub product: NodeRef,
    /// The pose on screen: the core's (the viewer's placement) or the tracker's.
    pub pose: Rc<RefCell<Pose>>,
}

impl Stage {
    /// Shows `pose` (without a render).
    pub fn show(&self, pose: Pose) {
        *self.pose.borrow_mut() = pose;
        apply_pose(&self.product, pose);
    }
}

/// The stage for a product of this width and anchor (fractions of the stage), showing the
/// viewer's placement `pose` from the core whenever it changes.
#[hook]
pub(super) fn use_stage(pose: Pose, width: f64, anchor: hudong_core::Point) -> Stage {
    let stage = Stage {
        stage: use_node_ref(),
        video: use_node_ref(),
        photo: use_node_ref(),
        product: use_node_ref(),
        pose: use_mut_ref(|| pose),
    };
    // The product's size and anchor, as custom properties set through the CSSOM (a strict
    // CSP refuses style attributes, not style properties).
    {
        let el = stage.stage.clone();
        let dims = [width, anchor.x, anchor.y].map(|v| (v * 1e4).round() as i64);
        use_effect_with(dims, move |d| {
            if let Some(el) = el.cast::<HtmlElement>() {
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
    {
        let stage = stage.clone();
        use_effect_with(pose, move |&pose| stage.show(pose));
    }
    // And after every render (the element may be new).
    {
        let stage = stage.clone();
        use_effect(move || apply_pose(&stage.product, *stage.pose.borrow()));
    }
    stage
}

/// Runs `tracker` on the live source (`photo` is the picked photo's URL: a new one restarts
/// it), at most `max_fps` calls a second (0: 30), telling the core when it attaches, loses
/// and finds the face again.
#[hook]
pub(super) fn use_tracker(
    stage: &Stage,
    source: Option<Source>,
    tracker: Option<Tracker>,
    photo: Option<String>,
    max_fps: u32,
    emit: Emit,
) {
    let stage = stage.clone();
    let fps = if max_fps == 0 { 30 } else { max_fps.min(60) };
    use_effect_with((source, tracker, photo), move |(source, tracker, _)| {
        let alive = Rc::new(Cell::new(true));
        let frame: Rc<RefCell<Option<AnimationFrame>>> = Rc::default();
        if let (Some(source), Some(tracker)) = (*source, tracker.clone()) {
            let el: Option<JsValue> = match source {
                Source::Camera => stage.video.cast::<HtmlVideoElement>().map(Into::into),
                Source::Photo => stage.photo.cast::<HtmlImageElement>().map(Into::into),
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
                    stage,
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
    emit: Emit,
    stage: Stage,
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
            if *self.stage.pose.borrow() != p {
                self.stage.show(p);
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
