//! The views' words: every widget keeps its strings in `strings/<widget>.json` (words the
//! overlay shares are in `common.json`), each key in every language Hudong speaks. This
//! writes the `Strings` struct and the two built-in languages (Simplified Chinese, English)
//! from them; the build of the npm package writes the other languages' packs from the same
//! files. A key missing a language, or defined twice, stops the build.
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

/// Every language, in the order each key lists them: the built-in ones first.
const LANGS: [&str; 6] = ["zh-CN", "en", "zh-TW", "id", "th", "vi"];

fn main() {
    // The crate's folder as cargo gives it to this run (not the one the script was built in).
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = Path::new(&manifest).join("strings");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("widgets/strings")
        .map(|e| e.expect("widgets/strings").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    // `common` first, then the widgets by name.
    files.sort_by_key(|p| (p.file_stem().is_none_or(|s| s != "common"), p.clone()));
    let mut keys: Vec<(String, Vec<String>)> = Vec::new();
    let mut seen = BTreeSet::new();
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
        let text = std::fs::read_to_string(file).expect("a strings file");
        let map: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for (key, texts) in map {
            assert!(
                seen.insert(key.clone()),
                "{}: `{key}` is defined twice",
                file.display()
            );
            let texts = LANGS
                .iter()
                .map(|lang| {
                    texts[*lang]
                        .as_str()
                        .unwrap_or_else(|| panic!("{}: `{key}` has no {lang} text", file.display()))
                        .to_owned()
                })
                .collect();
            keys.push((key, texts));
        }
    }
    let mut out = String::from("strings! {\n");
    for (key, _) in &keys {
        writeln!(out, "    {key},").unwrap();
    }
    out.push_str("}\n\n");
    for (i, (name, doc)) in [
        ("ZH_CN", "Simplified Chinese (zh-CN): the default."),
        ("EN", "English."),
    ]
    .iter()
    .enumerate()
    {
        writeln!(
            out,
            "/// {doc}\npub static {name}: Strings = Strings {{\n    lang: {:?},",
            LANGS[i]
        )
        .unwrap();
        for (key, texts) in &keys {
            writeln!(out, "    {key}: {:?},", texts[i]).unwrap();
        }
        out.push_str("};\n\n");
    }
    // The packs, for the tests that hold them to the built-in languages.
    out.push_str("#[cfg(test)]\npub(crate) const PACKS: &[(&str, &[(&str, &str)])] = &[\n");
    for (i, lang) in LANGS.iter().enumerate().skip(2) {
        writeln!(out, "    ({lang:?}, &[").unwrap();
        for (key, texts) in &keys {
            writeln!(out, "        ({key:?}, {:?}),", texts[i]).unwrap();
        }
        out.push_str("    ]),\n");
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("strings.rs");
    std::fs::write(dest, out).unwrap();
}
