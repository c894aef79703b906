//! Pure renderers: a scan in, text out. Nothing here decides a verdict.

pub mod gate;
pub mod json;
pub mod sarif;
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
