//! Strings that are code again, parsed in their own language: `sh -c`,
//! `su -c`, here-docs fed to a shell, `eval`, `cmd /c`, `powershell
//! -Command`/`-EncodedCommand`, PowerShell `iex STRING` and
//! `[scriptblock]::Create(…)`, `schtasks /tr "…"`, launchers with `--` (`kubectl run … --`,
//! `docker exec`), a shell with `-c` anywhere in the arguments, and
//! interpreter one-liners (`python -c`, `perl -e`, …, `-M`/`-r` modules)
//! scanned as code of their language.

use crate::catalog::lang::SHELLS;
use crate::catalog::{Role, RuleLang};

use super::Lang;
use super::addr::all_loopback;
use super::program::{interpreter, is_dash_c, powershell_command, prog_name};
use super::rules::{Engine, Step};
use super::shape::INPUT;
use super::{Cmd, code};

/// Programs that run the words after `--` as a command.
const LAUNCHERS: &[&str] = &[
    "kubectl",
    "oc",
    "docker",
    "podman",
    "nerdctl",
    "crictl",
    "nsenter",
    "unshare",
    "chroot",
    "toolbox",
    "distrobox",
    "flatpak-spawn",
    "systemd-run",
    "ssh",
];

/// Programs whose later words are data (names, packages, patterns, text),
/// not a command they run.
const NOT_WRAPPERS: &[&str] = &[
    "apt-get",
    "apt",
    "apk",
    "yum",
    "dnf",
    "zypper",
    "pacman",
    "brew",
    "pip",
    "pip3",
    "npm",
    "yarn",
    "pnpm",
    "gem",
    "cargo",
    "go",
    "dpkg",
    "rpm",
    "which",
    "whereis",
    "type",
    "hash",
    "grep",
    "egrep",
    "fgrep",
    "rg",
    "sed",
    "git",
    "complete",
    "alias",
    "unalias",
    "unset",
    "test",
    "[",
    "[[",
    "case",
    "for",
    "select",
    "function",
    "logger",
    "notify-send",
    "update-alternatives",
    "ln",
    "cp",
    "mv",
    "rm",
    "chmod",
    "chown",
    "install",
    "touch",
    "mkdir",
    "cat",
    "ls",
    "read",
    "getent",
    "id",
    "kill",
    "pkill",
    "pgrep",
    "killall",
    "cut",
    "tr",
    "sort",
    "uniq",
    "head",
    "tail",
    "wc",
    "tee",
    "printf",
    "echo",
    "set",
    "setx",
    "rem",
    "goto",
    "title",
    "write-host",
    "write-output",
    "new-item",
    "set-content",
    "add-content",
];

impl Engine<'_> {
    /// A program the rules do not know, followed by one they do with its
    /// arguments (`gosu app curl …`, `firejail curl …`, `ld.so curl …`,
    /// `retry -t 3 -- wget …`): a wrapper the catalogue does not name, so
    /// the words from that program on are run as a command.
    pub(super) fn unknown_wrapper(&mut self, s: &Step) {
        if s.depth >= super::MAX_DEPTH
            || NOT_WRAPPERS.contains(&s.prog.as_str())
            || super::program::is_mention(&s.prog)
            || super::rules::is_runner(&s.prog)
            || !self.cat.rules_for_program(&s.prog).is_empty()
        {
            return;
        }
        let rest = s.rest();
        let known = |a: &String| {
            !a.starts_with('-') && !self.cat.rules_for_program(&prog_name(a)).is_empty()
        };
        let Some(k) = rest.iter().take(12).position(known) else {
            return;
        };
        if k + 1 >= rest.len() {
            return;
        }
        let sub = Cmd {
            argv: rest[k..].to_vec(),
            line: s.c.line,
            text: s.c.text.clone(),
            redirs: s.c.redirs.clone(),
            ..Default::default()
        };
        let script = super::Script {
            pipelines: vec![super::Pipeline { cmds: vec![sub] }],
        };
        self.script(s.lang, &script, s.depth + 1);
    }

    /// Every nested language a command carries.
    pub(super) fn nested(&mut self, s: &Step) {
        self.shell_strings(s);
        match s.prog.as_str() {
            "eval" => self.deeper(s, Lang::Sh, &s.rest().join(" ")),
            // alias NAME='COMMAND', trap 'COMMAND' SIGNAL: code that runs later
            "alias" if s.lang == Lang::Sh => {
                for a in s.rest() {
                    if let Some((_, body)) = a.split_once('=') {
                        self.deeper(s, Lang::Sh, body);
                    }
                }
            }
            "trap" if s.lang == Lang::Sh => {
                if let Some(body) = s.rest().iter().find(|a| !a.starts_with('-')) {
                    self.deeper(s, Lang::Sh, body);
                }
            }
            "echo" | "printf" if s.lang == Lang::Sh => self.written_code(s),
            // expect's `send "CMD\r"` types CMD into the spawned shell
            "send" if s.lang == Lang::Sh => {
                if let Some(body) = s.rest().iter().rfind(|a| !a.starts_with('-')) {
                    let mut body = body.as_str();
                    while let Some(b) = body.strip_suffix("\\r").or(body.strip_suffix("\\n")) {
                        body = b;
                    }
                    if body.contains(' ') {
                        self.deeper(s, Lang::Sh, body);
                    }
                }
            }
            "cmd" => self.cmd_c(s),
            "schtasks" | "at" => self.task_command(s),
            // forfiles … /c "cmd /c …"; runas /user:x "COMMAND"
            "forfiles" => self.switch_value(s, "/c"),
            "reg" => self.stored_command(s),
            "runas" => {
                if let Some(last) = s.rest().last() {
                    self.deeper(s, Lang::Batch, last);
                }
            }
            "for" if s.lang == Lang::Batch => self.batch_for(s),
            "powershell" | "pwsh" | "powershell_ise" => self.powershell(s),
            "iex" | "invoke-expression" if s.lang == Lang::PowerShell => {
                self.deeper(s, Lang::PowerShell, &s.rest().join(" "))
            }
            "invoke-cimmethod" | "invoke-wmimethod" | "icim" | "iwmi"
                if s.lang == Lang::PowerShell =>
            {
                self.wmi_create(s)
            }
            // @{ CommandLine = '…' } (Win32_Process Create arguments): `{`
            // ends a PowerShell statement, so the entry is a command here.
            "commandline"
                if s.lang == Lang::PowerShell && s.rest().first().is_some_and(|a| a == "=") =>
            {
                self.deeper(s, Lang::Batch, &s.rest()[1..].join(" "))
            }
            p if LAUNCHERS.contains(&p) => self.after_dashes(s),
            _ => {}
        }
        if s.lang == Lang::PowerShell {
            for w in &s.argv {
                let low = w.to_ascii_lowercase();
                if let Some(at) = low.find("::create(") {
                    self.deeper(s, Lang::PowerShell, &w[at + 9..]);
                }
            }
        }
        self.interpreter_code(s);
    }

    /// `Invoke-CimMethod`/`Invoke-WmiMethod` … `Win32_Process` `Create`:
    /// the command line (`-Arguments @{CommandLine='…'}`, `-ArgumentList
    /// '…'`) is a Windows command line of its own.
    fn wmi_create(&mut self, s: &Step) {
        let rest = s.rest();
        let low: Vec<String> = rest.iter().map(|a| a.to_ascii_lowercase()).collect();
        if !low.iter().any(|a| a.contains("win32_process")) || !low.iter().any(|a| a == "create") {
            return;
        }
        for w in rest.iter().filter(|a| a.contains(' ')) {
            let line = match w.to_ascii_lowercase().find("commandline") {
                Some(at) => w[at + 11..].trim_start().trim_start_matches('='),
                None => w.as_str(),
            };
            let line = line.trim_matches(|c: char| c.is_whitespace() || "'\"{}@;".contains(c));
            self.deeper(s, Lang::Batch, line);
        }
    }

    /// `sh -c STRING`, `su -c`, a here-doc fed to a shell, and a shell with
    /// `-c` anywhere in another program's arguments (`docker run IMAGE sh -c`).
    fn shell_strings(&mut self, s: &Step) {
        let rest = s.rest();
        let is_shell = SHELLS.contains(&s.prog.as_str());
        let runs_c = matches!(
            s.prog.as_str(),
            "su" | "runuser" | "flock" | "script" | "sg"
        );
        if is_shell || runs_c {
            if let Some(i) = rest.iter().position(|a| is_dash_c(a) || a == "--command") {
                if let Some(code) = rest.get(i + 1) {
                    self.deeper(s, Lang::Sh, code);
                }
            } else if let Some(body) = &s.c.heredoc
                && is_shell
            {
                self.run(Lang::Sh, body, s.c.line + 1, s.depth + 1);
            }
            return;
        }
        if let Some(i) = rest
            .windows(2)
            .position(|w| SHELLS.contains(&prog_name(&w[0]).as_str()) && is_dash_c(&w[1]))
            && let Some(code) = rest.get(i + 2)
        {
            self.deeper(s, Lang::Sh, code);
        }
    }

    /// Text `echo`/`printf` hand to something that runs it: piped into a
    /// shell, `at` or `crontab -`, or written to a cron file or a shell
    /// profile (`echo "*/5 * * * * curl … | sh" | crontab -`).
    fn written_code(&mut self, s: &Step) {
        let Some(sink) = &s.sink else {
            return;
        };
        let text = if s.prog == "printf" {
            super::decode::ansi_c(&s.rest().first().cloned().unwrap_or_default())
        } else {
            s.rest()
                .iter()
                .filter(|a| !(a.starts_with('-') && a.len() <= 3))
                .cloned()
                .collect::<Vec<_>>()
                .join(" ")
        };
        if !text.contains(' ') {
            return;
        }
        let cron = sink.contains("cron");
        if cron {
            let cat = self.cat;
            let is_program = |w: &str| !cat.rules_for_program(w).is_empty();
            for seg in super::carrier::cron(&text, false, &is_program) {
                self.deeper(s, seg.lang, &seg.text);
            }
        } else {
            self.deeper(s, Lang::Sh, &text);
        }
    }

    /// `cmd /c …`, `/k`, `/r`: the rest of the line is batch.
    fn cmd_c(&mut self, s: &Step) {
        let rest = s.rest();
        let Some(i) = rest.iter().position(|a| {
            let l = a.to_ascii_lowercase();
            l.starts_with("/c") || l.starts_with("/k") || l.starts_with("/r")
        }) else {
            return;
        };
        if let Some(code) = cmd_quoted_rest(s) {
            self.deeper(s, Lang::Batch, &code);
            return;
        }
        let mut code = rest[i][2..].trim_start_matches(['"', ' ']).to_string();
        for a in &rest[i + 1..] {
            code.push(' ');
            code.push_str(a);
        }
        self.deeper(s, Lang::Batch, &code);
    }

    /// The batch command a switch's value holds (`forfiles /c "…"`).
    fn switch_value(&mut self, s: &Step, switch: &str) {
        let rest = s.rest();
        if let Some(i) = rest.iter().position(|a| a.eq_ignore_ascii_case(switch))
            && let Some(code) = rest.get(i + 1)
        {
            self.deeper(s, Lang::Batch, code);
        }
    }

    /// `reg add KEY … /d "COMMAND"` where KEY is one Windows runs commands
    /// from later (Run/RunOnce, Winlogon, a shell open verb): the data, as
    /// batch.
    fn stored_command(&mut self, s: &Step) {
        let rest = s.rest();
        let adds = rest.first().is_some_and(|a| a.eq_ignore_ascii_case("add"));
        let key = rest
            .get(1)
            .map(|k| k.to_ascii_lowercase())
            .unwrap_or_default();
        let runs_later = ["\\run", "\\winlogon", "\\command", "\\image file execution"]
            .iter()
            .any(|k| key.contains(k));
        if adds && runs_later {
            self.switch_value(s, "/d");
        }
    }

    /// `schtasks /create … /tr "COMMAND"`: the task's command line, as batch.
    fn task_command(&mut self, s: &Step) {
        let rest = s.rest();
        if let Some(i) = rest.iter().position(|a| a.eq_ignore_ascii_case("/tr"))
            && let Some(code) = rest.get(i + 1)
        {
            self.deeper(s, Lang::Batch, code);
        }
    }

    /// `for /f %%i in ('nslookup -q=txt NAME') do powershell -c %%i`: the
    /// lines of a DNS TXT answer handed to something that runs them.
    fn dns_txt_loop(&mut self, s: &Step, inner: &str) {
        let words: Vec<String> = inner.split_whitespace().map(str::to_string).collect();
        let Some((p, at)) = super::program::unwrap(Lang::Batch, &words) else {
            return;
        };
        let rest = s.rest();
        let runs = rest
            .iter()
            .position(|a| a.eq_ignore_ascii_case("do"))
            .and_then(|i| super::program::unwrap(Lang::Batch, &rest[i + 1..]))
            .is_some_and(|(r, _)| super::rules::is_runner(&r));
        if runs && super::program::is_dns_txt_query(&p, &words[at + 1..]) {
            self.hit("download-pipe-run", s.c, false, None);
        }
    }

    /// Batch `for /f … in ('COMMAND') do COMMAND2`: both commands; the
    /// loop variable holds the first URL of the set, else (`/f`: lines of
    /// a file or a command) whatever the input holds.
    fn batch_for(&mut self, s: &Step) {
        let rest = s.rest();
        let var = rest.iter().position(|a| {
            let v = a.trim_start_matches('%');
            a.starts_with('%') && v.len() == 1 && v.bytes().all(|b| b.is_ascii_alphabetic())
        });
        if let Some(v) = var {
            let set = rest[v + 1..]
                .iter()
                .skip_while(|a| !a.eq_ignore_ascii_case("in"))
                .take_while(|a| !a.eq_ignore_ascii_case("do"));
            let items: Vec<&str> = set
                .flat_map(|a| a.split(['(', ')', '\'', '"', ',']))
                .filter(|a| !a.is_empty())
                .collect();
            // a URL in the set, else an address (`for %%H in (10.0.0.5 …) do
            // xcopy x \\%%H\C$\…`): the loop's first value stands for all.
            let url = items
                .iter()
                .find(|a| a.contains("://"))
                .or_else(|| items.iter().find(|a| super::addr::is_ipv4(a)))
                .map(|a| a.to_string());
            let lines = rest.iter().any(|a| a.eq_ignore_ascii_case("/f"));
            let name = format!("%%{}", rest[v].trim_start_matches('%'));
            if let Some(value) = url.or_else(|| lines.then(|| INPUT.to_string())) {
                self.vars.insert(name, value);
            }
        }
        if let Some(i) = rest
            .iter()
            .position(|a| a.starts_with("('") || a.starts_with("(`"))
        {
            let end = rest[i..]
                .iter()
                .position(|a| a.ends_with("')") || a.ends_with("`)"))
                .map(|k| i + k)
                .unwrap_or(rest.len() - 1);
            let inner = rest[i..=end].join(" ");
            let inner = inner[2..]
                .trim_end_matches(')')
                .trim_end_matches(['\'', '`']);
            self.deeper(s, Lang::Batch, inner);
            self.dns_txt_loop(s, inner);
        }
        if let Some(i) = rest.iter().position(|a| a.eq_ignore_ascii_case("do")) {
            self.deeper(s, Lang::Batch, &rest[i + 1..].join(" "));
        }
    }

    /// `powershell -Command …` / `-EncodedCommand …`.
    fn powershell(&mut self, s: &Step) {
        let rest = s.rest();
        let joined = if s.lang == Lang::Batch {
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
            self.deeper(s, Lang::PowerShell, &code);
        }
    }

    /// `kubectl run … -- curl …`: the words after `--` are a command; without
    /// `--`, `docker run [options] IMAGE curl …` runs the first word after the
    /// sub-command that names a shell or a program the rules know.
    fn after_dashes(&mut self, s: &Step) {
        let rest = s.rest();
        let start = match rest.iter().position(|a| a == "--") {
            Some(i) => i + 1,
            None => match self.container_command(rest) {
                Some(i) => i,
                None => return,
            },
        };
        let tail = &rest[start..];
        if tail.is_empty() || s.depth >= super::MAX_DEPTH {
            return;
        }
        let sub = Cmd {
            argv: tail.to_vec(),
            line: s.c.line,
            text: s.c.text.clone(),
            redirs: s.c.redirs.clone(),
            ..Default::default()
        };
        let script = super::Script {
            pipelines: vec![super::Pipeline { cmds: vec![sub] }],
        };
        self.script(s.lang, &script, s.depth + 1);
    }

    /// Where the command of `docker|podman|kubectl run|exec …` starts when
    /// no `--` marks it.
    fn container_command(&self, rest: &[String]) -> Option<usize> {
        let sub = rest.iter().position(|a| !a.starts_with('-'))?;
        if !matches!(rest[sub].as_str(), "run" | "exec" | "debug" | "create") {
            return None;
        }
        (sub + 2..rest.len()).find(|&k| {
            let p = prog_name(&rest[k]);
            !rest[k].starts_with('-')
                && (SHELLS.contains(&p.as_str()) || !self.cat.rules_for_program(&p).is_empty())
        })
    }

    /// Interpreter one-liners and here-docs fed to interpreters, scanned
    /// as code of their language; every download they hold counts on the
    /// command's line.
    fn interpreter_code(&mut self, s: &Step) {
        let Some((lang, flags)) = interpreter(&s.prog) else {
            return;
        };
        let rest = s.rest();
        let mut src = String::new();
        let mut i = 0;
        while i < rest.len() {
            let a = &rest[i];
            if flags.contains(&a.as_str()) {
                if let Some(v) = rest.get(i + 1) {
                    src.push_str(v);
                    src.push('\n');
                }
                i += 2;
                continue;
            }
            if (a.starts_with("-M") || a.starts_with("-r")) && a.len() > 2 {
                // perl -MLWP::Simple, ruby -ropen-uri
                src.push_str(&format!("use {};\nrequire '{}'\n", &a[2..], &a[2..]));
            }
            i += 1;
        }
        if let Some(body) = &s.c.heredoc {
            src.push_str(body);
        }
        // Code on the interpreter's input: `<<< 'code'`, `echo 'code' | python3`.
        for r in s.c.redirs.iter().filter(|r| r.op == "<<<") {
            src.push_str(&r.target);
            src.push('\n');
        }
        if let Some(t) = &s.fed {
            src.push_str(t);
            src.push('\n');
        }
        if src.is_empty() || src.len() >= (1 << 20) {
            return;
        }
        let c = s.c;
        let rules: Vec<usize> = self
            .text_rules(&src, lang)
            .into_iter()
            .chain(self.text_rules(&src, RuleLang::Arg))
            .filter(|&r| self.cat.rules[r].role != Some(Role::Exec))
            .collect();
        let lb = all_loopback(&src);
        for r in rules {
            self.push(r, c, lb, None);
            self.note_download(r, c, &[]);
        }
        if s.depth < super::MAX_DEPTH {
            code::shell_calls(self, lang, &src, Some(c), s.depth + 1);
        }
    }
}

/// `cmd /c "…"` as typed in batch: cmd drops the first and the last quote
/// of what follows the switch and runs the rest (inner quotes kept:
/// `cmd /c "x.vbs "a;b" | y"`).
fn cmd_quoted_rest(s: &Step) -> Option<String> {
    if s.lang != Lang::Batch {
        return None;
    }
    let t = &s.c.text;
    let lower = t.to_ascii_lowercase();
    let at = [" /c ", " /k ", " /r "]
        .iter()
        .filter_map(|sw| lower.find(sw))
        .min()?;
    let raw = t[at + 4..].trim_start();
    let inner = raw.strip_prefix('"')?;
    let last = inner.rfind('"')?;
    let code = format!("{}{}", &inner[..last], &inner[last + 1..]);
    (!code.trim().is_empty()).then_some(code)
}
