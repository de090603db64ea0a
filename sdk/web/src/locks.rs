//! The Web Locks API (`navigator.locks`), which web-sys gates behind unstable flags, used
//! through `Reflect`. Where it is missing (older WebViews) every call says so.
use js_sys::{Function, Object, Promise, Reflect};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

fn lock_manager() -> Option<JsValue> {
    let nav = web_sys::window()?.navigator();
    let locks = Reflect::get(&nav, &"locks".into()).ok()?;
    (!locks.is_undefined() && !locks.is_null()).then_some(locks)
}

/// A lock held until [`HeldLock::release`] or drop.
pub struct HeldLock {
    release: Rc<RefCell<Option<Function>>>,
}

impl HeldLock {
    pub fn release(&self) {
        if let Some(f) = self.release.borrow_mut().take() {
            let _ = f.call0(&JsValue::NULL);
        }
    }
}

impl Drop for HeldLock {
    fn drop(&mut self) {
        self.release();
    }
}

/// Requests the lock `name` and holds it. `granted` runs once it is held (locks are granted
/// asynchronously). `None` when the API is missing.
pub fn hold(name: &str, granted: impl FnOnce() + 'static) -> Option<HeldLock> {
    let locks = lock_manager()?;
    let request: Function = Reflect::get(&locks, &"request".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let release = Rc::new(RefCell::new(None::<Function>));
    let slot = release.clone();
    let mut granted = Some(granted);
    let callback = Closure::once_into_js(move |_lock: JsValue| -> Promise {
        // Held until the promise returned here settles: keep its resolver.
        let promise = Promise::new(&mut |resolve, _reject| {
            *slot.borrow_mut() = Some(resolve);
        });
        if let Some(g) = granted.take() {
            g();
        }
        promise
    });
    request.call2(&locks, &name.into(), &callback).ok()?;
    Some(HeldLock { release })
}

/// Runs `f(true)` while holding `name` if nobody holds it, else `f(false)`; the lock is
/// released when `f` returns. Returns `false` (and does not call `f`) without the API.
pub fn if_available(name: &str, f: impl FnOnce(bool) + 'static) -> bool {
    let Some(locks) = lock_manager() else {
        return false;
    };
    let Some(request) = Reflect::get(&locks, &"request".into())
        .ok()
        .and_then(|r| r.dyn_into::<Function>().ok())
    else {
        return false;
    };
    let options = Object::new();
    let _ = Reflect::set(&options, &"ifAvailable".into(), &true.into());
    let callback = Closure::once_into_js(move |lock: JsValue| {
        f(!lock.is_null() && !lock.is_undefined());
    });
    request
        .call3(&locks, &name.into(), &options, &callback)
        .is_ok()
}
