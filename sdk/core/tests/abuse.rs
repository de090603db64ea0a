//! Double taps, click storms and scripted rapid actions: however many times a viewer (or a
//! script calling the API) repeats a reward action, one request goes out until the server
//! answers it, and the taps that are not rewards are held to their rates.
use hudong_core::{decode_command_json, Action, Room, RoomConfig};
use serde_json::{json, Value};

const T0: u64 = 1_795_429_500_000;

fn room() -> Room {
    let corpus: Value = serde_json::from_str(include_str!("fuzz_corpus.json")).unwrap();
    let mut room = Room::new(RoomConfig::new("a11y", "s1").with_user("u-1").with_seed(7));
    for c in corpus["commands"].as_array().unwrap() {
        if c["type"] == "poll.tally" {
            break;
        }
        room.apply(&decode_command_json(&c.to_string()).unwrap(), T0)
            .unwrap();
    }
    // Conditions met, so the requests are allowed at all.
    for c in [
        json!({"type": "lottery.open", "widget_id": "bag2", "prize": {"name": "Gloss", "count": 1}, "draw_at": T0 + 60_000}),
        json!({"type": "flash.open", "widget_id": "live", "product": {"name": "Tint", "price": 8900}, "stock_total": 10, "starts_at": T0 - 1_000, "ends_at": T0 + 60_000}),
        json!({"type": "tasks.progress", "widget_id": "tasks", "user_id": "u-1", "progress": {"w": 5}}),
    ] {
        room.apply(&decode_command_json(&c.to_string()).unwrap(), T0)
            .unwrap();
    }
    room
}

fn storm(room: &mut Room, action: Value, times: u64, spacing_ms: u64) -> Vec<String> {
    let action: Action = serde_json::from_value(action).unwrap();
    let mut types = Vec::new();
    for i in 0..times {
        if let Ok(fx) = room.act(&action, T0 + i * spacing_ms) {
            types.extend(fx.events.iter().map(|e| e.event.type_name().to_owned()));
        }
    }
    types
}

#[test]
fn a_storm_of_reward_taps_sends_one_request() {
    let cases = [
        (
            json!({"type": "flash.grab", "widget_id": "live"}),
            "flash.grab",
        ),
        (
            json!({"type": "lottery.enter", "widget_id": "bag2"}),
            "lottery.enter",
        ),
        (
            json!({"type": "coupon.claim", "widget_id": "cp"}),
            "coupon.claim",
        ),
        (
            json!({"type": "redeem.request", "widget_id": "shop", "item_id": "c"}),
            "redeem.request",
        ),
        (
            json!({"type": "task.claim", "widget_id": "tasks", "task_id": "w"}),
            "task.claim",
        ),
    ];
    for (action, request) in cases {
        // 1,000 taps, 1 ms apart (a script), and 50 taps 30 ms apart (a frantic thumb).
        for (times, spacing) in [(1_000, 1), (50, 30)] {
            let mut r = room();
            let sent = storm(&mut r, action.clone(), times, spacing);
            let n = sent.iter().filter(|t| *t == request).count();
            assert_eq!(n, 1, "{request}: {times} taps sent {n} requests ({sent:?})");
        }
    }
}

#[test]
fn a_storm_of_lead_confirms_sends_one_request() {
    let mut r = room();
    storm(
        &mut r,
        json!({"type": "lead.consent", "widget_id": "lead", "given": true}),
        1,
        1,
    );
    let sent = storm(
        &mut r,
        json!({"type": "lead.confirm", "widget_id": "lead"}),
        500,
        2,
    );
    assert_eq!(sent.iter().filter(|t| *t == "lead.confirm").count(), 1);
}

#[test]
fn votes_buys_and_questions_are_held_to_their_rates() {
    // A single-choice poll without revotes: one vote.
    let mut r = room();
    let sent = storm(
        &mut r,
        json!({"type": "poll.vote", "widget_id": "poll", "option_ids": ["a"]}),
        200,
        5,
    );
    assert_eq!(sent.iter().filter(|t| *t == "poll.vote").count(), 1);
    // Double taps on "buy" open the checkout once.
    let sent = storm(
        &mut r,
        json!({"type": "product.buy", "widget_id": "shelf", "sku": "P1"}),
        100,
        10,
    );
    assert_eq!(
        sent.iter().filter(|t| *t == "product.buy").count(),
        1,
        "{sent:?}"
    );
    // A question storm: one question per cooldown.
    let sent = storm(
        &mut r,
        json!({"type": "question.ask", "widget_id": "ask", "text": "Does it smudge?"}),
        100,
        10,
    );
    assert_eq!(
        sent.iter().filter(|t| *t == "question.ask").count(),
        1,
        "{sent:?}"
    );
    // Likes: counted up to 15 a second, sent coalesced.
    let sent = storm(
        &mut r,
        json!({"type": "like.tap", "widget_id": "likes"}),
        1_000,
        1,
    );
    assert!(
        sent.iter().filter(|t| *t == "like.sent").count() <= 1,
        "{sent:?}"
    );
    let likes = r.widgets().iter().find(|w| w.id() == "likes").unwrap();
    let state = serde_json::to_value(likes).unwrap();
    assert!(state["mine"].as_u64().unwrap() <= 15, "{state}");
}
