//! The scan ignore file: findings a team has reviewed and accepted, in the
//! gate policy's allowlist format (`[[allow]]` entries: `code`, `path`
//! glob, `sha256`, `image` glob, a required `reason`, an optional
//! `expires`), validated the same way (an expired entry is an error). Named
//! by `--ignore-file FILE`, else `.stowawayignore.toml` in the working
//! directory when there is one. Ignored findings leave the report and the
//! exit code; how many were ignored is said on stderr.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use stowaway::facts::FindingRecord;
use stowaway::policy::Policy;

/// The file looked for in the working directory.
pub const DEFAULT_FILE: &str = ".stowawayignore.toml";

/// A validated ignore file.
pub struct Ignore {
    policy: Policy,
}

/// What an ignore file did to one scan.
pub struct Applied {
    /// Per finding: true when an entry matched it.
    pub ignored: Vec<bool>,
    /// Entries that matched nothing.
    pub unused: Vec<String>,
}

impl Ignore {
    /// The ignore file named, else the default one if it exists.
    pub fn load(named: Option<&Path>) -> anyhow::Result<Option<Ignore>> {
        let path = match named {
            Some(p) => p.to_path_buf(),
            None => {
                let p = PathBuf::from(DEFAULT_FILE);
                if !p.is_file() {
                    return Ok(None);
                }
                p
            }
        };
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading ignore file {}", path.display()))?;
        Ok(Some(Ignore::parse(&text, &path.display().to_string())?))
    }

    /// Validate ignore-file text: `[[allow]]` entries only.
    pub fn parse(text: &str, file: &str) -> anyhow::Result<Ignore> {
        let table: toml::Table = text
            .parse()
            .with_context(|| format!("ignore file {file}"))?;
        if let Some(key) = table.keys().find(|k| *k != "allow") {
            bail!(
                "ignore file {file}: {key} is not allowed here; an ignore file holds \
                 [[allow]] entries only (levels, codes and limits belong in a gate policy)"
            );
        }
        let policy = Policy::parse(text, file, &stowaway::time::today())?;
        Ok(Ignore { policy })
    }

    /// Which of `findings` the file ignores, for an image known by `names`
    /// (reference, repository).
    pub fn apply(&self, findings: &[FindingRecord], names: &[&str]) -> Applied {
        let eval = self.policy.evaluate(findings, None, names);
        Applied {
            ignored: eval
                .decisions
                .iter()
                .map(|d| d.allowed_by.is_some())
                .collect(),
            unused: eval.unused_allow,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_allow_entries_with_reasons() {
        let e = Ignore::parse("[levels]\nhigh = \"allow\"\n", "i.toml")
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("i.toml") && e.contains("levels"), "{e}");
        let e = format!(
            "{:#}",
            Ignore::parse("[[allow]]\ncode = \"setuid-file\"\n", "i.toml")
                .err()
                .unwrap()
        );
        assert!(e.contains("reason"), "{e}");
        let e = format!(
            "{:#}",
            Ignore::parse(
                "[[allow]]\ncode = \"setuid-file\"\nreason = \"r\"\nexpires = \"2001-01-01\"\n",
                "i.toml"
            )
            .err()
            .unwrap()
        );
        assert!(e.contains("expire"), "{e}");
    }
}
