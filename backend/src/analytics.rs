//! Figures for a show, computed from the stored events (docs/backend.md defines each one).
use crate::store::Store;
use hudong_core::Event;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Outcomes that are a conversion (an order or a cart).
fn is_conversion(e: &Value) -> bool {
    match e["type"].as_str() {
        Some("flash.result") => e["outcome"] == "success",
        Some("redeem.result") => e["outcome"] == "success",
        // Checkout opened or cart filled on the host page (its own orders are not seen here).
        Some("tryon.add_to_cart" | "product.buy" | "product.add_to_cart") => true,
        _ => false,
    }
}

/// What the host called each widget when opening it (a poll's question, a shop's title, a
/// product's or prize's name), for people reading the figures.
fn titles(store: &Store, room: &str) -> crate::store::Result<HashMap<String, String>> {
    let mut out = HashMap::new();
    for c in store.room_commands(room)? {
        let Ok(body) = serde_json::from_str::<Value>(&c.body) else {
            continue;
        };
        if !body["type"].as_str().is_some_and(|t| t.ends_with(".open")) {
            continue;
        }
        let title = [
            &body["question"],
            &body["title"],
            &body["name"],
            &body["product"]["name"],
            &body["prize"]["name"],
        ]
        .into_iter()
        .find_map(|v| v.as_str());
        if let (Some(id), Some(title)) = (body["widget_id"].as_str(), title) {
            out.insert(id.to_owned(), title.to_owned());
        }
    }
    Ok(out)
}

fn actor(e: &Value) -> Option<String> {
    e["user_id"]
        .as_str()
        .or(e["session_id"].as_str())
        .map(str::to_owned)
}

pub fn compute(
    store: &Store,
    room: &str,
    window_ms: u64,
    online: usize,
) -> crate::store::Result<Value> {
    let events = store.events(Some(room), None, 1_000_000, false)?;
    let titles = titles(store, room)?;
    let mut viewers: HashSet<String> = HashSet::new();
    let mut first_last: HashMap<String, (u64, u64)> = HashMap::new();
    // What counts as an interaction is the protocol's (`Event::is_interaction`).
    let mut by_type: BTreeMap<&str, (u64, HashSet<String>)> = Event::interaction_types()
        .map(|t| (t, (0, HashSet::new())))
        .collect();
    let mut exposed: BTreeMap<String, HashSet<String>> = BTreeMap::new();
    let mut participated: BTreeMap<String, HashSet<String>> = BTreeMap::new();
    let mut kinds: HashMap<String, String> = HashMap::new();
    let mut interacted: HashSet<String> = HashSet::new();
    let mut converted: HashSet<String> = HashSet::new();
    let mut last_interaction: HashMap<String, u64> = HashMap::new();
    let (mut orders, mut attributed) = (0u64, 0u64);
    let mut minutes: BTreeMap<u64, u64> = BTreeMap::new();
    let (mut start, mut end) = (u64::MAX, 0u64);

    for e in &events {
        let Some(who) = actor(e) else { continue };
        let at = e["at"].as_u64().unwrap_or(0);
        let t = e["type"].as_str().unwrap_or("");
        viewers.insert(who.clone());
        let fl = first_last.entry(who.clone()).or_insert((at, at));
        fl.0 = fl.0.min(at);
        fl.1 = fl.1.max(at);
        start = start.min(at);
        end = end.max(at);
        let widget = e["widget_id"].as_str().unwrap_or("").to_owned();
        if let Some(k) = e["kind"].as_str() {
            kinds.entry(widget.clone()).or_insert_with(|| k.to_owned());
        }
        if t == "widget.shown" && !widget.is_empty() {
            exposed
                .entry(widget.clone())
                .or_default()
                .insert(who.clone());
        }
        if let Some((n, set)) = by_type.get_mut(t) {
            *n += 1;
            set.insert(who.clone());
            interacted.insert(who.clone());
            participated
                .entry(widget.clone())
                .or_default()
                .insert(who.clone());
            *minutes.entry(at / 60_000).or_default() += 1;
            last_interaction.insert(who.clone(), at);
        }
        if is_conversion(e) {
            converted.insert(who.clone());
            if t == "flash.result" || t == "redeem.result" {
                orders += 1;
                // Attributed: the viewer interacted within the window before the order (the
                // request itself counts: a grab is an interaction).
                if last_interaction
                    .get(&who)
                    .is_some_and(|&li| at.saturating_sub(li) <= window_ms)
                {
                    attributed += 1;
                }
            }
        }
    }
    let n = viewers.len() as f64;
    let ratio = |a: f64, b: f64| {
        if b > 0.0 {
            (a / b * 10_000.0).round() / 10_000.0
        } else {
            0.0
        }
    };
    let types: Vec<Value> = by_type
        .iter()
        .map(|(t, (count, who))| {
            json!({"type": t, "interactions": count, "viewers": who.len(),
                   "per_viewer": ratio(*count as f64, n), "share_of_viewers": ratio(who.len() as f64, n)})
        })
        .collect();
    let total: u64 = by_type.values().map(|v| v.0).sum();
    let widgets: Vec<Value> = exposed
        .iter()
        .map(|(w, seen)| {
            let took = participated.get(w).map_or(0, |p| p.intersection(seen).count());
            json!({"widget_id": w, "title": titles.get(w), "kind": kinds.get(w), "exposed": seen.len(), "participated": took, "participation": ratio(took as f64, seen.len() as f64)})
        })
        .collect();
    let exposed_any: HashSet<&String> = exposed.values().flatten().collect();
    let stays: Vec<u64> = first_last.values().map(|(a, b)| b - a).collect();
    let avg_stay = if stays.is_empty() {
        0
    } else {
        stays.iter().sum::<u64>() / stays.len() as u64
    };
    let heat: Vec<Value> = if start == u64::MAX {
        vec![]
    } else {
        (start / 60_000..=end / 60_000).map(|m| json!({"minute": m * 60_000, "interactions": minutes.get(&m).copied().unwrap_or(0)})).collect()
    };
    Ok(json!({
        "room_id": room,
        "online": online,
        "viewers": viewers.len(),
        "events": events.len(),
        "interactions": total,
        "interaction_rate": {"per_viewer": ratio(total as f64, n), "share_of_viewers": ratio(interacted.len() as f64, n)},
        "by_type": types,
        "widgets": widgets,
        "funnel": {"exposed": exposed_any.len(), "participated": interacted.len(), "converted": converted.len()},
        "avg_time_in_room_ms": avg_stay,
        "heatmap": heat,
        "orders": orders,
        "orders_attributed": attributed,
        "attribution_window_ms": window_ms,
    }))
}
