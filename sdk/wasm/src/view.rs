//! Mounting the yew overlay and feeding it the room's state.
use hudong_core::layout::Layout;
use hudong_core::{Action, Millis, Widget};
use hudong_widgets::{Clock, Overlay, OverlayProps, Strings, TryOnHooks};
use std::rc::Rc;
use yew::{AppHandle, AttrValue, Callback};

pub struct View {
    app: AppHandle<Overlay>,
    /// The element yew renders into, inside the room's root.
    host: web_sys::Element,
    props: OverlayProps,
}

/// Renderers of rooms that were destroyed, kept for the next room. yew never releases the
/// event handlers it registers on the element an app renders into (nor that element), so
/// a page that mounts and destroys rooms all day would grow with each one; reusing the
/// element and its app bounds that by the number of rooms ever open at once.
const POOL_MAX: usize = 4;
thread_local! {
    static POOL: std::cell::RefCell<Vec<(AppHandle<Overlay>, web_sys::Element)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Whether a panic happened while yew was drawing: its scheduler is then stuck mid-render
/// and must not be entered again (the failed module's overlay is dropped, not unmounted).
pub fn failed_in_render() -> bool {
    hudong_widgets::rendering()
}

impl View {
    pub fn mount(
        root: web_sys::Element,
        strings: &'static Strings,
        theme: &str,
        now: impl Fn() -> Millis + 'static,
        on_action: impl Fn(Action) + 'static,
    ) -> View {
        let props = OverlayProps {
            widgets: Rc::from(Vec::new()),
            clock: Clock::new(now),
            on_action: Callback::from(on_action),
            strings,
            theme: AttrValue::from(theme.to_owned()),
            reconnecting: false,
            tryon: TryOnHooks::default(),
            layout: Default::default(),
        };
        let (app, host) = match POOL.with(|p| p.borrow_mut().pop()) {
            Some((mut app, host)) => {
                let _ = root.append_child(&host);
                app.update(props.clone());
                (app, host)
            }
            None => {
                let host = gloo::utils::document()
                    .create_element("div")
                    .expect("a div");
                host.set_class_name("hd-host");
                let _ = root.append_child(&host);
                (
                    yew::Renderer::<Overlay>::with_root_and_props(host.clone(), props.clone())
                        .render(),
                    host,
                )
            }
        };
        View { app, host, props }
    }

    pub fn update(&mut self, widgets: &[Widget], layout: &Layout) {
        self.props.widgets = Rc::from(widgets.to_vec());
        self.props.layout = layout.clone();
        self.app.update(self.props.clone());
    }

    /// The overlay's texts in another language: every widget drawn again, its state kept.
    pub fn set_strings(&mut self, strings: &'static Strings) {
        if !std::ptr::eq(self.props.strings, strings) {
            self.props.strings = strings;
            self.app.update(self.props.clone());
        }
    }

    pub fn set_reconnecting(&mut self, on: bool) {
        if self.props.reconnecting != on {
            self.props.reconnecting = on;
            self.app.update(self.props.clone());
        }
    }

    pub fn set_tryon(&mut self, hooks: TryOnHooks) {
        if self.props.tryon != hooks {
            self.props.tryon = hooks;
            self.app.update(self.props.clone());
        }
    }

    /// Unmounts every widget (their cleanups run: timers, camera) and parks the renderer.
    pub fn destroy(self) {
        let View {
            mut app,
            host,
            mut props,
        } = self;
        props.widgets = Rc::from(Vec::new());
        props.on_action = Callback::noop();
        props.clock = Clock::fixed(0);
        props.tryon = TryOnHooks::default();
        props.reconnecting = false;
        props.layout = Default::default();
        app.update(props);
        host.remove();
        POOL.with(|p| {
            let mut pool = p.borrow_mut();
            if pool.len() < POOL_MAX {
                pool.push((app, host));
            } else {
                app.destroy();
            }
        });
    }
}
