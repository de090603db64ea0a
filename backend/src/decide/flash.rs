//! Flash-sale grabs: live, in stock, under the limit, through the gate; never more orders than units.
use super::*;

/// A flash-sale grab: live, through the gate, then in one transaction of the database
/// (whichever process takes it): in stock and under the viewer's limit. "Live" is judged
/// at the moment the viewer's video showed: a viewer 20 s behind the room who grabs in the
/// last second of the window they saw is in time (bounded by `MAX_BEHIND_MS`).
pub fn grab(req: Request<'_>) -> Result<(), DecideError> {
    let Some((hub, room, widget, request_id, actor)) = req.fresh()? else {
        return Ok(());
    };
    let now = now_ms();
    let seen = req.seen_at();
    let (spec, phase) = {
        let rooms = hub.lock();
        let Some(Widget::FlashSale(sale)) = rooms.get(room).and_then(|e| e.core.widget(widget)) else {
            drop(rooms);
            return req.gone("flash.result", "ended");
        };
        (sale.spec().clone(), sale.phase(seen))
    };
    let result = |outcome: &str| json!({"type": "flash.result", "widget_id": widget, "request_id": request_id, "outcome": outcome});
    let refusal = match phase {
        FlashPhase::Ended => Some("ended"),
        FlashPhase::Preview => Some("not_eligible"),
        FlashPhase::SoldOut => Some("sold_out"),
        FlashPhase::Live if spec.gate.is_some() && !hub.store.is_member(room, actor)? => {
            Some("not_eligible")
        }
        FlashPhase::Live => None,
    };
    if let Some(outcome) = refusal {
        return req.refuse(None, outcome, result(outcome), now);
    }
    let mut answer = result("success");
    answer["order_ref"] = format!("ORD-{:06}", hub.store.next("order")?).into();
    let grant = Grant {
        widget_cap: Some(spec.stock_total),
        viewer_cap: Some(spec.per_viewer_limit as u64),
        ..Grant::default()
    };
    match req.grant(None, grant, now, |_| answer.clone())? {
        Ok(None) => Ok(()),
        Ok(Some(granted)) => {
            let left = spec.stock_total.saturating_sub(granted.successes);
            let mut rooms = hub.lock();
            hub.post_locked(
                &mut rooms,
                room,
                json!({"type": "flash.stock", "widget_id": widget, "stock_left": left}),
            )?;
            hub.post_to(&mut rooms, room, actor, answer)?;
            Ok(())
        }
        Err(GrantOutcome::Limit) => req.refuse(None, "limit_reached", result("limit_reached"), now),
        Err(_) => req.refuse(None, "sold_out", result("sold_out"), now),
    }
}

/// Its events, as the registry routes them.
pub(super) struct Decide;

impl Decider for Decide {
    fn on_event(ev: &Stored<'_>) -> Result<(), DecideError> {
        match ev.event() {
            Event::FlashGrab { request_id } => grab(ev.request(request_id)),
            _ => Ok(()),
        }
    }
}
