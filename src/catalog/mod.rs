//! The knowledge: which programs move files (`tools.toml`) and which command
//! lines do (`commands.toml`), loaded once from data files compiled into the
//! binary and turned into fast matchers (one Aho-Corasick automaton for all
//! content markers, one ASCII regex set for the text rules, a program-name
//! index for the command rules, one prefilter automaton over every program
//! name and text-rule hint).

use std::collections::HashMap;
use std::sync::OnceLock;

use aho_corasick::AhoCorasick;
use regex::bytes::{Regex, RegexSet};
use serde::{Deserialize, Serialize};

use crate::finding::{Code, Severity};

pub mod lang;
mod rules;

use rules::RuleIndex;
pub use rules::{Role, Rule, RuleLang, RuleLangs};

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

#[derive(Deserialize)]
struct ToolsFile {
    tool: Vec<Tool>,
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
    rule_regex: Vec<Option<Regex>>,
    /// Each rule's `needs` pattern.
    rule_needs: Vec<Option<Regex>>,
    /// Lowercased program name → command rules.
    by_program: HashMap<String, Vec<usize>>,
    /// Program names and text-rule hints (ASCII case-insensitive).
    triggers: AhoCorasick,
    /// Text-rule hints alone: a text must hold one before the rule set is
    /// tried.
    hints: AhoCorasick,
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
    /// Parse and compile catalogue data.
    pub fn parse(tools: &str, rules: &str) -> Result<Catalog, String> {
        let tools = toml::from_str::<ToolsFile>(tools)
            .map_err(|e| format!("tools.toml: {e}"))?
            .tool;
        let rules = rules::parse(rules)?;
        let mut patterns: Vec<Vec<u8>> = Vec::new();
        let mut marker_owner = Vec::new();
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_version: HashMap<String, Vec<usize>> = HashMap::new();
        let mut ids = std::collections::HashSet::new();
        for (t, tool) in tools.iter().enumerate() {
            if !ids.insert(tool.id.clone()) {
                return Err(format!("tools.toml: duplicate id {}", tool.id));
            }
            for (m, set) in tool.markers.iter().enumerate() {
                if set.is_empty() {
                    return Err(format!("tools.toml: {}: empty marker set", tool.id));
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
        let markers = AhoCorasick::new(&patterns).map_err(|e| e.to_string())?;
        let RuleIndex {
            rule_codes,
            text_idx,
            rule_set,
            rule_regex,
            rule_needs,
            by_program,
            triggers,
            hints,
        } = rules::compile(&rules)?;
        Ok(Catalog {
            tools,
            rules,
            rule_codes,
            markers,
            marker_owner,
            text_idx,
            rule_set,
            rule_regex,
            rule_needs,
            by_program,
            triggers,
            hints,
            by_name,
            by_version,
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
    pub fn text_rules(&self, text: &str, lang: RuleLang) -> Vec<usize> {
        // Every pattern holds one of its hints: a text without any hint
        // matches none (one automaton pass before the regex set).
        if !self.hints.is_match(text.as_bytes()) {
            return Vec::new();
        }
        self.rule_set
            .matches(text.as_bytes())
            .into_iter()
            .map(|k| self.text_idx[k])
            .filter(|&r| self.rules[r].lang.covers(lang))
            .collect()
    }

    /// Does `code` (a file's code lines) hold what rule `r` needs besides
    /// its own pattern?
    pub fn needs_met(&self, r: usize, code: &str) -> bool {
        self.rule_needs[r]
            .as_ref()
            .is_none_or(|n| n.is_match(code.as_bytes()))
    }

    /// The text a text rule matched in `line`.
    pub fn rule_match<'l>(&self, rule: usize, line: &'l [u8]) -> Option<&'l [u8]> {
        self.rule_regex[rule]
            .as_ref()
            .and_then(|r| r.find(line))
            .map(|m| m.as_bytes())
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

    #[test]
    fn versioned_names_fit() {
        let c = get();
        let py = c.tools.iter().position(|t| t.id == "python").unwrap();
        assert!(c.name_fits(py, "python3.11"));
        assert!(!c.name_fits(py, "pythonista"));
    }

    #[test]
    fn unknown_lang_or_role_is_refused_with_its_line() {
        let tools = include_str!("tools.toml");
        let rule = |lang: &str, role: &str| {
            format!(
                "# a rule\n\n[[rule]]\nid = \"x\"\ncode = \"download-command\"\ntitle = \"t\"\nlang = \"{lang}\"\nrole = \"{role}\"\nprograms = [\"curl\"]\n"
            )
        };
        let e = Catalog::parse(tools, &rule("sh,pyton", "download"))
            .err()
            .expect("unknown lang refused");
        assert!(e.contains("line 7") && e.contains("\"pyton\""), "{e}");
        let e = Catalog::parse(tools, &rule("sh", "fetch"))
            .err()
            .expect("unknown role refused");
        assert!(e.contains("line 8") && e.contains("fetch"), "{e}");
        let ok = Catalog::parse(tools, &rule("powershell,code", "exec")).expect("valid rule");
        assert_eq!(ok.rules[0].role, Some(Role::Exec));
        assert!(ok.rules[0].lang.covers(RuleLang::Python));
        assert!(!ok.rules[0].lang.covers(RuleLang::Sh));
        assert_eq!(ok.rules[0].lang.to_string(), "powershell,code");
    }
}
