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

use std::cmp::Reverse;
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
        db.notices.extend(skipped_digests(fs, &db));
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
        // Two database paths can name one image path through a directory
        // link (`lib/systemd` and `usr/lib/systemd` on a merged /usr):
        // which one owns it must not depend on hash order. The claim that
        // won each path so far: whether it was listed at the path itself,
        // and its index in `p.files` (whose raw path breaks ties).
        let mut won: HashMap<ImagePath, (bool, usize)> = HashMap::new();
        let files = p.files;
        for (i, (raw, owned)) in files.iter().enumerate() {
            let path = ImagePath::new(raw);
            let parent = path.parent();
            let dir = dirs
                .entry(parent.clone())
                .or_insert_with(|| match fs.resolve(parent.as_bytes(), MAX_LINKS) {
                    Ok(r) => r.path,
                    Err(_) => parent.clone(),
                })
                .clone();
            let at = dir.join(path.file_name());
            let as_listed = at == path;
            if let Some(&(old_listed, j)) = won.get(&at)
                && !outranks(
                    (owned, as_listed, raw),
                    (&files[j].1, old_listed, &files[j].0),
                )
            {
                continue;
            }
            won.insert(at.clone(), (as_listed, i));
            let mut owned = owned.clone();
            owned.package += base;
            self.files.insert(at, owned);
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
        let mut m: HashMap<crate::digest::Sha256, &ImagePath> = HashMap::new();
        for path in self.files.keys() {
            if let Some(n) = fs.get(path)
                && n.entry.kind.has_content()
                && let Some(d) = n.entry.sha256
            {
                // Of several packaged copies, the first path by name, so
                // the origin a finding names is the same on every run.
                let p = m.entry(d).or_insert(path);
                if path < *p {
                    *p = path;
                }
            }
        }
        m
    }
}

/// Whether a database's claim on an image path (the claim, whether it is
/// listed at that path itself, its raw path) beats the one of the same
/// database merged before: one with a recorded digest beats one without
/// (it can be verified), then one listed at the path itself beats one
/// reached through a directory link, then the first raw path by bytes.
/// A total order, so the result does not depend on which comes first.
fn outranks(new: (&Owned, bool, &[u8]), old: (&Owned, bool, &[u8])) -> bool {
    fn rank<'a>((o, listed, raw): (&Owned, bool, &'a [u8])) -> (bool, bool, Reverse<&'a [u8]>) {
        (o.digest.is_some(), listed, Reverse(raw))
    }
    rank(new) > rank(old)
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
    // Files in a package manager's own state directories are not hashed;
    // a layer's digest plan may have left one of the two out.
    let pkg = e.pkg.as_ref().filter(|p| !p.unhashed);
    let actual: Option<Vec<u8>> = match digest {
        Recorded::Md5(_) => pkg.filter(|p| !p.no_md5).map(|p| p.md5.to_vec()),
        Recorded::Sha1(_) => pkg.filter(|p| !p.no_sha1).map(|p| p.sha1.to_vec()),
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

/// One notice when files a database claims lack the digest it recorded
/// because their layer's digest plan left it out
/// ([`crate::layer::DigestPlan`]: the layer showed only another package
/// manager's directories before them). Those files are `unverifiable`;
/// only a layer that mixes package managers gets here.
fn skipped_digests(fs: &ImageFs, db: &PackageDb) -> Option<Finding> {
    let mut skipped: Vec<(&ImagePath, &'static str)> = (db.files.iter())
        .filter_map(|(path, owned)| {
            let pkg = fs.get(path)?.entry.pkg.as_ref()?;
            match owned.digest {
                Some(Recorded::Md5(_)) if pkg.no_md5 => Some((path, "MD5")),
                Some(Recorded::Sha1(_)) if pkg.no_sha1 => Some((path, "SHA-1")),
                _ => None,
            }
        })
        .collect();
    skipped.sort();
    let (first, algorithm) = *skipped.first()?;
    Some(
        Finding::new(Code::Unanalyzable)
            .at(first)
            .because(format!(
                "{} packaged files (this one first) have no {algorithm}: their layer showed only \
                 another package manager's directories before them, so it was not computed",
                skipped.len()
            ))
            .because("they are reported unverifiable, not checked against their package"),
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

#[cfg(test)]
mod tests {
    use super::testimage::{apk_q1, file, image_of, md5_hex};
    use super::*;
    use crate::digest::Sha256;

    fn sha1_hex(bytes: &[u8]) -> String {
        use sha1::Digest as _;
        hex::encode(sha1::Sha1::digest(bytes))
    }

    /// A dpkg and an apk database in one image, `bin` a symlink to
    /// `usr/bin` (the usr merge): curl as recorded, wget tampered with.
    fn mixed() -> ImageFs {
        let status = "Package: curl\nStatus: install ok installed\nVersion: 7.88\n\
                      Architecture: amd64\n";
        let sums = format!("{}  bin/curl\n", md5_hex(b"curl"));
        let apk = format!(
            "P:busybox\nV:1.36\nF:usr/bin\nR:wget\nZ:{}\n",
            apk_q1(b"wget")
        );
        let mut bin =
            crate::layer::Entry::new(ImagePath::new("bin"), EntryType::Symlink, 0o777, 0, 0);
        bin.link = Some(b"usr/bin".to_vec());
        image_of(vec![
            bin,
            file("var/lib/dpkg/status", status.as_bytes()),
            file("var/lib/dpkg/info/curl.list", b"/bin\n/bin/curl\n"),
            file("var/lib/dpkg/info/curl.md5sums", sums.as_bytes()),
            file("lib/apk/db/installed", apk.as_bytes()),
            file("usr/bin/curl", b"curl"),
            file("usr/bin/wget", b"tampered"),
        ])
    }

    fn owner<'a>(db: &'a PackageDb, fs: &ImageFs, path: &str) -> Ownership<'a> {
        let p = ImagePath::new(path);
        db.owner(&p, fs.get(&p).expect(path)).expect(path)
    }

    #[test]
    fn every_database_is_merged_with_paths_resolved_through_directory_links() {
        let fs = mixed();
        let db = PackageDb::read(&fs);
        assert!(!db.is_empty());
        let names: Vec<_> = (db.packages.iter())
            .map(|p| (p.manager, p.name.as_str()))
            .collect();
        assert_eq!(names, [("dpkg", "curl"), ("apk", "busybox")]);
        // `/bin/curl` as dpkg lists it is the file at `usr/bin/curl`.
        let mut paths: Vec<_> = db.files.keys().map(|p| p.to_string()).collect();
        paths.sort();
        assert_eq!(paths, ["/bin", "/usr/bin/curl", "/usr/bin/wget"]);

        let curl = owner(&db, &fs, "usr/bin/curl");
        assert_eq!(curl.integrity, Integrity::Verified);
        assert_eq!(curl.package_label(), "curl 7.88 (dpkg)");
        let md5 = format!("md5:{}", md5_hex(b"curl"));
        assert_eq!(
            (curl.expected(), curl.actual.as_deref()),
            (md5.clone(), Some(&*md5))
        );
        let r = curl.to_ref();
        assert_eq!(
            (
                r.manager.as_str(),
                r.name.as_str(),
                r.version.as_str(),
                r.arch.as_deref()
            ),
            ("dpkg", "curl", "7.88", Some("amd64"))
        );
        assert_eq!(r.integrity, Integrity::Verified);

        // The second database's files point at its own packages.
        let wget = owner(&db, &fs, "usr/bin/wget");
        assert_eq!(wget.package_label(), "busybox 1.36 (apk)");
        assert_eq!(wget.integrity, Integrity::Modified);
        assert_eq!(wget.expected(), format!("sha1:{}", sha1_hex(b"wget")));
        assert_eq!(wget.actual, Some(format!("sha1:{}", sha1_hex(b"tampered"))));
        assert_eq!(wget.to_ref().integrity, Integrity::Modified);

        // A packaged symlink: ownership only, nothing to verify.
        let bin = owner(&db, &fs, "bin");
        assert_eq!(
            (bin.integrity, &bin.actual),
            (Integrity::Unverifiable, &None)
        );
        assert_eq!(bin.expected(), "none recorded");

        // Copies are named by their packaged original's sha256.
        let by = db.by_sha256(&fs);
        assert_eq!(by.len(), 2, "files only, not the symlink: {by:?}");
        assert_eq!(by[&Sha256::of(b"curl")].to_string(), "/usr/bin/curl");
        assert_eq!(by[&Sha256::of(b"tampered")].to_string(), "/usr/bin/wget");
    }

    #[test]
    fn a_path_claimed_twice_through_a_directory_link_has_one_owner_on_every_read() {
        // On a merged /usr, `aaa` lists `/lib/systemd` and `zzz` lists
        // `/usr/lib/systemd`: one image directory. `aaa` also records an
        // MD5 for `/lib/systemd/x`, which `zzz` lists without one.
        let status = "Package: aaa\nStatus: install ok installed\nVersion: 1\n\n\
                      Package: zzz\nStatus: install ok installed\nVersion: 2\n";
        let sums = format!("{}  lib/systemd/x\n", md5_hex(b"x"));
        let mut lib =
            crate::layer::Entry::new(ImagePath::new("lib"), EntryType::Symlink, 0o777, 0, 0);
        lib.link = Some(b"usr/lib".to_vec());
        let dir = crate::layer::Entry::new(
            ImagePath::new("usr/lib/systemd"),
            EntryType::Dir,
            0o755,
            0,
            0,
        );
        let fs = image_of(vec![
            lib,
            dir,
            file("var/lib/dpkg/status", status.as_bytes()),
            file(
                "var/lib/dpkg/info/aaa.list",
                b"/lib/systemd\n/lib/systemd/x\n",
            ),
            file("var/lib/dpkg/info/aaa.md5sums", sums.as_bytes()),
            file(
                "var/lib/dpkg/info/zzz.list",
                b"/usr/lib/systemd\n/usr/lib/systemd/x\n",
            ),
            file("usr/lib/systemd/x", b"x"),
            file("usr/bin/perl", b"perl"),
            file("usr/bin/perl5.36", b"perl"),
        ]);
        // Hash order differs from map to map: read many times.
        for _ in 0..32 {
            let db = PackageDb::read(&fs);
            // Neither has a digest: the claim at the path itself wins.
            let d = owner(&db, &fs, "usr/lib/systemd");
            assert_eq!(d.package_label(), "zzz 2 (dpkg)");
            // The claim that can be verified wins.
            let x = owner(&db, &fs, "usr/lib/systemd/x");
            assert_eq!(x.package_label(), "aaa 1 (dpkg)");
            assert_eq!(x.integrity, Integrity::Verified);
        }
    }

    #[test]
    fn the_origin_of_a_copy_is_the_first_packaged_path_with_its_content() {
        let status = "Package: perl\nStatus: install ok installed\nVersion: 5.36\n";
        let fs = image_of(vec![
            file("var/lib/dpkg/status", status.as_bytes()),
            file(
                "var/lib/dpkg/info/perl.list",
                b"/usr/bin/perl5.36\n/usr/bin/perl\n/usr/bin/zperl\n",
            ),
            file("usr/bin/zperl", b"perl"),
            file("usr/bin/perl5.36", b"perl"),
            file("usr/bin/perl", b"perl"),
        ]);
        for _ in 0..32 {
            let db = PackageDb::read(&fs);
            let m = db.by_sha256(&fs);
            let origin = m
                .get(&crate::digest::Sha256::of(b"perl"))
                .map(|p| p.to_string());
            assert_eq!(origin.as_deref(), Some("/usr/bin/perl"));
        }
    }

    #[test]
    fn an_image_without_databases_has_no_packages() {
        let fs = image_of(vec![file("usr/bin/curl", b"curl")]);
        let db = PackageDb::read(&fs);
        assert!(db.is_empty() && db.files.is_empty() && db.notices.is_empty());
    }

    #[test]
    fn recorded_digests_print_as_algorithm_and_hex() {
        let o = |digest| Owned {
            package: 0,
            digest,
            conffile: false,
        };
        let pkg = Package {
            manager: "rpm",
            name: "x".into(),
            version: "1".into(),
            arch: None,
        };
        let cases = [
            (
                Some(Recorded::Md5([0xab; 16])),
                format!("md5:{}", "ab".repeat(16)),
            ),
            (
                Some(Recorded::Sha1([0x01; 20])),
                format!("sha1:{}", "01".repeat(20)),
            ),
            (
                Some(Recorded::Sha256([0xff; 32])),
                format!("sha256:{}", "ff".repeat(32)),
            ),
            (Some(Recorded::Other("sha512")), "sha512:".to_string()),
        ];
        for (digest, want) in cases {
            let owned = o(digest);
            let own = Ownership {
                package: &pkg,
                owned: &owned,
                integrity: Integrity::Unverifiable,
                actual: None,
            };
            assert_eq!(own.expected(), want);
        }
    }

    /// A database file that is a hard link (to bytes captured under another
    /// name in the layer pass) is read like the file itself.
    #[test]
    fn a_hardlinked_database_is_read() {
        let apk = format!("P:busybox\nV:1.36\nF:bin\nR:wget\nZ:{}\n", apk_q1(b"wget"));
        let mut copy = file("lib/apk/db/installed", apk.as_bytes());
        copy.path = ImagePath::new("lib/apk/db/installed.orig");
        let mut link = crate::layer::Entry::new(
            ImagePath::new("lib/apk/db/installed"),
            EntryType::Hardlink,
            0o644,
            0,
            0,
        );
        link.link = Some(b"lib/apk/db/installed.orig".to_vec());
        let fs = image_of(vec![copy, link, file("bin/wget", b"wget")]);
        let db = PackageDb::read(&fs);
        assert_eq!(db.packages.len(), 1, "{:?}", db.notices);
        assert_eq!(owner(&db, &fs, "bin/wget").integrity, Integrity::Verified);
    }
}
