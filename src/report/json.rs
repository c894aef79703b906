//! The typed documents of [`super::model`] as `serde_json::Value`s, for
//! callers that store or extend a small part of one (a stored result, a
//! test comparing documents). Commands write the typed documents straight
//! to their output instead.

use serde_json::Value;

use crate::finding::{Finding, Severity};
use crate::scan::Scan;

use super::model::{ScanBaseline, ScanDoc, ScanFinding};

/// One finding, as the scan document lists it.
pub fn finding_json(f: &Finding) -> Value {
    serde_json::to_value(ScanFinding::of(f, None)).unwrap_or(Value::Null)
}

/// The scan document (no baseline) as a value.
pub fn scan(scan: &Scan, fail_on: Severity) -> Value {
    serde_json::to_value(ScanDoc::new(scan, Some(fail_on), ScanBaseline::NotAsked))
        .unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Code;
    use crate::path::ImagePath;

    #[test]
    fn a_finding_value_has_the_scan_document_fields() {
        let f = Finding::new(Code::SetuidFile)
            .at(&ImagePath::new("usr/bin/x"))
            .because("mode 4755");
        let v = finding_json(&f);
        assert_eq!(v["code"], "setuid-file");
        assert_eq!(v["path"], "/usr/bin/x");
        assert_eq!(v["severity"], "medium");
        assert_eq!(v["evidence"][0], "mode 4755");
        assert!(v["layer"].is_null() && v.get("baseline_state").is_none());
    }
}
