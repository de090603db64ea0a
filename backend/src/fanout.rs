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
}

/// The in-process default: one broadcast channel per room.
#[derive(Default)]
pub struct LocalFanout {
    rooms: Mutex<HashMap<String, broadcast::Sender<Outgoing>>>,
}

/// Messages a slow viewer may fall behind by before it must resync from a snapshot.
const BACKLOG: usize = 1024;

impl LocalFanout {
    fn sender(&self, room: &str) -> broadcast::Sender<Outgoing> {
        let mut rooms = self.rooms.lock().unwrap_or_else(|p| p.into_inner());
        rooms
            .entry(room.to_owned())
            .or_insert_with(|| broadcast::channel(BACKLOG).0)
            .clone()
    }
}

impl Fanout for LocalFanout {
    fn publish(&self, room: &str, message: Outgoing) {
        let _ = self.sender(room).send(message); // no subscribers is fine
    }
    fn subscribe(&self, room: &str) -> broadcast::Receiver<Outgoing> {
        self.sender(room).subscribe()
    }
}

/// Several processes serving the same rooms: messages go through Redis pub/sub (channel
/// `hudong:room:<id>`), sequence numbers come from Redis (`INCR hudong:seq:<id>`). Each
/// process delivers to its own sockets through a [`LocalFanout`], and hands messages from
/// the other processes to `on_remote` (the hub applies them to its copy of the room).
pub struct RedisFanout {
    local: LocalFanout,
    client: redis::Client,
    conn: Mutex<redis::Connection>,
    origin: String,
}

impl RedisFanout {
    pub fn connect(url: &str) -> redis::RedisResult<RedisFanout> {
        let client = redis::Client::open(url)?;
        let conn = client.get_connection()?;
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
            conn: Mutex::new(conn),
            origin,
        })
    }

    /// Listens for the other processes' messages on a thread of its own.
    pub fn listen(
        self: &Arc<Self>,
        on_remote: impl Fn(&str, Outgoing) + Send + 'static,
    ) -> redis::RedisResult<()> {
        let mut conn = self.client.get_connection()?;
        let me = self.clone();
        std::thread::spawn(move || {
            let mut ps = conn.as_pubsub();
            if let Err(e) = ps.psubscribe("hudong:room:*") {
                eprintln!("hudong-backend: Redis subscribe failed: {e}");
                return;
            }
            loop {
                let msg = match ps.get_message() {
                    Ok(m) => m,
                    Err(e) => {
                        eprintln!("hudong-backend: Redis pub/sub stopped: {e}");
                        return;
                    }
                };
                let Some(room) = msg
                    .get_channel_name()
                    .strip_prefix("hudong:room:")
                    .map(str::to_owned)
                else {
                    continue;
                };
                let Ok(payload) = msg.get_payload::<String>() else {
                    continue;
                };
                let Ok(v) = serde_json::from_str::<serde_json::Value>(&payload) else {
                    continue;
                };
                if v["o"].as_str() == Some(me.origin.as_str()) {
                    continue; // our own, already delivered
                }
                let out = Outgoing {
                    to: v["to"].as_str().map(str::to_owned),
                    text: Arc::from(v["t"].as_str().unwrap_or_default()),
                };
                on_remote(&room, out);
            }
        });
        Ok(())
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
        let mut conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        if let Err(e) = redis::cmd("PUBLISH")
            .arg(format!("hudong:room:{room}"))
            .arg(payload)
            .query::<i64>(&mut *conn)
        {
            eprintln!("hudong-backend: Redis publish failed: {e}");
        }
    }
    fn subscribe(&self, room: &str) -> broadcast::Receiver<Outgoing> {
        self.local.subscribe(room)
    }
    fn shared(&self) -> bool {
        true
    }
}
