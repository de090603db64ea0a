//! SQLite (WAL): the events the collector accepted (unique by `event_id`), every command a
//! room received (replayed on start, so a restart loses nothing acknowledged), and the
//! server's decisions on reward requests (unique by `request_id`: exactly once).
use rusqlite::{params, Connection, OptionalExtension};
use std::path::Path;
use std::sync::{Arc, Mutex};

#[derive(Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
}

/// A stored host command ([`Store::all_commands`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCommand {
    pub room: String,
    pub seq: u64,
    /// Server time it was applied.
    pub at: u64,
    /// The command as JSON.
    pub body: String,
}

/// A viewer's points account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PointAccount {
    pub balance: u64,
    pub tier: Option<String>,
}

/// What a viewer did in a room that tasks count ([`Store::task_counts`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TaskCounts {
    /// Likes, each batch counted up to 150 taps.
    pub likes: u64,
    pub shares: u64,
    /// Accepted quiz answers.
    pub answers: u64,
}

/// One viewer's count of events ([`Store::activity`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activity {
    pub actor: String,
    pub count: u64,
}

/// One decision on a reward request.
pub struct Decision<'a> {
    pub request_id: &'a str,
    pub room: &'a str,
    pub widget: &'a str,
    pub actor: &'a str,
    pub item: Option<&'a str>,
    pub outcome: &'a str,
    pub answer: &'a str,
    pub at: u64,
}

/// What one batch did to the store.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Stored {
    pub new: usize,
    pub duplicates: usize,
    /// Which of the batch's events were new, in order.
    pub fresh: Vec<bool>,
}

/// The schema, one step per version (`PRAGMA user_version`): a database of any earlier
/// version is brought up to date when it is opened, in one transaction per step.
const MIGRATIONS: &[&str] = &[
    // 1: events, commands, decisions, accounts and the viewer facts.
    "CREATE TABLE IF NOT EXISTS events (
         event_id TEXT PRIMARY KEY,
         room_id TEXT, session_id TEXT, user_id TEXT, widget_id TEXT, kind TEXT,
         type TEXT NOT NULL, at INTEGER, received_at INTEGER NOT NULL, body TEXT NOT NULL);
     CREATE INDEX IF NOT EXISTS events_room_type ON events(room_id, type);
     CREATE TABLE IF NOT EXISTS commands (
         room_id TEXT NOT NULL, seq INTEGER NOT NULL, at INTEGER NOT NULL, body TEXT NOT NULL,
         PRIMARY KEY (room_id, seq));
     CREATE TABLE IF NOT EXISTS decisions (
         request_id TEXT PRIMARY KEY, room_id TEXT NOT NULL, widget_id TEXT NOT NULL,
         actor TEXT NOT NULL, item_id TEXT, outcome TEXT NOT NULL, answer TEXT NOT NULL, at INTEGER NOT NULL);
     CREATE TABLE IF NOT EXISTS accounts (
         room_id TEXT NOT NULL, widget_id TEXT NOT NULL, user_id TEXT NOT NULL,
         balance INTEGER NOT NULL, tier TEXT, PRIMARY KEY (room_id, widget_id, user_id));
     CREATE TABLE IF NOT EXISTS gains (gain_id TEXT NOT NULL, room_id TEXT NOT NULL, widget_id TEXT NOT NULL,
         user_id TEXT NOT NULL, PRIMARY KEY (room_id, widget_id, user_id, gain_id));
     CREATE TABLE IF NOT EXISTS rejected (event_id TEXT PRIMARY KEY, room_id TEXT, widget_id TEXT,
         type TEXT, code TEXT NOT NULL, reason TEXT NOT NULL, at INTEGER NOT NULL);
     CREATE TABLE IF NOT EXISTS follows (room_id TEXT NOT NULL, user_id TEXT NOT NULL, PRIMARY KEY (room_id, user_id));
     CREATE TABLE IF NOT EXISTS members (room_id TEXT NOT NULL, user_id TEXT NOT NULL, PRIMARY KEY (room_id, user_id));
     CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);",
    // 2: every piece of authoritative state in the database, so that any number of
    // processes decide as one. A decision is one viewer's: keyed by room, viewer and request
    // id (another viewer's id names another decision). Stock, lottery entries and draws,
    // votes and their tallies, quiz answers and standings get tables with the unique keys
    // that make each decision a single atomic write.
    "CREATE TABLE decisions_v2 (
         request_id TEXT NOT NULL, room_id TEXT NOT NULL, widget_id TEXT NOT NULL,
         actor TEXT NOT NULL, item_id TEXT, outcome TEXT NOT NULL, answer TEXT NOT NULL, at INTEGER NOT NULL,
         PRIMARY KEY (room_id, actor, request_id));
     INSERT OR IGNORE INTO decisions_v2 SELECT request_id, room_id, widget_id, actor, item_id, outcome, answer, at
         FROM decisions ORDER BY rowid;
     DROP TABLE decisions;
     ALTER TABLE decisions_v2 RENAME TO decisions;
     CREATE INDEX decisions_widget ON decisions(room_id, widget_id, outcome, actor);
     CREATE TABLE stock (room_id TEXT NOT NULL, widget_id TEXT NOT NULL, item_id TEXT NOT NULL,
         units INTEGER NOT NULL, PRIMARY KEY (room_id, widget_id, item_id));
     CREATE TABLE entries (room_id TEXT NOT NULL, widget_id TEXT NOT NULL, actor TEXT NOT NULL,
         at INTEGER NOT NULL, PRIMARY KEY (room_id, widget_id, actor));
     INSERT OR IGNORE INTO entries SELECT room_id, widget_id, actor, at FROM decisions
         WHERE outcome = 'entered' ORDER BY at, rowid;
     CREATE TABLE draws (room_id TEXT NOT NULL, widget_id TEXT NOT NULL, at INTEGER NOT NULL,
         PRIMARY KEY (room_id, widget_id));
     INSERT OR IGNORE INTO draws SELECT room_id, widget_id, MIN(at) FROM decisions
         WHERE outcome IN ('won', 'lost') GROUP BY room_id, widget_id;
     CREATE TABLE votes (room_id TEXT NOT NULL, widget_id TEXT NOT NULL, actor TEXT NOT NULL,
         options TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (room_id, widget_id, actor));
     INSERT OR REPLACE INTO votes SELECT room_id, widget_id, COALESCE(user_id, session_id),
         COALESCE(json_extract(body, '$.option_ids'), '[]'), received_at FROM events
         WHERE type = 'poll.vote' AND room_id IS NOT NULL AND widget_id IS NOT NULL
           AND COALESCE(user_id, session_id) IS NOT NULL
           AND event_id NOT IN (SELECT event_id FROM rejected) ORDER BY received_at, rowid;
     CREATE TABLE tallies (room_id TEXT NOT NULL, widget_id TEXT NOT NULL, option_id TEXT NOT NULL,
         n INTEGER NOT NULL, PRIMARY KEY (room_id, widget_id, option_id));
     INSERT INTO tallies SELECT v.room_id, v.widget_id, j.value, COUNT(*) FROM votes v, json_each(v.options) j
         GROUP BY v.room_id, v.widget_id, j.value;
     CREATE TABLE answers (room_id TEXT NOT NULL, widget_id TEXT NOT NULL, question_id TEXT NOT NULL,
         actor TEXT NOT NULL, option_id TEXT NOT NULL, at INTEGER NOT NULL,
         PRIMARY KEY (room_id, widget_id, question_id, actor));
     INSERT OR IGNORE INTO answers SELECT room_id, widget_id, json_extract(body, '$.question_id'),
         COALESCE(user_id, session_id), json_extract(body, '$.option_id'), received_at FROM events
         WHERE type = 'quiz.answer' AND room_id IS NOT NULL AND widget_id IS NOT NULL
           AND COALESCE(user_id, session_id) IS NOT NULL AND json_extract(body, '$.question_id') IS NOT NULL
           AND json_extract(body, '$.option_id') IS NOT NULL
           AND event_id NOT IN (SELECT event_id FROM rejected) ORDER BY received_at, rowid;
     CREATE TABLE players (room_id TEXT NOT NULL, widget_id TEXT NOT NULL, actor TEXT NOT NULL,
         score INTEGER NOT NULL DEFAULT 0, streak INTEGER NOT NULL DEFAULT 0, eliminated INTEGER NOT NULL DEFAULT 0,
         PRIMARY KEY (room_id, widget_id, actor));
     INSERT OR IGNORE INTO players (room_id, widget_id, actor) SELECT DISTINCT room_id, widget_id, actor FROM answers;
     CREATE TABLE scored (room_id TEXT NOT NULL, widget_id TEXT NOT NULL, question_id TEXT NOT NULL,
         PRIMARY KEY (room_id, widget_id, question_id));
     CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);",
];

/// Brings the schema to the newest version (see [`MIGRATIONS`]). Processes opening one
/// file at once take turns: each step runs in an IMMEDIATE transaction that re-reads the
/// version first.
fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    for (i, step) in MIGRATIONS.iter().enumerate() {
        let version = i as i64 + 1;
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if current < version {
            tx.execute_batch(step)?;
            tx.pragma_update(None, "user_version", version)?;
        }
        tx.commit()?;
    }
    Ok(())
}

/// What a granted reward needs besides the request itself, all checked and taken in one
/// transaction ([`Store::grant`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct Grant {
    /// At most this many successes for the widget (a flash sale's units, a coupon's quantity).
    pub widget_cap: Option<u64>,
    /// One unit from the item's stock; the row starts at this many units the first time.
    pub stock_from: Option<u64>,
    /// At most this many successes for this viewer in the widget (for the item, if any).
    pub viewer_cap: Option<u64>,
    /// Points taken from the viewer's account.
    pub cost: Option<u64>,
}

/// The figures after a granted reward.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Granted {
    /// The widget's successes, this one included.
    pub successes: u64,
    /// The item's units left.
    pub stock_left: Option<u64>,
    /// The viewer's balance after the cost.
    pub balance: Option<u64>,
}

/// How [`Store::grant`] ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GrantOutcome {
    /// Recorded: the reward is the viewer's.
    Granted(Granted),
    /// The request was decided before: its first answer.
    Before(String),
    /// Nothing recorded: the widget's cap was reached.
    SoldOut,
    /// Nothing recorded: the item has no units left.
    OutOfStock,
    /// Nothing recorded: the viewer reached their limit.
    Limit,
    /// Nothing recorded: the account cannot pay (or there is none).
    Points,
}

/// How [`Store::vote`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VoteOutcome {
    /// Counted (a first vote, or a change where allowed).
    Counted,
    /// The same vote again: counted once.
    Repeat,
    /// A change of vote where the poll does not allow one.
    NoRevote,
}

/// How [`Store::answer`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerOutcome {
    Counted,
    /// The viewer answered this question before: the first answer stands.
    Again,
    /// The viewer was eliminated: they watch, their answers do not count.
    Eliminated,
}

impl Store {
    pub fn open(path: &Path) -> rusqlite::Result<Store> {
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrate(&mut conn)?;
        Ok(Store {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T> {
        let mut conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut conn)
    }

    /// Inserts a batch's events in one transaction; copies already stored are counted.
    pub fn insert_events(
        &self,
        events: &[serde_json::Value],
        now: u64,
    ) -> rusqlite::Result<Stored> {
        self.with(|c| {
            let tx = c.transaction()?;
            let mut out = Stored::default();
            {
                let mut stmt = tx.prepare_cached(
                    "INSERT OR IGNORE INTO events (event_id, room_id, session_id, user_id, widget_id, kind, type, at, received_at, body)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                )?;
                for e in events {
                    let s = |k: &str| e.get(k).and_then(|v| v.as_str()).map(str::to_owned);
                    let Some(id) = s("event_id") else {
                        out.fresh.push(false);
                        continue;
                    };
                    let n = stmt.execute(params![
                        id,
                        s("room_id"),
                        s("session_id"),
                        s("user_id"),
                        s("widget_id"),
                        s("kind"),
                        s("type").unwrap_or_default(),
                        e.get("at").and_then(|v| v.as_u64()).map(|v| v as i64),
                        now as i64,
                        e.to_string()
                    ])?;
                    if n == 1 {
                        out.new += 1;
                    } else {
                        out.duplicates += 1;
                    }
                    out.fresh.push(n == 1);
                }
            }
            tx.commit()?;
            Ok(out)
        })
    }

    pub fn count_events(&self, room: Option<&str>, kind: Option<&str>) -> rusqlite::Result<u64> {
        self.with(|c| {
            c.query_row(
                "SELECT COUNT(*) FROM events WHERE (?1 IS NULL OR room_id = ?1) AND (?2 IS NULL OR type = ?2)",
                params![room, kind],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n as u64)
        })
    }

    /// Events, oldest first, optionally of one room and type.
    pub fn events(
        &self,
        room: Option<&str>,
        kind: Option<&str>,
        limit: u32,
    ) -> rusqlite::Result<Vec<serde_json::Value>> {
        self.with(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT body FROM events WHERE (?1 IS NULL OR room_id = ?1) AND (?2 IS NULL OR type = ?2)
                 ORDER BY received_at, rowid LIMIT ?3",
            )?;
            let rows = stmt.query_map(params![room, kind, limit], |r| r.get::<_, String>(0))?;
            rows.map(|r| r.map(|t| serde_json::from_str(&t).unwrap_or(serde_json::Value::Null))).collect()
        })
    }

    /// Appends a command to a room's log and returns its sequence number: the next after
    /// the room's last, whichever process appended that (one IMMEDIATE transaction).
    pub fn append_command(&self, room: &str, at: u64, body: &str) -> rusqlite::Result<u64> {
        self.with(|c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let seq: i64 = tx.query_row(
                "INSERT INTO commands (room_id, seq, at, body)
                 SELECT ?1, COALESCE(MAX(seq), 0) + 1, ?2, ?3 FROM commands WHERE room_id = ?1 RETURNING seq",
                params![room, at as i64, body],
                |r| r.get(0),
            )?;
            tx.commit()?;
            Ok(seq as u64)
        })
    }

    /// One room's commands in order.
    pub fn room_commands(&self, room: &str) -> rusqlite::Result<Vec<StoredCommand>> {
        self.with(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT room_id, seq, at, body FROM commands WHERE room_id = ?1 ORDER BY seq",
            )?;
            let rows = stmt.query_map([room], |r| {
                Ok(StoredCommand {
                    room: r.get(0)?,
                    seq: r.get::<_, i64>(1)? as u64,
                    at: r.get::<_, i64>(2)? as u64,
                    body: r.get(3)?,
                })
            })?;
            rows.collect()
        })
    }

    /// Whether a room has any command in the log.
    pub fn has_commands(&self, room: &str) -> rusqlite::Result<bool> {
        self.with(|c| {
            c.query_row(
                "SELECT EXISTS(SELECT 1 FROM commands WHERE room_id = ?1)",
                [room],
                |r| r.get(0),
            )
        })
    }

    /// Every room's commands in order, to rebuild the rooms on start.
    pub fn all_commands(&self) -> rusqlite::Result<Vec<StoredCommand>> {
        self.with(|c| {
            let mut stmt =
                c.prepare("SELECT room_id, seq, at, body FROM commands ORDER BY room_id, seq")?;
            let rows = stmt.query_map([], |r| {
                Ok(StoredCommand {
                    room: r.get(0)?,
                    seq: r.get::<_, i64>(1)? as u64,
                    at: r.get::<_, i64>(2)? as u64,
                    body: r.get(3)?,
                })
            })?;
            rows.collect()
        })
    }

    /// A room's commands after `seq`, in order (what another process serving the room
    /// stored since this one last heard of it).
    pub fn commands_after(&self, room: &str, seq: u64) -> rusqlite::Result<Vec<(u64, String)>> {
        self.with(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT seq, body FROM commands WHERE room_id = ?1 AND seq > ?2 ORDER BY seq",
            )?;
            let rows = stmt.query_map(params![room, seq as i64], |r| {
                Ok((r.get::<_, i64>(0)? as u64, r.get::<_, String>(1)?))
            })?;
            rows.collect()
        })
    }

    /// The answer already given to one viewer's request, if any. Requests are the viewer's
    /// own: the same id from another viewer is another request.
    pub fn decision(
        &self,
        room: &str,
        actor: &str,
        request_id: &str,
    ) -> rusqlite::Result<Option<String>> {
        self.with(|c| {
            c.query_row(
                "SELECT answer FROM decisions WHERE room_id = ?1 AND actor = ?2 AND request_id = ?3",
                params![room, actor, request_id],
                |r| r.get(0),
            )
            .optional()
        })
    }

    /// Records a decision; false when the request was already decided (its first answer
    /// stands).
    pub fn record_decision(&self, d: &Decision<'_>) -> rusqlite::Result<bool> {
        self.with(|c| insert_decision(c, d, d.answer))
    }

    /// Decides a reward request in one IMMEDIATE transaction, so that processes sharing
    /// the database never grant more than `grant` allows between them: the request's
    /// earlier answer if it has one; else the widget's cap, the item's stock, the viewer's
    /// limit and the account's balance, each checked and taken; and only then the decision
    /// recorded as a `success` with the answer `answer` makes of the figures. On a refusal
    /// nothing is written (the caller records the refusal with [`Store::record_decision`]).
    pub fn grant(
        &self,
        d: &Decision<'_>,
        grant: Grant,
        answer: impl FnOnce(&Granted) -> String,
    ) -> rusqlite::Result<GrantOutcome> {
        self.with(|c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let before: Option<String> = tx
                .query_row(
                    "SELECT answer FROM decisions WHERE room_id = ?1 AND actor = ?2 AND request_id = ?3",
                    params![d.room, d.actor, d.request_id],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(a) = before {
                return Ok(GrantOutcome::Before(a));
            }
            let count = |actor: Option<&str>, item: Option<&str>| -> rusqlite::Result<u64> {
                tx.query_row(
                    "SELECT COUNT(*) FROM decisions WHERE room_id = ?1 AND widget_id = ?2 AND outcome = 'success'
                     AND (?3 IS NULL OR actor = ?3) AND (?4 IS NULL OR item_id = ?4)",
                    params![d.room, d.widget, actor, item],
                    |r| r.get::<_, i64>(0),
                )
                .map(|n| n as u64)
            };
            let sold = count(None, None)?;
            if grant.widget_cap.is_some_and(|cap| sold >= cap) {
                return Ok(GrantOutcome::SoldOut);
            }
            let mut figures = Granted {
                successes: sold + 1,
                ..Granted::default()
            };
            if let Some(from) = grant.stock_from {
                let item = d.item.unwrap_or_default();
                tx.execute(
                    "INSERT OR IGNORE INTO stock (room_id, widget_id, item_id, units) VALUES (?1, ?2, ?3, ?4)",
                    params![d.room, d.widget, item, from as i64],
                )?;
                let left: Option<i64> = tx
                    .query_row(
                        "UPDATE stock SET units = units - 1 WHERE room_id = ?1 AND widget_id = ?2 AND item_id = ?3 AND units > 0
                         RETURNING units",
                        params![d.room, d.widget, item],
                        |r| r.get(0),
                    )
                    .optional()?;
                let Some(left) = left else {
                    return Ok(GrantOutcome::OutOfStock);
                };
                figures.stock_left = Some(left as u64);
            }
            if let Some(cap) = grant.viewer_cap {
                if count(Some(d.actor), d.item)? >= cap {
                    return Ok(GrantOutcome::Limit);
                }
            }
            if let Some(cost) = grant.cost {
                let balance: Option<i64> = tx
                    .query_row(
                        "UPDATE accounts SET balance = balance - ?4 WHERE room_id = ?1 AND widget_id = ?2 AND user_id = ?3
                         AND balance >= ?4 RETURNING balance",
                        params![d.room, d.widget, d.actor, cost as i64],
                        |r| r.get(0),
                    )
                    .optional()?;
                let Some(balance) = balance else {
                    return Ok(GrantOutcome::Points);
                };
                figures.balance = Some(balance as u64);
            }
            let text = answer(&figures);
            insert_decision(&tx, d, &text)?;
            tx.commit()?;
            Ok(GrantOutcome::Granted(figures))
        })
    }

    /// Sets an item's units (the host's word: `redeem.open`, `redeem.stock`); `lower_only`:
    /// never above the units left now (a `redeem.stock` without `reset`).
    pub fn set_stock(
        &self,
        room: &str,
        widget: &str,
        item: &str,
        units: u64,
        lower_only: bool,
    ) -> rusqlite::Result<()> {
        self.with(|c| {
            c.execute(
                "INSERT INTO stock (room_id, widget_id, item_id, units) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(room_id, widget_id, item_id) DO UPDATE SET
                   units = CASE WHEN ?5 THEN MIN(units, excluded.units) ELSE excluded.units END",
                params![room, widget, item, units as i64, lower_only],
            )
            .map(|_| ())
        })
    }

    /// A lottery entry, once per viewer: `true` if this one is new.
    pub fn enter(&self, room: &str, widget: &str, actor: &str, at: u64) -> rusqlite::Result<bool> {
        self.with(|c| {
            c.execute(
                "INSERT OR IGNORE INTO entries (room_id, widget_id, actor, at) VALUES (?1, ?2, ?3, ?4)",
                params![room, widget, actor, at as i64],
            )
            .map(|n| n == 1)
        })
    }

    /// Whether the viewer entered the lottery.
    pub fn entered(&self, room: &str, widget: &str, actor: &str) -> rusqlite::Result<bool> {
        self.with(|c| {
            c.query_row(
                "SELECT EXISTS(SELECT 1 FROM entries WHERE room_id = ?1 AND widget_id = ?2 AND actor = ?3)",
                params![room, widget, actor],
                |r| r.get(0),
            )
        })
    }

    /// A lottery's entrants, in the order they entered.
    pub fn entrants(&self, room: &str, widget: &str) -> rusqlite::Result<Vec<String>> {
        self.with(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT actor FROM entries WHERE room_id = ?1 AND widget_id = ?2 ORDER BY at, rowid",
            )?;
            let rows = stmt.query_map(params![room, widget], |r| r.get::<_, String>(0))?;
            rows.collect()
        })
    }

    /// How many viewers entered a lottery.
    pub fn entry_count(&self, room: &str, widget: &str) -> rusqlite::Result<u64> {
        self.with(|c| {
            c.query_row(
                "SELECT COUNT(*) FROM entries WHERE room_id = ?1 AND widget_id = ?2",
                params![room, widget],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n as u64)
        })
    }

    /// Draws a lottery once across every process, in one IMMEDIATE transaction: the draw
    /// taken (an insert only one caller wins), the entrants read, `pick` choosing the
    /// winners, and each entrant's result recorded under `id(actor)` with the answer
    /// `answer(actor, won)` makes. `None` if the bag was drawn before; otherwise
    /// (entrants, winners). A failure leaves nothing taken, so the next flush tries again.
    pub fn draw(
        &self,
        room: &str,
        widget: &str,
        at: u64,
        pick: impl FnOnce(&[String]) -> Vec<String>,
        id: impl Fn(&str) -> String,
        answer: impl Fn(&str, bool) -> String,
    ) -> rusqlite::Result<Option<(Vec<String>, Vec<String>)>> {
        self.with(|c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            if tx.execute(
                "INSERT OR IGNORE INTO draws (room_id, widget_id, at) VALUES (?1, ?2, ?3)",
                params![room, widget, at as i64],
            )? == 0
            {
                return Ok(None);
            }
            let entrants: Vec<String> = {
                let mut stmt = tx.prepare_cached(
                    "SELECT actor FROM entries WHERE room_id = ?1 AND widget_id = ?2 ORDER BY at, rowid",
                )?;
                let rows = stmt.query_map(params![room, widget], |r| r.get::<_, String>(0))?;
                rows.collect::<rusqlite::Result<_>>()?
            };
            let winners = pick(&entrants);
            for actor in &entrants {
                let won = winners.contains(actor);
                let request = id(actor);
                let d = Decision {
                    request_id: &request,
                    room,
                    widget,
                    actor,
                    item: None,
                    outcome: if won { "won" } else { "lost" },
                    answer: "",
                    at,
                };
                insert_decision(&tx, &d, &answer(actor, won))?;
            }
            tx.commit()?;
            Ok(Some((entrants, winners)))
        })
    }

    /// A viewer's vote, checked and counted in one transaction: the vote and the tally
    /// move together, whichever process takes it.
    pub fn vote(
        &self,
        room: &str,
        widget: &str,
        actor: &str,
        options: &[String],
        revote: bool,
        at: u64,
    ) -> rusqlite::Result<VoteOutcome> {
        let text = serde_json::to_string(options).unwrap_or_else(|_| "[]".into());
        self.with(|c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let previous: Option<String> = tx
                .query_row(
                    "SELECT options FROM votes WHERE room_id = ?1 AND widget_id = ?2 AND actor = ?3",
                    params![room, widget, actor],
                    |r| r.get(0),
                )
                .optional()?;
            let previous: Option<Vec<String>> =
                previous.map(|p| serde_json::from_str(&p).unwrap_or_default());
            match &previous {
                Some(p) if p == options => return Ok(VoteOutcome::Repeat),
                Some(_) if !revote => return Ok(VoteOutcome::NoRevote),
                _ => {}
            }
            for o in previous.iter().flatten() {
                tx.execute(
                    "UPDATE tallies SET n = n - 1 WHERE room_id = ?1 AND widget_id = ?2 AND option_id = ?3 AND n > 0",
                    params![room, widget, o],
                )?;
            }
            for o in options {
                tx.execute(
                    "INSERT INTO tallies (room_id, widget_id, option_id, n) VALUES (?1, ?2, ?3, 1)
                     ON CONFLICT(room_id, widget_id, option_id) DO UPDATE SET n = n + 1",
                    params![room, widget, o],
                )?;
            }
            tx.execute(
                "INSERT INTO votes (room_id, widget_id, actor, options, at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(room_id, widget_id, actor) DO UPDATE SET options = excluded.options, at = excluded.at",
                params![room, widget, actor, text, at as i64],
            )?;
            tx.commit()?;
            Ok(VoteOutcome::Counted)
        })
    }

    /// A poll's tally: option → votes.
    pub fn tally(&self, room: &str, widget: &str) -> rusqlite::Result<Vec<(String, u64)>> {
        self.with(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT option_id, n FROM tallies WHERE room_id = ?1 AND widget_id = ?2 ORDER BY option_id",
            )?;
            let rows = stmt.query_map(params![room, widget], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
            })?;
            rows.collect()
        })
    }

    /// A quiz answer: the viewer's first to the question counts (they are a player from
    /// then on), unless they were eliminated.
    pub fn answer(
        &self,
        room: &str,
        widget: &str,
        question: &str,
        actor: &str,
        option: &str,
        at: u64,
    ) -> rusqlite::Result<AnswerOutcome> {
        self.with(|c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let out: Option<bool> = tx
                .query_row(
                    "SELECT eliminated FROM players WHERE room_id = ?1 AND widget_id = ?2 AND actor = ?3",
                    params![room, widget, actor],
                    |r| r.get(0),
                )
                .optional()?;
            if out == Some(true) {
                return Ok(AnswerOutcome::Eliminated);
            }
            let fresh = tx.execute(
                "INSERT OR IGNORE INTO answers (room_id, widget_id, question_id, actor, option_id, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![room, widget, question, actor, option, at as i64],
            )? == 1;
            if !fresh {
                return Ok(AnswerOutcome::Again);
            }
            tx.execute(
                "INSERT OR IGNORE INTO players (room_id, widget_id, actor) VALUES (?1, ?2, ?3)",
                params![room, widget, actor],
            )?;
            tx.commit()?;
            Ok(AnswerOutcome::Counted)
        })
    }

    /// Scores a revealed question, once across every process: each player still in the
    /// game gains `points` and a streak for a right answer; a wrong or missing one ends the
    /// streak (and, in an elimination quiz, the game). `None` if it was scored before;
    /// otherwise every player's standing.
    pub fn score(
        &self,
        room: &str,
        widget: &str,
        question: &str,
        correct: &[String],
        points: u64,
        elimination: bool,
    ) -> rusqlite::Result<Option<Vec<(String, Standing)>>> {
        self.with(|c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            if tx.execute(
                "INSERT OR IGNORE INTO scored (room_id, widget_id, question_id) VALUES (?1, ?2, ?3)",
                params![room, widget, question],
            )? == 0
            {
                return Ok(None);
            }
            let right = serde_json::to_string(correct).unwrap_or_else(|_| "[]".into());
            tx.execute(
                "UPDATE players SET
                   score = score + CASE WHEN ok THEN ?5 ELSE 0 END,
                   streak = CASE WHEN ok THEN streak + 1 ELSE 0 END,
                   eliminated = CASE WHEN ok THEN 0 ELSE ?6 END
                 FROM (SELECT p.actor AS who, EXISTS(SELECT 1 FROM answers a WHERE a.room_id = ?1 AND a.widget_id = ?2
                         AND a.question_id = ?3 AND a.actor = p.actor AND a.option_id IN (SELECT value FROM json_each(?4))) AS ok
                       FROM players p WHERE p.room_id = ?1 AND p.widget_id = ?2)
                 WHERE room_id = ?1 AND widget_id = ?2 AND actor = who AND eliminated = 0",
                params![room, widget, question, right, points as i64, elimination],
            )?;
            let standings = standings_in(&tx, room, widget)?;
            tx.commit()?;
            Ok(Some(standings))
        })
    }

    /// Every player's standing in a quiz.
    pub fn standings(&self, room: &str, widget: &str) -> rusqlite::Result<Vec<(String, Standing)>> {
        self.with(|c| standings_in(c, room, widget))
    }

    /// One player's standing, as the host sets it (a revive card).
    pub fn set_standing(
        &self,
        room: &str,
        widget: &str,
        actor: &str,
        s: Standing,
    ) -> rusqlite::Result<()> {
        self.with(|c| {
            c.execute(
                "INSERT INTO players (room_id, widget_id, actor, score, streak, eliminated) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT(room_id, widget_id, actor) DO UPDATE SET score = excluded.score, streak = excluded.streak,
                   eliminated = excluded.eliminated",
                params![room, widget, actor, s.score as i64, s.streak, s.eliminated],
            )
            .map(|_| ())
        })
    }

    /// A setting kept with the data (the token signing secret): the stored value, or
    /// `make()`'s, stored now, when there is none. Processes sharing the database agree.
    pub fn setting(&self, name: &str, make: impl FnOnce() -> String) -> rusqlite::Result<String> {
        let fresh = make();
        self.with(|c| {
            c.execute(
                "INSERT OR IGNORE INTO settings (name, value) VALUES (?1, ?2)",
                params![name, fresh],
            )?;
            c.query_row("SELECT value FROM settings WHERE name = ?1", [name], |r| {
                r.get(0)
            })
        })
    }

    /// Successes of one actor (optionally for one item) in a widget.
    pub fn successes(
        &self,
        room: &str,
        widget: &str,
        actor: Option<&str>,
        item: Option<&str>,
    ) -> rusqlite::Result<u64> {
        self.with(|c| {
            c.query_row(
                "SELECT COUNT(*) FROM decisions WHERE room_id = ?1 AND widget_id = ?2 AND outcome = 'success'
                 AND (?3 IS NULL OR actor = ?3) AND (?4 IS NULL OR item_id = ?4)",
                params![room, widget, actor, item],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n as u64)
        })
    }

    /// Decisions of one room (optionally one widget), counted by outcome.
    pub fn outcomes(
        &self,
        room: &str,
        widget: Option<&str>,
    ) -> rusqlite::Result<Vec<(String, u64)>> {
        self.with(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT outcome, COUNT(*) FROM decisions WHERE room_id = ?1 AND (?2 IS NULL OR widget_id = ?2) GROUP BY outcome ORDER BY outcome",
            )?;
            let rows = stmt.query_map(params![room, widget], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64)))?;
            rows.collect()
        })
    }

    pub fn account(
        &self,
        room: &str,
        widget: &str,
        user: &str,
    ) -> rusqlite::Result<Option<PointAccount>> {
        self.with(|c| {
            c.query_row(
                "SELECT balance, tier FROM accounts WHERE room_id = ?1 AND widget_id = ?2 AND user_id = ?3",
                params![room, widget, user],
                |r| {
                    Ok(PointAccount {
                        balance: r.get::<_, i64>(0)? as u64,
                        tier: r.get(1)?,
                    })
                },
            )
            .optional()
        })
    }

    pub fn set_account(
        &self,
        room: &str,
        widget: &str,
        user: &str,
        balance: u64,
        tier: Option<&str>,
    ) -> rusqlite::Result<()> {
        self.with(|c| {
            c.execute(
                "INSERT INTO accounts (room_id, widget_id, user_id, balance, tier) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(room_id, widget_id, user_id) DO UPDATE SET balance = excluded.balance, tier = excluded.tier",
                params![room, widget, user, balance as i64, tier],
            )
            .map(|_| ())
        })
    }

    /// Applies a point gain once per `gain_id`; returns the new balance, or `None` for a
    /// repeat or an unknown account.
    pub fn gain(
        &self,
        room: &str,
        widget: &str,
        user: &str,
        gain_id: &str,
        delta: i64,
    ) -> rusqlite::Result<Option<u64>> {
        self.with(|c| {
            let tx = c.transaction()?;
            let fresh = tx.execute(
                "INSERT OR IGNORE INTO gains (gain_id, room_id, widget_id, user_id) VALUES (?1, ?2, ?3, ?4)",
                params![gain_id, room, widget, user],
            )? == 1;
            let out = if fresh {
                tx.query_row(
                    "UPDATE accounts SET balance = MAX(0, balance + ?4) WHERE room_id = ?1 AND widget_id = ?2 AND user_id = ?3 RETURNING balance",
                    params![room, widget, user, delta],
                    |r| r.get::<_, i64>(0),
                )
                .optional()?
                .map(|b| b as u64)
            } else {
                None
            };
            tx.commit()?;
            Ok(out)
        })
    }

    /// Records that an action was refused, and why (it stays stored as an event).
    pub fn reject(
        &self,
        e: &serde_json::Value,
        code: &str,
        reason: &str,
        at: u64,
    ) -> rusqlite::Result<()> {
        let s = |k: &str| e.get(k).and_then(|v| v.as_str()).map(str::to_owned);
        self.with(|c| {
            c.execute(
                "INSERT OR IGNORE INTO rejected (event_id, room_id, widget_id, type, code, reason, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![s("event_id"), s("room_id"), s("widget_id"), s("type"), code, reason, at as i64],
            )
            .map(|_| ())
        })
    }

    /// Refused actions, newest first.
    pub fn rejections(
        &self,
        room: Option<&str>,
        limit: u32,
    ) -> rusqlite::Result<Vec<serde_json::Value>> {
        self.with(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT event_id, widget_id, type, code, reason, at FROM rejected WHERE (?1 IS NULL OR room_id = ?1) ORDER BY at DESC, rowid DESC LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![room, limit], |r| {
                Ok(serde_json::json!({"event_id": r.get::<_, Option<String>>(0)?, "widget_id": r.get::<_, Option<String>>(1)?,
                    "type": r.get::<_, Option<String>>(2)?, "code": r.get::<_, String>(3)?, "reason": r.get::<_, String>(4)?, "at": r.get::<_, i64>(5)?}))
            })?;
            rows.collect()
        })
    }

    /// Stored question asks and upvotes, oldest first: (received at, event).
    pub fn question_events(&self) -> rusqlite::Result<Vec<(u64, serde_json::Value)>> {
        self.with(|c| {
            let mut stmt = c.prepare(
                "SELECT received_at, body FROM events WHERE type IN ('question.ask', 'question.upvote')
                 AND event_id NOT IN (SELECT event_id FROM rejected) ORDER BY received_at, rowid",
            )?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, String>(1)?)))?;
            let mut out = Vec::new();
            for row in rows {
                let (at, body) = row?;
                out.push((at, serde_json::from_str(&body).unwrap_or_default()));
            }
            Ok(out)
        })
    }

    pub fn set_follow(&self, room: &str, user: &str, follow: bool) -> rusqlite::Result<()> {
        self.with(|c| {
            if follow {
                c.execute(
                    "INSERT OR IGNORE INTO follows (room_id, user_id) VALUES (?1, ?2)",
                    params![room, user],
                )
            } else {
                c.execute(
                    "DELETE FROM follows WHERE room_id = ?1 AND user_id = ?2",
                    params![room, user],
                )
            }
            .map(|_| ())
        })
    }

    pub fn follows(&self, room: &str, user: &str) -> rusqlite::Result<bool> {
        self.with(|c| {
            c.query_row(
                "SELECT 1 FROM follows WHERE room_id = ?1 AND user_id = ?2",
                params![room, user],
                |_| Ok(()),
            )
            .optional()
            .map(|r| r.is_some())
        })
    }

    /// When a viewer's first event in the room happened (their arrival, as far as we know).
    pub fn first_seen(&self, room: &str, user: &str) -> rusqlite::Result<Option<u64>> {
        self.with(|c| {
            c.query_row(
                "SELECT MIN(at) FROM events WHERE room_id = ?1 AND (user_id = ?2 OR (user_id IS NULL AND session_id = ?2))",
                params![room, user],
                |r| r.get::<_, Option<i64>>(0),
            )
            .map(|v| v.map(|x| x as u64))
        })
    }

    /// The actors with a given outcome in a widget, in decision order.
    pub fn actors_with(
        &self,
        room: &str,
        widget: &str,
        outcome: &str,
    ) -> rusqlite::Result<Vec<String>> {
        self.with(|c| {
            let mut stmt = c.prepare_cached("SELECT actor FROM decisions WHERE room_id = ?1 AND widget_id = ?2 AND outcome = ?3 ORDER BY at, rowid")?;
            let rows = stmt.query_map(params![room, widget, outcome], |r| r.get::<_, String>(0))?;
            rows.collect()
        })
    }

    /// The answers a viewer got in a room with this outcome, oldest first.
    pub fn answers_of(
        &self,
        room: &str,
        actor: &str,
        outcome: &str,
    ) -> rusqlite::Result<Vec<String>> {
        self.with(|c| {
            let mut stmt = c.prepare_cached("SELECT answer FROM decisions WHERE room_id = ?1 AND actor = ?2 AND outcome = ?3 ORDER BY at, rowid")?;
            let rows = stmt.query_map(params![room, actor, outcome], |r| r.get::<_, String>(0))?;
            rows.collect()
        })
    }

    /// What a viewer did in a room, for task progress. Each like batch counts at most 150
    /// taps (15 a second for 10 s), as the room total does.
    pub fn task_counts(&self, room: &str, actor: &str) -> rusqlite::Result<TaskCounts> {
        self.with(|c| {
            c.query_row(
                "SELECT
                   COALESCE(SUM(CASE WHEN type = 'like.sent' THEN MIN(MAX(COALESCE(json_extract(body, '$.count'), 0), 0), 150) END), 0),
                   COUNT(CASE WHEN type IN ('task.shared', 'coupon.shared') THEN 1 END),
                   COUNT(CASE WHEN type = 'quiz.answer' AND event_id NOT IN (SELECT event_id FROM rejected) THEN 1 END)
                 FROM events WHERE room_id = ?1 AND (user_id = ?2 OR (user_id IS NULL AND session_id = ?2))",
                params![room, actor],
                |r| {
                    Ok(TaskCounts {
                        likes: r.get::<_, i64>(0)? as u64,
                        shares: r.get::<_, i64>(1)? as u64,
                        answers: r.get::<_, i64>(2)? as u64,
                    })
                },
            )
        })
    }

    /// Whether a viewer sent an event of this type for this widget.
    pub fn has_event(
        &self,
        room: &str,
        widget: &str,
        actor: &str,
        kind: &str,
    ) -> rusqlite::Result<bool> {
        self.with(|c| {
            c.query_row(
                "SELECT EXISTS(SELECT 1 FROM events WHERE room_id = ?1 AND widget_id = ?2 AND type = ?4 AND (user_id = ?3 OR (user_id IS NULL AND session_id = ?3)))",
                params![room, widget, actor, kind],
                |r| r.get::<_, bool>(0),
            )
        })
    }

    /// How many events of the given types each viewer of a room sent since `since` (server
    /// time of receipt), most first; ties go to whoever started first.
    pub fn activity(
        &self,
        room: &str,
        since: u64,
        types: &[&str],
    ) -> rusqlite::Result<Vec<Activity>> {
        let types = serde_json::to_string(types).unwrap_or_else(|_| "[]".into());
        self.with(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT COALESCE(user_id, session_id) AS who, COUNT(*) AS n, MIN(received_at) AS first
                 FROM events WHERE room_id = ?1 AND received_at >= ?2
                   AND type IN (SELECT value FROM json_each(?3)) AND COALESCE(user_id, session_id) IS NOT NULL
                 GROUP BY who ORDER BY n DESC, first ASC",
            )?;
            let rows = stmt.query_map(params![room, since as i64, types], |r| {
                Ok(Activity {
                    actor: r.get(0)?,
                    count: r.get::<_, i64>(1)? as u64,
                })
            })?;
            rows.collect()
        })
    }

    /// Lottery wins of a viewer in a room (any widget).
    pub fn wins(&self, room: &str, actor: &str) -> rusqlite::Result<u64> {
        self.with(|c| {
            c.query_row("SELECT COUNT(*) FROM decisions WHERE room_id = ?1 AND actor = ?2 AND outcome = 'won'", params![room, actor], |r| r.get::<_, i64>(0))
                .map(|n| n as u64)
        })
    }

    pub fn set_member(&self, room: &str, user: &str, member: bool) -> rusqlite::Result<()> {
        self.with(|c| {
            if member {
                c.execute(
                    "INSERT OR IGNORE INTO members (room_id, user_id) VALUES (?1, ?2)",
                    params![room, user],
                )
            } else {
                c.execute(
                    "DELETE FROM members WHERE room_id = ?1 AND user_id = ?2",
                    params![room, user],
                )
            }
            .map(|_| ())
        })
    }

    pub fn is_member(&self, room: &str, user: &str) -> rusqlite::Result<bool> {
        self.with(|c| {
            c.query_row(
                "SELECT 1 FROM members WHERE room_id = ?1 AND user_id = ?2",
                params![room, user],
                |_| Ok(()),
            )
            .optional()
            .map(|r| r.is_some())
        })
    }

    /// A counter that survives restarts (order and voucher numbers).
    /// Adds `delta` to a named counter and returns the new value.
    pub fn add(&self, name: &str, delta: u64) -> rusqlite::Result<u64> {
        self.with(|c| {
            c.query_row(
                "INSERT INTO counters (name, value) VALUES (?1, ?2) ON CONFLICT(name) DO UPDATE SET value = value + ?2 RETURNING value",
                params![name, delta as i64],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n as u64)
        })
    }

    pub fn next(&self, name: &str) -> rusqlite::Result<u64> {
        self.with(|c| {
            c.query_row(
                "INSERT INTO counters (name, value) VALUES (?1, 1) ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value",
                [name],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n as u64)
        })
    }
}

/// A player's standing in a quiz.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub score: u64,
    pub streak: u32,
    pub eliminated: bool,
}

fn standings_in(
    c: &Connection,
    room: &str,
    widget: &str,
) -> rusqlite::Result<Vec<(String, Standing)>> {
    let mut stmt = c.prepare_cached(
        "SELECT actor, score, streak, eliminated FROM players WHERE room_id = ?1 AND widget_id = ?2",
    )?;
    let rows = stmt.query_map(params![room, widget], |r| {
        Ok((
            r.get::<_, String>(0)?,
            Standing {
                score: r.get::<_, i64>(1)? as u64,
                streak: r.get::<_, u32>(2)?,
                eliminated: r.get(3)?,
            },
        ))
    })?;
    rows.collect()
}

fn insert_decision(c: &Connection, d: &Decision<'_>, answer: &str) -> rusqlite::Result<bool> {
    c.execute(
        "INSERT OR IGNORE INTO decisions (request_id, room_id, widget_id, actor, item_id, outcome, answer, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![d.request_id, d.room, d.widget, d.actor, d.item, d.outcome, answer, d.at as i64],
    )
    .map(|n| n == 1)
}
