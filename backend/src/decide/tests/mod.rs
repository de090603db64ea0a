//! The decisions, each against a real SQLite store and the core: the rewards (`rewards.rs`)
//! and the rest of the engagement (`engagement.rs`), with what they share here.
use super::*;
mod engagement;
mod processes;
mod rewards;
use crate::fanout::LocalFanout;
use crate::store::Store;
use std::sync::Arc;

/// A process on a new store: a SQLite file in `dir`, or, when `HUDONG_TEST_STORE` is
/// `postgres`, a new database of the test PostgreSQL cluster (`npm test` runs the
/// decisions on both engines).
pub(super) fn hub(dir: &std::path::Path) -> Arc<Hub> {
    if std::env::var("HUDONG_TEST_STORE").as_deref() == Ok("postgres") {
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("t");
        let name: String = name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        return hub_on(Store::connect(&postgres_named(&name)).unwrap());
    }
    hub_on(Store::open(&dir.join("t.db")).unwrap())
}

pub(super) fn hub_on(store: Store) -> Arc<Hub> {
    Arc::new(
        Hub::new(
            store,
            Arc::new(LocalFanout::default()),
            crate::auth::Auth::new(None, None).unwrap(),
            Arc::new(Server),
        )
        .unwrap(),
    )
}

/// A new, empty database on the test PostgreSQL cluster (`HUDONG_TEST_POSTGRES`): its URL.
pub(super) fn postgres_database(name: &str) -> String {
    postgres_named(&format!("{name}_{}_{}", std::process::id(), now_ms()))
}

/// The test cluster's database named after `name` (its last 50 characters, which hold a
/// test's process id and time), made if it is not there yet: a second process, or a
/// restart, opens the first one's.
fn postgres_named(name: &str) -> String {
    let base = std::env::var("HUDONG_TEST_POSTGRES").expect(
        "HUDONG_TEST_POSTGRES names the test PostgreSQL cluster: \
         export HUDONG_TEST_POSTGRES=$(scripts/postgres.sh start /tmp/hudong-pg), as npm test does",
    );
    let tail: String = name
        .chars()
        .rev()
        .take(50)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let db = format!("hudong_{tail}");
    let mut admin = postgres::Client::connect(&base, postgres::NoTls).expect("the test PostgreSQL");
    static MAKING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one_at_a_time = MAKING.lock().unwrap_or_else(|p| p.into_inner());
    let there = admin
        .query_opt(
            "SELECT 1 FROM pg_database WHERE datname = $1",
            &[&db.as_str()],
        )
        .expect("the test PostgreSQL")
        .is_some();
    if !there {
        admin
            .batch_execute(&format!("CREATE DATABASE {db}"))
            .expect("a test database");
    }
    let (server, _) = base.rsplit_once('/').expect("a URL with a database");
    format!("{server}/{db}")
}

pub(super) fn temp(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!(
        "hudong-backend-{name}-{}-{}",
        std::process::id(),
        now_ms()
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}

pub(super) fn open_sale(hub: &Hub, stock: u64, limit: u32) {
    let now = now_ms();
    hub.post("r", json!({"type": "flash.open", "widget_id": "f", "product": {"name": "唇釉", "price": 100},
        "stock_total": stock, "starts_at": now - 1_000, "ends_at": now + 600_000, "per_viewer_limit": limit}))
        .unwrap();
}

/// Opens poll `p` in room `r`, options `a` and `b`.
pub(super) fn open_poll(hub: &Hub) {
    hub.post(
        "r",
        json!({"type": "poll.open", "widget_id": "p", "question": "哪款?",
        "options": [{"id": "a", "label": "A"}, {"id": "b", "label": "B"}]}),
    )
    .unwrap();
}

pub(super) fn ev(room: &str, widget: &str, actor: &str, id: &str, extra: Value) -> Value {
    let now = now_ms();
    let mut e = json!({"v": 1, "event_id": id, "seq": 1, "room_id": room, "widget_id": widget, "user_id": actor,
        "session_id": "s", "at": now, "client_at": now});
    e.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    e
}

/// A reward request as the collector hands it on.
/// The outcome the server recorded for a viewer's request.
pub(super) fn outcome(hub: &Hub, room: &str, who: &str, request: &str) -> String {
    let answer = hub.store.decision(room, who, request).unwrap().unwrap();
    let answer: Value = serde_json::from_str(&answer).unwrap();
    answer["outcome"].as_str().unwrap().to_owned()
}

pub(super) fn req<'a>(
    hub: &'a Hub,
    room: &'a str,
    widget: &'a str,
    id: &'a str,
    actor: &'a str,
) -> Request<'a> {
    Request {
        hub,
        room,
        widget,
        id,
        actor,
        behind: 0,
    }
}
