//! The product card: scenarios and properties.
mod common;

use common::*;
use hudong_core::*;
use proptest::prelude::*;
use serde_json::json;

fn product(sku: &str, stock: Option<u64>) -> serde_json::Value {
    let mut p = json!({"sku": sku, "name": format!("丝绒唇釉 {sku}"), "price": 8900, "original_price": 12900});
    if let Some(s) = stock {
        p["stock_left"] = s.into();
    }
    p
}

fn room() -> Room {
    room_with(9, json!({"type": "products.open", "widget_id": "shelf"}), 0)
}

fn shelf(r: &Room) -> Products {
    widget!(r, "shelf", Products)
}

fn buy(sku: &str) -> Action {
    Action::ProductBuy {
        widget_id: "shelf".into(),
        sku: sku.into(),
    }
}

#[test]
fn presenting_pinning_buying_and_a_double_tap() {
    let mut r = room();
    let fx = r.apply(&cmd(json!({"type": "product.present", "widget_id": "shelf", "product": product("lip-01", Some(120))})), 1_000).unwrap();
    assert_eq!(types(&fx), ["product.presented"]);
    // The same product again (a price update) is no new exposure.
    let mut cheaper = product("lip-01", Some(120));
    cheaper["price"] = 7900.into();
    let fx = r
        .apply(
            &cmd(json!({"type": "product.present", "widget_id": "shelf", "product": cheaper})),
            1_100,
        )
        .unwrap();
    assert!(fx.events.is_empty() && fx.render);
    r.apply(&cmd(json!({"type": "product.pin", "widget_id": "shelf", "product": product("serum-02", None)})), 1_200).unwrap();
    assert_eq!(shelf(&r).pinned().len(), 1);

    let fx = r.act(&buy("lip-01"), 2_000).unwrap();
    match &fx.events[0].event {
        Event::ProductBuy {
            sku,
            price,
            currency,
            idempotency_key,
        } => {
            assert_eq!(
                (sku.as_str(), *price, currency.as_str()),
                ("lip-01", 7900, "CNY")
            );
            assert_eq!(idempotency_key, "r1:shelf:u1:buy:1");
        }
        e => panic!("{e:?}"),
    }
    assert!(
        r.act(&buy("lip-01"), 2_300).unwrap().events.is_empty(),
        "a double tap is one tap"
    );
    assert_eq!(
        types(&r.act(&buy("lip-01"), 3_600).unwrap()),
        ["product.buy"],
        "a later tap counts"
    );
    let cart = Action::ProductAddToCart {
        widget_id: "shelf".into(),
        sku: "serum-02".into(),
    };
    assert_eq!(
        types(&r.act(&cart, 3_700).unwrap()),
        ["product.add_to_cart"]
    );
    assert_eq!(
        r.act(&buy("nope"), 4_000).unwrap_err().code,
        ErrorCode::InvalidChoice
    );

    // Sold out: refused, nothing changes.
    r.apply(&cmd(json!({"type": "product.stock", "widget_id": "shelf", "sku": "lip-01", "stock_left": 0})), 5_000).unwrap();
    let before = r.clone();
    assert_eq!(
        r.act(&buy("lip-01"), 9_000).unwrap_err().code,
        ErrorCode::OutOfStock
    );
    assert_eq!(r, before);
}

#[test]
fn bad_products_are_refused_and_pins_are_bounded() {
    let mut r = room();
    for bad in [
        json!({"sku": "a b", "name": "x", "price": 1}),
        json!({"sku": "a", "name": "x", "price": 100, "original_price": 50}),
        json!({"sku": "a", "name": "x", "price": 1, "image": "javascript:alert(1)"}),
        json!({"sku": "a", "name": "x", "price": 1, "currency": "yuan"}),
    ] {
        let e = r
            .apply(
                &cmd(json!({"type": "product.present", "widget_id": "shelf", "product": bad})),
                0,
            )
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidField);
    }
    for i in 0..5 {
        r.apply(&cmd(json!({"type": "product.pin", "widget_id": "shelf", "product": product(&format!("p{i}"), None)})), 0).unwrap();
    }
    let e = r.apply(&cmd(json!({"type": "product.pin", "widget_id": "shelf", "product": product("p9", None)})), 0).unwrap_err();
    assert_eq!(e.code, ErrorCode::LimitReached);
    r.apply(
        &cmd(json!({"type": "product.unpin", "widget_id": "shelf", "sku": "p0"})),
        0,
    )
    .unwrap();
    r.apply(
        &cmd(json!({"type": "product.pin", "widget_id": "shelf", "product": product("p9", None)})),
        0,
    )
    .unwrap();
    assert_eq!(
        shelf(&r)
            .pinned()
            .iter()
            .map(|p| p.sku.as_str())
            .collect::<Vec<_>>(),
        ["p1", "p2", "p3", "p4", "p9"]
    );
}

#[test]
fn a_late_joiner_sees_the_presented_and_pinned_products() {
    let mut r = room();
    r.apply(&cmd(json!({"type": "product.present", "widget_id": "shelf", "product": product("lip-01", None)})), 0).unwrap();
    r.apply(&cmd(json!({"type": "product.pin", "widget_id": "shelf", "product": product("serum-02", None)})), 0).unwrap();
    let mut v = serde_json::to_value(r.snapshot()).unwrap();
    v["type"] = "room.snapshot".into();
    let mut late = Room::new(RoomConfig::new("r1", "s2"));
    let fx = late.apply(&cmd(v.clone()), 10).unwrap();
    assert_eq!(types(&fx), ["widget.shown", "product.presented"]);
    assert_eq!(shelf(&late).snapshot(), shelf(&r).snapshot());
    assert!(
        late.apply(&cmd(v), 20).unwrap().events.is_empty(),
        "idempotent"
    );
}

#[derive(Debug, Clone)]
enum Step {
    Wait(u64),
    Present(u8),
    Pin(u8),
    Unpin(u8),
    Stock(u8, u64),
    Buy(u8),
    Cart(u8),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0u64..3_000).prop_map(Step::Wait),
        (0u8..4).prop_map(Step::Present),
        (0u8..8).prop_map(Step::Pin),
        (0u8..8).prop_map(Step::Unpin),
        ((0u8..8), 0u64..3).prop_map(|(i, n)| Step::Stock(i, n)),
        (0u8..8).prop_map(Step::Buy),
        (0u8..8).prop_map(Step::Cart),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    /// Taps only on products on the card and in stock; never two of the same within the
    /// double-tap window; idempotency keys never repeat; at most five pinned; refused steps
    /// change nothing; the state survives a serde round trip.
    #[test]
    fn product_invariants(steps in prop::collection::vec(step(), 1..60)) {
        let mut r = room();
        let mut now = 0u64;
        let mut keys = std::collections::HashSet::new();
        let mut last: std::collections::HashMap<(String, &str), u64> = Default::default();
        for s in steps {
            let before = r.clone();
            let prev = shelf(&r);
            let sku = |i: u8| format!("p{i}");
            let res = match &s {
                Step::Wait(dt) => { now += dt; Ok(r.tick(now)) }
                Step::Present(i) => r.apply(&cmd(json!({"type": "product.present", "widget_id": "shelf", "product": product(&sku(*i), None)})), now),
                Step::Pin(i) => r.apply(&cmd(json!({"type": "product.pin", "widget_id": "shelf", "product": product(&sku(*i), None)})), now),
                Step::Unpin(i) => r.apply(&cmd(json!({"type": "product.unpin", "widget_id": "shelf", "sku": sku(*i)})), now),
                Step::Stock(i, n) => r.apply(&cmd(json!({"type": "product.stock", "widget_id": "shelf", "sku": sku(*i), "stock_left": n})), now),
                Step::Buy(i) => r.act(&buy(&sku(*i)), now),
                Step::Cart(i) => r.act(&Action::ProductAddToCart { widget_id: "shelf".into(), sku: sku(*i) }, now),
            };
            match res {
                Err(e) => {
                    prop_assert_eq!(&r, &before);
                    prop_assert!(!e.message.is_empty());
                }
                Ok(fx) => for e in &fx.events {
                    let (sku, key, kind) = match &e.event {
                        Event::ProductBuy { sku, idempotency_key, .. } => (sku, idempotency_key, "buy"),
                        Event::ProductAddToCart { sku, idempotency_key, .. } => (sku, idempotency_key, "cart"),
                        _ => continue,
                    };
                    let on_card = prev.current().into_iter().chain(prev.pinned()).find(|p| &p.sku == sku);
                    prop_assert!(on_card.is_some_and(|p| p.stock_left != Some(0)), "a tap on a product not on the card or sold out");
                    prop_assert!(keys.insert(key.clone()), "an idempotency key repeated");
                    if let Some(t) = last.insert((sku.clone(), kind), now) {
                        prop_assert!(now >= t + 1_500, "a double tap counted twice");
                    }
                }
            }
            prop_assert!(shelf(&r).pinned().len() <= 5);
            let back: Room = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
            prop_assert_eq!(&back, &r);
        }
    }
}
