//! `containers-storage:NAME[:TAG]`: images held by Podman, Buildah and
//! CRI-O, read in place from their storage (`/var/lib/containers/storage`,
//! rootless `$XDG_DATA_HOME/containers/storage`, or `--storage-root`).
//!
//! The graph driver is detected from the storage itself (`overlay-images/`,
//! `vfs-images/`). `images.json` and `layers.json` are read as strict JSON;
//! the image's manifest and config come from its big-data files and are
//! verified against the digests that name them; the layer chain (top layer,
//! then parents) must match the config's diff_ids. Each layer's tar stream is
//! rebuilt exactly from its tar-split metadata and its directory (see
//! [`super::tar_split`]) and hashed against the diff_id by the layer
//! pipeline. Nothing is written and no store lock is taken: a store changing
//! during the scan shows up as a verification error, not as a wrong result.

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use base64::Engine;
use serde::Deserialize;

use crate::digest::Sha256;
use crate::error::{Error, Result};
use crate::limits::{Limit, Limits};

use super::confined::{self, Want};
use super::tar_split::SplitLayerStore;
use super::{Content, Image, ImageConfig, LayerSpec, verify_blob};

/// Where a driver keeps a layer's files, from the layer's ID.
type LayerDir = fn(&str) -> String;

/// Graph drivers whose layer contents can be read: the driver's name and
/// where a layer's files are, relative to the storage root.
const DRIVERS: [(&str, LayerDir); 2] = [
    ("overlay", |id| format!("overlay/{id}/diff")),
    ("vfs", |id| format!("vfs/dir/{id}")),
];

/// The default storage root: root's, or the rootless one of this user.
pub fn default_root() -> PathBuf {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        return PathBuf::from("/var/lib/containers/storage");
    }
    let data = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from(".local/share"));
    data.join("containers/storage")
}

/// One image record of `images.json`.
#[derive(Deserialize, Clone, Debug)]
pub struct StoredImage {
    pub id: String,
    #[serde(default)]
    pub digest: Option<String>,
    #[serde(default)]
    pub digests: Option<Vec<String>>,
    #[serde(default)]
    pub names: Option<Vec<String>>,
    #[serde(default)]
    pub layer: Option<String>,
    #[serde(default, rename = "big-data-digests")]
    pub big_data_digests: Option<HashMap<String, String>>,
}

/// One layer record of `layers.json`.
#[derive(Deserialize, Clone, Debug)]
struct StoredLayer {
    id: String,
    #[serde(default)]
    parent: Option<String>,
    #[serde(default, rename = "diff-digest")]
    diff_digest: Option<String>,
    #[serde(default, rename = "diff-size")]
    diff_size: Option<u64>,
}

/// A storage root with one graph driver's metadata in it.
pub struct Storage {
    root: PathBuf,
    driver: &'static str,
    layer_dir: LayerDir,
}

impl Storage {
    /// The drivers with image metadata under `root` (usually one).
    pub fn find(root: &Path) -> Result<Vec<Storage>> {
        let fd = confined::open_root(root).map_err(|e| {
            Error::source(
                format!("containers-storage {}", root.display()),
                format!("cannot open the storage root: {e}"),
            )
        })?;
        let found: Vec<Storage> = DRIVERS
            .iter()
            .filter(|(name, _)| {
                let rel = format!("{name}-images/images.json");
                confined::open_beneath(&fd, rel.as_bytes(), Want::File).is_ok()
            })
            .map(|(name, dir)| Storage {
                root: root.into(),
                driver: name,
                layer_dir: *dir,
            })
            .collect();
        if found.is_empty() {
            return Err(Error::source(
                format!("containers-storage {}", root.display()),
                "no overlay-images/images.json nor vfs-images/images.json: not a containers-storage root \
                 (or a graph driver Stowaway cannot read); name one with --storage-root",
            ));
        }
        Ok(found)
    }

    /// The driver's name.
    pub fn driver(&self) -> &'static str {
        self.driver
    }

    /// For messages: `containers-storage /root (vfs)`.
    pub fn location(&self) -> String {
        format!(
            "containers-storage {} ({})",
            self.root.display(),
            self.driver
        )
    }

    /// Open a regular file of the store, confined to the root.
    fn open(&self, rel: &str) -> Result<File> {
        let fd = confined::open_root(&self.root).map_err(|e| Error::io(&self.root, e))?;
        confined::open_beneath(&fd, rel.as_bytes(), Want::File).map_err(|e| {
            Error::source(
                format!("{}: {rel}", self.location()),
                confined::describe(&e),
            )
        })
    }

    /// Read a small file whole, capped at `--max-json-size`.
    fn read_small(&self, rel: &str, limits: &Limits) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        let f = self.open(rel)?;
        f.take(limits.max_json_bytes + 1)
            .read_to_end(&mut out)
            .map_err(|e| Error::source(format!("{}: {rel}", self.location()), e.to_string()))?;
        if out.len() as u64 > limits.max_json_bytes {
            return Err(Error::limit(
                Limit::JsonSize,
                format!("{}: {rel}", self.location()),
                limits.max_json_bytes,
            ));
        }
        Ok(out)
    }

    /// Read a strict JSON document of the store.
    fn read_json<T: serde::de::DeserializeOwned>(
        &self,
        rel: &str,
        what: &'static str,
        limits: &Limits,
    ) -> Result<T> {
        let bytes = self.read_small(rel, limits)?;
        let location = format!("{}: {rel}", self.location());
        super::json::check_keys(&bytes, what, &location)?;
        serde_json::from_slice(&bytes).map_err(|e| Error::Document {
            what,
            location,
            reason: e.to_string(),
        })
    }

    /// The images this driver's metadata lists.
    pub fn images(&self, limits: &Limits) -> Result<Vec<StoredImage>> {
        let rel = format!("{}-images/images.json", self.driver);
        let v: Option<Vec<StoredImage>> =
            self.read_json(&rel, "containers-storage images.json", limits)?;
        Ok(v.unwrap_or_default())
    }

    fn layers(&self, limits: &Limits) -> Result<HashMap<String, StoredLayer>> {
        let rel = format!("{}-layers/layers.json", self.driver);
        let v: Option<Vec<StoredLayer>> =
            self.read_json(&rel, "containers-storage layers.json", limits)?;
        Ok(v.unwrap_or_default()
            .into_iter()
            .map(|l| (l.id.clone(), l))
            .collect())
    }

    /// Read and verify one big-data item of an image (its manifest, its config).
    fn big_data(&self, image: &StoredImage, key: &str, limits: &Limits) -> Result<Vec<u8>> {
        let rel = format!(
            "{}-images/{}/{}",
            self.driver,
            safe_id(&image.id, &self.location())?,
            big_data_name(key)
        );
        let bytes = self.read_small(&rel, limits)?;
        let recorded = image
            .big_data_digests
            .as_ref()
            .and_then(|m| m.get(key))
            .map(|d| parse_digest(d, &format!("{}: {rel}", self.location())))
            .transpose()?;
        if let Some(d) = recorded {
            verify_blob(&bytes, d, None, &format!("{}: {rel}", self.location()))?;
        }
        Ok(bytes)
    }
}

/// The file name containers-storage gives a big-data key: the key itself
/// when it is made of `[a-z0-9.]`, else `=` + its base64.
fn big_data_name(key: &str) -> String {
    if !key.is_empty()
        && key
            .bytes()
            .all(|c| c == b'.' || c.is_ascii_digit() || c.is_ascii_lowercase())
    {
        return key.to_string();
    }
    format!(
        "={}",
        base64::engine::general_purpose::STANDARD.encode(key.as_bytes())
    )
}

/// An image or layer ID from the store's metadata, checked before it
/// becomes part of a path.
fn safe_id<'a>(id: &'a str, location: &str) -> Result<&'a str> {
    if id.is_empty() || id.len() > 128 || !id.bytes().all(|c| c.is_ascii_alphanumeric()) {
        return Err(Error::source(
            location.to_string(),
            format!("the metadata names an invalid ID {id:?}"),
        ));
    }
    Ok(id)
}

fn parse_digest(s: &str, location: &str) -> Result<Sha256> {
    s.parse()
        .map_err(|e: String| Error::source(location.to_string(), format!("digest {s:?}: {e}")))
}

/// The names a user's `NAME[:TAG]` may be stored under (Podman's short-name
/// forms: `docker.io/library/`, `docker.io/`, `localhost/`; `:latest` when
/// no tag is given).
pub(super) fn name_candidates(name: &str) -> Vec<String> {
    let last = name.rsplit('/').next().unwrap_or(name);
    let tagged = if last.contains(':') || last.contains('@') {
        name.to_string()
    } else {
        format!("{name}:latest")
    };
    let mut out = vec![name.to_string(), tagged.clone()];
    let first = tagged.split('/').next().unwrap_or("");
    let has_host = tagged.contains('/')
        && (first.contains('.') || first.contains(':') || first == "localhost");
    if !has_host {
        if !tagged.contains('/') {
            out.push(format!("docker.io/library/{tagged}"));
        }
        out.push(format!("docker.io/{tagged}"));
        out.push(format!("localhost/{tagged}"));
    }
    out
}

/// Does `image` answer to `name` (a name, an ID, `sha256:ID`, or an ID prefix of 12+)?
fn matches(image: &StoredImage, name: &str, candidates: &[String]) -> bool {
    // REPO@sha256:DIGEST: the manifest digest must be the image's, and the
    // repository one of its names' (any tag).
    if let Some((repo, digest)) = name.split_once('@') {
        let has_digest = image.digest.as_deref() == Some(digest)
            || image.digests.iter().flatten().any(|d| d == digest);
        let repos: Vec<String> = name_candidates(repo)
            .into_iter()
            .map(|c| c.trim_end_matches(":latest").to_string())
            .collect();
        let has_repo = image.names.iter().flatten().any(|n| {
            let r = n.rsplit_once(':').filter(|(_, t)| !t.contains('/'));
            let r = r.map_or(n.as_str(), |(r, _)| r);
            repos.iter().any(|c| c == r)
        });
        return has_digest && has_repo;
    }
    let id = name.strip_prefix("sha256:").unwrap_or(name);
    if id.len() >= 12 && id.bytes().all(|c| c.is_ascii_hexdigit()) && image.id.starts_with(id) {
        return true;
    }
    image
        .names
        .iter()
        .flatten()
        .any(|n| candidates.iter().any(|c| c == n))
}

/// Every name an image answers to, for "not found" messages and listings.
pub fn display_names(image: &StoredImage) -> Vec<String> {
    match image.names.as_deref() {
        Some(n) if !n.is_empty() => n.to_vec(),
        _ => vec![format!("<none> ({})", &image.id[..image.id.len().min(12)])],
    }
}

/// One image of a storage, for listings.
pub struct Stored {
    pub names: Vec<String>,
    /// The manifest digest, or `sha256:ID` without one.
    pub digest: String,
    /// Uncompressed size of its layers, when every layer records it.
    pub size: Option<u64>,
}

/// Every image of the storage at `root`.
pub fn list(root: &Path, limits: &Limits) -> Result<Vec<Stored>> {
    let mut out = Vec::new();
    for storage in Storage::find(root)? {
        let layers = storage.layers(limits)?;
        for img in storage.images(limits)? {
            let mut size = Some(0u64);
            let mut next = img.layer.clone();
            let mut steps = 0;
            while let Some(id) = next {
                let l = layers.get(&id);
                size = size.zip(l.and_then(|l| l.diff_size)).map(|(a, b)| a + b);
                next = l.and_then(|l| l.parent.clone());
                steps += 1;
                if steps > layers.len() {
                    size = None;
                    break;
                }
            }
            let digest = img
                .digest
                .clone()
                .unwrap_or_else(|| format!("sha256:{}", img.id));
            out.push(Stored {
                names: display_names(&img),
                digest,
                size,
            });
        }
    }
    Ok(out)
}

/// Find `name` in the storage at `root`.
fn find_image(root: &Path, name: &str, limits: &Limits) -> Result<(Storage, StoredImage)> {
    let candidates = name_candidates(name);
    let mut seen = Vec::new();
    for storage in Storage::find(root)? {
        let images = storage.images(limits)?;
        if let Some(img) = images.iter().find(|i| matches(i, name, &candidates)) {
            let img = img.clone();
            return Ok((storage, img));
        }
        seen.extend(images.iter().flat_map(display_names));
    }
    Err(Error::source(
        format!("containers-storage {}", root.display()),
        format!(
            "no image named {name:?}; the store holds: {}",
            if seen.is_empty() {
                "nothing".to_string()
            } else {
                seen.join(", ")
            }
        ),
    ))
}

/// Open `name` from the storage at `root`.
pub fn open(name: &str, root: &Path, limits: &Limits, reference: String) -> Result<Image> {
    let (storage, image) = find_image(root, name, limits)?;
    let loc = storage.location();
    let manifest = storage.big_data(&image, "manifest", limits)?;
    let manifest_digest = Sha256::of(&manifest);
    check_manifest_digest(&image, manifest_digest, &loc)?;
    let mwhere = format!("{loc}: image {} manifest", image.id);
    super::json::check_keys(&manifest, "image manifest", &mwhere)?;
    let m: oci_spec::image::ImageManifest =
        serde_json::from_slice(&manifest).map_err(|e| Error::Document {
            what: "image manifest",
            location: mwhere.clone(),
            reason: e.to_string(),
        })?;
    let config_key = m.config().digest().to_string();
    let config_digest = parse_digest(&config_key, &mwhere)?;
    let config_bytes = storage.big_data(&image, &config_key, limits)?;
    let cwhere = format!("{loc}: image {} config", image.id);
    verify_blob(
        &config_bytes,
        config_digest,
        Some(m.config().size()),
        &cwhere,
    )?;
    let config = ImageConfig::parse(&config_bytes, &cwhere)?;
    if m.layers().len() != config.diff_ids.len() {
        return Err(Error::source(
            mwhere,
            format!(
                "lists {} layers but the config has {} diff_ids",
                m.layers().len(),
                config.diff_ids.len()
            ),
        ));
    }
    let chain = layer_chain(&storage, &image, &config.diff_ids, limits)?;
    let steps = config.layer_steps(chain.len());
    let layers = chain
        .iter()
        .enumerate()
        .map(|(i, id)| LayerSpec::in_place(i, id.clone(), config.diff_ids[i], steps[i].clone()))
        .collect();
    Ok(Image {
        reference,
        transport: "containers-storage",
        manifest_digest: Some(manifest_digest),
        config_digest: Some(config_digest),
        platform: Some(config.platform()),
        config,
        layers,
        content: Content::Layers(Box::new(SplitLayerStore {
            root: storage.root.clone(),
            location: storage.location(),
            layers: layer_files(&storage, &chain),
            max_line: limits.max_json_bytes,
            max_lines: limits.max_entries.saturating_mul(3).saturating_add(16),
            diff_dirs: storage.driver == "overlay",
        })),
    })
}

/// Where each layer's tar-split metadata and files are (IDs already checked).
fn layer_files(storage: &Storage, chain: &[String]) -> HashMap<String, (String, String)> {
    chain
        .iter()
        .map(|id| {
            let meta = format!("{}-layers/{id}.tar-split.gz", storage.driver);
            (id.clone(), (meta, (storage.layer_dir)(id)))
        })
        .collect()
}

/// The stored manifest must be the one the image record names.
fn check_manifest_digest(image: &StoredImage, actual: Sha256, loc: &str) -> Result<()> {
    let named: Vec<&String> = image
        .digest
        .iter()
        .chain(image.digests.iter().flatten())
        .collect();
    if named.is_empty() || named.iter().any(|d| **d == actual.to_string()) {
        return Ok(());
    }
    Err(Error::DigestMismatch {
        what: format!("{loc}: image {} manifest", image.id),
        expected: named[0].clone(),
        actual: actual.to_string(),
    })
}

/// The image's layers, bottom first, following `parent` links from its top
/// layer; each must carry the diff_id the config lists at its place.
fn layer_chain(
    storage: &Storage,
    image: &StoredImage,
    diff_ids: &[Sha256],
    limits: &Limits,
) -> Result<Vec<String>> {
    let loc = format!(
        "{}: {}-layers/layers.json",
        storage.location(),
        storage.driver
    );
    let all = storage.layers(limits)?;
    let mut chain = Vec::new();
    let mut next = image.layer.clone();
    while let Some(id) = next {
        if chain.len() >= diff_ids.len() {
            return Err(Error::source(
                loc,
                format!(
                    "image {} has more layers than the {} diff_ids of its config",
                    image.id,
                    diff_ids.len()
                ),
            ));
        }
        let layer = all
            .get(&id)
            .ok_or_else(|| Error::source(loc.clone(), format!("no layer {id:?}")))?;
        next = layer.parent.clone();
        chain.push(layer.clone());
    }
    chain.reverse();
    if chain.len() != diff_ids.len() {
        return Err(Error::source(
            loc,
            format!(
                "image {} has {} layers but its config lists {} diff_ids",
                image.id,
                chain.len(),
                diff_ids.len()
            ),
        ));
    }
    for (i, l) in chain.iter().enumerate() {
        let recorded = l.diff_digest.as_deref().unwrap_or("");
        if recorded != diff_ids[i].to_string() {
            return Err(Error::source(
                loc,
                format!(
                    "layer {i} ({}) is recorded with diff digest {recorded:?}, the config says {}",
                    l.id, diff_ids[i]
                ),
            ));
        }
        safe_id(&l.id, &loc)?;
    }
    Ok(chain.into_iter().map(|l| l.id).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_data_names_follow_containers_storage() {
        assert_eq!(big_data_name("manifest"), "manifest");
        assert_eq!(
            big_data_name("sha256:ab"),
            format!(
                "={}",
                base64::engine::general_purpose::STANDARD.encode("sha256:ab")
            )
        );
    }

    #[test]
    fn short_names_expand_like_podman() {
        let c = name_candidates("demo");
        assert!(c.contains(&"docker.io/library/demo:latest".to_string()));
        assert!(c.contains(&"localhost/demo:latest".to_string()));
        let c = name_candidates("quay.io/x/y:1");
        assert_eq!(
            c,
            vec!["quay.io/x/y:1".to_string(), "quay.io/x/y:1".to_string()]
        );
        let c = name_candidates("localhost:5000/y");
        assert!(c.contains(&"localhost:5000/y:latest".to_string()));
        assert!(!c.iter().any(|n| n.starts_with("docker.io/")));
    }

    #[test]
    fn names_ids_and_digests_match() {
        let d = format!("sha256:{}", "b".repeat(64));
        let img = StoredImage {
            id: "a".repeat(64),
            digest: Some(d.clone()),
            digests: None,
            names: Some(vec!["localhost/app:1".into()]),
            layer: None,
            big_data_digests: None,
        };
        let m = |n: &str| matches(&img, n, &name_candidates(n));
        assert!(m("app:1") && m("localhost/app:1") && m("aaaaaaaaaaaa"));
        assert!(m(&format!("sha256:{}", "a".repeat(64))));
        assert!(m(&format!("app@{d}")) && m(&format!("localhost/app@{d}")));
        assert!(!m(&format!("other@{d}")));
        assert!(!m(&format!("app@sha256:{}", "c".repeat(64))));
        assert!(!m("app:2") && !m("aaaa"));
    }

    #[test]
    fn ids_with_path_characters_are_refused() {
        assert!(safe_id("../etc", "t").is_err());
        assert!(safe_id("abc/def", "t").is_err());
        assert!(safe_id("", "t").is_err());
        assert!(safe_id("0123abcdef", "t").is_ok());
    }
}
