//! # hudong-core
//!
//! The pure heart of Hudong: the wire protocol, the widget state machines and the room
//! engine that routes commands and viewer actions to them.
//!
//! Nothing here touches a browser, a clock or a socket. Time is passed in as `now`
//! (milliseconds of server time), randomness comes from a seed, and every step returns
//! what the outside world should do ([`Effects`]): emit events, re-render, wake up later.
//! The same code runs in the browser (compiled to wasm) and natively, where a backend can
//! replay what a client did and check it.
//!
//! ```
//! use hudong_core::{Room, RoomConfig, Command, Action};
//!
//! let mut room = Room::new(RoomConfig::new("room-1", "session-a").with_user("u-42"));
//! let open: Command = serde_json::from_str(r#"{
//!     "type": "poll.open", "widget_id": "p1", "question": "Next product?",
//!     "options": [{"id": "a", "label": "Lipstick"}, {"id": "b", "label": "Serum"}]
//! }"#).unwrap();
//! room.apply(&open, 1_000).unwrap();
//! let fx = room.act(&Action::PollVote { widget_id: "p1".into(), option_ids: vec!["b".into()] }, 2_000).unwrap();
//! assert_eq!(fx.events[0].event.type_name(), "poll.vote");
//! ```
#![forbid(unsafe_code)]

pub mod blame;
pub mod channel;
mod coupon;
mod decode;
pub mod delivery;
mod error;
#[cfg(feature = "fault")]
pub mod fault;
mod flash;
pub mod layout;
mod lead;
mod leaderboard;
mod likes;
pub mod limits;
mod lottery;
pub mod money;
mod poll;
mod products;
mod protocol;
mod questions;
mod quiz;
mod redeem;
mod rng;
mod room;
mod tasks;
mod tryon;
#[cfg(feature = "typescript")]
pub mod typescript;
pub mod validate;
pub mod widget;
pub mod wire;

pub use coupon::Coupon;
pub use decode::decode_command;
#[cfg(feature = "json")]
pub use decode::decode_command_json;
pub use error::{ErrorCode, HudongError};
pub use flash::{FlashPhase, FlashSale};
pub use lead::Lead;
pub use leaderboard::{
    Leaderboard, LeaderboardPhase, LeaderboardRanks, LeaderboardSnapshot, LeaderboardSpec,
    LeaderboardStanding, RankRow, RankTier,
};
pub use likes::{Likes, FLUSH_MS as LIKE_FLUSH_MS, MAX_TAPS_PER_SEC};
pub use lottery::Lottery;
pub use poll::{Poll, PollPhase};
pub use products::{Products, LOW_STOCK};
pub use protocol::{
    Account, Action, Addressee, CameraResult, ClaimOutcome, CloseReason, Command, CouponGate,
    CouponKind, CouponOutcome, CouponPhase, CouponResult, CouponSnapshot, CouponSpec, CouponStock,
    CouponWallet, EntryCondition, EntryOutcome, Envelope, Event, FlashExtend, FlashResult,
    FlashSnapshot, FlashSpec, FlashStock, GrabOutcome, LeadOutcome, LeadResult, LeadSnapshot,
    LeadSpec, LeadState, LeadTarget, LeadVia, LeaderboardRow, LikeGoal, LikesSnapshot, LikesSpec,
    LikesTotal, LotteryClaimed, LotteryDraw, LotteryEntries, LotteryEntry, LotteryPhase,
    LotteryResult, LotterySnapshot, LotterySpec, MyClaim, MyEntry, MyQuestion, PendingRedemption,
    Point, PointGain, PollOptionSpec, PollReveal, PollSnapshot, PollSpec, PollTally, Pose, Prize,
    Product, ProductIntent, ProductPin, ProductPresent, ProductStock, ProductUnpin,
    ProductsSnapshot, ProductsSpec, QuestionAck, QuestionMark, QuestionQueue, QuestionRef,
    QuestionSpec, QuestionState, QuestionsSnapshot, QuestionsSpec, QueueItem, QuizLeaderboard,
    QuizMode, QuizOption, QuizReveal, QuizSnapshot, QuizSpec, QuizStanding, RedeemAccount,
    RedeemItem, RedeemOutcome, RedeemPoints, RedeemResult, RedeemSnapshot, RedeemSpec, RedeemStock,
    Redemption, RoomSnapshot, ShowcaseProduct, Source, Target, TaskClaim, TaskKind, TaskOutcome,
    TaskResult, TaskSpec, TasksProgress, TasksSnapshot, TasksSpec, Tier, TrackerState, TryOnPhase,
    TryOnProduct, TryOnSnapshot, TryOnSpec, WalletCoupon, WidgetKind, WidgetSnapshot,
    PROTOCOL_VERSION,
};
pub use questions::{
    normalize as normalize_question, Questions, ASK_EVERY_MS, MAX_SHOWN as QUESTIONS_SHOWN,
};
pub use quiz::{Question, QuestionPhase, Quiz};
pub use redeem::Redeem;
pub use room::{Effects, Room, RoomConfig};
pub use tasks::Tasks;
pub use tryon::TryOn;
pub use widget::{Context, Transition, Widget, WidgetState};

/// Milliseconds since the Unix epoch, in server time.
pub type Millis = u64;
