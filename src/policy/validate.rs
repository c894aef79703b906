//! Policy text → [`Policy`], one validator per section, every problem pushed
//! into one [`Problems`] list (cargo-deny's validation context is the model)
//! so a user fixes a policy in one round. A document TOML cannot read at all
//! (bad syntax, an unknown key, a value of the wrong type) stops at that one
//! problem; everything after that — levels, codes, baseline states, limits,
//! each allow entry — is checked in full.

use std::collections::{BTreeMap, HashMap};

use globset::{Glob, GlobBuilder, GlobMatcher};
use serde::Deserialize;
use toml::Spanned;

use crate::delta::BaselineState;
use crate::error::{Error, PolicyProblem, Result};
use crate::finding::{Code, Severity};
use crate::limits::{Limit, parse_size};

use super::{Action, AllowEntry, Policy, sev_index};

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

/// Every problem found so far, each with its file, line and key.
struct Problems<'a> {
    text: &'a str,
    file: &'a str,
    list: Vec<PolicyProblem>,
}

impl Problems<'_> {
    fn line_of(&self, offset: usize) -> usize {
        self.text[..offset.min(self.text.len())]
            .bytes()
            .filter(|&b| b == b'\n')
            .count()
            + 1
    }

    fn push(&mut self, offset: usize, key: impl Into<String>, reason: impl Into<String>) {
        let line = self.line_of(offset);
        self.list.push(PolicyProblem {
            file: self.file.to_string(),
            line,
            key: key.into(),
            reason: reason.into(),
        });
    }

    /// `value` when nothing was found, else every problem in file order.
    fn finish<T>(mut self, value: T) -> Result<T> {
        if self.list.is_empty() {
            return Ok(value);
        }
        self.list.sort_by_key(|p| p.line);
        Err(Error::Policy(self.list))
    }
}

/// Validate a whole policy.
pub(super) fn policy(text: &str, file: &str, today: &str) -> Result<Policy> {
    let mut problems = Problems {
        text,
        file,
        list: Vec::new(),
    };
    let raw: RawPolicy = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            let msg = e.message().to_string();
            let key = msg
                .split('`')
                .nth(1)
                .map_or_else(|| "(document)".to_string(), str::to_string);
            problems.push(e.span().map_or(0, |s| s.start), key, msg);
            return Err(Error::Policy(problems.list));
        }
    };
    let policy = Policy {
        source: file.to_string(),
        levels: levels(&raw.levels, &mut problems),
        codes: codes(&raw.codes, &mut problems),
        deny_states: deny_states(raw.baseline.as_ref(), &mut problems),
        limits: limits(&raw.limits, &mut problems),
        allow: raw
            .allow
            .iter()
            .enumerate()
            .filter_map(|(i, entry)| allow_entry(i, entry, today, &mut problems))
            .collect(),
    };
    problems.finish(policy)
}

fn action(v: &Spanned<String>, key: &str, problems: &mut Problems<'_>) -> Option<Action> {
    let a = Action::parse(v.get_ref());
    if a.is_none() {
        problems.push(
            v.span().start,
            key,
            format!("{:?} is not allow, warn or deny", v.get_ref()),
        );
    }
    a
}

fn levels(raw: &BTreeMap<String, Spanned<String>>, problems: &mut Problems<'_>) -> [Action; 5] {
    let mut levels = [
        Action::Allow,
        Action::Allow,
        Action::Warn,
        Action::Deny,
        Action::Deny,
    ];
    for (k, v) in raw {
        let key = format!("levels.{k}");
        let sev = k.parse::<Severity>();
        if let Err(e) = &sev {
            problems.push(v.span().start, &key, e.clone());
        }
        if let (Ok(sev), Some(a)) = (sev, action(v, &key, problems)) {
            levels[sev_index(sev)] = a;
        }
    }
    levels
}

fn codes(
    raw: &BTreeMap<String, Spanned<String>>,
    problems: &mut Problems<'_>,
) -> HashMap<Code, Action> {
    let mut codes = HashMap::new();
    for (k, v) in raw {
        let key = format!("codes.{k}");
        let code = Code::parse(k);
        if code.is_none() {
            problems.push(
                v.span().start,
                &key,
                format!("unknown finding code {k:?} (see `stowaway explain`)"),
            );
        }
        if let (Some(code), Some(a)) = (code, action(v, &key, problems)) {
            codes.insert(code, a);
        }
    }
    codes
}

fn deny_states(raw: Option<&RawBaseline>, problems: &mut Problems<'_>) -> Vec<BaselineState> {
    let Some(b) = raw else {
        return vec![BaselineState::New];
    };
    let mut states = Vec::new();
    for s in b.deny_states.get_ref() {
        match s.as_str() {
            "new" => states.push(BaselineState::New),
            "unchanged" => states.push(BaselineState::Unchanged),
            other => problems.push(
                b.deny_states.span().start,
                "baseline.deny_states",
                format!("{other:?} is not new or unchanged"),
            ),
        }
    }
    states
}

fn limits(
    raw: &BTreeMap<String, Spanned<toml::Value>>,
    problems: &mut Problems<'_>,
) -> Vec<(Limit, u64)> {
    let mut out = Vec::new();
    for (k, v) in raw {
        let key = format!("limits.{k}");
        let at = v.span().start;
        let Some(limit) = Limit::from_key(k) else {
            let known: Vec<&str> = Limit::ALL.iter().map(|l| l.key()).collect();
            problems.push(
                at,
                key,
                format!("unknown limit (known: {})", known.join(", ")),
            );
            continue;
        };
        match v.get_ref() {
            toml::Value::Integer(i) if *i >= 0 => out.push((limit, *i as u64)),
            toml::Value::String(s) => match parse_size(s) {
                Ok(n) => out.push((limit, n)),
                Err(e) => problems.push(at, key, e),
            },
            other => problems.push(at, key, format!("{other} is not a size")),
        }
    }
    out
}

/// One `[[allow]]` entry; `None` (with its problems pushed) when invalid.
fn allow_entry(
    i: usize,
    entry: &Spanned<RawAllow>,
    today: &str,
    problems: &mut Problems<'_>,
) -> Option<AllowEntry> {
    let before = problems.list.len();
    let at = entry.span().start;
    let a = entry.get_ref();
    let key = |f: &str| format!("allow[{i}].{f}");
    let code = match a.code.get_ref().as_str() {
        "*" => None,
        c => {
            let code = Code::parse(c);
            if code.is_none() {
                let reason = format!("unknown finding code {c:?}");
                problems.push(a.code.span().start, key("code"), reason);
            }
            code
        }
    };
    let path = glob(a.path.as_ref(), true, &key("path"), problems);
    let image = glob(a.image.as_ref(), false, &key("image"), problems);
    let sha256 = a
        .sha256
        .as_ref()
        .and_then(|s| sha256(s, &key("sha256"), problems));
    let reason = match &a.reason {
        Some(r) if !r.get_ref().trim().is_empty() => r.get_ref().clone(),
        _ => {
            problems.push(at, key("reason"), "every allow entry needs a reason");
            String::new()
        }
    };
    let expires = a
        .expires
        .as_ref()
        .and_then(|x| expires(x, today, &key("expires"), problems));
    let matches_all = a.code.get_ref() == "*";
    if matches_all && a.path.is_none() && a.sha256.is_none() && a.image.is_none() {
        problems.push(
            at,
            key("code"),
            "an entry that matches every finding needs a path, sha256 or image",
        );
    }
    (problems.list.len() == before).then(|| AllowEntry {
        index: i,
        line: problems.line_of(at),
        code,
        path,
        sha256,
        image,
        reason,
        expires,
    })
}

/// A path glob (`/` matched only literally) or an image glob.
fn glob(
    v: Option<&Spanned<String>>,
    literal_separator: bool,
    key: &str,
    problems: &mut Problems<'_>,
) -> Option<(String, GlobMatcher)> {
    let g = v?;
    let built = if literal_separator {
        GlobBuilder::new(g.get_ref())
            .literal_separator(true)
            .build()
    } else {
        Glob::new(g.get_ref())
    };
    match built {
        Ok(m) => Some((g.get_ref().clone(), m.compile_matcher())),
        Err(e) => {
            problems.push(g.span().start, key, format!("bad glob: {e}"));
            None
        }
    }
}

fn sha256(s: &Spanned<String>, key: &str, problems: &mut Problems<'_>) -> Option<String> {
    let v = s.get_ref().strip_prefix("sha256:").unwrap_or(s.get_ref());
    if crate::digest::Sha256::from_hex(v).is_none() {
        problems.push(
            s.span().start,
            key,
            "not a sha256 (64 lowercase hex digits)",
        );
        return None;
    }
    Some(format!("sha256:{v}"))
}

fn expires(
    x: &Spanned<String>,
    today: &str,
    key: &str,
    problems: &mut Problems<'_>,
) -> Option<String> {
    let date = x.get_ref();
    if !crate::time::is_date(date) {
        let reason = format!("{date:?} is not a YYYY-MM-DD date");
        problems.push(x.span().start, key, reason);
        return None;
    }
    if date.as_str() < today {
        let reason = format!("expired on {date} (today is {today}); renew or remove it");
        problems.push(x.span().start, key, reason);
        return None;
    }
    Some(date.clone())
}
