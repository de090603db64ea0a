//! Point redemptions: tier, stock, limit and balance.
use super::*;

/// A point redemption: the viewer's tier, then in one transaction of the database
/// (whichever process takes it): the item's stock, their limit and their balance.
pub fn redeem(req: Request<'_>, item_id: &str) -> Result<(), DecideError> {
    let Some((hub, room, widget, request_id, user)) = req.fresh()? else {
        return Ok(());
    };
    let now = now_ms();
    let (spec, shown_stock) = {
        let rooms = hub.lock();
        let Some(Widget::Redeem(shop)) = rooms.get(room).and_then(|e| e.core.widget(widget)) else {
            return Ok(());
        };
        (shop.spec().clone(), shop.stock_of(item_id).unwrap_or(0))
    };
    let Some(item) = spec.items.iter().find(|i| i.item_id == item_id) else {
        return Ok(());
    };
    let account = hub.store.account(room, widget, user)?;
    let rank = |t: Option<&str>| t.and_then(|t| spec.tiers.iter().position(|x| x.id == t));
    let crate::store::PointAccount { balance, tier } = account.clone().unwrap_or_default();
    let result = |outcome: &str, balance: u64| json!({"type": "redeem.result", "widget_id": widget, "request_id": request_id, "outcome": outcome, "balance": balance});
    if item.tier.is_some() && rank(tier.as_deref()) < rank(item.tier.as_deref()) {
        return req.refuse(Some(item_id), "tier_too_low", result("tier_too_low", balance), now);
    }
    if account.is_none() {
        return req.refuse(Some(item_id), "insufficient_points", result("insufficient_points", 0), now);
    }
    let voucher = format!("V-{:06}", hub.store.next("voucher")?);
    let grant = Grant {
        stock_from: Some(shown_stock),
        viewer_cap: Some(item.per_viewer_limit as u64),
        cost: Some(item.cost),
        ..Grant::default()
    };
    let answer = |g: &crate::store::Granted| {
        let mut a = result("success", g.balance.unwrap_or_default());
        a["voucher_ref"] = voucher.clone().into();
        a
    };
    match req.grant(Some(item_id), grant, now, answer)? {
        Ok(None) => Ok(()),
        Ok(Some(g)) => {
            let left = g.stock_left.unwrap_or_default();
            let mut rooms = hub.lock();
            let stock = json!({"type": "redeem.stock", "widget_id": widget, "stock": {item_id: left}});
            hub.post_locked(&mut rooms, room, stock)?;
            hub.post_to(&mut rooms, room, user, answer(&g))?;
            Ok(())
        }
        Err(refused) => {
            let outcome = match refused {
                GrantOutcome::OutOfStock => "out_of_stock",
                GrantOutcome::Limit => "limit_reached",
                _ => "insufficient_points",
            };
            req.refuse(Some(item_id), outcome, result(outcome, balance), now)
        }
    }
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
