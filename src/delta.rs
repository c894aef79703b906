//! What changed between two images (an approved baseline and a candidate, or
//! any two): files added, removed and modified (by sha256), mode and owner
//! changes (setuid!), new executables, config changes; and for findings,
//! which are new, which unchanged, and which of the baseline's are resolved.

use std::collections::{BTreeMap, HashSet};
use std::fmt;

use schemars::JsonSchema;
use serde::Serialize;

use crate::facts::{FileRecord, FindingRecord, ImageFacts};
use crate::model::ImageConfig;

/// A finding's relation to the baseline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
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
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Changed {
    pub before: FileRecord,
    pub after: FileRecord,
}

/// A changed config field.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ConfigChange {
    pub field: ConfigField,
    pub before: ConfigValue,
    pub after: ConfigValue,
}

/// A config field the delta compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConfigField {
    Entrypoint,
    Cmd,
    User,
    Env,
    ExposedPorts,
    Healthcheck,
    WorkingDir,
}

impl ConfigField {
    /// The name, as in the JSON documents.
    pub fn as_str(self) -> &'static str {
        match self {
            ConfigField::Entrypoint => "entrypoint",
            ConfigField::Cmd => "cmd",
            ConfigField::User => "user",
            ConfigField::Env => "env",
            ConfigField::ExposedPorts => "exposed_ports",
            ConfigField::Healthcheck => "healthcheck",
            ConfigField::WorkingDir => "working_dir",
        }
    }
}

impl fmt::Display for ConfigField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The value of a config field, as the JSON documents write it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum ConfigValue {
    /// A list: entrypoint, cmd, env, exposed ports, a health check's test.
    List(Vec<String>),
    /// One value: user, working directory.
    Text(String),
    /// Not set (`null`).
    Unset,
}

impl From<&Vec<String>> for ConfigValue {
    fn from(v: &Vec<String>) -> ConfigValue {
        ConfigValue::List(v.clone())
    }
}

impl From<&Option<String>> for ConfigValue {
    fn from(v: &Option<String>) -> ConfigValue {
        v.clone().map_or(ConfigValue::Unset, ConfigValue::Text)
    }
}

impl From<&Option<Vec<String>>> for ConfigValue {
    fn from(v: &Option<Vec<String>>) -> ConfigValue {
        v.clone().map_or(ConfigValue::Unset, ConfigValue::List)
    }
}

/// As JSON (`["sh","-c"]`, `"root"`, `null`), the way the table shows it.
impl fmt::Display for ConfigValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&serde_json::to_string(self).map_err(|_| fmt::Error)?)
    }
}

/// The file-level and config delta between two images.
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
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
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
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
    d.config = config_changes(&before.config, &after.config);
    d.packages = package_changes(before, after);
    d
}

/// The config fields that differ between two images, in a fixed order.
fn config_changes(a: &ImageConfig, b: &ImageConfig) -> Vec<ConfigChange> {
    use ConfigField::*;
    let pairs: [(ConfigField, ConfigValue, ConfigValue); 7] = [
        (Entrypoint, (&a.entrypoint).into(), (&b.entrypoint).into()),
        (Cmd, (&a.cmd).into(), (&b.cmd).into()),
        (User, (&a.user).into(), (&b.user).into()),
        (Env, (&a.env).into(), (&b.env).into()),
        (
            ExposedPorts,
            (&a.exposed_ports).into(),
            (&b.exposed_ports).into(),
        ),
        (
            Healthcheck,
            (&a.healthcheck).into(),
            (&b.healthcheck).into(),
        ),
        (WorkingDir, (&a.working_dir).into(), (&b.working_dir).into()),
    ];
    pairs
        .into_iter()
        .filter(|(_, x, y)| x != y)
        .map(|(field, before, after)| ConfigChange {
            field,
            before,
            after,
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;

    fn rec(path: &str, kind: &str, mode: &str, sha: &str) -> FileRecord {
        FileRecord {
            path: path.into(),
            kind: kind.into(),
            mode: mode.into(),
            uid: 0,
            gid: 0,
            size: 1,
            sha256: Some(sha.into()),
            layer: 0,
        }
    }

    fn facts(files: Vec<FileRecord>) -> ImageFacts {
        ImageFacts {
            files,
            ..Default::default()
        }
    }

    fn paths(v: &[FileRecord]) -> Vec<&str> {
        v.iter().map(|f| f.path.as_str()).collect()
    }

    #[test]
    fn is_empty_only_when_nothing_changed() {
        let base = facts(vec![rec("/a", "file", "0644", "1")]);
        assert!(delta(&base, &base).is_empty());
        assert!(Delta::default().is_empty());
        let one = |f: &dyn Fn(&mut Delta)| {
            let mut d = Delta::default();
            f(&mut d);
            d.is_empty()
        };
        let r = rec("/a", "file", "0644", "1");
        let c = Changed {
            before: r.clone(),
            after: r.clone(),
        };
        assert!(!one(&|d| d.added.push(r.clone())));
        assert!(!one(&|d| d.removed.push(r.clone())));
        assert!(!one(&|d| d.modified.push(c.clone())));
        assert!(!one(&|d| d.permissions.push(c.clone())));
        assert!(!one(&|d| d.config.push(ConfigChange {
            field: ConfigField::User,
            before: ConfigValue::Unset,
            after: ConfigValue::Text("root".into()),
        })));
    }

    #[test]
    fn files_added_removed_modified_and_permissions() {
        let before = facts(vec![
            rec("/same", "file", "0644", "1"),
            rec("/gone", "file", "0644", "2"),
            rec("/content", "file", "0644", "3"),
            rec("/kind", "file", "0644", "4"),
            rec("/hl", "file", "0755", "5"),
            rec("/mode", "file", "0644", "6"),
            rec("/owner", "file", "0644", "7"),
            rec("/group", "file", "0644", "8"),
            rec("/suid", "file", "0755", "9"),
            rec("/keep-suid", "file", "4755", "a"),
        ]);
        let mut owner = rec("/owner", "file", "0644", "7");
        owner.uid = 1000;
        let mut group = rec("/group", "file", "0644", "8");
        group.gid = 1000;
        let after = facts(vec![
            rec("/same", "file", "0644", "1"),
            rec("/content", "file", "0755", "33"),
            rec("/kind", "symlink", "0644", "4"),
            rec("/hl", "hardlink", "0755", "5"),
            rec("/mode", "file", "0755", "6"),
            owner,
            group,
            rec("/suid", "file", "4755", "9"),
            rec("/keep-suid", "file", "4755", "a"),
            rec("/new", "file", "0644", "b"),
            rec("/new-exe", "file", "0700", "c"),
            rec("/new-sgid", "file", "2644", "d"),
        ]);
        let d = delta(&before, &after);
        assert!(!d.is_empty());
        assert_eq!(paths(&d.added), vec!["/new", "/new-exe", "/new-sgid"]);
        assert_eq!(paths(&d.removed), vec!["/gone"]);
        let m: Vec<&str> = d.modified.iter().map(|c| c.after.path.as_str()).collect();
        assert_eq!(m, vec!["/content", "/kind"]);
        assert_eq!(d.modified[0].before.sha256.as_deref(), Some("3"));
        assert_eq!(d.modified[0].after.sha256.as_deref(), Some("33"));
        let p: Vec<&str> = d
            .permissions
            .iter()
            .map(|c| c.after.path.as_str())
            .collect();
        assert_eq!(p, vec!["/group", "/mode", "/owner", "/suid"]);
        assert_eq!(d.new_executables, vec!["/content", "/mode", "/new-exe"]);
        assert_eq!(d.new_setuid, vec!["/new-sgid", "/suid"]);
        assert!(d.config.is_empty());
    }

    #[test]
    fn new_executables_only_when_they_become_executable() {
        let before = facts(vec![
            rec("/x", "file", "0755", "1"),
            rec("/d", "dir", "0755", "2"),
        ]);
        let mut owned = rec("/x", "file", "0755", "1");
        owned.uid = 5;
        let after = facts(vec![owned, rec("/d", "dir", "0700", "2")]);
        let d = delta(&before, &after);
        assert_eq!(d.permissions.len(), 2);
        assert!(d.new_executables.is_empty(), "{:?}", d.new_executables);
        // A directory is not an executable even when new.
        let d = delta(&facts(vec![]), &facts(vec![rec("/d", "dir", "0755", "2")]));
        assert!(d.new_executables.is_empty());
        assert_eq!(paths(&d.added), vec!["/d"]);
    }

    #[test]
    fn config_changes_are_listed_by_field() {
        let before = facts(vec![]);
        let mut after = facts(vec![]);
        after.config.entrypoint = vec!["/bin/sh".into()];
        after.config.cmd = vec!["x".into()];
        after.config.user = Some("0".into());
        after.config.env = vec!["A=1".into()];
        after.config.exposed_ports = vec!["80/tcp".into()];
        after.config.healthcheck = Some(vec!["CMD".into()]);
        after.config.working_dir = Some("/w".into());
        after.config.labels.insert("a".into(), "b".into());
        let d = delta(&before, &after);
        let fields: Vec<&str> = d.config.iter().map(|c| c.field.as_str()).collect();
        for c in &d.config {
            let json = serde_json::to_value(c.field).unwrap();
            assert_eq!(json, c.field.as_str(), "JSON and table name a field alike");
        }
        assert_eq!(
            fields,
            vec![
                "entrypoint",
                "cmd",
                "user",
                "env",
                "exposed_ports",
                "healthcheck",
                "working_dir"
            ]
        );
        assert_eq!(d.config[2].before, ConfigValue::Unset);
        assert_eq!(d.config[2].after, ConfigValue::Text("0".into()));
        // The documents write each as JSON did before it was typed.
        let json = |v: &ConfigValue| serde_json::to_string(v).unwrap();
        assert_eq!(json(&d.config[2].before), "null");
        assert_eq!(json(&d.config[2].after), "\"0\"");
        assert_eq!(d.config[2].before.to_string(), "null");
        let list = ConfigValue::from(&vec!["sh".to_string(), "-c".to_string()]);
        assert_eq!(list.to_string(), r#"["sh","-c"]"#);
        assert!(!d.is_empty());
    }

    #[test]
    fn finding_states_new_unchanged_resolved() {
        let f = |fp: &str| FindingRecord {
            fingerprint: fp.into(),
            code: "setuid-file".into(),
            severity: Severity::Medium,
            path: None,
            sha256: None,
            layer: None,
            title: String::new(),
            evidence: vec![],
            items: vec![],
            subject: None,
        };
        let mut base = facts(vec![]);
        base.findings = vec![f("kept"), f("fixed")];
        let (states, resolved) = finding_states(&base, &[f("kept"), f("fresh")]);
        assert_eq!(states, vec![BaselineState::Unchanged, BaselineState::New]);
        assert_eq!(resolved, vec![f("fixed")]);
        assert_eq!(BaselineState::New.as_str(), "new");
        assert_eq!(BaselineState::Unchanged.as_str(), "unchanged");
    }
}
