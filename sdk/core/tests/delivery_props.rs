//! The outbox against a fake collector, a fake clock, failures, outages and crashes.
use hudong_core::delivery::*;
use proptest::prelude::*;
use std::collections::{BTreeSet, HashMap};

#[derive(Debug, Clone)]
enum Step {
    Emit(usize),
    Advance(u64),
    Send(Reply),
    Online(bool),
    Flush,
    /// The page dies and a new one loads the persisted queue. `bool`: whether the batch in
    /// flight had reached the collector.
    Crash(bool),
}

#[derive(Debug, Clone, Copy)]
enum Reply {
    Ok,
    Unreachable,
    Http(u16, Option<u64>),
    /// The collector stored the batch but the answer was lost.
    LostAck,
}

fn reply() -> impl Strategy<Value = Reply> {
    prop_oneof![
        6 => Just(Reply::Ok),
        2 => Just(Reply::Unreachable),
        2 => prop_oneof![Just(500u16), Just(502), Just(503), Just(408)].prop_map(|s| Reply::Http(s, None)),
        1 => (0..20_000u64).prop_map(|ms| Reply::Http(429, Some(ms))),
        1 => prop_oneof![Just(400u16), Just(401), Just(413)].prop_map(|s| Reply::Http(s, None)),
        1 => Just(Reply::LostAck),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => (1..600usize).prop_map(Step::Emit),
        4 => (0..10_000u64).prop_map(Step::Advance),
        6 => reply().prop_map(Step::Send),
        1 => any::<bool>().prop_map(Step::Online),
        1 => Just(Step::Flush),
        1 => any::<bool>().prop_map(Step::Crash),
    ]
}

fn config() -> DeliveryConfig {
    DeliveryConfig {
        max_batch_events: 5,
        max_batch_bytes: 2_000,
        max_queue_events: 40,
        max_queue_bytes: 12_000,
        max_attempts: 4,
        ..DeliveryConfig::default()
    }
}

struct World {
    outbox: Outbox,
    now: u64,
    next_id: u64,
    /// The collector: every copy received, by id.
    received: HashMap<String, u32>,
    emitted: BTreeSet<String>,
    dropped: u64,
    online: bool,
}

impl World {
    fn new() -> Self {
        World {
            outbox: Outbox::new(config(), Consent::Granted, 9),
            now: 1_000_000,
            next_id: 0,
            received: HashMap::new(),
            emitted: BTreeSet::new(),
            dropped: 0,
            online: true,
        }
    }

    fn emit(&mut self, size: usize) {
        self.next_id += 1;
        let id = format!("e{}", self.next_id);
        self.emitted.insert(id.clone());
        let body = format!("{{\"id\":\"{id}\",\"pad\":\"{}\"}}", "x".repeat(size));
        self.dropped += self.outbox.push(QueuedEvent {
            id,
            body,
            at: self.now,
        });
    }

    fn receive(&mut self, batch: &Batch) {
        for e in &batch.events {
            *self.received.entry(e.id.clone()).or_default() += 1;
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1_500))]

    #[test]
    fn nothing_is_lost_and_every_batch_respects_the_rules(steps in prop::collection::vec(step(), 1..120)) {
        let mut w = World::new();
        let cfg = config();
        for s in steps {
            match s {
                Step::Emit(n) => w.emit(n),
                Step::Advance(ms) => w.now += ms,
                Step::Online(on) => { w.online = on; w.outbox.set_online(on); }
                Step::Flush => w.outbox.flush(),
                Step::Crash(reached) => {
                    if reached {
                        if let Some(b) = w.outbox.next_batch(w.now) { w.receive(&b); }
                    }
                    // Persist, die, reload: only the serialized state survives.
                    let saved = serde_json::to_string(&w.outbox).unwrap();
                    w.outbox = serde_json::from_str(&saved).unwrap();
                    w.outbox.set_online(w.online);
                }
                Step::Send(r) => {
                    let retry_at_before = w.outbox.next_wake(w.now);
                    if let Some(batch) = w.outbox.next_batch(w.now) {
                        // Never sends while offline, nor before a backoff ends.
                        prop_assert!(w.online, "sent while offline");
                        if let Some(t) = retry_at_before { prop_assert!(t <= w.now, "sent before backoff ended"); }
                        prop_assert!(!batch.events.is_empty());
                        prop_assert!(batch.events.len() <= cfg.max_batch_events);
                        let bytes: usize = batch.events.iter().map(|e| e.body.len()).sum();
                        prop_assert!(batch.events.len() == 1 || bytes <= cfg.max_batch_bytes);
                        let outcome = match r {
                            Reply::Ok => { w.receive(&batch); Outcome::Delivered }
                            Reply::LostAck => { w.receive(&batch); Outcome::Unreachable }
                            Reply::Unreachable => Outcome::Unreachable,
                            Reply::Http(status, retry_after_ms) => Outcome::Status { status, retry_after_ms },
                        };
                        let settled = w.outbox.settle(batch.id, outcome, w.now);
                        match (r, settled) {
                            (Reply::Ok, Settled::Delivered { events }) => prop_assert_eq!(events, batch.events.len()),
                            (Reply::Http(s, _), Settled::DeadLettered { status, .. }) => prop_assert_eq!(s, status),
                            (Reply::Http(s, _), Settled::Retrying { at, .. }) => {
                                prop_assert!(s == 408 || s == 429 || s >= 500, "HTTP {} retried", s);
                                prop_assert!(at >= w.now);
                            }
                            (Reply::Unreachable | Reply::LostAck, Settled::Retrying { at, .. }) => {
                                prop_assert!(at >= w.now + cfg.backoff_base_ms / 2);
                            }
                            (r, s) => prop_assert!(false, "reply {:?} settled as {:?}", r, s),
                        }
                        // A second settle of the same batch is ignored.
                        prop_assert_eq!(w.outbox.settle(batch.id, Outcome::Delivered, w.now), Settled::Stale);
                    }
                }
            }
            let st = w.outbox.stats();
            // Bounded.
            prop_assert!(st.queued <= cfg.max_queue_events.max(st.in_flight + 1));
            // Conservation: every event emitted is delivered, dead-lettered, dropped or queued.
            let dead: u64 = w.outbox.dead_letters().iter().map(|d| d.events.len() as u64).sum();
            prop_assert_eq!(st.dropped, w.dropped);
            prop_assert_eq!(st.dead_lettered, dead);
            prop_assert!(st.delivered + dead + st.dropped + st.queued as u64 <= w.emitted.len() as u64);
        }

        // Heal: online, the collector answers, time passes. Everything drains.
        w.outbox.set_online(true);
        for _ in 0..10_000 {
            w.now += 60_000;
            match w.outbox.next_batch(w.now) {
                Some(b) => { w.receive(&b); w.outbox.settle(b.id, Outcome::Delivered, w.now); }
                None if w.outbox.stats().queued == 0 => break,
                None => {}
            }
        }
        let st = w.outbox.stats();
        prop_assert_eq!(st.queued, 0);
        let dead: BTreeSet<String> = w.outbox.dead_letters().iter().flat_map(|d| d.events.iter().map(|e| e.id.clone())).collect();
        let arrived: BTreeSet<String> = w.received.keys().cloned().collect();
        // Every emitted event arrived, or was dead-lettered (kept for the host), or was
        // dropped from a full queue (counted; a dropped event may have arrived earlier).
        let missing: Vec<_> = w.emitted.iter().filter(|id| !arrived.contains(*id) && !dead.contains(*id)).collect();
        prop_assert!(missing.len() as u64 <= w.dropped, "missing {:?} with {} dropped", missing, w.dropped);
        // Each event is accounted for exactly once.
        prop_assert_eq!(st.delivered + st.dead_lettered + st.dropped, w.emitted.len() as u64);
        // Nothing arrived that was not emitted.
        prop_assert!(arrived.is_subset(&w.emitted));
    }

    #[test]
    fn consent_gates_everything(events in 1..30usize, grant in any::<bool>()) {
        let mut o = Outbox::new(DeliveryConfig::default(), Consent::Pending, 1);
        for i in 0..events {
            o.push(QueuedEvent { id: format!("e{i}"), body: "{}".into(), at: 0 });
        }
        o.flush();
        prop_assert!(o.next_batch(1_000_000).is_none(), "nothing leaves before consent");
        prop_assert!(!o.persistable());
        prop_assert!(o.unload_chunks().is_empty());
        if grant {
            o.set_consent(Consent::Granted);
            let b = o.next_batch(1_000_000).expect("sent once granted");
            prop_assert_eq!(b.events.len(), events.min(20));
        } else {
            o.set_consent(Consent::Denied);
            prop_assert_eq!(o.stats().queued, 0);
            prop_assert_eq!(o.stats().discarded_no_consent, events as u64);
            o.push(QueuedEvent { id: "late".into(), body: "{}".into(), at: 0 });
            prop_assert_eq!(o.stats().queued, 0);
        }
    }

    #[test]
    fn beacon_chunks_fit_and_cover_the_queue(sizes in prop::collection::vec(1..30_000usize, 0..40)) {
        let mut o = Outbox::new(DeliveryConfig { max_queue_bytes: 10_000_000, ..DeliveryConfig::default() }, Consent::Granted, 1);
        for (i, n) in sizes.iter().enumerate() {
            o.push(QueuedEvent { id: format!("e{i}"), body: "x".repeat(*n), at: 0 });
        }
        let chunks = o.unload_chunks();
        let mut seen = 0;
        for c in &chunks {
            let body = hudong_core::wire::body_of(&hudong_core::wire::WireFormat::Hudong, 0, 0, c.iter().map(|e| e.body.as_str()), 1_795_373_881_110);
            prop_assert!(body.len() <= 64 * 1024, "beacon of {} bytes", body.len());
            seen += c.len();
        }
        prop_assert_eq!(seen, o.stats().queued);
    }
}

#[test]
fn backoff_grows_is_capped_and_honours_retry_after() {
    let cfg = DeliveryConfig::default();
    let mut o = Outbox::new(cfg.clone(), Consent::Granted, 3);
    o.push(QueuedEvent {
        id: "a".into(),
        body: "{}".into(),
        at: 0,
    });
    o.flush();
    let mut now = 0;
    let mut waits = Vec::new();
    for _ in 0..8 {
        let b = o.next_batch(now).unwrap();
        match o.settle(b.id, Outcome::Unreachable, now) {
            Settled::Retrying { at, .. } => {
                waits.push(at - now);
                now = at;
            }
            s => panic!("{s:?}"),
        }
    }
    // Each wait is within [half, full] of base·2^(n-1), capped.
    for (i, w) in waits.iter().enumerate() {
        let full = (cfg.backoff_base_ms << i).min(cfg.backoff_max_ms);
        assert!(
            *w >= full / 2 && *w <= full,
            "attempt {}: waited {w}, window {full}",
            i + 1
        );
    }
    let b = o.next_batch(now).unwrap();
    assert_eq!(
        o.settle(
            b.id,
            Outcome::Status {
                status: 429,
                retry_after_ms: Some(42_000)
            },
            now
        ),
        Settled::Retrying {
            at: now + 42_000,
            attempt: 9
        }
    );
    assert!(o.next_batch(now + 41_999).is_none());
    assert!(o.next_batch(now + 42_000).is_some());
}

#[test]
fn server_errors_dead_letter_after_max_attempts_and_can_be_requeued() {
    let cfg = DeliveryConfig {
        max_attempts: 3,
        ..DeliveryConfig::default()
    };
    let mut o = Outbox::new(cfg, Consent::Granted, 3);
    o.push(QueuedEvent {
        id: "a".into(),
        body: "{}".into(),
        at: 0,
    });
    o.flush();
    let mut now = 0;
    let mut last = None;
    for _ in 0..3 {
        now += 100_000;
        let b = o.next_batch(now).unwrap();
        last = Some(o.settle(
            b.id,
            Outcome::Status {
                status: 503,
                retry_after_ms: None,
            },
            now,
        ));
    }
    assert_eq!(
        last,
        Some(Settled::DeadLettered {
            events: 1,
            status: 503
        })
    );
    assert_eq!(o.dead_letters()[0].events[0].id, "a");
    assert!(o.dead_letters()[0].reason.contains("3 attempts"));
    assert_eq!(o.stats().queued, 0);
    assert_eq!(o.requeue_dead_letters(), 1);
    assert_eq!(o.stats().queued, 1);
    assert!(o.dead_letters().is_empty());
}

#[test]
fn a_full_queue_drops_the_oldest_and_reports_the_count_in_the_next_batch() {
    let cfg = DeliveryConfig {
        max_queue_events: 3,
        ..DeliveryConfig::default()
    };
    let mut o = Outbox::new(cfg, Consent::Granted, 3);
    let mut dropped = 0;
    for i in 0..5 {
        dropped += o.push(QueuedEvent {
            id: format!("e{i}"),
            body: "{}".into(),
            at: 0,
        });
    }
    assert_eq!(dropped, 2);
    o.flush();
    let b = o.next_batch(0).unwrap();
    assert_eq!(
        b.events.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
        ["e2", "e3", "e4"]
    );
    assert_eq!(b.dropped, 2);
    o.settle(b.id, Outcome::Delivered, 0);
    o.push(QueuedEvent {
        id: "e5".into(),
        body: "{}".into(),
        at: 0,
    });
    o.flush();
    assert_eq!(
        o.next_batch(0).unwrap().dropped,
        0,
        "reported once delivered"
    );
    assert_eq!(o.stats().dropped, 2);
}

#[test]
fn batching_waits_for_size_or_interval() {
    let cfg = DeliveryConfig::default();
    let mut o = Outbox::new(cfg.clone(), Consent::Granted, 3);
    o.push(QueuedEvent {
        id: "a".into(),
        body: "{}".into(),
        at: 1_000,
    });
    assert!(o.next_batch(1_000).is_none());
    assert_eq!(o.next_wake(1_000), Some(1_000 + cfg.flush_interval_ms));
    assert!(o.next_batch(1_000 + cfg.flush_interval_ms).is_some());

    let mut o = Outbox::new(cfg.clone(), Consent::Granted, 3);
    for i in 0..cfg.max_batch_events {
        o.push(QueuedEvent {
            id: format!("e{i}"),
            body: "{}".into(),
            at: 1_000,
        });
    }
    assert_eq!(
        o.next_batch(1_000).unwrap().events.len(),
        cfg.max_batch_events,
        "a full batch goes at once"
    );
}

#[test]
fn pump_sync_drains_through_a_native_transport() {
    let mut o = Outbox::new(
        DeliveryConfig {
            max_batch_events: 3,
            ..DeliveryConfig::default()
        },
        Consent::Granted,
        3,
    );
    for i in 0..7 {
        o.push(QueuedEvent {
            id: format!("e{i}"),
            body: "{}".into(),
            at: 0,
        });
    }
    o.flush();
    let mut sent = Vec::new();
    let settled = pump_sync(
        &mut o,
        &mut |b: &Batch| {
            sent.push(b.events.len());
            Outcome::Delivered
        },
        0,
    );
    assert_eq!(sent, vec![3, 3, 1]);
    assert_eq!(settled.len(), 3);
    assert_eq!(o.stats().delivered, 7);
    // A failure stops the pump until the backoff ends.
    o.push(QueuedEvent {
        id: "x".into(),
        body: "{}".into(),
        at: 0,
    });
    o.flush();
    let settled = pump_sync(&mut o, &mut |_: &Batch| Outcome::Unreachable, 0);
    assert!(matches!(settled[..], [Settled::Retrying { .. }]));
}
