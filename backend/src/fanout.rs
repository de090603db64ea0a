//! Fan-out of a room's messages to the viewers connected to this process. Behind a trait
//! so several processes can serve one room through a shared pub/sub.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast;

pub trait Fanout: Send + Sync {
    /// Sends a message to every subscriber of the room.
    fn publish(&self, room: &str, message: Arc<str>);
    /// Subscribes to a room's messages from now on.
    fn subscribe(&self, room: &str) -> broadcast::Receiver<Arc<str>>;
}

/// The in-process default: one broadcast channel per room.
#[derive(Default)]
pub struct LocalFanout {
    rooms: Mutex<HashMap<String, broadcast::Sender<Arc<str>>>>,
}

/// Messages a slow viewer may fall behind by before it must resync from a snapshot.
const BACKLOG: usize = 1024;

impl LocalFanout {
    fn sender(&self, room: &str) -> broadcast::Sender<Arc<str>> {
        let mut rooms = self.rooms.lock().unwrap_or_else(|p| p.into_inner());
        rooms.entry(room.to_owned()).or_insert_with(|| broadcast::channel(BACKLOG).0).clone()
    }
}

impl Fanout for LocalFanout {
    fn publish(&self, room: &str, message: Arc<str>) {
        let _ = self.sender(room).send(message); // no subscribers is fine
    }
    fn subscribe(&self, room: &str) -> broadcast::Receiver<Arc<str>> {
        self.sender(room).subscribe()
    }
}
