//! What the local image stores hold, for `stowaway images`: each reachable
//! store (containers-storage, containerd, the Docker Engine) listed as
//! (store, name, digest, size), and why a store could not be read.

use std::fmt;

use schemars::JsonSchema;
use serde::Serialize;

use crate::error::Result;
use crate::limits::Limits;

use super::LocalStores;

/// A local store, named as the transport that scans its images.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum LocalStore {
    /// Podman, Buildah, CRI-O (`containers-storage:`).
    ContainersStorage,
    /// containerd's content store (`containerd:`).
    Containerd,
    /// The Docker Engine (`docker-daemon:`).
    DockerDaemon,
}

impl LocalStore {
    /// The transport's name.
    pub fn as_str(self) -> &'static str {
        match self {
            LocalStore::ContainersStorage => "containers-storage",
            LocalStore::Containerd => "containerd",
            LocalStore::DockerDaemon => "docker-daemon",
        }
    }
}

/// The transport's name; padded as asked (`{:<20}` in the table).
impl fmt::Display for LocalStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// One image of one store.
#[derive(Clone, Debug, Serialize)]
pub struct Listing {
    /// The transport to scan it with.
    pub store: LocalStore,
    /// A name to scan it by (`<none> (ID)` for an untagged image).
    pub name: String,
    /// The manifest digest (containers-storage, containerd) or image ID (Docker).
    pub digest: String,
    /// Bytes: uncompressed layers (containers-storage), config and layer
    /// blobs of an image manifest (containerd; `None` for an index), the
    /// daemon's figure (Docker); `None` when unknown.
    pub size: Option<u64>,
}

/// A store that was looked at.
#[derive(Debug, Serialize)]
pub struct StoreReport {
    pub store: LocalStore,
    /// Where it was looked for.
    pub location: String,
    /// Set when the store could not be read.
    pub error: Option<String>,
}

/// List every store; stores that cannot be reached are reported, not fatal.
pub fn list_all(opts: &LocalStores, limits: &Limits) -> (Vec<Listing>, Vec<StoreReport>) {
    let mut images = Vec::new();
    let mut stores = Vec::new();
    let root = opts
        .storage_root
        .clone()
        .unwrap_or_else(super::containers_storage::default_root);
    let res = containers_storage(&root, limits);
    stores.push(report(
        LocalStore::ContainersStorage,
        root.display().to_string(),
        &res,
    ));
    images.extend(res.unwrap_or_default());
    #[cfg(feature = "registry")]
    {
        let socket = opts
            .containerd_address
            .clone()
            .unwrap_or_else(|| std::path::PathBuf::from(super::containerd::DEFAULT_ADDRESS));
        let ns = opts
            .containerd_namespace
            .clone()
            .unwrap_or_else(|| super::containerd::DEFAULT_NAMESPACE.to_string());
        let res = containerd(&socket, &ns, limits);
        let at = format!("{} (namespace {ns})", socket.display());
        stores.push(report(LocalStore::Containerd, at, &res));
        images.extend(res.unwrap_or_default());
        let socket = super::docker_daemon::socket();
        let at = socket
            .as_ref()
            .map(|s| s.display().to_string())
            .unwrap_or_else(|_| std::env::var("DOCKER_HOST").unwrap_or_default());
        let res = socket.and_then(|s| docker(&s, limits));
        stores.push(report(LocalStore::DockerDaemon, at, &res));
        images.extend(res.unwrap_or_default());
    }
    (images, stores)
}

fn report<T>(store: LocalStore, location: String, res: &Result<T>) -> StoreReport {
    StoreReport {
        store,
        location,
        error: res.as_ref().err().map(|e| e.to_string()),
    }
}

fn containers_storage(root: &std::path::Path, limits: &Limits) -> Result<Vec<Listing>> {
    Ok(super::containers_storage::list(root, limits)?
        .into_iter()
        .flat_map(|s| {
            let (digest, size) = (s.digest, s.size);
            s.names.into_iter().map(move |name| Listing {
                store: LocalStore::ContainersStorage,
                name,
                digest: digest.clone(),
                size,
            })
        })
        .collect())
}

#[cfg(feature = "registry")]
fn containerd(socket: &std::path::Path, ns: &str, limits: &Limits) -> Result<Vec<Listing>> {
    let stall = super::DEFAULT_STALL_TIMEOUT;
    let mut ctd = super::containerd::Containerd::connect(socket, ns, stall)?;
    let mut out = Vec::new();
    for r in ctd.list(limits)? {
        let (back, size) = super::containerd::image_size(ctd, &r, limits);
        ctd = back;
        out.push(Listing {
            store: LocalStore::Containerd,
            name: r.name,
            digest: r.digest,
            size,
        });
    }
    Ok(out)
}

#[cfg(feature = "registry")]
fn docker(socket: &std::path::Path, limits: &Limits) -> Result<Vec<Listing>> {
    let d = super::docker_daemon::Daemon::new(socket, super::DEFAULT_STALL_TIMEOUT)?;
    Ok(d.list(limits)?
        .iter()
        .flat_map(|l| {
            super::docker_daemon::listed_names(l)
                .into_iter()
                .map(move |name| Listing {
                    store: LocalStore::DockerDaemon,
                    name,
                    digest: l.id.clone(),
                    size: l.size.and_then(|s| u64::try_from(s).ok()),
                })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_is_named_alike_in_json_and_in_the_padded_table() {
        for s in [
            LocalStore::ContainersStorage,
            LocalStore::Containerd,
            LocalStore::DockerDaemon,
        ] {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
            let cell = format!("{s:<20}|");
            assert_eq!(cell.len(), 21, "{cell:?}");
            assert!(cell.starts_with(s.as_str()));
        }
    }
}
