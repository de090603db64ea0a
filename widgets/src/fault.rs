//! The view of the widget that fails on purpose (test builds only, feature `fault`): a
//! card with a tap button and the taps counted. With `fail_on: "render"`, drawing it after
//! a tap panics.
use hudong_core::fault::{FailOn, Fault};
use hudong_core::Action;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct FaultProps {
    pub fault: Fault,
    pub on_action: Callback<Action>,
}

#[function_component(FaultView)]
pub fn fault_view(props: &FaultProps) -> Html {
    let f = &props.fault;
    let spec = f.spec();
    let _drawing = crate::drawing(&spec.widget_id);
    if spec.fail_on == FailOn::Render && f.taps() > 0 {
        panic!(
            "fault widget {}: failing while drawn, as asked",
            spec.widget_id
        );
    }
    let on_tap = {
        let (on_action, id) = (props.on_action.clone(), spec.widget_id.clone());
        Callback::from(move |_: MouseEvent| {
            on_action.emit(Action::FaultTap {
                widget_id: id.clone(),
            })
        })
    };
    html! {
        <section class={classes!("hd-card", "hd-fault")} data-widget-id={spec.widget_id.clone()}>
            <h2 class="hd-q">{&spec.title}</h2>
            <p class="hd-hint">{format!("taps: {}", f.taps())}</p>
            <button type="button" class="hd-submit hd-fault-tap" onclick={on_tap}>{"Tap"}</button>
        </section>
    }
}

impl crate::View for Fault {
    fn card(&self, cx: &crate::Cx) -> Html {
        html! { <FaultView key={self.id().to_owned()} fault={self.clone()} on_action={cx.on_action.clone()} /> }
    }
    fn chip(&self, _: &'static crate::i18n::Strings) -> (&'static str, &str) {
        ("fault", self.spec().title.as_str())
    }
}
