//! The try-on card as a modal dialog while the camera is explained, asked for or shown:
//! the focus moves into it, Tab stays inside, Escape closes it, and the focus comes back
//! to the "try it on" button after.
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;
use yew::prelude::*;

/// Moves the focus into `card` when it becomes `modal` and back when it stops being one;
/// returns the card's key handler (Tab wraps inside, Escape calls `close`).
#[hook]
pub(super) fn use_focus_trap(modal: bool, card: NodeRef, close: Callback<()>) -> Callback<KeyboardEvent> {
    {
        let (card, was) = (card.clone(), use_mut_ref(|| None::<bool>));
        use_effect_with(modal, move |&modal| {
            let before = was.replace(Some(modal));
            if let (Some(before), Some(card)) = (before, card.cast::<HtmlElement>()) {
                if before != modal && (modal || focus_is_lost_or_inside(&card)) {
                    let first = focusables(&card).into_iter().next();
                    if let Some(first) = first {
                        let _ = first.focus();
                    }
                }
            }
        });
    }
    Callback::from(move |e: KeyboardEvent| {
        if !modal {
            return;
        }
        match e.key().as_str() {
            "Escape" => {
                e.prevent_default();
                close.emit(());
            }
            "Tab" => {
                let Some(card) = card.cast::<HtmlElement>() else {
                    return;
                };
                let all = focusables(&card);
                let (Some(first), Some(last)) = (all.first().cloned(), all.last().cloned()) else {
                    return;
                };
                let target = e.target().and_then(|t| t.dyn_into::<web_sys::Node>().ok());
                let wrap_to = match (e.shift_key(), target) {
                    (true, Some(t)) if t.is_same_node(Some(&first)) => Some(last),
                    (false, Some(t)) if t.is_same_node(Some(&last)) => Some(first),
                    _ => None,
                };
                if let Some(el) = wrap_to {
                    e.prevent_default();
                    let _ = el.focus();
                }
            }
            _ => {}
        }
    })
}

/// What Tab may land on inside the try-on dialog, in document order.
const FOCUSABLE: &str =
    "button:not([disabled]):not([tabindex='-1']), [href]:not([tabindex='-1']), \
    input:not([disabled]):not([type=hidden]):not([tabindex='-1']), [tabindex]:not([tabindex='-1'])";

/// The controls Tab reaches in `card`, in order: those that match [`FOCUSABLE`] and are
/// rendered (a hidden file input or a `hidden` stage is not).
fn focusables(card: &HtmlElement) -> Vec<HtmlElement> {
    let Ok(list) = card.query_selector_all(FOCUSABLE) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.get(i)?.dyn_into::<HtmlElement>().ok())
        .filter(|el| el.offset_parent().is_some())
        .collect()
}

/// Whether the focus went nowhere (the button that had it was removed) or is in `card`, so
/// moving it does not take it from a field the host page is using.
fn focus_is_lost_or_inside(card: &HtmlElement) -> bool {
    let root = card.get_root_node();
    let active = match root.dyn_ref::<web_sys::ShadowRoot>() {
        Some(shadow) => shadow.active_element(),
        None => gloo::utils::document()
            .active_element()
            .filter(|a| a.tag_name() != "BODY"),
    };
    active.is_none_or(|a| card.contains(Some(&a)))
}
