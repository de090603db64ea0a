use crate::card::Card;
use crate::i18n::{fill, Strings};
use hudong_core::{Action, TaskClaim, TaskKind, TaskOutcome, TaskSpec, Tasks};
use yew::prelude::*;

fn label(t: &TaskSpec, s: &Strings) -> String {
    match t.kind {
        TaskKind::Watch => fill(s.task_watch, "n", &t.target.to_string()),
        TaskKind::Like => fill(s.task_like, "n", &t.target.to_string()),
        TaskKind::Share => s.task_share.to_owned(),
        TaskKind::Answer => fill(s.task_answer, "n", &t.target.to_string()),
    }
}

/// The room's tasks: each with its progress (the server's count; watch minutes also from
/// this page's clock), its reward, and a claim button once done.
#[function_component(TasksView)]
pub fn tasks_view(props: &crate::WidgetProps<Tasks>) -> Html {
    let (t, clock, on_action, s, _drawing) = props.parts();
    let id = t.id().to_owned();
    let now = clock.now();
    let title_id = Card::heading_id(&id);
    let claim = |task_id: &str| {
        let (on_action, id, task_id) = (on_action.clone(), id.clone(), task_id.to_owned());
        Callback::from(move |_: MouseEvent| {
            on_action.emit(Action::TaskClaim {
                widget_id: id.clone(),
                task_id: task_id.clone(),
            })
        })
    };
    let share = {
        let (on_action, id) = (on_action.clone(), id.clone());
        Callback::from(move |_: MouseEvent| {
            let (on_action, id) = (on_action.clone(), id.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let url = web_sys::window()
                    .and_then(|w| w.location().href().ok())
                    .unwrap_or_default();
                if hudong_web::share::share("", &url).await.is_ok() {
                    on_action.emit(Action::TaskShare {
                        widget_id: id,
                        channel: "web_share".into(),
                    });
                }
            });
        })
    };
    Card::new("tasks", &id).view(html! {
        <>
            <h2 class="hd-q" id={title_id}>{s.tasks}</h2>
            <ul class="hd-task-list">
                { for t.spec().tasks.iter().map(|task| {
                    let progress = t.progress(task, now);
                    let done = t.done(task, now);
                    let bar_id = format!("hd-{id}-{}-l", task.task_id);
                    html! {
                        <li key={task.task_id.clone()} data-task-id={task.task_id.clone()} data-done={done.to_string()}>
                            <span class="hd-task-name" id={bar_id.clone()}>{label(task, s)}</span>
                            <span class="hd-task-reward">{&task.reward}</span>
                            <progress class="hd-goal-bar" max={task.target.to_string()} value={progress.to_string()} aria-labelledby={bar_id}></progress>
                            <span class="hd-task-count">{format!("{progress}/{}", task.target)}</span>
                            {match t.claim_of(&task.task_id) {
                                Some(TaskClaim::Claimed { reward_ref }) => html! { <span class="hd-status" role="status">{format!("{} {reward_ref}", s.reward_claimed)}</span> },
                                Some(TaskClaim::Pending { .. }) => html! {
                                    <button type="button" class="hd-submit hd-task-btn" disabled=true aria-busy="true">{s.claiming_coupon}</button>
                                },
                                other => html! {
                                    <>
                                        if task.kind == TaskKind::Share && !done && hudong_web::share::can_share() {
                                            <button type="button" class="hd-submit hd-alt hd-task-btn" onclick={share.clone()}>{s.share_group}</button>
                                        }
                                        if done {
                                            <button type="button" class="hd-submit hd-task-btn" onclick={claim(&task.task_id)}>{s.claim_reward}</button>
                                        }
                                        if let Some(TaskClaim::Refused { outcome: TaskOutcome::NotDone }) = other {
                                            <span class="hd-status" role="status">{s.task_not_done}</span>
                                        }
                                    </>
                                },
                            }}
                        </li>
                    }
                }) }
            </ul>
        </>
    })
}

impl crate::View for Tasks {
    fn chip(&self, s: &'static Strings) -> (&'static str, &str) {
        (s.tasks, "")
    }
}
