//! Coupons and red packets (优惠券 / 红包): a limited quantity, claimed exactly once per
//! viewer with an idempotency key and decided by the server, into a wallet that shows each
//! coupon's conditions (满减: spend X, save Y) and expiry. Variants gate the claim: share to a
//! group first, or follow / scan first (the server checks the follow).
use crate::error::{ErrorCode, HudongError};
use crate::protocol::Event;
use crate::protocol::{Action, Command};
use crate::validate;
use crate::widget::Transition;
use crate::Millis;
use serde::{Deserialize, Serialize};

pub const MAX_WALLET: usize = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum CouponKind {
    /// A fixed-value coupon, optionally with a spend threshold (满减).
    Coupon,
    /// A red packet: the server decides each amount (拼手气), up to `value`.
    RedPacket,
}

/// What must happen before a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum CouponGate {
    None,
    /// Share the room to a group first (the widget knows when the viewer shared).
    Share,
    /// Follow the account (or scan its code) first; the server checks.
    Follow,
}

fn no_gate() -> CouponGate {
    CouponGate::None
}

/// The offer, as `coupon.open` gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct CouponSpec {
    pub widget_id: String,
    pub kind: CouponKind,
    pub name: String,
    /// Value in minor units; for a red packet, the most one viewer can get.
    pub value: u64,
    /// Spend at least this much to use it (满 X 减 Y); none for no threshold (无门槛).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<u64>,
    #[serde(default = "cny")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub currency: String,
    /// How many there are in all.
    pub quantity: u64,
    /// Server time claims open (default: at once).
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub starts_at: Millis,
    /// Server time claims close.
    pub ends_at: Millis,
    /// How long a claimed coupon stays usable, from the claim.
    pub valid_ms: u64,
    #[serde(default = "no_gate")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub gate: CouponGate,
}

fn cny() -> String {
    "CNY".into()
}

/// `coupon.stock`: how many are left (never shown higher unless `reset`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct CouponStock {
    pub widget_id: String,
    pub left: u64,
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub reset: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum CouponOutcome {
    Success,
    SoldOut,
    /// The viewer already has one.
    LimitReached,
    /// The gate is not passed (not following, not shared).
    NotEligible,
    /// Claims had closed.
    Ended,
}

/// A coupon in the viewer's wallet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct WalletCoupon {
    pub coupon_ref: String,
    pub name: String,
    pub value: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<u64>,
    #[serde(default = "cny")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub currency: String,
    pub expires_at: Millis,
}

/// `coupon.result`: the server's answer to a claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct CouponResult {
    pub widget_id: String,
    pub request_id: String,
    pub outcome: CouponOutcome,
    /// The coupon, on success.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon: Option<WalletCoupon>,
}

/// `coupon.wallet`: the viewer's coupons in this room, as the server keeps them (addressed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct CouponWallet {
    pub widget_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    pub coupons: Vec<WalletCoupon>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum CouponPhase {
    Upcoming,
    Open,
    SoldOut,
    Ended,
}

/// The viewer's claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum MyClaim {
    None,
    Pending { request_id: String },
    Claimed { coupon_ref: String },
    Refused { outcome: CouponOutcome },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct CouponSnapshot {
    pub spec: CouponSpec,
    pub left: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename = "CouponState"))]
pub struct Coupon {
    spec: CouponSpec,
    left: u64,
    shared: bool,
    mine: MyClaim,
    wallet: Vec<WalletCoupon>,
    attempts: u32,
    phase_seen: CouponPhase,
}

impl Coupon {
    pub fn open(spec: CouponSpec, now: Millis) -> Result<(Coupon, Transition), HudongError> {
        validate_spec(&spec)?;
        let left = spec.quantity;
        let mut c = Coupon {
            spec,
            left,
            shared: false,
            mine: MyClaim::None,
            wallet: Vec::new(),
            attempts: 0,
            phase_seen: CouponPhase::Upcoming,
        };
        c.phase_seen = c.phase(now);
        Ok((c, Transition::changed(vec![Event::WidgetShown])))
    }

    pub fn id(&self) -> &str {
        &self.spec.widget_id
    }
    pub fn spec(&self) -> &CouponSpec {
        &self.spec
    }
    pub fn left(&self) -> u64 {
        self.left
    }
    pub fn shared(&self) -> bool {
        self.shared
    }
    pub fn mine(&self) -> &MyClaim {
        &self.mine
    }
    /// The viewer's coupons (this claim's and what the server's wallet holds).
    pub fn wallet(&self) -> &[WalletCoupon] {
        &self.wallet
    }

    pub fn phase(&self, now: Millis) -> CouponPhase {
        if now >= self.spec.ends_at {
            CouponPhase::Ended
        } else if self.left == 0 {
            CouponPhase::SoldOut
        } else if now < self.spec.starts_at {
            CouponPhase::Upcoming
        } else {
            CouponPhase::Open
        }
    }

    pub fn next_deadline(&self, now: Millis) -> Option<Millis> {
        match self.phase(now) {
            CouponPhase::Upcoming => Some(self.spec.starts_at),
            CouponPhase::Open | CouponPhase::SoldOut => Some(self.spec.ends_at),
            CouponPhase::Ended => None,
        }
    }

    pub fn tick(&mut self, now: Millis) -> Transition {
        let phase = self.phase(now);
        let changed = phase != self.phase_seen;
        self.phase_seen = phase;
        Transition {
            events: Vec::new(),
            changed,
        }
    }

    /// The viewer shared the room (the host page reports it, or the share sheet returned).
    pub fn share(&mut self, channel: &str) -> Result<Transition, HudongError> {
        validate::id("channel", channel)?;
        if self.shared {
            return Ok(Transition::default());
        }
        self.shared = true;
        Ok(Transition::changed(vec![Event::CouponShared {
            channel: channel.to_owned(),
        }]))
    }

    /// A claim: open, not sold out as far as the viewer knows, the share gate passed. Repeats
    /// while pending, and after claiming, are absorbed.
    pub fn claim(&mut self, now: Millis, key_prefix: &str) -> Result<Transition, HudongError> {
        match self.phase(now) {
            CouponPhase::Open => {}
            CouponPhase::SoldOut => {
                return Err(HudongError::new(ErrorCode::OutOfStock, "all claimed"))
            }
            CouponPhase::Upcoming | CouponPhase::Ended => {
                return Err(HudongError::new(ErrorCode::NotOpen, "claims are not open"))
            }
        }
        match self.mine {
            MyClaim::Pending { .. } | MyClaim::Claimed { .. } => return Ok(Transition::default()),
            MyClaim::Refused {
                outcome: CouponOutcome::LimitReached,
            } => return Err(HudongError::new(ErrorCode::LimitReached, "one per viewer")),
            MyClaim::None | MyClaim::Refused { .. } => {}
        }
        if self.spec.gate == CouponGate::Share && !self.shared {
            return Err(HudongError::new(
                ErrorCode::ConditionNotMet,
                "share to a group first",
            ));
        }
        self.attempts += 1;
        let request_id = format!("{key_prefix}:coupon:{}", self.attempts);
        self.mine = MyClaim::Pending {
            request_id: request_id.clone(),
        };
        Ok(Transition::changed(vec![Event::CouponClaim {
            request_id,
            gate: self.spec.gate,
        }]))
    }

    /// `coupon.stock`: never higher unless `reset`.
    pub fn stock(&mut self, c: &CouponStock) -> Transition {
        let left = if c.reset {
            c.left
        } else {
            self.left.min(c.left)
        };
        let changed = left != self.left;
        self.left = left;
        Transition {
            events: Vec::new(),
            changed,
        }
    }

    /// `coupon.result`: the answer to the pending claim.
    pub fn result(&mut self, r: &CouponResult) -> Result<Transition, HudongError> {
        if let Some(c) = &r.coupon {
            validate_wallet_coupon(c)?;
        }
        if r.outcome == CouponOutcome::Success && r.coupon.is_none() {
            return Err(HudongError::field("a successful claim needs its coupon"));
        }
        if !matches!(&self.mine, MyClaim::Pending { request_id } if *request_id == r.request_id) {
            return Ok(Transition::default());
        }
        self.mine = match (&r.outcome, &r.coupon) {
            (CouponOutcome::Success, Some(c)) => {
                if !self.wallet.iter().any(|w| w.coupon_ref == c.coupon_ref)
                    && self.wallet.len() < MAX_WALLET
                {
                    self.wallet.push(c.clone());
                }
                MyClaim::Claimed {
                    coupon_ref: c.coupon_ref.clone(),
                }
            }
            (outcome, _) => MyClaim::Refused { outcome: *outcome },
        };
        if r.outcome == CouponOutcome::SoldOut {
            self.left = 0;
        }
        let value = r.coupon.as_ref().map(|c| c.value);
        Ok(Transition::changed(vec![Event::CouponResult {
            request_id: r.request_id.clone(),
            outcome: r.outcome,
            value,
        }]))
    }

    /// `coupon.wallet` for this viewer (the room passes no other's): the server's list
    /// replaces the wallet.
    pub fn set_wallet(&mut self, w: &CouponWallet) -> Result<Transition, HudongError> {
        if w.coupons.len() > MAX_WALLET {
            return Err(HudongError::field(format!(
                "at most {MAX_WALLET} coupons in a wallet"
            )));
        }
        w.coupons.iter().try_for_each(validate_wallet_coupon)?;
        if self.wallet == w.coupons {
            return Ok(Transition::default());
        }
        self.wallet = w.coupons.clone();
        Ok(Transition {
            events: Vec::new(),
            changed: true,
        })
    }

    pub fn snapshot(&self) -> CouponSnapshot {
        CouponSnapshot {
            spec: self.spec.clone(),
            left: self.left,
        }
    }

    pub fn merge_snapshot(&mut self, s: &CouponSnapshot) -> Transition {
        self.stock(&CouponStock {
            widget_id: s.spec.widget_id.clone(),
            left: s.left,
            reset: false,
        })
    }
}

fn validate_wallet_coupon(c: &WalletCoupon) -> Result<(), HudongError> {
    validate::text("coupon.coupon_ref", &c.coupon_ref, 64)?;
    validate::text("coupon.name", &c.name, 40)?;
    validate::currency("coupon.currency", &c.currency)
}

fn validate_spec(s: &CouponSpec) -> Result<(), HudongError> {
    validate::id("widget_id", &s.widget_id)?;
    validate::text("name", &s.name, 40)?;
    validate::currency("currency", &s.currency)?;
    if s.value == 0 {
        return Err(HudongError::field("value must be above 0"));
    }
    if s.threshold.is_some_and(|t| t <= s.value) {
        return Err(HudongError::field(
            "threshold must be above the value (spend X, save Y < X)",
        ));
    }
    if s.quantity == 0 {
        return Err(HudongError::field("quantity must be at least 1"));
    }
    if s.ends_at <= s.starts_at {
        return Err(HudongError::field("ends_at must be after starts_at"));
    }
    if s.valid_ms == 0 {
        return Err(HudongError::field("valid_ms must be above 0"));
    }
    Ok(())
}

crate::widget::widget_state! {
    Coupon: CouponSpec, CouponSnapshot, "a coupon";
    open(spec, now) => Coupon::open(spec, now);
    command(self, _cx) {
        Command::CouponStock(s) => Ok(self.stock(s)),
        Command::CouponResult(r) => self.result(r),
        Command::CouponWallet(w) => self.set_wallet(w),
    }
    act(self, cx) {
        Action::CouponClaim { .. } => self.claim(cx.now, &cx.key_prefix()),
        Action::CouponShare { channel, .. } => self.share(channel),
    }
    fn next_deadline(&self, now: Millis) -> Option<Millis> {
        Coupon::next_deadline(self, now)
    }
    fn tick(&mut self, now: Millis) -> Transition {
        Coupon::tick(self, now)
    }
    fn merge_snapshot(&mut self, s: &CouponSnapshot, _now: Millis) -> Result<Transition, HudongError> {
        Ok(Coupon::merge_snapshot(self, s))
    }
}
