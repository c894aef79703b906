//! Images straight from OCI registries (feature `registry`), without a
//! daemon or temp files. Stowaway speaks the Distribution API itself (see
//! [`super::registry_http`]): the `/v2/` challenge (anonymous, basic, bearer
//! token from the realm), manifests and indexes read with a cap, layer blobs
//! streamed chunk by chunk into the ordinary layer pass, which checks every
//! digest. `oci-client` supplies reference parsing and the credential type.
//! Credentials come from flags or docker config files, go only to the
//! registry they belong to (and to a token realm it names, over TLS), and
//! never appear in messages. Every read is bounded by a stall timeout and
//! the image's deadline; transient failures (429, 5xx, timeouts) are
//! retried a bounded number of times, honouring `Retry-After`. A bearer
//! token that expires during a long pull is renewed when the registry
//! answers 401 with a Bearer challenge, once per request.

use std::io::{self, Read};
use std::sync::mpsc::{Receiver, RecvTimeoutError, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use oci_client::Reference;
use oci_client::secrets::RegistryAuth;

use crate::digest::Sha256;
use crate::error::{Error, Result};
use crate::limits::{Limit, Limits};

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
    /// For the requests made without oci-client (challenge, token, manifests).
    http: reqwest::Client,
    clock: Clock,
    base: String,
    reference: Reference,
    /// The credentials given (flags, auth files), kept to renew a token.
    given: RegistryAuth,
    /// What requests carry: the given credentials, or a bearer token got
    /// with them (replaced when the registry says it expired).
    auth: Mutex<RegistryAuth>,
    /// The registry is reached over plain HTTP (loopback or insecure).
    plain_http: bool,
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
            http,
            clock,
            base: format!("{scheme}://{registry}/v2/{}", r.repository()),
            shown: format!("{registry}/{}", r.repository()),
            reference: r,
            given: auth.clone(),
            auth: Mutex::new(auth),
            plain_http,
            max_json: limits.max_json_bytes,
        };
        let negotiated = store.negotiate(&registry)?;
        *store.auth.get_mut().unwrap_or_else(|e| e.into_inner()) = negotiated;
        Ok(store)
    }

    /// Answer the registry's challenge ourselves: a bearer token is fetched
    /// here (capped, and with credentials only for a realm allowed to get
    /// them) and handed to oci-client as a ready token, so oci-client never
    /// contacts a realm itself.
    fn negotiate(&self, registry: &str) -> Result<RegistryAuth> {
        if let RegistryAuth::Bearer(_) = &self.given {
            return Ok(self.given.clone());
        }
        let scheme = if self.plain_http { "http" } else { "https" };
        let probe = format!("{scheme}://{registry}/v2/");
        let body = self.retry_http("registry version check", &probe, true, || {
            http::get(
                &self.http,
                &self.shown,
                &probe,
                Default::default(),
                http::Cap::Fixed(http::MAX_TOKEN_BYTES),
                self.clock,
                "registry version check",
            )
        })?;
        match http::challenge_of(&body).and_then(http::bearer_challenge) {
            Some(challenge) => self.token_for(&challenge),
            // No challenge, or Basic: credentials (if any) go to the registry only.
            None => Ok(self.given.clone()),
        }
    }

    /// A bearer token for `challenge`, got from its realm with the given
    /// credentials (only if the realm may receive them).
    fn token_for(&self, challenge: &http::Challenge) -> Result<RegistryAuth> {
        let basic = match &self.given {
            RegistryAuth::Basic(u, p) => Some((u.clone(), p.clone())),
            _ => None,
        };
        if basic.is_some() {
            http::realm_may_get_credentials(&challenge.realm, self.plain_http)
                .map_err(|reason| Error::registry(format!("registry {}", self.shown), reason))?;
        }
        let mut url = reqwest::Url::parse(&challenge.realm).map_err(|e| {
            Error::registry(
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
                http::Cap::Fixed(http::MAX_TOKEN_BYTES),
                self.clock,
                "token",
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
            _ => Err(Error::registry(
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

    /// The `Authorization` header of the negotiated credentials.
    fn auth_headers(&self) -> reqwest::header::HeaderMap {
        let auth = self.auth.lock().unwrap_or_else(|e| e.into_inner()).clone();
        match &auth {
            RegistryAuth::Basic(u, p) => http::auth_headers(Some(&(u.clone(), p.clone())), None),
            RegistryAuth::Bearer(t) => http::auth_headers(None, Some(t)),
            RegistryAuth::Anonymous => Default::default(),
        }
    }

    /// A manifest (by tag or digest) with our own capped request.
    fn get_manifest(&self, reference: &str) -> Result<Vec<u8>> {
        let url = format!("{}/manifests/{reference}", self.base);
        let body = self.authorized(|auth| {
            let body = self.rt.block_on(http::get(
                &self.http,
                &self.shown,
                &url,
                http::accept(auth, MANIFEST_TYPES),
                http::Cap::Limit(Limit::JsonSize, self.max_json),
                self.clock,
                "manifest",
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
    fn attempts<T>(&self, f: impl FnMut() -> std::result::Result<T, Failure>) -> Result<T> {
        self.try_attempts(f).map_err(|e| e.error)
    }

    /// [`Self::attempts`], keeping the last failure whole.
    fn try_attempts<T>(
        &self,
        mut f: impl FnMut() -> std::result::Result<T, Failure>,
    ) -> std::result::Result<T, Failure> {
        let mut delay = Duration::from_millis(200);
        for attempt in 1..=ATTEMPTS {
            match f() {
                Ok(v) => return Ok(v),
                Err(e) => {
                    let wait = e.retry_after.unwrap_or(delay).min(MAX_RETRY_AFTER);
                    if !e.transient || attempt == ATTEMPTS || wait >= self.clock.left() {
                        return Err(e);
                    }
                    std::thread::sleep(wait);
                    delay = (delay * 2).min(Duration::from_secs(10));
                }
            }
        }
        unreachable!("the last attempt returns")
    }

    /// A request (given the `Authorization` headers to send) with
    /// [`Self::attempts`]. When the registry answers 401 with a Bearer
    /// challenge — the token expired during a long pull — a new token is
    /// fetched for that challenge and the request tried again, once: a
    /// registry that keeps refusing ends in its 401. A token given with
    /// `--registry-token` cannot be renewed.
    fn authorized<T>(
        &self,
        mut f: impl FnMut(reqwest::header::HeaderMap) -> std::result::Result<T, Failure>,
    ) -> Result<T> {
        match self.try_attempts(|| f(self.auth_headers())) {
            Err(Failure {
                challenge: Some(challenge),
                ..
            }) if !matches!(self.given, RegistryAuth::Bearer(_)) => {
                let renewed = self.token_for(&challenge)?;
                *self.auth.lock().unwrap_or_else(|e| e.into_inner()) = renewed;
                self.attempts(|| f(self.auth_headers()))
            }
            other => other.map_err(|e| e.error),
        }
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

impl BlobStore for RegistryStore {
    fn open(&self, loc: &BlobLocator) -> Result<Box<dyn Read + Send + '_>> {
        let BlobLocator::Digest(d) = loc else {
            return Err(Error::NotFound {
                location: self.location(),
                what: format!("no blob named {:?} in a registry", loc.path()),
                choices: Vec::new(),
            });
        };
        let url = format!("{}/blobs/{d}", self.base);
        let mut resp = self.authorized(|auth| {
            self.rt.block_on(http::open_stream(
                &self.http,
                &self.shown,
                &url,
                auth,
                self.clock,
                "blob",
            ))
        })?;
        let (tx, rx) = sync_channel::<io::Result<bytes::Bytes>>(8);
        self.rt.spawn(async move {
            loop {
                let item = match resp.chunk().await {
                    Ok(Some(b)) => Ok(b),
                    Ok(None) => break,
                    Err(e) => Err(io::Error::new(
                        if e.is_timeout() {
                            io::ErrorKind::TimedOut
                        } else {
                            io::ErrorKind::Other
                        },
                        http::describe(&e),
                    )),
                };
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
        return Err(Error::limit(
            Limit::JsonSize,
            store.location(),
            limits.max_json_bytes,
        ));
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
