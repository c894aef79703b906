//! Test images for the package readers (unit tests only): regular files
//! carrying the MD5, SHA-1, sha256 and captured database bytes the layer
//! pass records for them, squashed into an [`ImageFs`] without any tar.

use std::sync::Arc;

use crate::digest::Sha256;
use crate::fs::ImageFs;
use crate::layer::{Entry, EntryType, LayerIndex, PkgHasher};
use crate::limits::Limits;
use crate::path::ImagePath;

/// (name, version, arch) of each package read, in the reader's order.
pub fn names(parsed: &super::Parsed) -> Vec<(&str, &str, Option<&str>)> {
    (parsed.packages.iter())
        .map(|p| (p.name.as_str(), p.version.as_str(), p.arch.as_deref()))
        .collect()
}

/// A regular file as the layer pass records it (mode 0644).
pub fn file(path: &str, bytes: &[u8]) -> Entry {
    let p = ImagePath::new(path);
    let mut h = PkgHasher::new(&p, &Limits::default());
    h.update(bytes);
    let mut e = Entry::new(p, EntryType::File, 0o644, 0, 0);
    e.size = bytes.len() as u64;
    e.sha256 = Some(Sha256::of(bytes));
    e.pkg = Some(Arc::new(h.finish()));
    e
}

/// A one-layer image of these files.
pub fn image(files: &[(&str, &[u8])]) -> ImageFs {
    image_of(files.iter().map(|(p, b)| file(p, b)).collect())
}

/// A one-layer image of these entries.
pub fn image_of(entries: Vec<Entry>) -> ImageFs {
    let mut layers = [LayerIndex {
        entries,
        ..Default::default()
    }];
    ImageFs::squash(&mut layers)
}

/// Hex MD5 of `bytes`, as dpkg's md5sums and Conffiles record it.
pub fn md5_hex(bytes: &[u8]) -> String {
    use md5::Digest as _;
    hex::encode(md5::Md5::digest(bytes))
}

/// `Q1…` base64 SHA-1 of `bytes`, as apk's `Z:` lines record it.
pub fn apk_q1(bytes: &[u8]) -> String {
    use base64::Engine as _;
    use sha1::Digest as _;
    let d = sha1::Sha1::digest(bytes);
    format!(
        "Q1{}",
        base64::engine::general_purpose::STANDARD.encode(d.as_slice())
    )
}
