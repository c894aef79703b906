//! `stowaway explain [CODE]`: what a finding code means.

use clap::Args;

use stowaway::finding::{CODES, Code};

use super::Verdict;

#[derive(Args)]
pub struct ExplainArgs {
    /// A finding code; omit to list every code.
    code: Option<String>,
}

pub fn run(a: ExplainArgs) -> anyhow::Result<Verdict> {
    match a.code {
        None => {
            for c in CODES {
                println!(
                    "{:<26} {:<8} {:<10} {}",
                    c.code, c.severity, c.technique, c.title
                );
            }
        }
        Some(s) => {
            let code = Code::parse(&s).ok_or_else(|| {
                anyhow::anyhow!("unknown finding code {s:?}; `stowaway explain` lists them")
            })?;
            let c = code.info();
            println!("{} — {}\n", c.code, c.title);
            println!("severity:  {} (default)", c.severity);
            println!("technique: {} (MITRE ATT&CK)\n", c.technique);
            println!("{}\n", c.description);
            println!("To gate on it, use `stowaway scan IMAGE --fail-on SEVERITY`.");
        }
    }
    Ok(Verdict::Pass)
}
