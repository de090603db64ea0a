//! Hudong's reference backend: one process that serves the demo sandbox, runs the room hub
//! (WebSocket and SSE), answers the time endpoint, collects events into SQLite, and decides
//! every reward with the same core crate the browser runs.
//!
//!   hudong-backend [--port 8787] [--host 127.0.0.1] [--db .hudong/hudong.db | postgres://…]
//!                  [--site demo-site] [--dist dist] [--stream .hudong/stream]
//!
//! `PORT` and `HUDONG_DB` in the environment work too. See docs/backend.md.
mod analytics;
mod auth;
mod collector;
mod decide;
mod fanout;
mod faults;
mod hub;
mod limits;
mod store;
mod stream;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::{SinkExt, StreamExt};
use hub::{now_ms, valid_room, Hub};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// The Content-Security-Policy the sandbox runs under: the one Hudong documents for hosts,
/// with `media-src blob: data:` for the sandbox's own video player (Media Source Extensions,
/// and the `data:,WEBVTT` source hls.js gives its metadata track).
const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
    img-src 'self' https: data: blob:; media-src 'self' blob: data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'self'";

struct Args {
    redis: Option<String>,
    host_key: Option<String>,
    read_key: Option<String>,
    limits: limits::Config,
    /// Behind a reverse proxy: the viewer's address is the last in `X-Forwarded-For`.
    trust_proxy: bool,
    secret: Option<String>,
    host: String,
    port: u16,
    /// A SQLite file's path or a `postgres://` URL.
    db: String,
    site: PathBuf,
    dist: PathBuf,
    /// `--stream DIR`: make the live HLS test stream there and serve it at `/stream/`.
    stream: Option<PathBuf>,
}

fn args() -> Result<Args, String> {
    let mut a = Args {
        redis: std::env::var("HUDONG_REDIS").ok(),
        host_key: std::env::var("HUDONG_HOST_KEY").ok(),
        read_key: std::env::var("HUDONG_READ_KEY").ok(),
        limits: limits::Config::default(),
        trust_proxy: false,
        secret: std::env::var("HUDONG_SECRET").ok(),
        host: "127.0.0.1".into(),
        port: std::env::var("PORT")
            .ok()
            .and_then(|p| p.parse().ok())
            .unwrap_or(8787),
        db: std::env::var("HUDONG_DB").unwrap_or_else(|_| ".hudong/hudong.db".into()),
        site: "demo-site".into(),
        dist: "dist".into(),
        stream: None,
    };
    if std::env::var("HUDONG_LOG").as_deref() == Ok("requests") {
        LOG_EVERY_REQUEST.store(true, std::sync::atomic::Ordering::Relaxed);
    }
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--host" => a.host = value()?,
            "--port" => {
                a.port = value()?
                    .parse()
                    .map_err(|_| "--port takes a number (0: any free port)".to_string())?
            }
            "--db" => a.db = value()?,
            "--site" => a.site = value()?.into(),
            "--dist" => a.dist = value()?.into(),
            "--stream" => a.stream = Some(value()?.into()),
            "--redis" => a.redis = Some(value()?),
            "--host-key" => a.host_key = Some(value()?),
            "--secret" => a.secret = Some(value()?),
            "--read-key" => a.read_key = Some(value()?),
            "--trust-proxy" => a.trust_proxy = true,
            "--log-requests" => LOG_EVERY_REQUEST.store(true, std::sync::atomic::Ordering::Relaxed),
            "--max-sockets-per-address" => a.limits.sockets_per_address = number(&flag, value()?)?,
            "--max-anonymous-joins" => {
                a.limits.anonymous_joins_per_address = number(&flag, value()?)?
            }
            "--max-rooms" => a.limits.rooms = number(&flag, value()?)?,
            "-h" | "--help" => {
                println!("hudong-backend [--host 127.0.0.1] [--port 8787] [--db .hudong/hudong.db|postgres://USER@HOST/DB] [--site demo-site] [--dist dist] [--redis redis://127.0.0.1:6379] [--host-key KEY] [--read-key KEY] [--secret TEXT] [--trust-proxy] [--log-requests] [--max-sockets-per-address 256] [--max-anonymous-joins 30] [--max-rooms 10000]");
                std::process::exit(0);
            }
            other => return Err(format!("unknown option {other} (try --help)")),
        }
    }
    Ok(a)
}

/// A flag's number.
/// A database URL without its password, for the log.
fn redacted(db: &str) -> String {
    match (db.find("://"), db.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let user = &db[scheme + 3..at];
            let user = user.split(':').next().unwrap_or_default();
            format!("{}{user}@{}", &db[..scheme + 3], &db[at + 1..])
        }
        _ => db.to_owned(),
    }
}

fn number<T: std::str::FromStr>(flag: &str, v: String) -> Result<T, String> {
    v.parse()
        .map_err(|_| format!("{flag} takes a whole number, not {v:?}"))
}

#[tokio::main]
async fn main() {
    let a = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("hudong-backend: {e}");
            std::process::exit(2);
        }
    };
    let store = match store::Store::connect(&a.db) {
        Ok(s) => s,
        Err(e) => {
            eprintln!(
                "hudong-backend: cannot open the database {}: {e}",
                redacted(&a.db)
            );
            std::process::exit(1);
        }
    };
    // One process: the in-process fan-out. Several: Redis pub/sub between them.
    let redis = match &a.redis {
        None => None,
        Some(url) => match fanout::RedisFanout::connect(url) {
            Ok(r) => Some(Arc::new(r)),
            Err(e) => {
                eprintln!("hudong-backend: cannot reach Redis at {url}: {e}");
                std::process::exit(1);
            }
        },
    };
    let fan: Arc<dyn fanout::Fanout> = match &redis {
        Some(r) => r.clone(),
        None => Arc::new(fanout::LocalFanout::default()),
    };
    // The token signing secret: `--secret`, or one made once and kept in the database, so
    // sessions survive a restart and every process on the database signs alike.
    let secret = match &a.secret {
        Some(s) => s.clone(),
        None => {
            let random = || {
                let mut b = [0u8; 32];
                let _ = getrandom::fill(&mut b);
                b.iter().map(|x| format!("{x:02x}")).collect::<String>()
            };
            match store.setting("token_secret", random) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("hudong-backend: cannot keep the token secret in the database: {e}");
                    std::process::exit(1);
                }
            }
        }
    };
    let auth = match auth::Auth::new(Some(&secret), a.host_key.clone()) {
        Ok(x) => x.with_read_key(a.read_key.clone()),
        Err(e) => {
            eprintln!("hudong-backend: {e}");
            std::process::exit(1);
        }
    };
    if auth.open() {
        eprintln!("hudong-backend: development mode (no --host-key): anyone may send host commands and events without a session token");
    }
    let hub = match Hub::new(store, fan, auth, Arc::new(decide::Server)) {
        Ok(mut h) => {
            h.limits = Arc::new(limits::Limits::new(a.limits.clone()));
            Arc::new(h)
        }
        Err(e) => {
            eprintln!("hudong-backend: {e}");
            std::process::exit(1);
        }
    };
    if let Some(r) = &redis {
        let weak = Arc::downgrade(&hub);
        let r2 = r.clone();
        let listening = r.listen(move |room, message| {
            if let Some(hub) = weak.upgrade() {
                if let Some(m) = hub.on_remote(room, &message) {
                    r2.deliver_local(room, m);
                }
            }
        });
        if let Err(e) = listening {
            eprintln!("hudong-backend: cannot subscribe to Redis: {e}");
            std::process::exit(1);
        }
    }
    // Tallies go out a few times a second, not once per vote.
    {
        let hub = hub.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_millis(300));
            loop {
                every.tick().await;
                let hub = hub.clone();
                let _ = tokio::task::spawn_blocking(move || decide::flush_tallies(&hub)).await;
            }
        });
    }
    // Idle rooms leave memory (their log stays in the database).
    {
        let hub = hub.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_secs(30));
            loop {
                every.tick().await;
                let idle = hub.limits.config.idle_room_ms;
                hub.evict_idle(now_ms(), idle);
            }
        });
    }
    // The live test stream (ffmpeg), started from the main thread: it ends with the process.
    let mut stream = match &a.stream {
        None => None,
        Some(dir) => match stream::start(dir, now_ms()) {
            Ok(s) => Some(s),
            Err(e) => {
                eprintln!("hudong-backend: {e}");
                std::process::exit(1);
            }
        },
    };
    let app = router(hub.clone(), &a, stream.as_ref().map(|s| s.started_at_ms));
    let listener = match tokio::net::TcpListener::bind((a.host.as_str(), a.port)).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!(
                "hudong-backend: cannot listen on {}:{}: {e}",
                a.host, a.port
            );
            std::process::exit(1);
        }
    };
    let addr = listener
        .local_addr()
        .map(|x| x.to_string())
        .unwrap_or_default();
    // The first line is machine-readable: tests and `npm start` wait for it.
    println!(
        "hudong-backend listening on http://{addr} (database: {}{})",
        redacted(&a.db),
        a.redis
            .as_deref()
            .map(|r| format!(", fan-out: {r}"))
            .unwrap_or_default()
    );
    if let Err(e) = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown(hub))
    .await
    {
        eprintln!("hudong-backend: {e}");
        std::process::exit(1);
    }
    if let Some(reason) = stream.as_mut().and_then(stream::Stream::exited) {
        eprintln!("hudong-backend: the live test stream had stopped: {reason}");
    }
    drop(stream);
    println!("hudong-backend stopped");
}

async fn shutdown(hub: Arc<Hub>) {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    // End the streams and sockets that would otherwise hold the shutdown open.
    let _ = hub.closing.send(true);
}

/// The HTTP routes; `stream_started_at`: when the live test stream (`--stream`) started.
fn router(hub: Arc<Hub>, a: &Args, stream_started_at: Option<u64>) -> Router {
    let no_store = SetResponseHeaderLayer::overriding(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store"),
    );
    let hub_for_stream = hub.clone();
    let api = Router::new()
        .route("/time", get(|| async { Json(json!({"now": now_ms()})) }))
        // The host console's catalog: an example `*.open` per widget that offers one.
        .route(
            "/widgets",
            get(|| async {
                let examples: Vec<Value> = decide::examples()
                    .into_iter()
                    .filter_map(|e| serde_json::from_str(e).ok())
                    .collect();
                Json(json!({ "examples": examples }))
            }),
        )
        .route(
            "/backend",
            get(move |hub: State<Arc<Hub>>| async move {
                // The live test stream, when this backend makes one: where, and the wall
                // clock its burnt-in clock starts from.
                let stream = stream_started_at.map(|at| json!({"url": format!("/stream/{}", stream::PLAYLIST), "started_at": at}));
                Json(json!({"name": "hudong-backend", "authoritative": true, "host_key_required": !hub.auth.open(), "stream": stream}))
            }),
        )
        .route("/rooms/{id}/join", post(join))
        .route("/rooms/{id}/commands", post(post_command))
        .route("/rooms/{id}/snapshot", get(snapshot))
        .route("/rooms/{id}/presence", get(presence))
        .route("/rooms/{id}/members", post(members))
        .route("/rooms/{id}/decisions", get(decisions))
        .route("/rooms/{id}/follows", post(follows))
        .route("/rooms/{id}/analytics", get(analytics_of))
        .route("/load", post(start_load))
        .route("/rooms/{id}/kick", post(kick))
        .route("/rooms/{id}/ws", get(room_ws))
        .route("/rooms/{id}/events", get(room_sse))
        .merge(collector::routes(a.limits.batch_bytes))
        .layer(axum::Extension(ProxyTrust(a.trust_proxy)))
        .layer(no_store)
        .with_state(hub);
    let csp = SetResponseHeaderLayer::overriding(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    let api = match &a.stream {
        // The playlist changes every segment: never from a cache.
        Some(dir) => api.nest_service(
            "/stream",
            Router::new()
                .route("/stall", post(stream_stall))
                .route("/metadata", post(stream_metadata))
                .route(
                    "/{file}",
                    get({
                        let dir = Arc::new(dir.clone());
                        move |Path(file): Path<String>| stream_file(dir.clone(), file)
                    }),
                )
                .layer(axum::middleware::from_fn(hold_segments))
                .layer(SetResponseHeaderLayer::overriding(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("no-cache"),
                ))
                .with_state(hub_for_stream),
        ),
        None => api,
    };
    api.nest_service("/dist", ServeDir::new(&a.dist))
        .fallback_service(ServeDir::new(&a.site))
        .layer(csp)
        .layer(axum::middleware::from_fn(log_failures))
}

/// `POST /stream/stall {ms}` (a host call): holds the live test stream's segment requests for
/// `ms` (at most 30 s), so a viewer's video stalls as on a slow network.
async fn stream_stall(_: HostCall, body: String) -> Response {
    let body: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    let ms = body.get("ms").and_then(Value::as_u64);
    match ms
        .ok_or_else(|| "ms: a whole number of milliseconds".to_string())
        .and_then(|ms| stream::stall(now_ms(), ms))
    {
        Ok(until) => Json(json!({"ok": true, "until": until})).into_response(),
        Err(message) => (
            StatusCode::BAD_REQUEST,
            Json(json!({"ok": false, "error": {"code": "invalid_field", "message": message}})),
        )
            .into_response(),
    }
}

/// `POST /stream/metadata` (a host call): a command to carry in the live test stream's own
/// timed metadata, at this moment of the stream (`{pts, ...command}`, at most 1 KB), for
/// viewers whose player reads it (`room.attachHls`, `room.attachVideo`). The room's backend
/// does not see it: it travels with the video, as an encoder's metadata does.
async fn stream_metadata(_: HostCall, body: String) -> Response {
    match stream::metadata::add(now_ms(), &body) {
        Ok(text) => Json(json!({"ok": true, "message": serde_json::from_str::<Value>(&text).unwrap_or(Value::Null)})).into_response(),
        Err(e) => (StatusCode::BAD_REQUEST, Json(json!({"ok": false, "error": e}))).into_response(),
    }
}

/// A file of the live test stream: the playlist as ffmpeg writes it, a segment with its
/// timed metadata (see `stream::metadata`).
async fn stream_file(dir: Arc<PathBuf>, file: String) -> Response {
    let plain = !file.starts_with('.')
        && file
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
    let Some(bytes) = plain
        .then_some(())
        .and(tokio::fs::read(dir.join(&file)).await.ok())
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if file.ends_with(".ts") {
        let playlist = tokio::fs::read_to_string(dir.join(stream::PLAYLIST))
            .await
            .unwrap_or_default();
        let body = match stream::metadata::segment_time(&playlist, &file) {
            Some((pdt, ms)) => stream::metadata::with_metadata(
                &bytes,
                pdt,
                &stream::metadata::between(pdt, pdt + ms),
            ),
            None => stream::metadata::with_metadata(&bytes, 0, &[]),
        };
        return ([(header::CONTENT_TYPE, "video/mp2t")], body).into_response();
    }
    let kind = if file.ends_with(".m3u8") {
        "application/vnd.apple.mpegurl"
    } else {
        "application/octet-stream"
    };
    ([(header::CONTENT_TYPE, kind)], bytes).into_response()
}

/// Holds a segment request while a stall is on.
async fn hold_segments(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let wait = stream::held_for(req.uri().path(), now_ms());
    if wait > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(wait)).await;
    }
    next.run(req).await
}

/// `--log-requests` (or `HUDONG_LOG=requests`): a line for every request, not only failures.
static LOG_EVERY_REQUEST: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Logs every answer of 400 or more — and with `--log-requests` every answer — as method,
/// path, status and time taken (never the query, which may carry a key or a token), at most
/// 10 lines a second: a refused host call or a missing page shows in the terminal, a flood
/// does not drown it.
async fn log_failures(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    use std::sync::atomic::{AtomicU64, Ordering};
    static SECOND: AtomicU64 = AtomicU64::new(0);
    static LOGGED: AtomicU64 = AtomicU64::new(0);
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let started = std::time::Instant::now();
    let res = next.run(req).await;
    let status = res.status();
    let every = LOG_EVERY_REQUEST.load(Ordering::Relaxed);
    // Browsers ask every site for an icon; a missing one is not worth a line.
    if (every || status.as_u16() >= 400) && path != "/favicon.ico" {
        let now = now_ms() / 1000;
        if SECOND.swap(now, Ordering::Relaxed) != now {
            let skipped = LOGGED.swap(0, Ordering::Relaxed).saturating_sub(10);
            if skipped > 0 {
                eprintln!("hudong-backend: … and {skipped} more requests not logged");
            }
        }
        if LOGGED.fetch_add(1, Ordering::Relaxed) < 10 {
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            eprintln!("hudong-backend: {method} {path} → {status} ({ms:.1} ms)");
        }
    }
    res
}

/// A refusal with its reason: `{ok: false, error: {code, message}}`.
fn refused(status: StatusCode, r: auth::Refusal) -> Response {
    (
        status,
        Json(json!({"ok": false, "error": {"code": r.code(), "message": r.reason()}})),
    )
        .into_response()
}

/// `Some(403)` unless the request carries the host key (`Authorization: Bearer …`).
fn not_host(hub: &Hub, headers: &HeaderMap) -> Option<Response> {
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    (!hub.auth.is_host(presented)).then(|| refused(StatusCode::FORBIDDEN, auth::Refusal::NotHost))
}

/// Whose addressed messages a command socket gets: the token's viewer (`?token=`); with
/// the host key (`?key=`) or in development mode, `?user=`'s, or everyone's without it;
/// otherwise none.
fn socket_user(
    hub: &Hub,
    room: &str,
    q: &HashMap<String, String>,
) -> Result<Option<String>, auth::Refusal> {
    if let Some(t) = q.get("token") {
        let claims = hub.auth.verify(t, now_ms())?;
        if claims.r != room {
            return Err(auth::Refusal::WrongRoom);
        }
        return Ok(Some(claims.u));
    }
    // The host's own relays (the load tool) name the viewer with the host key.
    let host = hub.auth.open()
        || (q.contains_key("key") && hub.auth.is_host(q.get("key").map(String::as_str)));
    Ok(if host {
        q.get("user").cloned()
    } else {
        Some(String::new())
    })
}

/// The `{id}` of a room's route, checked before the handler runs: a malformed id is
/// refused with `invalid_field`.
struct RoomId(String);

impl<S: Send + Sync> FromRequestParts<S> for RoomId {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let Path(id) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        if valid_room(&id) {
            Ok(RoomId(id))
        } else {
            Err(bad_room())
        }
    }
}

/// Whether `X-Forwarded-For` names the client (`--trust-proxy`).
#[derive(Clone, Copy)]
struct ProxyTrust(bool);

/// The address a request came from: the peer, or behind a trusted proxy the last address
/// it forwarded for.
pub struct ClientIp(pub std::net::IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Response> {
        let trust = parts.extensions.get::<ProxyTrust>().is_some_and(|t| t.0);
        let forwarded = trust
            .then(|| parts.headers.get("x-forwarded-for"))
            .flatten()
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse().ok());
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip());
        Ok(ClientIp(forwarded.or(peer).unwrap_or(
            std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
        )))
    }
}

/// A read of stored data (events, refusals, decisions, analytics, snapshots): the host key
/// or the read key, as `Authorization: Bearer …` or `?key=` (an `EventSource` cannot set
/// headers); anyone in development mode.
pub struct ReadCall;

impl FromRequestParts<Arc<Hub>> for ReadCall {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, hub: &Arc<Hub>) -> Result<Self, Response> {
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        let query = Query::<HashMap<String, String>>::try_from_uri(&parts.uri)
            .ok()
            .and_then(|q| q.0.get("key").cloned());
        if hub.auth.may_read(header) || hub.auth.may_read(query.as_deref()) {
            Ok(ReadCall)
        } else {
            Err(refused(StatusCode::UNAUTHORIZED, auth::Refusal::NotReader))
        }
    }
}

/// A refusal by one of the limits: `429 {ok: false, error: {code, message}}`.
pub fn limited(l: limits::Limit) -> Response {
    (
        StatusCode::TOO_MANY_REQUESTS,
        [(header::RETRY_AFTER, "5")],
        Json(json!({"ok": false, "error": {"code": l.code(), "message": l.reason()}})),
    )
        .into_response()
}

/// A host call: refused without the host key (in development mode, anyone is the host).
struct HostCall;

impl FromRequestParts<Arc<Hub>> for HostCall {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, hub: &Arc<Hub>) -> Result<Self, Response> {
        not_host(hub, &parts.headers).map_or(Ok(HostCall), Err)
    }
}

/// `POST /rooms/{id}/join` `{user_id?, renew?}` → `{token, user_id, session_id, expires_at}`:
/// a viewer's signed session token. Without `user_id` the viewer is anonymous and gets a new
/// id, or keeps the one its earlier token (`renew`) names. A named viewer's token is for the
/// host's own servers to ask for, after their login (the host key); in development mode
/// anyone may.
async fn join(
    State(hub): State<Arc<Hub>>,
    RoomId(id): RoomId,
    ClientIp(address): ClientIp,
    headers: HeaderMap,
    body: String,
) -> Response {
    let body: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    let random = || {
        let mut b = [0u8; 12];
        let _ = getrandom::fill(&mut b);
        b.iter().map(|x| format!("{x:02x}")).collect::<String>()
    };
    let user = match body.get("user_id").and_then(Value::as_str) {
        Some(u) => {
            if let Err(e) = hudong_core::validate::id("user_id", u) {
                return (
                    StatusCode::BAD_REQUEST,
                    Json(json!({"ok": false, "error": e})),
                )
                    .into_response();
            }
            if let Some(r) = not_host(&hub, &headers) {
                return r;
            }
            u.to_owned()
        }
        // An anonymous viewer coming back (a reload, a new tab) presents the token it was
        // given: still valid and for this room, it keeps its id — its standing, points and
        // answers stay its own. Anything else is a new anonymous viewer.
        None => {
            let user = match renewing(&hub, &id, &body) {
                Some(user) => user,
                // Anonymous viewers cost nothing to make: capped per address and per room.
                None => {
                    if let Err(l) = hub.limits.anonymous_join(address, &id, now_ms()) {
                        return limited(l);
                    }
                    format!("anon-{}", random())
                }
            };
            if let Err(l) = hub.admit(&id) {
                return limited(l);
            }
            user
        }
    };
    let session = format!("s-{}", random());
    let (token, claims) = hub.auth.issue(&id, &user, &session, now_ms());
    Json(json!({"ok": true, "token": token, "user_id": user, "session_id": session, "expires_at": claims.exp}))
        .into_response()
}

/// The anonymous viewer a join's `renew` token names: a token this backend signed, not
/// expired, for this room and an anonymous id (a named viewer's token comes from the host's
/// servers, never from a renewal).
fn renewing(hub: &Hub, room: &str, body: &Value) -> Option<String> {
    let token = body.get("renew").and_then(Value::as_str)?;
    let claims = hub.auth.verify(token, now_ms()).ok()?;
    (claims.r == room && claims.u.starts_with("anon-")).then_some(claims.u)
}

/// A 500 with the error's text: the store failed.
pub fn internal(e: impl std::fmt::Display) -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        Json(json!({"ok": false, "error": e.to_string()})),
    )
        .into_response()
}

fn bad_room() -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({"ok": false, "error": {"code": "invalid_field", "message": "room ids are 1–64 of A–Z a–z 0–9 _ - . :"}}))).into_response()
}

async fn post_command(
    State(hub): State<Arc<Hub>>,
    RoomId(id): RoomId,
    _: HostCall,
    body: String,
) -> Response {
    let Ok(message) = serde_json::from_str::<Value>(&body) else {
        return (
            StatusCode::BAD_REQUEST,
            Json(
                json!({"ok": false, "error": {"code": "malformed_command", "message": "not JSON"}}),
            ),
        )
            .into_response();
    };
    match hub.post_host(&id, message) {
        Ok(v) => Json(v).into_response(),
        Err(e) => (
            StatusCode::BAD_REQUEST,
            Json(json!({"ok": false, "error": e})),
        )
            .into_response(),
    }
}

/// `GET /rooms/{id}/snapshot`: the room now. `?tail`: as a viewer's channel gets it, the room
/// a minute ago with the commands since as its tail (the `snapshotUrl` of an SSE viewer).
async fn snapshot(
    State(hub): State<Arc<Hub>>,
    RoomId(id): RoomId,
    Query(q): Query<HashMap<String, String>>,
    _: ReadCall,
) -> Response {
    let known = hub.knows(&id);
    let body = match (known, q.contains_key("tail")) {
        (false, _) => json!({"type": "room.snapshot", "seq": 0, "widgets": []}).to_string(),
        (true, true) => hub.viewer_snapshot(&id),
        (true, false) => hub.snapshot(&id),
    };
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

async fn presence(State(hub): State<Arc<Hub>>, RoomId(id): RoomId) -> Response {
    Json(json!({"online": hub.online_count(&id)})).into_response()
}

/// Sets whether a viewer belongs to the brand's private group (the gate of gated sales):
/// `{user_id, member}`.
async fn members(
    State(hub): State<Arc<Hub>>,
    RoomId(id): RoomId,
    _: HostCall,
    Json(body): Json<HashMap<String, Value>>,
) -> Response {
    viewer_flag(&body, "member", |user, on| {
        hub.store.set_member(&id, user, on)
    })
}

/// Sets whether a viewer follows the host (the condition of follow lotteries):
/// `{user_id, follow}`.
async fn follows(
    State(hub): State<Arc<Hub>>,
    RoomId(id): RoomId,
    _: HostCall,
    Json(body): Json<HashMap<String, Value>>,
) -> Response {
    viewer_flag(&body, "follow", |user, on| {
        hub.store.set_follow(&id, user, on)
    })
}

/// A host call that sets one yes/no fact about a viewer: `{user_id, <field>: bool}`.
fn viewer_flag(
    body: &HashMap<String, Value>,
    field: &str,
    set: impl FnOnce(&str, bool) -> store::Result<()>,
) -> Response {
    let (Some(user), Some(on)) = (
        body.get("user_id").and_then(Value::as_str),
        body.get(field).and_then(Value::as_bool),
    ) else {
        let error = format!("expected {{user_id, {field}}}");
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"ok": false, "error": error})),
        )
            .into_response();
    };
    match set(user, on) {
        Ok(()) => Json(json!({"ok": true})).into_response(),
        Err(e) => internal(e),
    }
}

/// `?window_min=` (attribution window, default 30): the show's figures from stored events.
async fn analytics_of(
    State(hub): State<Arc<Hub>>,
    RoomId(id): RoomId,
    _: ReadCall,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let window = q
        .get("window_min")
        .and_then(|w| w.parse::<u64>().ok())
        .unwrap_or(30)
        .min(24 * 60)
        * 60_000;
    let online = hub.online_count(&id);
    let hub2 = hub.clone();
    match tokio::task::spawn_blocking(move || analytics::compute(&hub2.store, &id, window, online))
        .await
    {
        Ok(Ok(v)) => Json(v).into_response(),
        Ok(Err(e)) => internal(e),
        Err(_) => internal("analytics failed"),
    }
}

/// `?widget=`: the server's decisions in a room, counted by outcome.
async fn decisions(
    State(hub): State<Arc<Hub>>,
    RoomId(id): RoomId,
    _: ReadCall,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    match hub.store.outcomes(&id, q.get("widget").map(String::as_str)) {
        Ok(rows) => Json(rows.into_iter().collect::<HashMap<String, u64>>()).into_response(),
        Err(e) => internal(e),
    }
}

/// `{room, viewers, seconds?}`: starts the simulated-viewer tool (the `hudong-load` binary
/// next to this one) against this backend, for the sandbox's button.
async fn start_load(
    State(hub): State<Arc<Hub>>,
    _: HostCall,
    headers: HeaderMap,
    Json(body): Json<HashMap<String, Value>>,
) -> Response {
    let room = body
        .get("room")
        .and_then(Value::as_str)
        .unwrap_or("demo")
        .to_owned();
    let viewers = body
        .get("viewers")
        .and_then(Value::as_u64)
        .unwrap_or(50)
        .clamp(1, 2_000);
    let seconds = body
        .get("seconds")
        .and_then(Value::as_u64)
        .unwrap_or(60)
        .clamp(5, 600);
    if !valid_room(&room) {
        return bad_room();
    }
    let Some(host) = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned)
    else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"ok": false, "error": "no Host header"})),
        )
            .into_response();
    };
    let tool = std::env::current_exe().ok().and_then(|p| {
        p.parent().map(|d| {
            d.join(if cfg!(windows) {
                "hudong-load.exe"
            } else {
                "hudong-load"
            })
        })
    });
    let Some(tool) = tool.filter(|t| t.exists()) else {
        return (StatusCode::NOT_IMPLEMENTED, Json(json!({"ok": false, "error": "hudong-load is not built next to the backend (cargo build -p hudong-backend)"}))).into_response();
    };
    let spawned = std::process::Command::new(tool)
        .args([
            "--url",
            &format!("http://{host}"),
            "--room",
            &room,
            "--viewers",
            &viewers.to_string(),
            "--seconds",
            &seconds.to_string(),
        ])
        // The tool acts for the host: it posts commands and relays its viewers' events.
        .env("HUDONG_HOST_KEY", hub.auth.host_key().unwrap_or_default())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::inherit())
        .spawn();
    match spawned {
        Ok(mut child) => {
            // Reap it when it ends.
            std::thread::spawn(move || child.wait());
            Json(json!({"ok": true, "room": room, "viewers": viewers, "seconds": seconds}))
                .into_response()
        }
        Err(e) => internal(e),
    }
}

async fn room_ws(
    State(hub): State<Arc<Hub>>,
    RoomId(id): RoomId,
    ClientIp(address): ClientIp,
    Query(q): Query<HashMap<String, String>>,
    ws: WebSocketUpgrade,
) -> Response {
    let user = match socket_user(&hub, &id, &q) {
        Ok(u) => u,
        Err(r) => return refused(StatusCode::UNAUTHORIZED, r),
    };
    // The host's own relays (the simulated-viewer tool) carry many viewers from one
    // address: with the host key they are not counted per address.
    let relay = q
        .get("key")
        .is_some_and(|k| hub.auth.is_host(Some(k.as_str())));
    let slot = match connection(&hub, &id, address, relay) {
        Ok(slot) => slot,
        Err(r) => return *r,
    };
    let max = hub.limits.config.command_message_bytes;
    ws.max_message_size(max)
        .max_frame_size(max)
        .on_upgrade(move |socket| async move {
            viewer(hub, id, user, socket).await;
            drop(slot);
        })
}

/// A viewer connection's place: the room admitted (an existing one, or a new one under the
/// limit of rooms), its fault switch not refusing, and a socket slot for the address.
fn connection(
    hub: &Hub,
    room: &str,
    address: std::net::IpAddr,
    relay: bool,
) -> Result<Option<limits::SocketSlot>, Box<Response>> {
    hub.admit(room).map_err(|l| Box::new(limited(l)))?;
    if hub.link(room).refusing() {
        return Err(Box::new(link_down()));
    }
    if relay {
        return Ok(None);
    }
    hub.limits
        .socket(address)
        .map(Some)
        .map_err(|l| Box::new(limited(l)))
}

/// `POST /rooms/{id}/kick?refuseMs=N` (a host call): drops every viewer connection of the
/// room, as a network drop would, and refuses new ones for N ms: how the sandbox and the
/// tests show reconnects.
async fn kick(
    State(hub): State<Arc<Hub>>,
    RoomId(id): RoomId,
    _: HostCall,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let refuse_ms = q
        .get("refuseMs")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0u64);
    hub.link(&id).drop_all(refuse_ms.min(60_000));
    Json(json!({"ok": true, "refuse_ms": refuse_ms.min(60_000)})).into_response()
}

/// The answer while the room's connections are refused (the fault switch).
fn link_down() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::RETRY_AFTER, "1")],
        Json(json!({"ok": false, "error": "the room refuses connections for now (the fault switch)"})),
    )
        .into_response()
}

/// One viewer's connection: the snapshot, then every message of the room; answers pings
/// and snapshot requests.
async fn viewer(hub: Arc<Hub>, room: String, user: Option<String>, socket: WebSocket) {
    let mut rx = hub.fanout.subscribe(&room);
    let closed = hub.closed();
    tokio::pin!(closed);
    let dropped = hub.link(&room).dropped();
    tokio::pin!(dropped);
    let online = hub.online(&room);
    online.fetch_add(1, Ordering::Relaxed);
    let (mut tx, mut incoming) = socket.split();
    let mut bucket = hub.limits.bucket(now_ms());
    if tx
        .send(Message::Text(hub.viewer_snapshot(&room).into()))
        .await
        .is_ok()
    {
        loop {
            tokio::select! {
                // The fault switch: gone, as a network drop would be.
                _ = &mut dropped => break,
                _ = &mut closed => {
                    let _ = tx.send(Message::Close(None)).await;
                    break;
                }
                msg = rx.recv() => match msg {
                    Ok(m) => {
                        let mine = match (&m.to, &user) { (Some(to), Some(me)) => to == me, _ => true };
                        if mine && tx.send(Message::Text(m.text.as_ref().into())).await.is_err() { break }
                    }
                    // Fell behind: a snapshot catches the viewer up.
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                        if tx.send(Message::Text(hub.viewer_snapshot(&room).into())).await.is_err() { break }
                    }
                    Err(_) => break,
                },
                msg = incoming.next() => match msg {
                    Some(Ok(Message::Text(t))) => {
                        let kind = serde_json::from_str::<Value>(t.as_str()).ok().and_then(|v| v.get("type").and_then(Value::as_str).map(str::to_owned));
                        // A page pings every few seconds and asks for a snapshot after a gap;
                        // a socket sending more is closed with the reason (policy, 1008).
                        let cost = if kind.as_deref() == Some("snapshot.request") { limits::SNAPSHOT_COST } else { 1.0 };
                        if !bucket.take(cost, now_ms()) {
                            let reason = limits::Limit::Rate;
                            let frame = axum::extract::ws::CloseFrame { code: 1008, reason: format!("{}: {}", reason.code(), reason.reason()).into() };
                            let _ = tx.send(Message::Close(Some(frame))).await;
                            // Read what is in flight until the client's close, so the
                            // connection is not reset under the close frame.
                            let _ = tokio::time::timeout(std::time::Duration::from_secs(2), async {
                                while let Some(Ok(m)) = incoming.next().await {
                                    if matches!(m, Message::Close(_)) { break }
                                }
                            }).await;
                            break;
                        }
                        let reply = match kind.as_deref() {
                            Some("ping") => Some(r#"{"type":"pong"}"#.to_string()),
                            Some("snapshot.request") => Some(hub.viewer_snapshot(&room)),
                            _ => None,
                        };
                        if let Some(r) = reply {
                            if tx.send(Message::Text(r.into())).await.is_err() { break }
                        }
                    }
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                    Some(Ok(_)) => {}
                },
            }
        }
    }
    online.fetch_sub(1, Ordering::Relaxed);
}

async fn room_sse(
    State(hub): State<Arc<Hub>>,
    RoomId(id): RoomId,
    ClientIp(address): ClientIp,
    q: Query<HashMap<String, String>>,
) -> Response {
    let user = match socket_user(&hub, &id, &q) {
        Ok(u) => u,
        Err(r) => return refused(StatusCode::UNAUTHORIZED, r),
    };
    let slot = match connection(&hub, &id, address, false) {
        Ok(slot) => Arc::new(slot),
        Err(r) => return *r,
    };
    let link = hub.link(&id);
    let online = hub.online(&id);
    let rx = hub.fanout.subscribe(&id);
    let first = futures_util::stream::once(std::future::ready(hub.viewer_snapshot(&id)));
    let hub2 = hub.clone();
    let room = id.clone();
    let rest = tokio_stream::wrappers::BroadcastStream::new(rx).filter_map(move |m| {
        // The stream holds its address's slot and the room while it is open.
        let _held = (&slot, &online);
        let text = match m {
            Ok(m) => match (&m.to, &user) {
                (Some(to), Some(me)) if to != me => None,
                _ => Some(m.text.to_string()),
            },
            // Fell behind: a snapshot catches the viewer up, as on the WebSocket.
            Err(_) => Some(hub2.viewer_snapshot(&room)),
        };
        std::future::ready(text)
    });
    let stream = first
        .chain(rest)
        .map(|text| Ok::<_, std::convert::Infallible>(SseEvent::default().data(text)))
        .take_until(futures_util::future::select(
            Box::pin(hub.closed()),
            Box::pin(link.dropped()),
        ));
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}
