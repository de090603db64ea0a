//! The countdown flash sale (限时秒杀): preview → live → sold out / ended. The server
//! decides every grab; the widget shows "pending" until its answer arrives.
use crate::error::{ErrorCode, HudongError};
use crate::protocol::Event;
use crate::protocol::{Action, Command};
use crate::validate;
use crate::widget::Transition;
use crate::Millis;
use serde::{Deserialize, Serialize};

pub const MAX_NAME_CHARS: usize = 80;
pub const MAX_GATE_CHARS: usize = 80;

/// `flash.open`: the product, its stock and the sale's window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct FlashSpec {
    pub widget_id: String,
    pub product: Product,
    /// Units on sale.
    pub stock_total: u64,
    /// Server time the grab button becomes active.
    pub starts_at: Millis,
    /// Server time the sale ends.
    pub ends_at: Millis,
    /// Units one viewer may buy (default 1).
    #[serde(default = "one")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub per_viewer_limit: u32,
    /// A condition the server checks at grab time, shown to viewers (for example
    /// "加入品牌企业微信群后可抢").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gate: Option<String>,
}

fn one() -> u32 {
    1
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct Product {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Sale price in minor units (分 for CNY).
    pub price: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_price: Option<u64>,
    /// ISO 4217 code; CNY by default.
    #[serde(default = "cny")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub currency: String,
}

fn cny() -> String {
    "CNY".into()
}

/// `flash.stock`: units left (never shown higher than the last server value unless
/// `reset`), and optionally how many viewers are waiting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct FlashStock {
    pub widget_id: String,
    pub stock_left: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting: Option<u64>,
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub reset: bool,
}

/// `flash.extend`: a later end (auction-style extension after a late grab).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct FlashExtend {
    pub widget_id: String,
    pub ends_at: Millis,
}

/// `flash.result`: the server's decision on one grab of this viewer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct FlashResult {
    pub widget_id: String,
    /// The `request_id` of the `flash.grab` event it answers.
    pub request_id: String,
    pub outcome: GrabOutcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_ref: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum GrabOutcome {
    Success,
    SoldOut,
    LimitReached,
    NotEligible,
    Ended,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum FlashPhase {
    Preview,
    Live,
    SoldOut,
    Ended,
}

/// What the server knows of a flash sale, for late joiners.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct FlashSnapshot {
    pub spec: FlashSpec,
    pub stock_left: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting: Option<u64>,
    /// The current end (later than `spec.ends_at` after extensions).
    pub ends_at: Millis,
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub ended: bool,
    /// Orders this viewer already has here, when the server knows the viewer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub my_orders: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename = "FlashState"))]
pub struct FlashSale {
    spec: FlashSpec,
    stock_left: u64,
    waiting: Option<u64>,
    ends_at: Millis,
    ended_by_host: bool,
    reminded: bool,
    /// The grab awaiting the server's answer.
    pending: Option<String>,
    attempts: u32,
    orders: Vec<String>,
    last_outcome: Option<GrabOutcome>,
    /// The phase last announced (events fire on changes).
    announced: FlashPhase,
}

impl FlashSale {
    pub fn open(spec: FlashSpec, now: Millis) -> Result<(FlashSale, Transition), HudongError> {
        validate_spec(&spec)?;
        let mut sale = FlashSale {
            stock_left: spec.stock_total,
            waiting: None,
            ends_at: spec.ends_at,
            ended_by_host: false,
            reminded: false,
            pending: None,
            attempts: 0,
            orders: Vec::new(),
            last_outcome: None,
            announced: FlashPhase::Preview,
            spec,
        };
        sale.announced = sale.phase(now);
        Ok((sale, Transition::changed(vec![Event::WidgetShown])))
    }

    pub fn id(&self) -> &str {
        &self.spec.widget_id
    }
    pub fn spec(&self) -> &FlashSpec {
        &self.spec
    }
    pub fn stock_left(&self) -> u64 {
        self.stock_left
    }
    pub fn waiting(&self) -> Option<u64> {
        self.waiting
    }
    pub fn ends_at(&self) -> Millis {
        self.ends_at
    }
    pub fn reminded(&self) -> bool {
        self.reminded
    }
    pub fn pending(&self) -> bool {
        self.pending.is_some()
    }
    pub fn orders(&self) -> &[String] {
        &self.orders
    }
    pub fn last_outcome(&self) -> Option<GrabOutcome> {
        self.last_outcome
    }

    /// The phase at `now`: derived from server times, stock and the host's end, never
    /// from counted ticks.
    pub fn phase(&self, now: Millis) -> FlashPhase {
        if self.ended_by_host || now >= self.ends_at {
            FlashPhase::Ended
        } else if now < self.spec.starts_at {
            FlashPhase::Preview
        } else if self.stock_left == 0 {
            FlashPhase::SoldOut
        } else {
            FlashPhase::Live
        }
    }

    /// Whether a grab would be sent now.
    pub fn can_grab(&self, now: Millis) -> bool {
        self.phase(now) == FlashPhase::Live
            && self.pending.is_none()
            && (self.orders.len() as u32) < self.spec.per_viewer_limit
    }

    pub fn next_deadline(&self, now: Millis) -> Option<Millis> {
        match self.phase(now) {
            FlashPhase::Preview => Some(self.spec.starts_at),
            FlashPhase::Live | FlashPhase::SoldOut => Some(self.ends_at),
            FlashPhase::Ended => None,
        }
    }

    /// Announces a phase change, if there was one.
    fn announce(&mut self, now: Millis, t: &mut Transition) {
        let p = self.phase(now);
        if p == self.announced {
            return;
        }
        match p {
            FlashPhase::Live if self.announced == FlashPhase::Preview => {
                t.events.push(Event::FlashStarted)
            }
            FlashPhase::Ended => t.events.push(Event::FlashEnded {
                sold: self.spec.stock_total.saturating_sub(self.stock_left),
            }),
            _ => {}
        }
        self.announced = p;
        t.changed = true;
    }

    pub fn tick(&mut self, now: Millis) -> Transition {
        let mut t = Transition::default();
        self.announce(now, &mut t);
        t
    }

    /// `flash.stock`: never shows more stock than the server last said, unless it resets.
    pub fn stock(&mut self, s: &FlashStock, now: Millis) -> Transition {
        let mut t = Transition::default();
        let left = if s.reset {
            s.stock_left.min(self.spec.stock_total)
        } else {
            s.stock_left.min(self.stock_left)
        };
        if left != self.stock_left || s.waiting.is_some() && s.waiting != self.waiting {
            self.stock_left = left;
            if s.waiting.is_some() {
                self.waiting = s.waiting;
            }
            t.changed = true;
        }
        self.announce(now, &mut t);
        t
    }

    /// `flash.extend`: only ever later.
    pub fn extend(&mut self, e: &FlashExtend, now: Millis) -> Transition {
        let mut t = Transition::default();
        if e.ends_at > self.ends_at && !self.ended_by_host {
            self.ends_at = e.ends_at;
            t.changed = true;
            self.announce(now, &mut t);
        }
        t
    }

    /// `flash.end`: idempotent.
    pub fn end(&mut self, now: Millis) -> Transition {
        let mut t = Transition::default();
        if !self.ended_by_host {
            self.ended_by_host = true;
            t.changed = true;
        }
        self.announce(now, &mut t);
        t
    }

    /// The viewer asks to be reminded when the sale starts. Idempotent.
    pub fn remind(&mut self, now: Millis) -> Result<Transition, HudongError> {
        if self.phase(now) != FlashPhase::Preview {
            return Err(HudongError::new(
                ErrorCode::NotOpen,
                "reminders are for sales that have not started",
            ));
        }
        if self.reminded {
            return Ok(Transition::default());
        }
        self.reminded = true;
        Ok(Transition::changed(vec![Event::FlashRemind]))
    }

    /// The viewer grabs. A second tap while the first is pending is absorbed.
    pub fn grab(&mut self, now: Millis, key_prefix: &str) -> Result<Transition, HudongError> {
        match self.phase(now) {
            FlashPhase::Live => {}
            FlashPhase::Preview => {
                return Err(HudongError::new(
                    ErrorCode::NotOpen,
                    "the sale has not started",
                ))
            }
            FlashPhase::SoldOut => return Err(HudongError::new(ErrorCode::NotOpen, "sold out")),
            FlashPhase::Ended => {
                return Err(HudongError::new(ErrorCode::NotOpen, "the sale has ended"))
            }
        }
        if self.pending.is_some() {
            return Ok(Transition::default());
        }
        if self.orders.len() as u32 >= self.spec.per_viewer_limit {
            return Err(HudongError::new(
                ErrorCode::LimitReached,
                "you already bought as many as allowed",
            ));
        }
        self.attempts += 1;
        let request_id = format!("{key_prefix}:grab:{}", self.attempts);
        self.pending = Some(request_id.clone());
        self.last_outcome = None;
        Ok(Transition::changed(vec![Event::FlashGrab { request_id }]))
    }

    /// `flash.result`: the server's answer to the pending grab. Answers to anything else
    /// (a retry already answered) change nothing.
    pub fn result(&mut self, r: &FlashResult, now: Millis) -> Result<Transition, HudongError> {
        if r.outcome == GrabOutcome::Success {
            match &r.order_ref {
                Some(o) => validate::text("order_ref", o, 64)?,
                None => return Err(HudongError::field("a successful grab needs an order_ref")),
            }
        }
        if self.pending.as_deref() != Some(r.request_id.as_str()) {
            return Ok(Transition::default());
        }
        self.pending = None;
        self.last_outcome = Some(r.outcome);
        match r.outcome {
            GrabOutcome::Success => self.orders.push(r.order_ref.clone().unwrap_or_default()),
            GrabOutcome::SoldOut => self.stock_left = 0,
            _ => {}
        }
        let mut t = Transition::changed(vec![Event::FlashResult {
            request_id: r.request_id.clone(),
            outcome: r.outcome,
            order_ref: r.order_ref.clone(),
        }]);
        self.announce(now, &mut t);
        Ok(t)
    }

    pub fn snapshot(&self) -> FlashSnapshot {
        FlashSnapshot {
            spec: self.spec.clone(),
            stock_left: self.stock_left,
            waiting: self.waiting,
            ends_at: self.ends_at,
            ended: self.ended_by_host,
            my_orders: self.orders.clone(),
        }
    }

    pub fn check_snapshot(&self, s: &FlashSnapshot) -> Result<(), HudongError> {
        for o in &s.my_orders {
            validate::text("my_orders[]", o, 64)?;
        }
        if s.my_orders.len() as u32 > s.spec.per_viewer_limit {
            return Err(HudongError::field(
                "my_orders has more orders than per_viewer_limit",
            ));
        }
        Ok(())
    }

    /// Moves forward to a snapshot of the same sale.
    pub fn merge_snapshot(
        &mut self,
        s: &FlashSnapshot,
        now: Millis,
    ) -> Result<Transition, HudongError> {
        self.check_snapshot(s)?;
        let before = self.clone();
        self.stock_left = self.stock_left.min(s.stock_left);
        if s.waiting.is_some() {
            self.waiting = s.waiting;
        }
        self.ends_at = self.ends_at.max(s.ends_at);
        self.ended_by_host |= s.ended;
        for o in &s.my_orders {
            if !self.orders.contains(o) {
                self.orders.push(o.clone());
            }
        }
        let mut t = Transition {
            events: Vec::new(),
            changed: *self != before,
        };
        self.announce(now, &mut t);
        Ok(t)
    }
}

fn validate_spec(s: &FlashSpec) -> Result<(), HudongError> {
    validate::id("widget_id", &s.widget_id)?;
    validate::text("product.name", &s.product.name, MAX_NAME_CHARS)?;
    if let Some(url) = &s.product.image {
        validate::image_url("product.image", url)?;
    }
    validate::currency("product.currency", &s.product.currency)?;
    if s.stock_total == 0 {
        return Err(HudongError::field("stock_total must be at least 1"));
    }
    if s.ends_at <= s.starts_at {
        return Err(HudongError::field("ends_at must be after starts_at"));
    }
    if s.per_viewer_limit == 0 {
        return Err(HudongError::field("per_viewer_limit must be at least 1"));
    }
    if let Some(g) = &s.gate {
        validate::text("gate", g, MAX_GATE_CHARS)?;
    }
    Ok(())
}

crate::widget::widget_state! {
    FlashSale: FlashSpec, FlashSnapshot, "a flash sale";
    open(spec, now) => FlashSale::open(spec, now);
    command(self, cx) {
        Command::FlashStock(s) => Ok(self.stock(s, cx.now)),
        Command::FlashExtend(e) => Ok(self.extend(e, cx.now)),
        Command::FlashResult(r) => self.result(r, cx.now),
        Command::FlashEnd(_) => Ok(self.end(cx.now)),
    }
    act(self, cx) {
        Action::FlashGrab { .. } => self.grab(cx.now, &cx.key_prefix()),
        Action::FlashRemind { .. } => self.remind(cx.now),
    }
    fn next_deadline(&self, now: Millis) -> Option<Millis> {
        FlashSale::next_deadline(self, now)
    }
    fn tick(&mut self, now: Millis) -> Transition {
        FlashSale::tick(self, now)
    }
    fn check_snapshot(&self, s: &FlashSnapshot) -> Result<(), HudongError> {
        FlashSale::check_snapshot(self, s)
    }
    fn merge_snapshot(&mut self, s: &FlashSnapshot, now: Millis) -> Result<Transition, HudongError> {
        FlashSale::merge_snapshot(self, s, now)
    }
}
