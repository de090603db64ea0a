//! # hudong-widgets
//!
//! The yew views of Hudong's widgets: one module per widget, each a pure function of the
//! core state it is given. Views hold no widget logic: what a tap means is decided by the
//! state machines in `hudong-core`; a view only turns taps into [`Action`]s.
//!
//! The [`Overlay`] component lays out every live widget of a room.
mod clock;
mod countdown;
mod coupon;
#[cfg(feature = "fault")]
mod fault;
mod flash;
mod i18n;
mod lead;
mod likes;
mod lottery;
mod overlay;
mod poll;
mod products;
mod questions;
mod quiz;
mod redeem;
mod tasks;
mod tryon;

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
