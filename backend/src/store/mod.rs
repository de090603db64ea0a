//! The backend's state, in SQLite (WAL; the embedded default) or PostgreSQL (the
//! scale-out engine, `--db postgres://…`): the events the collector accepted (unique by
//! `event_id`), every command a room received (replayed on start, so a restart loses
//! nothing acknowledged), and every authoritative decision, each taken in one transaction
//! (see [`engine`]), so that any number of processes on one database decide as one.
mod engine;

use engine::{args, Engine, Row, Sql};
pub use engine::{Error, Result};
use rusqlite::Connection;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// A room's sets of viewers, each a table of (room_id, user_id).
#[derive(Clone, Copy)]
enum UserSet {
    /// Who follows the host or its official account (the lead card).
    Follows,
    /// Who belongs to the brand's private group (WeCom; the gate of gated sales).
    Members,
}

impl UserSet {
    fn table(self) -> &'static str {
        match self {
            UserSet::Follows => "follows",
            UserSet::Members => "members",
        }
    }
}

#[derive(Clone)]
pub struct Store {
    engine: Arc<Mutex<Engine>>,
}

/// A stored host command ([`Store::all_commands`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCommand {
    pub room: String,
    pub seq: u64,
    /// Server time it was applied.
    pub at: u64,
    /// The stream position it belongs to (program-date-time, ms), if the host gave one.
    pub pts: Option<u64>,
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

/// Opens a viewer's account in a shop from the shop's starting account (kept under the user
/// `*`, which no viewer id can be), unless they have one: their first redemption or gain.
const OPEN_ACCOUNT: &str = "INSERT INTO accounts (room_id, widget_id, user_id, balance, tier)
     SELECT room_id, widget_id, CAST(?3 AS TEXT), balance, tier FROM accounts
     WHERE room_id = ?1 AND widget_id = ?2 AND user_id = '*'
     ON CONFLICT (room_id, widget_id, user_id) DO NOTHING";

/// SQLite's schema, one step per version (`PRAGMA user_version`): a database of any earlier
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
    // 3: question queues in the database (asks merged and numbered in one transaction),
    // and each viewer's last like batch (the pace cap), so every process keeps one queue.
    engine::QUESTIONS_AND_LIKES,
    // 4: each command's stream position, so a snapshot's tail (the last minute's commands,
    // for viewers behind the room) keeps it whichever process reads the log.
    "ALTER TABLE commands ADD COLUMN pts INTEGER;",
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
    /// Opens the database `target` names: a `postgres://` (or `postgresql://`) URL, or
    /// the path of a SQLite file (made, with its folder, if missing).
    pub fn connect(target: &str) -> Result<Store> {
        if target.starts_with("postgres://") || target.starts_with("postgresql://") {
            let mut engine = Engine::postgres(target)?;
            engine::migrate_postgres(&mut engine)?;
            Ok(Store {
                engine: Arc::new(Mutex::new(engine)),
            })
        } else {
            Store::open(Path::new(target))
        }
    }

    /// Opens (or makes) a SQLite file.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrate(&mut conn)?;
        Ok(Store {
            engine: Arc::new(Mutex::new(Engine::Sqlite(conn))),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Engine> {
        self.engine.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn with<T>(&self, f: impl FnOnce(&mut dyn Sql) -> Result<T>) -> Result<T> {
        self.lock().run(f)
    }

    fn tx<T>(
        &self,
        locks: &[&str],
        f: impl FnOnce(&mut dyn Sql) -> Result<(T, bool)>,
    ) -> Result<T> {
        self.lock().transaction(locks, f)
    }

    /// Inserts a batch's events in one transaction; copies already stored are counted.
    pub fn insert_events(&self, events: &[serde_json::Value], now: u64) -> Result<Stored> {
        self.tx(&[], |c| {
            let mut out = Stored::default();
            for e in events {
                let s = |k: &str| e.get(k).and_then(|v| v.as_str());
                let Some(id) = s("event_id") else {
                    out.fresh.push(false);
                    continue;
                };
                let body = e.to_string();
                let n = c.exec(
                    "INSERT INTO events (event_id, room_id, session_id, user_id, widget_id, kind, type, at, received_at, body)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT DO NOTHING",
                    args![
                        id,
                        s("room_id"),
                        s("session_id"),
                        s("user_id"),
                        s("widget_id"),
                        s("kind"),
                        s("type").unwrap_or_default(),
                        e.get("at").and_then(|v| v.as_u64()).map(|v| v as i64),
                        now,
                        &body
                    ],
                )?;
                if n == 1 {
                    out.new += 1;
                } else {
                    out.duplicates += 1;
                }
                out.fresh.push(n == 1);
            }
            Ok((out, true))
        })
    }

    pub fn count_events(&self, room: Option<&str>, kind: Option<&str>) -> Result<u64> {
        self.with(|c| {
            c.one(
                "SELECT COUNT(*) FROM events WHERE (?1 IS NULL OR room_id = ?1) AND (?2 IS NULL OR type = ?2)",
                args![room, kind],
            )
            .map(|r| r.count(0))
        })
    }

    /// Stored events of a room (or every room) and a type (or, ending in `.`, a family such
    /// as `flash.`), oldest first: the first `limit`, or with `newest` the last `limit`.
    pub fn events(
        &self,
        room: Option<&str>,
        kind: Option<&str>,
        limit: u32,
        newest: bool,
    ) -> Result<Vec<serde_json::Value>> {
        // A family is a prefix: LIKE with its `_` taken literally.
        let (exact, family) = match kind {
            Some(k) if k.ends_with('.') => (None, Some(format!("{}%", k.replace('_', "\\_")))),
            k => (k, None),
        };
        let order = if newest { "DESC" } else { "ASC" };
        self.with(|c| {
            let rows = c.rows(
                &format!(
                    "SELECT body FROM events WHERE (?1 IS NULL OR room_id = ?1) AND (?2 IS NULL OR type = ?2)
                     AND (?3 IS NULL OR type LIKE ?3 ESCAPE '\\')
                     ORDER BY received_at {order}, rowid {order} LIMIT ?4"
                ),
                args![room, exact, family.as_deref(), limit],
            )?;
            let mut out: Vec<serde_json::Value> = rows
                .iter()
                .map(|r| serde_json::from_str(&r.text(0)).unwrap_or(serde_json::Value::Null))
                .collect();
            if newest {
                out.reverse();
            }
            Ok(out)
        })
    }

    /// Appends a command to a room's log and returns its sequence number: the next after
    /// the room's last, whichever process appended that.
    pub fn append_command(&self, room: &str, at: u64, pts: Option<u64>, body: &str) -> Result<u64> {
        let lock = format!("commands:{room}");
        let pts = pts.map(|p| p as i64);
        self.tx(&[&lock], |c| {
            let seq = c
                .one(
                    "INSERT INTO commands (room_id, seq, at, body, pts)
                     SELECT ?1, COALESCE(MAX(seq), 0) + 1, ?2, ?3, ?4 FROM commands WHERE room_id = ?1 RETURNING seq",
                    args![room, at, body, pts],
                )?
                .count(0);
            Ok((seq, true))
        })
    }

    /// One room's commands in order.
    pub fn room_commands(&self, room: &str) -> Result<Vec<StoredCommand>> {
        self.with(|c| {
            let rows = c.rows(
                "SELECT room_id, seq, at, body, pts FROM commands WHERE room_id = ?1 ORDER BY seq",
                args![room],
            )?;
            Ok(rows.iter().map(stored_command).collect())
        })
    }

    /// Whether a room has any command in the log.
    pub fn has_commands(&self, room: &str) -> Result<bool> {
        self.with(|c| {
            c.one(
                "SELECT CASE WHEN EXISTS(SELECT 1 FROM commands WHERE room_id = ?1) THEN 1 ELSE 0 END",
                args![room],
            )
            .map(|r| r.flag(0))
        })
    }

    /// Every room's commands in order, to rebuild the rooms on start.
    pub fn all_commands(&self) -> Result<Vec<StoredCommand>> {
        self.with(|c| {
            let rows = c.rows(
                "SELECT room_id, seq, at, body, pts FROM commands ORDER BY room_id, seq",
                args![],
            )?;
            Ok(rows.iter().map(stored_command).collect())
        })
    }

    /// A room's commands after `seq`, in order (what another process serving the room
    /// stored since this one last heard of it).
    pub fn commands_after(&self, room: &str, seq: u64) -> Result<Vec<StoredCommand>> {
        self.with(|c| {
            let rows = c.rows(
                "SELECT room_id, seq, at, body, pts FROM commands WHERE room_id = ?1 AND seq > ?2 ORDER BY seq",
                args![room, seq],
            )?;
            Ok(rows.iter().map(stored_command).collect())
        })
    }

    /// The answer already given to one viewer's request, if any. Requests are the viewer's
    /// own: the same id from another viewer is another request.
    pub fn decision(&self, room: &str, actor: &str, request_id: &str) -> Result<Option<String>> {
        self.with(|c| decision_in(c, room, actor, request_id))
    }

    /// Records a decision; false when the request was already decided (its first answer
    /// stands).
    pub fn record_decision(&self, d: &Decision<'_>) -> Result<bool> {
        self.with(|c| insert_decision(c, d, d.answer))
    }

    /// Decides a reward request in one transaction that holds the widget, so that
    /// processes sharing the database never grant more than `grant` allows between them:
    /// the request's earlier answer if it has one; else the widget's cap, the item's stock,
    /// the viewer's limit and the account's balance, each checked and taken; and only then
    /// the decision recorded as a `success` with the answer `answer` makes of the figures.
    /// On a refusal nothing is written (the caller records the refusal with
    /// [`Store::record_decision`]).
    pub fn grant(
        &self,
        d: &Decision<'_>,
        grant: Grant,
        answer: impl FnOnce(&Granted) -> String,
    ) -> Result<GrantOutcome> {
        let lock = widget_lock(d.room, d.widget);
        self.tx(&[&lock], |c| {
            if let Some(a) = decision_in(c, d.room, d.actor, d.request_id)? {
                return Ok((GrantOutcome::Before(a), false));
            }
            let sold = successes_in(c, d.room, d.widget, None, None)?;
            if grant.widget_cap.is_some_and(|cap| sold >= cap) {
                return Ok((GrantOutcome::SoldOut, false));
            }
            let mut figures = Granted {
                successes: sold + 1,
                ..Granted::default()
            };
            if let Some(from) = grant.stock_from {
                let item = d.item.unwrap_or_default();
                c.exec(
                    "INSERT INTO stock (room_id, widget_id, item_id, units) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
                    args![d.room, d.widget, item, from],
                )?;
                let left = c.row(
                    "UPDATE stock SET units = units - 1 WHERE room_id = ?1 AND widget_id = ?2 AND item_id = ?3 AND units > 0
                     RETURNING units",
                    args![d.room, d.widget, item],
                )?;
                let Some(left) = left else {
                    return Ok((GrantOutcome::OutOfStock, false));
                };
                figures.stock_left = Some(left.count(0));
            }
            if let Some(cap) = grant.viewer_cap {
                if successes_in(c, d.room, d.widget, Some(d.actor), d.item)? >= cap {
                    return Ok((GrantOutcome::Limit, false));
                }
            }
            if let Some(cost) = grant.cost {
                let balance = c.row(
                    "UPDATE accounts SET balance = balance - ?4 WHERE room_id = ?1 AND widget_id = ?2 AND user_id = ?3
                     AND balance >= ?4 RETURNING balance",
                    args![d.room, d.widget, d.actor, cost],
                )?;
                let Some(balance) = balance else {
                    return Ok((GrantOutcome::Points, false));
                };
                figures.balance = Some(balance.count(0));
            }
            let text = answer(&figures);
            insert_decision(c, d, &text)?;
            Ok((GrantOutcome::Granted(figures), true))
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
    ) -> Result<()> {
        self.with(|c| {
            c.exec(
                "INSERT INTO stock (room_id, widget_id, item_id, units) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (room_id, widget_id, item_id) DO UPDATE SET
                   units = CASE WHEN ?5 = 1 AND stock.units < excluded.units THEN stock.units ELSE excluded.units END",
                args![room, widget, item, units, lower_only],
            )
            .map(|_| ())
        })
    }

    /// A lottery entry, once per viewer: `true` if this one is new.
    pub fn enter(&self, room: &str, widget: &str, actor: &str, at: u64) -> Result<bool> {
        let lock = widget_lock(room, widget);
        self.tx(&[&lock], |c| {
            let n = c.exec(
                "INSERT INTO entries (room_id, widget_id, actor, at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
                args![room, widget, actor, at],
            )?;
            Ok((n == 1, true))
        })
    }

    /// Whether the viewer entered the lottery.
    pub fn entered(&self, room: &str, widget: &str, actor: &str) -> Result<bool> {
        self.with(|c| {
            c.one(
                "SELECT CASE WHEN EXISTS(SELECT 1 FROM entries WHERE room_id = ?1 AND widget_id = ?2 AND actor = ?3)
                 THEN 1 ELSE 0 END",
                args![room, widget, actor],
            )
            .map(|r| r.flag(0))
        })
    }

    /// How many viewers entered a lottery.
    pub fn entry_count(&self, room: &str, widget: &str) -> Result<u64> {
        self.with(|c| {
            c.one(
                "SELECT COUNT(*) FROM entries WHERE room_id = ?1 AND widget_id = ?2",
                args![room, widget],
            )
            .map(|r| r.count(0))
        })
    }

    /// Draws a lottery once across every process, in one transaction that holds the
    /// widget: the draw taken (an insert only one caller wins), the entrants read, `pick`
    /// choosing the winners, and each entrant's result recorded under `id(actor)` with the
    /// answer `answer(actor, won)` makes. `None` if the bag was drawn before; otherwise
    /// (entrants, winners). A failure leaves nothing taken, so the next flush tries again.
    pub fn draw(
        &self,
        room: &str,
        widget: &str,
        at: u64,
        pick: impl FnOnce(&[String]) -> Vec<String>,
        id: impl Fn(&str) -> String,
        answer: impl Fn(&str, bool) -> String,
    ) -> Result<Option<(Vec<String>, Vec<String>)>> {
        let lock = widget_lock(room, widget);
        self.tx(&[&lock], |c| {
            if c.exec(
                "INSERT INTO draws (room_id, widget_id, at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
                args![room, widget, at],
            )? == 0
            {
                return Ok((None, false));
            }
            let entrants: Vec<String> = c
                .rows(
                    "SELECT actor FROM entries WHERE room_id = ?1 AND widget_id = ?2 ORDER BY at, rowid",
                    args![room, widget],
                )?
                .iter()
                .map(|r| r.text(0))
                .collect();
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
                insert_decision(c, &d, &answer(actor, won))?;
            }
            Ok((Some((entrants, winners)), true))
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
    ) -> Result<VoteOutcome> {
        let text = serde_json::to_string(options).unwrap_or_else(|_| "[]".into());
        let lock = widget_lock(room, widget);
        self.tx(&[&lock], |c| {
            let previous: Option<Vec<String>> = c
                .row(
                    "SELECT options FROM votes WHERE room_id = ?1 AND widget_id = ?2 AND actor = ?3",
                    args![room, widget, actor],
                )?
                .map(|r| serde_json::from_str(&r.text(0)).unwrap_or_default());
            match &previous {
                Some(p) if p == options => return Ok((VoteOutcome::Repeat, false)),
                Some(_) if !revote => return Ok((VoteOutcome::NoRevote, false)),
                _ => {}
            }
            for o in previous.iter().flatten() {
                c.exec(
                    "UPDATE tallies SET n = n - 1 WHERE room_id = ?1 AND widget_id = ?2 AND option_id = ?3 AND n > 0",
                    args![room, widget, o],
                )?;
            }
            for o in options {
                c.exec(
                    "INSERT INTO tallies (room_id, widget_id, option_id, n) VALUES (?1, ?2, ?3, 1)
                     ON CONFLICT (room_id, widget_id, option_id) DO UPDATE SET n = tallies.n + 1",
                    args![room, widget, o],
                )?;
            }
            c.exec(
                "INSERT INTO votes (room_id, widget_id, actor, options, at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (room_id, widget_id, actor) DO UPDATE SET options = excluded.options, at = excluded.at",
                args![room, widget, actor, &text, at],
            )?;
            Ok((VoteOutcome::Counted, true))
        })
    }

    /// A poll's tally: option → votes.
    pub fn tally(&self, room: &str, widget: &str) -> Result<Vec<(String, u64)>> {
        self.with(|c| {
            let rows = c.rows(
                "SELECT option_id, n FROM tallies WHERE room_id = ?1 AND widget_id = ?2 ORDER BY option_id",
                args![room, widget],
            )?;
            Ok(rows.iter().map(|r| (r.text(0), r.count(1))).collect())
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
    ) -> Result<AnswerOutcome> {
        let lock = widget_lock(room, widget);
        self.tx(&[&lock], |c| {
            let out = c.row(
                "SELECT eliminated FROM players WHERE room_id = ?1 AND widget_id = ?2 AND actor = ?3",
                args![room, widget, actor],
            )?;
            if out.is_some_and(|r| r.flag(0)) {
                return Ok((AnswerOutcome::Eliminated, false));
            }
            let fresh = c.exec(
                "INSERT INTO answers (room_id, widget_id, question_id, actor, option_id, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
                args![room, widget, question, actor, option, at],
            )? == 1;
            if !fresh {
                return Ok((AnswerOutcome::Again, false));
            }
            c.exec(
                "INSERT INTO players (room_id, widget_id, actor) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
                args![room, widget, actor],
            )?;
            Ok((AnswerOutcome::Counted, true))
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
    ) -> Result<Option<Vec<(String, Standing)>>> {
        let lock = widget_lock(room, widget);
        // The right options as parameters ?6, ?7, …
        let right = if correct.is_empty() {
            "NULL".to_owned()
        } else {
            (0..correct.len())
                .map(|i| format!("?{}", i + 6))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let sql = format!(
            "UPDATE players SET
               score = score + CASE WHEN s.ok = 1 THEN ?4 ELSE 0 END,
               streak = CASE WHEN s.ok = 1 THEN streak + 1 ELSE 0 END,
               eliminated = CASE WHEN s.ok = 1 THEN 0 ELSE ?5 END
             FROM (SELECT p.actor AS who, CASE WHEN EXISTS(SELECT 1 FROM answers a WHERE a.room_id = ?1 AND a.widget_id = ?2
                     AND a.question_id = ?3 AND a.actor = p.actor AND a.option_id IN ({right})) THEN 1 ELSE 0 END AS ok
                   FROM players p WHERE p.room_id = ?1 AND p.widget_id = ?2) AS s
             WHERE room_id = ?1 AND widget_id = ?2 AND actor = s.who AND eliminated = 0"
        );
        self.tx(&[&lock], |c| {
            if c.exec(
                "INSERT INTO scored (room_id, widget_id, question_id) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
                args![room, widget, question],
            )? == 0
            {
                return Ok((None, false));
            }
            let mut values = args![room, widget, question, points, elimination].to_vec();
            values.extend(correct.iter().map(engine::Arg::from));
            c.exec(&sql, &values)?;
            let standings = standings_in(c, room, widget)?;
            Ok((Some(standings), true))
        })
    }

    /// Every player's standing in a quiz.
    pub fn standings(&self, room: &str, widget: &str) -> Result<Vec<(String, Standing)>> {
        self.with(|c| standings_in(c, room, widget))
    }

    /// One player's standing, as the host sets it (a revive card).
    pub fn set_standing(&self, room: &str, widget: &str, actor: &str, s: Standing) -> Result<()> {
        self.with(|c| {
            c.exec(
                "INSERT INTO players (room_id, widget_id, actor, score, streak, eliminated) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (room_id, widget_id, actor) DO UPDATE SET score = excluded.score, streak = excluded.streak,
                   eliminated = excluded.eliminated",
                args![room, widget, actor, s.score, s.streak, s.eliminated],
            )
            .map(|_| ())
        })
    }

    /// A setting kept with the data (the token signing secret): the stored value, or
    /// `make()`'s, stored now, when there is none. Processes sharing the database agree.
    pub fn setting(&self, name: &str, make: impl FnOnce() -> String) -> Result<String> {
        let fresh = make();
        self.with(|c| {
            c.exec(
                "INSERT INTO settings (name, value) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                args![name, &fresh],
            )?;
            c.one("SELECT value FROM settings WHERE name = ?1", args![name])
                .map(|r| r.text(0))
        })
    }

    /// Successes of one actor (optionally for one item) in a widget.
    pub fn successes(
        &self,
        room: &str,
        widget: &str,
        actor: Option<&str>,
        item: Option<&str>,
    ) -> Result<u64> {
        self.with(|c| successes_in(c, room, widget, actor, item))
    }

    /// Decisions of one room (optionally one widget), counted by outcome.
    pub fn outcomes(&self, room: &str, widget: Option<&str>) -> Result<Vec<(String, u64)>> {
        self.with(|c| {
            let rows = c.rows(
                "SELECT outcome, COUNT(*) FROM decisions WHERE room_id = ?1 AND (?2 IS NULL OR widget_id = ?2)
                 GROUP BY outcome ORDER BY outcome",
                args![room, widget],
            )?;
            Ok(rows.iter().map(|r| (r.text(0), r.count(1))).collect())
        })
    }

    /// A viewer's account in a shop. A viewer who has none yet opens one from the shop's
    /// starting account (a `redeem.account` sent to the whole room), once: from then on it is
    /// theirs ([`OPEN_ACCOUNT`]).
    pub fn account(&self, room: &str, widget: &str, user: &str) -> Result<Option<PointAccount>> {
        self.with(|c| {
            c.exec(OPEN_ACCOUNT, args![room, widget, user])?;
            Ok(c.row(
                "SELECT balance, tier FROM accounts WHERE room_id = ?1 AND widget_id = ?2 AND user_id = ?3",
                args![room, widget, user],
            )?
            .map(|r| PointAccount {
                balance: r.count(0),
                tier: r.opt_text(1),
            }))
        })
    }

    pub fn set_account(
        &self,
        room: &str,
        widget: &str,
        user: &str,
        balance: u64,
        tier: Option<&str>,
    ) -> Result<()> {
        self.with(|c| {
            c.exec(
                "INSERT INTO accounts (room_id, widget_id, user_id, balance, tier) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (room_id, widget_id, user_id) DO UPDATE SET balance = excluded.balance, tier = excluded.tier",
                args![room, widget, user, balance, tier],
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
    ) -> Result<Option<u64>> {
        self.tx(&[], |c| {
            let fresh = c.exec(
                "INSERT INTO gains (gain_id, room_id, widget_id, user_id) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
                args![gain_id, room, widget, user],
            )? == 1;
            if !fresh {
                return Ok((None, false));
            }
            c.exec(OPEN_ACCOUNT, args![room, widget, user])?;
            let balance = c.row(
                "UPDATE accounts SET balance = CASE WHEN balance + ?4 > 0 THEN balance + ?4 ELSE 0 END
                 WHERE room_id = ?1 AND widget_id = ?2 AND user_id = ?3 RETURNING balance",
                args![room, widget, user, delta],
            )?;
            Ok((balance.map(|r| r.count(0)), true))
        })
    }

    /// Records that an action was refused, and why (it stays stored as an event).
    pub fn reject(&self, e: &serde_json::Value, code: &str, reason: &str, at: u64) -> Result<()> {
        let s = |k: &str| e.get(k).and_then(|v| v.as_str());
        self.with(|c| {
            c.exec(
                "INSERT INTO rejected (event_id, room_id, widget_id, type, code, reason, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT DO NOTHING",
                args![s("event_id"), s("room_id"), s("widget_id"), s("type"), code, reason, at],
            )
            .map(|_| ())
        })
    }

    /// Refused actions, newest first.
    pub fn rejections(&self, room: Option<&str>, limit: u32) -> Result<Vec<serde_json::Value>> {
        self.with(|c| {
            let rows = c.rows(
                "SELECT event_id, widget_id, type, code, reason, at FROM rejected WHERE (?1 IS NULL OR room_id = ?1)
                 ORDER BY at DESC, rowid DESC LIMIT ?2",
                args![room, limit],
            )?;
            Ok(rows
                .iter()
                .map(|r| {
                    serde_json::json!({"event_id": r.opt_text(0), "widget_id": r.opt_text(1), "type": r.opt_text(2),
                        "code": r.text(3), "reason": r.text(4), "at": r.int(5)})
                })
                .collect())
        })
    }

    /// Stored question asks and upvotes, oldest first: (received at, event).
    pub fn question_events(&self) -> Result<Vec<(u64, serde_json::Value)>> {
        self.with(|c| {
            let rows = c.rows(
                "SELECT received_at, body FROM events WHERE type IN ('question.ask', 'question.upvote')
                 AND NOT EXISTS (SELECT 1 FROM rejected r WHERE r.event_id = events.event_id)
                 ORDER BY received_at, rowid",
                args![],
            )?;
            Ok(rows
                .iter()
                .map(|r| (r.count(0), serde_json::from_str(&r.text(1)).unwrap_or_default()))
                .collect())
        })
    }

    pub fn set_follow(&self, room: &str, user: &str, follow: bool) -> Result<()> {
        self.set_in(UserSet::Follows, room, user, follow)
    }

    pub fn follows(&self, room: &str, user: &str) -> Result<bool> {
        self.is_in(UserSet::Follows, room, user)
    }

    /// Puts a viewer in or takes them out of one of a room's sets of viewers.
    fn set_in(&self, set: UserSet, room: &str, user: &str, on: bool) -> Result<()> {
        let table = set.table();
        let sql = if on {
            format!("INSERT INTO {table} (room_id, user_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING")
        } else {
            format!("DELETE FROM {table} WHERE room_id = ?1 AND user_id = ?2")
        };
        self.with(|c| c.exec(&sql, args![room, user]).map(|_| ()))
    }

    fn is_in(&self, set: UserSet, room: &str, user: &str) -> Result<bool> {
        let sql = format!(
            "SELECT 1 FROM {} WHERE room_id = ?1 AND user_id = ?2",
            set.table()
        );
        self.with(|c| c.row(&sql, args![room, user]).map(|r| r.is_some()))
    }

    /// When a viewer's first event in the room happened (their arrival, as far as we know).
    pub fn first_seen(&self, room: &str, user: &str) -> Result<Option<u64>> {
        self.with(|c| {
            c.one(
                "SELECT MIN(at) FROM events WHERE room_id = ?1 AND (user_id = ?2 OR (user_id IS NULL AND session_id = ?2))",
                args![room, user],
            )
            .map(|r| r.opt_int(0).map(|v| v.max(0) as u64))
        })
    }

    /// The actors with a given outcome in a widget, in decision order.
    pub fn actors_with(&self, room: &str, widget: &str, outcome: &str) -> Result<Vec<String>> {
        self.with(|c| {
            let rows = c.rows(
                "SELECT actor FROM decisions WHERE room_id = ?1 AND widget_id = ?2 AND outcome = ?3 ORDER BY at, rowid",
                args![room, widget, outcome],
            )?;
            Ok(rows.iter().map(|r| r.text(0)).collect())
        })
    }

    /// The answers a viewer got in a room with this outcome, oldest first.
    pub fn answers_of(&self, room: &str, actor: &str, outcome: &str) -> Result<Vec<String>> {
        self.with(|c| {
            let rows = c.rows(
                "SELECT answer FROM decisions WHERE room_id = ?1 AND actor = ?2 AND outcome = ?3 ORDER BY at, rowid",
                args![room, actor, outcome],
            )?;
            Ok(rows.iter().map(|r| r.text(0)).collect())
        })
    }

    /// What a viewer did in a room, for task progress. Each like batch counts at most 150
    /// taps (15 a second for 10 s), as the room total does.
    pub fn task_counts(&self, room: &str, actor: &str) -> Result<TaskCounts> {
        self.with(|c| {
            let counts = c.one(
                "SELECT
                   COUNT(CASE WHEN type IN ('task.shared', 'coupon.shared') THEN 1 END),
                   COUNT(CASE WHEN type = 'quiz.answer'
                     AND NOT EXISTS (SELECT 1 FROM rejected r WHERE r.event_id = events.event_id) THEN 1 END)
                 FROM events WHERE room_id = ?1 AND (user_id = ?2 OR (user_id IS NULL AND session_id = ?2))",
                args![room, actor],
            )?;
            let likes = c
                .rows(
                    "SELECT body FROM events WHERE room_id = ?1 AND type = 'like.sent'
                     AND (user_id = ?2 OR (user_id IS NULL AND session_id = ?2))",
                    args![room, actor],
                )?
                .iter()
                .map(|r| {
                    let body: serde_json::Value = serde_json::from_str(&r.text(0)).unwrap_or_default();
                    body.get("count")
                        .and_then(|n| n.as_f64())
                        .map_or(0, |n| n.clamp(0.0, 150.0) as u64)
                })
                .sum();
            Ok(TaskCounts {
                likes,
                shares: counts.count(0),
                answers: counts.count(1),
            })
        })
    }

    /// Whether a viewer sent an event of this type for this widget.
    pub fn has_event(&self, room: &str, widget: &str, actor: &str, kind: &str) -> Result<bool> {
        self.with(|c| {
            c.one(
                "SELECT CASE WHEN EXISTS(SELECT 1 FROM events WHERE room_id = ?1 AND widget_id = ?2 AND type = ?4
                   AND (user_id = ?3 OR (user_id IS NULL AND session_id = ?3))) THEN 1 ELSE 0 END",
                args![room, widget, actor, kind],
            )
            .map(|r| r.flag(0))
        })
    }

    /// How many events of the given types each viewer of a room sent since `since` (server
    /// time of receipt), most first; ties go to whoever started first.
    pub fn activity(&self, room: &str, since: u64, types: &[&str]) -> Result<Vec<Activity>> {
        if types.is_empty() {
            return Ok(Vec::new());
        }
        let list = (0..types.len())
            .map(|i| format!("?{}", i + 3))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT COALESCE(user_id, session_id) AS who, COUNT(*) AS n, MIN(received_at) AS first
             FROM events WHERE room_id = ?1 AND received_at >= ?2
               AND type IN ({list}) AND COALESCE(user_id, session_id) IS NOT NULL
             GROUP BY COALESCE(user_id, session_id) ORDER BY n DESC, first ASC"
        );
        self.with(|c| {
            let mut values = args![room, since].to_vec();
            values.extend(types.iter().map(|t| engine::Arg::from(*t)));
            let rows = c.rows(&sql, &values)?;
            Ok(rows
                .iter()
                .map(|r| Activity {
                    actor: r.text(0),
                    count: r.count(1),
                })
                .collect())
        })
    }

    /// Lottery wins of a viewer in a room (any widget).
    pub fn wins(&self, room: &str, actor: &str) -> Result<u64> {
        self.with(|c| {
            c.one(
                "SELECT COUNT(*) FROM decisions WHERE room_id = ?1 AND actor = ?2 AND outcome = 'won'",
                args![room, actor],
            )
            .map(|r| r.count(0))
        })
    }

    pub fn set_member(&self, room: &str, user: &str, member: bool) -> Result<()> {
        self.set_in(UserSet::Members, room, user, member)
    }

    pub fn is_member(&self, room: &str, user: &str) -> Result<bool> {
        self.is_in(UserSet::Members, room, user)
    }

    /// A question asked, in one transaction that holds the queue: a vote for the same
    /// question (`norm`) still open, or a new one numbered after the queue's last.
    /// Returns (question id, merged).
    pub fn ask(
        &self,
        room: &str,
        widget: &str,
        actor: &str,
        text: &str,
        norm: &str,
        at: u64,
    ) -> Result<(String, bool)> {
        let lock = widget_lock(room, widget);
        self.tx(&[&lock], |c| {
            let same = c.row(
                "SELECT question_id, asker FROM questions WHERE room_id = ?1 AND widget_id = ?2 AND norm = ?3
                 AND state <> 'answered' ORDER BY LENGTH(question_id), question_id LIMIT 1",
                args![room, widget, norm],
            )?;
            if let Some(q) = same {
                let id = q.text(0);
                if q.text(1) != actor {
                    c.exec(
                        "INSERT INTO question_votes (room_id, widget_id, question_id, actor) VALUES (?1, ?2, ?3, ?4)
                         ON CONFLICT DO NOTHING",
                        args![room, widget, &id, actor],
                    )?;
                }
                return Ok(((id, true), true));
            }
            let n = c
                .one(
                    "SELECT COUNT(*) FROM questions WHERE room_id = ?1 AND widget_id = ?2",
                    args![room, widget],
                )?
                .count(0);
            let id = format!("q{}", n + 1);
            c.exec(
                "INSERT INTO questions (room_id, widget_id, question_id, text, norm, asker, state, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'queued', ?7)",
                args![room, widget, &id, text, norm, actor, at],
            )?;
            Ok(((id, false), true))
        })
    }

    /// An upvote: counted once per viewer, never the asker's, never on an answered question.
    pub fn upvote_question(
        &self,
        room: &str,
        widget: &str,
        actor: &str,
        question: &str,
    ) -> Result<bool> {
        self.with(|c| {
            c.exec(
                "INSERT INTO question_votes (room_id, widget_id, question_id, actor)
                 SELECT room_id, widget_id, question_id, ?4 FROM questions
                 WHERE room_id = ?1 AND widget_id = ?2 AND question_id = ?3 AND asker <> ?4 AND state <> 'answered'
                 ON CONFLICT DO NOTHING",
                args![room, widget, question, actor],
            )
            .map(|n| n == 1)
        })
    }

    /// The host's mark on a question (`answering`, `answered`, or back to `queued`).
    pub fn mark_question(
        &self,
        room: &str,
        widget: &str,
        question: &str,
        state: &str,
    ) -> Result<()> {
        self.with(|c| {
            c.exec(
                "UPDATE questions SET state = ?4 WHERE room_id = ?1 AND widget_id = ?2 AND question_id = ?3",
                args![room, widget, question, state],
            )
            .map(|_| ())
        })
    }

    /// A queue's questions in the order they were first asked, with their voters.
    pub fn questions(&self, room: &str, widget: &str) -> Result<Vec<QuestionRow>> {
        self.with(|c| {
            let mut voters: std::collections::HashMap<String, Vec<String>> = Default::default();
            for r in c.rows(
                "SELECT question_id, actor FROM question_votes WHERE room_id = ?1 AND widget_id = ?2",
                args![room, widget],
            )? {
                voters.entry(r.text(0)).or_default().push(r.text(1));
            }
            let rows = c.rows(
                "SELECT question_id, text, asker, state FROM questions WHERE room_id = ?1 AND widget_id = ?2
                 ORDER BY LENGTH(question_id), question_id",
                args![room, widget],
            )?;
            Ok(rows
                .iter()
                .map(|r| QuestionRow {
                    voters: voters.remove(&r.text(0)).unwrap_or_default(),
                    id: r.text(0),
                    text: r.text(1),
                    asker: r.text(2),
                    state: r.text(3),
                })
                .collect())
        })
    }

    /// Whether any question is booked (a database of an earlier version has its asks only
    /// as events: the hub books them once).
    pub fn has_questions(&self) -> Result<bool> {
        self.with(|c| {
            c.one(
                "SELECT CASE WHEN EXISTS(SELECT 1 FROM questions) THEN 1 ELSE 0 END",
                args![],
            )
            .map(|r| r.flag(0))
        })
    }

    /// A viewer's like batch arriving at `at`: when their previous one did, if ever.
    pub fn like_batch(
        &self,
        room: &str,
        widget: &str,
        actor: &str,
        at: u64,
    ) -> Result<Option<u64>> {
        let lock = format!("likes:{room}\u{1f}{widget}\u{1f}{actor}");
        self.tx(&[&lock], |c| {
            let last = c
                .row(
                    "SELECT at FROM like_batches WHERE room_id = ?1 AND widget_id = ?2 AND actor = ?3",
                    args![room, widget, actor],
                )?
                .map(|r| r.count(0));
            c.exec(
                "INSERT INTO like_batches (room_id, widget_id, actor, at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (room_id, widget_id, actor) DO UPDATE SET at = excluded.at",
                args![room, widget, actor, at],
            )?;
            Ok((last, true))
        })
    }

    /// A counter that survives restarts (order and voucher numbers): adds `delta` to a
    /// named counter and returns the new value.
    pub fn add(&self, name: &str, delta: u64) -> Result<u64> {
        self.with(|c| {
            c.one(
                "INSERT INTO counters (name, value) VALUES (?1, ?2)
                 ON CONFLICT (name) DO UPDATE SET value = counters.value + excluded.value RETURNING value",
                args![name, delta],
            )
            .map(|r| r.count(0))
        })
    }

    pub fn next(&self, name: &str) -> Result<u64> {
        self.add(name, 1)
    }
}

/// One question of a queue ([`Store::questions`]), in the order it was first asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionRow {
    pub id: String,
    pub text: String,
    pub asker: String,
    /// `queued`, `answering` or `answered`.
    pub state: String,
    /// Who asked it again or upvoted it (never the asker).
    pub voters: Vec<String>,
}

/// A player's standing in a quiz.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub score: u64,
    pub streak: u32,
    pub eliminated: bool,
}

/// The advisory lock of decisions about one widget (PostgreSQL; see [`engine`]).
fn widget_lock(room: &str, widget: &str) -> String {
    format!("widget:{room}\u{1f}{widget}")
}

fn stored_command(r: &Row) -> StoredCommand {
    StoredCommand {
        room: r.text(0),
        seq: r.count(1),
        at: r.count(2),
        body: r.text(3),
        pts: r.opt_int(4).map(|p| p.max(0) as u64),
    }
}

fn decision_in(
    c: &mut dyn Sql,
    room: &str,
    actor: &str,
    request_id: &str,
) -> Result<Option<String>> {
    Ok(c.row(
        "SELECT answer FROM decisions WHERE room_id = ?1 AND actor = ?2 AND request_id = ?3",
        args![room, actor, request_id],
    )?
    .map(|r| r.text(0)))
}

fn successes_in(
    c: &mut dyn Sql,
    room: &str,
    widget: &str,
    actor: Option<&str>,
    item: Option<&str>,
) -> Result<u64> {
    c.one(
        "SELECT COUNT(*) FROM decisions WHERE room_id = ?1 AND widget_id = ?2 AND outcome = 'success'
         AND (?3 IS NULL OR actor = ?3) AND (?4 IS NULL OR item_id = ?4)",
        args![room, widget, actor, item],
    )
    .map(|r| r.count(0))
}

fn standings_in(c: &mut dyn Sql, room: &str, widget: &str) -> Result<Vec<(String, Standing)>> {
    let rows = c.rows(
        "SELECT actor, score, streak, eliminated FROM players WHERE room_id = ?1 AND widget_id = ?2",
        args![room, widget],
    )?;
    Ok(rows
        .iter()
        .map(|r| {
            (
                r.text(0),
                Standing {
                    score: r.count(1),
                    streak: r.count(2).min(u32::MAX as u64) as u32,
                    eliminated: r.flag(3),
                },
            )
        })
        .collect())
}

fn insert_decision(c: &mut dyn Sql, d: &Decision<'_>, answer: &str) -> Result<bool> {
    c.exec(
        "INSERT INTO decisions (request_id, room_id, widget_id, actor, item_id, outcome, answer, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING",
        args![d.request_id, d.room, d.widget, d.actor, d.item, d.outcome, answer, d.at],
    )
    .map(|n| n == 1)
}
