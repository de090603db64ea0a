//! Shuffled, duplicated and lossy command streams with snapshots end in the same room as
//! the clean stream.
use hudong_core::channel::*;
use hudong_core::*;
use proptest::prelude::*;
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone)]
enum Op {
    Open(usize),
    Tally(usize, Vec<u64>),
    Close(usize),
    Reveal(usize, Option<Vec<u64>>),
    Remove(usize),
}

fn op() -> impl Strategy<Value = Op> {
    let counts = prop::collection::vec(0..500u64, 3);
    prop_oneof![
        2 => (0..3usize).prop_map(Op::Open),
        5 => (0..3usize, counts.clone()).prop_map(|(k, c)| Op::Tally(k, c)),
        1 => (0..3usize).prop_map(Op::Close),
        1 => (0..3usize, prop::option::of(counts)).prop_map(|(k, c)| Op::Reveal(k, c)),
        1 => (0..3usize).prop_map(Op::Remove),
    ]
}

/// A one-choice poll whose options are labelled with their ids in capitals.
fn poll_open(id: &str, question: &str, options: &[&str]) -> Command {
    Command::PollOpen(PollSpec {
        widget_id: id.to_string(),
        question: question.to_string(),
        options: options
            .iter()
            .map(|i| PollOptionSpec {
                id: i.to_string(),
                label: i.to_uppercase(),
                image: None,
            })
            .collect(),
        max_choices: 1,
        revote: false,
        closes_at: None,
    })
}

/// Turns random ops into a valid command stream (as a host's backend would send).
fn script(ops: &[Op]) -> Vec<Command> {
    let mut live: [Option<String>; 3] = [None, None, None];
    let mut gen = 0;
    let ids = ["a", "b", "c"];
    let counts = |c: &[u64]| -> BTreeMap<String, u64> {
        ids.iter()
            .zip(c)
            .map(|(i, &n)| (i.to_string(), n))
            .collect()
    };
    let mut out = Vec::new();
    for op in ops {
        match op {
            Op::Open(k) if live[*k].is_none() => {
                gen += 1;
                let id = format!("p{k}-{gen}");
                out.push(poll_open(&id, &format!("Question {gen}?"), &ids));
                live[*k] = Some(id);
            }
            Op::Tally(k, c) => {
                if let Some(id) = &live[*k] {
                    out.push(Command::PollTally(PollTally {
                        widget_id: id.clone(),
                        counts: counts(c),
                        reset: false,
                    }));
                }
            }
            Op::Close(k) => {
                if let Some(id) = &live[*k] {
                    out.push(Command::PollClose(Target {
                        widget_id: id.clone(),
                    }));
                }
            }
            Op::Reveal(k, c) => {
                if let Some(id) = &live[*k] {
                    out.push(Command::PollReveal(PollReveal {
                        widget_id: id.clone(),
                        counts: c.as_deref().map(counts),
                    }));
                }
            }
            Op::Remove(k) => {
                if let Some(id) = live[*k].take() {
                    out.push(Command::WidgetRemove(Target { widget_id: id }));
                }
            }
            _ => {}
        }
    }
    out
}

#[derive(Debug, Clone)]
enum Fate {
    Deliver,
    Twice,
    Lose,
}

fn fate() -> impl Strategy<Value = Fate> {
    prop_oneof![8 => Just(Fate::Deliver), 2 => Just(Fate::Twice), 1 => Just(Fate::Lose)]
}

fn room(name: &str) -> Room {
    Room::new(RoomConfig::new("r", name).with_seed(5))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1_000))]

    #[test]
    fn any_delivery_order_ends_in_the_clean_state(
        ops in prop::collection::vec(op(), 1..60),
        fates in prop::collection::vec(fate(), 60),
        swaps in prop::collection::vec((0..60usize, 1..6usize), 0..30),
        late_join in 0..60usize,
        lag in 0..12usize,
    ) {
        let commands = script(&ops);
        prop_assume!(!commands.is_empty());
        // The server: applies the clean stream, keeps a snapshot after every command.
        let mut server = room("server");
        let mut snapshots = vec![server.snapshot()];
        for (i, c) in commands.iter().enumerate() {
            server.apply(c, 1_000 + i as u64).unwrap();
            snapshots.push(server.snapshot());
        }
        let n = commands.len() as u64;
        // What the server sends: the room `lag` commands before `k`, and those commands
        // as the snapshot's tail (as the reference backend does for the last minute).
        let snap_at = |k: usize| -> (Sequenced, Vec<Sequenced>) {
            let base = k.saturating_sub(lag);
            let tail = (base..k)
                .map(|i| Sequenced { seq: i as u64 + 1, pts: None, command: commands[i].clone() })
                .collect::<Vec<_>>();
            check_tail(Some(base as u64), &tail).unwrap();
            (Sequenced { seq: base as u64, pts: None, command: Command::RoomSnapshot(snapshots[base].clone()) }, tail)
        };

        // The wire: a late join (the client sees only what follows), loss, duplicates, reordering.
        let start = late_join.min(commands.len());
        let mut wire: Vec<u64> = Vec::new();
        for seq in (start as u64 + 1)..=n {
            match fates[(seq as usize) % fates.len()] {
                Fate::Deliver => wire.push(seq),
                Fate::Twice => { wire.push(seq); wire.push(seq); }
                Fate::Lose => {}
            }
        }
        for (at, by) in swaps {
            if wire.len() > 1 {
                let i = at % wire.len();
                let j = (i + by).min(wire.len() - 1);
                wire.swap(i, j);
            }
        }

        let mut client = room("client");
        let mut seqr = Sequencer::new(ChannelConfig::default());
        let mut now = 10_000u64;
        let mut sent_max = start as u64; // how far the server has got
        let mut revealed: HashMap<String, u32> = HashMap::new();
        let apply = |client: &mut Room, intake: Intake, revealed: &mut HashMap<String, u32>, now: u64| -> Result<(), TestCaseError> {
            for m in intake.ready {
                let fx = client.apply(&m.command, now);
                prop_assert!(fx.is_ok(), "{:?} refused: {:?}", m.command, fx);
                for e in fx.unwrap().events {
                    if let Event::PollRevealed { .. } = e.event {
                        *revealed.entry(e.widget_id.clone().unwrap()).or_default() += 1;
                    }
                }
            }
            Ok(())
        };
        // Joining: the server sends a snapshot of where it is.
        let (snap, tail) = snap_at(start);
        let join = seqr.receive_with_tail(snap, tail, now);
        apply(&mut client, join, &mut revealed, now)?;
        for seq in wire {
            now += 50;
            sent_max = sent_max.max(seq);
            let intake = seqr.receive(Sequenced { seq, pts: None, command: commands[seq as usize - 1].clone() }, now);
            let need = intake.need_snapshot;
            apply(&mut client, intake, &mut revealed, now)?;
            if need || seqr.tick(now) {
                let (snap, tail) = snap_at(sent_max as usize);
                let intake = seqr.receive_with_tail(snap, tail, now);
                apply(&mut client, intake, &mut revealed, now)?;
            }
        }
        // Quiet: any gap left times out and a snapshot of the end closes it.
        for _ in 0..3 {
            now += 10_000;
            if seqr.tick(now) {
                let (snap, tail) = snap_at(n as usize);
                let intake = seqr.receive_with_tail(snap, tail, now);
                apply(&mut client, intake, &mut revealed, now)?;
            }
        }
        if seqr.next_seq() != Some(n + 1) {
            // Lost at the very end, with no later command to reveal the gap: the source
            // resyncs on reconnect or return from the background.
            prop_assert!(seqr.resync(now));
            let (snap, tail) = snap_at(n as usize);
            let intake = seqr.receive_with_tail(snap, tail, now);
            apply(&mut client, intake, &mut revealed, now)?;
        }
        prop_assert_eq!(client.snapshot(), server.snapshot());
        prop_assert_eq!(seqr.held(), 0);
        // A result is announced once, however it reached the client.
        for (id, times) in revealed {
            prop_assert_eq!(times, 1, "{} revealed {} times", id, times);
        }
        // The same snapshot again, or after the commands it sums up, changes nothing.
        let before = client.clone();
        let fx = client.apply(&Command::RoomSnapshot(server.snapshot()), now).unwrap();
        prop_assert!(fx.events.is_empty() && !fx.render);
        prop_assert_eq!(&client, &before);
        // Applied directly (as `room.apply` does), an older snapshot and its tail end in the present too.
        let mut direct = room("client");
        let (snap, tail) = snap_at(n as usize);
        direct.apply(&snap.command, now).unwrap();
        for t in tail {
            direct.apply(&t.command, now).unwrap();
        }
        prop_assert_eq!(direct.snapshot(), server.snapshot());
    }
}

#[test]
fn a_gap_is_held_then_filled_in_order() {
    let mut s = Sequencer::starting_at(ChannelConfig::default(), 1);
    let cmd = |i: u64| Sequenced {
        seq: i,
        pts: None,
        command: Command::WidgetRemove(Target {
            widget_id: format!("w{i}"),
        }),
    };
    assert_eq!(s.receive(cmd(1), 0).ready.len(), 1);
    let held = s.receive(cmd(3), 10);
    assert!(held.ready.is_empty() && !held.need_snapshot);
    assert_eq!(s.next_wake(), Some(10 + 2_000));
    let filled = s.receive(cmd(2), 20);
    assert_eq!(
        filled.ready.iter().map(|m| m.seq).collect::<Vec<_>>(),
        vec![2, 3]
    );
    assert!(s.receive(cmd(2), 30).ready.is_empty(), "duplicate");
    assert_eq!(s.next_wake(), None);
    // A gap that stays open asks for a snapshot once, then again if unanswered.
    s.receive(cmd(6), 100);
    assert!(!s.tick(2_099));
    assert!(s.tick(2_100));
    assert!(!s.tick(2_200));
    assert!(s.tick(2_100 + 4_000));
}

#[test]
fn delay_line_holds_until_the_playhead_and_keeps_order() {
    let mut d = DelayLine::new(30_000);
    let cmd = |seq: u64, pts: Option<u64>| Sequenced {
        seq,
        pts,
        command: Command::WidgetRemove(Target {
            widget_id: "w".into(),
        }),
    };
    d.push(cmd(1, Some(5_000)), 0);
    d.push(cmd(2, None), 0); // no position of its own, but it must not overtake 1
    d.push(cmd(3, Some(6_000)), 0);
    assert!(d.release(Some(4_999), 100).is_empty());
    assert_eq!(d.due_in(4_000), Some(1_000));
    assert_eq!(
        d.release(Some(5_000), 200)
            .iter()
            .map(|m| m.seq)
            .collect::<Vec<_>>(),
        vec![1, 2]
    );
    // A stuck player cannot hold it past max_hold.
    assert!(d.release(Some(5_500), 29_999).is_empty());
    assert_eq!(d.release(Some(5_500), 30_000).len(), 1);
    // Without a playhead source, everything goes at once.
    d.push(cmd(4, Some(99_999)), 0);
    assert_eq!(d.release(None, 1).len(), 1);
}

#[test]
fn clock_sync_keeps_the_fastest_round_trip() {
    let mut c = ClockSync::default();
    // The server is 300 s ahead; round trips of 200, 40 and 120 ms, with asymmetric delays.
    c.add(1_000.0, 301_150.0, 1_200.0);
    c.add(2_000.0, 302_025.0, 2_040.0);
    c.add(3_000.0, 303_100.0, 3_120.0);
    let best = c.best().unwrap();
    assert_eq!(best.rtt, 40.0);
    assert!((best.offset - 300_005.0).abs() < 1e-9);
    assert!(
        c.add(5.0, 1.0, 4.0).is_none(),
        "a reply before the request is refused"
    );
    c.clear();
    assert!(c.best().is_none());
}

/// A late joiner behind the room: the snapshot is the room before the poll, its tail the
/// open and the reveal; the delay line shows each when the video reaches it.
#[test]
fn a_late_joiner_sees_the_tail_on_its_video_not_at_once() {
    let open = poll_open("p", "Which?", &["a", "b"]);
    let tally = Command::PollTally(PollTally {
        widget_id: "p".into(),
        counts: [("a".to_string(), 7u64)].into_iter().collect(),
        reset: false,
    });
    let reveal = Command::PollReveal(PollReveal {
        widget_id: "p".into(),
        counts: None,
    });
    let snap = room("server").snapshot();
    let tail = vec![
        Sequenced {
            seq: 4,
            pts: Some(10_000),
            command: open,
        },
        Sequenced {
            seq: 5,
            pts: None,
            command: tally,
        },
        Sequenced {
            seq: 6,
            pts: Some(20_000),
            command: reveal,
        },
    ];
    check_tail(Some(3), &tail).unwrap();
    let mut seqr = Sequencer::new(ChannelConfig::default());
    let mut line = DelayLine::new(60_000);
    let mut client = room("client");
    let intake = seqr.receive_with_tail(
        Sequenced {
            seq: 3,
            pts: None,
            command: Command::RoomSnapshot(snap),
        },
        tail,
        30_000,
    );
    assert_eq!(
        intake.ready.iter().map(|m| m.seq).collect::<Vec<_>>(),
        vec![3, 4, 5, 6]
    );
    assert_eq!(seqr.next_seq(), Some(7));
    let mut ready = intake.ready.into_iter();
    client
        .apply(&ready.next().unwrap().command, 30_000)
        .unwrap();
    for m in ready {
        line.push(m, 30_000);
    }
    // The video is 25 s behind: at 5 000 of stream time, nothing yet.
    assert!(line.release(Some(5_000), 30_000).is_empty());
    assert!(client.widgets().is_empty());
    // The open and the tally behind it when the video reaches the open; not the reveal.
    let shown: Vec<_> = line.release(Some(12_000), 37_000);
    assert_eq!(shown.iter().map(|m| m.seq).collect::<Vec<_>>(), vec![4, 5]);
    for m in shown {
        client.apply(&m.command, 37_000).unwrap();
    }
    let Some(Widget::Poll(p)) = client.widget("p") else {
        panic!("the poll is open")
    };
    assert_eq!(p.phase(), hudong_core::PollPhase::Open);
    let reveal = line.release(Some(20_000), 45_000);
    assert_eq!(reveal.iter().map(|m| m.seq).collect::<Vec<_>>(), vec![6]);
}

#[test]
fn a_tail_out_of_order_or_holding_a_snapshot_is_refused() {
    let remove = |seq: u64, id: &str| Sequenced {
        seq,
        pts: None,
        command: Command::WidgetRemove(Target {
            widget_id: id.into(),
        }),
    };
    let err = check_tail(Some(4), &[remove(5, "a"), remove(5, "b")]).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidField);
    assert!(
        check_tail(Some(5), &[remove(5, "a")]).is_err(),
        "not after the snapshot"
    );
    assert!(check_tail(Some(4), &[remove(0, "a")]).is_err());
    let snap = Sequenced {
        seq: 6,
        pts: None,
        command: Command::RoomSnapshot(room("x").snapshot()),
    };
    assert!(check_tail(Some(4), &[snap]).is_err());
    assert!(check_tail(Some(4), &[remove(5, "a"), remove(7, "b")]).is_ok());
    assert!(check_tail(None, &[remove(5, "a")]).is_ok());
}

/// A command from the video's metadata, read seconds after the channel's commands of later
/// moments, is still shown at its own moment.
#[test]
fn metadata_read_late_goes_before_later_moments() {
    let mut d = DelayLine::new(60_000);
    let cmd = |seq: u64, pts: Option<u64>, id: &str| Sequenced {
        seq,
        pts,
        command: Command::WidgetRemove(Target {
            widget_id: id.into(),
        }),
    };
    d.push(cmd(7, Some(10_000), "channel"), 0);
    d.push(cmd(8, None, "tally"), 0);
    d.push(cmd(0, Some(9_000), "video"), 3_000);
    let ids = |v: Vec<Sequenced>| {
        v.into_iter()
            .map(|m| m.command.widget_id().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(d.release(Some(9_000), 3_100)), ["video"]);
    assert_eq!(ids(d.release(Some(10_000), 3_200)), ["channel", "tally"]);
    // A sequenced command keeps room order, whatever its position.
    d.push(cmd(9, Some(20_000), "a"), 0);
    d.push(cmd(10, Some(15_000), "b"), 0);
    assert!(d.release(Some(16_000), 4_000).is_empty());
}
