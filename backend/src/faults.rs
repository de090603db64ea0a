//! Fault injection for the event collector: what the sandbox's switches and the delivery
//! tests turn on (`POST /collect/faults`, a host call), and the counters that show what
//! the senders went through (`GET /collect/stats`).
//!
//! - `down`: every batch is refused with 503 and `Retry-After: 1`, sockets are closed;
//! - `delay_ms`: every batch is taken this late (at most 30 s);
//! - `fail_rate` (0–1): that share of HTTP batches fails with 500 or 503, with
//!   `Retry-After: retry_after_s` when it is set;
//! - `status` (400–599): every HTTP batch is answered with it (a collector that refuses);
//! - `ws_drop_rate` (0–1): that share of WebSocket batches is stored, then the socket is
//!   cut before the ack, so the sender must send it again.
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rand::Rng;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// The faults on now.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Faults {
    pub down: bool,
    pub delay_ms: u64,
    pub fail_rate: f64,
    pub retry_after_s: Option<u64>,
    pub status: Option<u16>,
    pub ws_drop_rate: f64,
}

/// A change of faults: what it names changes, the rest stays (`null` clears the optional
/// ones).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    down: Option<bool>,
    delay_ms: Option<u64>,
    fail_rate: Option<f64>,
    #[serde(default, deserialize_with = "present")]
    retry_after_s: Option<Option<u64>>,
    #[serde(default, deserialize_with = "present")]
    status: Option<Option<u16>>,
    ws_drop_rate: Option<f64>,
}

/// A field that is there, even as `null`.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

static FAULTS: Mutex<Faults> = Mutex::new(Faults {
    down: false,
    delay_ms: 0,
    fail_rate: 0.0,
    retry_after_s: None,
    status: None,
    ws_drop_rate: 0.0,
});

/// Event copies in the batches taken (a resent event counts again), batches that came as
/// beacons (not `application/json`), events the senders said they dropped, batches whose
/// socket was cut before the ack, and batches a fault refused.
static RECEIVED: AtomicU64 = AtomicU64::new(0);
static BEACONS: AtomicU64 = AtomicU64::new(0);
static DROPPED_REPORTED: AtomicU64 = AtomicU64::new(0);
static WS_DROPPED: AtomicU64 = AtomicU64::new(0);
static INJECTED: AtomicU64 = AtomicU64::new(0);

fn faults() -> std::sync::MutexGuard<'static, Faults> {
    FAULTS.lock().unwrap_or_else(|p| p.into_inner())
}

/// The faults on now.
pub fn current() -> Faults {
    faults().clone()
}

/// Applies a change, or says what is wrong with it (nothing changes then).
pub fn apply(change: Change) -> Result<Faults, String> {
    let rate = |r: Option<f64>, name: &str| match r {
        Some(r) if !(0.0..=1.0).contains(&r) => Err(format!("{name} must be between 0 and 1")),
        _ => Ok(()),
    };
    rate(change.fail_rate, "fail_rate")?;
    rate(change.ws_drop_rate, "ws_drop_rate")?;
    if let Some(Some(s)) = change.status {
        if !(400..=599).contains(&s) {
            return Err("status must be an HTTP error status (400–599)".into());
        }
    }
    let mut f = faults();
    if let Some(down) = change.down {
        f.down = down;
    }
    if let Some(ms) = change.delay_ms {
        f.delay_ms = ms.min(30_000);
    }
    if let Some(r) = change.fail_rate {
        f.fail_rate = r;
    }
    if let Some(r) = change.retry_after_s {
        f.retry_after_s = r;
    }
    if let Some(s) = change.status {
        f.status = s;
    }
    if let Some(r) = change.ws_drop_rate {
        f.ws_drop_rate = r;
    }
    Ok(f.clone())
}

pub fn is_down() -> bool {
    faults().down
}

/// Waits out the injected delay, when there is one.
pub async fn delay() {
    let ms = faults().delay_ms;
    if ms > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
    }
}

/// The answer to an HTTP batch the faults refuse (a set status, or a failure drawn at the
/// failure rate), if they do.
pub fn refuse_http() -> Option<Response> {
    let f = current();
    let (status, retry_after) = if let Some(s) = f.status {
        (
            StatusCode::from_u16(s).unwrap_or(StatusCode::BAD_REQUEST),
            None,
        )
    } else if f.fail_rate > 0.0 && rand::rng().random_bool(f.fail_rate) {
        let s = if rand::rng().random_bool(0.5) {
            StatusCode::INTERNAL_SERVER_ERROR
        } else {
            StatusCode::SERVICE_UNAVAILABLE
        };
        (s, f.retry_after_s)
    } else {
        return None;
    };
    INJECTED.fetch_add(1, Ordering::Relaxed);
    let body = Json(json!({"error": format!("injected HTTP {}", status.as_u16())}));
    Some(match retry_after {
        Some(s) => (status, [(header::RETRY_AFTER, s.to_string())], body).into_response(),
        None => (status, body).into_response(),
    })
}

/// Whether to cut the socket of a batch just stored, before its ack (at the drop rate).
pub fn cut_socket() -> bool {
    let rate = faults().ws_drop_rate;
    let cut = rate > 0.0 && rand::rng().random_bool(rate);
    if cut {
        WS_DROPPED.fetch_add(1, Ordering::Relaxed);
    }
    cut
}

/// Counts a batch taken: its event copies, whether it came as a beacon, and the events its
/// sender reports having dropped (`dropped`).
pub fn count_batch(body: &Value, copies: usize, beacon: bool) {
    RECEIVED.fetch_add(copies as u64, Ordering::Relaxed);
    if beacon {
        BEACONS.fetch_add(1, Ordering::Relaxed);
    }
    let dropped = body.get("dropped").and_then(Value::as_u64).unwrap_or(0);
    DROPPED_REPORTED.fetch_add(dropped, Ordering::Relaxed);
}

/// A batch the collector is down for.
pub fn count_refused() {
    INJECTED.fetch_add(1, Ordering::Relaxed);
}

/// The counters and the faults on now, for `GET /collect/stats`.
pub fn stats() -> Value {
    json!({
        "received": RECEIVED.load(Ordering::Relaxed),
        "beacons": BEACONS.load(Ordering::Relaxed),
        "dropped_reported": DROPPED_REPORTED.load(Ordering::Relaxed),
        "ws_dropped": WS_DROPPED.load(Ordering::Relaxed),
        "injected": INJECTED.load(Ordering::Relaxed),
        "faults": current(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(json: &str) -> Result<Faults, String> {
        serde_json::from_str::<Change>(json)
            .map_err(|e| e.to_string())
            .and_then(apply)
    }

    #[test]
    fn bad_changes_are_refused_with_the_reason_and_change_nothing() {
        let before = serde_json::to_value(current()).unwrap();
        for (body, why) in [
            (r#"{"fail_rate": 1.5}"#, "fail_rate must be between 0 and 1"),
            (
                r#"{"ws_drop_rate": -0.1}"#,
                "ws_drop_rate must be between 0 and 1",
            ),
            (r#"{"status": 200}"#, "status must be an HTTP error status"),
            (r#"{"down": true, "status": 302}"#, "status must be"),
            (r#"{"failRate": 0.3}"#, "unknown field `failRate`"),
            (r#"{"delay_ms": -5}"#, "invalid value"),
        ] {
            let err = change(body).unwrap_err();
            assert!(err.contains(why), "{body}: {err}");
        }
        assert_eq!(serde_json::to_value(current()).unwrap(), before);
    }

    #[test]
    fn a_null_clears_an_optional_fault_and_a_missing_field_keeps_it() {
        let c: Change = serde_json::from_str(r#"{"status": null}"#).unwrap();
        assert_eq!(c.status, Some(None));
        assert_eq!(c.retry_after_s, None);
        assert_eq!(c.down, None);
    }
}
