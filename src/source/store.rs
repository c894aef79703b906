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

/// An OCI layout directory on the host.
pub struct DirStore {
    root: PathBuf,
}

impl DirStore {
    /// A store rooted at `root`.
    pub fn new(root: &Path) -> Self {
        DirStore { root: root.into() }
    }
}

impl BlobStore for DirStore {
    fn open(&self, loc: &BlobLocator) -> Result<Box<dyn Read + Send + '_>> {
        let path = self.root.join(loc.path());
        let f = File::open(&path).map_err(|e| Error::io(&path, e))?;
        Ok(Box::new(f))
    }
    fn contains(&self, loc: &BlobLocator) -> bool {
        self.root.join(loc.path()).is_file()
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
    fn location(&self) -> String {
        self.file.display().to_string()
    }
}
