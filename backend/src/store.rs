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

/// An accepted poll vote ([`Store::accepted_votes`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredVote {
    pub room: String,
    pub widget: String,
    pub actor: String,
    pub options: Vec<String>,
}

/// An accepted quiz answer ([`Store::accepted_answers`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAnswer {
    /// Server time it was received.
    pub at: u64,
    pub room: String,
    pub widget: String,
    pub actor: String,
    pub question: String,
    pub option: String,
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

impl Store {
    pub fn open(path: &Path) -> rusqlite::Result<Store> {
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(
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
        )?;
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

    pub fn append_command(
        &self,
        room: &str,
        seq: u64,
        at: u64,
        body: &str,
    ) -> rusqlite::Result<()> {
        self.with(|c| {
            c.execute(
                "INSERT INTO commands (room_id, seq, at, body) VALUES (?1, ?2, ?3, ?4)",
                params![room, seq as i64, at as i64, body],
            )
            .map(|_| ())
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

    /// The answer already given to a request, if any.
    pub fn decision(&self, request_id: &str) -> rusqlite::Result<Option<String>> {
        self.with(|c| {
            c.query_row(
                "SELECT answer FROM decisions WHERE request_id = ?1",
                [request_id],
                |r| r.get(0),
            )
            .optional()
        })
    }

    /// Records a decision; false when the request was already decided (its first answer
    /// stands).
    pub fn record_decision(&self, d: &Decision<'_>) -> rusqlite::Result<bool> {
        self.with(|c| {
            c.execute(
                "INSERT OR IGNORE INTO decisions (request_id, room_id, widget_id, actor, item_id, outcome, answer, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![d.request_id, d.room, d.widget, d.actor, d.item, d.outcome, d.answer, d.at as i64],
            )
            .map(|n| n == 1)
        })
    }

    /// Records a successful decision only while the widget has fewer than `cap` successes,
    /// checked and written in one IMMEDIATE transaction: processes sharing the database
    /// never sell more than `cap` between them. `Ok(None)`: capped, nothing recorded;
    /// `Ok(Some(false))`: the request was already decided.
    pub fn record_success_capped(
        &self,
        d: &Decision<'_>,
        cap: u64,
    ) -> rusqlite::Result<Option<bool>> {
        self.with(|c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let sold: i64 = tx.query_row(
                "SELECT COUNT(*) FROM decisions WHERE room_id = ?1 AND widget_id = ?2 AND outcome = 'success'",
                params![d.room, d.widget],
                |r| r.get(0),
            )?;
            if sold as u64 >= cap {
                return Ok(None);
            }
            let n = tx.execute(
                "INSERT OR IGNORE INTO decisions (request_id, room_id, widget_id, actor, item_id, outcome, answer, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![d.request_id, d.room, d.widget, d.actor, d.item, d.outcome, d.answer, d.at as i64],
            )?;
            tx.commit()?;
            Ok(Some(n == 1))
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

    /// Accepted votes, oldest first.
    pub fn accepted_votes(&self) -> rusqlite::Result<Vec<StoredVote>> {
        self.with(|c| {
            let mut stmt = c.prepare(
                "SELECT body FROM events WHERE type = 'poll.vote' AND event_id NOT IN (SELECT event_id FROM rejected) ORDER BY received_at, rowid",
            )?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            let mut out = Vec::new();
            for body in rows {
                let v: serde_json::Value = serde_json::from_str(&body?).unwrap_or_default();
                let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_owned);
                let opts = v.get("option_ids").and_then(|o| o.as_array()).map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect()).unwrap_or_default();
                if let (Some(room), Some(widget), Some(actor)) = (s("room_id"), s("widget_id"), s("user_id").or(s("session_id"))) {
                    out.push(StoredVote { room, widget, actor, options: opts });
                }
            }
            Ok(out)
        })
    }

    /// Accepted quiz answers, oldest first.
    pub fn accepted_answers(&self) -> rusqlite::Result<Vec<StoredAnswer>> {
        self.with(|c| {
            let mut stmt = c.prepare(
                "SELECT received_at, body FROM events WHERE type = 'quiz.answer' AND event_id NOT IN (SELECT event_id FROM rejected) ORDER BY received_at, rowid",
            )?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
            let mut out = Vec::new();
            for row in rows {
                let (at, body) = row?;
                let v: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
                let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_owned);
                if let (Some(room), Some(widget), Some(actor), Some(question), Some(option)) = (s("room_id"), s("widget_id"), s("user_id").or(s("session_id")), s("question_id"), s("option_id")) {
                    out.push(StoredAnswer { at: at as u64, room, widget, actor, question, option });
                }
            }
            Ok(out)
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
