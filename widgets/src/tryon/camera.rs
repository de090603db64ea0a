//! Where the picture comes from: the front camera, held exactly while the core wants it and
//! given back when the page is hidden or left, or a photo the viewer picks.
use super::Emit;
use gloo::events::EventListener;
use hudong_core::{Action, CameraResult};
use hudong_web::camera;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlVideoElement, MediaStream};
use yew::prelude::*;

/// Opens the front camera into `video` while `wanted` holds and releases it when it stops
/// holding or the view goes; the answer (granted, denied…) goes to the core. A hidden page
/// (another app, a locked phone, the WebView sent back) or a page being left pauses.
#[hook]
pub(super) fn use_camera(wanted: bool, video: NodeRef, emit: Emit) {
    {
        let emit = emit.clone();
        use_effect_with(wanted, move |&wanted| {
            let alive = Rc::new(Cell::new(wanted));
            let held: Rc<RefCell<Option<MediaStream>>> = Rc::default();
            if wanted {
                let (alive, held, video) = (alive.clone(), held.clone(), video.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    let result = camera::open_front_camera().await;
                    if !alive.get() {
                        // Closed while the prompt was up: let go of what arrived.
                        if let Ok(stream) = &result {
                            camera::release(stream);
                        }
                        return;
                    }
                    match result {
                        Ok(stream) => {
                            if let Some(v) = video.cast::<HtmlVideoElement>() {
                                v.set_muted(true);
                                v.set_src_object(Some(&stream));
                                let _ = v.play();
                            }
                            *held.borrow_mut() = Some(stream);
                            emit(&|widget_id| Action::TryOnCamera {
                                widget_id,
                                result: CameraResult::Granted,
                            });
                        }
                        Err(result) => emit(&|widget_id| Action::TryOnCamera { widget_id, result }),
                    }
                });
            }
            move || {
                alive.set(false);
                if let Some(stream) = held.borrow_mut().take() {
                    camera::release(&stream);
                }
                if let Some(v) = video.cast::<HtmlVideoElement>() {
                    v.set_src_object(None);
                }
            }
        });
    }
    use_effect_with((), move |_| {
        let mut listeners = Vec::new();
        if let Some(window) = web_sys::window() {
            if let Some(doc) = window.document() {
                let (d, emit) = (doc.clone(), emit.clone());
                listeners.push(EventListener::new(&doc, "visibilitychange", move |_| {
                    if d.hidden() {
                        emit(&|widget_id| Action::TryOnPause { widget_id });
                    }
                }));
            }
            listeners.push(EventListener::new(&window, "pagehide", move |_| {
                emit(&|widget_id| Action::TryOnPause { widget_id });
            }));
        }
        move || drop(listeners)
    });
}

/// A photo the viewer picks instead of the camera.
pub(super) struct Photo {
    /// The picked photo, as an object URL (let go when replaced and on unmount).
    pub url: UseStateHandle<Option<String>>,
    /// The hidden file input.
    pub input: NodeRef,
    /// Opens the file picker.
    pub pick: Callback<MouseEvent>,
    /// The input's `change`: the photo is shown and the core told.
    pub on_file: Callback<Event>,
}

#[hook]
pub(super) fn use_photo(emit: Emit) -> Photo {
    let input = use_node_ref();
    let url = use_state(|| None::<String>);
    use_object_url((*url).clone());
    let pick = {
        let input = input.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(input) = input.cast::<HtmlInputElement>() {
                input.set_value("");
                input.click();
            }
        })
    };
    let on_file = {
        let url = url.clone();
        Callback::from(move |e: Event| {
            let Some(input) = e.target_dyn_into::<HtmlInputElement>() else {
                return;
            };
            let Some(file) = input.files().and_then(|f| f.get(0)) else {
                return;
            };
            if let Ok(u) = web_sys::Url::create_object_url_with_blob(&file) {
                url.set(Some(u));
                emit(&|widget_id| Action::TryOnPhoto { widget_id });
            }
        })
    };
    Photo {
        url,
        input,
        pick,
        on_file,
    }
}

/// Lets an object URL go when it is replaced and when the view goes.
#[hook]
pub(super) fn use_object_url(url: Option<String>) {
    use_effect_with(url, |url| {
        let url = url.clone();
        move || {
            if let Some(u) = url {
                let _ = web_sys::Url::revoke_object_url(&u);
            }
        }
    });
}
