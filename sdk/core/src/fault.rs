//! A widget that fails on purpose, built only with the `fault` feature (test builds), to
//! prove that a failure inside one widget is contained: the room drops that widget, says
//! so, and every other widget goes on.
//!
//! `fault.open {widget_id, title, fail_on, fail_after_ms?}` shows a card with a button.
//! It panics where `fail_on` says: on `fault.poke` (`command`), on a tap (`action`), when
//! its timer runs out (`tick`, `fail_after_ms` after opening), or in its view once tapped
//! (`render`, in the views crate).
use crate::protocol::{Action, Command};
use crate::validate;
use crate::widget::Transition;
use crate::HudongError;
use crate::Millis;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailOn {
    Command,
    Action,
    Tick,
    Render,
    /// Exhausts the stack on `fault.poke` (and when its timer runs out, with
    /// `fail_after_ms`): a failure no panic hook sees and no widget is blamed for.
    Overflow,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultSpec {
    pub widget_id: String,
    pub title: String,
    pub fail_on: FailOn,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_after_ms: Option<Millis>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultSnapshot {
    pub spec: FaultSpec,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fault {
    spec: FaultSpec,
    opened_at: Millis,
    taps: u32,
}

impl Fault {
    pub fn open(spec: FaultSpec, now: Millis) -> Result<(Fault, Transition), HudongError> {
        validate::id("widget_id", &spec.widget_id)?;
        validate::text("title", &spec.title, 80)?;
        Ok((
            Fault {
                spec,
                opened_at: now,
                taps: 0,
            },
            Transition::changed(Vec::new()),
        ))
    }

    pub fn id(&self) -> &str {
        &self.spec.widget_id
    }

    pub fn spec(&self) -> &FaultSpec {
        &self.spec
    }

    /// Taps taken so far.
    pub fn taps(&self) -> u32 {
        self.taps
    }

    pub fn snapshot(&self) -> FaultSnapshot {
        FaultSnapshot {
            spec: self.spec.clone(),
        }
    }

    fn fail(&self, on: &str) -> ! {
        panic!(
            "fault widget {}: failing on {on}, as asked",
            self.spec.widget_id
        )
    }

    pub fn poke(&mut self) -> Transition {
        match self.spec.fail_on {
            FailOn::Command => self.fail("a command"),
            FailOn::Overflow => {
                dive(0);
            }
            _ => {}
        }
        Transition::none()
    }

    pub fn tap(&mut self) -> Transition {
        if self.spec.fail_on == FailOn::Action {
            self.fail("a tap");
        }
        self.taps += 1;
        Transition::changed(Vec::new())
    }

    pub fn next_deadline(&self) -> Option<Millis> {
        match (self.spec.fail_on, self.spec.fail_after_ms) {
            (FailOn::Tick | FailOn::Overflow, Some(after)) => {
                Some(self.opened_at.saturating_add(after))
            }
            _ => None,
        }
    }

    pub fn tick(&mut self, now: Millis) -> Transition {
        if self.next_deadline().is_some_and(|at| now >= at) {
            if self.spec.fail_on == FailOn::Overflow {
                dive(0);
            }
            self.fail("its timer");
        }
        Transition::none()
    }
}

crate::widget::widget_state! {
    Fault: FaultSpec, FaultSnapshot, "a failing widget";
    open(spec, now) => Fault::open(spec, now);
    command(self, _cx) {
        Command::FaultPoke(_) => Ok(self.poke()),
    }
    act(self, _cx) {
        Action::FaultTap { .. } => Ok(self.tap()),
    }
    fn next_deadline(&self, _now: Millis) -> Option<Millis> {
        Fault::next_deadline(self)
    }
    fn tick(&mut self, now: Millis) -> Transition {
        Fault::tick(self, now)
    }
}

/// Recurses until the stack runs out (the optimizer cannot see that it never ends).
#[inline(never)]
fn dive(depth: u64) -> u64 {
    let mut frame = [0u8; 512];
    frame[0] = depth as u8;
    std::hint::black_box(&mut frame);
    if std::hint::black_box(true) {
        dive(depth + 1) + u64::from(frame[1])
    } else {
        depth
    }
}
