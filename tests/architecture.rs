//! The library's module graph, read from its sources: which top-level module
//! of `src/` names which other (`use crate::x`, `crate::x::…`, `crate::{x, y}`),
//! test code left out. The graph must have no cycle, every module must sit
//! on the layer list in `src/lib.rs` and use only modules on the lines above
//! its own, and the vocabulary (the first line) imports nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Graph = BTreeMap<String, BTreeMap<String, BTreeSet<String>>>;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Modules `src/lib.rs` re-exports from their home (`pub use model::path;`):
/// alias → the module that holds it, so `crate::path::…` counts as a use
/// of `model`.
fn module_aliases() -> BTreeMap<String, String> {
    let lib = std::fs::read_to_string(src().join("lib.rs")).expect("read src/lib.rs");
    lib.lines()
        .filter_map(|l| {
            let rest = l.trim().strip_prefix("pub use ")?.strip_suffix(';')?;
            let (home, alias) = rest.split_once("::")?;
            let module_like =
                !alias.contains([':', '{']) && alias.starts_with(|c: char| c.is_ascii_lowercase());
            module_like.then(|| (alias.to_string(), home.to_string()))
        })
        .collect()
}

/// The modules `src/lib.rs` declares (the library; `main.rs` and `cli/` are
/// the binary's and say `stowaway::`, not `crate::`).
fn library_modules() -> BTreeSet<String> {
    let lib = std::fs::read_to_string(src().join("lib.rs")).expect("read src/lib.rs");
    lib.lines()
        .filter_map(|l| {
            let l = l.trim();
            let rest = l
                .strip_prefix("pub mod ")
                .or_else(|| l.strip_prefix("mod "))?;
            Some(rest.trim_end_matches(';').trim().to_string())
        })
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read src dir") {
        let p = e.expect("dir entry").path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Source text without comment lines and without the `#[cfg(test)] mod
/// tests { … }` block that ends a file.
fn code_of(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests {") {
        Some(i) => &text[..i],
        None => text,
    };
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn ident_at(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// Top-level module names a piece of code refers to through `crate::`.
fn crate_refs(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // `crate::{a, b::{c, d}, e}`: the first name of each top-level item.
            let (mut depth, mut start) = (0usize, 0usize);
            for (j, ch) in group.char_indices() {
                match ch {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        out.insert(ident_at(group[start..j].trim()).to_string());
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        out.insert(ident_at(group[start..j].trim()).to_string());
                        start = j + 1;
                    }
                    _ => {}
                }
            }
        } else {
            out.insert(ident_at(rest).to_string());
        }
    }
    out.retain(|m| !m.is_empty() && m != "self");
    out
}

/// module → (used module → files that use it).
fn graph() -> Graph {
    let modules = library_modules();
    let aliases = module_aliases();
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut g: Graph = modules
        .iter()
        .map(|m| (m.clone(), BTreeMap::new()))
        .collect();
    for f in files {
        let rel = f.strip_prefix(src()).expect("under src");
        let top = rel.components().next().expect("a component");
        let top = top.as_os_str().to_string_lossy();
        let top = top.trim_end_matches(".rs").to_string();
        if !modules.contains(&top) || f.file_stem().is_some_and(|s| s == "tests") {
            continue;
        }
        let text = std::fs::read_to_string(&f).expect("read source");
        for used in crate_refs(&code_of(&text)) {
            let used = aliases.get(&used).cloned().unwrap_or(used);
            if used != top && modules.contains(&used) {
                g.get_mut(&top)
                    .expect("declared module")
                    .entry(used)
                    .or_default()
                    .insert(rel.display().to_string());
            }
        }
    }
    g
}

/// One cycle of the graph, as a path that ends where it starts, if any.
fn find_cycle(g: &Graph) -> Option<Vec<String>> {
    fn visit(
        g: &Graph,
        m: &str,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(m.to_string(), 1);
        stack.push(m.to_string());
        for next in g.get(m).into_iter().flat_map(|e| e.keys()) {
            match state.get(next).copied().unwrap_or(0) {
                1 => {
                    let at = stack.iter().position(|s| s == next).expect("on stack");
                    let mut cycle = stack[at..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                0 => {
                    if let Some(c) = visit(g, next, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(m.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for m in g.keys() {
        if state.get(m).copied().unwrap_or(0) == 0 {
            let mut stack = Vec::new();
            if let Some(c) = visit(g, m, &mut state, &mut stack) {
                return Some(c);
            }
        }
    }
    None
}

fn describe(g: &Graph, cycle: &[String]) -> String {
    cycle
        .windows(2)
        .map(|w| {
            let files: Vec<&str> = g[&w[0]][&w[1]].iter().map(String::as_str).collect();
            format!("  {} -> {} (in {})", w[0], w[1], files.join(", "))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The layer list of `src/lib.rs`: module → line number (0 = the vocabulary).
fn documented_layers() -> BTreeMap<String, usize> {
    let lib = std::fs::read_to_string(src().join("lib.rs")).expect("read src/lib.rs");
    let mut lines = lib.lines().skip_while(|l| l.trim() != "//! ## Layers");
    lines
        .find(|l| l.trim() == "//! ```text")
        .expect("a ```text block after `//! ## Layers` in src/lib.rs");
    let mut out = BTreeMap::new();
    for (floor, l) in lines.take_while(|l| l.trim() != "//! ```").enumerate() {
        let body = l.trim_start_matches("//!").trim_start();
        let names = body.split("  ").next().unwrap_or_default();
        for m in names.split_whitespace() {
            assert!(
                out.insert(m.to_string(), floor).is_none(),
                "{m} is listed twice in src/lib.rs's layers"
            );
        }
    }
    out
}

#[test]
fn library_modules_form_no_import_cycle() {
    let g = graph();
    assert!(g.len() > 10, "found only {} modules", g.len());
    if let Some(c) = find_cycle(&g) {
        panic!(
            "import cycle between modules of src/:\n{}",
            describe(&g, &c)
        );
    }
}

#[test]
fn every_module_uses_only_the_layers_below_it() {
    let g = graph();
    let floors = documented_layers();
    let mut problems = Vec::new();
    for m in g.keys() {
        if !floors.contains_key(m) {
            problems.push(format!(
                "module {m} is not on the layer list in src/lib.rs: add it on the line above its first user"
            ));
        }
    }
    for m in floors.keys() {
        if !g.contains_key(m) {
            problems.push(format!(
                "src/lib.rs lists {m} as a layer, but the library has no such module"
            ));
        }
    }
    for (m, uses) in &g {
        for (u, files) in uses {
            if let (Some(a), Some(b)) = (floors.get(m), floors.get(u))
                && b >= a
            {
                problems.push(format!(
                    "{m} (line {a}) uses {u} (line {b}), which is not below it: {}",
                    files.iter().cloned().collect::<Vec<_>>().join(", ")
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_vocabulary_imports_nothing() {
    let g = graph();
    let uses = &g["model"];
    assert!(
        uses.is_empty(),
        "src/model/ must import nothing else of the crate, but uses {uses:?}"
    );
    let floors = documented_layers();
    assert_eq!(floors.get("model"), Some(&0), "model is the bottom layer");
}

#[test]
fn the_checker_reads_grouped_imports_and_names_a_cycle() {
    let refs = crate_refs(
        "use crate::{\n    fs::{ImageFs, Node},\n    scan::Scan,\n    self,\n};\nlet x = crate::report::sarif::render;",
    );
    assert_eq!(
        refs.into_iter().collect::<Vec<_>>(),
        ["fs", "report", "scan"]
    );
    assert_eq!(code_of("a\n// crate::x\nb"), "a\nb");
    // The loop this tree had before the vocabulary layer: facts named the
    // fingerprint in report, report named facts.
    let mut g: Graph = BTreeMap::new();
    let file = |f: &str| BTreeSet::from([f.to_string()]);
    g.entry("facts".into())
        .or_default()
        .insert("report".into(), file("facts.rs"));
    g.entry("report".into())
        .or_default()
        .insert("facts".into(), file("report/sarif.rs"));
    g.entry("model".into()).or_default();
    let c = find_cycle(&g).expect("a cycle");
    assert_eq!(c, ["facts", "report", "facts"]);
    assert!(describe(&g, &c).contains("facts -> report (in facts.rs)"));
    g.get_mut("report").unwrap().clear();
    assert_eq!(find_cycle(&g), None);
}

#[test]
fn a_module_re_exported_from_the_vocabulary_counts_as_the_vocabulary() {
    let aliases = module_aliases();
    assert_eq!(
        aliases.get("path").map(String::as_str),
        Some("model"),
        "{aliases:?}"
    );
    assert!(!aliases.contains_key("Verdict"), "types are not modules");
    // A stage that names `crate::path` uses the vocabulary.
    let g = graph();
    assert!(g["fs"].contains_key("model"), "{:?}", g["fs"].keys());
    assert!(!g["fs"].contains_key("path"));
}

/// Source text with comments, strings and character literals blanked out
/// (newlines kept), so braces and keywords can be counted.
fn masked(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = b.to_vec();
    let blank = |out: &mut Vec<u8>, from: usize, to: usize| {
        for c in &mut out[from..to] {
            if *c != b'\n' {
                *c = b' ';
            }
        }
    };
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut i = 0;
    while i < b.len() {
        let start = i;
        if b[i..].starts_with(b"//") {
            i = b[i..]
                .iter()
                .position(|&c| c == b'\n')
                .map_or(b.len(), |n| i + n);
        } else if b[i..].starts_with(b"/*") {
            let mut depth = 0;
            while i < b.len() {
                if b[i..].starts_with(b"/*") {
                    depth += 1;
                    i += 2;
                } else if b[i..].starts_with(b"*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if (b[i] == b'r' || b[i..].starts_with(b"br")) && (i == 0 || !ident(b[i - 1])) && {
            let j = i + if b[i] == b'b' { 2 } else { 1 };
            let hashes = b[j..].iter().take_while(|&&c| c == b'#').count();
            b.get(j + hashes) == Some(&b'"')
        } {
            let j = i + if b[i] == b'b' { 2 } else { 1 };
            let hashes = b[j..].iter().take_while(|&&c| c == b'#').count();
            let close: Vec<u8> = std::iter::once(b'"')
                .chain(std::iter::repeat_n(b'#', hashes))
                .collect();
            let body = j + hashes + 1;
            i = b[body..]
                .windows(close.len())
                .position(|w| w == close.as_slice())
                .map_or(b.len(), |n| body + n + close.len());
        } else if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
        } else if b[i] == b'\'' && b.get(i + 1) == Some(&b'\\') {
            i += 2;
            while i < b.len() && b[i] != b'\'' {
                i += 1;
            }
            i += 1;
        } else if b[i] == b'\'' && b.get(i + 2) == Some(&b'\'') {
            i += 3;
        } else {
            i += 1;
            continue;
        }
        let end = i.min(b.len());
        blank(&mut out, start, end);
        i = end;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Each function with a body in `text`: its name, first line and length in
/// lines (from `fn` to the closing brace, blank and comment lines included).
fn functions(text: &str) -> Vec<(String, usize, usize)> {
    let m = masked(text);
    let b = m.as_bytes();
    let line_of = |at: usize| b[..at].iter().filter(|&&c| c == b'\n').count() + 1;
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(n) = m[from..].find("fn ") {
        let at = from + n;
        from = at + 3;
        if at > 0 && (b[at - 1].is_ascii_alphanumeric() || b[at - 1] == b'_') {
            continue;
        }
        let name = ident_at(m[at + 3..].trim_start());
        if name.is_empty() {
            continue;
        }
        let Some(open) = m[at..].find(['{', ';']).map(|k| at + k) else {
            continue;
        };
        if b[open] == b';' {
            continue;
        }
        let mut depth = 0usize;
        for (k, &c) in b.iter().enumerate().skip(open) {
            match c {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        out.push((name.to_string(), line_of(at), line_of(k) - line_of(at) + 1));
                        break;
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// The longest a function of `src/` may be (STYLE: cut longer ones into
/// named steps). Clippy's `too_many_lines` counts code lines only; this
/// counts every line.
const MAX_FUNCTION_LINES: usize = 80;

#[test]
fn no_function_in_src_is_over_80_lines() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut long = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).expect("read source");
        for (name, line, len) in functions(&text) {
            if len > MAX_FUNCTION_LINES {
                let rel = f
                    .strip_prefix(src())
                    .expect("under src")
                    .display()
                    .to_string();
                long.push(format!("src/{rel}:{line} {name}: {len} lines"));
            }
        }
    }
    assert!(files.len() > 100, "read only {} files", files.len());
    assert!(
        long.is_empty(),
        "functions over {MAX_FUNCTION_LINES} lines:\n{}",
        long.join("\n")
    );
}

#[test]
fn the_function_counter_skips_strings_comments_and_bodiless_fns() {
    let text = "trait T {\n    fn a(&self);\n}\n// fn fake() {\nfn b() {\n    let s = \"}{\";\n    let r = r#\"fn c() { \"#;\n    let c = '{';\n    let l: &'static str = \"x\";\n    /* } */\n}\nfn d<'a>(x: &'a u8) -> u8 {\n    *x\n}\n";
    assert_eq!(
        functions(text),
        [("b".to_string(), 5, 7), ("d".to_string(), 12, 3)]
    );
}

/// The shared types every stage names: each is defined once, in the
/// vocabulary (`src/model/`); a stage may alias one (`layer::Entry` names
/// the entry's facts) but not define its own.
const VOCABULARY_TYPES: &[&str] = &[
    "Entry",
    "EntryType",
    "ContentKind",
    "Compression",
    "ImageInfo",
    "LayerInfo",
    "ImagePath",
    "Sha256",
    "Verdict",
];

#[test]
fn shared_types_are_defined_in_the_vocabulary() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut homes: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for f in &files {
        let rel = f
            .strip_prefix(src())
            .expect("under src")
            .display()
            .to_string();
        let text = masked(&std::fs::read_to_string(f).expect("read source"));
        for name in VOCABULARY_TYPES {
            for kind in ["pub struct ", "pub enum "] {
                let def = format!("{kind}{name}");
                let found = text.match_indices(&def).any(|(i, _)| {
                    let after = text[i + def.len()..].chars().next().unwrap_or(' ');
                    !(after.is_ascii_alphanumeric() || after == '_')
                });
                if found {
                    homes.entry(name).or_default().push(rel.clone());
                }
            }
        }
    }
    for name in VOCABULARY_TYPES {
        let at = homes.get(name).cloned().unwrap_or_default();
        assert!(
            at.len() == 1 && at[0].starts_with("model/"),
            "{name} must be defined once, in src/model/; defined in {at:?}"
        );
    }
}
