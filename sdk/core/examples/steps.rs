//! Native throughput of the core: state-machine steps per second (what a backend replaying
//! clients can do on one core), and outbox pushes per second. Prints `name value` lines.
use hudong_core::delivery::{Consent, DeliveryConfig, Outbox, Outcome, QueuedEvent};
use hudong_core::*;
use std::collections::BTreeMap;
use std::time::Instant;

fn main() {
    let n_rooms = 2_000u64;
    let start = Instant::now();
    let mut steps = 0u64;
    for r in 0..n_rooms {
        let mut room = Room::new(
            RoomConfig::new(format!("room-{r}"), "s")
                .with_user("u")
                .with_seed(r),
        );
        let spec = PollSpec {
            widget_id: "p".into(),
            question: "Which one?".into(),
            options: (0..4)
                .map(|i| PollOptionSpec {
                    id: format!("o{i}"),
                    label: format!("Option {i}"),
                    image: None,
                })
                .collect(),
            max_choices: 1,
            revote: true,
            closes_at: Some(1_000_000),
        };
        room.apply(&Command::PollOpen(spec), 0).unwrap();
        steps += 1;
        for i in 0..200u64 {
            let counts: BTreeMap<String, u64> =
                (0..4).map(|o| (format!("o{o}"), i * (o + 1))).collect();
            room.apply(
                &Command::PollTally(PollTally {
                    widget_id: "p".into(),
                    counts,
                    reset: false,
                }),
                i,
            )
            .unwrap();
            let _ = room.act(
                &Action::PollVote {
                    widget_id: "p".into(),
                    option_ids: vec![format!("o{}", i % 4)],
                },
                i,
            );
            room.tick(i);
            steps += 3;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!("core_steps_per_sec {:.0}", steps as f64 / secs);

    // Point-redeem: a backend replaying viewers' sessions (points, request, result, stock).
    let start = Instant::now();
    let mut steps = 0u64;
    for r in 0..n_rooms {
        let mut room = Room::new(
            RoomConfig::new(format!("room-{r}"), "s")
                .with_user("u")
                .with_seed(r),
        );
        let spec = RedeemSpec {
            widget_id: "shop".into(),
            title: None,
            tiers: vec![],
            items: (0..6)
                .map(|i| RedeemItem {
                    item_id: format!("i{i}"),
                    name: format!("Item {i}"),
                    image: None,
                    cost: 10,
                    stock: 1_000_000,
                    per_viewer_limit: 1_000,
                    tier: None,
                })
                .collect(),
        };
        room.apply(&Command::RedeemOpen(spec), 0).unwrap();
        room.apply(
            &Command::RedeemAccount(RedeemAccount {
                widget_id: "shop".into(),
                user_id: None,
                balance: 0,
                tier: None,
                history: vec![],
            }),
            0,
        )
        .unwrap();
        steps += 2;
        for i in 0..100u64 {
            let gain = RedeemPoints {
                widget_id: "shop".into(),
                user_id: None,
                gain_id: format!("g{i}"),
                delta: 10,
                reason: "watched".into(),
            };
            room.apply(&Command::RedeemPoints(gain), i).unwrap();
            let fx = room
                .act(
                    &Action::RedeemRequest {
                        widget_id: "shop".into(),
                        item_id: format!("i{}", i % 6),
                    },
                    i,
                )
                .unwrap();
            let request_id = match &fx.events[0].event {
                Event::RedeemRequest { request_id, .. } => request_id.clone(),
                _ => unreachable!(),
            };
            let result = RedeemResult {
                widget_id: "shop".into(),
                request_id,
                outcome: RedeemOutcome::Success,
                voucher_ref: Some(format!("V{i}")),
                balance: None,
            };
            room.apply(&Command::RedeemResult(result), i).unwrap();
            steps += 3;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!("redeem_steps_per_sec {:.0}", steps as f64 / secs);

    let mut outbox = Outbox::new(
        DeliveryConfig {
            max_queue_events: 100_000,
            max_queue_bytes: usize::MAX,
            ..Default::default()
        },
        Consent::Granted,
        1,
    );
    let body =
        r#"{"v":1,"type":"poll.vote","event_id":"0190f0a0-0000-7000-8000-000000000000","seq":1}"#
            .to_string();
    let n = 1_000_000u64;
    let start = Instant::now();
    for i in 0..n {
        outbox.push(QueuedEvent {
            id: i.to_string(),
            body: body.clone(),
            at: i,
        });
        if let Some(b) = outbox.next_batch(i) {
            outbox.settle(b.id, Outcome::Delivered, i);
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!("outbox_events_per_sec {:.0}", n as f64 / secs);
}
