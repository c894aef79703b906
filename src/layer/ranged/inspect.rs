//! The inspection worker: what the walk used to learn by reading each file
//! itself (its kind from the head; for the binaries and scripts the
//! inspectors want, the facts; the bytes of package databases), learned
//! here from the stream's chunks, by range, beside the walk. The walk then
//! only parses headers and seeks past data, and inspection (string scans,
//! entropy, script rules, the automata they build on first use) no longer
//! holds up the tar parser and the digest workers behind it.
//!
//! Each file goes through the same one-pass reader the inline walks use
//! ([`Deferred`]), so the facts are the ones an inline read would give.

use std::sync::mpsc::Receiver;

use super::{Batch, InOrder, Job, Span};
use crate::layer::content::{ContentError, ContentRead, Deferred};
use crate::limits::Limits;
use crate::path::ImagePath;

/// One file for the inspection worker: its range and its path.
pub struct InspectJob {
    pub job: Job,
    pub path: ImagePath,
}

impl Span for InspectJob {
    fn slot(&self) -> usize {
        self.job.slot
    }
    fn start(&self) -> u64 {
        self.job.start
    }
    fn end(&self) -> u64 {
        self.job.end()
    }
}

/// A file's pass: what it learned, or why it stopped.
pub type Inspected = Result<ContentRead, ContentError>;

/// One open file: its pass until the first error.
struct Open<'l> {
    pass: Deferred<'l>,
    failed: Option<ContentError>,
}

/// Run the worker until the walk hangs up: each job's range through its
/// own pass as its chunks go by; the answers by slot, in stream order.
pub fn work_inspect(rx: Receiver<Batch<InspectJob>>, limits: &Limits) -> Vec<(usize, Inspected)> {
    let mut in_order = InOrder::<Open<'_>, InspectJob>::new();
    let mut out = Vec::new();
    for Batch { jobs, start, chunk } in rx {
        in_order.pending.extend(jobs);
        let end = start + chunk.len() as u64;
        let at = |o: u64| (o - start) as usize;
        in_order.each_range(
            (start, end),
            |job| Open {
                pass: Deferred::new(std::mem::take(&mut job.path), limits, job.job.len),
                failed: None,
            },
            |open, a, b| {
                if a < b
                    && open.failed.is_none()
                    && let Err(e) = open.pass.feed(&chunk[at(a)..at(b)])
                {
                    open.failed = Some(e);
                }
            },
            |slot, open| {
                out.push((
                    slot,
                    match open.failed {
                        Some(e) => Err(e),
                        None => Ok(open.pass.finish()),
                    },
                ))
            },
        );
    }
    out
}
