//! The overlay's arrangement: the host's layout, the tray, one modal at a time.
mod common;

use common::*;
use hudong_core::*;
use proptest::prelude::*;
use serde_json::json;

fn open(r: &mut Room, kind: u8, id: &str) {
    let c = match kind {
        0 => {
            json!({"type": "poll.open", "widget_id": id, "question": "?", "options": [{"id": "a", "label": "A"}, {"id": "b", "label": "B"}]})
        }
        1 => json!({"type": "quiz.open", "widget_id": id}),
        2 => json!({"type": "likes.open", "widget_id": id}),
        3 => {
            json!({"type": "tryon.open", "widget_id": id, "product": {"name": "墨镜", "sku": "s1", "image": "/a.png"}})
        }
        4 => json!({"type": "lead.open", "widget_id": id, "target": "follow", "title": "关注"}),
        _ => json!({"type": "products.open", "widget_id": id}),
    };
    r.apply(&cmd(c), 0).unwrap();
}

#[test]
fn newest_cards_show_the_rest_wait_in_the_tray_and_the_host_can_focus() {
    let mut r = Room::new(RoomConfig::new("r", "s"));
    for (k, id) in [(0, "poll"), (1, "quiz"), (2, "likes"), (5, "shelf")] {
        open(&mut r, k, id);
    }
    let a = r.arrange(None);
    assert_eq!(a.cards, ["shelf"], "the newest alone by default");
    assert_eq!(a.chips, ["poll", "quiz"]);
    // The viewer opens a chip: it takes the one place.
    assert_eq!(r.arrange(Some("poll")).cards, ["poll"]);
    r.apply(&cmd(json!({"type": "room.layout", "max_cards": 2})), 0)
        .unwrap();
    let a = r.arrange(None);
    assert_eq!(a.cards, ["quiz", "shelf"], "the newest two, oldest first");
    assert_eq!(a.chips, ["poll"]);
    assert_eq!(a.compact, ["likes"]);
    // The host decides what is seen together.
    let fx = r
        .apply(
            &cmd(
                json!({"type": "room.layout", "max_cards": 2, "focus": ["poll"], "keep_clear": 40}),
            ),
            0,
        )
        .unwrap();
    assert!(fx.render);
    assert_eq!(r.arrange(None).cards, ["poll", "shelf"]);
    // The viewer opens a chip: it comes first.
    assert_eq!(r.arrange(Some("quiz")).cards, ["poll", "quiz"]);
    // A late joiner gets the layout in the snapshot.
    let mut v = serde_json::to_value(r.snapshot()).unwrap();
    v["type"] = "room.snapshot".into();
    let mut late = Room::new(RoomConfig::new("r", "s2"));
    late.apply(&cmd(v), 1).unwrap();
    assert_eq!(late.layout().keep_clear, 40);
    for bad in [
        json!({"max_cards": 0}),
        json!({"max_cards": 7}),
        json!({"keep_clear": 90}),
        json!({"focus": ["a b"]}),
    ] {
        let mut c = json!({"type": "room.layout"});
        c.as_object_mut()
            .unwrap()
            .extend(bad.as_object().unwrap().clone());
        let before = r.clone();
        assert_eq!(
            r.apply(&cmd(c), 0).unwrap_err().code,
            ErrorCode::InvalidField
        );
        assert_eq!(r, before);
    }
}

#[test]
fn a_live_try_on_is_the_only_card() {
    let mut r = Room::new(RoomConfig::new("r", "s"));
    open(&mut r, 0, "poll");
    open(&mut r, 3, "try");
    open(&mut r, 1, "quiz");
    r.act(
        &Action::TryOnStart {
            widget_id: "try".into(),
        },
        10,
    )
    .unwrap();
    let a = r.arrange(Some("quiz"));
    assert_eq!(a.modal, Some("try"));
    assert_eq!(
        a.cards,
        ["try"],
        "nothing else while the viewer tries the product on"
    );
    assert_eq!(a.chips, ["poll", "quiz"]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1_000))]

    /// Every widget is placed exactly once; at most `max_cards` cards; a modal is alone;
    /// compact widgets never take a card's place; the host's focus and the viewer's pick are
    /// shown when there is room.
    #[test]
    fn arrangement_invariants(
        kinds in prop::collection::vec(0u8..6, 0..10),
        max in 1u32..5,
        focus in prop::collection::vec(0usize..10, 0..3),
        picked in prop::option::of(0usize..10),
        live in any::<bool>(),
    ) {
        let mut r = Room::new(RoomConfig::new("r", "s"));
        for (i, k) in kinds.iter().enumerate() {
            open(&mut r, *k, &format!("w{i}"));
        }
        if live {
            if let Some(i) = kinds.iter().position(|k| *k == 3) {
                r.act(&Action::TryOnStart { widget_id: format!("w{i}") }, 5).unwrap();
            }
        }
        let focus: Vec<String> = focus.iter().map(|i| format!("w{i}")).collect();
        r.apply(&cmd(json!({"type": "room.layout", "max_cards": max, "focus": focus})), 0).unwrap();
        let pick = picked.map(|i| format!("w{i}"));
        let a = r.arrange(pick.as_deref());
        let mut all: Vec<&str> = a.cards.iter().chain(&a.chips).chain(&a.compact).copied().collect();
        all.sort();
        let mut ids: Vec<String> = r.widgets().iter().map(|w| w.id().to_owned()).collect();
        ids.sort();
        prop_assert_eq!(all, ids.iter().map(String::as_str).collect::<Vec<_>>(), "placed exactly once");
        prop_assert!(a.cards.len() <= max as usize);
        if let Some(m) = a.modal {
            prop_assert_eq!(&a.cards, &vec![m]);
        } else {
            let non_compact = r.widgets().len() - a.compact.len();
            prop_assert_eq!(a.cards.len(), non_compact.min(max as usize), "room left unused");
            if let Some(p) = &pick {
                if !a.compact.contains(&p.as_str()) && r.widget(p).is_some() {
                    prop_assert!(a.cards.contains(&p.as_str()), "the viewer's pick is shown");
                }
            }
        }
        for id in &a.compact {
            prop_assert!(!a.cards.contains(id));
        }
        // Cards keep the order they appeared in.
        let order: Vec<usize> = a.cards.iter().map(|id| r.widgets().iter().position(|w| w.id() == *id).unwrap()).collect();
        prop_assert!(order.windows(2).all(|w| w[0] < w[1]));
    }
}
