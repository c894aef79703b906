//! SARIF 2.1.0 output for code-scanning tools: one rule per finding code,
//! one result per finding, locations as image paths with `region.startLine`
//! where the line is known (scripts), config, history and layer findings
//! located at the image's config or manifest blob with a logical location
//! naming the field (`config.healthcheck`, `history[3]`, `layers[1]`), the
//! layer in properties, `baselineState` when compared with an approved
//! image, policy decisions as levels (allowed findings carry a suppression
//! with the allowlist reason), fingerprints stable across rescans of the
//! same content ([`crate::finding::Finding::fingerprint`]), and a run
//! `automationDetails.id` per image repository (`stowaway/REPOSITORY/DIGEST`:
//! code scanning keeps one set of alerts per category, the part before the
//! last `/`, so two images scanned in one repository do not replace each
//! other's alerts).

use crate::delta::BaselineState;
use crate::facts::{FindingRecord, ImageFacts, ImageMeta};
use crate::finding::{CODES, CodeInfo, EvidenceKind, Severity, Subject};
use crate::policy::{Action, Decision};

use super::sarif_log::{
    ArtifactLocation, AutomationDetails, Configuration, Driver, Fingerprints, Location, Log,
    LogicalLocation, PhysicalLocation, Region, ResultProperties, Rule, RuleProperties, Run,
    RunProperties, SarifResult, Suppression, Text, Tool, Uri, UriBaseIds,
};

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

/// `blobs/sha256/HEX` of a `sha256:HEX` digest: where an OCI layout keeps it.
fn blob_uri(digest: Option<&str>) -> Option<String> {
    let hex = digest?.strip_prefix("sha256:")?;
    Some(format!("blobs/sha256/{hex}"))
}

/// What a finding without a file is about: the logical location (name,
/// fully qualified name, kind) and whether it lives in the config (else the
/// manifest, which lists the layers).
fn logical(f: &FindingRecord) -> (String, String, &'static str, bool) {
    if let Some(Subject::HistoryStep { step, .. }) = &f.subject {
        let name = format!("history[{step}]");
        return (
            name.clone(),
            format!("config.{name}.created_by"),
            "element",
            true,
        );
    }
    if let Some(field) = f.items.iter().find(|i| i.kind == EvidenceKind::Config) {
        let name = field.text.clone();
        return (name.clone(), format!("config.{name}"), "property", true);
    }
    if let Some(l) = f.layer {
        let name = format!("layers[{l}]");
        return (name.clone(), format!("manifest.{name}"), "element", false);
    }
    ("manifest".into(), "manifest".into(), "object", false)
}

/// Where a finding is: the file in the image (with its line, when known),
/// or the image's config or manifest blob with a logical location.
fn location(f: &FindingRecord, image: &ImageMeta) -> Location {
    if let Some(path) = f.path.as_deref() {
        let region = match &f.subject {
            Some(Subject::Line { line, .. }) => Some(Region { start_line: *line }),
            _ => None,
        };
        return Location {
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation {
                    uri: path.trim_start_matches('/').to_string(),
                    uri_base_id: "IMAGEROOT",
                },
                region,
            },
            logical_locations: None,
        };
    }
    let (name, fully_qualified_name, kind, in_config) = logical(f);
    let blob = if in_config {
        blob_uri(image.config_digest.as_deref())
    } else {
        blob_uri(image.digest.as_deref()).or_else(|| blob_uri(image.config_digest.as_deref()))
    };
    let uri = blob.unwrap_or_else(|| {
        if in_config {
            "config.json"
        } else {
            "manifest.json"
        }
        .into()
    });
    Location {
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation {
                uri,
                uri_base_id: "IMAGESTORE",
            },
            region: None,
        },
        logical_locations: Some([LogicalLocation {
            name,
            fully_qualified_name,
            kind,
        }]),
    }
}

/// `stowaway/REPOSITORY/DIGEST` (`stowaway-drift/…` for drift): one
/// code-scanning category per repository and analysis.
fn automation_id(image: &ImageMeta, analysis: Option<&str>) -> String {
    let repo = image.repository.as_deref().unwrap_or(&image.reference);
    let run = (image.digest.as_deref())
        .or(image.config_digest.as_deref())
        .unwrap_or("unknown");
    match analysis {
        Some(a) => format!("stowaway-{a}/{repo}/{run}"),
        None => format!("stowaway/{repo}/{run}"),
    }
}

fn result(
    f: &FindingRecord,
    image: &ImageMeta,
    state: Option<&'static str>,
    decision: Option<&Decision>,
) -> SarifResult {
    let mut message = f.title.clone();
    if !f.evidence.is_empty() {
        message.push_str(": ");
        message.push_str(&f.evidence.join("; "));
    }
    let code = f.code();
    let level = match decision.map(|d| d.action) {
        Some(Action::Deny) => "error",
        Some(Action::Warn) => "warning",
        Some(Action::Allow) => "note",
        None => level(f.severity),
    };
    let suppressions = decision
        .filter(|d| d.action == Action::Allow && d.allowed_by.is_some())
        .map(|d| {
            [Suppression {
                kind: "external",
                justification: d.why.clone(),
            }]
        });
    SarifResult {
        rule_id: f.code.clone(),
        rule_index: code.map(|c| c as usize),
        level,
        message: Text { text: message },
        locations: [location(f, image)],
        partial_fingerprints: Fingerprints {
            v1: f.fingerprint.clone(),
        },
        baseline_state: state,
        properties: ResultProperties {
            severity: f.severity,
            technique: code.map(|c| c.info().technique),
            layer: f.layer,
            sha256: f.sha256.clone(),
            decision: decision.map(|d| d.action),
            why: decision.map(|d| d.why.clone()),
        },
        suppressions,
    }
}

/// A rule's help: what it means, and how to accept a finding of it.
fn help(description: &str, technique: &str, code: &str) -> String {
    format!(
        "{description}\n\nATT&CK {technique}. `stowaway explain {code}` prints this text. \
         To accept a finding after review, add an `[[allow]]` entry to the policy given with \
         `--policy` (code = \"{code}\", the path and/or sha256, and a reason; see \
         policies/TEMPLATE.toml), or approve the image with `stowaway baseline approve` so \
         that only new findings are reported."
    )
}

/// The SARIF log of image facts with optional gate annotations.
pub fn render(facts: &ImageFacts, notes: &Annotations<'_>) -> Log {
    render_analysis(facts, notes, None)
}

/// The SARIF log of another analysis of an image (`drift`): its own
/// code-scanning category, so it does not replace the image's alerts.
pub fn render_analysis(facts: &ImageFacts, notes: &Annotations<'_>, analysis: Option<&str>) -> Log {
    Log::of(vec![run(facts, notes, analysis)])
}

/// One finding code as a rule.
fn rule(c: &'static CodeInfo) -> Rule {
    Rule {
        id: c.code,
        name: c.code,
        short_description: Text {
            text: c.title.to_string(),
        },
        full_description: Text {
            text: c.description.to_string(),
        },
        help: Text {
            text: help(c.description, c.technique, c.code),
        },
        default_configuration: Configuration {
            level: level(c.severity),
        },
        properties: RuleProperties {
            tags: ["security", c.technique],
            security_severity: security_severity(c.severity),
        },
    }
}

/// The run of one image: every rule, one result per finding, and the
/// baseline's resolved findings as `absent`.
fn run(facts: &ImageFacts, notes: &Annotations<'_>, analysis: Option<&str>) -> Run {
    let mut results: Vec<SarifResult> = facts
        .findings
        .iter()
        .enumerate()
        .map(|(i, f)| {
            result(
                f,
                &facts.image,
                notes.states.and_then(|s| s.get(i)).map(|s| s.as_str()),
                notes.decisions.and_then(|d| d.get(i)),
            )
        })
        .collect();
    for f in notes.resolved {
        let mut r = result(f, &facts.image, Some("absent"), None);
        r.level = "none";
        results.push(r);
    }
    Run {
        tool: Tool {
            driver: Driver {
                name: "stowaway",
                version: env!("CARGO_PKG_VERSION"),
                rules: CODES.iter().map(rule).collect(),
            },
        },
        automation_details: AutomationDetails {
            id: automation_id(&facts.image, analysis),
        },
        original_uri_base_ids: UriBaseIds {
            image_root: Uri { uri: "file:///" },
        },
        properties: RunProperties {
            image: facts.image.reference.clone(),
            digest: facts.image.digest.clone(),
            platform: facts.image.platform.clone(),
        },
        results,
    }
}
