//! JSON schemas (draft 2020-12) of the output documents, generated from the
//! types of [`super::model`] and committed as `schemas/NAME.schema.json`.
//! A test fails while a committed schema differs from the generated one;
//! regenerate them with
//! `STOWAWAY_UPDATE_SCHEMAS=1 cargo test --test tests schemas_are_current`.

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema};

use super::model::{
    Alert, AuditDoc, CodeExplained, DiffDoc, DriftOutput, EventsAccepted, GateDoc, Health,
    ImagesDoc, InventoryDoc, ScanAccepted, ScanDoc, ServeErrorBody, ServeJobDoc, ServeResultDoc,
};

fn schema_of<T: JsonSchema>() -> Schema {
    SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<T>()
}

/// Every document: its name (`schemas/NAME.schema.json`) and its schema.
pub fn all() -> Vec<(&'static str, Schema)> {
    vec![
        ("scan", schema_of::<ScanDoc<'static>>()),
        ("inventory", schema_of::<InventoryDoc<'static>>()),
        ("gate", schema_of::<GateDoc<'static>>()),
        ("diff", schema_of::<DiffDoc<'static>>()),
        ("drift", schema_of::<DriftOutput<'static>>()),
        ("serve-result", schema_of::<ServeResultDoc<'static>>()),
        ("serve-job", schema_of::<ServeJobDoc<'static>>()),
        ("audit", schema_of::<AuditDoc>()),
        ("images", schema_of::<ImagesDoc<'static>>()),
        ("serve-health", schema_of::<Health>()),
        ("serve-error", schema_of::<ServeErrorBody<'static>>()),
        (
            "serve-events-accepted",
            schema_of::<EventsAccepted<'static>>(),
        ),
        ("serve-scan-accepted", schema_of::<ScanAccepted<'static>>()),
        ("serve-explain", schema_of::<CodeExplained>()),
        ("serve-alert", schema_of::<Alert<'static>>()),
    ]
}

/// A schema as committed: pretty JSON with a final newline.
pub fn text(schema: &Schema) -> String {
    serde_json::to_string_pretty(schema).unwrap_or_default() + "\n"
}
