//! The two database engines behind one [`Sql`] interface: SQLite through rusqlite (the
//! embedded default) and PostgreSQL through `postgres`, the blocking client of
//! tokio-postgres (the scale-out engine). The store writes every statement once, in the SQL
//! both engines read (`?N` parameters, `ON CONFLICT`, `RETURNING`, `CASE` instead of
//! two-argument `MIN`/`MAX`); this module only binds values, reads cells and runs
//! transactions. In PostgreSQL a transaction that decides takes an advisory lock on what it
//! decides (a room's command log, one widget), which serialises deciders across processes
//! the way SQLite's IMMEDIATE transaction does for the whole file.
use std::collections::HashMap;
use std::fmt;

/// A store failure: the engine's error, or a database URL that cannot be used.
#[derive(Debug)]
pub enum Error {
    Sqlite(rusqlite::Error),
    Postgres(postgres::Error),
    /// A statement that must return a row returned none.
    NoRow(&'static str),
}

pub type Result<T> = std::result::Result<T, Error>;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Sqlite(e) => write!(f, "SQLite: {e}"),
            Error::Postgres(e) => {
                // The server's own message says more than "db error".
                match e.as_db_error() {
                    Some(db) => write!(f, "PostgreSQL: {} ({})", db.message(), db.code().code()),
                    None => write!(f, "PostgreSQL: {e}"),
                }
            }
            Error::NoRow(what) => write!(f, "no row from {what}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::Sqlite(e)
    }
}

impl From<postgres::Error> for Error {
    fn from(e: postgres::Error) -> Self {
        Error::Postgres(e)
    }
}

/// A value bound to a statement: an integer or a text, either of which may be NULL.
#[derive(Debug, Clone, Copy)]
pub enum Arg<'a> {
    Int(Option<i64>),
    Text(Option<&'a str>),
}

impl From<i64> for Arg<'_> {
    fn from(v: i64) -> Self {
        Arg::Int(Some(v))
    }
}
impl From<u64> for Arg<'_> {
    fn from(v: u64) -> Self {
        Arg::Int(Some(v as i64))
    }
}
impl From<u32> for Arg<'_> {
    fn from(v: u32) -> Self {
        Arg::Int(Some(v.into()))
    }
}
impl From<bool> for Arg<'_> {
    fn from(v: bool) -> Self {
        Arg::Int(Some(v.into()))
    }
}
impl<'a> From<&'a str> for Arg<'a> {
    fn from(v: &'a str) -> Self {
        Arg::Text(Some(v))
    }
}
impl<'a> From<&'a String> for Arg<'a> {
    fn from(v: &'a String) -> Self {
        Arg::Text(Some(v))
    }
}
impl<'a> From<Option<&'a str>> for Arg<'a> {
    fn from(v: Option<&'a str>) -> Self {
        Arg::Text(v)
    }
}
impl<'a> From<&'a Option<String>> for Arg<'a> {
    fn from(v: &'a Option<String>) -> Self {
        Arg::Text(v.as_deref())
    }
}
impl From<Option<i64>> for Arg<'_> {
    fn from(v: Option<i64>) -> Self {
        Arg::Int(v)
    }
}

/// `args![a, b]`: the values of a statement's `?1`, `?2`, …
macro_rules! args {
    ($($v:expr),* $(,)?) => { &[$($crate::store::engine::Arg::from($v)),*][..] };
}
pub(crate) use args;

impl rusqlite::ToSql for Arg<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        match self {
            Arg::Int(v) => v.to_sql(),
            Arg::Text(v) => v.to_sql(),
        }
    }
}

/// One cell of a result row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Int(i64),
    Text(String),
}

/// One result row.
#[derive(Debug, Clone)]
pub struct Row(Vec<Cell>);

impl Row {
    fn cell(&self, i: usize) -> &Cell {
        self.0.get(i).unwrap_or(&Cell::Null)
    }
    pub fn opt_int(&self, i: usize) -> Option<i64> {
        match self.cell(i) {
            Cell::Int(v) => Some(*v),
            Cell::Text(t) => t.parse().ok(),
            Cell::Null => None,
        }
    }
    pub fn int(&self, i: usize) -> i64 {
        self.opt_int(i).unwrap_or(0)
    }
    /// A count or another figure that is never negative.
    pub fn count(&self, i: usize) -> u64 {
        self.int(i).max(0) as u64
    }
    pub fn flag(&self, i: usize) -> bool {
        self.int(i) != 0
    }
    pub fn opt_text(&self, i: usize) -> Option<String> {
        match self.cell(i) {
            Cell::Text(t) => Some(t.clone()),
            Cell::Int(v) => Some(v.to_string()),
            Cell::Null => None,
        }
    }
    pub fn text(&self, i: usize) -> String {
        self.opt_text(i).unwrap_or_default()
    }
}

/// What the store's statements run on: a connection or a transaction of either engine.
pub trait Sql {
    /// Runs a statement; the number of rows it changed.
    fn exec(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<u64>;
    /// Runs a query; every row.
    fn rows(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<Vec<Row>>;
    /// The first row, if any.
    fn row(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<Option<Row>> {
        Ok(self.rows(sql, args)?.into_iter().next())
    }
    /// The row an aggregate always returns.
    fn one(&mut self, sql: &'static str, args: &[Arg<'_>]) -> Result<Row> {
        self.row(sql, args)?.ok_or(Error::NoRow(sql))
    }
}

struct Lite<'c>(&'c rusqlite::Connection);

impl Sql for Lite<'_> {
    fn exec(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<u64> {
        let mut stmt = self.0.prepare_cached(sql)?;
        Ok(stmt.execute(rusqlite::params_from_iter(args))? as u64)
    }

    fn rows(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<Vec<Row>> {
        use rusqlite::types::ValueRef;
        let mut stmt = self.0.prepare_cached(sql)?;
        let n = stmt.column_count();
        let mut rows = stmt.query(rusqlite::params_from_iter(args))?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let mut cells = Vec::with_capacity(n);
            for i in 0..n {
                cells.push(match r.get_ref(i)? {
                    ValueRef::Null => Cell::Null,
                    ValueRef::Integer(v) => Cell::Int(v),
                    ValueRef::Real(v) => Cell::Int(v as i64),
                    ValueRef::Text(t) | ValueRef::Blob(t) => {
                        Cell::Text(String::from_utf8_lossy(t).into_owned())
                    }
                });
            }
            out.push(Row(cells));
        }
        Ok(out)
    }
}

/// `?N` → `$N`: the one spelling the engines differ on in the store's statements.
fn postgres_sql(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '?' && chars.peek().is_some_and(|d| d.is_ascii_digit()) {
            out.push('$');
        } else {
            out.push(c);
        }
    }
    out
}

struct Pg<'c, C: postgres::GenericClient> {
    client: &'c mut C,
    cache: &'c mut HashMap<String, postgres::Statement>,
}

impl<C: postgres::GenericClient> Pg<'_, C> {
    fn prepare(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<postgres::Statement> {
        use postgres::types::Type;
        let types: Vec<Type> = args
            .iter()
            .map(|a| match a {
                Arg::Int(_) => Type::INT8,
                Arg::Text(_) => Type::TEXT,
            })
            .collect();
        let mut key: String = types
            .iter()
            .map(|t| if *t == Type::INT8 { 'i' } else { 't' })
            .collect();
        key.push('|');
        key.push_str(sql);
        if let Some(s) = self.cache.get(&key) {
            return Ok(s.clone());
        }
        let stmt = self.client.prepare_typed(&postgres_sql(sql), &types)?;
        self.cache.insert(key, stmt.clone());
        Ok(stmt)
    }

    fn params<'a>(args: &'a [Arg<'a>]) -> Vec<Box<dyn postgres::types::ToSql + Sync + 'a>> {
        args.iter()
            .map(|a| -> Box<dyn postgres::types::ToSql + Sync + 'a> {
                match *a {
                    Arg::Int(v) => Box::new(v),
                    Arg::Text(v) => Box::new(v),
                }
            })
            .collect()
    }
}

impl<C: postgres::GenericClient> Sql for Pg<'_, C> {
    fn exec(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<u64> {
        let stmt = self.prepare(sql, args)?;
        let boxed = Self::params(args);
        let refs: Vec<&(dyn postgres::types::ToSql + Sync)> = boxed.iter().map(|b| &**b).collect();
        Ok(self.client.execute(&stmt, &refs)?)
    }

    fn rows(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<Vec<Row>> {
        use postgres::types::Type;
        let stmt = self.prepare(sql, args)?;
        let boxed = Self::params(args);
        let refs: Vec<&(dyn postgres::types::ToSql + Sync)> = boxed.iter().map(|b| &**b).collect();
        let rows = self.client.query(&stmt, &refs)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let mut cells = Vec::with_capacity(r.len());
            for (i, col) in r.columns().iter().enumerate() {
                let t = col.type_();
                let cell = if *t == Type::INT8 {
                    r.try_get::<_, Option<i64>>(i)?.map(Cell::Int)
                } else if *t == Type::INT4 {
                    r.try_get::<_, Option<i32>>(i)?.map(|v| Cell::Int(v.into()))
                } else if *t == Type::INT2 {
                    r.try_get::<_, Option<i16>>(i)?.map(|v| Cell::Int(v.into()))
                } else if *t == Type::BOOL {
                    r.try_get::<_, Option<bool>>(i)?
                        .map(|v| Cell::Int(v.into()))
                } else if *t == Type::FLOAT8 {
                    r.try_get::<_, Option<f64>>(i)?.map(|v| Cell::Int(v as i64))
                } else {
                    r.try_get::<_, Option<String>>(i)?.map(Cell::Text)
                };
                cells.push(cell.unwrap_or(Cell::Null));
            }
            out.push(Row(cells));
        }
        Ok(out)
    }
}

/// A connection of either engine.
pub enum Engine {
    Sqlite(rusqlite::Connection),
    Postgres {
        url: String,
        client: Option<postgres::Client>,
        cache: HashMap<String, postgres::Statement>,
    },
}

impl Engine {
    pub fn postgres(url: &str) -> Result<Engine> {
        let mut e = Engine::Postgres {
            url: url.to_owned(),
            client: None,
            cache: HashMap::new(),
        };
        e.connected()?;
        Ok(e)
    }

    /// The PostgreSQL client, connected again if the server dropped the last one (a
    /// restart, a failover): a lost connection costs the statements in flight, not the
    /// process.
    fn connected(&mut self) -> Result<()> {
        if let Engine::Postgres { url, client, cache } = self {
            if client.as_ref().is_none_or(|c| c.is_closed()) {
                cache.clear();
                let old = client.take();
                *client = Some(blocking(|| {
                    drop(old);
                    postgres::Client::connect(url, postgres::NoTls)
                })?);
            }
        }
        Ok(())
    }

    /// Runs `f` on the connection, each statement on its own.
    pub fn run<T>(&mut self, f: impl FnOnce(&mut dyn Sql) -> Result<T>) -> Result<T> {
        self.connected()?;
        match self {
            Engine::Sqlite(c) => f(&mut Lite(c)),
            Engine::Postgres { client, cache, .. } => {
                let client = client.as_mut().expect("connected");
                blocking(|| f(&mut Pg { client, cache }))
            }
        }
    }

    /// Runs `f` in one transaction, committed when `f` returns `(value, true)` and rolled
    /// back otherwise (and on an error). `locks` name what the transaction decides: in
    /// PostgreSQL each is an advisory lock held to the end of the transaction; SQLite's
    /// IMMEDIATE transaction already excludes every other writer.
    pub fn transaction<T>(
        &mut self,
        locks: &[&str],
        f: impl FnOnce(&mut dyn Sql) -> Result<(T, bool)>,
    ) -> Result<T> {
        self.connected()?;
        match self {
            Engine::Sqlite(c) => {
                let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
                let (v, keep) = f(&mut Lite(&tx))?;
                if keep {
                    tx.commit()?;
                }
                Ok(v)
            }
            Engine::Postgres { client, cache, .. } => {
                let client = client.as_mut().expect("connected");
                blocking(|| {
                    let mut tx = client.transaction()?;
                    for key in locks {
                        tx.execute(
                            "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
                            &[key],
                        )?;
                    }
                    let (v, keep) = f(&mut Pg {
                        client: &mut tx,
                        cache,
                    })?;
                    if keep {
                        tx.commit()?;
                    } else {
                        tx.rollback()?;
                    }
                    Ok(v)
                })
            }
        }
    }
}

impl Drop for Engine {
    /// The PostgreSQL client says goodbye to the server on its own runtime: off the
    /// server's runtime's worker (a process shutting down drops its store there).
    fn drop(&mut self) {
        if let Engine::Postgres { client, .. } = self {
            if let Some(c) = client.take() {
                blocking(|| drop(c));
            }
        }
    }
}

/// The PostgreSQL client blocks on its own runtime: on a worker thread of the server's
/// runtime it must first tell that runtime to move its other tasks elsewhere.
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(f)
        }
        _ => f(),
    }
}

/// PostgreSQL's schema, one step per version (recorded in `schema_version`): SQLite's
/// schema in PostgreSQL's types (its version 1 is SQLite's 2, and so on): `rowid` is an identity column
/// where the store orders by arrival.
pub const POSTGRES_MIGRATIONS: &[&str] = &[
    "CREATE TABLE events (
         rowid BIGINT GENERATED ALWAYS AS IDENTITY,
         event_id TEXT PRIMARY KEY,
         room_id TEXT, session_id TEXT, user_id TEXT, widget_id TEXT, kind TEXT,
         type TEXT NOT NULL, at BIGINT, received_at BIGINT NOT NULL, body TEXT NOT NULL);
     CREATE INDEX events_room_type ON events(room_id, type);
     CREATE INDEX events_room_user ON events(room_id, user_id);
     CREATE TABLE commands (
         room_id TEXT NOT NULL, seq BIGINT NOT NULL, at BIGINT NOT NULL, body TEXT NOT NULL,
         PRIMARY KEY (room_id, seq));
     CREATE TABLE decisions (
         rowid BIGINT GENERATED ALWAYS AS IDENTITY,
         request_id TEXT NOT NULL, room_id TEXT NOT NULL, widget_id TEXT NOT NULL,
         actor TEXT NOT NULL, item_id TEXT, outcome TEXT NOT NULL, answer TEXT NOT NULL, at BIGINT NOT NULL,
         PRIMARY KEY (room_id, actor, request_id));
     CREATE INDEX decisions_widget ON decisions(room_id, widget_id, outcome, actor);
     CREATE TABLE accounts (
         room_id TEXT NOT NULL, widget_id TEXT NOT NULL, user_id TEXT NOT NULL,
         balance BIGINT NOT NULL, tier TEXT, PRIMARY KEY (room_id, widget_id, user_id));
     CREATE TABLE gains (gain_id TEXT NOT NULL, room_id TEXT NOT NULL, widget_id TEXT NOT NULL,
         user_id TEXT NOT NULL, PRIMARY KEY (room_id, widget_id, user_id, gain_id));
     CREATE TABLE rejected (
         rowid BIGINT GENERATED ALWAYS AS IDENTITY,
         event_id TEXT UNIQUE, room_id TEXT, widget_id TEXT,
         type TEXT, code TEXT NOT NULL, reason TEXT NOT NULL, at BIGINT NOT NULL);
     CREATE TABLE follows (room_id TEXT NOT NULL, user_id TEXT NOT NULL, PRIMARY KEY (room_id, user_id));
     CREATE TABLE members (room_id TEXT NOT NULL, user_id TEXT NOT NULL, PRIMARY KEY (room_id, user_id));
     CREATE TABLE counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL);
     CREATE TABLE stock (room_id TEXT NOT NULL, widget_id TEXT NOT NULL, item_id TEXT NOT NULL,
         units BIGINT NOT NULL, PRIMARY KEY (room_id, widget_id, item_id));
     CREATE TABLE entries (
         rowid BIGINT GENERATED ALWAYS AS IDENTITY,
         room_id TEXT NOT NULL, widget_id TEXT NOT NULL, actor TEXT NOT NULL,
         at BIGINT NOT NULL, PRIMARY KEY (room_id, widget_id, actor));
     CREATE TABLE draws (room_id TEXT NOT NULL, widget_id TEXT NOT NULL, at BIGINT NOT NULL,
         PRIMARY KEY (room_id, widget_id));
     CREATE TABLE votes (room_id TEXT NOT NULL, widget_id TEXT NOT NULL, actor TEXT NOT NULL,
         options TEXT NOT NULL, at BIGINT NOT NULL, PRIMARY KEY (room_id, widget_id, actor));
     CREATE TABLE tallies (room_id TEXT NOT NULL, widget_id TEXT NOT NULL, option_id TEXT NOT NULL,
         n BIGINT NOT NULL, PRIMARY KEY (room_id, widget_id, option_id));
     CREATE TABLE answers (room_id TEXT NOT NULL, widget_id TEXT NOT NULL, question_id TEXT NOT NULL,
         actor TEXT NOT NULL, option_id TEXT NOT NULL, at BIGINT NOT NULL,
         PRIMARY KEY (room_id, widget_id, question_id, actor));
     CREATE TABLE players (room_id TEXT NOT NULL, widget_id TEXT NOT NULL, actor TEXT NOT NULL,
         score BIGINT NOT NULL DEFAULT 0, streak BIGINT NOT NULL DEFAULT 0, eliminated BIGINT NOT NULL DEFAULT 0,
         PRIMARY KEY (room_id, widget_id, actor));
     CREATE TABLE scored (room_id TEXT NOT NULL, widget_id TEXT NOT NULL, question_id TEXT NOT NULL,
         PRIMARY KEY (room_id, widget_id, question_id));
     CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);",
    // 2: question queues and like batches (SQLite's version 3).
    QUESTIONS_AND_LIKES,
    // 3: each command's stream position (SQLite's version 4).
    "ALTER TABLE commands ADD COLUMN pts BIGINT;",
];

/// Question queues (asks merged and numbered in one transaction) and each viewer's last
/// like batch (the pace cap): SQLite's migration 3 and PostgreSQL's 2, the same text on
/// both (SQLite gives `BIGINT` columns the `INTEGER` affinity).
pub(crate) const QUESTIONS_AND_LIKES: &str = "CREATE TABLE questions (room_id TEXT NOT NULL, widget_id TEXT NOT NULL, question_id TEXT NOT NULL,
         text TEXT NOT NULL, norm TEXT NOT NULL, asker TEXT NOT NULL, state TEXT NOT NULL, at BIGINT NOT NULL,
         PRIMARY KEY (room_id, widget_id, question_id));
     CREATE INDEX questions_norm ON questions(room_id, widget_id, norm);
     CREATE TABLE question_votes (room_id TEXT NOT NULL, widget_id TEXT NOT NULL, question_id TEXT NOT NULL,
         actor TEXT NOT NULL, PRIMARY KEY (room_id, widget_id, question_id, actor));
     CREATE TABLE like_batches (room_id TEXT NOT NULL, widget_id TEXT NOT NULL, actor TEXT NOT NULL,
         at BIGINT NOT NULL, PRIMARY KEY (room_id, widget_id, actor));";

/// Brings a PostgreSQL database to the newest schema. Processes starting at once take turns
/// (an advisory lock), each step in the transaction that records it.
pub fn migrate_postgres(engine: &mut Engine) -> Result<()> {
    let Engine::Postgres { client, .. } = engine else {
        return Ok(());
    };
    let client = client.as_mut().expect("connected");
    blocking(|| -> Result<()> {
        let mut tx = client.transaction()?;
        tx.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended('hudong:migrate', 0))",
            &[],
        )?;
        tx.batch_execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")?;
        let current: i64 = tx
            .query_one("SELECT COALESCE(MAX(version), 0) FROM schema_version", &[])?
            .get(0);
        for (i, step) in POSTGRES_MIGRATIONS.iter().enumerate() {
            let version = i as i64 + 1;
            if current < version {
                tx.batch_execute(step)?;
                tx.execute(
                    "INSERT INTO schema_version (version) VALUES ($1)",
                    &[&version],
                )?;
            }
        }
        tx.commit()?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::postgres_sql;

    #[test]
    fn parameters_are_spelt_for_postgres() {
        assert_eq!(
            postgres_sql("SELECT ?1, '?', ?12 WHERE a = ?2"),
            "SELECT $1, '?', $12 WHERE a = $2"
        );
    }
}
