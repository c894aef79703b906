//! The gate: a scan, the approved baseline it is compared with (by name or
//! `auto` for the same repository), and a policy, give a verdict. Pure
//! orchestration over the stages; front ends render the [`GateReport`] and
//! `main` maps its verdict to an exit code.

use serde::Serialize;

use crate::baseline::Store;
use crate::delta::{BaselineState, Delta, delta, finding_states};
use crate::error::{Error, Result};
use crate::facts::{FindingRecord, ImageFacts};
use crate::finding::{Code, Finding};
use crate::model::Verdict;
use crate::policy::{Evaluation, Policy};
use crate::scan::Scan;

/// Which baseline to compare with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BaselineChoice {
    /// An approval by name.
    Named(String),
    /// The newest approval of the image's repository, if any.
    Auto,
}

impl std::str::FromStr for BaselineChoice {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        if s.is_empty() {
            return Err("empty baseline name".into());
        }
        Ok(if s == "auto" {
            BaselineChoice::Auto
        } else {
            BaselineChoice::Named(s.to_string())
        })
    }
}

/// Comparison with an approved image.
#[derive(Clone, Debug, Serialize)]
pub struct BaselineComparison {
    pub name: String,
    pub digest: Option<String>,
    /// Per finding (same order as the report's findings).
    pub states: Vec<BaselineState>,
    /// Baseline findings that are gone.
    pub resolved: Vec<FindingRecord>,
    pub delta: Delta,
}

/// Everything a gate decided.
#[derive(Clone, Debug, Serialize)]
pub struct GateReport {
    pub facts: ImageFacts,
    pub baseline: Option<BaselineComparison>,
    pub evaluation: Evaluation,
    pub policy: String,
}

impl GateReport {
    /// True when the policy denied something.
    pub fn failed(&self) -> bool {
        self.evaluation.failed()
    }

    /// Fail when the policy denied something.
    pub fn verdict(&self) -> Verdict {
        Verdict::failing_if(self.failed())
    }
}

impl BaselineComparison {
    /// How many findings are in `state` (new: not in the baseline).
    pub fn count(&self, state: BaselineState) -> usize {
        self.states.iter().filter(|s| **s == state).count()
    }

    /// How many findings the baseline does not have.
    pub fn new_findings(&self) -> usize {
        self.count(BaselineState::New)
    }
}

/// Compare a scan with its baseline (if any) and evaluate the policy.
pub fn gate(
    scan: &Scan,
    policy: &Policy,
    store: Option<&Store>,
    choice: Option<&BaselineChoice>,
) -> Result<GateReport> {
    let mut facts = ImageFacts::of(scan);
    let mut baseline = None;
    if let Some(store) = store {
        if let Some(f) = unapproved_finding(store, &facts)? {
            facts
                .findings
                .insert(0, crate::facts::FindingRecord::of(&f));
        }
        if let Some(choice) = choice {
            baseline = resolve_baseline(store, choice, &facts)?
                .map(|(name, base)| compare(&name, &base, &facts));
        }
    } else if choice.is_some() {
        return Err(Error::Unsupported(
            "--baseline needs a baseline database (--db or $STOWAWAY_DB)".into(),
        ));
    }
    let names: Vec<&str> = [
        Some(facts.image.reference.as_str()),
        facts.image.repository.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect();
    let evaluation = policy.evaluate(
        &facts.findings,
        baseline.as_ref().map(|b| b.states.as_slice()),
        &names,
    );
    Ok(GateReport {
        facts,
        baseline,
        evaluation,
        policy: policy.source.clone(),
    })
}

/// Findings, delta and resolved findings of `facts` relative to `base`.
pub fn compare(name: &str, base: &ImageFacts, facts: &ImageFacts) -> BaselineComparison {
    let (states, resolved) = finding_states(base, &facts.findings);
    BaselineComparison {
        name: name.to_string(),
        digest: base.image.digest.clone(),
        states,
        resolved,
        delta: delta(base, facts),
    }
}

/// The approval a choice names: by name, or the newest of the repository.
pub fn resolve_baseline(
    store: &Store,
    choice: &BaselineChoice,
    facts: &ImageFacts,
) -> Result<Option<(String, ImageFacts)>> {
    let name = match choice {
        BaselineChoice::Named(n) => n.clone(),
        BaselineChoice::Auto => {
            let Some(repo) = &facts.image.repository else {
                return Ok(None);
            };
            match store.approvals_of(repo)?.into_iter().next() {
                Some(a) => a.name,
                None => return Ok(None),
            }
        }
    };
    match store.get(&name)? {
        Some((_, f)) => Ok(Some((name, f))),
        None => Err(Error::Baseline {
            db: store.path().into(),
            reason: format!("no approved image named {name:?} (see `stowaway baseline list`)"),
        }),
    }
}

/// An `unapproved-image` finding when the repository has approvals and none
/// has this digest.
fn unapproved_finding(store: &Store, facts: &ImageFacts) -> Result<Option<Finding>> {
    let (Some(repo), Some(digest)) = (&facts.image.repository, &facts.image.digest) else {
        return Ok(None);
    };
    let approvals = store.approvals_of(repo)?;
    if approvals.is_empty()
        || approvals
            .iter()
            .any(|a| a.image.digest.as_deref() == Some(digest.as_str()))
    {
        return Ok(None);
    }
    let names: Vec<String> = approvals.iter().take(5).map(|a| a.name.clone()).collect();
    Ok(Some(Finding::new(Code::UnapprovedImage).because(format!(
        "repository {repo} has {} approved image(s) ({}); digest {digest} is not one of them",
        approvals.len(),
        names.join(", ")
    ))))
}
