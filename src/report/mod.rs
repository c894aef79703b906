//! Output: the documents as typed models ([`model`], whose JSON schemas
//! [`schema`] generates) and pure renderers of them and of scans: table,
//! JSON, SARIF, CycloneDX. Nothing here decides a verdict; the models carry the one the
//! gate or the policy reached.

pub mod audit;
pub mod cyclonedx;
pub mod drift;
pub mod gate;
pub mod json;
pub mod model;
pub mod sarif;
pub mod sarif_log;
pub mod schema;
pub mod table;

use std::str::FromStr;

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Sarif,
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "table" => Ok(Format::Table),
            "json" => Ok(Format::Json),
            "sarif" => Ok(Format::Sarif),
            _ => Err(format!("unknown format {s:?} (table, json, sarif)")),
        }
    }
}
