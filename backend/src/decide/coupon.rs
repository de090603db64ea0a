//! Coupons and red packets: claims behind their gates, never more than the quantity.
use super::*;

/// A coupon or red-packet claim: open at server time, the gate passed (a follow on record, or
/// the viewer's `coupon.shared` event stored), then in one transaction of the database
/// (whichever process takes it): one per viewer, and never more claims than the quantity.
/// A red packet's amount is drawn between a tenth of the value and the value. The viewer
/// gets the result and their wallet; everyone the count left.
pub(super) fn coupon_claim(req: Request<'_>) -> Result<(), DecideError> {
    let Some((hub, room, widget, request_id, actor)) = req.fresh()? else {
        return Ok(());
    };
    let now = now_ms();
    let spec = {
        let rooms = hub.lock();
        let Some(Widget::Coupon(c)) = rooms.get(room).and_then(|r| r.core.widget(widget)) else {
            drop(rooms);
            return req.gone("coupon.result", "ended");
        };
        c.spec().clone()
    };
    let gate_passed = match spec.gate {
        hudong_core::CouponGate::None => true,
        hudong_core::CouponGate::Follow => hub.store.follows(room, actor)?,
        hudong_core::CouponGate::Share => {
            hub.store.has_event(room, widget, actor, "coupon.shared")?
        }
    };
    let result = |outcome: &str| json!({"type": "coupon.result", "widget_id": widget, "request_id": request_id, "outcome": outcome});
    if now >= spec.ends_at {
        return req.refuse(None, "ended", result("ended"), now);
    }
    if now < spec.starts_at || !gate_passed {
        return req.refuse(None, "not_eligible", result("not_eligible"), now);
    }
    let value = match spec.kind {
        hudong_core::CouponKind::Coupon => spec.value,
        hudong_core::CouponKind::RedPacket => {
            let low = (spec.value / 10).max(1);
            low + os_random_below(spec.value - low + 1)
        }
    };
    let mut coupon = json!({"coupon_ref": format!("CPN-{:06}", hub.store.next("coupon")?), "name": spec.name,
        "value": value, "currency": spec.currency, "expires_at": now + spec.valid_ms});
    if let Some(t) = spec.threshold {
        coupon["threshold"] = t.into();
    }
    let mut answer = result("success");
    answer["coupon"] = coupon;
    let grant = Grant {
        widget_cap: Some(spec.quantity),
        viewer_cap: Some(1),
        ..Grant::default()
    };
    let granted = match req.grant(None, grant, now, |_| answer.clone())? {
        Ok(None) => return Ok(()),
        Ok(Some(g)) => g,
        Err(GrantOutcome::Limit) => return req.refuse(None, "limit_reached", result("limit_reached"), now),
        Err(_) => return req.refuse(None, "sold_out", result("sold_out"), now),
    };
    let mut rooms = hub.lock();
    hub.post_to(&mut rooms, room, actor, answer)?;
    let left = json!({"type": "coupon.stock", "widget_id": widget, "left": spec.quantity.saturating_sub(granted.successes)});
    hub.post_locked(&mut rooms, room, left)?;
    let coupons: Vec<Value> = hub
        .store
        .answers_of(room, actor, "success")?
        .iter()
        .filter_map(|a| serde_json::from_str::<Value>(a).ok())
        .filter(|a| a["type"] == "coupon.result")
        .map(|a| a["coupon"].clone())
        .collect();
    let wallet = json!({"type": "coupon.wallet", "widget_id": widget, "user_id": actor, "coupons": coupons});
    hub.post_locked(&mut rooms, room, wallet)?;
    Ok(())
}

/// Its events, as the registry routes them.
pub(super) struct Decide;

impl Decider for Decide {
    fn on_event(ev: &Stored<'_>) -> Result<(), DecideError> {
        match ev.event() {
            Event::CouponClaim { request_id, .. } => coupon_claim(ev.request(request_id)),
            _ => Ok(()),
        }
    }
}
