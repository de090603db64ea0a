//! Processes on one database decide as one: each is a [`Hub`] with its own memory, over
//! its own connection to the same database (two on one SQLite file, three on one
//! PostgreSQL), and every request reaches two of them at once (a retry through another
//! process, or a client that sends twice).
use super::*;
use crate::decide::coupon::coupon_claim;
use crate::decide::flash::grab;
use crate::decide::redeem::redeem;

const VIEWERS: usize = 40;

/// A stored event handed to one process's decisions, as its collector would.
fn deliver(hub: &Hub, e: &Value) {
    let stored = hub
        .store
        .insert_events(std::slice::from_ref(e), now_ms())
        .unwrap();
    if stored.fresh[0] {
        on_event(hub, e);
    }
}

#[test]
fn two_processes_on_one_sqlite_file_never_oversell_double_or_lose_anything() {
    let dir = temp("processes");
    let file = dir.join("t.db");
    let file = file.to_str().unwrap();
    decide_as_one(|| Store::connect(file).unwrap(), 2);
}

/// The same show on PostgreSQL, the engine for processes on several machines: three
/// processes, a new database of the test cluster (`HUDONG_TEST_POSTGRES`, the URL
/// `scripts/postgres.sh start` prints; `npm test` starts one).
#[test]
fn three_processes_on_one_postgres_never_oversell_double_or_lose_anything() {
    let url = postgres_database("processes");
    decide_as_one(|| Store::connect(&url).unwrap(), 3);
}

/// Runs one show on `processes` hubs over stores `open` makes (each its own connection).
fn decide_as_one(open: impl Fn() -> Store, processes: usize) {
    let one = hub_on(open());
    let now = now_ms();
    open_sale(&one, 5, 1);
    open_poll(&one);
    one.post("r", json!({"type": "coupon.open", "widget_id": "c", "kind": "coupon", "name": "满 99 减 20", "value": 2000,
        "quantity": 5, "ends_at": now + 600_000, "valid_ms": 3_600_000})).unwrap();
    one.post(
        "r",
        json!({"type": "redeem.open", "widget_id": "s", "tiers": [],
        "items": [{"item_id": "c", "name": "券", "cost": 60, "stock": 60, "per_viewer_limit": 5}]}),
    )
    .unwrap();
    one.post(
        "r",
        json!({"type": "lottery.open", "widget_id": "bag", "prize": {"name": "福袋", "count": 1},
        "condition": "none", "draw_at": now + 2_000}),
    )
    .unwrap();
    one.post(
        "r",
        json!({"type": "quiz.open", "widget_id": "q", "mode": "elimination"}),
    )
    .unwrap();
    one.post("r", json!({"type": "questions.open", "widget_id": "qa"}))
        .unwrap();
    one.post("r", json!({"type": "quiz.question", "widget_id": "q", "question_id": "q1", "text": "?",
        "options": [{"id": "a", "label": "A"}, {"id": "b", "label": "B"}], "closes_at": now + 600_000})).unwrap();
    for i in 0..VIEWERS {
        one.post("r", json!({"type": "redeem.account", "widget_id": "s", "user_id": format!("u{i}"), "balance": 100})).unwrap();
    }
    // The other processes start on the same database: they rebuild the rooms from the log.
    let mut hubs = vec![one.clone()];
    hubs.extend((1..processes).map(|_| hub_on(open())));
    let two = hubs[1].clone();

    let threads: Vec<_> = (0..VIEWERS)
        .flat_map(|i| {
            // Viewers spread over the processes; each request to two of them.
            let pair = [hubs[i % processes].clone(), hubs[(i + 1) % processes].clone()];
            pair.into_iter().enumerate().map(move |(p, hub)| {
                std::thread::spawn(move || {
                    let me = format!("u{i}");
                    // The same requests, to both processes; then a second request of each
                    // kind (a new id), which the limits must refuse.
                    for n in 1..=2 {
                        let id = |what: &str| format!("r:{what}:{me}:{n}");
                        grab(req(&hub, "r", "f", &id("grab"), &me)).unwrap();
                        coupon_claim(req(&hub, "r", "c", &id("coupon"), &me)).unwrap();
                        redeem(req(&hub, "r", "s", &id("redeem"), &me), "c").unwrap();
                    }
                    let event = |kind: &str, widget: &str, extra: Value| {
                        let mut fields = json!({"type": kind});
                        fields.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
                        ev("r", widget, &me, &format!("{kind}-{me}-{p}"), fields)
                    };
                    deliver(&hub, &event("poll.vote", "p", json!({"option_ids": [if i % 4 == 0 { "a" } else { "b" }],
                        "idempotency_key": format!("r:p:{me}:vote:1"), "revote": false})));
                    deliver(&hub, &event("quiz.answer", "q", json!({"question_id": "q1", "option_id": if i % 2 == 0 { "a" } else { "b" },
                        "time_to_answer_ms": 900, "idempotency_key": format!("q1:{me}")})));
                    deliver(&hub, &event("lottery.enter", "bag", json!({"request_id": format!("r:bag:{me}:enter:{p}"), "condition": "none"})));
                    // Five questions, each asked by a fifth of the viewers through any process.
                    deliver(&hub, &event("question.ask", "qa", json!({"request_id": format!("r:qa:{me}:ask:{p}"),
                        "text": format!("第{}个问题", i % 5)})));
                })
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }

    let outcomes = one.store.outcomes("r", Some("f")).unwrap();
    let count = |rows: &[(String, u64)], what: &str| {
        rows.iter().find(|(o, _)| o == what).map_or(0, |r| r.1)
    };
    assert_eq!(
        count(&outcomes, "success"),
        5,
        "flash stock 5: {outcomes:?}"
    );
    assert_eq!(
        one.store
            .outcomes("r", Some("c"))
            .map(|r| count(&r, "success"))
            .unwrap(),
        5,
        "coupon quantity 5"
    );
    for i in 0..VIEWERS {
        let me = format!("u{i}");
        assert!(
            one.store.successes("r", "f", Some(&me), None).unwrap() <= 1,
            "{me}: one order at most"
        );
        assert!(
            one.store.successes("r", "c", Some(&me), None).unwrap() <= 1,
            "{me}: one coupon at most"
        );
        // 100 points, 60 a redemption: one, and the balance never below zero.
        assert_eq!(
            one.store.successes("r", "s", Some(&me), Some("c")).unwrap(),
            1,
            "{me}: one redemption"
        );
        assert_eq!(
            one.store.account("r", "s", &me).unwrap().unwrap().balance,
            40
        );
        // A request sent to both processes has one answer.
        for n in 1..=2 {
            let a = one
                .store
                .decision("r", &me, &format!("r:grab:{me}:{n}"))
                .unwrap();
            assert!(a.is_some(), "{me}'s grab {n} was answered");
        }
    }
    // 60 units, each viewer able to pay for one: 40 taken, 20 left in the database.
    assert_eq!(
        one.store.successes("r", "s", None, Some("c")).unwrap(),
        VIEWERS as u64
    );
    let d = Decision {
        request_id: "probe",
        room: "r",
        widget: "s",
        actor: "u0",
        item: Some("c"),
        outcome: "success",
        answer: "",
        at: 0,
    };
    let probe = one
        .store
        .grant(
            &d,
            Grant {
                stock_from: Some(60),
                ..Grant::default()
            },
            |_| "{}".into(),
        )
        .unwrap();
    assert_eq!(
        probe,
        GrantOutcome::Granted(crate::store::Granted {
            successes: VIEWERS as u64 + 1,
            stock_left: Some(19),
            balance: None
        })
    );

    // Each viewer's vote counted once, from whichever process took it.
    let tally = two.store.tally("r", "p").unwrap();
    assert_eq!(tally, vec![("a".to_string(), 10), ("b".to_string(), 30)]);
    // Quiz answers taken by either process are scored, once, by the process that got the reveal.
    two.post(
        "r",
        json!({"type": "quiz.reveal", "widget_id": "q", "question_id": "q1", "correct": ["a"]}),
    )
    .unwrap();
    one.post(
        "r",
        json!({"type": "quiz.reveal", "widget_id": "q", "question_id": "q1", "correct": ["a"]}),
    )
    .ok();
    let standings = one.store.standings("r", "q").unwrap();
    assert_eq!(standings.len(), VIEWERS);
    assert_eq!(
        standings
            .iter()
            .filter(|(_, s)| s.score == 10 && s.streak == 1)
            .count(),
        VIEWERS / 2
    );
    assert_eq!(
        standings.iter().filter(|(_, s)| s.eliminated).count(),
        VIEWERS / 2
    );

    // One queue whichever process took each ask: five questions, numbered once each, every
    // other asker counted as a vote.
    let queue = two.store.questions("r", "qa").unwrap();
    let ids: Vec<&str> = queue.iter().map(|q| q.id.as_str()).collect();
    assert_eq!(ids, ["q1", "q2", "q3", "q4", "q5"], "{queue:?}");
    assert_eq!(
        queue.iter().map(|q| q.voters.len()).sum::<usize>(),
        VIEWERS - 5
    );

    // Every viewer entered the bag once; when it is due, both processes try to draw it and
    // exactly one does: one winner.
    assert_eq!(one.store.entry_count("r", "bag").unwrap(), VIEWERS as u64);
    let due = |hub: &Hub| matches!(hub.lock()["r"].core.widget("bag"), Some(Widget::Lottery(l)) if l.phase(now_ms()) == hudong_core::LotteryPhase::Drawing);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !hubs.iter().all(|h| due(h)) {
        assert!(
            std::time::Instant::now() < deadline,
            "the bag never became due"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let draws: Vec<_> = hubs
        .iter()
        .cloned()
        .map(|hub| std::thread::spawn(move || draw_due(&hub)))
        .collect();
    for d in draws {
        d.join().unwrap();
    }
    let bag = one.store.outcomes("r", Some("bag")).unwrap();
    assert_eq!(count(&bag, "won"), 1, "{bag:?}");
    assert_eq!(count(&bag, "lost"), VIEWERS as u64 - 1, "{bag:?}");
}

/// A viewer who sends another viewer's request id makes a request of their own: the other
/// viewer's request is decided for them, with their own answer.
#[test]
fn a_request_id_belongs_to_the_viewer_who_sent_it() {
    let dir = temp("request-owner");
    let hub = hub(&dir);
    open_sale(&hub, 5, 1);
    let victim_id = "r:f:victim:grab:1";
    grab(req(&hub, "r", "f", victim_id, "attacker")).unwrap();
    let mut rx = hub.fanout.subscribe("r");
    grab(req(&hub, "r", "f", victim_id, "victim")).unwrap();
    let mut answer = None;
    while let Ok(m) = rx.try_recv() {
        let v: Value = serde_json::from_str(&m.text).unwrap();
        if v["type"] == "flash.result" {
            assert_eq!(m.to.as_deref(), Some("victim"));
            answer = Some(v);
        }
    }
    let answer = answer.expect("the victim was answered");
    assert_eq!(answer["outcome"], "success");
    let attacker: Value = serde_json::from_str(
        &hub.store
            .decision("r", "attacker", victim_id)
            .unwrap()
            .unwrap(),
    )
    .unwrap();
    assert_ne!(
        attacker["order_ref"], answer["order_ref"],
        "two orders, one each"
    );
    assert_eq!(
        hub.store.successes("r", "f", Some("victim"), None).unwrap(),
        1
    );
}
