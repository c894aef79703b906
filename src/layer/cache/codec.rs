//! The cached form of a [`LayerIndex`]: a compact binary encoding (fixed
//! fields, length-prefixed bytes; the rare nested parts — file facts and
//! findings — as JSON) in one zstd frame with its content checksum, behind a
//! magic and a format version. Loading is one linear pass with a small
//! constant per file. Any byte out of place — truncation, tampering, another
//! version — makes [`decode`] return `None`, never a panic or a wrong index.

use std::io::Write;
use std::sync::Arc;

use crate::digest::Sha256;
use crate::path::ImagePath;

use super::super::pkgfile::PkgData;
use super::super::{Compression, ContentKind, Entry, EntryType, LayerIndex, Whiteout};

/// Magic and format version of a cached layer index.
const MAGIC: &[u8; 8] = b"STWLIDX\x01";

const HAS_SHA: u8 = 1;
const HAS_LINK: u8 = 2;
const HAS_DEVICE: u8 = 4;
const HAS_FACTS: u8 = 8;
const HAS_PKG: u8 = 16;
const PKG_DB: u8 = 1;
const PKG_TOO_LARGE: u8 = 2;
const PKG_UNHASHED: u8 = 4;
const PKG_NO_MD5: u8 = 8;
const PKG_NO_SHA1: u8 = 16;

/// Encode a layer index; the JSON parts cannot fail (plain data types).
pub fn encode(index: &LayerIndex) -> Vec<u8> {
    frame(MAGIC, |w| write_index(w, index))
}

/// `magic` followed by one checksummed zstd frame of what `write` writes:
/// the stored form of every cache entry in this encoding.
pub(crate) fn frame(
    magic: &[u8],
    write: impl FnOnce(
        &mut std::io::BufWriter<zstd::stream::Encoder<'_, &mut Vec<u8>>>,
    ) -> std::io::Result<()>,
) -> Vec<u8> {
    let mut out = magic.to_vec();
    let mut z = zstd::stream::Encoder::new(&mut out, 1).expect("in-memory zstd");
    z.include_checksum(true).expect("zstd checksum flag");
    z.include_contentsize(false).expect("zstd size flag");
    let mut w = std::io::BufWriter::with_capacity(1 << 16, z);
    write(&mut w).expect("in-memory zstd");
    let z = w
        .into_inner()
        .map_err(|e| e.into_error())
        .expect("in-memory zstd");
    z.finish().expect("in-memory zstd");
    out
}

/// The body of what [`frame`] wrote under `magic`; `None` for another
/// magic or a damaged or truncated frame (its checksum is verified as it
/// ends).
pub(crate) fn unframe(stored: &[u8], magic: &[u8]) -> Option<Vec<u8>> {
    zstd::stream::decode_all(stored.strip_prefix(magic)?).ok()
}

pub(crate) fn write_index<W: Write>(w: &mut W, index: &LayerIndex) -> std::io::Result<()> {
    w.write_all(&[match index.compression {
        None => 0,
        Some(Compression::None) => 1,
        Some(Compression::Gzip) => 2,
        Some(Compression::Zstd) => 3,
    }])?;
    opt_digest(w, index.blob_digest.as_ref())?;
    w.write_all(&index.blob_size.to_le_bytes())?;
    opt_digest(w, index.diff_id.as_ref())?;
    w.write_all(&index.uncompressed_size.to_le_bytes())?;
    bytes(
        w,
        &serde_json::to_vec(&index.findings).expect("findings serialize"),
    )?;
    w.write_all(&(index.whiteouts.len() as u64).to_le_bytes())?;
    for wh in &index.whiteouts {
        let (tag, p) = match wh {
            Whiteout::Path(p) => (0u8, p),
            Whiteout::Opaque(p) => (1u8, p),
        };
        w.write_all(&[tag])?;
        bytes(w, p.as_bytes())?;
    }
    w.write_all(&(index.entries.len() as u64).to_le_bytes())?;
    for e in &index.entries {
        write_entry(w, e)?;
    }
    Ok(())
}

pub(crate) fn write_entry<W: Write>(w: &mut W, e: &Entry) -> std::io::Result<()> {
    let mut flags = 0u8;
    for (set, bit) in [
        (e.sha256.is_some(), HAS_SHA),
        (e.link.is_some(), HAS_LINK),
        (e.device.is_some(), HAS_DEVICE),
        (e.facts.is_some(), HAS_FACTS),
        (e.pkg.is_some(), HAS_PKG),
    ] {
        if set {
            flags |= bit;
        }
    }
    w.write_all(&[flags, kind_byte(e.kind), content_byte(e.content)])?;
    w.write_all(&e.mode.to_le_bytes())?;
    w.write_all(&e.uid.to_le_bytes())?;
    w.write_all(&e.gid.to_le_bytes())?;
    w.write_all(&e.size.to_le_bytes())?;
    bytes(w, e.path.as_bytes())?;
    if let Some(d) = &e.sha256 {
        w.write_all(&d.0)?;
    }
    if let Some(l) = &e.link {
        bytes(w, l)?;
    }
    if let Some((ma, mi)) = e.device {
        w.write_all(&ma.to_le_bytes())?;
        w.write_all(&mi.to_le_bytes())?;
    }
    if let Some(f) = &e.facts {
        bytes(w, &serde_json::to_vec(&**f).expect("facts serialize"))?;
    }
    if let Some(p) = &e.pkg {
        w.write_all(&p.md5)?;
        w.write_all(&p.sha1)?;
        let pf = if p.db.is_some() { PKG_DB } else { 0 }
            | if p.db_too_large { PKG_TOO_LARGE } else { 0 }
            | if p.unhashed { PKG_UNHASHED } else { 0 }
            | if p.no_md5 { PKG_NO_MD5 } else { 0 }
            | if p.no_sha1 { PKG_NO_SHA1 } else { 0 };
        w.write_all(&[pf])?;
        if let Some(db) = &p.db {
            bytes(w, db)?;
        }
    }
    Ok(())
}

fn opt_digest<W: Write>(w: &mut W, d: Option<&Sha256>) -> std::io::Result<()> {
    match d {
        Some(d) => {
            w.write_all(&[1])?;
            w.write_all(&d.0)
        }
        None => w.write_all(&[0]),
    }
}

pub(crate) fn bytes<W: Write>(w: &mut W, b: &[u8]) -> std::io::Result<()> {
    w.write_all(&(b.len() as u32).to_le_bytes())?;
    w.write_all(b)
}

fn kind_byte(k: EntryType) -> u8 {
    match k {
        EntryType::File => 0,
        EntryType::Dir => 1,
        EntryType::Symlink => 2,
        EntryType::Hardlink => 3,
        EntryType::Char => 4,
        EntryType::Block => 5,
        EntryType::Fifo => 6,
    }
}

fn kind_of(b: u8) -> Option<EntryType> {
    Some(match b {
        0 => EntryType::File,
        1 => EntryType::Dir,
        2 => EntryType::Symlink,
        3 => EntryType::Hardlink,
        4 => EntryType::Char,
        5 => EntryType::Block,
        6 => EntryType::Fifo,
        _ => return None,
    })
}

fn content_byte(c: ContentKind) -> u8 {
    match c {
        ContentKind::Data => 0,
        ContentKind::Elf => 1,
        ContentKind::Pe => 2,
        ContentKind::MachO => 3,
        ContentKind::Script => 4,
    }
}

fn content_of(b: u8) -> Option<ContentKind> {
    Some(match b {
        0 => ContentKind::Data,
        1 => ContentKind::Elf,
        2 => ContentKind::Pe,
        3 => ContentKind::MachO,
        4 => ContentKind::Script,
        _ => return None,
    })
}

/// Decode a cached layer index; `None` for anything that is not exactly
/// what [`encode`] wrote (the layer is then scanned again).
pub fn decode(stored: &[u8]) -> Option<LayerIndex> {
    let body = unframe(stored, MAGIC)?;
    let mut r = Reader(&body);
    let index = read_index(&mut r)?;
    r.0.is_empty().then_some(index)
}

pub(crate) fn read_index(r: &mut Reader<'_>) -> Option<LayerIndex> {
    let compression = match r.u8()? {
        0 => None,
        1 => Some(Compression::None),
        2 => Some(Compression::Gzip),
        3 => Some(Compression::Zstd),
        _ => return None,
    };
    let blob_digest = r.opt_digest()?;
    let blob_size = r.u64()?;
    let diff_id = r.opt_digest()?;
    let uncompressed_size = r.u64()?;
    let findings = serde_json::from_slice(r.bytes()?).ok()?;
    // Counts are checked against the bytes left, so a forged count cannot
    // reserve more memory than the entry itself occupies.
    let n = r.count(5)?;
    let mut whiteouts = Vec::with_capacity(n);
    for _ in 0..n {
        let tag = r.u8()?;
        let p = ImagePath::from_normalized(r.bytes()?)?;
        whiteouts.push(match tag {
            0 => Whiteout::Path(p),
            1 => Whiteout::Opaque(p),
            _ => return None,
        });
    }
    let n = r.count(35)?;
    let mut entries = Vec::with_capacity(n);
    for _ in 0..n {
        entries.push(read_entry(r)?);
    }
    Some(LayerIndex {
        entries,
        whiteouts,
        findings,
        compression,
        blob_digest,
        blob_size,
        diff_id,
        uncompressed_size,
        package_db_bytes: 0,
    })
}

pub(crate) fn read_entry(r: &mut Reader<'_>) -> Option<Entry> {
    let flags = r.u8()?;
    let kind = kind_of(r.u8()?)?;
    let content = content_of(r.u8()?)?;
    let mode = r.u32()?;
    let uid = r.u64()?;
    let gid = r.u64()?;
    let size = r.u64()?;
    let path = ImagePath::from_normalized(r.bytes()?)?;
    let mut e = Entry::new(path, kind, mode, uid, gid);
    e.size = size;
    e.content = content;
    if flags & HAS_SHA != 0 {
        e.sha256 = Some(Sha256(r.array()?));
    }
    if flags & HAS_LINK != 0 {
        e.link = Some(r.bytes()?.to_vec());
    }
    if flags & HAS_DEVICE != 0 {
        e.device = Some((r.u32()?, r.u32()?));
    }
    if flags & HAS_FACTS != 0 {
        e.facts = Some(Arc::new(serde_json::from_slice(r.bytes()?).ok()?));
    }
    if flags & HAS_PKG != 0 {
        let md5 = r.array()?;
        let sha1 = r.array()?;
        let pf = r.u8()?;
        let db = if pf & PKG_DB != 0 {
            Some(Arc::new(r.bytes()?.to_vec()))
        } else {
            None
        };
        e.pkg = Some(
            PkgData {
                md5,
                sha1,
                unhashed: pf & PKG_UNHASHED != 0,
                no_md5: pf & PKG_NO_MD5 != 0,
                no_sha1: pf & PKG_NO_SHA1 != 0,
                db,
                db_too_large: pf & PKG_TOO_LARGE != 0,
            }
            .into_arc(),
        );
    }
    (flags < 32).then_some(e)
}

/// Bounds-checked reads from the decoded body.
pub(crate) struct Reader<'a>(pub(crate) &'a [u8]);

impl<'a> Reader<'a> {
    pub(crate) fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.0.len() {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    pub(crate) fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }

    pub(crate) fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    pub(crate) fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.array()?))
    }

    pub(crate) fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.array()?))
    }

    pub(crate) fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = self.u32()? as usize;
        self.take(n)
    }

    /// A count of items each at least `min` bytes long, within what is left.
    pub(crate) fn count(&mut self, min: usize) -> Option<usize> {
        let n = usize::try_from(self.u64()?).ok()?;
        (n <= self.0.len() / min).then_some(n)
    }

    fn opt_digest(&mut self) -> Option<Option<Sha256>> {
        match self.u8()? {
            0 => Some(None),
            1 => Some(Some(Sha256(self.array()?))),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests;
