//! The frame every widget's card shares: the `<section>` with its kind, widget id, phase and
//! heading, the header with its badge, the countdown slot and what a view adds beside them,
//! and the folded form (a chip that opens the card again).
//!
//! ```text
//! Card::new("poll", &spec.widget_id)
//!     .badge(s.poll)
//!     .phase(phase_class(phase))
//!     .countdown(spec.closes_at.filter(|_| open), s.remaining, clock)
//!     .view(html! { <h2 class="hd-q" id={Card::heading_id(&spec.widget_id)}>{question}</h2> … })
//! ```
use crate::clock::Clock;
use crate::countdown::Countdown;
use hudong_core::Millis;
use yew::prelude::*;

/// A widget's card, built by its view and drawn around the view's body by [`Card::view`].
pub(crate) struct Card<'a> {
    kind: &'static str,
    widget_id: &'a str,
    class: Option<&'static str>,
    badge: Option<&'a str>,
    header: Html,
    phase: Option<&'static str>,
    pending: Option<bool>,
    live: Option<(bool, &'static str)>,
    node_ref: NodeRef,
    modal: bool,
    onkeydown: Option<Callback<KeyboardEvent>>,
}

impl<'a> Card<'a> {
    /// The card of a widget of this kind (its class is `hd-{kind}`).
    pub fn new(kind: &'static str, widget_id: &'a str) -> Self {
        Card {
            kind,
            widget_id,
            class: None,
            badge: None,
            header: Html::default(),
            phase: None,
            pending: None,
            live: None,
            node_ref: NodeRef::default(),
            modal: false,
            onkeydown: None,
        }
    }

    /// The id of the card's heading, which names the card (`aria-labelledby`).
    pub fn heading_id(widget_id: &str) -> String {
        format!("hd-{widget_id}-t")
    }

    /// The badge that opens the header. A card without one has no header.
    pub fn badge(mut self, badge: &'a str) -> Self {
        self.badge = Some(badge);
        self
    }

    /// A class besides `hd-card hd-{kind}` (a variant, such as a red packet).
    pub fn class(mut self, class: Option<&'static str>) -> Self {
        self.class = class;
        self
    }

    /// The widget's phase, as `data-phase`: what styles and tests key on.
    pub fn phase(mut self, phase: &'static str) -> Self {
        self.phase = Some(phase);
        self
    }

    /// Whether a request of the viewer waits for the server's answer (`data-pending`).
    pub fn pending(mut self, pending: bool) -> Self {
        self.pending = Some(pending);
        self
    }

    /// Whether a camera or photo is live (`data-live`) and the tracker's state
    /// (`data-tracker`): try-on.
    pub fn live(mut self, live: bool, tracker: &'static str) -> Self {
        self.live = Some((live, tracker));
        self
    }

    /// The time left before `deadline`, in the header's countdown slot, when there is one.
    pub fn countdown(
        mut self,
        deadline: Option<Millis>,
        label: &'static str,
        clock: &Clock,
    ) -> Self {
        if let Some(deadline) = deadline {
            self.header =
                html! { <>{self.header}<Countdown {deadline} clock={clock.clone()} {label} /></> };
        }
        self
    }

    /// A short state in the countdown's place ("sold out", "3 waiting").
    pub fn note(mut self, text: impl Into<AttrValue>) -> Self {
        self.header = html! { <>{self.header}<span class="hd-countdown">{text.into()}</span></> };
        self
    }

    /// Something else at the end of the header (a balance, a close or fold button).
    pub fn aside(mut self, html: Html) -> Self {
        self.header = html! { <>{self.header}{html}</> };
        self
    }

    /// A card that takes the screen: a modal dialog, keys handled, its element kept.
    pub fn dialog(
        mut self,
        modal: bool,
        node_ref: NodeRef,
        onkeydown: Callback<KeyboardEvent>,
    ) -> Self {
        self.modal = modal;
        self.node_ref = node_ref;
        self.onkeydown = Some(onkeydown);
        self
    }

    /// The card around its body.
    pub fn view(self, body: Html) -> Html {
        let header = self.badge.map(|badge| {
            html! { <header class="hd-head"><span class="hd-badge">{badge.to_owned()}</span>{self.header}</header> }
        });
        let modal = self.modal;
        html! {
            <section class={classes!("hd-card", format!("hd-{}", self.kind), self.class)}
                     aria-labelledby={Self::heading_id(self.widget_id)} data-widget-id={self.widget_id.to_owned()}
                     data-phase={self.phase} data-pending={self.pending.map(|p| p.to_string())}
                     data-live={self.live.map(|l| l.0.to_string())} data-tracker={self.live.map(|l| l.1)}
                     ref={self.node_ref} role={modal.then_some("dialog")} aria-modal={modal.then_some("true")}
                     onkeydown={self.onkeydown}>
                {for header}
                {body}
            </section>
        }
    }

    /// The card folded into a chip: its badge and title on a button that opens it.
    pub fn folded(self, title: &str, open: Callback<MouseEvent>) -> Html {
        let (kind, id) = (format!("hd-{}", self.kind), self.widget_id.to_owned());
        chip(
            Some(kind),
            Some(id),
            None,
            self.badge.unwrap_or_default(),
            title,
            open,
        )
    }
}

/// A folded card: a button with the widget's badge and title. `widget_id` when it is the
/// widget's own card (folded by the viewer), `chip_for` when the layout folded it.
pub(crate) fn chip(
    kind: Option<String>,
    widget_id: Option<String>,
    chip_for: Option<String>,
    badge: &str,
    title: &str,
    open: Callback<MouseEvent>,
) -> Html {
    html! {
        <section key={format!("chip-{}", chip_for.as_deref().or(widget_id.as_deref()).unwrap_or_default())} class={classes!("hd-card", "hd-chip", kind)}
                 data-widget-id={widget_id} data-chip-for={chip_for} aria-label={format!("{badge} {title}")}>
            <button type="button" class="hd-chip-btn" aria-expanded="false" onclick={open}>
                <span class="hd-badge">{badge.to_owned()}</span>{" "}{title.to_owned()}
            </button>
        </section>
    }
}
