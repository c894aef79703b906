//! Finding running containers on a host from their runtimes' state on disk,
//! without their daemons' APIs (so it works from a pod that mounts the host
//! read-only under `--host-root`):
//!
//! - Docker: `var/lib/docker/containers/<id>/config.v2.json` (image ID =
//!   config digest, image name) and `image/overlay2/layerdb/mounts/<id>/mount-id`
//!   → `overlay2/<mount-id>/diff`, the upper directory.
//! - containers-storage (Podman, CRI-O): `var/lib/containers/storage/
//!   overlay-containers/containers.json` (image ID, layer) → `overlay/<layer>/diff`.
//! - containerd: `run/containerd/io.containerd.runtime.v2.task/<ns>/<id>/config.json`
//!   → the bundle's mounted `rootfs` (read whole) and the CRI image name.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::ContainerSide;

/// A container found on the host.
#[derive(Clone, Debug)]
pub struct Container {
    pub runtime: &'static str,
    pub id: String,
    pub name: Option<String>,
    /// Image name as the runtime recorded it.
    pub image_name: Option<String>,
    /// Image ID (the config digest, `sha256:…`), where the runtime records it.
    pub image_id: Option<String>,
    pub side: ContainerSide,
}

/// Every container the state directories under `host_root` describe.
/// Unreadable or malformed state is skipped and reported in the second list.
pub fn discover(host_root: &Path) -> (Vec<Container>, Vec<String>) {
    let mut found = Vec::new();
    let mut problems = Vec::new();
    docker(host_root, &mut found, &mut problems);
    containers_storage(host_root, &mut found, &mut problems);
    containerd(host_root, &mut found, &mut problems);
    found.sort_by(|a, b| a.id.cmp(&b.id));
    (found, problems)
}

fn read_json<T: for<'de> Deserialize<'de>>(p: &Path, problems: &mut Vec<String>) -> Option<T> {
    let bytes = std::fs::read(p).ok()?;
    match serde_json::from_slice(&bytes) {
        Ok(v) => Some(v),
        Err(e) => {
            problems.push(format!("{}: {e}", p.display()));
            None
        }
    }
}

#[derive(Deserialize)]
struct DockerConfig {
    #[serde(rename = "ID")]
    id: String,
    #[serde(rename = "Name", default)]
    name: Option<String>,
    #[serde(rename = "Image", default)]
    image: Option<String>,
    #[serde(rename = "Config", default)]
    config: Option<DockerInner>,
}

#[derive(Deserialize)]
struct DockerInner {
    #[serde(rename = "Image", default)]
    image: Option<String>,
}

fn docker(root: &Path, found: &mut Vec<Container>, problems: &mut Vec<String>) {
    let base = root.join("var/lib/docker");
    let Ok(dirs) = std::fs::read_dir(base.join("containers")) else {
        return;
    };
    for d in dirs.flatten() {
        let Some(cfg) = read_json::<DockerConfig>(&d.path().join("config.v2.json"), problems)
        else {
            continue;
        };
        let mount = base
            .join("image/overlay2/layerdb/mounts")
            .join(&cfg.id)
            .join("mount-id");
        let Ok(mount_id) = std::fs::read_to_string(&mount) else {
            problems.push(format!(
                "docker container {}: no {}",
                cfg.id,
                mount.display()
            ));
            continue;
        };
        let mount_id = mount_id.trim();
        if mount_id.is_empty() || mount_id.contains('/') || mount_id.contains("..") {
            problems.push(format!(
                "docker container {}: bad mount-id {mount_id:?}",
                cfg.id
            ));
            continue;
        }
        found.push(Container {
            runtime: "docker",
            id: cfg.id.clone(),
            name: cfg.name.map(|n| n.trim_start_matches('/').to_string()),
            image_name: cfg.config.and_then(|c| c.image),
            image_id: cfg.image,
            side: ContainerSide::UpperDir(base.join("overlay2").join(mount_id).join("diff")),
        });
    }
}

#[derive(Deserialize)]
struct StorageContainer {
    id: String,
    #[serde(default)]
    names: Vec<String>,
    #[serde(default)]
    image: Option<String>,
    layer: String,
}

fn containers_storage(root: &Path, found: &mut Vec<Container>, problems: &mut Vec<String>) {
    let base = root.join("var/lib/containers/storage");
    let Some(list) = read_json::<Vec<StorageContainer>>(
        &base.join("overlay-containers/containers.json"),
        problems,
    ) else {
        return;
    };
    for c in list {
        if c.layer.is_empty() || c.layer.contains('/') || c.layer.contains("..") {
            problems.push(format!(
                "containers-storage container {}: bad layer {:?}",
                c.id, c.layer
            ));
            continue;
        }
        found.push(Container {
            runtime: "containers-storage",
            image_name: None,
            image_id: c.image.map(|i| {
                if i.starts_with("sha256:") {
                    i
                } else {
                    format!("sha256:{i}")
                }
            }),
            name: c.names.first().cloned(),
            side: ContainerSide::UpperDir(base.join("overlay").join(&c.layer).join("diff")),
            id: c.id,
        });
    }
}

#[derive(Deserialize)]
struct RuntimeSpec {
    #[serde(default)]
    root: Option<SpecRoot>,
    #[serde(default)]
    annotations: std::collections::BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct SpecRoot {
    path: String,
}

fn containerd(root: &Path, found: &mut Vec<Container>, problems: &mut Vec<String>) {
    let tasks = root.join("run/containerd/io.containerd.runtime.v2.task");
    let Ok(namespaces) = std::fs::read_dir(&tasks) else {
        return;
    };
    for ns in namespaces.flatten() {
        let Ok(ids) = std::fs::read_dir(ns.path()) else {
            continue;
        };
        for b in ids.flatten() {
            let bundle = b.path();
            let Some(spec) = read_json::<RuntimeSpec>(&bundle.join("config.json"), problems) else {
                continue;
            };
            let rel = spec.root.map(|r| r.path).unwrap_or_else(|| "rootfs".into());
            // Host paths are re-rooted under --host-root; relative ones are in the bundle.
            let rootfs: PathBuf = match rel.strip_prefix('/') {
                Some(abs) => root.join(abs),
                None => bundle.join(rel),
            };
            found.push(Container {
                runtime: "containerd",
                id: b.file_name().to_string_lossy().into_owned(),
                name: spec
                    .annotations
                    .get("io.kubernetes.cri.container-name")
                    .cloned(),
                image_name: spec
                    .annotations
                    .get("io.kubernetes.cri.image-name")
                    .cloned(),
                image_id: None,
                side: ContainerSide::Rootfs(rootfs),
            });
        }
    }
}
