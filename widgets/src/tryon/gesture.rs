//! Placing the product by hand: drag, and with two fingers pinch to scale and turn; the
//! arrow keys, +/- and [ ] do the same from a keyboard. The pose follows the fingers on
//! screen and goes to the core when the last finger lifts.
use super::stage::Stage;
use super::Emit;
use hudong_core::{Action, Pose};
use web_sys::HtmlElement;
use yew::prelude::*;

/// The stage's pointer handler (down, move, up and cancel) and the product's key handler.
#[hook]
pub(super) fn use_gestures(stage: &Stage, emit: Emit) -> (Callback<PointerEvent>, Callback<KeyboardEvent>) {
    let gesture = use_mut_ref(Gesture::default);
    let on_pointer = {
        let (gesture, stage, emit) = (gesture.clone(), stage.clone(), emit.clone());
        Callback::from(move |e: PointerEvent| {
            let Some(el) = stage.stage.cast::<HtmlElement>() else {
                return;
            };
            let rect = el.get_bounding_client_rect();
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
                    let _ = el.set_pointer_capture(e.pointer_id());
                    g.pointers.retain(|(id, _)| *id != e.pointer_id());
                    g.pointers.push((e.pointer_id(), p));
                    g.rebase(*stage.pose.borrow());
                }
                "pointermove" => {
                    let Some(slot) = g.pointers.iter_mut().find(|(id, _)| *id == e.pointer_id())
                    else {
                        return;
                    };
                    slot.1 = p;
                    let pose = g.pose(rect.width() / rect.height());
                    stage.show(pose);
                }
                _ => {
                    g.pointers.retain(|(id, _)| *id != e.pointer_id());
                    let pose = clamp(*stage.pose.borrow());
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
        let pose = stage.pose.clone();
        Callback::from(move |e: KeyboardEvent| {
            let mut p = *pose.borrow();
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
    (on_pointer, on_key)
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
