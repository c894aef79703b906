//! Pods as the Kubernetes v1 API and `kubectl get pods -A -o json` print
//! them, read as hostile input: the document is size-limited and checked
//! for keys that collide under case folding before it is parsed (see
//! [`crate::source::json`]); every name and image is length-checked, and a
//! pod entry that fails a check is skipped and reported, never guessed at.
//! Only the fields an audit needs are read.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use serde::Deserialize;

use super::inventory::{Inventory, Workload, owner_of};
use crate::error::{Error, Result};
use crate::report::model::Skipped;

/// Limits on a pod list.
#[derive(Clone, Copy, Debug)]
pub struct PodLimits {
    /// Bytes of one pod list document.
    pub document_bytes: u64,
    /// Pods in one inventory.
    pub pods: usize,
    /// Containers of all kinds in one pod.
    pub containers_per_pod: usize,
}

impl Default for PodLimits {
    fn default() -> Self {
        PodLimits {
            document_bytes: 256 << 20,
            pods: 200_000,
            containers_per_pod: 256,
        }
    }
}

/// Longest namespace, pod, owner or container name Kubernetes accepts.
const MAX_NAME: usize = 253;
/// Longest image reference read.
const MAX_IMAGE: usize = 4096;

/// A PodList (or kubectl's `List` of pods).
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct PodList {
    pub items: Vec<Pod>,
    pub metadata: ListMeta,
}

/// The list's metadata: the continue token of a paginated list.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct ListMeta {
    #[serde(rename = "continue")]
    pub continue_token: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct Pod {
    metadata: ObjectMeta,
    spec: PodSpec,
    status: PodStatus,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct ObjectMeta {
    name: String,
    namespace: String,
    labels: BTreeMap<String, String>,
    owner_references: Vec<OwnerReference>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct OwnerReference {
    pub(crate) kind: String,
    pub(crate) name: String,
    pub(crate) controller: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct PodSpec {
    containers: Vec<Container>,
    init_containers: Vec<Container>,
    ephemeral_containers: Vec<Container>,
    image_pull_secrets: Vec<SecretRef>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SecretRef {
    name: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Container {
    name: String,
    image: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct PodStatus {
    container_statuses: Vec<ContainerStatus>,
    init_container_statuses: Vec<ContainerStatus>,
    ephemeral_container_statuses: Vec<ContainerStatus>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct ContainerStatus {
    name: String,
    image: String,
    #[serde(rename = "imageID")]
    image_id: String,
}

/// Read a pod list file (`kubectl get pods -A -o json`) into `inv`.
pub fn read_file(path: &Path, limits: &PodLimits, inv: &mut Inventory) -> Result<()> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut bytes = Vec::new();
    file.take(limits.document_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    if bytes.len() as u64 > limits.document_bytes {
        return Err(Error::Document {
            what: "pod list",
            location: path.display().to_string(),
            reason: format!(
                "larger than {} bytes (raise it with --max-pods-file-size)",
                limits.document_bytes
            ),
        });
    }
    let list = parse(&bytes, &path.display().to_string())?;
    add_pods(list.items, limits, inv)
}

/// Parse one pod list document strictly.
pub fn parse(bytes: &[u8], location: &str) -> Result<PodList> {
    crate::source::json::check_keys(bytes, "pod list", location)?;
    serde_json::from_slice(bytes).map_err(|e| Error::Document {
        what: "pod list",
        location: location.to_string(),
        reason: e.to_string(),
    })
}

/// Add the containers of `pods` to the inventory; malformed pods are skipped
/// and reported. More pods than the limit is an error.
pub fn add_pods(pods: Vec<Pod>, limits: &PodLimits, inv: &mut Inventory) -> Result<()> {
    for pod in pods {
        if inv.pods >= limits.pods {
            return Err(Error::Unsupported(format!(
                "more than {} pods in the inventory (raise it with --max-pods)",
                limits.pods
            )));
        }
        inv.pods += 1;
        match workloads_of(&pod, limits) {
            Ok(ws) => inv.workloads.extend(ws),
            Err(reason) => inv.skipped.push(Skipped {
                what: format!(
                    "pod/{}/{}",
                    clip(&pod.metadata.namespace),
                    clip(&pod.metadata.name)
                ),
                reason,
            }),
        }
    }
    Ok(())
}

/// A name cut for messages.
fn clip(s: &str) -> String {
    s.chars().take(MAX_NAME).collect()
}

fn check_name(what: &str, s: &str) -> std::result::Result<(), String> {
    if s.is_empty() || s.len() > MAX_NAME || s.chars().any(char::is_control) {
        return Err(format!(
            "{what} is empty, longer than {MAX_NAME} bytes or holds control characters"
        ));
    }
    Ok(())
}

/// The containers of one pod, or why the pod cannot be read.
fn workloads_of(pod: &Pod, limits: &PodLimits) -> std::result::Result<Vec<Workload>, String> {
    let m = &pod.metadata;
    check_name("namespace", &m.namespace)?;
    check_name("pod name", &m.name)?;
    let spec = &pod.spec;
    let n = spec.containers.len() + spec.init_containers.len() + spec.ephemeral_containers.len();
    if n > limits.containers_per_pod {
        return Err(format!(
            "{n} containers, more than {}",
            limits.containers_per_pod
        ));
    }
    let (kind, name) = owner_of(&m.name, &m.labels, &m.owner_references);
    check_name("owner name", &name)?;
    let secrets: Vec<String> = spec
        .image_pull_secrets
        .iter()
        .filter(|s| check_name("secret", &s.name).is_ok())
        .map(|s| s.name.clone())
        .collect();
    let st = &pod.status;
    let groups = [
        ("container", &spec.containers, &st.container_statuses),
        ("init", &spec.init_containers, &st.init_container_statuses),
        (
            "ephemeral",
            &spec.ephemeral_containers,
            &st.ephemeral_container_statuses,
        ),
    ];
    let mut out = Vec::with_capacity(n);
    for (ty, containers, statuses) in groups {
        for c in containers.iter() {
            check_name("container name", &c.name)?;
            let status = statuses.iter().find(|s| s.name == c.name);
            let image = status
                .map(|s| s.image.as_str())
                .filter(|i| !i.is_empty())
                .unwrap_or(&c.image);
            if image.is_empty() || image.len() > MAX_IMAGE || image.chars().any(char::is_control) {
                return Err(format!(
                    "container {}: image is empty, longer than {MAX_IMAGE} bytes or holds control characters",
                    c.name
                ));
            }
            if !matches!(
                crate::source::ImageRef::parse(image),
                Ok(crate::source::ImageRef::Registry { .. })
            ) {
                return Err(format!(
                    "container {}: image {image:?} is not a registry reference",
                    c.name
                ));
            }
            out.push(Workload {
                namespace: m.namespace.clone(),
                kind: kind.clone(),
                name: name.clone(),
                pod: m.name.clone(),
                container: c.name.clone(),
                container_type: ty,
                image: image.to_string(),
                // The spec's image is what was asked for; the status's imageID
                // is what runs. A status image ID too long is ignored (unpinned).
                image_id: status
                    .map(|s| s.image_id.clone())
                    .filter(|i| !i.is_empty() && i.len() <= MAX_IMAGE),
                pull_secrets: secrets.clone(),
                store: None,
            });
        }
    }
    Ok(out)
}
