//! The output documents as types: what `scan`, `inventory`, `gate`, `diff`,
//! `drift` and `images` print as JSON, and what `serve` stores and serves. Field names are a contract other tooling relies
//! on; the schemas in `schemas/` are generated from these types
//! ([`super::schema`]). Documents borrow from what the command computed and
//! serialize straight to the writer: none is built as a `serde_json::Value`.
//!
//! Every document (each element of `drift --all`'s array) starts with
//! `schema_version` ([`SCHEMA_VERSION`], `MAJOR.MINOR`: the minor grows when
//! fields are added, the major when a field is removed, renamed or changes
//! meaning) and `tool` (name and version of the binary that wrote it).

mod audit;
mod diff;
mod drift;
mod envelope;
mod gate;
mod images;
mod inventory;
mod scan;
mod serve;

use std::io::Write;

use schemars::JsonSchema;
use serde::Serialize;

pub use audit::{
    AuditChanges, AuditDoc, AuditFinding, AuditSummary, AuditVerdict, ImageChange, ImageRow,
    ImageVerdict, NewFinding, ShardInfo, Skipped, WorkloadRow,
};
pub use diff::{DiffDoc, DiffFinding};
pub use drift::{ContainerRef, DiscoveredContainer, DriftDoc, DriftFinding, DriftOutput};
pub use envelope::{
    Alert, AlertData, AlertFinding, AlertType, CodeExplained, EventsAccepted, Health, HealthStatus,
    PendingScan, ScanAccepted, ServeErrorBody, SpecVersion,
};
pub use gate::{BaselineRef, GateDoc, GateFinding, GateSummary, RecordRow};
pub use images::{ImagesDoc, ListedImage, StoreRow};
pub use inventory::{FileRow, InventoryDoc, RemovedRow};
pub use scan::{ScanBaseline, ScanDoc, ScanFinding, ScanSummary, SeverityCounts};
pub use serve::{JobState, ServeFinding, ServeJobDoc, ServeResultDoc, ServeSummary, ServeVerdict};

/// The version of the output documents' schemas (`schemas/*.schema.json`).
pub const SCHEMA_VERSION: &str = "1.1";

/// The `schema_version` field: always [`SCHEMA_VERSION`], and the schema
/// says so (a document of another version does not validate).
#[derive(Clone, Copy, Default)]
pub struct SchemaVersion;

impl Serialize for SchemaVersion {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(SCHEMA_VERSION)
    }
}

impl JsonSchema for SchemaVersion {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "SchemaVersion".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "The document's schema version, MAJOR.MINOR (README: \"JSON output\").",
            "type": "string",
            "const": SCHEMA_VERSION,
        })
    }
}

/// The program that wrote a document.
#[derive(Clone, Copy, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ToolRef {
    /// Always `stowaway`.
    pub name: &'static str,
    /// The version of the binary (`stowaway --version`).
    pub version: &'static str,
}

impl ToolRef {
    /// This build.
    pub const THIS: ToolRef = ToolRef {
        name: env!("CARGO_PKG_NAME"),
        version: env!("CARGO_PKG_VERSION"),
    };
}

/// Write `doc` as pretty JSON with a final newline, straight to `w`.
pub fn write_json<W: Write, T: Serialize + ?Sized>(mut w: W, doc: &T) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut w, doc)?;
    w.write_all(b"\n")?;
    w.flush()
}
