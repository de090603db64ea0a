use crate::card::Card;
use crate::i18n::{fill, format_number, Strings};
use hudong_core::{Leaderboard, LeaderboardPhase};
use yew::prelude::*;

/// The interaction leaderboard: the most active viewers with their honor titles, the
/// viewer's own place, a countdown to the close, and the viewer's reward when the final
/// board gives them one. Everything on it comes from the server.
#[function_component(LeaderboardView)]
pub fn leaderboard_view(props: &crate::WidgetProps<Leaderboard>) -> Html {
    let (b, clock, _, s, _drawing) = props.parts();
    let id = b.id().to_owned();
    let spec = b.spec();
    let heading_id = Card::heading_id(&id);
    let phase = match b.phase() {
        LeaderboardPhase::Live => "live",
        LeaderboardPhase::Counting => "counting",
        LeaderboardPhase::Final => "final",
    };
    let rows = b.rows().iter().map(|r| {
        let title = b.title_of(r.rank);
        html! {
            <li value={r.rank.to_string()} key={format!("{}-{}", r.rank, r.name)}>
                <span>{&r.name}
                    if let Some(t) = title { {" "}<span class="hd-tag">{t}</span> }
                </span>
                <span>{fill(s.lb_score, "n", &format_number(r.score, s.lang))}</span>
            </li>
        }
    });
    let me = b.standing();
    let card = Card::new("leaderboard", &id)
        .badge(s.lb_badge)
        .phase(phase)
        .countdown(spec.ends_at.filter(|_| b.phase() == LeaderboardPhase::Live), s.lb_ends_in, clock);
    card.view(html! {
        <>
            <h2 class="hd-q" id={heading_id}>{spec.title.clone().unwrap_or_else(|| s.lb_badge.to_owned())}</h2>
            if b.rows().is_empty() {
                <p class="hd-hint">{s.lb_empty}</p>
            } else {
                <ol class="hd-board" aria-label={s.leaderboard}>{ for rows }</ol>
            }
            <p class="hd-status" role="status">
                { match b.phase() {
                    LeaderboardPhase::Counting => s.lb_counting.to_owned(),
                    LeaderboardPhase::Final => s.lb_final.to_owned(),
                    LeaderboardPhase::Live => fill(s.lb_participants, "n", &format_number(b.participants(), s.lang)),
                } }
            </p>
            if let Some(m) = me {
                <p class="hd-score">
                    { match m.rank {
                        Some(rank) => fill(s.lb_my_rank, "rank", &rank.to_string()),
                        None => s.lb_not_ranked.to_owned(),
                    } }
                </p>
                if let Some(reward) = &m.reward {
                    <p class="hd-banner hd-won" role="status">{fill(s.lb_reward, "reward", reward)}</p>
                }
            }
        </>
    })
}

impl crate::View for Leaderboard {
    fn chip(&self, s: &'static Strings) -> (&'static str, &str) {
        (s.lb_badge, self.spec().title.as_deref().unwrap_or(""))
    }
}
