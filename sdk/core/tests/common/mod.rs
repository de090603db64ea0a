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

/// The live widget `id` of a room as its state (`widget!(room, "shelf", Products)`); a test
/// fails if there is none or it is of another kind.
#[macro_export]
macro_rules! widget {
    ($room:expr, $id:expr, $V:ident) => {
        match $room.widget($id) {
            Some(hudong_core::Widget::$V(w)) => w.clone(),
            other => panic!("{} is not a live {}: {other:?}", $id, stringify!($V)),
        }
    };
}

/// A room of viewer `u1` (session `s1`, room `r1`) with one widget opened at `at`.
pub fn room_with(seed: u64, open: serde_json::Value, at: u64) -> hudong_core::Room {
    let config = hudong_core::RoomConfig::new("r1", "s1")
        .with_user("u1")
        .with_seed(seed);
    let mut room = hudong_core::Room::new(config);
    room.apply(&cmd(open), at).expect("the widget opens");
    room
}
