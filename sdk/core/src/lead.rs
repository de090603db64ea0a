//! Follow and private-domain lead card (关注 / 加企业微信 / 进群): a call to action that turns
//! live viewers into the brand's contacts. The card shows a QR code of `url` (drawn on the
//! device), a link and a code to copy; where the viewer's details go to the brand, a consent
//! checkbox with the stated purpose must be ticked before the viewer can confirm. The funnel
//! is `widget.shown` → `lead.clicked` → `lead.confirm` → `lead.result`; the server records
//! the follow or contact and decides any perk (the widget shows "pending" until it answers).
use crate::error::{ErrorCode, HudongError};
use crate::protocol::Event;
use crate::protocol::{Action, Command};
use crate::validate;
use crate::widget::Transition;
use crate::Millis;
use serde::{Deserialize, Serialize};

/// Where the card leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum LeadTarget {
    /// Follow the host's account on the platform.
    Follow,
    /// Add the brand's WeCom (企业微信) contact.
    WecomContact,
    /// Join the brand's WeCom group.
    WecomGroup,
    /// Follow the brand's WeChat official account (公众号).
    OfficialAccount,
}

impl LeadTarget {
    /// Whether the viewer's details go to the brand (and so need consent with a purpose).
    pub fn shares_details(self) -> bool {
        self != LeadTarget::Follow
    }
}

/// `lead.open`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct LeadSpec {
    pub widget_id: String,
    pub target: LeadTarget,
    pub title: String,
    /// The perk for confirming ("关注领 5 元券"); the server decides who gets it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub perk: Option<String>,
    /// Server time the perk offer ends ("follow within 30 s"): the card counts down to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub perk_until: Option<Millis>,
    /// An `https:` URL: drawn as a QR code on the device and offered as a link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Text the viewer can copy (a WeChat ID, a group code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Why the brand asks, shown beside the consent checkbox. Required when the viewer's
    /// details go to the brand (every target but `follow`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
}

/// How the viewer acted on the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum LeadVia {
    /// Opened the link.
    Link,
    /// Copied the code.
    Copy,
    /// Saved or long-pressed the QR code.
    Qr,
}

/// `lead.result`: the server's answer to a confirmation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct LeadResult {
    pub widget_id: String,
    pub request_id: String,
    pub outcome: LeadOutcome,
    /// The perk granted (a coupon reference), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub perk_ref: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum LeadOutcome {
    Confirmed,
    /// The server could not take it (for example an anonymous viewer); the viewer may retry.
    Declined,
}

/// The viewer's confirmation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename = "LeadProgress"))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum LeadState {
    None,
    Pending {
        request_id: String,
    },
    Confirmed {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        perk_ref: Option<String>,
    },
    Declined,
}

/// What a late joiner gets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct LeadSnapshot {
    pub spec: LeadSpec,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename = "LeadState"))]
pub struct Lead {
    spec: LeadSpec,
    consent: bool,
    state: LeadState,
    clicked: Vec<LeadVia>,
    /// The viewer folded the card into the tray.
    folded: bool,
    attempts: u32,
    perk_over_seen: bool,
}

impl Lead {
    pub fn open(spec: LeadSpec) -> Result<(Lead, Transition), HudongError> {
        validate_spec(&spec)?;
        let lead = Lead {
            spec,
            consent: false,
            state: LeadState::None,
            clicked: Vec::new(),
            folded: false,
            attempts: 0,
            perk_over_seen: false,
        };
        Ok((lead, Transition::changed(vec![Event::WidgetShown])))
    }

    pub fn id(&self) -> &str {
        &self.spec.widget_id
    }
    pub fn spec(&self) -> &LeadSpec {
        &self.spec
    }
    pub fn state(&self) -> &LeadState {
        &self.state
    }
    /// Whether the consent box is ticked.
    pub fn consent(&self) -> bool {
        self.consent
    }
    /// Whether confirming needs the consent box ticked.
    pub fn needs_consent(&self) -> bool {
        self.spec.target.shares_details()
    }
    pub fn folded(&self) -> bool {
        self.folded
    }
    /// Whether the perk is still on offer at `now`.
    pub fn perk_open(&self, now: Millis) -> bool {
        self.spec.perk.is_some() && self.spec.perk_until.is_none_or(|t| now < t)
    }

    pub fn next_deadline(&self, now: Millis) -> Option<Millis> {
        self.spec.perk_until.filter(|t| now < *t)
    }

    pub fn tick(&mut self, now: Millis) -> Transition {
        let over = self.spec.perk_until.is_some_and(|t| now >= t) && !self.perk_over_seen;
        self.perk_over_seen |= over;
        Transition {
            events: Vec::new(),
            changed: over,
        }
    }

    /// The viewer opened the link, copied the code or saved the QR code. Counted once per way.
    pub fn click(&mut self, via: LeadVia) -> Result<Transition, HudongError> {
        let available = match via {
            LeadVia::Link | LeadVia::Qr => self.spec.url.is_some(),
            LeadVia::Copy => self.spec.code.is_some(),
        };
        if !available {
            return Err(HudongError::new(
                ErrorCode::InvalidChoice,
                "this card offers no such way",
            ));
        }
        if self.clicked.contains(&via) {
            return Ok(Transition::default());
        }
        self.clicked.push(via);
        Ok(Transition::changed(vec![Event::LeadClicked { via }]))
    }

    /// The viewer ticks or clears the consent box.
    pub fn set_consent(&mut self, given: bool) -> Result<Transition, HudongError> {
        if !self.needs_consent() {
            return Err(HudongError::new(
                ErrorCode::InvalidChoice,
                "this card asks for no consent",
            ));
        }
        if given == self.consent
            || matches!(
                self.state,
                LeadState::Pending { .. } | LeadState::Confirmed { .. }
            )
        {
            return Ok(Transition::default());
        }
        self.consent = given;
        Ok(Transition::changed(vec![Event::LeadConsent { given }]))
    }

    /// The viewer confirms (followed, added, joined). Needs consent where details are shared;
    /// repeats while pending or after confirming are absorbed.
    pub fn confirm(&mut self, now: Millis, key_prefix: &str) -> Result<Transition, HudongError> {
        if matches!(
            self.state,
            LeadState::Pending { .. } | LeadState::Confirmed { .. }
        ) {
            return Ok(Transition::default());
        }
        if self.needs_consent() && !self.consent {
            return Err(HudongError::new(
                ErrorCode::ConsentRequired,
                "tick the consent box first",
            ));
        }
        self.attempts += 1;
        let request_id = format!("{key_prefix}:lead:{}", self.attempts);
        self.state = LeadState::Pending {
            request_id: request_id.clone(),
        };
        self.folded = false;
        Ok(Transition::changed(vec![Event::LeadConfirm {
            request_id,
            target: self.spec.target,
            consent: self.consent,
            purpose: if self.needs_consent() {
                self.spec.purpose.clone()
            } else {
                None
            },
            perk_open: self.perk_open(now),
        }]))
    }

    /// The viewer folds the card into the tray, or unfolds it.
    pub fn fold(&mut self, folded: bool) -> Transition {
        if folded == self.folded {
            return Transition::default();
        }
        self.folded = folded;
        Transition::changed(vec![Event::LeadFolded { folded }])
    }

    /// `lead.result`: the answer to the pending confirmation; anything else changes nothing.
    pub fn result(&mut self, r: &LeadResult) -> Result<Transition, HudongError> {
        if let Some(p) = &r.perk_ref {
            validate::text("perk_ref", p, 64)?;
        }
        if !matches!(&self.state, LeadState::Pending { request_id } if *request_id == r.request_id)
        {
            return Ok(Transition::default());
        }
        self.state = match r.outcome {
            LeadOutcome::Confirmed => LeadState::Confirmed {
                perk_ref: r.perk_ref.clone(),
            },
            LeadOutcome::Declined => LeadState::Declined,
        };
        Ok(Transition::changed(vec![Event::LeadResult {
            request_id: r.request_id.clone(),
            outcome: r.outcome,
            perk: r.perk_ref.is_some(),
        }]))
    }

    pub fn snapshot(&self) -> LeadSnapshot {
        LeadSnapshot {
            spec: self.spec.clone(),
        }
    }
}

fn validate_spec(s: &LeadSpec) -> Result<(), HudongError> {
    validate::id("widget_id", &s.widget_id)?;
    validate::text("title", &s.title, 40)?;
    if let Some(p) = &s.perk {
        validate::text("perk", p, 40)?;
    }
    if s.perk_until.is_some() && s.perk.is_none() {
        return Err(HudongError::field("perk_until needs a perk"));
    }
    if let Some(u) = &s.url {
        validate::link_url("url", u)?;
    }
    if let Some(c) = &s.code {
        validate::text("code", c, 40)?;
    }
    match (&s.purpose, s.target.shares_details()) {
        (Some(p), _) => validate::text("purpose", p, 120)?,
        (None, true) => {
            return Err(HudongError::field(
                "purpose is required: the viewer's details go to the brand",
            ))
        }
        (None, false) => {}
    }
    if s.target != LeadTarget::Follow && s.url.is_none() && s.code.is_none() {
        return Err(HudongError::field(
            "a WeCom or official-account card needs a url or a code",
        ));
    }
    Ok(())
}

crate::widget::widget_state! {
    Lead: LeadSpec, LeadSnapshot, "a lead card";
    open(spec, _now) => Lead::open(spec);
    command(self, _cx) {
        Command::LeadResult(r) => self.result(r),
    }
    act(self, cx) {
        Action::LeadClick { via, .. } => self.click(*via),
        Action::LeadConsent { given, .. } => self.set_consent(*given),
        Action::LeadConfirm { .. } => self.confirm(cx.now, &cx.key_prefix()),
        Action::LeadFold { folded, .. } => Ok(self.fold(*folded)),
    }
    fn next_deadline(&self, now: Millis) -> Option<Millis> {
        Lead::next_deadline(self, now)
    }
    fn tick(&mut self, now: Millis) -> Transition {
        Lead::tick(self, now)
    }
}
