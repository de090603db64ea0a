//! The view of the widget that fails on purpose (test builds only, feature `fault`): a
//! card with a tap button and the taps counted. With `fail_on: "render"`, drawing it after
//! a tap panics.
use hudong_core::fault::{FailOn, Fault};
use hudong_core::Action;
use yew::prelude::*;

#[function_component(FaultView)]
pub fn fault_view(props: &crate::WidgetProps<Fault>) -> Html {
    let (f, _, _, _, _drawing) = props.parts();
    let spec = f.spec();
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
    fn chip(&self, _: &'static crate::i18n::Strings) -> (&'static str, &str) {
        ("fault", self.spec().title.as_str())
    }
}
