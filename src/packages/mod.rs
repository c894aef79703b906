//! Package databases read from the squashed image: which package installed
//! each file and the digest its package manager recorded for it. The
//! database files' bytes were captured during the single layer pass
//! ([`crate::layer::PkgData`]), so the last state of each database wins,
//! whiteouts included, and no layer is read again. A fact for `analyze`,
//! not a verdict.
//!
//! - dpkg: `var/lib/dpkg/status` (+ `status.d/`), `info/*.list`,
//!   `info/*.md5sums`, conffile MD5s in `status` ([`dpkg`]);
//! - apk: `lib/apk/db/installed`, SHA-1 per file ([`apk`]);
//! - rpm: `rpmdb.sqlite` header blobs ([`rpm`]); Berkeley DB / ndb
//!   databases are reported as not read.

pub mod apk;
pub mod dpkg;
pub mod rpm;
#[cfg(test)]
pub(crate) mod testimage;

use std::collections::HashMap;

use crate::finding::{Code, Finding, Integrity, PackageRef};
use crate::fs::{ImageFs, Node};
use crate::layer::EntryType;
use crate::limits::Limit;
use crate::path::ImagePath;

/// Symlinks followed when placing a database path in the image (`/bin` → `usr/bin`).
const MAX_LINKS: u32 = 40;

/// A digest a package manager recorded for a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Recorded {
    Md5([u8; 16]),
    Sha1([u8; 20]),
    Sha256([u8; 32]),
    /// An algorithm Stowaway does not compute (rpm SHA-384/512, …).
    Other(&'static str),
}

impl Recorded {
    fn algorithm(&self) -> &'static str {
        match self {
            Recorded::Md5(_) => "md5",
            Recorded::Sha1(_) => "sha1",
            Recorded::Sha256(_) => "sha256",
            Recorded::Other(a) => a,
        }
    }
    fn hex(&self) -> String {
        match self {
            Recorded::Md5(d) => hex::encode(d),
            Recorded::Sha1(d) => hex::encode(d),
            Recorded::Sha256(d) => hex::encode(d),
            Recorded::Other(_) => String::new(),
        }
    }
}

/// One installed package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Package {
    pub manager: &'static str,
    pub name: String,
    pub version: String,
    pub arch: Option<String>,
}

/// A file a package installed, as the database records it.
#[derive(Clone, Debug)]
pub struct Owned {
    /// Index into [`PackageDb::packages`].
    pub package: usize,
    pub digest: Option<Recorded>,
    /// A configuration file the admin may edit (dpkg conffile, rpm %config).
    pub conffile: bool,
}

/// A file's package and its state against the recorded digest.
#[derive(Clone, Debug)]
pub struct Ownership<'a> {
    pub package: &'a Package,
    pub owned: &'a Owned,
    pub integrity: Integrity,
    /// The file's own digest in the recorded algorithm, when it could be computed.
    pub actual: Option<String>,
}

impl Ownership<'_> {
    /// The reference findings and inventory entries carry.
    pub fn to_ref(&self) -> PackageRef {
        PackageRef {
            manager: self.package.manager.to_string(),
            name: self.package.name.clone(),
            version: self.package.version.clone(),
            arch: self.package.arch.clone(),
            integrity: self.integrity,
        }
    }
    /// `curl 7.88.1-10 (dpkg)`.
    pub fn package_label(&self) -> String {
        format!(
            "{} {} ({})",
            self.package.name, self.package.version, self.package.manager
        )
    }
    /// `md5:…` of what the package manager recorded.
    pub fn expected(&self) -> String {
        match &self.owned.digest {
            Some(d) => format!("{}:{}", d.algorithm(), d.hex()),
            None => "none recorded".into(),
        }
    }
}

/// Every package database found in an image, merged.
#[derive(Clone, Debug, Default)]
pub struct PackageDb {
    pub packages: Vec<Package>,
    /// Owned files by their path in the image (database paths resolved
    /// through the image's directory symlinks).
    pub files: HashMap<ImagePath, Owned>,
    /// Databases present but not read, and database files that do not parse.
    pub notices: Vec<Finding>,
}

/// What a database parser hands back: packages and their files by the
/// path the database gives (absolute or relative).
#[derive(Default)]
pub(crate) struct Parsed {
    pub packages: Vec<Package>,
    pub files: Vec<(Vec<u8>, Owned)>,
    pub notices: Vec<Finding>,
}

impl PackageDb {
    /// Read every package database in the squashed image.
    pub fn read(fs: &ImageFs) -> PackageDb {
        let mut db = PackageDb::default();
        for parsed in [dpkg::read(fs), apk::read(fs), rpm::read(fs)] {
            db.merge(fs, parsed);
        }
        db
    }

    /// True when no package database was found.
    pub fn is_empty(&self) -> bool {
        self.packages.is_empty()
    }

    fn merge(&mut self, fs: &ImageFs, p: Parsed) {
        let base = self.packages.len();
        self.packages.extend(p.packages);
        self.notices.extend(p.notices);
        let mut dirs: HashMap<ImagePath, ImagePath> = HashMap::new();
        for (raw, mut owned) in p.files {
            owned.package += base;
            let path = ImagePath::new(&raw);
            let parent = path.parent();
            let dir = dirs
                .entry(parent.clone())
                .or_insert_with(|| match fs.resolve(parent.as_bytes(), MAX_LINKS) {
                    Ok(r) => r.path,
                    Err(_) => parent.clone(),
                })
                .clone();
            self.files.insert(dir.join(path.file_name()), owned);
        }
    }

    /// The package that installed `path` (a visible node), and whether
    /// the node's bytes are still what was installed.
    pub fn owner<'a>(&'a self, path: &ImagePath, node: &Node) -> Option<Ownership<'a>> {
        let owned = self.files.get(path)?;
        let package = &self.packages[owned.package];
        let (integrity, actual) = check(owned, node);
        Some(Ownership {
            package,
            owned,
            integrity,
            actual,
        })
    }

    /// Packaged files with this exact sha256 (to name the origin of copies).
    pub fn by_sha256<'a>(
        &'a self,
        fs: &'a ImageFs,
    ) -> HashMap<crate::digest::Sha256, &'a ImagePath> {
        let mut m = HashMap::new();
        for path in self.files.keys() {
            if let Some(n) = fs.get(path)
                && n.entry.kind.has_content()
                && let Some(d) = n.entry.sha256
            {
                m.entry(d).or_insert(path);
            }
        }
        m
    }
}

fn check(owned: &Owned, node: &Node) -> (Integrity, Option<String>) {
    let e = &node.entry;
    if !e.kind.has_content() {
        // Directories and symlinks: ownership only.
        return (Integrity::Unverifiable, None);
    }
    let Some(digest) = &owned.digest else {
        return (Integrity::Unverifiable, None);
    };
    // Files in a package manager's own state directories are not hashed.
    let pkg = e.pkg.as_ref().filter(|p| !p.unhashed);
    let actual: Option<Vec<u8>> = match digest {
        Recorded::Md5(_) => pkg.map(|p| p.md5.to_vec()),
        Recorded::Sha1(_) => pkg.map(|p| p.sha1.to_vec()),
        Recorded::Sha256(_) => e.sha256.map(|d| d.0.to_vec()),
        Recorded::Other(_) => None,
    };
    let Some(actual) = actual else {
        return (Integrity::Unverifiable, None);
    };
    let expected: &[u8] = match digest {
        Recorded::Md5(d) => d,
        Recorded::Sha1(d) => d,
        Recorded::Sha256(d) => d,
        Recorded::Other(_) => &[],
    };
    let state = if actual == expected {
        Integrity::Verified
    } else {
        Integrity::Modified
    };
    (
        state,
        Some(format!("{}:{}", digest.algorithm(), hex::encode(actual))),
    )
}

/// The captured bytes of a database file in the final view, or a notice
/// when it exists but was not captured (over `--max-package-db`).
pub(crate) fn db_bytes<'a>(
    fs: &'a ImageFs,
    path: &ImagePath,
    notices: &mut Vec<Finding>,
) -> Option<&'a [u8]> {
    let node = fs.get(path)?;
    if node.entry.kind != EntryType::File && node.entry.kind != EntryType::Hardlink {
        return None;
    }
    let pkg = node.entry.pkg.as_ref()?;
    match &pkg.db {
        Some(b) => Some(b.as_slice()),
        None => {
            if pkg.db_too_large {
                notices.push(
                    Finding::new(Code::PackageDatabaseUnread)
                        .at(path)
                        .because(format!(
                            "{} bytes not kept: over {} ({}); the packages it lists are not known",
                            node.entry.size,
                            Limit::PackageDb.flag(),
                            Limit::PackageDb.what()
                        )),
                );
            }
            None
        }
    }
}

/// A database file that does not parse.
pub(crate) fn unreadable(path: &ImagePath, why: impl std::fmt::Display) -> Finding {
    Finding::new(Code::PackageDatabaseUnread)
        .at(path)
        .because(format!("cannot read: {why}"))
}

/// Split deb822/apk-style text into paragraphs of `(key, value)` lines; a
/// line starting with a space continues the previous value.
pub(crate) fn paragraphs(text: &str) -> Vec<Vec<(&str, String)>> {
    let mut out = Vec::new();
    let mut cur: Vec<(&str, String)> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
        } else if line.starts_with(' ') || line.starts_with('\t') {
            if let Some((_, v)) = cur.last_mut() {
                v.push('\n');
                v.push_str(line.trim());
            }
        } else if let Some((k, v)) = line.split_once(':') {
            cur.push((k, v.trim().to_string()));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}
