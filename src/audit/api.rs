//! The inventory from the Kubernetes API, through the `kube` client
//! (kubeconfig or the in-cluster service account; rustls only). Pods are
//! listed cluster-wide, or — when that is forbidden, or `--namespace` is
//! given — namespace by namespace, in pages (`limit` / `continue`). A list
//! whose continue token expired (`410 Gone`) is restarted from its first
//! page (at most [`MAX_RESTARTS`] times); a namespace the credentials may
//! not list (`403`) is skipped and reported, which makes the audit
//! incomplete. Every page is read through the same strict, size-limited
//! pod list reader as a file ([`super::pods`]).

use http_body_util::BodyExt;
use kube::client::Body;
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};

use super::inventory::Inventory;
use super::pods::{self, PodLimits};
use crate::error::{Error, Result};
use crate::report::model::Skipped;

/// Times one list is restarted after `410 Gone` before giving up.
pub const MAX_RESTARTS: usize = 3;

/// Where the cluster is and what to list.
#[derive(Clone, Debug, Default)]
pub struct ApiOptions {
    /// A kubeconfig file; `None` means the in-cluster service account.
    pub kubeconfig: Option<std::path::PathBuf>,
    /// Namespaces to list (empty: all).
    pub namespaces: Vec<String>,
    /// Items per page.
    pub page_size: u32,
    pub limits: PodLimits,
    /// Read the pods' imagePullSecrets (needs `get` on secrets).
    pub pull_secrets: bool,
}

/// Why a list stopped.
enum ListError {
    Forbidden(String),
    Other(Error),
}

impl From<Error> for ListError {
    fn from(e: Error) -> Self {
        ListError::Other(e)
    }
}

fn api_err(location: &str, reason: impl std::fmt::Display) -> Error {
    Error::Source {
        location: format!("kubernetes {location}"),
        reason: reason.to_string(),
    }
}

/// Read the pods of the cluster into `inv` (blocking: runs its own runtime).
pub fn read(opts: &ApiOptions, inv: &mut Inventory) -> Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| api_err("client", e))?;
    rt.block_on(read_async(opts, inv))
}

async fn client(opts: &ApiOptions) -> Result<Client> {
    let config = match &opts.kubeconfig {
        Some(path) => {
            let kc =
                Kubeconfig::read_from(path).map_err(|e| api_err(&path.display().to_string(), e))?;
            Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default())
                .await
                .map_err(|e| api_err(&path.display().to_string(), e))?
        }
        None => Config::incluster().map_err(|e| api_err("in-cluster config", e))?,
    };
    Client::try_from(config).map_err(|e| api_err("client", e))
}

async fn read_async(opts: &ApiOptions, inv: &mut Inventory) -> Result<()> {
    if let Some(bad) = opts.namespaces.iter().find(|n| !is_namespace_name(n)) {
        return Err(Error::Unsupported(format!(
            "--namespace {bad:?} is not a namespace name (an RFC 1123 label)"
        )));
    }
    let client = client(opts).await?;
    let lister = Lister {
        client: &client,
        opts,
    };
    if opts.namespaces.is_empty() {
        match lister.pods("/api/v1/pods").await {
            Ok(items) => {
                pods::add_pods(items, &opts.limits, inv)?;
                if opts.pull_secrets {
                    lister.secrets(inv).await?;
                }
                return Ok(());
            }
            Err(ListError::Other(e)) => return Err(e),
            Err(ListError::Forbidden(_)) => {} // namespace by namespace
        }
    }
    let namespaces = if opts.namespaces.is_empty() {
        lister.namespaces().await.map_err(|e| match e {
            ListError::Forbidden(r) => api_err(
                "/api/v1/namespaces",
                format!("{r} (the credentials can list neither all pods nor the namespaces; name them with --namespace)"),
            ),
            ListError::Other(e) => e,
        })?
    } else {
        opts.namespaces.clone()
    };
    for ns in namespaces {
        match lister.pods(&format!("/api/v1/namespaces/{ns}/pods")).await {
            Ok(items) => pods::add_pods(items, &opts.limits, inv)?,
            Err(ListError::Forbidden(reason)) => inv.skipped.push(Skipped {
                what: format!("namespace/{ns}"),
                reason: format!("pods not listed: {reason}"),
            }),
            Err(ListError::Other(e)) => return Err(e),
        }
    }
    if opts.pull_secrets {
        lister.secrets(inv).await?;
    }
    Ok(())
}

struct Lister<'a> {
    client: &'a Client,
    opts: &'a ApiOptions,
}

/// A namespace list, names only.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct NamespaceList {
    items: Vec<NamedObject>,
    metadata: pods::ListMeta,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct NamedObject {
    metadata: Name,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct Name {
    name: String,
}

impl Lister<'_> {
    /// Every pod of a list path, page by page; restarted on 410 Gone.
    async fn pods(&self, path: &str) -> std::result::Result<Vec<pods::Pod>, ListError> {
        let mut restarts = 0;
        'restart: loop {
            let mut items = Vec::new();
            let mut token: Option<String> = None;
            loop {
                let page = match self.page(path, token.as_deref()).await? {
                    Some(p) => pods::parse(&p, path)?,
                    None if restarts < MAX_RESTARTS => {
                        restarts += 1;
                        continue 'restart;
                    }
                    None => {
                        return Err(ListError::Other(api_err(
                            path,
                            format!("410 Gone {restarts} times: the list keeps expiring"),
                        )));
                    }
                };
                items.extend(page.items);
                if items.len() > self.opts.limits.pods {
                    return Err(ListError::Other(Error::Unsupported(format!(
                        "more than {} pods in the inventory (raise it with --max-pods)",
                        self.opts.limits.pods
                    ))));
                }
                match page.metadata.continue_token.filter(|t| !t.is_empty()) {
                    Some(t) => token = Some(t),
                    None => return Ok(items),
                }
            }
        }
    }

    /// Every namespace's name.
    async fn namespaces(&self) -> std::result::Result<Vec<String>, ListError> {
        let path = "/api/v1/namespaces";
        let mut names = Vec::new();
        let mut token: Option<String> = None;
        let mut restarts = 0;
        loop {
            let Some(bytes) = self.page(path, token.as_deref()).await? else {
                // An expired token: start over.
                restarts += 1;
                if restarts > MAX_RESTARTS {
                    return Err(ListError::Other(api_err(
                        path,
                        "410 Gone: the list keeps expiring",
                    )));
                }
                names.clear();
                token = None;
                continue;
            };
            crate::source::json::check_keys(&bytes, "namespace list", path)?;
            let list: NamespaceList = serde_json::from_slice(&bytes)
                .map_err(|e| api_err(path, format!("namespace list: {e}")))?;
            for n in list.items {
                if !is_namespace_name(&n.metadata.name) {
                    return Err(ListError::Other(api_err(
                        path,
                        format!("namespace name {:?} is not a DNS label", n.metadata.name),
                    )));
                }
                names.push(n.metadata.name);
            }
            match list.metadata.continue_token.filter(|t| !t.is_empty()) {
                Some(t) => token = Some(t),
                None => return Ok(names),
            }
        }
    }

    /// One page: its body, `None` on 410 Gone.
    async fn page(
        &self,
        path: &str,
        token: Option<&str>,
    ) -> std::result::Result<Option<Vec<u8>>, ListError> {
        let mut uri = format!("{path}?limit={}", self.opts.page_size.max(1));
        if let Some(t) = token {
            uri.push_str("&continue=");
            uri.push_str(&percent_encode(t));
        }
        let (status, body) = self
            .get(&uri, self.opts.limits.document_bytes as usize)
            .await?;
        match status {
            200 => Ok(Some(body)),
            410 => Ok(None),
            403 => Err(ListError::Forbidden(status_message(status, &body))),
            _ => Err(ListError::Other(api_err(
                path,
                status_message(status, &body),
            ))),
        }
    }

    /// GET `uri`: the status and the body (at most `limit` bytes when the
    /// answer is 200, 64 KiB otherwise).
    async fn get(&self, uri: &str, limit: usize) -> Result<(u16, Vec<u8>)> {
        let path = uri.split('?').next().unwrap_or(uri);
        let req = http::Request::get(uri)
            .body(Body::empty())
            .map_err(|e| api_err(path, e))?;
        let res = self.client.send(req).await.map_err(|e| api_err(path, e))?;
        let status = res.status().as_u16();
        let limit = if status == 200 { limit } else { 64 << 10 };
        let body = http_body_util::Limited::new(res.into_body(), limit)
            .collect()
            .await
            .map_err(|e| api_err(path, format!("reading the answer (at most {limit} bytes; raise it with --max-pods-file-size): {e}")))?
            .to_bytes()
            .to_vec();
        Ok((status, body))
    }

    /// Read the imagePullSecrets the pods name. A secret that cannot be
    /// read is a note (its images are pulled without it); its content is
    /// never printed.
    async fn secrets(&self, inv: &mut Inventory) -> Result<()> {
        let wanted: std::collections::BTreeSet<(String, String)> = (inv.workloads.iter())
            .flat_map(|w| {
                w.pull_secrets
                    .iter()
                    .map(|s| (w.namespace.clone(), s.clone()))
            })
            .collect();
        for (ns, name) in wanted {
            let what = format!("secret {ns}/{name}");
            if !is_namespace_name(&ns) || !is_object_name(&name) {
                inv.notes
                    .push(format!("{what}: not a valid name; not read"));
                continue;
            }
            let (status, body) = self
                .get(&format!("/api/v1/namespaces/{ns}/secrets/{name}"), 1 << 20)
                .await?;
            let creds = match status {
                200 => super::secrets::docker_creds(&body),
                _ => Err(status_message(status, &body)),
            };
            match creds {
                Ok(c) => {
                    inv.pull_creds.insert((ns, name), c);
                }
                Err(reason) => inv.notes.push(format!(
                    "{what} not read ({reason}); its images are pulled without it"
                )),
            }
        }
        Ok(())
    }
}

/// A Kubernetes object name (an RFC 1123 subdomain).
fn is_object_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
}

/// The message of an API Status answer, cut to one line.
fn status_message(status: u16, body: &[u8]) -> String {
    #[derive(serde::Deserialize, Default)]
    #[serde(default)]
    struct Status {
        message: String,
    }
    let msg = serde_json::from_slice::<Status>(body)
        .map(|s| s.message)
        .unwrap_or_default();
    let msg: String = msg.chars().filter(|c| !c.is_control()).take(300).collect();
    format!(
        "HTTP {status}{}{msg}",
        if msg.is_empty() { "" } else { ": " }
    )
}

/// A namespace name as Kubernetes allows it (an RFC 1123 label), so that
/// it is safe in a request path.
pub fn is_namespace_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// A continue token as a query value.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
