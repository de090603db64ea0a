use crate::card::Card;
use crate::i18n::{fill, format_money, Strings};
use hudong_core::{
    Action, Coupon, CouponGate, CouponKind, CouponOutcome, CouponPhase, Millis, MyClaim,
};
use wasm_bindgen::JsValue;
use yew::prelude::*;

/// A date and time in the viewer's locale, through the browser's `Intl`.
fn local_time(ms: Millis, lang: &str) -> String {
    let d = js_sys::Date::new(&JsValue::from_f64(ms as f64));
    let opts = js_sys::Object::new();
    for k in ["month", "day", "hour", "minute"] {
        let _ = js_sys::Reflect::set(&opts, &k.into(), &"2-digit".into());
    }
    d.to_locale_string(lang, &opts).into()
}

/// A coupon or red packet: its value and condition (满减), how many are left, the gate (share
/// or follow first), one claim button (pending until the server answers), and the viewer's
/// wallet with each coupon's expiry.
#[function_component(CouponView)]
pub fn coupon_view(props: &crate::WidgetProps<Coupon>) -> Html {
    let (c, clock, on_action, s, _drawing) = props.parts();
    let spec = c.spec();
    let id = spec.widget_id.clone();
    let now = clock.now();
    let phase = c.phase(now);
    let packet = spec.kind == CouponKind::RedPacket;
    let title_id = Card::heading_id(&id);
    let money = |v: u64| format_money(v, &spec.currency, s.lang);
    let on_claim = {
        let (on_action, id) = (on_action.clone(), id.clone());
        Callback::from(move |_: MouseEvent| {
            on_action.emit(Action::CouponClaim {
                widget_id: id.clone(),
            })
        })
    };
    let on_share = {
        let (on_action, id, title) = (on_action.clone(), id.clone(), spec.name.clone());
        Callback::from(move |_: MouseEvent| {
            let (on_action, id, title) = (on_action.clone(), id.clone(), title.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let url = web_sys::window()
                    .and_then(|w| w.location().href().ok())
                    .unwrap_or_default();
                if hudong_web::share::share(&title, &url).await.is_ok() {
                    on_action.emit(Action::CouponShare {
                        widget_id: id,
                        channel: "web_share".into(),
                    });
                }
            });
        })
    };
    let pending = matches!(c.mine(), MyClaim::Pending { .. });
    let status = match c.mine() {
        MyClaim::None => String::new(),
        MyClaim::Pending { .. } => s.claiming_coupon.to_owned(),
        MyClaim::Claimed { .. } => match (packet, c.wallet().last()) {
            (true, Some(w)) => format!("{} {}", s.packet_got, money(w.value)),
            _ => s.coupon_claimed.to_owned(),
        },
        MyClaim::Refused { outcome } => match outcome {
            CouponOutcome::SoldOut => s.outcome_sold_out,
            CouponOutcome::LimitReached => s.coupon_limit,
            CouponOutcome::NotEligible => s.coupon_not_eligible,
            CouponOutcome::Ended | CouponOutcome::Success => s.sale_ended,
        }
        .to_owned(),
    };
    let condition = match spec.threshold {
        Some(t) => fill(s.spend_min, "amount", &money(t)),
        None => s.no_threshold.to_owned(),
    };
    let gate_hint = match spec.gate {
        CouponGate::None => None,
        CouponGate::Share => Some(s.share_to_claim),
        CouponGate::Follow => Some(s.follow_to_claim),
    };
    let claimed = matches!(c.mine(), MyClaim::Claimed { .. });
    let share_blocked = spec.gate == CouponGate::Share && !c.shared();
    let card = Card::new("coupon", &id)
        .class(packet.then_some("hd-packet"))
        .badge(if packet { s.red_packet } else { s.coupon });
    let card = match phase {
        CouponPhase::Upcoming => card.phase("upcoming").countdown(Some(spec.starts_at), s.opens_in, clock),
        CouponPhase::Open => card.phase("open").countdown(Some(spec.ends_at), s.ends_in, clock),
        CouponPhase::SoldOut => card.phase("sold_out").note(s.sold_out),
        CouponPhase::Ended => card.phase("ended").note(s.sale_ended),
    };
    card.view(html! {
        <>
            <div class="hd-coupon-face">
                <p class="hd-coupon-value">
                    if packet { <span class="hd-coupon-upto">{s.up_to}{" "}</span> }
                    {money(spec.value)}
                </p>
                <div>
                    <h2 class="hd-q" id={title_id}>{&spec.name}</h2>
                    <p class="hd-hint">{condition}{" · "}{format!("{} {} {}", s.coupon_left, c.left(), s.coupon_units).trim_end().to_owned()}</p>
                </div>
            </div>
            if let Some(hint) = gate_hint {
                <p class="hd-hint hd-condition">{hint}</p>
            }
            if spec.gate == CouponGate::Share && !claimed {
                if c.shared() {
                    <p class="hd-hint">{"✓ "}{s.shared}</p>
                } else if hudong_web::share::can_share() {
                    <button type="button" class="hd-submit hd-alt" onclick={on_share}>{s.share_group}</button>
                }
            }
            if !claimed && phase == CouponPhase::Open {
                <button type="button" class="hd-submit" disabled={pending || share_blocked} aria-busy={pending.to_string()} onclick={on_claim}>
                    { if pending { s.claiming_coupon } else if packet { s.open_packet } else { s.claim_coupon } }
                </button>
            }
            <p class={classes!("hd-status", claimed.then_some("hd-win"))} role="status">{status}</p>
            if !c.wallet().is_empty() {
                <details class="hd-wallet">
                    <summary>{format!("{} ({})", s.my_coupons, c.wallet().len())}</summary>
                    <ul>
                        { for c.wallet().iter().map(|w| html! {
                            <li key={w.coupon_ref.clone()} data-ref={w.coupon_ref.clone()}>
                                <strong>{format_money(w.value, &w.currency, s.lang)}</strong>{" "}{&w.name}
                                <span class="hd-hint">
                                    {" · "}{match w.threshold { Some(t) => fill(s.spend_min, "amount", &format_money(t, &w.currency, s.lang)), None => s.no_threshold.to_owned() }}
                                    {" · "}{s.valid_until}{" "}<time datetime={js_sys::Date::new(&JsValue::from_f64(w.expires_at as f64)).to_iso_string().as_string().unwrap_or_default()}>{local_time(w.expires_at, s.lang)}</time>
                                </span>
                            </li>
                        }) }
                    </ul>
                </details>
            }
        </>
    })
}

impl crate::View for Coupon {
    fn chip(&self, s: &'static Strings) -> (&'static str, &str) {
        (s.coupon, self.spec().name.as_str())
    }
}
