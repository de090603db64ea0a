//! Flash sales, redemptions, lead cards, coupons.
use super::*;
use crate::decide::coupon::coupon_claim;
use crate::decide::flash::grab;
use crate::decide::redeem::redeem;

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
                    grab(req(
                        &hub,
                        "r",
                        "f",
                        &format!("r:f:u{i}:grab:1"),
                        &format!("u{i}"),
                    ))
                    .unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(hub.store.successes("r", "f", None, None).unwrap(), 10);
    let rooms = hub.lock();
    let Some(Widget::FlashSale(sale)) = rooms["r"].core.widget("f") else {
        panic!()
    };
    assert_eq!(sale.stock_left(), 0);
    drop(rooms);
    // Every viewer got an answer (the second copy repeats the first), and only ten
    // of them say success, each with its own order reference.
    let mut answers = std::collections::HashMap::new();
    let mut orders = std::collections::HashSet::new();
    while let Ok(m) = rx.try_recv() {
        let v: Value = serde_json::from_str(&m.text).unwrap();
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
        assert_eq!(
            hub.store.account("r", "s", "u1").unwrap().unwrap().balance,
            160,
            "a gain counts once"
        );
        redeem(req(&hub, "r", "s", "q1", "u1"), "g").unwrap();
        redeem(req(&hub, "r", "s", "q2", "u1"), "c").unwrap();
        redeem(req(&hub, "r", "s", "q3", "u1"), "c").unwrap();
        redeem(req(&hub, "r", "s", "q4", "u9"), "c").unwrap();
        let outcome = |id: &str| outcome(&hub, "r", if id == "q4" { "u9" } else { "u1" }, id);
        assert_eq!(outcome("q1"), "tier_too_low");
        assert_eq!(outcome("q2"), "success");
        assert_eq!(outcome("q3"), "limit_reached");
        assert_eq!(
            outcome("q4"),
            "insufficient_points",
            "no account, no points"
        );
        assert_eq!(
            hub.store.account("r", "s", "u1").unwrap().unwrap().balance,
            60
        );
    }
    // A restart rebuilds the room from its commands and keeps the books.
    let hub = hub(&dir);
    let rooms = hub.lock();
    let Some(Widget::Redeem(shop)) = rooms["r"].core.widget("s") else {
        panic!()
    };
    assert_eq!(shop.stock_of("c"), Some(4));
    drop(rooms);
    redeem(req(&hub, "r", "s", "q2", "u1"), "c").unwrap(); // the same request again
    assert_eq!(
        hub.store.account("r", "s", "u1").unwrap().unwrap().balance,
        60,
        "not charged twice"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_starting_account_for_the_room_opens_each_viewers_own_once() {
    let dir = temp("starting");
    let hub = hub(&dir);
    hub.post(
        "r",
        json!({"type": "redeem.open", "widget_id": "s",
        "items": [{"item_id": "c", "name": "券", "cost": 100, "stock": 5, "per_viewer_limit": 2}]}),
    )
    .unwrap();
    // No user: every viewer's starting account, broadcast to the room.
    hub.post(
        "r",
        json!({"type": "redeem.account", "widget_id": "s", "balance": 150}),
    )
    .unwrap();
    redeem(req(&hub, "r", "s", "q1", "u1"), "c").unwrap();
    redeem(req(&hub, "r", "s", "q2", "u1"), "c").unwrap();
    hub.post("r", json!({"type": "redeem.points", "widget_id": "s", "user_id": "u2", "gain_id": "g1", "delta": 10, "reason": "看播"})).unwrap();
    let outcome = |who: &str, id: &str| outcome(&hub, "r", who, id);
    assert_eq!(outcome("u1", "q1"), "success");
    assert_eq!(
        outcome("u1", "q2"),
        "insufficient_points",
        "50 left of their own 150"
    );
    let balance = |who: &str| hub.store.account("r", "s", who).unwrap().unwrap().balance;
    assert_eq!(balance("u1"), 50);
    assert_eq!(
        balance("u2"),
        160,
        "a gain opens the account from the start too"
    );
    assert_eq!(balance("u3"), 150);
    // A new starting balance changes no account already opened.
    hub.post(
        "r",
        json!({"type": "redeem.account", "widget_id": "s", "balance": 500}),
    )
    .unwrap();
    assert_eq!((balance("u1"), balance("u4")), (50, 500));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn lead_cards_record_follows_and_members_check_consent_and_grant_the_perk_once_in_time() {
    let dir = temp("lead");
    let hub = hub(&dir);
    let now = now_ms();
    hub.post("r", json!({"type": "lead.open", "widget_id": "g", "target": "wecom_group", "title": "进群", "perk": "5 元券",
        "perk_until": now + 60_000, "url": "https://work.weixin.qq.com/gm/x", "purpose": "直播预告"})).unwrap();
    hub.post("r", json!({"type": "lead.open", "widget_id": "late", "target": "wecom_contact", "title": "加我", "perk": "5 元券",
        "perk_until": now - 10_000, "code": "brand-01", "purpose": "直播预告"})).unwrap();
    hub.post(
        "r",
        json!({"type": "lead.open", "widget_id": "f", "target": "follow", "title": "关注"}),
    )
    .unwrap();
    let mut rx = hub.fanout.subscribe("r");
    let mut confirm = |widget: &str, actor: &str, id: &str, consent: bool| -> Value {
        let e = ev(
            "r",
            widget,
            actor,
            id,
            json!({"type": "lead.confirm", "request_id": id, "target": "follow", "consent": consent, "perk_open": true}),
        );
        hub.store
            .insert_events(std::slice::from_ref(&e), now_ms())
            .unwrap();
        on_event(&hub, &e);
        let m = rx.try_recv().expect("an answer");
        assert_eq!(m.to.as_deref(), Some(actor), "answered to the viewer only");
        serde_json::from_str(&m.text).unwrap()
    };
    assert_eq!(
        confirm("g", "u1", "r:g:u1:lead:1", false)["outcome"],
        "declined",
        "no consent, no contact"
    );
    assert!(!hub.store.is_member("r", "u1").unwrap());
    let ok = confirm("g", "u1", "r:g:u1:lead:2", true);
    assert_eq!(ok["outcome"], "confirmed");
    assert!(ok["perk_ref"].as_str().unwrap().starts_with("PERK-"));
    assert!(
        hub.store.is_member("r", "u1").unwrap(),
        "a WeCom-gated sale now lets u1 buy"
    );
    // The same request again gets the same answer; a new one no second perk.
    assert_eq!(confirm("g", "u1", "r:g:u1:lead:2", true), ok);
    assert!(confirm("g", "u1", "r:g:u1:lead:3", true)
        .get("perk_ref")
        .is_none());
    // Too late for the perk, still confirmed.
    let late = confirm("late", "u2", "r:late:u2:lead:1", true);
    assert_eq!(late["outcome"], "confirmed");
    assert!(late.get("perk_ref").is_none());
    // A follow needs no consent and is recorded as a follow.
    assert_eq!(
        confirm("f", "u3", "r:f:u3:lead:1", false)["outcome"],
        "confirmed"
    );
    assert!(
        hub.store.follows("r", "u3").unwrap(),
        "a follow-to-enter lottery now takes u3"
    );
    let outcomes: HashMap<String, u64> =
        hub.store.outcomes("r", None).unwrap().into_iter().collect();
    assert_eq!(outcomes["perk"], 1);
}

#[test]
fn coupons_are_claimed_exactly_quantity_times_behind_their_gates_into_wallets() {
    let dir = temp("coupons");
    let hub = hub(&dir);
    let now = now_ms();
    hub.post("r", json!({"type": "coupon.open", "widget_id": "c", "kind": "coupon", "name": "满 99 减 20", "value": 2000,
        "threshold": 9900, "quantity": 10, "ends_at": now + 60_000, "valid_ms": 3_600_000})).unwrap();
    let mut rx = hub.fanout.subscribe("r");
    let threads: Vec<_> = (0..40)
        .map(|i| {
            let hub = hub.clone();
            std::thread::spawn(move || {
                for _ in 0..2 {
                    coupon_claim(req(
                        &hub,
                        "r",
                        "c",
                        &format!("r:c:u{i}:coupon:1"),
                        &format!("u{i}"),
                    ))
                    .unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(hub.store.successes("r", "c", None, None).unwrap(), 10);
    let mut answers = HashMap::new();
    let mut wallets = 0;
    while let Ok(m) = rx.try_recv() {
        let v: Value = serde_json::from_str(&m.text).unwrap();
        match v["type"].as_str() {
            Some("coupon.result") => {
                if let Some(prev) = answers.insert(
                    v["request_id"].as_str().unwrap().to_owned(),
                    v["outcome"].clone(),
                ) {
                    assert_eq!(prev, v["outcome"], "a request got two different answers");
                }
                if v["outcome"] == "success" {
                    assert_eq!(v["coupon"]["value"], 2000);
                    assert_eq!(v["coupon"]["threshold"], 9900);
                }
            }
            Some("coupon.wallet") => {
                assert_eq!(
                    m.to.as_deref(),
                    v["user_id"].as_str(),
                    "a wallet goes to its viewer only"
                );
                assert_eq!(v["coupons"].as_array().unwrap().len(), 1);
                wallets += 1;
            }
            _ => {}
        }
    }
    assert_eq!(answers.len(), 40);
    assert_eq!(answers.values().filter(|o| *o == "success").count(), 10);
    assert_eq!(answers.values().filter(|o| *o == "sold_out").count(), 30);
    assert_eq!(wallets, 10);

    // Gates: a share-gated red packet needs the viewer's coupon.shared event; a
    // follow-gated one a follow on record. Amounts stay within a tenth of the value and the value.
    hub.post("r", json!({"type": "coupon.open", "widget_id": "p", "kind": "red_packet", "name": "红包", "value": 888,
        "quantity": 100, "ends_at": now + 60_000, "valid_ms": 1000, "gate": "share"})).unwrap();
    hub.post("r", json!({"type": "coupon.open", "widget_id": "q", "kind": "coupon", "name": "关注券", "value": 500,
        "quantity": 100, "ends_at": now + 60_000, "valid_ms": 1000, "gate": "follow"})).unwrap();
    let mut rx = hub.fanout.subscribe("r");
    let mut outcome = |widget: &str, actor: &str, n: u32| -> Value {
        coupon_claim(req(
            &hub,
            "r",
            widget,
            &format!("r:{widget}:{actor}:coupon:{n}"),
            actor,
        ))
        .unwrap();
        loop {
            let v: Value = serde_json::from_str(&rx.try_recv().unwrap().text).unwrap();
            if v["type"] == "coupon.result" {
                return v;
            }
        }
    };
    assert_eq!(outcome("p", "v1", 1)["outcome"], "not_eligible");
    let shared = ev(
        "r",
        "p",
        "v1",
        "s1",
        json!({"type": "coupon.shared", "channel": "wechat_group"}),
    );
    hub.store
        .insert_events(std::slice::from_ref(&shared), now_ms())
        .unwrap();
    let got = outcome("p", "v1", 2);
    assert_eq!(got["outcome"], "success");
    let v = got["coupon"]["value"].as_u64().unwrap();
    assert!((88..=888).contains(&v), "{v}");
    assert_eq!(outcome("p", "v1", 3)["outcome"], "limit_reached");
    assert_eq!(outcome("q", "v2", 1)["outcome"], "not_eligible");
    hub.store.set_follow("r", "v2", true).unwrap();
    assert_eq!(outcome("q", "v2", 2)["outcome"], "success");
    let _ = std::fs::remove_dir_all(dir);
}

/// A grab that arrives after the host removed the sale (late, from an overloaded network) is
/// decided `ended`, not dropped: it counts once, and its copy is not judged again.
#[test]
fn a_request_for_a_removed_widget_is_decided_ended_once() {
    let dir = temp("removed");
    let hub = hub(&dir);
    open_sale(&hub, 5, 1);
    hub.post("r", json!({"type": "widget.remove", "widget_id": "f"}))
        .unwrap();
    for _ in 0..2 {
        grab(req(&hub, "r", "f", "r:f:late:grab:1", "late")).unwrap();
    }
    assert_eq!(
        hub.store.outcomes("r", Some("f")).unwrap(),
        vec![("ended".to_string(), 1)]
    );
    let answer: Value = serde_json::from_str(
        &hub.store
            .decision("r", "late", "r:f:late:grab:1")
            .unwrap()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(answer["outcome"], "ended");
}

/// A grab is judged at the moment the viewer's video showed (`behind_ms`, at most 30 s):
/// a viewer 20 s behind the room who grabs in the window they saw is in time; a live
/// viewer, or one 5 s behind, grabbing after that window is refused with `ended`; a claim
/// beyond the bound counts as the bound.
#[test]
fn a_grab_is_judged_at_the_moment_the_viewers_video_showed() {
    let dir = temp("behind");
    let hub = hub(&dir);
    let now = now_ms();
    let open = |id: &str, starts: u64, ends: u64| {
        hub.post(
            "r",
            json!({"type": "flash.open", "widget_id": id, "product": {"name": "唇釉", "price": 100},
            "stock_total": 10, "starts_at": starts, "ends_at": ends, "per_viewer_limit": 1}),
        )
        .unwrap();
    };
    // A 30 s window that ended 10 s ago in the room's time, and one that ended a minute ago.
    open("f", now - 40_000, now - 10_000);
    open("g", now - 90_000, now - 60_000);
    let grab = |widget: &str, who: &str, behind: Option<u64>| {
        let id = format!("r:{widget}:{who}:grab:1");
        let mut e = ev(
            "r",
            widget,
            who,
            &format!("e-{widget}-{who}"),
            json!({"type": "flash.grab", "request_id": id}),
        );
        if let Some(b) = behind {
            e["behind_ms"] = b.into();
        }
        on_event(&hub, &e);
        outcome(&hub, "r", who, &id)
    };
    assert_eq!(grab("f", "u20", Some(20_000)), "success");
    assert_eq!(grab("f", "live", None), "ended");
    assert_eq!(grab("f", "u5", Some(5_000)), "ended");
    assert_eq!(grab("g", "u30", Some(30_000)), "ended");
    assert_eq!(
        grab("g", "far", Some(70_000)),
        "ended",
        "judged 30 s back, not 70"
    );
    assert_eq!(hub.store.successes("r", "f", None, None).unwrap(), 1);
}

/// A viewer's snapshot is the room a minute ago with the commands since as its tail (each
/// with its stream position), and it is the same after a restart (the log keeps `pts`).
#[test]
fn a_viewers_snapshot_has_the_last_minute_as_its_tail() {
    let dir = temp("tail");
    let hub = hub(&dir);
    let now = now_ms();
    open_poll(&hub); // taken now, no pts: in the tail
    let old = json!({"type": "poll.open", "widget_id": "q", "question": "旧?", "pts": now - 120_000,
        "options": [{"id": "a", "label": "A"}, {"id": "b", "label": "B"}]});
    hub.post("r", old).unwrap();
    hub.post(
        "r",
        json!({"type": "poll.close", "widget_id": "p", "pts": now - 1_000}),
    )
    .unwrap();
    let check = |hub: &Hub| {
        let snap: Value = serde_json::from_str(&hub.viewer_snapshot("r")).unwrap();
        assert_eq!(snap["type"], "room.snapshot");
        assert_eq!(
            snap["seq"], 0,
            "the first command is recent: the base is empty"
        );
        assert_eq!(snap["widgets"], json!([]));
        let tail = snap["tail"].as_array().unwrap();
        assert_eq!(
            tail.iter()
                .map(|t| t["seq"].as_u64().unwrap())
                .collect::<Vec<_>>(),
            [1, 2, 3]
        );
        assert_eq!(tail[0]["type"], "poll.open");
        assert!(tail[0].get("pts").is_none());
        assert_eq!(tail[2]["pts"], now - 1_000);
        assert_eq!(tail[2]["type"], "poll.close");
        // The room now is what the snapshot and its tail make.
        let mut room = hudong_core::Room::new(hudong_core::RoomConfig::new("r", "v"));
        let cmd = hudong_core::decode_command_json(&snap.to_string()).unwrap();
        room.apply(&cmd, now).unwrap();
        for t in tail {
            room.apply(
                &hudong_core::decode_command_json(&t.to_string()).unwrap(),
                now,
            )
            .unwrap();
        }
        let live: Value = serde_json::from_str(&hub.snapshot("r")).unwrap();
        assert_eq!(
            serde_json::to_value(room.snapshot()).unwrap()["widgets"],
            live["widgets"]
        );
    };
    check(&hub);
    drop(hub);
    check(&self::hub(&dir));
}

/// A command in the log that this build cannot read (a later version's) leaves no gap in a
/// viewer's tail: the snapshot starts after it.
#[test]
fn an_unreadable_command_in_the_log_leaves_no_gap_in_the_tail() {
    let dir = temp("tail-gap");
    let hub = hub(&dir);
    open_poll(&hub);
    let now = now_ms();
    hub.store
        .append_command("r", now, None, r#"{"type":"future.thing","widget_id":"x"}"#)
        .unwrap();
    drop(hub);
    let hub = self::hub(&dir);
    hub.post("r", json!({"type": "poll.close", "widget_id": "p"}))
        .unwrap();
    let snap: Value = serde_json::from_str(&hub.viewer_snapshot("r")).unwrap();
    assert_eq!(snap["seq"], 2, "the base moved past the unreadable command");
    assert_eq!(snap["widgets"][0]["spec"]["widget_id"], "p");
    let seqs: Vec<u64> = snap["tail"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(seqs, [3]);
}
