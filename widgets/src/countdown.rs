use crate::clock::Clock;
use crate::i18n::format_remaining;
use gloo::render::{request_animation_frame, AnimationFrame};
use hudong_core::Millis;
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// The seconds left at which the hidden live region speaks, largest first.
const MILESTONES_S: [u64; 3] = [60, 30, 10];

#[derive(Properties, PartialEq)]
pub struct CountdownProps {
    pub deadline: Millis,
    pub clock: Clock,
    pub label: &'static str,
}

/// Time left before a server deadline, recomputed from the clock (never counted down by
/// ticks), so it is right the moment a tab returns from the background. It follows
/// animation frames, which browsers stop in hidden tabs, and redraws only when the shown
/// second changes. The visible time is not a live region; a hidden one says the time left
/// at the milestones (1:00, 30s, 10s) only, so screen readers hear three announcements, not
/// every second.
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
                    if crate::halted() {
                        return; // the module failed: the loop ends here
                    }
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
    let milestone = MILESTONES_S
        .iter()
        .rev()
        .find(|&&m| left > 0 && left.div_ceil(1000) <= m)
        .map(|&m| format!("{} {}", props.label, format_remaining(m * 1000)));
    html! {
        <span class="hd-countdown" data-remaining-ms={left.to_string()} data-urgent={(left > 0 && left <= 10_000).then_some("")}>
            {props.label}{" "}<time>{shown}</time>
            <span class="hd-sr hd-milestone" aria-live="polite" aria-atomic="true">{milestone.unwrap_or_default()}</span>
        </span>
    }
}
