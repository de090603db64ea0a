//! Product card (商品讲解卡): the product the host is presenting now, with its price, original
//! price and a stock hint, plus up to [`MAX_PINNED`] pinned products. "Buy" and "add to cart"
//! go to the host page as events (`product.buy`, `product.add_to_cart`) — the page opens its
//! own checkout; Hudong takes no order.
use crate::error::{ErrorCode, HudongError};
use crate::protocol::Event;
use crate::protocol::{Action, Command};
use crate::validate;
use crate::widget::Transition;
use crate::Millis;
use serde::{Deserialize, Serialize};

pub const MAX_PINNED: usize = 5;
/// A second tap on the same button within this time is the same tap (a double tap).
pub const REPEAT_MS: Millis = 1_500;
/// Stock at or under this shows "only N left".
pub const LOW_STOCK: u64 = 20;

/// A product as the card shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct ShowcaseProduct {
    pub sku: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Price in minor units (分 for CNY).
    pub price: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_price: Option<u64>,
    #[serde(default = "cny")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub currency: String,
    /// Units left, when the host shares it (the card hints "only N left" when low).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stock_left: Option<u64>,
}

fn cny() -> String {
    "CNY".into()
}

/// `products.open`: the product card, optionally presenting a product at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct ProductsSpec {
    pub widget_id: String,
    /// Whether the card offers "add to cart" beside "buy".
    #[serde(default = "yes")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub cart: bool,
}

fn yes() -> bool {
    true
}

/// `product.present`: the host now presents this product (讲解中).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct ProductPresent {
    pub widget_id: String,
    pub product: ShowcaseProduct,
}

/// `product.pin` / `product.unpin`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct ProductPin {
    pub widget_id: String,
    pub product: ShowcaseProduct,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct ProductUnpin {
    pub widget_id: String,
    pub sku: String,
}

/// `product.stock`: units left of a product (the server's count).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct ProductStock {
    pub widget_id: String,
    pub sku: String,
    pub stock_left: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ProductIntent {
    Buy,
    AddToCart,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct ProductsSnapshot {
    pub spec: ProductsSpec,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<ShowcaseProduct>,
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub pinned: Vec<ShowcaseProduct>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename = "ProductsState"))]
pub struct Products {
    spec: ProductsSpec,
    current: Option<ShowcaseProduct>,
    pinned: Vec<ShowcaseProduct>,
    taps: u32,
    /// Taps within the double-tap window, per product and button.
    recent: Vec<(String, ProductIntent, Millis)>,
}

impl Products {
    pub fn open(spec: ProductsSpec) -> Result<(Products, Transition), HudongError> {
        validate::id("widget_id", &spec.widget_id)?;
        let p = Products {
            spec,
            current: None,
            pinned: Vec::new(),
            taps: 0,
            recent: Vec::new(),
        };
        Ok((p, Transition::changed(vec![Event::WidgetShown])))
    }

    pub fn id(&self) -> &str {
        &self.spec.widget_id
    }
    pub fn spec(&self) -> &ProductsSpec {
        &self.spec
    }
    /// The product the host presents now.
    pub fn current(&self) -> Option<&ShowcaseProduct> {
        self.current.as_ref()
    }
    pub fn pinned(&self) -> &[ShowcaseProduct] {
        &self.pinned
    }

    fn find(&self, sku: &str) -> Option<&ShowcaseProduct> {
        self.current
            .iter()
            .chain(self.pinned.iter())
            .find(|p| p.sku == sku)
    }

    /// `product.present`: a new product in the spotlight (its exposure is an event).
    pub fn present(&mut self, c: &ProductPresent) -> Result<Transition, HudongError> {
        validate_product(&c.product)?;
        if self.current.as_ref() == Some(&c.product) {
            return Ok(Transition::default());
        }
        let new_sku = self.current.as_ref().is_none_or(|p| p.sku != c.product.sku);
        self.current = Some(c.product.clone());
        let events = if new_sku {
            vec![Event::ProductPresented {
                sku: c.product.sku.clone(),
            }]
        } else {
            Vec::new()
        };
        Ok(Transition {
            events,
            changed: true,
        })
    }

    /// `product.pin`: added to (or updated in) the pinned strip.
    pub fn pin(&mut self, c: &ProductPin) -> Result<Transition, HudongError> {
        validate_product(&c.product)?;
        if let Some(p) = self.pinned.iter_mut().find(|p| p.sku == c.product.sku) {
            let changed = *p != c.product;
            *p = c.product.clone();
            return Ok(Transition {
                events: Vec::new(),
                changed,
            });
        }
        if self.pinned.len() >= MAX_PINNED {
            return Err(HudongError::new(
                ErrorCode::LimitReached,
                format!("at most {MAX_PINNED} products are pinned; unpin one first"),
            ));
        }
        self.pinned.push(c.product.clone());
        Ok(Transition {
            events: Vec::new(),
            changed: true,
        })
    }

    pub fn unpin(&mut self, c: &ProductUnpin) -> Transition {
        let before = self.pinned.len();
        self.pinned.retain(|p| p.sku != c.sku);
        Transition {
            events: Vec::new(),
            changed: self.pinned.len() != before,
        }
    }

    /// `product.stock`: the server's count for a product shown here.
    pub fn stock(&mut self, c: &ProductStock) -> Transition {
        let mut changed = false;
        for p in self
            .current
            .iter_mut()
            .chain(self.pinned.iter_mut())
            .filter(|p| p.sku == c.sku)
        {
            changed |= p.stock_left != Some(c.stock_left);
            p.stock_left = Some(c.stock_left);
        }
        Transition {
            events: Vec::new(),
            changed,
        }
    }

    /// "Buy" or "add to cart" on a product shown here. A double tap is one tap; a sold-out
    /// product is refused (`out_of_stock`).
    pub fn tap(
        &mut self,
        sku: &str,
        intent: ProductIntent,
        now: Millis,
        key_prefix: &str,
    ) -> Result<Transition, HudongError> {
        let Some(p) = self.find(sku) else {
            return Err(HudongError::new(
                ErrorCode::InvalidChoice,
                "this product is not on the card",
            ));
        };
        if intent == ProductIntent::AddToCart && !self.spec.cart {
            return Err(HudongError::new(
                ErrorCode::InvalidChoice,
                "this card offers no cart",
            ));
        }
        if p.stock_left == Some(0) {
            return Err(HudongError::new(ErrorCode::OutOfStock, "sold out"));
        }
        let (price, currency) = (p.price, p.currency.clone());
        let repeat = self
            .recent
            .iter()
            .any(|(s, i, at)| s == sku && *i == intent && now >= *at && now < at + REPEAT_MS);
        if repeat {
            return Ok(Transition::default());
        }
        self.recent
            .retain(|(_, _, at)| now >= *at && now < at + REPEAT_MS);
        self.recent.push((sku.to_owned(), intent, now));
        self.taps += 1;
        let idempotency_key = format!(
            "{key_prefix}:{}:{}",
            if intent == ProductIntent::Buy {
                "buy"
            } else {
                "cart"
            },
            self.taps
        );
        let sku = sku.to_owned();
        let event = match intent {
            ProductIntent::Buy => Event::ProductBuy {
                sku,
                price,
                currency,
                idempotency_key,
            },
            ProductIntent::AddToCart => Event::ProductAddToCart {
                sku,
                price,
                currency,
                idempotency_key,
            },
        };
        Ok(Transition {
            events: vec![event],
            changed: false,
        })
    }

    pub fn snapshot(&self) -> ProductsSnapshot {
        ProductsSnapshot {
            spec: self.spec.clone(),
            current: self.current.clone(),
            pinned: self.pinned.clone(),
        }
    }

    pub fn check_snapshot(&self, s: &ProductsSnapshot) -> Result<(), HudongError> {
        if s.pinned.len() > MAX_PINNED {
            return Err(HudongError::field(format!(
                "at most {MAX_PINNED} products are pinned"
            )));
        }
        s.current
            .iter()
            .chain(s.pinned.iter())
            .try_for_each(validate_product)
    }

    pub fn merge_snapshot(&mut self, s: &ProductsSnapshot) -> Result<Transition, HudongError> {
        self.check_snapshot(s)?;
        let mut t = Transition::default();
        match &s.current {
            Some(p) => {
                let present = self.present(&ProductPresent {
                    widget_id: s.spec.widget_id.clone(),
                    product: p.clone(),
                })?;
                t.changed |= present.changed;
                t.events.extend(present.events);
            }
            None => {
                t.changed |= self.current.take().is_some();
            }
        }
        if self.pinned != s.pinned {
            self.pinned = s.pinned.clone();
            t.changed = true;
        }
        Ok(t)
    }
}

fn validate_product(p: &ShowcaseProduct) -> Result<(), HudongError> {
    validate::id("product.sku", &p.sku)?;
    validate::text("product.name", &p.name, 60)?;
    if let Some(url) = &p.image {
        validate::image_url("product.image", url)?;
    }
    validate::currency("product.currency", &p.currency)?;
    if p.original_price.is_some_and(|o| o < p.price) {
        return Err(HudongError::field(
            "product.original_price is below the price",
        ));
    }
    Ok(())
}

crate::widget::widget_state! {
    Products: ProductsSpec, ProductsSnapshot, "a product card";
    open(spec, _now) => Products::open(spec);
    command(self, _cx) {
        Command::ProductPresent(p) => self.present(p),
        Command::ProductPin(p) => self.pin(p),
        Command::ProductUnpin(p) => Ok(self.unpin(p)),
        Command::ProductStock(s) => Ok(self.stock(s)),
    }
    act(self, cx) {
        Action::ProductBuy { sku, .. } => {
            self.tap(sku, ProductIntent::Buy, cx.now, &cx.key_prefix())
        },
        Action::ProductAddToCart { sku, .. } => {
            self.tap(sku, ProductIntent::AddToCart, cx.now, &cx.key_prefix())
        },
    }
    fn check_snapshot(&self, s: &ProductsSnapshot) -> Result<(), HudongError> {
        Products::check_snapshot(self, s)
    }
    fn merge_snapshot(&mut self, s: &ProductsSnapshot, _now: Millis) -> Result<Transition, HudongError> {
        Products::merge_snapshot(self, s)
    }
}
