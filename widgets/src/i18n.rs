/// The words the views show. Chosen by locale; Simplified Chinese is the default.
#[derive(Debug, PartialEq, Eq)]
pub struct Strings {
    pub lang: &'static str,
    pub poll: &'static str,
    pub overlay_label: &'static str,
    pub your_choice: &'static str,
    pub submit: &'static str,
    pub pick_up_to: &'static str,
    pub votes: &'static str,
    pub voted: &'static str,
    pub closed: &'static str,
    pub revealed: &'static str,
    pub winner: &'static str,
    pub remaining: &'static str,
    pub tap_to_vote: &'static str,
    pub reconnecting: &'static str,
    pub flash_sale: &'static str,
    pub starts_in: &'static str,
    pub ends_in: &'static str,
    pub remind_me: &'static str,
    pub reminder_set: &'static str,
    pub waiting: &'static str,
    pub grab: &'static str,
    pub grabbing: &'static str,
    pub stock_left: &'static str,
    pub units: &'static str,
    pub original_price: &'static str,
    pub sold_out: &'static str,
    pub sale_ended: &'static str,
    pub grab_success: &'static str,
    pub outcome_sold_out: &'static str,
    pub outcome_limit: &'static str,
    pub outcome_not_eligible: &'static str,
    pub outcome_ended: &'static str,
    pub waiting_for_result: &'static str,
    pub quiz: &'static str,
    pub quiz_waiting: &'static str,
    pub answer_locked: &'static str,
    pub answer_right: &'static str,
    pub answer_wrong: &'static str,
    pub answer_missed: &'static str,
    pub time_up: &'static str,
    pub correct_tag: &'static str,
    pub eliminated: &'static str,
    pub score: &'static str,
    pub streak: &'static str,
    pub rank: &'static str,
    pub leaderboard: &'static str,
    pub answer_in: &'static str,
}

pub static ZH_CN: Strings = Strings {
    lang: "zh-CN",
    poll: "投票",
    overlay_label: "直播互动",
    your_choice: "已选",
    submit: "提交",
    pick_up_to: "最多选",
    votes: "票",
    voted: "投票成功",
    closed: "投票已截止",
    revealed: "结果已公布",
    winner: "胜出",
    remaining: "剩余",
    tap_to_vote: "点击选项即可投票",
    reconnecting: "网络不稳定，正在重新连接…",
    flash_sale: "限时秒杀",
    starts_in: "距开抢",
    ends_in: "距结束",
    remind_me: "开抢提醒我",
    reminder_set: "已设置提醒",
    waiting: "人在等",
    grab: "立即抢",
    grabbing: "抢购中…",
    stock_left: "剩余",
    units: "件",
    original_price: "原价",
    sold_out: "已抢光",
    sale_ended: "活动已结束",
    grab_success: "抢到了！订单号",
    outcome_sold_out: "手慢了，已抢光",
    outcome_limit: "已达限购数量",
    outcome_not_eligible: "暂不符合抢购条件",
    outcome_ended: "活动已结束",
    waiting_for_result: "正在确认…",
    quiz: "答题",
    quiz_waiting: "题目即将出现…",
    answer_locked: "已提交，等待揭晓",
    answer_right: "答对了！",
    answer_wrong: "答错了",
    answer_missed: "未作答",
    time_up: "时间到",
    correct_tag: "正确答案",
    eliminated: "你已被淘汰，继续观战",
    score: "得分",
    streak: "连对",
    rank: "排名",
    leaderboard: "排行榜",
    answer_in: "作答剩余",
};

pub static EN: Strings = Strings {
    lang: "en",
    poll: "Poll",
    overlay_label: "Live interactions",
    your_choice: "Your choice",
    submit: "Submit",
    pick_up_to: "Pick up to",
    votes: "votes",
    voted: "Vote received",
    closed: "Voting has closed",
    revealed: "Results are in",
    winner: "Top pick",
    remaining: "Ends in",
    tap_to_vote: "Tap an option to vote",
    reconnecting: "Connection lost. Reconnecting…",
    flash_sale: "Flash sale",
    starts_in: "Starts in",
    ends_in: "Ends in",
    remind_me: "Remind me",
    reminder_set: "Reminder set",
    waiting: "waiting",
    grab: "Grab it",
    grabbing: "Grabbing…",
    stock_left: "Left:",
    units: "units",
    original_price: "Was",
    sold_out: "Sold out",
    sale_ended: "Sale ended",
    grab_success: "Got it! Order",
    outcome_sold_out: "Too late: sold out",
    outcome_limit: "You have reached the limit",
    outcome_not_eligible: "You are not eligible yet",
    outcome_ended: "The sale has ended",
    waiting_for_result: "Confirming…",
    quiz: "Quiz",
    quiz_waiting: "The next question is coming…",
    answer_locked: "Answer locked in — wait for the reveal",
    answer_right: "Right!",
    answer_wrong: "Wrong",
    answer_missed: "No answer",
    time_up: "Time is up",
    correct_tag: "Correct",
    eliminated: "You are out — keep watching",
    score: "Score",
    streak: "Streak",
    rank: "Rank",
    leaderboard: "Leaderboard",
    answer_in: "Answer in",
};

impl Strings {
    /// The strings for a BCP 47 locale tag, falling back to Simplified Chinese.
    pub fn for_locale(locale: &str) -> &'static Strings {
        let l = locale.to_ascii_lowercase();
        if l == "en" || l.starts_with("en-") {
            &EN
        } else {
            &ZH_CN
        }
    }
}

/// `mm:ss`, or `s` under a minute, from milliseconds (rounded up: 0.2 s left shows 1).
pub fn format_remaining(ms: u64) -> String {
    let secs = ms.div_ceil(1000);
    if secs >= 60 {
        format!("{}:{:02}", secs / 60, secs % 60)
    } else {
        format!("{secs}s")
    }
}

/// A price in minor units (分, cents) with its currency: `¥89.00`, `$12.50`, `1200 JPY`.
/// Until the views format through `Intl`, currencies without a symbol here show their code.
pub fn format_money(minor: u64, currency: &str) -> String {
    let (symbol, decimals) = match currency {
        "CNY" => ("¥", 2),
        "USD" => ("$", 2),
        "HKD" => ("HK$", 2),
        "TWD" => ("NT$", 0),
        "JPY" => ("¥", 0),
        _ => ("", 2),
    };
    let amount = if decimals == 0 { minor.to_string() } else { format!("{}.{:02}", minor / 100, minor % 100) };
    if symbol.is_empty() {
        format!("{amount} {currency}")
    } else {
        format!("{symbol}{amount}")
    }
}
