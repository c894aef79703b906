//! Scripts and command files: recognised by shebang, extension, location
//! and (for crontabs) content. Shell, batch and PowerShell text and every
//! carrier file (cron, units, Dockerfile, Makefile, package.json, YAML,
//! .desktop) go through the command model (`inspect::command`); code
//! languages (Python, Perl, Ruby, JavaScript, PHP, WSH) are matched line by
//! line with their code rules, comments, docstrings and POD left out, and
//! the shell strings they hand to `system`/`exec`/`Run` parsed as commands.
//! Every line with matches gives one hit listing every rule that matched.

use std::collections::BTreeMap;

use crate::catalog::Catalog;
use crate::finding::Code;
use crate::inspect::command::rules::{Engine, RawHit, all_loopback};
use crate::inspect::command::{Lang, carrier};
use crate::path::ImagePath;

/// Lines with hits kept per file at most.
const MAX_HITS: usize = 200;
/// In code languages, a download and an exec count as a chain only this
/// many lines apart (shell chains follow the downloaded file instead).
const CHAIN_WINDOW: usize = 15;

/// The rules that matched one line.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Hit {
    /// Rule index in the catalogue: the one whose finding code is most severe.
    pub rule: usize,
    /// The other rules that matched the same line.
    #[serde(default)]
    pub also: Vec<usize>,
    /// Every address the matches named is a loopback one (a health check).
    #[serde(default)]
    pub loopback: bool,
    /// 1-based line number.
    pub line: usize,
    /// The command line (trimmed, at most 300 characters).
    pub text: String,
    /// For chains: the download line that came first.
    pub after: Option<(usize, String)>,
}

/// What a script does.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ScriptFacts {
    pub lang: String,
    pub hits: Vec<Hit>,
}

/// The script language of a file, from its path and first bytes.
// TODO(#18): over 80 lines; to be cut into named steps (engineer 10's).
#[allow(clippy::too_many_lines)]
pub fn language(path: &ImagePath, head: &[u8]) -> Option<&'static str> {
    if let Some(rest) = head.strip_prefix(b"#!") {
        let line = rest.split(|&b| b == b'\n').next().unwrap_or_default();
        let line = String::from_utf8_lossy(line).to_ascii_lowercase();
        let mut words = line.split_whitespace();
        let mut prog = words
            .next()
            .unwrap_or_default()
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_string();
        if prog == "env" {
            prog = words
                .find(|w| !w.starts_with('-'))
                .unwrap_or_default()
                .to_string();
        }
        let prog = prog.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
        return Some(match prog {
            "sh" | "bash" | "dash" | "ash" | "zsh" | "ksh" | "mksh" | "busybox" => "sh",
            "python" | "pypy" => "python",
            "perl" => "perl",
            "ruby" => "ruby",
            "node" | "nodejs" | "deno" | "bun" => "js",
            "pwsh" | "powershell" => "powershell",
            _ => "other",
        });
    }
    let p = String::from_utf8_lossy(path.as_bytes()).to_ascii_lowercase();
    let name = p.rsplit('/').next().unwrap_or_default();
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or_default();
    let by_ext = match ext {
        "sh" | "bash" | "zsh" | "ksh" => Some("sh"),
        "ps1" | "psm1" | "psd1" => Some("powershell"),
        "bat" | "cmd" => Some("batch"),
        "py" => Some("python"),
        "pl" | "pm" => Some("perl"),
        "rb" => Some("ruby"),
        "js" | "mjs" | "cjs" => Some("js"),
        "vbs" | "vbe" | "hta" | "wsf" | "wsc" | "sct" | "jse" => Some("wsh"),
        "php" => Some("php"),
        "desktop" => Some("desktop"),
        "service" | "timer" | "socket" | "path" => Some("unit"),
        "yml" | "yaml" => Some("yaml"),
        "mk" => Some("makefile"),
        "dockerfile" | "containerfile" => Some("dockerfile"),
        _ => None,
    };
    let by_ext = match by_ext {
        Some("js")
            if memchr::memmem::find(head, b"ActiveXObject").is_some()
                || memchr::memmem::find(head, b"WScript").is_some() =>
        {
            Some("wsh")
        }
        other => other,
    };
    if by_ext.is_some() {
        return by_ext;
    }
    if matches!(name, "dockerfile" | "containerfile")
        || name.starts_with("dockerfile.")
        || name.starts_with("containerfile.")
    {
        return Some("dockerfile");
    }
    if matches!(name, "makefile" | "gnumakefile") {
        return Some("makefile");
    }
    if name == "package.json" {
        return Some("package.json");
    }
    if p == "etc/crontab" || p.starts_with("etc/cron.d/") {
        return Some("crontab");
    }
    if p.starts_with("var/spool/cron/") {
        return Some("cron");
    }
    if p.starts_with("etc/cron.hourly/")
        || p.starts_with("etc/cron.daily/")
        || p.starts_with("etc/cron.weekly/")
        || p.starts_with("etc/cron.monthly/")
        || p.starts_with("etc/init.d/")
        || p.starts_with("etc/profile.d/")
        || matches!(
            p.as_str(),
            "etc/profile"
                | "etc/bash.bashrc"
                | "etc/bashrc"
                | "etc/rc.local"
                | "etc/zshrc"
                | "etc/environment"
        )
        || matches!(
            name,
            ".bashrc" | ".profile" | ".bash_profile" | ".bash_login" | ".zshrc" | ".kshrc"
        )
    {
        return Some("sh");
    }
    let text = !head.is_empty()
        && head
            .iter()
            .all(|&b| b == b'\n' || b == b'\t' || b == b'\r' || (0x20..0x7f).contains(&b));
    if text
        && memchr::memchr(b'*', head).is_some()
        && carrier::looks_like_crontab(&String::from_utf8_lossy(head))
    {
        return Some("cron");
    }
    // Text in a bin directory: a script without a shebang.
    let in_bin = p.split('/').any(|c| c == "bin" || c == "sbin");
    if in_bin && text {
        return Some("sh");
    }
    None
}

/// Source files of a language's own library (Perl modules, Python
/// site-packages, Ruby gems, node_modules).
pub fn is_library_code(path: &ImagePath) -> bool {
    let p = format!("/{}", String::from_utf8_lossy(path.as_bytes()));
    p.ends_with(".pm")
        || [
            "/site-packages/",
            "/dist-packages/",
            "/node_modules/",
            "/gems/",
            "/lib/ruby/",
            "/share/perl",
            "/lib/perl",
            "/lib/python",
        ]
        .iter()
        .any(|d| p.contains(d))
}

/// Analyse a file's content in `lang` (a value of [`language`]).
pub fn analyze(catalog: &Catalog, lang: &'static str, content: &[u8]) -> ScriptFacts {
    let mut facts = ScriptFacts {
        lang: lang.to_string(),
        hits: Vec::new(),
    };
    if !catalog.triggered(content) {
        return facts;
    }
    let text = String::from_utf8_lossy(content);
    let mut eng = Engine::new(catalog);
    let is_program = |w: &str| !catalog.rules_for_program(w).is_empty();
    let whole = |lang: Lang| {
        vec![carrier::Segment {
            lang,
            text: text.to_string(),
            line: 1,
        }]
    };
    let segments = match lang {
        "sh" => whole(Lang::Sh),
        "batch" => whole(Lang::Batch),
        "powershell" => whole(Lang::PowerShell),
        "crontab" => carrier::cron(&text, true, &is_program),
        "cron" => carrier::cron(&text, false, &is_program),
        "unit" => carrier::unit(&text),
        "dockerfile" => carrier::dockerfile(&text),
        "makefile" => carrier::makefile(&text),
        "package.json" => carrier::package_json(&text),
        "yaml" => carrier::yaml(&text),
        "desktop" => carrier::desktop(&text),
        _ => {
            code_lines(catalog, &mut eng, lang, &text);
            Vec::new()
        }
    };
    for s in segments {
        eng.run(s.lang, &s.text, s.line, 0);
    }
    facts.hits = merge(catalog, eng.hits);
    facts
}

/// One hit per line: every rule that matched, the most severe first.
fn merge(catalog: &Catalog, raw: Vec<RawHit>) -> Vec<Hit> {
    let mut by_line: BTreeMap<usize, Vec<RawHit>> = BTreeMap::new();
    for h in raw {
        by_line.entry(h.line).or_default().push(h);
    }
    let sev = |r: usize| catalog.rule_codes[r].info().severity;
    let mut hits: Vec<Hit> = Vec::new();
    for (line, hs) in by_line {
        let best = hs
            .iter()
            .enumerate()
            .max_by_key(|(i, h)| (sev(h.rule), std::cmp::Reverse(*i)))
            .map(|(i, _)| i)
            .unwrap_or(0);
        let mut also: Vec<usize> = Vec::new();
        for h in &hs {
            if h.rule != hs[best].rule && !also.contains(&h.rule) {
                also.push(h.rule);
            }
        }
        hits.push(Hit {
            rule: hs[best].rule,
            also,
            loopback: hs.iter().all(|h| h.loopback),
            line,
            text: hs[best].text.clone(),
            after: hs.iter().find_map(|h| h.after.clone()),
        });
        if hits.len() >= MAX_HITS {
            break;
        }
    }
    // A chain says everything its download line says.
    let covered: Vec<usize> = hits
        .iter()
        .filter(|h| catalog.rule_codes[h.rule] == Code::DownloadExecChain)
        .filter_map(|h| h.after.as_ref().map(|a| a.0))
        .collect();
    hits.retain(|h| {
        !(catalog.rule_codes[h.rule] == Code::DownloadCommand && covered.contains(&h.line))
    });
    hits
}

/// Calls that hand a string to a shell, in code languages.
const SHELL_CALLS: &[&str] = &[
    "system(",
    "popen(",
    "exec(",
    "spawn(",
    "execSync(",
    "subprocess",
    ".Run ",
    ".Run(",
    ".run ",
    ".Exec(",
    ".exec ",
    "ShellExecute",
    "`",
    "qx",
    "shell_exec(",
    "passthru(",
    "proc_open(",
    "Start-Process",
    "os.system",
];

/// Is this line inside (or the start of) a Python docstring? Updates `state`.
fn python_doc(t: &str, state: &mut Option<&'static str>) -> bool {
    if let Some(q) = *state {
        if t.contains(q) {
            *state = None;
        }
        return true;
    }
    for q in ["\"\"\"", "'''"] {
        if let Some(k) = t.find(q) {
            let before = t[..k].trim_end();
            let starts_doc = before.is_empty() || before.ends_with('=') || before.ends_with('(');
            let rest = &t[k + 3..];
            if starts_doc {
                if !rest.contains(q) {
                    *state = Some(q);
                }
                return before.is_empty();
            }
        }
    }
    false
}

/// Code languages: lines with comments, docstrings and POD left out; code
/// rules per line; shell strings handed to the system parsed as commands;
/// a download then an exec within [`CHAIN_WINDOW`] lines is a chain.
fn code_lines(catalog: &Catalog, eng: &mut Engine, lang: &'static str, text: &str) {
    let mut doc: Option<&'static str> = None;
    let mut in_pod = false;
    let mut in_block = false;
    let mut last_download: Option<(usize, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let t = raw.trim();
        if lang == "python" && python_doc(t, &mut doc) {
            continue;
        }
        if matches!(lang, "perl" | "ruby") {
            if t == "__END__" || t == "__DATA__" {
                break;
            }
            if t.starts_with('=') && !t.starts_with("==") {
                in_pod = !t.starts_with("=cut") && !t.starts_with("=end");
                continue;
            }
            if in_pod {
                continue;
            }
        }
        if matches!(lang, "js" | "php" | "wsh") {
            if in_block {
                if t.contains("*/") {
                    in_block = false;
                }
                continue;
            }
            if t.starts_with("/*") && !t.contains("*/") {
                in_block = true;
                continue;
            }
        }
        let low = t.to_ascii_lowercase();
        let comment = t.is_empty()
            || match lang {
                "js" | "php" => {
                    t.starts_with("//")
                        || t.starts_with("/*")
                        || t.starts_with('*')
                        || t.starts_with('#')
                }
                "wsh" => t.starts_with('\'') || low.starts_with("rem ") || t.starts_with("//"),
                _ => t.starts_with('#'),
            };
        if comment {
            continue;
        }
        let mention = [
            "print(",
            "print ",
            "puts ",
            "say ",
            "console.log(",
            "wscript.echo",
            "echo ",
            "logger.",
            "logging.",
            "log.",
            "raise ",
            "die ",
            "warn ",
        ]
        .iter()
        .any(|m| low.starts_with(m));
        if mention {
            continue;
        }
        for r in catalog.text_rules(t, lang) {
            let rule = &catalog.rules[r];
            let hit = RawHit {
                rule: r,
                line: n,
                text: crate::inspect::command::shown(t),
                loopback: all_loopback(t),
                after: None,
            };
            match rule.role.as_deref() {
                Some("exec") => {
                    if let Some(d) = &last_download
                        && n - d.0 <= CHAIN_WINDOW
                    {
                        eng.hits.push(RawHit {
                            after: Some(d.clone()),
                            ..hit
                        });
                    }
                }
                role => {
                    if role == Some("download") && !hit.loopback {
                        last_download = Some((n, hit.text.clone()));
                    }
                    eng.hits.push(hit);
                }
            }
        }
        if SHELL_CALLS.iter().any(|c| t.contains(c)) {
            let shell = if lang == "wsh" { Lang::Batch } else { Lang::Sh };
            for lit in string_literals(t, lang == "wsh") {
                if lit.contains(' ') {
                    eng.run(shell, &lit, n, 1);
                }
            }
        }
    }
}

/// String literals on a line (`"…"`, `'…'`, `` `…` ``); VBScript doubles `""`.
fn string_literals(t: &str, vb: bool) -> Vec<String> {
    let b = t.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let q = b[i];
        if q == b'"' || (!vb && (q == b'\'' || q == b'`')) {
            let mut s = String::new();
            let mut j = i + 1;
            while j < b.len() {
                if b[j] == q {
                    if vb && b.get(j + 1) == Some(&q) {
                        s.push('"');
                        j += 2;
                        continue;
                    }
                    break;
                }
                if b[j] == b'\\' && !vb && j + 1 < b.len() {
                    j += 1;
                }
                let ch = t[j..].chars().next().unwrap_or(' ');
                s.push(ch);
                j += ch.len_utf8();
            }
            out.push(s);
            i = j + 1;
        } else {
            i += 1;
        }
    }
    out
}
