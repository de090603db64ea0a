//! Point redemptions: tier, stock, limit and balance.
use super::*;

/// A point redemption: the viewer's tier, the stock, their limit and their balance.
pub fn redeem(req: Request<'_>, item_id: &str) -> Result<(), DecideError> {
    let Some((hub, room, widget, request_id, user)) = req.fresh()? else {
        return Ok(());
    };
    let now = now_ms();
    let mut rooms = hub.lock();
    let Some(entry) = rooms.get(room) else {
        return Ok(());
    };
    let Some(Widget::Redeem(shop)) = entry.core.widget(widget) else {
        return Ok(());
    };
    let spec = shop.spec().clone();
    let Some(item) = spec.items.iter().find(|i| i.item_id == item_id) else {
        return Ok(());
    };
    let left = shop.stock_of(item_id).unwrap_or(0);
    let account = hub.store.account(room, widget, user)?;
    let mine = hub
        .store
        .successes(room, widget, Some(user), Some(item_id))?;
    let rank = |t: Option<&str>| t.and_then(|t| spec.tiers.iter().position(|x| x.id == t));
    let crate::store::PointAccount { balance, tier } = account.clone().unwrap_or_default();
    let outcome = if item.tier.is_some() && rank(tier.as_deref()) < rank(item.tier.as_deref()) {
        "tier_too_low"
    } else if left == 0 {
        "out_of_stock"
    } else if mine >= item.per_viewer_limit as u64 {
        "limit_reached"
    } else if account.is_none() || balance < item.cost {
        "insufficient_points"
    } else {
        "success"
    };
    let new_balance = if outcome == "success" {
        balance - item.cost
    } else {
        balance
    };
    let mut answer = json!({"type": "redeem.result", "widget_id": widget, "request_id": request_id, "outcome": outcome, "balance": new_balance});
    if outcome == "success" {
        let n = hub.store.next("voucher")?;
        answer["voucher_ref"] = format!("V-{n:06}").into();
    }
    if !req.record(Some(item_id), outcome, &answer, now)? {
        drop(rooms);
        req.answered_before()?;
        return Ok(());
    }
    if outcome == "success" {
        hub.store
            .set_account(room, widget, user, new_balance, tier.as_deref())?;
        let stock =
            json!({"type": "redeem.stock", "widget_id": widget, "stock": {item_id: left - 1}});
        hub.post_locked(&mut rooms, room, stock)?;
    }
    hub.post_to(&mut rooms, room, user, answer)?;
    Ok(())
}

/// Its events, as the registry routes them.
pub(super) struct Decide;

impl Decider for Decide {
    fn on_event(ev: &Stored<'_>) -> Result<(), DecideError> {
        // Points belong to a signed-in viewer: an anonymous session has none.
        match (ev.event(), ev.env.user_id.as_deref()) {
            (
                Event::RedeemRequest {
                    request_id,
                    item_id,
                    ..
                },
                Some(user),
            ) => redeem(
                Request {
                    actor: user,
                    ..ev.request(request_id)
                },
                item_id,
            ),
            _ => Ok(()),
        }
    }
}
