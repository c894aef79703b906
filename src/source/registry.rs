//! Images straight from OCI registries (feature `registry`), without a
//! daemon or temp files: manifests and indexes through `oci-client` (auth:
//! anonymous, basic, bearer via the `WWW-Authenticate` challenge), layer
//! blobs streamed chunk by chunk into the ordinary layer pass, which checks
//! every digest again. Credentials come from flags or docker config files,
//! go only to the registry they belong to, and never appear in messages.

use std::io::{self, Read};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, sync_channel};
use std::time::Duration;

use futures_util::StreamExt;
use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};

use crate::digest::Sha256;
use crate::error::{Error, Result};
use crate::limits::Limits;

use super::platform::PlatformSpec;
use super::store::{BlobLocator, BlobStore};
use super::{Image, RegistryOptions, oci_layout};

const MANIFEST_TYPES: &[&str] = &[
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
];
const ATTEMPTS: u32 = 5;
/// The longest a `Retry-After` is obeyed for.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// A registry repository as a blob store.
pub struct RegistryStore {
    rt: Arc<tokio::runtime::Runtime>,
    client: Client,
    reference: Reference,
    auth: RegistryAuth,
    shown: String,
}

fn is_loopback(registry: &str) -> bool {
    let host = registry
        .rsplit_once(':')
        .map(|(h, _)| h)
        .unwrap_or(registry);
    host == "localhost" || host.starts_with("127.") || host == "[::1]" || host == "::1"
}

impl RegistryStore {
    /// Connect (lazily) to the repository of `reference`.
    pub fn new(reference: &str, opts: &RegistryOptions) -> Result<RegistryStore> {
        let bad = |reason: String| Error::Reference {
            input: reference.to_string(),
            reason,
        };
        let r: Reference = reference
            .parse()
            .map_err(|e: oci_client::ParseError| bad(e.to_string()))?;
        let registry = r.resolve_registry().to_string();
        let mut plain: Vec<String> = opts.insecure.clone();
        if is_loopback(&registry) {
            plain.push(registry.clone());
        }
        let client = Client::new(ClientConfig {
            protocol: ClientProtocol::HttpsExcept(plain),
            platform_resolver: None,
            // A stalled registry is an error, not a hang.
            connect_timeout: Some(Duration::from_secs(30)),
            read_timeout: Some(Duration::from_secs(60)),
            ..Default::default()
        });
        let auth = super::creds::auth_for(&registry, opts)?;
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| Error::Unsupported(format!("cannot start the network runtime: {e}")))?;
        Ok(RegistryStore {
            rt: Arc::new(rt),
            client,
            shown: format!("{registry}/{}", r.repository()),
            reference: r,
            auth,
        })
    }

    fn with_digest(&self, d: &Sha256) -> Reference {
        Reference::with_digest(
            self.reference.registry().to_string(),
            self.reference.repository().to_string(),
            d.to_string(),
        )
    }

    /// Run a request with retries on transient failures (timeouts, 5xx, 429).
    fn retry<T>(
        &self,
        what: &str,
        mut f: impl FnMut() -> std::result::Result<T, oci_client::errors::OciDistributionError>,
    ) -> Result<T> {
        let mut delay = Duration::from_millis(200);
        for attempt in 1..=ATTEMPTS {
            match f() {
                Ok(v) => return Ok(v),
                Err(e) => {
                    if !is_transient(&e) || attempt == ATTEMPTS {
                        return Err(explain(&self.shown, what, &e));
                    }
                    let wait = match &e {
                        oci_client::errors::OciDistributionError::ServerError {
                            code: 429,
                            url,
                            ..
                        } => self.retry_after(url).unwrap_or(delay),
                        _ => delay,
                    };
                    std::thread::sleep(wait.min(MAX_RETRY_AFTER));
                    delay = (delay * 2).min(Duration::from_secs(10));
                }
            }
        }
        unreachable!("the last attempt returns")
    }

    /// How long a rate-limited registry asks to wait: oci-client's errors do
    /// not carry headers, so ask the same URL once more and read the
    /// `Retry-After` (seconds) of that answer.
    fn retry_after(&self, url: &str) -> Option<Duration> {
        let resp = self
            .rt
            .block_on(reqwest::Client::new().head(url).send())
            .ok()?;
        if resp.status().as_u16() != 429 {
            return None;
        }
        let secs: u64 = resp
            .headers()
            .get("retry-after")?
            .to_str()
            .ok()?
            .trim()
            .parse()
            .ok()?;
        Some(Duration::from_secs(secs))
    }

    /// The manifest or index the reference names: bytes and digest.
    pub fn root_manifest(&self) -> Result<(Vec<u8>, Sha256)> {
        let (bytes, digest) = self.retry("manifest", || {
            self.rt.block_on(self.client.pull_manifest_raw(
                &self.reference,
                &self.auth,
                MANIFEST_TYPES,
            ))
        })?;
        let d: Sha256 = digest
            .parse()
            .map_err(|e: String| Error::source(self.shown.clone(), e))?;
        Ok((bytes.to_vec(), d))
    }
}

/// Worth retrying: rate limiting (429), server errors (5xx), timeouts and
/// dropped connections; not authentication, missing things or bad data.
fn is_transient(e: &oci_client::errors::OciDistributionError) -> bool {
    use oci_client::errors::OciDistributionError as E;
    match e {
        E::ServerError { code, .. } => *code == 429 || *code >= 500,
        E::RequestError(r) => r.is_timeout() || r.is_request() && !r.is_connect() || r.is_body(),
        E::IoError(io) => matches!(
            io.kind(),
            io::ErrorKind::TimedOut
                | io::ErrorKind::ConnectionReset
                | io::ErrorKind::ConnectionAborted
                | io::ErrorKind::UnexpectedEof
        ),
        other => {
            let m = other.to_string();
            m.contains("429") || m.contains("Too Many Requests")
        }
    }
}

/// A clear message for a registry failure; never includes credentials.
fn explain(repo: &str, what: &str, e: &oci_client::errors::OciDistributionError) -> Error {
    use oci_client::errors::OciDistributionError as E;
    let msg = e.to_string();
    let lower = msg.to_ascii_lowercase();
    let hint = match e {
        E::UnauthorizedError { .. } | E::AuthenticationFailure(_) => {
            " (authentication failed: check --creds, --registry-token or the docker config for this registry)"
        }
        E::ServerError { code: 401, .. } => {
            " (authentication failed: check --creds, --registry-token or the docker config for this registry)"
        }
        E::ServerError { code: 403, .. } => " (access denied for this repository)",
        E::ServerError { code: 404, .. } | E::ImageManifestNotFoundError(_) => {
            " (repository, tag or blob not found)"
        }
        _ if [
            "manifest unknown",
            "blob unknown",
            "name unknown",
            "not found",
        ]
        .iter()
        .any(|k| lower.contains(k)) =>
        {
            " (repository, tag or blob not found)"
        }
        _ if lower.contains("denied") => " (access denied for this repository)",
        _ => "",
    };
    Error::source(format!("registry {repo}"), format!("{what}: {msg}{hint}"))
}

impl BlobStore for RegistryStore {
    fn open(&self, loc: &BlobLocator) -> Result<Box<dyn Read + Send + '_>> {
        let BlobLocator::Digest(d) = loc else {
            return Err(Error::source(
                self.location(),
                format!("no blob named {:?} in a registry", loc.path()),
            ));
        };
        let digest = d.to_string();
        let stream = self.retry("blob", || {
            self.rt.block_on(
                self.client
                    .pull_blob_stream(&self.reference, digest.as_str()),
            )
        })?;
        let (tx, rx) = sync_channel::<io::Result<bytes::Bytes>>(8);
        let mut s = stream.stream;
        self.rt.spawn(async move {
            while let Some(item) = s.next().await {
                let stop = item.is_err();
                if tx.send(item).is_err() || stop {
                    break;
                }
            }
        });
        Ok(Box::new(ChannelReader {
            rx,
            cur: bytes::Bytes::new(),
        }))
    }

    fn open_manifest(&self, d: &Sha256) -> Result<Box<dyn Read + Send + '_>> {
        let r = self.with_digest(d);
        let (bytes, _) = self.retry("manifest", || {
            self.rt.block_on(
                self.client
                    .pull_manifest_raw(&r, &self.auth, MANIFEST_TYPES),
            )
        })?;
        Ok(Box::new(io::Cursor::new(bytes.to_vec())))
    }

    fn contains(&self, _loc: &BlobLocator) -> bool {
        true
    }

    fn location(&self) -> String {
        format!("registry {}", self.shown)
    }
}

struct ChannelReader {
    rx: Receiver<io::Result<bytes::Bytes>>,
    cur: bytes::Bytes,
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.cur.is_empty() {
            match self.rx.recv() {
                Ok(Ok(b)) => self.cur = b,
                Ok(Err(e)) => return Err(e),
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.cur.len());
        buf[..n].copy_from_slice(&self.cur[..n]);
        let _ = self.cur.split_to(n);
        Ok(n)
    }
}

/// Resolve a registry reference to an image.
pub fn open(
    reference: &str,
    platform: Option<&PlatformSpec>,
    limits: &Limits,
    opts: &RegistryOptions,
) -> Result<Image> {
    let store = RegistryStore::new(reference, opts)?;
    let (bytes, digest) = store.root_manifest()?;
    if bytes.len() as u64 > limits.max_json_bytes {
        return Err(Error::Limit {
            location: store.location(),
            what: "JSON document size",
            limit: limits.max_json_bytes,
            flag: "--max-json-size",
        });
    }
    let chosen = oci_layout::from_root_document(&store, &bytes, digest, platform, limits)?;
    super::from_manifest(
        Box::new(store),
        chosen,
        "docker",
        format!("docker://{reference}"),
        limits,
    )
}
