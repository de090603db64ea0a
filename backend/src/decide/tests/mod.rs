//! The decisions, each against a real SQLite store and the core: the rewards (`rewards.rs`)
//! and the rest of the engagement (`engagement.rs`), with what they share here.
use super::*;
mod engagement;
mod processes;
mod rewards;
use crate::fanout::LocalFanout;
use crate::store::Store;
use std::sync::Arc;

pub(super) fn hub(dir: &std::path::Path) -> Arc<Hub> {
    let store = Store::open(&dir.join("t.db")).unwrap();
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
    }
}
