//! What package managers need from each file, gathered in the same pass as
//! its sha256: the MD5 (dpkg records it) and SHA-1 (apk records it) of every
//! regular file, and — for package database files only — their bytes, up to
//! `--max-package-db`, so the databases can be read from the squashed image
//! after all layers are walked without reading any layer twice.

use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::limits::Limits;
use crate::path::ImagePath;

use super::{Entry, LayerIndex};

pub(super) mod md5x8;
mod offload;
mod plan;

pub(crate) use offload::Pair;
pub use plan::{DigestPlan, PkgDigests};

/// Extra per-file digests and captured database bytes of one regular file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PkgData {
    #[serde(with = "hex_bytes")]
    pub md5: [u8; 16],
    #[serde(with = "hex_bytes")]
    pub sha1: [u8; 20],
    /// MD5 and SHA-1 were not computed (both are zero): the file lies where
    /// package managers keep their own state and download caches, which no
    /// package installs files into ([`needs_digests`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unhashed: bool,
    /// The MD5 (zero) was not computed: the layer showed only apk's
    /// directories before this file ([`plan`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_md5: bool,
    /// The SHA-1 (zero) was not computed: the layer showed only dpkg's
    /// directories before this file ([`plan`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_sha1: bool,
    /// The file's bytes, when it is a package database file within the limit.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "opt_b64")]
    pub db: Option<Arc<Vec<u8>>>,
    /// A package database file not captured: over `--max-package-db`, alone
    /// or with the layer's other database files.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub db_too_large: bool,
}

impl PkgData {
    /// Shared, for the record every empty file has (one allocation for all
    /// of them: images with many empty files hold many of these).
    pub fn into_arc(self) -> Arc<PkgData> {
        use std::sync::OnceLock;
        // One shared record per choice of digests a layer's plan can make.
        static EMPTY: [OnceLock<Arc<PkgData>>; 4] = [const { OnceLock::new() }; 4];
        let which = PkgDigests {
            md5: !self.no_md5,
            sha1: !self.no_sha1,
        };
        let slot = usize::from(self.no_md5) * 2 + usize::from(self.no_sha1);
        let empty = EMPTY[slot].get_or_init(|| {
            let (md5, sha1) = offload::Pair::with(which).finish();
            Arc::new(PkgData {
                md5,
                sha1,
                unhashed: false,
                no_md5: self.no_md5,
                no_sha1: self.no_sha1,
                db: None,
                db_too_large: false,
            })
        });
        if self == **empty {
            empty.clone()
        } else {
            Arc::new(self)
        }
    }

    /// No digests and no database bytes (yet).
    pub fn unhashed() -> PkgData {
        PkgData {
            md5: [0; 16],
            sha1: [0; 20],
            unhashed: true,
            no_md5: false,
            no_sha1: false,
            db: None,
            db_too_large: false,
        }
    }
}

/// Is `path` a file a package manager keeps its database in?
pub fn is_package_db(path: &ImagePath) -> bool {
    let p = path.as_bytes();
    if p == b"var/lib/dpkg/status"
        || p == b"lib/apk/db/installed"
        || p == b"var/lib/rpm/rpmdb.sqlite"
        || p == b"usr/lib/sysimage/rpm/rpmdb.sqlite"
    {
        return true;
    }
    if let Some(rest) = p.strip_prefix(b"var/lib/dpkg/status.d/") {
        return !rest.contains(&b'/');
    }
    if let Some(rest) = p.strip_prefix(b"var/lib/dpkg/info/") {
        return !rest.contains(&b'/') && (rest.ends_with(b".list") || rest.ends_with(b".md5sums"));
    }
    false
}

/// Directories a package manager writes at run time for itself: apt's
/// downloaded indexes and `.deb` archives, dpkg's, apk's and rpm's own
/// databases, dnf's and yum's caches. No package installs files there
/// (Debian minbase's 91 `.list` files name only directories under them), so
/// no database records a digest a file there could be checked against.
/// On Debian images they hold ~40% of the file bytes (apt lists and cached
/// archives: 80 of 193 MB on minbase).
const MANAGER_STATE: &[&[u8]] = &[
    b"var/lib/apt/lists/",
    b"var/cache/apt/",
    b"var/lib/dpkg/",
    b"var/cache/apk/",
    b"lib/apk/db/",
    b"var/lib/rpm/",
    b"usr/lib/sysimage/rpm/",
    b"var/cache/dnf/",
    b"var/cache/yum/",
    b"var/lib/dnf/",
    b"var/lib/yum/",
];

/// Which files get package digests, for the cache keys: entries stored
/// before [`MANAGER_STATE`] was skipped, or before each file said which
/// digests its layer's [`plan`] skipped, are not reused.
pub const DIGEST_SCOPE: &str = "manager-state-skipped-1,layer-plan-1";

/// Does a file at `path` need the MD5 and SHA-1 package managers record?
/// Not inside [`MANAGER_STATE`]: a file there that a database does claim
/// is reported `unverifiable`, never `verified`, so skipping its digests
/// can hide nothing and lowers no severity.
pub fn needs_digests(path: &ImagePath) -> bool {
    let p = path.as_bytes();
    !MANAGER_STATE.iter().any(|dir| p.starts_with(dir))
}

/// Hashes one file's bytes for the package managers as they stream by.
/// MD5 has no hardware help and would be the walk's slowest step: past
/// [`OFFLOAD_AFTER`] bytes a file's MD5 and SHA-1 continue on a helper
/// thread (see [`offload`]) while the walk hashes sha256 and inspects the
/// same bytes; small files stay inline, where a thread hand-off would cost
/// more than it saves.
pub struct PkgHasher {
    digests: Digests,
    /// The digests asked for (none when skipped).
    which: PkgDigests,
    fed: u64,
    db: Option<Vec<u8>>,
    db_cap: u64,
    db_too_large: bool,
}

/// Bytes of a file hashed inline before the rest goes to the helper.
pub const OFFLOAD_AFTER: u64 = 256 << 10;

/// Where a file's MD5 and SHA-1 are being computed.
enum Digests {
    Inline(offload::Pair),
    /// Sent to this thread's helper, which answers at `finish`.
    Offloaded(offload::Handle),
    /// Not computed here: not needed ([`needs_digests`]), or computed
    /// elsewhere from the same bytes (the tar walk's digest workers).
    Skipped,
}

impl PkgHasher {
    /// Start on the file at `path`.
    pub fn new(path: &ImagePath, limits: &Limits) -> PkgHasher {
        PkgHasher::planned(path, limits, PkgDigests::BOTH)
    }

    /// Start on the file at `path` with only the digests `which` (the
    /// layer's [`DigestPlan`] decided them); the result records the others
    /// as not computed.
    pub fn planned(path: &ImagePath, limits: &Limits, which: PkgDigests) -> PkgHasher {
        let mut h = PkgHasher::without_digests(path, limits);
        if needs_digests(path) {
            h.digests = Digests::Inline(offload::Pair::with(which));
            h.which = which;
        }
        h
    }

    /// Start on the file at `path`, capturing database bytes only: its
    /// digests are someone else's job (the result says `unhashed`).
    pub fn without_digests(path: &ImagePath, limits: &Limits) -> PkgHasher {
        PkgHasher {
            digests: Digests::Skipped,
            which: PkgDigests::BOTH,
            fed: 0,
            db: is_package_db(path).then(Vec::new),
            db_cap: limits.max_package_db,
            db_too_large: false,
        }
    }

    /// Feed the next bytes of the file.
    pub fn update(&mut self, bytes: &[u8]) {
        self.fed += bytes.len() as u64;
        match &mut self.digests {
            Digests::Inline(pair) => {
                pair.update(bytes);
                if self.fed >= OFFLOAD_AFTER
                    && let Some(h) = offload::start(pair)
                {
                    self.digests = Digests::Offloaded(h);
                }
            }
            Digests::Offloaded(h) => h.send(bytes),
            Digests::Skipped => {}
        }
        if let Some(db) = &mut self.db {
            if (db.len() + bytes.len()) as u64 > self.db_cap {
                self.db = None;
                self.db_too_large = true;
            } else {
                db.extend_from_slice(bytes);
            }
        }
    }

    /// The digests (and captured bytes) of everything fed.
    pub fn finish(self) -> PkgData {
        let ((md5, sha1), unhashed) = match self.digests {
            Digests::Inline(pair) => (pair.finish(), false),
            Digests::Offloaded(h) => (h.finish(), false),
            Digests::Skipped => (([0; 16], [0; 20]), true),
        };
        PkgData {
            md5,
            sha1,
            unhashed,
            no_md5: !unhashed && !self.which.md5,
            no_sha1: !unhashed && !self.which.sha1,
            db: self.db.map(Arc::new),
            db_too_large: self.db_too_large,
        }
    }
}

impl LayerIndex {
    /// Keep `e`'s captured database bytes only while the layer's total stays
    /// within `--max-package-db` (many database-named files must not add up
    /// to unbounded memory); beyond it the file is marked as not captured.
    pub fn budget_package_db(&mut self, e: &mut Entry, limits: &Limits) {
        let Some(pkg) = e.pkg.as_mut() else { return };
        let Some(db) = &pkg.db else { return };
        let total = self.package_db_bytes.saturating_add(db.len() as u64);
        if total > limits.max_package_db {
            let p = Arc::make_mut(pkg);
            p.db = None;
            p.db_too_large = true;
        } else {
            self.package_db_bytes = total;
        }
    }
}

mod hex_bytes {
    use super::*;
    pub fn serialize<S: Serializer, const N: usize>(b: &[u8; N], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(b))
    }
    pub fn deserialize<'de, D: Deserializer<'de>, const N: usize>(
        d: D,
    ) -> Result<[u8; N], D::Error> {
        let s: String = Deserialize::deserialize(d)?;
        let mut out = [0u8; N];
        hex::decode_to_slice(&s, &mut out).map_err(serde::de::Error::custom)?;
        Ok(out)
    }
}

mod opt_b64 {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    pub fn serialize<S: Serializer>(b: &Option<Arc<Vec<u8>>>, s: S) -> Result<S::Ok, S::Error> {
        match b {
            Some(b) => s.serialize_str(&STANDARD.encode(b.as_slice())),
            None => s.serialize_none(),
        }
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Arc<Vec<u8>>>, D::Error> {
        let s: Option<String> = Deserialize::deserialize(d)?;
        s.map(|s| STANDARD.decode(s).map(Arc::new))
            .transpose()
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_match_known_vectors_and_db_is_captured_within_the_cap() {
        let mut limits = Limits::default();
        let mut h = PkgHasher::new(&ImagePath::new(b"usr/bin/x"), &limits);
        h.update(b"ab");
        h.update(b"c");
        let d = h.finish();
        assert_eq!(hex::encode(d.md5), "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(
            hex::encode(d.sha1),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert!(d.db.is_none());

        let status = ImagePath::new(b"var/lib/dpkg/status");
        let mut h = PkgHasher::new(&status, &limits);
        h.update(b"Package: x\n");
        assert_eq!(h.finish().db.unwrap().as_slice(), b"Package: x\n");

        limits.max_package_db = 4;
        let mut h = PkgHasher::new(&status, &limits);
        h.update(b"Package: x\n");
        let d = h.finish();
        assert!(d.db.is_none() && d.db_too_large);

        let json = serde_json::to_string(&d).unwrap();
        assert_eq!(serde_json::from_str::<PkgData>(&json).unwrap(), d);
    }

    fn expected(data: &[u8]) -> ([u8; 16], [u8; 20]) {
        use md5::Digest as _;
        (
            md5::Md5::digest(data).into(),
            sha1::Sha1::digest(data).into(),
        )
    }

    fn hashed(h: PkgHasher) -> ([u8; 16], [u8; 20]) {
        let d = h.finish();
        (d.md5, d.sha1)
    }

    #[test]
    fn large_files_hash_the_same_on_the_helper_thread() {
        let limits = Limits::default();
        let path = ImagePath::new(b"usr/bin/big");
        let at = OFFLOAD_AFTER as usize;
        let data: Vec<u8> = (0..3 * at + 12_345).map(|i| (i * 31 % 251) as u8).collect();
        for len in [0, 1, at - 1, at, at + 1, data.len()] {
            let mut h = PkgHasher::new(&path, &limits);
            for c in data[..len].chunks(65_537) {
                h.update(c);
            }
            assert_eq!(hashed(h), expected(&data[..len]), "{len} bytes");
        }
        // Two large files at once on one thread: the second stays inline.
        let (mut a, mut b) = (
            PkgHasher::new(&path, &limits),
            PkgHasher::new(&path, &limits),
        );
        for c in data.chunks(100_000) {
            a.update(c);
            b.update(&c[..c.len() / 2]);
        }
        let half: Vec<u8> = data
            .chunks(100_000)
            .flat_map(|c| c[..c.len() / 2].to_vec())
            .collect();
        assert_eq!(hashed(b), expected(&half));
        assert_eq!(hashed(a), expected(&data));
        // A file abandoned half way (a read error) does not disturb the next.
        let mut a = PkgHasher::new(&path, &limits);
        a.update(&data[..at + 10]);
        a.update(&data[at + 10..2 * at]);
        drop(a);
        let mut h = PkgHasher::new(&path, &limits);
        h.update(&data);
        assert_eq!(hashed(h), expected(&data));
    }

    #[test]
    fn every_empty_file_shares_one_record() {
        let limits = Limits::default();
        let empty = || PkgHasher::new(&ImagePath::new(b"usr/lib/x/__init__.py"), &limits);
        let (a, b) = (empty().finish().into_arc(), empty().finish().into_arc());
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!((a.md5, a.sha1), expected(b""));
        let mut h = empty();
        h.update(b"x");
        assert!(
            !Arc::ptr_eq(&h.finish().into_arc(), &a),
            "a file with bytes"
        );
        let db = PkgHasher::new(&ImagePath::new(b"var/lib/dpkg/status"), &limits);
        let db = db.finish().into_arc();
        assert!(
            !Arc::ptr_eq(&db, &a) && db.db.is_some(),
            "an empty database file"
        );
    }

    #[test]
    fn the_layer_budget_bounds_many_database_files() {
        let limits = Limits {
            max_package_db: 10,
            ..Limits::default()
        };
        let mut index = LayerIndex::default();
        let mut kept = 0;
        for i in 0..5 {
            let path = ImagePath::new(format!("var/lib/dpkg/info/p{i}.list"));
            let mut h = PkgHasher::new(&path, &limits);
            h.update(b"/usr/x\n");
            let mut e = Entry::new(path, super::super::EntryType::File, 0o644, 0, 0);
            e.pkg = Some(Arc::new(h.finish()));
            index.budget_package_db(&mut e, &limits);
            let p = e.pkg.unwrap();
            if p.db.is_some() {
                kept += 1;
            } else {
                assert!(p.db_too_large);
            }
        }
        assert_eq!(kept, 1, "7 bytes each, 10 allowed in the layer");
    }

    #[test]
    fn a_database_exactly_at_the_limit_is_kept() {
        let status = ImagePath::new(b"var/lib/dpkg/status");
        let limits = Limits {
            max_package_db: 14,
            ..Limits::default()
        };
        let mut h = PkgHasher::new(&status, &limits);
        h.update(b"Package: x\n");
        h.update(b"V: ");
        assert_eq!(h.finish().db.unwrap().len(), 14, "14 bytes, 14 allowed");
        // Two files of 7 bytes fill a 14-byte layer budget exactly.
        let mut index = LayerIndex::default();
        for i in 0..2 {
            let path = ImagePath::new(format!("var/lib/dpkg/info/p{i}.list"));
            let mut h = PkgHasher::new(&path, &limits);
            h.update(b"/usr/x\n");
            let mut e = Entry::new(path, super::super::EntryType::File, 0o644, 0, 0);
            e.pkg = Some(Arc::new(h.finish()));
            index.budget_package_db(&mut e, &limits);
            assert!(e.pkg.unwrap().db.is_some(), "file {i}");
        }
        assert_eq!(index.package_db_bytes, 14);
    }

    #[test]
    fn captured_bytes_survive_the_cache_encoding() {
        let status = ImagePath::new(b"var/lib/dpkg/status");
        let mut h = PkgHasher::new(&status, &Limits::default());
        h.update(b"Package: x\n");
        let d = h.finish();
        let json = serde_json::to_value(&d).unwrap();
        assert_eq!(json["md5"], hex::encode(d.md5));
        assert_eq!(json["db"], "UGFja2FnZTogeAo=");
        let back: PkgData = serde_json::from_value(json).unwrap();
        assert_eq!(back, d);
        assert_eq!(back.db.unwrap().as_slice(), b"Package: x\n");
    }

    #[test]
    fn database_paths() {
        for p in [
            "var/lib/dpkg/status",
            "var/lib/dpkg/status.d/base",
            "var/lib/dpkg/info/libc6:amd64.list",
            "var/lib/dpkg/info/curl.md5sums",
            "lib/apk/db/installed",
            "var/lib/rpm/rpmdb.sqlite",
            "usr/lib/sysimage/rpm/rpmdb.sqlite",
        ] {
            assert!(is_package_db(&ImagePath::new(p.as_bytes())), "{p}");
        }
        for p in [
            "var/lib/dpkg/info/curl.postinst",
            "usr/bin/curl",
            "var/lib/dpkg/status-old",
            "var/lib/dpkg/status.d/sub/base",
            "var/lib/dpkg/info/sub/curl.list",
            "var/lib/rpm/Packages",
        ] {
            assert!(!is_package_db(&ImagePath::new(p.as_bytes())), "{p}");
        }
    }

    /// Where the digests are computed is design, not luck: below
    /// `OFFLOAD_AFTER` (256 KiB) a file stays inline, at it the rest goes
    /// to the helper thread (the same bytes either way, checked above).
    #[test]
    fn a_file_moves_to_the_helper_exactly_at_offload_after() {
        assert_eq!(OFFLOAD_AFTER, 256 * 1024);
        let limits = Limits::default();
        let path = ImagePath::new(b"usr/bin/big");
        let mut h = PkgHasher::new(&path, &limits);
        h.update(&vec![5u8; OFFLOAD_AFTER as usize - 1]);
        assert!(matches!(h.digests, Digests::Inline(_)), "one byte short");
        h.update(b"");
        assert!(matches!(h.digests, Digests::Inline(_)), "an empty read");
        h.update(&[5u8]);
        assert!(
            matches!(h.digests, Digests::Offloaded(_)),
            "at the threshold"
        );
        h.update(&[5u8; 3]);
        assert_eq!(h.fed, OFFLOAD_AFTER + 3);
        let all = vec![5u8; OFFLOAD_AFTER as usize + 3];
        assert_eq!(hashed(h), expected(&all));
        // A file abandoned on the helper (a read error) frees it for the next.
        let mut a = PkgHasher::new(&path, &limits);
        a.update(&all);
        assert!(matches!(a.digests, Digests::Offloaded(_)));
        drop(a);
        let mut b = PkgHasher::new(&path, &limits);
        b.update(&all);
        assert!(
            matches!(b.digests, Digests::Offloaded(_)),
            "the helper is free again"
        );
        assert_eq!(hashed(b), expected(&all));
    }

    /// Package managers' own state (apt lists, dpkg's database, caches) is
    /// not hashed: no database records a digest for a file there. Every
    /// other file is, including one whose path only looks similar.
    #[test]
    fn manager_state_is_not_hashed_and_everything_else_is() {
        let limits = Limits::default();
        let digests = |path: &str| {
            let mut h = PkgHasher::new(&ImagePath::new(path.as_bytes()), &limits);
            h.update(b"abc");
            h.finish()
        };
        for p in [
            "var/lib/apt/lists/deb.debian.org_dists_InRelease",
            "var/cache/apt/archives/curl.deb",
            "var/lib/dpkg/status",
            "lib/apk/db/installed",
            "usr/lib/sysimage/rpm/rpmdb.sqlite",
            "var/cache/dnf/x",
        ] {
            let d = digests(p);
            assert!(d.unhashed, "{p}");
            assert_eq!((d.md5, d.sha1), ([0; 16], [0; 20]), "{p}");
            assert!(!needs_digests(&ImagePath::new(p.as_bytes())), "{p}");
        }
        for p in ["usr/bin/curl", "var/lib/aptx/y", "etc/apt/sources.list"] {
            let d = digests(p);
            assert!(!d.unhashed, "{p}");
            assert_eq!((d.md5, d.sha1), expected(b"abc"), "{p}");
        }
        // The database bytes of an unhashed file are still captured.
        assert_eq!(
            digests("var/lib/dpkg/status").db.unwrap().as_slice(),
            b"abc"
        );
    }
}
