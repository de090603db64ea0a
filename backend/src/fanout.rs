//! Fan-out of a room's messages to the viewers connected to this process. Behind a trait
//! so several processes can serve one room through a shared pub/sub.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast;

/// A message for a room's viewers: everyone's, or one viewer's (`to`).
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub to: Option<String>,
    pub text: Arc<str>,
}

pub trait Fanout: Send + Sync {
    /// Sends a message to the subscribers of the room.
    fn publish(&self, room: &str, message: Outgoing);
    /// Subscribes to a room's messages from now on.
    fn subscribe(&self, room: &str) -> broadcast::Receiver<Outgoing>;
    /// Whether other processes serve the same rooms (and may be ahead of this one).
    fn shared(&self) -> bool {
        false
    }
    /// Forgets the rooms that have no subscriber here any more.
    fn sweep(&self) {}
}

/// The in-process default: one broadcast channel per room.
#[derive(Default)]
pub struct LocalFanout {
    rooms: Mutex<HashMap<String, broadcast::Sender<Outgoing>>>,
}

/// Messages a slow viewer may fall behind by before it must resync from a snapshot.
const BACKLOG: usize = 1024;

impl LocalFanout {
    /// Subscribes; `first` runs, under the lock, when the room had no subscriber here.
    fn join_then(&self, room: &str, first: impl FnOnce(&str)) -> broadcast::Receiver<Outgoing> {
        let mut rooms = self.rooms.lock().unwrap_or_else(|p| p.into_inner());
        match rooms.get(room) {
            Some(tx) => tx.subscribe(),
            None => {
                let (tx, rx) = broadcast::channel(BACKLOG);
                rooms.insert(room.to_owned(), tx);
                first(room);
                rx
            }
        }
    }

    /// Forgets the rooms nobody here listens to any more, calling `gone` for each under
    /// the same lock as [`LocalFanout::join_then`] (so a join and a leave are seen in order).
    fn forget_idle(&self, mut gone: impl FnMut(&str)) {
        let mut rooms = self.rooms.lock().unwrap_or_else(|p| p.into_inner());
        rooms.retain(|room, tx| {
            let keep = tx.receiver_count() > 0;
            if !keep {
                gone(room);
            }
            keep
        });
    }

    fn rooms(&self) -> Vec<String> {
        let rooms = self.rooms.lock().unwrap_or_else(|p| p.into_inner());
        rooms.keys().cloned().collect()
    }
}

impl Fanout for LocalFanout {
    fn publish(&self, room: &str, message: Outgoing) {
        let rooms = self.rooms.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(tx) = rooms.get(room) {
            let _ = tx.send(message); // every subscriber gone is fine
        }
    }
    fn subscribe(&self, room: &str) -> broadcast::Receiver<Outgoing> {
        self.join_then(room, |_| ())
    }
    fn sweep(&self) {
        self.forget_idle(|_| ());
    }
}

/// What the Redis listener is asked to do for a room.
enum Interest {
    Join(String),
    Leave(String),
}

/// Several processes serving the same rooms: messages go through Redis pub/sub (channel
/// `hudong:room:<id>`). Each process subscribes only to the rooms that have viewers on it,
/// and leaves a room's channel once its last viewer here is gone; it delivers to its own
/// sockets through a [`LocalFanout`], and hands messages from the other processes to
/// `on_remote` (the hub applies them to its copy of the room). A room this process holds
/// without a viewer here is brought up to date from the shared log before it is used.
pub struct RedisFanout {
    local: LocalFanout,
    client: redis::Client,
    /// Messages for the other processes, published in order by a thread of their own.
    outbox: std::sync::mpsc::Sender<(String, String)>,
    origin: String,
    interest: Mutex<Option<std::sync::mpsc::Sender<Interest>>>,
}

/// How long the listener waits for a message before it looks at joins and leaves.
const POLL: std::time::Duration = std::time::Duration::from_millis(50);
/// How often rooms without viewers here are left.
const SWEEP: std::time::Duration = std::time::Duration::from_secs(2);

/// Every room's channel is this prefix and the room id.
const CHANNEL_PREFIX: &str = "hudong:room:";

fn channel(room: &str) -> String {
    format!("{CHANNEL_PREFIX}{room}")
}

/// A new connection to Redis after waiting `wait`, with `read_timeout` set (the listener
/// polls); `None` while Redis cannot be reached.
fn reconnect(
    client: &redis::Client,
    wait: std::time::Duration,
    read_timeout: Option<std::time::Duration>,
) -> Option<redis::Connection> {
    std::thread::sleep(wait);
    let conn = client.get_connection().ok()?;
    conn.set_read_timeout(read_timeout).ok()?;
    Some(conn)
}

impl RedisFanout {
    pub fn connect(url: &str) -> redis::RedisResult<RedisFanout> {
        let client = redis::Client::open(url)?;
        let conn = client.get_connection()?;
        let (outbox, queued) = std::sync::mpsc::channel();
        std::thread::spawn({
            let client = client.clone();
            move || publisher(client, conn, queued)
        });
        let origin = format!(
            "{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0)
        );
        Ok(RedisFanout {
            local: LocalFanout::default(),
            client,
            outbox,
            origin,
            interest: Mutex::new(None),
        })
    }

    fn ask(&self, what: Interest) {
        let interest = self.interest.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(tx) = interest.as_ref() {
            let _ = tx.send(what);
        }
    }

    /// Listens for the other processes' messages on a thread of its own: subscribes to a
    /// room's channel when its first viewer here arrives, unsubscribes when the last one
    /// has gone, and reconnects (subscribing again to every room with viewers here) when
    /// the connection to Redis breaks.
    pub fn listen(
        self: &Arc<Self>,
        on_remote: impl Fn(&str, Outgoing) + Send + 'static,
    ) -> redis::RedisResult<()> {
        let (tx, rx) = std::sync::mpsc::channel::<Interest>();
        // Rooms that already have viewers (none, normally: listen runs at start).
        for room in self.local.rooms() {
            let _ = tx.send(Interest::Join(room));
        }
        *self.interest.lock().unwrap_or_else(|p| p.into_inner()) = Some(tx);
        let mut conn = self.client.get_connection()?;
        conn.set_read_timeout(Some(POLL))?;
        let me = self.clone();
        std::thread::spawn(move || {
            let mut swept = std::time::Instant::now();
            loop {
                if let Err(e) = me.serve(&mut conn, &rx, &mut swept, &on_remote) {
                    eprintln!("hudong-backend: Redis pub/sub interrupted ({e}); reconnecting");
                }
                // Reconnect, then subscribe again to every room with viewers here.
                conn = loop {
                    let wait = std::time::Duration::from_millis(500);
                    if let Some(c) = reconnect(&me.client, wait, Some(POLL)) {
                        break c;
                    }
                };
                while rx.try_recv().is_ok() {}
                for room in me.local.rooms() {
                    me.ask(Interest::Join(room));
                }
            }
        });
        Ok(())
    }

    /// Runs the pub/sub connection until it fails.
    fn serve(
        &self,
        conn: &mut redis::Connection,
        rx: &std::sync::mpsc::Receiver<Interest>,
        swept: &mut std::time::Instant,
        on_remote: &impl Fn(&str, Outgoing),
    ) -> redis::RedisResult<()> {
        let mut ps = conn.as_pubsub();
        loop {
            if swept.elapsed() >= SWEEP {
                *swept = std::time::Instant::now();
                self.local
                    .forget_idle(|room| self.ask(Interest::Leave(room.to_owned())));
            }
            while let Ok(what) = rx.try_recv() {
                match what {
                    Interest::Join(room) => ps.subscribe(channel(&room))?,
                    Interest::Leave(room) => ps.unsubscribe(channel(&room))?,
                }
            }
            let msg = match ps.get_message() {
                Ok(m) => m,
                Err(e) if e.is_timeout() => continue,
                Err(e) => return Err(e),
            };
            let Some(room) = msg.get_channel_name().strip_prefix(CHANNEL_PREFIX) else {
                continue;
            };
            let Ok(payload) = msg.get_payload::<String>() else {
                continue;
            };
            let Ok(v) = serde_json::from_str::<serde_json::Value>(&payload) else {
                continue;
            };
            if v["o"].as_str() == Some(self.origin.as_str()) {
                continue; // our own, already delivered
            }
            let out = Outgoing {
                to: v["to"].as_str().map(str::to_owned),
                text: Arc::from(v["t"].as_str().unwrap_or_default()),
            };
            on_remote(room, out);
        }
    }

    /// Delivers to this process's sockets only (messages from the other processes).
    pub fn deliver_local(&self, room: &str, message: Outgoing) {
        self.local.publish(room, message);
    }
}

impl Fanout for RedisFanout {
    fn publish(&self, room: &str, message: Outgoing) {
        let payload =
            serde_json::json!({"o": self.origin, "to": message.to, "t": message.text.as_ref()})
                .to_string();
        self.local.publish(room, message);
        // Queued, not sent here: the caller may hold the room's lock, and a round trip to
        // Redis must not stall the room.
        let _ = self.outbox.send((channel(room), payload));
    }
    fn subscribe(&self, room: &str) -> broadcast::Receiver<Outgoing> {
        // The join is asked for under the local lock: a sweep that dropped the room asked
        // its leave first, so the listener ends subscribed while viewers remain.
        self.local
            .join_then(room, |room| self.ask(Interest::Join(room.to_owned())))
    }
    fn shared(&self) -> bool {
        true
    }
}

/// Most messages sent to Redis in one pipelined write.
const BATCH: usize = 256;
/// Tries for one batch before it is given up (viewers then see the gap and ask for a
/// snapshot, which comes from the shared log).
const TRIES: usize = 5;

/// Publishes queued messages in order, as many as have queued up in one pipelined write,
/// reconnecting when the connection breaks.
fn publisher(
    client: redis::Client,
    mut conn: redis::Connection,
    queued: std::sync::mpsc::Receiver<(String, String)>,
) {
    while let Ok(first) = queued.recv() {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match queued.try_recv() {
                Ok(m) => batch.push(m),
                Err(_) => break,
            }
        }
        let mut pipe = redis::pipe();
        for (channel, payload) in &batch {
            pipe.cmd("PUBLISH").arg(channel).arg(payload).ignore();
        }
        for attempt in 1..=TRIES {
            match pipe.query::<()>(&mut conn) {
                Ok(()) => break,
                Err(e) => {
                    eprintln!(
                        "hudong-backend: Redis publish failed ({e}), try {attempt} of {TRIES}"
                    );
                    let wait = std::time::Duration::from_millis(200 * attempt as u64);
                    if let Some(fresh) = reconnect(&client, wait, None) {
                        conn = fresh;
                    }
                }
            }
        }
    }
}
