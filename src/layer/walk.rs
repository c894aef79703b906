//! Walk one layer tar: normalize names, record whiteouts as data, hash each
//! regular file while reading it, resolve hardlinks within the layer, and note
//! every hostile or odd entry as a finding. Reads; never extracts.

use std::collections::HashMap;
use std::io::{self, Read};

use crate::error::Error;
use crate::finding::{Code, Finding};
use crate::limits::Limits;
use crate::path::{ImagePath, escape_bytes};

use super::content::{ContentError, read_content};
use super::device_finding;
use super::guard::TarGuard;
use super::{Entry, EntryType, LayerIndex, Whiteout};

/// Whiteout marker prefix (OCI image spec, layer.md).
const WH_PREFIX: &[u8] = b".wh.";
/// Reserved prefix for whiteout metadata.
const WH_META_PREFIX: &[u8] = b".wh..wh.";
/// Opaque directory marker.
const WH_OPAQUE: &[u8] = b".wh..wh..opq";

/// Where the walk is, for error messages, and the limits it obeys.
pub struct WalkContext<'a> {
    /// Human-readable location ("layer 2 (sha256:…)").
    pub location: String,
    pub limits: &'a Limits,
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
    let guarded = TarGuard::new(reader, ctx.limits.max_path_bytes as u64);
    let mut archive = tar::Archive::new(guarded);
    let result = walk_entries(&mut archive, ctx, index);
    let reader = archive.into_inner().into_inner();
    match result {
        Ok(()) => Ok(reader),
        Err(e) => Err((reader, e)),
    }
}

fn walk_entries<R: Read>(
    archive: &mut tar::Archive<R>,
    ctx: &WalkContext<'_>,
    index: &mut LayerIndex,
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
        let header = entry.header();
        let tar_type = header.entry_type();
        if tar_type.is_pax_global_extensions() {
            continue;
        }

        // Name: PAX sparse files (format 1.0) carry their real name in the PAX header.
        let mut raw_name = entry.path_bytes().into_owned();
        let mut pax_sparse = false;
        if let Ok(Some(exts)) = entry.pax_extensions() {
            for ext in exts.flatten() {
                match ext.key_bytes() {
                    b"GNU.sparse.name" => {
                        raw_name = ext.value_bytes().to_vec();
                        pax_sparse = true;
                    }
                    b"GNU.sparse.major" | b"GNU.sparse.map" => pax_sparse = true,
                    _ => {}
                }
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
            } else if name.starts_with(WH_META_PREFIX) || name == WH_PREFIX {
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
                if tar_type.is_gnu_sparse() || pax_sparse {
                    index.findings.push(
                        Finding::new(Code::SparseFile)
                            .at(&path)
                            .because(if pax_sparse {
                                "PAX sparse entry: hashed as stored (sparse map and data), not expanded"
                            } else {
                                "GNU sparse entry: hashed with its holes expanded to zeros"
                            }),
                    );
                }
                let read =
                    read_content(&mut entry, &path, limits, &mut buf).map_err(|e| match e {
                        ContentError::Io(e) => fmt_err(e),
                        ContentError::TooLarge => WalkError::Limit(Error::Limit {
                            // A sparse entry can expand far beyond the stream.
                            location: format!("{}: {}", ctx.location, path),
                            what: "expanded file size",
                            limit: limits.max_layer_bytes,
                            flag: "--max-layer-size",
                        }),
                    })?;
                if let Some(f) = read.truncation_finding(&path) {
                    index.findings.push(f);
                }
                read.fill(&mut e);
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
