//! The command rules (`commands.toml`): their typed form, validated at
//! load (unknown `lang`, `role`, `target`, `redirect` or `code` refused,
//! naming the file, the line and the rule), and compiled into matchers:
//! one ASCII regex set over the text rules, each rule's `needs` pattern, a
//! program-name index, and one prefilter automaton over every program
//! name and text-rule hint.

use std::collections::HashMap;

use std::sync::OnceLock;

use aho_corasick::AhoCorasick;
use regex::bytes::{Regex, RegexSet};
use serde::Deserialize;

use crate::finding::Code;

/// One command rule. A command rule names `programs` and the shape of
/// their arguments; a text rule has a `pattern` (for code, PowerShell
/// expressions and WSH); a `builtin` rule is raised by the engine itself
/// (download-then-run chains) and only names the finding.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    pub code: String,
    pub title: String,
    /// Comma-separated in the file: sh, batch, powershell, shell (all
    /// three), python, perl, ruby, js, php, wsh, code (all code languages),
    /// arg, any. An unknown name is refused at load with its line.
    pub lang: RuleLangs,
    #[serde(default)]
    pub pattern: Option<String>,
    /// Literal strings (case-insensitive) one of which a text must hold
    /// before the pattern is tried.
    #[serde(default)]
    pub hints: Vec<String>,
    #[serde(default)]
    pub programs: Vec<String>,
    /// Any of these switches (`-x`, `/x`, `-x:v`, `--x=v`, case-insensitive).
    #[serde(default)]
    pub switches: Vec<String>,
    /// The first non-option argument is one of these.
    #[serde(default)]
    pub subcommands: Vec<String>,
    /// An argument of this shape: url, scheme-url, remote, unc, host.
    #[serde(default)]
    pub target: Option<String>,
    /// A redirection: out (stdout to a file), in, any, tcp (/dev/tcp).
    #[serde(default)]
    pub redirect: Option<String>,
    /// A command run on the remote side (an argument after the host, `ssh
    /// HOST 'cat > f'`) whose program is one of these.
    #[serde(default)]
    pub remote_command: Vec<String>,
    /// Text rules of code languages: a second pattern that must also occur
    /// somewhere in the file's code (a socket read and a file write).
    #[serde(default)]
    pub needs: Option<String>,
    #[serde(default)]
    pub role: Option<Role>,
    #[serde(default)]
    pub builtin: bool,
    /// The program fetches whatever address it is handed, so its target
    /// may come from its input: a line fed by `xargs`/`parallel`, a `read`
    /// or `for /f` loop variable, `$_` in a PowerShell pipeline, or a
    /// variable the file never sets when the command saves to a file.
    #[serde(default)]
    pub input: bool,
    /// The line of the rule's `[[rule]]` table (errors name it).
    #[serde(skip)]
    pub line: usize,
}

/// What a rule's match means for chains.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The command fetches (or sends) a file: later runs of it are chains.
    Download,
    /// Code that runs programs: reported only after a download.
    Exec,
}

/// A language a rule applies to (a group name covers several).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleLang {
    Sh,
    Batch,
    PowerShell,
    /// sh, batch and PowerShell.
    Shell,
    Python,
    Perl,
    Ruby,
    Js,
    Php,
    Wsh,
    Lua,
    Go,
    /// Every code language (and interpreter code of unknown language).
    Code,
    /// Code given to a program on its command line.
    Arg,
    /// Every language but `arg`.
    Any,
}

impl RuleLang {
    const NAMES: [(&'static str, RuleLang); 15] = [
        ("sh", RuleLang::Sh),
        ("batch", RuleLang::Batch),
        ("powershell", RuleLang::PowerShell),
        ("shell", RuleLang::Shell),
        ("python", RuleLang::Python),
        ("perl", RuleLang::Perl),
        ("ruby", RuleLang::Ruby),
        ("js", RuleLang::Js),
        ("php", RuleLang::Php),
        ("wsh", RuleLang::Wsh),
        ("lua", RuleLang::Lua),
        ("go", RuleLang::Go),
        ("code", RuleLang::Code),
        ("arg", RuleLang::Arg),
        ("any", RuleLang::Any),
    ];

    /// The language of this name, if it is one.
    pub fn from_name(name: &str) -> Option<RuleLang> {
        Self::NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, l)| *l)
    }

    pub fn name(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(_, l)| *l == self)
            .map(|(n, _)| *n)
            .unwrap_or("any")
    }

    /// Does this (possibly group) language cover the text language `lang`?
    pub fn covers(self, lang: RuleLang) -> bool {
        use RuleLang::*;
        self == lang
            || self == Shell && matches!(lang, Sh | Batch | PowerShell)
            || self == Code
                && matches!(
                    lang,
                    Python | Perl | Ruby | Js | Php | Wsh | Lua | Go | Code
                )
            || self == Any && lang != Arg
    }
}

/// The languages of a rule (`lang = "powershell,code"`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleLangs(pub Vec<RuleLang>);

impl RuleLangs {
    /// Does any of them cover `lang`?
    pub fn covers(&self, lang: RuleLang) -> bool {
        self.0.iter().any(|l| l.covers(lang))
    }
}

impl std::fmt::Display for RuleLangs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.0.iter().map(|l| l.name()).collect();
        f.write_str(&names.join(","))
    }
}

impl<'de> Deserialize<'de> for RuleLangs {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let mut out = Vec::new();
        for l in s.split(',').map(str::trim) {
            let lang = RuleLang::from_name(l).ok_or_else(|| {
                let known: Vec<&str> = RuleLang::NAMES.iter().map(|(n, _)| *n).collect();
                serde::de::Error::custom(format!(
                    "unknown lang {l:?} (known: {})",
                    known.join(", ")
                ))
            })?;
            out.push(lang);
        }
        Ok(RuleLangs(out))
    }
}

#[derive(Deserialize)]
struct RulesFile {
    rule: Vec<toml::Spanned<Rule>>,
}

/// Parse `commands.toml` text; each rule knows its line.
pub fn parse(text: &str) -> Result<Vec<Rule>, String> {
    let file = toml::from_str::<RulesFile>(text).map_err(|e| format!("commands.toml: {e}"))?;
    Ok(file
        .rule
        .into_iter()
        .map(|r| {
            let line = super::line_at(text, r.span().start);
            let mut r = r.into_inner();
            r.line = line;
            r
        })
        .collect())
}

/// Name the rule's line in a message about it (`commands.toml: ID: …`
/// becomes `commands.toml line N: ID: …`).
fn at_line(msg: String, r: &Rule) -> String {
    match msg.strip_prefix("commands.toml: ") {
        Some(rest) => format!("commands.toml line {}: {rest}", r.line),
        None => format!("commands.toml line {}: {}: {msg}", r.line, r.id),
    }
}

/// The compiled matchers of a rule list.
pub(super) struct RuleIndex {
    pub rule_codes: Vec<Code>,
    pub text_idx: Vec<usize>,
    pub by_program: HashMap<String, Vec<usize>>,
    pub triggers: AhoCorasick,
    /// The text rules' hints, for an [`automaton`] built when first needed.
    pub hints: Vec<String>,
}

/// A DFA over `pats`, ASCII case-insensitive: the trigger and hint
/// automata run over every script line, and an overlapping search with the
/// default (NFA) kind was a fifth of a script-heavy scan.
pub(super) fn automaton(pats: &[String]) -> Result<AhoCorasick, aho_corasick::BuildError> {
    aho_corasick::AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .kind(Some(aho_corasick::AhoCorasickKind::DFA))
        .build(pats)
}

/// Words that open a file to the rules besides program names and hints
/// (launchers and decoders of hidden commands).
const EXTRA_TRIGGERS: &[&str] = &[
    "powershell",
    "pwsh",
    "/dev/tcp",
    "/dev/udp",
    "base64",
    "frombase64string",
    "rev",
    "scriptblock",
];

/// A rule's finding code, after checking its fields fit together.
fn check(r: &Rule) -> Result<Code, String> {
    let code = Code::parse(&r.code)
        .ok_or_else(|| format!("commands.toml: {}: unknown code {}", r.id, r.code))?;
    if let Some(t) = &r.target
        && !["url", "scheme-url", "remote", "unc", "host"].contains(&t.as_str())
    {
        return Err(format!("commands.toml: {}: unknown target {t:?}", r.id));
    }
    if let Some(t) = &r.redirect
        && !["out", "in", "any", "tcp"].contains(&t.as_str())
    {
        return Err(format!("commands.toml: {}: unknown redirect {t:?}", r.id));
    }
    let kinds = [r.pattern.is_some(), !r.programs.is_empty(), r.builtin];
    if kinds.iter().filter(|k| **k).count() != 1 {
        return Err(format!(
            "commands.toml: {}: a rule has exactly one of pattern, programs, builtin",
            r.id
        ));
    }
    if r.pattern.is_some() && r.hints.is_empty() {
        return Err(format!("commands.toml: {}: a pattern needs hints", r.id));
    }
    if r.input && r.target.is_none() {
        return Err(format!(
            "commands.toml: {}: input is for rules with a target",
            r.id
        ));
    }
    if r.needs.is_some() && r.pattern.is_none() {
        return Err(format!(
            "commands.toml: {}: needs is for pattern rules",
            r.id
        ));
    }
    Ok(code)
}

/// Check a rule's regex as the byte-regex compiler will read it (parse
/// only: compiling waits for [`compile_text`]).
fn check_regex(id: &str, what: &str, p: Option<&String>) -> Result<(), String> {
    if let Some(p) = p {
        regex_syntax::ParserBuilder::new()
            .utf8(false)
            .build()
            .parse(&format!("(?-u){p}"))
            .map_err(|e| format!("commands.toml: {id}: {what}: {e}"))?;
    }
    Ok(())
}

fn regex(p: Option<&String>) -> Result<Option<Regex>, String> {
    p.map(|p| Regex::new(&format!("(?-u){p}")).map_err(|e| e.to_string()))
        .transpose()
}

/// The text rules' regexes, each compiled on first use: a scan that
/// analyses no script (a warm rescan reads every file's facts from the
/// cache) never pays for them, and a rule's own regex is compiled only once
/// the set has said it matches.
pub(super) struct TextMatchers {
    set: OnceLock<RegexSet>,
    regex: Vec<OnceLock<Option<Regex>>>,
    needs: Vec<OnceLock<Option<Regex>>>,
}

/// A regex checked by [`compile`]: failing to compile now is a bug.
fn compiled<T>(r: Result<T, String>) -> T {
    r.unwrap_or_else(|e| panic!("catalogue regexes were checked but do not compile: {e}"))
}

impl TextMatchers {
    pub fn new(rules: usize) -> TextMatchers {
        TextMatchers {
            set: OnceLock::new(),
            regex: (0..rules).map(|_| OnceLock::new()).collect(),
            needs: (0..rules).map(|_| OnceLock::new()).collect(),
        }
    }

    /// The set of the text rules' patterns, in `text_idx` order.
    pub fn set(&self, rules: &[Rule], text_idx: &[usize]) -> &RegexSet {
        self.set
            .get_or_init(|| compiled(regex_set(rules, text_idx)))
    }

    /// Rule `r`'s pattern.
    pub fn regex(&self, rules: &[Rule], r: usize) -> Option<&Regex> {
        self.regex[r]
            .get_or_init(|| compiled(regex(rules[r].pattern.as_ref())))
            .as_ref()
    }

    /// Rule `r`'s `needs` pattern.
    pub fn needs(&self, rules: &[Rule], r: usize) -> Option<&Regex> {
        self.needs[r]
            .get_or_init(|| compiled(regex(rules[r].needs.as_ref())))
            .as_ref()
    }

    /// Is any regex compiled yet?
    #[cfg(test)]
    pub fn any_compiled(&self) -> bool {
        self.set.get().is_some()
            || self
                .regex
                .iter()
                .chain(&self.needs)
                .any(|c| c.get().is_some())
    }
}

fn regex_set(rules: &[Rule], text_idx: &[usize]) -> Result<RegexSet, String> {
    // A lazy DFA cache large enough that the set's states are built once
    // per process, not again and again on script-heavy trees.
    regex::bytes::RegexSetBuilder::new(
        text_idx
            .iter()
            .map(|&i| format!("(?-u){}", rules[i].pattern.as_deref().unwrap_or_default())),
    )
    .dfa_size_limit(32 << 20)
    .build()
    .map_err(|e| e.to_string())
}

/// Compile every text-rule regex now (a test of the built-in catalogue).
#[cfg(test)]
pub(super) fn compile_all(rules: &[Rule], text_idx: &[usize]) -> Result<(), String> {
    regex_set(rules, text_idx)?;
    for r in rules {
        regex(r.pattern.as_ref())?;
        regex(r.needs.as_ref())?;
    }
    Ok(())
}

/// Check every rule and build the matchers. `parse_regexes`: check that
/// each regex parses, naming the rule if not (off for the built-in
/// catalogue, whose regexes a test compiles: parsing them all was ~8 ms of
/// every cold scan).
pub(super) fn compile(rules: &[Rule], parse_regexes: bool) -> Result<RuleIndex, String> {
    let mut rule_codes = Vec::new();
    let mut text_idx = Vec::new();
    let mut by_program: HashMap<String, Vec<usize>> = HashMap::new();
    let mut triggers: Vec<String> = EXTRA_TRIGGERS.iter().map(|t| t.to_string()).collect();
    let mut hints: Vec<String> = Vec::new();
    let mut ids = std::collections::HashSet::new();
    for (i, r) in rules.iter().enumerate() {
        if !ids.insert(r.id.clone()) {
            return Err(at_line(format!("commands.toml: duplicate id {}", r.id), r));
        }
        rule_codes.push(check(r).map_err(|e| at_line(e, r))?);
        if parse_regexes {
            check_regex(&r.id, "needs", r.needs.as_ref()).map_err(|e| at_line(e, r))?;
            check_regex(&r.id, "pattern", r.pattern.as_ref()).map_err(|e| at_line(e, r))?;
        }
        if r.pattern.is_some() {
            text_idx.push(i);
            triggers.extend(r.hints.iter().cloned());
            hints.extend(r.hints.iter().cloned());
        }
        for p in &r.programs {
            by_program
                .entry(p.to_ascii_lowercase())
                .or_default()
                .push(i);
            triggers.push(p.clone());
        }
    }
    let triggers = automaton(&triggers).map_err(|e| e.to_string())?;
    Ok(RuleIndex {
        rule_codes,
        text_idx,
        by_program,
        triggers,
        hints,
    })
}
