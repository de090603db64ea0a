//! Follow / WeCom lead cards: confirmations, consent, and the perk granted once in time.
use super::*;

/// Network time allowed after a lead card's `perk_until` for a confirmation made in time.
pub(super) const PERK_GRACE_MS: u64 = 2_000;

/// A lead card's confirmation. Where the viewer's details go to the brand, the consent must
/// be in the event (with the purpose, stored with it: the record the law asks for). A follow
/// is recorded as a follow (a follow-to-enter lottery then takes the viewer), a WeCom contact
/// or group as membership (a WeCom-gated flash sale then lets the viewer buy). The perk goes
/// once per viewer and card, to confirmations that reach the server before `perk_until`.
pub(super) fn lead_confirm(
    req: Request<'_>,
    consent: bool,
    signed_in: bool,
) -> Result<(), DecideError> {
    let Some((hub, room, widget, request_id, actor)) = req.fresh()? else {
        return Ok(());
    };
    let now = now_ms();
    let mut rooms = hub.lock();
    let Some(Widget::Lead(l)) = rooms.get(room).and_then(|r| r.core.widget(widget)) else {
        return Ok(());
    };
    let spec = l.spec().clone();
    let confirmed = signed_in && (consent || !spec.target.shares_details());
    let mut answer = json!({"type": "lead.result", "widget_id": widget, "request_id": request_id,
        "outcome": if confirmed { "confirmed" } else { "declined" }});
    let mut outcome = if confirmed { "confirmed" } else { "declined" };
    if confirmed {
        match spec.target {
            hudong_core::LeadTarget::Follow | hudong_core::LeadTarget::OfficialAccount => {
                hub.store.set_follow(room, actor, true)
            }
            hudong_core::LeadTarget::WecomContact | hudong_core::LeadTarget::WecomGroup => {
                hub.store.set_member(room, actor, true)
            }
        }?;
        let in_time = spec.perk_until.is_none_or(|t| now <= t + PERK_GRACE_MS);
        let had_perk = hub
            .store
            .actors_with(room, widget, "perk")?
            .iter()
            .any(|a| a == actor);
        if spec.perk.is_some() && in_time && !had_perk {
            answer["perk_ref"] = format!("PERK-{:06}", hub.store.next("perk")?).into();
            outcome = "perk";
        }
    }
    if req.record(None, outcome, &answer, now)? {
        hub.post_to(&mut rooms, room, actor, answer)?;
    }
    Ok(())
}

/// Its events, as the registry routes them.
pub(super) struct Decide;

impl Decider for Decide {
    fn on_event(ev: &Stored<'_>) -> Result<(), DecideError> {
        match ev.event() {
            Event::LeadConfirm {
                request_id,
                consent,
                ..
            } => lead_confirm(ev.request(request_id), *consent, ev.env.user_id.is_some()),
            _ => Ok(()),
        }
    }
}
