use crate::card::Card;
use crate::i18n::{format_number, plural, Strings};
use hudong_core::{Action, Poll, PollPhase};
use yew::prelude::*;

/// A poll card. Single choice votes in one tap; multi choice ticks options, then submits.
/// Results (bars and percentages) show once the viewer voted or the poll closed.
#[function_component(PollView)]
pub fn poll_view(props: &crate::WidgetProps<Poll>) -> Html {
    let (poll, clock, on_action, s, _drawing) = props.parts();
    // Options ticked but not yet submitted (multi choice only): view state, not poll state.
    let ticked = use_state(Vec::<usize>::new);
    let spec = poll.spec();
    let now = clock.now();
    let can_vote = poll.can_vote(now);
    let phase = poll.phase();
    let show_results = poll.has_voted() || phase != PollPhase::Open;
    let percentages = poll.percentages();
    let winners = if phase == PollPhase::Revealed {
        poll.winners()
    } else {
        Vec::new()
    };
    let multi = poll.is_multi();

    let vote = {
        let on_action = on_action.clone();
        let widget_id = spec.widget_id.clone();
        let ids: Vec<String> = spec.options.iter().map(|o| o.id.clone()).collect();
        move |indices: &[usize]| {
            on_action.emit(Action::PollVote {
                widget_id: widget_id.clone(),
                option_ids: indices.iter().map(|&i| ids[i].clone()).collect(),
            })
        }
    };

    let options = spec.options.iter().enumerate().map(|(i, o)| {
        let mine = poll.my_choice().contains(&i);
        let is_ticked = multi && ticked.contains(&i);
        let onclick = {
            let ticked = ticked.clone();
            let vote = vote.clone();
            let max = spec.max_choices as usize;
            Callback::from(move |_: MouseEvent| {
                if multi {
                    let mut next = (*ticked).clone();
                    match next.iter().position(|&t| t == i) {
                        Some(at) => {
                            next.remove(at);
                        }
                        None if next.len() < max => next.push(i),
                        None => return,
                    }
                    ticked.set(next);
                } else {
                    vote(&[i]);
                }
            })
        };
        let pct = percentages[i];
        html! {
            <li key={o.id.clone()}>
                <button type="button"
                    class={classes!("hd-opt", mine.then_some("hd-mine"), is_ticked.then_some("hd-ticked"),
                                    winners.contains(&i).then_some("hd-winner"))}
                    aria-pressed={if mine || is_ticked { "true" } else { "false" }}
                    disabled={!can_vote}
                    data-option-id={o.id.clone()}
                    {onclick}>
                    if let Some(src) = &o.image {
                        <img class="hd-opt-img" src={src.clone()} alt="" loading="lazy" decoding="async" />
                    }
                    <span class="hd-opt-label">{&o.label}</span>
                    if mine { <span class="hd-tag">{s.your_choice}</span> }
                    if winners.contains(&i) { <span class="hd-tag hd-tag-win">{s.winner}</span> }
                    if show_results {
                        <span class="hd-opt-pct">{pct}{"%"}</span>
                        <progress class="hd-bar" max="100" value={pct.to_string()} aria-hidden="true"></progress>
                    }
                </button>
            </li>
        }
    });

    let submit = multi.then(|| {
        let ticked_now = (*ticked).clone();
        let vote = vote.clone();
        let onclick = Callback::from(move |_: MouseEvent| vote(&ticked_now));
        html! {
            <button type="button" class="hd-submit" disabled={!can_vote || ticked.is_empty()} {onclick}>
                {s.submit}{format!(" ({}/{})", ticked.len(), spec.max_choices)}
            </button>
        }
    });

    let status = match phase {
        PollPhase::Revealed => s.revealed,
        PollPhase::Closed => s.closed,
        PollPhase::Open if poll.has_voted() => s.voted,
        PollPhase::Open => "",
    };
    let hint = if multi {
        format!("{} {}", s.pick_up_to, spec.max_choices)
    } else {
        s.tap_to_vote.to_owned()
    };

    let card = Card::new("poll", &spec.widget_id)
        .class(Some(phase_class(phase)))
        .badge(s.poll)
        .phase(phase_class(phase))
        .countdown(spec.closes_at.filter(|_| phase == PollPhase::Open), s.remaining, clock);
    card.view(html! {
        <>
            <h2 class="hd-q" id={Card::heading_id(&spec.widget_id)}>{&spec.question}</h2>
            if can_vote && !poll.has_voted() { <p class="hd-hint">{hint}</p> }
            <ul class="hd-options">{ for options }</ul>
            if can_vote { {for submit} }
            <p class="hd-status" role="status">
                {status}
                if show_results && poll.total() > 0 {
                    <span class="hd-total">{format!(" · {} {}", format_number(poll.total(), s.lang), plural(poll.total(), s.lang, s.vote, s.votes))}</span>
                }
            </p>
        </>
    })
}

fn phase_class(p: PollPhase) -> &'static str {
    match p {
        PollPhase::Open => "open",
        PollPhase::Closed => "closed",
        PollPhase::Revealed => "revealed",
    }
}

impl crate::View for Poll {
    fn chip(&self, s: &'static Strings) -> (&'static str, &str) {
        (s.poll, self.spec().question.as_str())
    }
}
