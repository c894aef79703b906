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
//! ## Layers
//!
//! Each module uses only modules on the lines above its own; modules on one
//! line do not use each other. `tests/architecture.rs` reads the sources and
//! fails on an import cycle, an upward import, or a module missing here.
//!
//! ```text
//! model limits time              vocabulary: values every stage names; imports nothing
//! digest error                   computing sha256 (the value is model's); typed errors
//! finding                        finding codes, Finding and its fingerprint
//! catalog                        the knowledge: tools, markers, command rules
//! inspect                        what a file's content does (binaries, scripts)
//! layer                          one streaming pass per layer: LayerIndex
//! source fs fixture              images from their transports; the squashed view; test images
//! packages                       package databases read from the squashed view
//! analyze                        findings from the view, the layers and the config
//! scan                           the pipeline: source, layer, fs, packages, analyze
//! facts                          what is stored about an image
//! delta baseline                 comparing facts; the SQLite store
//! policy                         allow, warn or deny each finding
//! gate drift                     verdicts on an image and on a running container
//! report                         typed output documents and renderers: table, JSON, SARIF
//! serve                          `stowaway serve`: webhook server, durable queue (front end)
//! audit                          `stowaway audit`: cluster inventory, one scan per digest, shards, history (front end)
//! ```
//!
//! `crate::path` is the vocabulary's `model::path`, re-exported (the checker
//! counts a use of it as a use of `model`).
//!
//! The binary (`main.rs`, `cli/`) is the front end on top of all of them.
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
pub mod audit;
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
pub mod model;
pub mod packages;
pub use model::path;
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
pub use model::Verdict;
pub use scan::{Scan, ScanOptions, scan};
