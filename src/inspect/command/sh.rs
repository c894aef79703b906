//! POSIX shell (and bash/zsh) tokenizer: quoting, escapes, line
//! continuations, comments, `;` `&` `&&` `||` `|` `|&`, subshells and
//! groups, redirections, here-docs (kept as data on their command),
//! `$(…)`, backticks and `<(…)` (parsed as nested scripts). It never fails:
//! whatever it does not understand becomes words.

use super::{Cmd, MAX_COMMANDS, Pipeline, Redir, Script, shown};

/// Parse shell text.
pub fn parse(src: &str, first_line: usize) -> Script {
    let mut p = Parser {
        s: src.as_bytes(),
        src,
        i: 0,
        line: first_line,
        count: 0,
        depth: 0,
    };
    p.script()
}

fn parse_nested(src: &str, line: usize, depth: usize, count: &mut usize) -> Script {
    if depth > 8 {
        return Script::default();
    }
    let mut p = Parser {
        s: src.as_bytes(),
        src,
        i: 0,
        line,
        count: *count,
        depth,
    };
    let s = p.script();
    *count = p.count;
    s
}

struct Parser<'a> {
    s: &'a [u8],
    src: &'a str,
    i: usize,
    line: usize,
    count: usize,
    depth: usize,
}

struct Pending {
    pipeline: usize,
    cmd: usize,
    delim: String,
    strip_tabs: bool,
}

/// A word so far that is `NAME=` (a bash array assignment follows).
fn is_array_start(out: &str) -> bool {
    out.strip_suffix('=').is_some_and(|n| {
        !n.is_empty()
            && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            && !n.as_bytes()[0].is_ascii_digit()
    })
}

fn is_op(b: u8) -> bool {
    matches!(b, b';' | b'&' | b'|' | b'(' | b')' | b'<' | b'>' | b'\n')
}

impl<'a> Parser<'a> {
    fn peek(&self, k: usize) -> u8 {
        self.s.get(self.i + k).copied().unwrap_or(0)
    }

    /// Blanks, comments and newlines after an operator that needs a
    /// right-hand side. A here-doc body pending on this line ends the
    /// pipeline as before (its command is not in `script` yet).
    fn linebreaks(&mut self, pending: &[Pending]) {
        loop {
            self.skip_blanks();
            match self.peek(0) {
                b'#' => {
                    while self.i < self.s.len() && self.s[self.i] != b'\n' {
                        self.i += 1;
                    }
                }
                b'\n' if pending.is_empty() => {
                    self.i += 1;
                    self.line += 1;
                }
                _ => return,
            }
        }
    }

    fn script(&mut self) -> Script {
        let mut script = Script::default();
        let mut pending: Vec<Pending> = Vec::new();
        let mut pipe = Pipeline::default();
        while self.i < self.s.len() && self.count < MAX_COMMANDS {
            self.skip_blanks();
            let b = self.peek(0);
            match b {
                0 if self.i >= self.s.len() => break,
                b'#' => {
                    while self.i < self.s.len() && self.s[self.i] != b'\n' {
                        self.i += 1;
                    }
                }
                b'\n' => {
                    self.i += 1;
                    self.line += 1;
                    if !pipe.cmds.is_empty() {
                        script.pipelines.push(std::mem::take(&mut pipe));
                    }
                    self.heredocs(&mut script, &mut pending);
                }
                b'|' => {
                    // `||` ends the pipeline; `|` and `|&` continue it.
                    if self.peek(1) == b'|' {
                        self.i += 2;
                        if !pipe.cmds.is_empty() {
                            script.pipelines.push(std::mem::take(&mut pipe));
                        }
                    } else {
                        self.i += if self.peek(1) == b'&' { 2 } else { 1 };
                        // `curl URL |⏎ sh`: a pipe continues across
                        // line breaks and comments.
                        self.linebreaks(&pending);
                    }
                }
                // `( … ; echo X ) | crontab -`: the group's last command
                // pipes into what follows.
                b')' if self.pipe_follows() => self.i += 1,
                b';' | b'&' | b'(' | b')' => {
                    self.i += 1;
                    if !pipe.cmds.is_empty() {
                        script.pipelines.push(std::mem::take(&mut pipe));
                    }
                }
                _ => {
                    let before = self.i;
                    let (cmd, heredoc) = self.command();
                    if self.i == before {
                        // Nothing consumed: skip one byte rather than loop.
                        self.i += 1;
                        continue;
                    }
                    if let Some((delim, strip_tabs)) = heredoc {
                        pending.push(Pending {
                            pipeline: script.pipelines.len(),
                            cmd: pipe.cmds.len(),
                            delim,
                            strip_tabs,
                        });
                    }
                    self.count += 1;
                    pipe.cmds.push(cmd);
                }
            }
        }
        if !pipe.cmds.is_empty() {
            script.pipelines.push(pipe);
        }
        script
    }

    /// Read the bodies of pending here-docs (they start after the newline
    /// just consumed).
    fn heredocs(&mut self, script: &mut Script, pending: &mut Vec<Pending>) {
        for h in pending.drain(..) {
            let mut body = String::new();
            while self.i < self.s.len() {
                let end = memchr::memchr(b'\n', &self.s[self.i..])
                    .map(|n| self.i + n)
                    .unwrap_or(self.s.len());
                let raw = &self.src[self.i..end];
                self.i = (end + 1).min(self.s.len());
                self.line += 1;
                let l = if h.strip_tabs {
                    raw.trim_start_matches('\t')
                } else {
                    raw
                };
                if l.trim_end_matches('\r') == h.delim {
                    break;
                }
                body.push_str(l);
                body.push('\n');
            }
            if let Some(c) = script
                .pipelines
                .get_mut(h.pipeline)
                .and_then(|p| p.cmds.get_mut(h.cmd))
            {
                c.heredoc = Some(body);
            }
        }
    }

    /// After the `)` at the cursor, a `|` (not `||`) on the same line?
    fn pipe_follows(&self) -> bool {
        let rest = &self.s[self.i + 1..];
        let k = rest
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t'))
            .count();
        rest.get(k) == Some(&b'|') && rest.get(k + 1) != Some(&b'|')
    }

    fn skip_blanks(&mut self) {
        loop {
            match self.peek(0) {
                b' ' | b'\t' | b'\r' => self.i += 1,
                b'\\' if self.peek(1) == b'\n' => {
                    self.i += 2;
                    self.line += 1;
                }
                _ => break,
            }
        }
    }

    /// One simple command, up to an operator; returns the here-doc
    /// delimiter it asked for, if any.
    fn command(&mut self) -> (Cmd, Option<(String, bool)>) {
        let start = self.i;
        let mut cmd = Cmd {
            line: self.line,
            ..Default::default()
        };
        let mut heredoc = None;
        loop {
            self.skip_blanks();
            if self.i >= self.s.len() {
                break;
            }
            if let Some(op) = self.redirection_op() {
                self.skip_blanks();
                let (mut target, _quoted, subs) = self.word();
                cmd.subs.extend(subs);
                if op == "<<" || op == "<<-" {
                    heredoc = Some((target.clone(), op == "<<-"));
                }
                if op.ends_with('&') {
                    // fd duplication (2>&1, >&-): no file.
                    target.insert(0, '&');
                }
                cmd.redirs.push(Redir { op, target });
                continue;
            }
            let b = self.peek(0);
            if b == b'#' || is_op(b) && !((b == b'<' || b == b'>') && self.peek(1) == b'(') {
                break;
            }
            let word_start = self.i;
            let (w, _quoted, subs) = self.word();
            cmd.subs.extend(subs);
            match self.assignment(word_start, &w) {
                Some(kv) if cmd.argv.is_empty() => cmd.assigns.push(kv),
                _ => cmd.argv.push(w),
            }
        }
        cmd.text = shown(&self.src[start..self.i]);
        (cmd, heredoc)
    }

    /// A redirection operator at the cursor (with an optional fd number
    /// or `&` before it), consumed; `None` (nothing consumed) otherwise.
    fn redirection_op(&mut self) -> Option<String> {
        let fd_digits = self.s[self.i..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        let mut r = self.i + fd_digits;
        if fd_digits == 0 && self.peek(0) == b'&' && self.peek(1) == b'>' {
            r += 1; // &> and &>>: stdout and stderr to a file
        }
        let rest = &self.s[r.min(self.s.len())..];
        if !matches!(rest.first(), Some(b'<') | Some(b'>')) || rest.get(1) == Some(&b'(') {
            return None;
        }
        const OPS: [&str; 10] = ["<<<", "<<-", "<<", "<>", "<&", ">&", ">>", ">|", "<", ">"];
        let op = OPS.iter().find(|o| rest.starts_with(o.as_bytes()))?;
        self.i = r + op.len();
        Some(op.to_string())
    }

    /// `NAME=value` with an unquoted NAME (the value may be quoted).
    fn assignment(&self, word_start: usize, w: &str) -> Option<(String, String)> {
        let name_len = self.s[word_start..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
            .count();
        if self.s.get(word_start + name_len) != Some(&b'=') {
            return None;
        }
        let (name, value) = w.split_once('=')?;
        let ok = !name.is_empty()
            && name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
            && !name.as_bytes()[0].is_ascii_digit();
        ok.then(|| (name.to_string(), value.to_string()))
    }

    /// One word: quote removal, substitutions parsed. Returns the word,
    /// whether any part was quoted, and nested scripts.
    fn word(&mut self) -> (String, bool, Vec<Script>) {
        let mut out = String::new();
        let mut quoted = false;
        let mut subs = Vec::new();
        while self.i < self.s.len() {
            let b = self.s[self.i];
            match b {
                b' ' | b'\t' | b'\r' | b'\n' | b';' | b'&' | b'|' | b')' => break,
                b'(' if is_array_start(&out) => self.array_literal(&mut out),
                b'(' if out.is_empty() => break,
                b'<' | b'>' if self.peek(1) == b'(' => self.process_sub(&mut out, &mut subs),
                b'<' | b'>' => break,
                b'\\' if self.peek(1) == b'\n' => {
                    self.i += 2;
                    self.line += 1;
                }
                b'\\' => {
                    self.push_char(&mut out, self.i + 1);
                    quoted = true;
                }
                b'\'' => {
                    quoted = true;
                    let end = memchr::memchr(b'\'', &self.s[self.i + 1..])
                        .map(|n| self.i + 1 + n)
                        .unwrap_or(self.s.len());
                    out.push_str(&self.src[self.i + 1..end]);
                    self.count_lines(self.i, end);
                    self.i = (end + 1).min(self.s.len());
                }
                b'"' => {
                    quoted = true;
                    self.double_quoted(&mut out, &mut subs);
                }
                b'$' if self.peek(1) == b'(' => self.dollar_paren(&mut out, &mut subs),
                b'$' if self.peek(1) == b'{' => {
                    let (_, end) = self.balanced(self.i + 2, b'{', b'}');
                    out.push_str(&self.src[self.i..end]);
                    self.i = end;
                }
                b'$' if self.peek(1) == b'\'' => {
                    quoted = true;
                    self.ansi_c_quoted(&mut out);
                }
                b'`' => self.backtick(&mut out, &mut subs),
                _ => self.push_char(&mut out, self.i),
            }
        }
        (out, quoted, subs)
    }

    /// `NAME=(a b c)`: the elements (quotes removed) joined by spaces.
    fn array_literal(&mut self, out: &mut String) {
        let (inner, end) = self.balanced(self.i + 1, b'(', b')');
        let items = parse_nested(inner, self.line, self.depth + 1, &mut self.count);
        let words: Vec<String> = items
            .pipelines
            .iter()
            .flat_map(|p| &p.cmds)
            .flat_map(|c| {
                c.assigns
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .chain(c.argv.iter().cloned())
            })
            .collect();
        out.push_str(&words.join(" "));
        self.count_lines(self.i, end);
        self.i = end;
    }

    /// `<(…)` / `>(…)`: kept in the word, parsed as a nested script.
    fn process_sub(&mut self, out: &mut String, subs: &mut Vec<Script>) {
        let (inner, end) = self.balanced(self.i + 2, b'(', b')');
        out.push_str(&self.src[self.i..end]);
        subs.push(parse_nested(
            inner,
            self.line,
            self.depth + 1,
            &mut self.count,
        ));
        self.count_lines(self.i, end);
        self.i = end;
    }

    /// `"…"` at the cursor: escapes, substitutions, line count.
    fn double_quoted(&mut self, out: &mut String, subs: &mut Vec<Script>) {
        self.i += 1;
        while self.i < self.s.len() && self.s[self.i] != b'"' {
            match self.s[self.i] {
                b'\\' if matches!(self.peek(1), b'"' | b'\\' | b'$' | b'`') => {
                    self.push_char(out, self.i + 1);
                }
                b'\\' if self.peek(1) == b'\n' => {
                    self.i += 2;
                    self.line += 1;
                }
                b'$' if self.peek(1) == b'(' => self.dollar_paren(out, subs),
                b'`' => self.backtick(out, subs),
                _ => {
                    if self.s[self.i] == b'\n' {
                        self.line += 1;
                    }
                    self.push_char(out, self.i);
                }
            }
        }
        self.i = (self.i + 1).min(self.s.len());
    }

    /// `$'…'` ANSI-C quoting at the cursor, escapes decoded (`$'\x63url'`).
    fn ansi_c_quoted(&mut self, out: &mut String) {
        let mut j = self.i + 2;
        while j < self.s.len() && self.s[j] != b'\'' {
            j += if self.s[j] == b'\\' { 2 } else { 1 };
        }
        let j = j.min(self.s.len());
        out.push_str(&super::decode::ansi_c(&self.src[(self.i + 2).min(j)..j]));
        self.count_lines(self.i, j);
        self.i = (j + 1).min(self.s.len());
    }

    /// Push the character at byte `at` and move past it.
    fn push_char(&mut self, out: &mut String, at: usize) {
        if at >= self.s.len() {
            self.i = self.s.len();
            return;
        }
        let ch = self.src[at..].chars().next().unwrap_or(' ');
        out.push(ch);
        self.i = at + ch.len_utf8();
    }

    fn count_lines(&mut self, from: usize, to: usize) {
        self.line += memchr::memchr_iter(b'\n', &self.s[from.min(to)..to]).count();
    }

    fn dollar_paren(&mut self, out: &mut String, subs: &mut Vec<Script>) {
        let arith = self.peek(2) == b'(';
        let (inner, end) = self.balanced(self.i + 2, b'(', b')');
        out.push_str(&self.src[self.i..end]);
        if !arith {
            subs.push(parse_nested(
                inner,
                self.line,
                self.depth + 1,
                &mut self.count,
            ));
        }
        self.count_lines(self.i, end);
        self.i = end;
    }

    fn backtick(&mut self, out: &mut String, subs: &mut Vec<Script>) {
        let mut j = self.i + 1;
        while j < self.s.len() && self.s[j] != b'`' {
            j += if self.s[j] == b'\\' { 2 } else { 1 };
        }
        let j = j.min(self.s.len());
        let src: &'a str = self.src;
        let inner = &src[self.i + 1..j];
        out.push_str(&self.src[self.i..(j + 1).min(self.s.len())]);
        subs.push(parse_nested(
            inner,
            self.line,
            self.depth + 1,
            &mut self.count,
        ));
        self.count_lines(self.i, j);
        self.i = (j + 1).min(self.s.len());
    }

    /// From `from` (just after an opening bracket), the text up to the
    /// matching close and the index just past it; quotes respected.
    fn balanced(&self, from: usize, open: u8, close: u8) -> (&'a str, usize) {
        let mut depth = 1usize;
        let mut j = from;
        while j < self.s.len() {
            match self.s[j] {
                b'\\' => j += 1,
                b'\'' if open != b'{' => {
                    j = memchr::memchr(b'\'', &self.s[j + 1..])
                        .map(|n| j + 1 + n)
                        .unwrap_or(self.s.len());
                }
                b'"' => {
                    j += 1;
                    while j < self.s.len() && self.s[j] != b'"' {
                        if self.s[j] == b'\\' {
                            j += 1;
                        }
                        j += 1;
                    }
                }
                c if c == open => depth += 1,
                c if c == close => {
                    depth -= 1;
                    if depth == 0 {
                        return (&self.src[from.min(j)..j], j + 1);
                    }
                }
                _ => {}
            }
            j += 1;
        }
        let from = from.min(self.s.len());
        (&self.src[from..], self.s.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argvs(s: &Script) -> Vec<Vec<String>> {
        s.pipelines
            .iter()
            .flat_map(|p| &p.cmds)
            .map(|c| c.argv.clone())
            .collect()
    }

    #[test]
    fn quoting_operators_and_lines() {
        let s = parse(
            "echo 'a b' \"c $(curl -s http://x/y)\" && wget \\\n -O f http://h/p | sh # c\nX=1 ls >/tmp/o 2>&1\n",
            1,
        );
        let a = argvs(&s);
        assert_eq!(a[0][1], "a b");
        assert_eq!(a[1], ["wget", "-O", "f", "http://h/p"]);
        assert_eq!(a[2], ["sh"]);
        assert_eq!(s.pipelines[1].cmds.len(), 2, "wget | sh is one pipeline");
        let c0 = &s.pipelines[0].cmds[0];
        assert_eq!(c0.subs.len(), 1);
        assert_eq!(c0.subs[0].pipelines[0].cmds[0].argv[0], "curl");
        let ls = &s.pipelines[2].cmds[0];
        assert_eq!(ls.line, 3);
        assert_eq!(ls.assigns, [("X".to_string(), "1".to_string())]);
        assert_eq!(ls.redirs[0].op, ">");
        assert_eq!(ls.redirs[0].target, "/tmp/o");
    }

    #[test]
    fn a_quoted_paren_does_not_end_a_substitution() {
        // `'1) a'` and `"2) b"` inside `$( )` are skipped whole: the
        // substitution holds all three commands and ends at its own `)`.
        let s = parse(
            "x $(echo '1) a' >&2; echo \"2) b\"; wget -q http://h/x) && next\n",
            1,
        );
        let c0 = &s.pipelines[0].cmds[0];
        assert_eq!(c0.subs.len(), 1);
        assert_eq!(
            argvs(&c0.subs[0]),
            [
                vec!["echo", "1) a"],
                vec!["echo", "2) b"],
                vec!["wget", "-q", "http://h/x"]
            ]
        );
        assert_eq!(
            argvs(&s).last().map(|a| a.join(" ")).as_deref(),
            Some("next")
        );
    }

    #[test]
    fn heredoc_bodies_are_data() {
        let s = parse("cat <<EOF\ncurl http://x | sh\nEOF\nnext\n", 1);
        let a = argvs(&s);
        assert_eq!(a, [vec!["cat".to_string()], vec!["next".to_string()]]);
        assert_eq!(
            s.pipelines[0].cmds[0].heredoc.as_deref(),
            Some("curl http://x | sh\n")
        );
        assert_eq!(s.pipelines[1].cmds[0].line, 4);
    }

    #[test]
    fn redirections_and_obfuscated_words() {
        let s = parse(
            "c''url -o /tmp/a $'\\x63url' 2>&1 >>log <<<\"$x\"\nw\\get x &>/dev/null\n",
            1,
        );
        let c = &s.pipelines[0].cmds[0];
        assert_eq!(c.argv, ["curl", "-o", "/tmp/a", "curl"]);
        let ops: Vec<(&str, &str)> = c
            .redirs
            .iter()
            .map(|r| (r.op.as_str(), r.target.as_str()))
            .collect();
        assert_eq!(ops, [(">&", "&1"), (">>", "log"), ("<<<", "$x")]);
        let w = &s.pipelines[1].cmds[0];
        assert_eq!(w.argv, ["wget", "x"]);
        assert_eq!(w.line, 2);
        assert_eq!(w.redirs[0].target, "/dev/null");
    }

    #[test]
    fn a_pipe_continues_across_line_breaks_and_comments() {
        let s = parse(
            "curl -fsSL http://x/i |\n\n  # then run it\n  sh\nnext\n",
            1,
        );
        assert_eq!(s.pipelines[0].cmds.len(), 2, "curl |⏎ sh is one pipeline");
        assert_eq!(s.pipelines[0].cmds[1].argv, ["sh"]);
        assert_eq!(s.pipelines[0].cmds[1].line, 4);
        assert_eq!(s.pipelines[1].cmds[0].line, 5);
        // `||` ends a pipeline; a here-doc pending on the line keeps the
        // old reading (its body is read first).
        let h = parse("cat <<E |\nbody\nE\nsh\n", 1);
        assert_eq!(h.pipelines[0].cmds[0].heredoc.as_deref(), Some("body\n"));
    }

    #[test]
    fn hostile_input_terminates() {
        for src in ["$(", "\"", "'", "`", "${", "<(", "a <<", "((((((", "\\"] {
            let _ = parse(src, 1);
        }
        let deep = "$(".repeat(10_000);
        let _ = parse(&deep, 1);
    }
}
