//! Walk one layer tar: normalize names, record whiteouts as data, hash each
//! regular file while reading it, resolve hardlinks within the layer, and note
//! every hostile or odd entry as a finding. Reads; never extracts.

use std::collections::HashMap;
use std::io::{self, Read};
use std::sync::atomic::Ordering;

use crate::error::Error;
use crate::finding::{Code, Finding};
use crate::limits::Limits;
use crate::path::{ImagePath, escape_bytes};

use super::content::{ContentError, read_content};
use super::device_finding;
use super::guard::{SparseSlot, TarGuard};
use super::sparse::{PaxSparse, SparseMap, SparseReader, read_map_1_0};
use super::{Entry, EntryType, LayerIndex, Whiteout};

/// Whiteout marker prefix (OCI image spec, layer.md).
const WH_PREFIX: &[u8] = b".wh.";
/// Reserved prefix for whiteout metadata.
const WH_META_PREFIX: &[u8] = b".wh..wh.";
/// Whiteouts naming nothing, or `.`/`..` (which would delete the parent or
/// grandparent directory if taken literally): they delete nothing.
const WH_DOTS: &[&[u8]] = &[b".wh.", b".wh..", b".wh..."];
/// Opaque directory marker.
const WH_OPAQUE: &[u8] = b".wh..wh..opq";

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
    let (guarded, sparse) =
        TarGuard::new(reader, ctx.limits.max_path_bytes as u64).with_sparse(ctx.limits.max_entries);
    let mut archive = tar::Archive::new(guarded);
    let result = walk_entries(&mut archive, ctx, index, &sparse);
    let reader = archive.into_inner().into_inner();
    match result {
        Ok(()) => Ok(reader),
        Err(e) => Err((reader, e)),
    }
}

fn content_error(e: ContentError, path: &ImagePath, ctx: &WalkContext<'_>) -> WalkError {
    match e {
        ContentError::Io(e) => WalkError::Format(format!("tar: {path}: {e}")),
        ContentError::TooLarge => WalkError::Limit(Error::Limit {
            // A sparse entry can expand far beyond the stream.
            location: format!("{}: {}", ctx.location, path),
            what: "expanded file size",
            limit: ctx.limits.max_layer_bytes,
            flag: "--max-layer-size",
        }),
    }
}

/// Read a sparse file (GNU map from the guard, or PAX 0.0/0.1/1.0) expanded,
/// as an extractor would write it.
fn read_sparse<R: Read>(
    entry: &mut tar::Entry<'_, R>,
    gnu_map: Option<SparseMap>,
    pax: PaxSparse,
    path: &ImagePath,
    ctx: &WalkContext<'_>,
    index: &mut LayerIndex,
    buf: &mut [u8],
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
            limit: limits.max_image_bytes,
            flag: "--max-image-size",
        }));
    }
    let mut reader = SparseReader::new(entry, map);
    read_content(&mut reader, path, limits, buf).map_err(|e| content_error(e, path, ctx))
}

fn walk_entries<R: Read>(
    archive: &mut tar::Archive<R>,
    ctx: &WalkContext<'_>,
    index: &mut LayerIndex,
    gnu_sparse: &SparseSlot,
) -> Result<(), WalkError> {
    let limits = ctx.limits;
    let fmt_err = |e: io::Error| WalkError::Format(format!("tar: {e}"));
    // Position in `index.entries` of the last entry written at each path.
    let mut by_path: HashMap<ImagePath, usize> = HashMap::new();
    let mut count: u64 = 0;
    let mut buf = vec![0u8; 64 * 1024];

    for item in archive.entries().map_err(fmt_err)? {
        let mut entry = item.map_err(fmt_err)?;
        count += 1;
        if count > limits.max_entries {
            return Err(WalkError::Limit(Error::Limit {
                location: ctx.location.clone(),
                what: "entries in one layer",
                limit: limits.max_entries,
                flag: "--max-entries",
            }));
        }
        if ctx.image_entries.fetch_add(1, Ordering::Relaxed) >= limits.max_image_entries {
            return Err(WalkError::Limit(Error::Limit {
                location: ctx.location.clone(),
                what: "entries in the image",
                limit: limits.max_image_entries,
                flag: "--max-image-entries",
            }));
        }
        let header = entry.header();
        let tar_type = header.entry_type();
        if tar_type.is_pax_global_extensions() {
            continue;
        }

        // A GNU sparse entry's map, read by the guard as the header passed.
        let gnu_map = gnu_sparse.borrow_mut().take();
        // Name: PAX sparse files carry their real name in the PAX header.
        let mut raw_name = entry.path_bytes().into_owned();
        let mut pax = PaxSparse::default();
        if let Ok(Some(exts)) = entry.pax_extensions() {
            for ext in exts.flatten() {
                if ext.key_bytes() == b"GNU.sparse.name" {
                    raw_name = ext.value_bytes().to_vec();
                }
                pax.record(ext.key_bytes(), ext.value_bytes(), limits.max_entries)
                    .map_err(|e| WalkError::Format(format!("entry {count}: {e}")))?;
            }
        }
        if raw_name.len() > limits.max_path_bytes {
            return Err(WalkError::Limit(Error::Limit {
                location: format!("{}: entry {count}", ctx.location),
                what: "path length",
                limit: limits.max_path_bytes as u64,
                flag: "--max-path-bytes",
            }));
        }
        let (path, how) = ImagePath::normalize(&raw_name);
        let shown = escape_bytes(&raw_name);
        if how.escaped {
            index.findings.push(
                Finding::new(Code::PathTraversal)
                    .at(&path)
                    .because(format!("tar entry name {shown:?} climbs above the root")),
            );
        } else if how.absolute {
            index.findings.push(
                Finding::new(Code::AbsolutePath)
                    .at(&path)
                    .because(format!("tar entry name {shown:?} is absolute")),
            );
        }

        let header = entry.header();
        let mode = header.mode().unwrap_or(0) & 0o7777;
        let uid = header.uid().unwrap_or(0);
        let gid = header.gid().unwrap_or(0);

        // Whiteouts are data about lower layers, not entries.
        let name = path.file_name();
        if name.starts_with(WH_PREFIX) {
            let parent = path.parent();
            if name == WH_OPAQUE {
                index.whiteouts.push(Whiteout::Opaque(parent));
            } else if name.starts_with(WH_META_PREFIX) || WH_DOTS.contains(&name) {
                index
                    .findings
                    .push(
                        Finding::new(Code::MalformedWhiteout)
                            .at(&path)
                            .because(format!(
                                "whiteout marker {shown:?} ignored: deletes nothing"
                            )),
                    );
            } else {
                index
                    .whiteouts
                    .push(Whiteout::Path(parent.join(&name[WH_PREFIX.len()..])));
            }
            continue;
        }
        if path.is_root() {
            if !tar_type.is_dir() {
                index
                    .findings
                    .push(Finding::new(Code::Unanalyzable).at(&path).because(format!(
                        "non-directory entry {shown:?} names the root; skipped"
                    )));
            }
            continue; // "./" itself is the root's own metadata
        }

        let kind = match tar_type {
            t if t.is_file() || t.is_contiguous() || t.is_gnu_sparse() => EntryType::File,
            t if t.is_dir() => EntryType::Dir,
            t if t.is_symlink() => EntryType::Symlink,
            t if t.is_hard_link() => EntryType::Hardlink,
            t if t.is_character_special() => EntryType::Char,
            t if t.is_block_special() => EntryType::Block,
            t if t.is_fifo() => EntryType::Fifo,
            other => {
                index
                    .findings
                    .push(Finding::new(Code::Unanalyzable).at(&path).because(format!(
                        "tar entry type {:?} is not a file system object; skipped",
                        other.as_byte() as char
                    )));
                continue;
            }
        };

        let mut e = Entry::new(path.clone(), kind, mode, uid, gid);

        match kind {
            EntryType::File => {
                let read = if gnu_map.is_some() || pax.seen {
                    read_sparse(&mut entry, gnu_map, pax, &path, ctx, index, &mut buf)?
                } else {
                    read_content(&mut entry, &path, limits, &mut buf)
                        .map_err(|e| content_error(e, &path, ctx))?
                };
                if let Some(f) = read.truncation_finding(&path) {
                    index.findings.push(f);
                }
                read.fill(&mut e);
                index.budget_package_db(&mut e, limits);
            }
            EntryType::Symlink => {
                let target = entry
                    .link_name_bytes()
                    .map(|c| c.into_owned())
                    .unwrap_or_default();
                if !target.starts_with(b"/") {
                    let (_, how) =
                        ImagePath::normalize(&[path.parent().as_bytes(), b"/", &target].concat());
                    if how.escaped {
                        index.findings.push(
                            Finding::new(Code::SymlinkEscapesRoot)
                                .at(&path)
                                .because(format!(
                                    "symlink target {:?} climbs above the root",
                                    escape_bytes(&target)
                                )),
                        );
                    }
                }
                e.link = Some(target);
            }
            EntryType::Hardlink => {
                let raw = entry
                    .link_name_bytes()
                    .map(|c| c.into_owned())
                    .unwrap_or_default();
                let (target, how) = ImagePath::normalize(&raw);
                if how.escaped {
                    index
                        .findings
                        .push(Finding::new(Code::PathTraversal).at(&path).because(format!(
                            "hardlink target {:?} climbs above the root",
                            escape_bytes(&raw)
                        )));
                }
                // Within this layer: the target must come earlier in the tar.
                if let Some(&i) = by_path.get(&target) {
                    let t = &index.entries[i];
                    if t.kind.has_content() {
                        e.sha256 = t.sha256;
                        e.size = t.size;
                        e.content = t.content;
                        e.facts = t.facts.clone();
                        e.pkg = t.pkg.clone();
                    }
                }
                e.link = Some(target.as_bytes().to_vec());
            }
            EntryType::Char | EntryType::Block => {
                let h = entry.header();
                let dev = (
                    h.device_major().ok().flatten().unwrap_or(0),
                    h.device_minor().ok().flatten().unwrap_or(0),
                );
                e.device = Some(dev);
                index.findings.push(device_finding(&path, kind, dev));
            }
            EntryType::Dir | EntryType::Fifo => {}
        }

        if let Some(&prev) = by_path.get(&path) {
            let p = &index.entries[prev];
            if !(p.kind == EntryType::Dir && kind == EntryType::Dir) {
                index.findings.push(
                    Finding::new(Code::DuplicateEntry)
                        .at(&path)
                        .because(format!(
                            "written as {} then as {} in the same layer",
                            p.kind.as_str(),
                            kind.as_str()
                        )),
                );
            }
        }
        by_path.insert(path, index.entries.len());
        index.entries.push(e);
    }
    Ok(())
}

#[cfg(test)]
mod tests;
