//! `stowaway images`: what each reachable local store holds (store, name,
//! digest, size), so a user can see what to scan. A store that is not
//! there is reported and skipped; one named by a flag that cannot be read
//! is an error.

use clap::Args;
use std::path::PathBuf;

use stowaway::report::Format;
use stowaway::report::model::{ImagesDoc, write_json};
use stowaway::source::LocalStores;
use stowaway::source::local::{self, Listing, LocalStore};

use super::Verdict;

#[derive(Args)]
pub struct ImagesArgs {
    /// containers-storage root (default /var/lib/containers/storage, rootless $XDG_DATA_HOME/containers/storage).
    #[arg(long, value_name = "DIR")]
    storage_root: Option<PathBuf>,
    /// containerd's socket (default /run/containerd/containerd.sock).
    #[arg(long, value_name = "SOCKET")]
    containerd_address: Option<PathBuf>,
    /// containerd namespace (default k8s.io).
    #[arg(long, value_name = "NS")]
    containerd_namespace: Option<String>,
    /// Output format: table or json.
    #[arg(long, default_value = "table")]
    format: Format,
}

pub fn run(a: ImagesArgs) -> anyhow::Result<Verdict> {
    let opts = LocalStores {
        storage_root: a.storage_root.clone(),
        containerd_address: a.containerd_address.clone(),
        containerd_namespace: a.containerd_namespace.clone(),
        docker_root: None,
    };
    let (images, stores) = local::list_all(&opts, &stowaway::Limits::default());
    let named = |store: LocalStore| match store {
        LocalStore::ContainersStorage => a.storage_root.is_some(),
        LocalStore::Containerd => {
            a.containerd_address.is_some() || a.containerd_namespace.is_some()
        }
        LocalStore::DockerDaemon => false,
    };
    for s in &stores {
        if let Some(e) = &s.error {
            if named(s.store) {
                anyhow::bail!("{}: {e}", s.store);
            }
            eprintln!("{} ({}): not read: {e}", s.store, s.location);
        }
    }
    match a.format {
        Format::Json => write_json(std::io::stdout().lock(), &ImagesDoc::new(&images, &stores))?,
        Format::Table => print_table(&images),
        Format::Sarif => anyhow::bail!("images has no SARIF form; use table or json"),
    }
    Ok(Verdict::Pass)
}

fn print_table(images: &[Listing]) {
    println!(
        "{:<20} {:<50} {:<14} {:>12}",
        "STORE", "NAME", "DIGEST", "SIZE"
    );
    for i in images {
        let digest = i.digest.strip_prefix("sha256:").unwrap_or(&i.digest);
        println!(
            "{:<20} {:<50} {:<14} {:>12}",
            i.store,
            i.name,
            &digest[..digest.len().min(12)],
            i.size.map(|s| s.to_string()).unwrap_or_else(|| "-".into())
        );
    }
}
