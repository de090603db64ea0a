use crate::clock::Clock;
use crate::i18n::Strings;
use crate::flash::FlashView;
use crate::lottery::LotteryView;
use crate::lead::LeadView;
use crate::likes::LikesView;
use crate::products::ProductsView;
use crate::coupon::CouponView;
use crate::questions::QuestionsView;
use crate::tasks::TasksView;
use crate::poll::PollView;
use crate::quiz::QuizView;
use crate::redeem::RedeemView;
use crate::tryon::{TryOnHooks, TryOnView};
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
    /// The tracker and snapshot callback of try-on widgets.
    #[prop_or_default]
    pub tryon: TryOnHooks,
}

/// Whether a widget sits in the compact tray at the bottom (the like button, folded cards)
/// rather than in the stack of cards.
fn in_tray(w: &Widget) -> bool {
    match w {
        Widget::Likes(_) => true,
        Widget::Lead(l) => l.folded(),
        _ => false,
    }
}

/// Every live widget of a room over the video: cards stacked oldest first, compact widgets
/// in a tray below them.
#[function_component(Overlay)]
pub fn overlay(props: &OverlayProps) -> Html {
    let cards = props.widgets.iter().filter(|w| !in_tray(w));
    let tray = props.widgets.iter().filter(|w| in_tray(w));
    html! {
        <div class="hd-overlay" data-theme={props.theme.clone()} lang={props.strings.lang}
             role="region" aria-label={props.strings.overlay_label}>
            <p class="hd-conn" role="status" hidden={!props.reconnecting}>
                if props.reconnecting { {props.strings.reconnecting} }
            </p>
            { for cards.map(|w| match w {
                Widget::Poll(p) => html! {
                    <PollView key={p.id().to_owned()} poll={p.clone()} clock={props.clock.clone()}
                              on_action={props.on_action.clone()} strings={props.strings} />
                },
                Widget::Quiz(q) => html! {
                    <QuizView key={q.id().to_owned()} quiz={q.clone()} clock={props.clock.clone()}
                              on_action={props.on_action.clone()} strings={props.strings} />
                },
                Widget::Lottery(l) => html! {
                    <LotteryView key={l.id().to_owned()} lottery={l.clone()} clock={props.clock.clone()}
                                 on_action={props.on_action.clone()} strings={props.strings} />
                },
                Widget::Lead(l) => html! {
                    <LeadView key={l.id().to_owned()} lead={l.clone()} clock={props.clock.clone()}
                              on_action={props.on_action.clone()} strings={props.strings} />
                },
                Widget::Likes(l) => html! {
                    <LikesView key={l.id().to_owned()} likes={l.clone()} on_action={props.on_action.clone()} strings={props.strings} />
                },
                Widget::Tasks(t) => html! {
                    <TasksView key={t.id().to_owned()} tasks={t.clone()} clock={props.clock.clone()}
                               on_action={props.on_action.clone()} strings={props.strings} />
                },
                Widget::Questions(q) => html! {
                    <QuestionsView key={q.id().to_owned()} questions={q.clone()} on_action={props.on_action.clone()} strings={props.strings} />
                },
                Widget::Coupon(c) => html! {
                    <CouponView key={c.id().to_owned()} coupon={c.clone()} clock={props.clock.clone()}
                                on_action={props.on_action.clone()} strings={props.strings} />
                },
                Widget::Products(p) => html! {
                    <ProductsView key={p.id().to_owned()} products={p.clone()} on_action={props.on_action.clone()} strings={props.strings} />
                },
                Widget::Redeem(r) => html! {
                    <RedeemView key={r.id().to_owned()} shop={r.clone()}
                                on_action={props.on_action.clone()} strings={props.strings} />
                },
                Widget::TryOn(t) => html! {
                    <TryOnView key={t.id().to_owned()} tryon={t.clone()} on_action={props.on_action.clone()}
                               strings={props.strings} hooks={props.tryon.clone()} />
                },
                Widget::FlashSale(f) => html! {
                    <FlashView key={f.id().to_owned()} sale={f.clone()} clock={props.clock.clone()}
                               on_action={props.on_action.clone()} strings={props.strings} />
                },
            }) }
            if tray.clone().next().is_some() {
                <div class="hd-tray">
                    { for tray.map(|w| match w {
                        Widget::Likes(l) => html! {
                            <LikesView key={l.id().to_owned()} likes={l.clone()} on_action={props.on_action.clone()} strings={props.strings} />
                        },
                        Widget::Lead(l) => html! {
                            <LeadView key={l.id().to_owned()} lead={l.clone()} clock={props.clock.clone()}
                                      on_action={props.on_action.clone()} strings={props.strings} />
                        },
                        _ => html! {},
                    }) }
                </div>
            }
        </div>
    }
}
