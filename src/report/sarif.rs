//! SARIF 2.1.0 output for code-scanning tools: one rule per finding code,
//! one result per finding, locations as image paths, the layer in
//! properties, `baselineState` when compared with an approved image, policy
//! decisions as levels (allowed findings carry a suppression with the
//! allowlist reason), and fingerprints stable across rescans of the same
//! content ([`crate::finding::Finding::fingerprint`]).

use serde_json::{Value, json};

use crate::delta::BaselineState;
use crate::facts::{FindingRecord, ImageFacts};
use crate::finding::{CODES, Severity};
use crate::policy::{Action, Decision};

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

/// Per-finding annotations from a gate.
#[derive(Default)]
pub struct Annotations<'a> {
    pub states: Option<&'a [BaselineState]>,
    pub decisions: Option<&'a [Decision]>,
    pub resolved: &'a [FindingRecord],
}

fn result(f: &FindingRecord, state: Option<&str>, decision: Option<&Decision>) -> Value {
    let uri = f
        .path
        .as_deref()
        .map(|p| p.trim_start_matches('/').to_string())
        .unwrap_or_else(|| "image".into());
    let mut message = f.title.clone();
    if !f.evidence.is_empty() {
        message.push_str(": ");
        message.push_str(&f.evidence.join("; "));
    }
    let code = f.code();
    let lvl = match decision.map(|d| d.action) {
        Some(Action::Deny) => "error",
        Some(Action::Warn) => "warning",
        Some(Action::Allow) => "note",
        None => level(f.severity),
    };
    let mut r = json!({
        "ruleId": f.code,
        "level": lvl,
        "message": { "text": message },
        "locations": [{
            "physicalLocation": { "artifactLocation": { "uri": uri, "uriBaseId": "IMAGEROOT" } }
        }],
        "partialFingerprints": { "stowaway/v1": f.fingerprint },
        "properties": {
            "severity": f.severity,
            "technique": code.map(|c| c.info().technique),
            "layer": f.layer,
            "sha256": f.sha256,
        }
    });
    if let Some(c) = code {
        r["ruleIndex"] = json!(c as usize);
    }
    if let Some(s) = state {
        r["baselineState"] = json!(s);
    }
    if let Some(d) = decision {
        r["properties"]["decision"] = json!(d.action);
        r["properties"]["why"] = json!(d.why);
        if d.action == Action::Allow && d.allowed_by.is_some() {
            r["suppressions"] = json!([{ "kind": "external", "justification": d.why }]);
        }
    }
    r
}

/// The SARIF log of image facts with optional gate annotations.
pub fn render(facts: &ImageFacts, notes: &Annotations<'_>) -> Value {
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
    let mut results: Vec<Value> = facts
        .findings
        .iter()
        .enumerate()
        .map(|(i, f)| {
            result(
                f,
                notes.states.and_then(|s| s.get(i)).map(|s| s.as_str()),
                notes.decisions.and_then(|d| d.get(i)),
            )
        })
        .collect();
    for f in notes.resolved {
        let mut r = result(f, Some("absent"), None);
        r["level"] = json!("none");
        results.push(r);
    }
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
                "image": facts.image.reference,
                "digest": facts.image.digest,
                "platform": facts.image.platform,
            },
            "results": results,
        }]
    })
}
