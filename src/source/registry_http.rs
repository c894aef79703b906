//! The registry requests Stowaway makes itself rather than through
//! `oci-client`, because their bodies are attacker-sized: the `/v2/`
//! challenge, bearer tokens, and manifests. Every body is read chunk by
//! chunk and refused past its cap; a read that makes no progress for the
//! stall timeout, or anything past the image's deadline, is an error; error
//! bodies are shown only as a short escaped excerpt. Credentials go to a
//! token realm only over TLS, or over plain HTTP to a loopback realm of a
//! loopback or `--insecure-registry` registry.

use std::time::{Duration, Instant};

use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderValue, WWW_AUTHENTICATE};

use crate::error::{Error, Result};
use crate::limits::Limit;

/// The largest bearer-token response accepted.
pub const MAX_TOKEN_BYTES: u64 = 64 << 10;
/// The most of an error body read, and the most of it shown.
const MAX_ERROR_BODY: u64 = 16 << 10;
const ERROR_EXCERPT_CHARS: usize = 200;

/// Deadlines of one image's registry traffic.
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    /// No byte for this long is a stall.
    pub stall: Duration,
    /// Nothing after this instant.
    pub deadline: Instant,
}

impl Clock {
    /// Time left before the deadline (zero once passed).
    pub fn left(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }
}

/// A failed request: what went wrong, and whether trying again may help.
#[derive(Debug)]
pub struct Failure {
    pub error: Error,
    pub transient: bool,
    pub retry_after: Option<Duration>,
    /// A 401's Bearer challenge: a new token for it may succeed (the one
    /// sent expired during a long pull).
    pub challenge: Option<Box<Challenge>>,
}

/// A response read whole, within its cap.
pub struct Body {
    pub status: u16,
    pub headers: HeaderMap,
    pub bytes: Vec<u8>,
}

/// Escape and shorten an error body (or any server text) for a message:
/// control characters (terminal escapes included) become `\xNN`.
pub fn excerpt(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::new();
    for (chars, c) in text.chars().enumerate() {
        if chars == ERROR_EXCERPT_CHARS {
            out.push('…');
            break;
        }
        if c.is_control() {
            for b in c.to_string().bytes() {
                out.push_str(&format!("\\x{b:02x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// What a transport error means, in words (DNS, refused, TLS, timeout).
pub fn describe(e: &reqwest::Error) -> String {
    use std::error::Error as _;
    let mut chain = String::new();
    let mut cur: Option<&dyn std::error::Error> = e.source();
    while let Some(c) = cur {
        chain.push_str(&c.to_string().to_ascii_lowercase());
        chain.push(' ');
        cur = c.source();
    }
    let what = if e.is_timeout() {
        "timed out"
    } else if chain.contains("dns") || chain.contains("resolve") || chain.contains("lookup") {
        "the host name could not be resolved (DNS)"
    } else if chain.contains("refused") {
        "connection refused"
    } else if chain.contains("certificate") || chain.contains("tls") {
        "TLS failed"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_body() || e.is_decode() {
        "the connection broke while reading the body"
    } else {
        "request failed"
    };
    let detail = chain.trim();
    if detail.is_empty() {
        what.to_string()
    } else {
        format!("{what} ({})", excerpt(detail.as_bytes()))
    }
}

/// How much of a 2xx body is accepted.
#[derive(Clone, Copy, Debug)]
pub enum Cap {
    /// A configurable limit, with its value in force.
    Limit(Limit, u64),
    /// A fixed cap (bearer tokens, the `/v2/` probe).
    Fixed(u64),
}

impl Cap {
    fn bytes(self) -> u64 {
        match self {
            Cap::Limit(_, n) | Cap::Fixed(n) => n,
        }
    }

    fn exceeded(self, location: String) -> Error {
        match self {
            Cap::Limit(limit, max) => Error::Limit {
                location,
                what: "response body size",
                limit,
                max,
            },
            Cap::Fixed(max) => Error::registry(
                location,
                format!("response body over the fixed {max}-byte cap"),
            ),
        }
    }
}

/// One request: where it goes and what it is for (its messages), and its
/// deadlines.
struct Call<'a> {
    here: String,
    what: &'a str,
    clock: Clock,
}

impl<'a> Call<'a> {
    fn new(repo: &str, url: &str, what: &'a str, clock: Clock) -> Self {
        Call {
            here: format!("registry {repo} ({})", strip_query(url)),
            what,
            clock,
        }
    }

    fn fail(&self, reason: String, transient: bool) -> Failure {
        Failure {
            error: Error::Registry {
                location: self.here.clone(),
                reason: format!("{}: {reason}", self.what),
                status: None,
            },
            transient,
            retry_after: None,
            challenge: None,
        }
    }

    fn deadline(&self, stage: &str) -> Failure {
        self.fail(
            format!(
                "the registry deadline passed while {stage} (raise it with --registry-deadline)"
            ),
            false,
        )
    }

    fn stalled(&self, nothing: &str) -> Failure {
        self.fail(
            format!(
                "stalled: {nothing} for {} s (raise it with --registry-stall-timeout)",
                self.clock.stall.as_secs()
            ),
            true,
        )
    }

    /// Send the request and wait for the response headers.
    async fn send(
        &self,
        request: reqwest::RequestBuilder,
    ) -> std::result::Result<reqwest::Response, Failure> {
        let wait = self.clock.stall.min(self.clock.left());
        match tokio::time::timeout(wait, request.send()).await {
            Err(_) if self.clock.left().is_zero() => {
                Err(self.deadline("waiting for response headers"))
            }
            Err(_) => Err(self.stalled("no response headers")),
            Ok(Err(e)) => {
                let transient = e.is_timeout() || (e.is_request() && !e.is_connect());
                Err(self.fail(describe(&e), transient))
            }
            Ok(Ok(r)) => Ok(r),
        }
    }

    /// Read a body whole. Past `cap` a 2xx body is refused; an error body
    /// (`cap` None) is cut at [`MAX_ERROR_BODY`], for an excerpt.
    async fn read_body(
        &self,
        resp: &mut reqwest::Response,
        cap: Option<Cap>,
    ) -> std::result::Result<Vec<u8>, Failure> {
        let most = cap.map_or(MAX_ERROR_BODY, Cap::bytes);
        let mut bytes = Vec::new();
        loop {
            let wait = self.clock.stall.min(self.clock.left());
            let chunk = match tokio::time::timeout(wait, resp.chunk()).await {
                Err(_) if self.clock.left().is_zero() => {
                    return Err(self.deadline("reading the body"));
                }
                Err(_) => return Err(self.stalled("no data")),
                Ok(Err(e)) if e.is_timeout() => return Err(self.stalled("no data")),
                Ok(Err(e)) => return Err(self.fail(describe(&e), true)),
                Ok(Ok(None)) => return Ok(bytes),
                Ok(Ok(Some(c))) => c,
            };
            if bytes.len() as u64 + chunk.len() as u64 > most {
                return match cap {
                    None => Ok(bytes),
                    Some(cap) => Err(Failure {
                        error: cap.exceeded(format!("{}: {}", self.here, self.what)),
                        transient: false,
                        retry_after: None,
                        challenge: None,
                    }),
                };
            }
            bytes.extend_from_slice(&chunk);
        }
    }
}

/// GET `url` and read the body, at most `cap` bytes. `repo` names the
/// registry repository in messages.
pub async fn get(
    client: &reqwest::Client,
    repo: &str,
    url: &str,
    headers: HeaderMap,
    cap: Cap,
    clock: Clock,
    what: &str,
) -> std::result::Result<Body, Failure> {
    let call = Call::new(repo, url, what, clock);
    let mut resp = call.send(client.get(url).headers(headers)).await?;
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let cap = (200..300).contains(&status).then_some(cap);
    let bytes = call.read_body(&mut resp, cap).await?;
    Ok(Body {
        status,
        headers,
        bytes,
    })
}

/// GET a blob: the response of a 2xx answer, its body left to stream; any
/// other answer is a failure with (at most 16 KiB of) its body read for an
/// excerpt. Redirects are followed (reqwest drops the `Authorization`
/// header when one leaves the registry's host).
pub async fn open_stream(
    client: &reqwest::Client,
    repo: &str,
    url: &str,
    headers: HeaderMap,
    clock: Clock,
    what: &str,
) -> std::result::Result<reqwest::Response, Failure> {
    let call = Call::new(repo, url, what, clock);
    let mut resp = call.send(client.get(url).headers(headers)).await?;
    let status = resp.status().as_u16();
    if (200..300).contains(&status) {
        return Ok(resp);
    }
    let headers = resp.headers().clone();
    let mut bytes = Vec::new();
    while (bytes.len() as u64) < MAX_ERROR_BODY {
        match tokio::time::timeout(clock.stall.min(clock.left()), resp.chunk()).await {
            Ok(Ok(Some(c))) => bytes.extend_from_slice(&c),
            _ => break,
        }
    }
    bytes.truncate(MAX_ERROR_BODY as usize);
    Err(status_failure(
        repo,
        what,
        url,
        &Body {
            status,
            headers,
            bytes,
        },
    ))
}

/// A non-2xx answer as a failure (429 and 5xx are worth retrying).
pub fn status_failure(repo: &str, what: &str, url: &str, body: &Body) -> Failure {
    let retry_after = body
        .headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    let hint = match body.status {
        401 => {
            " (authentication failed: check --creds, --registry-token or the docker config for this registry)"
        }
        403 => " (access denied for this repository)",
        404 => " (repository, tag or blob not found)",
        _ => "",
    };
    let shown = if body.bytes.is_empty() {
        String::new()
    } else {
        format!(": {}", excerpt(&body.bytes))
    };
    Failure {
        error: Error::Registry {
            location: format!("registry {repo} ({})", strip_query(url)),
            reason: format!("{what}: HTTP {}{hint}{shown}", body.status),
            status: Some(body.status),
        },
        transient: body.status == 429 || body.status >= 500,
        retry_after,
        challenge: match body.status {
            401 => challenge_of(body).and_then(bearer_challenge).map(Box::new),
            _ => None,
        },
    }
}

fn strip_query(url: &str) -> &str {
    url.split('?').next().unwrap_or(url)
}

/// A `WWW-Authenticate: Bearer realm=…,service=…` challenge.
#[derive(Debug, PartialEq, Eq)]
pub struct Challenge {
    pub realm: String,
    pub service: Option<String>,
}

/// Parse a Bearer challenge (`None` for Basic or anything else).
pub fn bearer_challenge(h: &HeaderValue) -> Option<Challenge> {
    let s = h.to_str().ok()?.trim();
    let (scheme, rest) = s.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let mut realm = None;
    let mut service = None;
    for part in split_params(rest) {
        let Some((k, v)) = part.split_once('=') else {
            continue;
        };
        let v = v.trim().trim_matches('"').to_string();
        match k.trim().to_ascii_lowercase().as_str() {
            "realm" => realm = Some(v),
            "service" => service = Some(v),
            _ => {}
        }
    }
    Some(Challenge {
        realm: realm?,
        service,
    })
}

/// Split `a="x,y",b=z` at commas outside quotes.
fn split_params(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in s.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                cur.push(c);
            }
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// Is `host` (no port) a loopback name or address?
pub fn is_loopback_host(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    h == "localhost"
        || h.parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// May credentials be sent to this token realm? Over https always (like
/// Docker, the realm the registry names receives them); over plain http
/// only when the realm is on loopback and the registry itself is reached
/// over plain HTTP by choice (a loopback or `--insecure-registry` one).
pub fn realm_may_get_credentials(realm: &str, registry_plain_http: bool) -> Result<(), String> {
    let url =
        reqwest::Url::parse(realm).map_err(|e| format!("realm {realm:?} is not a URL: {e}"))?;
    match url.scheme() {
        "https" => Ok(()),
        "http" if registry_plain_http && url.host_str().is_some_and(is_loopback_host) => Ok(()),
        "http" => Err(format!(
            "the registry's token realm {} is plain HTTP; credentials are sent to a realm only over TLS \
             (or to a loopback realm of a loopback / --insecure-registry registry)",
            excerpt(realm.as_bytes())
        )),
        other => Err(format!(
            "the registry's token realm uses {other:?}, not https"
        )),
    }
}

/// Headers for a request carrying `auth`.
pub fn auth_headers(basic: Option<&(String, String)>, bearer: Option<&str>) -> HeaderMap {
    let mut h = HeaderMap::new();
    let value = match (bearer, basic) {
        (Some(t), _) => Some(format!("Bearer {t}")),
        (None, Some((u, p))) => Some(format!("Basic {}", base64(format!("{u}:{p}").as_bytes()))),
        _ => None,
    };
    if let Some(v) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
        let mut v = v;
        v.set_sensitive(true);
        h.insert(AUTHORIZATION, v);
    }
    h
}

/// Add an `Accept` header.
pub fn accept(mut h: HeaderMap, types: &[&str]) -> HeaderMap {
    if let Ok(v) = HeaderValue::from_str(&types.join(", ")) {
        h.insert(ACCEPT, v);
    }
    h
}

/// The challenge header of a `/v2/` answer, if any.
pub fn challenge_of(body: &Body) -> Option<&HeaderValue> {
    body.headers.get(WWW_AUTHENTICATE)
}

fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in data.chunks(3) {
        let n = (c[0] as u32) << 16
            | (*c.get(1).unwrap_or(&0) as u32) << 8
            | *c.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            if i <= c.len() {
                out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges_realms_and_excerpts() {
        let h = HeaderValue::from_static(
            r#"Bearer realm="https://auth.example/token",service="reg,istry",scope="x""#,
        );
        assert_eq!(
            bearer_challenge(&h),
            Some(Challenge {
                realm: "https://auth.example/token".into(),
                service: Some("reg,istry".into())
            })
        );
        assert_eq!(
            bearer_challenge(&HeaderValue::from_static("Basic realm=x")),
            None
        );
        assert!(realm_may_get_credentials("https://evil.example/t", false).is_ok());
        assert!(realm_may_get_credentials("http://evil.example/t", true).is_err());
        assert!(realm_may_get_credentials("http://127.0.0.1:5/t", false).is_err());
        assert!(realm_may_get_credentials("http://127.0.0.1:5/t", true).is_ok());
        assert!(realm_may_get_credentials("http://[::1]:5/t", true).is_ok());
        assert_eq!(excerpt(b"\x1b[31mred"), "\\x1b[31mred");
        assert_eq!(
            excerpt(&[b'a'; 500]).chars().count(),
            ERROR_EXCERPT_CHARS + 1
        );
        assert_eq!(base64(b"user:pa:ss"), "dXNlcjpwYTpzcw==");
    }

    #[test]
    fn an_error_status_is_a_registry_error_carrying_it() {
        let body = |status| Body {
            status,
            headers: HeaderMap::new(),
            bytes: b"denied".to_vec(),
        };
        for (status, transient) in [(401, false), (404, false), (429, true), (503, true)] {
            let f = status_failure("r/x", "manifest", "https://r/v2/x?token=s", &body(status));
            assert_eq!(f.transient, transient, "{status}");
            match &f.error {
                Error::Registry {
                    location,
                    status: got,
                    ..
                } => {
                    assert_eq!(*got, Some(status));
                    assert!(!location.contains("token=s"), "{location}");
                }
                other => panic!("{status}: {other:?}"),
            }
        }
    }
}
