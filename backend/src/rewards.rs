//! The server's side of every reward. The client only asks (`flash.grab`,
//! `redeem.request`, each with a `request_id`); the answer is decided here from the room's
//! state (the same core crate the client runs) and the books in SQLite, recorded once per
//! `request_id`, and announced as a command (`flash.result`, `redeem.result`) with the new
//! stock. Everything happens under the rooms lock, so concurrent taps are serialized and a
//! request seen twice gets its first answer again.
use crate::hub::{now_ms, Hub};
use crate::store::Decision;
use hudong_core::{FlashPhase, Widget};
use serde_json::{json, Value};

/// Acts on an event the collector stored for the first time.
pub fn on_event(hub: &Hub, e: &Value) {
    let s = |k: &str| e.get(k).and_then(Value::as_str);
    let (Some(room), Some(widget), Some(kind)) = (s("room_id"), s("widget_id"), s("type")) else { return };
    let Some(actor) = s("user_id").or(s("session_id")) else { return };
    let result = match kind {
        "flash.grab" => match s("request_id") {
            Some(id) => grab(hub, room, widget, id, actor),
            None => Ok(()),
        },
        "redeem.request" => match (s("request_id"), s("item_id"), s("user_id")) {
            (Some(id), Some(item), Some(user)) => redeem(hub, room, widget, id, user, item),
            _ => Ok(()),
        },
        _ => Ok(()),
    };
    if let Err(e) = result {
        eprintln!("hudong-backend: could not decide {kind} in room {room}: {e}");
    }
}

fn answer_again(hub: &Hub, room: &str, request_id: &str) -> Result<bool, String> {
    match hub.store.decision(request_id).map_err(|e| e.to_string())? {
        Some(answer) => {
            let v: Value = serde_json::from_str(&answer).map_err(|e| e.to_string())?;
            hub.post(room, v).map_err(|e| e.message)?;
            Ok(true)
        }
        None => Ok(false),
    }
}

/// A flash-sale grab: live, in stock, under the viewer's limit, and through the gate.
pub fn grab(hub: &Hub, room: &str, widget: &str, request_id: &str, actor: &str) -> Result<(), String> {
    if answer_again(hub, room, request_id)? {
        return Ok(());
    }
    let now = now_ms();
    let mut rooms = hub.lock();
    let Some(entry) = rooms.get(room) else { return Ok(()) };
    let Some(Widget::FlashSale(sale)) = entry.core.widget(widget) else { return Ok(()) };
    let spec = sale.spec().clone();
    let stock = sale.stock_left();
    let mine = hub.store.successes(room, widget, Some(actor), None).map_err(|e| e.to_string())?;
    let outcome = match sale.phase(now) {
        FlashPhase::Ended => "ended",
        FlashPhase::Preview => "not_eligible",
        FlashPhase::SoldOut => "sold_out",
        FlashPhase::Live if stock == 0 => "sold_out",
        FlashPhase::Live if mine >= spec.per_viewer_limit as u64 => "limit_reached",
        FlashPhase::Live if spec.gate.is_some() && !hub.store.is_member(room, actor).map_err(|e| e.to_string())? => "not_eligible",
        FlashPhase::Live => "success",
    };
    let mut answer = json!({"type": "flash.result", "widget_id": widget, "request_id": request_id, "outcome": outcome});
    if outcome == "success" {
        let n = hub.store.next("order").map_err(|e| e.to_string())?;
        answer["order_ref"] = format!("ORD-{n:06}").into();
    }
    let d = Decision { request_id, room, widget, actor, item: None, outcome, answer: &answer.to_string(), at: now };
    if !hub.store.record_decision(&d).map_err(|e| e.to_string())? {
        drop(rooms);
        answer_again(hub, room, request_id)?;
        return Ok(());
    }
    if outcome == "success" {
        let left = json!({"type": "flash.stock", "widget_id": widget, "stock_left": stock - 1});
        hub.post_locked(&mut rooms, room, left).map_err(|e| e.message)?;
    }
    hub.post_locked(&mut rooms, room, answer).map_err(|e| e.message)?;
    Ok(())
}

/// A point redemption: the viewer's tier, the stock, their limit and their balance.
pub fn redeem(hub: &Hub, room: &str, widget: &str, request_id: &str, user: &str, item_id: &str) -> Result<(), String> {
    if answer_again(hub, room, request_id)? {
        return Ok(());
    }
    let now = now_ms();
    let mut rooms = hub.lock();
    let Some(entry) = rooms.get(room) else { return Ok(()) };
    let Some(Widget::Redeem(shop)) = entry.core.widget(widget) else { return Ok(()) };
    let spec = shop.spec().clone();
    let Some(item) = spec.items.iter().find(|i| i.item_id == item_id) else { return Ok(()) };
    let left = shop.stock_of(item_id).unwrap_or(0);
    let account = hub.store.account(room, widget, user).map_err(|e| e.to_string())?;
    let mine = hub.store.successes(room, widget, Some(user), Some(item_id)).map_err(|e| e.to_string())?;
    let rank = |t: Option<&str>| t.and_then(|t| spec.tiers.iter().position(|x| x.id == t));
    let (balance, tier) = account.clone().unwrap_or((0, None));
    let outcome = if item.tier.is_some() && rank(tier.as_deref()) < rank(item.tier.as_deref()) {
        "tier_too_low"
    } else if left == 0 {
        "out_of_stock"
    } else if mine >= item.per_viewer_limit as u64 {
        "limit_reached"
    } else if account.is_none() || balance < item.cost {
        "insufficient_points"
    } else {
        "success"
    };
    let new_balance = if outcome == "success" { balance - item.cost } else { balance };
    let mut answer = json!({"type": "redeem.result", "widget_id": widget, "request_id": request_id, "outcome": outcome, "balance": new_balance});
    if outcome == "success" {
        let n = hub.store.next("voucher").map_err(|e| e.to_string())?;
        answer["voucher_ref"] = format!("V-{n:06}").into();
    }
    let d = Decision { request_id, room, widget, actor: user, item: Some(item_id), outcome, answer: &answer.to_string(), at: now };
    if !hub.store.record_decision(&d).map_err(|e| e.to_string())? {
        drop(rooms);
        answer_again(hub, room, request_id)?;
        return Ok(());
    }
    if outcome == "success" {
        hub.store.set_account(room, widget, user, new_balance, tier.as_deref()).map_err(|e| e.to_string())?;
        let stock = json!({"type": "redeem.stock", "widget_id": widget, "stock": {item_id: left - 1}});
        hub.post_locked(&mut rooms, room, stock).map_err(|e| e.message)?;
    }
    hub.post_locked(&mut rooms, room, answer).map_err(|e| e.message)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fanout::{Fanout, LocalFanout};
    use crate::store::Store;
    use std::sync::Arc;

    fn hub(dir: &std::path::Path) -> Arc<Hub> {
        let store = Store::open(&dir.join("t.db")).unwrap();
        Arc::new(Hub::new(store, Arc::new(LocalFanout::default())).unwrap())
    }

    fn temp(name: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("hudong-backend-{name}-{}-{}", std::process::id(), now_ms()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn open_sale(hub: &Hub, stock: u64, limit: u32) {
        let now = now_ms();
        hub.post("r", json!({"type": "flash.open", "widget_id": "f", "product": {"name": "唇釉", "price": 100},
            "stock_total": stock, "starts_at": now - 1_000, "ends_at": now + 600_000, "per_viewer_limit": limit}))
            .unwrap();
    }

    /// 64 viewers tap at once, twice each (a retry), for 10 units: exactly 10 orders, each
    /// request answered once, and the stock the viewers see ends at 0.
    #[test]
    fn concurrent_grabs_are_decided_exactly_once() {
        let dir = temp("grabs");
        let hub = hub(&dir);
        open_sale(&hub, 10, 1);
        let mut rx = hub.fanout.subscribe("r");
        let threads: Vec<_> = (0..64)
            .map(|i| {
                let hub = hub.clone();
                std::thread::spawn(move || {
                    for _ in 0..2 {
                        grab(&hub, "r", "f", &format!("r:f:u{i}:grab:1"), &format!("u{i}")).unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(hub.store.successes("r", "f", None, None).unwrap(), 10);
        let rooms = hub.lock();
        let Some(Widget::FlashSale(sale)) = rooms["r"].core.widget("f") else { panic!() };
        assert_eq!(sale.stock_left(), 0);
        drop(rooms);
        // Every viewer got an answer (the second copy repeats the first), and only ten
        // of them say success, each with its own order reference.
        let mut answers = std::collections::HashMap::new();
        let mut orders = std::collections::HashSet::new();
        while let Ok(m) = rx.try_recv() {
            let v: Value = serde_json::from_str(&m).unwrap();
            if v["type"] == "flash.result" {
                let id = v["request_id"].as_str().unwrap().to_owned();
                let outcome = v["outcome"].as_str().unwrap().to_owned();
                if let Some(prev) = answers.insert(id, outcome.clone()) {
                    assert_eq!(prev, outcome, "a request got two different answers");
                }
                if let Some(o) = v["order_ref"].as_str() {
                    orders.insert(o.to_owned());
                }
            }
        }
        assert_eq!(answers.len(), 64);
        assert_eq!(answers.values().filter(|o| *o == "success").count(), 10);
        assert_eq!(orders.len(), 10);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn redemption_checks_tier_stock_limit_and_balance_and_survives_a_restart() {
        let dir = temp("redeem");
        {
            let hub = hub(&dir);
            hub.post("r", json!({"type": "redeem.open", "widget_id": "s",
                "tiers": [{"id": "new", "name": "新手"}, {"id": "pro", "name": "达人"}],
                "items": [{"item_id": "c", "name": "券", "cost": 100, "stock": 5, "per_viewer_limit": 1},
                          {"item_id": "g", "name": "礼盒", "cost": 10, "stock": 5, "tier": "pro"}]}))
                .unwrap();
            hub.post("r", json!({"type": "redeem.account", "widget_id": "s", "user_id": "u1", "balance": 150, "tier": "new"})).unwrap();
            hub.post("r", json!({"type": "redeem.points", "widget_id": "s", "user_id": "u1", "gain_id": "g1", "delta": 10, "reason": "看播"})).unwrap();
            hub.post("r", json!({"type": "redeem.points", "widget_id": "s", "user_id": "u1", "gain_id": "g1", "delta": 10, "reason": "看播"})).unwrap();
            assert_eq!(hub.store.account("r", "s", "u1").unwrap().unwrap().0, 160, "a gain counts once");
            redeem(&hub, "r", "s", "q1", "u1", "g").unwrap();
            redeem(&hub, "r", "s", "q2", "u1", "c").unwrap();
            redeem(&hub, "r", "s", "q3", "u1", "c").unwrap();
            redeem(&hub, "r", "s", "q4", "u9", "c").unwrap();
            let outcome = |id: &str| -> String {
                let a: Value = serde_json::from_str(&hub.store.decision(id).unwrap().unwrap()).unwrap();
                a["outcome"].as_str().unwrap().to_owned()
            };
            assert_eq!(outcome("q1"), "tier_too_low");
            assert_eq!(outcome("q2"), "success");
            assert_eq!(outcome("q3"), "limit_reached");
            assert_eq!(outcome("q4"), "insufficient_points", "no account, no points");
            assert_eq!(hub.store.account("r", "s", "u1").unwrap().unwrap().0, 60);
        }
        // A restart rebuilds the room from its commands and keeps the books.
        let hub = hub(&dir);
        let rooms = hub.lock();
        let Some(Widget::Redeem(shop)) = rooms["r"].core.widget("s") else { panic!() };
        assert_eq!(shop.stock_of("c"), Some(4));
        drop(rooms);
        redeem(&hub, "r", "s", "q2", "u1", "c").unwrap(); // the same request again
        assert_eq!(hub.store.account("r", "s", "u1").unwrap().unwrap().0, 60, "not charged twice");
        let _ = std::fs::remove_dir_all(dir);
    }
}
