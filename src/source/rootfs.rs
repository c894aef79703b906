//! A root file system directory on the host (`dir:PATH`), read as one layer.
//! Symlinks are recorded, never followed; special files are recorded; files
//! that cannot be read become findings. Host paths are never written.
//!
//! The tree may belong to a running container that changes it while it is
//! read, so it is walked by descriptors (see [`super::fdwalk`]: a directory
//! swapped for a symlink is never entered), and file contents are opened
//! relative to their directory's descriptor
//! (see [`super::confined`]: no symlink in any component, `O_NONBLOCK`, the
//! opened descriptor's own `fstat` must say regular file): a file swapped
//! for a FIFO or for a symlink to a host file is reported, never waited on
//! or followed. Filesystems mounted inside the tree are reported as not
//! walked. The opened files are read (hashed, inspected) on worker threads
//! ([`super::readpool`]) and their results taken back in walk order: the
//! index, its findings included, is the same as one thread's.

use std::fs::File;
use std::io;
use std::os::fd::OwnedFd;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use crate::error::{Error, Result};
use crate::finding::{Code, Finding};
use crate::layer::kind::{is_overlay_whiteout, mode_kind};
use crate::layer::{Entry, EntryType, LayerIndex, Whiteout, device_finding};
use crate::limits::{Limit, Limits};
use crate::path::ImagePath;

use super::fdwalk::{self, Visit};
use super::readpool::ReadPool;

/// Walk `root` into a layer index.
///
/// The MD5 and SHA-1 package managers record are computed only when the
/// tree holds a package database (they are a root filesystem's slowest
/// step, and without a database nothing reads them); should a database
/// appear while a tree without one is walked, the tree is walked again
/// with them.
pub fn walk(root: &Path, limits: &Limits) -> Result<LayerIndex> {
    let digests = may_hold_package_db(root);
    let index = walk_tree(root, limits, false, digests)?;
    if !digests && holds_package_db(&index) {
        return walk_tree(root, limits, false, true);
    }
    Ok(index)
}

/// Paths under which every package database file lies (see
/// [`crate::layer::is_package_db`]).
const PACKAGE_DB_PLACES: [&str; 4] = [
    "var/lib/dpkg",
    "lib/apk/db/installed",
    "var/lib/rpm/rpmdb.sqlite",
    "usr/lib/sysimage/rpm/rpmdb.sqlite",
];

/// Might `root` hold a package database? (Anything at one of the places,
/// or a place that cannot be looked at, says yes.)
fn may_hold_package_db(root: &Path) -> bool {
    PACKAGE_DB_PLACES.iter().any(|p| {
        std::fs::symlink_metadata(root.join(p))
            .map_or_else(|e| e.kind() != io::ErrorKind::NotFound, |_| true)
    })
}

/// Did the walk record a package database file?
fn holds_package_db(index: &LayerIndex) -> bool {
    index
        .entries
        .iter()
        .any(|e| e.kind == EntryType::File && crate::layer::is_package_db(&e.path))
}

/// Walk an overlayfs upper (writable) directory into a layer index whose
/// whiteouts are overlay's: 0/0 character devices delete a lower path, and
/// directories marked `trusted.overlay.opaque` / `user.overlay.opaque` = `y`
/// hide everything below them in the lower layers.
pub fn walk_upper(root: &Path, limits: &Limits) -> Result<LayerIndex> {
    // The database is in the lower layers: every file needs its digests.
    walk_tree(root, limits, true, true)
}

fn walk_tree(root: &Path, limits: &Limits, overlay: bool, pkg_digests: bool) -> Result<LayerIndex> {
    let meta = std::fs::metadata(root).map_err(|e| Error::io(root, e))?;
    if !meta.is_dir() {
        return Err(Error::source(root.display().to_string(), "not a directory"));
    }
    let root_fd = super::confined::open_root(root).map_err(|e| Error::io(root, e))?;
    let mut w = TreeWalk {
        root,
        limits,
        overlay,
        root_dev: meta.dev(),
        index: LayerIndex::default(),
        count: 0,
        pool: ReadPool::new(limits, pkg_digests),
        late: Vec::new(),
    };
    fdwalk::walk(root_fd, |visit| match visit {
        Visit::Error { rel, error } => {
            let mut f = Finding::new(Code::Unanalyzable).because(format!(
                "cannot read: {}",
                super::confined::describe(&error)
            ));
            if !rel.is_empty() {
                f.path = Some(ImagePath::new(rel));
            }
            w.index.findings.push(f);
            Ok(false)
        }
        Visit::Entry {
            rel,
            stat,
            parent,
            name,
            dir,
        } => {
            let descend = w.entry(ImagePath::new(rel), stat, parent, name, dir);
            w.take_results(false);
            descend
        }
    })?;
    w.take_results(true);
    let late = std::mem::take(&mut w.late);
    w.index.findings = merge_findings(std::mem::take(&mut w.index.findings), late);
    Ok(w.index)
}

/// Insert the file findings (each with the number of walk findings before
/// it) among the walk's own, where a one-thread walk would have put them.
fn merge_findings(walk: Vec<Finding>, late: Vec<(usize, Finding)>) -> Vec<Finding> {
    let mut out = Vec::with_capacity(walk.len() + late.len());
    let mut walk = walk.into_iter();
    let mut taken = 0;
    for (pos, f) in late {
        while taken < pos {
            out.extend(walk.next());
            taken += 1;
        }
        out.push(f);
    }
    out.extend(walk);
    out
}

/// A file handed to the readers: its entry, where its findings go, its size.
struct Pending {
    slot: usize,
    findings_at: usize,
    size: u64,
}

/// The state of one tree walk.
struct TreeWalk<'a> {
    root: &'a Path,
    limits: &'a Limits,
    overlay: bool,
    root_dev: u64,
    index: LayerIndex,
    count: u64,
    pool: ReadPool<Pending>,
    /// Findings of files read by the pool: (walk findings before it, finding).
    late: Vec<(usize, Finding)>,
}

impl TreeWalk<'_> {
    /// Record one name; returns whether to descend into it.
    fn entry(
        &mut self,
        path: ImagePath,
        stat: &fdwalk::Stat,
        parent: &OwnedFd,
        name: &std::ffi::CStr,
        dir: Option<&OwnedFd>,
    ) -> Result<bool> {
        self.count += 1;
        if self.count > self.limits.max_entries {
            return Err(Error::limit(
                Limit::Entries,
                self.root.display().to_string(),
                self.limits.max_entries,
            ));
        }
        let index = &mut self.index;
        // Mounts inside the tree (/proc, /sys, /dev, tmpfs, volumes) are not
        // the image's content: say so rather than skip them silently.
        if stat.kind() == libc::S_IFDIR && stat.dev != self.root_dev {
            index.findings.push(
                Finding::new(Code::Unanalyzable)
                    .at(&path)
                    .because("another filesystem is mounted here; not walked"),
            );
            return Ok(false);
        }
        let Some(kind) = mode_kind(stat.mode) else {
            index.findings.push(
                Finding::new(Code::Unanalyzable)
                    .at(&path)
                    .because("socket or unknown file type; skipped"),
            );
            return Ok(false);
        };
        if self.overlay {
            if is_overlay_whiteout(kind, stat.rdev) {
                index.whiteouts.push(Whiteout::Path(path));
                return Ok(false);
            }
            if kind == EntryType::Dir && dir.is_some_and(fdwalk::is_opaque_fd) {
                index.whiteouts.push(Whiteout::Opaque(path.clone()));
            }
        }
        let mut e = Entry::new(
            path,
            kind,
            stat.mode & 0o7777,
            stat.uid as u64,
            stat.gid as u64,
        );
        let opened = self.content(&mut e, stat, parent, name);
        let pending = Pending {
            slot: self.index.entries.len(),
            findings_at: self.index.findings.len(),
            size: stat.size,
        };
        let path = e.path.clone();
        self.index.entries.push(e);
        if let Some(opened) = opened {
            self.pool
                .push(pending, opened.map(|f| (f, path)), self.limits);
        }
        Ok(kind == EntryType::Dir)
    }

    /// Fill in the entries of files the pool has read, in walk order
    /// (waiting for all of them when `all`).
    fn take_results(&mut self, all: bool) {
        // Out of the index for the loop (the package budget is the index's).
        let mut entries = std::mem::take(&mut self.index.entries);
        while let Some((p, outcome)) = self.pool.next(all) {
            let e = &mut entries[p.slot];
            match outcome {
                // As `kind::record_content`, with the finding put where a
                // one-thread walk would have.
                Ok(read) => {
                    if let Some(f) = read.truncation_finding(&e.path) {
                        self.late.push((p.findings_at, f));
                    }
                    read.fill(e);
                    self.index.budget_package_db(e, self.limits);
                }
                Err(err) => {
                    e.size = p.size;
                    let f = Finding::new(Code::Unanalyzable)
                        .at(&e.path)
                        .because(format!("cannot read: {err}"));
                    self.late.push((p.findings_at, f));
                }
            }
        }
        self.index.entries = entries;
    }

    /// Fill in what the kind of entry has: link target, device; a file is
    /// opened (its content is read by the pool).
    fn content(
        &mut self,
        e: &mut Entry,
        stat: &fdwalk::Stat,
        parent: &OwnedFd,
        name: &std::ffi::CStr,
    ) -> Option<io::Result<File>> {
        let index = &mut self.index;
        match e.kind {
            EntryType::File => return Some(open_file(parent, name.to_bytes())),
            EntryType::Symlink => {
                e.link = fdwalk::readlink_at(parent, name).ok();
            }
            EntryType::Char | EntryType::Block => {
                let dev = (libc_major(stat.rdev), libc_minor(stat.rdev));
                e.device = Some(dev);
                index.findings.push(device_finding(&e.path, e.kind, dev));
            }
            _ => {}
        }
        None
    }
}

fn open_file(parent: &OwnedFd, name: &[u8]) -> io::Result<File> {
    // The walk saw a regular file; it may have been swapped since (for a
    // FIFO, a symlink, a directory): open it without following anything,
    // without blocking, and check the descriptor, never the path.
    super::confined::open_beneath(parent, name, super::confined::Want::File)
        .map_err(|e| io::Error::new(e.kind(), super::confined::describe(&e)))
}

fn libc_major(dev: u64) -> u32 {
    (((dev >> 32) & 0xffff_f000) | ((dev >> 8) & 0x0000_0fff)) as u32
}

fn libc_minor(dev: u64) -> u32 {
    (((dev >> 12) & 0xffff_ff00) | (dev & 0x0000_00ff)) as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::Hasher;

    /// Files read by the pool finish out of order; the index must be the
    /// one a one-thread walk makes: entries in walk order, each file's
    /// digest its own, and file findings (truncation) interleaved with walk
    /// findings (sockets) in walk order.
    #[test]
    fn pooled_reads_keep_walk_order() {
        let dir = tempfile::tempdir().unwrap();
        let limits = Limits {
            max_file_buffer: 4096,
            ..Limits::default()
        };
        for d in 0..12 {
            let sub = dir.path().join(format!("d{d:02}"));
            std::fs::create_dir(&sub).unwrap();
            let mut script = b"#!/bin/sh\n".to_vec();
            script.resize(5000 + d * 70_000, b'#');
            std::fs::write(sub.join("a.sh"), &script).unwrap();
            let _sock = std::os::unix::net::UnixListener::bind(sub.join("b.sock")).unwrap();
            std::fs::write(sub.join("c.txt"), format!("small {d}")).unwrap();
        }
        let index = walk(dir.path(), &limits).unwrap();
        let paths: Vec<String> = index.entries.iter().map(|e| e.path.to_string()).collect();
        let mut sorted = paths.clone();
        sorted.sort();
        assert_eq!(paths, sorted, "pre-order, names sorted");
        assert_eq!(index.entries.len(), 12 * 3);
        for e in &index.entries {
            if e.kind == EntryType::File {
                let rel = String::from_utf8_lossy(e.path.as_bytes()).into_owned();
                let bytes = std::fs::read(dir.path().join(rel)).unwrap();
                let mut h = Hasher::new();
                h.update(&bytes);
                assert_eq!(e.sha256, Some(h.finish()), "{}", e.path);
                assert_eq!(e.size, bytes.len() as u64);
            }
        }
        let found: Vec<String> = index
            .findings
            .iter()
            .map(|f| f.path.as_ref().unwrap().to_string())
            .collect();
        let want: Vec<String> = (0..12)
            .flat_map(|d| [format!("/d{d:02}/a.sh"), format!("/d{d:02}/b.sock")])
            .collect();
        assert_eq!(found, want);
    }

    /// MD5 and SHA-1 only where a package database can check them: a tree
    /// without one records none (never zeros a check would read), a tree
    /// with one records every file's, and an upper directory (whose
    /// database is below it) always does.
    #[test]
    fn package_digests_only_with_a_database() {
        let md5_of = |index: &LayerIndex, p: &str| {
            let e = index
                .entries
                .iter()
                .find(|e| e.path.to_string() == p)
                .unwrap();
            e.pkg.as_ref().map(|k| hex::encode(k.md5))
        };
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("usr/bin")).unwrap();
        std::fs::write(dir.path().join("usr/bin/x"), b"abc").unwrap();
        let limits = Limits::default();
        let index = walk(dir.path(), &limits).unwrap();
        assert_eq!(md5_of(&index, "/usr/bin/x"), None);
        assert!(index.entries.iter().all(|e| e.pkg.is_none()));
        let abc = Some("900150983cd24fb0d6963f7d28e17f72".to_string());
        assert_eq!(
            md5_of(&walk_upper(dir.path(), &limits).unwrap(), "/usr/bin/x"),
            abc
        );
        std::fs::create_dir_all(dir.path().join("var/lib/dpkg")).unwrap();
        std::fs::write(dir.path().join("var/lib/dpkg/status"), b"Package: x\n").unwrap();
        let index = walk(dir.path(), &limits).unwrap();
        assert_eq!(md5_of(&index, "/usr/bin/x"), abc);
        let status = index
            .entries
            .iter()
            .find(|e| e.path.to_string() == "/var/lib/dpkg/status")
            .and_then(|e| e.pkg.as_ref()?.db.clone());
        assert_eq!(
            status.as_deref().map(Vec::as_slice),
            Some(&b"Package: x\n"[..])
        );
        // The check before the walk is only a shortcut: a database it did
        // not see sends the walk round again with the digests.
        let mut seen = walk_tree(dir.path(), &limits, false, false).unwrap();
        assert!(holds_package_db(&seen));
        seen = walk(dir.path(), &limits).unwrap();
        assert_eq!(md5_of(&seen, "/usr/bin/x"), abc);
    }
}
