//! The glue in real headless Chromium: JS ↔ Rust round trips of everything that is saved,
//! localStorage, and header parsing.
#![cfg(target_arch = "wasm32")]
use hudong_core::delivery::{Consent, DeliveryConfig, Outbox, Outcome, QueuedEvent};
use hudong_core::{Action, Command, PollOptionSpec, PollSpec, Room, RoomConfig};
use hudong_web::storage::Store;
use hudong_web::transport::parse_retry_after;
use hudong_web::{from_json, to_json};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn a_saved_outbox_reads_back_identical() {
    // The generator state is a full u64, beyond what a JS number holds: it must survive.
    let mut o = Outbox::new(
        DeliveryConfig::default(),
        Consent::Granted,
        u64::MAX - 12345,
    );
    for i in 0..30 {
        o.push(QueuedEvent {
            id: format!("e{i}"),
            body: format!("{{\"n\":{i},\"s\":\"引号\\\"\"}}"),
            at: 1_795_373_881_110 + i,
        });
    }
    o.flush();
    let b = o.next_batch(1_795_373_881_200).unwrap();
    o.settle(b.id, Outcome::Unreachable, 1_795_373_881_300); // advances the generator
    let text = to_json(&o).expect("serializable for JS");
    let back: Outbox = from_json(&text).expect("readable");
    assert_eq!(back.stats().queued, 30);
    assert_eq!(
        back.queued().collect::<Vec<_>>(),
        o.queued().collect::<Vec<_>>()
    );
    assert_eq!(to_json(&back).unwrap(), text);
}

#[wasm_bindgen_test]
fn a_room_snapshot_reads_back_identical() {
    let mut room = Room::new(RoomConfig::new("r", "s").with_user("u").with_seed(1 << 60));
    let spec = PollSpec {
        widget_id: "p".into(),
        question: "Which?".into(),
        options: vec![
            PollOptionSpec {
                id: "a".into(),
                label: "A".into(),
                image: None,
            },
            PollOptionSpec {
                id: "b".into(),
                label: "B".into(),
                image: Some("https://cdn.example.com/b.png".into()),
            },
        ],
        max_choices: 1,
        revote: false,
        closes_at: Some(1_795_373_999_000),
    };
    room.apply(&Command::PollOpen(spec), 1_795_373_881_110)
        .unwrap();
    room.act(
        &Action::PollVote {
            widget_id: "p".into(),
            option_ids: vec!["b".into()],
        },
        1_795_373_881_200,
    )
    .unwrap();
    let back: Room = from_json(&to_json(&room).unwrap()).unwrap();
    assert_eq!(back, room);
}

#[wasm_bindgen_test]
fn local_storage_store() {
    let s = Store::local();
    assert!(s.available());
    s.set("hudong:test:a", "1").unwrap();
    s.set("hudong:test:b", "2").unwrap();
    s.set("other", "3").unwrap();
    let mut keys = s.keys_with_prefix("hudong:test:");
    keys.sort();
    assert_eq!(keys, vec!["hudong:test:a", "hudong:test:b"]);
    assert_eq!(s.get("hudong:test:b").as_deref(), Some("2"));
    s.remove("hudong:test:a");
    assert_eq!(s.get("hudong:test:a"), None);
    let none = Store::unavailable();
    assert!(none.set("k", "v").is_err());
    assert_eq!(none.get("k"), None);
}

#[wasm_bindgen_test]
fn quota_errors_are_values() {
    let s = Store::local();
    let huge = "x".repeat(6 * 1024 * 1024); // beyond the 5 MB an origin gets
    let err = s.set("hudong:test:huge", &huge).unwrap_err();
    assert!(err.contains("Quota"), "{err}");
}

#[wasm_bindgen_test]
fn retry_after_parsing() {
    assert_eq!(parse_retry_after("120", 0.0), Some(120_000));
    assert_eq!(parse_retry_after(" 0 ", 0.0), Some(0));
    let now = js_sys::Date::parse("Wed, 21 Oct 2026 07:28:00 GMT");
    assert_eq!(
        parse_retry_after("Wed, 21 Oct 2026 07:28:30 GMT", now),
        Some(30_000)
    );
    assert_eq!(
        parse_retry_after("Wed, 21 Oct 2026 07:27:00 GMT", now),
        Some(0)
    );
    assert_eq!(parse_retry_after("soon", now), None);
}
