//! The per-layer cache: a layer's [`LayerIndex`] keyed by its content digest
//! and by everything that shapes the result (this build's version, the
//! catalogue, the inspection buffer size), so a layer already seen — a
//! shared base layer, a rescan — is not decompressed again. Storage is
//! abstract; the baseline database provides it.

use std::sync::OnceLock;

use crate::digest::{Hasher, Sha256};
use crate::limits::Limits;

use super::LayerIndex;

/// Somewhere to keep cached layer results.
pub trait LayerCache: Sync {
    /// The bytes stored under `key`, if any.
    fn get(&self, key: &str) -> Option<Vec<u8>>;
    /// Store bytes under `key` (best effort: a failed write only costs a rescan).
    fn put(&self, key: &str, data: &[u8]);
}

fn analyzers_version() -> &'static str {
    static V: OnceLock<String> = OnceLock::new();
    V.get_or_init(|| {
        let mut h = Hasher::new();
        h.update(env!("CARGO_PKG_VERSION").as_bytes());
        h.update(include_str!("../catalog/tools.toml").as_bytes());
        h.update(include_str!("../catalog/commands.toml").as_bytes());
        h.update(crate::inspect::FACTS_VERSION.as_bytes());
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
        "layer/v1/{kind}/{}/{}/buf{}",
        d.hex(),
        analyzers_version(),
        limits.max_file_buffer
    ))
}

/// Serialize a layer index (zstd-compressed JSON).
pub fn encode(index: &LayerIndex) -> Vec<u8> {
    let json = serde_json::to_vec(index).expect("layer index serializes");
    zstd::encode_all(&json[..], 3).expect("in-memory zstd")
}

/// Deserialize a layer index; `None` if the bytes are not a valid entry
/// (then the layer is simply scanned again).
pub fn decode(bytes: &[u8]) -> Option<LayerIndex> {
    let json = zstd::decode_all(bytes).ok()?;
    serde_json::from_slice(&json).ok()
}
