//! The event collector: Hudong batches and Segment-spec batches over HTTP (fetch or
//! sendBeacon) and WebSocket (acknowledged per batch), stored in SQLite once per
//! `event_id`. A newly stored reward request is decided on the spot.
use crate::auth::{Auth, Claims, Refusal};
use crate::decide;
use crate::faults;
use crate::hub::{now_ms, Hub};
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::StreamExt;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

static DUPLICATES: AtomicU64 = AtomicU64::new(0);
static BATCHES: AtomicU64 = AtomicU64::new(0);
static REFUSED: AtomicU64 = AtomicU64::new(0);
static REFUSED_EVENTS: AtomicU64 = AtomicU64::new(0);
/// `batch_bytes`: the largest batch taken (an HTTP body, a WebSocket message).
pub fn routes(batch_bytes: usize) -> Router<Arc<Hub>> {
    Router::new()
        .route(
            "/collect",
            post(collect).layer(axum::extract::DefaultBodyLimit::max(batch_bytes)),
        )
        .route("/collect/ws", get(collect_ws))
        .route("/collect/stats", get(stats))
        .route("/collect/events", get(events))
        .route("/collect/rejected", get(rejected))
        .route("/collect/stream", get(stream))
        .route("/collect/faults", post(faults))
}

/// `POST /collect/faults` (the host key, or development mode): turns faults on and off
/// ([`crate::faults`]: `down`, `delay_ms`, `fail_rate`, `retry_after_s`, `status`,
/// `ws_drop_rate`); a field left out stays as it was. Answers the faults now on.
async fn faults(State(hub): State<Arc<Hub>>, headers: HeaderMap, body: String) -> Response {
    let credential = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    match sender(&hub, credential) {
        Ok(Sender::Trusted) => {}
        Ok(Sender::Viewer(_)) => return unauthorized(Refusal::NotHost),
        Err(r) => return unauthorized(r),
    }
    let change = serde_json::from_str::<faults::Change>(&body).map_err(|e| e.to_string());
    match change.and_then(faults::apply) {
        Ok(now) => Json(now).into_response(),
        Err(e) => (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": format!("faults: {e}")})),
        )
            .into_response(),
    }
}

/// The answer while the collector is down.
fn down() -> Response {
    REFUSED.fetch_add(1, Ordering::Relaxed);
    faults::count_refused();
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::RETRY_AFTER, "1")],
        Json(json!({"error": "the collector is down (a fault switched on)"})),
    )
        .into_response()
}

/// The events of a batch body, each as the Hudong envelope: `{events: [...]}` (Hudong) or
/// `{batch: [{type: "track", messageId, properties: envelope}]}` (Segment).
pub fn events_of(body: &Value) -> Option<Vec<Value>> {
    if let Some(list) = body.get("events").and_then(Value::as_array) {
        return Some(list.clone());
    }
    let list = body.get("batch").and_then(Value::as_array)?;
    Some(
        list.iter()
            .map(|e| {
                let mut env = e.get("properties").cloned().unwrap_or(Value::Null);
                if let (Value::Object(m), Some(id)) = (&mut env, e.get("messageId")) {
                    m.entry("event_id").or_insert_with(|| id.clone());
                }
                env
            })
            .filter(|e| e.get("event_id").and_then(Value::as_str).is_some())
            .collect(),
    )
}

/// Who sent a batch, as its credentials say.
pub enum Sender {
    /// A viewer's page, with its session token.
    Viewer(Claims),
    /// The host's own servers (the host key), or anyone in development mode.
    Trusted,
}

/// The sender of a batch from its credentials: a viewer token (`Authorization: Bearer` or
/// `?token=`), or the host key. Without either, only development mode takes the batch.
pub fn sender(hub: &Hub, credential: Option<&str>) -> Result<Sender, Refusal> {
    let token = credential.map(|c| c.strip_prefix("Bearer ").unwrap_or(c).trim());
    match token {
        Some(t) if t.starts_with("v1.") => hub.auth.verify(t, now_ms()).map(Sender::Viewer),
        Some(_) if hub.auth.is_host(credential) => Ok(Sender::Trusted),
        Some(_) => Err(Refusal::BadSignature),
        None if hub.auth.open() => Ok(Sender::Trusted),
        None => Err(Refusal::NoToken),
    }
}

/// Stores a batch and decides the reward requests that are new. A viewer's events that do
/// not match their token (another viewer, room or session, a time outside the session) are
/// refused one by one with the reason, recorded, and never decided on.
pub fn ingest(
    hub: &Hub,
    body: &Value,
    from: &Sender,
) -> Result<(usize, usize, Vec<Value>), (StatusCode, String)> {
    let events = events_of(body).ok_or((StatusCode::BAD_REQUEST, "no events array".into()))?;
    let now = now_ms();
    let mut refused = Vec::new();
    // An event larger than the limit is refused with the reason (and not stored whole).
    let max = hub.limits.config.event_bytes;
    let events: Vec<Value> = events
        .into_iter()
        .filter(|e| {
            let size = e.to_string().len();
            if size <= max {
                return true;
            }
            let (code, reason) = (
                crate::limits::Limit::TooLarge.code(),
                format!("an event of {size} bytes: at most {max}"),
            );
            let _ = hub.store.reject(e, code, &reason, now);
            refused.push(json!({"event_id": e.get("event_id"), "code": code, "reason": reason}));
            false
        })
        .collect();
    let events: Vec<Value> = match from {
        Sender::Trusted => events,
        Sender::Viewer(claims) => events
            .into_iter()
            .filter(|e| match Auth::check_event(claims, e, now) {
                Ok(()) => true,
                Err(r) => {
                    let _ = hub.store.reject(e, r.code(), r.reason(), now);
                    refused.push(json!({"event_id": e.get("event_id"), "code": r.code(), "reason": r.reason()}));
                    false
                }
            })
            .collect(),
    };
    if !refused.is_empty() {
        REFUSED_EVENTS.fetch_add(refused.len() as u64, Ordering::Relaxed);
    }
    let stored = hub
        .store
        .insert_events(&events, now)
        .map_err(|e| (StatusCode::SERVICE_UNAVAILABLE, e.to_string()))?;
    BATCHES.fetch_add(1, Ordering::Relaxed);
    DUPLICATES.fetch_add(stored.duplicates as u64, Ordering::Relaxed);
    for (e, fresh) in events.iter().zip(&stored.fresh) {
        if *fresh {
            let _ = hub.collected.send(Arc::from(e.to_string()));
            // Reward requests beyond the rate a viewer's page can make (one in flight per
            // widget, a retry after each answer) are a script's: stored as sent, refused
            // with the reason, never decided.
            if within_rate(e, now) {
                decide::on_event(hub, e);
            } else {
                let (code, reason) = (
                    "rate_limited",
                    "too many requests from this session for this widget: at most 10 a minute",
                );
                let _ = hub.store.reject(e, code, reason, now);
                REFUSED_EVENTS.fetch_add(1, Ordering::Relaxed);
                refused
                    .push(json!({"event_id": e.get("event_id"), "code": code, "reason": reason}));
            }
        }
    }
    Ok((stored.new, stored.duplicates, refused))
}

/// Reward requests one session may make of one widget in a minute.
const REQUESTS_PER_MINUTE: u32 = 10;

/// Per (session, widget): the start of the current minute and the requests in it.
type Windows = HashMap<(String, String), (u64, u32)>;
static WINDOWS: std::sync::LazyLock<std::sync::Mutex<Windows>> =
    std::sync::LazyLock::new(Default::default);

/// Whether a newly stored event is within the request rate (events that are not reward
/// requests always are). Only new events count: a resent batch is not a new request.
fn within_rate(e: &Value, now: u64) -> bool {
    let s = |k: &str| e.get(k).and_then(Value::as_str).unwrap_or_default();
    // Reward requests (the events a viewer then waits on), and upvotes.
    let kind = s("type");
    if kind != "question.upvote" && !hudong_core::Event::request_types().any(|t| t == kind) {
        return true;
    }
    let mut windows = WINDOWS.lock().unwrap_or_else(|p| p.into_inner());
    if windows.len() > 100_000 {
        windows.retain(|_, (start, _)| now.saturating_sub(*start) < 60_000);
    }
    let entry = windows
        .entry((s("session_id").to_owned(), s("widget_id").to_owned()))
        .or_insert((now, 0));
    if now.saturating_sub(entry.0) >= 60_000 {
        *entry = (now, 0);
    }
    entry.1 += 1;
    entry.1 <= REQUESTS_PER_MINUTE
}

fn unauthorized(r: Refusal) -> Response {
    REFUSED.fetch_add(1, Ordering::Relaxed);
    (
        StatusCode::UNAUTHORIZED,
        Json(json!({"error": r.reason(), "code": r.code()})),
    )
        .into_response()
}

async fn collect(State(hub): State<Arc<Hub>>, headers: HeaderMap, body: String) -> Response {
    if faults::is_down() {
        return down();
    }
    let credential = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let from = match sender(&hub, credential) {
        Ok(f) => f,
        Err(r) => return unauthorized(r),
    };
    let Ok(value) = serde_json::from_str::<Value>(&body) else {
        REFUSED.fetch_add(1, Ordering::Relaxed);
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "body is not JSON"})),
        )
            .into_response();
    };
    faults::delay().await;
    if let Some(refused) = faults::refuse_http() {
        REFUSED.fetch_add(1, Ordering::Relaxed);
        return refused;
    }
    // sendBeacon posts text/plain: a page being closed.
    let beacon = !headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/json"));
    let hub2 = hub.clone();
    match tokio::task::spawn_blocking(move || {
        let out = ingest(&hub2, &value, &from);
        if let Ok((stored, duplicates, _)) = &out {
            faults::count_batch(&value, stored + duplicates, beacon);
        }
        out
    })
    .await
    {
        Ok(Ok((stored, duplicates, refused))) => Json(
            json!({"ok": true, "stored": stored, "duplicates": duplicates, "refused": refused}),
        )
        .into_response(),
        Ok(Err((status, message))) => {
            REFUSED.fetch_add(1, Ordering::Relaxed);
            (status, Json(json!({"error": message}))).into_response()
        }
        Err(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({"error": "ingest failed"})),
        )
            .into_response(),
    }
}

/// `?token=`: a viewer's session token (a browser cannot set headers on a WebSocket), or the
/// host key for the host's own relays.
async fn collect_ws(
    State(hub): State<Arc<Hub>>,
    crate::ClientIp(address): crate::ClientIp,
    Query(q): Query<HashMap<String, String>>,
    ws: WebSocketUpgrade,
) -> Response {
    if faults::is_down() {
        return down();
    }
    let from = match sender(&hub, q.get("token").map(String::as_str)) {
        Ok(f) => f,
        Err(r) => return unauthorized(r),
    };
    let slot = match hub.limits.socket(address) {
        Ok(s) => s,
        Err(l) => return crate::limited(l),
    };
    let max = hub.limits.config.batch_bytes;
    ws.max_message_size(max)
        .max_frame_size(max)
        .on_upgrade(move |socket| async move {
            collect_socket(hub, socket, from).await;
            drop(slot);
        })
}

async fn collect_socket(hub: Arc<Hub>, mut socket: WebSocket, from: Sender) {
    let from = Arc::new(from);
    let closed = hub.closed();
    tokio::pin!(closed);
    loop {
        let msg = tokio::select! {
            _ = &mut closed => break,
            m = socket.recv() => match m { Some(Ok(m)) => m, _ => break },
        };
        let Message::Text(text) = msg else { continue };
        let Ok(body) = serde_json::from_str::<Value>(text.as_str()) else {
            continue;
        };
        if faults::is_down() {
            faults::count_refused();
            break;
        }
        let id = body.get("batch_id").cloned().unwrap_or(Value::Null);
        faults::delay().await;
        let hub2 = hub.clone();
        let from2 = from.clone();
        let reply = match tokio::task::spawn_blocking(move || {
            let out = ingest(&hub2, &body, &from2);
            if let Ok((stored, duplicates, _)) = &out {
                faults::count_batch(&body, stored + duplicates, false);
            }
            out
        })
        .await
        {
            // Stored, but the socket is cut before the ack: the sender must send it again.
            Ok(Ok(_)) if faults::cut_socket() => break,
            Ok(Ok(_)) => json!({"ack": id}),
            Ok(Err((status, _))) if status == StatusCode::BAD_REQUEST => {
                json!({"nack": id, "status": 400})
            }
            _ => json!({"nack": id, "status": 503}),
        };
        if socket
            .send(Message::Text(reply.to_string().into()))
            .await
            .is_err()
        {
            break;
        }
    }
}

async fn stats(State(hub): State<Arc<Hub>>, _: crate::ReadCall) -> Response {
    let unique = hub.store.count_events(None, None).unwrap_or(0);
    let mut out = json!({
        "unique": unique,
        "duplicates": DUPLICATES.load(Ordering::Relaxed),
        "batches": BATCHES.load(Ordering::Relaxed),
        "failed": REFUSED.load(Ordering::Relaxed),
        "refused_events": REFUSED_EVENTS.load(Ordering::Relaxed),
    });
    if let (Value::Object(o), Value::Object(f)) = (&mut out, faults::stats()) {
        o.extend(f);
    }
    Json(out).into_response()
}

/// `?room=&type=&limit=`: stored events, oldest first (`type` a type or, ending in `.`, a
/// family). `?last=N` instead: the newest N, oldest first (what the inspector shows on opening).
async fn events(
    State(hub): State<Arc<Hub>>,
    _: crate::ReadCall,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let number = |k: &str| q.get(k).and_then(|l| l.parse::<u32>().ok());
    let (limit, newest) = match number("last") {
        Some(n) => (n, true),
        None => (number("limit").unwrap_or(1000), false),
    };
    let nonempty = |k: &str| q.get(k).map(String::as_str).filter(|v| !v.is_empty());
    match hub.store.events(
        nonempty("room"),
        nonempty("type"),
        limit.min(10_000),
        newest,
    ) {
        Ok(list) => Json(list).into_response(),
        Err(e) => crate::internal(e),
    }
}

/// `?room=&limit=`: actions the server refused, newest first, with the reason.
async fn rejected(
    State(hub): State<Arc<Hub>>,
    _: crate::ReadCall,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let limit = q
        .get("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(100)
        .min(10_000);
    match hub
        .store
        .rejections(q.get("room").map(String::as_str), limit)
    {
        Ok(list) => Json(list).into_response(),
        Err(e) => crate::internal(e),
    }
}

/// `?room=&type=`: Server-Sent Events, one per newly stored event (`type` matches a type or,
/// ending in `.`, a family such as `flash.`).
async fn stream(
    State(hub): State<Arc<Hub>>,
    _: crate::ReadCall,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let room = q.get("room").cloned().filter(|r| !r.is_empty());
    let kind = q.get("type").cloned().filter(|t| !t.is_empty());
    let rx = hub.collected.subscribe();
    let events = tokio_stream::wrappers::BroadcastStream::new(rx).filter_map(move |m| {
        let keep = m.ok().filter(|text| {
            let v: Value = serde_json::from_str(text).unwrap_or_default();
            let t = v.get("type").and_then(Value::as_str).unwrap_or("");
            room.as_deref()
                .is_none_or(|r| v.get("room_id").and_then(Value::as_str) == Some(r))
                && kind.as_deref().is_none_or(|k| {
                    if k.ends_with('.') {
                        t.starts_with(k)
                    } else {
                        t == k
                    }
                })
        });
        std::future::ready(keep.map(|text| {
            Ok::<_, std::convert::Infallible>(SseEvent::default().data(text.to_string()))
        }))
    });
    Sse::new(events.take_until(hub.closed()))
        .keep_alive(KeepAlive::default())
        .into_response()
}
