//! The inventory of running images: one [`Workload`] per container of every
//! pod, attributed to the pod's top owner, and what could not be read.
//! Owners are found from the pod alone (no extra API call, so a pod list
//! file is enough): a ReplicaSet whose name is `NAME-<pod-template-hash>`
//! belongs to Deployment NAME, a Job whose name is `NAME-<digits>` (the
//! scheduled minute CronJob appends) to CronJob NAME; any other controller
//! is the top owner itself, and a pod without one is its own workload.

use std::collections::BTreeMap;

use super::pods::OwnerReference;
use crate::report::model::Skipped;

/// One container of one pod.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Workload {
    pub namespace: String,
    /// Top owner kind (Deployment, CronJob…), `Pod` for a bare pod.
    pub kind: String,
    pub name: String,
    pub pod: String,
    pub container: String,
    /// `container`, `init` or `ephemeral`.
    pub container_type: &'static str,
    /// The image as the pod names it.
    pub image: String,
    /// The status's imageID (`docker-pullable://REPO@sha256:…`,
    /// `REPO@sha256:…` or an image ID `sha256:…`), if any.
    pub image_id: Option<String>,
    /// The pod's imagePullSecrets (names in its namespace).
    pub pull_secrets: Vec<String>,
    /// Node mode: the local-store reference the image is read from
    /// (`containerd:NAME`, `containers-storage:sha256:ID`, `docker-daemon:sha256:ID`).
    pub store: Option<String>,
}

/// Registry credentials read from one imagePullSecret. `Debug` shows the
/// host only: the user name and password are never printed.
#[derive(Clone)]
pub struct PullCred {
    /// The registry host (`docker.io` for Docker Hub).
    pub host: String,
    pub user: String,
    pub pass: String,
}

impl std::fmt::Debug for PullCred {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PullCred {{ host: {:?}, .. }}", self.host)
    }
}

/// Everything an inventory source found.
#[derive(Debug, Default)]
pub struct Inventory {
    pub workloads: Vec<Workload>,
    pub skipped: Vec<Skipped>,
    /// Pods read (for the limit).
    pub pods: usize,
    /// Credentials of imagePullSecrets by (namespace, secret name), when read.
    pub pull_creds: BTreeMap<(String, String), Vec<PullCred>>,
    /// Things worth saying that do not make the audit incomplete.
    pub notes: Vec<String>,
}

/// The registry host of a reference (`docker.io` for Docker Hub names), as
/// a docker config file names it.
pub fn registry_host(reference: &str) -> String {
    let r = reference
        .strip_prefix("https://")
        .or_else(|| reference.strip_prefix("http://"))
        .unwrap_or(reference);
    let first = r.split('/').next().unwrap_or(r);
    let host = if r.contains('/')
        && (first.contains('.') || first.contains(':') || first == "localhost")
    {
        first
    } else {
        "docker.io"
    };
    match host {
        "index.docker.io" | "registry-1.docker.io" => "docker.io".into(),
        h => h.to_string(),
    }
}

impl Inventory {
    /// Credentials for a target from the pull secrets of the pods that run
    /// it, for the target's own registry only.
    pub fn creds_for(&self, t: &Target) -> Option<(String, String)> {
        if self.pull_creds.is_empty() {
            return None;
        }
        let host = registry_host(&t.reference);
        self.workloads
            .iter()
            .filter(|w| w.target().key == t.key)
            .flat_map(|w| {
                w.pull_secrets
                    .iter()
                    .map(move |s| (w.namespace.clone(), s.clone()))
            })
            .filter_map(|k| self.pull_creds.get(&k))
            .flatten()
            .find(|c| c.host == host)
            .map(|c| (c.user.clone(), c.pass.clone()))
    }
}

/// The top owner (kind, name) of a pod.
pub(crate) fn owner_of(
    pod: &str,
    labels: &BTreeMap<String, String>,
    owners: &[OwnerReference],
) -> (String, String) {
    let Some(o) = owners
        .iter()
        .find(|o| o.controller == Some(true))
        .or_else(|| owners.first())
    else {
        return ("Pod".into(), pod.into());
    };
    match o.kind.as_str() {
        "ReplicaSet" => {
            let hash = labels.get("pod-template-hash");
            match hash.and_then(|h| o.name.strip_suffix(h.as_str())?.strip_suffix('-')) {
                Some(deploy) if !deploy.is_empty() => ("Deployment".into(), deploy.into()),
                _ => (o.kind.clone(), o.name.clone()),
            }
        }
        "Job" => match o.name.rsplit_once('-') {
            Some((cron, n))
                if !cron.is_empty() && n.len() >= 8 && n.bytes().all(|b| b.is_ascii_digit()) =>
            {
                ("CronJob".into(), cron.into())
            }
            _ => (o.kind.clone(), o.name.clone()),
        },
        _ => (o.kind.clone(), o.name.clone()),
    }
}

/// What to scan for a workload: a registry reference pinned by digest when
/// the status (or the image itself) names one, else the image's tag.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Target {
    /// What dedupes: the digest when pinned, else the image reference.
    pub key: String,
    /// A registry reference (`REPO@sha256:…` or `REPO:TAG`).
    pub reference: String,
    pub digest: Option<String>,
    pub pinned: bool,
    /// Read from this node's store (node mode), not pulled.
    pub local: bool,
}

/// `sha256:` and 64 lowercase hex digits.
pub fn is_digest(s: &str) -> bool {
    s.strip_prefix("sha256:")
        .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
}

/// `REPO@sha256:…` split, when the digest is well formed.
fn split_pinned(s: &str) -> Option<(&str, &str)> {
    let (repo, digest) = s.rsplit_once('@')?;
    (is_digest(digest) && !repo.is_empty()).then_some((repo, digest))
}

/// The image's repository without tag or digest.
fn repository(image: &str) -> &str {
    let no_digest = image.split_once('@').map_or(image, |(r, _)| r);
    match no_digest.rfind(':') {
        Some(i) if !no_digest[i..].contains('/') => &no_digest[..i],
        _ => no_digest,
    }
}

impl Workload {
    /// What to scan for this container.
    pub fn target(&self) -> Target {
        if let Some(store) = &self.store {
            // Node mode: one target per image ID (or name) in the node's store.
            return Target {
                key: store.clone(),
                reference: store.clone(),
                digest: None,
                pinned: self.image_id.is_some(),
                local: true,
            };
        }
        let id = self.image_id.as_deref().map(|i| {
            i.strip_prefix("docker-pullable://")
                .or_else(|| i.strip_prefix("docker://"))
                .unwrap_or(i)
        });
        // The status's REPO@digest, else the image's own digest.
        let pinned = id
            .and_then(split_pinned)
            .or_else(|| split_pinned(&self.image));
        match pinned {
            Some((repo, digest)) => Target {
                key: digest.to_string(),
                reference: format!("{}@{digest}", repository(repo)),
                digest: Some(digest.to_string()),
                pinned: true,
                local: false,
            },
            None => Target {
                key: self.image.clone(),
                reference: self.image.clone(),
                digest: None,
                pinned: false,
                local: false,
            },
        }
    }
}

/// The distinct targets of the workloads, each once (the smallest
/// reference of a digest names it), sorted by key.
pub fn distinct(workloads: &[Workload]) -> Vec<Target> {
    let mut by_key: BTreeMap<String, Target> = BTreeMap::new();
    for w in workloads {
        let t = w.target();
        match by_key.get(&t.key) {
            Some(old) if old.reference <= t.reference => {}
            _ => {
                by_key.insert(t.key.clone(), t);
            }
        }
    }
    by_key.into_values().collect()
}

/// A shard of a sharded audit: `K/N` (0-based K).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl std::str::FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Shard, String> {
        let (k, n) = s.split_once('/').ok_or("a shard is K/N, e.g. 0/3")?;
        let index: u32 = k
            .trim()
            .parse()
            .map_err(|_| format!("bad shard index {k:?}"))?;
        let count: u32 = n
            .trim()
            .parse()
            .map_err(|_| format!("bad shard count {n:?}"))?;
        if count == 0 || index >= count {
            return Err(format!("shard {index}/{count}: need 0 <= K < N"));
        }
        Ok(Shard { index, count })
    }
}

impl Shard {
    /// True when `key` falls in this shard: the first 8 bytes of its
    /// sha256, modulo the count — stable across runs, machines and versions.
    pub fn holds(&self, key: &str) -> bool {
        let h = crate::digest::Sha256::of(key.as_bytes());
        let first = u64::from_be_bytes(h.0[..8].try_into().unwrap_or([0; 8]));
        first % u64::from(self.count) == u64::from(self.index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owner(kind: &str, name: &str) -> OwnerReference {
        OwnerReference {
            kind: kind.into(),
            name: name.into(),
            controller: Some(true),
        }
    }

    #[test]
    fn owners_by_name_convention() {
        let labels = BTreeMap::from([("pod-template-hash".to_string(), "7d9f8c".to_string())]);
        let none = BTreeMap::new();
        let cases = [
            (
                owner("ReplicaSet", "web-7d9f8c"),
                &labels,
                ("Deployment", "web"),
            ),
            (
                owner("ReplicaSet", "web-7d9f8c"),
                &none,
                ("ReplicaSet", "web-7d9f8c"),
            ),
            (
                owner("Job", "backup-29012345"),
                &none,
                ("CronJob", "backup"),
            ),
            (owner("Job", "migrate-1"), &none, ("Job", "migrate-1")),
            (owner("StatefulSet", "db"), &none, ("StatefulSet", "db")),
        ];
        for (o, l, (kind, name)) in cases {
            assert_eq!(owner_of("p", l, &[o]), (kind.into(), name.into()));
        }
        assert_eq!(owner_of("p", &none, &[]), ("Pod".into(), "p".into()));
    }

    #[test]
    fn targets_prefer_the_status_digest() {
        let d = format!("sha256:{}", "a".repeat(64));
        let mut w = Workload {
            namespace: "n".into(),
            kind: "Pod".into(),
            name: "p".into(),
            pod: "p".into(),
            container: "c".into(),
            container_type: "container",
            image: "reg:5000/app:1".into(),
            image_id: Some(format!("docker-pullable://reg:5000/app@{d}")),
            pull_secrets: vec![],
            store: None,
        };
        let t = w.target();
        assert_eq!(
            (t.reference.as_str(), t.pinned),
            (&*format!("reg:5000/app@{d}"), true)
        );
        w.image_id = Some(format!("sha256:{}", "b".repeat(64)));
        let t = w.target();
        assert_eq!((t.key.as_str(), t.pinned), ("reg:5000/app:1", false));
        w.image = format!("reg:5000/app@{d}");
        assert_eq!(w.target().key, d);
    }

    #[test]
    fn shards_partition_the_keys() {
        let keys: Vec<String> = (0..100).map(|i| format!("k{i}")).collect();
        let shards: Vec<Shard> = (0..3).map(|i| Shard { index: i, count: 3 }).collect();
        for k in &keys {
            assert_eq!(shards.iter().filter(|s| s.holds(k)).count(), 1, "{k}");
        }
        assert!(shards.iter().all(|s| keys.iter().any(|k| s.holds(k))));
        assert!("3/3".parse::<Shard>().is_err() && "0/0".parse::<Shard>().is_err());
    }
}
