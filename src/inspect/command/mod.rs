//! The command model: a carrier's text becomes simple commands (argv lists
//! with their redirections, here-doc bodies and substitutions), grouped in
//! pipelines. One tokenizer per language (`sh`, `batch`, `ps`); `carrier`
//! maps files that are not scripts (cron, units, Dockerfile, Makefile,
//! package.json, YAML, .desktop) onto them, `build` the build and deploy
//! files that hold command strings (Jenkinsfile, ini, Procfile, justfile,
//! provisioners); `rules` matches the catalogue's
//! command rules against the model (`program` names what runs, `shape`
//! checks arguments, `nested` re-parses strings that are code, `decode`
//! undoes base64, ANSI-C quoting and string concatenation, `addr` knows
//! address shapes, `clone` follows a cloned repository to what runs from
//! it); `code` scans code languages line by line.

pub mod addr;
pub mod anyprog;
pub mod batch;
pub mod build;
pub mod carrier;
mod clone;
pub mod code;
pub mod decode;
mod nested;
pub mod program;
pub mod ps;
pub mod psexpr;
pub mod rules;
pub mod sh;
pub mod shape;
mod written;

/// Nested re-parsing (`sh -c`, `cmd /c`, `powershell -enc`, one-liners)
/// stops at this depth.
pub const MAX_DEPTH: usize = 6;
/// Commands kept per parse at most (hostile input cannot grow memory
/// without bound: the rest is not parsed).
pub const MAX_COMMANDS: usize = 200_000;

/// A command language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Sh,
    Batch,
    PowerShell,
}

/// One redirection: `>` / `>>` (stdout to a file), `<` (stdin from a file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Redir {
    pub op: String,
    pub target: String,
}

/// A simple command.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cmd {
    /// Words after quote removal (expansions are kept as written).
    pub argv: Vec<String>,
    /// `NAME=value` words before the command.
    pub assigns: Vec<(String, String)>,
    pub redirs: Vec<Redir>,
    /// Body of a here-doc fed to this command.
    pub heredoc: Option<String>,
    /// Command and process substitutions inside the words.
    pub subs: Vec<Script>,
    /// 1-based line where the command starts.
    pub line: usize,
    /// The command as written (one line, at most 300 characters).
    pub text: String,
}

/// Commands joined by `|`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pipeline {
    pub cmds: Vec<Cmd>,
}

/// A parsed text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Script {
    pub pipelines: Vec<Pipeline>,
}

impl Script {
    /// Parse `src` in `lang`; line numbers start at `first_line`.
    pub fn parse(lang: Lang, src: &str, first_line: usize) -> Script {
        match lang {
            Lang::Sh => sh::parse(src, first_line),
            Lang::Batch => batch::parse(src, first_line),
            Lang::PowerShell => ps::parse(src, first_line),
        }
    }

    /// Number of simple commands (substitutions included).
    pub fn len(&self) -> usize {
        self.pipelines
            .iter()
            .flat_map(|p| &p.cmds)
            .map(|c| 1 + c.subs.iter().map(Script::len).sum::<usize>())
            .sum()
    }

    pub fn is_empty(&self) -> bool {
        self.pipelines.is_empty()
    }
}

/// Characters of evidence text kept; a longer text is cut and marked `…`.
const SHOWN: usize = 300;

/// One line of at most [`SHOWN`] characters for evidence: runs of
/// whitespace as one blank, none at either end. Every parsed command gets
/// one, a compound command's whole body included, so the text is read
/// only as far as the cut.
pub fn shown(s: &str) -> String {
    let mut out = String::new();
    let mut kept = 0;
    let mut blank = false;
    for c in s.chars() {
        if c.is_whitespace() {
            blank = kept > 0;
            continue;
        }
        for c in [' ', c].into_iter().skip(usize::from(!blank)) {
            if kept == SHOWN {
                out.push('…');
                return out;
            }
            out.push(c);
            kept += 1;
        }
        blank = false;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn len_counts_every_simple_command_with_its_substitutions() {
        // Two pipelines: `a | b`, then `c` holding `$(d $(e))` and `` `f` ``.
        let s = Script::parse(Lang::Sh, "a | b\nc \"$(d $(e))\" `f`\n", 1);
        assert_eq!(s.pipelines.len(), 2);
        assert_eq!(s.len(), 6, "a, b, c, d, e, f");
        assert!(!s.is_empty());
        let empty = Script::parse(Lang::Sh, "# nothing\n", 1);
        assert_eq!(empty.len(), 0);
        assert!(empty.is_empty());
    }

    #[test]
    fn shown_keeps_300_characters_and_marks_a_cut() {
        assert_eq!(shown("curl  -o\tx\n  http://h/x "), "curl -o x http://h/x");
        // Exactly 300 characters (multi-byte ones count as one): kept whole.
        let most = "é".repeat(300);
        assert_eq!(shown(&most), most);
        // One more: cut to 300 and marked.
        let over = format!("{most}x");
        assert_eq!(shown(&over), format!("{most}…"));
    }

    /// The text `shown` stands for: whitespace runs as one blank, cut
    /// after 300 characters.
    fn shown_whole(s: &str) -> String {
        let one = s.split_whitespace().collect::<Vec<_>>().join(" ");
        if one.chars().count() > 300 {
            format!("{}…", one.chars().take(300).collect::<String>())
        } else {
            one
        }
    }

    #[test]
    fn shown_is_the_whole_text_collapsed_and_cut_at_every_boundary() {
        let blanks = [" ", "  ", "\t\n", "\u{a0}", "\u{3000} "];
        for len in [0, 1, 150, 298, 299, 300, 301, 302, 600] {
            for (i, gap) in blanks.iter().enumerate() {
                for word in ["a", "ab", "é", "wget"] {
                    let mut s = gap.repeat(i % 2);
                    while s.chars().count() < len {
                        s.push_str(word);
                        s.push_str(gap);
                    }
                    let s: String = s.chars().take(len).collect();
                    assert_eq!(shown(&s), shown_whole(&s), "{len} {gap:?} {word:?}: {s:?}");
                }
            }
        }
    }
}
