//! What every widget is to the room: a state machine behind one trait ([`WidgetState`]),
//! registered once in [`registry!`](crate::registry). The room routes commands, actions,
//! time and snapshots through the trait and knows no widget by name; a new widget is a
//! module implementing the trait, a line in the registry and its rows in the protocol's
//! tables (`docs/adding-a-widget.md`).
use crate::error::{ErrorCode, HudongError};
use crate::protocol::{Action, Command, Event};
use crate::Millis;

/// What a step did: the events to emit, and whether the view must be redrawn.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Transition {
    pub events: Vec<Event>,
    pub changed: bool,
}

impl Transition {
    pub(crate) fn none() -> Self {
        Transition::default()
    }
    /// The widget's state changed, with these events.
    pub(crate) fn changed(events: Vec<Event>) -> Self {
        Transition {
            events,
            changed: true,
        }
    }
}

/// A message that names the widget it is for.
pub trait Addressed {
    /// The id of the widget the message is for ("" for a room-wide message).
    fn widget_id(&self) -> &str;
    /// The one viewer the message is for, when it is that viewer's own (a quiz standing, a
    /// points balance): other viewers' rooms ignore it, and a server sends it to them only.
    fn viewer(&self) -> Option<&str> {
        None
    }
}

/// Who acts, where and when: given to a widget with every command and action.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// Server time of the step.
    pub now: Millis,
    /// The viewer's user id, when the host gave one (addressed commands compare it).
    pub user_id: Option<&'a str>,
    pub(crate) room_id: &'a str,
    pub(crate) widget_id: &'a str,
    /// The user id, or the session id of an anonymous viewer.
    pub(crate) actor: &'a str,
}

impl Context<'_> {
    /// `room:widget:actor`: the start of every idempotency key this widget makes for this
    /// viewer, so two viewers' (or two widgets') requests never share a key.
    pub fn key_prefix(&self) -> String {
        format!("{}:{}:{}", self.room_id, self.widget_id, self.actor)
    }
}

/// A widget's state machine, as the room drives it. Only the first group of methods is
/// required; time, snapshots and removal have defaults for widgets that need none of them
/// (the shape of rustls' `State`: one thing to write, the rest defaulted).
///
/// Every method that returns an error must leave the widget unchanged.
pub trait WidgetState: Sized {
    /// What its `*.open` command carries.
    type Spec: Clone + PartialEq + Addressed;
    /// Its state as a server sends it to a late joiner.
    type Snapshot;
    /// How errors name this kind of widget ("a poll").
    const NOUN: &'static str;

    /// A new widget from its `*.open` command.
    fn open(spec: Self::Spec, now: Millis) -> Result<(Self, Transition), HudongError>;
    fn spec(&self) -> &Self::Spec;
    /// The spec a snapshot of this kind of widget carries.
    fn spec_of(snapshot: &Self::Snapshot) -> &Self::Spec;
    fn snapshot(&self) -> Self::Snapshot;
    /// A command for this widget (its `*.open` aside). The room only passes commands the
    /// protocol's table routes to this kind.
    fn command(&mut self, command: &Command, cx: &Context) -> Result<Transition, HudongError>;
    /// Something the viewer did. The room only passes actions the protocol's table routes
    /// to this kind.
    fn act(&mut self, action: &Action, cx: &Context) -> Result<Transition, HudongError>;

    fn id(&self) -> &str {
        self.spec().widget_id()
    }
    /// The next server time at which [`WidgetState::tick`] has something to do.
    fn next_deadline(&self, _now: Millis) -> Option<Millis> {
        None
    }
    /// Time passed: move on if a deadline is due.
    fn tick(&mut self, _now: Millis) -> Transition {
        Transition::none()
    }
    /// Whether a snapshot of this widget can be merged (checked before anything changes).
    fn check_snapshot(&self, _snapshot: &Self::Snapshot) -> Result<(), HudongError> {
        Ok(())
    }
    /// Moves the state forward to a snapshot's (never back).
    fn merge_snapshot(
        &mut self,
        _snapshot: &Self::Snapshot,
        _now: Millis,
    ) -> Result<Transition, HudongError> {
        Ok(Transition::none())
    }
    /// The widget is taken off the overlay: what it still has to report.
    fn remove(&mut self, _now: Millis) -> Vec<Event> {
        Vec::new()
    }
}

/// The answer to a command or action of another kind, which the room's routing never lets
/// through (a widget's `command` and `act` end their match with it).
pub(crate) fn not_for<W: WidgetState>() -> HudongError {
    wrong_kind(W::NOUN)
}

pub(crate) fn wrong_kind(noun: &str) -> HudongError {
    HudongError::new(
        ErrorCode::WrongWidgetKind,
        format!("this widget is not {noun}"),
    )
}

/// `impl WidgetState` with what every widget shares written once: the spec and snapshot
/// types (every state keeps its spec in `spec`, every snapshot carries it in `spec`), the
/// noun, the snapshot (the widget's own `snapshot()`), and the routing of commands and
/// actions, given as match arms (anything else is refused as another kind's). The block
/// after them gives the rest (time, snapshots, removal):
///
/// ```text
/// widget_state! {
///     Likes: LikesSpec, LikesSnapshot, "a like button";
///     open(spec, _now) => Likes::open(spec);
///     command(self, _cx) { Command::LikesTotal(t) => Ok(self.set_total(t)) }
///     act(self, cx) { Action::LikeTap { .. } => Ok(self.tap(cx.now)) }
///     fn tick(&mut self, now: Millis) -> Transition { Likes::tick(self, now) }
/// }
/// ```
macro_rules! widget_state {
    ($T:ident: $Spec:ty, $Snap:ty, $noun:literal;
     open($spec:ident, $now:pat) => $open:expr;
     command($cself:ident, $ccx:pat) { $($cp:pat => $ce:expr),* $(,)? }
     act($aself:ident, $acx:pat) { $($ap:pat => $ae:expr),* $(,)? }
     $($rest:tt)*) => {
        impl crate::widget::WidgetState for $T {
            type Spec = $Spec;
            type Snapshot = $Snap;
            const NOUN: &'static str = $noun;
            fn spec(&self) -> &$Spec {
                &self.spec
            }
            fn spec_of(s: &$Snap) -> &$Spec {
                &s.spec
            }
            fn snapshot(&self) -> $Snap {
                $T::snapshot(self)
            }
            fn open(
                $spec: $Spec,
                $now: crate::Millis,
            ) -> Result<(Self, crate::widget::Transition), crate::HudongError> {
                $open
            }
            #[allow(unreachable_patterns)]
            fn command(
                &mut $cself,
                command: &crate::protocol::Command,
                $ccx: &crate::widget::Context,
            ) -> Result<crate::widget::Transition, crate::HudongError> {
                match command {
                    $($cp => $ce,)*
                    _ => Err(crate::widget::not_for::<Self>()),
                }
            }
            #[allow(unreachable_patterns)]
            fn act(
                &mut $aself,
                action: &crate::protocol::Action,
                $acx: &crate::widget::Context,
            ) -> Result<crate::widget::Transition, crate::HudongError> {
                match action {
                    $($ap => $ae,)*
                    _ => Err(crate::widget::not_for::<Self>()),
                }
            }
            $($rest)*
        }
    };
}
pub(crate) use widget_state;

/// The registry: every kind of widget, once. It generates the `WidgetKind`, `Widget` and
/// `WidgetSnapshot` enums (wire names from the string given here) and their dispatch to
/// [`WidgetState`].
macro_rules! registry {
    ($( $(#[$m:meta])* $V:ident($T:ty, $S:ty) = $name:literal; )*) => {
        /// The kinds of widget a room can hold.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
        pub enum WidgetKind {
            $( $(#[$m])* #[serde(rename = $name)] $V, )*
        }

        impl WidgetKind {
            pub fn as_str(self) -> &'static str {
                match self {
                    $( $(#[$m])* WidgetKind::$V => $name, )*
                }
            }
            /// How errors name this kind of widget ("a poll").
            pub fn noun(self) -> &'static str {
                match self {
                    $( $(#[$m])* WidgetKind::$V => <$T as $crate::widget::WidgetState>::NOUN, )*
                }
            }
        }

        /// One live widget.
        #[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
        #[cfg_attr(feature = "typescript", ts(rename = "WidgetState"))]
        #[serde(tag = "kind")]
        pub enum Widget {
            $( $(#[$m])* #[serde(rename = $name)] $V($T), )*
        }

        /// A widget as the server sends it in a `room.snapshot`.
        #[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
        #[serde(tag = "kind")]
        pub enum WidgetSnapshot {
            $( $(#[$m])* #[serde(rename = $name)] $V($S), )*
        }

        impl WidgetSnapshot {
            pub fn widget_id(&self) -> &str {
                match self {
                    $( $(#[$m])* WidgetSnapshot::$V(s) => <$T as $crate::widget::WidgetState>::spec_of(s).widget_id(), )*
                }
            }
            pub fn kind(&self) -> WidgetKind {
                match self {
                    $( $(#[$m])* WidgetSnapshot::$V(_) => WidgetKind::$V, )*
                }
            }
        }

        impl Widget {
            pub fn id(&self) -> &str {
                match self {
                    $( $(#[$m])* Widget::$V(w) => <$T as $crate::widget::WidgetState>::id(w), )*
                }
            }
            pub fn kind(&self) -> WidgetKind {
                match self {
                    $( $(#[$m])* Widget::$V(_) => WidgetKind::$V, )*
                }
            }
            pub(crate) fn next_deadline(&self, now: $crate::Millis) -> Option<$crate::Millis> {
                match self {
                    $( $(#[$m])* Widget::$V(w) => <$T as $crate::widget::WidgetState>::next_deadline(w, now), )*
                }
            }
            pub(crate) fn tick(&mut self, now: $crate::Millis) -> $crate::widget::Transition {
                match self {
                    $( $(#[$m])* Widget::$V(w) => <$T as $crate::widget::WidgetState>::tick(w, now), )*
                }
            }
            pub(crate) fn snapshot(&self) -> WidgetSnapshot {
                match self {
                    $( $(#[$m])* Widget::$V(w) => WidgetSnapshot::$V(<$T as $crate::widget::WidgetState>::snapshot(w)), )*
                }
            }
            pub(crate) fn command(&mut self, c: &Command, cx: &$crate::widget::Context) -> Result<$crate::widget::Transition, $crate::HudongError> {
                match self {
                    $( $(#[$m])* Widget::$V(w) => <$T as $crate::widget::WidgetState>::command(w, c, cx), )*
                }
            }
            pub(crate) fn act(&mut self, a: &Action, cx: &$crate::widget::Context) -> Result<$crate::widget::Transition, $crate::HudongError> {
                match self {
                    $( $(#[$m])* Widget::$V(w) => <$T as $crate::widget::WidgetState>::act(w, a, cx), )*
                }
            }
            pub(crate) fn remove(&mut self, now: $crate::Millis) -> Vec<$crate::protocol::Event> {
                match self {
                    $( $(#[$m])* Widget::$V(w) => <$T as $crate::widget::WidgetState>::remove(w, now), )*
                }
            }
            /// Whether a snapshot describes this very widget (same kind and content).
            pub(crate) fn same_as(&self, s: &WidgetSnapshot) -> bool {
                match (self, s) {
                    $( $(#[$m])* (Widget::$V(w), WidgetSnapshot::$V(s)) =>
                        <$T as $crate::widget::WidgetState>::spec(w) == <$T as $crate::widget::WidgetState>::spec_of(s), )*
                    #[allow(unreachable_patterns)]
                    _ => false,
                }
            }
            pub(crate) fn check_snapshot(&self, s: &WidgetSnapshot) -> Result<(), $crate::HudongError> {
                match (self, s) {
                    $( $(#[$m])* (Widget::$V(w), WidgetSnapshot::$V(s)) => <$T as $crate::widget::WidgetState>::check_snapshot(w, s), )*
                    #[allow(unreachable_patterns)]
                    _ => Err($crate::widget::wrong_snapshot()),
                }
            }
            pub(crate) fn merge_snapshot(&mut self, s: &WidgetSnapshot, now: $crate::Millis) -> Result<$crate::widget::Transition, $crate::HudongError> {
                match (self, s) {
                    $( $(#[$m])* (Widget::$V(w), WidgetSnapshot::$V(s)) => <$T as $crate::widget::WidgetState>::merge_snapshot(w, s, now), )*
                    #[allow(unreachable_patterns)]
                    _ => Err($crate::widget::wrong_snapshot()),
                }
            }
            /// A new widget from a snapshot of it.
            pub(crate) fn from_snapshot(s: &WidgetSnapshot, now: $crate::Millis) -> Result<(Widget, $crate::widget::Transition), $crate::HudongError> {
                match s {
                    $( $(#[$m])* WidgetSnapshot::$V(s) => {
                        let spec = <$T as $crate::widget::WidgetState>::spec_of(s).clone();
                        <$T as $crate::widget::WidgetState>::open(spec, now).map(|(w, t)| (Widget::$V(w), t))
                    } )*
                }
            }
        }
    };
}
pub(crate) use registry;

pub(crate) fn wrong_snapshot() -> HudongError {
    HudongError::new(
        ErrorCode::WrongWidgetKind,
        "snapshot of another kind of widget",
    )
}

pub use crate::protocol::{Widget, WidgetKind, WidgetSnapshot};

/// Opens a widget of the kind `wrap` makes (`Widget::Poll`), from its spec.
pub(crate) fn open_as<W: WidgetState>(
    spec: W::Spec,
    now: Millis,
    wrap: fn(W) -> Widget,
) -> Result<(Widget, Transition), HudongError> {
    W::open(spec, now).map(|(w, t)| (wrap(w), t))
}
