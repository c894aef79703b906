//! Images straight from OCI registries (feature `registry`), without a
//! daemon or temp files: manifests and indexes through `oci-client` (auth:
//! anonymous, basic, bearer via the `WWW-Authenticate` challenge), layer
//! blobs streamed chunk by chunk into the ordinary layer pass, which checks
//! every digest again. Credentials come from flags or docker config files,
//! go only to the registry they belong to, and never appear in messages.

use std::io::{self, Read};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, sync_channel};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};

use crate::digest::Sha256;
use crate::error::{Error, Result};
use crate::limits::Limits;

use super::platform::PlatformSpec;
use super::registry_http::{self as http, Clock, Failure};
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
    /// For the requests made without oci-client (challenge, token, manifests).
    http: reqwest::Client,
    clock: Clock,
    base: String,
    reference: Reference,
    auth: RegistryAuth,
    shown: String,
    max_json: u64,
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
    pub fn new(reference: &str, opts: &RegistryOptions, limits: &Limits) -> Result<RegistryStore> {
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
        let plain_http = plain.iter().any(|h| h == &registry);
        let stall = opts.stall_timeout.unwrap_or(super::DEFAULT_STALL_TIMEOUT);
        let clock = Clock {
            stall,
            deadline: Instant::now() + opts.deadline.unwrap_or(super::DEFAULT_REGISTRY_DEADLINE),
        };
        let client = Client::new(ClientConfig {
            protocol: ClientProtocol::HttpsExcept(plain),
            platform_resolver: None,
            // A stalled registry is an error, not a hang: no byte for
            // `stall` ends a read.
            connect_timeout: Some(Duration::from_secs(30).min(stall)),
            read_timeout: Some(stall + Duration::from_secs(2)),
            ..Default::default()
        });
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(30).min(stall))
            .read_timeout(stall + Duration::from_secs(2))
            .build()
            .map_err(|e| Error::Unsupported(format!("cannot start the HTTP client: {e}")))?;
        let auth = super::creds::auth_for(&registry, opts)?;
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| Error::Unsupported(format!("cannot start the network runtime: {e}")))?;
        let scheme = if plain_http { "http" } else { "https" };
        let mut store = RegistryStore {
            rt: Arc::new(rt),
            client,
            http,
            clock,
            base: format!("{scheme}://{registry}/v2/{}", r.repository()),
            shown: format!("{registry}/{}", r.repository()),
            reference: r,
            auth,
            max_json: limits.max_json_bytes,
        };
        store.auth = store.negotiate(&registry, plain_http)?;
        Ok(store)
    }

    /// Answer the registry's challenge ourselves: a bearer token is fetched
    /// here (capped, and with credentials only for a realm allowed to get
    /// them) and handed to oci-client as a ready token, so oci-client never
    /// contacts a realm itself.
    fn negotiate(&self, registry: &str, plain_http: bool) -> Result<RegistryAuth> {
        let basic = match &self.auth {
            RegistryAuth::Bearer(_) => return Ok(self.auth.clone()),
            RegistryAuth::Basic(u, p) => Some((u.clone(), p.clone())),
            RegistryAuth::Anonymous => None,
        };
        let scheme = if plain_http { "http" } else { "https" };
        let probe = format!("{scheme}://{registry}/v2/");
        let body = self.retry_http("registry version check", &probe, true, || {
            http::get(
                &self.http,
                &self.shown,
                &probe,
                Default::default(),
                http::MAX_TOKEN_BYTES,
                self.clock,
                "registry version check",
                "--max-json-size",
            )
        })?;
        let Some(challenge) = http::challenge_of(&body).and_then(http::bearer_challenge) else {
            // No challenge, or Basic: credentials (if any) go to the registry only.
            return Ok(self.auth.clone());
        };
        if basic.is_some() {
            http::realm_may_get_credentials(&challenge.realm, plain_http)
                .map_err(|reason| Error::source(format!("registry {}", self.shown), reason))?;
        }
        let mut url = reqwest::Url::parse(&challenge.realm).map_err(|e| {
            Error::source(
                format!("registry {}", self.shown),
                format!(
                    "token realm {}: {e}",
                    http::excerpt(challenge.realm.as_bytes())
                ),
            )
        })?;
        url.query_pairs_mut().append_pair(
            "scope",
            &format!("repository:{}:pull", self.reference.repository()),
        );
        if let Some(service) = &challenge.service {
            url.query_pairs_mut().append_pair("service", service);
        }
        let url = url.to_string();
        let token = self.retry_http("token", &url, false, || {
            http::get(
                &self.http,
                &self.shown,
                &url,
                http::auth_headers(basic.as_ref(), None),
                http::MAX_TOKEN_BYTES,
                self.clock,
                "token",
                "(a token is at most 64 KiB)",
            )
        })?;
        #[derive(serde::Deserialize)]
        struct TokenReply {
            token: Option<String>,
            access_token: Option<String>,
        }
        let reply: TokenReply =
            serde_json::from_slice(&token.bytes).map_err(|e| Error::Document {
                what: "registry token response",
                location: format!("registry {}", self.shown),
                reason: e.to_string(),
            })?;
        match reply.token.or(reply.access_token) {
            Some(t) if !t.is_empty() => Ok(RegistryAuth::Bearer(t)),
            _ => Err(Error::source(
                format!("registry {}", self.shown),
                "the token response holds no token",
            )),
        }
    }

    /// GET with the store's credentials, retried on transient failures,
    /// failing on any non-2xx answer.
    /// `challenge`: a 401 is an answer too (it carries the challenge).
    fn retry_http<F>(
        &self,
        what: &str,
        url: &str,
        challenge: bool,
        mut f: impl FnMut() -> F,
    ) -> Result<http::Body>
    where
        F: std::future::Future<Output = std::result::Result<http::Body, Failure>>,
    {
        self.attempts(|| {
            let body = self.rt.block_on(f())?;
            if (200..300).contains(&body.status) || (challenge && body.status == 401) {
                Ok(body)
            } else {
                Err(http::status_failure(&self.shown, what, url, &body))
            }
        })
    }

    /// A manifest (by tag or digest) with our own capped request.
    fn get_manifest(&self, reference: &str) -> Result<Vec<u8>> {
        let url = format!("{}/manifests/{reference}", self.base);
        let (basic, bearer) = match &self.auth {
            RegistryAuth::Basic(u, p) => (Some((u.clone(), p.clone())), None),
            RegistryAuth::Bearer(t) => (None, Some(t.as_str())),
            RegistryAuth::Anonymous => (None, None),
        };
        let headers = http::accept(http::auth_headers(basic.as_ref(), bearer), MANIFEST_TYPES);
        let body = self.attempts(|| {
            let body = self.rt.block_on(http::get(
                &self.http,
                &self.shown,
                &url,
                headers.clone(),
                self.max_json,
                self.clock,
                "manifest",
                "--max-json-size",
            ))?;
            if (200..300).contains(&body.status) {
                Ok(body)
            } else {
                Err(http::status_failure(&self.shown, "manifest", &url, &body))
            }
        })?;
        Ok(body.bytes)
    }

    /// Try up to [`ATTEMPTS`] times while failures are transient, waiting
    /// with backoff or as `Retry-After` asks (bounded, and never past the
    /// deadline).
    fn attempts<T>(&self, mut f: impl FnMut() -> std::result::Result<T, Failure>) -> Result<T> {
        let mut delay = Duration::from_millis(200);
        for attempt in 1..=ATTEMPTS {
            match f() {
                Ok(v) => return Ok(v),
                Err(e) => {
                    let wait = e.retry_after.unwrap_or(delay).min(MAX_RETRY_AFTER);
                    if !e.transient || attempt == ATTEMPTS || wait >= self.clock.left() {
                        return Err(e.error);
                    }
                    std::thread::sleep(wait);
                    delay = (delay * 2).min(Duration::from_secs(10));
                }
            }
        }
        unreachable!("the last attempt returns")
    }

    /// Run an oci-client request with retries on transient failures
    /// (timeouts, 5xx, 429), within the image's deadline.
    fn retry<T, F>(&self, what: &str, mut f: impl FnMut() -> F) -> Result<T>
    where
        F: std::future::Future<
                Output = std::result::Result<T, oci_client::errors::OciDistributionError>,
            >,
    {
        self.attempts(|| {
            let left = self.clock.left();
            match self.rt.block_on(async { tokio::time::timeout(left, f()).await }) {
                Ok(Ok(v)) => Ok(v),
                Ok(Err(e)) => Err(Failure {
                    transient: is_transient(&e),
                    retry_after: match &e {
                        oci_client::errors::OciDistributionError::ServerError {
                            code: 429,
                            url,
                            ..
                        } => self.retry_after(url),
                        _ => None,
                    },
                    error: explain(&self.shown, what, &e),
                }),
                Err(_) => Err(Failure {
                    transient: false,
                    retry_after: None,
                    error: Error::source(
                        format!("registry {}", self.shown),
                        format!("{what}: the registry deadline passed (raise it with --registry-deadline)"),
                    ),
                }),
            }
        })
    }

    /// How long a rate-limited registry asks to wait: oci-client's errors do
    /// not carry headers, so ask the same URL once more (with a timeout)
    /// and read the `Retry-After` (seconds) of that answer.
    fn retry_after(&self, url: &str) -> Option<Duration> {
        let probe = self
            .http
            .head(url)
            .timeout(Duration::from_secs(10).min(self.clock.left()));
        let resp = self.rt.block_on(probe.send()).ok()?;
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
        let wanted = match self.reference.digest() {
            Some(d) => d.to_string(),
            None => self.reference.tag().unwrap_or("latest").to_string(),
        };
        let bytes = self.get_manifest(&wanted)?;
        let d = match self.reference.digest() {
            Some(d) => d.parse().map_err(|e: String| {
                Error::source(self.shown.clone(), format!("reference digest {d:?}: {e}"))
            })?,
            None => Sha256::of(&bytes),
        };
        Ok((bytes, d))
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
    let msg = match e {
        E::RequestError(r) => http::describe(r),
        _ => http::excerpt(e.to_string().as_bytes()),
    };
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
        // Authorize oci-client's blob requests with the negotiated auth.
        self.rt.block_on(
            self.client
                .store_auth_if_needed(self.reference.resolve_registry(), &self.auth),
        );
        let stream = self.retry("blob", || {
            self.client
                .pull_blob_stream(&self.reference, digest.as_str())
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
            clock: self.clock,
        }))
    }

    fn open_manifest(&self, d: &Sha256) -> Result<Box<dyn Read + Send + '_>> {
        Ok(Box::new(io::Cursor::new(
            self.get_manifest(&d.to_string())?,
        )))
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
    clock: Clock,
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.cur.is_empty() {
            let left = self.clock.left();
            match self.rx.recv_timeout(self.clock.stall.min(left)) {
                Ok(Ok(b)) => self.cur = b,
                Ok(Err(e)) if e.kind() == io::ErrorKind::TimedOut => {
                    return Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        format!(
                            "the registry stalled: no data for {} s (raise it with --registry-stall-timeout)",
                            self.clock.stall.as_secs()
                        ),
                    ));
                }
                Ok(Err(e)) => return Err(e),
                Err(RecvTimeoutError::Disconnected) => return Ok(0),
                Err(RecvTimeoutError::Timeout) if self.clock.left().is_zero() => {
                    return Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "the registry deadline passed while reading the blob (raise it with --registry-deadline)",
                    ));
                }
                Err(RecvTimeoutError::Timeout) => {
                    return Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        format!(
                            "the registry stalled: no data for {} s (raise it with --registry-stall-timeout)",
                            self.clock.stall.as_secs()
                        ),
                    ));
                }
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
    let store = RegistryStore::new(reference, opts, limits)?;
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
