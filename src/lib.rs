//! Stowaway: a container image integrity scanner that finds what lets an
//! adversary move files into or out of a container (MITRE ATT&CK T1105,
//! Ingress Tool Transfer), even when renamed or hidden in image history.
//!
//! The data flows one way:
//!
//! ```text
//! ImageRef ─► source ─► Image (verified manifest, config, layer list)
//!          ─► layer  ─► LayerIndex per layer (one streaming pass: inflate, verify, tar, sha256)
//!          ─► fs     ─► ImageFs (squashed view, provenance, hidden files)
//!          ─► analyze ─► findings
//!          ─► report ─► table / JSON / SARIF
//! ```
//!
//! ```no_run
//! let scan = stowaway::scan("oci:examples/demo-image", &Default::default())?;
//! for f in &scan.findings {
//!     println!("{} {}", f.code, f.path.as_ref().map(|p| p.display()).unwrap_or_default());
//! }
//! # Ok::<(), stowaway::Error>(())
//! ```

#![warn(clippy::too_many_lines)]

pub mod analyze;
pub mod baseline;
pub mod catalog;
pub mod delta;
pub mod digest;
pub mod drift;
pub mod error;
pub mod facts;
pub mod finding;
#[cfg(feature = "fixture")]
pub mod fixture;
pub mod fs;
pub mod gate;
pub mod inspect;
pub mod layer;
pub mod limits;
pub mod packages;
pub mod path;
pub mod policy;
pub mod report;
pub mod scan;
#[cfg(feature = "serve")]
pub mod serve;
pub mod source;
pub mod time;

pub use error::{Error, Result};
pub use finding::{Code, Finding, Integrity, PackageRef, Severity};
pub use limits::Limits;
pub use scan::{Scan, ScanOptions, scan};
