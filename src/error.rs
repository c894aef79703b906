//! Typed errors of the library, one variant per kind of failure, each carrying
//! the context a user needs to find the problem: which image, which layer
//! (index and digest), which path inside the image.

use std::path::PathBuf;

use crate::limits::Limit;

/// Everything that can stop a scan. Per-file problems that do not stop a scan
/// are findings, not errors.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The image reference could not be understood.
    #[error("invalid image reference {input:?}: {reason}")]
    Reference { input: String, reason: String },

    /// A host file could not be read. (The OS error is part of the message
    /// and deliberately not also a `source`, so it is printed once.)
    #[error("{}: {error}", path.display())]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },

    /// The image store (layout, archive) is malformed or misses something.
    #[error("{location}: {reason}")]
    Source { location: String, reason: String },

    /// What was asked for is not in the image store: a tag, an image, a
    /// member or blob. `choices` lists what is there, when known.
    #[error("{location}: {what}{}", tags(.choices))]
    NotFound {
        location: String,
        what: String,
        choices: Vec<String>,
    },

    /// The store holds several images and none was named.
    #[error("{location}: {what}{}", tags(.choices))]
    Ambiguous {
        location: String,
        what: String,
        choices: Vec<String>,
    },

    /// A registry answered with an error status or could not be reached;
    /// `status` is the HTTP status when there was one.
    #[error("{location}: {reason}")]
    Registry {
        location: String,
        reason: String,
        status: Option<u16>,
    },

    /// A JSON document (index, manifest, config) could not be parsed.
    #[error("{what} ({location}) is not valid: {reason}")]
    Document {
        what: &'static str,
        location: String,
        reason: String,
    },

    /// A blob's bytes do not hash to the digest its descriptor names.
    #[error("{what}: digest mismatch: descriptor says {expected}, content is {actual}")]
    DigestMismatch {
        what: String,
        expected: String,
        actual: String,
    },

    /// A blob's length differs from its descriptor's size.
    #[error("{what}: size mismatch: descriptor says {expected} bytes, content is {actual} bytes")]
    SizeMismatch {
        what: String,
        expected: u64,
        actual: u64,
    },

    /// The uncompressed layer does not hash to the config's `rootfs.diff_ids[i]`.
    #[error(
        "layer {index} ({digest}): diff_id mismatch: config says {expected}, uncompressed content is {actual}"
    )]
    DiffIdMismatch {
        index: usize,
        digest: String,
        expected: String,
        actual: String,
    },

    /// The layer stream could not be decompressed or walked as a tar.
    #[error("layer {index} ({digest}): {reason}")]
    Layer {
        index: usize,
        digest: String,
        reason: String,
    },

    /// A configured limit was exceeded; the message names the flag that
    /// raises it.
    #[error("{location}: limit exceeded: {what} is over {max} (raise it with {})", limit.flag())]
    Limit {
        location: String,
        /// What went over, in words (by default [`Limit::what`]).
        what: &'static str,
        limit: Limit,
        /// The value in force.
        max: u64,
    },

    /// No manifest for the requested platform, or several and none requested.
    #[error("{reason}; available platforms: {}", available.join(", "))]
    Platform {
        reason: String,
        available: Vec<String>,
    },

    /// The baseline database failed.
    #[error("baseline database {}: {reason}", db.display())]
    Baseline { db: PathBuf, reason: String },

    /// A policy file is invalid: every problem found in it, in file order.
    #[error("{}", PolicyProblem::list(.0))]
    Policy(Vec<PolicyProblem>),

    /// Something this build does not support (yet).
    #[error("{0}")]
    Unsupported(String),

    /// The process lacks a capability it needs to read something completely;
    /// going on would give a partial result that looks whole.
    #[error("{location}: needs {capability}: {reason}")]
    Capability {
        location: String,
        /// The capability's name, as `capsh` and `setpriv` spell it.
        capability: &'static str,
        /// What cannot be read without it, and what to do.
        reason: String,
    },
}

impl Error {
    /// Build an [`Error::Io`] for `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            error: source,
        }
    }

    /// Build an [`Error::Limit`] for `limit`, whose value in force is `max`.
    pub fn limit(limit: Limit, location: impl Into<String>, max: u64) -> Self {
        Error::Limit {
            location: location.into(),
            what: limit.what(),
            limit,
            max,
        }
    }

    /// Build an [`Error::Registry`] without an HTTP status.
    pub fn registry(location: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Registry {
            location: location.into(),
            reason: reason.into(),
            status: None,
        }
    }

    /// Build an [`Error::Source`].
    pub fn source(location: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Source {
            location: location.into(),
            reason: reason.into(),
        }
    }
}

/// ` (tags: a, b)` after a message, when there are any.
fn tags(choices: &[String]) -> String {
    if choices.is_empty() {
        String::new()
    } else {
        format!(" (tags: {})", choices.join(", "))
    }
}

/// One problem in a policy file, where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyProblem {
    pub file: String,
    pub line: usize,
    /// The key, as written (`levels.high`, `allow[2].path`).
    pub key: String,
    pub reason: String,
}

impl std::fmt::Display for PolicyProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}: {}: {}",
            self.file, self.line, self.key, self.reason
        )
    }
}

impl PolicyProblem {
    /// One problem on one line; several as a count and one line each.
    fn list(problems: &[PolicyProblem]) -> String {
        match problems {
            [one] => one.to_string(),
            many => {
                let mut s = format!("{} problems in the policy:", many.len());
                for p in many {
                    s.push_str("\n  ");
                    s.push_str(&p.to_string());
                }
                s
            }
        }
    }
}

/// Result with the library's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
