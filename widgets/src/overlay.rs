use crate::clock::Clock;
use crate::i18n::Strings;
use crate::flash::FlashView;
use crate::poll::PollView;
use crate::quiz::QuizView;
use hudong_core::{Action, Widget};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq, Clone)]
pub struct OverlayProps {
    /// The room's live widgets, oldest first.
    pub widgets: Rc<[Widget]>,
    pub clock: Clock,
    pub on_action: Callback<Action>,
    pub strings: &'static Strings,
    /// `light`, `dark`, or `auto` (follow the system).
    #[prop_or(AttrValue::Static("auto"))]
    pub theme: AttrValue,
    /// The command connection dropped and is being re-established.
    #[prop_or(false)]
    pub reconnecting: bool,
}

/// Every live widget of a room, stacked over the video.
#[function_component(Overlay)]
pub fn overlay(props: &OverlayProps) -> Html {
    html! {
        <div class="hd-overlay" data-theme={props.theme.clone()} lang={props.strings.lang}
             role="region" aria-label={props.strings.overlay_label}>
            <p class="hd-conn" role="status" hidden={!props.reconnecting}>
                if props.reconnecting { {props.strings.reconnecting} }
            </p>
            { for props.widgets.iter().map(|w| match w {
                Widget::Poll(p) => html! {
                    <PollView key={p.id().to_owned()} poll={p.clone()} clock={props.clock.clone()}
                              on_action={props.on_action.clone()} strings={props.strings} />
                },
                Widget::Quiz(q) => html! {
                    <QuizView key={q.id().to_owned()} quiz={q.clone()} clock={props.clock.clone()}
                              on_action={props.on_action.clone()} strings={props.strings} />
                },
                Widget::FlashSale(f) => html! {
                    <FlashView key={f.id().to_owned()} sale={f.clone()} clock={props.clock.clone()}
                               on_action={props.on_action.clone()} strings={props.strings} />
                },
            }) }
        </div>
    }
}
