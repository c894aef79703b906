//! Image sources: turn an [`ImageRef`] into an [`Image`]: verified manifest
//! and config, and the list of layer blobs with their expected digests, ready
//! to stream. One file per kind of store.

mod config;
pub mod confined;
#[cfg(feature = "registry")]
pub mod containerd;
pub mod containers_storage;
#[cfg(feature = "registry")]
mod creds;
mod docker_archive;
#[cfg(feature = "registry")]
pub mod docker_daemon;
mod fdwalk;
#[cfg(feature = "registry")]
mod grpc;
pub mod json;
mod layout_kind;
pub mod local;
mod oci_layout;
mod platform;
mod readpool;
mod reference;
#[cfg(feature = "registry")]
mod registry;
#[cfg(feature = "registry")]
mod registry_http;
pub mod rootfs;
mod store;
mod tar_split;
#[cfg(feature = "registry")]
mod unix_http;

pub use config::{HistoryStep, ImageConfig};
pub use platform::PlatformSpec;
pub use reference::ImageRef;
pub use store::{BlobLocator, BlobStat, BlobStore, DirStore, TarStore};

use std::path::PathBuf;

use crate::digest::Sha256;
use crate::error::{Error, Result};
use crate::limits::Limits;

/// One layer to read.
#[derive(Clone, Debug)]
pub struct LayerSpec {
    pub index: usize,
    pub locator: BlobLocator,
    /// Blob digest and size from the manifest, when there is one.
    pub digest: Option<Sha256>,
    pub size: Option<u64>,
    pub media_type: Option<String>,
    /// `rootfs.diff_ids[index]`.
    pub diff_id: Option<Sha256>,
    /// History step that made the layer.
    pub created_by: Option<String>,
    /// A foreign / non-distributable layer: the URLs its descriptor names
    /// (it is reported, and not fetched from a registry).
    pub foreign: Option<Vec<String>>,
}

impl LayerSpec {
    /// A layer read in place from a local store's directory (no blob, no
    /// manifest descriptor): known by its store path and its config
    /// diff_id, which the rebuilt tar stream is checked against.
    pub fn in_place(
        index: usize,
        path: String,
        diff_id: Sha256,
        created_by: Option<String>,
    ) -> Self {
        LayerSpec {
            index,
            locator: BlobLocator::Path(path),
            digest: None,
            size: None,
            media_type: None,
            diff_id: Some(diff_id),
            created_by,
            foreign: None,
        }
    }
}

/// Is this a foreign or non-distributable layer media type?
pub fn is_foreign(media_type: &str) -> bool {
    media_type.contains("nondistributable") || media_type.contains(".foreign.")
}

/// Where the layers' bytes are.
pub enum Content {
    /// Layer blobs in a store.
    Layers(Box<dyn BlobStore>),
    /// A root file system directory (one layer, no blob).
    Rootfs(PathBuf),
}

/// A resolved image, ready to scan.
pub struct Image {
    /// The reference as given.
    pub reference: String,
    pub transport: &'static str,
    pub manifest_digest: Option<Sha256>,
    pub config_digest: Option<Sha256>,
    pub platform: Option<String>,
    pub config: ImageConfig,
    pub layers: Vec<LayerSpec>,
    pub content: Content,
}

/// How to reach registries (used with the `registry` feature).
#[derive(Clone, Debug, Default)]
pub struct RegistryOptions {
    /// `--creds USER:PASS`.
    pub creds: Option<(String, String)>,
    /// `--registry-token TOKEN` (a bearer token).
    pub token: Option<String>,
    /// Registries reached over plain HTTP besides loopback ones.
    pub insecure: Vec<String>,
    /// `--registry-stall-timeout`: no byte for this long is an error
    /// (`None`: [`DEFAULT_STALL_TIMEOUT`]).
    pub stall_timeout: Option<std::time::Duration>,
    /// `--registry-deadline`: all of one image's registry traffic must end
    /// within this (`None`: [`DEFAULT_REGISTRY_DEADLINE`]).
    pub deadline: Option<std::time::Duration>,
    /// Where the local image stores are.
    pub local: LocalStores,
}

/// Where the local image stores (`containers-storage:`, …) are.
#[derive(Clone, Debug, Default)]
pub struct LocalStores {
    /// `--storage-root`: containers-storage's root (`None`:
    /// [`containers_storage::default_root`]).
    pub storage_root: Option<PathBuf>,
    /// `--containerd-address`: containerd's socket (`None`:
    /// `/run/containerd/containerd.sock`).
    pub containerd_address: Option<PathBuf>,
    /// `--containerd-namespace` (`None`: `k8s.io`).
    pub containerd_namespace: Option<String>,
    /// Read `docker-daemon:sha256:ID` straight from this Docker root with
    /// this graph driver, without asking the daemon (drift of a host
    /// mounted under `--host-root`).
    pub docker_root: Option<(PathBuf, String)>,
}

/// Default of `--registry-stall-timeout`.
pub const DEFAULT_STALL_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);
/// Default of `--registry-deadline`.
pub const DEFAULT_REGISTRY_DEADLINE: std::time::Duration = std::time::Duration::from_secs(3600);

/// Resolve a reference to an image.
pub fn open_image(
    r: &ImageRef,
    platform: Option<&PlatformSpec>,
    limits: &Limits,
    registry: &RegistryOptions,
) -> Result<Image> {
    let reference = r.to_string();
    match r {
        ImageRef::OciLayout { path, tag, digest } => {
            require_dir(path)?;
            let store = DirStore::new(path);
            let chosen = oci_layout::choose(&store, tag.as_deref(), *digest, platform, limits)?;
            from_manifest(Box::new(store), chosen, "oci", reference, limits)
        }
        ImageRef::OciArchive { path, tag } => {
            let store = TarStore::open(path)?;
            let chosen = oci_layout::choose(&store, tag.as_deref(), None, platform, limits)?;
            from_manifest(Box::new(store), chosen, "oci-archive", reference, limits)
        }
        ImageRef::DockerArchive { path, tag } => {
            docker_archive::open(path, tag.as_deref(), platform, limits, reference)
        }
        ImageRef::Dir { path } => open_dir(path, platform, limits, reference),
        ImageRef::Rootfs { path } => open_rootfs(path, reference),
        ImageRef::ContainersStorage { name } => {
            let root = registry
                .local
                .storage_root
                .clone()
                .unwrap_or_else(containers_storage::default_root);
            containers_storage::open(name, &root, limits, reference)
        }
        #[cfg(feature = "registry")]
        ImageRef::Containerd { name } => {
            open_containerd(name, platform, limits, registry, reference)
        }
        #[cfg(feature = "registry")]
        ImageRef::DockerDaemon { name } => {
            let stall = registry.stall_timeout.unwrap_or(DEFAULT_STALL_TIMEOUT);
            match &registry.local.docker_root {
                Some((root, driver)) => {
                    docker_daemon::open_in_root(name, root, driver, limits, reference)
                }
                None => {
                    docker_daemon::open(name, &docker_daemon::socket()?, limits, stall, reference)
                }
            }
        }
        #[cfg(not(feature = "registry"))]
        ImageRef::DockerDaemon { name } => Err(Error::Unsupported(format!(
            "docker-daemon:{name}: this stowaway was built without the `registry` feature \
             (the Engine API client needs it)"
        ))),
        #[cfg(not(feature = "registry"))]
        ImageRef::Containerd { name } => Err(Error::Unsupported(format!(
            "containerd:{name}: this stowaway was built without the `registry` feature \
             (containerd is read through its gRPC API, which needs it)"
        ))),
        #[cfg(feature = "registry")]
        ImageRef::Registry { reference } => registry::open(reference, platform, limits, registry),
        #[cfg(not(feature = "registry"))]
        ImageRef::Registry { reference } => {
            let _ = registry;
            Err(Error::Unsupported(format!(
                "{reference}: this stowaway was built without the `registry` feature; \
                 rebuild with --features registry, or copy the image first (skopeo copy docker://{reference} oci:DIR)"
            )))
        }
    }
}

/// `path` must be a directory: "no such file or directory" when nothing is
/// there, "not a directory" when something else is.
fn require_dir(path: &std::path::Path) -> Result<()> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(Error::source(path.display().to_string(), "not a directory")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Error::source(
            path.display().to_string(),
            "no such file or directory",
        )),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// `dir:DIR`: skopeo's directory layout is read as the image it is; an OCI
/// layout is refused; anything else is a root filesystem.
fn open_dir(
    path: &std::path::Path,
    platform: Option<&PlatformSpec>,
    limits: &Limits,
    reference: String,
) -> Result<Image> {
    require_dir(path)?;
    if layout_kind::classify(path) == layout_kind::DirKind::SkopeoDir {
        return layout_kind::open_skopeo_dir(path, platform, limits, reference);
    }
    open_rootfs(path, reference)
}

/// `rootfs:DIR` (and `dir:DIR` that is no skopeo layout): a root
/// filesystem read as one layer. An image layout is never read as one (its
/// blobs are compressed tars: it would pass with no findings).
fn open_rootfs(path: &std::path::Path, reference: String) -> Result<Image> {
    require_dir(path)?;
    let refuse = |why: &str| Err(Error::source(path.display().to_string(), why));
    match layout_kind::classify(path) {
        layout_kind::DirKind::Rootfs => {}
        layout_kind::DirKind::OciLayout { marker: false } => {
            return Err(layout_kind::unmarked_layout(path));
        }
        layout_kind::DirKind::OciLayout { marker: true } => {
            return refuse("is an OCI image layout, not a root filesystem; scan it as oci:DIR");
        }
        layout_kind::DirKind::SkopeoDir => {
            return refuse(
                "is skopeo's directory layout (manifest.json, version, blobs), \
                 not a root filesystem; scan it as dir:DIR",
            );
        }
    }
    let transport = if reference.starts_with("rootfs:") {
        "rootfs"
    } else {
        "dir"
    };
    Ok(Image {
        reference,
        transport,
        manifest_digest: None,
        config_digest: None,
        platform: None,
        config: ImageConfig::default(),
        layers: vec![LayerSpec {
            index: 0,
            locator: BlobLocator::Path(String::new()),
            digest: None,
            size: None,
            media_type: None,
            diff_id: None,
            created_by: None,
            foreign: None,
        }],
        content: Content::Rootfs(path.to_path_buf()),
    })
}

/// `containerd:NAME` through containerd's API socket and namespace.
#[cfg(feature = "registry")]
fn open_containerd(
    name: &str,
    platform: Option<&PlatformSpec>,
    limits: &Limits,
    registry: &RegistryOptions,
    reference: String,
) -> Result<Image> {
    let at = containerd::Address {
        socket: registry
            .local
            .containerd_address
            .clone()
            .unwrap_or_else(|| PathBuf::from(containerd::DEFAULT_ADDRESS)),
        namespace: registry
            .local
            .containerd_namespace
            .clone()
            .unwrap_or_else(|| containerd::DEFAULT_NAMESPACE.to_string()),
    };
    let stall = registry.stall_timeout.unwrap_or(DEFAULT_STALL_TIMEOUT);
    containerd::open(name, &at, platform, limits, stall, reference)
}

/// Build an [`Image`] from a chosen manifest: fetch and verify the config,
/// list the layers.
fn from_manifest(
    store: Box<dyn BlobStore>,
    chosen: oci_layout::Chosen,
    transport: &'static str,
    reference: String,
    limits: &Limits,
) -> Result<Image> {
    let loc = store.location();
    let m = &chosen.manifest;
    let cdesc = m.config();
    let config_digest: Sha256 = cdesc.digest().to_string().parse().map_err(|e: String| {
        Error::source(
            format!("{loc}: manifest {}", chosen.digest),
            format!("config: {e}"),
        )
    })?;
    let cloc = BlobLocator::Digest(config_digest);
    let where_ = format!("{loc}: {}", cloc.path());
    let bytes = store.read_small(&cloc, limits)?;
    verify_blob(&bytes, config_digest, Some(cdesc.size()), &where_)?;
    let config = ImageConfig::parse(&bytes, &where_)?;
    if config.diff_ids.len() != m.layers().len() {
        return Err(Error::source(
            format!("{loc}: manifest {}", chosen.digest),
            format!(
                "lists {} layers but the config has {} diff_ids",
                m.layers().len(),
                config.diff_ids.len()
            ),
        ));
    }
    let steps = config.layer_steps(m.layers().len());
    let mut layers = Vec::with_capacity(m.layers().len());
    for (i, d) in m.layers().iter().enumerate() {
        let digest: Sha256 = d.digest().to_string().parse().map_err(|e: String| {
            Error::source(
                format!("{loc}: manifest {}", chosen.digest),
                format!("layer {i}: {e}"),
            )
        })?;
        layers.push(LayerSpec {
            index: i,
            locator: BlobLocator::Digest(digest),
            digest: Some(digest),
            size: Some(d.size()),
            media_type: Some(d.media_type().to_string()),
            diff_id: Some(config.diff_ids[i]),
            created_by: steps[i].clone(),
            foreign: is_foreign(d.media_type().as_ref())
                .then(|| d.urls().clone().unwrap_or_default()),
        });
    }
    Ok(Image {
        reference,
        transport,
        manifest_digest: Some(chosen.digest),
        config_digest: Some(config_digest),
        platform: chosen.platform.or_else(|| Some(config.platform())),
        config,
        layers,
        content: Content::Layers(store),
    })
}

/// Check a whole blob against its digest and size.
pub(crate) fn verify_blob(
    bytes: &[u8],
    digest: Sha256,
    size: Option<u64>,
    what: &str,
) -> Result<()> {
    let actual = Sha256::of(bytes);
    if actual != digest {
        return Err(Error::DigestMismatch {
            what: what.to_string(),
            expected: digest.to_string(),
            actual: actual.to_string(),
        });
    }
    if let Some(size) = size
        && size != bytes.len() as u64
    {
        return Err(Error::SizeMismatch {
            what: what.to_string(),
            expected: size,
            actual: bytes.len() as u64,
        });
    }
    Ok(())
}
