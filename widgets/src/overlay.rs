use crate::clock::Clock;
use crate::coupon::CouponView;
use crate::flash::FlashView;
use crate::i18n::Strings;
use crate::lead::LeadView;
use crate::likes::LikesView;
use crate::lottery::LotteryView;
use crate::poll::PollView;
use crate::products::ProductsView;
use crate::questions::QuestionsView;
use crate::quiz::QuizView;
use crate::redeem::RedeemView;
use crate::tasks::TasksView;
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
    /// The host's layout (`room.layout`).
    #[prop_or_default]
    pub layout: hudong_core::layout::Layout,
}

/// One widget's view.
fn widget_view(w: &Widget, props: &OverlayProps) -> Html {
    match w {
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
        #[cfg(feature = "fault")]
        Widget::Fault(f) => html! {
            <crate::fault::FaultView key={f.id().to_owned()} fault={f.clone()} on_action={props.on_action.clone()} />
        },
    }
}

/// A chip's badge and title: a card waiting in the tray.
fn chip_label<'a>(w: &'a Widget, s: &'static Strings) -> (&'static str, &'a str) {
    match w {
        Widget::Poll(p) => (s.poll, p.spec().question.as_str()),
        Widget::FlashSale(f) => (s.flash_sale, f.spec().product.name.as_str()),
        Widget::Quiz(q) => (s.quiz, q.spec().title.as_deref().unwrap_or("")),
        Widget::Redeem(r) => (s.points_shop, r.spec().title.as_deref().unwrap_or("")),
        Widget::TryOn(t) => (s.try_on, t.spec().product.name.as_str()),
        Widget::Lottery(l) => (s.lottery, l.spec().prize.name.as_str()),
        Widget::Lead(l) => (s.lead_follow, l.spec().title.as_str()),
        Widget::Likes(_) => (s.like, ""),
        Widget::Products(p) => (s.products, p.current().map_or("", |x| x.name.as_str())),
        Widget::Coupon(c) => (s.coupon, c.spec().name.as_str()),
        Widget::Questions(q) => (
            s.questions,
            q.spec().prompt.as_deref().unwrap_or(s.ask_prompt),
        ),
        Widget::Tasks(_) => (s.tasks, ""),
        #[cfg(feature = "fault")]
        Widget::Fault(f) => ("fault", f.spec().title.as_str()),
    }
}

/// Every live widget of a room over the video, arranged by the host's layout: as many cards
/// as it allows (a live try-on alone), the others as chips in a tray below with the compact
/// widgets; a chip opens its card. The overlay never reaches into the top of the video the
/// host keeps clear.
#[function_component(Overlay)]
pub fn overlay(props: &OverlayProps) -> Html {
    let picked = use_state(|| None::<String>);
    let root = use_node_ref();
    {
        let root = root.clone();
        use_effect_with(props.layout.keep_clear, move |keep| {
            if let Some(el) = root.cast::<web_sys::HtmlElement>() {
                // Through the CSSOM, which a strict style-src allows (a style attribute it would not).
                let share = f64::from(100 - u32::from(*keep).min(80)) / 100.0;
                let _ = el
                    .style()
                    .set_property("--_room", &crate::i18n::fixed(share, 2));
            }
        });
    }
    let a = hudong_core::layout::arrange(&props.widgets, &props.layout, picked.as_deref());
    let find = |id: &str| props.widgets.iter().find(|w| w.id() == id);
    let s = props.strings;
    html! {
        <div class="hd-overlay" data-theme={props.theme.clone()} lang={s.lang} ref={root}
             role="region" aria-label={s.overlay_label} data-modal={a.modal.is_some().to_string()}>
            <p class="hd-conn" role="status" hidden={!props.reconnecting}>
                if props.reconnecting { {s.reconnecting} }
            </p>
            { for a.cards.iter().filter_map(|id| find(id)).map(|w| widget_view(w, props)) }
            if !a.chips.is_empty() || !a.compact.is_empty() {
                <div class="hd-tray" inert={a.modal.is_some()}>
                    { for a.chips.iter().filter_map(|id| find(id)).map(|w| {
                        let (badge, title) = chip_label(w, s);
                        let open = {
                            let (picked, id) = (picked.clone(), w.id().to_owned());
                            Callback::from(move |_: MouseEvent| picked.set(Some(id.clone())))
                        };
                        html! {
                            <section key={format!("chip-{}", w.id())} class={classes!("hd-card", "hd-chip")} data-chip-for={w.id().to_owned()}
                                     aria-label={format!("{badge} {title}")}>
                                <button type="button" class="hd-chip-btn" aria-expanded="false" onclick={open}>
                                    <span class="hd-badge">{badge}</span>{" "}{title}
                                </button>
                            </section>
                        }
                    }) }
                    { for a.compact.iter().filter_map(|id| find(id)).map(|w| widget_view(w, props)) }
                </div>
            }
        </div>
    }
}
