use serde::{Deserialize, Serialize};
use std::fmt;

/// The kind of an error, stable across versions: hosts can match on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The input is not a command object, or lacks a `type`.
    MalformedCommand,
    /// The `type` names no command this version knows.
    UnknownCommand,
    /// The command declares a protocol version this SDK does not speak.
    UnsupportedVersion,
    /// A field is missing, of the wrong type, or outside its limits.
    InvalidField,
    /// No live widget has that id.
    UnknownWidget,
    /// The widget exists but is of another kind than the command expects.
    WrongWidgetKind,
    /// A widget with that id exists with different content.
    WidgetConflict,
    /// The widget does not accept this now (for example a vote after close).
    NotOpen,
    /// The viewer already voted and this poll does not allow changing the vote.
    AlreadyVoted,
    /// The chosen options are not a valid answer for this poll.
    InvalidChoice,
    /// The viewer already has as many as a per-viewer limit allows.
    LimitReached,
    /// The viewer's points do not cover the cost.
    InsufficientPoints,
    /// Nothing is left of the item.
    OutOfStock,
    /// The item needs a higher tier than the viewer's.
    TierTooLow,
    /// The viewer's details would go to the brand: the consent box must be ticked first.
    ConsentRequired,
    /// A condition of the offer is not met yet (for example "share to a group first").
    ConditionNotMet,
    /// A send failed (network error, error status, a transport function that threw); the
    /// events stay queued and are retried.
    TransportFailed,
    /// The collector refused a batch for good (a 4xx, or too many failed attempts); its
    /// events are in the dead-letter store (`room.deadLetters`).
    EventsRejected,
    /// The queue was full and its oldest events were dropped (counted in `room.delivery`).
    EventsDropped,
    /// Durable storage failed (full, or unavailable in private browsing): events are kept
    /// in memory only.
    StorageFailed,
    /// A fault inside Hudong itself (a bug): reported, never thrown at the page.
    Internal,
    /// The widget failed inside Hudong and was taken down; commands and actions for its id
    /// are refused for the rest of the session (the other widgets go on).
    WidgetFailed,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::MalformedCommand => "malformed_command",
            ErrorCode::UnknownCommand => "unknown_command",
            ErrorCode::UnsupportedVersion => "unsupported_version",
            ErrorCode::InvalidField => "invalid_field",
            ErrorCode::UnknownWidget => "unknown_widget",
            ErrorCode::WrongWidgetKind => "wrong_widget_kind",
            ErrorCode::WidgetConflict => "widget_conflict",
            ErrorCode::NotOpen => "not_open",
            ErrorCode::AlreadyVoted => "already_voted",
            ErrorCode::InvalidChoice => "invalid_choice",
            ErrorCode::LimitReached => "limit_reached",
            ErrorCode::InsufficientPoints => "insufficient_points",
            ErrorCode::OutOfStock => "out_of_stock",
            ErrorCode::TierTooLow => "tier_too_low",
            ErrorCode::ConsentRequired => "consent_required",
            ErrorCode::ConditionNotMet => "condition_not_met",
            ErrorCode::TransportFailed => "transport_failed",
            ErrorCode::EventsRejected => "events_rejected",
            ErrorCode::EventsDropped => "events_dropped",
            ErrorCode::StorageFailed => "storage_failed",
            ErrorCode::Internal => "internal",
            ErrorCode::WidgetFailed => "widget_failed",
        }
    }
}

/// A typed error: a stable `code`, a human-readable `message`, and where it applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct HudongError {
    pub code: ErrorCode,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub widget_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command_type: Option<String>,
}

impl HudongError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        HudongError {
            code,
            message: message.into(),
            widget_id: None,
            command_type: None,
        }
    }

    pub fn field(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidField, message)
    }

    pub fn with_widget(mut self, id: &str) -> Self {
        self.widget_id = Some(id.to_owned());
        self
    }

    pub fn with_command(mut self, type_name: &str) -> Self {
        self.command_type = Some(type_name.to_owned());
        self
    }
}

impl fmt::Display for HudongError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl std::error::Error for HudongError {}
