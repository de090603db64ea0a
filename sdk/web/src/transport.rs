//! The built-in transports: HTTP batches (`fetch` with `keepalive`, `sendBeacon` on page
//! hide), a WebSocket with acknowledgements, a host JavaScript function, and the console.
//! Each starts a send and reports its [`Outcome`] through a settle callback, always from a
//! later task (never re-entrantly).
use gloo::timers::callback::Timeout;
use hudong_core::delivery::{Outcome, Transport};
use js_sys::{Function, Promise, Reflect, JSON};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{Headers, MessageEvent, RequestInit, Response, WebSocket};

/// Reports how a batch went: `(batch_id, outcome)`.
pub type Settle = Rc<dyn Fn(u64, Outcome)>;

/// Longest body sent with `keepalive` (browsers refuse more than 64 KB in flight).
const KEEPALIVE_MAX: usize = 60 * 1024;
/// How long a WebSocket send waits for its acknowledgement.
const WS_ACK_TIMEOUT_MS: u32 = 15_000;

/// `Retry-After` as seconds or an HTTP date, in milliseconds from now.
pub fn parse_retry_after(value: &str, now_ms: f64) -> Option<u64> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(secs.saturating_mul(1000));
    }
    let at = js_sys::Date::parse(v);
    at.is_finite().then(|| (at - now_ms).max(0.0) as u64)
}

/// POSTs each batch as JSON; on page hide, beacons (`text/plain`, no preflight).
pub struct HttpTransport {
    url: String,
    beacon_url: String,
    headers: Vec<(String, String)>,
    settle: Settle,
}

impl HttpTransport {
    pub fn new(
        url: String,
        beacon_url: Option<String>,
        headers: Vec<(String, String)>,
        settle: Settle,
    ) -> Self {
        let beacon_url = beacon_url.unwrap_or_else(|| url.clone());
        HttpTransport {
            url,
            beacon_url,
            headers,
            settle,
        }
    }
}

impl Transport for HttpTransport {
    fn send(&mut self, batch_id: u64, body: String) {
        let settle = self.settle.clone();
        let init = RequestInit::new();
        init.set_method("POST");
        // web-sys has no setter for `keepalive`: set the dictionary member directly.
        let _ = Reflect::set(
            &init,
            &"keepalive".into(),
            &(body.len() <= KEEPALIVE_MAX).into(),
        );
        if let Ok(h) = Headers::new() {
            let _ = h.set("content-type", "application/json");
            for (k, v) in &self.headers {
                let _ = h.set(k, v);
            }
            init.set_headers(&h);
        }
        init.set_body(&JsValue::from_str(&body));
        let request = web_sys::window().map(|w| w.fetch_with_str_and_init(&self.url, &init));
        spawn_local(async move {
            let outcome = match request {
                Some(p) => match JsFuture::from(p).await {
                    Ok(resp) => {
                        let resp: Response = resp.unchecked_into();
                        let retry_after = resp
                            .headers()
                            .get("retry-after")
                            .ok()
                            .flatten()
                            .and_then(|v| parse_retry_after(&v, js_sys::Date::now()));
                        Outcome::Status {
                            status: resp.status(),
                            retry_after_ms: retry_after,
                        }
                    }
                    Err(_) => Outcome::Unreachable,
                },
                None => Outcome::Unreachable,
            };
            settle(batch_id, outcome);
        });
    }

    fn send_on_unload(&mut self, body: &str) -> bool {
        web_sys::window()
            .and_then(|w| {
                w.navigator()
                    .send_beacon_with_opt_str(&self.beacon_url, Some(body))
                    .ok()
            })
            .unwrap_or(false)
    }
}

/// Sends each batch as a text frame and waits for `{"ack": batch_id}` (or
/// `{"nack": batch_id, "status": 400}`). Reconnects on the next send after a drop; a drop
/// or a missing ack within 15 s makes the batch retry.
pub struct WebSocketTransport {
    url: String,
    shared: Rc<WsShared>,
}

struct WsShared {
    socket: RefCell<Option<WebSocket>>,
    /// The batch awaiting its ack, and its body while the socket connects.
    pending: Cell<Option<u64>>,
    outbox_body: RefCell<Option<String>>,
    ack_timer: RefCell<Option<Timeout>>,
    settle: Settle,
    handlers: RefCell<Vec<Closure<dyn FnMut(JsValue)>>>,
}

impl WsShared {
    fn resolve(&self, id: u64, outcome: Outcome) {
        if self.pending.get() == Some(id) {
            self.pending.set(None);
            self.outbox_body.borrow_mut().take();
            self.ack_timer.borrow_mut().take();
            let settle = self.settle.clone();
            spawn_local(async move { settle(id, outcome) });
        }
    }

    fn drop_socket(&self) {
        if let Some(ws) = self.socket.borrow_mut().take() {
            ws.set_onopen(None);
            ws.set_onmessage(None);
            ws.set_onclose(None);
            ws.set_onerror(None);
            let _ = ws.close();
        }
        // A handler may be running right now (onclose): drop them on a later turn.
        let old: Vec<Closure<dyn FnMut(JsValue)>> = self.handlers.take();
        if !old.is_empty() {
            spawn_local(async move { drop(old) });
        }
        if let Some(id) = self.pending.get() {
            self.resolve(id, Outcome::Unreachable);
        }
    }
}

impl WebSocketTransport {
    pub fn new(url: String, settle: Settle) -> Self {
        let shared = Rc::new(WsShared {
            socket: RefCell::new(None),
            pending: Cell::new(None),
            outbox_body: RefCell::new(None),
            ack_timer: RefCell::new(None),
            settle,
            handlers: RefCell::new(Vec::new()),
        });
        WebSocketTransport { url, shared }
    }

    fn connect(&self) -> Option<WebSocket> {
        let ws = WebSocket::new(&self.url).ok()?;
        let weak = Rc::downgrade(&self.shared);
        let on_open = Closure::<dyn FnMut(JsValue)>::new(move |_| {
            if let Some(s) = weak.upgrade() {
                let body = s.outbox_body.borrow().clone();
                if let (Some(body), Some(ws)) = (body, s.socket.borrow().as_ref()) {
                    let _ = ws.send_with_str(&body);
                }
            }
        });
        let weak = Rc::downgrade(&self.shared);
        let on_message = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
            let Some(s) = weak.upgrade() else { return };
            let Some(text) = e.unchecked_into::<MessageEvent>().data().as_string() else {
                return;
            };
            let Ok(msg) = JSON::parse(&text) else { return };
            let num = |k: &str| Reflect::get(&msg, &k.into()).ok().and_then(|v| v.as_f64());
            if let Some(id) = num("ack") {
                s.resolve(id as u64, Outcome::Delivered);
            } else if let Some(id) = num("nack") {
                let status = num("status").unwrap_or(500.0) as u16;
                let retry_after_ms = num("retry_after_ms").map(|v| v as u64);
                s.resolve(
                    id as u64,
                    Outcome::Status {
                        status,
                        retry_after_ms,
                    },
                );
            }
        });
        let weak = Rc::downgrade(&self.shared);
        let on_close = Closure::<dyn FnMut(JsValue)>::new(move |_| {
            if let Some(s) = weak.upgrade() {
                s.drop_socket();
            }
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        ws.set_onerror(Some(on_close.as_ref().unchecked_ref()));
        self.shared
            .handlers
            .replace(vec![on_open, on_message, on_close]);
        Some(ws)
    }
}

impl Transport for WebSocketTransport {
    fn send(&mut self, batch_id: u64, body: String) {
        let s = &self.shared;
        s.pending.set(Some(batch_id));
        *s.outbox_body.borrow_mut() = Some(body.clone());
        let state = s.socket.borrow().as_ref().map(|w| w.ready_state());
        match state {
            Some(WebSocket::OPEN) => {
                let sent = s
                    .socket
                    .borrow()
                    .as_ref()
                    .map(|w| w.send_with_str(&body).is_ok());
                if sent != Some(true) {
                    s.drop_socket();
                    return;
                }
            }
            Some(WebSocket::CONNECTING) => {} // sent by onopen
            _ => {
                s.drop_socket_keep_pending();
                match self.connect() {
                    Some(ws) => *s.socket.borrow_mut() = Some(ws),
                    None => {
                        s.resolve(batch_id, Outcome::Unreachable);
                        return;
                    }
                }
            }
        }
        let weak = Rc::downgrade(s);
        *s.ack_timer.borrow_mut() = Some(Timeout::new(WS_ACK_TIMEOUT_MS, move || {
            // Not from inside the timer's own callback: dropping the socket drops the timer.
            spawn_local(async move {
                if let Some(s) = weak.upgrade() {
                    s.drop_socket();
                }
            });
        }));
    }

    fn close(&mut self) {
        self.shared.drop_socket();
    }
}

impl WsShared {
    /// Discards a dead socket without failing the batch that is about to use a new one.
    fn drop_socket_keep_pending(&self) {
        let pending = self.pending.take();
        self.drop_socket();
        self.pending.set(pending);
    }
}

/// Calls a host function with each batch body; its promise resolving means delivered. A
/// rejection with a numeric `status` is treated as that HTTP status; any other rejection as
/// a network failure (retried).
pub struct FunctionTransport {
    f: Function,
    settle: Settle,
}

impl FunctionTransport {
    pub fn new(f: Function, settle: Settle) -> Self {
        FunctionTransport { f, settle }
    }
}

impl Transport for FunctionTransport {
    fn send(&mut self, batch_id: u64, body: String) {
        let settle = self.settle.clone();
        let result = self.f.call1(&JsValue::NULL, &JsValue::from_str(&body));
        spawn_local(async move {
            let outcome = match result {
                Ok(v) => match JsFuture::from(Promise::resolve(&v)).await {
                    Ok(_) => Outcome::Delivered,
                    Err(e) => failure(&e),
                },
                Err(e) => failure(&e),
            };
            settle(batch_id, outcome);
        });
    }
}

fn failure(e: &JsValue) -> Outcome {
    match Reflect::get(e, &"status".into())
        .ok()
        .and_then(|s| s.as_f64())
    {
        Some(status) if (100.0..600.0).contains(&status) => Outcome::Status {
            status: status as u16,
            retry_after_ms: None,
        },
        _ => Outcome::Unreachable,
    }
}

/// Logs each batch to the console: for development.
pub struct ConsoleTransport {
    settle: Settle,
}

impl ConsoleTransport {
    pub fn new(settle: Settle) -> Self {
        ConsoleTransport { settle }
    }
}

impl Transport for ConsoleTransport {
    fn send(&mut self, batch_id: u64, body: String) {
        let parsed = JSON::parse(&body).unwrap_or_else(|_| JsValue::from_str(&body));
        web_sys::console::debug_2(&"[hudong] batch".into(), &parsed);
        let settle = self.settle.clone();
        spawn_local(async move { settle(batch_id, Outcome::Delivered) });
    }
}
