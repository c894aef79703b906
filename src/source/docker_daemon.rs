//! `docker-daemon:NAME[:TAG]` / `docker-daemon:sha256:ID`: images held by
//! the Docker Engine, found through its API on `$DOCKER_HOST` (a
//! `unix://` socket) or `/var/run/docker.sock`, and read in place from the
//! daemon's storage.
//!
//! The API gives the daemon's root directory and graph driver (`/info`) and
//! the image's ID and diff_ids (`/images/{name}/json`). The config is read
//! from `image/<driver>/imagedb/content/sha256/<id>` and verified against
//! the ID; each layer is found in the layerdb by its chain ID (`diff` must
//! hold the diff_id, `cache-id` names its directory) and its tar stream is
//! rebuilt from `tar-split.json.gz` and its directory (vfs, overlay2), then
//! hashed against the diff_id by the layer pipeline — no `docker save`, no
//! copy. A daemon whose storage this user cannot read (a remote daemon,
//! rootless scans of a root daemon), or one using the containerd image
//! store, is an error that says what to do instead.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::digest::{Hasher, Sha256};
use crate::error::{Error, Result};
use crate::limits::{Limit, Limits};

use super::confined::{self, Want};
use super::tar_split::SplitLayerStore;
use super::unix_http::UnixHttp;
use super::{Content, Image, ImageConfig, LayerSpec, verify_blob};

/// The API version asked for (Docker 20.10 and later answer it).
const API: &str = "/v1.41";

/// The daemon's socket: `$DOCKER_HOST` (`unix://PATH`) or `/var/run/docker.sock`.
pub fn socket() -> Result<PathBuf> {
    match std::env::var("DOCKER_HOST") {
        Ok(h) if !h.is_empty() => match h.strip_prefix("unix://") {
            Some(p) => Ok(PathBuf::from(p)),
            None => Err(Error::Unsupported(format!(
                "DOCKER_HOST={h}: only unix:// sockets are supported (the image is read in \
                 place from the daemon's storage, which must be on this host)"
            ))),
        },
        _ => Ok(PathBuf::from("/var/run/docker.sock")),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Info {
    docker_root_dir: String,
    driver: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Inspect {
    id: String,
    #[serde(rename = "RootFS")]
    root_fs: RootFs,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RootFs {
    #[serde(default)]
    layers: Option<Vec<String>>,
}

/// One entry of `/images/json`.
#[derive(Deserialize, Clone, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct Listed {
    pub id: String,
    #[serde(default)]
    pub repo_tags: Option<Vec<String>>,
    #[serde(default)]
    pub size: Option<i64>,
}

/// A Docker Engine reached through its socket.
pub struct Daemon {
    http: UnixHttp,
    socket: PathBuf,
}

impl Daemon {
    /// A client of the daemon on `socket`.
    pub fn new(socket: &Path, timeout: Duration) -> Result<Daemon> {
        let http = UnixHttp::new(socket, timeout).map_err(|e| Error::source(loc(socket), e))?;
        Ok(Daemon {
            http,
            socket: socket.into(),
        })
    }

    /// For messages.
    pub fn location(&self) -> String {
        loc(&self.socket)
    }

    /// GET an API document: `None` for 404; strict JSON, capped.
    fn get<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        what: &'static str,
        limits: &Limits,
    ) -> Result<Option<T>> {
        let where_ = format!("{}: GET {path}", self.location());
        let (status, body) = self
            .http
            .get(&format!("{API}{path}"), limits.max_json_bytes as usize)
            .map_err(|e| Error::source(self.location(), format!("cannot reach the daemon: {e}")))?;
        if status == 404 {
            return Ok(None);
        }
        if status != 200 {
            let text: String = String::from_utf8_lossy(&body)
                .chars()
                .take(200)
                .flat_map(char::escape_debug)
                .collect();
            return Err(Error::source(where_, format!("HTTP {status}: {text}")));
        }
        super::json::check_keys(&body, what, &where_)?;
        serde_json::from_slice(&body)
            .map(Some)
            .map_err(|e| Error::Document {
                what,
                location: where_,
                reason: e.to_string(),
            })
    }

    /// Every image the daemon holds.
    pub fn list(&self, limits: &Limits) -> Result<Vec<Listed>> {
        Ok(self
            .get("/images/json", "Docker image list", limits)?
            .unwrap_or_default())
    }
}

fn loc(socket: &Path) -> String {
    format!("docker-daemon {}", socket.display())
}

/// Refuse names that are not image references (they go into a URL path).
fn check_name(name: &str, location: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"._-/:@".contains(&c))
        && !name.split('/').any(|p| p == ".." || p == ".");
    if ok {
        return Ok(());
    }
    Err(Error::source(
        location.to_string(),
        format!("{name:?} is not an image name or ID"),
    ))
}

/// The chain IDs of a layer stack: the first is the first diff_id, each
/// next one is sha256 of "PARENT_CHAIN_ID DIFF_ID".
fn chain_ids(diff_ids: &[Sha256]) -> Vec<Sha256> {
    let mut out: Vec<Sha256> = Vec::with_capacity(diff_ids.len());
    for d in diff_ids {
        let next = match out.last() {
            None => *d,
            Some(parent) => {
                let mut h = Hasher::new();
                h.update(format!("{parent} {d}").as_bytes());
                h.finish()
            }
        };
        out.push(next);
    }
    out
}

/// Where a driver keeps a layer's files, relative to the daemon's root.
fn layer_dir(driver: &str, cache_id: &str) -> Option<String> {
    match driver {
        "overlay2" => Some(format!("overlay2/{cache_id}/diff")),
        "vfs" => Some(format!("vfs/dir/{cache_id}")),
        _ => None,
    }
}

/// Read a small file of the daemon's root, confined, capped.
fn read_small(root: &Path, rel: &str, limits: &Limits) -> Result<Vec<u8>> {
    use std::io::Read;
    let where_ = format!("docker root {}: {rel}", root.display());
    let fd = confined::open_root(root).map_err(|e| {
        Error::source(
            where_.clone(),
            format!(
                "cannot open the daemon's storage ({e}); run as a user who can read it, or \
                 `docker save` the image and scan docker-archive:FILE"
            ),
        )
    })?;
    let f = confined::open_beneath(&fd, rel.as_bytes(), Want::File)
        .map_err(|e| Error::source(where_.clone(), confined::describe(&e)))?;
    let mut out = Vec::new();
    f.take(limits.max_json_bytes + 1)
        .read_to_end(&mut out)
        .map_err(|e| Error::source(where_.clone(), e.to_string()))?;
    if out.len() as u64 > limits.max_json_bytes {
        return Err(Error::limit(Limit::JsonSize, where_, limits.max_json_bytes));
    }
    Ok(out)
}

/// Open `name` (a name, or an image ID) from the daemon on `socket`.
pub fn open(
    name: &str,
    socket: &Path,
    limits: &Limits,
    timeout: Duration,
    reference: String,
) -> Result<Image> {
    let daemon = Daemon::new(socket, timeout)?;
    check_name(name, &daemon.location())?;
    let info: Info = daemon
        .get("/info", "Docker info", limits)?
        .ok_or_else(|| Error::source(daemon.location(), "GET /info: not found"))?;
    let Some(inspect) =
        daemon.get::<Inspect>(&format!("/images/{name}/json"), "Docker image", limits)?
    else {
        let names: Vec<String> = daemon.list(limits)?.iter().flat_map(listed_names).collect();
        return Err(Error::source(
            daemon.location(),
            format!(
                "no image named {name:?}; the daemon holds: {}",
                if names.is_empty() {
                    "nothing".into()
                } else {
                    names.join(", ")
                }
            ),
        ));
    };
    let root = PathBuf::from(&info.docker_root_dir);
    let image = in_place(&root, &info.driver, &inspect.id, limits, reference)?;
    let cfg_layers: Vec<String> = image
        .config
        .diff_ids
        .iter()
        .map(|d| d.to_string())
        .collect();
    if inspect.root_fs.layers.unwrap_or_default() != cfg_layers {
        return Err(Error::source(
            daemon.location(),
            format!(
                "image {}: the daemon's layer list differs from the config's diff_ids",
                inspect.id
            ),
        ));
    }
    Ok(image)
}

/// Open image `sha256:ID` from the Docker root `root` (graph driver
/// `driver`) without asking the daemon.
pub fn open_in_root(
    name: &str,
    root: &Path,
    driver: &str,
    limits: &Limits,
    reference: String,
) -> Result<Image> {
    let location = format!("docker root {}", root.display());
    if !name.starts_with("sha256:") {
        return Err(Error::source(
            location,
            format!("{name:?}: without the daemon, an image is named by its ID (sha256:…)"),
        ));
    }
    in_place(root, driver, name, limits, reference)
}

/// Read image `id` (its config digest) in place from the Docker root.
fn in_place(
    root: &Path,
    driver: &str,
    id: &str,
    limits: &Limits,
    reference: String,
) -> Result<Image> {
    let location = format!("docker root {}", root.display());
    if layer_dir(driver, "x").is_none() {
        return Err(Error::Unsupported(format!(
            "{location}: the daemon's storage driver is {driver:?}; Stowaway reads overlay2 and vfs in \
             place (with the containerd image store, scan containerd:NAME with \
             --containerd-address /run/containerd/containerd.sock --containerd-namespace moby)"
        )));
    }
    let config_digest: Sha256 = id
        .parse()
        .map_err(|e: String| Error::source(location.clone(), format!("image ID {id:?}: {e}")))?;
    let config_rel = format!(
        "image/{driver}/imagedb/content/sha256/{}",
        config_digest.hex()
    );
    let config_bytes = read_small(root, &config_rel, limits)?;
    let cwhere = format!("{location}: {config_rel}");
    verify_blob(&config_bytes, config_digest, None, &cwhere)?;
    let config = ImageConfig::parse(&config_bytes, &cwhere)?;
    let store = layer_store(root, driver, &config.diff_ids, limits, location)?;
    let steps = config.layer_steps(config.diff_ids.len());
    let layers = chain_ids(&config.diff_ids)
        .iter()
        .enumerate()
        .map(|(i, c)| LayerSpec::in_place(i, c.hex(), config.diff_ids[i], steps[i].clone()))
        .collect();
    Ok(Image {
        reference,
        transport: "docker-daemon",
        manifest_digest: None,
        config_digest: Some(config_digest),
        platform: Some(config.platform()),
        config,
        layers,
        content: Content::Layers(Box::new(store)),
    })
}

/// Find each layer in the layerdb: its recorded diff_id must match, its
/// cache-id names its directory.
fn layer_store(
    root: &Path,
    driver: &str,
    diff_ids: &[Sha256],
    limits: &Limits,
    location: String,
) -> Result<SplitLayerStore> {
    let mut layers = HashMap::new();
    for (i, (chain, diff_id)) in chain_ids(diff_ids).iter().zip(diff_ids).enumerate() {
        let base = format!("image/{driver}/layerdb/sha256/{}", chain.hex());
        let recorded = read_small(root, &format!("{base}/diff"), limits)?;
        if recorded.trim_ascii() != diff_id.to_string().as_bytes() {
            return Err(Error::source(
                format!("docker root {}: {base}/diff", root.display()),
                format!(
                    "layer {i} is recorded with diff_id {:?}, the config says {diff_id}",
                    String::from_utf8_lossy(&recorded)
                ),
            ));
        }
        let cache_id = read_small(root, &format!("{base}/cache-id"), limits)?;
        let cache_id = String::from_utf8_lossy(cache_id.trim_ascii()).into_owned();
        if cache_id.is_empty() || !cache_id.bytes().all(|c| c.is_ascii_alphanumeric()) {
            return Err(Error::source(
                format!("docker root {}: {base}/cache-id", root.display()),
                format!("invalid cache ID {cache_id:?}"),
            ));
        }
        let dir = layer_dir(driver, &cache_id).expect("driver checked");
        layers.insert(chain.hex(), (format!("{base}/tar-split.json.gz"), dir));
    }
    Ok(SplitLayerStore {
        root: root.into(),
        location: format!("{location} ({driver})"),
        layers,
        max_line: limits.max_json_bytes,
        max_lines: limits.max_entries.saturating_mul(3).saturating_add(16),
        diff_dirs: driver == "overlay2",
    })
}

/// The names an image answers to, for listings.
pub fn listed_names(l: &Listed) -> Vec<String> {
    match l.repo_tags.as_deref() {
        Some(t) if !t.is_empty() && t.iter().any(|x| x != "<none>:<none>") => t.to_vec(),
        _ => vec![format!("<none> ({})", l.id)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_ids_follow_docker() {
        let a = Sha256::of(b"a");
        let b = Sha256::of(b"b");
        let c = chain_ids(&[a, b]);
        assert_eq!(c[0], a);
        assert_eq!(c[1], Sha256::of(format!("{a} {b}").as_bytes()));
    }

    #[test]
    fn names_that_would_change_the_url_are_refused() {
        assert!(check_name("demo:1", "t").is_ok());
        assert!(check_name("sha256:abc", "t").is_ok());
        assert!(check_name("../../containers/json?x", "t").is_err());
        assert!(check_name("a/../b", "t").is_err());
        assert!(check_name("a b", "t").is_err());
    }
}
