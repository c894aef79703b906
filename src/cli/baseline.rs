//! `stowaway baseline …`: approve images, list, show, revoke, export and
//! import approvals in the SQLite store.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, Subcommand, ValueEnum};

use stowaway::baseline::{Approval, Store};
use stowaway::facts::ImageFacts;
use stowaway::limits::parse_size;

use super::{DbArgs, ImageArgs, Verdict, emit, emit_json};

#[derive(Args)]
pub struct BaselineArgs {
    #[command(subcommand)]
    command: BaselineCommand,
    #[command(flatten)]
    db: DbArgs,
}

#[derive(Subcommand)]
enum BaselineCommand {
    /// Scan an image and approve it as a baseline.
    Approve {
        #[command(flatten)]
        image: Box<ImageArgs>,
        /// Name of the approval (default: the image's repository:tag, or the reference).
        #[arg(long)]
        name: Option<String>,
        /// Why this image is approved.
        #[arg(long)]
        reason: Option<String>,
        /// Who approves it (default: $USER).
        #[arg(long)]
        by: Option<String>,
    },
    /// List approved images.
    List {
        #[arg(long, value_enum, default_value = "table")]
        format: ListFormat,
    },
    /// Show one approval with its files and findings.
    Show {
        name: String,
        #[arg(long, value_enum, default_value = "table")]
        format: ListFormat,
    },
    /// Withdraw an approval.
    Revoke { name: String },
    /// Write an approval as reviewable JSON (to commit under baselines/).
    Export {
        name: String,
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Import an exported approval.
    Import {
        file: PathBuf,
        /// Refuse a file larger than this (e.g. 256M).
        #[arg(long, value_parser = parse_size, value_name = "SIZE", default_value = "256M")]
        max_size: u64,
    },
}

/// Output of `baseline list` and `baseline show`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ListFormat {
    Table,
    Json,
}

pub fn run(a: BaselineArgs) -> anyhow::Result<Verdict> {
    let mut store = a.db.open()?;
    match a.command {
        BaselineCommand::Approve {
            image,
            name,
            reason,
            by,
        } => approve(&mut store, *image, name, reason, by)?,
        BaselineCommand::List { format } => list(&store, format)?,
        BaselineCommand::Show { name, format } => show(&store, &name, format)?,
        BaselineCommand::Revoke { name } => {
            if !store.revoke(&name)? {
                bail!("no approved image named {name:?}");
            }
            println!("revoked {name}");
        }
        BaselineCommand::Export { name, output } => {
            let Some(text) = store.export(&name)? else {
                bail!("no approved image named {name:?}")
            };
            emit(&text, output.as_ref())?;
        }
        BaselineCommand::Import { file, max_size } => {
            let text = read_bounded(&file, max_size)?;
            let a = store.import(&text, &file.display().to_string())?;
            println!(
                "imported {} ({} files, {} findings)",
                a.name, a.files, a.findings
            );
        }
    }
    Ok(Verdict::Pass)
}

/// `baseline approve`: scan the image and store its facts under a name.
fn approve(
    store: &mut Store,
    image: ImageArgs,
    name: Option<String>,
    reason: Option<String>,
    by: Option<String>,
) -> anyhow::Result<()> {
    let scan = image
        .config(None, Some(store.path().to_path_buf()))?
        .scan()?;
    let facts = ImageFacts::of(&scan);
    let name = name.unwrap_or_else(|| default_name(&facts));
    let by = by
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_else(|| "unknown".into());
    store.approve(&name, &facts, &by, reason.as_deref())?;
    println!(
        "approved {name}: {} ({} files, {} findings) in {}",
        facts
            .image
            .digest
            .as_deref()
            .unwrap_or(&facts.image.reference),
        facts.files.len(),
        facts.findings.len(),
        store.path().display()
    );
    Ok(())
}

/// What `baseline show --format json` prints.
#[derive(serde::Serialize)]
struct ShowDoc<'a> {
    approval: &'a Approval,
    facts: &'a ImageFacts,
}

/// `baseline show`: one approval and its findings.
fn show(store: &Store, name: &str, format: ListFormat) -> anyhow::Result<()> {
    let Some((a, facts)) = store.get(name)? else {
        bail!("no approved image named {name:?}")
    };
    if format == ListFormat::Json {
        let doc = ShowDoc {
            approval: &a,
            facts: &facts,
        };
        return emit_json(&doc, None);
    }
    println!("{} — {}", a.name, a.image.reference);
    println!(
        "  digest       {}",
        a.image.digest.as_deref().unwrap_or("-")
    );
    println!(
        "  repository   {}",
        a.image.repository.as_deref().unwrap_or("-")
    );
    println!("  approved by  {} at {}", a.approved_by, a.approved_at);
    println!("  reason       {}", a.reason.as_deref().unwrap_or("-"));
    println!("  files        {}", a.files);
    println!("  findings     {}", a.findings);
    for f in &facts.findings {
        println!(
            "    {:<8} {:<26} {}",
            f.severity.as_str(),
            f.code,
            f.path.as_deref().unwrap_or("-")
        );
    }
    Ok(())
}

/// Read a text file of at most `max` bytes (`/dev/zero` is refused at the
/// limit, not read forever).
fn read_bounded(file: &std::path::Path, max: u64) -> anyhow::Result<String> {
    use std::io::Read;
    let f = std::fs::File::open(file).with_context(|| format!("reading {}", file.display()))?;
    let mut bytes = Vec::new();
    f.take(max + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("reading {}", file.display()))?;
    if bytes.len() as u64 > max {
        bail!(
            "{}: larger than {max} bytes; refused (raise it with --max-size)",
            file.display()
        );
    }
    String::from_utf8(bytes).with_context(|| format!("{}: not UTF-8 text", file.display()))
}

fn default_name(f: &ImageFacts) -> String {
    match (&f.image.repository, &f.image.tag) {
        (Some(r), Some(t)) => format!("{r}:{t}"),
        (Some(r), None) => r.clone(),
        _ => f.image.reference.clone(),
    }
}

fn list(store: &Store, format: ListFormat) -> anyhow::Result<()> {
    let all = store.list()?;
    if format == ListFormat::Json {
        println!("{}", serde_json::to_string_pretty(&all)?);
        return Ok(());
    }
    if all.is_empty() {
        println!("no approved images in {}", store.path().display());
    }
    for a in all {
        println!(
            "{:<30} {:<20} {:<19} {} ({} files, {} findings)",
            a.name,
            a.approved_at,
            a.image
                .digest
                .as_deref()
                .map(|d| &d[..d.len().min(19)])
                .unwrap_or("-"),
            a.approved_by,
            a.files,
            a.findings
        );
    }
    Ok(())
}
