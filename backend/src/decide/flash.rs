//! Flash-sale grabs: live, in stock, under the limit, through the gate; never more orders than units.
use super::*;

/// A flash-sale grab: live, in stock, under the viewer's limit, and through the gate.
pub fn grab(req: Request<'_>) -> Result<(), DecideError> {
    let Some((hub, room, widget, request_id, actor)) = req.fresh()? else {
        return Ok(());
    };
    let now = now_ms();
    let mut rooms = hub.lock();
    let Some(entry) = rooms.get(room) else {
        return Ok(());
    };
    let Some(Widget::FlashSale(sale)) = entry.core.widget(widget) else {
        return Ok(());
    };
    let spec = sale.spec().clone();
    let stock = sale.stock_left();
    let mine = hub.store.successes(room, widget, Some(actor), None)?;
    let outcome = match sale.phase(now) {
        FlashPhase::Ended => "ended",
        FlashPhase::Preview => "not_eligible",
        FlashPhase::SoldOut => "sold_out",
        FlashPhase::Live if stock == 0 => "sold_out",
        FlashPhase::Live if mine >= spec.per_viewer_limit as u64 => "limit_reached",
        FlashPhase::Live if spec.gate.is_some() && !hub.store.is_member(room, actor)? => {
            "not_eligible"
        }
        FlashPhase::Live => "success",
    };
    let mut outcome = outcome;
    let mut answer = json!({"type": "flash.result", "widget_id": widget, "request_id": request_id, "outcome": outcome});
    if outcome == "success" {
        let n = hub.store.next("order")?;
        answer["order_ref"] = format!("ORD-{n:06}").into();
    }
    // Never more orders than units, even with several processes on one database.
    if !req.record_within(&mut outcome, &mut answer, spec.stock_total, now)? {
        drop(rooms);
        req.answered_before()?;
        return Ok(());
    }
    if outcome == "success" {
        let left = json!({"type": "flash.stock", "widget_id": widget, "stock_left": stock - 1});
        hub.post_locked(&mut rooms, room, left)?;
    }
    hub.post_to(&mut rooms, room, actor, answer)?;
    Ok(())
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
