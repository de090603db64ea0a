//! Wire types: commands in, actions from the viewer, events out. JSON, `type`-tagged,
//! snake_case fields. `docs/protocol.md` is the reference for hosts.
pub use crate::coupon::{
    CouponGate, CouponKind, CouponOutcome, CouponPhase, CouponResult, CouponSnapshot, CouponSpec,
    CouponStock, CouponWallet, MyClaim, WalletCoupon,
};
pub use crate::flash::{
    FlashExtend, FlashResult, FlashSnapshot, FlashSpec, FlashStock, GrabOutcome, Product,
};
pub use crate::lead::{
    LeadOutcome, LeadResult, LeadSnapshot, LeadSpec, LeadState, LeadTarget, LeadVia,
};
use crate::leaderboard::{
    Leaderboard, LeaderboardRanks, LeaderboardSnapshot, LeaderboardSpec, LeaderboardStanding,
};
pub use crate::likes::{LikeGoal, LikesSnapshot, LikesSpec, LikesTotal};
pub use crate::lottery::{
    ClaimOutcome, EntryCondition, EntryOutcome, LotteryClaimed, LotteryDraw, LotteryEntries,
    LotteryEntry, LotteryPhase, LotteryResult, LotterySnapshot, LotterySpec, MyEntry, Prize,
};
pub use crate::products::{
    ProductIntent, ProductPin, ProductPresent, ProductStock, ProductUnpin, ProductsSnapshot,
    ProductsSpec, ShowcaseProduct,
};
pub use crate::questions::{
    MyQuestion, QuestionAck, QuestionMark, QuestionQueue, QuestionState, QuestionsSnapshot,
    QuestionsSpec, QueueItem,
};
pub use crate::quiz::{
    LeaderboardRow, QuestionSpec, QuizLeaderboard, QuizMode, QuizOption, QuizReveal, QuizSnapshot,
    QuizSpec, QuizStanding,
};
pub use crate::redeem::{
    Account, PendingRedemption, PointGain, RedeemAccount, RedeemItem, RedeemOutcome, RedeemPoints,
    RedeemResult, RedeemSnapshot, RedeemSpec, RedeemStock, Redemption, Tier,
};
pub use crate::tasks::{
    TaskClaim, TaskKind, TaskOutcome, TaskResult, TaskSpec, TasksProgress, TasksSnapshot, TasksSpec,
};
pub use crate::tryon::{
    CameraResult, Point, Pose, Source, TrackerState, TryOnPhase, TryOnProduct, TryOnSnapshot,
    TryOnSpec,
};
use crate::Millis;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Version of the command and event schema. Commands may carry `"v": 1`; events always do.
pub const PROTOCOL_VERSION: u32 = 1;

pub use crate::widget::Addressed;

/// Where a command goes: the room itself, any widget by id, or one kind of widget (to open
/// a new one, or to an open one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Addressee {
    /// `room.snapshot`, `room.layout`.
    Room,
    /// `widget.remove`: whatever widget has the id.
    AnyWidget,
    /// `*.open`: a new widget of this kind.
    Opens(WidgetKind),
    /// A live widget of this kind.
    Widget(WidgetKind),
}

macro_rules! addressee {
    (open $W:ident) => {
        Addressee::Opens(WidgetKind::$W)
    };
    (to $W:ident) => {
        Addressee::Widget(WidgetKind::$W)
    };
    (any) => {
        Addressee::AnyWidget
    };
    (room) => {
        Addressee::Room
    };
}

macro_rules! open_arm {
    (open $W:ident, $spec:ident, $now:ident) => {
        Some(crate::widget::open_as($spec.clone(), $now, Widget::$W))
    };
    (open $W:ident, $spec:ident, $w:ident, same) => {
        matches!($w, Widget::$W(x) if crate::widget::WidgetState::spec(x) == $spec)
    };
    ($($other:ident)*, $spec:ident, $now:ident) => { None };
    ($($other:ident)*, $spec:ident, $w:ident, same) => { false };
}

/// The command table: every command once, with its wire `type` and where it goes. It
/// generates the `Command` enum and its `TYPES`, `type_name`, `widget_id` and `addressee`.
macro_rules! commands {
    ($( $(#[doc = $doc:literal])* $(#[cfg($c:meta)])? $V:ident($T:ty) = $name:literal => $route:ident $($W:ident)?; )*) => {
        /// A command from the room's backend (or the host page) to the widgets.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
        #[cfg_attr(feature = "typescript", ts(rename = "CommandBody"))]
        #[serde(tag = "type")]
        pub enum Command {
            $( $(#[doc = $doc])* $(#[cfg($c)])? #[serde(rename = $name)] $V($T), )*
        }

        impl Command {
            /// Every command `type` this build understands.
            pub const TYPES: &'static [&'static str] = &[ $( $(#[cfg($c)])? $name, )* ];

            pub fn type_name(&self) -> &'static str {
                match self {
                    $( $(#[cfg($c)])? Command::$V(_) => $name, )*
                }
            }

            /// The widget the command is for ("" for a room-wide command).
            pub fn widget_id(&self) -> &str {
                match self {
                    $( $(#[cfg($c)])? Command::$V(c) => Addressed::widget_id(c), )*
                }
            }

            /// The one viewer the command is for, when it is that viewer's own.
            pub fn viewer(&self) -> Option<&str> {
                match self {
                    $( $(#[cfg($c)])? Command::$V(c) => Addressed::viewer(c), )*
                }
            }

            /// Where the command goes.
            pub fn addressee(&self) -> Addressee {
                match self {
                    $( $(#[cfg($c)])? Command::$V(_) => addressee!($route $($W)?), )*
                }
            }

            /// For an `*.open` command: the widget it opens (or why it cannot).
            #[allow(unused_variables)]
            pub(crate) fn open(&self, now: Millis) -> Option<Result<(Widget, crate::widget::Transition), crate::HudongError>> {
                match self {
                    $( $(#[cfg($c)])? Command::$V(spec) => open_arm!($route $($W)?, spec, now), )*
                }
            }

            /// For an `*.open` command: whether `w` is the very widget it opens.
            #[allow(unused_variables)]
            pub(crate) fn opens_same(&self, w: &Widget) -> bool {
                match self {
                    $( $(#[cfg($c)])? Command::$V(spec) => open_arm!($route $($W)?, spec, w, same), )*
                }
            }
        }
    };
}

/// The action table: every viewer action once, with its wire `type` and the kind of widget
/// it is for.
macro_rules! actions {
    ($( $(#[doc = $doc:literal])* $(#[cfg($c:meta)])? $V:ident { $($f:ident : $t:ty),* $(,)? } = $name:literal => $W:ident; )*) => {
        /// Something the viewer did (through a view, or a headless host calling the API).
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
        #[serde(tag = "type")]
        pub enum Action {
            $( $(#[doc = $doc])* $(#[cfg($c)])? #[serde(rename = $name)] $V { $($f: $t),* }, )*
        }

        impl Action {
            /// Every action `type` this build understands.
            pub const TYPES: &'static [&'static str] = &[ $( $(#[cfg($c)])? $name, )* ];

            pub fn type_name(&self) -> &'static str {
                match self {
                    $( $(#[cfg($c)])? Action::$V { .. } => $name, )*
                }
            }

            pub fn widget_id(&self) -> &str {
                match self {
                    $( $(#[cfg($c)])? Action::$V { widget_id, .. } => widget_id, )*
                }
            }

            /// The kind of widget the action is for.
            pub fn kind(&self) -> WidgetKind {
                match self {
                    $( $(#[cfg($c)])? Action::$V { .. } => WidgetKind::$W, )*
                }
            }
        }
    };
}

/// The event table: every event once, with its wire `type`.
macro_rules! events {
    ($( $(#[doc = $doc:literal])* $(#[cfg($c:meta)])? $V:ident $({ $($body:tt)* })? = $name:literal $($flag:ident)*; )*) => {
        /// What happened, as reported to the host page and the event transport.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
        #[cfg_attr(feature = "typescript", ts(rename = "EventBody"))]
        #[serde(tag = "type")]
        pub enum Event {
            $( $(#[doc = $doc])* $(#[cfg($c)])? #[serde(rename = $name)] $V $({ $($body)* })?, )*
        }

        impl Event {
            /// Every event `type` this build emits.
            pub const TYPES: &'static [&'static str] = &[ $( $(#[cfg($c)])? $name, )* ];

            pub fn type_name(&self) -> &'static str {
                match self {
                    $( $(#[cfg($c)])? Event::$V { .. } => $name, )*
                }
            }

            /// Whether the event is a viewer's interaction (what the dashboard counts as
            /// taking part: a vote, an answer, a grab, a like, a question…).
            pub fn is_interaction(&self) -> bool {
                match self {
                    $( $(#[cfg($c)])? Event::$V { .. } => has_flag!(interaction; $($flag)*), )*
                }
            }

            /// Whether the viewer is now waiting on the server's answer to this event (a
            /// reward request with a `request_id`: a grab, an entry, a claim, a redemption, a
            /// confirmation, a question). Such an event is sent at once rather than with the
            /// next batch: every millisecond it waits in the queue, the viewer watches
            /// "Entering…" or "Grabbing…".
            pub fn awaits_answer(&self) -> bool {
                match self {
                    $( $(#[cfg($c)])? Event::$V { .. } => has_flag!(request; $($flag)*), )*
                }
            }

            /// The event types that are interactions ([`Event::is_interaction`]).
            pub fn interaction_types() -> impl Iterator<Item = &'static str> {
                const ALL: &[(&str, bool)] = &[ $( $(#[cfg($c)])? ($name, has_flag!(interaction; $($flag)*)), )* ];
                ALL.iter().filter(|(_, yes)| *yes).map(|(t, _)| *t)
            }

            /// The event types a viewer then waits on ([`Event::awaits_answer`]).
            pub fn request_types() -> impl Iterator<Item = &'static str> {
                const ALL: &[(&str, bool)] = &[ $( $(#[cfg($c)])? ($name, has_flag!(request; $($flag)*)), )* ];
                ALL.iter().filter(|(_, yes)| *yes).map(|(t, _)| *t)
            }
        }
    };
}

/// Whether a row of the event table carries a flag (`interaction`, `request`).
macro_rules! has_flag {
    ($want:ident;) => { false };
    (interaction; interaction $($rest:ident)*) => { true };
    (request; request $($rest:ident)*) => { true };
    ($want:ident; $other:ident $($rest:ident)*) => { has_flag!($want; $($rest)*) };
}

use crate::coupon::Coupon;
use crate::flash::FlashSale;
use crate::lead::Lead;
use crate::likes::Likes;
use crate::lottery::Lottery;
use crate::poll::Poll;
use crate::products::Products;
use crate::questions::Questions;
use crate::quiz::Quiz;
use crate::redeem::Redeem;
use crate::tasks::Tasks;
use crate::tryon::TryOn;

// The registry: every kind of widget, its state machine, its snapshot, its wire name.
crate::widget::registry! {
    Poll(Poll, PollSnapshot) = "poll";
    FlashSale(FlashSale, FlashSnapshot) = "flash_sale";
    Quiz(Quiz, QuizSnapshot) = "quiz";
    Redeem(Redeem, RedeemSnapshot) = "redeem";
    TryOn(TryOn, TryOnSnapshot) = "try_on";
    Lottery(Lottery, LotterySnapshot) = "lottery";
    Lead(Lead, LeadSnapshot) = "lead";
    Likes(Likes, LikesSnapshot) = "likes";
    Products(Products, ProductsSnapshot) = "products";
    Coupon(Coupon, CouponSnapshot) = "coupon";
    Questions(Questions, QuestionsSnapshot) = "questions";
    Tasks(Tasks, TasksSnapshot) = "tasks";
    Leaderboard(Leaderboard, LeaderboardSnapshot) = "leaderboard";
    #[cfg(feature = "fault")]
    Fault(crate::fault::Fault, crate::fault::FaultSnapshot) = "fault";
}

commands! {
    /// Show a poll.
    PollOpen(PollSpec) = "poll.open" => open Poll;
    /// Live vote counts from the server.
    PollTally(PollTally) = "poll.tally" => to Poll;
    /// Stop accepting votes.
    PollClose(Target) = "poll.close" => to Poll;
    /// Show the final results (closes the poll if it was open).
    PollReveal(PollReveal) = "poll.reveal" => to Poll;
    /// A widget that fails on purpose (test builds only).
    #[cfg(feature = "fault")]
    FaultOpen(crate::fault::FaultSpec) = "fault.open" => open Fault;
    /// Pokes the failing widget (it panics when it fails on commands).
    #[cfg(feature = "fault")]
    FaultPoke(Target) = "fault.poke" => to Fault;
    /// Take a widget off the overlay.
    WidgetRemove(Target) = "widget.remove" => any;
    /// Show a countdown flash sale.
    FlashOpen(FlashSpec) = "flash.open" => open FlashSale;
    /// Stock left (and viewers waiting), from the server.
    FlashStock(FlashStock) = "flash.stock" => to FlashSale;
    /// A later end.
    FlashExtend(FlashExtend) = "flash.extend" => to FlashSale;
    /// The server's decision on one of the viewer's grabs.
    FlashResult(FlashResult) = "flash.result" => to FlashSale;
    /// End the sale now.
    FlashEnd(Target) = "flash.end" => to FlashSale;
    /// Show a quiz (questions follow).
    QuizOpen(QuizSpec) = "quiz.open" => open Quiz;
    /// The next question (without its answer).
    QuizQuestion(QuestionSpec) = "quiz.question" => to Quiz;
    /// Close the current question's answer window early.
    QuizClose(QuestionRef) = "quiz.close" => to Quiz;
    /// The right answer and how viewers answered.
    QuizReveal(QuizReveal) = "quiz.reveal" => to Quiz;
    /// A viewer's score, streak and elimination, as the server computed them.
    QuizStanding(QuizStanding) = "quiz.standing" => to Quiz;
    /// The top viewers.
    QuizLeaderboard(QuizLeaderboard) = "quiz.leaderboard" => to Quiz;
    /// Show a point-redeem catalog.
    RedeemOpen(RedeemSpec) = "redeem.open" => open Redeem;
    /// One viewer's balance, tier and history.
    RedeemAccount(RedeemAccount) = "redeem.account" => to Redeem;
    /// Points given (or taken) and why.
    RedeemPoints(RedeemPoints) = "redeem.points" => to Redeem;
    /// Units left per item.
    RedeemStock(RedeemStock) = "redeem.stock" => to Redeem;
    /// The server's decision on one of the viewer's redemptions.
    RedeemResult(RedeemResult) = "redeem.result" => to Redeem;
    /// Show an AR try-on card.
    TryOnOpen(TryOnSpec) = "tryon.open" => open TryOn;
    /// Show a lottery (lucky bag).
    LotteryOpen(LotterySpec) = "lottery.open" => open Lottery;
    /// How many viewers entered.
    LotteryEntries(LotteryEntries) = "lottery.entries" => to Lottery;
    /// The server's answer to one viewer's entry.
    LotteryEntry(LotteryEntry) = "lottery.entry" => to Lottery;
    /// The winners, for everyone.
    LotteryDraw(LotteryDraw) = "lottery.draw" => to Lottery;
    /// Whether this viewer won (addressed).
    LotteryResult(LotteryResult) = "lottery.result" => to Lottery;
    /// The server's answer to a winner's claim.
    LotteryClaimed(LotteryClaimed) = "lottery.claimed" => to Lottery;
    /// Show a follow / private-domain lead card.
    LeadOpen(LeadSpec) = "lead.open" => open Lead;
    /// The server's answer to a viewer's confirmation.
    LeadResult(LeadResult) = "lead.result" => to Lead;
    /// Show the like button (with an optional room goal).
    LikesOpen(LikesSpec) = "likes.open" => open Likes;
    /// The room's like total, from the server.
    LikesTotal(LikesTotal) = "likes.total" => to Likes;
    /// Show the product card.
    ProductsOpen(ProductsSpec) = "products.open" => open Products;
    /// The product the host presents now.
    ProductPresent(ProductPresent) = "product.present" => to Products;
    ProductPin(ProductPin) = "product.pin" => to Products;
    ProductUnpin(ProductUnpin) = "product.unpin" => to Products;
    /// Units left of a product on the card.
    ProductStock(ProductStock) = "product.stock" => to Products;
    /// Offer a coupon or red packet.
    CouponOpen(CouponSpec) = "coupon.open" => open Coupon;
    CouponStock(CouponStock) = "coupon.stock" => to Coupon;
    /// The server's answer to a claim.
    CouponResult(CouponResult) = "coupon.result" => to Coupon;
    /// The viewer's coupons (addressed by `user_id`).
    CouponWallet(CouponWallet) = "coupon.wallet" => to Coupon;
    /// Open the question queue.
    QuestionsOpen(QuestionsSpec) = "questions.open" => open Questions;
    /// The room's queue, as the server ranks it.
    QuestionQueue(QuestionQueue) = "question.queue" => to Questions;
    /// The server took a viewer's question (addressed).
    QuestionAck(QuestionAck) = "question.ack" => to Questions;
    /// The host answers a question now, or has answered it.
    QuestionMark(QuestionMark) = "question.mark" => to Questions;
    /// Show the room's tasks.
    TasksOpen(TasksSpec) = "tasks.open" => open Tasks;
    /// A viewer's progress (addressed).
    TasksProgress(TasksProgress) = "tasks.progress" => to Tasks;
    /// The server's answer to a reward claim.
    TaskResult(TaskResult) = "task.result" => to Tasks;
    /// Show the interaction leaderboard (互动热榜).
    LeaderboardOpen(LeaderboardSpec) = "leaderboard.open" => open Leaderboard;
    /// The board as the server counts it (`final` once it closed).
    LeaderboardRanks(LeaderboardRanks) = "leaderboard.ranks" => to Leaderboard;
    /// One viewer's place and reward (addressed).
    LeaderboardStanding(LeaderboardStanding) = "leaderboard.standing" => to Leaderboard;
    /// The whole room as the server knows it: for late joiners, reconnects and gaps.
    RoomSnapshot(RoomSnapshot) = "room.snapshot" => room;
    /// How the overlay arranges widgets: how many cards at once, which first, what to keep clear.
    RoomLayout(crate::layout::Layout) = "room.layout" => room;
}

/// The command payloads that name their widget in a `widget_id` field.
macro_rules! addressed {
    ($($(#[cfg($c:meta)])? $T:ty),* $(,)?) => {
        $( $(#[cfg($c)])? impl Addressed for $T {
            fn widget_id(&self) -> &str {
                &self.widget_id
            }
        } )*
    };
}

addressed!(
    PollSpec,
    PollTally,
    Target,
    PollReveal,
    FlashSpec,
    FlashStock,
    FlashExtend,
    FlashResult,
    QuizSpec,
    QuestionSpec,
    QuestionRef,
    QuizReveal,
    QuizLeaderboard,
    RedeemSpec,
    RedeemStock,
    RedeemResult,
    TryOnSpec,
    LotterySpec,
    LotteryEntries,
    LotteryEntry,
    LotteryDraw,
    LotteryResult,
    LotteryClaimed,
    LeadSpec,
    LeadResult,
    LikesSpec,
    LikesTotal,
    ProductsSpec,
    ProductPresent,
    ProductPin,
    ProductUnpin,
    ProductStock,
    CouponSpec,
    CouponStock,
    CouponResult,
    QuestionsSpec,
    QuestionQueue,
    QuestionAck,
    QuestionMark,
    TasksSpec,
    TaskResult,
    LeaderboardSpec,
    LeaderboardRanks,
    #[cfg(feature = "fault")]
    crate::fault::FaultSpec,
);

/// The command payloads addressed to one viewer by an optional `user_id`.
macro_rules! addressed_to_viewer {
    ($($T:ty),* $(,)?) => {
        $( impl Addressed for $T {
            fn widget_id(&self) -> &str {
                &self.widget_id
            }
            fn viewer(&self) -> Option<&str> {
                self.user_id.as_deref()
            }
        } )*
    };
}

addressed_to_viewer!(
    QuizStanding,
    RedeemAccount,
    RedeemPoints,
    CouponWallet,
    TasksProgress,
    LeaderboardStanding
);

impl Addressed for RoomSnapshot {
    fn widget_id(&self) -> &str {
        ""
    }
}

impl Addressed for crate::layout::Layout {
    fn widget_id(&self) -> &str {
        ""
    }
}

impl Command {
    /// Whether `type` names a command this build knows.
    pub fn knows(kind: &str) -> bool {
        Command::TYPES.contains(&kind) || (cfg!(feature = "fault") && kind.starts_with("fault."))
    }
}

/// `room.snapshot`: every live widget with its state. Applying it makes the room match it:
/// missing widgets appear, absent ones go, states move forward (counts never go down, a
/// closed poll never reopens). Applying it twice, or after the commands it sums up,
/// changes nothing.
///
/// A server may send the room as it was a while ago with the commands since then as its
/// `tail` (the reference backend does, for the last minute): a viewer whose video is behind
/// the room then sees each of them when the video reaches it, not at once: a late joiner
/// gets no spoiler. The channel takes the tail apart (`channel::Sequencer::receive_with_tail`,
/// in the browser glue); applied directly (`room.apply`), the tail is applied at once after
/// the snapshot, which makes the room match the server's present.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct RoomSnapshot {
    pub widgets: Vec<WidgetSnapshot>,
    /// The host's layout, when it set one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layout: Option<crate::layout::Layout>,
    /// The room's commands after this snapshot, in order, each with its sequence number
    /// and stream position, as the channel carried them. Declared for TypeScript only: the
    /// core never decodes it (the glue reads each command of it as the channel's own).
    #[cfg(feature = "typescript")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub tail: Option<Vec<TailCommand>>,
}

/// One command of a snapshot's `tail`: `{seq, pts?, ...command}`.
#[cfg(feature = "typescript")]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct TailCommand {
    pub seq: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub pts: Option<Millis>,
    #[serde(flatten)]
    pub command: Command,
}

// Only for the declarations' build (RoomSnapshot is Eq): the core never compares tails.
#[cfg(feature = "typescript")]
impl Eq for TailCommand {}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct PollSnapshot {
    pub spec: PollSpec,
    pub phase: crate::poll::PollPhase,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub close_reason: Option<CloseReason>,
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub counts: BTreeMap<String, u64>,
    /// The viewer's own choice, when the server knows it (a vote from before a reload).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub my_choice: Vec<String>,
}

/// A command addressed to one question of a quiz.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct QuestionRef {
    pub widget_id: String,
    pub question_id: String,
}

/// A command addressed to one widget and carrying nothing else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct Target {
    pub widget_id: String,
}

/// `poll.open`: the poll's content and rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct PollSpec {
    pub widget_id: String,
    pub question: String,
    pub options: Vec<PollOptionSpec>,
    /// How many options a viewer may pick: 1 is single choice (the default).
    #[serde(default = "one")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub max_choices: u32,
    /// Whether a viewer may change their vote while the poll is open.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub revote: bool,
    /// Server time at which the poll closes by itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closes_at: Option<Millis>,
}

fn one() -> u32 {
    1
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct PollOptionSpec {
    pub id: String,
    pub label: String,
    /// `https:` or relative URL, or a small `data:image/...` URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
}

/// `poll.tally`: counts per option id. Counts never go down unless `reset` is set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct PollTally {
    pub widget_id: String,
    pub counts: BTreeMap<String, u64>,
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub reset: bool,
}

/// `poll.reveal`: optionally with the final counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct PollReveal {
    pub widget_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counts: Option<BTreeMap<String, u64>>,
}

actions! {
    PollVote {
        widget_id: String,
        option_ids: Vec<String>,
    } = "poll.vote" => Poll;
    /// Grab one unit in a live flash sale.
    FlashGrab { widget_id: String } = "flash.grab" => FlashSale;
    /// Be reminded when a flash sale starts.
    FlashRemind { widget_id: String } = "flash.remind" => FlashSale;
    /// Answer the current quiz question (locked once sent).
    QuizAnswer {
        widget_id: String,
        question_id: String,
        option_id: String,
    } = "quiz.answer" => Quiz;
    /// Redeem an item (after the viewer confirmed).
    RedeemRequest { widget_id: String, item_id: String } = "redeem.request" => Redeem;
    /// Tap "try it on": shows why the camera is needed.
    TryOnStart { widget_id: String } = "tryon.start" => TryOn;
    /// Agree to use the camera (or resume it).
    TryOnAllowCamera { widget_id: String } = "tryon.allow_camera" => TryOn;
    /// The browser's answer to the camera request (reported by the glue).
    TryOnCamera {
        widget_id: String,
        result: CameraResult,
    } = "tryon.camera" => TryOn;
    /// Try the product on a photo instead.
    TryOnPhoto { widget_id: String } = "tryon.photo" => TryOn;
    /// The page was hidden (reported by the glue): the camera is released.
    TryOnPause { widget_id: String } = "tryon.pause" => TryOn;
    /// The tracker's state changed (reported by the glue).
    TryOnTracker {
        widget_id: String,
        state: TrackerState,
    } = "tryon.tracker" => TryOn;
    /// The viewer placed the product by hand.
    TryOnPlace { widget_id: String, pose: Pose } = "tryon.place" => TryOn;
    /// A snapshot was taken.
    TryOnSnapshot { widget_id: String } = "tryon.snapshot" => TryOn;
    TryOnAddToCart { widget_id: String } = "tryon.add_to_cart" => TryOn;
    /// Back to the product card.
    TryOnClose { widget_id: String } = "tryon.close" => TryOn;
    /// Enter a lottery (for a keyword lottery: send the keyword).
    LotteryEnter { widget_id: String } = "lottery.enter" => Lottery;
    /// A winner claims the prize.
    LotteryClaim { widget_id: String } = "lottery.claim" => Lottery;
    /// The viewer opened the lead card's link, copied its code or saved its QR code.
    LeadClick { widget_id: String, via: LeadVia } = "lead.click" => Lead;
    /// The viewer ticked (or cleared) the consent box.
    LeadConsent { widget_id: String, given: bool } = "lead.consent" => Lead;
    /// The viewer confirms: followed, added the contact, joined the group.
    LeadConfirm { widget_id: String } = "lead.confirm" => Lead;
    /// The viewer folds the card into the tray, or opens it again.
    LeadFold { widget_id: String, folded: bool } = "lead.fold" => Lead;
    /// A tap on the heart.
    LikeTap { widget_id: String } = "like.tap" => Likes;
    /// "Buy" on a product of the card.
    ProductBuy { widget_id: String, sku: String } = "product.buy" => Products;
    /// "Add to cart" on a product of the card.
    ProductAddToCart { widget_id: String, sku: String } = "product.add_to_cart" => Products;
    /// Claim the coupon or red packet.
    CouponClaim { widget_id: String } = "coupon.claim" => Coupon;
    /// The viewer shared the room (to `channel`, like `wechat_group`).
    CouponShare { widget_id: String, channel: String } = "coupon.share" => Coupon;
    /// Ask a question.
    QuestionAsk { widget_id: String, text: String } = "question.ask" => Questions;
    /// Upvote someone's question.
    QuestionUpvote {
        widget_id: String,
        question_id: String,
    } = "question.upvote" => Questions;
    /// Claim a done task's reward.
    TaskClaim { widget_id: String, task_id: String } = "task.claim" => Tasks;
    /// The viewer shared the room (for a share task).
    TaskShare { widget_id: String, channel: String } = "task.share" => Tasks;
    /// A tap on the failing widget (test builds only).
    #[cfg(feature = "fault")]
    FaultTap { widget_id: String } = "fault.tap" => Fault;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum CloseReason {
    /// The server's deadline passed.
    Deadline,
    /// A `poll.close` or `poll.reveal` command.
    Host,
}

events! {
    WidgetShown = "widget.shown";
    WidgetHidden = "widget.hidden";
    PollVote {
        option_ids: Vec<String>,
        /// Stable for this vote: a backend that sees it twice counts it once.
        idempotency_key: String,
        /// True when this vote replaces an earlier one.
        revote: bool,
    } = "poll.vote" interaction;
    PollClosed { reason: CloseReason } = "poll.closed";
    PollRevealed {
        counts: BTreeMap<String, u64>,
        total: u64,
        /// The option ids with the most votes (several on a tie, none without votes).
        winners: Vec<String>,
        /// The viewer's own choice, if they voted.
        my_choice: Vec<String>,
    } = "poll.revealed";
    /// The viewer asked to be reminded when the sale starts.
    FlashRemind = "flash.remind" interaction;
    /// The sale went live.
    FlashStarted = "flash.started";
    /// The viewer grabbed: the server must answer `request_id` with `flash.result`. The
    /// same `request_id` is an idempotency key: a server that sees it twice grabs once.
    FlashGrab { request_id: String } = "flash.grab" interaction request;
    /// The server's answer to a grab reached the viewer.
    FlashResult {
        request_id: String,
        outcome: GrabOutcome,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        order_ref: Option<String>,
    } = "flash.result";
    /// The sale ended (time, or the host).
    FlashEnded { sold: u64 } = "flash.ended";
    /// A quiz question became visible.
    QuizQuestion { question_id: String } = "quiz.question";
    /// The viewer answered. `time_to_answer_ms` counts from when the question became
    /// visible; `idempotency_key` is one per viewer and question.
    QuizAnswer {
        question_id: String,
        option_id: String,
        time_to_answer_ms: u64,
        idempotency_key: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        team_id: Option<String>,
    } = "quiz.answer" interaction;
    /// The answer was revealed; `right` is whether the viewer's answer was right.
    QuizRevealed {
        question_id: String,
        correct: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        my_answer: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        right: Option<bool>,
    } = "quiz.revealed";
    /// The server made the viewer a spectator (elimination mode).
    QuizEliminated = "quiz.eliminated";
    /// The server let the viewer back in (a revive card).
    QuizRevived = "quiz.revived";
    /// The viewer asked to redeem: the server must answer `request_id` with
    /// `redeem.result`. `request_id` is the idempotency key.
    RedeemRequest {
        request_id: String,
        item_id: String,
        cost: u64,
    } = "redeem.request" interaction request;
    /// The server's answer to a redemption reached the viewer.
    RedeemResult {
        request_id: String,
        item_id: String,
        outcome: RedeemOutcome,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        voucher_ref: Option<String>,
    } = "redeem.result";
    /// Points changed (the view animates it).
    RedeemPoints {
        gain_id: String,
        delta: i64,
        reason: String,
    } = "redeem.points";
    /// The viewer tapped "try it on".
    TryOnOpened = "tryon.opened" interaction;
    /// The camera request's outcome.
    TryOnPermission { result: CameraResult } = "tryon.permission";
    /// The viewer tries the product on a photo.
    TryOnPhoto = "tryon.photo";
    /// The tracker attached, lost or found the target.
    TryOnTracker { state: TrackerState } = "tryon.tracker";
    TryOnSnapshot { source: Source } = "tryon.snapshot";
    /// The viewer tapped "add to cart": the host page adds `sku`.
    TryOnAddToCart {
        sku: String,
        idempotency_key: String,
    } = "tryon.add_to_cart" interaction;
    /// The try-on closed; `duration_ms` is the time the live picture was shown.
    TryOnClosed {
        duration_ms: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        source: Option<Source>,
        snapshots: u32,
    } = "tryon.closed";
    /// The viewer entered a lottery: the server must answer `request_id` with
    /// `lottery.entry` (it is the idempotency key).
    LotteryEnter {
        request_id: String,
        condition: EntryCondition,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        keyword: Option<String>,
    } = "lottery.enter" interaction request;
    LotteryEntry {
        request_id: String,
        outcome: EntryOutcome,
    } = "lottery.entry";
    /// The draw was announced.
    LotteryDrawn { winners: u32, entries: u64 } = "lottery.drawn";
    /// Whether this viewer won.
    LotteryResult { won: bool } = "lottery.result";
    /// A winner claimed: answer `request_id` with `lottery.claimed`.
    LotteryClaim { request_id: String } = "lottery.claim" request;
    LotteryClaimed {
        request_id: String,
        outcome: ClaimOutcome,
    } = "lottery.claimed";
    /// The viewer acted on a lead card (the funnel's "clicked" step).
    LeadClicked { via: LeadVia } = "lead.clicked" interaction;
    /// The viewer ticked or cleared the consent box.
    LeadConsent { given: bool } = "lead.consent";
    /// The viewer confirmed: the server must answer `request_id` with `lead.result`. Carries
    /// the consent and the purpose it was given for (the record the law asks for), and whether
    /// the perk was still on offer on the device.
    LeadConfirm {
        request_id: String,
        target: LeadTarget,
        consent: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        purpose: Option<String>,
        perk_open: bool,
    } = "lead.confirm" interaction request;
    LeadResult {
        request_id: String,
        outcome: LeadOutcome,
        perk: bool,
    } = "lead.result";
    LeadFolded { folded: bool } = "lead.folded";
    /// Taps coalesced on the device: `count` taps since the last one (`batch`: 1, 2, 3… per
    /// widget and session). The server adds `count` to the room's total once per event.
    LikeSent { count: u64, batch: u64 } = "like.sent" interaction;
    /// The server's total reached the room goal.
    LikesGoalReached { target: u64, total: u64 } = "likes.goal_reached";
    /// The leaderboard closed with this viewer in a rewarded rank.
    LeaderboardRewarded {
        rank: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        title: Option<String>,
        reward: String,
    } = "leaderboard.rewarded";
    /// A product came into the spotlight (its exposure to this viewer).
    ProductPresented { sku: String } = "product.presented";
    /// The viewer tapped "buy": the host page opens its checkout for `sku`.
    ProductBuy {
        sku: String,
        price: u64,
        currency: String,
        idempotency_key: String,
    } = "product.buy" interaction;
    /// The viewer tapped "add to cart": the host page adds `sku`.
    ProductAddToCart {
        sku: String,
        price: u64,
        currency: String,
        idempotency_key: String,
    } = "product.add_to_cart" interaction;
    /// The viewer shared the room for a share-gated coupon.
    CouponShared { channel: String } = "coupon.shared" interaction;
    /// A claim: the server must answer `request_id` with `coupon.result`.
    CouponClaim {
        request_id: String,
        gate: CouponGate,
    } = "coupon.claim" interaction request;
    /// The viewer shared the room for a share task.
    TaskShared { channel: String } = "task.shared" interaction;
    /// A reward claim: the server must answer `request_id` with `task.result`.
    TaskClaim { request_id: String, task_id: String } = "task.claim" interaction request;
    TaskResult {
        request_id: String,
        task_id: String,
        outcome: TaskOutcome,
    } = "task.result";
    /// The viewer asked: the server must answer `request_id` with `question.ack`.
    QuestionAsk { request_id: String, text: String } = "question.ask" interaction request;
    QuestionUpvote {
        question_id: String,
        idempotency_key: String,
    } = "question.upvote" interaction;
    /// The server took the question: its id and place.
    QuestionAcked {
        request_id: String,
        question_id: String,
        position: u64,
        merged: bool,
    } = "question.acked";
    /// The host is answering one of this viewer's questions now, or answered it.
    QuestionState {
        question_id: String,
        state: QuestionState,
    } = "question.state";
    /// The answer reached the viewer (`value`: what they got, on success).
    CouponResult {
        request_id: String,
        outcome: CouponOutcome,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        value: Option<u64>,
    } = "coupon.result";
}

/// An event with the context every consumer needs: ids, order and time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename = "HudongEvent"))]
pub struct Envelope {
    /// Schema version ([`PROTOCOL_VERSION`]).
    pub v: u32,
    /// UUIDv7, unique per event: the key to deduplicate on.
    pub event_id: String,
    /// 1, 2, 3… within this session.
    pub seq: u64,
    /// Server time of the event, in ms since the Unix epoch.
    pub at: Millis,
    /// The device's own clock at the event (`at` minus the measured clock offset).
    pub client_at: Millis,
    /// How far the viewer's video was behind the room when the event happened (ms), when
    /// the room follows a video: the viewer acted on the moment `at - behind_ms` of the
    /// stream. A server may judge a timed action (a grab, a vote, an answer) at that
    /// moment, within a bound of its own (the reference backend: 30 s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub behind_ms: Option<Millis>,
    pub room_id: String,
    pub session_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub widget_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<WidgetKind>,
    #[serde(flatten)]
    pub event: Event,
}
