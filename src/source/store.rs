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
use crate::limits::{Limit, Limits};
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

    /// Where the blob sits in the store's one stream (an archive member's
    /// offset): the scan reads layers in this order, so a compressed
    /// archive is inflated front to back once.
    fn read_order(&self, _loc: &BlobLocator) -> Option<u64> {
        None
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
            return Err(Error::limit(
                Limit::JsonSize,
                format!("{}: {}", self.location(), loc.path()),
                limits.max_json_bytes,
            ));
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

/// A tar read in place: members of a plain tar are read by offset. A
/// gzip/zstd-compressed tar (`docker save | gzip`) is inflated once to index
/// it (small members, such as manifests and configs, are kept in memory
/// then), and once more for the layers: one shared decoder moves forward
/// through the archive, handed from one member reader to the next, and the
/// scan reads layers in archive order. Only a read behind the decoder's
/// position inflates from the start again.
pub struct TarStore {
    file: PathBuf,
    members: HashMap<String, Member>,
    compression: crate::layer::Compression,
    /// Small members of a compressed archive, read during indexing.
    small: HashMap<u64, std::sync::Arc<Vec<u8>>>,
    cursor: std::sync::Mutex<Slot>,
    handed_back: std::sync::Condvar,
    inflated: std::sync::atomic::AtomicU64,
}

/// The shared forward decoder of a compressed archive.
#[derive(Default)]
struct Slot {
    busy: bool,
    decoder: Option<(Box<dyn Read + Send>, u64)>,
}

/// Members of a compressed archive up to this size are kept in memory by
/// the indexing pass, up to `SMALL_TOTAL` in all.
const SMALL_MEMBER: u64 = 1 << 20;
const SMALL_TOTAL: u64 = 32 << 20;

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
        let mut small = HashMap::new();
        let mut small_total = 0u64;
        let keep_small = compression != crate::layer::Compression::None;
        for entry in archive.entries().map_err(bad)? {
            let mut entry = entry.map_err(bad)?;
            let name = ImagePath::new(entry.path_bytes().as_ref());
            let Ok(name) = String::from_utf8(name.as_bytes().to_vec()) else {
                continue;
            };
            let t = entry.header().entry_type();
            if t.is_file() || t.is_contiguous() {
                let (offset, size) = (entry.raw_file_position(), entry.size());
                if keep_small && size <= SMALL_MEMBER && small_total + size <= SMALL_TOTAL {
                    let mut v = Vec::with_capacity(size as usize);
                    (&mut entry).take(size).read_to_end(&mut v).map_err(bad)?;
                    small_total += v.len() as u64;
                    small.insert(offset, std::sync::Arc::new(v));
                }
                members.insert(name, Member::File { offset, size });
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
            small,
            cursor: Default::default(),
            handed_back: Default::default(),
            inflated: Default::default(),
        })
    }

    /// Bytes inflated so far by member reads (not counting the indexing
    /// pass): about the archive's size when members are read in order.
    pub fn inflated_bytes(&self) -> u64 {
        self.inflated.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Take the shared decoder (waiting while another member reads it),
    /// positioned at `offset`.
    fn take_decoder(&self, offset: u64, name: &str) -> Result<(Box<dyn Read + Send>, u64)> {
        let mut slot = self.cursor.lock().expect("archive cursor lock");
        while slot.busy {
            slot = self.handed_back.wait(slot).expect("archive cursor lock");
        }
        slot.busy = true;
        let current = slot.decoder.take();
        drop(slot);
        let res = (|| {
            let (mut r, mut pos) = match current {
                Some((r, pos)) if pos <= offset => (r, pos),
                _ => {
                    let f = File::open(&self.file).map_err(|e| Error::io(&self.file, e))?;
                    let r = crate::layer::decoder(BufReader::new(f), self.compression)
                        .map_err(|e| Error::io(&self.file, e))?;
                    (r, 0)
                }
            };
            let want = offset - pos;
            let skipped = std::io::copy(&mut (&mut r).take(want), &mut std::io::sink())
                .map_err(|e| Error::io(&self.file, e))?;
            pos += skipped;
            self.inflated
                .fetch_add(skipped, std::sync::atomic::Ordering::Relaxed);
            if skipped != want {
                return Err(Error::source(
                    self.location(),
                    format!("archive ends before member {name:?}"),
                ));
            }
            Ok((r, pos))
        })();
        if res.is_err() {
            self.give_back(None);
        }
        res
    }

    fn give_back(&self, decoder: Option<(Box<dyn Read + Send>, u64)>) {
        let mut slot = self.cursor.lock().expect("archive cursor lock");
        slot.decoder = decoder;
        slot.busy = false;
        drop(slot);
        self.handed_back.notify_one();
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
        let (offset, size) = self.lookup(&name).ok_or_else(|| Error::NotFound {
            location: self.location(),
            what: format!("archive has no member {name:?}"),
            choices: Vec::new(),
        })?;
        if self.compression == crate::layer::Compression::None {
            let mut f = File::open(&self.file).map_err(|e| Error::io(&self.file, e))?;
            f.seek(SeekFrom::Start(offset))
                .map_err(|e| Error::io(&self.file, e))?;
            return Ok(Box::new(f.take(size)));
        }
        if let Some(bytes) = self.small.get(&offset) {
            return Ok(Box::new(std::io::Cursor::new(bytes.as_ref().clone())));
        }
        let (decoder, pos) = self.take_decoder(offset, &name)?;
        Ok(Box::new(MemberReader {
            store: self,
            decoder: Some(decoder),
            pos,
            left: size,
        }))
    }
    fn read_order(&self, loc: &BlobLocator) -> Option<u64> {
        self.lookup(&loc.path()).map(|(offset, _)| offset)
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

/// One member of a compressed archive, read from the shared decoder, which
/// goes back to the store when the reader is dropped.
struct MemberReader<'a> {
    store: &'a TarStore,
    decoder: Option<Box<dyn Read + Send>>,
    pos: u64,
    left: u64,
}

impl Read for MemberReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let Some(r) = self.decoder.as_mut() else {
            return Ok(0);
        };
        let max = buf.len().min(self.left.min(usize::MAX as u64) as usize);
        if max == 0 {
            return Ok(0);
        }
        let n = r.read(&mut buf[..max])?;
        self.pos += n as u64;
        self.left -= n as u64;
        self.store
            .inflated
            .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

impl Drop for MemberReader<'_> {
    fn drop(&mut self) {
        let d = self.decoder.take().map(|r| (r, self.pos));
        self.store.give_back(d);
    }
}
