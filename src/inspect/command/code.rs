//! Code languages (Python, Perl, Ruby, JavaScript, PHP, WSH): lines with
//! comments, docstrings, POD and block comments left out, and lines that
//! only print or log left out; a literal URL held in a variable is put back
//! where the variable is used; each line is matched with the language's
//! code rules (string concatenation joined for JScript/VBScript), and the
//! strings and argument lists handed to the system (`system`, `subprocess`,
//! `child_process`, `WScript.Shell.Run`, …) are parsed as commands. A
//! download then an exec within [`CHAIN_WINDOW`] lines is a chain. Lines
//! without a URL of their own take loopback-ness from the file's URLs.

use std::collections::HashMap;

use crate::catalog::{Role, RuleLang};
use crate::inspect::prefilter;

use super::addr::{all_loopback, is_loopback, literal_hosts_loopback, url_host};
use super::rules::{Engine, RawHit};
use super::{Cmd, Lang, Pipeline, Script, decode, shown};

/// In code languages, a download and an exec count as a chain only this
/// many lines apart (shell chains follow the downloaded file instead).
pub const CHAIN_WINDOW: usize = 15;
/// URL variables remembered per file at most.
const MAX_URL_VARS: usize = 64;
/// Lines joined into one statement at most.
const MAX_JOINED: usize = 30;
/// Strings of one statement parsed as shell commands at most.
const MAX_SHELL_STRINGS: usize = 32;

/// Calls that hand a string or an argument list to the system.
pub(crate) const SHELL_CALLS: &[&str] = &[
    "system(",
    "system ",
    "popen(",
    "exec(",
    "exec ",
    "execSync(",
    "execFile",
    "spawn(",
    "spawnSync(",
    "subprocess.",
    "Popen(",
    "check_output(",
    "check_call(",
    ".Run",
    ".Exec(",
    ".Exec ",
    "ShellExecute",
    "`",
    "qx",
    "%x",
    "shell_exec(",
    "passthru(",
    "proc_open(",
    "Start-Process",
    "Process.Start",
    "Open3",
    "IO.popen",
    "run([",
    "call([",
    "getoutput(",
    "execa",
    "-|",
    // WMI process creation: Win32_Process.Create "CMD", inp.CommandLine = "CMD"
    "Win32_Process",
    ".Create ",
    ".Create(",
    "CommandLine =",
    "CommandLine=",
    // os.spawnlp(mode, "curl", "curl", …), os.posix_spawnp(path, [argv], env)
    "spawnl",
    "spawnv",
    "posix_spawn",
    // Lua os.execute("cmd"), Go exec.Command("sh", "-c", "cmd")
    "execute(",
    "exec.Command",
];

/// Words near a base64 literal that is decoded and run (`b64decode`,
/// `Base64.decode64`, `atob`, `base64_decode`, `powershell -enc`).
pub(crate) const ENCODED_HINTS: &[&str] = &["ase64", "b64", "atob(", "owershell", "OWERSHELL"];

/// Does `t` hold a call that hands text to the system, and a hint of
/// base64 decoding? (One automaton over both lists; the gated scan finds
/// both in its one pass per statement, [`prefilter::line_facts`].)
pub fn call_markers(t: &str) -> (bool, bool) {
    static AC: std::sync::OnceLock<Option<aho_corasick::AhoCorasick>> = std::sync::OnceLock::new();
    let Some(ac) = AC
        .get_or_init(|| {
            aho_corasick::AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .kind(Some(aho_corasick::AhoCorasickKind::DFA))
                .build(SHELL_CALLS.iter().chain(ENCODED_HINTS))
                .ok()
        })
        .as_ref()
    else {
        return (true, true);
    };
    let (mut calls, mut encoded) = (false, false);
    for m in ac.find_overlapping_iter(t) {
        if m.pattern().as_usize() < SHELL_CALLS.len() {
            calls = true;
        } else {
            encoded = true;
        }
        if calls && encoded {
            break;
        }
    }
    (calls, encoded)
}

/// Lines that print or log: mentions, not code that runs.
const MENTIONS: &[&str] = &[
    "print(",
    "print ",
    "puts ",
    "say ",
    "console.log(",
    "console.error(",
    "wscript.echo",
    "echo ",
    "logger.",
    "logging.",
    "log.",
    "raise ",
    "die ",
    "warn ",
    "msgbox ",
    "parser.add_argument(",
    "help=",
];

/// Which comment syntax is open across lines.
#[derive(Default)]
struct Skip {
    doc: Option<&'static str>,
    pod: bool,
    block: bool,
    /// What ends the open Lua block comment (`]]`, `]=]`).
    lua_close: &'static str,
}

impl Skip {
    /// Is this (trimmed) line a comment, docstring, POD or block comment line?
    fn skips(&mut self, lang: RuleLang, t: &str) -> bool {
        match lang {
            RuleLang::Python => python_doc(t, &mut self.doc) || t.starts_with('#'),
            RuleLang::Perl | RuleLang::Ruby => {
                if t.starts_with('=') && !t.starts_with("==") {
                    self.pod = !t.starts_with("=cut") && !t.starts_with("=end");
                    return true;
                }
                self.pod || t.starts_with('#')
            }
            RuleLang::Lua => {
                // `--` comments, `--[[ … ]]` and `--[=[ … ]=]` blocks.
                if self.block {
                    self.block = !t.contains(self.lua_close);
                    return true;
                }
                let close = if t.starts_with("--[[") {
                    "]]"
                } else if t.starts_with("--[=[") {
                    "]=]"
                } else {
                    return t.starts_with("--");
                };
                self.lua_close = close;
                self.block = !t.contains(close);
                true
            }
            RuleLang::Js | RuleLang::Php | RuleLang::Wsh | RuleLang::Go => {
                if self.block {
                    self.block = !t.contains("*/");
                    return true;
                }
                if t.starts_with("/*") {
                    self.block = !t.contains("*/");
                    return true;
                }
                let rem = t.get(..3).is_some_and(|w| w.eq_ignore_ascii_case("rem"))
                    && matches!(t.as_bytes().get(3), None | Some(b' '));
                t.starts_with("//")
                    || t.starts_with('*')
                    || lang != RuleLang::Wsh && t.starts_with('#')
                    || lang == RuleLang::Wsh && (t.starts_with('\'') || rem)
            }
            _ => t.starts_with('#'),
        }
    }
}

/// Where three quote bytes `q` in a row start in `t`: memchr over the
/// quote byte, not a substring searcher built for every line.
fn find_triple(t: &str, q: u8) -> Option<usize> {
    let b = t.as_bytes();
    memchr::memchr_iter(q, b).find(|&i| b.get(i + 1) == Some(&q) && b.get(i + 2) == Some(&q))
}

/// Is this line inside (or the start of) a Python docstring? Updates `state`.
fn python_doc(t: &str, state: &mut Option<&'static str>) -> bool {
    if let Some(q) = *state {
        if find_triple(t, q.as_bytes()[0]).is_some() {
            *state = None;
        }
        return true;
    }
    for q in ["\"\"\"", "'''"] {
        if let Some(k) = find_triple(t, q.as_bytes()[0]) {
            let before = t[..k].trim_end();
            let starts_doc = before.is_empty() || before.ends_with('=') || before.ends_with('(');
            if starts_doc {
                if find_triple(&t[k + 3..], q.as_bytes()[0]).is_none() {
                    *state = Some(q);
                }
                return before.is_empty();
            }
        }
    }
    false
}

/// The code lines of a file: (1-based line, trimmed text).
pub fn code_lines(lang: RuleLang, text: &str) -> Vec<(usize, &str)> {
    let mut skip = Skip::default();
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let t = raw.trim();
        if matches!(lang, RuleLang::Perl | RuleLang::Ruby) && (t == "__END__" || t == "__DATA__") {
            break;
        }
        if t.is_empty() || skip.skips(lang, t) {
            continue;
        }
        out.push((i + 1, t));
    }
    out
}

/// Parentheses and brackets a line leaves open (string literals skipped,
/// a `#` outside brackets ends the count). The text between quotes is
/// counted in one sweep and a quoted span crossed with `memchr`, not
/// byte by byte: minified bundles are long lines of strings and calls.
fn open_brackets(t: &str) -> i32 {
    // Bytes: every character looked at is ASCII, and UTF-8 never puts an
    // ASCII byte inside a multi-byte character.
    let b = t.as_bytes();
    let mut depth = 0;
    let mut i = 0;
    loop {
        let quote = memchr::memchr3(b'"', b'\'', b'`', &b[i..]).map(|k| i + k);
        let seg = &b[i..quote.unwrap_or(b.len())];
        if memchr::memchr(b'#', seg).is_some() {
            for &c in seg {
                match c {
                    b'(' | b'[' => depth += 1,
                    b')' | b']' => depth -= 1,
                    b'#' if depth == 0 => return depth,
                    _ => {}
                }
            }
        } else {
            depth += seg
                .iter()
                .map(|&c| i32::from(matches!(c, b'(' | b'[')) - i32::from(matches!(c, b')' | b']')))
                .sum::<i32>();
        }
        let Some(q) = quote else {
            return depth;
        };
        match quote_end(b, q + 1, b[q]) {
            Some(end) => i = end + 1,
            None => return depth,
        }
    }
}

/// Where the string opened by quote `q` before `from` closes (a backslash
/// escapes the byte after it); `None` when it runs to the end.
fn quote_end(b: &[u8], mut from: usize, q: u8) -> Option<usize> {
    loop {
        let at = from + memchr::memchr2(q, b'\\', b.get(from..)?)?;
        if b[at] == q {
            return Some(at);
        }
        from = at + 2;
    }
}

/// Statements: a line that leaves `(` or `[` open is joined with the
/// lines that close it (a call spread over lines), at most
/// [`MAX_JOINED`] lines; each statement keeps its first line's number.
pub fn statements<'a>(lines: &[(usize, &'a str)]) -> Vec<(usize, std::borrow::Cow<'a, str>)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let (n, t) = lines[i];
        let mut depth = open_brackets(t);
        if depth <= 0 {
            out.push((n, std::borrow::Cow::Borrowed(t)));
            i += 1;
            continue;
        }
        let mut joined = t.to_string();
        let mut j = i + 1;
        while depth > 0 && j < lines.len() && j - i < MAX_JOINED {
            joined.push(' ');
            joined.push_str(lines[j].1);
            depth += open_brackets(lines[j].1);
            j += 1;
        }
        out.push((n, std::borrow::Cow::Owned(joined)));
        i = j;
    }
    out
}

/// `NAME = "scheme://…"` (with `$`, `my`, `const`, `let`, `var`, `our`,
/// `Dim`/`Set` forms): the variable and its URL — or a UNC path, or a
/// command line naming one of them (`cmd = "powershell -c ""iwr …"""`),
/// kept as the language writes it inside quotes (`vb`: VBScript, `""`
/// for a quote and no backslash escapes).
fn url_assignment(t: &str, vb: bool) -> Option<(String, String)> {
    let (lhs, rhs) = t.split_once('=')?;
    if rhs.starts_with(['=', '~']) || lhs.ends_with(['!', '<', '>', '=']) {
        return None;
    }
    let lhs = lhs.trim().trim_end_matches([':', '?', '|', '&']).trim();
    let name = lhs
        .rsplit(' ')
        .next()
        .unwrap_or_default()
        .trim_start_matches(['$', '@']);
    let ok = !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !name.as_bytes()[0].is_ascii_digit();
    // `q = Chr(34)`: a quote, put back as a VBScript literal of one.
    let code = rhs.trim().to_ascii_lowercase();
    if ok && vb && matches!(code.as_str(), "chr(34)" | "chrw(34)") {
        return Some((name.to_string(), QUOTE_LITERAL.to_string()));
    }
    // JScript `q = String.fromCharCode(34);`: a quote, kept as JScript
    // writes it inside quotes.
    if ok
        && !vb
        && matches!(
            code.trim_end_matches(';').trim(),
            "string.fromcharcode(34)" | "\"\\\"\"" | "'\"'"
        )
    {
        return Some((name.to_string(), "\\\"".to_string()));
    }
    if !ok || !(rhs.contains("://") || rhs.contains(r"\\")) {
        return None;
    }
    // "…", URI("…"), URI.parse('…'), new URL("…"), ENV.fetch("U", "…"),
    // process.env.U || "…": the first literal that is a URL or a UNC path;
    // else a command line holding one (`cmd = "cmd /c curl … http://…"`,
    // later handed to `.Run cmd`). Concatenated pieces are one literal.
    let rhs = decode::joined_strings(&vb_chr(rhs));
    let lits = string_literals(&rhs, vb);
    let unc = |l: &str| super::addr::unc_host(l).is_some();
    let url = lits
        .iter()
        .find(|l| {
            unc(l)
                || l.split_once("://").is_some_and(|(scheme, rest)| {
                    !scheme.is_empty()
                        && scheme
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'+')
                        && !rest.is_empty()
                })
        })
        .or_else(|| {
            lits.iter().find(|l| {
                l.contains(' ')
                    && (l.contains("://") || l.split_whitespace().any(|w| unc(w.trim_matches('"'))))
            })
        })?;
    let kept = if vb {
        url.replace('"', "\"\"")
    } else {
        url.replace('\\', "\\\\").replace('"', "\\\"")
    };
    Some((name.to_string(), kept))
}

/// VBScript `Chr(34)` / `ChrW(39)` (a quote built from its code) as a
/// string literal, so that concatenation joins it: `"a " & Chr(34) & "b"`.
pub fn vb_chr(t: &str) -> std::borrow::Cow<'_, str> {
    // Looked for without a lower-cased copy first: most lines hold neither.
    if !has_chr(t) && !has_char_codes(t) {
        return std::borrow::Cow::Borrowed(t);
    }
    let low = t.to_ascii_lowercase();
    if low.contains("string.fromcharcode(") {
        return std::borrow::Cow::Owned(js_char_codes(t, &low));
    }
    if !low.contains("chr") {
        return std::borrow::Cow::Borrowed(t);
    }
    let mut out = String::with_capacity(t.len());
    let mut i = 0;
    while i < t.len() {
        let rest = &low[i..];
        let hit = ["chr(34)", "chrw(34)", "chr(39)", "chrw(39)"]
            .iter()
            .find(|p| rest.starts_with(**p));
        match hit {
            Some(p) => {
                out.push_str(if p.ends_with("(34)") {
                    "\"\"\"\""
                } else {
                    "\"'\""
                });
                i += p.len();
            }
            None => {
                let ch = t[i..].chars().next().unwrap_or(' ');
                out.push(ch);
                i += ch.len_utf8();
            }
        }
    }
    std::borrow::Cow::Owned(out)
}

/// JScript `String.fromCharCode(104, 116, …)` of printable ASCII codes as
/// the string literal it builds (`"ht…"`), so that concatenation joins it;
/// anything else is left as written. `low` is `t` in lower case.
fn js_char_codes(t: &str, low: &str) -> String {
    const CALL: &str = "string.fromcharcode(";
    let mut out = String::with_capacity(t.len());
    let mut i = 0;
    while let Some(n) = low[i..].find(CALL) {
        let at = i + n;
        let args_from = at + CALL.len();
        out.push_str(&t[i..at]);
        let lit = low[args_from..].split_once(')').and_then(|(args, _)| {
            args.split(',')
                .map(|a| {
                    a.trim()
                        .parse::<u8>()
                        .ok()
                        .filter(|c| (0x20..0x7f).contains(c))
                })
                .collect::<Option<Vec<u8>>>()
                .map(|codes| (args.len(), codes))
        });
        match lit {
            Some((len, codes)) => {
                out.push('"');
                for c in codes {
                    if c == b'"' || c == b'\\' {
                        out.push('\\');
                    }
                    out.push(c as char);
                }
                out.push('"');
                i = args_from + len + 1;
            }
            None => {
                out.push_str(&t[at..args_from]);
                i = args_from;
            }
        }
    }
    out.push_str(&t[i..]);
    out
}

/// Is a line of `lang` VBScript-quoted (`""` for a quote, no backslash
/// escapes)? WSH files hold VBScript or JScript.
fn vb_quoted(lang: RuleLang, t: &str) -> bool {
    t.contains("\"\"") || lang == RuleLang::Wsh && !t.contains("('") && !t.trim_end().ends_with(';')
}

/// What a VBScript variable holding `Chr(34)` stands for between `&`s
/// (put back as `""`, a literal of one quote once wrapped in quotes).
const QUOTE_LITERAL: &str = "\"\"";

/// Literal URLs held in variables, put back where the variables are used.
#[derive(Default)]
struct UrlVars(HashMap<String, String>, Option<RuleLang>);

impl UrlVars {
    fn collect(lines: &[(usize, &str)], lang: RuleLang) -> UrlVars {
        let mut v = UrlVars(HashMap::new(), Some(lang));
        for (_, t) in lines {
            // Earlier variables are put back first: `src = "\\h\s\x"`
            // then `cmd = "esentutl /y " & src & " /d x"`.
            let t = v.resolve(t);
            if v.0.len() < MAX_URL_VARS
                && let Some((k, url)) = url_assignment(&t, vb_quoted(lang, &t))
            {
                v.0.insert(k, url);
            }
        }
        v
    }

    /// `t` with each use of a URL variable replaced by the quoted URL.
    fn resolve<'t>(&self, t: &'t str) -> std::borrow::Cow<'t, str> {
        if self.0.is_empty() || !self.0.keys().any(|k| t.contains(k.as_str())) {
            return std::borrow::Cow::Borrowed(t);
        }
        let mut out = t.to_string();
        for (k, url) in &self.0 {
            if !out.contains(k.as_str()) {
                continue;
            }
            let mut s = String::with_capacity(out.len());
            let mut rest = out.as_str();
            while let Some(at) = rest.find(k.as_str()) {
                let before = rest[..at].chars().next_back();
                let after = rest[at + k.len()..].chars().next();
                let ident =
                    |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
                s.push_str(&rest[..at]);
                if ident(before)
                    || ident(after)
                    || after == Some('=')
                    || after == Some(' ') && rest[at + k.len()..].trim_start().starts_with('=')
                {
                    s.push_str(k);
                } else {
                    if s.ends_with('$') {
                        s.pop();
                    }
                    // Inside a double-quoted string (Perl, PHP, Ruby "#{u}"
                    // interpolation) the URL goes in bare.
                    let quoted = open_quote(&s, self.1.is_some_and(|l| !vb_quoted(l, t)));
                    if quoted && url == QUOTE_LITERAL {
                        s.push_str(k);
                    } else if quoted {
                        s.push_str(url);
                    } else {
                        s.push('"');
                        s.push_str(url);
                        s.push('"');
                    }
                }
                rest = &rest[at + k.len()..];
            }
            s.push_str(rest);
            out = s;
        }
        std::borrow::Cow::Owned(out)
    }
}

/// Is a double-quoted string open at the end of `s`? With `escapes`
/// (JScript, Node, Perl…: not VBScript), a `\"` is no quote.
fn open_quote(s: &str, escapes: bool) -> bool {
    let b = s.as_bytes();
    let mut open = false;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' if escapes => i += 1,
            b'"' => open = !open,
            _ => {}
        }
        i += 1;
    }
    open
}

/// Does `t` name a URL whose host is not a loopback one?
pub fn has_remote_url(t: &str) -> bool {
    let mut from = 0;
    while let Some(n) = t[from..].find("://") {
        let at = from + n;
        let start = super::addr::after_last(&t[..at], |c| !c.is_ascii_alphanumeric());
        if url_host(&t[start..]).is_some_and(|h| !is_loopback(&h)) {
            return true;
        }
        from = at + 3;
    }
    false
}

/// Scan a code file's text.
pub fn scan(eng: &mut Engine, lang: RuleLang, text: &str) {
    scan_lines(eng, lang, &code_lines(lang, text), true);
}

/// Scan a code file's code lines (as [`code_lines`] gives them); when
/// `gated`, each statement tries only the rules whose literals it holds
/// ([`text_rules`](crate::inspect::prefilter::text_rules)).
pub fn scan_lines(eng: &mut Engine, lang: RuleLang, lines: &[(usize, &str)], gated: bool) {
    let vars = UrlVars::collect(lines, lang);
    let file_loopback = {
        let urls: Vec<&str> = lines
            .iter()
            .map(|(_, t)| *t)
            .filter(|t| t.contains("://"))
            .collect();
        !urls.is_empty() && urls.iter().all(|t| all_loopback(t))
    };
    // The whole code, for rules that need a second pattern: built once,
    // when one first asks.
    let code = std::cell::OnceCell::new();
    let code = || -> &String {
        code.get_or_init(|| lines.iter().map(|(_, t)| *t).collect::<Vec<_>>().join("\n"))
    };
    let mut last_download: Option<(usize, String)> = None;
    let mut needs: HashMap<usize, bool> = HashMap::new();
    let mut scratch = Vec::new();
    for (n, t) in statements(lines) {
        let t: &str = &t;
        let mention = MENTIONS.iter().any(|m| {
            t.as_bytes()
                .get(..m.len())
                .is_some_and(|h| h.eq_ignore_ascii_case(m.as_bytes()))
        });
        if mention {
            // `echo shell_exec('wget …')`, `print(os.popen("curl …").read())`,
            // `puts `curl …``: what a printed call returns still ran.
            shell_calls_line(eng, lang, &joined(lang, vars.resolve(t)), n, None, 1);
            continue;
        }
        let line = joined(lang, vars.resolve(t));
        let (rules, markers) = rules_for(eng, lang, &line, gated, &mut scratch);
        let (loopback, url) = addresses(&line, file_loopback, !rules.is_empty());
        for r in rules {
            let met = *needs
                .entry(r)
                .or_insert_with(|| eng.cat.needs_met(r, code()));
            if !met {
                continue;
            }
            let hit = RawHit {
                rule: r,
                line: n,
                text: shown(t),
                loopback,
                after: None,
                url,
            };
            match eng.cat.rules[r].role {
                Some(Role::Exec) => {
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
                    if role == Some(Role::Download) && !loopback {
                        last_download = Some((n, hit.text.clone()));
                    }
                    eng.hits.push(hit);
                }
            }
        }
        match markers {
            Some(m) => shell_calls_marked(eng, lang, &line, n, None, 1, marked(lang, &line, &m)),
            None => shell_calls_line(eng, lang, &line, n, None, 1),
        }
    }
}

/// A statement's (all loopback, names a remote URL): looked at only when
/// it has rules (most have none).
fn addresses(line: &str, file_loopback: bool, has_rules: bool) -> (bool, bool) {
    if !has_rules {
        return (false, false);
    }
    (
        line_loopback(line, file_loopback, true),
        has_remote_url(line),
    )
}

/// The (call, encoded) markers of a statement from its one-pass
/// [`Markers`]: in JavaScript a backtick opens a template literal, not a
/// shell call (as in [`shell_calls_line`]).
fn marked(lang: RuleLang, t: &str, m: &prefilter::Markers) -> (bool, bool) {
    let backtick = m.backtick && !(lang == RuleLang::Js && t.contains('`'));
    (m.call || backtick, m.encoded)
}

/// A statement with string concatenation joined (JScript, VBScript, Node;
/// Python and Ruby `+`, Perl and PHP `.`, through shell-quoting calls);
/// Node template literals (`` execSync(`curl …`) ``) keep their backticks.
fn joined(lang: RuleLang, line: std::borrow::Cow<'_, str>) -> std::borrow::Cow<'_, str> {
    let template = lang == RuleLang::Js && line.contains('`');
    let ops: &[u8] = match lang {
        RuleLang::Python | RuleLang::Ruby => b"+",
        RuleLang::Perl | RuleLang::Php => b".",
        _ => b"",
    };
    // Nothing to rewrite (no `Chr(`, no joined strings, no backtick): the
    // line as it is, not a copy (the common case, and the hot path).
    let rewrites = || {
        has_chr(&line)
            || has_char_codes(&line)
            || line.contains('`')
            || decode::concatenates(line.as_bytes())
    };
    if matches!(lang, RuleLang::Wsh | RuleLang::Js) && !template && rewrites() {
        std::borrow::Cow::Owned(decode::joined_strings(&vb_chr(&line)))
    } else if !ops.is_empty() {
        match decode::joined_code_strings(&line, ops) {
            std::borrow::Cow::Borrowed(_) => line,
            std::borrow::Cow::Owned(s) => std::borrow::Cow::Owned(s),
        }
    } else {
        line
    }
}

/// Does `t` hold `fromCharCode(` in any case (a superset of what
/// [`vb_chr`] rewrites as JavaScript character codes)?
fn has_char_codes(t: &str) -> bool {
    let b = t.as_bytes();
    memchr::memchr2_iter(b'f', b'F', b).any(|i| {
        b.get(i..i + 13)
            .is_some_and(|w| w.eq_ignore_ascii_case(b"fromcharcode("))
    })
}

/// Does `t` hold `chr` in any case (what [`vb_chr`] looks for first)?
fn has_chr(t: &str) -> bool {
    let b = t.as_bytes();
    memchr::memchr2_iter(b'c', b'C', b).any(|i| {
        b.get(i + 1..i + 3)
            .is_some_and(|w| w.eq_ignore_ascii_case(b"hr"))
    })
}

/// The text rules of `lang` matching `line`: through the prefilter
/// (only the rules whose literals the line holds) when `gated`, with the
/// call markers found in the same pass.
fn rules_for(
    eng: &Engine,
    lang: RuleLang,
    line: &str,
    gated: bool,
    scratch: &mut Vec<u64>,
) -> (Vec<usize>, Option<prefilter::Markers>) {
    if !gated {
        return (prefilter::text_rules(eng.cat, lang, line), None);
    }
    match prefilter::line_facts(eng.cat, lang, line, scratch) {
        Some((rules, m)) => (rules, Some(m)),
        None => (prefilter::text_rules(eng.cat, lang, line), None),
    }
}

/// Whether a code line's addresses are all loopback: its URLs; else the
/// file's URLs, or (on a line with rules) quoted hosts given apart from
/// the port (`HTTPConnection("127.0.0.1", 8000)`).
fn line_loopback(line: &str, file_loopback: bool, has_rules: bool) -> bool {
    if line.contains("://") {
        all_loopback(line)
    } else {
        file_loopback || has_rules && literal_hosts_loopback(line)
    }
}

/// Shell strings and argument lists handed to the system in `src` (code
/// of `lang`); hits go to each line, or all to `fixed` (a one-liner).
pub fn shell_calls(eng: &mut Engine, lang: RuleLang, src: &str, fixed: Option<&Cmd>, depth: usize) {
    for (n, t) in statements(&code_lines(lang, src)) {
        shell_calls_line(eng, lang, &t, n, fixed, depth);
    }
}

fn shell_calls_line(
    eng: &mut Engine,
    lang: RuleLang,
    t: &str,
    n: usize,
    fixed: Option<&Cmd>,
    depth: usize,
) {
    let (calls, encoded) = call_markers(t);
    // In JavaScript a backtick opens a template literal, not a shell call.
    let calls = if calls && lang == RuleLang::Js && t.contains('`') {
        call_markers(&t.replace('`', "'")).0
    } else {
        calls
    };
    shell_calls_marked(eng, lang, t, n, fixed, depth, (calls, encoded));
}

/// [`shell_calls_line`] with the statement's (call, encoded) markers
/// already found.
fn shell_calls_marked(
    eng: &mut Engine,
    lang: RuleLang,
    t: &str,
    n: usize,
    fixed: Option<&Cmd>,
    depth: usize,
    (calls, encoded): (bool, bool),
) {
    let calls = calls || language_call(lang, t);
    if !calls && !encoded {
        return;
    }
    // VBScript strings (`'` starts a comment); JScript's `('…')` calls are not.
    let mut lits = string_literals(t, lang == RuleLang::Wsh && vb_quoted(lang, t));
    lits.extend(quoted_commands(t));
    let line = fixed.map(|c| c.line).unwrap_or(n);
    for lit in lits.iter().filter(|l| encoded && l.len() >= 24) {
        if let Some(ps) = decode::encoded_powershell(lit) {
            eng.run(Lang::PowerShell, &ps, line, depth);
        } else if let Some(text) = decode::base64_text(lit) {
            // exec(base64.b64decode("…")), os.system(atob("…")): code or shell.
            decoded_code(eng, lang, &text, line, fixed, depth);
        }
    }
    if !calls {
        return;
    }
    let shell = if lang == RuleLang::Wsh {
        Lang::Batch
    } else {
        Lang::Sh
    };
    // Only strings that name a program the rules know, or a URL, can be a
    // transfer; at most MAX_SHELL_STRINGS of them per statement (a
    // minified bundle is one line of thousands of strings).
    let worth =
        |l: &&String| l.contains(' ') && (l.contains("://") || eng.cat.triggered(l.as_bytes()));
    let strings: Vec<&String> = lits.iter().filter(worth).take(MAX_SHELL_STRINGS).collect();
    for lit in strings {
        eng.run(shell, lit, line, depth);
    }
    // ShellExecute "program", "arguments", …: one command line.
    if t.to_ascii_lowercase().contains("shellexecute")
        && let [file, args, ..] = lits.as_slice()
    {
        eng.run(shell, &format!("{file} {args}"), line, depth);
    }
    // An argument list: ["curl", "-o", "/tmp/x", url] / ('wget', [...]) /
    // Perl open($fh, "-|", "wget", …).
    let mut lits: Vec<String> = lits
        .into_iter()
        .skip_while(|l| l == "-|" || l == "|-")
        .collect();
    spawn_arg0(t, &mut lits);
    let is_list = lits.len() >= 2
        && !lits[0].contains(' ')
        && !lits[0].is_empty()
        && (t.contains('[') || t.contains(", "));
    if is_list {
        let text = fixed.map(|c| c.text.clone()).unwrap_or_else(|| shown(t));
        let cmd = Cmd {
            argv: lits.clone(),
            line,
            text,
            ..Default::default()
        };
        let script = Script {
            pipelines: vec![Pipeline { cmds: vec![cmd] }],
        };
        eng.script(Lang::Sh, &script, depth);
    }
}

/// `os.spawnlp(mode, "curl", "curl", …)`, `os.posix_spawn(path, [argv0,
/// …])`: the program's path then its argv, whose first word names the
/// program again; keep one.
fn spawn_arg0(t: &str, lits: &mut Vec<String>) {
    let spawn = ["spawnl", "spawnv", "posix_spawn"]
        .iter()
        .any(|m| t.contains(m));
    if spawn
        && lits.len() >= 2
        && super::program::prog_name(&lits[1]) == super::program::prog_name(&lits[0])
    {
        lits.remove(0);
    }
}

/// Text decoded from a base64 literal: scanned as shell and as code of
/// `lang`, every download counting on `line`.
fn decoded_code(
    eng: &mut Engine,
    lang: RuleLang,
    text: &str,
    line: usize,
    fixed: Option<&Cmd>,
    depth: usize,
) {
    if depth > super::MAX_DEPTH || !text.contains("://") {
        return;
    }
    eng.run(Lang::Sh, text, line, depth + 1);
    let at = Cmd {
        line,
        text: fixed.map(|c| c.text.clone()).unwrap_or_else(|| shown(text)),
        ..Default::default()
    };
    let rules: Vec<usize> = eng
        .text_rules(text, lang)
        .into_iter()
        .chain(eng.text_rules(text, RuleLang::Arg))
        .filter(|&r| eng.cat.rules[r].role != Some(Role::Exec))
        .collect();
    for r in rules {
        eng.push(r, &at, all_loopback(text), None);
    }
    shell_calls(eng, lang, text, Some(&at), depth + 1);
}

/// Calls of one language that hand a string to the system: Ruby/Rake
/// `sh "…"`, Perl's pipe `open(FH, "cmd |")`.
fn language_call(lang: RuleLang, t: &str) -> bool {
    match lang {
        RuleLang::Ruby => t.starts_with("sh ") || t.starts_with("sh(") || t.contains("{ sh "),
        RuleLang::Perl => t.contains("open") && t.contains('|'),
        _ => false,
    }
}

/// Command strings in Ruby `%x{…}` / `%x(…)` / `%x[…]` and Perl
/// `qx{…}` / `qx(…)` quoting.
fn quoted_commands(t: &str) -> Vec<String> {
    let mut out = Vec::new();
    for opener in ["%x", "qx"] {
        let mut from = 0;
        while let Some(n) = t[from..].find(opener) {
            let at = from + n + 2;
            from = at;
            let close = match t[at..].chars().next() {
                Some('{') => '}',
                Some('(') => ')',
                Some('[') => ']',
                Some('|') => '|',
                Some('/') => '/',
                _ => continue,
            };
            if let Some(end) = t[at + 1..].rfind(close) {
                out.push(t[at + 1..at + 1 + end].to_string());
                from = at + 1 + end;
            }
        }
    }
    out
}

/// String literals on a line (`"…"`, `'…'`, `` `…` ``); VBScript doubles `""`.
pub fn string_literals(t: &str, vb: bool) -> Vec<String> {
    let b = t.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let q = b[i];
        if !(q == b'"' || (!vb && (q == b'\'' || q == b'`'))) {
            i += 1;
            continue;
        }
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
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_variables_are_put_back() {
        let lines = [
            (1, "URL = 'http://203.0.113.5/a'"),
            (2, "my $src = \"https://h.example/x\";"),
            (3, "const u = `x`"),
        ];
        let v = UrlVars::collect(&lines, RuleLang::Python);
        assert_eq!(v.0.len(), 2);
        assert_eq!(
            v.resolve("urlretrieve(URL, '/tmp/a'); URLS = 1"),
            "urlretrieve(\"http://203.0.113.5/a\", '/tmp/a'); URLS = 1"
        );
        assert_eq!(
            v.resolve("getstore($src, $f)"),
            "getstore(\"https://h.example/x\", $f)"
        );
    }

    #[test]
    fn comments_and_docstrings_are_not_code() {
        let py =
            "\"\"\"Fetch with urlopen('http://x.example/')\n\"\"\"\n# urlopen(u)\nx = urlopen(u)\n";
        assert_eq!(code_lines(RuleLang::Python, py), [(4, "x = urlopen(u)")]);
        let js = "/* fetch('http://x')\n*/\n// http.get\nhttp.get(u)\n";
        assert_eq!(code_lines(RuleLang::Js, js), [(4, "http.get(u)")]);
        let vbs = "' xmlhttp\nRem xmlhttp\nSet o = CreateObject(\"MSXML2.XMLHTTP\")\n";
        assert_eq!(code_lines(RuleLang::Wsh, vbs).len(), 1);
    }

    #[test]
    fn calls_over_several_lines_are_one_statement() {
        let lines = [
            (1, "subprocess.run(["),
            (2, "\"curl\", \"-o\", \"/tmp/x\",  # (comment"),
            (3, "URL])"),
            (4, "x = 1"),
        ];
        let st = statements(&lines);
        assert_eq!(st.len(), 2);
        assert_eq!(st[0].0, 1);
        assert!(st[0].1.ends_with("URL])"));
        assert_eq!(st[1].1, "x = 1");
        let v = UrlVars::collect(
            &[
                (1, "uri = URI.parse(\"http://h.example/a\")"),
                (2, "const src = process.env.SRC || 'https://h.example/b';"),
                (3, "if a == \"http://h.example/c\":"),
            ],
            RuleLang::Ruby,
        );
        let get = |k: &str| v.0.get(k).map(String::as_str);
        assert_eq!(get("uri"), Some("http://h.example/a"));
        assert_eq!(get("src"), Some("https://h.example/b"));
        assert_eq!(v.0.len(), 2);
    }

    /// The byte-by-byte count the sweep replaced.
    fn open_brackets_bytewise(t: &str) -> i32 {
        let mut depth = 0;
        let mut quote: Option<u8> = None;
        let mut escaped = false;
        for ch in t.bytes() {
            if let Some(q) = quote {
                if escaped {
                    escaped = false;
                } else if ch == b'\\' {
                    escaped = true;
                } else if ch == q {
                    quote = None;
                }
                continue;
            }
            match ch {
                b'"' | b'\'' | b'`' => quote = Some(ch),
                b'(' | b'[' => depth += 1,
                b')' | b']' => depth -= 1,
                b'#' if depth == 0 => break,
                _ => {}
            }
        }
        depth
    }

    #[test]
    fn bracket_sweep_counts_like_the_bytewise_scan() {
        let lines = [
            "f(a, [b, \"c)\"], 'd(', `e[${x}`",
            "x = g(h(\"\\\"(\", i)",
            "# (comment",
            "a(b) # c(",
            "f(\"#\", # (x",
            "s = 'unclosed ( [",
            "t = \"ends in a backslash \\",
            "q('\\'', (r)",
            "é(ü[",
            "",
            "]]) ((",
        ];
        // And every line of real code at hand: these sources.
        let sources = [
            include_str!("code.rs"),
            include_str!("sh.rs"),
            include_str!("ps.rs"),
        ];
        let real = sources.iter().flat_map(|s| s.lines());
        for l in lines.into_iter().chain(real) {
            assert_eq!(open_brackets(l), open_brackets_bytewise(l), "{l:?}");
        }
    }

    #[test]
    fn remote_urls() {
        assert!(has_remote_url("get('http://203.0.113.5/x')"));
        assert!(!has_remote_url("get('http://127.0.0.1:8080/health')"));
        assert!(!has_remote_url("get(url)"));
    }

    // Round 11: the limits hostile input meets, each at its boundary.

    #[test]
    fn at_most_64_url_variables_are_kept() {
        let text: Vec<String> = (0..70)
            .map(|n| format!("u{n} = 'http://203.0.113.5/{n}'"))
            .collect();
        let lines: Vec<(usize, &str)> = text
            .iter()
            .enumerate()
            .map(|(n, t)| (n + 1, t.as_str()))
            .collect();
        let v = UrlVars::collect(&lines, RuleLang::Python);
        assert_eq!(v.0.len(), 64);
        assert!(v.0.contains_key("u63") && !v.0.contains_key("u64"));
    }

    #[test]
    fn a_statement_joins_at_most_30_lines() {
        // Line 1 stands alone; line 2 opens a call never closed: it is
        // joined with the next 29 lines, and line 32 starts a statement.
        let mut text = vec!["x = 1".to_string(), "f(".to_string()];
        text.extend((0..40).map(|n| format!("a{n},")));
        let lines: Vec<(usize, &str)> = text
            .iter()
            .enumerate()
            .map(|(n, t)| (n + 1, t.as_str()))
            .collect();
        let st = statements(&lines);
        assert_eq!(st[0], (1, std::borrow::Cow::Borrowed("x = 1")));
        assert_eq!(st[1].0, 2);
        assert!(st[1].1.ends_with(" a28,"), "{}", st[1].1);
        assert_eq!(st[2], (32, std::borrow::Cow::Borrowed("a29,")));
        // A call closed on its third line is one statement of three lines.
        let lines = [(1, "f(a,"), (2, "b,"), (3, "c)"), (4, "g()")];
        let st = statements(&lines);
        assert_eq!(st.len(), 2);
        assert_eq!(st[0].1, "f(a, b, c)");
        assert_eq!(st[1], (4, std::borrow::Cow::Borrowed("g()")));
    }
}
