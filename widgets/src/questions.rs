use crate::card::Card;
use crate::i18n::{fill, Strings};
use hudong_core::{Action, QuestionState, Questions};
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

/// The question queue: a box to ask in, the viewer's questions with their place in the queue
/// (acknowledged at once by the server), and the room's queue with "me too" upvotes.
#[function_component(QuestionsView)]
pub fn questions_view(props: &crate::WidgetProps<Questions>) -> Html {
    let (q, _, on_action, s, _drawing) = props.parts();
    let id = q.id().to_owned();
    let title_id = Card::heading_id(&id);
    let input_id = format!("hd-{id}-input");
    let input = use_node_ref();
    let on_submit = {
        let (on_action, id, input) = (on_action.clone(), id.clone(), input.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Some(area) = input.cast::<HtmlTextAreaElement>() {
                let text = area.value();
                if !text.trim().is_empty() {
                    on_action.emit(Action::QuestionAsk {
                        widget_id: id.clone(),
                        text,
                    });
                    area.set_value("");
                }
            }
        })
    };
    let upvote = |question_id: &str| {
        let (on_action, id, question_id) = (on_action.clone(), id.clone(), question_id.to_owned());
        Callback::from(move |_: MouseEvent| {
            on_action.emit(Action::QuestionUpvote {
                widget_id: id.clone(),
                question_id: question_id.clone(),
            })
        })
    };
    let state_of = |question_id: &str| {
        q.items()
            .iter()
            .find(|i| i.question_id == question_id)
            .map(|i| i.state)
    };
    let mut card = Card::new("questions", &id).badge(s.questions);
    if q.waiting() > 0 {
        card = card.note(format!("{} {}", q.waiting(), s.q_waiting));
    }
    card.view(html! {
        <>
            <h2 class="hd-q" id={title_id}>{q.spec().prompt.as_deref().unwrap_or(s.ask_prompt)}</h2>
            <form class="hd-ask" onsubmit={on_submit}>
                <label class="hd-visually-hidden" for={input_id.clone()}>{s.your_question}</label>
                <textarea id={input_id} ref={input} rows="2" maxlength={q.spec().max_len.to_string()} placeholder={s.your_question} />
                <button type="submit" class="hd-submit">{s.ask}</button>
            </form>
            if !q.mine().is_empty() {
                <ul class="hd-mine-q">
                    { for q.mine().iter().map(|m| {
                        let status = match (m.question_id.as_deref().and_then(state_of), q.position_of(m), m.merged) {
                            (Some(QuestionState::Answering), _, _) => s.q_answering.to_owned(),
                            (Some(QuestionState::Answered), _, _) => s.q_answered.to_owned(),
                            (_, _, true) => s.q_merged.to_owned(),
                            (_, Some(p), _) => fill(s.q_place, "n", &p.to_string()),
                            (_, None, _) => s.q_sending.to_owned(),
                        };
                        html! {
                            <li key={m.request_id.clone()}>
                                <span class="hd-q-text">{&m.text}</span>
                                <span class="hd-status" role="status">{status}</span>
                            </li>
                        }
                    }) }
                </ul>
            }
            if !q.items().is_empty() {
                <ol class="hd-queue">
                    { for q.items().iter().map(|item| {
                        let voted = q.voted(&item.question_id);
                        let own = q.is_mine(&item.question_id);
                        html! {
                            <li key={item.question_id.clone()} data-question-id={item.question_id.clone()}
                                data-state={match item.state { QuestionState::Queued => "queued", QuestionState::Answering => "answering", QuestionState::Answered => "answered" }}>
                                <span class="hd-q-text">{&item.text}</span>
                                {match item.state {
                                    QuestionState::Answering => html! { <span class="hd-badge">{s.q_answering}</span> },
                                    QuestionState::Answered => html! { <span class="hd-hint">{s.q_answered}</span> },
                                    QuestionState::Queued => html! {},
                                }}
                                <button type="button" class="hd-upvote" aria-pressed={voted.to_string()}
                                        disabled={own || item.state == QuestionState::Answered}
                                        aria-label={format!("{} ({})", s.upvote, item.votes)} onclick={upvote(&item.question_id)}>
                                    {format!("▲ {}", item.votes)}
                                </button>
                            </li>
                        }
                    }) }
                </ol>
            }
        </>
    })
}

impl crate::View for Questions {
    fn chip(&self, s: &'static Strings) -> (&'static str, &str) {
        (s.questions, self.spec().prompt.as_deref().unwrap_or(s.ask_prompt))
    }
}
