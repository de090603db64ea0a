//! The follow / private-domain lead card: scenarios and properties.
mod common;

use common::*;
use hudong_core::*;
use proptest::prelude::*;
use serde_json::json;

const PERK_UNTIL: u64 = 30_000;

fn wecom_room() -> Room {
    room_with(
        5,
        json!({"type": "lead.open", "widget_id": "wecom", "target": "wecom_group", "title": "进粉丝群 领专属券",
            "perk": "进群领 5 元券", "perk_until": PERK_UNTIL, "url": "https://work.weixin.qq.com/gm/abc",
            "code": "hudong-fans", "purpose": "用于发送直播预告与专属优惠，可随时退出"}),
        0,
    )
}

fn card(r: &Room, id: &str) -> Lead {
    match r.widget(id).unwrap() {
        Widget::Lead(l) => l.clone(),
        w => panic!("not a lead card: {w:?}"),
    }
}

fn act(id: &str, a: &str, extra: serde_json::Value) -> Action {
    let mut v = json!({"type": a, "widget_id": id});
    v.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    serde_json::from_value(v).unwrap()
}

#[test]
fn shown_clicked_consent_confirm_result() {
    let mut r = wecom_room();
    let fx = r
        .act(&act("wecom", "lead.click", json!({"via": "qr"})), 1_000)
        .unwrap();
    assert_eq!(types(&fx), ["lead.clicked"]);
    assert!(
        r.act(&act("wecom", "lead.click", json!({"via": "qr"})), 1_100)
            .unwrap()
            .events
            .is_empty(),
        "counted once per way"
    );
    assert_eq!(
        types(
            &r.act(&act("wecom", "lead.click", json!({"via": "copy"})), 1_200)
                .unwrap()
        ),
        ["lead.clicked"]
    );

    // No confirmation without consent: a typed error, nothing changes.
    let before = r.clone();
    let err = r
        .act(&act("wecom", "lead.confirm", json!({})), 2_000)
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::ConsentRequired);
    assert_eq!(r, before);

    assert_eq!(
        types(
            &r.act(&act("wecom", "lead.consent", json!({"given": true})), 2_100)
                .unwrap()
        ),
        ["lead.consent"]
    );
    let fx = r
        .act(&act("wecom", "lead.confirm", json!({})), 2_200)
        .unwrap();
    let request_id = match &fx.events[0].event {
        Event::LeadConfirm {
            request_id,
            target,
            consent,
            purpose,
            perk_open,
        } => {
            assert_eq!(*target, LeadTarget::WecomGroup);
            assert!(*consent && *perk_open);
            assert_eq!(
                purpose.as_deref(),
                Some("用于发送直播预告与专属优惠，可随时退出"),
                "the purpose consented to is recorded"
            );
            request_id.clone()
        }
        e => panic!("{e:?}"),
    };
    assert!(
        r.act(&act("wecom", "lead.confirm", json!({})), 2_300)
            .unwrap()
            .events
            .is_empty(),
        "a second tap is absorbed"
    );
    // Consent cannot be withdrawn mid-request (the request carries it).
    assert!(r
        .act(
            &act("wecom", "lead.consent", json!({"given": false})),
            2_400
        )
        .unwrap()
        .events
        .is_empty());
    // A stale answer changes nothing; the pending one settles it.
    let stale = cmd(
        json!({"type": "lead.result", "widget_id": "wecom", "request_id": "other", "outcome": "confirmed"}),
    );
    assert!(r.apply(&stale, 3_000).unwrap().events.is_empty());
    let fx = r
        .apply(&cmd(json!({"type": "lead.result", "widget_id": "wecom", "request_id": request_id, "outcome": "confirmed", "perk_ref": "CPN-9"})), 3_100)
        .unwrap();
    assert_eq!(types(&fx), ["lead.result"]);
    assert_eq!(
        card(&r, "wecom").state(),
        &LeadState::Confirmed {
            perk_ref: Some("CPN-9".into())
        }
    );
}

#[test]
fn the_perk_window_closes_once_and_follow_needs_no_consent() {
    let mut r = wecom_room();
    assert_eq!(r.next_wake(0), Some(PERK_UNTIL));
    assert!(card(&r, "wecom").perk_open(PERK_UNTIL - 1));
    assert!(
        r.tick(PERK_UNTIL).render,
        "the countdown's end redraws once"
    );
    assert!(!r.tick(PERK_UNTIL + 1).render);
    assert!(!card(&r, "wecom").perk_open(PERK_UNTIL));
    assert_eq!(r.next_wake(PERK_UNTIL), None);

    r.apply(&cmd(json!({"type": "lead.open", "widget_id": "fol", "target": "follow", "title": "关注主播 下次开播提醒你"})), 0).unwrap();
    let fx = r.act(&act("fol", "lead.confirm", json!({})), 100).unwrap();
    assert!(matches!(
        fx.events[0].event,
        Event::LeadConfirm {
            consent: false,
            purpose: None,
            ..
        }
    ));
    assert_eq!(
        r.act(&act("fol", "lead.consent", json!({"given": true})), 100)
            .unwrap_err()
            .code,
        ErrorCode::InvalidChoice
    );
    assert_eq!(
        r.act(&act("fol", "lead.click", json!({"via": "link"})), 100)
            .unwrap_err()
            .code,
        ErrorCode::InvalidChoice,
        "no link offered"
    );
}

#[test]
fn specs_are_checked() {
    let mut r = Room::new(RoomConfig::new("r1", "s1"));
    let bad = [
        json!({"type": "lead.open", "widget_id": "w", "target": "wecom_contact", "title": "加我", "url": "https://a.example/x"}),
        json!({"type": "lead.open", "widget_id": "w", "target": "wecom_contact", "title": "加我", "purpose": "p", "url": "javascript:alert(1)"}),
        json!({"type": "lead.open", "widget_id": "w", "target": "wecom_contact", "title": "加我", "purpose": "p", "url": "http://a.example"}),
        json!({"type": "lead.open", "widget_id": "w", "target": "wecom_group", "title": "进群", "purpose": "p"}),
        json!({"type": "lead.open", "widget_id": "w", "target": "follow", "title": "关注", "perk_until": 5}),
        json!({"type": "lead.open", "widget_id": "w", "target": "follow", "title": "\u{202e}关注"}),
    ];
    for b in bad {
        let e = r.apply(&cmd(b.clone()), 0).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidField, "{b}");
        assert!(r.widgets().is_empty());
    }
}

#[test]
fn a_late_joiner_gets_the_card_from_a_snapshot() {
    let r = wecom_room();
    let snap = serde_json::to_value(r.snapshot()).unwrap();
    let mut late = Room::new(RoomConfig::new("r1", "s2"));
    let mut v = snap.clone();
    v["type"] = "room.snapshot".into();
    let fx = late.apply(&cmd(v.clone()), 5_000).unwrap();
    assert_eq!(types(&fx), ["widget.shown"]);
    assert_eq!(card(&late, "wecom").spec(), card(&r, "wecom").spec());
    assert!(
        late.apply(&cmd(v), 6_000).unwrap().events.is_empty(),
        "idempotent"
    );
}

#[derive(Debug, Clone)]
enum Step {
    Wait(u64),
    Click(u8),
    Consent(bool),
    Confirm,
    Fold(bool),
    Result(bool, bool),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0u64..20_000).prop_map(Step::Wait),
        (0u8..3).prop_map(Step::Click),
        any::<bool>().prop_map(Step::Consent),
        Just(Step::Confirm),
        any::<bool>().prop_map(Step::Fold),
        (any::<bool>(), any::<bool>()).prop_map(|(ok, stale)| Step::Result(ok, stale)),
    ]
}

const VIA: [&str; 3] = ["link", "copy", "qr"];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    /// No confirmation goes out without consent; at most one is pending; only its answer
    /// settles it; a confirmation is never undone; each way is counted once; refused inputs
    /// change nothing; the state survives a serde round trip.
    #[test]
    fn lead_invariants(steps in prop::collection::vec(step(), 1..40)) {
        let mut r = wecom_room();
        let mut now = 0u64;
        let mut clicks = std::collections::HashSet::new();
        let mut confirms = 0;
        let mut declines = 0;
        for s in steps {
            let before = r.clone();
            let prev = card(&r, "wecom");
            let res = match &s {
                Step::Wait(dt) => { now += dt; Ok(r.tick(now)) }
                Step::Click(v) => r.act(&act("wecom", "lead.click", json!({"via": VIA[*v as usize]})), now),
                Step::Consent(g) => r.act(&act("wecom", "lead.consent", json!({"given": g})), now),
                Step::Confirm => r.act(&act("wecom", "lead.confirm", json!({})), now),
                Step::Fold(f) => r.act(&act("wecom", "lead.fold", json!({"folded": f})), now),
                Step::Result(ok, stale) => {
                    let id = match (prev.state(), stale) {
                        (LeadState::Pending { request_id }, false) => request_id.clone(),
                        _ => "stale".into(),
                    };
                    r.apply(&cmd(json!({"type": "lead.result", "widget_id": "wecom", "request_id": id,
                        "outcome": if *ok { "confirmed" } else { "declined" }})), now)
                }
            };
            let l = card(&r, "wecom");
            match res {
                Err(e) => {
                    prop_assert_eq!(&r, &before, "a refused step changed the room");
                    prop_assert!(!e.message.is_empty());
                }
                Ok(fx) => {
                    for e in &fx.events {
                        match &e.event {
                            Event::LeadConfirm { consent, .. } => {
                                prop_assert!(*consent && prev.consent(), "confirmed without consent");
                                let idle = !matches!(prev.state(), LeadState::Pending { .. } | LeadState::Confirmed { .. });
                                prop_assert!(idle, "a confirmation while one was pending or done");
                                confirms += 1;
                            }
                            Event::LeadClicked { via } => prop_assert!(clicks.insert(*via), "a way counted twice"),
                            Event::LeadResult { outcome: LeadOutcome::Declined, .. } => declines += 1,
                            _ => {}
                        }
                    }
                }
            }
            if matches!(prev.state(), LeadState::Confirmed { .. }) {
                prop_assert_eq!(l.state(), prev.state(), "a confirmation was undone");
            }
            if let (LeadState::Pending { request_id: a }, LeadState::Pending { request_id: b }) = (prev.state(), l.state()) {
                prop_assert_eq!(a, b);
            }
            prop_assert!(confirms <= 1 + declines, "a new confirmation only after a declined one");
            let back: Room = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
            prop_assert_eq!(&back, &r);
        }
    }
}
