//! Walk one layer tar: normalize names, record whiteouts as data, hash and
//! inspect each regular file while reading it (or, in the layer pass, queue
//! it for the workers and seek past it), resolve hardlinks within the
//! layer, and note every hostile or odd entry as a finding. Reads; never
//! extracts.

use std::collections::HashMap;
use std::io::{self, Read};
use std::sync::atomic::Ordering;

use crate::error::Error;
use crate::finding::{Code, Finding};
use crate::limits::{Limit, Limits};
use crate::path::{ImagePath, escape_bytes};

use super::content::{ContentError, read_content_planned};
use super::device_finding;
use super::guard::{SparseSlot, TarGuard};
use super::kind::{record_content, record_marker, tar_kind};
use super::pkgfile::{DigestPlan, PkgDigests, needs_digests};
use super::ranged::{Chunks, Job, Tap, TapReader};
use super::sparse::{PaxSparse, SparseMap, SparseReader, read_map_1_0};
use super::{Entry, EntryType, LayerIndex};

/// Where the walk is, for error messages, and the limits it obeys.
pub struct WalkContext<'a> {
    /// Human-readable location ("layer 2 (sha256:…)").
    pub location: String,
    pub limits: &'a Limits,
    /// Decompressed bytes of the whole image so far (sparse holes count).
    pub image_bytes: &'a std::sync::atomic::AtomicU64,
    /// Entries of the whole image so far.
    pub image_entries: &'a std::sync::atomic::AtomicU64,
}

/// Why a walk stopped early.
#[derive(Debug)]
pub enum WalkError {
    /// The tar stream is malformed: the caller drains the stream and checks
    /// digests first (corruption explains a broken tar better).
    Format(String),
    /// A limit was hit: stop reading at once.
    Limit(Error),
}

/// Walk a tar stream and fill `index` with its entries, whiteouts and
/// findings. The stream is consumed up to the end-of-archive marker (or EOF
/// when the trailer is missing); the caller drains what follows.
pub fn walk_tar<R: Read>(
    reader: R,
    ctx: &WalkContext<'_>,
    index: &mut LayerIndex,
) -> Result<R, (R, WalkError)> {
    let (guarded, sparse) = guard(reader, ctx);
    let mut archive = tar::Archive::new(guarded);
    let result = match archive.entries() {
        Ok(entries) => walk_entries(entries, ctx, index, &sparse, None),
        Err(e) => Err(fmt_err(e)),
    };
    give_back(archive, result)
}

/// [`walk_tar`] over a [`TapReader`]: the files' digests and their
/// inspection are queued on `tap` for the workers, and their data is
/// skipped, not read (sparse and empty files excepted); the caller fills
/// the answers in.
// Once per layer: the reader goes back by value, as `walk_tar`'s does.
#[allow(clippy::result_large_err)]
pub(super) fn walk_tar_tapped<S: Chunks>(
    reader: TapReader<S>,
    ctx: &WalkContext<'_>,
    index: &mut LayerIndex,
    tap: &Tap,
) -> Result<TapReader<S>, (TapReader<S>, WalkError)> {
    let (guarded, sparse) = guard(reader, ctx);
    let mut archive = tar::Archive::new(guarded);
    let result = match archive.entries_with_seek() {
        Ok(entries) => walk_entries(entries, ctx, index, &sparse, Some(tap)),
        Err(e) => Err(fmt_err(e)),
    };
    give_back(archive, result)
}

fn guard<R: Read>(reader: R, ctx: &WalkContext<'_>) -> (TarGuard<R>, SparseSlot) {
    TarGuard::new(reader, ctx.limits.max_path_bytes as u64).with_sparse(ctx.limits.max_entries)
}

fn fmt_err(e: io::Error) -> WalkError {
    WalkError::Format(format!("tar: {e}"))
}

/// The stream back from the parser, with the walk's outcome.
fn give_back<R: Read>(
    archive: tar::Archive<TarGuard<R>>,
    result: Result<(), WalkError>,
) -> Result<R, (R, WalkError)> {
    let reader = archive.into_inner().into_inner();
    match result {
        Ok(()) => Ok(reader),
        Err(e) => Err((reader, e)),
    }
}

pub(super) fn content_error(e: ContentError, path: &ImagePath, ctx: &WalkContext<'_>) -> WalkError {
    match e {
        ContentError::Io(e) => WalkError::Format(format!("tar: {path}: {e}")),
        ContentError::TooLarge => WalkError::Limit(Error::Limit {
            // A sparse entry can expand far beyond the stream.
            location: format!("{}: {}", ctx.location, path),
            what: "expanded file size",
            limit: Limit::LayerSize,
            max: ctx.limits.max_layer_bytes,
        }),
    }
}

/// Read a sparse file (GNU map from the guard, or PAX 0.0/0.1/1.0) expanded,
/// as an extractor would write it, with the package digests `pkg`.
#[allow(clippy::too_many_arguments)]
fn read_sparse<R: Read>(
    entry: &mut tar::Entry<'_, R>,
    gnu_map: Option<SparseMap>,
    pax: PaxSparse,
    path: &ImagePath,
    ctx: &WalkContext<'_>,
    index: &mut LayerIndex,
    buf: &mut [u8],
    pkg: PkgDigests,
) -> Result<super::ContentRead, WalkError> {
    let limits = ctx.limits;
    let bad = |m: String| WalkError::Format(format!("tar: sparse file {path}: {m}"));
    let stored = entry.size();
    let (format, map, data) = match gnu_map {
        Some(map) => ("GNU", map, stored),
        None => {
            let real_size = pax
                .real_size
                .ok_or_else(|| bad("PAX sparse entry without GNU.sparse.size/realsize".into()))?;
            if pax.map_in_data() {
                let mut map = SparseMap {
                    segments: Vec::new(),
                    real_size,
                };
                let used = read_map_1_0(entry, &mut map, limits.max_entries)
                    .map_err(|e| bad(e.to_string()))?;
                ("PAX 1.0", map, stored.saturating_sub(used))
            } else {
                let mut map = pax.map;
                map.real_size = real_size;
                let f = if pax.map_record { "PAX 0.1" } else { "PAX 0.0" };
                (f, map, stored)
            }
        }
    };
    map.validate().map_err(|e| bad(e.to_string()))?;
    if map.data_bytes() != data {
        return Err(bad(format!(
            "its map lists {} data bytes, the entry stores {data}",
            map.data_bytes()
        )));
    }
    index
        .findings
        .push(Finding::new(Code::SparseFile).at(path).because(format!(
            "{format} sparse entry: {} bytes stored in {} segments, expanded to {} bytes \
                 (hashed and inspected expanded)",
            data,
            map.segments.len(),
            map.real_size
        )));
    // Judge the expanded size before hashing a single zero.
    if map.real_size > limits.max_layer_bytes {
        return Err(content_error(ContentError::TooLarge, path, ctx));
    }
    let holes = map.real_size - data;
    let total = ctx.image_bytes.fetch_add(holes, Ordering::Relaxed) + holes;
    if total > limits.max_image_bytes {
        return Err(WalkError::Limit(Error::Limit {
            location: format!("{}: {}", ctx.location, path),
            what: "decompressed image size (sparse files expanded)",
            limit: Limit::ImageSize,
            max: limits.max_image_bytes,
        }));
    }
    let mut reader = SparseReader::new(entry, map);
    read_content_planned(&mut reader, path, limits, buf, pkg)
        .map_err(|e| content_error(e, path, ctx))
}

/// The state of one layer's walk.
struct Walker<'c, 'i> {
    ctx: &'c WalkContext<'c>,
    index: &'i mut LayerIndex,
    /// Position in `index.entries` of the last entry written at each path.
    by_path: HashMap<ImagePath, usize>,
    /// Entries seen so far (the 1-based number of the current one).
    count: u64,
    buf: Vec<u8>,
    /// Where files' digests are queued, when workers compute them.
    tap: Option<&'c Tap>,
    /// Which package digests the workers compute, from the entries so far.
    plan: DigestPlan,
}

fn walk_entries<R: Read>(
    entries: tar::Entries<'_, R>,
    ctx: &WalkContext<'_>,
    index: &mut LayerIndex,
    gnu_sparse: &SparseSlot,
    tap: Option<&Tap>,
) -> Result<(), WalkError> {
    let mut w = Walker {
        ctx,
        index,
        by_path: HashMap::new(),
        count: 0,
        buf: vec![0u8; 64 * 1024],
        tap,
        plan: DigestPlan::default(),
    };
    for item in entries {
        let entry = item.map_err(fmt_err)?;
        w.count_entry()?;
        if entry.header().entry_type().is_pax_global_extensions() {
            continue;
        }
        // A GNU sparse entry's map, read by the guard as the header passed.
        let gnu_map = gnu_sparse.borrow_mut().take();
        w.entry(entry, gnu_map)?;
    }
    Ok(())
}

impl Walker<'_, '_> {
    fn limit(&self, limit: Limit, location: String) -> WalkError {
        WalkError::Limit(Error::limit(limit, location, self.ctx.limits.get(limit)))
    }

    /// Count one more entry against the layer's and the image's limits.
    fn count_entry(&mut self) -> Result<(), WalkError> {
        let limits = self.ctx.limits;
        self.count += 1;
        if self.count > limits.max_entries {
            return Err(self.limit(Limit::Entries, self.ctx.location.clone()));
        }
        if self.ctx.image_entries.fetch_add(1, Ordering::Relaxed) >= limits.max_image_entries {
            return Err(self.limit(Limit::ImageEntries, self.ctx.location.clone()));
        }
        Ok(())
    }

    /// One tar entry (not a PAX global header) into the index.
    fn entry<R: Read>(
        &mut self,
        mut entry: tar::Entry<'_, R>,
        gnu_map: Option<SparseMap>,
    ) -> Result<(), WalkError> {
        let (raw_name, pax) = self.name_of(&mut entry)?;
        let path = self.normalize(&raw_name);
        // Whiteouts are data about lower layers, not entries.
        if record_marker(&path, &raw_name, self.index) {
            return Ok(());
        }
        self.plan.see(&path);
        let tar_type = entry.header().entry_type();
        if path.is_root() {
            if !tar_type.is_dir() {
                let shown = escape_bytes(&raw_name);
                self.skip(
                    &path,
                    format!("non-directory entry {shown:?} names the root"),
                );
            }
            return Ok(()); // "./" itself is the root's own metadata
        }
        let Some(kind) = tar_kind(tar_type) else {
            let t = tar_type.as_byte() as char;
            self.skip(
                &path,
                format!("tar entry type {t:?} is not a file system object"),
            );
            return Ok(());
        };
        let header = entry.header();
        let mode = header.mode().unwrap_or(0) & 0o7777;
        let uid = header.uid().unwrap_or(0);
        let gid = header.gid().unwrap_or(0);
        let mut e = Entry::new(path.clone(), kind, mode, uid, gid);
        match kind {
            EntryType::File => self.file(&mut entry, gnu_map, pax, &mut e)?,
            EntryType::Symlink => self.symlink(&entry, &mut e),
            EntryType::Hardlink => self.hardlink(&entry, &mut e),
            EntryType::Char | EntryType::Block => self.device(&entry, &mut e),
            EntryType::Dir | EntryType::Fifo => {}
        }
        self.push(e);
        Ok(())
    }

    /// The entry's raw name (PAX sparse files carry their real name in the
    /// PAX header) and its PAX sparse records; the name within
    /// `--max-path-bytes`.
    fn name_of<R: Read>(
        &self,
        entry: &mut tar::Entry<'_, R>,
    ) -> Result<(Vec<u8>, PaxSparse), WalkError> {
        let limits = self.ctx.limits;
        let mut raw_name = entry.path_bytes().into_owned();
        let mut pax = PaxSparse::default();
        if let Ok(Some(exts)) = entry.pax_extensions() {
            for ext in exts.flatten() {
                if ext.key_bytes() == b"GNU.sparse.name" {
                    raw_name = ext.value_bytes().to_vec();
                }
                pax.record(ext.key_bytes(), ext.value_bytes(), limits.max_entries)
                    .map_err(|e| WalkError::Format(format!("entry {}: {e}", self.count)))?;
            }
        }
        if raw_name.len() > limits.max_path_bytes {
            let location = format!("{}: entry {}", self.ctx.location, self.count);
            return Err(self.limit(Limit::PathBytes, location));
        }
        Ok((raw_name, pax))
    }

    /// The image path of a raw name; a name that climbs above the root or
    /// is absolute is a finding.
    fn normalize(&mut self, raw_name: &[u8]) -> ImagePath {
        let (path, how) = ImagePath::normalize(raw_name);
        let shown = escape_bytes(raw_name);
        let finding = if how.escaped {
            Finding::new(Code::PathTraversal)
                .because(format!("tar entry name {shown:?} climbs above the root"))
        } else if how.absolute {
            Finding::new(Code::AbsolutePath)
                .because(format!("tar entry name {shown:?} is absolute"))
        } else {
            return path;
        };
        self.index.findings.push(finding.at(&path));
        path
    }

    /// An entry not recorded, and why.
    fn skip(&mut self, path: &ImagePath, why: String) {
        let finding = Finding::new(Code::Unanalyzable).at(path);
        self.index
            .findings
            .push(finding.because(format!("{why}; skipped")));
    }

    fn file<R: Read>(
        &mut self,
        entry: &mut tar::Entry<'_, R>,
        gnu_map: Option<SparseMap>,
        pax: PaxSparse,
        e: &mut Entry,
    ) -> Result<(), WalkError> {
        let (ctx, path) = (self.ctx, &e.path);
        let which = self.plan.digests();
        let sparse = gnu_map.is_some() || pax.seen;
        if let Some(tap) = self.tap.filter(|_| !sparse && entry.size() > 0) {
            // The data starts here (the parser reads headers exactly, never
            // ahead). The workers take it from the chunks; the parser seeks
            // past it.
            let job = Job {
                slot: self.index.entries.len(),
                start: tap.pos(),
                len: entry.size(),
                pkg: which,
            };
            tap.queue(job, needs_digests(path), path.clone());
            e.size = job.len;
            e.sha256 = None; // until the workers answer
            return Ok(());
        }
        let read = if sparse {
            read_sparse(
                entry,
                gnu_map,
                pax,
                path,
                ctx,
                self.index,
                &mut self.buf,
                which,
            )?
        } else {
            read_content_planned(entry, path, ctx.limits, &mut self.buf, which)
                .map_err(|err| content_error(err, path, ctx))?
        };
        record_content(read, e, self.index, ctx.limits);
        Ok(())
    }

    /// A symlink keeps its target as written; a relative target that climbs
    /// above the root is a finding.
    fn symlink<R: Read>(&mut self, entry: &tar::Entry<'_, R>, e: &mut Entry) {
        let target = entry
            .link_name_bytes()
            .map(|c| c.into_owned())
            .unwrap_or_default();
        if !target.starts_with(b"/") {
            let joined = [e.path.parent().as_bytes(), b"/", &target].concat();
            if ImagePath::normalize(&joined).1.escaped {
                let shown = escape_bytes(&target);
                self.index.findings.push(
                    Finding::new(Code::SymlinkEscapesRoot)
                        .at(&e.path)
                        .because(format!("symlink target {shown:?} climbs above the root")),
                );
            }
        }
        e.link = Some(target);
    }

    /// A hardlink takes its target's content when the target came earlier
    /// in this layer.
    fn hardlink<R: Read>(&mut self, entry: &tar::Entry<'_, R>, e: &mut Entry) {
        let raw = entry
            .link_name_bytes()
            .map(|c| c.into_owned())
            .unwrap_or_default();
        let (target, how) = ImagePath::normalize(&raw);
        if how.escaped {
            let shown = escape_bytes(&raw);
            self.index.findings.push(
                Finding::new(Code::PathTraversal)
                    .at(&e.path)
                    .because(format!("hardlink target {shown:?} climbs above the root")),
            );
        }
        if let Some(&i) = self.by_path.get(&target) {
            let t = &self.index.entries[i];
            if t.kind.has_content() {
                if let Some(tap) = self.tap {
                    tap.link(self.index.entries.len(), i);
                }
                e.sha256 = t.sha256;
                e.size = t.size;
                e.content = t.content;
                e.facts = t.facts.clone();
                e.pkg = t.pkg.clone();
            }
        }
        e.link = Some(target.as_bytes().to_vec());
    }

    fn device<R: Read>(&mut self, entry: &tar::Entry<'_, R>, e: &mut Entry) {
        let h = entry.header();
        let dev = (
            h.device_major().ok().flatten().unwrap_or(0),
            h.device_minor().ok().flatten().unwrap_or(0),
        );
        e.device = Some(dev);
        self.index
            .findings
            .push(device_finding(&e.path, e.kind, dev));
    }

    /// Record `e`; a path written twice in one layer (other than a
    /// directory written again) is a finding.
    fn push(&mut self, e: Entry) {
        if let Some(&prev) = self.by_path.get(&e.path) {
            let p = &self.index.entries[prev];
            if !(p.kind == EntryType::Dir && e.kind == EntryType::Dir) {
                let why = format!(
                    "written as {} then as {} in the same layer",
                    p.kind.as_str(),
                    e.kind.as_str()
                );
                let finding = Finding::new(Code::DuplicateEntry).at(&e.path).because(why);
                self.index.findings.push(finding);
            }
        }
        self.by_path
            .insert(e.path.clone(), self.index.entries.len());
        self.index.entries.push(e);
    }
}

#[cfg(test)]
mod tests;
