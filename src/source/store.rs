//! Where blobs come from: a directory (OCI layout) or an uncompressed tar
//! (oci-archive, docker-archive) read in place by offset, so nothing is
//! extracted to disk. Lookups are by name in an index, never by joining an
//! archive's names to host paths.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use crate::digest::Sha256;
use crate::error::{Error, Result};
use crate::limits::Limits;
use crate::path::ImagePath;

/// How a blob is named in its store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BlobLocator {
    /// `blobs/sha256/<hex>`.
    Digest(Sha256),
    /// A file name inside the store (`index.json`, a docker-archive layer path).
    Path(String),
}

impl BlobLocator {
    /// Path inside the store.
    pub fn path(&self) -> String {
        match self {
            BlobLocator::Digest(d) => format!("blobs/sha256/{}", d.hex()),
            BlobLocator::Path(p) => p.clone(),
        }
    }
}

/// A read-only store of blobs.
pub trait BlobStore: Send + Sync {
    /// Open a blob for streaming.
    fn open(&self, loc: &BlobLocator) -> Result<Box<dyn Read + Send + '_>>;
    /// True if the store has this blob.
    fn contains(&self, loc: &BlobLocator) -> bool;
    /// Where the store is, for messages.
    fn location(&self) -> String;

    /// The host file identity of a blob, when it is a local file (or a
    /// member of a local archive): what the layer cache remembers about a
    /// blob it verified. `None` for remote stores (a registry's blob is
    /// always streamed and verified).
    fn stat(&self, _loc: &BlobLocator) -> Option<BlobStat> {
        None
    }

    /// True for stores on this host (a layout, an archive): their blobs can
    /// change under a claimed digest, so a cached result is used only for a
    /// blob file whose [`BlobStore::stat`] was verified before.
    fn is_local(&self) -> bool {
        false
    }

    /// Open a manifest or index by digest (a registry serves them from a
    /// different endpoint than blobs; a layout keeps them with the blobs).
    fn open_manifest(&self, digest: &Sha256) -> Result<Box<dyn Read + Send + '_>> {
        self.open(&BlobLocator::Digest(*digest))
    }

    /// Read a small document whole, refusing more than `limits.max_json_bytes`.
    fn read_small(&self, loc: &BlobLocator, limits: &Limits) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        let mut r = self.open(loc)?.take(limits.max_json_bytes + 1);
        r.read_to_end(&mut out).map_err(|e| {
            Error::source(
                format!("{}: {}", self.location(), loc.path()),
                e.to_string(),
            )
        })?;
        if out.len() as u64 > limits.max_json_bytes {
            return Err(Error::Limit {
                location: format!("{}: {}", self.location(), loc.path()),
                what: "JSON document size",
                limit: limits.max_json_bytes,
                flag: "--max-json-size",
            });
        }
        Ok(out)
    }
}

/// An OCI layout directory on the host (or skopeo's `dir:` layout, whose
/// blobs are named by bare hex digest). Only regular files inside the
/// directory are opened: no symlink is followed, a FIFO or device is refused
/// without blocking (see [`super::confined`]).
pub struct DirStore {
    root: PathBuf,
    flat: bool,
}

impl DirStore {
    /// A store rooted at `root`.
    pub fn new(root: &Path) -> Self {
        DirStore {
            root: root.into(),
            flat: false,
        }
    }

    /// skopeo's `dir:` layout: blob `sha256:HEX` is the file `HEX`.
    pub fn skopeo_dir(root: &Path) -> Self {
        DirStore {
            root: root.into(),
            flat: true,
        }
    }

    fn name_of(&self, loc: &BlobLocator) -> String {
        match loc {
            BlobLocator::Digest(d) if self.flat => d.hex(),
            _ => loc.path(),
        }
    }

    /// Open a regular file of the store, confined to it.
    pub fn open_file(&self, loc: &BlobLocator) -> Result<File> {
        let name = self.name_of(loc);
        let root = super::confined::open_root(&self.root).map_err(|e| Error::io(&self.root, e))?;
        super::confined::open_beneath(&root, name.as_bytes(), super::confined::Want::File).map_err(
            |e| {
                Error::source(
                    format!("{}: {name}", self.location()),
                    super::confined::describe(&e),
                )
            },
        )
    }
}

/// The identity of a verified blob file as `stat` sees it, like git's index
/// entries: if none of these changed, the bytes are taken to be the same.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlobStat {
    pub dev: u64,
    pub ino: u64,
    pub size: u64,
    pub mtime_ns: i128,
    pub ctime_ns: i128,
    /// Where the blob starts inside the file (archive members; 0 for a file).
    pub offset: u64,
}

impl BlobStat {
    /// The stat of an open file.
    pub fn of(file: &File, offset: u64) -> Option<BlobStat> {
        use std::os::unix::fs::MetadataExt;
        let m = file.metadata().ok()?;
        Some(BlobStat {
            dev: m.dev(),
            ino: m.ino(),
            size: m.size(),
            mtime_ns: m.mtime() as i128 * 1_000_000_000 + m.mtime_nsec() as i128,
            ctime_ns: m.ctime() as i128 * 1_000_000_000 + m.ctime_nsec() as i128,
            offset,
        })
    }

    /// A stable text form, stored next to a verified digest.
    pub fn fingerprint(&self) -> String {
        format!(
            "dev={} ino={} size={} mtime={} ctime={} off={}",
            self.dev, self.ino, self.size, self.mtime_ns, self.ctime_ns, self.offset
        )
    }
}

impl BlobStore for DirStore {
    fn open(&self, loc: &BlobLocator) -> Result<Box<dyn Read + Send + '_>> {
        Ok(Box::new(self.open_file(loc)?))
    }
    fn contains(&self, loc: &BlobLocator) -> bool {
        self.open_file(loc).is_ok()
    }
    fn stat(&self, loc: &BlobLocator) -> Option<BlobStat> {
        BlobStat::of(&self.open_file(loc).ok()?, 0)
    }
    fn is_local(&self) -> bool {
        true
    }
    fn location(&self) -> String {
        self.root.display().to_string()
    }
}

#[derive(Clone, Debug)]
enum Member {
    File { offset: u64, size: u64 },
    Link(String),
}

/// A tar read in place: members of a plain tar are read by offset; in a
/// gzip/zstd-compressed tar (`docker save | gzip`) each open decompresses
/// again up to the member — correct, but slower than a plain archive.
pub struct TarStore {
    file: PathBuf,
    members: HashMap<String, Member>,
    compression: crate::layer::Compression,
}

impl TarStore {
    /// Index the members of the tar at `file` (one sequential read of headers).
    pub fn open(file: &Path) -> Result<TarStore> {
        let mut f = File::open(file).map_err(|e| Error::io(file, e))?;
        let mut magic = [0u8; 6];
        let n = f.read(&mut magic).map_err(|e| Error::io(file, e))?;
        let compression = match crate::layer::sniff_compression(&magic[..n]) {
            crate::layer::Sniffed::Known(c) => c,
            crate::layer::Sniffed::Unsupported(c) => {
                return Err(Error::Unsupported(format!(
                    "{}: the archive is {c}-compressed; decompress it first",
                    file.display()
                )));
            }
        };
        f.seek(SeekFrom::Start(0)).map_err(|e| Error::io(file, e))?;
        let bad = |e: std::io::Error| {
            Error::source(
                file.display().to_string(),
                format!("not a readable tar archive: {e}"),
            )
        };
        let reader = crate::layer::decoder(BufReader::new(f), compression).map_err(bad)?;
        let mut archive = tar::Archive::new(reader);
        let mut members = HashMap::new();
        for entry in archive.entries().map_err(bad)? {
            let entry = entry.map_err(bad)?;
            let name = ImagePath::new(entry.path_bytes().as_ref());
            let Ok(name) = String::from_utf8(name.as_bytes().to_vec()) else {
                continue;
            };
            let t = entry.header().entry_type();
            if t.is_file() || t.is_contiguous() {
                members.insert(
                    name,
                    Member::File {
                        offset: entry.raw_file_position(),
                        size: entry.size(),
                    },
                );
            } else if t.is_symlink() || t.is_hard_link() {
                let target = entry.link_name_bytes().unwrap_or_default();
                let target = if t.is_symlink() && !target.starts_with(b"/") {
                    let parent = ImagePath::new(name.as_bytes()).parent();
                    ImagePath::new([parent.as_bytes(), b"/", &target].concat())
                } else {
                    ImagePath::new(&target)
                };
                members.insert(
                    name,
                    Member::Link(String::from_utf8_lossy(target.as_bytes()).into_owned()),
                );
            }
        }
        Ok(TarStore {
            file: file.into(),
            members,
            compression,
        })
    }

    fn lookup(&self, name: &str) -> Option<(u64, u64)> {
        let mut name = String::from_utf8_lossy(ImagePath::new(name).as_bytes()).into_owned();
        for _ in 0..8 {
            match self.members.get(&name)? {
                Member::File { offset, size } => return Some((*offset, *size)),
                Member::Link(t) => name = t.clone(),
            }
        }
        None
    }
}

impl BlobStore for TarStore {
    fn open(&self, loc: &BlobLocator) -> Result<Box<dyn Read + Send + '_>> {
        let name = loc.path();
        let (offset, size) = self.lookup(&name).ok_or_else(|| {
            Error::source(self.location(), format!("archive has no member {name:?}"))
        })?;
        let mut f = File::open(&self.file).map_err(|e| Error::io(&self.file, e))?;
        if self.compression == crate::layer::Compression::None {
            f.seek(SeekFrom::Start(offset))
                .map_err(|e| Error::io(&self.file, e))?;
            return Ok(Box::new(f.take(size)));
        }
        let mut r = crate::layer::decoder(BufReader::new(f), self.compression)
            .map_err(|e| Error::io(&self.file, e))?;
        let skipped = std::io::copy(&mut (&mut r).take(offset), &mut std::io::sink())
            .map_err(|e| Error::io(&self.file, e))?;
        if skipped != offset {
            return Err(Error::source(
                self.location(),
                format!("archive ends before member {name:?}"),
            ));
        }
        Ok(Box::new(r.take(size)))
    }
    fn contains(&self, loc: &BlobLocator) -> bool {
        self.lookup(&loc.path()).is_some()
    }
    fn stat(&self, loc: &BlobLocator) -> Option<BlobStat> {
        let (offset, _) = self.lookup(&loc.path())?;
        BlobStat::of(&File::open(&self.file).ok()?, offset)
    }
    fn is_local(&self) -> bool {
        true
    }
    fn location(&self) -> String {
        self.file.display().to_string()
    }
}
