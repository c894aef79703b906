//! The code-file prefilter (`stowaway::inspect::prefilter`) is conservative:
//! on every case of the command corpora (development set, catalogue rows,
//! mutant cases, the four held-out sets), read as each code language, in
//! and out of library directories, the analysis with the prefilter gives
//! exactly the hits of the analysis without it; per statement, the rules
//! it tries find what the whole rule set finds; and wherever a rule's
//! pattern matches a line, the match holds a literal of each set the
//! prefilter derived from it.

use std::path::Path;

use serde::Deserialize;
use stowaway::catalog::{self, RuleLang};
use stowaway::inspect::prefilter::{sets_of, text_rules};
use stowaway::inspect::script::{analyze_file, analyze_unfiltered, is_library_code, language};
use stowaway::path::ImagePath;

#[derive(Deserialize)]
struct CaseFile {
    case: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    id: String,
    path: String,
    content: String,
}

const CORPORA: &[&str] = &[
    "tests/commands/dev.toml",
    "tests/commands/catalog.toml",
    "tests/commands/mutants.toml",
    "tests/heldout/commands.toml",
    "tests/heldout2/commands.toml",
    "tests/heldout3/commands.toml",
    "tests/heldout4/commands.toml",
];

const CODE_LANGS: &[&str] = &["python", "perl", "ruby", "js", "php", "wsh", "other"];

fn cases() -> Vec<Case> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    CORPORA
        .iter()
        .flat_map(|f| {
            let text = std::fs::read_to_string(root.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
            toml::from_str::<CaseFile>(&text)
                .unwrap_or_else(|e| panic!("{f}: {e}"))
                .case
        })
        .collect()
}

#[test]
fn prefilter_keeps_every_hit_of_the_corpora() {
    let cat = catalog::get();
    let (mut runs, mut skipped, mut with_hits) = (0, 0, 0);
    for c in cases() {
        let path = ImagePath::new(c.path.trim_start_matches('/').as_bytes());
        let body = c.content.as_bytes();
        let own = language(&path, &body[..body.len().min(512)]);
        let langs = own.into_iter().chain(CODE_LANGS.iter().copied());
        for lang in langs {
            for library in [false, true, is_library_code(&path)] {
                let full = analyze_unfiltered(cat, lang, body, library);
                let filtered = analyze_file(cat, lang, body, library);
                assert_eq!(
                    filtered, full,
                    "{} read as {lang} (library {library})",
                    c.id
                );
                runs += 1;
                with_hits += usize::from(!full.hits.is_empty());
            }
            let code = CODE_LANGS.contains(&lang);
            let lang_rule = RuleLang::from_name(lang).unwrap_or(RuleLang::Code);
            if code {
                let lines = stowaway::inspect::command::code::code_lines(lang_rule, &c.content);
                skipped += usize::from(!stowaway::inspect::prefilter::may_hit(
                    cat, lang_rule, &lines,
                ));
            }
        }
    }
    // Not vacuous: the corpora give hits, and the prefilter does skip files.
    assert!(runs > 5000, "{runs} runs");
    assert!(with_hits > 1000, "{with_hits} runs with hits");
    assert!(
        skipped > 500,
        "only {skipped} (case, language) pairs skipped"
    );
}

#[test]
fn every_rule_match_holds_one_of_its_literals() {
    let cat = catalog::get();
    let mut checked = 0;
    let lines: Vec<String> = cases()
        .iter()
        .flat_map(|c| c.content.lines().map(str::to_string).collect::<Vec<_>>())
        .collect();
    for (r, rule) in cat.rules.iter().enumerate() {
        let Some(pattern) = &rule.pattern else {
            continue;
        };
        let sets = sets_of(pattern);
        let needs = rule.needs.as_ref().map(|n| (n, sets_of(n)));
        for line in &lines {
            if let Some(m) = cat.rule_match(r, line.as_bytes()) {
                for set in &sets {
                    assert!(
                        holds(m, set),
                        "{}: match {:?} holds none of {set:?}",
                        rule.id,
                        String::from_utf8_lossy(m)
                    );
                }
                checked += 1;
            }
            if let Some((n, nsets)) = &needs
                && let Ok(re) = regex::bytes::Regex::new(&format!("(?-u){n}"))
                && let Some(m) = re.find(line.as_bytes())
            {
                for set in nsets {
                    assert!(
                        holds(m.as_bytes(), set),
                        "{} needs: match {:?} holds none of {set:?}",
                        rule.id,
                        String::from_utf8_lossy(m.as_bytes())
                    );
                }
            }
        }
    }
    assert!(checked > 300, "only {checked} matches checked");
}

/// Does `m` hold one of `lits` (ASCII case-insensitively)?
fn holds(m: &[u8], lits: &[Vec<u8>]) -> bool {
    let m = m.to_ascii_lowercase();
    lits.iter().any(|l| {
        let l = l.to_ascii_lowercase();
        m.windows(l.len()).any(|w| w == l.as_slice())
    })
}

/// Per statement, the prefilter tries only the rules whose literals the
/// line holds, each with its own regex: the rules found are exactly those
/// the set of every text rule finds, on every line of the corpora, in
/// every code language (and the argument language of one-liners).
#[test]
fn rules_tried_per_statement_are_the_rule_sets_own() {
    let cat = catalog::get();
    let mut found = 0;
    for c in cases() {
        for line in c.content.lines() {
            for lang in CODE_LANGS
                .iter()
                .chain(&["arg", "sh", "batch", "powershell"])
            {
                let lang = RuleLang::from_name(lang).unwrap_or(RuleLang::Code);
                let want = cat.text_rules(line, lang);
                assert_eq!(
                    text_rules(cat, lang, line),
                    want,
                    "{}: {line:?} as {lang:?}",
                    c.id
                );
                found += want.len();
            }
        }
    }
    assert!(found > 300, "only {found} rule matches");
}

/// The script trees of this machine the prefilter is checked on: the
/// node tree (npm's modules: `/usr/lib/node_modules`, or Debian's
/// `/usr/share/nodejs` from the `npm` package), Python's standard library,
/// Perl's modules and `/usr/bin`.
fn host_trees() -> Vec<std::path::PathBuf> {
    let mut trees: Vec<std::path::PathBuf> = ["/usr/lib/node_modules", "/usr/share/nodejs"]
        .iter()
        .map(std::path::PathBuf::from)
        .filter(|p| p.is_dir())
        .take(1)
        .collect();
    if trees.is_empty() {
        // Not a tool the tests need: the other trees below still make the
        // identity test, so only say that this one is left out.
        eprintln!(
            "note: no node_modules tree on this machine (npm not installed): prefilter identity checked on Python, Perl and /usr/bin only"
        );
    }
    let python = std::fs::read_dir("/usr/lib")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_prefix("python3."))
                .is_some_and(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
        })
        .max();
    trees.extend(python);
    trees.extend(
        ["/usr/share/perl", "/usr/bin"]
            .iter()
            .map(std::path::PathBuf::from)
            .filter(|p| p.is_dir()),
    );
    trees
}

/// Script bytes read per tree at most (a bound on the test's time).
const TREE_BYTES: usize = 32 << 20;

/// The script files under `dir` (symlinks not followed, in name order,
/// up to [`TREE_BYTES`] in all): (image path, content).
fn scripts_under(dir: &Path, out: &mut Vec<(ImagePath, Vec<u8>)>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = rd.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        if out.iter().map(|(_, b)| b.len()).sum::<usize>() >= TREE_BYTES {
            return;
        }
        let Ok(ft) = e.file_type() else { continue };
        let p = e.path();
        if ft.is_dir() {
            scripts_under(&p, out);
        } else if ft.is_file() {
            let Ok(body) = std::fs::read(&p) else {
                continue;
            };
            let rel = p.to_string_lossy().trim_start_matches('/').to_string();
            let path = ImagePath::new(rel.as_bytes());
            let head = &body[..body.len().min(512)];
            if !body.starts_with(b"\x7fELF") && language(&path, head).is_some() {
                out.push((path, body));
            }
        }
    }
}

/// On real script trees (npm's node_modules, Python's standard library,
/// Perl's modules, /usr/bin), the prefilter's analysis gives exactly the
/// hits of the full analysis, file by file, as the scan reads each file
/// (its own language, library or not by its path, the first MiB).
#[test]
fn prefilter_keeps_every_hit_of_the_host_script_trees() {
    let cat = catalog::get();
    let trees = host_trees();
    if trees.is_empty() {
        return;
    }
    let (mut files, mut hits) = (0, 0);
    for tree in &trees {
        let mut scripts = Vec::new();
        scripts_under(tree, &mut scripts);
        for (path, body) in scripts {
            let head = &body[..body.len().min(512)];
            let Some(lang) = language(&path, head) else {
                continue;
            };
            let body = &body[..body.len().min(stowaway::inspect::MAX_SCRIPT_BYTES)];
            let library = is_library_code(&path);
            let full = analyze_unfiltered(cat, lang, body, library);
            let filtered = analyze_file(cat, lang, body, library);
            assert_eq!(filtered, full, "{path:?} read as {lang}");
            files += 1;
            hits += full.hits.len();
        }
    }
    assert!(files > 500, "only {files} script files under {trees:?}");
    eprintln!("{files} script files, {hits} hits, identical with the prefilter");
}

/// The one pass per statement (`prefilter::line_facts`) finds what its
/// separate searches found: the text rules `text_rules` gives, and the
/// call and base64 markers of the code scanner's own search, on every
/// line of the corpora and of a sample of real JavaScript and Python, in
/// every code language.
#[test]
fn one_pass_per_statement_finds_what_the_separate_searches_found() {
    use stowaway::inspect::command::code::call_markers;
    use stowaway::inspect::prefilter::line_facts;
    let cat = catalog::get();
    let mut lines: Vec<String> = cases()
        .iter()
        .flat_map(|c| c.content.lines().map(str::to_string).collect::<Vec<_>>())
        .collect();
    lines.extend(
        [
            "const { execSync } = require('child_process'); execSync(`curl ${u}`)",
            "x = `ls`; y = 'a' + \"b\"",
            "import base64, subprocess; subprocess.Popen(base64.b64decode(s))",
        ]
        .map(String::from),
    );
    let (mut scratch, mut calls) = (Vec::new(), 0);
    for line in &lines {
        for lang in CODE_LANGS {
            let lang = RuleLang::from_name(lang).unwrap_or(RuleLang::Code);
            let Some((rules, m)) = line_facts(cat, lang, line, &mut scratch) else {
                continue;
            };
            assert_eq!(rules, text_rules(cat, lang, line), "{line:?} as {lang:?}");
            let (call, encoded) = call_markers(line);
            let plain = call_markers(&line.replace('`', "'")).0;
            assert_eq!(
                (m.call || m.backtick, m.encoded),
                (call, encoded),
                "{line:?}"
            );
            assert_eq!(m.call, plain, "{line:?}: calls besides the backtick");
            calls += usize::from(call);
        }
    }
    assert!(calls > 300, "only {calls} lines with call markers");
}
