//! Policies: a TOML file validated once into a typed [`Policy`] (unknown
//! keys, bad globs, missing reasons, expired entries are errors naming the
//! file, the key and the line), then [`Policy::evaluate`] decides allow /
//! warn / deny for each finding. Analyzers state facts; this is where they
//! get a meaning.

use std::collections::{BTreeMap, HashMap};

use globset::{Glob, GlobBuilder, GlobMatcher};
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::delta::BaselineState;
use crate::error::{Error, Result};
use crate::facts::FindingRecord;
use crate::finding::{Code, Severity};
use crate::limits::{Limits, parse_size};

/// The shipped default policy.
pub const DEFAULT_POLICY: &str = include_str!("../../policies/default.toml");

/// What to do with a finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Allow,
    Warn,
    Deny,
}

impl Action {
    fn parse(s: &str) -> Option<Action> {
        match s {
            "allow" => Some(Action::Allow),
            "warn" => Some(Action::Warn),
            "deny" => Some(Action::Deny),
            _ => None,
        }
    }
    /// Lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Allow => "allow",
            Action::Warn => "warn",
            Action::Deny => "deny",
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    #[serde(default)]
    levels: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    codes: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    baseline: Option<RawBaseline>,
    #[serde(default)]
    limits: BTreeMap<String, Spanned<toml::Value>>,
    #[serde(default)]
    allow: Vec<Spanned<RawAllow>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBaseline {
    deny_states: Spanned<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAllow {
    code: Spanned<String>,
    #[serde(default)]
    path: Option<Spanned<String>>,
    #[serde(default)]
    sha256: Option<Spanned<String>>,
    #[serde(default)]
    image: Option<Spanned<String>>,
    #[serde(default)]
    reason: Option<Spanned<String>>,
    #[serde(default)]
    expires: Option<Spanned<String>>,
}

/// One allowlist entry.
#[derive(Clone, Debug)]
pub struct AllowEntry {
    /// Position in the file (0-based) and line.
    pub index: usize,
    pub line: usize,
    /// `None` for `code = "*"`.
    pub code: Option<Code>,
    pub path: Option<(String, GlobMatcher)>,
    pub sha256: Option<String>,
    pub image: Option<(String, GlobMatcher)>,
    pub reason: String,
    pub expires: Option<String>,
}

/// A validated policy.
#[derive(Clone, Debug)]
pub struct Policy {
    /// Where it came from (file path or "built-in default").
    pub source: String,
    levels: [Action; 5],
    codes: HashMap<Code, Action>,
    deny_states: Vec<BaselineState>,
    limits: BTreeMap<String, u64>,
    pub allow: Vec<AllowEntry>,
}

/// The decision about one finding.
#[derive(Clone, Debug, Serialize)]
pub struct Decision {
    pub action: Action,
    /// Why, in words.
    pub why: String,
    /// Index of the allow entry that matched.
    pub allowed_by: Option<usize>,
}

/// The result of evaluating all findings.
#[derive(Clone, Debug, Serialize)]
pub struct Evaluation {
    pub decisions: Vec<Decision>,
    /// Allow entries that matched nothing (worth pruning).
    pub unused_allow: Vec<String>,
    pub denied: usize,
    pub warned: usize,
    pub allowed: usize,
}

impl Evaluation {
    /// True when something was denied.
    pub fn failed(&self) -> bool {
        self.denied > 0
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())]
        .bytes()
        .filter(|&b| b == b'\n')
        .count()
        + 1
}

fn sev_index(s: Severity) -> usize {
    match s {
        Severity::Info => 0,
        Severity::Low => 1,
        Severity::Medium => 2,
        Severity::High => 3,
        Severity::Critical => 4,
    }
}

const LIMIT_KEYS: &[&str] = &[
    "max_layer_size",
    "max_image_size",
    "max_entries",
    "max_image_entries",
    "max_file_buffer",
    "max_link_depth",
    "max_json_size",
    "max_path_bytes",
    "max_package_db",
];

impl Policy {
    /// The built-in default policy.
    pub fn default_policy() -> Policy {
        Policy::parse(
            DEFAULT_POLICY,
            "built-in default policy",
            &crate::time::today(),
        )
        .expect("shipped default policy is valid")
    }

    /// The policy in `path`, or the built-in default.
    pub fn load_or_default(path: Option<&std::path::Path>) -> Result<Policy> {
        match path {
            Some(p) => Policy::load(p),
            None => Ok(Policy::default_policy()),
        }
    }

    /// Read and validate a policy file.
    pub fn load(path: &std::path::Path) -> Result<Policy> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Policy::parse(&text, &path.display().to_string(), &crate::time::today())
    }

    /// Validate policy text; `today` (YYYY-MM-DD) decides what has expired.
    pub fn parse(text: &str, file: &str, today: &str) -> Result<Policy> {
        let err = |offset: usize, key: &str, reason: String| Error::Policy {
            file: file.to_string(),
            line: line_of(text, offset),
            key: key.to_string(),
            reason,
        };
        let raw: RawPolicy = toml::from_str(text).map_err(|e| {
            let offset = e.span().map(|s| s.start).unwrap_or(0);
            let msg = e.message().to_string();
            let key = msg
                .split('`')
                .nth(1)
                .map(str::to_string)
                .unwrap_or_else(|| "(document)".into());
            err(offset, &key, msg)
        })?;
        let mut levels = [
            Action::Allow,
            Action::Allow,
            Action::Warn,
            Action::Deny,
            Action::Deny,
        ];
        for (k, v) in &raw.levels {
            let sev: Severity = k
                .parse()
                .map_err(|e: String| err(v.span().start, &format!("levels.{k}"), e))?;
            levels[sev_index(sev)] = Action::parse(v.get_ref()).ok_or_else(|| {
                err(
                    v.span().start,
                    &format!("levels.{k}"),
                    format!("{:?} is not allow, warn or deny", v.get_ref()),
                )
            })?;
        }
        let mut codes = HashMap::new();
        for (k, v) in &raw.codes {
            let code = Code::parse(k).ok_or_else(|| {
                err(
                    v.span().start,
                    &format!("codes.{k}"),
                    format!("unknown finding code {k:?} (see `stowaway explain`)"),
                )
            })?;
            let a = Action::parse(v.get_ref()).ok_or_else(|| {
                err(
                    v.span().start,
                    &format!("codes.{k}"),
                    format!("{:?} is not allow, warn or deny", v.get_ref()),
                )
            })?;
            codes.insert(code, a);
        }
        let mut deny_states = vec![BaselineState::New];
        if let Some(b) = &raw.baseline {
            deny_states.clear();
            for s in b.deny_states.get_ref() {
                deny_states.push(match s.as_str() {
                    "new" => BaselineState::New,
                    "unchanged" => BaselineState::Unchanged,
                    other => {
                        return Err(err(
                            b.deny_states.span().start,
                            "baseline.deny_states",
                            format!("{other:?} is not new or unchanged"),
                        ));
                    }
                });
            }
        }
        let mut limits = BTreeMap::new();
        for (k, v) in &raw.limits {
            if !LIMIT_KEYS.contains(&k.as_str()) {
                return Err(err(
                    v.span().start,
                    &format!("limits.{k}"),
                    format!("unknown limit (known: {})", LIMIT_KEYS.join(", ")),
                ));
            }
            let n = match v.get_ref() {
                toml::Value::Integer(i) if *i >= 0 => *i as u64,
                toml::Value::String(s) => {
                    parse_size(s).map_err(|e| err(v.span().start, &format!("limits.{k}"), e))?
                }
                other => {
                    return Err(err(
                        v.span().start,
                        &format!("limits.{k}"),
                        format!("{other} is not a size"),
                    ));
                }
            };
            limits.insert(k.clone(), n);
        }
        let mut allow = Vec::new();
        for (i, entry) in raw.allow.iter().enumerate() {
            let line = line_of(text, entry.span().start);
            let a = entry.get_ref();
            let key = |f: &str| format!("allow[{i}].{f}");
            let code = match a.code.get_ref().as_str() {
                "*" => None,
                c => Some(Code::parse(c).ok_or_else(|| {
                    err(
                        a.code.span().start,
                        &key("code"),
                        format!("unknown finding code {c:?}"),
                    )
                })?),
            };
            let glob = |v: &Option<Spanned<String>>,
                        field: &str|
             -> Result<Option<(String, GlobMatcher)>> {
                v.as_ref()
                    .map(|g| {
                        GlobBuilder::new(g.get_ref())
                            .literal_separator(true)
                            .build()
                            .map(|m| (g.get_ref().clone(), m.compile_matcher()))
                            .map_err(|e| err(g.span().start, &key(field), format!("bad glob: {e}")))
                    })
                    .transpose()
            };
            let path = glob(&a.path, "path")?;
            let image = a
                .image
                .as_ref()
                .map(|g| {
                    Glob::new(g.get_ref())
                        .map(|m| (g.get_ref().clone(), m.compile_matcher()))
                        .map_err(|e| err(g.span().start, &key("image"), format!("bad glob: {e}")))
                })
                .transpose()?;
            let sha256 = match &a.sha256 {
                Some(s) => {
                    let v = s.get_ref().strip_prefix("sha256:").unwrap_or(s.get_ref());
                    if crate::digest::Sha256::from_hex(v).is_none() {
                        return Err(err(
                            s.span().start,
                            &key("sha256"),
                            "not a sha256 (64 lowercase hex digits)".into(),
                        ));
                    }
                    Some(format!("sha256:{v}"))
                }
                None => None,
            };
            let reason = match &a.reason {
                Some(r) if !r.get_ref().trim().is_empty() => r.get_ref().clone(),
                _ => {
                    return Err(err(
                        entry.span().start,
                        &key("reason"),
                        "every allow entry needs a reason".into(),
                    ));
                }
            };
            let expires = match &a.expires {
                Some(x) => {
                    if !crate::time::is_date(x.get_ref()) {
                        return Err(err(
                            x.span().start,
                            &key("expires"),
                            format!("{:?} is not a YYYY-MM-DD date", x.get_ref()),
                        ));
                    }
                    if x.get_ref().as_str() < today {
                        return Err(err(
                            x.span().start,
                            &key("expires"),
                            format!(
                                "expired on {} (today is {today}); renew or remove it",
                                x.get_ref()
                            ),
                        ));
                    }
                    Some(x.get_ref().clone())
                }
                None => None,
            };
            if path.is_none() && sha256.is_none() && image.is_none() && code.is_none() {
                return Err(err(
                    entry.span().start,
                    &key("code"),
                    "an entry that matches every finding needs a path, sha256 or image".into(),
                ));
            }
            allow.push(AllowEntry {
                index: i,
                line,
                code,
                path,
                sha256,
                image,
                reason,
                expires,
            });
        }
        Ok(Policy {
            source: file.to_string(),
            levels,
            codes,
            deny_states,
            limits,
            allow,
        })
    }

    /// Apply the policy's limits on top of `base`.
    pub fn limits(&self, mut base: Limits) -> Limits {
        for (k, v) in &self.limits {
            match k.as_str() {
                "max_layer_size" => base.max_layer_bytes = *v,
                "max_image_size" => base.max_image_bytes = *v,
                "max_entries" => base.max_entries = *v,
                "max_image_entries" => base.max_image_entries = *v,
                "max_file_buffer" => base.max_file_buffer = *v as usize,
                "max_link_depth" => base.max_link_depth = *v as u32,
                "max_json_size" => base.max_json_bytes = *v,
                "max_path_bytes" => base.max_path_bytes = *v as usize,
                "max_package_db" => base.max_package_db = *v,
                _ => {}
            }
        }
        base
    }

    fn allow_matches(&self, a: &AllowEntry, f: &FindingRecord, image: &[&str]) -> bool {
        if let Some(c) = a.code
            && f.code != c.as_str()
        {
            return false;
        }
        if let Some((_, m)) = &a.path
            && !f.path.as_deref().is_some_and(|p| m.is_match(p))
        {
            return false;
        }
        if let Some(s) = &a.sha256
            && f.sha256.as_deref() != Some(s.as_str())
        {
            return false;
        }
        if let Some((_, m)) = &a.image
            && !image.iter().any(|i| m.is_match(i))
        {
            return false;
        }
        true
    }

    /// Decide every finding. `states` are the baseline states when a
    /// baseline was given; `image` the names the image goes by (reference,
    /// repository) for `image` patterns.
    pub fn evaluate(
        &self,
        findings: &[FindingRecord],
        states: Option<&[BaselineState]>,
        image: &[&str],
    ) -> Evaluation {
        let mut used = vec![false; self.allow.len()];
        let mut decisions = Vec::with_capacity(findings.len());
        for (i, f) in findings.iter().enumerate() {
            if let Some(a) = self.allow.iter().find(|a| self.allow_matches(a, f, image)) {
                used[a.index] = true;
                decisions.push(Decision {
                    action: Action::Allow,
                    why: format!(
                        "allowed by allow[{}] ({}:{}): {}",
                        a.index, self.source, a.line, a.reason
                    ),
                    allowed_by: Some(a.index),
                });
                continue;
            }
            let code = f.code();
            let (mut action, mut why) = match code.and_then(|c| self.codes.get(&c)) {
                Some(a) => (*a, format!("codes.{} = {}", f.code, a.as_str())),
                None => {
                    let a = self.levels[sev_index(f.severity)];
                    (a, format!("levels.{} = {}", f.severity, a.as_str()))
                }
            };
            if let Some(st) = states.and_then(|s| s.get(i))
                && action == Action::Deny
                && !self.deny_states.contains(st)
            {
                action = Action::Warn;
                why = format!(
                    "{why}, but {} since the baseline (only {} findings deny)",
                    st.as_str(),
                    self.deny_states
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join("/")
                );
            }
            decisions.push(Decision {
                action,
                why,
                allowed_by: None,
            });
        }
        let count = |a: Action| decisions.iter().filter(|d| d.action == a).count();
        Evaluation {
            denied: count(Action::Deny),
            warned: count(Action::Warn),
            allowed: count(Action::Allow),
            unused_allow: self
                .allow
                .iter()
                .filter(|a| !used[a.index])
                .map(|a| {
                    format!(
                        "allow[{}] ({}:{}): {}",
                        a.index, self.source, a.line, a.reason
                    )
                })
                .collect(),
            decisions,
        }
    }
}

#[cfg(test)]
mod tests;
