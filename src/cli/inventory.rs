//! `stowaway inventory IMAGE`: the squashed file manifest.

use std::path::PathBuf;

use clap::Args;

use stowaway::report::{Format, json, table};

use super::{DbArgs, ImageArgs, Verdict, emit, use_color};

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
    if matches!(a.format, Format::Json) && a.output.is_none() {
        // Streamed: the document is never held whole.
        let out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
        json::write_inventory(out, &scan.image, &scan.fs, &scan.packages, a.all_layers)
            .map_err(|e| anyhow::anyhow!("writing to stdout: {e}"))?;
        return Ok(Verdict::Pass);
    }
    let text = match a.format {
        Format::Table => table::inventory(
            &scan.image,
            &scan.fs,
            &scan.packages,
            a.all_layers,
            table::Style {
                color: use_color(a.output.as_ref()),
            },
        ),
        Format::Json => {
            let mut buf = Vec::new();
            json::write_inventory(
                &mut buf,
                &scan.image,
                &scan.fs,
                &scan.packages,
                a.all_layers,
            )?;
            String::from_utf8(buf)?
        }
        Format::Sarif => anyhow::bail!("inventory has no SARIF form; use table or json"),
    };
    emit(&text, a.output.as_ref())?;
    Ok(Verdict::Pass)
}
