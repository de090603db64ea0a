//! Each widget's view as a chunk of code fetched when it is first needed (the `split`
//! feature, on in the shipped SDK).
//!
//! The build (`scripts/build.mjs`) cuts the module at every widget's split point
//! (`units::<module>::unit`, `wasm_split_helpers`): what only that function reaches goes
//! into the widget's own `.wasm`, which the page fetches, compiles and links to the main
//! module the first time a widget of that kind is drawn, or earlier through
//! [`prefetch`](crate::prefetch). Until it has arrived the widget's card is left out, and
//! the overlays waiting for it are redrawn when it comes.
//!
//! The loading state lives in the module's memory, so a restarted module (failure
//! isolation) starts with nothing loaded; the page-side loader keeps the compiled chunks and
//! links them again to the new instance.
use crate::{Cx, Render};
use hudong_core::{Widget, WidgetKind};
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use wasm_split_helpers::SplitLoaderError;
use yew::{Callback, Html};

/// Starts loading one kind's chunk: its split function.
pub(crate) type Load = fn() -> Pin<Box<dyn Future<Output = Result<Render, SplitLoaderError>>>>;

/// After a failed fetch, how long until the waiting overlays try again.
const RETRY_MS: u32 = 2_000;

enum Slot {
    /// Being fetched: the overlays to redraw when it arrives.
    Loading(Vec<Callback<()>>),
    Ready(Render),
}

thread_local! {
    static SLOTS: RefCell<Vec<(WidgetKind, Slot)>> = const { RefCell::new(Vec::new()) };
}

fn ready(kind: WidgetKind) -> Option<Render> {
    SLOTS.with(|s| {
        s.borrow().iter().find_map(|(k, slot)| match slot {
            Slot::Ready(render) if *k == kind => Some(*render),
            _ => None,
        })
    })
}

/// Draws a widget with its kind's code, or nothing while that code is on its way.
pub(crate) fn draw(w: &Widget, cx: &Cx, load: Load) -> Html {
    match ready(w.kind()) {
        Some(render) => render(w, cx),
        None => {
            fetch(w.kind(), load, Some(cx.redraw.clone()));
            Html::default()
        }
    }
}

/// Fetches a kind's chunk unless it is here or on its way; `waiter` is redrawn when it is
/// here (or, after a failed fetch, when it is time to try again).
pub(crate) fn fetch(kind: WidgetKind, load: Load, waiter: Option<Callback<()>>) {
    let start = SLOTS.with(|s| {
        let mut slots = s.borrow_mut();
        match slots.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, Slot::Ready(_))) => false,
            Some((_, Slot::Loading(waiters))) => {
                waiters.extend(waiter);
                false
            }
            None => {
                slots.push((kind, Slot::Loading(waiter.into_iter().collect())));
                true
            }
        }
    });
    if !start {
        return;
    }
    wasm_bindgen_futures::spawn_local(async move {
        let loaded = load().await;
        let waiters = SLOTS.with(|s| {
            let mut slots = s.borrow_mut();
            let at = slots.iter().position(|(k, _)| *k == kind)?;
            let (_, slot) = slots.swap_remove(at);
            if let Ok(render) = loaded {
                slots.push((kind, Slot::Ready(render)));
            }
            match slot {
                Slot::Loading(waiters) => Some(waiters),
                Slot::Ready(_) => None,
            }
        });
        let waiters = waiters.unwrap_or_default();
        match loaded {
            Ok(_) => waiters.iter().for_each(|w| w.emit(())),
            Err(_) => {
                web_sys::console::warn_1(
                    &format!(
                        "hudong: the code of the {} widget could not be fetched; retrying",
                        kind.as_str()
                    )
                    .into(),
                );
                if !waiters.is_empty() {
                    gloo::timers::callback::Timeout::new(RETRY_MS, move || {
                        waiters.iter().for_each(|w| w.emit(()))
                    })
                    .forget();
                }
            }
        }
    });
}

/// Fetches a kind's chunk now (unless it is here): whether it is here afterwards.
pub(crate) async fn ensure(kind: WidgetKind, load: Load) -> bool {
    if ready(kind).is_some() {
        return true;
    }
    let mut resolve = None;
    let arrived = js_sys::Promise::new(&mut |done, _| resolve = Some(done));
    let resolve = resolve.expect("the promise's executor runs at once");
    fetch(
        kind,
        load,
        Some(Callback::from(move |()| {
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
        })),
    );
    let _ = wasm_bindgen_futures::JsFuture::from(arrived).await;
    ready(kind).is_some()
}
