//! Findings: the facts a scan reports. Every finding has a stable kebab-case
//! code (with a title, description and ATT&CK technique kept in one table),
//! a severity, and where it was found: path, layer, history step, sha256,
//! and the evidence that explains it.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::digest::Sha256;
use crate::path::ImagePath;

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// Lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "info" => Severity::Info,
            "low" => Severity::Low,
            "medium" => Severity::Medium,
            "high" => Severity::High,
            "critical" => Severity::Critical,
            _ => {
                return Err(format!(
                    "unknown severity {s:?} (info, low, medium, high, critical)"
                ));
            }
        })
    }
}

/// What a finding code means: the stable facts behind `stowaway explain`.
#[derive(Debug)]
pub struct CodeInfo {
    /// Stable kebab-case code.
    pub code: &'static str,
    /// One-line title.
    pub title: &'static str,
    /// MITRE ATT&CK technique id.
    pub technique: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// What it means, why it matters, and what to do.
    pub description: &'static str,
}

macro_rules! codes {
    ($($variant:ident => $code:literal, $sev:ident, $tech:literal, $title:literal, $desc:literal;)*) => {
        /// Every finding code Stowaway emits.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $($variant,)* }

        /// The code table, in a stable order.
        pub const CODES: &[CodeInfo] = &[
            $(CodeInfo { code: $code, title: $title, technique: $tech, severity: Severity::$sev, description: $desc },)*
        ];

        impl Code {
            /// Every code.
            pub const ALL: &[Code] = &[$(Code::$variant,)*];
            /// Facts about this code.
            pub fn info(self) -> &'static CodeInfo {
                &CODES[self as usize]
            }
        }
    };
}

codes! {
    AbsolutePath => "absolute-path", Medium, "T1611",
        "Layer entry with an absolute path",
        "A tar entry of a layer names an absolute path (`/etc/...`). Conforming tools write relative names; an absolute one is aimed at extractors that write where the name says, outside the container root. Stowaway reads it as if it were relative and reports it.";
    PathTraversal => "path-traversal", High, "T1611",
        "Layer entry climbs out of the image root",
        "A tar entry name or hardlink target uses `..` to climb above the image root. A naive extractor writes such an entry on the host, outside the container's filesystem. Stowaway clamps the path to the root and reports it.";
    DeviceNode => "device-node", Medium, "T1611",
        "Device node shipped in a layer",
        "A character or block device file is part of a layer. Images have no need to ship device nodes (the runtime creates /dev); a device in an image can give a container direct access to host hardware or memory when run with relaxed settings.";
    SparseFile => "sparse-file", Low, "T1027",
        "Sparse file in a layer",
        "A GNU or PAX sparse entry. Its holes read as zeros; Stowaway hashes the expanded content. Sparse entries are rare in images and have confused extractors and scanners, so they are reported.";
    DuplicateEntry => "duplicate-entry", Low, "T1027",
        "Same path written twice in one layer",
        "One layer tar holds two entries for the same path; the last one wins. The earlier bytes are still shipped and were analysed; a scanner that only looks at the first or the last entry can be fooled.";
    MalformedWhiteout => "malformed-whiteout", Low, "T1027",
        "Whiteout marker with no target or a reserved name",
        "A bare `.wh.` entry names nothing to delete, and `.wh..wh.*` names other than `.wh..wh..opq` are reserved metadata. Stowaway ignores them (deletes nothing), as the OCI image spec says, and reports them because extractors have disagreed on them.";
    HardlinkMissingTarget => "hardlink-missing-target", Low, "T1027",
        "Hardlink to a path that does not exist",
        "A hardlink entry points at a path that neither this layer (earlier in the tar) nor a lower layer provides. Extractors fail or behave differently on it; its content is unknown.";
    SymlinkEscapesRoot => "symlink-escapes-root", Low, "T1611",
        "Relative symlink that climbs above the image root",
        "A symlink whose relative target uses enough `..` to leave the image root. Inside a container it resolves at the root; on a host that extracts or inspects the image it can point anywhere. Recorded as data, never followed on the host.";
    SetuidFile => "setuid-file", Medium, "T1548.001",
        "Setuid executable",
        "A file with the setuid bit: it runs with its owner's privileges (root, usually). Base images ship a few (su, passwd, mount); anything else deserves a reason.";
    SetgidFile => "setgid-file", Low, "T1548.001",
        "Setgid executable",
        "A file with the setgid bit: it runs with its group's privileges.";
    RemovedExecutable => "removed-executable", Medium, "T1564",
        "Executable shipped in one layer and hidden by a later one",
        "A layer ships an executable file and a later layer deletes it (whiteout, opaque directory, or overwrite). It is invisible in the running container but every copy of the image still carries its bytes, which anyone with the image can extract. Check the history step that added it.";
    MislabeledCompression => "mislabeled-compression", Low, "T1027",
        "Layer compression differs from its media type",
        "The layer's bytes are compressed differently from what its media type says (for example gzip bytes labelled zstd, or plain tar labelled gzip). Stowaway reads the real format, found by magic bytes; other tools may refuse or mis-read the layer.";
    Unanalyzable => "unanalyzable-entry", Medium, "T1027",
        "Entry that could not be analysed",
        "An entry that Stowaway could not read or analyse completely (unsupported tar entry type, a file over the analysis buffer, an unreadable file in a root filesystem). Its bytes were hashed where possible; the evidence says what failed.";
}

impl Code {
    /// The stable string.
    pub fn as_str(self) -> &'static str {
        self.info().code
    }

    /// Look a code up by its string.
    pub fn parse(s: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.as_str() == s)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Where in the image a finding was made.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct LayerRef {
    /// 0-based layer index.
    pub index: usize,
    /// Compressed blob digest, when the source has one.
    pub digest: Option<Sha256>,
    /// The history step (`created_by`) that produced the layer.
    pub created_by: Option<String>,
}

/// One finding.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Finding {
    pub code: Code,
    pub severity: Severity,
    pub technique: &'static str,
    pub title: &'static str,
    /// Path inside the image, if the finding is about a file.
    pub path: Option<ImagePath>,
    /// The layer that shipped the bytes or entry.
    pub layer: Option<LayerRef>,
    /// For files hidden later: the layer that hid them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hidden_in: Option<LayerRef>,
    /// sha256 of the file content.
    pub sha256: Option<Sha256>,
    /// Human-readable facts that explain the finding.
    pub evidence: Vec<String>,
}

impl Finding {
    /// A finding with the code's default severity and no location.
    pub fn new(code: Code) -> Finding {
        let info = code.info();
        Finding {
            code,
            severity: info.severity,
            technique: info.technique,
            title: info.title,
            path: None,
            layer: None,
            hidden_in: None,
            sha256: None,
            evidence: Vec::new(),
        }
    }

    /// Set the path.
    pub fn at(mut self, path: &ImagePath) -> Finding {
        self.path = Some(path.clone());
        self
    }

    /// Add a line of evidence.
    pub fn because(mut self, evidence: impl Into<String>) -> Finding {
        self.evidence.push(evidence.into());
        self
    }

    /// Override the severity.
    pub fn severity(mut self, severity: Severity) -> Finding {
        self.severity = severity;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_kebab_and_indexed() {
        let mut seen = std::collections::HashSet::new();
        for (i, c) in Code::ALL.iter().enumerate() {
            assert_eq!(*c as usize, i);
            let s = c.as_str();
            assert!(seen.insert(s), "duplicate {s}");
            assert!(
                s.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{s}"
            );
            assert!(c.info().technique.starts_with('T'));
            assert_eq!(Code::parse(s), Some(*c));
        }
    }
}
