//! rpm: `rpmdb.sqlite` (`var/lib/rpm/` or `usr/lib/sysimage/rpm/`), read in
//! memory (never written to the host) with SQLite; each row of `Packages` is
//! an rpm header blob, parsed here: index entries (tag, type, offset, count)
//! then a data store. Berkeley DB (`Packages`) and ndb (`Packages.db`)
//! databases are not read, and that is reported.

use std::collections::HashMap;

use crate::finding::{Code, Finding};
use crate::fs::ImageFs;
use crate::path::ImagePath;

use super::{Owned, Package, Parsed, Recorded, db_bytes, unreadable};

const DIRS: &[&[u8]] = &[b"var/lib/rpm", b"usr/lib/sysimage/rpm"];

const NAME: u32 = 1000;
const VERSION: u32 = 1001;
const RELEASE: u32 = 1002;
const EPOCH: u32 = 1003;
const ARCH: u32 = 1022;
const FILEDIGESTS: u32 = 1035;
const FILEFLAGS: u32 = 1037;
const DIRINDEXES: u32 = 1116;
const BASENAMES: u32 = 1117;
const DIRNAMES: u32 = 1118;
const FILEDIGESTALGO: u32 = 5011;
/// `%config` in FILEFLAGS.
const RPMFILE_CONFIG: u32 = 1;
/// Index entries in one header; real packages have well under 100 tags.
const MAX_TAGS: usize = 65_536;

/// Read the rpm database, if the image has one.
pub(crate) fn read(fs: &ImageFs) -> Parsed {
    let mut out = Parsed::default();
    for dir in DIRS {
        let dir = ImagePath::new(dir);
        let sqlite = dir.join(b"rpmdb.sqlite");
        if let Some(bytes) = db_bytes(fs, &sqlite, &mut out.notices) {
            match read_sqlite(bytes) {
                Ok(blobs) => {
                    for (i, blob) in blobs.iter().enumerate() {
                        match Header::parse(blob) {
                            Some(h) => add(&mut out, &h),
                            None => out
                                .notices
                                .push(unreadable(&sqlite, format!("header blob {i} is malformed"))),
                        }
                    }
                }
                Err(e) => out.notices.push(unreadable(&sqlite, e)),
            }
            continue;
        }
        for (file, format) in [(&b"Packages"[..], "Berkeley DB"), (b"Packages.db", "ndb")] {
            let p = dir.join(file);
            if fs.get(&p).is_some_and(|n| n.entry.kind.has_content()) {
                out.notices.push(
                    Finding::new(Code::PackageDatabaseUnread)
                        .at(&p)
                        .because(format!(
                            "rpm {format} database: this format is not read (rpmdb.sqlite is); files are neither treated as packaged nor as unpackaged by it"
                        )),
                );
            }
        }
    }
    out
}

fn read_sqlite(bytes: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    if bytes.len() < 100 {
        return Err("too short for an SQLite database".into());
    }
    let mut data = bytes.to_vec();
    // A WAL-mode file header (versions 2/2) cannot be opened in memory; the
    // content is the same in rollback mode.
    if data[18] == 2 && data[19] == 2 {
        data[18] = 1;
        data[19] = 1;
    }
    let mut conn = rusqlite::Connection::open_in_memory().map_err(|e| e.to_string())?;
    let len = data.len();
    conn.deserialize_read_exact(rusqlite::MAIN_DB, &data[..], len, true)
        .map_err(|e| e.to_string())?;
    let mut stmt = conn
        .prepare("SELECT blob FROM Packages ORDER BY hnum")
        .map_err(|e| e.to_string())?;
    let rows = stmt
        .query_map([], |r| r.get::<_, Vec<u8>>(0))
        .map_err(|e| e.to_string())?;
    rows.collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())
}

fn add(out: &mut Parsed, h: &Header<'_>) {
    let Some(name) = h.string(NAME) else { return };
    if name == "gpg-pubkey" {
        return;
    }
    let version = h.string(VERSION).unwrap_or_default();
    let release = h.string(RELEASE).unwrap_or_default();
    let epoch = h.int32(EPOCH).and_then(|v| v.first().copied());
    let full = match epoch {
        Some(e) => format!("{e}:{version}-{release}"),
        None => format!("{version}-{release}"),
    };
    let idx = out.packages.len();
    out.packages.push(Package {
        manager: "rpm",
        name,
        version: full,
        arch: h.string(ARCH),
    });
    let basenames = h.strings(BASENAMES).unwrap_or_default();
    let dirnames = h.strings(DIRNAMES).unwrap_or_default();
    let dirindexes = h.int32(DIRINDEXES).unwrap_or_default();
    let digests = h.strings(FILEDIGESTS).unwrap_or_default();
    let flags = h.int32(FILEFLAGS).unwrap_or_default();
    // rpm's default algorithm when the tag is absent is MD5.
    let algo = h
        .int32(FILEDIGESTALGO)
        .and_then(|v| v.first().copied())
        .unwrap_or(1);
    let mut dir_cache: HashMap<usize, &str> = HashMap::new();
    for (i, base) in basenames.iter().enumerate() {
        let Some(&di) = dirindexes.get(i) else { break };
        let Some(dir) = dirnames.get(di as usize) else {
            continue;
        };
        dir_cache.insert(di as usize, dir);
        let path = format!("{dir}{base}");
        let digest = digests
            .get(i)
            .filter(|d| !d.is_empty())
            .and_then(|d| recorded(algo, d));
        out.files.push((
            path.into_bytes(),
            Owned {
                package: idx,
                digest,
                conffile: flags.get(i).is_some_and(|f| f & RPMFILE_CONFIG != 0),
            },
        ));
    }
}

fn recorded(algo: u32, hex_digest: &str) -> Option<Recorded> {
    fn arr<const N: usize>(s: &str) -> Option<[u8; N]> {
        let mut out = [0u8; N];
        hex::decode_to_slice(s, &mut out).ok()?;
        Some(out)
    }
    Some(match algo {
        1 => Recorded::Md5(arr(hex_digest)?),
        2 => Recorded::Sha1(arr(hex_digest)?),
        8 => Recorded::Sha256(arr(hex_digest)?),
        9 => Recorded::Other("sha384"),
        10 => Recorded::Other("sha512"),
        _ => Recorded::Other("unknown"),
    })
}

/// A parsed rpm header blob (as stored in the rpmdb, without the 8-byte
/// magic of a package file's header).
pub struct Header<'a> {
    entries: Vec<(u32, u32, usize, usize)>,
    data: &'a [u8],
}

impl<'a> Header<'a> {
    /// Parse the index; `None` if the blob is malformed.
    pub fn parse(blob: &'a [u8]) -> Option<Header<'a>> {
        let be = |o: usize| -> Option<u32> {
            Some(u32::from_be_bytes(blob.get(o..o + 4)?.try_into().ok()?))
        };
        let il = be(0)? as usize;
        let dl = be(4)? as usize;
        if il > MAX_TAGS {
            return None;
        }
        let start = 8usize.checked_add(il.checked_mul(16)?)?;
        let data = blob.get(start..start.checked_add(dl)?)?;
        let mut entries = Vec::with_capacity(il);
        for i in 0..il {
            let o = 8 + i * 16;
            entries.push((
                be(o)?,
                be(o + 4)?,
                be(o + 8)? as usize,
                be(o + 12)? as usize,
            ));
        }
        Some(Header { entries, data })
    }

    fn entry(&self, tag: u32) -> Option<(u32, usize, usize)> {
        self.entries
            .iter()
            .find(|e| e.0 == tag)
            .map(|&(_, t, o, c)| (t, o, c))
    }

    /// A STRING (6) or the first of a STRING_ARRAY/I18NSTRING.
    pub fn string(&self, tag: u32) -> Option<String> {
        let (t, o, _) = self.entry(tag)?;
        if !matches!(t, 6 | 8 | 9) {
            return None;
        }
        let s = self.data.get(o..)?;
        let end = s.iter().position(|&b| b == 0)?;
        Some(String::from_utf8_lossy(&s[..end]).into_owned())
    }

    /// A STRING_ARRAY (8).
    pub fn strings(&self, tag: u32) -> Option<Vec<String>> {
        let (t, mut o, c) = self.entry(tag)?;
        if t != 8 {
            return None;
        }
        let mut out = Vec::with_capacity(c.min(self.data.len()));
        for _ in 0..c {
            let s = self.data.get(o..)?;
            let end = s.iter().position(|&b| b == 0)?;
            out.push(String::from_utf8_lossy(&s[..end]).into_owned());
            o += end + 1;
        }
        Some(out)
    }

    /// An INT32 (4) array.
    pub fn int32(&self, tag: u32) -> Option<Vec<u32>> {
        let (t, o, c) = self.entry(tag)?;
        if t != 4 {
            return None;
        }
        let bytes = self.data.get(o..o.checked_add(c.checked_mul(4)?)?)?;
        Some(
            bytes
                .chunks_exact(4)
                .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blob(entries: &[(u32, u32, &[u8], usize)]) -> Vec<u8> {
        let mut index = Vec::new();
        let mut data = Vec::new();
        for (tag, ty, bytes, count) in entries {
            index.extend_from_slice(&tag.to_be_bytes());
            index.extend_from_slice(&ty.to_be_bytes());
            index.extend_from_slice(&(data.len() as u32).to_be_bytes());
            index.extend_from_slice(&(*count as u32).to_be_bytes());
            data.extend_from_slice(bytes);
        }
        let mut out = Vec::new();
        out.extend_from_slice(&(entries.len() as u32).to_be_bytes());
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        out.extend(index);
        out.extend(data);
        out
    }

    #[test]
    fn header_fields_and_hostile_blobs() {
        let b = blob(&[
            (NAME, 6, b"tiny\0", 1),
            (BASENAMES, 8, b"a\0b\0", 2),
            (DIRINDEXES, 4, &[0, 0, 0, 0, 0, 0, 0, 1], 2),
        ]);
        let h = Header::parse(&b).unwrap();
        assert_eq!(h.string(NAME).as_deref(), Some("tiny"));
        assert_eq!(h.strings(BASENAMES).unwrap(), vec!["a", "b"]);
        assert_eq!(h.int32(DIRINDEXES).unwrap(), vec![0, 1]);
        // Wrong type, out-of-range offsets and counts, truncation: None, no panic.
        assert!(h.int32(NAME).is_none());
        let bad = blob(&[(BASENAMES, 8, b"a\0", 1_000_000)]);
        assert!(Header::parse(&bad).unwrap().strings(BASENAMES).is_none());
        let bad = blob(&[(DIRINDEXES, 4, b"\0\0", usize::MAX >> 34)]);
        assert!(Header::parse(&bad).unwrap().int32(DIRINDEXES).is_none());
        for cut in 0..b.len() {
            let _ = Header::parse(&b[..cut]).map(|h| h.strings(BASENAMES));
        }
        assert!(Header::parse(&[0xff; 8]).is_none());
    }

    #[test]
    fn header_types_and_string_arrays() {
        let b = blob(&[
            (NAME, 9, b"i18n\0", 1),
            (ARCH, 4, b"\0\0\0\x07", 1),
            (BASENAMES, 8, b"ab\0\0cde\0", 3),
            (DIRNAMES, 6, b"x\0", 1),
            (VERSION, 8, b"first\0second\0", 2),
        ]);
        let h = Header::parse(&b).unwrap();
        assert_eq!(h.string(NAME).as_deref(), Some("i18n"), "I18NSTRING");
        assert_eq!(
            h.string(VERSION).as_deref(),
            Some("first"),
            "first of an array"
        );
        assert_eq!(h.string(ARCH), None, "an INT32 is not a string");
        assert_eq!(h.int32(ARCH).unwrap(), vec![7]);
        assert_eq!(h.strings(BASENAMES).unwrap(), vec!["ab", "", "cde"]);
        assert_eq!(h.strings(DIRNAMES), None, "a STRING is not an array");
        assert_eq!(h.string(RELEASE), None, "absent tag");
        // A string without its NUL is malformed.
        let b = blob(&[(NAME, 6, b"abc", 1)]);
        assert_eq!(Header::parse(&b).unwrap().string(NAME), None);
        // Trailing bytes past the data store are ignored; a short store is not.
        let mut long = blob(&[(NAME, 6, b"a\0", 1)]);
        long.extend_from_slice(b"junk");
        assert!(Header::parse(&long).is_some());
        let short = blob(&[(NAME, 6, b"a\0", 1)]);
        assert!(Header::parse(&short[..short.len() - 1]).is_none());
    }

    #[test]
    fn the_tag_count_limit_is_inclusive() {
        for (il, ok) in [(MAX_TAGS, true), (MAX_TAGS + 1, false)] {
            let mut b = Vec::with_capacity(8 + il * 16);
            b.extend_from_slice(&(il as u32).to_be_bytes());
            b.extend_from_slice(&0u32.to_be_bytes());
            for i in 0..il {
                b.extend_from_slice(&(i as u32).to_be_bytes());
                b.extend_from_slice(&[0; 12]);
            }
            assert_eq!(Header::parse(&b).is_some(), ok, "{il} tags");
        }
    }

    fn int(v: u32) -> Vec<u8> {
        v.to_be_bytes().to_vec()
    }

    fn ints(v: &[u32]) -> Vec<u8> {
        v.iter().flat_map(|v| v.to_be_bytes()).collect()
    }

    fn nul(v: &[&str]) -> Vec<u8> {
        v.iter()
            .flat_map(|s| [s.as_bytes(), b"\0"].concat())
            .collect()
    }

    /// A package header: name, version, release, optional epoch and digest
    /// algorithm, files as (dir index, basename, digest, flags).
    fn package(
        name: &str,
        epoch: Option<u32>,
        algo: Option<u32>,
        dirs: &[&str],
        files: &[(u32, &str, &str, u32)],
    ) -> Vec<u8> {
        let mut e: Vec<(u32, u32, Vec<u8>, usize)> = vec![
            (NAME, 6, nul(&[name]), 1),
            (VERSION, 6, nul(&["1.0"]), 1),
            (RELEASE, 6, nul(&["2.el9"]), 1),
        ];
        if let Some(ep) = epoch {
            e.push((EPOCH, 4, int(ep), 1));
        }
        if name == "curl" {
            e.push((ARCH, 6, nul(&["x86_64"]), 1));
        }
        if let Some(a) = algo {
            e.push((FILEDIGESTALGO, 4, int(a), 1));
        }
        let n = files.len();
        let bases: Vec<&str> = files.iter().map(|f| f.1).collect();
        let digests: Vec<&str> = files.iter().map(|f| f.2).collect();
        e.push((DIRNAMES, 8, nul(dirs), dirs.len()));
        e.push((BASENAMES, 8, nul(&bases), n));
        e.push((FILEDIGESTS, 8, nul(&digests), n));
        let di: Vec<u32> = files.iter().map(|f| f.0).collect();
        e.push((DIRINDEXES, 4, ints(&di), n));
        let fl: Vec<u32> = files.iter().map(|f| f.3).collect();
        e.push((FILEFLAGS, 4, ints(&fl), n));
        let refs: Vec<(u32, u32, &[u8], usize)> = e
            .iter()
            .map(|(t, ty, b, c)| (*t, *ty, b.as_slice(), *c))
            .collect();
        // The data store must be aligned for INT32 entries: pad strings.
        blob_aligned(&refs)
    }

    /// Like `blob`, with each entry's data padded to 4 bytes.
    fn blob_aligned(entries: &[(u32, u32, &[u8], usize)]) -> Vec<u8> {
        let padded: Vec<Vec<u8>> = entries
            .iter()
            .map(|(_, _, b, _)| {
                let mut v = b.to_vec();
                v.resize(b.len().div_ceil(4) * 4, 0);
                v
            })
            .collect();
        let e: Vec<(u32, u32, &[u8], usize)> = entries
            .iter()
            .zip(&padded)
            .map(|((t, ty, _, c), p)| (*t, *ty, p.as_slice(), *c))
            .collect();
        blob(&e)
    }

    fn sqlite(blobs: &[Vec<u8>], wal: bool) -> Vec<u8> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rpmdb.sqlite");
        {
            let c = rusqlite::Connection::open(&path).unwrap();
            if wal {
                c.query_row("PRAGMA journal_mode=WAL", [], |_| Ok(()))
                    .unwrap();
            }
            c.execute_batch("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)")
                .unwrap();
            for b in blobs {
                c.execute("INSERT INTO Packages (blob) VALUES (?1)", [b])
                    .unwrap();
            }
        }
        std::fs::read(&path).unwrap()
    }

    fn owned<'p>(p: &'p Parsed, path: &str) -> (&'p str, &'p Owned) {
        let (_, o) = p
            .files
            .iter()
            .find(|(f, _)| f == path.as_bytes())
            .unwrap_or_else(|| panic!("{path} not owned"));
        (p.packages[o.package].name.as_str(), o)
    }

    fn rpm_db() -> Vec<Vec<u8>> {
        let sha256 = hex::encode(crate::digest::Sha256::of(b"curl").0);
        let md5 = super::super::testimage::md5_hex(b"t");
        let sha1 = "00112233445566778899aabbccddeeff00112233";
        vec![
            package(
                "curl",
                Some(1),
                Some(8),
                &["/usr/bin/", "/etc/"],
                &[
                    (0, "curl", &sha256, 0),
                    (1, "curlrc", &sha256, 1 | 16),
                    (0, "empty", "", 16),
                ],
            ),
            package("gpg-pubkey", None, None, &[], &[]),
            package(
                "tiny",
                None,
                None,
                &["/opt/"],
                &[(0, "t", &md5, 0), (5, "x", &md5, 0)],
            ),
            package("old", None, Some(2), &["/o/"], &[(0, "s", sha1, 0)]),
            package(
                "big",
                None,
                Some(10),
                &["/b/"],
                &[(0, "a", "00", 0), (0, "e", "", 0)],
            ),
            package("mid", None, Some(9), &["/m/"], &[(0, "m", "00", 0)]),
            package("odd", None, Some(3), &["/d/"], &[(0, "d", "00", 0)]),
            vec![0xff, 0xff],
        ]
    }

    #[test]
    fn sqlite_database_packages_files_and_digests() {
        for (wal, dir) in [(false, "var/lib/rpm"), (true, "usr/lib/sysimage/rpm")] {
            let bytes = sqlite(&rpm_db(), wal);
            assert_eq!(bytes[18] == 2, wal, "the file's own journal mode");
            let db = format!("{dir}/rpmdb.sqlite");
            let fs = super::super::testimage::image(&[(db.as_str(), &bytes)]);
            let p = read(&fs);
            let names = super::super::testimage::names(&p);
            assert_eq!(
                names,
                [
                    ("curl", "1:1.0-2.el9", Some("x86_64")),
                    ("tiny", "1.0-2.el9", None),
                    ("old", "1.0-2.el9", None),
                    ("big", "1.0-2.el9", None),
                    ("mid", "1.0-2.el9", None),
                    ("odd", "1.0-2.el9", None),
                ],
                "{dir}: gpg-pubkey is not a package"
            );
            let (pkg, o) = owned(&p, "/usr/bin/curl");
            let want = Recorded::Sha256(crate::digest::Sha256::of(b"curl").0);
            assert_eq!((pkg, &o.digest, o.conffile), ("curl", &Some(want), false));
            assert!(owned(&p, "/etc/curlrc").1.conffile, "%config");
            let o = owned(&p, "/usr/bin/empty").1;
            assert_eq!((&o.digest, o.conffile), (&None, false));
            let mut md5 = [0; 16];
            hex::decode_to_slice(super::super::testimage::md5_hex(b"t"), &mut md5).unwrap();
            assert_eq!(
                owned(&p, "/opt/t").1.digest,
                Some(Recorded::Md5(md5)),
                "MD5 by default"
            );
            assert!(
                !p.files.iter().any(|(f, _)| f == b"/opt/x"),
                "dir index out of range"
            );
            let mut sha1 = [0; 20];
            hex::decode_to_slice("00112233445566778899aabbccddeeff00112233", &mut sha1).unwrap();
            assert_eq!(owned(&p, "/o/s").1.digest, Some(Recorded::Sha1(sha1)));
            assert_eq!(owned(&p, "/b/a").1.digest, Some(Recorded::Other("sha512")));
            assert_eq!(owned(&p, "/b/e").1.digest, None, "no digest recorded");
            assert_eq!(owned(&p, "/m/m").1.digest, Some(Recorded::Other("sha384")));
            assert_eq!(owned(&p, "/d/d").1.digest, Some(Recorded::Other("unknown")));
            assert_eq!(p.files.len(), 9);
            let why: Vec<String> = p.notices.iter().flat_map(|n| n.evidence.clone()).collect();
            assert_eq!(why.len(), 1, "{why:?}");
            assert!(why[0].contains("header blob 7 is malformed"), "{why:?}");
        }
    }

    #[test]
    fn unreadable_and_unread_databases_are_reported() {
        let why = |files: &[(&str, &[u8])]| -> Vec<String> {
            let p = read(&super::super::testimage::image(files));
            p.notices.iter().flat_map(|n| n.evidence.clone()).collect()
        };
        let short = why(&[("var/lib/rpm/rpmdb.sqlite", &[0u8; 99])]);
        assert!(short[0].contains("too short"), "{short:?}");
        let garbage = why(&[("var/lib/rpm/rpmdb.sqlite", &[7u8; 100])]);
        assert_eq!(garbage.len(), 1);
        assert!(!garbage[0].contains("too short"), "{garbage:?}");
        let bdb = why(&[
            ("var/lib/rpm/Packages", b"bdb"),
            ("usr/lib/sysimage/rpm/Packages.db", b"ndb"),
        ]);
        assert_eq!(bdb.len(), 2, "{bdb:?}");
        assert!(
            bdb[0].contains("Berkeley DB") && bdb[1].contains("ndb"),
            "{bdb:?}"
        );
        assert!(why(&[("var/lib/rpm/Other", b"x")]).is_empty());
    }

    /// Only a WAL header (write and read versions both 2, as rpm's
    /// SQLite leaves it) is switched to rollback mode for the in-memory
    /// read; a file whose read version alone says 2 is not rewritten, and
    /// SQLite refuses it: reported, not silently repaired.
    #[test]
    fn only_a_whole_wal_header_is_rewritten() {
        let good = sqlite(&rpm_db(), true);
        assert_eq!((good[18], good[19]), (2, 2));
        let read_db = |bytes: &[u8]| {
            let fs = super::super::testimage::image(&[("var/lib/rpm/rpmdb.sqlite", bytes)]);
            read(&fs)
        };
        assert_eq!(read_db(&good).packages.len(), 6);
        let mut half = good.clone();
        half[18] = 1;
        let p = read_db(&half);
        assert!(p.packages.is_empty());
        let why: Vec<String> = p.notices.iter().flat_map(|n| n.evidence.clone()).collect();
        assert_eq!(why.len(), 1, "{why:?}");
        assert!(!why[0].contains("header blob"), "{why:?}");
    }
}
