//! `stowaway inventory IMAGE`: the squashed file manifest, as a table, the
//! inventory document or a CycloneDX 1.5 BOM.

use std::path::PathBuf;

use clap::Args;

use stowaway::report::cyclonedx::Bom;
use stowaway::report::model::InventoryDoc;
use stowaway::report::table;

use super::{DbArgs, ImageArgs, Verdict, emit, emit_json, use_color};

#[derive(Args)]
pub struct InventoryArgs {
    #[command(flatten)]
    image: ImageArgs,
    /// Output format: table, json or cyclonedx (CycloneDX 1.5 JSON).
    #[arg(long, value_enum, default_value = "table")]
    format: InventoryFormat,
    /// Also list files hidden by later layers (whited out, opaque, overwritten).
    #[arg(long)]
    all_layers: bool,
    /// Write to this file instead of stdout.
    #[arg(long, short)]
    output: Option<PathBuf>,
    #[command(flatten)]
    db: DbArgs,
}

/// The forms of an inventory.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum InventoryFormat {
    Table,
    Json,
    Cyclonedx,
}

pub fn run(a: InventoryArgs) -> anyhow::Result<Verdict> {
    let scan = a.image.config(None, a.db.cache_path())?.scan()?;
    let out = a.output.as_ref();
    match a.format {
        InventoryFormat::Table => {
            let style = table::Style {
                color: use_color(out),
            };
            let text = table::inventory(&scan.image, &scan.fs, &scan.packages, a.all_layers, style);
            emit(&text, out)?;
        }
        // Streamed: the document is never held whole.
        InventoryFormat::Json => emit_json(
            &InventoryDoc::new(&scan.image, &scan.fs, &scan.packages, a.all_layers),
            out,
        )?,
        InventoryFormat::Cyclonedx => {
            if a.all_layers {
                anyhow::bail!(
                    "--all-layers has no CycloneDX form (a BOM lists what the image runs); use --format json"
                );
            }
            emit_json(
                &Bom::new(&scan.image, &scan.fs, &scan.packages, &scan.started_at),
                out,
            )?
        }
    }
    Ok(Verdict::Pass)
}
