//! Mounting the yew overlay and feeding it the room's state.
use hudong_core::layout::Layout;
use hudong_core::{Action, Millis, Widget};
use hudong_widgets::{Clock, Overlay, OverlayProps, Strings, TryOnHooks};
use std::rc::Rc;
use yew::{AppHandle, AttrValue, Callback};

pub struct View {
    app: AppHandle<Overlay>,
    props: OverlayProps,
}

impl View {
    pub fn mount(
        root: web_sys::Element,
        locale: &str,
        theme: &str,
        now: impl Fn() -> Millis + 'static,
        on_action: impl Fn(Action) + 'static,
    ) -> View {
        let props = OverlayProps {
            widgets: Rc::from(Vec::new()),
            clock: Clock::new(now),
            on_action: Callback::from(on_action),
            strings: Strings::for_locale(locale),
            theme: AttrValue::from(theme.to_owned()),
            reconnecting: false,
            tryon: TryOnHooks::default(),
            layout: Default::default(),
        };
        let app = yew::Renderer::<Overlay>::with_root_and_props(root, props.clone()).render();
        View { app, props }
    }

    pub fn update(&mut self, widgets: &[Widget], layout: &Layout) {
        self.props.widgets = Rc::from(widgets.to_vec());
        self.props.layout = layout.clone();
        self.app.update(self.props.clone());
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

    pub fn destroy(self) {
        self.app.destroy();
    }
}
