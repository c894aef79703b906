//! Policies: a TOML file validated once into a typed [`Policy`] (unknown
//! keys, bad globs, missing reasons, expired entries are errors naming the
//! file, the key and the line; every problem of a file is reported in one
//! run, see [`validate`]), then [`Policy::evaluate`] decides allow / warn /
//! deny for each finding. Analyzers state facts; this is where they get a
//! meaning.

use std::collections::HashMap;

use globset::GlobMatcher;
use serde::Serialize;

use crate::delta::BaselineState;
use crate::error::{Error, Result};
use crate::facts::FindingRecord;
use crate::finding::{Code, Severity};
use crate::limits::{Limit, Limits};

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
    /// `allow`, `warn` or `deny`.
    pub fn parse(s: &str) -> Option<Action> {
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

mod validate;

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
    limits: Vec<(Limit, u64)>,
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

fn sev_index(s: Severity) -> usize {
    match s {
        Severity::Info => 0,
        Severity::Low => 1,
        Severity::Medium => 2,
        Severity::High => 3,
        Severity::Critical => 4,
    }
}

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
    /// Every problem found is in the one error returned.
    pub fn parse(text: &str, file: &str, today: &str) -> Result<Policy> {
        validate::policy(text, file, today)
    }

    /// Apply the policy's limits on top of `base`.
    pub fn limits(&self, base: Limits) -> Limits {
        base.with(&self.limits)
    }

    /// The limits the policy sets, in file order.
    pub fn limit_settings(&self) -> &[(Limit, u64)] {
        &self.limits
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
