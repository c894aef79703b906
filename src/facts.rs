//! Image facts: what a scan learned about an image in a form that can be
//! stored, exported, compared and re-evaluated without rescanning: the
//! file manifest, the findings (with stable fingerprints) and the config.
//! The baseline stores these; the delta compares two of them.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::finding::{Code, Evidence, Finding, Severity, Subject};
use crate::fs::{ImageFs, Node};
use crate::layer::Entry;
use crate::model::EntryType;
use crate::path::ImagePath;
use crate::scan::Scan;
use crate::source::{ImageConfig, ImageRef};

/// One file of the final view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct FileRecord {
    pub path: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub mode: String,
    pub uid: u64,
    pub gid: u64,
    pub size: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    pub layer: usize,
}

impl FileRecord {
    /// Permission bits as a number.
    pub fn mode_bits(&self) -> u32 {
        u32::from_str_radix(&self.mode, 8).unwrap_or(0)
    }
    /// Looks like a program: an executable bit on a regular file.
    pub fn is_executable(&self) -> bool {
        (self.kind == "file" || self.kind == "hardlink") && self.mode_bits() & 0o111 != 0
    }
}

/// One finding, as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct FindingRecord {
    pub fingerprint: String,
    pub code: String,
    pub severity: Severity,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<usize>,
    pub title: String,
    #[serde(default)]
    pub evidence: Vec<String>,
    /// The evidence, structured.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<Evidence>,
    /// The line or build step the finding is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Subject>,
}

impl FindingRecord {
    /// The record of a live finding.
    pub fn of(f: &Finding) -> FindingRecord {
        FindingRecord {
            fingerprint: f.fingerprint(),
            code: f.code.as_str().to_string(),
            severity: f.severity,
            path: f.path.as_ref().map(|p| p.display()),
            sha256: f.sha256.map(|d| d.to_string()),
            layer: f.layer.as_ref().map(|l| l.index),
            title: f.title.to_string(),
            evidence: f.evidence.clone(),
            items: f.items.clone(),
            subject: f.subject.clone(),
        }
    }

    /// The code, if this build knows it.
    pub fn code(&self) -> Option<Code> {
        Code::parse(&self.code)
    }
}

/// Identity of an image.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ImageMeta {
    pub reference: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_digest: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
}

/// One installed package (from the image's package databases).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct PackageRecord {
    pub manager: String,
    pub name: String,
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arch: Option<String>,
}

/// Everything stored about an image.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageFacts {
    pub image: ImageMeta,
    pub config: ImageConfig,
    pub files: Vec<FileRecord>,
    pub findings: Vec<FindingRecord>,
    /// Installed packages, sorted (empty when the image has no package database).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub packages: Vec<PackageRecord>,
}

impl ImageFacts {
    /// Facts of a scan.
    pub fn of(scan: &Scan) -> ImageFacts {
        let (repository, tag) = repository_and_tag(&scan.image.reference);
        let repository = scan.image.repository.clone().or(repository);
        let mut facts = ImageFacts::of_fs(&scan.fs, &scan.findings);
        facts.config = scan.image.config.clone();
        facts.packages = scan
            .packages
            .packages
            .iter()
            .map(|p| PackageRecord {
                manager: p.manager.to_string(),
                name: p.name.clone(),
                version: p.version.clone(),
                arch: p.arch.clone(),
            })
            .collect();
        facts.packages.sort();
        facts.packages.dedup();
        facts.image = ImageMeta {
            reference: scan.image.reference.clone(),
            repository,
            tag,
            digest: scan.image.digest.map(|d| d.to_string()),
            config_digest: scan.image.config_digest.map(|d| d.to_string()),
            platform: scan.image.platform.clone(),
        };
        facts
    }

    /// Facts of a file system view and its findings (no image identity).
    pub fn of_fs(fs: &ImageFs, findings: &[Finding]) -> ImageFacts {
        ImageFacts {
            image: ImageMeta::default(),
            config: ImageConfig::default(),
            files: fs
                .nodes
                .values()
                .map(|n| FileRecord {
                    path: n.entry.path.display(),
                    kind: n.entry.kind.as_str().to_string(),
                    mode: format!("{:04o}", n.entry.mode),
                    uid: n.entry.uid,
                    gid: n.entry.gid,
                    size: n.entry.size,
                    sha256: n.entry.sha256.map(|d| d.to_string()),
                    layer: n.layer,
                })
                .collect(),
            findings: findings.iter().map(FindingRecord::of).collect(),
            packages: Vec::new(),
        }
    }
}

/// A file system view rebuilt from stored file records (an approved
/// baseline). Records of an unknown type are skipped; symlink targets are not
/// recorded, so links in this view have none.
pub fn view_of_records(files: &[FileRecord]) -> ImageFs {
    let mut fs = ImageFs::default();
    for f in files {
        let Some(kind) = EntryType::parse(&f.kind) else {
            continue;
        };
        let path = ImagePath::from_display(&f.path);
        let mut e = Entry::new(path.clone(), kind, f.mode_bits(), f.uid, f.gid);
        e.size = f.size;
        e.sha256 = f.sha256.as_deref().and_then(|s| s.parse().ok());
        fs.nodes.insert(
            path,
            Node {
                entry: e,
                layer: f.layer,
                added_in: f.layer,
                modified_in: Vec::new(),
            },
        );
    }
    fs
}

/// The repository and tag an image reference names, by the one reference
/// parser ([`ImageRef::parse`]); none for a reference that does not parse.
fn repository_and_tag(reference: &str) -> (Option<String>, Option<String>) {
    ImageRef::parse(reference)
        .map(|r| r.repository_and_tag())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::repository_and_tag;

    #[test]
    fn repositories() {
        assert_eq!(
            repository_and_tag("oci:/x/app:1.0"),
            (Some("app".into()), Some("1.0".into()))
        );
        assert_eq!(
            repository_and_tag("docker://registry.example.com/team/app:2"),
            (
                Some("registry.example.com/team/app".into()),
                Some("2".into())
            )
        );
        // docker-archive names are FILE:REPO:TAG with FILE an existing file.
        let dir = tempfile::tempdir().unwrap();
        let tar = dir.path().join("a.tar");
        std::fs::write(&tar, b"").unwrap();
        let tar = tar.display();
        assert_eq!(
            repository_and_tag(&format!("docker-archive:{tar}:team/app:3")),
            (Some("team/app".into()), Some("3".into()))
        );
        assert_eq!(
            repository_and_tag(&format!("docker-archive:{tar}")),
            (None, None)
        );
        assert_eq!(
            repository_and_tag("registry:5000/app"),
            (Some("registry:5000/app".into()), None)
        );
        // The same parser as the scan: a digest is not a tag, a registry
        // port is not a tag, a docker-archive REPO may have a port.
        assert_eq!(
            repository_and_tag(&format!(
                "docker://reg:5000/app:7@sha256:{}",
                "a".repeat(64)
            )),
            (Some("reg:5000/app".into()), Some("7".into()))
        );
        assert_eq!(
            repository_and_tag(&format!("oci:/x/app@sha256:{}", "b".repeat(64))),
            (Some("app".into()), None)
        );
        assert_eq!(
            repository_and_tag(&format!("docker-archive:{tar}:reg:5000/team/app:3")),
            (Some("reg:5000/team/app".into()), Some("3".into()))
        );
        assert_eq!(
            repository_and_tag("dir:/srv/rootfs/"),
            (Some("rootfs".into()), None)
        );
        assert_eq!(
            repository_and_tag("containers-storage:localhost/app:2"),
            (Some("localhost/app".into()), Some("2".into()))
        );
        assert_eq!(
            repository_and_tag(&format!("docker-daemon:sha256:{}", "c".repeat(64))),
            (None, None)
        );
    }
}
