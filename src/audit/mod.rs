//! `stowaway audit` (front end, beside `cli` and `serve`): what runs in a
//! cluster, each distinct image digest scanned once, a verdict per
//! workload, sharded as Kubernetes Indexed Jobs and merged, and the history
//! of runs. The inventory comes from a pod list file
//! (`kubectl get pods -A -o json`), the Kubernetes API or the node's
//! runtimes; the scanner (registry pull, layer cache,
//! gate) is given by the caller, so this module only plans, runs, merges and
//! remembers.

#[cfg(feature = "kubernetes")]
mod api;
mod history;
mod inventory;
mod merge;
mod node;
mod pods;
mod run;
#[cfg(feature = "kubernetes")]
mod secrets;

#[cfg(feature = "kubernetes")]
pub use api::{ApiOptions, MAX_RESTARTS, is_namespace_name, read as read_api};
pub use history::{changes, compare_and_record};
pub use inventory::{
    Inventory, PullCred, Shard, Target, Workload, distinct, is_digest, registry_host,
};
pub use merge::{merge, read_report};
pub use node::read as read_node;
pub use pods::{PodLimits, PodList, add_pods, parse as parse_pod_list, read_file as read_pod_file};
pub use run::{AuditProgress, RunOptions, Scanner, run, targets};
