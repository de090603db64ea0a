//! # hudong-widgets
//!
//! The yew views of Hudong's widgets: one module per widget, each a pure function of the
//! core state it is given. Views hold no widget logic: what a tap means is decided by the
//! state machines in `hudong-core`; a view only turns taps into [`Action`]s.
//!
//! The [`Overlay`] component lays out every live widget of a room.
mod clock;
mod countdown;
mod i18n;
mod overlay;

pub use clock::Clock;
pub use coupon::{CouponProps, CouponView};
pub use flash::{FlashProps, FlashView};
pub use i18n::{locale_pack, Strings};
pub use lead::{qr_path, LeadProps, LeadView};
pub use likes::{LikesProps, LikesView};
pub use lottery::{LotteryProps, LotteryView};
pub use overlay::{Overlay, OverlayProps};
pub use poll::{PollProps, PollView};
pub use products::{ProductsProps, ProductsView};
pub use questions::{QuestionsProps, QuestionsView};
pub use quiz::{QuizProps, QuizView};
pub use redeem::{RedeemProps, RedeemView};
pub use tasks::{TasksProps, TasksView};
pub use tryon::{TryOnHooks, TryOnProps, TryOnView};

use yew::{Callback, Html};

/// What every view is given besides its widget's state.
pub(crate) struct Cx<'a> {
    pub clock: &'a Clock,
    pub on_action: &'a Callback<Action>,
    pub strings: &'static Strings,
    /// The tracker and snapshot callback of try-on widgets.
    pub tryon: &'a TryOnHooks,
}

/// A widget's view, implemented by each view module for its core state.
pub(crate) trait View {
    /// The widget as a card (or a compact widget in the tray).
    fn card(&self, cx: &Cx) -> Html;
    /// Its chip in the tray, when the layout folds it: a badge and a title.
    fn chip(&self, strings: &'static Strings) -> (&'static str, &str);
}

/// The view registry: each widget's module, once, with the core's name for its state. It
/// declares the modules and dispatches every kind of [`Widget`](hudong_core::Widget) to its
/// [`View`].
macro_rules! views {
    ($( $(#[$m:meta])* $module:ident: $V:ident; )*) => {
        $( $(#[$m])* mod $module; )*

        pub(crate) fn card(w: &hudong_core::Widget, cx: &Cx) -> Html {
            match w {
                $( $(#[$m])* hudong_core::Widget::$V(w) => View::card(w, cx), )*
            }
        }

        pub(crate) fn chip<'a>(w: &'a hudong_core::Widget, s: &'static Strings) -> (&'static str, &'a str) {
            match w {
                $( $(#[$m])* hudong_core::Widget::$V(w) => View::chip(w, s), )*
            }
        }
    };
}

views! {
    poll: Poll;
    flash: FlashSale;
    quiz: Quiz;
    redeem: Redeem;
    tryon: TryOn;
    lottery: Lottery;
    lead: Lead;
    likes: Likes;
    products: Products;
    coupon: Coupon;
    questions: Questions;
    tasks: Tasks;
    leaderboard: Leaderboard;
    #[cfg(feature = "fault")]
    fault: Fault;
}

pub use hudong_core::Action;

thread_local! {
    static DRAWING: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
    static HALTED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// After a panic: the views' own frame loops (countdowns, the try-on tracker) stop at their
/// next frame instead of scheduling another, even when yew is stuck mid-render and cannot
/// unmount them.
pub fn halt() {
    let _ = HALTED.try_with(|h| h.set(true));
}

pub(crate) fn halted() -> bool {
    HALTED.try_with(|h| h.get()).unwrap_or(false)
}

/// Marks a widget's view as drawing until the guard is dropped: a panic inside it is pinned
/// on the widget ([`hudong_core::blame`]), and [`rendering`] tells that it happened while
/// yew was drawing.
pub(crate) fn drawing(widget_id: &str) -> Drawing {
    DRAWING.with(|d| d.set(d.get() + 1));
    Drawing {
        _blame: hudong_core::blame::enter(widget_id),
    }
}

pub(crate) struct Drawing {
    _blame: hudong_core::blame::Scope,
}

impl Drop for Drawing {
    fn drop(&mut self) {
        DRAWING.with(|d| d.set(d.get().saturating_sub(1)));
    }
}

/// Whether a widget's view is being drawn, or was when the module panicked (the guard
/// is never dropped then): yew's scheduler is stuck mid-render and must not be entered.
pub fn rendering() -> bool {
    DRAWING.try_with(|d| d.get() > 0).unwrap_or(false)
}
