//! Build and deployment files whose command lines sit inside another
//! syntax: Jenkinsfile / Groovy pipeline steps (`sh '…'`, `bat "…"`,
//! `powershell '''…'''`, `"…".execute()`), ini-style command keys
//! (supervisord `command=`, tox `commands =` with continuation lines),
//! Procfile entries (`name: command`), justfile recipes (indented lines
//! under `name:`), and `inline`/`command` strings of Terraform, Packer and
//! Vagrant provisioners (`inline = ["…"]`, `"inline": […]`, `inline: "…"`
//! or a here-doc). Each becomes a segment of shell, batch or PowerShell.

use super::Lang;
use super::carrier::Segment;

/// Segments at most per file (a hostile file of many steps stays bounded).
const MAX_SEGMENTS: usize = 4096;

fn seg(lang: Lang, text: String, line: usize) -> Segment {
    Segment { lang, text, line }
}

/// 1-based line of byte offset `at` in `text`.
fn line_of(text: &str, at: usize) -> usize {
    1 + text[..at].bytes().filter(|&b| b == b'\n').count()
}

/// The string literal starting at byte `at` (`'…'`, `"…"`, `'''…'''`,
/// `"""…"""`), backslash escapes undone: (value, index past it).
fn literal(text: &str, at: usize) -> Option<(String, usize)> {
    let rest = &text[at..];
    for q in ["'''", "\"\"\"", "'", "\""] {
        let Some(body) = rest.strip_prefix(q) else {
            continue;
        };
        let mut out = String::new();
        let mut chars = body.char_indices();
        while let Some((i, c)) = chars.next() {
            if body[i..].starts_with(q) {
                return Some((out, at + q.len() + i + q.len()));
            }
            if c == '\\' {
                if let Some((_, n)) = chars.next() {
                    match n {
                        'n' if q.len() == 1 => out.push('\n'),
                        '\n' => {}
                        _ => out.push(n),
                    }
                }
                continue;
            }
            if c == '\n' && q.len() == 1 {
                return None;
            }
            out.push(c);
        }
        return None;
    }
    None
}

/// Jenkinsfile / Groovy: `sh`, `bat`, `powershell`, `pwsh` steps with a
/// literal (also `sh(script: '…')`), and `"…".execute()`.
pub fn groovy(text: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() && out.len() < MAX_SEGMENTS {
        // After a `.` too: `steps.sh '…'` is how a shared library's
        // classes run a step.
        let word_start = i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_');
        let step = ["sh", "bat", "powershell", "pwsh"]
            .into_iter()
            .find(|w| word_start && text[i..].starts_with(w));
        let Some(step) = step else {
            i += text[i..].chars().next().map_or(1, char::len_utf8);
            continue;
        };
        let mut j = i + step.len();
        let skip = |j: &mut usize, s: &str| {
            let t = &text[*j..];
            let t2 = t.trim_start_matches([' ', '\t']);
            *j += t.len() - t2.len();
            if let Some(r) = t2.strip_prefix(s) {
                *j += t2.len() - r.len();
            }
        };
        skip(&mut j, "(");
        skip(&mut j, "script:");
        skip(&mut j, "");
        if let Some((value, end)) = literal(text, j) {
            let lang = match step {
                "bat" => Lang::Batch,
                "powershell" | "pwsh" => Lang::PowerShell,
                _ => Lang::Sh,
            };
            out.push(seg(lang, value, line_of(text, j)));
            i = end;
            continue;
        }
        i += step.len();
    }
    // "curl -o x URL".execute()
    let mut from = 0;
    while let Some(n) = text[from..].find(".execute()") {
        let end = from + n;
        let before = &text[..end];
        if let Some(q) = before.chars().last().filter(|c| *c == '"' || *c == '\'')
            && let Some(open) = before[..before.len() - 1].rfind(q)
            && !before[open + 1..before.len() - 1].contains('\n')
        {
            let cmd = before[open + 1..before.len() - 1].to_string();
            out.push(seg(Lang::Sh, cmd, line_of(text, open)));
        }
        from = end + ".execute()".len();
        if out.len() >= MAX_SEGMENTS {
            break;
        }
    }
    out
}

/// Ini-style command keys: `command=` (supervisord), `commands =`,
/// `commands_pre =`, `commands_post =` (tox; continuation lines are
/// further commands, one per line).
pub fn ini(text: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() && out.len() < MAX_SEGMENTS {
        let l = lines[i];
        i += 1;
        let Some((key, value)) = l.split_once('=') else {
            continue;
        };
        if l.starts_with([' ', '\t', '#', ';']) {
            continue;
        }
        let key = key.trim().to_ascii_lowercase();
        if !matches!(
            key.as_str(),
            "command" | "commands" | "commands_pre" | "commands_post" | "exec" | "execstart"
        ) {
            continue;
        }
        if !value.trim().is_empty() {
            out.push(seg(Lang::Sh, value.trim().to_string(), i));
        }
        while i < lines.len() && lines[i].starts_with([' ', '\t']) && !lines[i].trim().is_empty() {
            out.push(seg(Lang::Sh, lines[i].trim().to_string(), i + 1));
            i += 1;
        }
    }
    out
}

/// Procfile: `name: command` lines.
pub fn procfile(text: &str) -> Vec<Segment> {
    text.lines()
        .enumerate()
        .filter_map(|(n, l)| {
            let (name, cmd) = l.split_once(':')?;
            let ok = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
            ok.then(|| seg(Lang::Sh, cmd.trim().to_string(), n + 1))
        })
        .take(MAX_SEGMENTS)
        .collect()
}

/// justfile: the indented lines of a recipe (`name args:` then indented
/// commands; `@` and `-` prefixes dropped).
pub fn justfile(text: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut in_recipe = false;
    for (n, l) in text.lines().enumerate() {
        if l.trim().is_empty() || l.trim_start().starts_with('#') {
            continue;
        }
        if l.starts_with([' ', '\t']) {
            if in_recipe {
                let t = l.trim().trim_start_matches(['@', '-']);
                out.push(seg(Lang::Sh, t.to_string(), n + 1));
            }
        } else {
            in_recipe = l.trim_end().ends_with(':') || l.contains(": ") && !l.contains(":=");
        }
        if out.len() >= MAX_SEGMENTS {
            break;
        }
    }
    out
}

/// Provisioner strings of Terraform/Packer HCL, Packer JSON and Vagrant:
/// `inline = ["…", …]`, `"inline": […]`, `command = "…"`, `inline: "…"`,
/// `inline: <<-SHELL … SHELL`; every literal of the value is a command.
pub fn provisioners(text: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    for key in ["inline", "command"] {
        let mut from = 0;
        while let Some(n) = text[from..].find(key) {
            let at = from + n;
            from = at + key.len();
            let before = text[..at].chars().last();
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                continue;
            }
            let mut j = from;
            let t = &text[j..];
            let t = t.strip_prefix('"').unwrap_or(t);
            let t2 = t.trim_start_matches([' ', '\t']);
            let Some(t3) = t2.strip_prefix(['=', ':']) else {
                continue;
            };
            j = text.len() - t3.len();
            let t4 = t3.trim_start_matches([' ', '\t']);
            j += t3.len() - t4.len();
            if let Some(tag) = t4
                .strip_prefix("<<-")
                .or_else(|| t4.strip_prefix("<<~"))
                .or_else(|| t4.strip_prefix("<<"))
            {
                let tag: String = tag
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                let body_start = text[j..].find('\n').map_or(text.len(), |k| j + k + 1);
                let end = text[body_start..]
                    .lines()
                    .position(|l| l.trim() == tag)
                    .map(|k| {
                        text[body_start..]
                            .lines()
                            .take(k)
                            .map(|l| l.len() + 1)
                            .sum::<usize>()
                    });
                if !tag.is_empty()
                    && let Some(len) = end
                {
                    out.push(seg(
                        Lang::Sh,
                        text[body_start..body_start + len].to_string(),
                        line_of(text, body_start),
                    ));
                }
                continue;
            }
            let list = t4.starts_with('[');
            let mut k = j + usize::from(list);
            loop {
                let rest = &text[k..];
                let r = rest.trim_start_matches([' ', '\t', '\n', '\r', ',']);
                k += rest.len() - r.len();
                match literal(text, k) {
                    Some((v, end)) => {
                        out.push(seg(Lang::Sh, v, line_of(text, k)));
                        k = end;
                    }
                    None => break,
                }
                if !list || out.len() >= MAX_SEGMENTS {
                    break;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &[Segment]) -> Vec<(&str, usize)> {
        s.iter().map(|x| (x.text.as_str(), x.line)).collect()
    }

    #[test]
    fn groovy_steps() {
        let s = groovy(
            "stage('a') {\n  sh 'curl -o x http://h/x'\n  bat(script: \"certutil -f a\")\n  powershell '''\n  iwr u\n  '''\n  def p = \"wget http://h/y\".execute()\n  echo 'sh is here'\n}\n",
        );
        assert_eq!(
            texts(&s),
            [
                ("curl -o x http://h/x", 2),
                ("certutil -f a", 3),
                ("\n  iwr u\n  ", 4),
                ("wget http://h/y", 7),
            ]
        );
        assert_eq!(s[1].lang, Lang::Batch);
        assert_eq!(s[2].lang, Lang::PowerShell);
    }

    #[test]
    fn ini_procfile_justfile() {
        let s = ini(
            "[program:a]\ncommand=/bin/sh -c \"curl h\"\n[testenv]\ncommands_pre =\n    wget x\n    true\nother = curl y\n",
        );
        assert_eq!(
            texts(&s),
            [("/bin/sh -c \"curl h\"", 2), ("wget x", 5), ("true", 6)]
        );
        let s = procfile("release: curl -s u | sh\nweb: gunicorn app\n");
        assert_eq!(texts(&s), [("curl -s u | sh", 1), ("gunicorn app", 2)]);
        let s = justfile("set shell := [\"bash\"]\nsetup:\n    @curl -o t u\n\n# c\nx := \"1\"\n");
        assert_eq!(texts(&s), [("curl -o t u", 3)]);
    }

    #[test]
    fn provisioner_strings() {
        let s = provisioners(
            "provisioner \"local-exec\" {\n  command = \"curl u | bash\"\n}\n{\"inline\": [\"a b\", \"c\"]}\n  config.vm.provision \"shell\", inline: <<-SHELL\n    wget x\n  SHELL\n",
        );
        assert_eq!(
            texts(&s),
            [
                ("a b", 4),
                ("c", 4),
                ("    wget x\n", 6),
                ("curl u | bash", 2)
            ]
        );
    }

    #[test]
    fn provisioner_keys_are_whole_words() {
        // Packer's `shutdown_command`, `boot_command` and `execute_command`
        // are settings, not provisioner commands; `inline` next to them is.
        let s = provisioners(
            "  shutdown_command = \"echo packer | sudo -S shutdown -P now\"\n  boot_command = [\"<esc><wait>\"]\n  \"execute_command\": \"sudo -S sh '{{ .Path }}'\",\n  inline = [\"curl -fsSL http://h/i.sh | sh\"]\n",
        );
        assert_eq!(texts(&s), [("curl -fsSL http://h/i.sh | sh", 4)]);
    }
}
