//! Prints the TypeScript declarations of the protocol and state types.
//! `cargo run -p hudong-core --features typescript --example typescript > protocol.d.ts`
fn main() {
    print!("{}", hudong_core::typescript::declarations());
}
