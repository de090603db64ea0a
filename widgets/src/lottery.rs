use crate::card::Card;
use crate::i18n::{fill, plural, Strings};
use hudong_core::{
    Action, ClaimOutcome, EntryCondition, EntryOutcome, Lottery, LotteryPhase, MyEntry,
};
use yew::prelude::*;

/// A lucky-bag card: the prize, the entry condition, the entry count and the countdown; one
/// tap to enter (pending until the server says); then the winners, and a claim for a winner.
#[function_component(LotteryView)]
pub fn lottery_view(props: &crate::WidgetProps<Lottery>) -> Html {
    let (l, clock, on_action, s, _drawing) = props.parts();
    let spec = l.spec();
    let now = clock.now();
    let phase = l.phase(now);
    let title_id = Card::heading_id(&spec.widget_id);
    let act = |make: fn(String) -> Action| {
        let (on_action, id) = (on_action.clone(), spec.widget_id.clone());
        Callback::from(move |_: MouseEvent| on_action.emit(make(id.clone())))
    };
    let condition = match spec.condition {
        EntryCondition::None => None,
        EntryCondition::Keyword => Some(format!(
            "{}「{}」",
            s.send_keyword,
            spec.keyword.as_deref().unwrap_or("")
        )),
        EntryCondition::Follow => Some(s.cond_follow.to_owned()),
        EntryCondition::Like => Some(s.cond_like.to_owned()),
        EntryCondition::Watch => Some(fill(
            s.cond_watch,
            "n",
            &spec.watch_ms.unwrap_or(0).div_ceil(60_000).to_string(),
        )),
    };
    let pending = matches!(l.mine(), MyEntry::Pending { .. });
    let entry_status = match l.mine() {
        MyEntry::None => "",
        MyEntry::Pending { .. } => s.entering,
        MyEntry::Entered => s.entered_wait,
        MyEntry::Refused {
            outcome: EntryOutcome::NotEligible,
        } => s.not_eligible,
        MyEntry::Refused {
            outcome: EntryOutcome::Closed,
        } => s.entries_closed,
        MyEntry::Refused {
            outcome: EntryOutcome::LimitReached,
        } => s.win_limit,
        MyEntry::Refused {
            outcome: EntryOutcome::Entered,
        } => s.entered_wait,
    };
    let body = match phase {
        LotteryPhase::Open => html! {
            <>
                if let Some(c) = &condition { <p class="hd-hint hd-condition">{c}</p> }
                if !matches!(l.mine(), MyEntry::Entered) {
                    <button type="button" class="hd-submit" disabled={pending} aria-busy={pending.to_string()}
                            onclick={act(|widget_id| Action::LotteryEnter { widget_id })}>
                        { if pending { s.entering } else if spec.condition == EntryCondition::Keyword { s.send_keyword.trim_end_matches(['：', ':']) } else { s.enter } }
                    </button>
                }
                <p class="hd-status" role="status">{entry_status}</p>
            </>
        },
        LotteryPhase::Drawing => html! { <p class="hd-status" role="status">{s.drawing}</p> },
        LotteryPhase::Drawn => {
            let claim_status = match l.claimed() {
                Some(Ok(r)) => format!("{} {r}", s.claimed),
                Some(Err(ClaimOutcome::Expired)) => s.claim_expired.to_owned(),
                Some(Err(ClaimOutcome::Success)) | None => String::new(),
            };
            html! {
                <>
                    <h3 class="hd-subhead">{s.winner_list}</h3>
                    <ol class="hd-board hd-winners">
                        { for l.winners().unwrap_or_default().iter().map(|w| html! { <li>{w}</li> }) }
                    </ol>
                    {match l.won() {
                        Some(true) => html! {
                            <>
                                <p class="hd-banner hd-won" role="status">{s.you_won}</p>
                                if !matches!(l.claimed(), Some(Ok(_))) {
                                    <button type="button" class="hd-submit" disabled={l.claim_pending().is_some()}
                                            aria-busy={l.claim_pending().is_some().to_string()}
                                            onclick={act(|widget_id| Action::LotteryClaim { widget_id })}>
                                        { if l.claim_pending().is_some() { s.claiming } else { s.claim } }
                                    </button>
                                }
                                <p class="hd-status" role="status">{claim_status}</p>
                            </>
                        },
                        Some(false) => html! { <p class="hd-status" role="status">{s.not_this_time}</p> },
                        None => html! {},
                    }}
                </>
            }
        }
    };
    let card = Card::new("lottery", &spec.widget_id)
        .badge(s.lottery)
        .phase(match phase {
            LotteryPhase::Open => "open",
            LotteryPhase::Drawing => "drawing",
            LotteryPhase::Drawn => "drawn",
        })
        .countdown((phase == LotteryPhase::Open).then_some(spec.draw_at), s.draw_in, clock);
    card.view(html! {
        <>
            <div class="hd-product">
                if let Some(src) = &spec.prize.image {
                    <img class="hd-product-img" src={src.clone()} alt="" loading="lazy" decoding="async" />
                }
                <div class="hd-product-text">
                    <h2 class="hd-q" id={title_id}>{&spec.prize.name}</h2>
                    <p class="hd-hint">{format!("{} {} · {} {}", spec.prize.count, plural(spec.prize.count.into(), s.lang, s.winner_count, s.winners_count), l.entries(), s.entered_count)}</p>
                </div>
            </div>
            {body}
        </>
    })
}

impl crate::View for Lottery {
    fn chip(&self, s: &'static Strings) -> (&'static str, &str) {
        (s.lottery, self.spec().prize.name.as_str())
    }
}
