//! `stowaway inventory IMAGE`: the squashed file manifest.

use std::path::PathBuf;

use clap::Args;

use stowaway::report::model::InventoryDoc;
use stowaway::report::{Format, table};

use super::{DbArgs, ImageArgs, Verdict, emit, emit_json, use_color};

#[derive(Args)]
pub struct InventoryArgs {
    #[command(flatten)]
    image: ImageArgs,
    /// Output format: table or json.
    #[arg(long, default_value = "table")]
    format: Format,
    /// Also list files hidden by later layers (whited out, opaque, overwritten).
    #[arg(long)]
    all_layers: bool,
    /// Write to this file instead of stdout.
    #[arg(long, short)]
    output: Option<PathBuf>,
    #[command(flatten)]
    db: DbArgs,
}

pub fn run(a: InventoryArgs) -> anyhow::Result<Verdict> {
    let scan = a.image.config(None, a.db.cache_path())?.scan()?;
    let out = a.output.as_ref();
    match a.format {
        Format::Table => {
            let style = table::Style {
                color: use_color(out),
            };
            let text = table::inventory(&scan.image, &scan.fs, &scan.packages, a.all_layers, style);
            emit(&text, out)?;
        }
        // Streamed: the document is never held whole.
        Format::Json => emit_json(
            &InventoryDoc::new(&scan.image, &scan.fs, &scan.packages, a.all_layers),
            out,
        )?,
        Format::Sarif => anyhow::bail!("inventory has no SARIF form; use table or json"),
    }
    Ok(Verdict::Pass)
}
