use crate::card::Card;
use crate::i18n::{format_number, plural, Strings};
use hudong_core::{Action, ErrorCode, Redeem, RedeemOutcome};
use yew::prelude::*;

/// A point-redeem card: the balance (optimistic while a redemption is pending), the last
/// point gain with its reason, the catalog with a confirm step, and the viewer's history.
#[function_component(RedeemView)]
pub fn redeem_view(props: &crate::WidgetProps<Redeem>) -> Html {
    let (shop, _, on_action, s, _drawing) = props.parts();
    let spec = shop.spec();
    // The item whose confirm step is showing (view-only state).
    let confirming = use_state(|| None::<String>);
    let pending = shop.pending();

    let balance = match shop.shown_balance() {
        None => html! { <span class="hd-balance">{s.loading_points}</span> },
        Some(b) => html! {
            <span class="hd-balance">
                {s.my_points}{" "}<strong class="hd-balance-n" data-balance={b.to_string()}>{format_number(b, s.lang)}</strong>
                if let Some(t) = shop.tier_name() { {" · "}<span class="hd-tier">{t}</span> }
            </span>
        },
    };
    let gain = shop.last_gain().map(|g| {
        let sign = if g.delta >= 0 { "+" } else { "−" };
        html! {
            // Keyed by the gain so each new gain plays the animation again.
            <span key={g.gain_id.clone()} class={classes!("hd-gain", (g.delta < 0).then_some("hd-gain-neg"))}>
                {format!("{sign}{} {}", g.delta.unsigned_abs(), g.reason)}
            </span>
        }
    });

    let items = spec.items.iter().map(|item| {
        let blocker = shop.blocker(&item.item_id);
        let is_pending = pending.is_some_and(|p| p.item_id == item.item_id);
        let is_confirming = confirming.as_deref() == Some(item.item_id.as_str());
        let left = shop.stock_of(&item.item_id).unwrap_or(0);
        let reason = blocker.as_ref().and_then(|e| match e.code {
            ErrorCode::InsufficientPoints => Some(s.outcome_insufficient),
            ErrorCode::OutOfStock => Some(s.outcome_out_of_stock),
            ErrorCode::LimitReached => Some(s.outcome_limit),
            ErrorCode::TierTooLow => Some(s.outcome_tier),
            _ => None,
        });
        let ask = {
            let confirming = confirming.clone();
            let id = item.item_id.clone();
            Callback::from(move |_: MouseEvent| confirming.set(Some(id.clone())))
        };
        let cancel = {
            let confirming = confirming.clone();
            Callback::from(move |_: MouseEvent| confirming.set(None))
        };
        let confirm = {
            let confirming = confirming.clone();
            let on_action = on_action.clone();
            let (widget_id, item_id) = (spec.widget_id.clone(), item.item_id.clone());
            Callback::from(move |_: MouseEvent| {
                confirming.set(None);
                on_action.emit(Action::RedeemRequest { widget_id: widget_id.clone(), item_id: item_id.clone() });
            })
        };
        let name_id = format!("hd-{}-{}", spec.widget_id, item.item_id);
        let tier = item.tier.as_ref().and_then(|t| spec.tiers.iter().find(|x| &x.id == t));
        html! {
            <li key={item.item_id.clone()} class="hd-item" data-item-id={item.item_id.clone()} aria-labelledby={name_id.clone()}>
                if let Some(src) = &item.image {
                    <img class="hd-item-img" src={src.clone()} alt="" loading="lazy" decoding="async" />
                }
                <div class="hd-item-text">
                    <span class="hd-item-name" id={name_id.clone()}>{&item.name}</span>
                    <span class="hd-item-cost">{format!("{} {}", format_number(item.cost, s.lang), plural(item.cost, s.lang, s.point, s.points))}</span>
                    <span class="hd-item-meta">
                        {format!("{} {left}", s.left)}
                        {format!(" · {} {}", s.limit_each, item.per_viewer_limit)}
                        if let Some(t) = tier { {" · "}<span class="hd-tier">{format!("{}{}", t.name, s.tier_only)}</span> }
                    </span>
                    if let Some(r) = reason { <span class="hd-item-why">{r}</span> }
                </div>
                if is_confirming && blocker.is_none() && pending.is_none() {
                    <div class="hd-confirm" role="group" aria-label={s.confirm_prompt}>
                        <button type="button" class="hd-submit hd-small" onclick={confirm} aria-describedby={name_id}>{s.confirm_redeem}</button>
                        <button type="button" class="hd-ghost hd-small" onclick={cancel}>{s.cancel}</button>
                    </div>
                } else {
                    <button type="button" class="hd-submit hd-small" disabled={blocker.is_some() || pending.is_some()}
                            aria-busy={is_pending.to_string()} aria-describedby={name_id} onclick={ask}>
                        { if is_pending { s.redeeming } else { s.redeem } }
                    </button>
                }
            </li>
        }
    });

    let status = if pending.is_some() {
        s.redeeming.to_owned()
    } else {
        match shop.last_result() {
            Some((_, RedeemOutcome::Success)) => {
                format!(
                    "{} {}",
                    s.redeem_success,
                    shop.history().last().map_or("", |h| h.voucher_ref.as_str())
                )
            }
            Some((_, RedeemOutcome::InsufficientPoints)) => s.outcome_insufficient.to_owned(),
            Some((_, RedeemOutcome::OutOfStock)) => s.outcome_out_of_stock.to_owned(),
            Some((_, RedeemOutcome::LimitReached)) => s.outcome_limit.to_owned(),
            Some((_, RedeemOutcome::TierTooLow)) => s.outcome_tier.to_owned(),
            None => String::new(),
        }
    };

    let card = Card::new("redeem", &spec.widget_id)
        .badge(s.points_shop)
        .pending(pending.is_some())
        .aside(html! { <span class="hd-points" role="status">{balance}{ for gain }</span> });
    card.view(html! {
        <>
            <h2 class="hd-q" id={Card::heading_id(&spec.widget_id)}>{spec.title.clone().unwrap_or_else(|| s.points_shop.to_owned())}</h2>
            <ul class="hd-items">{ for items }</ul>
            <p class="hd-status" role="status">{status}</p>
            if !shop.history().is_empty() {
                <details class="hd-history">
                    <summary>{format!("{} ({})", s.history, shop.history().len())}</summary>
                    <ol>
                        { for shop.history().iter().rev().map(|h| {
                            let name = spec.items.iter().find(|i| i.item_id == h.item_id).map_or(h.item_id.as_str(), |i| i.name.as_str());
                            html! { <li key={h.request_id.clone()}><span>{name}</span>{" · "}<span>{format!("{} {}", format_number(h.cost, s.lang), plural(h.cost, s.lang, s.point, s.points))}</span>{" · "}<code>{&h.voucher_ref}</code></li> }
                        }) }
                    </ol>
                </details>
            }
        </>
    })
}

impl crate::View for Redeem {
    fn chip(&self, s: &'static Strings) -> (&'static str, &str) {
        (s.points_shop, self.spec().title.as_deref().unwrap_or(""))
    }
}
