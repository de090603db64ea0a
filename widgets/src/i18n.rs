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
