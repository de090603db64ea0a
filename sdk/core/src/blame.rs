//! Which widget's code is running, so that a failure inside it can be pinned on that widget.
//!
//! The room enters a widget's scope before it routes a command, an action or a tick to it,
//! and the views do the same while they draw one. A panic hook reads [`current`]: under
//! `panic = "abort"` (the wasm build) the scope's guard is never dropped, so the hook sees
//! the widget that was running; natively the hook runs before unwinding starts.
use std::cell::RefCell;

thread_local! {
    static CURRENT: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Marks a widget's code as running until the guard is dropped (nesting restores the outer
/// one).
#[must_use = "the scope ends when the guard is dropped"]
pub struct Scope {
    previous: Option<String>,
}

/// Enters `widget_id`'s scope.
pub fn enter(widget_id: &str) -> Scope {
    let previous = CURRENT
        .try_with(|c| {
            c.try_borrow_mut()
                .ok()
                .and_then(|mut c| c.replace(widget_id.to_owned()))
        })
        .ok()
        .flatten();
    Scope { previous }
}

impl Drop for Scope {
    fn drop(&mut self) {
        let previous = self.previous.take();
        let _ = CURRENT.try_with(|c| {
            if let Ok(mut c) = c.try_borrow_mut() {
                *c = previous;
            }
        });
    }
}

/// The widget whose code is running, if any (`None` outside every widget's scope).
pub fn current() -> Option<String> {
    CURRENT
        .try_with(|c| c.try_borrow().ok().and_then(|c| c.clone()))
        .ok()
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_nest_and_end() {
        assert_eq!(current(), None);
        {
            let _a = enter("a");
            assert_eq!(current().as_deref(), Some("a"));
            {
                let _b = enter("b");
                assert_eq!(current().as_deref(), Some("b"));
            }
            assert_eq!(current().as_deref(), Some("a"));
        }
        assert_eq!(current(), None);
    }

    #[test]
    fn a_panic_inside_a_scope_is_pinned_on_its_widget() {
        let seen = std::sync::Arc::new(std::sync::Mutex::new(None));
        let s = seen.clone();
        let me = std::thread::current().id();
        let old = std::panic::take_hook();
        // Other tests run on other threads: only this thread's panic is recorded.
        std::panic::set_hook(Box::new(move |_| {
            if std::thread::current().id() == me {
                *s.lock().unwrap() = Some(current());
            }
        }));
        let result = std::panic::catch_unwind(|| {
            let _scope = enter("w1");
            panic!("inside w1");
        });
        std::panic::set_hook(old);
        assert!(result.is_err());
        assert_eq!(*seen.lock().unwrap(), Some(Some("w1".to_owned())));
        // Unwinding dropped the guard: nothing is blamed afterwards.
        assert_eq!(current(), None);
    }
}
