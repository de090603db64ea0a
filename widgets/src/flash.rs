use crate::card::Card;
use crate::i18n::{format_count, format_money, format_number, plural, Strings};
use hudong_core::{Action, FlashPhase, FlashSale, GrabOutcome};
use yew::prelude::*;

/// A flash-sale card: countdown to the start (with a reminder), then the stock bar and the
/// grab button, then the server's answer.
#[function_component(FlashView)]
pub fn flash_view(props: &crate::WidgetProps<FlashSale>) -> Html {
    let (sale, clock, on_action, s, _drawing) = props.parts();
    let spec = sale.spec();
    let product = &spec.product;
    let now = clock.now();
    let phase = sale.phase(now);
    let action = |make: fn(String) -> Action| {
        let on_action = on_action.clone();
        let id = spec.widget_id.clone();
        Callback::from(move |_: MouseEvent| on_action.emit(make(id.clone())))
    };
    let remind = action(|widget_id| Action::FlashRemind { widget_id });
    let grab = action(|widget_id| Action::FlashGrab { widget_id });

    let button = match phase {
        FlashPhase::Preview => html! {
            <button type="button" class="hd-submit" aria-pressed={sale.reminded().to_string()}
                    disabled={sale.reminded()} onclick={remind}>
                { if sale.reminded() { s.reminder_set } else { s.remind_me } }
            </button>
        },
        FlashPhase::Live => html! {
            <button type="button" class="hd-submit hd-grab" disabled={!sale.can_grab(now)} onclick={grab}
                    aria-busy={sale.pending().to_string()}>
                { if sale.pending() { s.grabbing } else { s.grab } }
            </button>
        },
        FlashPhase::SoldOut => {
            html! { <button type="button" class="hd-submit" disabled=true>{s.sold_out}</button> }
        }
        FlashPhase::Ended => {
            html! { <button type="button" class="hd-submit" disabled=true>{s.sale_ended}</button> }
        }
    };

    let won = !sale.pending() && sale.last_outcome() == Some(GrabOutcome::Success);
    let status = if sale.pending() {
        s.waiting_for_result.to_owned()
    } else {
        match sale.last_outcome() {
            Some(GrabOutcome::Success) => {
                format!(
                    "{} {}",
                    s.grab_success,
                    sale.orders().last().map(String::as_str).unwrap_or("")
                )
            }
            Some(GrabOutcome::SoldOut) => s.outcome_sold_out.to_owned(),
            Some(GrabOutcome::LimitReached) => s.outcome_limit.to_owned(),
            Some(GrabOutcome::NotEligible) => s.outcome_not_eligible.to_owned(),
            Some(GrabOutcome::Ended) => s.outcome_ended.to_owned(),
            None => String::new(),
        }
    };

    let (deadline, label) = match phase {
        FlashPhase::Preview => (Some(spec.starts_at), s.starts_in),
        FlashPhase::Live | FlashPhase::SoldOut => (Some(sale.ends_at()), s.ends_in),
        FlashPhase::Ended => (None, s.ends_in),
    };
    let card = Card::new("flash", &spec.widget_id)
        .badge(s.flash_sale)
        .phase(phase_name(phase))
        .countdown(deadline, label, clock);
    card.view(html! {
        <>
            <div class="hd-product">
                if let Some(src) = &product.image {
                    <img class="hd-product-img" src={src.clone()} alt="" loading="lazy" decoding="async" />
                }
                <div class="hd-product-text">
                    <h2 class="hd-q" id={Card::heading_id(&spec.widget_id)}>{&product.name}</h2>
                    <p class="hd-price">
                        <span class="hd-price-now">{format_money(product.price, &product.currency, s.lang)}</span>
                        if let Some(was) = product.original_price {
                            {" "}<del class="hd-price-was"><span class="hd-sr">{s.original_price}{" "}</span>{format_money(was, &product.currency, s.lang)}</del>
                        }
                    </p>
                </div>
            </div>
            if matches!(phase, FlashPhase::Live | FlashPhase::SoldOut) {
                <div class="hd-stock">
                    <progress class="hd-stock-bar" max={spec.stock_total.to_string()} value={sale.stock_left().to_string()} aria-hidden="true"></progress>
                    <span class="hd-stock-text">{format!("{} {} {}", s.stock_left, format_number(sale.stock_left(), s.lang), plural(sale.stock_left(), s.lang, s.unit, s.units))}</span>
                </div>
            }
            if phase == FlashPhase::Preview {
                if let Some(n) = sale.waiting() { <p class="hd-hint">{format!("{} {}", format_count(n, s.lang), s.waiting)}</p> }
            }
            if let Some(gate) = &spec.gate { <p class="hd-hint hd-gate">{gate}</p> }
            {button}
            <p class={classes!("hd-status", won.then_some("hd-win"))} role="status">{status}</p>
        </>
    })
}

fn phase_name(p: FlashPhase) -> &'static str {
    match p {
        FlashPhase::Preview => "preview",
        FlashPhase::Live => "live",
        FlashPhase::SoldOut => "sold_out",
        FlashPhase::Ended => "ended",
    }
}

impl crate::View for FlashSale {
    fn chip(&self, s: &'static Strings) -> (&'static str, &str) {
        (s.flash_sale, self.spec().product.name.as_str())
    }
}
