//! Property tests: random streams of commands, votes and ticks against the poll's invariants.
mod common;
use hudong_core::*;
use proptest::prelude::*;
use std::collections::BTreeMap;

const IDS: [&str; 4] = ["a", "b", "c", "d"];

#[derive(Debug, Clone)]
enum Step {
    Tally(Vec<(usize, u64)>, bool),
    Close,
    Reveal(Option<Vec<(usize, u64)>>),
    Vote(Vec<usize>),
    Tick,
    Garbage(usize),
}

fn step() -> impl Strategy<Value = Step> {
    let counts = prop::collection::vec((0..5usize, 0..1_000u64), 0..4);
    prop_oneof![
        4 => (counts.clone(), prop::bool::weighted(0.1)).prop_map(|(c, r)| Step::Tally(c, r)),
        1 => Just(Step::Close),
        1 => prop::option::of(counts).prop_map(Step::Reveal),
        5 => prop::collection::vec(0..5usize, 0..4).prop_map(Step::Vote),
        2 => Just(Step::Tick),
        1 => (0..GARBAGE.len()).prop_map(Step::Garbage),
    ]
}

/// Inputs a hostile or buggy backend could send.
const GARBAGE: &[&str] = &[
    "{",
    "null",
    r#"{"type":"poll.tally","widget_id":"p","counts":{"a":"x"}}"#,
    r#"{"type":"poll.tally","widget_id":"p","counts":{"zz":1}}"#,
    r#"{"type":"poll.close"}"#,
    r#"{"type":"poll.open","widget_id":"p","question":"changed?","options":[{"id":"a","label":"A"},{"id":"b","label":"B"}]}"#,
    r#"{"type":"poll.reveal","widget_id":"nope"}"#,
    r#"{"type":"<script>","widget_id":"p"}"#,
];

fn counts_map(c: &[(usize, u64)], n: usize) -> BTreeMap<String, u64> {
    // Index n stands for an option the poll does not have.
    c.iter()
        .map(|&(i, v)| {
            (
                if i < n {
                    IDS[i].to_string()
                } else {
                    "zz".into()
                },
                v,
            )
        })
        .collect()
}

fn spec(n: usize, max_choices: u32, revote: bool, closes_at: Option<u64>) -> PollSpec {
    PollSpec {
        widget_id: "p".into(),
        question: "Which?".into(),
        options: (0..n)
            .map(|i| PollOptionSpec {
                id: IDS[i].into(),
                label: IDS[i].to_uppercase(),
                image: None,
            })
            .collect(),
        max_choices,
        revote,
        closes_at,
    }
}

fn the_poll(r: &Room) -> Poll {
    widget!(r, "p", Poll)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn poll_invariants(
        n in 2..=4usize,
        max_choices_seed in 1..=4u32,
        revote in any::<bool>(),
        closes_at in prop::option::of(0..200u64),
        steps in prop::collection::vec((step(), 0..20u64), 1..60),
    ) {
        let max_choices = max_choices_seed.min(n as u32);
        let mut room = Room::new(RoomConfig::new("r", "s").with_seed(1));
        room.apply(&Command::PollOpen(spec(n, max_choices, revote, closes_at)), 0).unwrap();
        let mut now = 0u64;
        let mut accepted_votes = 0u32;
        let mut vote_events = 0u32;
        let mut seq = room.seq();
        let mut closed_at_some_point = the_poll(&room).phase() != PollPhase::Open;

        for (s, dt) in steps {
            now += dt;
            let before = room.clone();
            let prev = the_poll(&room);
            let result = match &s {
                Step::Tally(c, reset) => room.apply(&Command::PollTally(PollTally {
                    widget_id: "p".into(), counts: counts_map(c, n), reset: *reset }), now),
                Step::Close => room.apply(&Command::PollClose(Target { widget_id: "p".into() }), now),
                Step::Reveal(c) => room.apply(&Command::PollReveal(PollReveal {
                    widget_id: "p".into(), counts: c.as_ref().map(|c| counts_map(c, n)) }), now),
                Step::Vote(ids) => room.act(&Action::PollVote {
                    widget_id: "p".into(),
                    option_ids: ids.iter().map(|&i| if i < n { IDS[i].to_string() } else { "zz".into() }).collect(),
                }, now),
                Step::Tick => Ok(room.tick(now)),
                Step::Garbage(i) => decode_command_json(GARBAGE[*i]).and_then(|c| room.apply(&c, now)),
            };
            let p = the_poll(&room);
            match result {
                Err(e) => {
                    // Rejected: typed, explained, and nothing changed.
                    prop_assert!(!e.message.is_empty());
                    prop_assert_eq!(&room, &before);
                }
                Ok(fx) => {
                    // Sequence numbers count up by one per event.
                    for ev in &fx.events {
                        seq += 1;
                        prop_assert_eq!(ev.seq, seq);
                    }
                    let votes: Vec<_> = fx.events.iter().filter(|e| matches!(e.event, Event::PollVote { .. })).collect();
                    vote_events += votes.len() as u32;
                    if let Step::Vote(_) = s {
                        if p.votes_cast() > prev.votes_cast() {
                            accepted_votes += 1;
                            // One event per accepted vote, never after close.
                            prop_assert_eq!(votes.len(), 1);
                            prop_assert_eq!(prev.phase(), PollPhase::Open);
                            prop_assert!(!closed_at_some_point);
                            prop_assert!(closes_at.is_none_or(|t| now < t));
                            prop_assert!(revote || !prev.has_voted(), "second vote without revote");
                            prop_assert!(p.my_choice().len() as u32 <= max_choices);
                            // A first vote counts at once for each option picked.
                            if !prev.has_voted() {
                                for &i in p.my_choice() {
                                    prop_assert_eq!(p.counts()[i], prev.counts()[i] + 1);
                                }
                            }
                        } else {
                            prop_assert!(votes.is_empty());
                        }
                    } else {
                        prop_assert!(votes.is_empty());
                    }
                    // Tallies only go down on a server reset.
                    let reset = matches!(s, Step::Tally(_, true));
                    if !reset {
                        for (a, b) in prev.counts().iter().zip(p.counts()) {
                            prop_assert!(b >= a, "count went down without reset");
                        }
                    }
                    prop_assert_eq!(fx.wake_at, room.next_wake(now));
                }
            }
            if p.phase() != PollPhase::Open { closed_at_some_point = true; }
            // Once closed, never open again.
            if prev.phase() != PollPhase::Open { prop_assert!(p.phase() != PollPhase::Open); }
            if prev.phase() == PollPhase::Revealed { prop_assert_eq!(p.phase(), PollPhase::Revealed); }
            // Percentages always sum to 100 (or 0 with no votes).
            let sum: u32 = p.percentages().iter().map(|&x| x as u32).sum();
            prop_assert!(sum == 100 || (sum == 0 && p.total() == 0));
        }
        prop_assert_eq!(accepted_votes, vote_events);
        prop_assert_eq!(the_poll(&room).votes_cast(), accepted_votes);
        if !revote { prop_assert!(accepted_votes <= 1); }
    }

    #[test]
    fn decoding_arbitrary_json_never_panics(text in "\\PC{0,200}") {
        let _ = decode_command_json(&text);
    }

    #[test]
    fn decoding_arbitrary_objects_is_typed(kind in "[a-z.]{0,12}", widget in "\\PC{0,20}", n in any::<i64>()) {
        let v = serde_json::json!({"type": kind, "widget_id": widget, "counts": {"a": n}, "question": widget});
        if let Err(e) = decode_command_json(&v.to_string()) {
            prop_assert!(!e.message.is_empty());
        }
    }
}
