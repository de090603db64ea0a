use crate::card::Card;
use crate::i18n::Strings;
use hudong_core::{Action, Lead, LeadState, LeadTarget, LeadVia};
use qrcodegen::{QrCode, QrCodeEcc};
use yew::prelude::*;

/// A QR code as one SVG path (runs of dark modules merged), with a four-module quiet zone.
/// Drawn on the device from the URL: no image request, nothing a server could swap.
pub fn qr_path(text: &str) -> Option<(usize, String)> {
    let qr = QrCode::encode_text(text, QrCodeEcc::Medium).ok()?;
    let n = qr.size();
    let mut d = String::with_capacity((n * n) as usize);
    for y in 0..n {
        let mut x = 0;
        while x < n {
            if qr.get_module(x, y) {
                let start = x;
                while x < n && qr.get_module(x, y) {
                    x += 1;
                }
                let run = x - start;
                d.push_str(&format!("M{} {}h{run}v1h-{run}z", start + 4, y + 4));
            } else {
                x += 1;
            }
        }
    }
    Some((n as usize + 8, d))
}

/// The follow / private-domain card: what to do, the perk and its countdown, a QR code drawn
/// from the URL, a link, a code to copy, the consent box with the stated purpose, and one
/// confirm button (pending until the server answers). Folds into a chip.
#[function_component(LeadView)]
pub fn lead_view(props: &crate::WidgetProps<Lead>) -> Html {
    let (l, clock, on_action, s, _drawing) = props.parts();
    let spec = l.spec();
    let id = spec.widget_id.clone();
    let title_id = Card::heading_id(&id);
    let copied = use_state(|| false);
    let qr = use_memo(spec.url.clone(), |url| url.as_deref().and_then(qr_path));
    let emit = {
        let on_action = on_action.clone();
        move |a: Action| on_action.emit(a)
    };
    let fold = |folded: bool| {
        let (emit, id) = (emit.clone(), id.clone());
        Callback::from(move |_: MouseEvent| {
            emit(Action::LeadFold {
                widget_id: id.clone(),
                folded,
            })
        })
    };
    let badge = match spec.target {
        LeadTarget::Follow => s.lead_follow,
        LeadTarget::WecomContact => s.lead_wecom_contact,
        LeadTarget::WecomGroup => s.lead_wecom_group,
        LeadTarget::OfficialAccount => s.lead_official,
    };
    let card = Card::new("lead", &id).badge(badge);
    if l.folded() {
        return card.folded(&spec.title, fold(false));
    }
    let now = clock.now();
    let state = l.state();
    let pending = matches!(state, LeadState::Pending { .. });
    let done = matches!(state, LeadState::Confirmed { .. });
    let confirm_label = match (pending, spec.target) {
        (true, _) => s.lead_confirming,
        (false, LeadTarget::Follow | LeadTarget::OfficialAccount) => s.lead_follow_btn,
        (false, LeadTarget::WecomContact) => s.lead_done_btn,
        (false, LeadTarget::WecomGroup) => s.lead_joined_btn,
    };
    let status = match state {
        LeadState::None => String::new(),
        LeadState::Pending { .. } => s.lead_confirming.to_owned(),
        LeadState::Confirmed { perk_ref: Some(r) } => {
            format!("{} {} {r}", s.lead_confirmed, s.lead_perk_granted)
        }
        LeadState::Confirmed { perk_ref: None } => s.lead_confirmed.to_owned(),
        LeadState::Declined => s.lead_declined.to_owned(),
    };
    let consent_id = format!("hd-{id}-consent");
    let on_consent = {
        let (emit, id) = (emit.clone(), id.clone());
        Callback::from(move |e: Event| {
            let given = e
                .target_unchecked_into::<web_sys::HtmlInputElement>()
                .checked();
            emit(Action::LeadConsent {
                widget_id: id.clone(),
                given,
            });
        })
    };
    let on_confirm = {
        let (emit, id) = (emit.clone(), id.clone());
        Callback::from(move |_: MouseEvent| {
            emit(Action::LeadConfirm {
                widget_id: id.clone(),
            })
        })
    };
    let click = |via: LeadVia| {
        let (emit, id) = (emit.clone(), id.clone());
        move || {
            emit(Action::LeadClick {
                widget_id: id.clone(),
                via,
            })
        }
    };
    let on_link = {
        let c = click(LeadVia::Link);
        Callback::from(move |_: MouseEvent| c())
    };
    let on_qr = {
        // A long press (or right click) on the code: the viewer is saving or scanning it.
        let c = click(LeadVia::Qr);
        Callback::from(move |_: MouseEvent| c())
    };
    let code_id = format!("hd-{id}-code");
    let on_copy = {
        let (c, copied, text, code_id) = (
            click(LeadVia::Copy),
            copied.clone(),
            spec.code.clone().unwrap_or_default(),
            code_id.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            c();
            let (copied, text, code_id) = (copied.clone(), text.clone(), code_id.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match hudong_web::clipboard::copy_text(&text).await {
                    Ok(()) => copied.set(true),
                    // No clipboard here: select the code so the viewer can copy it by hand.
                    Err(_) => select_text(&code_id),
                }
            });
        })
    };
    let perk = match (&spec.perk, l.perk_open(now)) {
        (Some(p), true) => html! { <p class="hd-perk">{p}</p> },
        (Some(_), false) => html! { <p class="hd-hint">{s.lead_perk_over}</p> },
        (None, _) => html! {},
    };
    let card = card
        .phase(match state {
            LeadState::None => "none",
            LeadState::Pending { .. } => "pending",
            LeadState::Confirmed { .. } => "confirmed",
            LeadState::Declined => "declined",
        })
        .countdown(spec.perk_until.filter(|_| l.perk_open(now)), s.lead_perk_in, clock)
        .aside(html! {
            <button type="button" class="hd-fold" aria-expanded="true" aria-controls={format!("hd-{id}-body")} onclick={fold(true)}>{s.fold}</button>
        });
    card.view(html! {
        <>
            <div id={format!("hd-{id}-body")}>
                <h2 class="hd-q" id={title_id}>{&spec.title}</h2>
                {perk}
                // The ways in, side by side: the link, the code to copy, and the QR code
                // (folded: it is for a screenshot or a long press, and it is large).
                <div class="hd-code-row">
                    if let Some(url) = &spec.url {
                        <a class="hd-link" href={url.clone()} target="_blank" rel="noopener noreferrer" onclick={on_link}>{s.lead_open_link}</a>
                    }
                    if let Some(code) = &spec.code {
                        <code class="hd-code" id={code_id}>{code}</code>
                        <button type="button" class="hd-copy" onclick={on_copy}>{ if *copied { s.lead_copied } else { s.lead_copy } }</button>
                    }
                    if let Some((size, d)) = (*qr).clone() {
                        <details class="hd-qr-more">
                            <summary>
                                <svg class="hd-qr-icon" viewBox="0 0 24 24" aria-hidden="true">
                                    <path d="M3 3h8v8H3zm2 2v4h4V5zm8-2h8v8h-8zm2 2v4h4V5zM3 13h8v8H3zm2 2v4h4v-4zm8-2h3v3h-3zm5 0h3v3h-3zm-5 5h3v3h-3zm5 0h3v3h-3z" />
                                </svg>
                                <span class="hd-visually-hidden">{s.lead_show_qr}</span>
                            </summary>
                            <figure class="hd-qr">
                                <svg viewBox={format!("0 0 {size} {size}")} role="img" aria-label={format!("{}{}", s.lead_qr_label, spec.title)}
                                     shape-rendering="crispEdges" oncontextmenu={on_qr}>
                                    <rect width={size.to_string()} height={size.to_string()} fill="#fff" />
                                    <path d={d} fill="#000" />
                                </svg>
                                <figcaption class="hd-hint">{s.lead_scan}</figcaption>
                            </figure>
                        </details>
                    }
                </div>
                if l.needs_consent() {
                    <label class="hd-consent" for={consent_id.clone()}>
                        <input type="checkbox" id={consent_id} checked={l.consent()} disabled={pending || done} onchange={on_consent} />
                        <span>{s.lead_consent}{spec.purpose.as_deref().unwrap_or("")}</span>
                    </label>
                }
                if !done {
                    <button type="button" class="hd-submit" disabled={pending || (l.needs_consent() && !l.consent())}
                            aria-busy={pending.to_string()} onclick={on_confirm}>{confirm_label}</button>
                }
                <p class="hd-status" role="status">{status}</p>
            </div>
        </>
    })
}

fn select_text(element_id: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let (Some(el), Ok(Some(sel))) = (doc.get_element_by_id(element_id), doc.get_selection()) else {
        return;
    };
    if let Ok(range) = doc.create_range() {
        let _ = range.select_node_contents(&el);
        let _ = sel.remove_all_ranges();
        let _ = sel.add_range(&range);
    }
}

impl crate::View for Lead {
    fn chip(&self, s: &'static Strings) -> (&'static str, &str) {
        (s.lead_follow, self.spec().title.as_str())
    }
}
