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
        rooms.entry(room.to_owned()).or_insert_with(|| broadcast::channel(BACKLOG).0).clone()
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
