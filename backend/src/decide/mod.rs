//! The server's side of every reward. The client only asks (`flash.grab`,
//! `redeem.request`, each with a `request_id`); the answer is decided here from the room's
//! state (the same core crate the client runs) and the books in SQLite, recorded once per
//! `request_id`, and announced as a command (`flash.result`, `redeem.result`) with the new
//! stock. Everything happens under the rooms lock, so concurrent taps are serialized and a
//! request seen twice gets its first answer again.
//!
//! One module per widget (`decide/<widget>.rs`); this one routes a stored event to its
//! widget's decision and holds what they share.
mod tallies;
#[cfg(test)]
mod tests;

/// The registry: each widget's decision module, once. It declares the modules and hands
/// every stored event, and every flush, to each of them ([`Decider`]).
macro_rules! deciders {
    ($($m:ident),* $(,)?) => {
        $( mod $m; )*

        /// Hands a stored event to every widget's decisions (each acts on its own types).
        fn each_event(ev: &Stored<'_>) {
            $( if let Err(e) = <$m::Decide as Decider>::on_event(ev) {
                eprintln!("hudong-backend: could not decide {} in room {}: {e}", ev.event().type_name(), ev.room);
            } )*
        }

        /// What every widget's decisions send on their own, a few times a second.
        fn each_flush(hub: &Hub) {
            $( <$m::Decide as Decider>::flush(hub); )*
        }

        /// The `*.open` commands the host console offers for widgets it has no form of its
        /// own for (`GET /widgets`).
        pub fn examples() -> Vec<&'static str> {
            [$( <$m::Decide as Decider>::EXAMPLE, )*].into_iter().flatten().collect()
        }
    };
}

deciders! { coupon, flash, lead, leaderboard, likes, lottery, poll, questions, quiz, redeem, tasks }

pub use lottery::draw_due;
pub use tallies::flush_tallies;

pub(crate) use crate::hub::{now_ms, Hub};
pub(crate) use crate::hub::{RoomEntry, Standing};
pub(crate) use crate::store::{AnswerOutcome, Decision, Grant, GrantOutcome, VoteOutcome};
pub(crate) use hudong_core::{Envelope, Event, FlashPhase, QuizMode, QuizReveal, Widget};
pub(crate) use serde::Deserialize;
pub(crate) use serde_json::{json, Value};
pub(crate) use std::collections::HashMap;

/// Acts on an event the collector stored for the first time: it is read as the core's
/// [`Envelope`], and every widget's decisions see it and act on the types that are theirs.
/// An event of a type the core knows that it cannot read (a field missing or of the wrong
/// type) is refused with the reason; other types are not the server's to decide.
pub fn on_event(hub: &Hub, e: &Value) {
    match decode(e) {
        Ok(Some(env)) => {
            let (Some(widget), Some(actor)) = (env.widget_id.as_deref(), actor(&env)) else {
                return;
            };
            // What a viewer does to a widget is judged on the room as it is now, whichever
            // process took the commands before it.
            if env.event.is_interaction() || env.event.awaits_answer() {
                hub.refresh(&env.room_id);
            }
            each_event(&Stored {
                hub,
                room: &env.room_id,
                widget,
                actor,
                env: &env,
                raw: e,
            });
        }
        Ok(None) => {}
        Err(why) => {
            let err = hudong_core::HudongError::new(hudong_core::ErrorCode::InvalidField, why);
            if let Err(e) = reject(hub, e, &err) {
                eprintln!("hudong-backend: could not record a refusal: {e}");
            }
        }
    }
}

/// A stored event as the core's [`Envelope`]; `None` for a type this build does not know.
pub fn decode(e: &Value) -> Result<Option<Envelope>, String> {
    let kind = e.get("type").and_then(Value::as_str).unwrap_or_default();
    if !Event::TYPES.contains(&kind) {
        return Ok(None);
    }
    Envelope::deserialize(e)
        .map(Some)
        .map_err(|err| format!("a {kind} event that cannot be read: {err}"))
}

/// Who acted: the signed-in viewer, or the session of an anonymous one.
pub fn actor(env: &Envelope) -> Option<&str> {
    env.user_id.as_deref().or(Some(env.session_id.as_str()))
}

/// What a widget's decision module does with the events the server stores, and on its own.
pub(crate) trait Decider {
    /// An event stored for the first time (of any type: a module acts on its own).
    fn on_event(_ev: &Stored<'_>) -> Result<(), DecideError> {
        Ok(())
    }
    /// A few times a second: what goes out without a request (tallies, deadlines).
    fn flush(_hub: &Hub) {}
    /// An example `*.open` command (JSON) the host console offers to send.
    const EXAMPLE: Option<&'static str> = None;
}

/// An event the collector stored (a request, or something the server counts: a vote, an
/// answer, likes, a question), read as the core's [`Envelope`]: the room, the widget, the
/// viewer, and the event as stored, which refusals are recorded against.
#[derive(Clone, Copy)]
pub struct Stored<'a> {
    pub hub: &'a Hub,
    pub room: &'a str,
    pub widget: &'a str,
    pub actor: &'a str,
    pub env: &'a Envelope,
    pub raw: &'a Value,
}

impl<'a> Stored<'a> {
    /// The event itself.
    fn event(&self) -> &'a Event {
        &self.env.event
    }
    /// The event as a reward request answered once under `id`.
    fn request(&self, id: &'a str) -> Request<'a> {
        Request {
            hub: self.hub,
            room: self.room,
            widget: self.widget,
            id,
            actor: self.actor,
            behind: self.behind(),
        }
    }
    /// How far behind the room the viewer's video was when they acted (ms): what their
    /// event says, at most [`crate::limits::MAX_BEHIND_MS`].
    fn behind(&self) -> u64 {
        self.env
            .behind_ms
            .unwrap_or(0)
            .min(crate::limits::MAX_BEHIND_MS)
    }
    /// The moment of the room the viewer acted on: now, shifted back by how far behind the
    /// room their video was (bounded). A timed action (a vote, an answer) is judged then.
    fn seen_at(&self) -> u64 {
        now_ms().saturating_sub(self.behind())
    }
    /// `(hub, room, widget, viewer)`.
    fn parts(&self) -> (&'a Hub, &'a str, &'a str, &'a str) {
        (self.hub, self.room, self.widget, self.actor)
    }
}

fn reject(hub: &Hub, e: &Value, err: &hudong_core::HudongError) -> Result<(), DecideError> {
    Ok(hub
        .store
        .reject(e, err.code.as_str(), &err.message, now_ms())?)
}

/// A name to list (leaderboards, quiz boards, lucky-bag winners): the viewer id masked, as
/// live rooms list people (`a***80`), so nobody's id is published to the room.
pub(crate) fn display_name(actor: &str) -> String {
    let chars: Vec<char> = actor.chars().collect();
    let tail: String = chars[chars.len().saturating_sub(2)..].iter().collect();
    match chars.first() {
        Some(first) if chars.len() > 3 => format!("{first}***{tail}"),
        _ => format!("***{tail}"),
    }
}

/// One reward request as the collector stored it: the room, the widget, the viewer, and
/// the id its answer is recorded under, once.
#[derive(Clone, Copy)]
pub struct Request<'a> {
    pub hub: &'a Hub,
    pub room: &'a str,
    pub widget: &'a str,
    pub id: &'a str,
    pub actor: &'a str,
    /// How far behind the room the viewer's video was (ms, bounded; 0 for the server's own).
    pub behind: u64,
}

/// `(hub, room, widget, request id, viewer)`.
type RequestParts<'a> = (&'a Hub, &'a str, &'a str, &'a str, &'a str);

impl<'a> Request<'a> {
    /// A request decided before: its first answer goes out again (`true`).
    fn answered_before(&self) -> Result<bool, DecideError> {
        let Some(answer) = self.hub.store.decision(self.room, self.actor, self.id)? else {
            return Ok(false);
        };
        let answer: Value = serde_json::from_str(&answer)?;
        let mut rooms = self.hub.lock();
        // A widget removed since: the viewer's room no longer has it either.
        if rooms
            .get(self.room)
            .and_then(|r| r.core.widget(self.widget))
            .is_none()
        {
            return Ok(true);
        }
        self.hub
            .post_to(&mut rooms, self.room, self.actor, answer)?;
        Ok(true)
    }

    /// A request that arrived after its widget left the room (removed while the request was
    /// on its way, as late grabs are in an overloaded show): decided `ended` rather than
    /// dropped, so it counts in the decisions and a copy of it is not judged again. The
    /// answer (`result` with `outcome`) is kept, not sent: the viewer's room has dropped the
    /// widget too.
    /// The moment of the room the viewer acted on (see [`Stored::seen_at`]).
    fn seen_at(&self) -> u64 {
        now_ms().saturating_sub(self.behind)
    }

    fn gone(&self, result: &str, outcome: &str) -> Result<(), DecideError> {
        let answer = json!({"type": result, "widget_id": self.widget, "request_id": self.id, "outcome": outcome});
        self.record(None, "ended", &answer, now_ms())?;
        Ok(())
    }

    /// `(hub, room, widget, request id, viewer)` of a request not decided before; `None`
    /// once its first answer went out again.
    fn fresh(&self) -> Result<Option<RequestParts<'a>>, DecideError> {
        Ok((!self.answered_before()?).then_some((
            self.hub,
            self.room,
            self.widget,
            self.id,
            self.actor,
        )))
    }

    fn decision<'d>(
        &'d self,
        item: Option<&'d str>,
        outcome: &'d str,
        answer: &'d str,
        at: u64,
    ) -> Decision<'d> {
        Decision {
            request_id: self.id,
            room: self.room,
            widget: self.widget,
            actor: self.actor,
            item,
            outcome,
            answer,
            at,
        }
    }

    /// Records the decision (`item`: what it was for); `false` if the request had one.
    fn record(
        &self,
        item: Option<&str>,
        outcome: &str,
        answer: &Value,
        at: u64,
    ) -> Result<bool, DecideError> {
        let answer = answer.to_string();
        Ok(self
            .hub
            .store
            .record_decision(&self.decision(item, outcome, &answer, at))?)
    }

    /// Decides a reward (for `item`, if any) in one transaction of the database
    /// ([`crate::store::Store::grant`]): `Ok(Some(figures))` when it is granted and recorded
    /// with the answer `answer` makes; `Ok(None)` when the request was decided before (its
    /// first answer went out again); otherwise the outcome that refuses it, for the caller
    /// to record and announce.
    fn grant(
        &self,
        item: Option<&str>,
        grant: crate::store::Grant,
        at: u64,
        answer: impl FnOnce(&crate::store::Granted) -> Value,
    ) -> Result<Result<Option<crate::store::Granted>, crate::store::GrantOutcome>, DecideError>
    {
        use crate::store::GrantOutcome;
        let d = self.decision(item, "success", "", at);
        match self.hub.store.grant(&d, grant, |g| answer(g).to_string())? {
            GrantOutcome::Granted(g) => Ok(Ok(Some(g))),
            GrantOutcome::Before(first) => {
                let first: Value = serde_json::from_str(&first)?;
                let mut rooms = self.hub.lock();
                self.hub.post_to(&mut rooms, self.room, self.actor, first)?;
                Ok(Ok(None))
            }
            refused => Ok(Err(refused)),
        }
    }

    /// Records a refusal and tells the viewer (or, if the request was decided meanwhile,
    /// repeats that answer).
    fn refuse(
        &self,
        item: Option<&str>,
        outcome: &str,
        answer: Value,
        at: u64,
    ) -> Result<(), DecideError> {
        if self.record(item, outcome, &answer, at)? {
            let mut rooms = self.hub.lock();
            self.hub
                .post_to(&mut rooms, self.room, self.actor, answer)?;
        } else {
            self.answered_before()?;
        }
        Ok(())
    }
}

/// Refuses an event for a widget the room does not have live (`what`: "poll").
fn no_widget(hub: &Hub, e: &Value, what: &str) -> Result<(), DecideError> {
    let err = hudong_core::HudongError::new(
        hudong_core::ErrorCode::UnknownWidget,
        format!("no live {what} has this id"),
    );
    reject(hub, e, &err)
}

/// Why a decision could not be made (it is then not recorded, and the request is answered
/// when it is sent again).
#[derive(Debug)]
pub enum DecideError {
    /// The store failed (SQLite or PostgreSQL).
    Store(crate::store::Error),
    /// The room's core refused the answer or announcement.
    Refused(hudong_core::HudongError),
    /// A stored answer could not be read back.
    Stored(serde_json::Error),
}

impl std::fmt::Display for DecideError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecideError::Store(e) => write!(f, "store: {e}"),
            DecideError::Refused(e) => write!(f, "refused by the room: {}", e.message),
            DecideError::Stored(e) => write!(f, "a stored answer: {e}"),
        }
    }
}

impl std::error::Error for DecideError {}

impl From<crate::store::Error> for DecideError {
    fn from(e: crate::store::Error) -> Self {
        DecideError::Store(e)
    }
}

impl From<hudong_core::HudongError> for DecideError {
    fn from(e: hudong_core::HudongError) -> Self {
        DecideError::Refused(e)
    }
}

impl From<serde_json::Error> for DecideError {
    fn from(e: serde_json::Error) -> Self {
        DecideError::Stored(e)
    }
}

/// The decisions, as the hub calls them.
pub struct Server;

impl crate::hub::Decisions for Server {
    fn book_question(&self, store: &crate::store::Store, event: &Value) {
        if let Ok(Some(env)) = decode(event) {
            if let Err(e) = questions::book_question(store, &env, now_ms()) {
                eprintln!("hudong-backend: could not book a stored question: {e}");
            }
        }
    }
    fn took(
        &self,
        hub: &Hub,
        rooms: &mut HashMap<String, RoomEntry>,
        room: &str,
        command: &hudong_core::Command,
    ) {
        if let hudong_core::Command::QuizReveal(r) = command {
            quiz::score_reveal(hub, rooms, room, r);
        }
    }
}

/// A random number from the operating system's generator.
fn os_random_below(bound: u64) -> u64 {
    use rand::Rng;
    rand::rng().random_range(0..bound)
}

/// Shuffles uniformly, with the operating system's randomness.
fn shuffle(v: &mut [String]) {
    use rand::seq::SliceRandom;
    v.shuffle(&mut rand::rng());
}
