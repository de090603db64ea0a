//! TypeScript declarations of everything Hudong exchanges with JavaScript: commands,
//! actions, events, errors and the widget states `room.widgets()` returns. They are derived
//! from the Rust types with `ts-rs`, so the npm package's types cannot drift from what the
//! core (de)serializes. The build writes them to `dist/protocol.d.ts`.
use crate::{Action, Command, Envelope, ErrorCode, HudongError, Widget, WidgetKind};
use std::any::TypeId;
use std::collections::BTreeMap;
use ts_rs::{Config, TypeVisitor, TS};

struct Collect<'a> {
    cfg: &'a Config,
    seen: Vec<TypeId>,
    /// Declarations by TypeScript name, so the output is in a stable order.
    decls: BTreeMap<String, String>,
}

impl TypeVisitor for Collect<'_> {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        if T::output_path().is_none() || self.seen.contains(&TypeId::of::<T>()) {
            return;
        }
        self.seen.push(TypeId::of::<T>());
        let name = T::ident(self.cfg);
        let decl = T::decl(self.cfg);
        let docs = T::docs().unwrap_or_default();
        if let Some(previous) = self
            .decls
            .insert(name.clone(), format!("{docs}export {decl}"))
        {
            assert_eq!(
                previous, self.decls[&name],
                "two Rust types are both `{name}` in TypeScript"
            );
        }
        T::visit_dependencies(self);
    }
}

/// The declarations, as the text of a `.d.ts` module.
pub fn declarations() -> String {
    let cfg = Config::new().with_large_int("number");
    let mut c = Collect {
        cfg: &cfg,
        seen: Vec::new(),
        decls: BTreeMap::new(),
    };
    c.visit::<Command>();
    c.visit::<Action>();
    c.visit::<Envelope>();
    c.visit::<Widget>();
    c.visit::<HudongError>();
    c.visit::<ErrorCode>();
    c.visit::<WidgetKind>();
    let mut out = String::from(
        "// Generated from the Rust types of hudong-core (sdk/core) by its `typescript` feature.\n\
         // Do not edit: change the Rust type and rebuild.\n\n",
    );
    for decl in c.decls.values() {
        out.push_str(decl);
        out.push_str("\n\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::declarations;

    #[test]
    fn declares_each_type_once_and_every_message() {
        let d = declarations();
        let names: Vec<&str> = d
            .lines()
            .filter_map(|l| l.strip_prefix("export type "))
            .map(|l| l.split(' ').next().unwrap())
            .collect();
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(
            unique.len(),
            names.len(),
            "a TypeScript name declared twice"
        );
        for name in [
            "CommandBody",
            "Action",
            "HudongEvent",
            "WidgetState",
            "HudongError",
            "ErrorCode",
            "PollState",
            "TryOnState",
        ] {
            assert!(names.contains(&name), "{name} is not declared");
        }
        // Every wire name of the enums appears as a `type` literal.
        for wire in [
            "poll.open",
            "room.snapshot",
            "like.tap",
            "tryon.place",
            "widget.shown",
            "question.state",
        ] {
            assert!(
                d.contains(&format!("\"type\": \"{wire}\"")),
                "{wire} missing"
            );
        }
        // Large integers are plain numbers in JavaScript (serde-wasm-bindgen's json_compatible).
        assert!(!d.contains("bigint"));
    }
}
