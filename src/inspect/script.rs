//! Scripts and command files: recognised by shebang, extension and location
//! (cron, systemd units, profile and rc files), cut into logical lines with
//! comments and mere mentions dropped, and matched against the command rules.
//! A download followed by an "exec" rule (chmod +x, subprocess…) in the same
//! file is a download-and-execute chain.

use crate::catalog::Catalog;
use crate::path::ImagePath;

/// Lines analysed per file at most.
const MAX_LINES: usize = 50_000;
/// Hits kept per file at most.
const MAX_HITS: usize = 50;
/// A download and an exec count as a chain only this many lines apart.
const CHAIN_WINDOW: usize = 15;

/// One rule match.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Hit {
    /// Rule index in the catalogue.
    pub rule: usize,
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
        "vbs" | "hta" | "wsf" => Some("other"),
        _ => None,
    };
    if by_ext.is_some() {
        return by_ext;
    }
    if p == "etc/crontab" || p.starts_with("etc/cron.d/") || p.starts_with("var/spool/cron/") {
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
    if (p.starts_with("etc/systemd/") || p.contains("lib/systemd/"))
        && (name.ends_with(".service") || name.ends_with(".timer") || name.ends_with(".socket"))
    {
        return Some("unit");
    }
    // Text in a bin directory: a script without a shebang.
    let in_bin = p.split('/').any(|c| c == "bin" || c == "sbin");
    if in_bin
        && !head.is_empty()
        && head
            .iter()
            .all(|&b| b == b'\n' || b == b'\t' || b == b'\r' || (0x20..0x7f).contains(&b))
    {
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

/// Match every logical line of a script against the rules.
pub fn analyze(catalog: &Catalog, lang: &'static str, content: &[u8]) -> ScriptFacts {
    let text = String::from_utf8_lossy(content);
    let mut hits = Vec::new();
    let mut last_download: Option<(usize, String)> = None;
    let mut in_pod = false;
    let mut logical = String::new();
    let mut start_line = 0;
    for (i, raw) in text.lines().enumerate().take(MAX_LINES) {
        if logical.is_empty() {
            start_line = i + 1;
        }
        let continued = (lang == "sh" || lang == "cron" || lang == "unit") && raw.ends_with('\\')
            || lang == "powershell" && raw.ends_with('`');
        if continued {
            logical.push_str(&raw[..raw.len() - 1]);
            logical.push(' ');
            continue;
        }
        logical.push_str(raw);
        let line = std::mem::take(&mut logical);
        if lang == "perl" {
            // POD documentation blocks.
            if line.starts_with('=') {
                in_pod = !line.starts_with("=cut");
                continue;
            }
            if in_pod {
                continue;
            }
        }
        let Some(cmd) = command_part(lang, &line) else {
            continue;
        };
        for r in catalog.match_rules(cmd) {
            let rule = &catalog.rules[r];
            if !applies(&rule.lang, lang) {
                continue;
            }
            let text = shorten(cmd.trim());
            match rule.role.as_deref() {
                Some("exec") => {
                    if let Some(d) = &last_download
                        && start_line - d.0 <= CHAIN_WINDOW
                    {
                        hits.push(Hit {
                            rule: r,
                            line: start_line,
                            text,
                            after: Some(d.clone()),
                        });
                    }
                }
                role => {
                    if role == Some("download") {
                        last_download = Some((start_line, text.clone()));
                    }
                    hits.push(Hit {
                        rule: r,
                        line: start_line,
                        text,
                        after: None,
                    });
                }
            }
            if hits.len() >= MAX_HITS {
                return ScriptFacts {
                    lang: lang.to_string(),
                    hits: dedup_chains(catalog, hits),
                };
            }
        }
    }
    ScriptFacts {
        lang: lang.to_string(),
        hits: dedup_chains(catalog, hits),
    }
}

/// A chain hit says everything its download line says: drop plain download
/// hits on the lines a chain covers.
fn dedup_chains(catalog: &Catalog, hits: Vec<Hit>) -> Vec<Hit> {
    use crate::finding::Code;
    let covered: Vec<usize> = hits
        .iter()
        .filter(|h| catalog.rule_codes[h.rule] == Code::DownloadExecChain)
        .flat_map(|h| [Some(h.line), h.after.as_ref().map(|a| a.0)])
        .flatten()
        .collect();
    hits.into_iter()
        .filter(|h| {
            !(catalog.rule_codes[h.rule] == Code::DownloadCommand && covered.contains(&h.line))
        })
        .collect()
}

fn applies(rule_lang: &str, lang: &str) -> bool {
    let lang = match lang {
        "cron" | "unit" => "sh",
        l => l,
    };
    rule_lang == "any" || rule_lang == lang
}

/// The part of a line that is a command: comments, mentions (`echo`) and
/// cron schedules or unit keys removed. `None` when nothing is left.
fn command_part<'a>(lang: &str, line: &'a str) -> Option<&'a str> {
    let t = line.trim();
    if t.is_empty() {
        return None;
    }
    let comment = match lang {
        "batch" => {
            let l = t.to_ascii_lowercase();
            l.starts_with("rem ") || l == "rem" || t.starts_with("::")
        }
        "js" => t.starts_with("//") || t.starts_with("/*") || t.starts_with('*'),
        _ => t.starts_with('#'),
    };
    if comment {
        return None;
    }
    let first = t
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let mention = matches!(
        first.as_str(),
        "echo"
            | "printf"
            | "write-host"
            | "write-output"
            | "print"
            | "say"
            | "puts"
            | "console.log("
            | "@echo"
    ) || first.starts_with("print(")
        || first.starts_with("console.log(");
    if mention && !t.contains('|') {
        return None;
    }
    match lang {
        "cron" => {
            // "m h dom mon dow [user] command": drop the schedule and, in
            // system crontabs, the user; @reboot-style specials take one field.
            if t.contains('=') && !t.contains(' ') {
                return None; // VAR=value
            }
            let fields: Vec<&str> = t.splitn(7, char::is_whitespace).collect();
            let skip = if t.starts_with('@') { 1 } else { 5 };
            let rest = t.splitn(skip + 1, char::is_whitespace).nth(skip)?;
            let _ = fields;
            Some(rest)
        }
        "unit" => {
            let (key, value) = t.split_once('=')?;
            key.trim()
                .starts_with("Exec")
                .then_some(value.trim_start_matches(['-', '@', '+', '!', ':']))
        }
        _ => Some(t),
    }
}

fn shorten(s: &str) -> String {
    if s.chars().count() <= 300 {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(300).collect::<String>())
    }
}
