//! The one verdict a command reaches: pass or fail. `main` maps it to an exit
//! code, reports print it, the scan history stores it.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What a command concluded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Nothing denied, nothing at or above the failure threshold.
    Pass,
    /// Something denied, or findings at or above the threshold.
    Fail,
}

impl Verdict {
    /// `Fail` when `failed`, else `Pass`.
    pub fn failing_if(failed: bool) -> Verdict {
        if failed { Verdict::Fail } else { Verdict::Pass }
    }

    /// Lowercase name, as in JSON and the scan history.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
        }
    }

    /// Uppercase label, as in tables.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::Fail => "FAIL",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
