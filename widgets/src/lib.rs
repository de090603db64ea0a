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
