//! The words the views show, and the numbers, prices and times they show, formatted by the
//! browser's `Intl`. Simplified Chinese is the default.
//!
//! Simplified Chinese and English are built in (`zh_cn.rs`, `en.rs`: `Strings` values the
//! compiler refuses if a key is missing). The other languages are packs in
//! `widgets/locales/*.json` that the JS facade fetches only for a room that needs one, so
//! no viewer downloads languages they do not read; the tests hold every pack to every key.
//! A host overrides any key for its room (`createRoom({strings: {…}})`); a pack is applied
//! the same way, through [`Strings::resolve`].
mod en;
mod zh_cn;

pub use en::EN;
pub use zh_cn::ZH_CN;

use hudong_core::money::minor_digits;
use std::cell::RefCell;
use std::collections::HashMap;
use wasm_bindgen::prelude::*;

macro_rules! strings {
    ($($key:ident),* $(,)?) => {
        /// The words the views show. Chosen by locale; Simplified Chinese is the default.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct Strings {
            /// The BCP 47 tag the words are in, and numbers and dates are formatted for.
            pub lang: &'static str,
            $(pub $key: &'static str,)*
        }

        impl Strings {
            /// Every key a host may override, in the order of the struct.
            pub const KEYS: &'static [&'static str] = &[$(stringify!($key)),*];

            /// The string under `key`, if it is one.
            pub fn get(&self, key: &str) -> Option<&'static str> {
                match key {
                    $(stringify!($key) => Some(self.$key),)*
                    _ => None,
                }
            }

            fn slot(&mut self, key: &str) -> Option<&mut &'static str> {
                match key {
                    $(stringify!($key) => Some(&mut self.$key),)*
                    _ => None,
                }
            }
        }
    };
}

strings! {
    poll, overlay_label, your_choice, submit, pick_up_to, votes,
    voted, closed, revealed, winner, remaining, tap_to_vote,
    reconnecting, flash_sale, starts_in, ends_in, remind_me, reminder_set,
    waiting, grab, grabbing, stock_left, units, original_price,
    sold_out, sale_ended, grab_success, outcome_sold_out, outcome_limit, outcome_not_eligible,
    outcome_ended, waiting_for_result, quiz, quiz_waiting, answer_locked, answer_right,
    answer_wrong, answer_missed, time_up, correct_tag, eliminated, score,
    streak, rank, leaderboard, answer_in, points_shop, my_points,
    points, redeem, confirm_redeem, cancel, confirm_prompt, redeeming,
    redeem_success, outcome_insufficient, outcome_out_of_stock, outcome_tier, tier_only, left,
    limit_each, history, loading_points, try_on, try_it_on, camera_why,
    allow_camera, use_photo, camera_waiting, camera_denied, camera_missing, camera_busy,
    camera_unsupported, camera_error, retry, paused, resume, snapshot,
    save_photo, share, add_to_cart, close, tracking_lost, drag_hint,
    choose_photo, product_position, added_to_cart, lottery, winners_count, entered_count,
    draw_in, enter, send_keyword, entering, entered_wait, not_eligible,
    entries_closed, win_limit, drawing, winner_list, you_won, not_this_time,
    claim, claiming, claimed, claim_expired, cond_follow, cond_watch_a,
    cond_watch_b, cond_like, lead_follow, lead_wecom_contact, lead_wecom_group, lead_official,
    lead_follow_btn, lead_done_btn, lead_joined_btn, lead_confirming, lead_confirmed, lead_perk_granted,
    lead_declined, lead_perk_in, lead_perk_over, lead_scan, lead_open_link, lead_copy,
    lead_copied, lead_consent, lead_qr_label, fold, unfold, like,
    likes_word, like_goal, goal_unlocked, products, presenting, buy_now,
    add_cart, only_left_a, only_left_b, pinned, coupon, red_packet,
    claim_coupon, open_packet, claiming_coupon, coupon_claimed, packet_got, coupon_limit,
    coupon_not_eligible, coupon_left, coupon_units, no_threshold, spend_a, spend_b,
    up_to, share_to_claim, share_group, shared, follow_to_claim, opens_in,
    my_coupons, valid_until, questions, ask_prompt, your_question, ask,
    q_sending, q_place_a, q_place_b, q_merged, q_answering, q_answered,
    q_waiting, upvote, tasks, task_watch_a, task_watch_b, task_like_a,
    task_like_b, task_share, task_answer_a, task_answer_b, claim_reward, reward_claimed,
    task_not_done,
}

impl Strings {
    /// The built-in strings for a BCP 47 tag: English for `en*` and for the languages that
    /// have a pack (`id`, `th`, `vi`: what their viewers see if the pack cannot load),
    /// Simplified Chinese for everything else.
    pub fn for_locale(locale: &str) -> &'static Strings {
        match language(locale).as_str() {
            "en" | "id" | "in" | "th" | "vi" => &EN,
            _ => &ZH_CN,
        }
    }

    /// The strings a room shows: those of [`for_locale`](Self::for_locale), numbers and dates
    /// formatted for `locale` itself (`en-GB` keeps its own date order), and the host's
    /// `overrides` (key → text) on top. Refuses a malformed tag, an unknown key and a text
    /// over 500 characters, with a message naming it.
    ///
    /// Each distinct configuration is built once and kept for the life of the page (views
    /// hold `&'static Strings`), so rooms that come and go with the same options cost
    /// nothing more.
    pub fn resolve(
        locale: &str,
        overrides: &[(String, String)],
    ) -> Result<&'static Strings, String> {
        let tag = canonical_tag(locale).ok_or_else(|| {
            format!(
                "locale \"{}\" is not a language tag like zh-CN, zh-TW, en, id, th or vi",
                locale.chars().take(40).collect::<String>()
            )
        })?;
        let base = Self::for_locale(&tag);
        for (key, text) in overrides {
            if base.get(key).is_none() {
                return Err(format!(
                    "strings.{} is not one of Hudong's strings (the HudongStringKey type lists them)",
                    key.chars().take(40).collect::<String>()
                ));
            }
            if text.chars().count() > MAX_OVERRIDE_CHARS {
                return Err(format!(
                    "strings.{key} is longer than {MAX_OVERRIDE_CHARS} characters"
                ));
            }
        }
        if overrides.is_empty() && tag == base.lang {
            return Ok(base);
        }
        let mut id = tag.clone();
        let mut sorted: Vec<&(String, String)> = overrides.iter().collect();
        sorted.sort();
        for (key, text) in sorted {
            id.push('\0');
            id.push_str(key);
            id.push('\0');
            id.push_str(text);
        }
        Ok(RESOLVED.with(|built| {
            let mut built = built.borrow_mut();
            if let Some(strings) = built.get(&id) {
                return *strings;
            }
            let mut strings = base.clone();
            strings.lang = leak(&tag);
            for (key, text) in overrides {
                if let Some(slot) = strings.slot(key) {
                    *slot = leak(text);
                }
            }
            let strings: &'static Strings = Box::leak(Box::new(strings));
            built.insert(id, strings);
            strings
        }))
    }
}

/// The language pack (`widgets/locales/<pack>.json`) a tag needs on top of the built-in
/// strings: `zh-TW` for `zh-TW`/`zh-HK`/`zh-MO`/`zh-Hant*`, `id`, `th`, `vi`; `None` for the
/// built-in languages and for tags Hudong has no words for.
pub fn locale_pack(locale: &str) -> Option<&'static str> {
    let tag = canonical_tag(locale)?.to_ascii_lowercase();
    let subtags: Vec<&str> = tag.split('-').collect();
    match subtags[0] {
        "id" | "in" => Some("id"),
        "th" => Some("th"),
        "vi" => Some("vi"),
        "zh" if !subtags.contains(&"hans")
            && subtags[1..]
                .iter()
                .any(|s| matches!(*s, "hant" | "tw" | "hk" | "mo")) =>
        {
            Some("zh-TW")
        }
        _ => None,
    }
}

/// The packs `locale_pack` names, each a JSON object of every key.
#[cfg(test)]
const LOCALE_PACKS: [&str; 4] = ["zh-TW", "id", "th", "vi"];

fn language(locale: &str) -> String {
    locale
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// The longest text a host may put in place of one of Hudong's strings.
pub const MAX_OVERRIDE_CHARS: usize = 500;

thread_local! {
    static RESOLVED: RefCell<HashMap<String, &'static Strings>> = RefCell::new(HashMap::new());
}

fn leak(text: &str) -> &'static str {
    Box::leak(text.to_owned().into_boxed_str())
}

/// A well-formed BCP 47 tag in its canonical case (`zh-Hant-TW`, `en-GB`), accepting `_`
/// for `-` as many pages write it (`zh_CN`); `None` for anything else.
pub fn canonical_tag(locale: &str) -> Option<String> {
    let locale = locale.trim();
    if locale.is_empty() || locale.len() > 64 {
        return None;
    }
    let mut out = Vec::new();
    for (i, sub) in locale.split(['-', '_']).enumerate() {
        if sub.is_empty() || sub.len() > 8 || !sub.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return None;
        }
        let sub = sub.to_ascii_lowercase();
        if i == 0 {
            if !(2..=3).contains(&sub.len()) && !(5..=8).contains(&sub.len())
                || !sub.bytes().all(|b| b.is_ascii_alphabetic())
            {
                return None;
            }
            out.push(sub);
        } else if sub.len() == 4 && sub.bytes().all(|b| b.is_ascii_alphabetic()) {
            let mut script = sub;
            script[..1].make_ascii_uppercase();
            out.push(script);
        } else if sub.len() == 2 && sub.bytes().all(|b| b.is_ascii_alphabetic()) {
            out.push(sub.to_ascii_uppercase());
        } else {
            out.push(sub);
        }
    }
    Some(out.join("-"))
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

#[wasm_bindgen]
extern "C" {
    /// An `Intl.NumberFormat`.
    type NumberFormat;
    #[wasm_bindgen(catch, js_namespace = Intl, js_name = NumberFormat)]
    fn number_format(locale: &str, options: &JsValue) -> Result<NumberFormat, JsValue>;
    #[wasm_bindgen(method)]
    fn format(this: &NumberFormat, n: f64) -> String;
}

thread_local! {
    /// Formatters by `kind|lang|currency`: building one costs far more than using it.
    static FORMATS: RefCell<HashMap<String, Option<NumberFormat>>> = RefCell::new(HashMap::new());
}

/// Formats `n` with the `Intl.NumberFormat` that `options` describe, built once per key;
/// `None` where the browser refuses the options.
fn format_with(
    key: String,
    lang: &str,
    options: impl FnOnce() -> js_sys::Object,
    n: f64,
) -> Option<String> {
    FORMATS.with(|formats| {
        let mut formats = formats.borrow_mut();
        let nf = formats
            .entry(key)
            .or_insert_with(|| number_format(lang, &options()).ok());
        nf.as_ref().map(|nf| nf.format(n))
    })
}

fn options(pairs: &[(&str, JsValue)]) -> js_sys::Object {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        let _ = js_sys::Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o
}

/// A count as the viewer's language writes it: in full below 10,000 (`9,999`), compact
/// above, one decimal at most and never rounded up (`1.2万`, `12.3K`, `1,2 rb`).
pub fn format_count(n: u64, lang: &str) -> String {
    let compact = n >= 10_000;
    let key = format!("{}|{lang}", if compact { "compact" } else { "count" });
    format_with(
        key,
        lang,
        || {
            if compact {
                options(&[
                    ("notation", "compact".into()),
                    ("maximumFractionDigits", 1.into()),
                    ("roundingMode", "trunc".into()),
                ])
            } else {
                options(&[])
            }
        },
        n as f64,
    )
    .unwrap_or_else(|| n.to_string())
}

/// A whole number as the viewer's language writes it (`12,345`, `12.345`).
pub fn format_number(n: u64, lang: &str) -> String {
    format_with(format!("count|{lang}"), lang, || options(&[]), n as f64)
        .unwrap_or_else(|| n.to_string())
}

/// A price given in the currency's minor unit as ISO 4217 defines it (分 for CNY, cents for
/// USD, sen for IDR; none for JPY, KRW and VND), as the viewer's language writes it:
/// `¥89.00`, `US$12.50`, `Rp 89.000`, `89.000 ₫`. The unit is fixed here, not taken from
/// the browser, so the same price means the same amount in every WebView.
pub fn format_money(minor: u64, currency: &str, lang: &str) -> String {
    let amount = minor as f64 / 10f64.powi(minor_digits(currency) as i32);
    format_with(
        format!("money|{lang}|{currency}"),
        lang,
        || options(&[("style", "currency".into()), ("currency", currency.into())]),
        amount,
    )
    .unwrap_or_else(|| format!("{amount} {currency}"))
}

/// `value` with `places` decimals (at most 6), for CSS lengths and data attributes written
/// while tracking: integer arithmetic, cheaper per frame than the float formatter.
pub fn fixed(value: f64, places: u32) -> String {
    let scale = 10i64.pow(places.min(6));
    let n = (value * scale as f64).round() as i64;
    let sign = if n < 0 { "-" } else { "" };
    let n = n.unsigned_abs();
    let (int, frac) = (n / scale as u64, n % scale as u64);
    if places == 0 {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac:0width$}", width = places.min(6) as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    #[cfg(target_arch = "wasm32")]
    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    /// Every language: the built-in ones, and each pack applied as the facade applies it.
    fn all() -> Vec<&'static Strings> {
        let mut all = vec![&ZH_CN, &EN];
        for pack in LOCALE_PACKS {
            all.push(Strings::resolve(pack, &pack_pairs(pack)).unwrap());
        }
        all
    }

    fn pack_pairs(pack: &str) -> Vec<(String, String)> {
        let text = match pack {
            "zh-TW" => include_str!("../../locales/zh-TW.json"),
            "id" => include_str!("../../locales/id.json"),
            "th" => include_str!("../../locales/th.json"),
            "vi" => include_str!("../../locales/vi.json"),
            _ => unreachable!(),
        };
        let map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(text).unwrap();
        map.into_iter()
            .map(|(k, v)| (k, v.as_str().expect("pack texts are strings").to_owned()))
            .collect()
    }

    #[test]
    fn every_pack_has_exactly_the_keys_of_strings() {
        for pack in LOCALE_PACKS {
            let keys: Vec<String> = pack_pairs(pack).into_iter().map(|(k, _)| k).collect();
            let mut expected: Vec<String> = Strings::KEYS.iter().map(|k| (*k).to_owned()).collect();
            let mut got = keys.clone();
            expected.sort();
            got.sort();
            assert_eq!(got, expected, "{pack}.json");
        }
    }

    #[test]
    fn every_language_fills_every_key_english_fills() {
        for strings in all() {
            for key in Strings::KEYS {
                let text = strings.get(key).unwrap();
                if !EN.get(key).unwrap().is_empty() {
                    assert!(!text.trim().is_empty(), "{}: {key} is empty", strings.lang);
                }
            }
        }
    }

    #[test]
    fn translations_are_not_copies_of_another_language() {
        let all = all();
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                let same = Strings::KEYS
                    .iter()
                    .filter(|k| !a.get(k).unwrap().is_empty() && a.get(k) == b.get(k))
                    .count();
                // A few words are shared on purpose (投票, "Flash sale", WeCom).
                assert!(
                    same * 5 < Strings::KEYS.len(),
                    "{} and {} share {same} of {} strings",
                    a.lang,
                    b.lang,
                    Strings::KEYS.len()
                );
            }
        }
    }

    #[test]
    fn tags_get_their_pack_and_a_built_in_fallback() {
        for (tag, pack, fallback) in [
            ("zh-CN", None, "zh-CN"),
            ("zh", None, "zh-CN"),
            ("zh_CN", None, "zh-CN"),
            ("zh-Hans-HK", None, "zh-CN"),
            ("zh-SG", None, "zh-CN"),
            ("zh-TW", Some("zh-TW"), "zh-CN"),
            ("zh-HK", Some("zh-TW"), "zh-CN"),
            ("zh-Hant", Some("zh-TW"), "zh-CN"),
            ("zh_tw", Some("zh-TW"), "zh-CN"),
            ("en", None, "en"),
            ("en-GB", None, "en"),
            ("id-ID", Some("id"), "en"),
            ("in", Some("id"), "en"),
            ("th-TH", Some("th"), "en"),
            ("vi", Some("vi"), "en"),
            ("fr", None, "zh-CN"),
            ("zh CN", None, "zh-CN"),
        ] {
            assert_eq!(locale_pack(tag), pack, "{tag}");
            assert_eq!(Strings::for_locale(tag).lang, fallback, "{tag}");
        }
    }

    #[test]
    fn tags_are_checked_and_put_in_canonical_case() {
        assert_eq!(canonical_tag("zh_hant_tw").as_deref(), Some("zh-Hant-TW"));
        assert_eq!(canonical_tag("EN-gb").as_deref(), Some("en-GB"));
        for bad in [
            "",
            "e",
            "english!",
            "en--GB",
            "zh-CN<script>",
            "12-CN",
            "toolongsubtag-x",
        ] {
            assert_eq!(canonical_tag(bad), None, "{bad}");
        }
    }

    #[test]
    fn resolve_overrides_and_refuses_what_it_cannot_use() {
        let plain = Strings::resolve("en", &[]).unwrap();
        assert!(std::ptr::eq(plain, &EN));
        let thai = Strings::resolve("th", &pack_pairs("th")).unwrap();
        assert_eq!((thai.lang, thai.poll), ("th", "โหวต"));
        let regional = Strings::resolve("en_GB", &[]).unwrap();
        assert_eq!((regional.lang, regional.poll), ("en-GB", EN.poll));

        let ours = vec![
            ("poll".to_owned(), "人气投票".to_owned()),
            ("grab".to_owned(), "马上抢".to_owned()),
        ];
        let s = Strings::resolve("zh-CN", &ours).unwrap();
        assert_eq!(
            (s.poll, s.grab, s.votes),
            ("人气投票", "马上抢", ZH_CN.votes)
        );
        // The same configuration is built once.
        let reversed: Vec<_> = ours.iter().rev().cloned().collect();
        assert!(std::ptr::eq(
            s,
            Strings::resolve("zh-CN", &reversed).unwrap()
        ));
        assert_eq!(ZH_CN.poll, "投票", "the built-in strings are untouched");

        let err = Strings::resolve("zh-CN", &[("pol".into(), "x".into())]).unwrap_err();
        assert!(err.contains("strings.pol"), "{err}");
        let err = Strings::resolve("zh-CN", &[("poll".into(), "x".repeat(501))]).unwrap_err();
        assert!(err.contains("500"), "{err}");
        let err = Strings::resolve("zh CN", &[]).unwrap_err();
        assert!(err.contains("\"zh CN\""), "{err}");
    }
}

/// Intl is the browser's: these run in Chromium only.
#[cfg(all(test, target_arch = "wasm32"))]
mod browser_tests {
    use super::*;
    use wasm_bindgen_test::*;

    /// Intl separates a number from its unit with a no-break space where the language does.
    fn nbsp(text: &str) -> String {
        text.replace(' ', "\u{a0}")
    }

    #[wasm_bindgen_test]
    fn counts_are_formatted_by_intl_and_never_rounded_up() {
        assert_eq!(format_count(9_999, "zh-CN"), "9,999");
        assert_eq!(format_count(12_345, "zh-CN"), "1.2万");
        assert_eq!(format_count(19_999, "zh-CN"), "1.9万");
        assert_eq!(format_count(345_000_000, "zh-CN"), "3.4亿");
        assert_eq!(format_count(12_345, "zh-TW"), "1.2萬");
        assert_eq!(format_count(12_345, "en"), "12.3K");
        assert_eq!(format_count(1_250_000, "en"), "1.2M");
        assert_eq!(format_count(12_345, "id"), nbsp("12,3 rb"));
        assert_eq!(format_count(12_345, "vi"), nbsp("12,3 N"));
        assert_eq!(format_number(12_345, "id"), "12.345");
    }

    #[wasm_bindgen_test]
    fn prices_are_formatted_by_intl_from_iso_minor_units() {
        assert_eq!(format_money(8_900, "CNY", "zh-CN"), "¥89.00");
        assert_eq!(format_money(1_250, "USD", "en"), "$12.50");
        assert_eq!(format_money(8_900_000, "IDR", "id"), nbsp("Rp 89.000"));
        assert_eq!(format_money(89_000, "VND", "vi"), nbsp("89.000 ₫"));
        assert_eq!(format_money(19_900, "THB", "th"), "฿199.00");
        assert_eq!(format_money(1_200, "JPY", "en"), "¥1,200");
        // A currency the browser does not know still shows its code.
        assert!(format_money(100, "ZZZ", "en").contains("ZZZ"));
    }
}
