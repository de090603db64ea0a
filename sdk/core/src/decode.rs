//! Decoding commands from any serde source (a JS value in the browser, JSON natively)
//! into typed commands or typed errors.
use crate::error::{ErrorCode, HudongError};
use crate::protocol::{Command, PROTOCOL_VERSION};
use serde::{Deserialize, Deserializer};

#[derive(Deserialize)]
struct Head {
    #[serde(rename = "type")]
    kind: Option<serde::de::IgnoredAny>,
    v: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
struct TypedHead {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    v: Option<u32>,
}

/// Decodes one command. `source` is called up to three times to get a fresh deserializer
/// over the same input: first to tell a malformed input from an unknown command type, then
/// to decode it.
///
/// Every failure is a [`HudongError`]: `malformed_command`, `unknown_command`,
/// `unsupported_version` or `invalid_field`, with a message naming the problem.
pub fn decode_command<'de, D, F>(source: F) -> Result<Command, HudongError>
where
    D: Deserializer<'de>,
    D::Error: std::fmt::Display,
    F: Fn() -> D,
{
    let head = Head::deserialize(source()).map_err(|e| {
        HudongError::new(
            ErrorCode::MalformedCommand,
            format!("a command must be an object: {e}"),
        )
    })?;
    if head.kind.is_none() {
        return Err(HudongError::new(
            ErrorCode::MalformedCommand,
            "a command needs a string \"type\"",
        ));
    }
    let _ = head.v;
    let head = TypedHead::deserialize(source()).map_err(|e| {
        HudongError::new(
            ErrorCode::MalformedCommand,
            format!("bad \"type\" or \"v\": {e}"),
        )
    })?;
    if !Command::knows(&head.kind) {
        let shown: String = head.kind.chars().take(64).collect();
        return Err(HudongError::new(
            ErrorCode::UnknownCommand,
            format!("unknown command type \"{shown}\""),
        ));
    }
    if let Some(v) = head.v {
        if v != PROTOCOL_VERSION {
            return Err(HudongError::new(
                ErrorCode::UnsupportedVersion,
                format!(
                    "command version {v} is not supported (this SDK speaks {PROTOCOL_VERSION})"
                ),
            )
            .with_command(&head.kind));
        }
    }
    Command::deserialize(source()).map_err(|e| {
        HudongError::new(ErrorCode::InvalidField, format!("{}: {e}", head.kind))
            .with_command(&head.kind)
    })
}

/// Decodes one command from JSON text.
#[cfg(feature = "json")]
pub fn decode_command_json(text: &str) -> Result<Command, HudongError> {
    crate::limits::check_json(text, crate::limits::MAX_MESSAGE_BYTES, "a command")?;
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| HudongError::new(ErrorCode::MalformedCommand, format!("not JSON: {e}")))?;
    decode_command(|| &value)
}
