use crate::card::Card;
use crate::i18n::{format_count, Strings};
use hudong_core::{Action, Likes};
use yew::prelude::*;

/// At most this many hearts float at once, however fast the taps.
const MAX_HEARTS: usize = 8;

/// The heart button with the room's count (shown at once, counted by the server), a goal bar
/// when the host set a goal, and hearts that float up on each tap (a fade only, for viewers
/// who ask for reduced motion). Taps are coalesced by the core, not here.
#[function_component(LikesView)]
pub fn likes_view(props: &crate::WidgetProps<Likes>) -> Html {
    let (l, _, on_action, s, _drawing) = props.parts();
    let id = l.id().to_owned();
    let hearts = use_state(|| (0u32, Vec::<u32>::new()));
    let on_tap = {
        let (on_action, id, hearts) = (on_action.clone(), id.clone(), hearts.clone());
        Callback::from(move |_: MouseEvent| {
            on_action.emit(Action::LikeTap {
                widget_id: id.clone(),
            });
            let (next, mut live) = (*hearts).clone();
            if live.len() < MAX_HEARTS {
                live.push(next);
            }
            hearts.set((next.wrapping_add(1), live));
        })
    };
    let done = |n: u32| {
        let hearts = hearts.clone();
        Callback::from(move |_: AnimationEvent| {
            let (next, mut live) = (*hearts).clone();
            live.retain(|h| *h != n);
            hearts.set((next, live));
        })
    };
    let title_id = Card::heading_id(&id);
    let shown = format_count(l.shown(), s.lang);
    Card::new("likes", &id).view(html! {
        <>
            if let Some(goal) = &l.spec().goal {
                <div class="hd-goal">
                    <p class="hd-goal-text" id={title_id.clone()}>{format!("{} {} · {}", s.like_goal, format_count(goal.target, s.lang), goal.reward)}</p>
                    <progress class="hd-goal-bar" max={goal.target.to_string()} value={l.total().min(goal.target).to_string()}
                              aria-labelledby={title_id.clone()}></progress>
                    if l.goal_reached() {
                        <p class="hd-banner hd-won" role="status">{format!("{}{}", s.goal_unlocked, goal.reward)}</p>
                    }
                </div>
            } else {
                <span class="hd-visually-hidden" id={title_id.clone()}>{s.like}</span>
            }
            <div class="hd-like-row">
                <span class="hd-like-count" aria-live="off">{format!("{shown} {}", s.likes_word)}</span>
                <button type="button" class="hd-like" aria-label={format!("{} ({shown} {})", s.like, s.likes_word)} onclick={on_tap}>
                    <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
                        <path d="M12 21s-7.5-4.6-10-9.3C.4 8.6 2.2 4.5 6 4.5c2.2 0 3.6 1.3 4.3 2.6h3.4c.7-1.3 2.1-2.6 4.3-2.6 3.8 0 5.6 4.1 4 7.2C19.5 16.4 12 21 12 21z" transform="translate(0 -1)" />
                    </svg>
                    <span class="hd-hearts" aria-hidden="true">
                        { for hearts.1.iter().map(|n| html! {
                            <span key={*n} class={classes!("hd-heart", format!("hd-heart-{}", n % 4))} onanimationend={done(*n)}>{"♥"}</span>
                        }) }
                    </span>
                </button>
            </div>
        </>
    })
}

impl crate::View for Likes {
    fn chip(&self, s: &'static Strings) -> (&'static str, &str) {
        (s.like, "")
    }
}
