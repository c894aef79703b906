//! The subset of SARIF 2.1.0 that Stowaway writes, as types: a log of
//! runs, each with the tool's rules (one per finding code) and one result
//! per finding. The contract is OASIS's schema (`sarif-2.1.0.json`; the gate
//! tests validate real output against it), so no schema of ours is
//! generated; [`super::sarif`] fills these from image facts.

use serde::Serialize;

use crate::finding::Severity;
use crate::policy::Action;

/// The schema every log names.
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// A SARIF log.
#[derive(Serialize)]
pub struct Log {
    #[serde(rename = "$schema")]
    pub schema: &'static str,
    pub version: &'static str,
    pub runs: Vec<Run>,
}

impl Log {
    /// A SARIF 2.1.0 log of `runs`.
    pub fn of(runs: Vec<Run>) -> Log {
        Log {
            schema: SCHEMA,
            version: "2.1.0",
            runs,
        }
    }
}

/// One analysis of one image.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Run {
    pub tool: Tool,
    pub automation_details: AutomationDetails,
    pub original_uri_base_ids: UriBaseIds,
    pub properties: RunProperties,
    pub results: Vec<SarifResult>,
}

#[derive(Serialize)]
pub struct Tool {
    pub driver: Driver,
}

#[derive(Serialize)]
pub struct Driver {
    pub name: &'static str,
    pub version: &'static str,
    pub rules: Vec<Rule>,
}

/// `stowaway/REPOSITORY/DIGEST`: the code-scanning category.
#[derive(Serialize)]
pub struct AutomationDetails {
    pub id: String,
}

/// Where relative paths of files in the image are rooted.
#[derive(Serialize)]
pub struct UriBaseIds {
    #[serde(rename = "IMAGEROOT")]
    pub image_root: Uri,
}

#[derive(Serialize)]
pub struct Uri {
    pub uri: &'static str,
}

/// The image a run is about.
#[derive(Serialize)]
pub struct RunProperties {
    pub image: String,
    pub digest: Option<String>,
    pub platform: Option<String>,
}

/// One finding code as a rule.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    pub id: &'static str,
    pub name: &'static str,
    pub short_description: Text,
    pub full_description: Text,
    pub help: Text,
    pub default_configuration: Configuration,
    pub properties: RuleProperties,
}

#[derive(Serialize)]
pub struct Text {
    pub text: String,
}

#[derive(Serialize)]
pub struct Configuration {
    pub level: &'static str,
}

#[derive(Serialize)]
pub struct RuleProperties {
    /// `security` and the ATT&CK technique.
    pub tags: [&'static str; 2],
    /// GitHub's 0–10 score of the code's default severity.
    #[serde(rename = "security-severity")]
    pub security_severity: &'static str,
}

/// One finding.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifResult {
    pub rule_id: String,
    /// Absent for a code this build does not know.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule_index: Option<usize>,
    pub level: &'static str,
    pub message: Text,
    pub locations: [Location; 1],
    pub partial_fingerprints: Fingerprints,
    /// `new`, `unchanged` or `absent`, when compared with an approved image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_state: Option<&'static str>,
    pub properties: ResultProperties,
    /// An allowed finding's allowlist reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppressions: Option<[Suppression; 1]>,
}

#[derive(Serialize)]
pub struct Fingerprints {
    #[serde(rename = "stowaway/v1")]
    pub v1: String,
}

#[derive(Serialize)]
pub struct ResultProperties {
    pub severity: Severity,
    pub technique: Option<&'static str>,
    pub layer: Option<usize>,
    pub sha256: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<Action>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

#[derive(Serialize)]
pub struct Suppression {
    pub kind: &'static str,
    pub justification: String,
}

/// A file of the image (with its line), or the config or manifest blob
/// with a logical location naming the field.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    pub physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logical_locations: Option<[LogicalLocation; 1]>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PhysicalLocation {
    pub artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactLocation {
    pub uri: String,
    /// `IMAGEROOT` for files, `IMAGESTORE` for blobs.
    pub uri_base_id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    pub start_line: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogicalLocation {
    pub name: String,
    pub fully_qualified_name: String,
    pub kind: &'static str,
}
