//! `stowaway diff IMAGE_A IMAGE_B`: what changed between two images.

use clap::Args;

use stowaway::facts::ImageFacts;
use stowaway::gate::compare;
use stowaway::report::gate::delta_table;

use super::{ImageArgs, Verdict};

#[derive(Args)]
pub struct DiffArgs {
    #[command(flatten)]
    a: ImageArgs,
    /// The second image.
    b: String,
    /// Output format: table or json.
    #[arg(long, default_value = "table")]
    format: String,
}

pub fn run(a: DiffArgs) -> anyhow::Result<Verdict> {
    let before = ImageFacts::of(&a.a.config(None, None)?.scan()?);
    let mut second = a.a.clone();
    second.image = a.b.clone();
    let after = ImageFacts::of(&second.config(None, None)?.scan()?);
    let cmp = compare(&before.image.reference, &before, &after);
    if a.format == "json" {
        let findings: Vec<serde_json::Value> = after
            .findings
            .iter()
            .zip(&cmp.states)
            .map(|(f, s)| serde_json::json!({"code": f.code, "severity": f.severity, "path": f.path, "baseline_state": s, "evidence": f.evidence}))
            .collect();
        let doc = serde_json::json!({
            "before": before.image,
            "after": after.image,
            "delta": cmp.delta,
            "findings": findings,
            "resolved": cmp.resolved,
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        println!("{} -> {}", before.image.reference, after.image.reference);
        print!("{}", delta_table(&cmp.delta));
        let new: Vec<_> = after
            .findings
            .iter()
            .zip(&cmp.states)
            .filter(|(_, s)| **s == stowaway::delta::BaselineState::New)
            .collect();
        println!("New findings: {}", new.len());
        for (f, _) in new {
            println!(
                "  {:<8} {:<26} {}",
                f.severity.as_str(),
                f.code,
                f.path.as_deref().unwrap_or("-")
            );
        }
        println!("Resolved findings: {}", cmp.resolved.len());
        for f in &cmp.resolved {
            println!(
                "  {:<8} {:<26} {}",
                f.severity.as_str(),
                f.code,
                f.path.as_deref().unwrap_or("-")
            );
        }
    }
    Ok(Verdict::Pass)
}
