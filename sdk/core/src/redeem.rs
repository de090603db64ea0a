//! Point-redeem (积分兑换): a catalog the viewer pays for with points. The server owns the
//! balance, the stock and every decision; the widget shows the balance optimistically while
//! a redemption is pending — the server's balance minus the pending cost — so a failure
//! rolls it back exactly.
use crate::error::{ErrorCode, HudongError};
use crate::protocol::Event;
use crate::protocol::{Action, Command};
use crate::validate;
use crate::widget::Transition;
use crate::Millis;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const MAX_ITEMS: usize = 24;
pub const MAX_TIERS: usize = 8;
pub const MAX_NAME_CHARS: usize = 60;
pub const MAX_REASON_CHARS: usize = 40;
pub const MAX_HISTORY: usize = 100;
/// Point gains remembered to ignore a repeated `redeem.points`.
const SEEN_GAINS: usize = 64;

/// `redeem.open`: the catalog and the tiers, the same for every viewer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct RedeemSpec {
    pub widget_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Tiers from lowest to highest (for example 新手 → 达人).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tiers: Vec<Tier>,
    pub items: Vec<RedeemItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct Tier {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct RedeemItem {
    pub item_id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Price in points.
    pub cost: u64,
    /// Units left when the catalog opens.
    pub stock: u64,
    /// Units one viewer may redeem (default 1).
    #[serde(default = "one")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub per_viewer_limit: u32,
    /// The lowest tier (an id of `tiers`) that may redeem it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
}

fn one() -> u32 {
    1
}

/// `redeem.account`: one viewer's balance, tier and history, from the server. With
/// `user_id`, only that viewer takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct RedeemAccount {
    pub widget_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    pub balance: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    /// The viewer's redemptions in this room, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<Redemption>,
}

/// One successful redemption.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct Redemption {
    pub request_id: String,
    pub item_id: String,
    pub cost: u64,
    pub voucher_ref: String,
}

/// `redeem.points`: the server gave (or took) points, and why. `gain_id` makes it
/// idempotent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct RedeemPoints {
    pub widget_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    pub gain_id: String,
    pub delta: i64,
    /// Shown with the gain: 看播5分钟, 投票, 分享…
    pub reason: String,
}

/// `redeem.stock`: units left per item id. Never shown higher than the last server value
/// unless `reset`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct RedeemStock {
    pub widget_id: String,
    pub stock: BTreeMap<String, u64>,
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub reset: bool,
}

/// `redeem.result`: the server's decision on one redemption request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct RedeemResult {
    pub widget_id: String,
    pub request_id: String,
    pub outcome: RedeemOutcome,
    /// The voucher or order reference of a success.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voucher_ref: Option<String>,
    /// The server's balance after deciding, when it sends it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balance: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum RedeemOutcome {
    Success,
    InsufficientPoints,
    OutOfStock,
    LimitReached,
    TierTooLow,
}

/// The viewer's account as last told by the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct Account {
    pub balance: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
}

/// A redemption sent and not yet answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct PendingRedemption {
    pub request_id: String,
    pub item_id: String,
    pub cost: u64,
    /// The item's stock when the request went out: a success leaves at most one unit fewer,
    /// whether the server's new stock arrived before its answer or after.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub stock_before: u64,
}

/// The last point change, for the view's animation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct PointGain {
    pub gain_id: String,
    pub delta: i64,
    pub reason: String,
}

/// What the server knows of a redeem widget, for late joiners. `account` and `history`
/// are filled in when the server knows the viewer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct RedeemSnapshot {
    pub spec: RedeemSpec,
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub stock: BTreeMap<String, u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<Account>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<Redemption>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename = "RedeemState"))]
pub struct Redeem {
    spec: RedeemSpec,
    /// Units left, by item index.
    stock: Vec<u64>,
    account: Option<Account>,
    pending: Option<PendingRedemption>,
    history: Vec<Redemption>,
    attempts: u32,
    last_result: Option<(String, RedeemOutcome)>,
    last_gain: Option<PointGain>,
    seen_gains: Vec<String>,
}

impl Redeem {
    pub fn open(spec: RedeemSpec) -> Result<(Redeem, Transition), HudongError> {
        validate_spec(&spec)?;
        let r = Redeem {
            stock: spec.items.iter().map(|i| i.stock).collect(),
            spec,
            account: None,
            pending: None,
            history: Vec::new(),
            attempts: 0,
            last_result: None,
            last_gain: None,
            seen_gains: Vec::new(),
        };
        Ok((r, Transition::changed(vec![Event::WidgetShown])))
    }

    pub fn id(&self) -> &str {
        &self.spec.widget_id
    }
    pub fn spec(&self) -> &RedeemSpec {
        &self.spec
    }
    /// The account as the server last said, if it has said.
    pub fn account(&self) -> Option<&Account> {
        self.account.as_ref()
    }
    pub fn pending(&self) -> Option<&PendingRedemption> {
        self.pending.as_ref()
    }
    /// The viewer's redemptions, oldest first.
    pub fn history(&self) -> &[Redemption] {
        &self.history
    }
    /// The item id and outcome of the last answered request.
    pub fn last_result(&self) -> Option<(&str, RedeemOutcome)> {
        self.last_result.as_ref().map(|(i, o)| (i.as_str(), *o))
    }
    pub fn last_gain(&self) -> Option<&PointGain> {
        self.last_gain.as_ref()
    }

    /// The balance to show: the server's, minus a pending redemption's cost.
    pub fn shown_balance(&self) -> Option<u64> {
        let a = self.account.as_ref()?;
        Some(
            a.balance
                .saturating_sub(self.pending.as_ref().map_or(0, |p| p.cost)),
        )
    }

    pub fn stock_of(&self, item_id: &str) -> Option<u64> {
        self.index(item_id).map(|i| self.stock[i])
    }

    /// The viewer's tier name, if the server said it and the catalog has tiers.
    pub fn tier_name(&self) -> Option<&str> {
        let t = self.account.as_ref()?.tier.as_deref()?;
        self.spec
            .tiers
            .iter()
            .find(|x| x.id == t)
            .map(|x| x.name.as_str())
    }

    pub fn redeemed_count(&self, item_id: &str) -> u32 {
        self.history.iter().filter(|h| h.item_id == item_id).count() as u32
    }

    fn index(&self, item_id: &str) -> Option<usize> {
        self.spec.items.iter().position(|i| i.item_id == item_id)
    }

    fn tier_rank(&self, tier: Option<&str>) -> Option<usize> {
        tier.and_then(|t| self.spec.tiers.iter().position(|x| x.id == t))
    }

    /// Why this item can't be redeemed now, checked in the order a viewer would fix them;
    /// `None` when a request would be sent. The server checks again and decides.
    pub fn blocker(&self, item_id: &str) -> Option<HudongError> {
        let Some(i) = self.index(item_id) else {
            return Some(HudongError::new(
                ErrorCode::InvalidChoice,
                "no item with this id",
            ));
        };
        let item = &self.spec.items[i];
        let Some(account) = &self.account else {
            return Some(HudongError::new(
                ErrorCode::NotOpen,
                "the viewer's points have not arrived yet",
            ));
        };
        if let Some(need) = item.tier.as_deref() {
            if self.tier_rank(account.tier.as_deref()) < self.tier_rank(Some(need)) {
                return Some(HudongError::new(
                    ErrorCode::TierTooLow,
                    "a higher tier is needed for this item",
                ));
            }
        }
        if self.stock[i] == 0 {
            return Some(HudongError::new(
                ErrorCode::OutOfStock,
                "this item is out of stock",
            ));
        }
        if self.redeemed_count(item_id) >= item.per_viewer_limit {
            return Some(HudongError::new(
                ErrorCode::LimitReached,
                "you already redeemed as many as allowed",
            ));
        }
        if self.shown_balance().unwrap_or(0) < item.cost {
            return Some(HudongError::new(
                ErrorCode::InsufficientPoints,
                "not enough points",
            ));
        }
        None
    }

    /// The viewer confirmed a redemption. A second one while one is pending is absorbed.
    pub fn request(&mut self, item_id: &str, key_prefix: &str) -> Result<Transition, HudongError> {
        if self.pending.is_some() {
            if self.index(item_id).is_none() {
                return Err(HudongError::new(
                    ErrorCode::InvalidChoice,
                    "no item with this id",
                ));
            }
            return Ok(Transition::default());
        }
        if let Some(e) = self.blocker(item_id) {
            return Err(e);
        }
        let i = self.index(item_id).unwrap_or_default();
        let (cost, stock_before) = (self.spec.items[i].cost, self.stock[i]);
        self.attempts += 1;
        let request_id = format!("{key_prefix}:redeem:{}", self.attempts);
        self.pending = Some(PendingRedemption {
            request_id: request_id.clone(),
            item_id: item_id.to_owned(),
            cost,
            stock_before,
        });
        self.last_result = None;
        Ok(Transition::changed(vec![Event::RedeemRequest {
            request_id,
            item_id: item_id.to_owned(),
            cost,
        }]))
    }

    /// `redeem.account` for this viewer (`me`: the room's user id).
    pub fn set_account(&mut self, a: &RedeemAccount) -> Result<Transition, HudongError> {
        self.check_account(a.tier.as_deref(), &a.history)?;
        let before = self.clone();
        self.account = Some(Account {
            balance: a.balance,
            tier: a.tier.clone(),
        });
        self.take_history(&a.history);
        Ok(Transition {
            events: Vec::new(),
            changed: *self != before,
        })
    }

    fn check_account(&self, tier: Option<&str>, history: &[Redemption]) -> Result<(), HudongError> {
        if let Some(t) = tier {
            validate::id("tier", t)?;
            if !self.spec.tiers.iter().any(|x| x.id == t) {
                return Err(HudongError::field("tier is not one of the catalog's tiers"));
            }
        }
        if history.len() > MAX_HISTORY {
            return Err(HudongError::field(format!(
                "history holds at most {MAX_HISTORY} redemptions"
            )));
        }
        for h in history {
            validate::text("history[].request_id", &h.request_id, 200)?;
            validate::text("history[].voucher_ref", &h.voucher_ref, 64)?;
            if self.index(&h.item_id).is_none() {
                return Err(HudongError::field("history names an unknown item"));
            }
        }
        Ok(())
    }

    /// Adds redemptions the widget did not know; one that answers the pending request
    /// settles it (its result was lost, the server's history has it).
    fn take_history(&mut self, history: &[Redemption]) {
        for h in history {
            if self.history.iter().any(|x| x.request_id == h.request_id) {
                continue;
            }
            if self
                .pending
                .as_ref()
                .is_some_and(|p| p.request_id == h.request_id)
            {
                self.pending = None;
                self.last_result = Some((h.item_id.clone(), RedeemOutcome::Success));
            }
            self.history.push(h.clone());
        }
        if self.history.len() > MAX_HISTORY {
            let extra = self.history.len() - MAX_HISTORY;
            self.history.drain(..extra);
        }
    }

    /// `redeem.points`: once per `gain_id`.
    pub fn points(&mut self, p: &RedeemPoints) -> Result<Transition, HudongError> {
        validate::text("gain_id", &p.gain_id, 200)?;
        validate::text("reason", &p.reason, MAX_REASON_CHARS)?;
        let Some(account) = &mut self.account else {
            return Err(HudongError::new(
                ErrorCode::NotOpen,
                "points before the viewer's account: send redeem.account first",
            ));
        };
        if self.seen_gains.contains(&p.gain_id) {
            return Ok(Transition::default());
        }
        account.balance = if p.delta >= 0 {
            account.balance.saturating_add(p.delta as u64)
        } else {
            account.balance.saturating_sub(p.delta.unsigned_abs())
        };
        if self.seen_gains.len() == SEEN_GAINS {
            self.seen_gains.remove(0);
        }
        self.seen_gains.push(p.gain_id.clone());
        self.last_gain = Some(PointGain {
            gain_id: p.gain_id.clone(),
            delta: p.delta,
            reason: p.reason.clone(),
        });
        Ok(Transition::changed(vec![Event::RedeemPoints {
            gain_id: p.gain_id.clone(),
            delta: p.delta,
            reason: p.reason.clone(),
        }]))
    }

    /// `redeem.stock`: never more than the server last said, unless it resets.
    pub fn set_stock(&mut self, s: &RedeemStock) -> Result<Transition, HudongError> {
        let mut next = self.stock.clone();
        for (id, &left) in &s.stock {
            let i = self
                .index(id)
                .ok_or_else(|| HudongError::field("stock names an unknown item"))?;
            next[i] = if s.reset {
                left.min(self.spec.items[i].stock)
            } else {
                left.min(next[i])
            };
        }
        let changed = next != self.stock;
        self.stock = next;
        Ok(Transition {
            events: Vec::new(),
            changed,
        })
    }

    /// `redeem.result`: the answer to the pending request. Answers to anything else (a retry
    /// already answered) change nothing.
    pub fn result(&mut self, r: &RedeemResult) -> Result<Transition, HudongError> {
        if r.outcome == RedeemOutcome::Success {
            match &r.voucher_ref {
                Some(v) => validate::text("voucher_ref", v, 64)?,
                None => {
                    return Err(HudongError::field(
                        "a successful redemption needs a voucher_ref",
                    ))
                }
            }
        }
        let Some(p) = self
            .pending
            .clone()
            .filter(|p| p.request_id == r.request_id)
        else {
            return Ok(Transition::default());
        };
        self.pending = None;
        let i = self.index(&p.item_id).unwrap_or_default();
        let account = self.account.get_or_insert(Account {
            balance: 0,
            tier: None,
        });
        match r.outcome {
            RedeemOutcome::Success => {
                account.balance = account.balance.saturating_sub(p.cost);
                // The server's stock may already count this unit (its stock update came
                // first): never take it twice.
                self.stock[i] = self.stock[i].min(p.stock_before.saturating_sub(1));
                self.history.push(Redemption {
                    request_id: p.request_id.clone(),
                    item_id: p.item_id.clone(),
                    cost: p.cost,
                    voucher_ref: r.voucher_ref.clone().unwrap_or_default(),
                });
                if self.history.len() > MAX_HISTORY {
                    self.history.remove(0);
                }
            }
            RedeemOutcome::OutOfStock => self.stock[i] = 0,
            _ => {}
        }
        if let Some(b) = r.balance {
            account.balance = b;
        }
        self.last_result = Some((p.item_id.clone(), r.outcome));
        Ok(Transition::changed(vec![Event::RedeemResult {
            request_id: p.request_id,
            item_id: p.item_id,
            outcome: r.outcome,
            voucher_ref: r.voucher_ref.clone(),
        }]))
    }

    pub fn snapshot(&self) -> RedeemSnapshot {
        RedeemSnapshot {
            spec: self.spec.clone(),
            stock: self
                .spec
                .items
                .iter()
                .zip(&self.stock)
                .map(|(i, &s)| (i.item_id.clone(), s))
                .collect(),
            account: self.account.clone(),
            history: self.history.clone(),
        }
    }

    pub fn check_snapshot(&self, s: &RedeemSnapshot) -> Result<(), HudongError> {
        for id in s.stock.keys() {
            if self.index(id).is_none() {
                return Err(HudongError::field("stock names an unknown item"));
            }
        }
        self.check_account(
            s.account.as_ref().and_then(|a| a.tier.as_deref()),
            &s.history,
        )
    }

    /// Moves forward to a snapshot of the same catalog.
    pub fn merge_snapshot(&mut self, s: &RedeemSnapshot) -> Result<Transition, HudongError> {
        self.check_snapshot(s)?;
        let before = self.clone();
        for (id, &left) in &s.stock {
            if let Some(i) = self.index(id) {
                self.stock[i] = self.stock[i].min(left);
            }
        }
        if let Some(a) = &s.account {
            self.account = Some(a.clone());
        }
        self.take_history(&s.history);
        Ok(Transition {
            events: Vec::new(),
            changed: *self != before,
        })
    }
}

fn validate_spec(s: &RedeemSpec) -> Result<(), HudongError> {
    validate::id("widget_id", &s.widget_id)?;
    if let Some(t) = &s.title {
        validate::text("title", t, MAX_NAME_CHARS)?;
    }
    if s.tiers.len() > MAX_TIERS {
        return Err(HudongError::field(format!("at most {MAX_TIERS} tiers")));
    }
    for (i, t) in s.tiers.iter().enumerate() {
        validate::id("tiers[].id", &t.id)?;
        validate::text("tiers[].name", &t.name, 20)?;
        if s.tiers[..i].iter().any(|o| o.id == t.id) {
            return Err(HudongError::field("tier ids must be unique"));
        }
    }
    if s.items.is_empty() || s.items.len() > MAX_ITEMS {
        return Err(HudongError::field(format!(
            "a catalog has 1 to {MAX_ITEMS} items"
        )));
    }
    for (i, item) in s.items.iter().enumerate() {
        validate::id("items[].item_id", &item.item_id)?;
        validate::text("items[].name", &item.name, MAX_NAME_CHARS)?;
        if let Some(url) = &item.image {
            validate::image_url("items[].image", url)?;
        }
        if s.items[..i].iter().any(|o| o.item_id == item.item_id) {
            return Err(HudongError::field("item ids must be unique"));
        }
        if item.per_viewer_limit == 0 {
            return Err(HudongError::field("per_viewer_limit must be at least 1"));
        }
        if let Some(t) = &item.tier {
            if !s.tiers.iter().any(|x| &x.id == t) {
                return Err(HudongError::field("an item's tier must be one of tiers"));
            }
        }
    }
    Ok(())
}

crate::widget::widget_state! {
    Redeem: RedeemSpec, RedeemSnapshot, "a point-redeem catalog";
    open(spec, _now) => Redeem::open(spec);
    command(self, _cx) {
        Command::RedeemAccount(a) => self.set_account(a),
        Command::RedeemPoints(p) => self.points(p),
        Command::RedeemStock(s) => self.set_stock(s),
        Command::RedeemResult(r) => self.result(r),
    }
    act(self, cx) {
        Action::RedeemRequest { item_id, .. } => self.request(item_id, &cx.key_prefix()),
    }
    fn check_snapshot(&self, s: &RedeemSnapshot) -> Result<(), HudongError> {
        Redeem::check_snapshot(self, s)
    }
    fn merge_snapshot(&mut self, s: &RedeemSnapshot, _now: Millis) -> Result<Transition, HudongError> {
        Redeem::merge_snapshot(self, s)
    }
}
