//! The courier: runs an [`Outbox`] in a page. It encodes events for the wire, persists the
//! queue in localStorage, sends batches through a transport, re-arms its timer, follows the
//! page's lifecycle (online/offline, hidden, pagehide) and takes over queues that closed
//! tabs of the same room left behind.
use crate::locks::{self, HeldLock};
use crate::storage::Store;
use crate::transport::Settle;
use crate::{from_json, to_json, Clock, WakeTimer};
use gloo::events::EventListener;
use gloo::timers::callback::Timeout;
use hudong_core::delivery::{
    Consent, DeadLetter, DeliveryConfig, DeliveryStats, Outbox, Outcome, QueuedEvent, Settled,
    Transport,
};
use hudong_core::wire::{self, PersonalPolicy, SegmentTrack, WireFormat};
use hudong_core::{Envelope, ErrorCode, HudongError, Millis};
use serde::{Deserialize, Serialize};
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

const KEY_PREFIX: &str = "hudong:outbox:v1:";
/// Without Web Locks, a stored queue untouched this long is taken to be abandoned.
const ABANDONED_AFTER_MS: u64 = 10 * 60_000;
/// After another tab's queue changes, look for abandoned queues this much later.
const RESCAN_DELAY_MS: u32 = 1_000;
/// How often to look again at a queue whose page still holds its lock.
const RESCAN_BUSY_MS: u32 = 3_000;

pub struct CourierOptions {
    pub room_id: String,
    pub session_id: String,
    pub format: WireFormat,
    pub personal: PersonalPolicy,
    pub config: DeliveryConfig,
    pub consent: Consent,
    /// Keep the queue in localStorage (default). Off: memory only.
    pub persist: bool,
    pub seed: u64,
    /// A queue handed over by the courier this one replaces ([`Courier::handover`]).
    pub adopt: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct Saved {
    saved_at: Millis,
    outbox: Outbox,
}

pub struct Courier {
    inner: Rc<Inner>,
}

struct Inner {
    outbox: RefCell<Outbox>,
    transport: RefCell<Option<Box<dyn Transport>>>,
    format: WireFormat,
    personal: PersonalPolicy,
    clock: Clock,
    store: Store,
    key: String,
    room_prefix: String,
    /// May this page write its key yet? (Once it holds its lock, or without Web Locks.)
    may_persist: Cell<bool>,
    /// The host asked for the queue to be kept in storage (`persist`, the default).
    wants_storage: bool,
    storage_failed: Cell<bool>,
    lock: RefCell<Option<HeldLock>>,
    timer: RefCell<WakeTimer>,
    /// A pending re-scan for queues other tabs left (after a `storage` event).
    rescan: RefCell<Option<Timeout>>,
    listeners: RefCell<Vec<EventListener>>,
    on_error: Box<dyn Fn(HudongError)>,
    closed: Cell<bool>,
}

impl Courier {
    /// Starts a courier. `make_transport` receives the settle callback the transport must
    /// call with each outcome.
    pub fn new(
        options: CourierOptions,
        clock: Clock,
        make_transport: impl FnOnce(Settle) -> Box<dyn Transport>,
        on_error: impl Fn(HudongError) + 'static,
    ) -> Courier {
        let store = if options.persist {
            Store::local()
        } else {
            Store::unavailable()
        };
        let room_prefix = format!("{KEY_PREFIX}{}:", options.room_id);
        let key = format!("{room_prefix}{}", options.session_id);
        let inner = Rc::new(Inner {
            outbox: RefCell::new(Outbox::new(options.config, options.consent, options.seed)),
            transport: RefCell::new(None),
            format: options.format,
            personal: options.personal,
            clock,
            store,
            key,
            room_prefix,
            may_persist: Cell::new(false),
            wants_storage: options.persist,
            storage_failed: Cell::new(false),
            lock: RefCell::new(None),
            timer: RefCell::new(WakeTimer::default()),
            rescan: RefCell::new(None),
            listeners: RefCell::new(Vec::new()),
            on_error: Box::new(on_error),
            closed: Cell::new(false),
        });
        let weak = Rc::downgrade(&inner);
        let settle: Settle = Rc::new(move |id, outcome| {
            if let Some(me) = weak.upgrade() {
                me.settle(id, outcome);
            }
        });
        *inner.transport.borrow_mut() = Some(make_transport(settle));
        let online = web_sys::window()
            .map(|w| w.navigator().on_line())
            .unwrap_or(true);
        inner.outbox.borrow_mut().set_online(online);
        Inner::listen(&inner);
        Inner::claim_storage(&inner);
        if let Some(text) = &options.adopt {
            inner.take_over(text);
        }
        Courier { inner }
    }

    /// The queue as text, when storage does not hold it (no storage, `persist: false`, a
    /// failed save, no consent yet): for the courier that replaces this one after the module
    /// restarts. `None` when storage has it (the next courier adopts it from there) or when
    /// there is nothing to hand over.
    pub fn handover(&self) -> Option<String> {
        let me = &self.inner;
        let outbox = me.outbox.try_borrow().ok()?;
        let stored = me.store.available()
            && me.may_persist.get()
            && !me.storage_failed.get()
            && outbox.persistable();
        if stored || (outbox.stats().queued == 0 && outbox.dead_letters().is_empty()) {
            return None;
        }
        to_json(&Saved {
            saved_at: me.now(),
            outbox: outbox.clone(),
        })
        .ok()
    }

    /// Queues an event for delivery.
    pub fn enqueue(&self, env: &Envelope) {
        let me = &self.inner;
        if me.closed.get() {
            return;
        }
        let mut out = env.clone();
        me.personal.apply(&mut out);
        let body = match me.format {
            WireFormat::Hudong => to_json(&out),
            WireFormat::Segment { .. } => to_json(&SegmentTrack::new(&out)),
        };
        let body = match body {
            Ok(b) => b,
            Err(why) => {
                (me.on_error)(HudongError::new(
                    ErrorCode::Internal,
                    format!("could not encode an event: {why}"),
                ));
                return;
            }
        };
        let dropped = me.outbox.borrow_mut().push(QueuedEvent {
            id: env.event_id.clone(),
            body,
            at: env.at,
        });
        me.report_dropped(dropped);
        me.persist();
        me.pump();
    }

    /// Sends what is queued now instead of waiting for a full batch.
    pub fn flush(&self) {
        self.inner.outbox.borrow_mut().flush();
        self.inner.pump();
    }

    pub fn set_consent(&self, consent: Consent) {
        let me = &self.inner;
        me.outbox.borrow_mut().set_consent(consent);
        if consent == Consent::Denied {
            me.store.remove(&me.key);
        }
        me.persist();
        me.pump();
    }

    pub fn stats(&self) -> DeliveryStats {
        self.inner.outbox.borrow().stats()
    }

    pub fn dead_letters(&self) -> Vec<DeadLetter> {
        self.inner.outbox.borrow().dead_letters().to_vec()
    }

    /// Puts dead-lettered events back in the queue. Returns how many.
    pub fn retry_dead_letters(&self) -> usize {
        let n = self.inner.outbox.borrow_mut().requeue_dead_letters();
        self.inner.outbox.borrow_mut().flush();
        self.inner.persist();
        self.inner.pump();
        n
    }

    /// Stops: saves the queue for the next page (which takes it over), cancels timers,
    /// removes listeners, closes the transport, releases the lock.
    pub fn close(&self) {
        let me = &self.inner;
        if me.closed.replace(true) {
            return;
        }
        me.persist();
        me.timer.borrow_mut().cancel();
        me.rescan.borrow_mut().take();
        me.listeners.borrow_mut().clear();
        if let Some(mut t) = me.transport.borrow_mut().take() {
            t.close();
        }
        if let Some(lock) = me.lock.borrow_mut().take() {
            lock.release();
        }
    }
}

impl Drop for Courier {
    fn drop(&mut self) {
        self.close();
    }
}

impl Inner {
    fn now(&self) -> Millis {
        self.clock.now()
    }

    fn listen(me: &Rc<Inner>) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let mut ls = Vec::new();
        for (name, online) in [("online", true), ("offline", false)] {
            let weak = Rc::downgrade(me);
            ls.push(EventListener::new(&window, name, move |_| {
                if let Some(me) = weak.upgrade() {
                    me.outbox.borrow_mut().set_online(online);
                    me.pump();
                }
            }));
        }
        if let Some(doc) = window.document() {
            let weak = Rc::downgrade(me);
            let d = doc.clone();
            ls.push(EventListener::new(&doc, "visibilitychange", move |_| {
                let Some(me) = weak.upgrade() else { return };
                if d.visibility_state() == web_sys::VisibilityState::Hidden {
                    // The page may never come back: send now, with keepalive.
                    me.persist();
                    me.outbox.borrow_mut().flush();
                }
                me.pump();
            }));
        }
        // Another tab of this room saved its queue: if that tab is closing, its lock is
        // released a moment later, and this tab takes the queue over.
        let weak = Rc::downgrade(me);
        ls.push(EventListener::new(&window, "storage", move |e| {
            let Some(me) = weak.upgrade() else { return };
            let key = js_sys::Reflect::get(e, &"key".into())
                .ok()
                .and_then(|k| k.as_string());
            if key.is_some_and(|k| k.starts_with(&me.room_prefix) && k != me.key) {
                me.schedule_rescan(RESCAN_DELAY_MS);
            }
        }));
        let weak: Weak<Inner> = Rc::downgrade(me);
        ls.push(EventListener::new(&window, "pagehide", move |_| {
            if let Some(me) = weak.upgrade() {
                me.unload();
            }
        }));
        *me.listeners.borrow_mut() = ls;
    }

    /// Takes this page's lock, then adopts queues of this room whose pages are gone.
    fn claim_storage(me: &Rc<Inner>) {
        if !me.store.available() {
            // The host asked for a durable queue and the browser has no storage to give
            // (site data blocked, some private modes): say so once, at the first save.
            me.may_persist.set(me.wants_storage);
            return;
        }
        let weak = Rc::downgrade(me);
        let held = locks::hold(&me.key, move || {
            if let Some(me) = weak.upgrade() {
                me.may_persist.set(true);
                me.adopt_orphans();
                me.persist();
            }
        });
        match held {
            Some(lock) => *me.lock.borrow_mut() = Some(lock),
            None => {
                me.may_persist.set(true);
                me.adopt_orphans();
            }
        }
    }

    fn adopt_orphans(self: &Rc<Self>) {
        let keys: Vec<String> = self.store.keys_with_prefix(&self.room_prefix);
        for key in keys {
            if key == self.key {
                // A page that reused this session id: its queue is ours.
                self.adopt_key(&key);
                continue;
            }
            let weak = Rc::downgrade(self);
            let k = key.clone();
            let used_locks = locks::if_available(&key, move |free| {
                let Some(me) = weak.upgrade() else { return };
                if free {
                    me.adopt_key(&k);
                } else {
                    // Its page is alive, or still unloading: look again later.
                    me.schedule_rescan(RESCAN_BUSY_MS);
                }
            });
            if !used_locks {
                let stale = self
                    .read(&key)
                    .is_some_and(|s| self.now().saturating_sub(s.saved_at) > ABANDONED_AFTER_MS);
                if stale {
                    self.adopt_key(&key);
                }
            }
        }
    }

    fn schedule_rescan(self: &Rc<Self>, delay_ms: u32) {
        if self.closed.get() {
            return;
        }
        let weak = Rc::downgrade(self);
        *self.rescan.borrow_mut() = Some(Timeout::new(delay_ms, move || {
            if let Some(me) = weak.upgrade() {
                me.adopt_orphans();
            }
        }));
    }

    /// The queue saved under `key`. A value that cannot be read is reported, never dropped
    /// in silence (and then removed, so it is not read again).
    fn read(&self, key: &str) -> Option<Saved> {
        let text = self.store.get(key)?;
        match from_json::<Saved>(&text) {
            Ok(saved) => Some(saved),
            Err(why) => {
                (self.on_error)(HudongError::new(
                    ErrorCode::StorageFailed,
                    format!("a saved event queue could not be read ({why}) and was discarded"),
                ));
                None
            }
        }
    }

    /// Says that a full queue dropped its oldest events (counted in the stats).
    fn report_dropped(&self, dropped: u64) {
        if dropped > 0 {
            (self.on_error)(HudongError::new(
                ErrorCode::EventsDropped,
                format!("the event queue is full: dropped the {dropped} oldest event(s)"),
            ));
        }
    }

    /// Takes over a queue handed over by the courier this one replaces.
    fn take_over(self: &Rc<Self>, text: &str) {
        match from_json::<Saved>(text) {
            Ok(saved) => {
                let dropped = self.outbox.borrow_mut().absorb(saved.outbox);
                self.report_dropped(dropped);
                self.persist();
                self.pump();
            }
            Err(why) => (self.on_error)(HudongError::new(
                ErrorCode::StorageFailed,
                format!("the event queue handed over after a restart could not be read ({why})"),
            )),
        }
    }

    fn adopt_key(self: &Rc<Self>, key: &str) {
        if self.closed.get() {
            return;
        }
        // Read inside the lock: another page may have taken it a moment ago.
        if let Some(saved) = self.read(key) {
            let dropped = self.outbox.borrow_mut().absorb(saved.outbox);
            self.report_dropped(dropped);
            if key != self.key {
                self.persist();
                self.store.remove(key);
            }
            self.outbox.borrow_mut().flush();
            self.pump();
        } else if key != self.key {
            self.store.remove(key);
        }
    }

    fn persist(&self) {
        if !self.may_persist.get() {
            return;
        }
        let outbox = self.outbox.borrow();
        if !outbox.persistable() {
            return;
        }
        if outbox.stats().queued == 0 && outbox.dead_letters().is_empty() {
            self.store.remove(&self.key);
            return;
        }
        // No storage at all (site data blocked, some private modes): said once, and the
        // queue is not encoded for nothing at every step.
        if !self.store.available() {
            drop(outbox);
            self.storage_failed_once("localStorage is unavailable");
            return;
        }
        let saved = Saved {
            saved_at: self.now(),
            outbox: outbox.clone(),
        };
        drop(outbox);
        match to_json(&saved).and_then(|text| self.store.set(&self.key, &text)) {
            Ok(()) => self.storage_failed.set(false),
            Err(why) => self.storage_failed_once(&why),
        }
    }

    /// Reports a failed save, once until a save succeeds again.
    fn storage_failed_once(&self, why: &str) {
        if !self.storage_failed.replace(true) {
            (self.on_error)(HudongError::new(
                ErrorCode::StorageFailed,
                format!("could not save the event queue ({why}); events are kept in memory"),
            ));
        }
    }

    /// Sends the next batch if one is due, and re-arms the timer.
    fn pump(self: &Rc<Self>) {
        if self.closed.get() {
            return;
        }
        let now = self.now();
        let batch = self.outbox.borrow_mut().next_batch(now);
        if let Some(batch) = batch {
            let body = wire::batch_body(&self.format, &batch, now);
            if let Some(t) = self.transport.borrow_mut().as_mut() {
                t.send(batch.id, body);
            }
        }
        let wake = self.outbox.borrow().next_wake(now);
        let weak = Rc::downgrade(self);
        self.timer.borrow_mut().arm(wake, now, move || {
            if let Some(me) = weak.upgrade() {
                me.timer.borrow_mut().cancel();
                me.pump();
            }
        });
    }

    fn settle(self: &Rc<Self>, batch_id: u64, outcome: Outcome) {
        if self.closed.get() {
            return;
        }
        let result = self
            .outbox
            .borrow_mut()
            .settle(batch_id, outcome, self.now());
        match (&result, outcome) {
            (Settled::DeadLettered { events, status }, _) => (self.on_error)(HudongError::new(
                ErrorCode::EventsRejected,
                format!("the collector refused {events} event(s) (HTTP {status}); they are in room.deadLetters"),
            )),
            (Settled::Retrying { at, attempt }, o) => {
                let what = match o {
                    Outcome::Status { status, .. } => format!("HTTP {status}"),
                    _ => "collector unreachable".to_owned(),
                };
                (self.on_error)(HudongError::new(
                    ErrorCode::TransportFailed,
                    format!("sending events failed ({what}); retry {attempt} in {} ms", at.saturating_sub(self.now())),
                ));
            }
            _ => {}
        }
        self.persist();
        self.pump();
    }

    /// The page is going away: save, and beacon what is not in flight.
    fn unload(self: &Rc<Self>) {
        self.persist();
        let chunks = self.outbox.borrow().unload_chunks();
        let now = self.now();
        let mut transport = self.transport.borrow_mut();
        let Some(t) = transport.as_mut() else { return };
        for chunk in &chunks {
            let body = wire::body_of(
                &self.format,
                0,
                0,
                chunk.iter().map(|e| e.body.as_str()),
                now,
            );
            if !t.send_on_unload(&body) {
                break; // no beacons here (or the browser's beacon quota is used up)
            }
        }
    }
}

/// Parses a consent value from the JS API.
pub fn parse_consent(s: &str) -> Option<Consent> {
    match s {
        "granted" => Some(Consent::Granted),
        "pending" => Some(Consent::Pending),
        "denied" => Some(Consent::Denied),
        _ => None,
    }
}
