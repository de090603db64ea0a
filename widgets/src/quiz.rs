use crate::card::Card;
use crate::i18n::Strings;
use hudong_core::{Action, QuestionPhase, Quiz};
use yew::prelude::*;

/// A quiz card: the current question with a countdown, one tap to answer (locked), the
/// reveal with shares per option, and the viewer's score, streak and rank from the server.
#[function_component(QuizView)]
pub fn quiz_view(props: &crate::WidgetProps<Quiz>) -> Html {
    let (quiz, clock, on_action, s, _drawing) = props.parts();
    let spec = quiz.spec();
    let now = clock.now();
    let can_answer = quiz.can_answer(now);
    let heading_id = Card::heading_id(&spec.widget_id);
    let phase = quiz.question().map_or("waiting", |q| match q.phase {
        QuestionPhase::Open => "open",
        QuestionPhase::Closed => "closed",
        QuestionPhase::Revealed => "revealed",
    });

    let body = match quiz.question() {
        None => html! {
            <>
                <h2 class="hd-q" id={heading_id.clone()}>{spec.title.clone().unwrap_or_else(|| s.quiz.to_owned())}</h2>
                <p class="hd-hint">{s.quiz_waiting}</p>
            </>
        },
        Some(q) => {
            let revealed = q.phase == QuestionPhase::Revealed;
            let pct = q.percentages();
            let options = q.spec.options.iter().enumerate().map(|(i, o)| {
                let mine = q.my_answer == Some(i);
                let correct = revealed && q.correct.contains(&i);
                let onclick = {
                    let on_action = on_action.clone();
                    let (widget_id, question_id, option_id) = (spec.widget_id.clone(), q.spec.question_id.clone(), o.id.clone());
                    Callback::from(move |_: MouseEvent| {
                        on_action.emit(Action::QuizAnswer {
                            widget_id: widget_id.clone(),
                            question_id: question_id.clone(),
                            option_id: option_id.clone(),
                        })
                    })
                };
                html! {
                    <li key={o.id.clone()}>
                        <button type="button"
                            class={classes!("hd-opt", mine.then_some("hd-mine"), correct.then_some("hd-winner"),
                                            (revealed && mine && !correct).then_some("hd-wrong"))}
                            aria-pressed={mine.to_string()} disabled={!can_answer} data-option-id={o.id.clone()} {onclick}>
                            <span class="hd-opt-label">{&o.label}</span>
                            if correct { <span class="hd-tag hd-tag-win">{"✓ "}{s.correct_tag}</span> }
                            if mine { <span class="hd-tag">{s.your_choice}</span> }
                            if revealed {
                                <span class="hd-opt-pct">{pct[i]}{"%"}</span>
                                <progress class="hd-bar" max="100" value={pct[i].to_string()} aria-hidden="true"></progress>
                            }
                        </button>
                    </li>
                }
            });
            let status = match (q.phase, q.my_result(), q.my_answer.is_some()) {
                (QuestionPhase::Revealed, Some(true), _) => s.answer_right,
                (QuestionPhase::Revealed, _, true) => s.answer_wrong,
                (QuestionPhase::Revealed, _, false) => s.answer_missed,
                (_, _, true) => s.answer_locked,
                (QuestionPhase::Closed, _, false) => s.time_up,
                (QuestionPhase::Open, _, false) => "",
            };
            html! {
                <>
                    <h2 class="hd-q" id={heading_id.clone()}>{&q.spec.text}</h2>
                    <ul class="hd-options">{ for options }</ul>
                    <p class={classes!("hd-status", (q.phase == QuestionPhase::Revealed && q.my_result() == Some(true)).then_some("hd-win"))}
                       role="status">{status}</p>
                </>
            }
        }
    };

    let deadline = quiz
        .question()
        .filter(|q| q.phase == QuestionPhase::Open)
        .map(|q| q.spec.closes_at);
    let card = Card::new("quiz", &spec.widget_id)
        .badge(s.quiz)
        .phase(phase)
        .countdown(deadline, s.answer_in, clock);
    card.view(html! {
        <>
            if quiz.eliminated() { <p class="hd-banner" role="status">{s.eliminated}</p> }
            {body}
            if let Some(st) = quiz.standing() {
                <p class="hd-score">
                    {format!("{} {} · {} {}", s.score, st.score, s.streak, st.streak)}
                    if let Some(rank) = st.rank { {format!(" · {} {rank}", s.rank)} }
                </p>
            }
            if let Some(board) = quiz.leaderboard() {
                <ol class="hd-board" aria-label={s.leaderboard}>
                    { for board.top.iter().map(|r| html! { <li><span>{&r.name}</span><span>{r.score}</span></li> }) }
                </ol>
            }
        </>
    })
}

impl crate::View for Quiz {
    fn chip(&self, s: &'static Strings) -> (&'static str, &str) {
        (s.quiz, self.spec().title.as_deref().unwrap_or(""))
    }
}
