//! The bodies of Harbor's Pluggable Scanner Adapter API v1.2 as types:
//! the scanner's metadata, the scan response, the error envelope, and the
//! vulnerability report made from a stored result. Their contract is
//! Harbor's OpenAPI file (the serve tests validate real responses against
//! it), not a schema of ours. The stored result is read back through
//! [`StoredResult`], a view of the fields the report needs.

use serde::{Deserialize, Serialize};

/// `{"error": {"message": …}}`.
#[derive(Serialize)]
pub struct ErrorEnvelope {
    pub error: ErrorMessage,
}

#[derive(Serialize)]
pub struct ErrorMessage {
    pub message: String,
}

/// The scanner, as every metadata and report body names it.
#[derive(Serialize)]
pub struct Scanner {
    pub name: &'static str,
    pub vendor: &'static str,
    pub version: &'static str,
}

impl Scanner {
    pub const THIS: Scanner = Scanner {
        name: "Stowaway",
        vendor: "Stowaway",
        version: env!("CARGO_PKG_VERSION"),
    };
}

/// `GET /api/v1/metadata`.
#[derive(Serialize)]
pub struct Metadata {
    pub scanner: Scanner,
    pub capabilities: [Capability; 1],
    pub properties: Properties,
}

#[derive(Serialize)]
pub struct Capability {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub consumes_mime_types: &'static [&'static str],
    pub produces_mime_types: &'static [&'static str],
}

#[derive(Serialize)]
pub struct Properties {
    #[serde(rename = "harbor.scanner-adapter/scanner-type")]
    pub scanner_type: &'static str,
    #[serde(rename = "stowaway/analyzers-version")]
    pub analyzers_version: &'static str,
}

/// `POST /api/v1/scan`'s 202: the request's id, as a string.
#[derive(Serialize)]
pub struct ScanResponse {
    pub id: String,
}

/// Harbor's vulnerability report of one result.
#[derive(Serialize)]
pub struct VulnerabilityReport<'a> {
    pub generated_at: String,
    pub artifact: Artifact<'a>,
    pub scanner: Scanner,
    /// The worst item's severity; `Unknown` without items.
    pub severity: &'static str,
    pub vulnerabilities: Vec<Item<'a>>,
}

#[derive(Serialize)]
pub struct Artifact<'a> {
    pub repository: &'a str,
    pub digest: &'a str,
    pub mime_type: &'a str,
}

/// One finding as a report item.
#[derive(Serialize)]
pub struct Item<'a> {
    /// The finding code.
    pub id: &'a str,
    /// The file (`(image)` for findings about the image).
    pub package: &'a str,
    /// The first 12 hex digits of the file's sha256.
    pub version: &'a str,
    pub severity: &'static str,
    pub description: String,
    /// This server's `/v1/explain/CODE`.
    pub links: [String; 1],
    pub vendor_attributes: VendorAttributes<'a>,
}

#[derive(Serialize)]
pub struct VendorAttributes<'a> {
    pub technique: Option<&'a str>,
    pub layer: Option<u64>,
    pub action: Option<&'a str>,
    pub baseline_state: Option<&'a str>,
    /// `stowaway explain CODE`.
    pub explain: String,
}

/// What the report reads of a stored result document.
#[derive(Default, Deserialize)]
pub struct StoredResult {
    #[serde(default)]
    pub image: StoredImage,
    #[serde(default)]
    pub findings: Vec<StoredFinding>,
}

#[derive(Default, Deserialize)]
pub struct StoredImage {
    pub media_type: Option<String>,
}

/// What the report reads of a stored finding.
#[derive(Deserialize)]
pub struct StoredFinding {
    pub code: Option<String>,
    pub title: Option<String>,
    #[serde(default)]
    pub evidence: Vec<String>,
    pub sha256: Option<String>,
    pub path: Option<String>,
    pub severity: Option<String>,
    pub technique: Option<String>,
    pub layer: Option<u64>,
    pub action: Option<String>,
    pub baseline_state: Option<String>,
}
