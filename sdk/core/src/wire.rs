//! What goes on the wire: event bodies and batch bodies, in Hudong's own format or as
//! Segment-spec `track` calls, with personal fields kept, hashed or left out.
use crate::delivery::Batch;
use crate::protocol::{Envelope, Event};
use crate::Millis;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The body format of batches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "format", rename_all = "snake_case")]
pub enum WireFormat {
    /// `{"v":1,"batch_id":…,"sent_at":…,"dropped":…,"events":[envelope, …]}`
    Hudong,
    /// The Segment HTTP batch API: `{"batch":[{"type":"track",…}, …],"sentAt":"…"}`.
    Segment {
        #[serde(default)]
        write_key: Option<String>,
    },
}

/// What to do with a personal field before an event leaves the device.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonalField {
    #[default]
    Keep,
    /// SHA-256 of the salt and the value, in hex: stable per viewer, not reversible.
    Hash,
    Omit,
}

/// Which fields are personal and what to do with them. `user_id` is the one personal
/// field Hudong's events carry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PersonalPolicy {
    pub user_id: PersonalField,
    pub salt: String,
}

impl PersonalPolicy {
    /// Applies the policy to an outgoing copy of an event: the `user_id` field, and the
    /// idempotency key that names the viewer (where the session id stands in on `omit`).
    pub fn apply(&self, env: &mut Envelope) {
        let Some(raw) = env.user_id.clone() else {
            return;
        };
        let replacement = match self.user_id {
            PersonalField::Keep => return,
            PersonalField::Omit => {
                env.user_id = None;
                env.session_id.clone()
            }
            PersonalField::Hash => {
                let hashed = sha256_hex(&self.salt, &raw);
                env.user_id = Some(hashed.clone());
                hashed
            }
        };
        if let Event::PollVote {
            idempotency_key, ..
        } = &mut env.event
        {
            *idempotency_key =
                idempotency_key.replace(&format!(":{raw}:"), &format!(":{replacement}:"));
        }
    }
}

fn sha256_hex(salt: &str, value: &str) -> String {
    let mut h = Sha256::new();
    h.update(salt.as_bytes());
    h.update([0u8]);
    h.update(value.as_bytes());
    let digest = h.finalize();
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push(char::from_digit((b >> 4) as u32, 16).unwrap());
        out.push(char::from_digit((b & 15) as u32, 16).unwrap());
    }
    out
}

/// A Segment `track` call for one event (serialize it to get the event body).
#[derive(Debug, Serialize)]
pub struct SegmentTrack<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub event: &'static str,
    #[serde(rename = "messageId")]
    pub message_id: &'a str,
    #[serde(rename = "anonymousId")]
    pub anonymous_id: &'a str,
    #[serde(rename = "userId", skip_serializing_if = "Option::is_none")]
    pub user_id: Option<&'a str>,
    pub timestamp: String,
    pub properties: &'a Envelope,
    pub context: SegmentContext,
}

#[derive(Debug, Serialize)]
pub struct SegmentContext {
    pub library: SegmentLibrary,
}

#[derive(Debug, Serialize)]
pub struct SegmentLibrary {
    pub name: &'static str,
    pub version: &'static str,
}

impl<'a> SegmentTrack<'a> {
    pub fn new(env: &'a Envelope) -> Self {
        SegmentTrack {
            kind: "track",
            event: env.event.type_name(),
            message_id: &env.event_id,
            anonymous_id: &env.session_id,
            user_id: env.user_id.as_deref(),
            timestamp: iso8601(env.at),
            properties: env,
            context: SegmentContext {
                library: SegmentLibrary {
                    name: "hudong",
                    version: env!("CARGO_PKG_VERSION"),
                },
            },
        }
    }
}

/// The body of a batch: the events' JSON texts joined into the format's wrapper.
pub fn batch_body(format: &WireFormat, batch: &Batch, now: Millis) -> String {
    body_of(
        format,
        batch.id,
        batch.dropped,
        batch.events.iter().map(|e| e.body.as_str()),
        now,
    )
}

/// The same, for any list of event bodies (page-hide beacons use it too).
pub fn body_of<'a>(
    format: &WireFormat,
    batch_id: u64,
    dropped: u64,
    bodies: impl Iterator<Item = &'a str>,
    now: Millis,
) -> String {
    let mut out = String::with_capacity(256);
    match format {
        WireFormat::Hudong => {
            out.push_str(&format!(
                "{{\"v\":1,\"batch_id\":{batch_id},\"sent_at\":{now},\"dropped\":{dropped},\"events\":["
            ));
            join(&mut out, bodies);
            out.push_str("]}");
        }
        WireFormat::Segment { write_key } => {
            out.push_str("{\"batch\":[");
            join(&mut out, bodies);
            out.push_str(&format!("],\"sentAt\":\"{}\"", iso8601(now)));
            if let Some(key) = write_key.as_deref().filter(|k| valid_write_key(k)) {
                out.push_str(&format!(",\"writeKey\":\"{key}\""));
            }
            out.push('}');
        }
    }
    out
}

fn join<'a>(out: &mut String, bodies: impl Iterator<Item = &'a str>) {
    for (i, b) in bodies.enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(b);
    }
}

/// Write keys are opaque tokens; anything that would need escaping is refused.
pub fn valid_write_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 256
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
}

/// `2026-11-22T19:07:36.123Z` from milliseconds since the epoch.
pub fn iso8601(ms: Millis) -> String {
    let secs = ms / 1000;
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        ms % 1000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(iso8601(1_795_373_881_110), "2026-11-22T18:58:01.110Z");
        assert_eq!(iso8601(4_102_444_799_999), "2099-12-31T23:59:59.999Z");
    }

    #[test]
    fn personal_policy_reaches_the_idempotency_key() {
        use crate::{Action, Room, RoomConfig};
        let mut room = Room::new(RoomConfig::new("r", "s-1").with_user("13800138000"));
        let open = crate::decode_command_json(
            r#"{"type":"poll.open","widget_id":"p","question":"q","options":[{"id":"a","label":"A"},{"id":"b","label":"B"}]}"#,
        )
        .unwrap();
        room.apply(&open, 0).unwrap();
        let fx = room
            .act(
                &Action::PollVote {
                    widget_id: "p".into(),
                    option_ids: vec!["a".into()],
                },
                1,
            )
            .unwrap();
        let env = &fx.events[0];
        let key = |e: &Envelope| match &e.event {
            Event::PollVote {
                idempotency_key, ..
            } => idempotency_key.clone(),
            _ => unreachable!(),
        };
        let mut hashed = env.clone();
        PersonalPolicy {
            user_id: PersonalField::Hash,
            salt: "x".into(),
        }
        .apply(&mut hashed);
        let h = hashed.user_id.clone().unwrap();
        assert_eq!(key(&hashed), format!("r:p:{h}:vote:1"));
        let mut omitted = env.clone();
        PersonalPolicy {
            user_id: PersonalField::Omit,
            salt: String::new(),
        }
        .apply(&mut omitted);
        assert_eq!(omitted.user_id, None);
        assert_eq!(key(&omitted), "r:p:s-1:vote:1");
        for e in [&hashed, &omitted] {
            assert!(!serde_json::to_string(e).unwrap().contains("13800138000"));
        }
    }

    #[test]
    fn hashing_is_salted_and_stable() {
        let a = sha256_hex("s1", "u-42");
        assert_eq!(a.len(), 64);
        assert_eq!(a, sha256_hex("s1", "u-42"));
        assert_ne!(a, sha256_hex("s2", "u-42"));
        // Checked against Python: hashlib.sha256(b"salt\x00u-42").hexdigest()
        assert_eq!(
            sha256_hex("salt", "u-42"),
            "663ed9da8d7ca461e77c042c018bbc58535f21774143ac3bafda641b245fdb7b"
        );
    }
}
