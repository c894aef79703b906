//! The knowledge: which programs move files (`tools.toml`) and which command
//! lines do (`commands.toml`), loaded once from data files compiled into the
//! binary and turned into fast matchers (one Aho-Corasick automaton for all
//! content markers, one ASCII regex set for the text rules, a program-name
//! index for the command rules, one prefilter automaton over every program
//! name and text-rule hint).

pub mod lang;

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use aho_corasick::AhoCorasick;
use regex::bytes::{Regex, RegexSet};
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::finding::{Code, Severity};

/// What kind of program a catalogue entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ToolClass {
    Transfer,
    Interpreter,
    Embedded,
    Package,
    /// Base-system program whose transfer uses show in command lines.
    Base,
}

/// Where a tool runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    Unix,
    Windows,
}

/// One catalogue entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tool {
    pub id: String,
    pub title: String,
    pub platform: Platform,
    pub class: ToolClass,
    pub severity: Severity,
    pub names: Vec<String>,
    #[serde(default)]
    pub markers: Vec<Vec<String>>,
    #[serde(default)]
    pub libs: Vec<String>,
    #[serde(default)]
    pub applets: Vec<String>,
    #[serde(default)]
    pub version: Vec<String>,
}

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
    /// Comma-separated: sh, batch, powershell, shell (all three), python,
    /// perl, ruby, js, php, wsh, code (all code languages), any.
    pub lang: String,
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
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub builtin: bool,
}

#[derive(Deserialize)]
struct ToolsFile {
    tool: Vec<Spanned<Tool>>,
}

#[derive(Deserialize)]
struct RulesFile {
    rule: Vec<Spanned<Rule>>,
}

/// A catalogue data file being loaded: its name and text, so that every
/// error names the file and the line.
#[derive(Clone, Copy)]
struct Source<'a> {
    file: &'a str,
    text: &'a str,
}

impl Source<'_> {
    fn error(self, offset: usize, reason: impl std::fmt::Display) -> String {
        let line = self.text[..offset.min(self.text.len())]
            .bytes()
            .filter(|&b| b == b'\n')
            .count()
            + 1;
        format!("{}:{line}: {reason}", self.file)
    }

    /// Deserialize the file; unknown keys and values are errors at their line.
    fn read<T: serde::de::DeserializeOwned>(self) -> Result<T, String> {
        toml::from_str(self.text)
            .map_err(|e| self.error(e.span().map_or(0, |s| s.start), e.message()))
    }
}

/// The loaded catalogue with its matchers.
pub struct Catalog {
    pub tools: Vec<Tool>,
    pub rules: Vec<Rule>,
    /// Finding code of each rule.
    pub rule_codes: Vec<Code>,
    /// All markers and busybox applet tokens in one automaton.
    markers: AhoCorasick,
    /// For each automaton pattern: what it stands for.
    marker_owner: Vec<MarkerRef>,
    /// Text rules: their indexes, one set, and each regex.
    text_idx: Vec<usize>,
    rule_set: RegexSet,
    /// Lowercased program name → command rules.
    by_program: HashMap<String, Vec<usize>>,
    /// Program names and text-rule hints (ASCII case-insensitive).
    triggers: AhoCorasick,
    /// Lowercased file name → tools installed under it.
    by_name: HashMap<String, Vec<usize>>,
    /// Lowercased PE version-resource name → tools.
    by_version: HashMap<String, Vec<usize>>,
}

#[derive(Clone, Copy, Debug)]
enum MarkerRef {
    /// Tool index, marker-set index, string index within the set.
    Marker(usize, usize, usize),
    /// Busybox applet: tool index, applet index.
    Applet(usize, usize),
}

/// A tool recognised by content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Identified {
    /// Index into [`Catalog::tools`].
    pub tool: usize,
    /// How it was recognised.
    pub how: String,
    /// Busybox applets with transfer uses found in its applet table.
    pub applets: Vec<String>,
}

static CATALOG: OnceLock<Catalog> = OnceLock::new();

/// The catalogue (parsed and compiled on first use).
pub fn get() -> &'static Catalog {
    CATALOG.get_or_init(|| {
        Catalog::parse(include_str!("tools.toml"), include_str!("commands.toml"))
            .unwrap_or_else(|e| panic!("built-in catalogue is invalid: {e}"))
    })
}

impl Catalog {
    /// Parse and compile catalogue data; an error names the file and line.
    pub fn parse(tools: &str, rules: &str) -> Result<Catalog, String> {
        let tools_src = Source {
            file: "tools.toml",
            text: tools,
        };
        let rules_src = Source {
            file: "commands.toml",
            text: rules,
        };
        let tools = tools_src.read::<ToolsFile>()?.tool;
        let rules = rules_src.read::<RulesFile>()?.rule;
        let t = ToolIndex::build(&tools, tools_src)?;
        let r = RuleIndex::build(&rules, rules_src)?;
        Ok(Catalog {
            tools: tools.into_iter().map(Spanned::into_inner).collect(),
            rules: rules.into_iter().map(Spanned::into_inner).collect(),
            rule_codes: r.rule_codes,
            markers: t.markers,
            marker_owner: t.marker_owner,
            text_idx: r.text_idx,
            rule_set: r.rule_set,
            by_program: r.by_program,
            triggers: r.triggers,
            by_name: t.by_name,
            by_version: t.by_version,
        })
    }

    /// Tools recognised in `content` by markers, and (for ELF) by needed
    /// libraries. Only tools of `platform` are considered (a Windows tool's
    /// markers inside a Linux binary say nothing).
    pub fn identify(
        &self,
        content: &[u8],
        needed: &[String],
        platform: Platform,
    ) -> Vec<Identified> {
        let mut seen: HashMap<(usize, usize), Vec<bool>> = HashMap::new();
        let mut applets: HashMap<usize, Vec<usize>> = HashMap::new();
        for m in self.markers.find_overlapping_iter(content) {
            match self.marker_owner[m.pattern().as_usize()] {
                MarkerRef::Marker(t, s, k) => {
                    let n = self.tools[t].markers[s].len();
                    seen.entry((t, s)).or_insert_with(|| vec![false; n])[k] = true;
                }
                MarkerRef::Applet(t, a) => {
                    let v = applets.entry(t).or_default();
                    if !v.contains(&a) {
                        v.push(a);
                    }
                }
            }
        }
        let mut out: Vec<Identified> = Vec::new();
        let mut sets: Vec<_> = seen
            .into_iter()
            .filter(|((t, _), v)| v.iter().all(|&b| b) && self.tools[*t].platform == platform)
            .map(|(k, _)| k)
            .collect();
        sets.sort();
        for (t, s) in sets {
            if out.iter().any(|i| i.tool == t) {
                continue;
            }
            let tool = &self.tools[t];
            let mut found: Vec<String> = applets
                .get(&t)
                .map(|v| v.iter().map(|&a| tool.applets[a].clone()).collect())
                .unwrap_or_default();
            found.sort();
            out.push(Identified {
                tool: t,
                how: format!(
                    "content marker {}",
                    tool.markers[s]
                        .iter()
                        .map(|m| format!("{m:?}"))
                        .collect::<Vec<_>>()
                        .join(" + ")
                ),
                applets: found,
            });
        }
        for lib in needed {
            for (t, tool) in self.tools.iter().enumerate() {
                if tool.platform == platform
                    && tool.libs.iter().any(|l| lib.starts_with(l.as_str()))
                    && !out.iter().any(|i| i.tool == t)
                {
                    out.push(Identified {
                        tool: t,
                        how: format!("links {lib}"),
                        applets: Vec::new(),
                    });
                }
            }
        }
        out
    }

    /// Tools whose PE version resource names match.
    pub fn identify_version(&self, original_filename: &str) -> Vec<usize> {
        let key = original_filename.trim().to_ascii_lowercase();
        let key = key.strip_suffix(".mui").unwrap_or(&key);
        self.by_version.get(key).cloned().unwrap_or_default()
    }

    /// Tools normally installed under this file name.
    pub fn tools_named(&self, file_name: &str) -> &[usize] {
        self.by_name
            .get(&file_name.to_ascii_lowercase())
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Does `file_name` fit `tool` (its names, versioned names such as
    /// `python3.11`, or, for busybox, one of its applets)?
    pub fn name_fits(&self, tool: usize, file_name: &str) -> bool {
        let t = &self.tools[tool];
        let f = file_name.to_ascii_lowercase();
        t.names.iter().any(|n| {
            let n = n.to_ascii_lowercase();
            f == n
                || f.strip_prefix(&n).is_some_and(|rest| {
                    // python3.11, perl5.36-x86_64-linux-gnu, wget2
                    rest.starts_with(|c: char| c.is_ascii_digit() || c == '.' || c == '-')
                })
        }) || t.applets.contains(&f)
    }

    /// Index of the rule with this id.
    pub fn rule_index(&self, id: &str) -> Option<usize> {
        self.rules.iter().position(|r| r.id == id)
    }

    /// Command rules naming this program (lowercased basename).
    pub fn rules_for_program(&self, prog: &str) -> Vec<usize> {
        self.by_program.get(prog).cloned().unwrap_or_default()
    }

    /// Text rules of `lang` matching `text`.
    pub fn text_rules(&self, text: &str, lang: &str) -> Vec<usize> {
        if !self.triggered(text.as_bytes()) {
            return Vec::new();
        }
        self.rule_set
            .matches(text.as_bytes())
            .into_iter()
            .map(|k| self.text_idx[k])
            .filter(|&r| crate::inspect::command::rules::applies(&self.rules[r].lang, lang))
            .collect()
    }

    /// Does `content` name any program or hint the rules know, as a word?
    /// Files that do not are not parsed.
    pub fn triggered(&self, content: &[u8]) -> bool {
        let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
        self.triggers.find_overlapping_iter(content).any(|m| {
            let pat_start_word = word(content[m.start()]);
            let before_ok = m.start() == 0 || !pat_start_word || !word(content[m.start() - 1]);
            let pat_end_word = word(content[m.end() - 1]);
            let after_ok = m.end() == content.len() || !pat_end_word || !word(content[m.end()]);
            before_ok && after_ok
        })
    }
}

/// The tool matchers: one automaton over every marker and applet, and the
/// name and version-resource indexes.
struct ToolIndex {
    markers: AhoCorasick,
    marker_owner: Vec<MarkerRef>,
    by_name: HashMap<String, Vec<usize>>,
    by_version: HashMap<String, Vec<usize>>,
}

impl ToolIndex {
    fn build(tools: &[Spanned<Tool>], src: Source<'_>) -> Result<ToolIndex, String> {
        let mut patterns: Vec<Vec<u8>> = Vec::new();
        let mut marker_owner = Vec::new();
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_version: HashMap<String, Vec<usize>> = HashMap::new();
        let mut ids = HashSet::new();
        for (t, spanned) in tools.iter().enumerate() {
            let (at, tool) = (spanned.span().start, spanned.get_ref());
            if !ids.insert(tool.id.as_str()) {
                return Err(src.error(at, format!("duplicate id {}", tool.id)));
            }
            if tool.names.is_empty() {
                return Err(src.error(at, format!("{}: no names", tool.id)));
            }
            for (m, set) in tool.markers.iter().enumerate() {
                if set.is_empty() || set.iter().any(String::is_empty) {
                    return Err(src.error(at, format!("{}: empty marker set or marker", tool.id)));
                }
                for (k, s) in set.iter().enumerate() {
                    patterns.push(s.as_bytes().to_vec());
                    marker_owner.push(MarkerRef::Marker(t, m, k));
                }
            }
            for (a, applet) in tool.applets.iter().enumerate() {
                // Applet tables are NUL-separated names.
                patterns.push([b"\0", applet.as_bytes(), b"\0"].concat());
                marker_owner.push(MarkerRef::Applet(t, a));
            }
            for n in &tool.names {
                by_name.entry(n.to_ascii_lowercase()).or_default().push(t);
            }
            let versions = if tool.version.is_empty() && tool.platform == Platform::Windows {
                &tool.names
            } else {
                &tool.version
            };
            for v in versions {
                by_version
                    .entry(v.to_ascii_lowercase())
                    .or_default()
                    .push(t);
            }
        }
        Ok(ToolIndex {
            markers: AhoCorasick::new(&patterns).map_err(|e| e.to_string())?,
            marker_owner,
            by_name,
            by_version,
        })
    }
}

/// The rule matchers: finding codes, the text-rule regex set, the program
/// index and the prefilter.
struct RuleIndex {
    rule_codes: Vec<Code>,
    text_idx: Vec<usize>,
    rule_set: RegexSet,
    by_program: HashMap<String, Vec<usize>>,
    triggers: AhoCorasick,
}

impl RuleIndex {
    fn build(rules: &[Spanned<Rule>], src: Source<'_>) -> Result<RuleIndex, String> {
        let mut rule_codes = Vec::new();
        let mut text_idx = Vec::new();
        let mut by_program: HashMap<String, Vec<usize>> = HashMap::new();
        let mut triggers: Vec<String> = Vec::new();
        let mut ids = HashSet::new();
        for (i, spanned) in rules.iter().enumerate() {
            let (at, r) = (spanned.span().start, spanned.get_ref());
            if !ids.insert(r.id.as_str()) {
                return Err(src.error(at, format!("duplicate id {}", r.id)));
            }
            rule_codes.push(check_rule(r).map_err(|e| src.error(at, format!("{}: {e}", r.id)))?);
            if r.pattern.is_some() {
                text_idx.push(i);
                triggers.extend(r.hints.iter().cloned());
            }
            for p in &r.programs {
                by_program
                    .entry(p.to_ascii_lowercase())
                    .or_default()
                    .push(i);
                triggers.push(p.clone());
            }
        }
        let rule_set = RegexSet::new(text_idx.iter().map(|&i| {
            let pattern = rules[i].get_ref().pattern.as_deref().unwrap_or_default();
            format!("(?-u){pattern}")
        }))
        .map_err(|e| e.to_string())?;
        triggers.extend(["powershell", "pwsh", "/dev/tcp", "/dev/udp"].map(String::from));
        let triggers = aho_corasick::AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .build(&triggers)
            .map_err(|e| e.to_string())?;
        Ok(RuleIndex {
            rule_codes,
            text_idx,
            rule_set,
            by_program,
            triggers,
        })
    }
}

/// Check one rule's values; its finding code.
fn check_rule(r: &Rule) -> Result<Code, String> {
    let code = Code::parse(&r.code).ok_or_else(|| format!("unknown code {}", r.code))?;
    lang::LangGroup::parse_list(&r.lang)?;
    if let Some(t) = &r.target
        && !["url", "scheme-url", "remote", "unc", "host"].contains(&t.as_str())
    {
        return Err(format!("unknown target {t:?}"));
    }
    if let Some(t) = &r.redirect
        && !["out", "in", "any", "tcp"].contains(&t.as_str())
    {
        return Err(format!("unknown redirect {t:?}"));
    }
    if let Some(role) = &r.role
        && !["download", "exec"].contains(&role.as_str())
    {
        return Err(format!("unknown role {role:?}"));
    }
    let kinds = [r.pattern.is_some(), !r.programs.is_empty(), r.builtin];
    if kinds.iter().filter(|k| **k).count() != 1 {
        return Err("a rule has exactly one of pattern, programs, builtin".into());
    }
    if let Some(p) = &r.pattern {
        if r.hints.is_empty() {
            return Err("a pattern needs hints".into());
        }
        Regex::new(&format!("(?-u){p}")).map_err(|e| e.to_string())?;
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalogue_loads_and_is_consistent() {
        let c = get();
        assert!(c.tools.len() > 40);
        assert!(c.rules.len() > 25);
        for t in &c.tools {
            assert!(!t.names.is_empty(), "{}", t.id);
            assert!(
                t.id.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{}",
                t.id
            );
        }
    }

    #[test]
    fn identifies_by_marker_and_applets() {
        let c = get();
        let ids = c.identify(
            b"\x7fELF....BusyBox v1.36\0[\0[[\0ash\0nc\0wget\0zcat\0",
            &[],
            Platform::Unix,
        );
        assert_eq!(ids.len(), 1);
        let t = &c.tools[ids[0].tool];
        assert_eq!(t.id, "busybox");
        assert_eq!(ids[0].applets, ["nc", "wget"]);
        assert!(c.name_fits(ids[0].tool, "wget"));
        assert!(!c.name_fits(ids[0].tool, "healthcheck"));
    }

    const TOOL: &str = "[[tool]]\nid = \"t\"\ntitle = \"t\"\nplatform = \"unix\"\nclass = \"transfer\"\nseverity = \"high\"\nnames = [\"t\"]\n";
    const RULE: &str = "[[rule]]\nid = \"r\"\ncode = \"download-command\"\ntitle = \"r\"\nlang = \"sh\"\nprograms = [\"t\"]\n";

    #[test]
    fn unknown_values_are_refused_at_load_with_file_and_line() {
        assert!(Catalog::parse(TOOL, RULE).is_ok());
        let two_tools = format!("{TOOL}\n{TOOL}");
        let tools_err = |t: &str| Catalog::parse(t, RULE).err().unwrap_or_default();
        let rules_err = |r: &str| Catalog::parse(TOOL, r).err().unwrap_or_default();
        let e = tools_err(&TOOL.replace("\"unix\"", "\"unixx\""));
        assert!(
            e.starts_with("tools.toml:4: unknown variant `unixx`"),
            "{e}"
        );
        let e = tools_err(&TOOL.replace("class", "klass"));
        assert!(e.starts_with("tools.toml:5: unknown field `klass`"), "{e}");
        let e = tools_err(&two_tools);
        assert!(e.starts_with("tools.toml:9: duplicate id t"), "{e}");
        let e = rules_err(&format!("\n{}", RULE.replace("\"sh\"", "\"sh,pyhton\"")));
        assert!(
            e.starts_with("commands.toml:2: r: unknown lang \"pyhton\""),
            "{e}"
        );
        let e = rules_err(&format!("{RULE}role = \"exe\"\n"));
        assert!(
            e.starts_with("commands.toml:1: r: unknown role \"exe\""),
            "{e}"
        );
        let e = rules_err(&RULE.replace("download-command", "download-comand"));
        assert!(e.starts_with("commands.toml:1: r: unknown code"), "{e}");
    }

    #[test]
    fn versioned_names_fit() {
        let c = get();
        let py = c.tools.iter().position(|t| t.id == "python").unwrap();
        assert!(c.name_fits(py, "python3.11"));
        assert!(!c.name_fits(py, "pythonista"));
    }
}
