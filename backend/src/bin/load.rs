//! hudong-load: simulated viewers for a room on the reference backend.
//!
//!   hudong-load --url http://127.0.0.1:8787 --room demo --viewers 500 [--seconds 30] [--drive]
//!   hudong-load --url http://127.0.0.1:8787 --url http://127.0.0.1:8788 …   (several processes)
//!
//! Each viewer holds a WebSocket to the room like the SDK does, and acts on what it sees
//! with human timing: votes 0.5–6 s after a poll opens, answers a quiz question in 1–8 s,
//! grabs a flash sale 0–800 ms after it starts, redeems 2–10 s after a catalog opens. Their
//! events go to the collector over its WebSocket, batched, as the SDK's transport sends
//! them. With `--drive` the tool also runs a short show (poll, quiz, flash sale) and
//! measures fan-out latency: from posting each command to each viewer receiving it.
//! With several `--url`s the viewers are spread over the processes (viewer i on the i-th
//! modulo their number), each sending its events to its own process's collector, and the
//! show is driven through the first.
//! Prints one table at the end; an interrupt (Ctrl-C, or SIGTERM) ends the run early and
//! still prints it, so a run can last exactly as long as the show it watches.
use futures_util::{SinkExt, StreamExt};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

struct Opts {
    /// The first `--url`: where the show is driven.
    url: String,
    /// Every `--url`, the first included.
    urls: Vec<String>,
    room: String,
    viewers: usize,
    seconds: u64,
    drive: bool,
    /// The host key (`--host-key`, or `HUDONG_HOST_KEY`): the tool posts the host's commands
    /// and relays its simulated viewers' events. Empty against a development-mode backend.
    host_key: String,
}

fn opts() -> Result<Opts, String> {
    let mut o = Opts {
        url: String::new(),
        urls: Vec::new(),
        room: "load".into(),
        viewers: 100,
        seconds: 30,
        drive: false,
        host_key: std::env::var("HUDONG_HOST_KEY").unwrap_or_default(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--url" => o.urls.push(value()?.trim_end_matches('/').to_owned()),
            "--host-key" => o.host_key = value()?,
            "--room" => o.room = value()?,
            "--viewers" => o.viewers = value()?.parse().map_err(|_| "--viewers takes a number")?,
            "--seconds" => o.seconds = value()?.parse().map_err(|_| "--seconds takes a number")?,
            "--drive" => o.drive = true,
            "-h" | "--help" => {
                println!("hudong-load --url http://127.0.0.1:8787 [--url …] --room demo --viewers 100 [--seconds 30] [--drive]");
                std::process::exit(0);
            }
            other => return Err(format!("unknown option {other} (try --help)")),
        }
    }
    if o.urls.is_empty() {
        o.urls.push("http://127.0.0.1:8787".into());
    }
    o.url = o.urls[0].clone();
    if o.viewers == 0 || o.viewers > 20_000 {
        return Err("--viewers is 1 to 20000".into());
    }
    Ok(o)
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// A small deterministic generator per viewer (no shared state, no extra crate).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo).max(1)
    }
}

#[derive(Default)]
struct Stats {
    connected: AtomicU64,
    failed: AtomicU64,
    messages: AtomicU64,
    events: AtomicU64,
    answers: AtomicU64,
    /// Reward requests sent (grabs, redemptions).
    requests: AtomicU64,
    /// When the first reward request left and the last answer to one arrived.
    first_request: Mutex<Option<Instant>>,
    last_answer: Mutex<Option<Instant>>,
    /// Fan-out latencies in µs, for commands this tool posted.
    latencies: Mutex<Vec<u64>>,
}

/// When each command the driver posted left, by room sequence number.
type Sent = Arc<Mutex<HashMap<u64, Instant>>>;

#[tokio::main]
async fn main() {
    let o = match opts() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("hudong-load: {e}");
            std::process::exit(2);
        }
    };
    let ws_bases: Vec<String> = o.urls.iter().map(|u| u.replacen("http", "ws", 1)).collect();
    let stats = Arc::new(Stats::default());
    let sent: Sent = Arc::default();
    let run = now_ms();
    // Ctrl-C or SIGTERM: every viewer leaves now, and the table is printed as usual.
    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        interrupted().await;
        let _ = stop_tx.send(true);
    });

    // Events leave through a collector socket per process, in batches.
    let mut senders = Vec::new();
    let mut collectors = Vec::new();
    for ws_base in &ws_bases {
        let (events_tx, events_rx) = mpsc::unbounded_channel::<Value>();
        senders.push(events_tx);
        collectors.push(tokio::spawn(collect(
            format!("{ws_base}/collect/ws{}", host_query(&o, "token")),
            events_rx,
            stats.clone(),
        )));
    }

    let mut viewers = Vec::new();
    for i in 0..o.viewers {
        let v = Viewer {
            i,
            run,
            room: o.room.clone(),
            events: senders[i % senders.len()].clone(),
            stats: stats.clone(),
            sent: sent.clone(),
            rng: Rng(run ^ (i as u64 + 1) * 7919),
            seq: 0,
            upvoted: false,
        };
        let ws_base = &ws_bases[i % ws_bases.len()];
        let url = format!(
            "{ws_base}/rooms/{}/ws?user={}{}",
            o.room,
            v.user(),
            // The host's relay: not counted per address (in development mode any key is).
            format!("&key={}", o.host_key)
        );
        viewers.push(tokio::spawn(v.live(
            url,
            Duration::from_secs(o.seconds),
            stop.clone(),
        )));
        if i % 50 == 49 {
            tokio::time::sleep(Duration::from_millis(20)).await; // a ramp, not a thundering herd
        }
    }
    drop(senders);
    tokio::time::sleep(Duration::from_millis(500)).await;
    if o.drive {
        if let Err(e) = drive(&o, &sent).await {
            eprintln!("hudong-load: the show stopped: {e}");
        }
    }
    for v in viewers {
        let _ = v.await;
    }
    for c in collectors {
        let _ = c.await;
    }

    let mut lat = stats.latencies.lock().unwrap().clone();
    lat.sort_unstable();
    let pct = |p: f64| {
        if lat.is_empty() {
            0.0
        } else {
            lat[((lat.len() as f64 - 1.0) * p).round() as usize] as f64 / 1000.0
        }
    };
    println!("\n| measure | value |\n|---|---|");
    println!(
        "| viewers connected | {} of {} |",
        stats.connected.load(Ordering::Relaxed),
        o.viewers
    );
    println!(
        "| connections failed | {} |",
        stats.failed.load(Ordering::Relaxed)
    );
    println!(
        "| messages received | {} |",
        stats.messages.load(Ordering::Relaxed)
    );
    println!("| events sent | {} |", stats.events.load(Ordering::Relaxed));
    println!(
        "| answers to own requests | {} |",
        stats.answers.load(Ordering::Relaxed)
    );
    let requests = stats.requests.load(Ordering::Relaxed);
    let answers = stats.answers.load(Ordering::Relaxed);
    let first = *stats.first_request.lock().unwrap();
    let last = *stats.last_answer.lock().unwrap();
    let rate = match (first, last) {
        (Some(a), Some(b)) if b > a => {
            format!("{:.0}", answers as f64 / b.duration_since(a).as_secs_f64())
        }
        _ => "-".into(),
    };
    println!("| reward requests sent / answered | {requests} / {answers} |");
    println!(
        "| decisions per second (answers from the first request to the last answer) | {rate} |"
    );
    println!("| processes | {} |", o.urls.len());
    println!(
        "| fan-out latency p50 / p99 / max | {:.1} / {:.1} / {:.1} ms ({} deliveries) |",
        pct(0.5),
        pct(0.99),
        pct(1.0),
        lat.len()
    );
}

/// Resolves on Ctrl-C, or on SIGTERM where there are signals.
async fn interrupted() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

struct Viewer {
    i: usize,
    run: u64,
    room: String,
    events: mpsc::UnboundedSender<Value>,
    stats: Arc<Stats>,
    sent: Sent,
    rng: Rng,
    seq: u64,
    /// Whether this viewer has upvoted a question yet (once is enough).
    upvoted: bool,
}

impl Viewer {
    fn user(&self) -> String {
        format!("sim-{}-{}", self.run % 100_000, self.i)
    }

    async fn live(
        mut self,
        url: String,
        for_: Duration,
        mut stop: tokio::sync::watch::Receiver<bool>,
    ) {
        let Ok((socket, _)) = tokio_tungstenite::connect_async(&url).await else {
            self.stats.failed.fetch_add(1, Ordering::Relaxed);
            return;
        };
        self.stats.connected.fetch_add(1, Ordering::Relaxed);
        let (mut tx, mut rx) = socket.split();
        let (act_tx, mut act_rx) = mpsc::unbounded_channel::<(Duration, Value)>();
        let deadline = tokio::time::sleep(for_);
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                _ = &mut deadline => break,
                _ = stop.wait_for(|s| *s) => break,
                msg = rx.next() => {
                    let Some(Ok(Message::Text(text))) = msg else { if msg.is_none() { break } else { continue } };
                    let received = Instant::now();
                    self.stats.messages.fetch_add(1, Ordering::Relaxed);
                    let Ok(v) = serde_json::from_str::<Value>(text.as_str()) else { continue };
                    if let Some(seq) = v.get("seq").and_then(Value::as_u64) {
                        if let Some(t0) = self.sent.lock().unwrap().get(&seq) {
                            self.stats.latencies.lock().unwrap().push(received.duration_since(*t0).as_micros() as u64);
                        }
                    }
                    for (delay, event) in self.react(&v) {
                        let tx = act_tx.clone();
                        tokio::spawn(async move {
                            tokio::time::sleep(delay).await;
                            let _ = tx.send((Duration::ZERO, event));
                        });
                    }
                }
                Some((_, event)) = act_rx.recv() => {
                    self.stats.events.fetch_add(1, Ordering::Relaxed);
                    if matches!(event["type"].as_str(), Some("flash.grab" | "redeem.request")) {
                        self.stats.requests.fetch_add(1, Ordering::Relaxed);
                        self.stats.first_request.lock().unwrap().get_or_insert_with(Instant::now);
                    }
                    let _ = self.events.send(event);
                }
            }
        }
        let _ = tx.send(Message::Close(None)).await;
    }

    fn event(&mut self, widget: &str, kind: &str, mut fields: Value) -> Value {
        self.seq += 1;
        let user = self.user();
        let f = fields.as_object_mut().unwrap();
        f.insert("v".into(), 1.into());
        f.insert(
            "event_id".into(),
            format!("load-{}-{}-{}", self.run, self.i, self.seq).into(),
        );
        f.insert("seq".into(), self.seq.into());
        f.insert("at".into(), now_ms().into());
        f.insert("client_at".into(), now_ms().into());
        f.insert("room_id".into(), self.room.clone().into());
        f.insert(
            "session_id".into(),
            format!("load-session-{}-{}", self.run, self.i).into(),
        );
        f.insert("user_id".into(), user.into());
        f.insert("widget_id".into(), widget.into());
        f.insert("kind".into(), kind.into());
        fields
    }

    /// What a viewer does about a message, and after how long.
    fn react(&mut self, v: &Value) -> Vec<(Duration, Value)> {
        let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
        let widget = s("widget_id");
        let user = self.user();
        let ms = Duration::from_millis;
        let kind = s("type");
        // As the SDK does: a widget appearing is an exposure event.
        let mut shown = Vec::new();
        if let Some(k) = kind.strip_suffix(".open") {
            let k = if k == "flash" { "flash_sale" } else { k };
            shown.push((
                Duration::ZERO,
                self.event(&widget, k, json!({"type": "widget.shown"})),
            ));
        }
        let mut acts = self.act(v, &kind, &widget, &user, ms);
        shown.append(&mut acts);
        shown
    }

    fn act(
        &mut self,
        v: &Value,
        kind: &str,
        widget: &str,
        user: &str,
        ms: fn(u64) -> Duration,
    ) -> Vec<(Duration, Value)> {
        let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
        let (widget, user) = (widget.to_owned(), user.to_owned());
        match kind {
            "poll.open" => {
                let options = v["options"].as_array().cloned().unwrap_or_default();
                if options.is_empty() {
                    return vec![];
                }
                let pick =
                    options[self.rng.between(0, options.len() as u64) as usize]["id"].clone();
                let e = self.event(&widget, "poll", json!({"type": "poll.vote", "option_ids": [pick], "idempotency_key": format!("{}:{widget}:{user}:vote:1", self.room), "revote": false}));
                vec![(ms(self.rng.between(500, 6_000)), e)]
            }
            "quiz.question" => {
                let options = v["options"].as_array().cloned().unwrap_or_default();
                if options.is_empty() {
                    return vec![];
                }
                let pick =
                    options[self.rng.between(0, options.len() as u64) as usize]["id"].clone();
                let t = self.rng.between(1_000, 8_000);
                let q = s("question_id");
                let e = self.event(&widget, "quiz", json!({"type": "quiz.answer", "question_id": q, "option_id": pick, "time_to_answer_ms": t,
                    "idempotency_key": format!("{}:{widget}:{user}:answer:{q}", self.room)}));
                vec![(ms(t), e)]
            }
            "lottery.open" => {
                let e = self.event(&widget, "lottery", json!({"type": "lottery.enter", "request_id": format!("{}:{widget}:{user}:enter:1", self.room),
                    "condition": v["condition"].as_str().unwrap_or("none"), "keyword": v.get("keyword").cloned().unwrap_or(Value::Null)}));
                vec![(ms(self.rng.between(500, 4_000)), e)]
            }
            "questions.open" => {
                // A few ask; the same few questions come up again and again (the server merges them).
                if self.rng.between(0, 7) != 0 {
                    return vec![];
                }
                const ASKED: [&str; 4] = ["干皮能用吗？", "持妆多久？", "会不会拔干", "有没有小样"];
                let text = ASKED[self.rng.between(0, ASKED.len() as u64) as usize];
                let e = self.event(&widget, "questions", json!({"type": "question.ask", "request_id": format!("{}:{widget}:{user}:ask:1", self.room), "text": text}));
                vec![(ms(self.rng.between(1_000, 6_000)), e)]
            }
            "question.queue" => {
                let items = v["items"].as_array().cloned().unwrap_or_default();
                if self.upvoted || items.is_empty() || self.rng.between(0, 4) != 0 {
                    return vec![];
                }
                self.upvoted = true;
                let pick =
                    items[self.rng.between(0, items.len() as u64) as usize]["question_id"].clone();
                let key = format!(
                    "{}:{widget}:{user}:upvote:{}",
                    self.room,
                    pick.as_str().unwrap_or("")
                );
                let e = self.event(
                    &widget,
                    "questions",
                    json!({"type": "question.upvote", "question_id": pick, "idempotency_key": key}),
                );
                vec![(ms(self.rng.between(500, 3_000)), e)]
            }
            "coupon.open" => {
                // About a third claim, within the first seconds.
                if self.rng.between(0, 3) != 0 {
                    return vec![];
                }
                let e = self.event(&widget, "coupon", json!({"type": "coupon.claim", "request_id": format!("{}:{widget}:{user}:coupon:1", self.room), "gate": v["gate"].as_str().unwrap_or("none")}));
                vec![(ms(self.rng.between(1_000, 5_000)), e)]
            }
            "likes.open" => {
                // Half the viewers like: a few coalesced batches a second or more apart.
                if self.rng.between(0, 2) == 0 {
                    return vec![];
                }
                let mut at = self.rng.between(500, 3_000);
                (1..=self.rng.between(1, 5))
                    .map(|batch| {
                        at += self.rng.between(1_000, 3_000);
                        let count = self.rng.between(1, 12);
                        (
                            ms(at),
                            self.event(
                                &widget,
                                "likes",
                                json!({"type": "like.sent", "count": count, "batch": batch}),
                            ),
                        )
                    })
                    .collect()
            }
            "lead.open" => {
                // The plans' add-WeCom conversion target is 5–20%: here about 40% of viewers
                // look at the code and 15% confirm (consenting, where the card asks).
                let roll = self.rng.between(0, 100);
                let mut out = Vec::new();
                if roll < 40 {
                    let via = if v.get("url").is_some() { "qr" } else { "copy" };
                    out.push((
                        ms(self.rng.between(1_000, 4_000)),
                        self.event(&widget, "lead", json!({"type": "lead.clicked", "via": via})),
                    ));
                }
                if roll < 15 {
                    let target = v["target"].as_str().unwrap_or("follow");
                    let shares = target != "follow";
                    let e = self.event(&widget, "lead", json!({"type": "lead.confirm", "request_id": format!("{}:{widget}:{user}:lead:1", self.room),
                        "target": target, "consent": shares, "purpose": if shares { v["purpose"].clone() } else { Value::Null }, "perk_open": true}));
                    out.push((ms(self.rng.between(4_000, 8_000)), e));
                }
                out
            }
            "flash.open" => {
                let wait = v["starts_at"]
                    .as_u64()
                    .unwrap_or(0)
                    .saturating_sub(now_ms())
                    + self.rng.between(0, 800);
                let e = self.event(&widget, "flash_sale", json!({"type": "flash.grab", "request_id": format!("{}:{widget}:{user}:grab:1", self.room)}));
                vec![(ms(wait), e)]
            }
            "redeem.open" => {
                let items = v["items"].as_array().cloned().unwrap_or_default();
                if items.is_empty() {
                    return vec![];
                }
                let item = items[self.rng.between(0, items.len() as u64) as usize].clone();
                let e = self.event(&widget, "redeem", json!({"type": "redeem.request", "item_id": item["item_id"], "cost": item["cost"],
                    "request_id": format!("{}:{widget}:{user}:redeem:1", self.room)}));
                vec![(ms(self.rng.between(2_000, 10_000)), e)]
            }
            "flash.result" | "redeem.result" => {
                if !v["request_id"]
                    .as_str()
                    .is_some_and(|r| r.contains(&format!(":{user}:")))
                {
                    return vec![];
                }
                self.stats.answers.fetch_add(1, Ordering::Relaxed);
                *self.stats.last_answer.lock().unwrap() = Some(Instant::now());
                // As the SDK does: the answer reaching the viewer is an event too.
                let kind = if s("type") == "flash.result" {
                    "flash_sale"
                } else {
                    "redeem"
                };
                let mut fields = json!({"type": s("type"), "request_id": v["request_id"], "outcome": v["outcome"]});
                for k in ["order_ref", "voucher_ref"] {
                    if let Some(r) = v.get(k) {
                        fields[k] = r.clone();
                    }
                }
                let e = self.event(&widget, kind, fields);
                vec![(Duration::ZERO, e)]
            }
            _ => vec![],
        }
    }
}

/// Sends events in batches of up to 50 over the collector's WebSocket, as the SDK does.
async fn collect(url: String, mut rx: mpsc::UnboundedReceiver<Value>, stats: Arc<Stats>) {
    let Ok((mut socket, _)) = tokio_tungstenite::connect_async(&url).await else {
        eprintln!("hudong-load: cannot reach the collector at {url}");
        stats.failed.fetch_add(1, Ordering::Relaxed);
        return;
    };
    let mut batch_id = 0u64;
    while let Some(first) = rx.recv().await {
        let mut events = vec![first];
        while events.len() < 50 {
            match rx.try_recv() {
                Ok(e) => events.push(e),
                Err(_) => break,
            }
        }
        batch_id += 1;
        let body = json!({"batch_id": batch_id, "sent_at": now_ms(), "events": events});
        if socket
            .send(Message::Text(body.to_string().into()))
            .await
            .is_err()
        {
            break;
        }
        // Wait for the ack before the next batch.
        let _ = tokio::time::timeout(Duration::from_secs(10), socket.next()).await;
    }
    let _ = socket.close(None).await;
}

/// Posts a command to the room; remembers when it left, by its sequence number.
/// The host key as a query parameter (`?token=…`), or nothing in development mode.
fn host_query(o: &Opts, name: &str) -> String {
    if o.host_key.is_empty() {
        String::new()
    } else {
        format!("?{name}={}", o.host_key)
    }
}

async fn post(o: &Opts, sent: &Sent, command: Value) -> Result<u64, String> {
    let uri: hyper::Uri = format!("{}/rooms/{}/commands", o.url, o.room)
        .parse()
        .map_err(|e| format!("{e}"))?;
    let host = uri
        .authority()
        .map(|a| a.to_string())
        .ok_or("no host in --url")?;
    let stream = tokio::net::TcpStream::connect(&host)
        .await
        .map_err(|e| e.to_string())?;
    let (mut client, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .map_err(|e| e.to_string())?;
    tokio::spawn(conn);
    let req = hyper::Request::post(uri.path())
        .header("host", host)
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {}", o.host_key))
        .body(Full::new(Bytes::from(command.to_string())))
        .map_err(|e| e.to_string())?;
    let t0 = Instant::now();
    let res = client.send_request(req).await.map_err(|e| e.to_string())?;
    let body = res
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    let v: Value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
    let seq = v["seq"]
        .as_u64()
        .ok_or_else(|| format!("the hub refused {}: {v}", command["type"]))?;
    sent.lock().unwrap().insert(seq, t0);
    Ok(seq)
}

/// A short show: a poll, a quiz question with its reveal, a flash sale.
async fn drive(o: &Opts, sent: &Sent) -> Result<(), String> {
    let tag = now_ms() % 1_000_000;
    let sleep = |ms| tokio::time::sleep(Duration::from_millis(ms));
    let poll = format!("load-poll-{tag}");
    post(o, sent, json!({"type": "poll.open", "widget_id": poll, "question": "下一个讲解哪款?",
        "options": [{"id": "a", "label": "丝绒唇釉"}, {"id": "b", "label": "精华液"}, {"id": "c", "label": "防晒霜"}], "closes_at": now_ms() + 8_000})).await?;
    let quiz = format!("load-quiz-{tag}");
    post(
        o,
        sent,
        json!({"type": "quiz.open", "widget_id": quiz, "title": "知识问答"}),
    )
    .await?;
    post(o, sent, json!({"type": "quiz.question", "widget_id": quiz, "question_id": "q1", "text": "涂口红前第一步?",
        "options": [{"id": "a", "label": "唇膜打底"}, {"id": "b", "label": "直接涂"}], "closes_at": now_ms() + 9_000})).await?;
    let flash = format!("load-flash-{tag}");
    post(o, sent, json!({"type": "flash.open", "widget_id": flash, "product": {"name": "1元秒杀", "price": 100, "original_price": 8900},
        "stock_total": (o.viewers as u64 / 5).max(1), "starts_at": now_ms() + 3_000, "ends_at": now_ms() + 60_000})).await?;
    sleep(10_000).await;
    post(
        o,
        sent,
        json!({"type": "quiz.reveal", "widget_id": quiz, "question_id": "q1", "correct": ["a"]}),
    )
    .await?;
    sleep(2_000).await;
    for w in [&poll, &quiz, &flash] {
        post(o, sent, json!({"type": "widget.remove", "widget_id": w})).await?;
    }
    Ok(())
}
