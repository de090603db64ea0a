//! How the overlay arranges live widgets: the host decides how many cards show at once and
//! which come first, and how much of the video's top must stay clear (the host's face, the
//! product in hand); compact widgets and the cards beyond the limit wait in a tray; and a
//! widget that takes the viewer's whole attention (a live try-on) is the only card shown —
//! never two at once.
use crate::error::HudongError;
use crate::room::Widget;
use crate::tryon::TryOnPhase;
use crate::validate;
use serde::{Deserialize, Serialize};

pub const MAX_CARDS: u32 = 6;

/// `room.layout`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct Layout {
    /// Cards shown expanded at once (1 to 6; default 1: one interaction at a time, as live
    /// rooms show them, so the host stays in view). The rest wait in the tray as chips.
    #[serde(default = "one")]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub max_cards: u32,
    /// Widgets to show first, in order (the host's choice of what is seen together).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub focus: Vec<String>,
    /// Percent of the video's height, from the top, that widgets never cover (0 to 80).
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Option<_>", optional))]
    pub keep_clear: u8,
}

fn one() -> u32 {
    1
}

impl Default for Layout {
    fn default() -> Self {
        Layout {
            max_cards: 1,
            focus: Vec::new(),
            keep_clear: 0,
        }
    }
}

impl Layout {
    pub fn check(&self) -> Result<(), HudongError> {
        if self.max_cards == 0 || self.max_cards > MAX_CARDS {
            return Err(HudongError::field(format!("max_cards is 1 to {MAX_CARDS}")));
        }
        if self.focus.len() > MAX_CARDS as usize {
            return Err(HudongError::field(format!(
                "focus names at most {MAX_CARDS} widgets"
            )));
        }
        for id in &self.focus {
            validate::id("focus[]", id)?;
        }
        if self.keep_clear > 80 {
            return Err(HudongError::field("keep_clear is 0 to 80 percent"));
        }
        Ok(())
    }
}

/// Where each widget goes, by id.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Arrangement<'a> {
    /// Cards shown expanded, oldest first.
    pub cards: Vec<&'a str>,
    /// Cards waiting as chips in the tray (the viewer can open one).
    pub chips: Vec<&'a str>,
    /// Compact widgets that live in the tray (the like button, folded cards).
    pub compact: Vec<&'a str>,
    /// The card that takes the viewer's whole attention, if any.
    pub modal: Option<&'a str>,
}

/// Whether a widget lives in the tray by nature.
pub fn is_compact(w: &Widget) -> bool {
    match w {
        Widget::Likes(_) => true,
        Widget::Lead(l) => l.folded(),
        _ => false,
    }
}

/// Whether a widget takes the viewer's whole attention now.
pub fn is_modal(w: &Widget) -> bool {
    matches!(w, Widget::TryOn(t) if matches!(t.phase(), TryOnPhase::Explain | TryOnPhase::Requesting | TryOnPhase::Live(_)))
}

/// Arranges `widgets` (oldest first) under `layout`. `picked` is the card the viewer opened
/// from the tray: it is shown first after a modal. The cards shown are, in priority order:
/// the modal (alone, if there is one), the viewer's pick, the host's focus in its order, then
/// the newest; they are listed oldest first.
pub fn arrange<'a>(
    widgets: &'a [Widget],
    layout: &Layout,
    picked: Option<&str>,
) -> Arrangement<'a> {
    let mut out = Arrangement::default();
    let cards: Vec<&Widget> = widgets.iter().filter(|w| !is_compact(w)).collect();
    out.compact = widgets
        .iter()
        .filter(|w| is_compact(w))
        .map(|w| w.id())
        .collect();
    out.modal = cards.iter().find(|w| is_modal(w)).map(|w| w.id());
    let limit = if out.modal.is_some() {
        1
    } else {
        layout.max_cards as usize
    };
    let mut chosen: Vec<&str> = Vec::new();
    let choose = |id: &'a str, chosen: &mut Vec<&'a str>| {
        if chosen.len() < limit && !chosen.contains(&id) && cards.iter().any(|w| w.id() == id) {
            chosen.push(id);
        }
    };
    if let Some(m) = out.modal {
        choose(m, &mut chosen);
    }
    if let Some(p) = picked
        .and_then(|p| cards.iter().find(|w| w.id() == p))
        .map(|w| w.id())
    {
        choose(p, &mut chosen);
    }
    for f in &layout.focus {
        if let Some(w) = cards.iter().find(|w| w.id() == f.as_str()) {
            choose(w.id(), &mut chosen);
        }
    }
    for w in cards.iter().rev() {
        choose(w.id(), &mut chosen);
    }
    for w in &cards {
        if chosen.contains(&w.id()) {
            out.cards.push(w.id());
        } else {
            out.chips.push(w.id());
        }
    }
    out
}
