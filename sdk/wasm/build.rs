//! With the `split` feature, keeps the linker's relocations in the wasm module: the build's
//! splitter (`wasm_split_cli_support`, scripts/build.mjs) reads them to cut each widget's
//! view into a chunk of its own. wasm-bindgen and wasm-opt drop them from what ships.
fn main() {
    println!("cargo:rerun-if-env-changed=CARGO_FEATURE_SPLIT");
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32")
        && std::env::var_os("CARGO_FEATURE_SPLIT").is_some()
    {
        println!("cargo:rustc-link-arg-cdylib=--emit-relocs");
    }
}
