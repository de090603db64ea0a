//! What one address, one socket or one script may take of the backend: sockets per
//! address, anonymous joins per address and per room, messages per socket, the size of a
//! frame and of an event, and rooms held in memory. Each refusal has a code and a reason
//! ([`Limit`]); the room goes on serving everyone else.
use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

/// The limits, as `hudong-backend --help` lists their flags.
#[derive(Debug, Clone)]
pub struct Config {
    /// Open WebSockets and event streams from one address (`--max-sockets-per-address`).
    /// Carrier-grade NAT puts many phones behind one address: generous, not tight.
    pub sockets_per_address: usize,
    /// Anonymous joins from one address in [`JOIN_WINDOW_MS`] (`--max-anonymous-joins`).
    pub anonymous_joins_per_address: u32,
    /// Anonymous joins of one room in [`JOIN_WINDOW_MS`].
    pub anonymous_joins_per_room: u32,
    /// Rooms held in memory (`--max-rooms`); idle ones are evicted first.
    pub rooms: usize,
    /// A room with no viewer and no command for this long leaves memory (its log stays in
    /// the database, and it is rebuilt from it when it is next used).
    pub idle_room_ms: u64,
    /// Messages a viewer's command socket may send a second, sustained, and in a burst
    /// (a snapshot request costs [`SNAPSHOT_COST`]).
    pub socket_messages_per_s: f64,
    pub socket_burst: f64,
    /// The largest message a viewer's command socket may send (pings, snapshot requests).
    pub command_message_bytes: usize,
    /// The largest batch of events (one WebSocket message or one HTTP body).
    pub batch_bytes: usize,
    /// The largest single event.
    pub event_bytes: usize,
}

/// The furthest behind the room a viewer's video may say it was when a timed action (a
/// grab, an entry, a vote, an answer) is judged at the moment it showed (`behind_ms` of
/// the event): HLS viewers run 3–30 s behind.
pub const MAX_BEHIND_MS: u64 = 30_000;

/// The window anonymous joins are counted in.
pub const JOIN_WINDOW_MS: u64 = 10 * 60 * 1000;
/// What a snapshot request costs of a socket's bucket: one a second, sustained.
pub const SNAPSHOT_COST: f64 = 5.0;

impl Default for Config {
    fn default() -> Self {
        Config {
            sockets_per_address: 256,
            anonymous_joins_per_address: 30,
            anonymous_joins_per_room: 20_000,
            rooms: 10_000,
            idle_room_ms: 10 * 60 * 1000,
            socket_messages_per_s: 5.0,
            socket_burst: 20.0,
            command_message_bytes: 4 * 1024,
            batch_bytes: 256 * 1024,
            event_bytes: 16 * 1024,
        }
    }
}

/// A limit that refused something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    Sockets,
    AddressJoins,
    RoomJoins,
    Rooms,
    Rate,
    TooLarge,
}

impl Limit {
    pub fn code(self) -> &'static str {
        match self {
            Limit::Sockets => "too_many_sockets",
            Limit::AddressJoins | Limit::RoomJoins => "too_many_joins",
            Limit::Rooms => "too_many_rooms",
            Limit::Rate => "rate_limited",
            Limit::TooLarge => "too_large",
        }
    }

    pub fn reason(self) -> &'static str {
        match self {
            Limit::Sockets => "too many open connections from this address",
            Limit::AddressJoins => {
                "too many anonymous joins from this address: sign the viewer in, or try again later"
            }
            Limit::RoomJoins => "too many anonymous joins of this room: try again later",
            Limit::Rooms => "the backend holds as many rooms as it may: try again later",
            Limit::Rate => "too many messages on this connection",
            Limit::TooLarge => "the message is larger than the backend takes",
        }
    }
}

/// Counts per key in fixed windows; keys whose window has passed are dropped as the map grows.
struct Windows<K> {
    counts: HashMap<K, (u64, u32)>,
}

impl<K: Hash + Eq> Windows<K> {
    fn new() -> Self {
        Windows {
            counts: HashMap::new(),
        }
    }

    /// Counts one for `key` unless it reached `max` in the window; `false` if it had.
    fn take(&mut self, key: K, max: u32, window: u64, now: u64) -> bool {
        if self.counts.len() >= 100_000 {
            self.counts.retain(|_, (start, _)| now < *start + window);
        }
        let slot = self.counts.entry(key).or_insert((now, 0));
        if now >= slot.0 + window {
            *slot = (now, 0);
        }
        if slot.1 >= max {
            return false;
        }
        slot.1 += 1;
        true
    }

    /// Gives one back (a join refused by a later check).
    fn give_back(&mut self, key: &K) {
        if let Some(slot) = self.counts.get_mut(key) {
            slot.1 = slot.1.saturating_sub(1);
        }
    }
}

pub struct Limits {
    pub config: Config,
    sockets: Mutex<HashMap<IpAddr, usize>>,
    joins: Mutex<Windows<IpAddr>>,
    room_joins: Mutex<Windows<String>>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits::new(Config::default())
    }
}

/// An open socket's place in its address's count, given back when it is dropped.
pub struct SocketSlot {
    limits: Arc<Limits>,
    address: IpAddr,
}

impl Drop for SocketSlot {
    fn drop(&mut self) {
        let mut sockets = self
            .limits
            .sockets
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some(n) = sockets.get_mut(&self.address) {
            *n -= 1;
            if *n == 0 {
                sockets.remove(&self.address);
            }
        }
    }
}

impl Limits {
    pub fn new(config: Config) -> Limits {
        Limits {
            config,
            sockets: Mutex::default(),
            joins: Mutex::new(Windows::new()),
            room_joins: Mutex::new(Windows::new()),
        }
    }

    /// A place for one more socket from `address`, held until the slot is dropped.
    pub fn socket(self: &Arc<Self>, address: IpAddr) -> Result<SocketSlot, Limit> {
        let mut sockets = self.sockets.lock().unwrap_or_else(|p| p.into_inner());
        let n = sockets.entry(address).or_default();
        if *n >= self.config.sockets_per_address {
            return Err(Limit::Sockets);
        }
        *n += 1;
        Ok(SocketSlot {
            limits: self.clone(),
            address,
        })
    }

    /// Open sockets from `address`.
    pub fn sockets_of(&self, address: IpAddr) -> usize {
        let sockets = self.sockets.lock().unwrap_or_else(|p| p.into_inner());
        sockets.get(&address).copied().unwrap_or(0)
    }

    /// One anonymous join of `room` from `address`, counted if both are under their limits.
    pub fn anonymous_join(&self, address: IpAddr, room: &str, now: u64) -> Result<(), Limit> {
        let mut joins = self.joins.lock().unwrap_or_else(|p| p.into_inner());
        if !joins.take(
            address,
            self.config.anonymous_joins_per_address,
            JOIN_WINDOW_MS,
            now,
        ) {
            return Err(Limit::AddressJoins);
        }
        let mut rooms = self.room_joins.lock().unwrap_or_else(|p| p.into_inner());
        if !rooms.take(
            room.to_owned(),
            self.config.anonymous_joins_per_room,
            JOIN_WINDOW_MS,
            now,
        ) {
            joins.give_back(&address);
            return Err(Limit::RoomJoins);
        }
        Ok(())
    }

    /// A socket's message bucket.
    pub fn bucket(&self, now: u64) -> Bucket {
        Bucket {
            tokens: self.config.socket_burst,
            burst: self.config.socket_burst,
            per_ms: self.config.socket_messages_per_s / 1000.0,
            last: now,
        }
    }
}

/// A token bucket: what a socket may still send.
pub struct Bucket {
    tokens: f64,
    burst: f64,
    per_ms: f64,
    last: u64,
}

impl Bucket {
    /// Takes `cost` tokens if there are as many; `false` (nothing taken) otherwise.
    pub fn take(&mut self, cost: f64, now: u64) -> bool {
        let elapsed = now.saturating_sub(self.last) as f64;
        self.last = self.last.max(now);
        self.tokens = (self.tokens + elapsed * self.per_ms).min(self.burst);
        if self.tokens < cost {
            return false;
        }
        self.tokens -= cost;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sockets_are_counted_per_address_and_given_back() {
        let limits = Arc::new(Limits::new(Config {
            sockets_per_address: 2,
            ..Config::default()
        }));
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let one = limits.socket(a).unwrap();
        let _two = limits.socket(a).unwrap();
        assert_eq!(limits.socket(a).err(), Some(Limit::Sockets));
        let _other = limits.socket(b).expect("another address is not affected");
        drop(one);
        assert_eq!(limits.sockets_of(a), 1);
        limits.socket(a).expect("a place was given back");
    }

    #[test]
    fn anonymous_joins_are_capped_per_address_and_room_per_window() {
        let limits = Limits::new(Config {
            anonymous_joins_per_address: 3,
            anonymous_joins_per_room: 4,
            ..Config::default()
        });
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        for _ in 0..3 {
            limits.anonymous_join(a, "r", 1_000).unwrap();
        }
        assert_eq!(
            limits.anonymous_join(a, "r", 1_001),
            Err(Limit::AddressJoins)
        );
        limits.anonymous_join(b, "r", 1_002).unwrap();
        assert_eq!(limits.anonymous_join(b, "r", 1_003), Err(Limit::RoomJoins));
        limits
            .anonymous_join(b, "other", 1_004)
            .expect("another room is not affected");
        // A new window.
        limits
            .anonymous_join(a, "other", 1_000 + JOIN_WINDOW_MS)
            .unwrap();
    }

    #[test]
    fn a_bucket_allows_a_burst_then_its_rate_and_survives_a_clock_going_back() {
        let limits = Limits::new(Config {
            socket_messages_per_s: 5.0,
            socket_burst: 10.0,
            ..Config::default()
        });
        let mut b = limits.bucket(0);
        for _ in 0..10 {
            assert!(b.take(1.0, 0));
        }
        assert!(!b.take(1.0, 0));
        assert!(b.take(1.0, 200), "one more after 200 ms at 5 a second");
        assert!(!b.take(1.0, 100), "a clock that goes back gives nothing");
        assert!(!b.take(SNAPSHOT_COST, 400));
        assert!(b.take(SNAPSHOT_COST, 1_400));
    }
}
