//! The views in real headless Chromium (wasm-bindgen-test): markup, roles, labels, taps.
#![cfg(target_arch = "wasm32")]
use gloo_timers::future::TimeoutFuture;
use hudong_core::*;
use hudong_widgets::{Clock, Overlay, OverlayProps, Strings};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlButtonElement};
use yew::{AttrValue, Callback};

wasm_bindgen_test_configure!(run_in_browser);

const NOW: Millis = 1_700_000_000_000;

fn room_with(spec: serde_json::Value) -> Room {
    let mut room = Room::new(RoomConfig::new("r", "s").with_user("u"));
    let cmd = decode_command_json(&spec.to_string()).unwrap();
    room.apply(&cmd, NOW).unwrap();
    room
}

fn poll_spec(extra: serde_json::Value) -> serde_json::Value {
    let mut v = serde_json::json!({
        "type": "poll.open", "widget_id": "p1", "question": "Which shade?",
        "options": [{"id": "a", "label": "Ruby"}, {"id": "b", "label": "Rose"}, {"id": "c", "label": "Coral"}]
    });
    v.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    v
}

struct Harness {
    root: Element,
    app: yew::AppHandle<Overlay>,
    props: OverlayProps,
    actions: Rc<RefCell<Vec<Action>>>,
}

impl Harness {
    async fn mount(room: &Room, locale: &str) -> Harness {
        let doc = web_sys::window().unwrap().document().unwrap();
        let root = doc.create_element("div").unwrap();
        doc.body().unwrap().append_child(&root).unwrap();
        let actions = Rc::new(RefCell::new(Vec::new()));
        let sink = actions.clone();
        let props = OverlayProps {
            widgets: Rc::from(room.widgets().to_vec()),
            clock: Clock::fixed(NOW + 1_000),
            on_action: Callback::from(move |a| sink.borrow_mut().push(a)),
            strings: Strings::for_locale(locale),
            theme: AttrValue::Static("light"),
            reconnecting: false,
            tryon: Default::default(),
            layout: Default::default(),
        };
        let app =
            yew::Renderer::<Overlay>::with_root_and_props(root.clone(), props.clone()).render();
        settle().await;
        Harness {
            root,
            app,
            props,
            actions,
        }
    }

    async fn show(&mut self, room: &Room) {
        self.props.widgets = Rc::from(room.widgets().to_vec());
        self.app.update(self.props.clone());
        settle().await;
    }

    fn q(&self, sel: &str) -> Option<Element> {
        self.root.query_selector(sel).unwrap()
    }

    fn all(&self, sel: &str) -> Vec<Element> {
        let list = self.root.query_selector_all(sel).unwrap();
        (0..list.length())
            .map(|i| list.item(i).unwrap().dyn_into().unwrap())
            .collect()
    }

    fn option(&self, id: &str) -> HtmlButtonElement {
        self.q(&format!("button[data-option-id='{id}']"))
            .unwrap()
            .dyn_into()
            .unwrap()
    }
}

async fn settle() {
    TimeoutFuture::new(0).await;
}

/// Waits (up to 2 s) for the DOM to reach a state: renders and their effects may take more
/// than one task on a busy machine.
async fn until(what: &str, f: impl Fn() -> bool) {
    for _ in 0..200 {
        if f() {
            return;
        }
        TimeoutFuture::new(10).await;
    }
    panic!("timed out waiting for {what}");
}

#[wasm_bindgen_test]
async fn renders_an_accessible_poll_and_votes_in_one_tap() {
    let mut room = room_with(poll_spec(serde_json::json!({"closes_at": NOW + 61_000})));
    let mut h = Harness::mount(&room, "en").await;

    let section = h.q("section.hd-poll").expect("a poll card");
    let heading = h.q("h2.hd-q").unwrap();
    assert_eq!(heading.text_content().unwrap(), "Which shade?");
    // The region is named by its question.
    assert_eq!(
        section.get_attribute("aria-labelledby").unwrap(),
        heading.id()
    );
    assert_eq!(
        h.q(".hd-overlay")
            .unwrap()
            .get_attribute("aria-label")
            .unwrap(),
        "Live interactions"
    );
    assert_eq!(
        h.q(".hd-overlay").unwrap().get_attribute("lang").unwrap(),
        "en"
    );
    // Countdown from the server deadline: 60 s left at NOW + 1 s.
    assert_eq!(
        h.q(".hd-countdown time").unwrap().text_content().unwrap(),
        "1:00"
    );
    let buttons = h.all("button.hd-opt");
    assert_eq!(buttons.len(), 3);
    for b in &buttons {
        assert_eq!(b.get_attribute("type").unwrap(), "button");
        assert_eq!(b.get_attribute("aria-pressed").unwrap(), "false");
    }
    assert!(h.q(".hd-opt-pct").is_none(), "no results before voting");

    h.option("b").click();
    assert_eq!(
        *h.actions.borrow(),
        vec![Action::PollVote {
            widget_id: "p1".into(),
            option_ids: vec!["b".into()]
        }]
    );

    // The host applies the action to the engine and feeds the new state back.
    let action = h.actions.borrow()[0].clone();
    room.act(&action, NOW + 1_000).unwrap();
    let tally =
        decode_command_json(r#"{"type":"poll.tally","widget_id":"p1","counts":{"a":1,"b":3}}"#)
            .unwrap();
    room.apply(&tally, NOW + 1_100).unwrap();
    h.show(&room).await;

    assert_eq!(h.option("b").get_attribute("aria-pressed").unwrap(), "true");
    assert!(h.option("b").class_list().contains("hd-mine"));
    assert!(
        h.option("a").disabled(),
        "single choice without re-vote locks after voting"
    );
    let pcts: Vec<String> = h
        .all(".hd-opt-pct")
        .iter()
        .map(|e| e.text_content().unwrap())
        .collect();
    assert_eq!(pcts, vec!["25%", "75%", "0%"]);
    let bar = h.q("button[data-option-id='b'] progress").unwrap();
    assert_eq!(bar.get_attribute("value").unwrap(), "75");
    assert_eq!(bar.get_attribute("aria-hidden").unwrap(), "true");
    let status = h
        .q(".hd-poll [role=status]")
        .unwrap()
        .text_content()
        .unwrap();
    assert!(
        status.contains("Vote received") && status.contains("4 votes"),
        "{status}"
    );

    // One vote (the server resets the count) is "1 vote": the noun follows the plural rules.
    let one = decode_command_json(
        r#"{"type":"poll.tally","widget_id":"p1","counts":{"a":0,"b":1,"c":0},"reset":true}"#,
    )
    .unwrap();
    room.apply(&one, NOW + 1_200).unwrap();
    h.show(&room).await;
    let status = h
        .q(".hd-poll [role=status]")
        .unwrap()
        .text_content()
        .unwrap();
    assert!(
        status.contains("1 vote") && !status.contains("1 votes"),
        "{status}"
    );
}

#[wasm_bindgen_test]
async fn multi_choice_ticks_then_submits() {
    let room = room_with(poll_spec(serde_json::json!({"max_choices": 2})));
    let h = Harness::mount(&room, "zh-CN").await;
    let submit: HtmlButtonElement = h.q("button.hd-submit").unwrap().dyn_into().unwrap();
    assert!(submit.disabled());
    h.option("c").click();
    settle().await;
    h.option("a").click();
    settle().await;
    h.option("b").click(); // a third pick is beyond max_choices: ignored
    settle().await;
    assert_eq!(h.option("a").get_attribute("aria-pressed").unwrap(), "true");
    assert_eq!(
        h.option("b").get_attribute("aria-pressed").unwrap(),
        "false"
    );
    assert!(h.actions.borrow().is_empty(), "ticking does not vote");
    let submit: HtmlButtonElement = h.q("button.hd-submit").unwrap().dyn_into().unwrap();
    assert!(!submit.disabled());
    assert!(submit.text_content().unwrap().contains("(2/2)"));
    submit.click();
    assert_eq!(
        *h.actions.borrow(),
        vec![Action::PollVote {
            widget_id: "p1".into(),
            option_ids: vec!["c".into(), "a".into()]
        }]
    );
}

#[wasm_bindgen_test]
async fn closed_and_revealed_states() {
    let mut room = room_with(poll_spec(serde_json::json!({})));
    let mut h = Harness::mount(&room, "zh-CN").await;
    room.apply(
        &decode_command_json(r#"{"type":"poll.close","widget_id":"p1"}"#).unwrap(),
        NOW,
    )
    .unwrap();
    h.show(&room).await;
    assert_eq!(
        h.q("section").unwrap().get_attribute("data-phase").unwrap(),
        "closed"
    );
    assert!(h
        .all("button.hd-opt")
        .iter()
        .all(|b| b.has_attribute("disabled")));
    assert!(h
        .q(".hd-poll [role=status]")
        .unwrap()
        .text_content()
        .unwrap()
        .contains("投票已截止"));

    room.apply(
        &decode_command_json(r#"{"type":"poll.reveal","widget_id":"p1","counts":{"a":2,"c":5}}"#)
            .unwrap(),
        NOW,
    )
    .unwrap();
    h.show(&room).await;
    assert!(h.option("c").class_list().contains("hd-winner"));
    assert!(!h.option("a").class_list().contains("hd-winner"));
    assert!(h
        .q(".hd-poll [role=status]")
        .unwrap()
        .text_content()
        .unwrap()
        .contains("结果已公布"));
    h.option("a").click();
    assert!(h.actions.borrow().is_empty(), "no votes after close");
}

#[wasm_bindgen_test]
async fn hostile_text_is_rendered_as_text() {
    let payload = r#"<img src=x onerror="window.__pwned=1">"#;
    let room = room_with(serde_json::json!({
        "type": "poll.open", "widget_id": "x1", "question": payload,
        "options": [{"id": "a", "label": payload}, {"id": "b", "label": "</button><script>window.__pwned=1</script>"}]
    }));
    let h = Harness::mount(&room, "en").await;
    settle().await;
    assert_eq!(h.q("h2").unwrap().text_content().unwrap(), payload);
    assert!(h.q("section img").is_none(), "no element was injected");
    assert!(h.q("section script").is_none());
    let pwned = js_sys::Reflect::get(&web_sys::window().unwrap(), &"__pwned".into()).unwrap();
    assert!(pwned.is_undefined());
}

#[wasm_bindgen_test]
async fn unmounting_removes_the_markup() {
    let room = room_with(poll_spec(serde_json::json!({"closes_at": NOW + 5_000})));
    let h = Harness::mount(&room, "en").await;
    assert!(h.q("section").is_some());
    let root = h.root.clone();
    h.app.destroy();
    settle().await;
    assert_eq!(root.child_element_count(), 0);
}

#[wasm_bindgen_test]
async fn reconnecting_notice_is_a_status_shown_only_while_reconnecting() {
    let room = room_with(poll_spec(serde_json::json!({})));
    let mut h = Harness::mount(&room, "en").await;
    let notice = h.q(".hd-conn").unwrap();
    assert!(notice.has_attribute("hidden"));
    assert_eq!(notice.get_attribute("role").unwrap(), "status");
    h.props.reconnecting = true;
    h.show(&room).await;
    let notice = h.q(".hd-conn").unwrap();
    assert!(!notice.has_attribute("hidden"));
    assert_eq!(
        notice.text_content().unwrap(),
        "Connection lost. Reconnecting…"
    );
    h.props.reconnecting = false;
    h.show(&room).await;
    assert!(h.q(".hd-conn").unwrap().has_attribute("hidden"));
}

#[wasm_bindgen_test]
async fn flash_sale_card_through_its_phases() {
    let mut room = Room::new(RoomConfig::new("r", "s").with_user("u"));
    let open = serde_json::json!({
        "type": "flash.open", "widget_id": "f1",
        "product": {"name": "Velvet tint", "price": 8900, "original_price": 15900},
        "stock_total": 10, "starts_at": NOW + 5_000, "ends_at": NOW + 65_000, "gate": "Members only"
    });
    room.apply(&decode_command_json(&open.to_string()).unwrap(), NOW)
        .unwrap();
    let mut h = Harness::mount(&room, "en").await;
    let card = h.q("section.hd-flash").unwrap();
    assert_eq!(card.get_attribute("data-phase").unwrap(), "preview");
    assert_eq!(
        h.q(".hd-price-now").unwrap().text_content().unwrap(),
        "CN¥89.00"
    );
    assert_eq!(
        h.q(".hd-price-was").unwrap().text_content().unwrap(),
        "Was CN¥159.00"
    );
    assert_eq!(
        h.q(".hd-countdown time").unwrap().text_content().unwrap(),
        "4s"
    ); // clock is NOW + 1 s
    assert_eq!(
        h.q(".hd-gate").unwrap().text_content().unwrap(),
        "Members only"
    );
    let remind: HtmlButtonElement = h.q("button.hd-submit").unwrap().dyn_into().unwrap();
    assert_eq!(remind.text_content().unwrap(), "Remind me");
    remind.click();
    assert_eq!(
        *h.actions.borrow(),
        vec![Action::FlashRemind {
            widget_id: "f1".into()
        }]
    );

    // Live: the clock moves past the start.
    h.props.clock = Clock::fixed(NOW + 6_000);
    room.tick(NOW + 6_000);
    h.show(&room).await;
    assert_eq!(
        h.q("section.hd-flash")
            .unwrap()
            .get_attribute("data-phase")
            .unwrap(),
        "live"
    );
    assert_eq!(
        h.q(".hd-stock-text").unwrap().text_content().unwrap(),
        "Left: 10 units"
    );
    let grab: HtmlButtonElement = h.q("button.hd-grab").unwrap().dyn_into().unwrap();
    grab.click();
    assert_eq!(
        h.actions.borrow().last(),
        Some(&Action::FlashGrab {
            widget_id: "f1".into()
        })
    );
    room.act(
        &Action::FlashGrab {
            widget_id: "f1".into(),
        },
        NOW + 6_000,
    )
    .unwrap();
    h.show(&room).await;
    let grab: HtmlButtonElement = h.q("button.hd-grab").unwrap().dyn_into().unwrap();
    assert!(grab.disabled(), "pending");
    assert_eq!(grab.get_attribute("aria-busy").unwrap(), "true");
    assert_eq!(
        h.q(".hd-flash [role=status]")
            .unwrap()
            .text_content()
            .unwrap(),
        "Confirming…"
    );
}

#[wasm_bindgen_test]
async fn redeem_card_confirms_before_sending_and_explains_blocked_items() {
    let mut room = room_with(serde_json::json!({
        "type": "redeem.open", "widget_id": "shop",
        "tiers": [{"id": "new", "name": "Newcomer"}, {"id": "pro", "name": "Pro"}],
        "items": [
            {"item_id": "coupon", "name": "<img src=x onerror=alert(1)> coupon", "cost": 100, "stock": 5},
            {"item_id": "gift", "name": "Gift box", "cost": 50, "stock": 5, "tier": "pro"},
            {"item_id": "big", "name": "Big prize", "cost": 900, "stock": 1}
        ]
    }));
    let account =
        r#"{"type":"redeem.account","widget_id":"shop","user_id":"u","balance":250,"tier":"new"}"#;
    room.apply(&decode_command_json(account).unwrap(), NOW)
        .unwrap();
    let mut h = Harness::mount(&room, "en").await;

    let card = h.q("section.hd-redeem").expect("a redeem card");
    let heading = h.q("section.hd-redeem h2").unwrap();
    assert_eq!(card.get_attribute("aria-labelledby").unwrap(), heading.id());
    assert_eq!(h.q(".hd-balance-n").unwrap().text_content().unwrap(), "250");
    // Hostile names are text, never markup.
    assert!(h.q(".hd-redeem img[src=x]").is_none());
    assert!(h
        .q("li[data-item-id=coupon] .hd-item-name")
        .unwrap()
        .text_content()
        .unwrap()
        .starts_with("<img"));
    // Each item is named for assistive tech, and blocked ones say why.
    let gift = h.q("li[data-item-id=gift]").unwrap();
    assert!(gift
        .text_content()
        .unwrap()
        .contains("Your tier is too low"));
    let gift_button: HtmlButtonElement = h
        .q("li[data-item-id=gift] button")
        .unwrap()
        .dyn_into()
        .unwrap();
    assert!(gift_button.disabled());
    assert!(h
        .q("li[data-item-id=big]")
        .unwrap()
        .text_content()
        .unwrap()
        .contains("Not enough points"));

    // Redeem asks for a confirmation; only Confirm sends the action.
    let redeem: HtmlButtonElement = h
        .q("li[data-item-id=coupon] button")
        .unwrap()
        .dyn_into()
        .unwrap();
    assert_eq!(redeem.text_content().unwrap(), "Redeem");
    redeem.click();
    settle().await;
    assert!(h.actions.borrow().is_empty());
    let group = h
        .q("li[data-item-id=coupon] [role=group]")
        .expect("a confirm step");
    assert_eq!(group.get_attribute("aria-label").unwrap(), "Redeem this?");
    let confirm: HtmlButtonElement = h
        .q("li[data-item-id=coupon] [role=group] button")
        .unwrap()
        .dyn_into()
        .unwrap();
    assert_eq!(confirm.text_content().unwrap(), "Confirm");
    confirm.click();
    settle().await;
    assert_eq!(
        *h.actions.borrow(),
        vec![Action::RedeemRequest {
            widget_id: "shop".into(),
            item_id: "coupon".into()
        }]
    );

    let action = h.actions.borrow()[0].clone();
    room.act(&action, NOW + 1).unwrap();
    h.show(&room).await;
    until("the pending state", || {
        h.q("section.hd-redeem")
            .and_then(|c| c.get_attribute("data-pending"))
            .as_deref()
            == Some("true")
    })
    .await;
    assert_eq!(
        h.q(".hd-balance-n").unwrap().text_content().unwrap(),
        "150",
        "optimistic while pending"
    );
    assert_eq!(
        h.q("section.hd-redeem")
            .unwrap()
            .get_attribute("data-pending")
            .unwrap(),
        "true"
    );
    let busy = h.q("li[data-item-id=coupon] button").unwrap();
    assert_eq!(busy.get_attribute("aria-busy").unwrap(), "true");
}

#[wasm_bindgen_test]
async fn tryon_card_asks_before_the_camera() {
    let mut room = room_with(serde_json::json!({
        "type": "tryon.open", "widget_id": "ar",
        "product": {"name": "Gold sunglasses", "sku": "SUN-1", "image": "/assets/sunglasses.svg", "price": 12900}
    }));
    let mut h = Harness::mount(&room, "en").await;
    let card = h.q("section.hd-tryon").expect("a try-on card");
    assert_eq!(card.get_attribute("data-phase").unwrap(), "idle");
    assert!(
        h.q(".hd-ar-stage").unwrap().has_attribute("hidden"),
        "no camera view before a tap"
    );
    let try_on: HtmlButtonElement = h
        .q("section.hd-tryon .hd-submit")
        .unwrap()
        .dyn_into()
        .unwrap();
    assert_eq!(try_on.text_content().unwrap(), "Try it on");
    try_on.click();
    let action = h.actions.borrow()[0].clone();
    assert_eq!(
        action,
        Action::TryOnStart {
            widget_id: "ar".into()
        }
    );
    room.act(&action, NOW + 1).unwrap();
    h.show(&room).await;
    until("the explanation", || {
        h.q("section.hd-tryon")
            .and_then(|c| c.get_attribute("data-phase"))
            .as_deref()
            == Some("explain")
    })
    .await;
    let card = h.q("section.hd-tryon").unwrap();
    assert!(card
        .text_content()
        .unwrap()
        .contains("nothing is uploaded or recorded"));
    let labels: Vec<String> = h
        .all("section.hd-tryon button")
        .iter()
        .map(|b| b.text_content().unwrap())
        .collect();
    assert!(
        labels.contains(&"Use my camera".to_string())
            && labels.contains(&"Use a photo instead".to_string()),
        "{labels:?}"
    );
    // Still no camera: only the viewer's "Use my camera" asks for it.
    assert!(h.q(".hd-ar-stage").unwrap().has_attribute("hidden"));
}

#[wasm_bindgen_test]
async fn lottery_card_enters_once_then_shows_the_draw_and_the_claim() {
    let mut room = room_with(serde_json::json!({
        "type": "lottery.open", "widget_id": "bag", "prize": {"name": "Lip gloss", "count": 3},
        "condition": "keyword", "keyword": "I want it", "draw_at": NOW + 60_000
    }));
    let mut h = Harness::mount(&room, "en").await;
    let card = h.q("section.hd-lottery").expect("a lottery card");
    assert_eq!(card.get_attribute("data-phase").unwrap(), "open");
    assert!(
        card.text_content().unwrap().contains("「I want it」"),
        "the keyword is shown"
    );
    assert_eq!(
        h.q(".hd-lottery .hd-countdown time")
            .unwrap()
            .text_content()
            .unwrap(),
        "59s"
    );
    let enter: HtmlButtonElement = h
        .q("section.hd-lottery .hd-submit")
        .unwrap()
        .dyn_into()
        .unwrap();
    enter.click();
    let action = h.actions.borrow()[0].clone();
    assert_eq!(
        action,
        Action::LotteryEnter {
            widget_id: "bag".into()
        }
    );
    room.act(&action, NOW + 1_000).unwrap();
    h.show(&room).await;
    until("pending", || {
        h.q("section.hd-lottery .hd-submit")
            .is_some_and(|b| b.get_attribute("aria-busy").as_deref() == Some("true"))
    })
    .await;
    let draw = r#"{"type":"lottery.draw","widget_id":"bag","winners":["Mei","u"],"entries":42}"#;
    room.apply(&decode_command_json(draw).unwrap(), NOW + 61_000)
        .unwrap();
    room.apply(
        &decode_command_json(
            r#"{"type":"lottery.result","widget_id":"bag","user_id":"u","won":true}"#,
        )
        .unwrap(),
        NOW + 61_000,
    )
    .unwrap();
    h.show(&room).await;
    until("the draw", || {
        h.q("section.hd-lottery")
            .and_then(|c| c.get_attribute("data-phase"))
            .as_deref()
            == Some("drawn")
    })
    .await;
    let names: Vec<String> = h
        .all(".hd-winners li")
        .iter()
        .map(|e| e.text_content().unwrap())
        .collect();
    assert_eq!(names, ["Mei", "u"]);
    assert!(h
        .q(".hd-won")
        .unwrap()
        .text_content()
        .unwrap()
        .contains("You won!"));
    let claim: HtmlButtonElement = h
        .q("section.hd-lottery .hd-submit")
        .unwrap()
        .dyn_into()
        .unwrap();
    assert_eq!(claim.text_content().unwrap(), "Claim the prize");
}

#[wasm_bindgen_test]
async fn lead_card_draws_its_qr_code_asks_consent_before_confirming_and_folds() {
    let mut room = room_with(serde_json::json!({
        "type": "lead.open", "widget_id": "g", "target": "wecom_group", "title": "Join the fan group",
        "perk": "A coupon for joining", "perk_until": NOW + 30_000, "url": "https://work.weixin.qq.com/gm/abc",
        "code": "fans-01", "purpose": "Show reminders and fan offers"
    }));
    let mut h = Harness::mount(&room, "en").await;
    let card = h.q("section.hd-lead").expect("a lead card");
    // The QR code is drawn here, from the URL, and labelled; it decodes to the same modules
    // the encoder gives (the path is the encoder's output, merged into runs).
    let svg = h.q("section.hd-lead svg[role='img']").expect("a QR code");
    assert_eq!(
        svg.get_attribute("aria-label").unwrap(),
        "QR code: Join the fan group"
    );
    let (size, d) = hudong_widgets::qr_path("https://work.weixin.qq.com/gm/abc").unwrap();
    assert_eq!(
        svg.get_attribute("viewBox").unwrap(),
        format!("0 0 {size} {size}")
    );
    assert_eq!(
        h.q("section.hd-lead svg[role='img'] path")
            .unwrap()
            .get_attribute("d")
            .unwrap(),
        d
    );
    let link = h.q("section.hd-lead a.hd-link").unwrap();
    assert_eq!(
        link.get_attribute("href").unwrap(),
        "https://work.weixin.qq.com/gm/abc"
    );
    assert_eq!(link.get_attribute("rel").unwrap(), "noopener noreferrer");
    assert!(card
        .text_content()
        .unwrap()
        .contains("A coupon for joining"));
    assert_eq!(
        h.q(".hd-lead .hd-countdown time")
            .unwrap()
            .text_content()
            .unwrap(),
        "29s"
    );
    // Consent with its purpose, labelled; the confirm button waits for it.
    let label = h.q("label.hd-consent").unwrap();
    assert!(label
        .text_content()
        .unwrap()
        .ends_with("for: Show reminders and fan offers"));
    let confirm: HtmlButtonElement = h
        .q("section.hd-lead .hd-submit")
        .unwrap()
        .dyn_into()
        .unwrap();
    assert!(confirm.disabled());
    let checkbox: web_sys::HtmlInputElement =
        h.q("label.hd-consent input").unwrap().dyn_into().unwrap();
    checkbox.click();
    assert_eq!(
        h.actions.borrow().last().unwrap(),
        &Action::LeadConsent {
            widget_id: "g".into(),
            given: true
        }
    );
    let a = h.actions.borrow().last().unwrap().clone();
    room.act(&a, NOW + 1_000).unwrap();
    h.show(&room).await;
    let confirm: HtmlButtonElement = h
        .q("section.hd-lead .hd-submit")
        .unwrap()
        .dyn_into()
        .unwrap();
    assert!(!confirm.disabled());
    assert_eq!(confirm.text_content().unwrap(), "I've joined");
    confirm.click();
    assert_eq!(
        h.actions.borrow().last().unwrap(),
        &Action::LeadConfirm {
            widget_id: "g".into()
        }
    );
    // Folding leaves a chip that opens it again.
    let fold: HtmlButtonElement = h
        .q("section.hd-lead button.hd-fold")
        .unwrap()
        .dyn_into()
        .unwrap();
    assert_eq!(fold.get_attribute("aria-expanded").unwrap(), "true");
    fold.click();
    let a = h.actions.borrow().last().unwrap().clone();
    assert_eq!(
        a,
        Action::LeadFold {
            widget_id: "g".into(),
            folded: true
        }
    );
    room.act(&a, NOW + 2_000).unwrap();
    h.show(&room).await;
    until("the chip", || h.q("section.hd-lead.hd-chip").is_some()).await;
    assert!(h.q("section.hd-lead svg").is_none(), "folded: no QR code");
    let chip = h.q("section.hd-chip button").unwrap();
    assert_eq!(chip.get_attribute("aria-expanded").unwrap(), "false");
    assert!(chip.text_content().unwrap().contains("Join the fan group"));
}

#[wasm_bindgen_test]
async fn likes_sit_in_the_tray_below_the_cards_with_a_labelled_heart_and_goal_bar() {
    let mut room = room_with(
        serde_json::json!({"type": "likes.open", "widget_id": "likes", "goal": {"target": 20000, "reward": "A coupon"}}),
    );
    room.apply(
        &decode_command_json(&poll_spec(serde_json::json!({})).to_string()).unwrap(),
        NOW,
    )
    .unwrap();
    room.apply(
        &decode_command_json(r#"{"type":"likes.total","widget_id":"likes","total":12345}"#)
            .unwrap(),
        NOW,
    )
    .unwrap();
    let h = Harness::mount(&room, "en").await;
    // Opened first, but the like button goes to the tray after the cards.
    let children: Vec<String> = h
        .all(".hd-overlay > *")
        .iter()
        .map(|e| e.class_name())
        .collect();
    assert_eq!(children.len(), 3, "{children:?}");
    assert!(
        children[1].starts_with("hd-card hd-poll") && children[2] == "hd-tray",
        "{children:?}"
    );
    assert!(h.q(".hd-tray section.hd-likes").is_some());
    let heart: HtmlButtonElement = h.q(".hd-likes button.hd-like").unwrap().dyn_into().unwrap();
    assert_eq!(
        heart.get_attribute("aria-label").unwrap(),
        "Like (12.3K likes)"
    );
    let bar = h.q(".hd-likes progress").unwrap();
    assert_eq!(
        (
            bar.get_attribute("max").unwrap(),
            bar.get_attribute("value").unwrap()
        ),
        ("20000".into(), "12345".into())
    );
    assert!(h
        .q(".hd-likes .hd-goal-text")
        .unwrap()
        .text_content()
        .unwrap()
        .contains("A coupon"));
    heart.click();
    assert_eq!(
        h.actions.borrow().last().unwrap(),
        &Action::LikeTap {
            widget_id: "likes".into()
        }
    );
    until("a heart floats", || h.q(".hd-heart").is_some()).await;
}

#[wasm_bindgen_test]
async fn the_hosts_layout_keeps_two_cards_the_rest_wait_as_chips_that_open() {
    let mut room = room_with(poll_spec(serde_json::json!({})));
    for c in [
        r#"{"type":"quiz.open","widget_id":"q","title":"Lip quiz"}"#,
        r#"{"type":"coupon.open","widget_id":"c","kind":"coupon","name":"Save 20","value":2000,"quantity":5,"ends_at":1800000000000,"valid_ms":1000}"#,
        r#"{"type":"likes.open","widget_id":"l"}"#,
        r#"{"type":"room.layout","max_cards":2,"focus":["p1"],"keep_clear":40}"#,
    ] {
        room.apply(&decode_command_json(c).unwrap(), NOW).unwrap();
    }
    let mut h = Harness::mount(&room, "en").await;
    h.props.layout = room.layout().clone();
    h.show(&room).await;
    let cards: Vec<String> = h
        .all(".hd-overlay > section")
        .iter()
        .map(|e| e.get_attribute("data-widget-id").unwrap_or_default())
        .collect();
    assert_eq!(cards, ["p1", "c"], "the host's focus, then the newest");
    let chip = h
        .q(".hd-tray section.hd-chip[data-chip-for='q'] button")
        .expect("the quiz waits as a chip");
    assert_eq!(chip.text_content().unwrap(), "Quiz Lip quiz");
    assert!(
        h.q(".hd-tray section.hd-likes").is_some(),
        "compact widgets live in the tray"
    );
    // The top 40% of the video stays clear: the overlay may use 60% of the height.
    let overlay: web_sys::HtmlElement = h.q(".hd-overlay").unwrap().dyn_into().unwrap();
    until("the clear top", || {
        overlay
            .style()
            .get_property_value("--_room")
            .unwrap()
            .parse::<f64>()
            == Ok(0.6)
    })
    .await;
    // Opening the chip brings the quiz forward; the host's focus stays.
    chip.dyn_into::<HtmlButtonElement>().unwrap().click();
    until("the quiz card", || h.q("section.hd-quiz").is_some()).await;
    let cards: Vec<String> = h
        .all(".hd-overlay > section")
        .iter()
        .map(|e| e.get_attribute("data-widget-id").unwrap_or_default())
        .collect();
    assert_eq!(cards, ["p1", "q"]);
    assert!(h.q(".hd-tray section.hd-chip[data-chip-for='c']").is_some());
}
