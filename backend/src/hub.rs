//! The room hub: commands from the host console are checked by the core (the same crate
//! the browser runs), numbered per room, stored, and fanned out to viewers over WebSocket
//! and Server-Sent Events. Late joiners and reconnects get a snapshot.
//!
//! The hub also runs the server's side of every reward ([`Decisions`], in `crate::decide`): decisions are
//! made under the rooms lock and recorded in SQLite before they are announced, so a request
//! is answered exactly once however many copies of it arrive, and concurrently.
use crate::fanout::{Fanout, Outgoing};
pub use crate::store::Standing;
use crate::store::{Store, StoredCommand};
use hudong_core::{decode_command_json, Command, HudongError, Room, RoomConfig};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// The server's decisions ([`crate::decide`]) as the hub sees them: what it calls when a
/// room takes a command, live or replayed at start. The hub knows no decision itself.
pub trait Decisions: Send + Sync {
    /// A stored question event, booked into the database's queue (at start, for a
    /// database of a version that kept only the events).
    fn book_question(&self, store: &Store, event: &Value);
    /// The room took `command`, posted through this process.
    fn took(
        &self,
        hub: &Hub,
        rooms: &mut HashMap<String, RoomEntry>,
        room: &str,
        command: &Command,
    );
}

pub struct RoomEntry {
    pub core: Room,
    pub seq: u64,
    /// The room as it was [`TAIL_MS`] ago (its commands up to `base_seq`), and the commands
    /// since (`recent`): a viewer's snapshot is the one with the other as its tail, so a
    /// viewer whose video is behind the room sees each command when the video reaches it.
    base: Room,
    base_seq: u64,
    recent: std::collections::VecDeque<Recent>,
    recent_bytes: usize,
    /// While a room is rebuilt from its log: `base` is still to be copied from `core`.
    base_pending: bool,
    pub online: Arc<AtomicUsize>,
    pub link: Arc<Link>,
    /// Sequence numbers applied from the shared log ahead of their pub/sub message, so the
    /// message, when it comes, is not applied twice (bounded: messages arrive within moments).
    from_log: std::collections::VecDeque<u64>,
    /// The last sequence number read from the log when the room was loaded: messages up to
    /// it are in already.
    loaded_through: u64,
    /// When the room was last used (ms): an idle room leaves memory.
    active: u64,
}

/// How far back a viewer's snapshot starts: its tail holds the commands of the last minute,
/// as long as a viewer's channel holds a command for its video (`channel.maxHoldMs`).
pub const TAIL_MS: u64 = 60_000;
/// Most commands, and bytes of them, in a snapshot's tail: past these the snapshot starts
/// later (a very busy room's slowest viewers may then see a little early).
const TAIL_MAX: usize = 1_000;
const TAIL_MAX_BYTES: usize = 256 * 1024;

/// One command of a room's last minute, as a snapshot's tail carries it.
pub struct Recent {
    seq: u64,
    at: u64,
    pts: Option<u64>,
    command: Command,
    body: Map<String, Value>,
    bytes: usize,
}

impl Recent {
    /// The stream moment it belongs to: its `pts`, or when it was taken.
    fn moment(&self) -> u64 {
        self.pts.unwrap_or(self.at)
    }
}

impl RoomEntry {
    /// Remembers a command the room took as number `seq`, for viewers' snapshots, and
    /// moves what is older than [`TAIL_MS`] into the base.
    fn remember(&mut self, seq: u64, at: u64, pts: Option<u64>, command: &Command, body: &str) {
        if seq <= self.base_seq || self.recent.iter().any(|r| r.seq == seq) {
            return;
        }
        let bytes = body.len();
        let Ok(Value::Object(body)) = serde_json::from_str::<Value>(body) else {
            return;
        };
        let at_index = self.recent.partition_point(|r| r.seq < seq);
        self.recent.insert(
            at_index,
            Recent {
                seq,
                at,
                pts,
                command: command.clone(),
                body,
                bytes,
            },
        );
        self.recent_bytes += bytes;
        self.settle(now_ms());
    }

    /// Applies to the base what has left the last minute (or overflows the tail's bounds).
    fn settle(&mut self, now: u64) {
        while let Some(first) = self.recent.front() {
            let old = first.moment().saturating_add(TAIL_MS) <= now;
            if !old && self.recent.len() <= TAIL_MAX && self.recent_bytes <= TAIL_MAX_BYTES {
                break;
            }
            let r = self.recent.pop_front().expect("a first command");
            self.recent_bytes -= r.bytes;
            let _ = self.base.apply(&r.command, r.at);
            self.base_seq = r.seq;
        }
    }

    /// One command of the room's log, while the room is rebuilt from it (in order): the
    /// commands older than the last minute make the base without being applied twice.
    fn replay(&mut self, c: &crate::store::StoredCommand, now: u64) -> Option<Command> {
        let command = decode_command_json(&c.body).ok();
        let old = self.recent.is_empty() && c.pts.unwrap_or(c.at).saturating_add(TAIL_MS) <= now;
        if !old && self.base_pending {
            self.base = self.core.clone();
            self.base_pending = false;
        }
        let applied = command
            .as_ref()
            .is_some_and(|cmd| self.core.apply(cmd, c.at).is_ok());
        self.seq = self.seq.max(c.seq);
        match &command {
            _ if old => {
                self.base_seq = c.seq;
                self.base_pending = true;
            }
            Some(cmd) => self.remember(c.seq, c.at, c.pts, cmd, &c.body),
            None => self.skip(c.seq),
        }
        command.filter(|_| applied)
    }

    /// A command of the log this build cannot read (of a later version): the base moves past
    /// it, so a viewer's tail has no gap to wait on.
    fn skip(&mut self, seq: u64) {
        while self.recent.front().is_some_and(|r| r.seq < seq) {
            let r = self.recent.pop_front().expect("a first command");
            self.recent_bytes -= r.bytes;
            let _ = self.base.apply(&r.command, r.at);
        }
        if self.recent.is_empty() {
            self.base_seq = self.base_seq.max(seq);
        }
    }

    /// The end of a rebuild: the base is the whole room when nothing was recent.
    fn replayed(&mut self) {
        if self.base_pending {
            self.base = self.core.clone();
            self.base_pending = false;
        }
    }
}

/// A room's viewer connections as the fault switch sees them (`POST /rooms/{id}/kick`, for
/// the sandbox and the tests): every drop bumps a generation that open connections watch,
/// and new connections are refused until a time.
pub struct Link {
    drops: tokio::sync::watch::Sender<u64>,
    refuse_until: AtomicU64,
}

impl Default for Link {
    fn default() -> Self {
        Link {
            drops: tokio::sync::watch::channel(0).0,
            refuse_until: AtomicU64::new(0),
        }
    }
}

impl Link {
    /// Drops every open connection of the room, and refuses new ones for `refuse_ms`.
    pub fn drop_all(&self, refuse_ms: u64) {
        self.refuse_until
            .store(now_ms() + refuse_ms, Ordering::Relaxed);
        self.drops.send_modify(|g| *g += 1);
    }

    /// Whether new connections are refused now.
    pub fn refusing(&self) -> bool {
        now_ms() < self.refuse_until.load(Ordering::Relaxed)
    }

    /// Resolves when the connections open now are dropped.
    pub fn dropped(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut rx = self.drops.subscribe();
        async move {
            let _ = rx.changed().await;
        }
    }
}

/// What this process still has to announce (votes, answers, entries, stock and balances
/// are in the database, where every process reads them), and the question queues.
#[derive(Default)]
pub struct Books {
    /// Polls whose tally changed since it was last announced.
    pub dirty: std::collections::HashSet<(String, String)>,
    /// Lotteries whose entry count changed since it was last announced.
    pub dirty_lotteries: std::collections::HashSet<(String, String)>,
    /// Like totals changed since last announced: (room, widget) → total.
    pub dirty_likes: HashMap<(String, String), u64>,
    /// Question queues changed since last announced (the queues are in the database).
    pub dirty_questions: std::collections::HashSet<(String, String)>,
    /// The last sweep of stale tallies ([`crate::decide::flush_tallies`]): when it ran, and
    /// the polls whose stored tally differed from the room's then.
    pub swept_at: u64,
    pub stale: HashMap<(String, String), Vec<u64>>,
}

/// One question queue as the database holds it ([`Store::questions`]), ranked here.
#[derive(Default)]
pub struct QuestionBook {
    pub items: Vec<AskedQuestion>,
}

pub struct AskedQuestion {
    pub id: String,
    pub text: String,
    pub voters: std::collections::HashSet<String>,
    pub state: hudong_core::QuestionState,
}

impl QuestionBook {
    /// A queue as stored, in the order its questions were first asked.
    pub fn load(store: &Store, room: &str, widget: &str) -> crate::store::Result<QuestionBook> {
        let items = store
            .questions(room, widget)?
            .into_iter()
            .map(|q| AskedQuestion {
                state: serde_json::from_value(Value::String(q.state))
                    .unwrap_or(hudong_core::QuestionState::Queued),
                id: q.id,
                text: q.text,
                voters: q.voters.into_iter().collect(),
            })
            .collect();
        Ok(QuestionBook { items })
    }

    /// The queue in order: being answered, then waiting by votes and age, then answered.
    pub fn ranked(&self) -> Vec<&AskedQuestion> {
        use hudong_core::QuestionState::*;
        let rank = |s| match s {
            Answering => 0,
            Queued => 1,
            Answered => 2,
        };
        let mut v: Vec<(usize, &AskedQuestion)> = self.items.iter().enumerate().collect();
        v.sort_by(|(ia, a), (ib, b)| {
            rank(a.state)
                .cmp(&rank(b.state))
                .then(b.voters.len().cmp(&a.voters.len()))
                .then(if a.state == Answered {
                    ib.cmp(ia)
                } else {
                    ia.cmp(ib)
                })
        });
        v.into_iter().map(|(_, q)| q).collect()
    }

    /// 1-based place of a waiting question.
    pub fn position(&self, question_id: &str) -> u64 {
        let ranked = self.ranked();
        let waiting = ranked
            .iter()
            .filter(|q| q.state == hudong_core::QuestionState::Queued);
        waiting.take_while(|q| q.id != question_id).count() as u64 + 1
    }
}

pub struct Hub {
    rooms: Mutex<HashMap<String, RoomEntry>>,
    pub books: Mutex<Books>,
    /// Every event the collector stores, as it is stored (for the event inspector).
    pub collected: tokio::sync::broadcast::Sender<Arc<str>>,
    /// Flips to true when the process is stopping: open streams end so shutdown can finish.
    pub closing: tokio::sync::watch::Sender<bool>,
    pub store: Store,
    pub fanout: Arc<dyn Fanout>,
    /// Session tokens and the host key.
    pub auth: crate::auth::Auth,
    /// What one address, socket or script may take.
    pub limits: Arc<crate::limits::Limits>,
    /// The server's side of each widget.
    decisions: Arc<dyn Decisions>,
}

/// Room ids: what the SDK's protocol allows for ids.
pub fn valid_room(id: &str) -> bool {
    hudong_core::validate::id("room_id", id).is_ok()
}

impl Hub {
    /// A hub over `store`, with every room rebuilt from its stored commands.
    pub fn new(
        store: Store,
        fanout: Arc<dyn Fanout>,
        auth: crate::auth::Auth,
        decisions: Arc<dyn Decisions>,
    ) -> Result<Hub, String> {
        let hub = Hub {
            decisions,
            rooms: Mutex::new(HashMap::new()),
            books: Mutex::default(),
            collected: tokio::sync::broadcast::channel(4096).0,
            closing: tokio::sync::watch::channel(false).0,
            store,
            fanout,
            auth,
            limits: Arc::default(),
        };
        // Question queues are in the database. One of a version that kept only the events
        // has them booked once, the asks and upvotes replayed with the host's marks.
        let asks = if hub
            .store
            .has_questions()
            .map_err(|e| format!("reading stored questions: {e}"))?
        {
            Vec::new()
        } else {
            hub.store
                .question_events()
                .map_err(|e| format!("reading stored questions: {e}"))?
        };
        let backfill = !asks.is_empty();
        let mut asks = asks.into_iter().peekable();
        let commands = hub
            .store
            .all_commands()
            .map_err(|e| format!("reading stored commands: {e}"))?;
        let mut rooms = hub.lock();
        let started = now_ms();
        for StoredCommand {
            room,
            seq,
            at,
            pts,
            body,
        } in commands
        {
            while let Some((_, e)) = asks.next_if(|a| a.0 <= at) {
                hub.decisions.book_question(&hub.store, &e);
            }
            let entry = rooms.entry(room.clone()).or_insert_with(|| new_room(&room));
            entry.loaded_through = entry.loaded_through.max(seq);
            let stored = StoredCommand {
                room: room.clone(),
                seq,
                at,
                pts,
                body,
            };
            if let Some(cmd) = entry.replay(&stored, started) {
                if let (true, Command::QuestionMark(m)) = (backfill, &cmd) {
                    let _ = hub.store.mark_question(
                        &room,
                        &m.widget_id,
                        &m.question_id,
                        state_name(m.state),
                    );
                }
            }
        }
        for (_, e) in asks {
            hub.decisions.book_question(&hub.store, &e);
        }
        for entry in rooms.values_mut() {
            entry.replayed();
        }
        drop(rooms);
        Ok(hub)
    }

    /// Resolves when the process starts stopping.
    pub fn closed(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut rx = self.closing.subscribe();
        async move {
            let _ = rx.wait_for(|c| *c).await;
        }
    }

    pub fn books(&self) -> MutexGuard<'_, Books> {
        self.books.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn lock(&self) -> MutexGuard<'_, HashMap<String, RoomEntry>> {
        self.rooms.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The room as it is now: `{type: "room.snapshot", seq, widgets}`.
    pub fn snapshot(&self, room: &str) -> String {
        let mut rooms = self.lock();
        let entry = self.room_in(&mut rooms, room);
        self.catch_up(room, entry, now_ms());
        snapshot_of(entry)
    }

    /// The room as a viewer joining (or catching up) gets it: the room a minute ago, with
    /// the commands since as its `tail` (`{seq, pts?, ...command}` each), so a viewer
    /// whose video is behind the room sees none of them before the video reaches it.
    pub fn viewer_snapshot(&self, room: &str) -> String {
        let mut rooms = self.lock();
        let entry = self.room_in(&mut rooms, room);
        let now = now_ms();
        self.catch_up(room, entry, now);
        entry.settle(now);
        let snap = entry.base.snapshot();
        let mut v = serde_json::to_value(&snap).unwrap_or_else(|_| json!({"widgets": []}));
        if let Value::Object(m) = &mut v {
            m.insert("type".into(), "room.snapshot".into());
            m.insert("seq".into(), entry.base_seq.into());
            if !entry.recent.is_empty() {
                let tail = entry.recent.iter().map(|r| {
                    let mut t = Map::new();
                    t.insert("seq".into(), r.seq.into());
                    if let Some(p) = r.pts {
                        t.insert("pts".into(), p.into());
                    }
                    t.extend(r.body.iter().map(|(k, v)| (k.clone(), v.clone())));
                    Value::Object(t)
                });
                m.insert("tail".into(), Value::Array(tail.collect()));
            }
        }
        v.to_string()
    }

    /// The snapshot of a room only if it exists (in memory or in the log): reading a room
    /// never creates one.
    pub fn snapshot_if_known(&self, room: &str) -> Option<String> {
        self.knows(room).then(|| self.snapshot(room))
    }

    pub fn online(&self, room: &str) -> Arc<AtomicUsize> {
        let mut rooms = self.lock();
        self.room_in(&mut rooms, room).online.clone()
    }

    /// The room's connection fault switch.
    pub fn link(&self, room: &str) -> Arc<Link> {
        let mut rooms = self.lock();
        self.room_in(&mut rooms, room).link.clone()
    }

    /// Viewers connected to this process (0 for a room it does not hold: nothing is created).
    pub fn online_count(&self, room: &str) -> usize {
        self.lock()
            .get(room)
            .map_or(0, |e| e.online.load(Ordering::Relaxed))
    }

    /// Whether the room exists: held in memory, or with commands in the log.
    pub fn knows(&self, room: &str) -> bool {
        self.lock().contains_key(room)
            || self.store.has_commands(room).unwrap_or_else(|e| {
                eprintln!("hudong-backend: could not read room {room}'s log: {e}");
                false
            })
    }

    /// With other processes serving the rooms: brings this process's copy of `room` up to
    /// date from the shared log (it may hold the room without a viewer here, and so without
    /// a subscription to its messages) before a request is judged on it.
    /// One lock and one read of the log: what the held room missed, or the whole room
    /// when it is not held here (a room the log does not know stays unknown).
    pub fn refresh(&self, room: &str) {
        if !self.fanout.shared() {
            return;
        }
        let now = now_ms();
        let mut rooms = self.lock();
        match rooms.get_mut(room) {
            Some(entry) => {
                entry.active = now;
                self.catch_up(room, entry, now);
            }
            None => {
                let entry = load(room, &self.store);
                if entry.seq > 0 {
                    rooms.insert(room.to_owned(), entry);
                }
            }
        }
    }

    /// Whether a connection may open `room` now: a room held or in the log may; a new one
    /// only while fewer than the limit are held (idle rooms are evicted first).
    pub fn admit(&self, room: &str) -> Result<(), crate::limits::Limit> {
        let max = self.limits.config.rooms;
        if self.lock().len() < max || self.knows(room) {
            return Ok(());
        }
        self.evict_idle(now_ms(), 0);
        if self.lock().len() < max {
            Ok(())
        } else {
            Err(crate::limits::Limit::Rooms)
        }
    }

    /// Drops from memory the rooms with no viewer connected and no use for `idle_ms` (and
    /// none of the fault switch in force): their log stays, and they are rebuilt from it when
    /// next used. Returns how many left.
    pub fn evict_idle(&self, now: u64, idle_ms: u64) -> usize {
        let mut rooms = self.lock();
        let before = rooms.len();
        rooms.retain(|_, e| {
            e.online.load(Ordering::Relaxed) > 0
                || Arc::strong_count(&e.online) > 1
                || e.link.refusing()
                || now < e.active.saturating_add(idle_ms)
        });
        self.fanout.sweep();
        before - rooms.len()
    }

    /// The room, from memory or rebuilt from its log in the database.
    fn room_in<'a>(
        &self,
        rooms: &'a mut HashMap<String, RoomEntry>,
        room: &str,
    ) -> &'a mut RoomEntry {
        let entry = rooms
            .entry(room.to_owned())
            .or_insert_with(|| load(room, &self.store));
        entry.active = now_ms();
        entry
    }

    /// Posts a command: `{...command, pts?: number | "now"}` → `{seq, pts?}`.
    pub fn post(&self, room: &str, message: Value) -> Result<Value, HudongError> {
        let mut rooms = self.lock();
        self.post_locked(&mut rooms, room, message)
    }

    /// A command from the host (`POST /rooms/{id}/commands`): posted, and what it says of
    /// the server's own books taken as the host's word (a redemption shop's stock: the
    /// decisions' own `redeem.stock` announcements only follow the database).
    pub fn post_host(&self, room: &str, message: Value) -> Result<Value, HudongError> {
        let command = message.as_object().map(|m| {
            let mut m = m.clone();
            m.remove("pts");
            m.remove("seq");
            decode_command_json(&Value::Object(m).to_string())
        });
        let out = self.post(room, message)?;
        let stocked = match command {
            Some(Ok(Command::RedeemOpen(spec))) => spec.items.iter().try_for_each(|i| {
                self.store
                    .set_stock(room, &spec.widget_id, &i.item_id, i.stock, false)
            }),
            Some(Ok(Command::RedeemStock(s))) => s.stock.iter().try_for_each(|(item, &units)| {
                self.store
                    .set_stock(room, &s.widget_id, item, units, !s.reset)
            }),
            _ => Ok(()),
        };
        if let Err(e) = stocked {
            eprintln!("hudong-backend: could not store the stock of room {room}: {e}");
        }
        Ok(out)
    }

    /// The same, for callers that already hold the rooms lock.
    pub fn post_locked(
        &self,
        rooms: &mut HashMap<String, RoomEntry>,
        room: &str,
        message: Value,
    ) -> Result<Value, HudongError> {
        let now = now_ms();
        let Value::Object(mut fields) = message else {
            return Err(HudongError::new(
                hudong_core::ErrorCode::MalformedCommand,
                "a command is a JSON object",
            ));
        };
        let pts = match fields.remove("pts") {
            Some(Value::String(s)) if s == "now" => Some(now),
            Some(v) => v.as_u64(),
            None => None,
        };
        fields.remove("seq");
        let body = Value::Object(fields.clone()).to_string();
        let command = decode_command_json(&body)?;
        let entry = self.room_in(rooms, room);
        self.catch_up(room, entry, now);
        entry.core.apply(&command, now)?;
        // One viewer's own commands (their standing, account, points) go to that viewer's
        // sockets only, outside the room's sequence: they are not part of the room's story,
        // and broadcasting them would cost every viewer a message per viewer.
        if let Some(to) = command.viewer().map(str::to_owned) {
            self.keep_books(room, &command);
            let mut out = Map::new();
            out.extend(fields);
            self.fanout.publish(
                room,
                Outgoing {
                    to: Some(to),
                    text: Arc::from(Value::Object(out).to_string()),
                },
            );
            return Ok(json!({"ok": true, "seq": null, "addressed": true}));
        }
        // The room's log in the database numbers the command: every process serving the
        // room shares it. A command that cannot be stored is not taken.
        let seq = match self.store.append_command(room, now, pts, &body) {
            Ok(seq) => seq,
            Err(e) => {
                eprintln!("hudong-backend: could not store a command of room {room}: {e}");
                let fresh = load(room, &self.store);
                entry.core = fresh.core;
                entry.base = fresh.base;
                entry.base_seq = fresh.base_seq;
                entry.recent = fresh.recent;
                entry.recent_bytes = fresh.recent_bytes;
                return Err(HudongError::new(
                    hudong_core::ErrorCode::Internal,
                    "the command could not be stored; try again",
                ));
            }
        };
        entry.seq = entry.seq.max(seq);
        entry.remember(seq, now, pts, &command, &body);
        self.keep_books(room, &command);
        let mut out = Map::new();
        out.insert("seq".into(), seq.into());
        if let Some(p) = pts {
            out.insert("pts".into(), p.into());
        }
        out.extend(fields);
        self.fanout.publish(
            room,
            Outgoing {
                to: None,
                text: Arc::from(Value::Object(out).to_string()),
            },
        );
        self.decisions.took(self, rooms, room, &command);
        Ok(json!({"ok": true, "seq": seq, "pts": pts}))
    }

    /// With other processes serving the room, brings this process's copy up to date from
    /// the shared command log before it judges a command: the pub/sub message of a command
    /// another process just accepted may not have arrived yet, and without it a valid
    /// follow-up (a tally right after the open) would be refused.
    fn catch_up(&self, room: &str, entry: &mut RoomEntry, now: u64) {
        if !self.fanout.shared() {
            return;
        }
        match self.store.commands_after(room, entry.seq) {
            Ok(missed) => {
                for c in missed {
                    let seq = c.seq;
                    if let Ok(command) = decode_command_json(&c.body) {
                        let _ = entry.core.apply(&command, now);
                        entry.remember(seq, c.at, c.pts, &command, &c.body);
                    } else {
                        entry.skip(seq);
                    }
                    entry.seq = entry.seq.max(seq);
                    if entry.from_log.len() == 256 {
                        entry.from_log.pop_front();
                    }
                    entry.from_log.push_back(seq);
                }
            }
            Err(e) => eprintln!("hudong-backend: could not read room {room}'s commands: {e}"),
        }
    }

    /// A message another process published (through a shared pub/sub): applied to this
    /// process's copy of the room, then delivered to its sockets.
    pub fn on_remote(&self, room: &str, message: &Outgoing) -> Option<Outgoing> {
        if message.to.is_none() {
            let Ok(Value::Object(mut fields)) = serde_json::from_str::<Value>(&message.text) else {
                return None;
            };
            let seq = fields.remove("seq").and_then(|v| v.as_u64());
            let pts = fields.remove("pts").and_then(|v| v.as_u64());
            let body = Value::Object(fields).to_string();
            let command = decode_command_json(&body).ok()?;
            let mut rooms = self.lock();
            // A room this process does not hold has no viewer here: it reads the log when
            // it is next used.
            let entry = rooms.get_mut(room)?;
            // Unless it was already applied from the shared log (see `catch_up`), or was in
            // the log when the room was loaded.
            if !seq.is_some_and(|n| entry.from_log.contains(&n) || n <= entry.loaded_through) {
                let now = now_ms();
                let _ = entry.core.apply(&command, now);
                if let Some(seq) = seq {
                    entry.remember(seq, now, pts, &command, &body);
                }
            }
            if let Some(seq) = seq {
                entry.seq = entry.seq.max(seq);
            }
        }
        Some(message.clone())
    }

    /// Sends one viewer's answer (a `flash.result`, a `redeem.result`) to that viewer only,
    /// outside the room's sequence; checked by the room's core like any command.
    pub fn post_to(
        &self,
        rooms: &mut HashMap<String, RoomEntry>,
        room: &str,
        to: &str,
        message: Value,
    ) -> Result<(), HudongError> {
        let command = decode_command_json(&message.to_string())?;
        let entry = self.room_in(rooms, room);
        entry.core.apply(&command, now_ms())?;
        self.fanout.publish(
            room,
            Outgoing {
                to: Some(to.to_owned()),
                text: Arc::from(message.to_string()),
            },
        );
        Ok(())
    }

    /// Accounts are the server's: the console's `redeem.account` and `redeem.points` for a
    /// viewer set them.
    fn keep_books(&self, room: &str, command: &Command) {
        let result = match command {
            // Without a user: the starting account of every viewer of the shop.
            Command::RedeemAccount(a) => self.store.set_account(
                room,
                &a.widget_id,
                a.user_id.as_deref().unwrap_or("*"),
                a.balance,
                a.tier.as_deref(),
            ),
            Command::RedeemPoints(p) => match &p.user_id {
                Some(u) => self
                    .store
                    .gain(room, &p.widget_id, u, &p.gain_id, p.delta)
                    .map(|_| ()),
                None => Ok(()),
            },
            Command::QuestionMark(m) => {
                let marked = self.store.mark_question(
                    room,
                    &m.widget_id,
                    &m.question_id,
                    state_name(m.state),
                );
                self.books()
                    .dirty_questions
                    .insert((room.to_owned(), m.widget_id.clone()));
                marked
            }
            // A revive card (or any standing the host sets) is the server's word too.
            Command::QuizStanding(st) => match &st.user_id {
                Some(u) => self.store.set_standing(
                    room,
                    &st.widget_id,
                    u,
                    Standing {
                        score: st.score,
                        streak: st.streak,
                        eliminated: st.eliminated,
                    },
                ),
                None => Ok(()),
            },
            _ => Ok(()),
        };
        if let Err(e) = result {
            eprintln!("hudong-backend: could not update accounts of room {room}: {e}");
        }
    }
}

/// A room rebuilt from its log in the database, each command at the time it was applied.
fn load(room: &str, store: &Store) -> RoomEntry {
    let mut entry = new_room(room);
    match store.room_commands(room) {
        Ok(all) => {
            let now = now_ms();
            for c in &all {
                entry.replay(c, now);
            }
        }
        Err(e) => eprintln!("hudong-backend: could not read room {room}'s commands: {e}"),
    }
    entry.replayed();
    entry.loaded_through = entry.seq;
    entry
}

/// A question's state as stored (`queued`, `answering`, `answered`).
fn state_name(state: hudong_core::QuestionState) -> &'static str {
    match state {
        hudong_core::QuestionState::Queued => "queued",
        hudong_core::QuestionState::Answering => "answering",
        hudong_core::QuestionState::Answered => "answered",
    }
}

fn new_room(id: &str) -> RoomEntry {
    RoomEntry {
        core: Room::new(RoomConfig::new(id, "hub").with_seed(1)),
        seq: 0,
        base: Room::new(RoomConfig::new(id, "hub").with_seed(1)),
        base_seq: 0,
        recent: Default::default(),
        recent_bytes: 0,
        base_pending: false,
        online: Arc::default(),
        link: Arc::default(),
        from_log: Default::default(),
        loaded_through: 0,
        active: now_ms(),
    }
}

fn snapshot_of(entry: &RoomEntry) -> String {
    let snap = entry.core.snapshot();
    let mut v = serde_json::to_value(&snap).unwrap_or_else(|_| json!({"widgets": []}));
    if let Value::Object(m) = &mut v {
        m.insert("type".into(), "room.snapshot".into());
        m.insert("seq".into(), entry.seq.into());
    }
    v.to_string()
}
