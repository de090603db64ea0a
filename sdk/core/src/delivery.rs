//! The outbox: a bounded, persistable queue of events on their way to the host's backend,
//! with batching, retries and dead letters. Pure: the browser glue (or a test) sends the
//! batches it hands out and reports each outcome back with [`Outbox::settle`].
//!
//! Delivery is at least once, and every event carries a unique `event_id`, so a collector
//! that deduplicates on it sees every event exactly once. Events leave the outbox only when
//! a send of theirs is acknowledged, dead-lettered, purged for lack of consent, or dropped
//! because the queue is full (counted and reported).
use crate::rng::SplitMix64;
use crate::Millis;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// Delivery settings. The defaults follow the common practice of analytics SDKs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeliveryConfig {
    /// A batch goes out when it holds this many events…
    pub max_batch_events: usize,
    /// …or this many bytes of events…
    pub max_batch_bytes: usize,
    /// …or when its oldest event has waited this long.
    pub flush_interval_ms: u64,
    /// The queue holds at most this many events; beyond it the oldest not in flight are dropped.
    pub max_queue_events: usize,
    /// …and at most this many bytes (it is persisted in localStorage, 5 MB an origin).
    pub max_queue_bytes: usize,
    /// First retry delay; doubles per failed attempt, with jitter, up to `backoff_max_ms`.
    pub backoff_base_ms: u64,
    pub backoff_max_ms: u64,
    /// After this many failed responses (5xx, 408, 429) a batch is dead-lettered. Network
    /// failures (collector unreachable) do not count: they retry until it is back.
    pub max_attempts: u32,
    /// Longest `Retry-After` honoured.
    pub max_retry_after_ms: u64,
    /// Page-hide beacons carry at most this many bytes each (browsers cap them at 64 KB).
    pub beacon_max_bytes: usize,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        DeliveryConfig {
            max_batch_events: 20,
            max_batch_bytes: 32 * 1024,
            flush_interval_ms: 3_000,
            max_queue_events: 1_000,
            max_queue_bytes: 1024 * 1024,
            backoff_base_ms: 1_000,
            backoff_max_ms: 30_000,
            max_attempts: 10,
            max_retry_after_ms: 10 * 60_000,
            beacon_max_bytes: 60 * 1024,
        }
    }
}

/// One event as it will go on the wire: its id and its JSON text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedEvent {
    pub id: String,
    pub body: String,
    /// When it was queued (server time).
    pub at: Millis,
}

impl QueuedEvent {
    fn bytes(&self) -> usize {
        self.body.len()
    }
}

/// Whether the viewer agreed to their events being sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Consent {
    /// Not asked yet: events are held in memory, not sent and not stored.
    Pending,
    Granted,
    /// Refused: held events are purged, new ones discarded.
    Denied,
}

/// How a send went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The collector acknowledged the batch (2xx, or an ack on a socket).
    Delivered,
    /// No answer: network error, socket closed, collector down. Retried without limit.
    Unreachable,
    /// The collector answered with an error status.
    Status {
        status: u16,
        retry_after_ms: Option<u64>,
    },
}

/// What [`Outbox::settle`] did with a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settled {
    Delivered {
        events: usize,
    },
    /// Back in the queue; the next attempt waits until `at`.
    Retrying {
        at: Millis,
        attempt: u32,
    },
    /// Refused for good (a 4xx other than 408/429, or too many failed attempts): moved to
    /// the dead-letter store.
    DeadLettered {
        events: usize,
        status: u16,
    },
    /// Not the batch in flight (already settled, or from before a reload): ignored.
    Stale,
}

/// A batch the collector refused for good, kept for the host to inspect or retry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadLetter {
    pub status: u16,
    pub reason: String,
    pub at: Millis,
    pub events: Vec<QueuedEvent>,
}

/// A batch handed out for sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    pub id: u64,
    pub events: Vec<QueuedEvent>,
    /// Attempts made before this one.
    pub attempt: u32,
    /// Events dropped since the last delivered batch: reported in the batch body.
    pub dropped: u64,
}

/// Counters for hosts and dashboards.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryStats {
    pub queued: usize,
    pub in_flight: usize,
    pub delivered: u64,
    pub dropped: u64,
    pub dead_lettered: u64,
    pub discarded_no_consent: u64,
    pub retries: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outbox {
    config: DeliveryConfig,
    /// Oldest first. The first `in_flight.count` entries are in flight.
    queue: VecDeque<QueuedEvent>,
    queued_bytes: usize,
    dead: Vec<DeadLetter>,
    stats: DeliveryStats,
    /// Dropped events not yet reported in a delivered batch.
    dropped_unreported: u64,
    #[serde(skip)]
    in_flight: Option<InFlight>,
    #[serde(skip)]
    attempt: u32,
    #[serde(skip)]
    retry_at: Option<Millis>,
    #[serde(skip)]
    flush_requested: bool,
    #[serde(skip, default = "default_online")]
    online: bool,
    consent: Consent,
    next_batch_id: u64,
    rng: SplitMix64,
}

fn default_online() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct InFlight {
    batch_id: u64,
    count: usize,
    dropped: u64,
}

impl Outbox {
    pub fn new(config: DeliveryConfig, consent: Consent, seed: u64) -> Self {
        Outbox {
            config,
            queue: VecDeque::new(),
            queued_bytes: 0,
            dead: Vec::new(),
            stats: DeliveryStats::default(),
            dropped_unreported: 0,
            in_flight: None,
            attempt: 0,
            retry_at: None,
            flush_requested: false,
            online: true,
            consent,
            next_batch_id: 1,
            rng: SplitMix64::new(seed ^ 0x6f75_7462_6f78),
        }
    }

    pub fn config(&self) -> &DeliveryConfig {
        &self.config
    }

    pub fn stats(&self) -> DeliveryStats {
        DeliveryStats {
            queued: self.queue.len(),
            in_flight: self.in_flight.as_ref().map_or(0, |f| f.count),
            ..self.stats
        }
    }

    pub fn dead_letters(&self) -> &[DeadLetter] {
        &self.dead
    }

    pub fn queued(&self) -> impl Iterator<Item = &QueuedEvent> {
        self.queue.iter()
    }

    pub fn consent(&self) -> Consent {
        self.consent
    }

    /// Whether the queue should be written to durable storage (only with consent).
    pub fn persistable(&self) -> bool {
        self.consent == Consent::Granted
    }

    /// Queues an event. Returns how many older events were dropped to make room.
    pub fn push(&mut self, event: QueuedEvent) -> u64 {
        if self.consent == Consent::Denied {
            self.stats.discarded_no_consent += 1;
            return 0;
        }
        if self.queue.iter().any(|e| e.id == event.id) {
            return 0;
        }
        self.queued_bytes += event.bytes();
        self.queue.push_back(event);
        self.enforce_bounds()
    }

    /// Drops the oldest events not in flight until the queue fits its bounds.
    fn enforce_bounds(&mut self) -> u64 {
        let pinned = self.in_flight.as_ref().map_or(0, |f| f.count);
        let mut dropped = 0;
        while (self.queue.len() > self.config.max_queue_events
            || self.queued_bytes > self.config.max_queue_bytes)
            && self.queue.len() > pinned + 1
        {
            let e = self.queue.remove(pinned).expect("index within queue");
            self.queued_bytes -= e.bytes();
            dropped += 1;
        }
        self.stats.dropped += dropped;
        self.dropped_unreported += dropped;
        dropped
    }

    /// Takes in events a previous page left behind (after a reload or a closed tab).
    /// Events already queued are not taken twice.
    pub fn adopt(&mut self, events: impl IntoIterator<Item = QueuedEvent>) -> u64 {
        let mut dropped = 0;
        for e in events {
            dropped += self.push(e);
        }
        dropped
    }

    /// Takes over another outbox's events, dead letters and unreported drops (the queue a
    /// closed tab or a previous page left in storage).
    pub fn absorb(&mut self, other: Outbox) -> u64 {
        self.dead.extend(other.dead);
        self.dropped_unreported += other.dropped_unreported;
        self.adopt(other.queue)
    }

    pub fn set_online(&mut self, online: bool) {
        self.online = online;
        if online {
            // Back online: try at once rather than wait out a backoff from the outage.
            self.retry_at = None;
        }
    }

    pub fn set_consent(&mut self, consent: Consent) {
        self.consent = consent;
        if consent == Consent::Denied {
            let pinned = self.in_flight.as_ref().map_or(0, |f| f.count);
            let purged = self.queue.len() - pinned;
            self.stats.discarded_no_consent += purged as u64;
            self.queue.truncate(pinned);
            self.queued_bytes = self.queue.iter().map(QueuedEvent::bytes).sum();
        }
    }

    /// Sends what is queued as soon as possible, without waiting for a full batch or the interval.
    pub fn flush(&mut self) {
        self.flush_requested = true;
    }

    fn can_send(&self, now: Millis) -> bool {
        self.in_flight.is_none()
            && self.online
            && self.consent == Consent::Granted
            && !self.queue.is_empty()
            && self.retry_at.is_none_or(|t| now >= t)
    }

    fn due(&self, now: Millis) -> bool {
        let oldest = self.queue.front().map_or(now, |e| e.at);
        self.flush_requested
            || self.attempt > 0
            || self.queue.len() >= self.config.max_batch_events
            || self.queued_bytes >= self.config.max_batch_bytes
            || now.saturating_sub(oldest) >= self.config.flush_interval_ms
    }

    /// The next batch to send, if one is due now. It stays queued (and persisted) until settled.
    pub fn next_batch(&mut self, now: Millis) -> Option<Batch> {
        if !self.can_send(now) || !self.due(now) {
            return None;
        }
        let mut bytes = 0;
        let mut count = 0;
        for e in &self.queue {
            if count == self.config.max_batch_events
                || (count > 0 && bytes + e.bytes() > self.config.max_batch_bytes)
            {
                break;
            }
            bytes += e.bytes();
            count += 1;
        }
        let id = self.next_batch_id;
        self.next_batch_id += 1;
        let dropped = self.dropped_unreported;
        self.in_flight = Some(InFlight {
            batch_id: id,
            count,
            dropped,
        });
        if count == self.queue.len() {
            self.flush_requested = false;
        }
        Some(Batch {
            id,
            events: self.queue.iter().take(count).cloned().collect(),
            attempt: self.attempt,
            dropped,
        })
    }

    /// Records how a batch's send went.
    pub fn settle(&mut self, batch_id: u64, outcome: Outcome, now: Millis) -> Settled {
        let Some(flight) = self.in_flight.clone().filter(|f| f.batch_id == batch_id) else {
            return Settled::Stale;
        };
        let classified = match outcome {
            Outcome::Delivered => None,
            Outcome::Status { status, .. } if (200..300).contains(&status) => None,
            Outcome::Unreachable => Some((0, None, false)),
            Outcome::Status {
                status,
                retry_after_ms,
            } => {
                let retryable = status == 408 || status == 429 || status >= 500 || status < 400;
                Some((status, retry_after_ms, !retryable))
            }
        };
        self.in_flight = None;
        match classified {
            None => {
                let n = self.remove_front(flight.count);
                self.stats.delivered += n as u64;
                self.dropped_unreported = self.dropped_unreported.saturating_sub(flight.dropped);
                self.attempt = 0;
                self.retry_at = None;
                Settled::Delivered { events: n }
            }
            Some((status, _, true)) => self.dead_letter(
                flight.count,
                status,
                format!("refused with HTTP {status}"),
                now,
            ),
            Some((status, retry_after, false)) => {
                let counts = status != 0;
                if counts && self.attempt + 1 >= self.config.max_attempts {
                    let reason = format!(
                        "gave up after {} attempts (last: HTTP {status})",
                        self.attempt + 1
                    );
                    return self.dead_letter(flight.count, status, reason, now);
                }
                self.attempt += 1;
                self.stats.retries += 1;
                let backoff = self.backoff(self.attempt);
                let wait = retry_after.map_or(backoff, |ms| ms.min(self.config.max_retry_after_ms));
                let at = now + wait;
                self.retry_at = Some(at);
                Settled::Retrying {
                    at,
                    attempt: self.attempt,
                }
            }
        }
    }

    /// Exponential backoff with "equal jitter": half fixed, half random, so clients that
    /// failed together do not retry together.
    fn backoff(&mut self, attempt: u32) -> u64 {
        let exp = self
            .config
            .backoff_base_ms
            .saturating_mul(1u64 << (attempt - 1).min(20));
        let capped = exp.min(self.config.backoff_max_ms).max(2);
        capped / 2 + self.rng.next_u64() % (capped / 2 + 1)
    }

    fn remove_front(&mut self, n: usize) -> usize {
        let n = n.min(self.queue.len());
        for e in self.queue.drain(..n) {
            self.queued_bytes -= e.bytes();
        }
        n
    }

    fn dead_letter(&mut self, count: usize, status: u16, reason: String, now: Millis) -> Settled {
        let n = count.min(self.queue.len());
        let events: Vec<_> = self.queue.drain(..n).collect();
        self.queued_bytes = self.queue.iter().map(QueuedEvent::bytes).sum();
        self.stats.dead_lettered += n as u64;
        self.dead.push(DeadLetter {
            status,
            reason,
            at: now,
            events,
        });
        self.attempt = 0;
        self.retry_at = None;
        Settled::DeadLettered { events: n, status }
    }

    /// Puts dead-lettered events back in the queue (after the host fixed the cause).
    pub fn requeue_dead_letters(&mut self) -> usize {
        let dead = std::mem::take(&mut self.dead);
        let mut n = 0;
        for d in dead {
            for e in d.events {
                n += 1;
                self.push(e);
            }
        }
        n
    }

    /// When the glue should call [`Outbox::next_batch`] again, if nothing else happens.
    pub fn next_wake(&self, now: Millis) -> Option<Millis> {
        if self.in_flight.is_some()
            || !self.online
            || self.consent != Consent::Granted
            || self.queue.is_empty()
        {
            return None;
        }
        if let Some(t) = self.retry_at {
            return Some(t.max(now));
        }
        if self.due(now) {
            return Some(now);
        }
        self.queue
            .front()
            .map(|e| e.at + self.config.flush_interval_ms)
    }

    /// The events to send by beacon as the page goes away: everything queued and not in
    /// flight, in chunks of at most `beacon_max_bytes` of event text. They stay queued: if
    /// the page survives, or another page adopts the queue, they are sent again and the
    /// collector drops the copies by `event_id`.
    pub fn unload_chunks(&self) -> Vec<Vec<QueuedEvent>> {
        if self.consent != Consent::Granted {
            return Vec::new();
        }
        let skip = self.in_flight.as_ref().map_or(0, |f| f.count);
        let mut chunks: Vec<Vec<QueuedEvent>> = Vec::new();
        let mut bytes = 0;
        for e in self.queue.iter().skip(skip) {
            // Leave room for the batch wrapper and commas.
            let cost = e.bytes() + 1;
            if cost + 256 > self.config.beacon_max_bytes {
                continue; // too large for any beacon: it waits for the next page
            }
            match chunks.last_mut() {
                Some(c) if bytes + cost + 256 <= self.config.beacon_max_bytes => c.push(e.clone()),
                _ => {
                    chunks.push(vec![e.clone()]);
                    bytes = 0;
                }
            }
            bytes += cost;
        }
        chunks
    }
}

/// Something that carries batch bodies to a collector: HTTP, a WebSocket, a host function,
/// the console. Sending is asynchronous in browsers, so a transport only starts a send; its
/// owner reports the result to [`Outbox::settle`] with the same `batch_id`.
pub trait Transport {
    /// Starts sending one batch body.
    fn send(&mut self, batch_id: u64, body: String);

    /// Hands a body over as the page goes away, without waiting for an answer (a beacon).
    /// Returns whether it was handed over. Transports that cannot do this return `false`,
    /// and the events wait in durable storage for the next page.
    fn send_on_unload(&mut self, _body: &str) -> bool {
        false
    }

    /// Releases sockets and other resources.
    fn close(&mut self) {}
}

/// Drives an outbox through a synchronous transport: sends every due batch. For native
/// hosts (replays, tests) whose transport settles before returning; browsers settle later.
pub fn pump_sync(
    outbox: &mut Outbox,
    transport: &mut impl FnMut(&Batch) -> Outcome,
    now: Millis,
) -> Vec<Settled> {
    let mut settled = Vec::new();
    while let Some(batch) = outbox.next_batch(now) {
        let outcome = transport(&batch);
        let s = outbox.settle(batch.id, outcome, now);
        let stop = !matches!(s, Settled::Delivered { .. });
        settled.push(s);
        if stop {
            break;
        }
    }
    settled
}
