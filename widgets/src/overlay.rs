use crate::clock::Clock;
use crate::i18n::Strings;
use crate::tryon::TryOnHooks;
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
fn widget_view(w: &Widget, props: &OverlayProps, redraw: &Callback<()>) -> Html {
    let cx = crate::Cx {
        clock: &props.clock,
        on_action: &props.on_action,
        strings: props.strings,
        tryon: &props.tryon,
        redraw,
    };
    crate::card(w, &cx)
}

/// Every live widget of a room over the video, arranged by the host's layout: as many cards
/// as it allows (a live try-on alone), the others as chips in a tray below with the compact
/// widgets; a chip opens its card. The overlay never reaches into the top of the video the
/// host keeps clear.
#[function_component(Overlay)]
pub fn overlay(props: &OverlayProps) -> Html {
    let picked = use_state(|| None::<String>);
    let root = use_node_ref();
    // A widget whose code was still on its way is drawn when it arrives.
    let redraw = {
        let force = use_force_update();
        use_memo((), move |_| Callback::from(move |()| force.force_update()))
    };
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
            { for a.cards.iter().filter_map(|id| find(id)).map(|w| widget_view(w, props, &redraw)) }
            if !a.chips.is_empty() || !a.compact.is_empty() {
                <div class="hd-tray" inert={a.modal.is_some()}>
                    <div class="hd-chips">
                        { for a.chips.iter().filter_map(|id| find(id)).map(|w| {
                            let (badge, title) = crate::chip(w, s);
                            let open = {
                                let (picked, id) = (picked.clone(), w.id().to_owned());
                                Callback::from(move |_: MouseEvent| picked.set(Some(id.clone())))
                            };
                            crate::card::chip(None, None, Some(w.id().to_owned()), badge, title, open)
                        }) }
                    </div>
                    { for a.compact.iter().filter_map(|id| find(id)).map(|w| widget_view(w, props, &redraw)) }
                </div>
            }
        </div>
    }
}
