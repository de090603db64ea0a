//! # hudong-widgets
//!
//! The yew views of Hudong's widgets: one module per widget, each a pure function of the
//! core state it is given. Views hold no widget logic: what a tap means is decided by the
//! state machines in `hudong-core`; a view only turns taps into [`Action`]s.
//!
//! The [`Overlay`] component lays out every live widget of a room.
mod card;
mod clock;
mod countdown;
mod i18n;
mod overlay;
#[cfg(feature = "split")]
mod split;

pub use clock::Clock;
pub use i18n::{locale_pack, Strings};
pub use lead::qr_path;
pub use overlay::{Overlay, OverlayProps};
pub use tryon::TryOnHooks;

use yew::{Callback, Html, Properties};

/// What every widget's view is given: its state, the room's clock, where taps go, and the
/// words to show.
#[derive(Properties, PartialEq)]
pub struct WidgetProps<W: PartialEq> {
    pub widget: W,
    pub clock: Clock,
    pub on_action: Callback<Action>,
    pub strings: &'static Strings,
    /// The tracker and snapshot callback (try-on only).
    #[prop_or_default]
    pub hooks: TryOnHooks,
}

impl<W: PartialEq + hudong_core::widget::WidgetState> WidgetProps<W> {
    /// The widget, clock, action callback and words, and the guard that pins a panic while
    /// drawing on this widget ([`drawing`]): what every view starts with.
    pub(crate) fn parts(&self) -> (&W, &Clock, &Callback<Action>, &'static Strings, Drawing) {
        let guard = drawing(self.widget.id());
        (
            &self.widget,
            &self.clock,
            &self.on_action,
            self.strings,
            guard,
        )
    }
}

/// What every view is given besides its widget's state.
pub(crate) struct Cx<'a> {
    pub clock: &'a Clock,
    pub on_action: &'a Callback<Action>,
    pub strings: &'static Strings,
    /// The tracker and snapshot callback of try-on widgets.
    pub tryon: &'a TryOnHooks,
    /// Redraws the overlay: called when a widget's code has arrived.
    #[cfg_attr(not(feature = "split"), allow(dead_code))]
    pub redraw: &'a Callback<()>,
}

/// What the overlay needs of a widget besides its view: its chip in the tray.
pub(crate) trait View {
    /// Its chip in the tray, when the layout folds it: a badge and a title.
    fn chip(&self, strings: &'static Strings) -> (&'static str, &str);
}

/// Draws one widget: what a widget's code unit hands the overlay.
#[cfg(feature = "split")]
pub(crate) type Render = fn(&hudong_core::Widget, &Cx) -> Html;

/// The view registry: each widget's module, once, with the core's name for its state and
/// its view component. It declares the modules and dispatches every kind of
/// [`Widget`](hudong_core::Widget) to its view and [`View`].
///
/// Each widget's view is a unit of code of its own (`units::<module>::render`). With the
/// `split` feature (the shipped SDK) the build cuts every unit into a chunk of its own,
/// fetched the first time a widget of that kind is drawn ([`split`]), or earlier by
/// [`prefetch`]; without it the overlay calls the units directly.
macro_rules! views {
    ($( $(#[$m:meta])* $module:ident: $V:ident => $Component:ident; )*) => {
        $( $(#[$m])* mod $module; )*
        $( $(#[$m])* pub use $module::$Component; )*

        mod units {
            $( $(#[$m])* pub(crate) mod $module {
                use crate::Cx;
                use hudong_core::Widget;
                use yew::{html, Html};

                pub(crate) fn render(w: &Widget, cx: &Cx) -> Html {
                    match w {
                        Widget::$V(w) => html! {
                            <crate::$Component key={w.id().to_owned()} widget={w.clone()} clock={cx.clock.clone()}
                                on_action={cx.on_action.clone()} strings={cx.strings} hooks={cx.tryon.clone()} />
                        },
                        #[allow(unreachable_patterns)]
                        _ => Html::default(),
                    }
                }

                /// The split point: everything only this function reaches (the view and
                /// what it alone uses) goes into this widget's chunk.
                #[cfg(feature = "split")]
                #[wasm_split_helpers::wasm_split($module, fallible)]
                pub(crate) fn unit() -> Result<crate::Render, wasm_split_helpers::SplitLoaderError> {
                    Ok(render)
                }
            } )*
        }

        /// The kind's draw function, loaded or not (`split`), and how to load it.
        #[cfg(feature = "split")]
        fn unit_of(kind: hudong_core::WidgetKind) -> split::Load {
            match kind {
                $( $(#[$m])* hudong_core::WidgetKind::$V => || Box::pin(units::$module::unit()), )*
            }
        }

        pub(crate) fn card(w: &hudong_core::Widget, cx: &Cx) -> Html {
            #[cfg(feature = "split")]
            return split::draw(w, cx, unit_of(w.kind()));
            #[cfg(not(feature = "split"))]
            match w {
                $( $(#[$m])* hudong_core::Widget::$V(_) => units::$module::render(w, cx), )*
            }
        }

        /// Fetches the code of these kinds of widget (names as in the protocol, `"poll"`;
        /// `None`: every kind) now, so that their first frame need not wait for it: whether
        /// all of it is here. Unknown names are ignored; without `split` everything is here.
        pub async fn prefetch(kinds: Option<Vec<String>>) -> bool {
            #[cfg(feature = "split")]
            {
                let mut all = true;
                for kind in [$( $(#[$m])* hudong_core::WidgetKind::$V, )*] {
                    if kinds.as_ref().is_none_or(|ks| ks.iter().any(|k| k == kind.as_str())) {
                        all &= split::ensure(kind, unit_of(kind)).await;
                    }
                }
                all
            }
            #[cfg(not(feature = "split"))]
            {
                let _ = kinds;
                true
            }
        }

        pub(crate) fn chip<'a>(w: &'a hudong_core::Widget, s: &'static Strings) -> (&'static str, &'a str) {
            match w {
                $( $(#[$m])* hudong_core::Widget::$V(w) => View::chip(w, s), )*
            }
        }
    };
}

views! {
    poll: Poll => PollView;
    flash: FlashSale => FlashView;
    quiz: Quiz => QuizView;
    redeem: Redeem => RedeemView;
    tryon: TryOn => TryOnView;
    lottery: Lottery => LotteryView;
    lead: Lead => LeadView;
    likes: Likes => LikesView;
    products: Products => ProductsView;
    coupon: Coupon => CouponView;
    questions: Questions => QuestionsView;
    tasks: Tasks => TasksView;
    leaderboard: Leaderboard => LeaderboardView;
    #[cfg(feature = "fault")]
    fault: Fault => FaultView;
}

pub use hudong_core::Action;

thread_local! {
    static DRAWING: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
    static HALTED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// After a panic: the views' own frame loops (countdowns, the try-on tracker) stop at their
/// next frame instead of scheduling another, even when yew is stuck mid-render and cannot
/// unmount them.
pub fn halt() {
    let _ = HALTED.try_with(|h| h.set(true));
}

pub(crate) fn halted() -> bool {
    HALTED.try_with(|h| h.get()).unwrap_or(false)
}

/// Marks a widget's view as drawing until the guard is dropped: a panic inside it is pinned
/// on the widget ([`hudong_core::blame`]), and [`rendering`] tells that it happened while
/// yew was drawing.
pub(crate) fn drawing(widget_id: &str) -> Drawing {
    DRAWING.with(|d| d.set(d.get() + 1));
    Drawing {
        _blame: hudong_core::blame::enter(widget_id),
    }
}

pub(crate) struct Drawing {
    _blame: hudong_core::blame::Scope,
}

impl Drop for Drawing {
    fn drop(&mut self) {
        DRAWING.with(|d| d.set(d.get().saturating_sub(1)));
    }
}

/// Whether a widget's view is being drawn, or was when the module panicked (the guard
/// is never dropped then): yew's scheduler is stuck mid-render and must not be entered.
pub fn rendering() -> bool {
    DRAWING.try_with(|d| d.get() > 0).unwrap_or(false)
}
