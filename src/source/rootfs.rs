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
//! walked.

use std::fs::File;
use std::os::fd::OwnedFd;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use crate::error::{Error, Result};
use crate::finding::{Code, Finding};
use crate::layer::{
    ContentError, ContentRead, Entry, EntryType, LayerIndex, Whiteout, device_finding, read_content,
};
use crate::limits::{Limit, Limits};
use crate::path::ImagePath;

use super::fdwalk::{self, Visit};

/// Walk `root` into a layer index.
pub fn walk(root: &Path, limits: &Limits) -> Result<LayerIndex> {
    walk_tree(root, limits, false)
}

/// Walk an overlayfs upper (writable) directory into a layer index whose
/// whiteouts are overlay's: 0/0 character devices delete a lower path, and
/// directories marked `trusted.overlay.opaque` / `user.overlay.opaque` = `y`
/// hide everything below them in the lower layers.
pub fn walk_upper(root: &Path, limits: &Limits) -> Result<LayerIndex> {
    walk_tree(root, limits, true)
}

fn walk_tree(root: &Path, limits: &Limits, overlay: bool) -> Result<LayerIndex> {
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
        buf: vec![0u8; 256 * 1024],
        count: 0,
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
        } => w.entry(ImagePath::new(rel), stat, parent, name, dir),
    })?;
    Ok(w.index)
}

/// The state of one tree walk.
struct TreeWalk<'a> {
    root: &'a Path,
    limits: &'a Limits,
    overlay: bool,
    root_dev: u64,
    index: LayerIndex,
    buf: Vec<u8>,
    count: u64,
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
        let Some(kind) = entry_type(stat) else {
            index.findings.push(
                Finding::new(Code::Unanalyzable)
                    .at(&path)
                    .because("socket or unknown file type; skipped"),
            );
            return Ok(false);
        };
        if self.overlay {
            if kind == EntryType::Char && stat.rdev == 0 {
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
        self.content(&mut e, stat, parent, name);
        self.index.entries.push(e);
        Ok(kind == EntryType::Dir)
    }

    /// Fill in what the kind of entry has: file content, link target, device.
    fn content(
        &mut self,
        e: &mut Entry,
        stat: &fdwalk::Stat,
        parent: &OwnedFd,
        name: &std::ffi::CStr,
    ) {
        let (index, limits) = (&mut self.index, self.limits);
        match e.kind {
            EntryType::File => {
                match read_file(parent, name.to_bytes(), &e.path, &mut self.buf, limits) {
                    Ok(read) => {
                        if let Some(f) = read.truncation_finding(&e.path) {
                            index.findings.push(f);
                        }
                        read.fill(e);
                        index.budget_package_db(e, limits);
                    }
                    Err(err) => {
                        e.size = stat.size;
                        index.findings.push(
                            Finding::new(Code::Unanalyzable)
                                .at(&e.path)
                                .because(format!("cannot read: {err}")),
                        );
                    }
                }
            }
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
    }
}

/// The entry type of a stat, `None` for sockets and unknown types.
fn entry_type(stat: &fdwalk::Stat) -> Option<EntryType> {
    Some(match stat.kind() {
        libc::S_IFREG => EntryType::File,
        libc::S_IFDIR => EntryType::Dir,
        libc::S_IFLNK => EntryType::Symlink,
        libc::S_IFCHR => EntryType::Char,
        libc::S_IFBLK => EntryType::Block,
        libc::S_IFIFO => EntryType::Fifo,
        _ => return None,
    })
}

fn read_file(
    parent: &OwnedFd,
    name: &[u8],
    path: &ImagePath,
    buf: &mut [u8],
    limits: &Limits,
) -> std::io::Result<ContentRead> {
    // The walk saw a regular file; it may have been swapped since (for a
    // FIFO, a symlink, a directory): open it without following anything,
    // without blocking, and check the descriptor, never the path.
    let mut f: File = super::confined::open_beneath(parent, name, super::confined::Want::File)
        .map_err(|e| std::io::Error::new(e.kind(), super::confined::describe(&e)))?;
    read_content(&mut f, path, limits, buf).map_err(|e| match e {
        ContentError::Io(e) => e,
        ContentError::TooLarge => std::io::Error::other("file larger than --max-layer-size"),
    })
}

fn libc_major(dev: u64) -> u32 {
    (((dev >> 32) & 0xffff_f000) | ((dev >> 8) & 0x0000_0fff)) as u32
}

fn libc_minor(dev: u64) -> u32 {
    (((dev >> 12) & 0xffff_ff00) | (dev & 0x0000_00ff)) as u32
}
