//! The knowledge: which programs move files (`tools.toml`) and which command
//! lines do (`commands.toml`), loaded once from data files compiled into the
//! binary and turned into fast matchers (one Aho-Corasick automaton for all
//! content markers, one ASCII regex set for the text rules, a program-name
//! index for the command rules, one prefilter automaton over every program
//! name and text-rule hint).

use std::collections::HashMap;
use std::sync::{Once, OnceLock};

use aho_corasick::AhoCorasick;
use serde::{Deserialize, Serialize};

use crate::finding::{Code, Severity};

mod allmatch;
pub mod lang;
mod rules;

pub use allmatch::AllMatches;

pub use rules::{Role, Rule, RuleLang, RuleLangs};
use rules::{RuleIndex, TextMatchers};

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
    tool: Vec<toml::Spanned<Tool>>,
}

/// The 1-based line of byte `offset` of `text` (for errors that name a
/// catalogue entry's line).
fn line_at(text: &str, offset: usize) -> usize {
    let before = text.get(..offset).unwrap_or(text);
    before.bytes().filter(|&b| b == b'\n').count() + 1
}

/// Parse `tools.toml` text: each tool and the line its table starts on.
fn parse_tools(text: &str) -> Result<(Vec<Tool>, Vec<usize>), String> {
    let file = toml::from_str::<ToolsFile>(text).map_err(|e| format!("tools.toml: {e}"))?;
    Ok(file
        .tool
        .into_iter()
        .map(|t| (line_at(text, t.span().start), t.into_inner()))
        .map(|(line, t)| (t, line))
        .unzip())
}

/// The loaded catalogue with its matchers.
pub struct Catalog {
    pub tools: Vec<Tool>,
    pub rules: Vec<Rule>,
    /// Finding code of each rule.
    pub rule_codes: Vec<Code>,
    /// All content markers in one matcher.
    markers: AllMatches,
    /// For each marker pattern: (tool, marker set, string in the set).
    marker_owner: Vec<(usize, usize, usize)>,
    /// Busybox applet tokens, searched only in a binary whose markers name
    /// a tool with applets.
    applets: AllMatches,
    /// For each applet pattern: (tool, applet index).
    applet_owner: Vec<(usize, usize)>,
    /// Text rules: their indexes, one set, and each regex.
    text_idx: Vec<usize>,
    /// The text rules' set, each rule's regex and `needs` pattern, compiled
    /// on first use.
    text: TextMatchers,
    /// Lowercased program name → command rules.
    by_program: HashMap<String, Vec<usize>>,
    /// Program names and text-rule hints (ASCII case-insensitive).
    triggers: AhoCorasick,
    /// Text-rule hints alone: a text must hold one before the rule set is
    /// tried. Built on first use (the built-in catalogue's text rules go
    /// through the prefilter, which has its own); `None` inside if it
    /// cannot be built (then every text goes to the set).
    hint_list: Vec<String>,
    hints: OnceLock<Option<AhoCorasick>>,
    /// Lowercased file name → tools installed under it.
    by_name: HashMap<String, Vec<usize>>,
    /// Lowercased PE version-resource name → tools.
    by_version: HashMap<String, Vec<usize>>,
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
        Catalog::parse_checked(
            include_str!("tools.toml"),
            include_str!("commands.toml"),
            false,
        )
        .unwrap_or_else(|e| panic!("built-in catalogue is invalid: {e}"))
    })
}

/// Start building the catalogue on a thread of its own (once per
/// process), so the first inspection finds it built or nearly: a layer
/// pass opens with one core inflating and the other waiting for data.
/// Without the thread the first user builds it, as before.
pub fn prewarm() {
    static STARTED: Once = Once::new();
    STARTED.call_once(|| {
        let _ = std::thread::Builder::new()
            .name("catalogue".into())
            .spawn(|| {
                get();
            });
    });
}

impl Catalog {
    /// Parse and compile catalogue data.
    pub fn parse(tools: &str, rules: &str) -> Result<Catalog, String> {
        Self::parse_checked(tools, rules, true)
    }

    /// [`Catalog::parse`]; `parse_regexes`: check that every rule regex
    /// parses, naming the rule if not (only the built-in catalogue, whose
    /// regexes a test compiles, goes without).
    fn parse_checked(tools: &str, rules: &str, parse_regexes: bool) -> Result<Catalog, String> {
        let (tools, lines) = parse_tools(tools)?;
        let rules = rules::parse(rules)?;
        let mut patterns: Vec<Vec<u8>> = Vec::new();
        let mut marker_owner = Vec::new();
        let mut applet_patterns: Vec<Vec<u8>> = Vec::new();
        let mut applet_owner = Vec::new();
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_version: HashMap<String, Vec<usize>> = HashMap::new();
        let mut ids = std::collections::HashSet::new();
        for (t, tool) in tools.iter().enumerate() {
            if !ids.insert(tool.id.clone()) {
                return Err(format!(
                    "tools.toml line {}: duplicate id {}",
                    lines[t], tool.id
                ));
            }
            for (m, set) in tool.markers.iter().enumerate() {
                if set.is_empty() {
                    return Err(format!(
                        "tools.toml line {}: {}: empty marker set",
                        lines[t], tool.id
                    ));
                }
                for (k, s) in set.iter().enumerate() {
                    patterns.push(s.as_bytes().to_vec());
                    marker_owner.push((t, m, k));
                }
            }
            for (a, applet) in tool.applets.iter().enumerate() {
                // Applet tables are NUL-separated names.
                applet_patterns.push([b"\0", applet.as_bytes(), b"\0"].concat());
                applet_owner.push((t, a));
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
        let markers = AllMatches::new(&patterns, false).map_err(|e| e.to_string())?;
        let applets = AllMatches::new(&applet_patterns, false).map_err(|e| e.to_string())?;
        let RuleIndex {
            rule_codes,
            text_idx,
            by_program,
            triggers,
            hints: hint_list,
        } = rules::compile(&rules, parse_regexes)?;
        let text = TextMatchers::new(rules.len());
        Ok(Catalog {
            tools,
            rules,
            rule_codes,
            markers,
            marker_owner,
            applets,
            applet_owner,
            text_idx,
            text,
            by_program,
            triggers,
            hint_list,
            hints: OnceLock::new(),
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
        self.markers.for_each(content, |p, _| {
            let (t, s, k) = self.marker_owner[p];
            let n = self.tools[t].markers[s].len();
            seen.entry((t, s)).or_insert_with(|| vec![false; n])[k] = true;
            std::ops::ControlFlow::Continue(())
        });
        let mut sets: Vec<_> = seen
            .into_iter()
            .filter(|((t, _), v)| v.iter().all(|&b| b) && self.tools[*t].platform == platform)
            .map(|(k, _)| k)
            .collect();
        sets.sort();
        let applets = self.applets_in(content, &sets);
        let mut out: Vec<Identified> = Vec::new();
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

    /// Busybox applet tokens in `content`, by tool, for the tools that its
    /// markers named (`sets`); other tools' applets are never reported.
    fn applets_in(&self, content: &[u8], sets: &[(usize, usize)]) -> HashMap<usize, Vec<usize>> {
        let mut applets: HashMap<usize, Vec<usize>> = HashMap::new();
        if !sets.iter().any(|&(t, _)| !self.tools[t].applets.is_empty()) {
            return applets;
        }
        self.applets.for_each(content, |p, _| {
            let (t, a) = self.applet_owner[p];
            let v = applets.entry(t).or_default();
            if !v.contains(&a) {
                v.push(a);
            }
            std::ops::ControlFlow::Continue(())
        });
        applets
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
        let hints = self
            .hints
            .get_or_init(|| rules::automaton(&self.hint_list).ok());
        if hints.as_ref().is_some_and(|h| !h.is_match(text.as_bytes())) {
            return Vec::new();
        }
        self.text
            .set(&self.rules, &self.text_idx)
            .matches(text.as_bytes())
            .into_iter()
            .map(|k| self.text_idx[k])
            .filter(|&r| self.rules[r].lang.covers(lang))
            .collect()
    }

    /// Does `code` (a file's code lines) hold what rule `r` needs besides
    /// its own pattern?
    pub fn needs_met(&self, r: usize, code: &str) -> bool {
        self.text
            .needs(&self.rules, r)
            .is_none_or(|n| n.is_match(code.as_bytes()))
    }

    /// The text a text rule matched in `line`.
    pub fn rule_match<'l>(&self, rule: usize, line: &'l [u8]) -> Option<&'l [u8]> {
        self.text
            .regex(&self.rules, rule)
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
        // The lazily compiled regexes compile.
        rules::compile_all(&c.rules, &c.text_idx).expect("text rules compile");
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

    /// A rule whose fields do not fit together, or name an unknown code,
    /// target or redirect, is refused naming the file, the rule's line and
    /// the rule; so is a second rule with the same id.
    #[test]
    fn rule_errors_name_the_file_and_line() {
        let tools = include_str!("tools.toml");
        let rules = |extra: &str| {
            format!(
                "# rules\n\n[[rule]]\nid = \"ok\"\ncode = \"download-command\"\ntitle = \"t\"\nlang = \"sh\"\nprograms = [\"curl\"]\n\n[[rule]]\nid = \"bad\"\ntitle = \"t\"\nlang = \"sh\"\n{extra}"
            )
        };
        let cases = [
            (
                "code = \"no-such-code\"\nprograms = [\"x\"]\n",
                "unknown code",
            ),
            (
                "code = \"download-command\"\nprograms = [\"x\"]\ntarget = \"urll\"\n",
                "unknown target",
            ),
            (
                "code = \"download-command\"\nprograms = [\"x\"]\nredirect = \"sideways\"\n",
                "unknown redirect",
            ),
            (
                "code = \"download-command\"\nprograms = [\"x\"]\npattern = \"x\"\nhints = [\"x\"]\n",
                "exactly one of",
            ),
            (
                "code = \"download-command\"\npattern = \"x(\"\nhints = [\"x\"]\n",
                "pattern",
            ),
        ];
        for (extra, what) in cases {
            let e = Catalog::parse(tools, &rules(extra)).err().expect(what);
            assert!(
                e.starts_with("commands.toml line 10: bad: ") && e.contains(what),
                "{what}: {e}"
            );
        }
        let dup =
            rules("code = \"download-command\"\nprograms = [\"x\"]\n").replace("\"bad\"", "\"ok\"");
        let e = Catalog::parse(tools, &dup).err().expect("duplicate id");
        assert!(
            e.starts_with("commands.toml line 10: duplicate id ok"),
            "{e}"
        );
        // A misspelt key is a bad shape, refused by the parser with its line.
        let e = Catalog::parse(
            tools,
            &rules("code = \"download-command\"\nprogams = [\"x\"]\n"),
        )
        .err()
        .expect("unknown key");
        assert!(
            e.contains("commands.toml") && e.contains("line 15") && e.contains("progams"),
            "{e}"
        );
    }

    /// A tool entry with an unknown value or key, a duplicate id or an
    /// empty marker set is refused naming `tools.toml` and the line.
    #[test]
    fn tool_errors_name_the_file_and_line() {
        let rules = include_str!("commands.toml");
        let tool = |id: &str, extra: &str| {
            format!(
                "[[tool]]\nid = \"{id}\"\ntitle = \"t\"\nplatform = \"unix\"\nclass = \"transfer\"\nseverity = \"high\"\nnames = [\"{id}\"]\n{extra}\n"
            )
        };
        let two = |extra: &str| format!("# tools\n{}{}", tool("a", ""), tool("b", extra));
        let e = Catalog::parse(&two("markers = [[]]"), rules)
            .err()
            .expect("empty set");
        assert!(
            e.starts_with("tools.toml line 10: b: empty marker set"),
            "{e}"
        );
        let dup = format!("# tools\n{}{}", tool("a", ""), tool("a", ""));
        let e = Catalog::parse(&dup, rules).err().expect("duplicate");
        assert!(e.starts_with("tools.toml line 10: duplicate id a"), "{e}");
        let e = Catalog::parse(
            &two("").replace(
                "\"unix\"\nclass = \"transfer\"\nseverity = \"high\"\nnames = [\"b\"]",
                "\"beos\"\nclass = \"transfer\"\nseverity = \"high\"\nnames = [\"b\"]",
            ),
            rules,
        )
        .err()
        .expect("unknown platform");
        assert!(
            e.contains("tools.toml") && e.contains("line 13") && e.contains("beos"),
            "{e}"
        );
        let e = Catalog::parse(&two("libz = [\"x\"]"), rules)
            .err()
            .expect("unknown key");
        assert!(
            e.contains("tools.toml") && e.contains("line 17") && e.contains("libz"),
            "{e}"
        );
    }

    #[test]
    fn bad_regex_is_refused_at_parse_and_good_ones_compile_on_first_use() {
        let tools = include_str!("tools.toml");
        let rule = |pattern: &str| {
            format!(
                "[[rule]]\nid = \"x\"\ncode = \"download-command\"\ntitle = \"t\"\nlang = \"sh\"\nhints = [\"zzfetch\"]\npattern = '{pattern}'\n"
            )
        };
        let e = Catalog::parse(tools, &rule("zzfetch(["))
            .err()
            .expect("unbalanced regex refused");
        assert!(e.contains("commands.toml line 1: x: pattern"), "{e}");
        let ok = Catalog::parse(tools, &rule(r"zzfetch\s+\S+")).expect("valid rule");
        assert!(!ok.text.any_compiled(), "nothing compiled before first use");
        assert_eq!(ok.text_rules("zzfetch http://x", RuleLang::Sh), vec![0]);
        assert_eq!(ok.rule_match(0, b"a zzfetch  y"), Some(&b"zzfetch  y"[..]));
        assert!(ok.text.any_compiled());
    }
}
