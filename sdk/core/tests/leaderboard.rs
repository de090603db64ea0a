//! The interaction leaderboard (互动热榜): scenarios and properties.
mod common;

use common::*;
use hudong_core::*;
use proptest::prelude::*;
use serde_json::{json, Value};

fn open_json() -> Value {
    json!({"type": "leaderboard.open", "widget_id": "lb", "top": 3, "ends_at": 60_000,
           "tiers": [{"up_to": 1, "title": "榜一", "reward": "¥20 券"}, {"up_to": 3, "title": "铁粉"}]})
}

fn room() -> Room {
    room_with(3, open_json(), 1_000)
}

fn board(r: &Room) -> Leaderboard {
    widget!(r, "lb", Leaderboard)
}

fn ranks(version: u64, rows: &[(u32, &str, u64)], closed: bool) -> Command {
    let rows: Vec<Value> = rows
        .iter()
        .map(|(rank, name, score)| json!({"rank": rank, "name": name, "score": score}))
        .collect();
    cmd(
        json!({"type": "leaderboard.ranks", "widget_id": "lb", "version": version, "rows": rows,
               "participants": rows.len(), "final": closed}),
    )
}

fn standing(version: u64, user: &str, rank: u32, reward: Option<&str>) -> Command {
    cmd(
        json!({"type": "leaderboard.standing", "widget_id": "lb", "user_id": user, "version": version,
               "rank": rank, "score": 5, "reward": reward}),
    )
}

#[test]
fn ranks_arrive_live_and_an_older_ranking_changes_nothing() {
    let mut r = room();
    assert_eq!(
        types(
            &r.apply(&ranks(2, &[(1, "a***1", 9), (2, "b***2", 4)], false), 2_000)
                .unwrap()
        ),
        Vec::<&str>::new()
    );
    let b = board(&r);
    assert_eq!(b.rows().len(), 2);
    assert_eq!(b.title_of(1), Some("榜一"));
    assert_eq!(b.title_of(3), Some("铁粉"));
    assert_eq!(b.title_of(4), None);
    // Version 1 arrives late: ignored.
    let fx = r
        .apply(&ranks(1, &[(1, "c***3", 99)], false), 2_100)
        .unwrap();
    assert!(!fx.render);
    assert_eq!(board(&r).rows()[0].name, "a***1");
}

#[test]
fn the_board_counts_after_its_end_and_a_final_ranking_is_never_replaced() {
    let mut r = room();
    r.tick(59_999);
    assert_eq!(board(&r).phase(), LeaderboardPhase::Live);
    r.tick(60_000);
    assert_eq!(board(&r).phase(), LeaderboardPhase::Counting);
    r.apply(&ranks(5, &[(1, "a***1", 9)], true), 61_000)
        .unwrap();
    assert_eq!(board(&r).phase(), LeaderboardPhase::Final);
    // A live ranking with a higher version cannot reopen it.
    r.apply(&ranks(9, &[(1, "z***9", 50)], false), 62_000)
        .unwrap();
    assert_eq!(board(&r).phase(), LeaderboardPhase::Final);
    assert_eq!(board(&r).rows()[0].name, "a***1");
}

#[test]
fn a_reward_is_announced_once_and_never_taken_back() {
    let mut r = room();
    let fx = r.apply(&standing(1, "u1", 1, None), 2_000).unwrap();
    assert!(types(&fx).is_empty());
    let fx = r
        .apply(&standing(2, "u1", 1, Some("¥20 券")), 61_000)
        .unwrap();
    assert_eq!(types(&fx), ["leaderboard.rewarded"]);
    match &fx.events[0].event {
        Event::LeaderboardRewarded {
            rank,
            title,
            reward,
        } => {
            assert_eq!(
                (*rank, title.as_deref(), reward.as_str()),
                (1, Some("榜一"), "¥20 券")
            );
        }
        e => panic!("{e:?}"),
    }
    let fx = r.apply(&standing(3, "u1", 1, None), 62_000).unwrap();
    assert!(types(&fx).is_empty());
    assert_eq!(
        board(&r).standing().unwrap().reward.as_deref(),
        Some("¥20 券")
    );
    // Another viewer's standing is not this viewer's.
    r.apply(&standing(4, "u2", 7, None), 63_000).unwrap();
    assert_eq!(board(&r).standing().unwrap().rank, Some(1));
}

#[test]
fn malformed_specs_and_rankings_are_refused_with_the_state_unchanged() {
    let mut r = Room::new(RoomConfig::new("r1", "s1"));
    for bad in [
        json!({"type": "leaderboard.open", "widget_id": "lb", "top": 0}),
        json!({"type": "leaderboard.open", "widget_id": "lb", "top": 21}),
        json!({"type": "leaderboard.open", "widget_id": "lb", "tiers": [{"up_to": 3, "title": "a"}, {"up_to": 3, "title": "b"}]}),
        json!({"type": "leaderboard.open", "widget_id": "lb", "tiers": [{"up_to": 1, "title": "一个非常非常长的称号名字"}]}),
    ] {
        let err = r.apply(&cmd(bad.clone()), 1_000).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidField, "{bad}");
        assert!(r.widgets().is_empty());
    }
    let mut r = room();
    let before = board(&r);
    for bad in [
        ranks(3, &[(1, "a", 1), (2, "b", 2)], false), // scores rise
        ranks(3, &[(2, "a", 5), (1, "b", 4)], false), // ranks go back
        ranks(
            3,
            &[(1, "a", 5), (2, "b", 4), (3, "c", 3), (4, "d", 2)],
            false,
        ), // over top
        ranks(3, &[(0, "a", 5)], false),              // rank 0
    ] {
        assert!(r.apply(&bad, 2_000).is_err());
        assert_eq!(board(&r), before);
    }
}

#[test]
fn a_late_joiner_gets_the_board_from_a_snapshot() {
    let mut host = room();
    host.apply(&ranks(4, &[(1, "a***1", 9), (2, "b***2", 4)], false), 2_000)
        .unwrap();
    let snap = host.snapshot();
    let mut late = Room::new(RoomConfig::new("r1", "s2").with_user("u9"));
    late.apply(&Command::RoomSnapshot(snap), 3_000).unwrap();
    assert_eq!(board(&late).rows(), board(&host).rows());
}

proptest! {
    /// Whatever the server sends, in whatever order: the version shown never goes down, a
    /// final board stays final, the rows shown are ordered and within the board's top, and a
    /// refused command changes nothing.
    #[test]
    fn the_board_only_moves_forward(steps in prop::collection::vec(
        (0u64..20, prop::collection::vec((1u32..6, 0u64..50), 0..5), any::<bool>(), 0u64..120_000, any::<bool>()),
        1..40,
    )) {
        let mut r = room();
        let mut shown_version = 0u64;
        let mut was_final = false;
        for (version, raw, closed, at, as_standing) in steps {
            let before = board(&r);
            let result = if as_standing {
                r.apply(&standing(version, "u1", raw.first().map_or(1, |x| x.0), closed.then_some("¥5")), at)
            } else {
                let rows: Vec<(u32, &str, u64)> = raw.iter().map(|(k, s)| (*k, "v***1", *s)).collect();
                r.apply(&ranks(version, &rows, closed), at)
            };
            r.tick(at);
            let b = board(&r);
            if result.is_err() {
                prop_assert_eq!(b.rows(), before.rows());
                prop_assert_eq!(b.standing(), before.standing());
            }
            if was_final {
                prop_assert_eq!(b.phase(), LeaderboardPhase::Final);
            }
            was_final = b.phase() == LeaderboardPhase::Final;
            prop_assert!(b.rows().len() <= 3);
            for w in b.rows().windows(2) {
                prop_assert!(w[0].rank <= w[1].rank && w[0].score >= w[1].score);
            }
            let v = b.snapshot().ranks.map_or(0, |x| x.version);
            prop_assert!(v >= shown_version);
            shown_version = v;
        }
    }
}
