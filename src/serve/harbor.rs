//! Harbor's Pluggable Scanner Adapter API v1.2: metadata, scan requests
//! (pulling from the registry URL with the `Authorization` Harbor passes,
//! kept only until the job ends) and reports — Harbor's vulnerability
//! report with each finding as an item, or Stowaway's own JSON as the raw
//! report. Errors use the spec's envelope `{"error": {"message": …}}`.

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Serialize;
use serde_json::Value;

use super::events::{IMAGE_MEDIA_TYPES, is_host, is_repository, is_sha256};
use super::harbor_doc::{
    Artifact, Capability, ErrorEnvelope, ErrorMessage, Item, Metadata, Properties, ScanResponse,
    Scanner, StoredFinding, StoredResult, VendorAttributes, VulnerabilityReport,
};
use super::http::{App, enqueue, read_body, with_queue};
use super::queue::{JobSpec, RequestSpec};

pub const ERROR_MIME: &str = "application/vnd.scanner.adapter.error+json; version=1.0";
pub const METADATA_MIME: &str = "application/vnd.scanner.adapter.metadata+json; version=1.1";
pub const SCAN_RESPONSE_MIME: &str =
    "application/vnd.scanner.adapter.scan.response+json; version=1.0";
pub const HARBOR_REPORT_MIME: &str =
    "application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0";
pub const SECURITY_REPORT_MIME: &str = "application/vnd.security.vulnerability.report; version=1.1";
pub const RAW_REPORT_MIME: &str = "application/vnd.scanner.adapter.vuln.report.raw";

/// The adapter's routes (behind the token check).
pub(super) fn routes() -> Router<App> {
    Router::new()
        .route("/api/v1/metadata", get(metadata))
        .route("/api/v1/scan", post(accept_scan))
        .route("/api/v1/scan/{id}/report", get(report))
}

/// The spec's error envelope.
pub(super) fn error(status: StatusCode, msg: impl Into<String>) -> Response {
    let message = msg.into();
    typed(
        status,
        ERROR_MIME,
        &ErrorEnvelope {
            error: ErrorMessage { message },
        },
    )
}

/// A body of one of the spec's media types. Its fields are strings,
/// numbers and options: serializing cannot fail.
fn typed<T: Serialize>(status: StatusCode, mime: &'static str, body: &T) -> Response {
    let text = serde_json::to_string(body).unwrap_or_default();
    (status, [(header::CONTENT_TYPE, mime)], text).into_response()
}

async fn metadata() -> Response {
    let body = Metadata {
        scanner: Scanner::THIS,
        capabilities: [Capability {
            kind: "vulnerability",
            consumes_mime_types: &[
                "application/vnd.oci.image.manifest.v1+json",
                "application/vnd.docker.distribution.manifest.v2+json",
            ],
            produces_mime_types: &[HARBOR_REPORT_MIME, SECURITY_REPORT_MIME, RAW_REPORT_MIME],
        }],
        properties: Properties {
            scanner_type: "image-integrity",
            analyzers_version: crate::layer::cache::analyzers_version(),
        },
    };
    typed(StatusCode::OK, METADATA_MIME, &body)
}

/// A validated scan request.
struct Request {
    host: String,
    insecure: bool,
    repository: String,
    digest: String,
    tag: Option<String>,
    authorization: Option<String>,
}

fn parse_request(v: &Value) -> Result<Request, String> {
    let url = v["registry"]["url"]
        .as_str()
        .ok_or("registry.url is required")?;
    let (scheme, rest) = url.split_once("://").ok_or("registry.url is not a URL")?;
    let host = rest.trim_end_matches('/');
    if !is_host(host) || !["http", "https"].contains(&scheme) {
        return Err(format!("registry.url {url:?} is not http(s)://HOST[:PORT]"));
    }
    let art = &v["artifact"];
    let repository = art["repository"]
        .as_str()
        .filter(|r| is_repository(r))
        .ok_or("artifact.repository is missing or invalid")?;
    let digest = art["digest"]
        .as_str()
        .filter(|d| is_sha256(d))
        .ok_or("artifact.digest must be sha256:<64 hex>")?;
    if let Some(mt) = art["mime_type"]
        .as_str()
        .filter(|m| !m.is_empty() && !IMAGE_MEDIA_TYPES.contains(m))
    {
        return Err(format!(
            "artifact.mime_type {mt:?} is not an image this scanner consumes"
        ));
    }
    Ok(Request {
        host: host.to_string(),
        insecure: scheme == "http",
        repository: repository.to_string(),
        digest: digest.to_string(),
        tag: art["tag"].as_str().map(str::to_string),
        authorization: v["registry"]["authorization"]
            .as_str()
            .filter(|a| !a.is_empty())
            .map(str::to_string),
    })
}

/// Plain HTTP only to loopback or to a registry configured as such.
fn plain_http_allowed(app: &App, host: &str) -> bool {
    let name = host.rsplit_once(':').map_or(host, |(h, _)| h);
    ["127.0.0.1", "localhost", "[::1]"].contains(&name)
        || app
            .ctx
            .cfg
            .registries
            .values()
            .any(|r| r.insecure && r.pull_host == host)
}

async fn accept_scan(State(app): State<App>, headers: HeaderMap, body: Body) -> Response {
    let bytes = match read_body(&app, &headers, body).await {
        Ok(b) => b,
        Err((status, msg)) => return error(status, msg),
    };
    let v: Value = match serde_json::from_slice(&bytes) {
        Ok(v @ Value::Object(_)) => v,
        Ok(_) => {
            return error(
                StatusCode::BAD_REQUEST,
                "scan request must be a JSON object",
            );
        }
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                format!("scan request is not JSON: {e}"),
            );
        }
    };
    let r = match parse_request(&v) {
        Ok(r) => r,
        Err(e) => return error(StatusCode::UNPROCESSABLE_ENTITY, e),
    };
    if r.insecure && !plain_http_allowed(&app, &r.host) {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "plain http to {} is not allowed (use https, or --registry {}=http://…)",
                r.host, r.host
            ),
        );
    }
    let job = JobSpec {
        key: app.ctx.job_key(&r.digest),
        digest: r.digest.clone(),
        repository: r.repository.clone(),
        registry: r.host.clone(),
        reference: format!("docker://{}/{}@{}", r.host, r.repository, r.digest),
        origin: "harbor",
        auth: r.authorization,
    };
    let req = RequestSpec {
        repository: r.repository,
        tag: r.tag,
        event_id: None,
    };
    match enqueue(&app, vec![(job, req)]).await {
        Ok(ids) => typed(
            StatusCode::ACCEPTED,
            SCAN_RESPONSE_MIME,
            &ScanResponse {
                id: ids[0].to_string(),
            },
        ),
        Err(_) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "could not queue the scan",
        ),
    }
}

async fn report(State(app): State<App>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return error(StatusCode::NOT_FOUND, format!("no scan request {id:?}"));
    };
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("*/*")
        .to_string();
    let job = match with_queue(&app, move |q| q.job(id)).await {
        Ok(Some(j)) => j,
        Ok(None) => return error(StatusCode::NOT_FOUND, format!("no scan request {id}")),
        Err(_) => return error(StatusCode::INTERNAL_SERVER_ERROR, "store unavailable"),
    };
    match job.state.as_str() {
        "done" => {}
        "dead" => {
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("scan failed: {}", job.last_error.unwrap_or_default()),
            );
        }
        _ => {
            return (StatusCode::FOUND, [("Refresh-After", "5")], "").into_response();
        }
    }
    let text = job.result.clone().unwrap_or_default();
    if accept.contains(RAW_REPORT_MIME) {
        // Stowaway's own result document, as stored.
        return (
            StatusCode::OK,
            [(header::CONTENT_TYPE, RAW_REPORT_MIME)],
            text,
        )
            .into_response();
    }
    // The server stored it; a document it cannot read gives an empty report.
    let doc: StoredResult = serde_json::from_str(&text).unwrap_or_default();
    let mime = if accept.contains("application/vnd.security.vulnerability.report") {
        SECURITY_REPORT_MIME
    } else if accept.contains("vuln.report.harbor") || accept.contains("*/*") {
        HARBOR_REPORT_MIME
    } else {
        return error(
            StatusCode::BAD_REQUEST,
            format!("unsupported report type {accept:?}"),
        );
    };
    let base = app.ctx.cfg.public_url.trim_end_matches('/');
    typed(
        StatusCode::OK,
        mime,
        &vulnerability_report(&doc, &job.repository, &job.digest, job.finished, base),
    )
}

/// Stowaway's severity on Harbor's scale.
pub fn harbor_severity(s: &str) -> &'static str {
    match s {
        "critical" => "Critical",
        "high" => "High",
        "medium" => "Medium",
        "low" => "Low",
        "info" => "Negligible",
        _ => "Unknown",
    }
}

const ORDER: &[&str] = &["Unknown", "Negligible", "Low", "Medium", "High", "Critical"];

/// The Harbor vulnerability report of a stored result.
pub fn vulnerability_report<'a>(
    doc: &'a StoredResult,
    repository: &'a str,
    digest: &'a str,
    finished: Option<f64>,
    base: &str,
) -> VulnerabilityReport<'a> {
    let items: Vec<Item> = doc.findings.iter().map(|f| item(f, base)).collect();
    let worst = items
        .iter()
        .map(|i| i.severity)
        .max_by_key(|s| ORDER.iter().position(|o| o == s))
        .unwrap_or("Unknown");
    let generated = finished
        .map(|f| crate::time::rfc3339(f as i64))
        .unwrap_or_else(crate::time::now_rfc3339);
    let mime_type =
        (doc.image.media_type.as_deref()).unwrap_or("application/vnd.oci.image.manifest.v1+json");
    VulnerabilityReport {
        generated_at: generated,
        artifact: Artifact {
            repository,
            digest,
            mime_type,
        },
        scanner: Scanner::THIS,
        severity: worst,
        vulnerabilities: items,
    }
}

/// One finding as a report item; its link is this server's `/v1/explain/CODE`.
fn item<'a>(f: &'a StoredFinding, base: &str) -> Item<'a> {
    let code = f.code.as_deref().unwrap_or("unknown");
    let title = f.title.as_deref().unwrap_or(code);
    let description = if f.evidence.is_empty() {
        title.to_string()
    } else {
        format!("{title}: {}", f.evidence.join("; "))
    };
    let sha = (f.sha256.as_deref())
        .map(|s| s.trim_start_matches("sha256:"))
        .unwrap_or("");
    Item {
        id: code,
        package: f.path.as_deref().unwrap_or("(image)"),
        version: &sha[..12.min(sha.len())],
        severity: harbor_severity(f.severity.as_deref().unwrap_or("")),
        description,
        links: [format!("{base}/v1/explain/{code}")],
        vendor_attributes: VendorAttributes {
            technique: f.technique.as_deref(),
            layer: f.layer,
            action: f.action.as_deref(),
            baseline_state: f.baseline_state.as_deref(),
            explain: format!("stowaway explain {code}"),
        },
    }
}
