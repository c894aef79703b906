//! Node mode (`stowaway audit --node`): the containers the runtimes on this
//! node know (Docker, containers-storage for CRI-O/Podman, containerd —
//! found in their state on disk under `--host-root`, as `drift` finds
//! them), each image read from the node's own store: no pull, no
//! credentials. A container whose runtime recorded no usable image is
//! skipped and reported.

use std::path::Path;

use super::inventory::{Inventory, Workload, is_digest};
use crate::drift::discover::discover;
use crate::report::model::Skipped;

/// Longest image name taken from a runtime's state.
const MAX_NAME: usize = 4096;

/// Add the containers found under `host_root` to the inventory.
pub fn read(host_root: &Path, inv: &mut Inventory) {
    let (found, problems) = discover(host_root);
    for p in problems {
        inv.skipped.push(Skipped {
            what: "node state".into(),
            reason: p,
        });
    }
    for c in found {
        let id = c.image_id.as_deref().filter(|i| is_digest(i));
        let name = c
            .image_name
            .as_deref()
            .filter(|n| !n.is_empty() && n.len() <= MAX_NAME && !n.chars().any(char::is_control));
        let store = match (c.runtime, id, name) {
            ("containers-storage", Some(id), _) => format!("containers-storage:{id}"),
            ("docker", Some(id), _) => format!("docker-daemon:{id}"),
            ("containerd", _, Some(name)) => format!("containerd:{name}"),
            (runtime, _, _) => {
                inv.skipped.push(Skipped {
                    what: format!("container/{runtime}/{}", c.id),
                    reason: "the runtime recorded no image this store can be read by".into(),
                });
                continue;
            }
        };
        let container = c.name.clone().unwrap_or_else(|| c.id.clone());
        inv.workloads.push(Workload {
            namespace: c.runtime.to_string(),
            kind: "Container".into(),
            name: container.clone(),
            pod: c.id.clone(),
            container,
            container_type: "container",
            image: name.map_or_else(|| store.clone(), str::to_string),
            image_id: id.map(str::to_string),
            pull_secrets: Vec::new(),
            store: Some(store),
        });
    }
}
