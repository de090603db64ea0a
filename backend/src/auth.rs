//! Who may do what. Viewers get a signed session token when they join a room; every event
//! they send is checked against it, so no one can vote, answer, grab or redeem as someone
//! else, in another room or session, or with a time outside their session. Host commands
//! and the host's other calls need the host key.
//!
//! Tokens are `v1.<payload>.<signature>`: the payload is base64url JSON
//! `{r: room, u: user, s: session, iat, exp}` (ms), the signature HMAC-SHA256 of the
//! payload under a secret the backend keeps (`--secret`, or a random one made once and kept in
//! the database, so sessions survive restarts and processes on one database agree).
//!
//! Without `--host-key` the backend runs in development mode: host calls are open and
//! events without a token are taken, as the sandbox needs nothing set up. A token, when one
//! is sent, is still checked.
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// How long a session token is good for.
pub const TOKEN_TTL_MS: u64 = 12 * 60 * 60 * 1000;
/// How far an event's time may be ahead of the server's (device clocks, in-flight time).
pub const FUTURE_SLACK_MS: u64 = 60_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The room.
    pub r: String,
    /// The viewer.
    pub u: String,
    /// The session (one page load).
    pub s: String,
    pub iat: u64,
    pub exp: u64,
}

pub struct Auth {
    secret: [u8; 32],
    host_key: Option<String>,
    /// A key that reads (events, refusals, decisions, analytics) and does nothing else: for
    /// dashboards and analysts (`--read-key`).
    read_key: Option<String>,
}

/// Why a request or an event was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    NoToken,
    MalformedToken,
    BadSignature,
    Expired,
    WrongRoom,
    WrongSession,
    WrongUser,
    OutOfWindow,
    NotHost,
    NotReader,
}

impl Refusal {
    pub fn reason(self) -> &'static str {
        match self {
            Refusal::NoToken => "no session token: join the room first",
            Refusal::MalformedToken => "the session token is malformed",
            Refusal::BadSignature => "the session token's signature does not match",
            Refusal::Expired => "the session token has expired",
            Refusal::WrongRoom => "the event is for another room than the token",
            Refusal::WrongSession => "the event is from another session than the token",
            Refusal::WrongUser => "the event acts as another viewer than the token's",
            Refusal::OutOfWindow => "the event's time is outside the session's window",
            Refusal::NotHost => "this needs the host key",
            Refusal::NotReader => "reading this needs the host key or the read key",
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Refusal::NoToken => "no_token",
            Refusal::MalformedToken => "malformed_token",
            Refusal::BadSignature => "bad_signature",
            Refusal::Expired => "expired",
            Refusal::WrongRoom => "wrong_room",
            Refusal::WrongSession => "wrong_session",
            Refusal::WrongUser => "forged_user",
            Refusal::OutOfWindow => "out_of_window",
            Refusal::NotHost => "not_host",
            Refusal::NotReader => "not_reader",
        }
    }
}

/// Whether two keys are the same, compared by digest so the time taken says nothing of
/// the key.
fn same(key: &str, presented: &str) -> bool {
    let (a, b) = (
        Sha256::digest(presented.as_bytes()),
        Sha256::digest(key.as_bytes()),
    );
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

impl Auth {
    /// `secret`: any text (hashed to the key); `None`: a random key for this process.
    pub fn new(secret: Option<&str>, host_key: Option<String>) -> Result<Auth, String> {
        let secret = match secret {
            Some(s) => Sha256::digest(s.as_bytes()).into(),
            None => {
                let mut k = [0u8; 32];
                getrandom::fill(&mut k)
                    .map_err(|e| format!("no randomness for the token key: {e}"))?;
                k
            }
        };
        Ok(Auth {
            secret,
            host_key: host_key.filter(|k| !k.is_empty()),
            read_key: None,
        })
    }

    /// The same, with a read-only key.
    pub fn with_read_key(mut self, key: Option<String>) -> Auth {
        self.read_key = key.filter(|k| !k.is_empty());
        self
    }

    /// Whether `presented` may read the stored data: the host key or the read key (anyone in
    /// development mode).
    pub fn may_read(&self, presented: Option<&str>) -> bool {
        self.is_host(presented)
            || self
                .read_key
                .as_deref()
                .zip(presented)
                .is_some_and(|(key, p)| same(key, p.strip_prefix("Bearer ").unwrap_or(p).trim()))
    }

    pub fn host_key(&self) -> Option<&str> {
        self.host_key.as_deref()
    }

    /// Development mode: no host key configured.
    pub fn open(&self) -> bool {
        self.host_key.is_none()
    }

    fn sign(&self, payload: &str) -> String {
        let mut mac = HmacSha256::new_from_slice(&self.secret).expect("any key length");
        mac.update(payload.as_bytes());
        B64.encode(mac.finalize().into_bytes())
    }

    pub fn issue(&self, room: &str, user: &str, session: &str, now: u64) -> (String, Claims) {
        let claims = Claims {
            r: room.into(),
            u: user.into(),
            s: session.into(),
            iat: now,
            exp: now + TOKEN_TTL_MS,
        };
        let payload = B64.encode(serde_json::to_vec(&claims).expect("plain struct"));
        let sig = self.sign(&payload);
        (format!("v1.{payload}.{sig}"), claims)
    }

    pub fn verify(&self, token: &str, now: u64) -> Result<Claims, Refusal> {
        let mut parts = token.split('.');
        let (Some("v1"), Some(payload), Some(sig), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(Refusal::MalformedToken);
        };
        let sig = B64.decode(sig).map_err(|_| Refusal::MalformedToken)?;
        let mut mac = HmacSha256::new_from_slice(&self.secret).expect("any key length");
        mac.update(payload.as_bytes());
        // Constant-time comparison.
        mac.verify_slice(&sig).map_err(|_| Refusal::BadSignature)?;
        let claims: Claims = B64
            .decode(payload)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or(Refusal::MalformedToken)?;
        if now >= claims.exp {
            return Err(Refusal::Expired);
        }
        Ok(claims)
    }

    /// Whether `presented` (an `Authorization` header value or a bare key) is the host key.
    /// In development mode, anyone is the host.
    pub fn is_host(&self, presented: Option<&str>) -> bool {
        let Some(key) = &self.host_key else {
            return true;
        };
        let Some(p) = presented else { return false };
        same(key, p.strip_prefix("Bearer ").unwrap_or(p).trim())
    }

    /// An event against the token of the session that sent it.
    pub fn check_event(claims: &Claims, e: &Value, now: u64) -> Result<(), Refusal> {
        let s = |k: &str| e.get(k).and_then(Value::as_str);
        if s("room_id") != Some(claims.r.as_str()) {
            return Err(Refusal::WrongRoom);
        }
        if s("session_id") != Some(claims.s.as_str()) {
            return Err(Refusal::WrongSession);
        }
        if s("user_id").unwrap_or_default() != claims.u {
            return Err(Refusal::WrongUser);
        }
        let at = e.get("at").and_then(Value::as_u64).unwrap_or(0);
        if at < claims.iat.saturating_sub(FUTURE_SLACK_MS)
            || at > now + FUTURE_SLACK_MS
            || at >= claims.exp
        {
            return Err(Refusal::OutOfWindow);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tokens_verify_and_refuse_tampering() {
        let auth = Auth::new(Some("s3cret"), Some("host".into())).unwrap();
        let (token, claims) = auth.issue("room", "u-1", "sess", 1_000);
        assert_eq!(auth.verify(&token, 2_000), Ok(claims.clone()));
        assert_eq!(
            auth.verify(&token, 1_000 + TOKEN_TTL_MS),
            Err(Refusal::Expired)
        );
        // Another user put in the payload, the signature kept.
        let (other, _) = auth.issue("room", "u-2", "sess", 1_000);
        let forged = format!(
            "v1.{}.{}",
            other.split('.').nth(1).unwrap(),
            token.split('.').nth(2).unwrap()
        );
        assert_eq!(auth.verify(&forged, 2_000), Err(Refusal::BadSignature));
        assert_eq!(auth.verify("v1.x", 2_000), Err(Refusal::MalformedToken));
        // Another process with another secret does not accept it.
        let stranger = Auth::new(Some("other"), None).unwrap();
        assert_eq!(stranger.verify(&token, 2_000), Err(Refusal::BadSignature));
        let e = |room: &str, session: &str, user: &str, at: u64| json!({"room_id": room, "session_id": session, "user_id": user, "at": at});
        assert_eq!(
            Auth::check_event(&claims, &e("room", "sess", "u-1", 5_000), 5_000),
            Ok(())
        );
        assert_eq!(
            Auth::check_event(&claims, &e("room", "sess", "u-2", 5_000), 5_000),
            Err(Refusal::WrongUser)
        );
        assert_eq!(
            Auth::check_event(&claims, &e("other", "sess", "u-1", 5_000), 5_000),
            Err(Refusal::WrongRoom)
        );
        assert_eq!(
            Auth::check_event(&claims, &e("room", "s2", "u-1", 5_000), 5_000),
            Err(Refusal::WrongSession)
        );
        assert_eq!(
            Auth::check_event(
                &claims,
                &e("room", "sess", "u-1", 5_000 + FUTURE_SLACK_MS + 1),
                5_000
            ),
            Err(Refusal::OutOfWindow)
        );
        assert!(auth.is_host(Some("Bearer host")));
        assert!(!auth.is_host(Some("Bearer hos")));
        assert!(!auth.is_host(None));
        assert!(Auth::new(None, None).unwrap().is_host(None));
    }
}
