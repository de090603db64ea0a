use hudong_core::Millis;
use std::fmt;
use std::rc::Rc;

/// Server time as the views see it: a shared function returning milliseconds.
/// Views read it when they render countdowns; tests pass a fixed clock.
#[derive(Clone)]
pub struct Clock(Rc<dyn Fn() -> Millis>);

impl Clock {
    pub fn new(f: impl Fn() -> Millis + 'static) -> Self {
        Clock(Rc::new(f))
    }
    pub fn fixed(t: Millis) -> Self {
        Clock::new(move || t)
    }
    pub fn now(&self) -> Millis {
        (self.0)()
    }
}

impl PartialEq for Clock {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Clock")
    }
}
