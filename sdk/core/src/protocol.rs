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

/// The kinds of widget a room can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum WidgetKind {
    Poll,
    FlashSale,
    Quiz,
    Redeem,
    TryOn,
    Lottery,
    Lead,
    Likes,
    Products,
    Coupon,
    Questions,
    Tasks,
    #[cfg(feature = "fault")]
    Fault,
}

impl WidgetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            WidgetKind::Poll => "poll",
            WidgetKind::FlashSale => "flash_sale",
            WidgetKind::Quiz => "quiz",
            WidgetKind::Redeem => "redeem",
            WidgetKind::TryOn => "try_on",
            WidgetKind::Lottery => "lottery",
            WidgetKind::Lead => "lead",
            WidgetKind::Likes => "likes",
            WidgetKind::Products => "products",
            WidgetKind::Coupon => "coupon",
            WidgetKind::Questions => "questions",
            WidgetKind::Tasks => "tasks",
            #[cfg(feature = "fault")]
            WidgetKind::Fault => "fault",
        }
    }
}

/// A command from the room's backend (or the host page) to the widgets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename = "CommandBody"))]
#[serde(tag = "type")]
pub enum Command {
    /// Show a poll.
    #[serde(rename = "poll.open")]
    PollOpen(PollSpec),
    /// Live vote counts from the server.
    #[serde(rename = "poll.tally")]
    PollTally(PollTally),
    /// Stop accepting votes.
    #[serde(rename = "poll.close")]
    PollClose(Target),
    /// Show the final results (closes the poll if it was open).
    #[serde(rename = "poll.reveal")]
    PollReveal(PollReveal),
    /// A widget that fails on purpose (test builds only).
    #[cfg(feature = "fault")]
    #[serde(rename = "fault.open")]
    FaultOpen(crate::fault::FaultSpec),
    /// Pokes the failing widget (it panics when it fails on commands).
    #[cfg(feature = "fault")]
    #[serde(rename = "fault.poke")]
    FaultPoke(Target),
    /// Take a widget off the overlay.
    #[serde(rename = "widget.remove")]
    WidgetRemove(Target),
    /// Show a countdown flash sale.
    #[serde(rename = "flash.open")]
    FlashOpen(FlashSpec),
    /// Stock left (and viewers waiting), from the server.
    #[serde(rename = "flash.stock")]
    FlashStock(FlashStock),
    /// A later end.
    #[serde(rename = "flash.extend")]
    FlashExtend(FlashExtend),
    /// The server's decision on one of the viewer's grabs.
    #[serde(rename = "flash.result")]
    FlashResult(FlashResult),
    /// End the sale now.
    #[serde(rename = "flash.end")]
    FlashEnd(Target),
    /// Show a quiz (questions follow).
    #[serde(rename = "quiz.open")]
    QuizOpen(QuizSpec),
    /// The next question (without its answer).
    #[serde(rename = "quiz.question")]
    QuizQuestion(QuestionSpec),
    /// Close the current question's answer window early.
    #[serde(rename = "quiz.close")]
    QuizClose(QuestionRef),
    /// The right answer and how viewers answered.
    #[serde(rename = "quiz.reveal")]
    QuizReveal(QuizReveal),
    /// A viewer's score, streak and elimination, as the server computed them.
    #[serde(rename = "quiz.standing")]
    QuizStanding(QuizStanding),
    /// The top viewers.
    #[serde(rename = "quiz.leaderboard")]
    QuizLeaderboard(QuizLeaderboard),
    /// Show a point-redeem catalog.
    #[serde(rename = "redeem.open")]
    RedeemOpen(RedeemSpec),
    /// One viewer's balance, tier and history.
    #[serde(rename = "redeem.account")]
    RedeemAccount(RedeemAccount),
    /// Points given (or taken) and why.
    #[serde(rename = "redeem.points")]
    RedeemPoints(RedeemPoints),
    /// Units left per item.
    #[serde(rename = "redeem.stock")]
    RedeemStock(RedeemStock),
    /// The server's decision on one of the viewer's redemptions.
    #[serde(rename = "redeem.result")]
    RedeemResult(RedeemResult),
    /// Show an AR try-on card.
    #[serde(rename = "tryon.open")]
    TryOnOpen(TryOnSpec),
    /// Show a lottery (lucky bag).
    #[serde(rename = "lottery.open")]
    LotteryOpen(LotterySpec),
    /// How many viewers entered.
    #[serde(rename = "lottery.entries")]
    LotteryEntries(LotteryEntries),
    /// The server's answer to one viewer's entry.
    #[serde(rename = "lottery.entry")]
    LotteryEntry(LotteryEntry),
    /// The winners, for everyone.
    #[serde(rename = "lottery.draw")]
    LotteryDraw(LotteryDraw),
    /// Whether this viewer won (addressed).
    #[serde(rename = "lottery.result")]
    LotteryResult(LotteryResult),
    /// The server's answer to a winner's claim.
    #[serde(rename = "lottery.claimed")]
    LotteryClaimed(LotteryClaimed),
    /// Show a follow / private-domain lead card.
    #[serde(rename = "lead.open")]
    LeadOpen(LeadSpec),
    /// The server's answer to a viewer's confirmation.
    #[serde(rename = "lead.result")]
    LeadResult(LeadResult),
    /// Show the like button (with an optional room goal).
    #[serde(rename = "likes.open")]
    LikesOpen(LikesSpec),
    /// The room's like total, from the server.
    #[serde(rename = "likes.total")]
    LikesTotal(LikesTotal),
    /// Show the product card.
    #[serde(rename = "products.open")]
    ProductsOpen(ProductsSpec),
    /// The product the host presents now.
    #[serde(rename = "product.present")]
    ProductPresent(ProductPresent),
    #[serde(rename = "product.pin")]
    ProductPin(ProductPin),
    #[serde(rename = "product.unpin")]
    ProductUnpin(ProductUnpin),
    /// Units left of a product on the card.
    #[serde(rename = "product.stock")]
    ProductStock(ProductStock),
    /// Offer a coupon or red packet.
    #[serde(rename = "coupon.open")]
    CouponOpen(CouponSpec),
    #[serde(rename = "coupon.stock")]
    CouponStock(CouponStock),
    /// The server's answer to a claim.
    #[serde(rename = "coupon.result")]
    CouponResult(CouponResult),
    /// The viewer's coupons (addressed by `user_id`).
    #[serde(rename = "coupon.wallet")]
    CouponWallet(CouponWallet),
    /// Open the question queue.
    #[serde(rename = "questions.open")]
    QuestionsOpen(QuestionsSpec),
    /// The room's queue, as the server ranks it.
    #[serde(rename = "question.queue")]
    QuestionQueue(QuestionQueue),
    /// The server took a viewer's question (addressed).
    #[serde(rename = "question.ack")]
    QuestionAck(QuestionAck),
    /// The host answers a question now, or has answered it.
    #[serde(rename = "question.mark")]
    QuestionMark(QuestionMark),
    /// Show the room's tasks.
    #[serde(rename = "tasks.open")]
    TasksOpen(TasksSpec),
    /// A viewer's progress (addressed).
    #[serde(rename = "tasks.progress")]
    TasksProgress(TasksProgress),
    /// The server's answer to a reward claim.
    #[serde(rename = "task.result")]
    TaskResult(TaskResult),
    /// The whole room as the server knows it: for late joiners, reconnects and gaps.
    #[serde(rename = "room.snapshot")]
    RoomSnapshot(RoomSnapshot),
    /// How the overlay arranges widgets: how many cards at once, which first, what to keep clear.
    #[serde(rename = "room.layout")]
    RoomLayout(crate::layout::Layout),
}

impl Command {
    /// Every command `type` this version understands.
    pub const TYPES: &'static [&'static str] = &[
        "poll.open",
        "poll.tally",
        "poll.close",
        "poll.reveal",
        "flash.open",
        "flash.stock",
        "flash.extend",
        "flash.result",
        "flash.end",
        "quiz.open",
        "quiz.question",
        "quiz.close",
        "quiz.reveal",
        "quiz.standing",
        "quiz.leaderboard",
        "redeem.open",
        "redeem.account",
        "redeem.points",
        "redeem.stock",
        "redeem.result",
        "tryon.open",
        "lottery.open",
        "lottery.entries",
        "lottery.entry",
        "lottery.draw",
        "lottery.result",
        "lottery.claimed",
        "lead.open",
        "lead.result",
        "likes.open",
        "likes.total",
        "products.open",
        "product.present",
        "product.pin",
        "product.unpin",
        "product.stock",
        "coupon.open",
        "coupon.stock",
        "coupon.result",
        "coupon.wallet",
        "questions.open",
        "question.queue",
        "question.ack",
        "question.mark",
        "tasks.open",
        "tasks.progress",
        "task.result",
        "widget.remove",
        "room.snapshot",
        "room.layout",
    ];

    pub fn type_name(&self) -> &'static str {
        match self {
            Command::PollOpen(_) => "poll.open",
            Command::PollTally(_) => "poll.tally",
            Command::PollClose(_) => "poll.close",
            Command::PollReveal(_) => "poll.reveal",
            Command::FlashOpen(_) => "flash.open",
            Command::FlashStock(_) => "flash.stock",
            Command::FlashExtend(_) => "flash.extend",
            Command::FlashResult(_) => "flash.result",
            Command::FlashEnd(_) => "flash.end",
            Command::QuizOpen(_) => "quiz.open",
            Command::QuizQuestion(_) => "quiz.question",
            Command::QuizClose(_) => "quiz.close",
            Command::QuizReveal(_) => "quiz.reveal",
            Command::QuizStanding(_) => "quiz.standing",
            Command::QuizLeaderboard(_) => "quiz.leaderboard",
            Command::RedeemOpen(_) => "redeem.open",
            Command::RedeemAccount(_) => "redeem.account",
            Command::RedeemPoints(_) => "redeem.points",
            Command::RedeemStock(_) => "redeem.stock",
            Command::RedeemResult(_) => "redeem.result",
            Command::TryOnOpen(_) => "tryon.open",
            Command::LotteryOpen(_) => "lottery.open",
            Command::LotteryEntries(_) => "lottery.entries",
            Command::LotteryEntry(_) => "lottery.entry",
            Command::LotteryDraw(_) => "lottery.draw",
            Command::LotteryResult(_) => "lottery.result",
            Command::LotteryClaimed(_) => "lottery.claimed",
            Command::LeadOpen(_) => "lead.open",
            Command::LeadResult(_) => "lead.result",
            Command::LikesOpen(_) => "likes.open",
            Command::LikesTotal(_) => "likes.total",
            Command::ProductsOpen(_) => "products.open",
            Command::ProductPresent(_) => "product.present",
            Command::ProductPin(_) => "product.pin",
            Command::ProductUnpin(_) => "product.unpin",
            Command::ProductStock(_) => "product.stock",
            Command::CouponOpen(_) => "coupon.open",
            Command::CouponStock(_) => "coupon.stock",
            Command::CouponResult(_) => "coupon.result",
            Command::CouponWallet(_) => "coupon.wallet",
            Command::QuestionsOpen(_) => "questions.open",
            Command::QuestionQueue(_) => "question.queue",
            Command::QuestionAck(_) => "question.ack",
            Command::QuestionMark(_) => "question.mark",
            Command::TasksOpen(_) => "tasks.open",
            Command::TasksProgress(_) => "tasks.progress",
            Command::TaskResult(_) => "task.result",
            Command::WidgetRemove(_) => "widget.remove",
            Command::RoomSnapshot(_) => "room.snapshot",
            Command::RoomLayout(_) => "room.layout",
            #[cfg(feature = "fault")]
            Command::FaultOpen(_) => "fault.open",
            #[cfg(feature = "fault")]
            Command::FaultPoke(_) => "fault.poke",
        }
    }

    pub fn widget_id(&self) -> &str {
        match self {
            Command::PollOpen(c) => &c.widget_id,
            Command::PollTally(c) => &c.widget_id,
            Command::PollClose(c) | Command::WidgetRemove(c) | Command::FlashEnd(c) => &c.widget_id,
            Command::PollReveal(c) => &c.widget_id,
            Command::FlashOpen(c) => &c.widget_id,
            Command::FlashStock(c) => &c.widget_id,
            Command::FlashExtend(c) => &c.widget_id,
            Command::FlashResult(c) => &c.widget_id,
            Command::QuizOpen(c) => &c.widget_id,
            Command::QuizQuestion(c) => &c.widget_id,
            Command::QuizClose(c) => &c.widget_id,
            Command::QuizReveal(c) => &c.widget_id,
            Command::QuizStanding(c) => &c.widget_id,
            Command::QuizLeaderboard(c) => &c.widget_id,
            Command::RedeemOpen(c) => &c.widget_id,
            Command::RedeemAccount(c) => &c.widget_id,
            Command::RedeemPoints(c) => &c.widget_id,
            Command::RedeemStock(c) => &c.widget_id,
            Command::RedeemResult(c) => &c.widget_id,
            Command::TryOnOpen(c) => &c.widget_id,
            Command::LotteryOpen(c) => &c.widget_id,
            Command::LotteryEntries(c) => &c.widget_id,
            Command::LotteryEntry(c) => &c.widget_id,
            Command::LotteryDraw(c) => &c.widget_id,
            Command::LotteryResult(c) => &c.widget_id,
            Command::LotteryClaimed(c) => &c.widget_id,
            Command::LeadOpen(c) => &c.widget_id,
            Command::LeadResult(c) => &c.widget_id,
            Command::LikesOpen(c) => &c.widget_id,
            Command::LikesTotal(c) => &c.widget_id,
            Command::ProductsOpen(c) => &c.widget_id,
            Command::ProductPresent(c) => &c.widget_id,
            Command::ProductPin(c) => &c.widget_id,
            Command::ProductUnpin(c) => &c.widget_id,
            Command::ProductStock(c) => &c.widget_id,
            Command::CouponOpen(c) => &c.widget_id,
            Command::CouponStock(c) => &c.widget_id,
            Command::CouponResult(c) => &c.widget_id,
            Command::CouponWallet(c) => &c.widget_id,
            Command::QuestionsOpen(c) => &c.widget_id,
            Command::QuestionQueue(c) => &c.widget_id,
            Command::QuestionAck(c) => &c.widget_id,
            Command::QuestionMark(c) => &c.widget_id,
            Command::TasksOpen(c) => &c.widget_id,
            Command::TasksProgress(c) => &c.widget_id,
            Command::TaskResult(c) => &c.widget_id,
            Command::RoomSnapshot(_) | Command::RoomLayout(_) => "",
            #[cfg(feature = "fault")]
            Command::FaultOpen(c) => &c.widget_id,
            #[cfg(feature = "fault")]
            Command::FaultPoke(c) => &c.widget_id,
        }
    }

    /// Whether `type` names a command this build knows.
    pub fn knows(kind: &str) -> bool {
        Command::TYPES.contains(&kind) || (cfg!(feature = "fault") && kind.starts_with("fault."))
    }
}

/// `room.snapshot`: every live widget with its state. Applying it makes the room match it:
/// missing widgets appear, absent ones go, states move forward (counts never go down, a
/// closed poll never reopens). Applying it twice, or after the commands it sums up,
/// changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct RoomSnapshot {
    pub widgets: Vec<WidgetSnapshot>,
    /// The host's layout, when it set one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layout: Option<crate::layout::Layout>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WidgetSnapshot {
    Poll(PollSnapshot),
    FlashSale(FlashSnapshot),
    Quiz(QuizSnapshot),
    Redeem(RedeemSnapshot),
    TryOn(TryOnSnapshot),
    Lottery(LotterySnapshot),
    Lead(LeadSnapshot),
    Likes(LikesSnapshot),
    Products(ProductsSnapshot),
    Coupon(CouponSnapshot),
    Questions(QuestionsSnapshot),
    Tasks(TasksSnapshot),
    #[cfg(feature = "fault")]
    Fault(crate::fault::FaultSnapshot),
}

impl WidgetSnapshot {
    pub fn widget_id(&self) -> &str {
        match self {
            WidgetSnapshot::Poll(p) => &p.spec.widget_id,
            WidgetSnapshot::FlashSale(f) => &f.spec.widget_id,
            WidgetSnapshot::Quiz(q) => &q.spec.widget_id,
            WidgetSnapshot::Redeem(r) => &r.spec.widget_id,
            WidgetSnapshot::TryOn(t) => &t.spec.widget_id,
            WidgetSnapshot::Lottery(l) => &l.spec.widget_id,
            WidgetSnapshot::Lead(l) => &l.spec.widget_id,
            WidgetSnapshot::Likes(l) => &l.spec.widget_id,
            WidgetSnapshot::Products(p) => &p.spec.widget_id,
            WidgetSnapshot::Coupon(c) => &c.spec.widget_id,
            WidgetSnapshot::Questions(q) => &q.spec.widget_id,
            WidgetSnapshot::Tasks(t) => &t.spec.widget_id,
            #[cfg(feature = "fault")]
            WidgetSnapshot::Fault(f) => &f.spec.widget_id,
        }
    }
}

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

/// Something the viewer did (through a view, or a headless host calling the API).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(tag = "type")]
pub enum Action {
    #[serde(rename = "poll.vote")]
    PollVote {
        widget_id: String,
        option_ids: Vec<String>,
    },
    /// Grab one unit in a live flash sale.
    #[serde(rename = "flash.grab")]
    FlashGrab { widget_id: String },
    /// Be reminded when a flash sale starts.
    #[serde(rename = "flash.remind")]
    FlashRemind { widget_id: String },
    /// Answer the current quiz question (locked once sent).
    #[serde(rename = "quiz.answer")]
    QuizAnswer {
        widget_id: String,
        question_id: String,
        option_id: String,
    },
    /// Redeem an item (after the viewer confirmed).
    #[serde(rename = "redeem.request")]
    RedeemRequest { widget_id: String, item_id: String },
    /// Tap "try it on": shows why the camera is needed.
    #[serde(rename = "tryon.start")]
    TryOnStart { widget_id: String },
    /// Agree to use the camera (or resume it).
    #[serde(rename = "tryon.allow_camera")]
    TryOnAllowCamera { widget_id: String },
    /// The browser's answer to the camera request (reported by the glue).
    #[serde(rename = "tryon.camera")]
    TryOnCamera {
        widget_id: String,
        result: CameraResult,
    },
    /// Try the product on a photo instead.
    #[serde(rename = "tryon.photo")]
    TryOnPhoto { widget_id: String },
    /// The page was hidden (reported by the glue): the camera is released.
    #[serde(rename = "tryon.pause")]
    TryOnPause { widget_id: String },
    /// The tracker's state changed (reported by the glue).
    #[serde(rename = "tryon.tracker")]
    TryOnTracker {
        widget_id: String,
        state: TrackerState,
    },
    /// The viewer placed the product by hand.
    #[serde(rename = "tryon.place")]
    TryOnPlace { widget_id: String, pose: Pose },
    /// A snapshot was taken.
    #[serde(rename = "tryon.snapshot")]
    TryOnSnapshot { widget_id: String },
    #[serde(rename = "tryon.add_to_cart")]
    TryOnAddToCart { widget_id: String },
    /// Back to the product card.
    #[serde(rename = "tryon.close")]
    TryOnClose { widget_id: String },
    /// Enter a lottery (for a keyword lottery: send the keyword).
    #[serde(rename = "lottery.enter")]
    LotteryEnter { widget_id: String },
    /// A winner claims the prize.
    #[serde(rename = "lottery.claim")]
    LotteryClaim { widget_id: String },
    /// The viewer opened the lead card's link, copied its code or saved its QR code.
    #[serde(rename = "lead.click")]
    LeadClick { widget_id: String, via: LeadVia },
    /// The viewer ticked (or cleared) the consent box.
    #[serde(rename = "lead.consent")]
    LeadConsent { widget_id: String, given: bool },
    /// The viewer confirms: followed, added the contact, joined the group.
    #[serde(rename = "lead.confirm")]
    LeadConfirm { widget_id: String },
    /// The viewer folds the card into the tray, or opens it again.
    #[serde(rename = "lead.fold")]
    LeadFold { widget_id: String, folded: bool },
    /// A tap on the heart.
    #[serde(rename = "like.tap")]
    LikeTap { widget_id: String },
    /// "Buy" on a product of the card.
    #[serde(rename = "product.buy")]
    ProductBuy { widget_id: String, sku: String },
    /// "Add to cart" on a product of the card.
    #[serde(rename = "product.add_to_cart")]
    ProductAddToCart { widget_id: String, sku: String },
    /// Claim the coupon or red packet.
    #[serde(rename = "coupon.claim")]
    CouponClaim { widget_id: String },
    /// The viewer shared the room (to `channel`, like `wechat_group`).
    #[serde(rename = "coupon.share")]
    CouponShare { widget_id: String, channel: String },
    /// Ask a question.
    #[serde(rename = "question.ask")]
    QuestionAsk { widget_id: String, text: String },
    /// Upvote someone's question.
    #[serde(rename = "question.upvote")]
    QuestionUpvote {
        widget_id: String,
        question_id: String,
    },
    /// Claim a done task's reward.
    #[serde(rename = "task.claim")]
    TaskClaim { widget_id: String, task_id: String },
    /// The viewer shared the room (for a share task).
    #[serde(rename = "task.share")]
    TaskShare { widget_id: String, channel: String },
    /// A tap on the failing widget (test builds only).
    #[cfg(feature = "fault")]
    #[serde(rename = "fault.tap")]
    FaultTap { widget_id: String },
}

impl Action {
    pub fn widget_id(&self) -> &str {
        match self {
            Action::PollVote { widget_id, .. }
            | Action::FlashGrab { widget_id }
            | Action::FlashRemind { widget_id }
            | Action::QuizAnswer { widget_id, .. }
            | Action::RedeemRequest { widget_id, .. }
            | Action::TryOnStart { widget_id }
            | Action::TryOnAllowCamera { widget_id }
            | Action::TryOnCamera { widget_id, .. }
            | Action::TryOnPhoto { widget_id }
            | Action::TryOnPause { widget_id }
            | Action::TryOnTracker { widget_id, .. }
            | Action::TryOnPlace { widget_id, .. }
            | Action::TryOnSnapshot { widget_id }
            | Action::TryOnAddToCart { widget_id }
            | Action::TryOnClose { widget_id }
            | Action::LotteryEnter { widget_id }
            | Action::LotteryClaim { widget_id }
            | Action::LeadClick { widget_id, .. }
            | Action::LeadConsent { widget_id, .. }
            | Action::LeadConfirm { widget_id }
            | Action::LeadFold { widget_id, .. }
            | Action::LikeTap { widget_id }
            | Action::ProductBuy { widget_id, .. }
            | Action::ProductAddToCart { widget_id, .. }
            | Action::CouponClaim { widget_id }
            | Action::CouponShare { widget_id, .. }
            | Action::QuestionAsk { widget_id, .. }
            | Action::QuestionUpvote { widget_id, .. }
            | Action::TaskClaim { widget_id, .. }
            | Action::TaskShare { widget_id, .. } => widget_id,
            #[cfg(feature = "fault")]
            Action::FaultTap { widget_id } => widget_id,
        }
    }
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

/// What happened, as reported to the host page and the event transport.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename = "EventBody"))]
#[serde(tag = "type")]
pub enum Event {
    #[serde(rename = "widget.shown")]
    WidgetShown,
    #[serde(rename = "widget.hidden")]
    WidgetHidden,
    #[serde(rename = "poll.vote")]
    PollVote {
        option_ids: Vec<String>,
        /// Stable for this vote: a backend that sees it twice counts it once.
        idempotency_key: String,
        /// True when this vote replaces an earlier one.
        revote: bool,
    },
    #[serde(rename = "poll.closed")]
    PollClosed { reason: CloseReason },
    #[serde(rename = "poll.revealed")]
    PollRevealed {
        counts: BTreeMap<String, u64>,
        total: u64,
        /// The option ids with the most votes (several on a tie, none without votes).
        winners: Vec<String>,
        /// The viewer's own choice, if they voted.
        my_choice: Vec<String>,
    },
    /// The viewer asked to be reminded when the sale starts.
    #[serde(rename = "flash.remind")]
    FlashRemind,
    /// The sale went live.
    #[serde(rename = "flash.started")]
    FlashStarted,
    /// The viewer grabbed: the server must answer `request_id` with `flash.result`. The
    /// same `request_id` is an idempotency key: a server that sees it twice grabs once.
    #[serde(rename = "flash.grab")]
    FlashGrab { request_id: String },
    /// The server's answer to a grab reached the viewer.
    #[serde(rename = "flash.result")]
    FlashResult {
        request_id: String,
        outcome: GrabOutcome,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        order_ref: Option<String>,
    },
    /// The sale ended (time, or the host).
    #[serde(rename = "flash.ended")]
    FlashEnded { sold: u64 },
    /// A quiz question became visible.
    #[serde(rename = "quiz.question")]
    QuizQuestion { question_id: String },
    /// The viewer answered. `time_to_answer_ms` counts from when the question became
    /// visible; `idempotency_key` is one per viewer and question.
    #[serde(rename = "quiz.answer")]
    QuizAnswer {
        question_id: String,
        option_id: String,
        time_to_answer_ms: u64,
        idempotency_key: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        team_id: Option<String>,
    },
    /// The answer was revealed; `right` is whether the viewer's answer was right.
    #[serde(rename = "quiz.revealed")]
    QuizRevealed {
        question_id: String,
        correct: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        my_answer: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        right: Option<bool>,
    },
    /// The server made the viewer a spectator (elimination mode).
    #[serde(rename = "quiz.eliminated")]
    QuizEliminated,
    /// The server let the viewer back in (a revive card).
    #[serde(rename = "quiz.revived")]
    QuizRevived,
    /// The viewer asked to redeem: the server must answer `request_id` with
    /// `redeem.result`. `request_id` is the idempotency key.
    #[serde(rename = "redeem.request")]
    RedeemRequest {
        request_id: String,
        item_id: String,
        cost: u64,
    },
    /// The server's answer to a redemption reached the viewer.
    #[serde(rename = "redeem.result")]
    RedeemResult {
        request_id: String,
        item_id: String,
        outcome: RedeemOutcome,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        voucher_ref: Option<String>,
    },
    /// Points changed (the view animates it).
    #[serde(rename = "redeem.points")]
    RedeemPoints {
        gain_id: String,
        delta: i64,
        reason: String,
    },
    /// The viewer tapped "try it on".
    #[serde(rename = "tryon.opened")]
    TryOnOpened,
    /// The camera request's outcome.
    #[serde(rename = "tryon.permission")]
    TryOnPermission { result: CameraResult },
    /// The viewer tries the product on a photo.
    #[serde(rename = "tryon.photo")]
    TryOnPhoto,
    /// The tracker attached, lost or found the target.
    #[serde(rename = "tryon.tracker")]
    TryOnTracker { state: TrackerState },
    #[serde(rename = "tryon.snapshot")]
    TryOnSnapshot { source: Source },
    /// The viewer tapped "add to cart": the host page adds `sku`.
    #[serde(rename = "tryon.add_to_cart")]
    TryOnAddToCart {
        sku: String,
        idempotency_key: String,
    },
    /// The try-on closed; `duration_ms` is the time the live picture was shown.
    #[serde(rename = "tryon.closed")]
    TryOnClosed {
        duration_ms: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        source: Option<Source>,
        snapshots: u32,
    },
    /// The viewer entered a lottery: the server must answer `request_id` with
    /// `lottery.entry` (it is the idempotency key).
    #[serde(rename = "lottery.enter")]
    LotteryEnter {
        request_id: String,
        condition: EntryCondition,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        keyword: Option<String>,
    },
    #[serde(rename = "lottery.entry")]
    LotteryEntry {
        request_id: String,
        outcome: EntryOutcome,
    },
    /// The draw was announced.
    #[serde(rename = "lottery.drawn")]
    LotteryDrawn { winners: u32, entries: u64 },
    /// Whether this viewer won.
    #[serde(rename = "lottery.result")]
    LotteryResult { won: bool },
    /// A winner claimed: answer `request_id` with `lottery.claimed`.
    #[serde(rename = "lottery.claim")]
    LotteryClaim { request_id: String },
    #[serde(rename = "lottery.claimed")]
    LotteryClaimed {
        request_id: String,
        outcome: ClaimOutcome,
    },
    /// The viewer acted on a lead card (the funnel's "clicked" step).
    #[serde(rename = "lead.clicked")]
    LeadClicked { via: LeadVia },
    /// The viewer ticked or cleared the consent box.
    #[serde(rename = "lead.consent")]
    LeadConsent { given: bool },
    /// The viewer confirmed: the server must answer `request_id` with `lead.result`. Carries
    /// the consent and the purpose it was given for (the record the law asks for), and whether
    /// the perk was still on offer on the device.
    #[serde(rename = "lead.confirm")]
    LeadConfirm {
        request_id: String,
        target: LeadTarget,
        consent: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        purpose: Option<String>,
        perk_open: bool,
    },
    #[serde(rename = "lead.result")]
    LeadResult {
        request_id: String,
        outcome: LeadOutcome,
        perk: bool,
    },
    #[serde(rename = "lead.folded")]
    LeadFolded { folded: bool },
    /// Taps coalesced on the device: `count` taps since the last one (`batch`: 1, 2, 3… per
    /// widget and session). The server adds `count` to the room's total once per event.
    #[serde(rename = "like.sent")]
    LikeSent { count: u64, batch: u64 },
    /// The server's total reached the room goal.
    #[serde(rename = "likes.goal_reached")]
    LikesGoalReached { target: u64, total: u64 },
    /// A product came into the spotlight (its exposure to this viewer).
    #[serde(rename = "product.presented")]
    ProductPresented { sku: String },
    /// The viewer tapped "buy": the host page opens its checkout for `sku`.
    #[serde(rename = "product.buy")]
    ProductBuy {
        sku: String,
        price: u64,
        currency: String,
        idempotency_key: String,
    },
    /// The viewer tapped "add to cart": the host page adds `sku`.
    #[serde(rename = "product.add_to_cart")]
    ProductAddToCart {
        sku: String,
        price: u64,
        currency: String,
        idempotency_key: String,
    },
    /// The viewer shared the room for a share-gated coupon.
    #[serde(rename = "coupon.shared")]
    CouponShared { channel: String },
    /// A claim: the server must answer `request_id` with `coupon.result`.
    #[serde(rename = "coupon.claim")]
    CouponClaim {
        request_id: String,
        gate: CouponGate,
    },
    /// The viewer shared the room for a share task.
    #[serde(rename = "task.shared")]
    TaskShared { channel: String },
    /// A reward claim: the server must answer `request_id` with `task.result`.
    #[serde(rename = "task.claim")]
    TaskClaim { request_id: String, task_id: String },
    #[serde(rename = "task.result")]
    TaskResult {
        request_id: String,
        task_id: String,
        outcome: TaskOutcome,
    },
    /// The viewer asked: the server must answer `request_id` with `question.ack`.
    #[serde(rename = "question.ask")]
    QuestionAsk { request_id: String, text: String },
    #[serde(rename = "question.upvote")]
    QuestionUpvote {
        question_id: String,
        idempotency_key: String,
    },
    /// The server took the question: its id and place.
    #[serde(rename = "question.acked")]
    QuestionAcked {
        request_id: String,
        question_id: String,
        position: u64,
        merged: bool,
    },
    /// The host is answering one of this viewer's questions now, or answered it.
    #[serde(rename = "question.state")]
    QuestionState {
        question_id: String,
        state: QuestionState,
    },
    /// The answer reached the viewer (`value`: what they got, on success).
    #[serde(rename = "coupon.result")]
    CouponResult {
        request_id: String,
        outcome: CouponOutcome,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        value: Option<u64>,
    },
}

impl Event {
    pub fn type_name(&self) -> &'static str {
        match self {
            Event::WidgetShown => "widget.shown",
            Event::WidgetHidden => "widget.hidden",
            Event::PollVote { .. } => "poll.vote",
            Event::PollClosed { .. } => "poll.closed",
            Event::PollRevealed { .. } => "poll.revealed",
            Event::FlashRemind => "flash.remind",
            Event::FlashStarted => "flash.started",
            Event::FlashGrab { .. } => "flash.grab",
            Event::FlashResult { .. } => "flash.result",
            Event::FlashEnded { .. } => "flash.ended",
            Event::QuizQuestion { .. } => "quiz.question",
            Event::QuizAnswer { .. } => "quiz.answer",
            Event::QuizRevealed { .. } => "quiz.revealed",
            Event::QuizEliminated => "quiz.eliminated",
            Event::QuizRevived => "quiz.revived",
            Event::RedeemRequest { .. } => "redeem.request",
            Event::RedeemResult { .. } => "redeem.result",
            Event::RedeemPoints { .. } => "redeem.points",
            Event::TryOnOpened => "tryon.opened",
            Event::TryOnPermission { .. } => "tryon.permission",
            Event::TryOnPhoto => "tryon.photo",
            Event::TryOnTracker { .. } => "tryon.tracker",
            Event::TryOnSnapshot { .. } => "tryon.snapshot",
            Event::TryOnAddToCart { .. } => "tryon.add_to_cart",
            Event::TryOnClosed { .. } => "tryon.closed",
            Event::LotteryEnter { .. } => "lottery.enter",
            Event::LotteryEntry { .. } => "lottery.entry",
            Event::LotteryDrawn { .. } => "lottery.drawn",
            Event::LotteryResult { .. } => "lottery.result",
            Event::LotteryClaim { .. } => "lottery.claim",
            Event::LotteryClaimed { .. } => "lottery.claimed",
            Event::LeadClicked { .. } => "lead.clicked",
            Event::LeadConsent { .. } => "lead.consent",
            Event::LeadConfirm { .. } => "lead.confirm",
            Event::LeadResult { .. } => "lead.result",
            Event::LeadFolded { .. } => "lead.folded",
            Event::LikeSent { .. } => "like.sent",
            Event::LikesGoalReached { .. } => "likes.goal_reached",
            Event::ProductPresented { .. } => "product.presented",
            Event::ProductBuy { .. } => "product.buy",
            Event::ProductAddToCart { .. } => "product.add_to_cart",
            Event::CouponShared { .. } => "coupon.shared",
            Event::CouponClaim { .. } => "coupon.claim",
            Event::CouponResult { .. } => "coupon.result",
            Event::QuestionAsk { .. } => "question.ask",
            Event::TaskShared { .. } => "task.shared",
            Event::TaskClaim { .. } => "task.claim",
            Event::TaskResult { .. } => "task.result",
            Event::QuestionUpvote { .. } => "question.upvote",
            Event::QuestionAcked { .. } => "question.acked",
            Event::QuestionState { .. } => "question.state",
        }
    }

    /// Whether the viewer is now waiting on the server's answer to this event (a reward
    /// request with a `request_id`: a grab, an entry, a claim, a redemption, a confirmation,
    /// a question). Such an event is sent at once rather than with the next batch: every
    /// millisecond it waits in the queue, the viewer watches "Entering…" or "Grabbing…".
    pub fn awaits_answer(&self) -> bool {
        matches!(
            self,
            Event::FlashGrab { .. }
                | Event::RedeemRequest { .. }
                | Event::LotteryEnter { .. }
                | Event::LotteryClaim { .. }
                | Event::LeadConfirm { .. }
                | Event::CouponClaim { .. }
                | Event::TaskClaim { .. }
                | Event::QuestionAsk { .. }
        )
    }
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
