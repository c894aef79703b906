//! Rules over the command model. A program is named by its basename
//! (case-insensitive, `.exe` dropped, quoted and full paths, wrappers such
//! as `sudo`, `env`, `timeout`, `xargs`, `busybox APPLET`, `start`, `call`,
//! `"$(command -v X)"` looked through); a catalogue rule matches the program
//! and the shape of its arguments (switches, a sub-command, a URL with or
//! without a scheme, `user@host:path`, a UNC path, a host, a redirection).
//! Shell strings (`sh -c`, `eval`, `cmd /c`, `powershell -c`/`-enc`,
//! `kubectl … --`) are parsed again in their language; interpreter
//! one-liners (`python -c`, `perl -e`, …) are matched with that language's
//! code rules. Downloads are followed to what runs them: a pipe into a
//! shell, a substitution run by a shell, `chmod +x` or execution of the
//! downloaded file anywhere later in the file.

use std::collections::HashMap;

use crate::catalog::{Catalog, applies};
use crate::finding::Code;

use super::{Cmd, Lang, MAX_DEPTH, Script};

/// A raw rule match: rule, line, command text, whether every address it
/// named was a loopback one, and for chains the download it follows.
#[derive(Clone, Debug)]
pub struct RawHit {
    pub rule: usize,
    pub line: usize,
    pub text: String,
    pub loopback: bool,
    pub after: Option<(usize, String)>,
}

struct Download {
    line: usize,
    text: String,
    outputs: Vec<String>,
}

/// Runs the rules over one file's commands.
pub struct Engine<'c> {
    cat: &'c Catalog,
    vars: HashMap<String, String>,
    downloads: Vec<Download>,
    pub hits: Vec<RawHit>,
    budget: usize,
}

const SHELLS: &[&str] = &[
    "sh", "bash", "dash", "zsh", "ksh", "ash", "mksh", "yash", "rbash", "fish",
];
const RESERVED: &[&str] = &[
    "if", "then", "else", "elif", "do", "while", "until", "!", "{", "}", "time", "builtin",
    "noglob",
];
/// Programs that run what they are given (for pipes and downloaded files).
const RUNNERS: &[&str] = &[
    "sh",
    "bash",
    "dash",
    "zsh",
    "ksh",
    "ash",
    "mksh",
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

impl<'c> Engine<'c> {
    pub fn new(cat: &'c Catalog) -> Self {
        Engine {
            cat,
            vars: HashMap::new(),
            downloads: Vec::new(),
            hits: Vec::new(),
            budget: super::MAX_COMMANDS,
        }
    }

    /// Parse `src` in `lang` and run the rules.
    pub fn run(&mut self, lang: Lang, src: &str, first_line: usize, depth: usize) {
        if depth > MAX_DEPTH || self.budget == 0 {
            return;
        }
        let s = Script::parse(lang, src, first_line);
        self.script(lang, &s, depth);
    }

    fn script(&mut self, lang: Lang, s: &Script, depth: usize) {
        for p in &s.pipelines {
            for (k, c) in p.cmds.iter().enumerate() {
                if self.budget == 0 {
                    return;
                }
                self.budget -= 1;
                self.cmd(lang, c, &p.cmds[..k], &p.cmds[k + 1..], depth);
            }
        }
    }

    fn hit(&mut self, rule: &str, c: &Cmd, loopback: bool, after: Option<(usize, String)>) {
        if let Some(r) = self.cat.rule_index(rule) {
            self.hits.push(RawHit {
                rule: r,
                line: c.line,
                text: c.text.clone(),
                loopback,
                after,
            });
        }
    }

    fn expand(&self, w: &str) -> String {
        if !w.contains('$') && !w.contains('%') {
            return w.to_string();
        }
        let mut out = String::new();
        let b = w.as_bytes();
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            if c == b'$' || c == b'%' {
                let (name_start, braced) = if c == b'$' && b.get(i + 1) == Some(&b'{') {
                    (i + 2, true)
                } else {
                    (i + 1, false)
                };
                let mut j = name_start;
                if w[j..].to_ascii_lowercase().starts_with("env:") {
                    j += 4;
                }
                while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                    j += 1;
                }
                let name = &w[name_start..j];
                let name = name.strip_prefix("env:").unwrap_or(name);
                let value = self
                    .vars
                    .get(name)
                    .or_else(|| self.vars.get(&name.to_ascii_lowercase()));
                if let (Some(v), false) = (value, name.is_empty()) {
                    out.push_str(v);
                    i = j;
                    if braced && b.get(i) == Some(&b'}') || c == b'%' && b.get(i) == Some(&b'%') {
                        i += 1;
                    }
                    continue;
                }
            }
            let ch = w[i..].chars().next().unwrap_or(' ');
            out.push(ch);
            i += ch.len_utf8();
        }
        out
    }

    fn cmd(&mut self, lang: Lang, c: &Cmd, upstream: &[Cmd], downstream: &[Cmd], depth: usize) {
        for (k, v) in &c.assigns {
            let v = self.expand(v);
            self.vars.insert(k.clone(), v.clone());
            self.vars.insert(k.to_ascii_lowercase(), v);
        }
        let downloads_before = self.downloads.len();
        for s in &c.subs {
            self.script(Lang::Sh, s, depth + 1);
        }
        let sub_download = self.downloads.len() > downloads_before;
        let own_start = self.downloads.len();
        let argv: Vec<String> = c.argv.iter().map(|w| self.expand(w)).collect();
        let unwrapped = unwrap(lang, &argv);
        if !argv.is_empty() && !unwrapped.as_ref().is_some_and(|(p, _)| is_mention(p)) {
            let rules = self.cat.text_rules(&c.text, lang_name(lang));
            for r in rules {
                let lb = all_loopback(&c.text);
                self.hits.push(RawHit {
                    rule: r,
                    line: c.line,
                    text: c.text.clone(),
                    loopback: lb,
                    after: None,
                });
                self.note_download(r, c, &argv);
            }
        }
        let Some((prog, at)) = unwrapped else {
            return;
        };
        // `export NAME=value`, `local`, `declare`, `set` in sh.
        if matches!(
            prog.as_str(),
            "export" | "local" | "declare" | "readonly" | "typeset"
        ) {
            for a in &argv[at + 1..] {
                if let Some((k, v)) = a.split_once('=') {
                    self.vars.insert(k.to_string(), v.to_string());
                }
            }
            return;
        }
        let mut rest = argv[at + 1..].to_vec();
        // `… | xargs curl`: the arguments come from upstream.
        if at > 0 && argv.iter().take(at).any(|a| prog_name(a) == "xargs") {
            for u in upstream {
                rest.extend(u.argv.iter().skip(1).filter(|a| a.contains("://")).cloned());
            }
        }
        let rest = &rest[..];
        self.nested(lang, &prog, rest, c, depth);
        // Code written to a file by a here-doc (`cat > x.py <<EOF`).
        if let Some(body) = &c.heredoc
            && c.redirs
                .iter()
                .any(|r| r.op.starts_with('>') && !is_null(&r.target))
        {
            for l in body.lines() {
                if (l.contains("://") && l.contains('(')) || l.contains("dav_methods") {
                    for r in self
                        .cat
                        .text_rules(l, "arg")
                        .into_iter()
                        .chain(self.cat.text_rules(l, "sh"))
                    {
                        self.hits.push(RawHit {
                            rule: r,
                            line: c.line,
                            text: c.text.clone(),
                            loopback: all_loopback(l),
                            after: None,
                        });
                    }
                }
            }
        }
        let starts_with_sub = argv
            .get(at)
            .is_some_and(|a| a.starts_with("$(") || a.starts_with('`'));
        // Rules on the program and its arguments.
        let mut is_download = false;
        let mut loopback_download = false;
        for r in self.cat.rules_for_program(&prog) {
            let rule = &self.cat.rules[r];
            if !applies(&rule.lang, lang_name(lang)) {
                continue;
            }
            if let Some(lb) = arg_rule_matches(rule, rest, c) {
                self.hits.push(RawHit {
                    rule: r,
                    line: c.line,
                    text: c.text.clone(),
                    loopback: lb,
                    after: None,
                });
                if self.cat.rule_codes[r] != Code::DownloadExecChain {
                    is_download = true;
                    loopback_download |= lb;
                    self.note_download(r, c, &argv);
                }
            }
        }
        // Code in any argument (gdb -ex 'python …', vim -c, jrunscript -e).
        for a in rest {
            if a.contains("://") && a.contains('(') {
                for r in self.cat.text_rules(a, "arg") {
                    self.hits.push(RawHit {
                        rule: r,
                        line: c.line,
                        text: c.text.clone(),
                        loopback: all_loopback(a),
                        after: None,
                    });
                    is_download = true;
                    self.note_download(r, c, &argv);
                }
            }
        }
        // Download piped into something that runs it.
        if is_download && !loopback_download {
            if let Some(d) = downstream
                .iter()
                .find(|d| unwrap(lang, &d.argv).is_some_and(|(p, _)| RUNNERS.contains(&p.as_str())))
            {
                let after = (d.line != c.line).then(|| (c.line, c.text.clone()));
                let joined = Cmd {
                    line: d.line,
                    text: format!("{} | {}", c.text, d.text),
                    ..Default::default()
                };
                self.hit("download-pipe-run", &joined, false, after);
            }
            return;
        }
        // A substitution holding a download, run by a shell.
        if sub_download && (RUNNERS.contains(&prog.as_str()) || starts_with_sub) {
            let d = &self.downloads[downloads_before];
            let after = Some((d.line, d.text.clone()));
            self.hit("download-substitution-run", c, false, after);
            return;
        }
        // Later in the file: chmod +x, or running the downloaded file.
        if own_start == 0 || self.downloads.len() > own_start {
            return;
        }
        let runs = if prog == "chmod" {
            // Made executable: the downloaded file itself.
            rest.iter().any(|a| is_exec_mode(a))
                && rest.iter().any(|a| {
                    let b = basename(a);
                    self.downloads[..own_start]
                        .iter()
                        .any(|d| d.outputs.contains(&b))
                })
        } else if matches!(prog.as_str(), "iex" | "invoke-expression") {
            true
        } else {
            let own = argv.get(at).map(|a| basename(a)).unwrap_or_default();
            let target = if RUNNERS.contains(&prog.as_str()) {
                rest.iter()
                    .find(|a| !a.starts_with('-') && !a.starts_with('/') || a.contains('/'))
                    .map(|a| basename(a))
            } else {
                None
            };
            let explicit_path = argv
                .get(at)
                .is_some_and(|a| a.contains('/') || a.contains('\\'));
            self.downloads[..own_start].iter().any(|d| {
                (explicit_path && d.outputs.contains(&own))
                    || target.as_ref().is_some_and(|t| d.outputs.contains(t))
            })
        };
        if runs {
            let d = &self.downloads[own_start - 1];
            let after = Some((d.line, d.text.clone()));
            self.hit("download-then-run", c, false, after);
        }
    }

    fn note_download(&mut self, rule: usize, c: &Cmd, argv: &[String]) {
        if self.cat.rules[rule].role.as_deref() == Some("exec") {
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

    /// Shell strings, interpreter one-liners, launchers with `--`, here-docs.
    fn nested(&mut self, lang: Lang, prog: &str, rest: &[String], c: &Cmd, depth: usize) {
        let d = depth + 1;
        let is_shell = SHELLS.contains(&prog);
        if is_shell || matches!(prog, "su" | "runuser") {
            if let Some(i) = rest.iter().position(|a| is_dash_c(a)) {
                if let Some(s) = rest.get(i + 1) {
                    self.run(Lang::Sh, s, c.line, d);
                }
            } else if let Some(body) = &c.heredoc
                && is_shell
            {
                self.run(Lang::Sh, body, c.line + 1, d);
            }
        }
        match prog {
            "eval" => self.run(Lang::Sh, &rest.join(" "), c.line, d),
            "cmd" => {
                if let Some(i) = rest.iter().position(|a| {
                    let l = a.to_ascii_lowercase();
                    l.starts_with("/c") || l.starts_with("/k") || l.starts_with("/r")
                }) {
                    let first = rest[i][2..].trim_start_matches(['"', ' ']);
                    let mut s = first.to_string();
                    for a in &rest[i + 1..] {
                        s.push(' ');
                        s.push_str(a);
                    }
                    self.run(Lang::Batch, &s, c.line, d);
                }
            }
            "powershell" | "pwsh" | "powershell_ise" => {
                let joined = if lang == Lang::Batch {
                    rest.join(" ")
                } else {
                    rest.iter()
                        .map(|a| {
                            if a.contains(' ') {
                                format!("\"{a}\"")
                            } else {
                                a.clone()
                            }
                        })
                        .collect::<Vec<_>>()
                        .join(" ")
                };
                if let Some(code) = powershell_command(&joined) {
                    self.run(Lang::PowerShell, &code, c.line, d);
                }
            }
            "kubectl" | "oc" | "docker" | "podman" | "nerdctl" | "crictl" | "nsenter"
            | "unshare" | "chroot" | "toolbox" | "distrobox" | "flatpak-spawn" | "systemd-run"
            | "ssh" => {
                if let Some(i) = rest.iter().position(|a| a == "--") {
                    let tail = &rest[i + 1..];
                    if !tail.is_empty() {
                        let sub = Cmd {
                            argv: tail.to_vec(),
                            line: c.line,
                            text: c.text.clone(),
                            redirs: c.redirs.clone(),
                            ..Default::default()
                        };
                        self.cmd(lang, &sub, &[], &[], d);
                    }
                }
            }
            _ => {}
        }
        // `docker run IMAGE sh -c "…"`, `flock f sh -c`, …: a shell with -c anywhere.
        if !is_shell
            && let Some(i) = rest
                .windows(2)
                .position(|w| SHELLS.contains(&prog_name(&w[0]).as_str()) && is_dash_c(&w[1]))
            && let Some(s) = rest.get(i + 2)
        {
            self.run(Lang::Sh, s, c.line, d);
        }
        // Interpreter one-liners and here-docs fed to interpreters.
        if let Some((code_lang, flags)) = interpreter(prog) {
            let mut code = String::new();
            let mut i = 0;
            while i < rest.len() {
                let a = &rest[i];
                if flags.contains(&a.as_str()) {
                    if let Some(v) = rest.get(i + 1) {
                        code.push_str(v);
                        code.push('\n');
                    }
                    i += 2;
                    continue;
                }
                if (a.starts_with("-M") || a.starts_with("-r")) && a.len() > 2 {
                    // perl -MLWP::Simple, ruby -ropen-uri
                    code.push_str(&format!("use {};\nrequire '{}'\n", &a[2..], &a[2..]));
                }
                i += 1;
            }
            if let Some(body) = &c.heredoc {
                code.push_str(body);
            }
            if !code.is_empty() && code.len() < (1 << 20) {
                let before = self.hits.len();
                for r in self
                    .cat
                    .text_rules(&code, code_lang)
                    .into_iter()
                    .chain(self.cat.text_rules(&code, "arg"))
                {
                    if self.cat.rules[r].role.as_deref() == Some("exec") {
                        continue;
                    }
                    self.hits.push(RawHit {
                        rule: r,
                        line: c.line,
                        text: c.text.clone(),
                        loopback: all_loopback(&code),
                        after: None,
                    });
                    self.note_download(r, c, &[]);
                }
                let _ = before;
            }
        }
    }
}

/// The PowerShell code of a powershell.exe command line: `-EncodedCommand`
/// decoded (base64 of UTF-16LE), else the text after `-Command` or after
/// the options.
pub fn powershell_command(args: &str) -> Option<String> {
    let words: Vec<&str> = args.split_whitespace().collect();
    let mut i = 0;
    while i < words.len() {
        let w = words[i].trim_matches('"');
        let l = w.to_ascii_lowercase();
        let opt = l.trim_start_matches(['-', '/']);
        if !(l.starts_with('-') || l.starts_with('/')) {
            break;
        }
        if opt == "e" || opt == "ec" || (opt.len() >= 2 && "encodedcommand".starts_with(opt)) {
            return words
                .get(i + 1)
                .and_then(|b| decode_utf16_base64(b.trim_matches(['"', '\''])));
        }
        if opt == "c" || (opt.len() >= 2 && "command".starts_with(opt)) {
            return Some(words[i + 1..].join(" ").trim_matches('"').to_string());
        }
        let takes_value = [
            "w",
            "windowstyle",
            "ep",
            "ex",
            "exec",
            "executionpolicy",
            "version",
            "v",
            "inputformat",
            "outputformat",
            "configurationname",
            "wd",
            "workingdirectory",
            "f",
            "file",
        ];
        if takes_value
            .iter()
            .any(|t| opt == *t || (opt.len() >= 3 && t.starts_with(opt)))
        {
            if opt == "f" || "file".starts_with(opt) && opt.len() >= 2 {
                return None;
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    let rest = words.get(i..).unwrap_or_default().join(" ");
    (!rest.is_empty()).then(|| rest.trim_matches('"').to_string())
}

fn decode_utf16_base64(s: &str) -> Option<String> {
    let mut bits = 0u32;
    let mut n = 0;
    let mut bytes = Vec::new();
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            _ => return None,
        };
        bits = (bits << 6) | v as u32;
        n += 6;
        if n >= 8 {
            n -= 8;
            bytes.push((bits >> n) as u8);
            bits &= (1 << n) - 1;
        }
    }
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|p| u16::from_le_bytes([p[0], p[1]]))
        .collect();
    Some(String::from_utf16_lossy(&units))
}

fn is_dash_c(a: &str) -> bool {
    a == "-c"
        || a.len() <= 5
            && a.starts_with('-')
            && !a.starts_with("--")
            && a.ends_with('c')
            && a[1..].bytes().all(|b| b.is_ascii_lowercase())
}

fn is_mention(prog: &str) -> bool {
    matches!(
        prog,
        "write-host"
            | "write-output"
            | "echo"
            | "write-verbose"
            | "write-warning"
            | "write-error"
            | "write-debug"
            | "write-information"
            | "throw"
            | "printf"
    )
}

/// (language, flags that take code) of an interpreter.
fn interpreter(prog: &str) -> Option<(&'static str, &'static [&'static str])> {
    let p = prog.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    Some(match p {
        "python" | "pypy" => ("python", &["-c"]),
        "perl" => ("perl", &["-e", "-E"]),
        "ruby" | "jruby" => ("ruby", &["-e"]),
        "node" | "nodejs" | "deno" | "bun" => ("js", &["-e", "--eval", "-p", "--print", "eval"]),
        "php" => ("php", &["-r"]),
        "lua" | "luajit" | "texlua" => ("code", &["-e"]),
        "julia" | "jrunscript" | "rscript" | "osascript" => ("code", &["-e"]),
        "jjs" | "tclsh" | "wish" => ("code", &["-e"]),
        "gdb" => ("python", &["-ex", "--eval-command"]),
        "vim" | "vi" | "nvim" | "ex" | "view" => ("python", &["-c", "--cmd"]),
        _ => return None,
    })
}

fn lang_name(l: Lang) -> &'static str {
    match l {
        Lang::Sh => "sh",
        Lang::Batch => "batch",
        Lang::PowerShell => "powershell",
    }
}

/// The basename of a program word, lowercased, `.exe` dropped.
pub fn prog_name(w: &str) -> String {
    let mut w = w.trim_matches(['"', '\'']);
    for (open, close) in [
        ("$(command -v ", ")"),
        ("$(which ", ")"),
        ("`which ", "`"),
        ("`command -v ", "`"),
        ("$(type -p ", ")"),
    ] {
        if let Some(x) = w.strip_prefix(open).and_then(|x| x.strip_suffix(close)) {
            w = x.trim();
        }
    }
    let base = w
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    base.strip_suffix(".exe")
        .map(str::to_string)
        .unwrap_or(base)
}

fn basename(w: &str) -> String {
    let w = w.trim_matches(['"', '\'']);
    let w = w.split(['?', '#']).next().unwrap_or_default();
    w.trim_end_matches(['/', '\\'])
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// The program a command runs and its index in argv, looking through
/// wrappers and reserved words. `None` when nothing runs (`command -v X`).
pub fn unwrap(lang: Lang, argv: &[String]) -> Option<(String, usize)> {
    let mut i = 0;
    for _ in 0..16 {
        let w = argv.get(i)?;
        let p = prog_name(w);
        if RESERVED.contains(&p.as_str()) || w.is_empty() || w == "&" || w == "-" {
            i += 1;
            continue;
        }
        let skip_opts = |mut j: usize, with_value: &[&str]| -> usize {
            while let Some(a) = argv.get(j) {
                if a == "--" {
                    return j + 1;
                }
                if !a.starts_with('-') || a == "-" {
                    break;
                }
                j += if with_value.contains(&a.as_str()) {
                    2
                } else {
                    1
                };
            }
            j
        };
        match p.as_str() {
            "sudo" | "doas" => {
                i = skip_opts(
                    i + 1,
                    &["-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-T", "-U"],
                )
            }
            "env" => {
                i = skip_opts(i + 1, &["-u", "-C", "-S", "--unset", "--chdir"]);
                while argv
                    .get(i)
                    .is_some_and(|a| a.contains('=') && !a.starts_with('-'))
                {
                    i += 1;
                }
            }
            "exec" => i = skip_opts(i + 1, &["-a"]),
            "timeout" => i = skip_opts(i + 1, &["-s", "-k", "--signal", "--kill-after"]) + 1,
            "nohup" | "setsid" | "stdbuf" | "unbuffer" | "torsocks" | "proxychains"
            | "proxychains4" | "fakeroot" | "catchsegv" => i = skip_opts(i + 1, &["-f"]),
            "nice" | "ionice" | "chrt" | "taskset" => {
                i = skip_opts(i + 1, &["-n", "-c", "-p"]);
                while argv
                    .get(i)
                    .is_some_and(|a| a.parse::<i64>().is_ok() || a.starts_with("0x"))
                {
                    i += 1;
                }
            }
            "xargs" => {
                i = skip_opts(
                    i + 1,
                    &["-I", "-n", "-P", "-d", "-L", "-s", "-E", "-a", "-i"],
                )
            }
            "watch" => i = skip_opts(i + 1, &["-n", "-d"]),
            "flock" => i = skip_opts(i + 1, &["-w", "-E"]) + 1,
            "busybox" | "toybox" => i += 1,
            "wsl" | "bash.exe" => {
                i = skip_opts(i + 1, &["-d", "-u", "--distribution", "--user", "--cd"]);
                if argv.get(i).is_some_and(|a| a == "-e" || a == "--exec") {
                    i += 1;
                }
            }
            "command" => {
                if argv.get(i + 1).is_some_and(|a| a == "-v" || a == "-V") {
                    return None;
                }
                i = skip_opts(i + 1, &[]);
            }
            "call" if lang != Lang::Sh => {
                if argv.get(i + 1).is_some_and(|a| a.starts_with(':')) {
                    return None;
                }
                i += 1;
            }
            "start" if lang == Lang::Batch => {
                i += 1;
                while argv
                    .get(i)
                    .is_some_and(|a| a.is_empty() || a.starts_with('/'))
                {
                    if argv[i].eq_ignore_ascii_case("/d") {
                        i += 1;
                    }
                    i += 1;
                }
            }
            "." if lang == Lang::PowerShell => i += 1,
            _ => return Some((p, i)),
        }
    }
    None
}

/// Does `a` name an executable mode (`+x`, `755`, `u+rwx`)?
fn is_exec_mode(a: &str) -> bool {
    if a.starts_with('-') {
        return false;
    }
    if a.bytes().all(|b| (b'0'..=b'7').contains(&b)) && (3..=4).contains(&a.len()) {
        return a.bytes().rev().take(3).any(|b| (b - b'0') & 1 == 1);
    }
    a.split(',').any(|p| {
        let p = p.trim_start_matches(['u', 'g', 'o', 'a']);
        (p.starts_with('+') || p.starts_with('=')) && p.contains('x')
    })
}

/// Whether a rule's argument conditions hold; `Some(loopback)` when they do.
fn arg_rule_matches(rule: &crate::catalog::Rule, rest: &[String], c: &Cmd) -> Option<bool> {
    let opts = |a: &str| a.trim_start_matches(['-', '/']).to_ascii_lowercase();
    if !rule.switches.is_empty()
        && !rest.iter().any(|a| {
            (a.starts_with('-') || a.starts_with('/')) && {
                let o = opts(a);
                rule.switches.iter().any(|s| {
                    let s = opts(s);
                    o == s
                        || o.strip_prefix(s.as_str()).is_some_and(|r| {
                            r.starts_with([':', '='])
                                || s.len() >= 4 && !r.is_empty() && s.ends_with(':')
                        })
                })
            }
        })
    {
        return None;
    }
    if !rule.subcommands.is_empty() {
        let first = rest.iter().find(|a| !a.starts_with('-'))?;
        if !rule
            .subcommands
            .iter()
            .any(|s| s.eq_ignore_ascii_case(first))
        {
            return None;
        }
    }
    if let Some(r) = &rule.redirect {
        let ok = c.redirs.iter().any(|x| match r.as_str() {
            "out" => x.op.starts_with('>') && !is_null(&x.target),
            "in" => x.op == "<",
            "tcp" => x.target.starts_with("/dev/tcp/") || x.target.starts_with("/dev/udp/"),
            _ => !is_null(&x.target) && !x.op.starts_with("<<"),
        });
        if !ok {
            return None;
        }
    }
    let Some(t) = &rule.target else {
        return Some(false);
    };
    let mut hosts: Vec<String> = Vec::new();
    let check = |a: &str, hosts: &mut Vec<String>| {
        let h = match t.as_str() {
            "url" => url_host(a).or_else(|| schemeless_host(a)),
            "scheme-url" => url_host(a),
            "remote" => url_host(a).or_else(|| remote_host(a)),
            "unc" => unc_host(a),
            "host" => url_host(a)
                .or_else(|| remote_host(a))
                .or_else(|| schemeless_host(a))
                .or_else(|| bare_host(a))
                .or_else(|| {
                    // socat-style addresses: TCP:host:port, tcp-connect:host:port
                    a.split([':', ','])
                        .skip(1)
                        .find(|p| is_ipv4(p) || is_domain(p))
                        .map(str::to_ascii_lowercase)
                }),
            _ => None,
        };
        if let Some(h) = h {
            hosts.push(h);
        }
    };
    for a in rest {
        check(a, &mut hosts);
    }
    if t == "unc" {
        for r in &c.redirs {
            check(&r.target, &mut hosts);
        }
    }
    if hosts.is_empty() {
        return None;
    }
    Some(hosts.iter().all(|h| is_loopback(h)))
}

fn is_null(t: &str) -> bool {
    t == "/dev/null" || t.eq_ignore_ascii_case("nul") || t.starts_with('&') || t == "$null"
}

const SCHEMES: &[&str] = &[
    "http",
    "https",
    "ftp",
    "ftps",
    "tftp",
    "sftp",
    "scp",
    "smb",
    "dict",
    "gopher",
    "telnet",
    "rsync",
    "ws",
    "wss",
    "ldap",
    "rest:http",
    "rest:https",
    "s3",
];

/// Host of the first `scheme://` URL in `a`.
pub fn url_host(a: &str) -> Option<String> {
    let mut from = 0;
    while let Some(n) = a[from..].find("://") {
        let at = from + n;
        let scheme: String = a[..at]
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == ':')
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<String>()
            .to_ascii_lowercase();
        let scheme = scheme.rsplit(':').next().unwrap_or_default().to_string();
        if SCHEMES.iter().any(|s| scheme.ends_with(s)) {
            let rest = &a[at + 3..];
            let auth = rest
                .split(['/', '?', '#', '"', '\'', ' ', ')', ','])
                .next()
                .unwrap_or_default();
            let host = auth.rsplit('@').next().unwrap_or_default();
            let host = strip_port(host);
            if !host.is_empty() {
                return Some(host.to_ascii_lowercase());
            }
        }
        from = at + 3;
    }
    None
}

fn strip_port(h: &str) -> &str {
    if let Some(x) = h.strip_prefix('[') {
        return x.split(']').next().unwrap_or_default();
    }
    match h.rsplit_once(':') {
        Some((a, p)) if p.bytes().all(|b| b.is_ascii_digit()) && !a.contains(':') => a,
        _ => h,
    }
}

fn is_ipv4(h: &str) -> bool {
    let parts: Vec<&str> = h.split('.').collect();
    parts.len() == 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()))
}

fn is_domain(h: &str) -> bool {
    let labels: Vec<&str> = h.split('.').collect();
    labels.len() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        && labels
            .last()
            .is_some_and(|t| t.len() >= 2 && t.bytes().all(|b| b.is_ascii_alphabetic()))
}

/// `198.51.100.7/x`, `host.example:8080/p`, `example.com/file`, `10.0.0.1`.
fn schemeless_host(a: &str) -> Option<String> {
    if a.starts_with(['-', '/', '.', '$', '~', '@', '\\']) || a.contains("://") {
        return None;
    }
    let (auth, path) = match a.split_once('/') {
        Some((h, p)) => (h, Some(p)),
        None => (a, None),
    };
    let (host, port) = match auth.rsplit_once(':') {
        Some((h, p)) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => (h, true),
        Some(_) => return None,
        None => (auth, false),
    };
    let ok = if is_ipv4(host) {
        true
    } else {
        (is_domain(host) && (path.is_some() || port))
            || (port
                && path.is_some()
                && !host.is_empty()
                && host
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.'))
    };
    ok.then(|| host.to_ascii_lowercase())
}

/// `user@host:path`, `host:path` (host dotted or an address), `host::module`.
fn remote_host(a: &str) -> Option<String> {
    if a.starts_with(['-', '/', '.', '$', '~', '\\']) || a.contains("://") {
        return None;
    }
    let (auth, _path) = a.split_once(':')?;
    let (user, host) = match auth.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, auth),
    };
    if host.len() < 2
        || !host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_')
    {
        return None;
    }
    (user.is_some() || is_ipv4(host) || is_domain(host)).then(|| host.to_ascii_lowercase())
}

/// `\\host\share…` or `//host/share…`.
fn unc_host(a: &str) -> Option<String> {
    let rest = a.strip_prefix("\\\\").or_else(|| a.strip_prefix("//"))?;
    let host = rest.split(['\\', '/']).next().unwrap_or_default();
    let has_share = rest.len() > host.len() + 1;
    (has_share
        && !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_' || b == b'$'))
    .then(|| host.to_ascii_lowercase())
}

/// A host name or address on its own, or `user@host`.
fn bare_host(a: &str) -> Option<String> {
    let h = a.rsplit('@').next().unwrap_or_default();
    let h = strip_port(h);
    (is_ipv4(h)
        || is_domain(h)
        || a.contains('@')
            && h.len() > 1
            && h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-'))
    .then(|| h.to_ascii_lowercase())
}

/// Loopback names and addresses: health checks, not transfers.
pub fn is_loopback(h: &str) -> bool {
    let h = h.trim_matches(['[', ']']);
    h == "localhost"
        || h.ends_with(".localhost")
        || h == "::1"
        || h == "0.0.0.0"
        || h == "ip6-localhost"
        || h.starts_with("127.") && is_ipv4(h)
}

/// True when `text` names URLs and all of them are loopback.
pub fn all_loopback(text: &str) -> bool {
    let mut any = false;
    let mut from = 0;
    while let Some(n) = text[from..].find("://") {
        let at = from + n;
        let start = text[..at]
            .rfind(|c: char| !c.is_ascii_alphanumeric())
            .map(|i| i + 1)
            .unwrap_or(0);
        if let Some(h) = url_host(&text[start..]) {
            any = true;
            if !is_loopback(&h) {
                return false;
            }
        }
        from = at + 3;
    }
    any
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn wrappers_are_looked_through() {
        let cases: &[(&[&str], &str)] = &[
            (&["sudo", "-u", "root", "-E", "curl", "x"], "curl"),
            (&["env", "A=1", "timeout", "30", "wget"], "wget"),
            (&["nohup", "nice", "-n", "5", "/usr/bin/curl"], "curl"),
            (&["busybox", "tftp"], "tftp"),
            (&["$(command -v curl)", "-o"], "curl"),
            (&["C:\\Windows\\System32\\curl.exe"], "curl"),
            (&["xargs", "-n1", "curl"], "curl"),
            (&["if", "!", "wget"], "wget"),
        ];
        for (argv, want) in cases {
            assert_eq!(unwrap(Lang::Sh, &v(argv)).unwrap().0, *want, "{argv:?}");
        }
        assert_eq!(unwrap(Lang::Sh, &v(&["command", "-v", "curl"])), None);
        assert_eq!(
            unwrap(Lang::Batch, &v(&["start", "", "/b", "mshta.exe", "x"]))
                .unwrap()
                .0,
            "mshta"
        );
    }

    #[test]
    fn address_shapes() {
        assert_eq!(
            url_host("http://u:p@Example.COM:80/x").as_deref(),
            Some("example.com")
        );
        assert_eq!(
            url_host("/uri:https://h.example/x").as_deref(),
            Some("h.example")
        );
        assert_eq!(
            url_host("rest:http://10.1.1.1:8000/r").as_deref(),
            Some("10.1.1.1")
        );
        assert_eq!(
            schemeless_host("198.51.100.7/x86").as_deref(),
            Some("198.51.100.7")
        );
        assert_eq!(
            schemeless_host("files.example.com:8080/p").as_deref(),
            Some("files.example.com")
        );
        assert_eq!(schemeless_host("out.html"), None);
        assert_eq!(schemeless_host("/tmp/x"), None);
        assert_eq!(
            remote_host("ops@10.0.0.5:/etc").as_deref(),
            Some("10.0.0.5")
        );
        assert_eq!(remote_host("C:\\x"), None);
        assert_eq!(unc_host("\\\\srv\\share\\x").as_deref(), Some("srv"));
        assert!(is_loopback("127.0.0.1") && is_loopback("[::1]") && is_loopback("localhost"));
        assert!(!is_loopback("127.example.com"));
        assert!(all_loopback(
            "curl http://localhost:8080/h && curl http://127.0.0.1/"
        ));
        assert!(!all_loopback("curl http://localhost/ http://x.example/"));
    }

    #[test]
    fn encoded_powershell() {
        // "iwr http://h/x" in UTF-16LE, base64.
        let code =
            powershell_command("-NoP -enc aQB3AHIAIABoAHQAdABwADoALwAvAGgALwB4AA==").unwrap();
        assert_eq!(code, "iwr http://h/x");
        assert_eq!(powershell_command("-c \"iwr x\"").unwrap(), "iwr x");
        assert_eq!(
            powershell_command("-ep bypass -w hidden iwr x").unwrap(),
            "iwr x"
        );
        assert_eq!(powershell_command("-File x.ps1"), None);
    }

    #[test]
    fn exec_modes() {
        for m in ["+x", "u+x", "755", "0700", "a+rwx", "777"] {
            assert!(is_exec_mode(m), "{m}");
        }
        for m in ["644", "-R", "go-w", "600"] {
            assert!(!is_exec_mode(m), "{m}");
        }
    }
}
