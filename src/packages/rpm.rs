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
}
