//! SARIF 2.1.0 output for code-scanning tools: one rule per finding code,
//! one result per finding, locations as image paths, the layer in properties,
//! and fingerprints that stay stable across rescans of the same content.

use serde_json::{Value, json};

use crate::digest::Sha256;
use crate::finding::{CODES, Finding, Severity};
use crate::scan::Scan;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

/// Stable identity of a finding: code, path and content, not the layer
/// digest (a rebuilt image with the same file is the same finding).
pub fn fingerprint(f: &Finding) -> String {
    let key = format!(
        "{}\0{}\0{}",
        f.code.as_str(),
        f.path.as_ref().map(|p| p.display()).unwrap_or_default(),
        f.sha256.map(|d| d.hex()).unwrap_or_default()
    );
    Sha256::of(key.as_bytes()).hex()
}

fn result(f: &Finding) -> Value {
    let uri = f
        .path
        .as_ref()
        .map(|p| p.display().trim_start_matches('/').to_string())
        .unwrap_or_else(|| "image".into());
    let mut message = f.title.to_string();
    if !f.evidence.is_empty() {
        message.push_str(": ");
        message.push_str(&f.evidence.join("; "));
    }
    json!({
        "ruleId": f.code.as_str(),
        "ruleIndex": f.code as usize,
        "level": level(f.severity),
        "message": { "text": message },
        "locations": [{
            "physicalLocation": { "artifactLocation": { "uri": uri, "uriBaseId": "IMAGEROOT" } }
        }],
        "partialFingerprints": { "stowaway/v1": fingerprint(f) },
        "properties": {
            "severity": f.severity,
            "technique": f.technique,
            "layer": f.layer.as_ref().map(|l| l.index),
            "layerDigest": f.layer.as_ref().and_then(|l| l.digest),
            "createdBy": f.layer.as_ref().and_then(|l| l.created_by.clone()),
            "hiddenIn": f.hidden_in.as_ref().map(|l| l.index),
            "sha256": f.sha256,
        }
    })
}

/// The SARIF log of a scan.
pub fn scan(scan: &Scan) -> Value {
    let rules: Vec<Value> = CODES
        .iter()
        .map(|c| {
            json!({
                "id": c.code,
                "name": c.code,
                "shortDescription": { "text": c.title },
                "fullDescription": { "text": c.description },
                "help": { "text": format!("{}\n\nATT&CK {}. Run `stowaway explain {}` for how to allow it.", c.description, c.technique, c.code) },
                "defaultConfiguration": { "level": level(c.severity) },
                "properties": {
                    "tags": ["security", c.technique],
                    "security-severity": security_severity(c.severity),
                }
            })
        })
        .collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "stowaway",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "originalUriBaseIds": { "IMAGEROOT": { "uri": "file:///" } },
            "properties": {
                "image": scan.image.reference,
                "digest": scan.image.digest,
                "platform": scan.image.platform,
            },
            "results": scan.findings.iter().map(result).collect::<Vec<_>>(),
        }]
    })
}
