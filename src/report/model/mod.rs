//! The output documents as types: what `scan`, `inventory`, `gate`, `diff`
//! and `drift` print as JSON. Field names are a contract other tooling relies
//! on; the schemas in `schemas/` are generated from these types
//! ([`super::schema`]). Documents borrow from what the command computed and
//! serialize straight to the writer: none is built as a `serde_json::Value`.

mod audit;
mod diff;
mod drift;
mod gate;
mod inventory;
mod scan;

use std::io::Write;

use serde::Serialize;

pub use audit::{
    AuditChanges, AuditDoc, AuditFinding, AuditSummary, AuditVerdict, ImageChange, ImageRow,
    ImageVerdict, NewFinding, ShardInfo, Skipped, WorkloadRow,
};
pub use diff::{DiffDoc, DiffFinding};
pub use drift::{ContainerRef, DiscoveredContainer, DriftDoc, DriftFinding, DriftOutput};
pub use gate::{BaselineRef, GateDoc, GateFinding, GateSummary, RecordRow};
pub use inventory::{FileRow, InventoryDoc, RemovedRow};
pub use scan::{ScanBaseline, ScanDoc, ScanFinding, ScanSummary, SeverityCounts};

/// Write `doc` as pretty JSON with a final newline, straight to `w`.
pub fn write_json<W: Write, T: Serialize + ?Sized>(mut w: W, doc: &T) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut w, doc)?;
    w.write_all(b"\n")?;
    w.flush()
}
