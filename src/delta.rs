//! What changed between two images (an approved baseline and a candidate, or
//! any two): files added, removed and modified (by sha256), mode and owner
//! changes (setuid!), new executables, config changes; and for findings,
//! which are new, which unchanged, and which of the baseline's are resolved.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;
use serde_json::{Value, json};

use crate::facts::{FileRecord, FindingRecord, ImageFacts};

/// A finding's relation to the baseline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BaselineState {
    /// Not in the baseline.
    New,
    /// In the baseline too (same code, path and content).
    Unchanged,
}

impl BaselineState {
    /// Lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            BaselineState::New => "new",
            BaselineState::Unchanged => "unchanged",
        }
    }
}

/// A changed file.
#[derive(Clone, Debug, Serialize)]
pub struct Changed {
    pub before: FileRecord,
    pub after: FileRecord,
}

/// A changed config field.
#[derive(Clone, Debug, Serialize)]
pub struct ConfigChange {
    pub field: &'static str,
    pub before: Value,
    pub after: Value,
}

/// The file-level and config delta between two images.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Delta {
    pub added: Vec<FileRecord>,
    pub removed: Vec<FileRecord>,
    /// Content (sha256), type or link target changed.
    pub modified: Vec<Changed>,
    /// Mode or owner changed (content unchanged).
    pub permissions: Vec<Changed>,
    /// Executables that are new, or that became executable.
    pub new_executables: Vec<String>,
    /// Files that gained setuid/setgid.
    pub new_setuid: Vec<String>,
    pub config: Vec<ConfigChange>,
    /// Packages added, removed or at another version (when both sides
    /// recorded their package databases).
    #[serde(default)]
    pub packages: Vec<PackageChange>,
}

/// A package added, removed, or installed at another version.
#[derive(Clone, Debug, Serialize)]
pub struct PackageChange {
    /// `added`, `removed`, or `upgraded` (another version: up or down).
    pub change: &'static str,
    pub manager: String,
    pub name: String,
    pub arch: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl Delta {
    /// True when nothing changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.modified.is_empty()
            && self.permissions.is_empty()
            && self.config.is_empty()
            && self.packages.is_empty()
    }
}

/// Compare `before` with `after`.
pub fn delta(before: &ImageFacts, after: &ImageFacts) -> Delta {
    let old: BTreeMap<&str, &FileRecord> =
        before.files.iter().map(|f| (f.path.as_str(), f)).collect();
    let new: BTreeMap<&str, &FileRecord> =
        after.files.iter().map(|f| (f.path.as_str(), f)).collect();
    let mut d = Delta::default();
    for (p, n) in &new {
        match old.get(p) {
            None => {
                d.added.push((*n).clone());
                if n.is_executable() {
                    d.new_executables.push(p.to_string());
                }
                if n.mode_bits() & 0o6000 != 0 {
                    d.new_setuid.push(p.to_string());
                }
            }
            Some(o) => {
                let pair = Changed {
                    before: (*o).clone(),
                    after: (*n).clone(),
                };
                // A hardlink and a regular file with the same bytes are the same
                // file (a root filesystem on disk cannot tell them apart).
                let kind = |k: &str| {
                    if k == "hardlink" {
                        "file".to_string()
                    } else {
                        k.to_string()
                    }
                };
                if o.sha256 != n.sha256 || kind(&o.kind) != kind(&n.kind) {
                    if n.is_executable() {
                        d.new_executables.push(p.to_string());
                    }
                    d.modified.push(pair.clone());
                } else if o.mode != n.mode || o.uid != n.uid || o.gid != n.gid {
                    if n.is_executable() && !o.is_executable() {
                        d.new_executables.push(p.to_string());
                    }
                    d.permissions.push(pair.clone());
                }
                if n.mode_bits() & 0o6000 & !o.mode_bits() != 0 {
                    d.new_setuid.push(p.to_string());
                }
            }
        }
    }
    for (p, o) in &old {
        if !new.contains_key(p) {
            d.removed.push((*o).clone());
        }
    }
    let (a, b) = (&before.config, &after.config);
    let mut cfg = |field: &'static str, x: Value, y: Value| {
        if x != y {
            d.config.push(ConfigChange {
                field,
                before: x,
                after: y,
            });
        }
    };
    cfg("entrypoint", json!(a.entrypoint), json!(b.entrypoint));
    cfg("cmd", json!(a.cmd), json!(b.cmd));
    cfg("user", json!(a.user), json!(b.user));
    cfg("env", json!(a.env), json!(b.env));
    cfg(
        "exposed_ports",
        json!(a.exposed_ports),
        json!(b.exposed_ports),
    );
    cfg("healthcheck", json!(a.healthcheck), json!(b.healthcheck));
    cfg("working_dir", json!(a.working_dir), json!(b.working_dir));
    d.packages = package_changes(before, after);
    d
}

/// Package changes; nothing when the baseline recorded no packages (an
/// approval made before package databases were read).
fn package_changes<'a>(before: &'a ImageFacts, after: &'a ImageFacts) -> Vec<PackageChange> {
    if before.packages.is_empty() {
        return Vec::new();
    }
    type Key<'a> = (&'a str, &'a str, Option<&'a str>);
    let index = |f: &'a ImageFacts| -> BTreeMap<Key<'a>, &'a str> {
        f.packages
            .iter()
            .map(|p| {
                (
                    (p.manager.as_str(), p.name.as_str(), p.arch.as_deref()),
                    p.version.as_str(),
                )
            })
            .collect()
    };
    let (old, new) = (index(before), index(after));
    let change = |c: &'static str, k: &Key<'_>, b: Option<&str>, a: Option<&str>| PackageChange {
        change: c,
        manager: k.0.to_string(),
        name: k.1.to_string(),
        arch: k.2.map(str::to_string),
        before: b.map(str::to_string),
        after: a.map(str::to_string),
    };
    let mut out = Vec::new();
    for (k, v) in &new {
        match old.get(k) {
            None => out.push(change("added", k, None, Some(v))),
            Some(o) if o != v => out.push(change("upgraded", k, Some(o), Some(v))),
            Some(_) => {}
        }
    }
    for (k, v) in &old {
        if !new.contains_key(k) {
            out.push(change("removed", k, Some(v), None));
        }
    }
    out
}

/// The baseline state of each of `findings`, and the baseline findings that
/// are gone (resolved).
pub fn finding_states(
    baseline: &ImageFacts,
    findings: &[FindingRecord],
) -> (Vec<BaselineState>, Vec<FindingRecord>) {
    let known: HashSet<&str> = baseline
        .findings
        .iter()
        .map(|f| f.fingerprint.as_str())
        .collect();
    let current: HashSet<&str> = findings.iter().map(|f| f.fingerprint.as_str()).collect();
    let states = findings
        .iter()
        .map(|f| {
            if known.contains(f.fingerprint.as_str()) {
                BaselineState::Unchanged
            } else {
                BaselineState::New
            }
        })
        .collect();
    let resolved = baseline
        .findings
        .iter()
        .filter(|f| !current.contains(f.fingerprint.as_str()))
        .cloned()
        .collect();
    (states, resolved)
}
