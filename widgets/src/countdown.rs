use crate::clock::Clock;
use crate::i18n::format_remaining;
use gloo::timers::callback::Interval;
use hudong_core::Millis;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct CountdownProps {
    pub deadline: Millis,
    pub clock: Clock,
    pub label: &'static str,
}

/// Time left before a server deadline, recomputed from the clock on every redraw (never
/// counted down by ticks), so it is right after a tab returns from the background.
/// Not a live region: screen readers hear the phase changes, not every second.
#[function_component(Countdown)]
pub fn countdown(props: &CountdownProps) -> Html {
    let redraw = use_force_update();
    use_effect_with(props.deadline, move |_| {
        let interval = Interval::new(500, move || redraw.force_update());
        move || drop(interval)
    });
    let left = props.deadline.saturating_sub(props.clock.now());
    html! {
        <span class="hd-countdown" data-remaining-ms={left.to_string()}>
            {props.label}{" "}<time>{format_remaining(left)}</time>
        </span>
    }
}
