//! `docker save` archives: the classic `manifest.json` (config and layer
//! paths, layers usually uncompressed and without blob digests), and the
//! newer OCI-layout-style archives, whose `index.json` may say
//! `"manifests": null` or carry attestation manifests.

use std::path::Path;

use serde::Deserialize;

use crate::digest::Sha256;
use crate::error::{Error, Result};
use crate::limits::Limits;

use super::config::ImageConfig;
use super::platform::PlatformSpec;
use super::store::{BlobLocator, BlobStore, TarStore};
use super::{Content, Image, LayerSpec, oci_layout, verify_blob};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ManifestEntry {
    config: String,
    #[serde(default)]
    repo_tags: Option<Vec<String>>,
    #[serde(default)]
    layers: Vec<String>,
}

/// Open a docker-archive, optionally choosing an image by `REPO:TAG`.
pub fn open(
    path: &Path,
    tag: Option<&str>,
    platform: Option<&PlatformSpec>,
    limits: &Limits,
    reference: String,
) -> Result<Image> {
    let store = TarStore::open(path)?;
    let loc = store.location();
    let manifest_loc = BlobLocator::Path("manifest.json".into());
    if !store.contains(&manifest_loc) {
        if store.contains(&BlobLocator::Path("index.json".into())) {
            // The newer OCI-layout-style archive.
            let chosen = oci_layout::choose(&store, tag, None, platform, limits)?;
            return super::from_manifest(
                Box::new(store),
                chosen,
                "docker-archive",
                reference,
                limits,
            );
        }
        return Err(Error::source(
            loc,
            "not a docker-archive: no manifest.json (nor index.json)",
        ));
    }
    let where_ = format!("{loc}: manifest.json");
    let entries = read_manifest(&store, &manifest_loc, &where_, limits)?;
    let entry = pick_entry(&entries, tag, &where_)?;
    let config_bytes = store.read_small(&BlobLocator::Path(entry.config.clone()), limits)?;
    let config_where = format!("{loc}: {}", entry.config);
    let config_digest = digest_from_name(&entry.config);
    if let Some(d) = config_digest {
        verify_blob(&config_bytes, d, None, &config_where)?;
    }
    let config = ImageConfig::parse(&config_bytes, &config_where)?;
    if config.diff_ids.len() != entry.layers.len() {
        return Err(Error::source(
            where_,
            format!(
                "lists {} layers but the config has {} diff_ids",
                entry.layers.len(),
                config.diff_ids.len()
            ),
        ));
    }
    Ok(Image {
        reference,
        transport: "docker-archive",
        manifest_digest: None,
        config_digest: config_digest.or_else(|| Some(Sha256::of(&config_bytes))),
        platform: Some(config.platform()),
        layers: layer_specs(entry, &config),
        config,
        content: Content::Layers(Box::new(store)),
    })
}

/// The classic `manifest.json`: its entries (`null` is none).
fn read_manifest(
    store: &TarStore,
    manifest_loc: &BlobLocator,
    where_: &str,
    limits: &Limits,
) -> Result<Vec<ManifestEntry>> {
    let bytes = store.read_small(manifest_loc, limits)?;
    super::json::check_keys(&bytes, "docker-archive manifest.json", where_)?;
    let entries: Option<Vec<ManifestEntry>> =
        serde_json::from_slice(&bytes).map_err(|e| Error::Document {
            what: "docker-archive manifest.json",
            location: where_.to_string(),
            reason: e.to_string(),
        })?;
    Ok(entries.unwrap_or_default())
}

/// The entry tagged `tag` (`docker.io/library/` may be left out), or the
/// only one.
fn pick_entry<'e>(
    entries: &'e [ManifestEntry],
    tag: Option<&str>,
    where_: &str,
) -> Result<&'e ManifestEntry> {
    let all_tags: Vec<String> = entries
        .iter()
        .flat_map(|e| e.repo_tags.clone().unwrap_or_default())
        .collect();
    match (tag, entries) {
        (_, []) => Err(Error::source(where_, "lists no images")),
        (None, [one]) => Ok(one),
        (None, _) => Err(Error::Ambiguous {
            location: where_.to_string(),
            what: format!("holds {} images; name one as FILE:REPO:TAG", entries.len()),
            choices: all_tags,
        }),
        (Some(t), _) => entries
            .iter()
            .find(|e| {
                e.repo_tags.as_ref().is_some_and(|tags| {
                    tags.iter()
                        .any(|x| x == t || x.strip_prefix("docker.io/library/") == Some(t))
                })
            })
            .ok_or_else(|| Error::NotFound {
                location: where_.to_string(),
                what: format!("no image tagged {t:?}"),
                choices: all_tags,
            }),
    }
}

/// The layers an entry lists, with the config's diff_ids and history.
fn layer_specs(entry: &ManifestEntry, config: &ImageConfig) -> Vec<LayerSpec> {
    let steps = config.layer_steps(entry.layers.len());
    entry
        .layers
        .iter()
        .enumerate()
        .map(|(i, p)| LayerSpec {
            index: i,
            locator: BlobLocator::Path(p.clone()),
            digest: digest_from_name(p).filter(|_| p.contains("blobs/sha256/")),
            size: None,
            media_type: None,
            diff_id: Some(config.diff_ids[i]),
            created_by: steps[i].clone(),
            foreign: None,
        })
        .collect()
}

/// `blobs/sha256/<hex>` or `<hex>.json` → the digest the name promises.
fn digest_from_name(name: &str) -> Option<Sha256> {
    let base = name.rsplit('/').next()?;
    let hex = base.strip_suffix(".json").unwrap_or(base);
    Sha256::from_hex(hex)
}
