//! The CNCF Distribution notification envelope (`{"events": [...]}`),
//! validated into image pushes to scan and events to acknowledge. Pure:
//! nothing here touches the network or the store.

use serde::Deserialize;

/// Manifest media types of images (and image indexes) that are scanned.
pub const IMAGE_MEDIA_TYPES: &[&str] = &[
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
];

#[derive(Deserialize)]
struct Envelope {
    events: Vec<Event>,
}

#[derive(Deserialize)]
struct Event {
    #[serde(default)]
    id: Option<String>,
    action: String,
    #[serde(default)]
    target: Target,
    #[serde(default)]
    request: Request,
}

#[derive(Deserialize, Default)]
struct Target {
    #[serde(default, rename = "mediaType")]
    media_type: Option<String>,
    #[serde(default)]
    digest: Option<String>,
    #[serde(default)]
    repository: Option<String>,
    #[serde(default)]
    tag: Option<String>,
    #[serde(default)]
    url: Option<String>,
}

#[derive(Deserialize, Default)]
struct Request {
    #[serde(default)]
    host: Option<String>,
}

/// An image push to scan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Push {
    pub event_id: Option<String>,
    /// The registry host the event came from (`request.host`, else the
    /// host of `target.url`).
    pub host: String,
    pub repository: String,
    pub digest: String,
    pub tag: Option<String>,
}

/// Why an event is acknowledged without a scan (a metrics label).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Ignored {
    /// Pulls, deletes, mounts.
    NotPush,
    /// Layer and config blobs.
    Blob,
    /// Signatures, attestations, SBOMs, Helm charts and other non-image artifacts.
    Artifact,
}

impl Ignored {
    /// Lowercase label.
    pub fn as_str(self) -> &'static str {
        match self {
            Ignored::NotPush => "not_push",
            Ignored::Blob => "blob",
            Ignored::Artifact => "artifact",
        }
    }
}

/// A parsed envelope.
#[derive(Debug, Default)]
pub struct Parsed {
    pub pushes: Vec<Push>,
    pub ignored: Vec<Ignored>,
}

/// Parse and validate an envelope. Any malformed image push rejects the
/// whole envelope (nothing is queued from it), naming the event.
pub fn parse(body: &[u8]) -> Result<Parsed, String> {
    let env: Envelope =
        serde_json::from_slice(body).map_err(|e| format!("not a notification envelope: {e}"))?;
    let mut out = Parsed::default();
    for (i, ev) in env.events.into_iter().enumerate() {
        match classify(ev) {
            Ok(Ok(p)) => out.pushes.push(p),
            Ok(Err(why)) => out.ignored.push(why),
            Err(e) => return Err(format!("events[{i}]: {e}")),
        }
    }
    Ok(out)
}

fn classify(ev: Event) -> Result<Result<Push, Ignored>, String> {
    if ev.action != "push" {
        return Ok(Err(Ignored::NotPush));
    }
    let t = ev.target;
    let Some(mt) = t.media_type.as_deref() else {
        return Err("push event without target.mediaType".into());
    };
    if !IMAGE_MEDIA_TYPES.contains(&mt) {
        let blob =
            mt == "application/octet-stream" || mt.contains("layer") || mt.contains("config");
        return Ok(Err(if blob {
            Ignored::Blob
        } else {
            Ignored::Artifact
        }));
    }
    let digest = t.digest.ok_or("push event without target.digest")?;
    if !is_sha256(&digest) {
        return Err(format!("target.digest {digest:?} is not sha256:<64 hex>"));
    }
    let repository = t.repository.ok_or("push event without target.repository")?;
    if !is_repository(&repository) {
        return Err(format!(
            "target.repository {repository:?} is not a repository name"
        ));
    }
    let tag = t.tag.filter(|s| !s.is_empty());
    if let Some(tag) = &tag {
        if !is_tag(tag) {
            return Err(format!("target.tag {tag:?} is not a tag"));
        }
        if is_artifact_tag(tag) {
            return Ok(Err(Ignored::Artifact));
        }
    }
    let host = ev
        .request
        .host
        .filter(|h| !h.is_empty())
        .or_else(|| t.url.as_deref().and_then(url_host))
        .ok_or("push event names no registry (request.host or target.url)")?;
    if !is_host(&host) {
        return Err(format!("request.host {host:?} is not a host name"));
    }
    Ok(Ok(Push {
        event_id: ev.id,
        host,
        repository,
        digest,
        tag,
    }))
}

/// `sha256:` and 64 lowercase hex digits.
pub fn is_sha256(s: &str) -> bool {
    s.strip_prefix("sha256:").is_some_and(|h| {
        h.len() == 64
            && h.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// A repository path per the distribution spec (lowercase components
/// separated by `/`, `.`, `_`, `__` or `-`), at most 255 bytes.
pub fn is_repository(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 255
        && s.split('/').all(|c| {
            !c.is_empty()
                && c.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
                && c.as_bytes()[0].is_ascii_alphanumeric()
                && c.as_bytes()[c.len() - 1].is_ascii_alphanumeric()
        })
}

fn is_tag(s: &str) -> bool {
    s.len() <= 128
        && s.as_bytes()[0] != b'.'
        && s.as_bytes()[0] != b'-'
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}

/// cosign's signature, attestation and SBOM tags: `sha256-<hex>.sig|att|sbom`.
fn is_artifact_tag(tag: &str) -> bool {
    tag.starts_with("sha256-") && [".sig", ".att", ".sbom"].iter().any(|s| tag.ends_with(s))
}

/// A host name or address with an optional port.
pub fn is_host(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 255
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
}

fn url_host(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    Some(rest.split('/').next()?.to_string()).filter(|h| !h.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(events: &str) -> Vec<u8> {
        format!(r#"{{"events": [{events}]}}"#).into_bytes()
    }
    const D: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn image_pushes_are_kept_and_the_rest_acknowledged() {
        let push = format!(
            r#"{{"id":"e1","action":"push","target":{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{D}","repository":"team/app","tag":"v1","url":"http://r:5000/v2/team/app/manifests/{D}"}},"request":{{"host":"127.0.0.1:5000"}}}}"#
        );
        let blob = format!(
            r#"{{"action":"push","target":{{"mediaType":"application/octet-stream","digest":"{D}","repository":"team/app"}}}}"#
        );
        let pull = format!(
            r#"{{"action":"pull","target":{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{D}","repository":"team/app"}}}}"#
        );
        let sig = format!(
            r#"{{"action":"push","target":{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{D}","repository":"team/app","tag":"sha256-abc.sig"}},"request":{{"host":"h"}}}}"#
        );
        let p = parse(&env(&[push, blob, pull, sig].join(","))).unwrap();
        assert_eq!(p.pushes.len(), 1);
        assert_eq!(p.pushes[0].host, "127.0.0.1:5000");
        assert_eq!(p.pushes[0].tag.as_deref(), Some("v1"));
        assert_eq!(
            p.ignored,
            vec![Ignored::Blob, Ignored::NotPush, Ignored::Artifact]
        );
    }

    #[test]
    fn the_host_falls_back_to_the_target_url() {
        let push = format!(
            r#"{{"action":"push","target":{{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":"{D}","repository":"app","url":"https://reg.example:443/v2/app/manifests/{D}"}}}}"#
        );
        assert_eq!(
            parse(&env(&push)).unwrap().pushes[0].host,
            "reg.example:443"
        );
    }

    #[test]
    fn malformed_pushes_reject_the_envelope() {
        for bad in [
            r#"{"action":"push","target":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:zz","repository":"a"},"request":{"host":"h"}}"#.to_string(),
            format!(r#"{{"action":"push","target":{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{D}","repository":"../etc"}},"request":{{"host":"h"}}}}"#),
            format!(r#"{{"action":"push","target":{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{D}","repository":"a"}}}}"#),
            format!(r#"{{"action":"push","target":{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{D}","repository":"a"}},"request":{{"host":"h/evil?x"}}}}"#),
        ] {
            assert!(parse(&env(&bad)).is_err(), "{bad}");
        }
        assert!(parse(b"{").is_err());
        assert!(parse(b"[]").is_err());
        assert!(parse(br#"{"events": 3}"#).is_err());
    }
}
