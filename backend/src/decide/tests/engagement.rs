//! Votes, likes, questions, tasks, lucky bags, quizzes.
use super::*;

#[test]
fn votes_are_tallied_by_the_server_and_refused_with_a_reason_after_close() {
    let dir = temp("votes");
    let hub = hub(&dir);
    open_poll(&hub);
    let mut rx = hub.fanout.subscribe("r");
    for (i, (actor, opt)) in [("u1", "a"), ("u2", "b"), ("u3", "b"), ("u1", "b")]
        .iter()
        .enumerate()
    {
        let e = ev(
            "r",
            "p",
            actor,
            &format!("v{i}"),
            json!({"type": "poll.vote", "option_ids": [opt], "idempotency_key": format!("r:p:{actor}:vote:1"), "revote": false}),
        );
        hub.store
            .insert_events(std::slice::from_ref(&e), now_ms())
            .unwrap();
        on_event(&hub, &e);
    }
    flush_tallies(&hub);
    let tally: Value = serde_json::from_str(&rx.try_recv().unwrap().text).unwrap();
    assert_eq!(tally["type"], "poll.tally");
    assert_eq!(
        tally["counts"],
        json!({"a": 1, "b": 2}),
        "u1's second vote (no revote) does not count"
    );
    let rejected = hub.store.rejections(Some("r"), 10).unwrap();
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0]["code"], "already_voted");

    hub.post("r", json!({"type": "poll.close", "widget_id": "p"}))
        .unwrap();
    let late = ev(
        "r",
        "p",
        "u4",
        "v9",
        json!({"type": "poll.vote", "option_ids": ["a"], "idempotency_key": "r:p:late:vote:1", "revote": false}),
    );
    hub.store
        .insert_events(std::slice::from_ref(&late), now_ms())
        .unwrap();
    on_event(&hub, &late);
    let rejected = hub.store.rejections(Some("r"), 10).unwrap();
    assert_eq!(rejected[0]["event_id"], "v9");
    assert_eq!(rejected[0]["code"], "not_open");
    assert_eq!(rejected[0]["reason"], "this poll is closed");
    drop(hub);
    // After a restart the tally is still the database's.
    let hub = self::hub(&dir);
    assert_eq!(
        hub.store.tally("r", "p").unwrap(),
        vec![("a".to_string(), 1), ("b".to_string(), 2)]
    );
}

#[test]
fn like_batches_add_up_capped_at_a_thumbs_pace_and_survive_a_restart() {
    let dir = temp("likes");
    let hub = hub(&dir);
    hub.post(
        "r",
        json!({"type": "likes.open", "widget_id": "l", "goal": {"target": 100, "reward": "券"}}),
    )
    .unwrap();
    let send = |hub: &Hub, actor: &str, id: &str, count: u64| {
        let e = ev(
            "r",
            "l",
            actor,
            id,
            json!({"type": "like.sent", "count": count, "batch": 1}),
        );
        hub.store
            .insert_events(std::slice::from_ref(&e), now_ms())
            .unwrap();
        on_event(hub, &e);
    };
    send(&hub, "u1", "a1", 12);
    send(&hub, "u2", "a2", 5);
    send(&hub, "u2", "a3", 1_000_000); // a script: capped at 15 for the second since
    let mut rx = hub.fanout.subscribe("r");
    flush_tallies(&hub);
    let v: Value = serde_json::from_str(&rx.try_recv().unwrap().text).unwrap();
    assert_eq!(v["type"], "likes.total");
    assert_eq!(v["total"], 12 + 5 + 15);
    // On a widget that is not live, refused with a reason.
    send(&hub, "u1", "a4", 3);
    hub.post("r", json!({"type": "widget.remove", "widget_id": "l"}))
        .unwrap();
    send(&hub, "u1", "a5", 3);
    assert_eq!(
        hub.store.rejections(Some("r"), 10).unwrap()[0]["code"],
        "unknown_widget"
    );
    flush_tallies(&hub);
    drop(hub);
    let hub = self::hub(&dir);
    hub.post(
        "r",
        json!({"type": "likes.open", "widget_id": "l", "goal": {"target": 100, "reward": "券"}}),
    )
    .unwrap();
    send(&hub, "u3", "a6", 1);
    let mut rx = hub.fanout.subscribe("r");
    flush_tallies(&hub);
    let v: Value = serde_json::from_str(&rx.try_recv().unwrap().text).unwrap();
    assert_eq!(
        v["total"],
        12 + 5 + 15 + 3 + 1,
        "the total is kept in SQLite"
    );
}

#[test]
fn questions_are_acknowledged_at_once_merged_upvoted_ranked_and_rebuilt_after_a_restart() {
    let dir = temp("questions");
    let hub = hub(&dir);
    hub.post("r", json!({"type": "questions.open", "widget_id": "qa"}))
        .unwrap();
    let mut rx = hub.fanout.subscribe("r");
    let mut send = |hub: &Hub, actor: &str, id: &str, body: Value| -> Option<Value> {
        let e = ev("r", "qa", actor, id, body);
        hub.store
            .insert_events(std::slice::from_ref(&e), now_ms())
            .unwrap();
        on_event(hub, &e);
        rx.try_recv().ok().map(|m| {
            assert_eq!(
                m.to.as_deref(),
                Some(actor),
                "an acknowledgement goes to its viewer only"
            );
            serde_json::from_str(&m.text).unwrap()
        })
    };
    let ack = send(
        &hub,
        "u1",
        "e1",
        json!({"type": "question.ask", "request_id": "r:qa:u1:ask:1", "text": "干皮能用吗？"}),
    )
    .unwrap();
    assert_eq!(
        (
            ack["question_id"].as_str(),
            ack["position"].as_u64(),
            ack["merged"].as_bool()
        ),
        (Some("q1"), Some(1), Some(false))
    );
    let ack = send(
        &hub,
        "u2",
        "e2",
        json!({"type": "question.ask", "request_id": "r:qa:u2:ask:1", "text": "持妆多久"}),
    )
    .unwrap();
    assert_eq!(ack["position"], 2);
    // The same question in other words' clothing: merged, counted as a vote.
    let ack = send(
        &hub,
        "u3",
        "e3",
        json!({"type": "question.ask", "request_id": "r:qa:u3:ask:1", "text": "干皮 能用吗"}),
    )
    .unwrap();
    assert_eq!(
        (ack["question_id"].as_str(), ack["merged"].as_bool()),
        (Some("q1"), Some(true))
    );
    // u4 and u5 upvote q2; u5 again (counted once); u2 its own question (not counted).
    for (viewer, id) in [("u4", "e4"), ("u5", "e5"), ("u5", "e6"), ("u2", "e7")] {
        let upvote = json!({"type": "question.upvote", "question_id": "q2", "idempotency_key": format!("up:q2:{id}")});
        assert!(
            send(&hub, viewer, id, upvote).is_none(),
            "an upvote is not acknowledged"
        );
    }
    hub.post("r", json!({"type": "question.mark", "widget_id": "qa", "question_id": "q1", "state": "answering"})).unwrap();
    let queue_of = |hub: &Hub| -> Vec<(String, u64, String)> {
        let mut rx = hub.fanout.subscribe("r");
        hub.books()
            .dirty_questions
            .insert(("r".into(), "qa".into()));
        flush_tallies(hub);
        loop {
            let v: Value = serde_json::from_str(&rx.try_recv().unwrap().text).unwrap();
            if v["type"] == "question.queue" {
                return v["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|i| {
                        (
                            i["question_id"].as_str().unwrap().to_owned(),
                            i["votes"].as_u64().unwrap(),
                            i["state"].as_str().unwrap().to_owned(),
                        )
                    })
                    .collect();
            }
        }
    };
    let before = queue_of(&hub);
    assert_eq!(
        before,
        [
            ("q1".into(), 2, "answering".into()),
            ("q2".into(), 3, "queued".into())
        ]
    );
    drop(send);
    drop(hub);
    let hub = self::hub(&dir);
    assert_eq!(queue_of(&hub), before, "the queue comes back from SQLite");
}

#[test]
fn tasks_count_a_viewers_events_and_reward_a_done_task_once() {
    let dir = temp("tasks");
    let hub = hub(&dir);
    hub.post("r", json!({"type": "likes.open", "widget_id": "l"}))
        .unwrap();
    hub.post(
        "r",
        json!({"type": "tasks.open", "widget_id": "t", "tasks": [
        {"task_id": "like", "kind": "like", "target": 20, "reward": "5 积分"},
        {"task_id": "share", "kind": "share", "target": 1, "reward": "券"}]}),
    )
    .unwrap();
    let mut rx = hub.fanout.subscribe("r");
    let mut send = |hub: &Hub, id: &str, widget: &str, body: Value| -> Vec<Value> {
        let e = ev("r", widget, "u1", id, body);
        hub.store
            .insert_events(std::slice::from_ref(&e), now_ms())
            .unwrap();
        on_event(hub, &e);
        std::iter::from_fn(|| rx.try_recv().ok())
            .map(|m| serde_json::from_str(&m.text).unwrap())
            .collect()
    };
    let out = send(
        &hub,
        "e1",
        "l",
        json!({"type": "like.sent", "count": 12, "batch": 1}),
    );
    let progress = out
        .iter()
        .find(|v| v["type"] == "tasks.progress")
        .expect("progress pushed");
    assert_eq!(progress["progress"], json!({"like": 12, "share": 0}));
    let out = send(
        &hub,
        "e2",
        "t",
        json!({"type": "task.claim", "request_id": "r:t:u1:task:like:1", "task_id": "like"}),
    );
    assert_eq!(out[0]["outcome"], "not_done");
    // A script's huge batch counts 150 at most; twelve plus ten is enough.
    send(
        &hub,
        "e3",
        "l",
        json!({"type": "like.sent", "count": 10, "batch": 2}),
    );
    let out = send(
        &hub,
        "e4",
        "t",
        json!({"type": "task.claim", "request_id": "r:t:u1:task:like:2", "task_id": "like"}),
    );
    assert_eq!(out[0]["outcome"], "success");
    assert!(out[0]["reward_ref"].as_str().unwrap().starts_with("RWD-"));
    let out = send(
        &hub,
        "e5",
        "t",
        json!({"type": "task.claim", "request_id": "r:t:u1:task:like:3", "task_id": "like"}),
    );
    assert_eq!(out[0]["outcome"], "claimed", "rewarded once");
    let out = send(
        &hub,
        "e6",
        "t",
        json!({"type": "task.shared", "channel": "wechat_group"}),
    );
    assert_eq!(
        out.iter().find(|v| v["type"] == "tasks.progress").unwrap()["progress"]["share"],
        1
    );
    let likes = hub.store.task_counts("r", "u1").unwrap().likes;
    assert_eq!(likes, 22);
    send(
        &hub,
        "e7",
        "l",
        json!({"type": "like.sent", "count": 1_000_000, "batch": 3}),
    );
    assert_eq!(hub.store.task_counts("r", "u1").unwrap().likes, 22 + 150);
}

#[test]
fn a_like_to_enter_lucky_bag_takes_a_viewer_once_they_liked() {
    let dir = temp("likebag");
    let hub = hub(&dir);
    hub.post("r", json!({"type": "likes.open", "widget_id": "l"}))
        .unwrap();
    hub.post(
        "r",
        json!({"type": "lottery.open", "widget_id": "bag", "prize": {"name": "福袋", "count": 1},
        "condition": "like", "draw_at": now_ms() + 60_000}),
    )
    .unwrap();
    let mut rx = hub.fanout.subscribe("r");
    let mut enter = |n: u32| -> Value {
        let id = format!("r:bag:u1:enter:{n}");
        let e = ev(
            "r",
            "bag",
            "u1",
            &id,
            json!({"type": "lottery.enter", "request_id": id, "condition": "like"}),
        );
        hub.store
            .insert_events(std::slice::from_ref(&e), now_ms())
            .unwrap();
        on_event(&hub, &e);
        serde_json::from_str(&rx.try_recv().unwrap().text).unwrap()
    };
    assert_eq!(enter(1)["outcome"], "not_eligible");
    let like = ev(
        "r",
        "l",
        "u1",
        "like-1",
        json!({"type": "like.sent", "count": 3, "batch": 1}),
    );
    hub.store
        .insert_events(std::slice::from_ref(&like), now_ms())
        .unwrap();
    assert_eq!(enter(2)["outcome"], "entered");
}

#[test]
fn quiz_answers_are_checked_scored_on_reveal_and_eliminate() {
    let dir = temp("quiz");
    let hub = hub(&dir);
    hub.post(
        "r",
        json!({"type": "quiz.open", "widget_id": "q", "mode": "elimination"}),
    )
    .unwrap();
    let ask = |id: &str, closes_in: i64| {
        hub.post("r", json!({"type": "quiz.question", "widget_id": "q", "question_id": id, "text": "?",
            "options": [{"id": "a", "label": "A"}, {"id": "b", "label": "B"}], "closes_at": (now_ms() as i64 + closes_in) as u64}))
            .unwrap();
    };
    let answer = |actor: &str, q: &str, opt: &str, id: &str| {
        let e = ev(
            "r",
            "q",
            actor,
            id,
            json!({"type": "quiz.answer", "question_id": q, "option_id": opt, "time_to_answer_ms": 1_000, "idempotency_key": format!("{q}:{opt}")}),
        );
        hub.store
            .insert_events(std::slice::from_ref(&e), now_ms())
            .unwrap();
        on_event(&hub, &e);
    };
    ask("q1", 60_000);
    answer("u1", "q1", "a", "e1");
    answer("u2", "q1", "b", "e2");
    answer("u1", "q1", "b", "e3"); // a second answer
    let mut rx = hub.fanout.subscribe("r");
    hub.post(
        "r",
        json!({"type": "quiz.reveal", "widget_id": "q", "question_id": "q1", "correct": ["a"]}),
    )
    .unwrap();
    let mut standings = HashMap::new();
    let mut board = Value::Null;
    while let Ok(m) = rx.try_recv() {
        let v: Value = serde_json::from_str(&m.text).unwrap();
        if v["type"] == "quiz.standing" {
            assert_eq!(
                m.to.as_deref(),
                v["user_id"].as_str(),
                "a standing goes to its viewer only"
            );
            assert!(v.get("seq").is_none(), "outside the room's sequence");
        }
        match v["type"].as_str() {
            Some("quiz.standing") => {
                standings.insert(v["user_id"].as_str().unwrap().to_owned(), v.clone());
            }
            Some("quiz.leaderboard") => board = v,
            _ => {}
        }
    }
    assert_eq!(standings["u1"]["score"], 10);
    assert_eq!(standings["u1"]["rank"], 1);
    assert_eq!(standings["u2"]["eliminated"], true);
    // Masked: viewer ids are not published to the room.
    assert_eq!(board["top"][0]["name"], "***u1");
    // The eliminated viewer's answers no longer count; a late answer is refused too.
    ask("q2", -1);
    answer("u2", "q2", "a", "e4");
    answer("u1", "q2", "a", "e5");
    let codes: Vec<String> = hub
        .store
        .rejections(Some("r"), 10)
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), 3, "{codes:?}");
    assert!(
        codes
            .iter()
            .all(|c| c == "not_open" || c == "already_voted"),
        "{codes:?}"
    );

    // u3 first plays at the third question. After a restart the books come back as they
    // were: u3 is not scored on questions before they played, u2 stays eliminated.
    ask("q3", 60_000);
    answer("u3", "q3", "a", "e6");
    answer("u1", "q3", "b", "e7");
    hub.post(
        "r",
        json!({"type": "quiz.reveal", "widget_id": "q", "question_id": "q3", "correct": ["a"]}),
    )
    .unwrap();
    let standings_of = |hub: &Hub| -> std::collections::BTreeMap<String, (u64, u32, bool)> {
        hub.store
            .standings("r", "q")
            .unwrap()
            .into_iter()
            .map(|(a, s)| (a, (s.score, s.streak, s.eliminated)))
            .collect()
    };
    let before = standings_of(&hub);
    assert_eq!(before["u1"], (10, 0, true));
    assert_eq!(before["u2"], (0, 0, true));
    assert_eq!(before["u3"], (10, 1, false));
    drop(hub);
    let hub = self::hub(&dir);
    assert_eq!(standings_of(&hub), before);
    // A reveal replayed on start is not scored a second time when the host sends it again.
    hub.post(
        "r",
        json!({"type": "quiz.reveal", "widget_id": "q", "question_id": "q3", "correct": ["a"]}),
    )
    .ok();
    assert_eq!(standings_of(&hub), before);
}

/// Activity counts each viewer's events of the asked types since a time, most first, ties
/// to whoever started first; other rooms, other types and older events are not counted.
#[test]
fn activity_ranks_viewers_by_their_events_since_a_time() {
    let hub = hub(&temp("activity"));
    let store = &hub.store;
    let ev = |id: &str, room: &str, user: &str, kind: &str| json!({"event_id": id, "room_id": room, "widget_id": "w", "user_id": user, "type": kind, "at": 1});
    store
        .insert_events(&[ev("e1", "r", "old", "poll.vote")], 100)
        .unwrap();
    store
        .insert_events(
            &[
                ev("e3", "r", "a", "like.sent"),
                ev("e4", "r", "a", "poll.vote"),
                ev("e5", "r", "c", "widget.shown"),
                ev("e6", "other", "d", "poll.vote"),
            ],
            2_000,
        )
        .unwrap();
    store
        .insert_events(
            &[
                ev("e2", "r", "b", "poll.vote"),
                ev("e7", "r", "b", "quiz.answer"),
            ],
            3_000,
        )
        .unwrap();
    let got = store
        .activity("r", 1_000, &["poll.vote", "like.sent", "quiz.answer"])
        .unwrap();
    let got: Vec<(&str, u64)> = got.iter().map(|a| (a.actor.as_str(), a.count)).collect();
    assert_eq!(got, vec![("a", 2), ("b", 2)]);
}

#[test]
fn an_event_the_core_cannot_read_is_refused_with_the_reason_and_decides_nothing() {
    let dir = temp("unreadable");
    let hub = hub(&dir);
    open_poll(&hub);
    // A vote whose options are not a list: refused as the core reads it, not counted.
    let bad = ev(
        "r",
        "p",
        "u1",
        "bad-1",
        json!({"type": "poll.vote", "option_ids": "a", "idempotency_key": "k", "revote": false}),
    );
    on_event(&hub, &bad);
    let rejected = hub.store.rejections(Some("r"), 10).unwrap();
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0]["code"], "invalid_field");
    assert!(rejected[0]["reason"]
        .as_str()
        .unwrap()
        .starts_with("a poll.vote event that cannot be read"));
    assert!(
        hub.store.tally("r", "p").unwrap().is_empty(),
        "nothing was counted"
    );
    // A type this build does not know is not the server's to decide: no refusal either.
    on_event(
        &hub,
        &ev(
            "r",
            "p",
            "u1",
            "x-1",
            json!({"type": "partner.custom", "x": 1}),
        ),
    );
    assert_eq!(hub.store.rejections(Some("r"), 10).unwrap().len(), 1);
}

#[test]
fn stored_events_are_read_by_family_and_the_newest_last() {
    let dir = temp("reads");
    let hub = hub(&dir);
    let types = [
        "widget.shown",
        "poll.vote",
        "widget.hidden",
        "flash.grab",
        "widget.shown",
    ];
    let events: Vec<Value> = types
        .iter()
        .enumerate()
        .map(|(i, t)| ev("r", "w", "u1", &format!("e{i}"), json!({"type": t})))
        .collect();
    // One at a time, so the order they were received in is theirs.
    for (i, e) in events.iter().enumerate() {
        hub.store
            .insert_events(std::slice::from_ref(e), 1_000 + i as u64)
            .unwrap();
    }
    let ids = |list: Vec<Value>| -> Vec<String> {
        list.iter()
            .map(|e| e["event_id"].as_str().unwrap().to_owned())
            .collect()
    };
    let family = hub
        .store
        .events(Some("r"), Some("widget."), 100, false)
        .unwrap();
    assert_eq!(ids(family), ["e0", "e2", "e4"]);
    // `_` in a family is a character, not LIKE's any-character.
    assert!(hub
        .store
        .events(Some("r"), Some("wid_et."), 100, false)
        .unwrap()
        .is_empty());
    let exact = hub
        .store
        .events(Some("r"), Some("poll.vote"), 100, false)
        .unwrap();
    assert_eq!(ids(exact), ["e1"]);
    // The newest two, oldest first; the first two.
    assert_eq!(
        ids(hub.store.events(Some("r"), None, 2, true).unwrap()),
        ["e3", "e4"]
    );
    assert_eq!(
        ids(hub.store.events(Some("r"), None, 2, false).unwrap()),
        ["e0", "e1"]
    );
    assert!(hub
        .store
        .events(Some("other"), None, 10, true)
        .unwrap()
        .is_empty());
}
