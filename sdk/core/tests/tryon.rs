//! AR try-on: the flow around the camera, scenarios and properties.
mod common;

use common::*;
use hudong_core::*;
use proptest::prelude::*;
use serde_json::json;

fn room() -> Room {
    room_with(
        9,
        json!({"type": "tryon.open", "widget_id": "ar", "product": {
            "name": "丝绒唇釉 #03", "sku": "LIP-03", "image": "/img/lip-overlay.png",
            "anchor": {"x": 0.5, "y": 0.4}, "width": 0.3, "price": 8900}}),
        0,
    )
}

fn tryon(r: &Room) -> TryOn {
    widget!(r, "ar", TryOn)
}

fn act(r: &mut Room, a: serde_json::Value, now: u64) -> Result<Effects, HudongError> {
    let mut v = a;
    v["widget_id"] = json!("ar");
    let action: Action = serde_json::from_value(v).expect("valid action");
    r.act(&action, now)
}

#[test]
fn camera_after_a_tap_tracker_snapshot_cart_close() {
    let mut r = room();
    assert!(
        !tryon(&r).wants_camera(),
        "no camera before the viewer asks"
    );
    assert_eq!(
        types(&act(&mut r, json!({"type": "tryon.start"}), 1).unwrap()),
        ["tryon.opened"]
    );
    assert_eq!(tryon(&r).phase(), TryOnPhase::Explain);
    assert!(
        !tryon(&r).wants_camera(),
        "the explanation comes before the prompt"
    );
    act(&mut r, json!({"type": "tryon.allow_camera"}), 2).unwrap();
    assert!(tryon(&r).wants_camera());
    let fx = act(
        &mut r,
        json!({"type": "tryon.camera", "result": "granted"}),
        1_000,
    )
    .unwrap();
    assert_eq!(types(&fx), ["tryon.permission"]);
    assert_eq!(tryon(&r).phase(), TryOnPhase::Live(Source::Camera));

    assert_eq!(
        types(
            &act(
                &mut r,
                json!({"type": "tryon.tracker", "state": "attached"}),
                1_100
            )
            .unwrap()
        ),
        ["tryon.tracker"]
    );
    assert_eq!(
        types(
            &act(
                &mut r,
                json!({"type": "tryon.tracker", "state": "lost"}),
                1_200
            )
            .unwrap()
        ),
        ["tryon.tracker"]
    );
    // Repeated reports of the same state say nothing new.
    assert!(act(
        &mut r,
        json!({"type": "tryon.tracker", "state": "lost"}),
        1_300
    )
    .unwrap()
    .events
    .is_empty());
    assert_eq!(tryon(&r).tracker(), Some(TrackerState::Lost));
    assert_eq!(
        types(
            &act(
                &mut r,
                json!({"type": "tryon.tracker", "state": "found"}),
                1_400
            )
            .unwrap()
        ),
        ["tryon.tracker"]
    );

    act(
        &mut r,
        json!({"type": "tryon.place", "pose": {"x": 0.3, "y": 0.6, "scale": 1.5, "rotation": 0.2}}),
        1_500,
    )
    .unwrap();
    assert_eq!(
        tryon(&r).pose(),
        Pose {
            x: 0.3,
            y: 0.6,
            scale: 1.5,
            rotation: 0.2
        }
    );
    assert_eq!(
        types(&act(&mut r, json!({"type": "tryon.snapshot"}), 2_000).unwrap()),
        ["tryon.snapshot"]
    );
    let fx = act(&mut r, json!({"type": "tryon.add_to_cart"}), 2_500).unwrap();
    match &fx.events[0].event {
        Event::TryOnAddToCart {
            sku,
            idempotency_key,
        } => {
            assert_eq!(sku, "LIP-03");
            assert_eq!(idempotency_key, "r1:ar:u1:cart:1");
        }
        e => panic!("{e:?}"),
    }
    let fx = act(&mut r, json!({"type": "tryon.close"}), 6_000).unwrap();
    match &fx.events[0].event {
        Event::TryOnClosed {
            duration_ms,
            source,
            snapshots,
        } => {
            assert_eq!(
                *duration_ms, 5_000,
                "live from the camera's grant to the close"
            );
            assert_eq!(*source, Some(Source::Camera));
            assert_eq!(*snapshots, 1);
        }
        e => panic!("{e:?}"),
    }
    assert_eq!(tryon(&r).phase(), TryOnPhase::Idle);
    assert!(!tryon(&r).wants_camera());
}

#[test]
fn denied_camera_falls_back_to_a_photo_and_hidden_page_releases_it() {
    let mut r = room();
    act(&mut r, json!({"type": "tryon.start"}), 1).unwrap();
    act(&mut r, json!({"type": "tryon.allow_camera"}), 2).unwrap();
    let fx = act(
        &mut r,
        json!({"type": "tryon.camera", "result": "denied"}),
        3,
    )
    .unwrap();
    assert_eq!(types(&fx), ["tryon.permission"]);
    assert_eq!(tryon(&r).phase(), TryOnPhase::Failed(CameraResult::Denied));
    assert!(!tryon(&r).wants_camera());
    assert_eq!(
        types(&act(&mut r, json!({"type": "tryon.photo"}), 4).unwrap()),
        ["tryon.photo"]
    );
    assert_eq!(tryon(&r).phase(), TryOnPhase::Live(Source::Photo));
    // Hiding the page does nothing to a photo.
    assert!(
        !act(&mut r, json!({"type": "tryon.pause"}), 5)
            .unwrap()
            .render
    );

    // Camera again: pause releases it; a tap resumes; the duration adds up both stretches.
    let mut r = room();
    act(&mut r, json!({"type": "tryon.start"}), 0).unwrap();
    act(&mut r, json!({"type": "tryon.allow_camera"}), 0).unwrap();
    act(
        &mut r,
        json!({"type": "tryon.camera", "result": "granted"}),
        1_000,
    )
    .unwrap();
    act(&mut r, json!({"type": "tryon.pause"}), 3_000).unwrap();
    assert_eq!(tryon(&r).phase(), TryOnPhase::Paused);
    assert!(!tryon(&r).wants_camera(), "a hidden page holds no camera");
    act(&mut r, json!({"type": "tryon.allow_camera"}), 60_000).unwrap();
    act(
        &mut r,
        json!({"type": "tryon.camera", "result": "granted"}),
        60_500,
    )
    .unwrap();
    // Removing the widget closes the session first.
    let fx = r
        .apply(
            &cmd(json!({"type": "widget.remove", "widget_id": "ar"})),
            61_500,
        )
        .unwrap();
    assert_eq!(types(&fx), ["tryon.closed", "widget.hidden"]);
    match &fx.events[0].event {
        Event::TryOnClosed { duration_ms, .. } => assert_eq!(*duration_ms, 3_000),
        e => panic!("{e:?}"),
    }
}

#[test]
fn late_camera_answers_and_bad_poses_change_nothing() {
    let mut r = room();
    act(&mut r, json!({"type": "tryon.start"}), 1).unwrap();
    act(&mut r, json!({"type": "tryon.allow_camera"}), 2).unwrap();
    act(&mut r, json!({"type": "tryon.close"}), 3).unwrap();
    // The prompt is answered after the viewer closed: nothing opens.
    let before = r.clone();
    let fx = act(
        &mut r,
        json!({"type": "tryon.camera", "result": "granted"}),
        4,
    )
    .unwrap();
    assert!(fx.events.is_empty());
    assert_eq!(r, before);
    assert_eq!(
        act(&mut r, json!({"type": "tryon.snapshot"}), 5)
            .unwrap_err()
            .code,
        ErrorCode::NotOpen
    );

    act(&mut r, json!({"type": "tryon.start"}), 6).unwrap();
    act(&mut r, json!({"type": "tryon.photo"}), 7).unwrap();
    let before = r.clone();
    for pose in [
        json!({"x": 9.0, "y": 0.5}),
        json!({"x": 0.5, "y": 0.5, "scale": 0.0}),
        json!({"x": 0.5, "y": 0.5, "scale": 1e9}),
    ] {
        let e = act(&mut r, json!({"type": "tryon.place", "pose": pose}), 8).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidField);
    }
    assert_eq!(r, before);
}

#[test]
fn specs_are_checked() {
    let mut r = Room::new(RoomConfig::new("r1", "s1"));
    for product in [
        json!({"name": "x", "sku": "A", "image": "javascript:alert(1)"}),
        json!({"name": "x", "sku": "A B", "image": "/a.png"}),
        json!({"name": "x", "sku": "A", "image": "/a.png", "anchor": {"x": 2.0, "y": 0.5}}),
        json!({"name": "x", "sku": "A", "image": "/a.png", "width": 0.0}),
    ] {
        let c = cmd(json!({"type": "tryon.open", "widget_id": "ar", "product": product}));
        assert_eq!(
            r.apply(&c, 0).unwrap_err().code,
            ErrorCode::InvalidField,
            "{product}"
        );
    }
    assert!(r.widgets().is_empty());
}

#[derive(Debug, Clone)]
enum Step {
    Start,
    Allow,
    Camera(u8),
    Photo,
    Pause,
    Track(u8),
    Place(f64, f64),
    Snap,
    Cart,
    Close,
    Wait(u64),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        Just(Step::Start),
        Just(Step::Allow),
        (0..6u8).prop_map(Step::Camera),
        Just(Step::Photo),
        Just(Step::Pause),
        (0..3u8).prop_map(Step::Track),
        (-1.0..2.0f64, -1.0..2.0f64).prop_map(|(x, y)| Step::Place(x, y)),
        Just(Step::Snap),
        Just(Step::Cart),
        Just(Step::Close),
        (1..5_000u64).prop_map(Step::Wait),
    ]
}

const CAMERA: [&str; 6] = [
    "granted",
    "denied",
    "no_camera",
    "in_use",
    "unsupported",
    "error",
];
const TRACKER: [&str; 3] = ["attached", "lost", "found"];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    /// The camera is wanted only after the viewer allowed it and only while it is being
    /// requested or shown; a closed session reports the sum of its live stretches; tracker
    /// events alternate lost/found; refused steps change nothing.
    #[test]
    fn tryon_invariants(steps in prop::collection::vec(step(), 1..50)) {
        let mut r = room();
        let mut now = 0u64;
        let mut allowed_since_idle = false;
        let mut live_ms = 0u64;
        let mut live_since: Option<u64> = None;
        let mut last_tracker: Option<TrackerState> = None;
        for s in steps {
            let before = r.clone();
            let a = match &s {
                Step::Wait(dt) => { now += dt; continue; }
                Step::Start => json!({"type": "tryon.start"}),
                Step::Allow => json!({"type": "tryon.allow_camera"}),
                Step::Camera(c) => json!({"type": "tryon.camera", "result": CAMERA[*c as usize]}),
                Step::Photo => json!({"type": "tryon.photo"}),
                Step::Pause => json!({"type": "tryon.pause"}),
                Step::Track(t) => json!({"type": "tryon.tracker", "state": TRACKER[*t as usize]}),
                Step::Place(x, y) => json!({"type": "tryon.place", "pose": {"x": x, "y": y}}),
                Step::Snap => json!({"type": "tryon.snapshot"}),
                Step::Cart => json!({"type": "tryon.add_to_cart"}),
                Step::Close => json!({"type": "tryon.close"}),
            };
            let prev = tryon(&r);
            match act(&mut r, a, now) {
                Err(e) => {
                    prop_assert!(!e.message.is_empty());
                    prop_assert_eq!(&r, &before);
                }
                Ok(fx) => {
                    for e in &fx.events {
                        match &e.event {
                            Event::TryOnTracker { state } => {
                                match (last_tracker, state) {
                                    (None, TrackerState::Attached) => {}
                                    (Some(TrackerState::Attached | TrackerState::Found), TrackerState::Lost) => {}
                                    (Some(TrackerState::Lost), TrackerState::Found) => {}
                                    (a, b) => prop_assert!(false, "tracker went {:?} → {:?}", a, b),
                                }
                                last_tracker = Some(*state);
                            }
                            Event::TryOnClosed { duration_ms, .. } => {
                                if let Some(s) = live_since.take() { live_ms += now - s; }
                                prop_assert_eq!(*duration_ms, live_ms);
                                live_ms = 0;
                            }
                            _ => {}
                        }
                    }
                }
            }
            let t = tryon(&r);
            // Live stretches, as an observer counts them.
            let was_live = matches!(prev.phase(), TryOnPhase::Live(_));
            let is_live = matches!(t.phase(), TryOnPhase::Live(_));
            if !was_live && is_live { live_since = Some(now); }
            if was_live && !is_live && t.phase() != TryOnPhase::Idle {
                if let Some(s) = live_since.take() { live_ms += now - s; }
            }
            if was_live && is_live && prev.phase() != t.phase() {
                // camera → photo: a new stretch
                if let Some(s) = live_since.take() { live_ms += now - s; }
                live_since = Some(now);
            }
            if t.tracker().is_none() { last_tracker = None; }
            if t.phase() == TryOnPhase::Idle { allowed_since_idle = false; }
            if matches!(s, Step::Allow) && t.phase() == TryOnPhase::Requesting { allowed_since_idle = true; }
            if t.wants_camera() {
                prop_assert!(allowed_since_idle, "camera wanted without the viewer's consent");
                prop_assert!(matches!(t.phase(), TryOnPhase::Requesting | TryOnPhase::Live(Source::Camera)));
            }
            let round: Room = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
            prop_assert_eq!(&round, &r);
        }
    }
}
