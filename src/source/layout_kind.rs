//! What a directory given as `dir:PATH` (or a bare path) really is: an image
//! layout must never be read as a root filesystem (its blobs are compressed
//! tars, so it would pass with no findings). An OCI image layout that lost
//! its `oci-layout` marker (`index.json` + `blobs/`) is refused; skopeo's
//! `dir:` layout (`manifest.json` + `version` + blobs named by hex digest)
//! is read as the image it is.

use std::path::Path;

use crate::digest::Sha256;
use crate::error::{Error, Result};
use crate::limits::Limits;

use super::platform::PlatformSpec;
use super::store::{BlobLocator, BlobStore, DirStore};
use super::{Image, oci_layout};

/// What a directory holds.
#[derive(Debug, PartialEq, Eq)]
pub enum DirKind {
    /// A root filesystem (anything that is not an image layout).
    Rootfs,
    /// An OCI image layout (with or without its `oci-layout` marker).
    OciLayout { marker: bool },
    /// skopeo's `dir:` transport layout.
    SkopeoDir,
}

fn is_regular(p: &Path) -> bool {
    p.symlink_metadata().is_ok_and(|m| m.is_file())
}

/// Classify `dir` by the names at its top level.
pub fn classify(dir: &Path) -> DirKind {
    let marker = is_regular(&dir.join("oci-layout"));
    let blobs = dir
        .join("blobs")
        .symlink_metadata()
        .is_ok_and(|m| m.is_dir());
    if marker || (blobs && dir.join("index.json").symlink_metadata().is_ok()) {
        return DirKind::OciLayout { marker };
    }
    if dir.join("manifest.json").symlink_metadata().is_ok() && is_regular(&dir.join("version")) {
        let hex_named = std::fs::read_dir(dir).is_ok_and(|rd| {
            rd.flatten()
                .any(|e| e.file_name().to_str().and_then(Sha256::from_hex).is_some())
        });
        let version = std::fs::read(dir.join("version")).unwrap_or_default();
        if hex_named || version.starts_with(b"Directory Transport Version") {
            return DirKind::SkopeoDir;
        }
    }
    DirKind::Rootfs
}

/// The refusal for an OCI layout without its marker.
pub fn unmarked_layout(dir: &Path) -> Error {
    Error::source(
        dir.display().to_string(),
        "looks like an OCI image layout (index.json and blobs/) but has no oci-layout file; \
         it is not read as a root filesystem. Restore the oci-layout file \
         ({\"imageLayoutVersion\": \"1.0.0\"}) and scan it as oci:DIR",
    )
}

/// Open skopeo's `dir:` layout: `manifest.json` is the image manifest (a
/// single-image copy) or an index (`--all`), its blobs sit beside it.
pub fn open_skopeo_dir(
    dir: &Path,
    platform: Option<&PlatformSpec>,
    limits: &Limits,
    reference: String,
) -> Result<Image> {
    let store = DirStore::skopeo_dir(dir);
    let bytes = store.read_small(&BlobLocator::Path("manifest.json".into()), limits)?;
    let digest = Sha256::of(&bytes);
    let chosen = oci_layout::from_root_document(&store, &bytes, digest, platform, limits)?;
    super::from_manifest(Box::new(store), chosen, "dir", reference, limits)
}
