//! Baselines as reviewable text: a pretty, sorted JSON file meant to be
//! committed under `baselines/` in a team's repository and imported into any
//! store with `stowaway baseline import`.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::facts::ImageFacts;

use super::{Approval, Store};

/// Version of the export format.
pub const FORMAT_VERSION: u32 = 1;

/// The exported document.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ExportFile {
    pub stowaway_baseline: u32,
    pub name: String,
    pub approved_by: String,
    #[serde(default)]
    pub reason: Option<String>,
    pub approved_at: String,
    #[serde(flatten)]
    pub facts: ImageFacts,
}

impl Store {
    /// Export an approval.
    pub fn export(&self, name: &str) -> Result<Option<String>> {
        let Some((a, mut facts)) = self.get(name)? else {
            return Ok(None);
        };
        facts.files.sort_by(|x, y| x.path.cmp(&y.path));
        facts
            .findings
            .sort_by(|x, y| x.fingerprint.cmp(&y.fingerprint));
        let doc = ExportFile {
            stowaway_baseline: FORMAT_VERSION,
            name: a.name,
            approved_by: a.approved_by,
            reason: a.reason,
            approved_at: a.approved_at,
            facts,
        };
        Ok(Some(
            serde_json::to_string_pretty(&doc).expect("serializable") + "\n",
        ))
    }

    /// Import an exported approval (replacing one of the same name).
    pub fn import(&mut self, text: &str, origin: &str) -> Result<Approval> {
        let doc: ExportFile = serde_json::from_str(text).map_err(|e| Error::Document {
            what: "baseline export",
            location: origin.to_string(),
            reason: e.to_string(),
        })?;
        if doc.stowaway_baseline != FORMAT_VERSION {
            return Err(Error::Document {
                what: "baseline export",
                location: origin.to_string(),
                reason: format!(
                    "format version {} is not {FORMAT_VERSION}",
                    doc.stowaway_baseline
                ),
            });
        }
        self.approve_at(
            &doc.name,
            &doc.facts,
            &doc.approved_by,
            doc.reason.as_deref(),
            &doc.approved_at,
        )?;
        self.list()?
            .into_iter()
            .find(|a| a.name == doc.name)
            .ok_or_else(|| Error::Baseline {
                db: self.path().into(),
                reason: format!(
                    "{} was revoked by another process while it was imported",
                    doc.name
                ),
            })
    }
}
