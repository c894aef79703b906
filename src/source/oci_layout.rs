//! OCI image layouts (a directory or the inside of an oci-archive): from
//! `index.json` through nested indexes to one image manifest, chosen by tag,
//! digest and platform. Every document read is checked against its digest.

use std::io::Read;

use oci_spec::image::{Descriptor, ImageIndex, ImageManifest};

use crate::digest::Sha256;
use crate::error::{Error, Result};
use crate::limits::{Limit, Limits};

use super::platform::PlatformSpec;
use super::store::{BlobLocator, BlobStore};

const REF_NAME: &str = "org.opencontainers.image.ref.name";
const CONTAINERD_NAME: &str = "io.containerd.image.name";
const DOCKER_REF_TYPE: &str = "vnd.docker.reference.type";
const MAX_NESTING: usize = 8;

/// The manifest chosen from a layout.
pub struct Chosen {
    pub digest: Sha256,
    pub manifest: ImageManifest,
    pub platform: Option<String>,
}

/// A parsed manifest-like document.
enum Doc {
    Index(Box<ImageIndex>),
    Manifest(Box<ImageManifest>),
}

/// Choose one image manifest from the layout in `store`.
pub fn choose(
    store: &dyn BlobStore,
    tag: Option<&str>,
    digest: Option<Sha256>,
    platform: Option<&PlatformSpec>,
    limits: &Limits,
) -> Result<Chosen> {
    let loc = store.location();
    if !store.contains(&BlobLocator::Path("oci-layout".into())) {
        return Err(Error::source(
            loc,
            "not an OCI image layout: no oci-layout file",
        ));
    }
    if let Some(d) = digest {
        let doc = fetch(store, d, None, None, limits)?;
        return match doc {
            Doc::Manifest(m) => Ok(Chosen {
                digest: d,
                manifest: *m,
                platform: None,
            }),
            Doc::Index(ix) => select(store, ix.manifests().clone(), platform, limits, 0),
        };
    }
    let bytes = store.read_small(&BlobLocator::Path("index.json".into()), limits)?;
    let index = parse_index(&bytes, &format!("{loc}: index.json"))?;
    let mut descs = index.manifests().clone();
    if let Some(tag) = tag {
        let tags = tags_of(&descs);
        descs.retain(|d| {
            d.annotations().as_ref().is_some_and(|a| {
                a.get(REF_NAME).is_some_and(|n| n == tag)
                    || a.get(CONTAINERD_NAME)
                        .is_some_and(|n| n == tag || n.ends_with(&format!(":{tag}")))
            })
        });
        if descs.is_empty() {
            return Err(Error::NotFound {
                location: loc,
                what: format!("no image tagged {tag:?} in index.json"),
                choices: tags,
            });
        }
    } else {
        let tags = tags_of(&descs);
        if tags.len() > 1 {
            // Several named images: make the user pick rather than guess.
            let distinct: std::collections::BTreeSet<_> = tags.iter().collect();
            if distinct.len() > 1 {
                return Err(Error::Ambiguous {
                    location: loc,
                    what: "index.json holds several images; name one with :TAG".into(),
                    choices: tags,
                });
            }
        }
    }
    select(store, descs, platform, limits, 0)
}

fn tags_of(descs: &[Descriptor]) -> Vec<String> {
    descs
        .iter()
        .filter_map(|d| d.annotations().as_ref()?.get(REF_NAME).cloned())
        .collect()
}

fn is_attestation(d: &Descriptor) -> bool {
    d.annotations()
        .as_ref()
        .and_then(|a| a.get(DOCKER_REF_TYPE))
        .is_some_and(|t| t == "attestation-manifest")
        || d.platform().as_ref().is_some_and(|p| {
            p.os().to_string() == "unknown" && p.architecture().to_string() == "unknown"
        })
}

/// Choose among descriptors (manifests or nested indexes) by platform.
pub(super) fn select(
    store: &dyn BlobStore,
    descs: Vec<Descriptor>,
    platform: Option<&PlatformSpec>,
    limits: &Limits,
    depth: usize,
) -> Result<Chosen> {
    let loc = store.location();
    if depth > MAX_NESTING {
        return Err(Error::source(
            loc,
            format!("indexes nested more than {MAX_NESTING} deep"),
        ));
    }
    let candidates: Vec<Descriptor> = descs.into_iter().filter(|d| !is_attestation(d)).collect();
    let listed: Vec<String> = candidates
        .iter()
        .filter_map(|d| d.platform().as_ref().map(PlatformSpec::describe))
        .collect();
    let pick =
        if candidates.len() == 1 && (platform.is_none() || candidates[0].platform().is_none()) {
            candidates[0].clone()
        } else if candidates.is_empty() {
            return Err(Error::source(loc, "the index lists no image manifests"));
        } else {
            let want = platform.cloned().unwrap_or_default();
            let matching: Vec<&Descriptor> = candidates
                .iter()
                .filter(|d| d.platform().as_ref().is_some_and(|p| want.matches(p)))
                .collect();
            match matching.as_slice() {
                [] if platform.is_none() && candidates.iter().all(|d| d.platform().is_none()) => {
                    return Err(Error::source(
                        loc,
                        format!(
                            "the index lists {} images without platforms; name one by digest",
                            candidates.len()
                        ),
                    ));
                }
                [] => {
                    return Err(Error::Platform {
                        reason: format!("no image for platform {}", want.describe_spec()),
                        available: listed,
                    });
                }
                [one, ..] => (*one).clone(),
            }
        };
    let digest: Sha256 = pick
        .digest()
        .to_string()
        .parse()
        .map_err(|e: String| Error::source(loc.clone(), e))?;
    let chosen_platform = pick.platform().as_ref().map(PlatformSpec::describe);
    match fetch(
        store,
        digest,
        Some(pick.size()),
        Some(pick.media_type().to_string()),
        limits,
    )? {
        Doc::Manifest(m) => Ok(Chosen {
            digest,
            manifest: *m,
            platform: chosen_platform,
        }),
        Doc::Index(ix) => select(store, ix.manifests().clone(), platform, limits, depth + 1),
    }
}

/// Read a manifest or index blob, verify it, and parse it by media type.
fn fetch(
    store: &dyn BlobStore,
    digest: Sha256,
    size: Option<u64>,
    media_type: Option<String>,
    limits: &Limits,
) -> Result<Doc> {
    let loc = BlobLocator::Digest(digest);
    let where_ = format!("{}: {}", store.location(), loc.path());
    let mut bytes = Vec::new();
    store
        .open_manifest(&digest)?
        .take(limits.max_json_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::source(where_.clone(), e.to_string()))?;
    if bytes.len() as u64 > limits.max_json_bytes {
        return Err(Error::limit(Limit::JsonSize, where_, limits.max_json_bytes));
    }
    super::verify_blob(&bytes, digest, size, &where_)?;
    parse_doc(&bytes, media_type, where_)
}

/// The manifest or index a registry reference names (already fetched),
/// down to one image manifest.
#[cfg_attr(not(feature = "registry"), allow(dead_code))]
pub(super) fn from_root_document(
    store: &dyn BlobStore,
    bytes: &[u8],
    digest: Sha256,
    platform: Option<&PlatformSpec>,
    limits: &Limits,
) -> Result<Chosen> {
    let where_ = format!("{}: manifest {digest}", store.location());
    super::verify_blob(bytes, digest, None, &where_)?;
    match parse_doc(bytes, None, where_)? {
        Doc::Manifest(m) => Ok(Chosen {
            digest,
            manifest: *m,
            platform: None,
        }),
        Doc::Index(ix) => select(store, ix.manifests().clone(), platform, limits, 0),
    }
}

fn parse_doc(bytes: &[u8], media_type: Option<String>, where_: String) -> Result<Doc> {
    let declared = serde_json::from_slice::<serde_json::Value>(bytes)
        .ok()
        .map(|v| {
            let mt = v
                .get("mediaType")
                .and_then(|m| m.as_str())
                .map(str::to_string);
            (mt, v.get("manifests").is_some())
        });
    let mt = media_type
        .or_else(|| declared.as_ref().and_then(|d| d.0.clone()))
        .unwrap_or_default();
    let is_index = mt.contains("index")
        || mt.contains("manifest.list")
        || declared.is_some_and(|d| d.1 && mt.is_empty());
    if mt.contains("distribution.manifest.v1") {
        return Err(Error::Unsupported(format!(
            "{where_}: Docker schema 1 manifests are not supported (deprecated since 2017)"
        )));
    }
    if is_index {
        Ok(Doc::Index(Box::new(parse_index(bytes, &where_)?)))
    } else {
        super::json::check_keys(bytes, "image manifest", &where_)?;
        ImageManifest::from_reader(bytes)
            .map(|m| Doc::Manifest(Box::new(m)))
            .map_err(|e| Error::Document {
                what: "image manifest",
                location: where_,
                reason: invalid_reason(bytes, e.to_string()),
            })
    }
}

/// Parse an index, tolerating `"manifests": null` (seen in docker save output).
pub(super) fn parse_index(bytes: &[u8], location: &str) -> Result<ImageIndex> {
    let bad = |reason: String| Error::Document {
        what: "image index",
        location: location.to_string(),
        reason,
    };
    super::json::check_keys(bytes, "image index", location)?;
    let mut v: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| bad(e.to_string()))?;
    if let Some(obj) = v.as_object_mut() {
        if obj.get("manifests").is_none_or(|m| m.is_null()) {
            obj.insert("manifests".into(), serde_json::Value::Array(Vec::new()));
        }
        obj.entry("schemaVersion").or_insert(serde_json::json!(2));
    }
    serde_json::from_value::<ImageIndex>(v).map_err(|e| bad(invalid_reason(bytes, e.to_string())))
}

/// A better reason than oci-spec's "serde failed": the first descriptor
/// field (`config.digest`, `layers[i].digest`, `manifests[i].digest`) whose
/// value is not a digest, by name and value; else serde's own message
/// (with line and column); else `fallback`.
pub(super) fn invalid_reason(bytes: &[u8], fallback: String) -> String {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return serde_json::from_slice::<serde::de::IgnoredAny>(bytes)
            .err()
            .map_or(fallback, |e| e.to_string());
    };
    let mut descs: Vec<(String, &serde_json::Value)> = Vec::new();
    if let Some(c) = v.get("config") {
        descs.push(("config".into(), c));
    }
    for key in ["layers", "manifests"] {
        if let Some(a) = v.get(key).and_then(|a| a.as_array()) {
            descs.extend(
                a.iter()
                    .enumerate()
                    .map(|(i, d)| (format!("{key}[{i}]"), d)),
            );
        }
    }
    for (name, d) in descs {
        match d.get("digest") {
            Some(serde_json::Value::String(s)) => {
                if let Err(e) = s.parse::<Sha256>() {
                    return format!(
                        "{name}.digest {:?} is not a valid digest: {e}",
                        crate::path::escape_bytes(s.as_bytes())
                    );
                }
            }
            Some(other) => return format!("{name}.digest is {other}, not a digest string"),
            None => return format!("{name} has no digest"),
        }
    }
    fallback
}
