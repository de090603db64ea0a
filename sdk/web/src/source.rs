//! Command sources: a WebSocket (reconnecting with backoff and jitter, with heartbeats) and
//! Server-Sent Events. A source only delivers messages and reports its state; ordering,
//! snapshots and stream delay are the core's.
use gloo::timers::callback::{Interval, Timeout};
use js_sys::Reflect;
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{EventSource, MessageEvent, Response, WebSocket};

/// How a source is doing, as the overlay and the host page see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceState {
    Connecting,
    Live,
    Reconnecting,
    Closed,
}

impl SourceState {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceState::Connecting => "connecting",
            SourceState::Live => "live",
            SourceState::Reconnecting => "reconnecting",
            SourceState::Closed => "closed",
        }
    }
}

pub enum SourceKind {
    /// Commands as text frames; `{"type":"snapshot.request"}` asks for a snapshot.
    WebSocket { url: String },
    /// Commands as `message` events; snapshots fetched from `snapshot_url`.
    Sse { url: String, snapshot_url: String },
}

pub struct SourceCallbacks {
    /// Each command, snapshot or other message, parsed into a plain value; or why a message
    /// was refused (over the input limits, not JSON).
    pub on_message: Box<dyn Fn(Result<JsValue, hudong_core::HudongError>)>,
    pub on_state: Box<dyn Fn(SourceState)>,
    /// (Re)connected: what was missed is unknown.
    pub on_open: Box<dyn Fn()>,
}

const HEARTBEAT_MS: u32 = 10_000;
/// No message (not even a pong) for this long means the connection is dead.
const SILENCE_MS: f64 = 25_000.0;
const BACKOFF_BASE_MS: f64 = 500.0;
const BACKOFF_MAX_MS: f64 = 30_000.0;

pub struct CommandSource {
    inner: Rc<Inner>,
}

struct Inner {
    kind: SourceKind,
    callbacks: SourceCallbacks,
    ws: RefCell<Option<WebSocket>>,
    es: RefCell<Option<EventSource>>,
    handlers: RefCell<Vec<Closure<dyn FnMut(JsValue)>>>,
    attempt: Cell<u32>,
    state: Cell<SourceState>,
    reconnect: RefCell<Option<Timeout>>,
    heartbeat: RefCell<Option<Interval>>,
    last_message: Cell<f64>,
    closed: Cell<bool>,
}

impl CommandSource {
    pub fn connect(kind: SourceKind, callbacks: SourceCallbacks) -> CommandSource {
        let inner = Rc::new(Inner {
            kind,
            callbacks,
            ws: RefCell::new(None),
            es: RefCell::new(None),
            handlers: RefCell::new(Vec::new()),
            attempt: Cell::new(0),
            state: Cell::new(SourceState::Connecting),
            reconnect: RefCell::new(None),
            heartbeat: RefCell::new(None),
            last_message: Cell::new(js_sys::Date::now()),
            closed: Cell::new(false),
        });
        Inner::open(&inner);
        let weak = Rc::downgrade(&inner);
        *inner.heartbeat.borrow_mut() = Some(Interval::new(HEARTBEAT_MS, move || {
            if let Some(me) = weak.upgrade() {
                me.beat();
            }
        }));
        CommandSource { inner }
    }

    pub fn state(&self) -> SourceState {
        self.inner.state.get()
    }

    /// Asks the server for a snapshot of the room.
    pub fn request_snapshot(&self) {
        Inner::request_snapshot(&self.inner);
    }

    /// Drops the connection as if the network had (for tests and for "reconnect now").
    pub fn drop_connection(&self) {
        Inner::lost(&self.inner);
    }

    pub fn close(&self) {
        let me = &self.inner;
        if me.closed.replace(true) {
            return;
        }
        me.teardown();
        me.reconnect.borrow_mut().take();
        me.heartbeat.borrow_mut().take();
        me.set_state(SourceState::Closed);
    }
}

impl Drop for CommandSource {
    fn drop(&mut self) {
        self.close();
    }
}

impl Inner {
    fn set_state(&self, s: SourceState) {
        if self.state.replace(s) != s {
            (self.callbacks.on_state)(s);
        }
    }

    fn handler(
        self: &Rc<Self>,
        f: impl Fn(&Rc<Inner>, JsValue) + 'static,
    ) -> Closure<dyn FnMut(JsValue)> {
        let weak: Weak<Inner> = Rc::downgrade(self);
        Closure::new(move |e: JsValue| {
            if let Some(me) = weak.upgrade() {
                f(&me, e)
            }
        })
    }

    fn open(me: &Rc<Inner>) {
        if me.closed.get() {
            return;
        }
        me.last_message.set(js_sys::Date::now());
        let on_open = me.handler(|me, _| {
            me.attempt.set(0);
            me.last_message.set(js_sys::Date::now());
            me.set_state(SourceState::Live);
            (me.callbacks.on_open)();
        });
        let on_message = me.handler(|me, e| {
            me.last_message.set(js_sys::Date::now());
            me.deliver(&e.unchecked_into::<MessageEvent>().data());
        });
        let on_lost = me.handler(|me, _| Inner::lost(me));
        match &me.kind {
            SourceKind::WebSocket { url } => {
                let Ok(ws) = WebSocket::new(url) else {
                    Inner::lost(me);
                    return;
                };
                ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
                ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
                ws.set_onclose(Some(on_lost.as_ref().unchecked_ref()));
                ws.set_onerror(Some(on_lost.as_ref().unchecked_ref()));
                *me.ws.borrow_mut() = Some(ws);
            }
            SourceKind::Sse { url, .. } => {
                let Ok(es) = EventSource::new(url) else {
                    Inner::lost(me);
                    return;
                };
                es.set_onopen(Some(on_open.as_ref().unchecked_ref()));
                es.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
                es.set_onerror(Some(on_lost.as_ref().unchecked_ref()));
                *me.es.borrow_mut() = Some(es);
            }
        }
        let old = me.handlers.replace(vec![on_open, on_message, on_lost]);
        if !old.is_empty() {
            spawn_local(async move { drop(old) });
        }
    }

    /// Hands on one message, held to the input limits before it is parsed (binary frames
    /// are not Hudong's, and are ignored).
    fn deliver(&self, data: &JsValue) {
        if !data.is_string() {
            return;
        }
        const WHAT: &str = "a message from the command source";
        let msg = match crate::read_whole(data, WHAT) {
            Ok(msg) => msg,
            Err(e) => return (self.callbacks.on_message)(Err(e)),
        };
        let kind = Reflect::get(&msg, &"type".into())
            .ok()
            .and_then(|t| t.as_string());
        if kind.as_deref() == Some("pong") {
            return;
        }
        (self.callbacks.on_message)(Ok(msg));
    }

    /// Closes the transport objects without touching state or timers.
    fn teardown(&self) {
        if let Some(ws) = self.ws.borrow_mut().take() {
            ws.set_onopen(None);
            ws.set_onmessage(None);
            ws.set_onclose(None);
            ws.set_onerror(None);
            let _ = ws.close();
        }
        if let Some(es) = self.es.borrow_mut().take() {
            es.set_onopen(None);
            es.set_onmessage(None);
            es.set_onerror(None);
            es.close();
        }
        // A handler may be running now: drop them on a later turn.
        let old = self.handlers.take();
        if !old.is_empty() {
            spawn_local(async move { drop(old) });
        }
    }

    /// The connection is gone: reconnect after a backoff with jitter.
    fn lost(me: &Rc<Inner>) {
        if me.closed.get() {
            return;
        }
        me.teardown();
        me.set_state(SourceState::Reconnecting);
        let attempt = me.attempt.get();
        me.attempt.set(attempt + 1);
        let full = (BACKOFF_BASE_MS * 2f64.powi(attempt.min(16) as i32)).min(BACKOFF_MAX_MS);
        let delay = full / 2.0 + js_sys::Math::random() * full / 2.0;
        let weak = Rc::downgrade(me);
        *me.reconnect.borrow_mut() = Some(Timeout::new(delay as u32, move || {
            if let Some(me) = weak.upgrade() {
                Inner::open(&me);
            }
        }));
    }

    fn beat(self: &Rc<Self>) {
        if self.state.get() != SourceState::Live {
            return;
        }
        if js_sys::Date::now() - self.last_message.get() > SILENCE_MS {
            Inner::lost(self);
            return;
        }
        if let Some(ws) = self.ws.borrow().as_ref() {
            let _ = ws.send_with_str(r#"{"type":"ping"}"#);
        }
    }

    fn request_snapshot(me: &Rc<Inner>) {
        match &me.kind {
            SourceKind::WebSocket { .. } => {
                if let Some(ws) = me
                    .ws
                    .borrow()
                    .as_ref()
                    .filter(|w| w.ready_state() == WebSocket::OPEN)
                {
                    let _ = ws.send_with_str(r#"{"type":"snapshot.request"}"#);
                }
                // Not open: the snapshot comes with the reconnect.
            }
            SourceKind::Sse { snapshot_url, .. } => {
                let Some(window) = web_sys::window() else {
                    return;
                };
                let request = window.fetch_with_str(snapshot_url);
                let weak = Rc::downgrade(me);
                spawn_local(async move {
                    let Ok(resp) = JsFuture::from(request).await else {
                        return;
                    };
                    let resp: Response = resp.unchecked_into();
                    let Ok(text) = resp.text() else { return };
                    let Ok(text) = JsFuture::from(text).await else {
                        return;
                    };
                    if let Some(me) = weak.upgrade() {
                        me.last_message.set(js_sys::Date::now());
                        me.deliver(&text);
                    }
                });
            }
        }
    }
}

/// Measures the server clock: `samples` round trips to `url` (answering `{"now": ms}`),
/// one after another; the fastest one sets the offset. Returns the best round trip in ms.
pub async fn sync_clock(clock: &crate::Clock, url: &str, samples: u32) -> Option<f64> {
    let window = web_sys::window()?;
    let mut best = None;
    for _ in 0..samples {
        let sent = clock.mono()?;
        let Ok(resp) = JsFuture::from(window.fetch_with_str(url)).await else {
            continue;
        };
        let received = clock.mono()?;
        let resp: Response = resp.unchecked_into();
        let Ok(json) = resp.json() else { continue };
        let Ok(body) = JsFuture::from(json).await else {
            continue;
        };
        let Some(server) = Reflect::get(&body, &"now".into())
            .ok()
            .and_then(|v| v.as_f64())
        else {
            continue;
        };
        if let Some(s) = clock.add_sample(sent, server, received) {
            best = Some(s.rtt);
        }
    }
    best
}
