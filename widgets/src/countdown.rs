use crate::clock::Clock;
use crate::i18n::format_remaining;
use gloo::render::{request_animation_frame, AnimationFrame};
use hudong_core::Millis;
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct CountdownProps {
    pub deadline: Millis,
    pub clock: Clock,
    pub label: &'static str,
}

/// Time left before a server deadline, recomputed from the clock (never counted down by
/// ticks), so it is right the moment a tab returns from the background. It follows
/// animation frames, which browsers stop in hidden tabs, and redraws only when the shown
/// second changes. Not a live region: screen readers hear the phase changes, not every second.
#[function_component(Countdown)]
pub fn countdown(props: &CountdownProps) -> Html {
    let redraw = use_force_update();
    let left = props.deadline.saturating_sub(props.clock.now());
    let shown = format_remaining(left);
    {
        let clock = props.clock.clone();
        let deadline = props.deadline;
        let shown = shown.clone();
        use_effect_with((deadline, shown), move |(deadline, shown)| {
            let deadline = *deadline;
            let shown = shown.clone();
            let frame: Rc<RefCell<Option<AnimationFrame>>> = Rc::new(RefCell::new(None));
            fn schedule(
                frame: Rc<RefCell<Option<AnimationFrame>>>,
                clock: Clock,
                deadline: Millis,
                shown: String,
                redraw: UseForceUpdateHandle,
            ) {
                let slot = frame.clone();
                let next = request_animation_frame(move |_| {
                    let now_shown = format_remaining(deadline.saturating_sub(clock.now()));
                    if now_shown != shown {
                        redraw.force_update(); // the effect then restarts with the new text
                    }
                    schedule(slot, clock, deadline, shown, redraw);
                });
                *frame.borrow_mut() = Some(next);
            }
            schedule(frame.clone(), clock, deadline, shown, redraw);
            move || drop(frame.borrow_mut().take())
        });
    }
    html! {
        <span class="hd-countdown" data-remaining-ms={left.to_string()}>
            {props.label}{" "}<time>{shown}</time>
        </span>
    }
}
