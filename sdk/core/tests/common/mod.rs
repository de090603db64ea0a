//! Helpers shared by the core's test suites.
#![allow(dead_code)] // each suite uses its own subset
use hudong_core::{decode_command_json, Command, Effects};

/// A command from JSON, through the same decoder hosts use.
pub fn cmd(v: serde_json::Value) -> Command {
    decode_command_json(&v.to_string()).expect("valid command")
}

/// The event types of a step's effects, in order.
pub fn types(fx: &Effects) -> Vec<&'static str> {
    fx.events.iter().map(|e| e.event.type_name()).collect()
}
