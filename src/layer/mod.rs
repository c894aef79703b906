//! One layer, one pass: decompress, verify, walk the tar, hash every file.
//! The result is a [`LayerIndex`]: the layer's entries and whiteouts as data,
//! plus what was odd about them, ready to be squashed with the other layers.

pub mod cache;
mod content;
mod decompress;
mod guard;
mod gunzip;
pub mod kind;
mod pkgfile;
mod ranged;
mod readahead;
mod sniff;
mod sparse;
mod stream;
mod trailer;
mod walk;

/// Deterministic pseudo-random bytes (xorshift) for the digest tests, so
/// a failure reproduces.
#[cfg(test)]
pub(crate) fn noise(seed: u64, n: usize) -> Vec<u8> {
    let mut x = seed | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

pub use crate::model::{Compression, ContentKind, EntryType};
pub use content::{ContentError, ContentRead, read_content, read_content_with};
pub use decompress::{Sniffed, claimed, decoder, sniff as sniff_compression};
pub use pkgfile::{DigestPlan, PkgData, PkgDigests, PkgHasher, is_package_db, needs_digests};
pub use stream::{LayerInput, scan_layer};
pub use walk::{WalkContext, walk_tar};

use serde::{Deserialize, Serialize};

use crate::digest::Sha256;
use crate::finding::Finding;
use crate::inspect::FileFacts;
use crate::path::ImagePath;

/// One entry of a layer (or of a root filesystem), with what inspecting
/// its content found and its package digests (the entry's shape is the
/// vocabulary's: [`crate::model::Entry`]).
pub type Entry = crate::model::Entry<FileFacts, PkgData>;

/// A deletion recorded by a layer, applied to the layers below it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Whiteout {
    /// `.wh.NAME`: delete this path (and everything below it).
    Path(ImagePath),
    /// `.wh..wh..opq`: hide everything lower layers put below this directory.
    Opaque(ImagePath),
}

/// Everything learned from one layer in one pass.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct LayerIndex {
    /// Entries in tar order (duplicates kept; the last one wins when squashing).
    pub entries: Vec<Entry>,
    /// Whiteouts in tar order.
    pub whiteouts: Vec<Whiteout>,
    /// Odd entries found while walking (layer is filled in by the scan).
    pub findings: Vec<Finding>,
    /// Compression found by magic bytes.
    pub compression: Option<Compression>,
    /// Digest and size of the blob as stored (compressed).
    pub blob_digest: Option<Sha256>,
    pub blob_size: u64,
    /// Digest and size of the uncompressed tar.
    pub diff_id: Option<Sha256>,
    pub uncompressed_size: u64,
    /// Package database bytes kept so far in this layer (see `--max-package-db`).
    #[serde(skip)]
    pub package_db_bytes: u64,
}

/// The pseudo-devices a root filesystem made by debootstrap or a distro
/// tarball carries in /dev, with their standard numbers.
const STANDARD_DEVICES: &[(&str, u32, u32)] = &[
    ("dev/null", 1, 3),
    ("dev/zero", 1, 5),
    ("dev/full", 1, 7),
    ("dev/random", 1, 8),
    ("dev/urandom", 1, 9),
    ("dev/tty", 5, 0),
    ("dev/console", 5, 1),
    ("dev/ptmx", 5, 2),
];

/// The finding for a device node: low for the standard pseudo-devices, high
/// for raw memory and block devices, medium otherwise.
pub fn device_finding(path: &ImagePath, kind: EntryType, dev: (u32, u32)) -> Finding {
    use crate::finding::{Code, Severity};
    let f = Finding::new(Code::DeviceNode).at(path).because(format!(
        "{} device {}:{}",
        kind.as_str(),
        dev.0,
        dev.1
    ));
    let standard = kind == EntryType::Char
        && STANDARD_DEVICES
            .iter()
            .any(|(p, ma, mi)| p.as_bytes() == path.as_bytes() && (*ma, *mi) == dev);
    if standard {
        f.severity(Severity::Low)
            .because("standard pseudo-device of a base root filesystem")
    } else if kind == EntryType::Block
        || (kind == EntryType::Char && dev.0 == 1 && matches!(dev.1, 1 | 2 | 4))
    {
        f.severity(Severity::High)
            .because("gives direct access to host memory or disks")
    } else {
        f
    }
}
