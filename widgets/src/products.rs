use crate::card::Card;
use crate::i18n::{fill, format_money, Strings};
use hudong_core::{Action, Products, ShowcaseProduct, LOW_STOCK};
use yew::prelude::*;

/// The product card: the product in the spotlight (price, original price, a stock hint, buy
/// and add-to-cart), then the pinned products in a compact list.
#[function_component(ProductsView)]
pub fn products_view(props: &crate::WidgetProps<Products>) -> Html {
    let (p, _, on_action, s, _drawing) = props.parts();
    let id = p.id().to_owned();
    let title_id = Card::heading_id(&id);
    let tap = |sku: &str, buy: bool| {
        let (on_action, id, sku) = (on_action.clone(), id.clone(), sku.to_owned());
        Callback::from(move |_: MouseEvent| {
            on_action.emit(if buy {
                Action::ProductBuy {
                    widget_id: id.clone(),
                    sku: sku.clone(),
                }
            } else {
                Action::ProductAddToCart {
                    widget_id: id.clone(),
                    sku: sku.clone(),
                }
            })
        })
    };
    let price = |x: &ShowcaseProduct| {
        html! {
            <p class="hd-price">
                <span class="hd-price-now">{format_money(x.price, &x.currency, s.lang)}</span>
                if let Some(was) = x.original_price.filter(|w| *w > x.price) {
                    {" "}<del class="hd-price-was"><span class="hd-sr">{s.original_price}{" "}</span>{format_money(was, &x.currency, s.lang)}</del>
                }
            </p>
        }
    };
    let stock = |x: &ShowcaseProduct| match x.stock_left {
        Some(0) => html! { <p class="hd-stock hd-stock-out">{s.sold_out}</p> },
        Some(n) if n <= LOW_STOCK => {
            html! { <p class="hd-stock">{fill(s.only_left, "n", &n.to_string())}</p> }
        }
        _ => html! {},
    };
    let buttons = |x: &ShowcaseProduct, compact: bool| {
        let out = x.stock_left == Some(0);
        let label = |what: &str| format!("{what}: {}", x.name);
        html! {
            <div class={classes!("hd-row", compact.then_some("hd-compact"))}>
                if p.spec().cart && !compact {
                    <button type="button" class="hd-submit hd-alt" disabled={out} aria-label={label(s.add_cart)}
                            onclick={tap(&x.sku, false)}>{s.add_cart}</button>
                }
                <button type="button" class="hd-submit" disabled={out} aria-label={label(s.buy_now)}
                        onclick={tap(&x.sku, true)}>{ if out { s.sold_out } else { s.buy_now } }</button>
            </div>
        }
    };
    Card::new("products", &id).view(html! {
        <>
            <h2 class="hd-visually-hidden" id={title_id}>{s.products}</h2>
            if let Some(x) = p.current() {
                <div class="hd-product" data-sku={x.sku.clone()}>
                    if let Some(src) = &x.image {
                        <img class="hd-product-img" src={src.clone()} alt="" loading="lazy" decoding="async" />
                    }
                    <div class="hd-product-text">
                        <span class="hd-badge">{s.presenting}</span>
                        <h3 class="hd-q">{&x.name}</h3>
                        {price(x)}
                        {stock(x)}
                    </div>
                </div>
                {buttons(x, false)}
            }
            if !p.pinned().is_empty() {
                <h3 class="hd-subhead">{s.pinned}</h3>
                <ul class="hd-pinned">
                    { for p.pinned().iter().map(|x| html! {
                        <li key={x.sku.clone()} data-sku={x.sku.clone()}>
                            <span class="hd-pinned-name">{&x.name}</span>
                            {price(x)}
                            {stock(x)}
                            {buttons(x, true)}
                        </li>
                    }) }
                </ul>
            }
        </>
    })
}

impl crate::View for Products {
    fn chip(&self, s: &'static Strings) -> (&'static str, &str) {
        (s.products, self.current().map_or("", |x| x.name.as_str()))
    }
}
