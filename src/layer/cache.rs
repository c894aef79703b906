//! The per-layer cache: a layer's [`LayerIndex`] keyed by its content digest
//! and by everything that shapes the result (this build's version, the
//! catalogue, the inspection buffer size), so a layer already seen — a
//! shared base layer, a rescan — is not decompressed again. Storage is
//! abstract; the baseline database provides it.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::digest::{Hasher, Sha256};
use crate::error::{Error, Result};
use crate::limits::{Limit, Limits};

use super::LayerIndex;

pub(crate) mod codec;

/// Somewhere to keep cached layer results.
pub trait LayerCache: Sync {
    /// The bytes stored under `key`, if any.
    fn get(&self, key: &str) -> Option<Vec<u8>>;
    /// Store bytes under `key` (best effort: a failed write only costs a rescan).
    fn put(&self, key: &str, data: &[u8]);
}

/// The version of everything that shapes a scan's facts (this build, the
/// catalogues): part of every cache key and of `serve`'s job keys.
pub fn analyzers_version() -> &'static str {
    static V: OnceLock<String> = OnceLock::new();
    V.get_or_init(|| {
        let mut h = Hasher::new();
        h.update(env!("CARGO_PKG_VERSION").as_bytes());
        h.update(include_str!("../catalog/tools.toml").as_bytes());
        h.update(include_str!("../catalog/commands.toml").as_bytes());
        h.update(crate::inspect::FACTS_VERSION.as_bytes());
        h.update(super::pkgfile::DIGEST_SCOPE.as_bytes());
        h.update(crate::finding::FINDING_FORMAT.as_bytes());
        h.finish().hex()[..16].to_string()
    })
}

/// The cache key of a layer: its blob digest (or, for archives without one,
/// its diff_id) plus the analyzers' version and the settings that change
/// what is recorded.
pub fn key(digest: Option<&Sha256>, diff_id: Option<&Sha256>, limits: &Limits) -> Option<String> {
    let (kind, d) = match (digest, diff_id) {
        (Some(d), _) => ("blob", d),
        (None, Some(d)) => ("diff", d),
        _ => return None,
    };
    Some(format!(
        "layer/v3/{kind}/{}/{}/buf{}/pkg{}",
        d.hex(),
        analyzers_version(),
        limits.max_file_buffer,
        limits.max_package_db
    ))
}

/// The key recording that the local blob file with this stat fingerprint
/// (device, inode, size, mtime, ctime, member offset) was read and verified
/// for the cache entry `key`. A cached result of a local blob is used only
/// when this key exists: any change of the file changes its ctime, and then
/// the blob is read and verified again (as git's index does for the work tree).
pub fn verified_key(key: &str, fingerprint: &str) -> String {
    format!("verified/v1/{key}/{fingerprint}")
}

/// What the limits are checked on, kept for a layer whose entries have
/// moved on (into a cached squashed view).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Shape {
    /// Entries and whiteouts.
    pub entries: u64,
    /// Bytes of the longest entry path.
    pub longest_path: u64,
    /// Bytes of the uncompressed tar.
    pub uncompressed: u64,
}

impl Shape {
    /// The shape of a layer index (before its entries are squashed).
    pub fn of(index: &LayerIndex) -> Shape {
        Shape {
            entries: (index.entries.len() + index.whiteouts.len()) as u64,
            longest_path: (index.entries.iter())
                .map(|e| e.path.as_bytes().len() as u64)
                .max()
                .unwrap_or(0),
            uncompressed: index.uncompressed_size,
        }
    }
}

/// The limits a cached layer must still satisfy: a cache hit is no way
/// around `--max-entries`, `--max-layer-size`, `--max-image-size` or
/// `--max-path-bytes`. `image_bytes` is the scan's running total.
pub fn check_limits(
    index: &LayerIndex,
    limits: &Limits,
    image_bytes: &AtomicU64,
    location: &str,
) -> Result<()> {
    check_shape(&Shape::of(index), limits, image_bytes, location)
}

/// [`check_limits`] on a layer's [`Shape`].
pub fn check_shape(
    shape: &Shape,
    limits: &Limits,
    image_bytes: &AtomicU64,
    location: &str,
) -> Result<()> {
    let limit = |which: Limit| {
        Err(Error::limit(
            which,
            format!("{location} (cached result)"),
            limits.get(which),
        ))
    };
    if shape.entries > limits.max_entries {
        return limit(Limit::Entries);
    }
    if shape.uncompressed > limits.max_layer_bytes {
        return limit(Limit::LayerSize);
    }
    let total = image_bytes.fetch_add(shape.uncompressed, Ordering::Relaxed) + shape.uncompressed;
    if total > limits.max_image_bytes {
        return limit(Limit::ImageSize);
    }
    if shape.longest_path > limits.max_path_bytes as u64 {
        return limit(Limit::PathBytes);
    }
    Ok(())
}

/// Serialize a layer index (see [`codec`]: compact binary in a checksummed
/// zstd frame).
pub fn encode(index: &LayerIndex) -> Vec<u8> {
    codec::encode(index)
}

/// Deserialize a layer index; `None` if the bytes are not a valid entry
/// (then the layer is simply scanned again).
pub fn decode(bytes: &[u8]) -> Option<LayerIndex> {
    codec::decode(bytes)
}
