//! Languages, named once: the languages scripts and command lines are read
//! in, the groups a catalogue rule's `lang` may name (checked at load), and
//! the one list of shells and interpreters saying which language a program
//! speaks. Imports nothing else of the crate, so the command model, the
//! script reader and the analyzers can all build on it.

use serde::{Deserialize, Serialize};

/// A language text is read in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// POSIX shells (sh, bash, dash, ash, zsh, ksh…).
    Sh,
    /// cmd.exe batch.
    Batch,
    PowerShell,
    Python,
    Perl,
    Ruby,
    /// JavaScript (node, deno, bun).
    Js,
    Php,
    /// Windows Script Host (VBScript, JScript).
    Wsh,
    /// Other code languages (Lua, Tcl, Julia…), read with the code rules.
    Code,
    /// One argument of a command (a URL handed to a program), not a script.
    Arg,
}

impl Language {
    /// Every language.
    pub const ALL: [Language; 11] = [
        Language::Sh,
        Language::Batch,
        Language::PowerShell,
        Language::Python,
        Language::Perl,
        Language::Ruby,
        Language::Js,
        Language::Php,
        Language::Wsh,
        Language::Code,
        Language::Arg,
    ];

    /// Lowercase name, as in the catalogue and the reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Language::Sh => "sh",
            Language::Batch => "batch",
            Language::PowerShell => "powershell",
            Language::Python => "python",
            Language::Perl => "perl",
            Language::Ruby => "ruby",
            Language::Js => "js",
            Language::Php => "php",
            Language::Wsh => "wsh",
            Language::Code => "code",
            Language::Arg => "arg",
        }
    }

    /// The language of a lowercase name.
    pub fn parse(s: &str) -> Option<Language> {
        Language::ALL.into_iter().find(|l| l.as_str() == s)
    }

    /// Command-line languages (sh, batch, PowerShell).
    pub fn is_shell(self) -> bool {
        matches!(self, Language::Sh | Language::Batch | Language::PowerShell)
    }

    /// Programming languages read line by line with the code rules.
    pub fn is_code(self) -> bool {
        matches!(
            self,
            Language::Python
                | Language::Perl
                | Language::Ruby
                | Language::Js
                | Language::Php
                | Language::Wsh
                | Language::Code
        )
    }
}

impl std::fmt::Display for Language {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What one item of a rule's comma-separated `lang` names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LangGroup {
    One(Language),
    /// `shell`: sh, batch and PowerShell.
    Shell,
    /// `code`: every code language.
    Code,
    /// `any`: every language but [`Language::Arg`].
    Any,
}

impl LangGroup {
    /// One item of a `lang` list.
    pub fn parse(s: &str) -> Option<LangGroup> {
        Some(match s.trim() {
            "shell" => LangGroup::Shell,
            "code" => LangGroup::Code,
            "any" => LangGroup::Any,
            other => LangGroup::One(Language::parse(other)?),
        })
    }

    /// A whole comma-separated `lang` list; the error names the first
    /// unknown item.
    pub fn parse_list(s: &str) -> Result<Vec<LangGroup>, String> {
        s.split(',')
            .map(|item| {
                LangGroup::parse(item).ok_or_else(|| {
                    format!(
                        "unknown lang {:?} (known: shell, code, any, {})",
                        item.trim(),
                        Language::ALL.map(Language::as_str).join(", ")
                    )
                })
            })
            .collect()
    }

    /// Does this group cover text in `lang`?
    pub fn covers(self, lang: Language) -> bool {
        match self {
            LangGroup::One(l) => l == lang,
            LangGroup::Shell => lang.is_shell(),
            LangGroup::Code => lang.is_code(),
            LangGroup::Any => lang != Language::Arg,
        }
    }
}

/// POSIX shells, by program name (the one list: shebangs, `CMD ["sh",
/// "-c", …]`, pipes into a shell).
pub const SHELLS: &[&str] = &[
    "sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "yash", "rbash", "fish", "busybox",
];

/// The language a program (a lowercase basename, `.exe` dropped) runs:
/// shells and interpreters; versioned names (`python3.11`, `perl5.36`) too.
pub fn program_language(prog: &str) -> Option<Language> {
    if SHELLS.contains(&prog) {
        return Some(Language::Sh);
    }
    let p = prog.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    Some(match p {
        "python" | "pypy" => Language::Python,
        "perl" => Language::Perl,
        "ruby" | "jruby" => Language::Ruby,
        "node" | "nodejs" | "deno" | "bun" => Language::Js,
        "php" => Language::Php,
        "pwsh" | "powershell" => Language::PowerShell,
        "cmd" => Language::Batch,
        "cscript" | "wscript" => Language::Wsh,
        "lua" | "luajit" | "texlua" | "julia" | "tclsh" | "wish" => Language::Code,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_groups_cover_their_languages() {
        for l in Language::ALL {
            assert_eq!(Language::parse(l.as_str()), Some(l));
            assert_eq!(
                serde_json::to_string(&l).unwrap(),
                format!("\"{}\"", l.as_str())
            );
            assert_eq!(LangGroup::Any.covers(l), l != Language::Arg);
            assert!(
                !(LangGroup::Shell.covers(l) && LangGroup::Code.covers(l)),
                "{l}"
            );
        }
        let list = LangGroup::parse_list("sh, python").unwrap();
        assert!(list.iter().any(|g| g.covers(Language::Python)));
        assert!(!list.iter().any(|g| g.covers(Language::Batch)));
        let e = LangGroup::parse_list("sh,pyhton").unwrap_err();
        assert!(e.contains("\"pyhton\""), "{e}");
    }

    #[test]
    fn programs_name_their_language() {
        assert_eq!(program_language("dash"), Some(Language::Sh));
        assert_eq!(program_language("busybox"), Some(Language::Sh));
        assert_eq!(program_language("python3.11"), Some(Language::Python));
        assert_eq!(program_language("pwsh"), Some(Language::PowerShell));
        assert_eq!(program_language("nodejs"), Some(Language::Js));
        assert_eq!(program_language("curl"), None);
    }
}
