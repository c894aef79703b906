//! A root file system directory on the host (`dir:PATH`), read as one layer.
//! Symlinks are recorded, never followed; special files are recorded; files
//! that cannot be read become findings. Host paths are never written.
//!
//! The tree may belong to a running container that changes it while it is
//! read, so file contents are opened relative to a descriptor of the root
//! (see [`super::confined`]: no symlink in any component, `O_NONBLOCK`, the
//! opened descriptor's own `fstat` must say regular file): a file swapped
//! for a FIFO or for a symlink to a host file is reported, never waited on
//! or followed. Filesystems mounted inside the tree are reported as not
//! walked.

use std::fs::File;
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::Path;

use crate::error::{Error, Result};
use crate::finding::{Code, Finding};
use crate::layer::{
    ContentError, ContentRead, Entry, EntryType, LayerIndex, Whiteout, device_finding, read_content,
};
use crate::limits::Limits;
use crate::path::ImagePath;

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
    let mut index = LayerIndex::default();
    let mut buf = vec![0u8; 256 * 1024];
    let root_fd = super::confined::open_root(root).map_err(|e| Error::io(root, e))?;
    let root_dev = meta.dev();
    let mut walker = walkdir::WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter();
    let mut count = 0u64;
    while let Some(item) = walker.next() {
        let item = match item {
            Ok(i) => i,
            Err(e) => {
                let rel = e
                    .path()
                    .and_then(|p| p.strip_prefix(root).ok())
                    .map(|p| ImagePath::new(p.as_os_str().as_bytes()));
                let mut f = Finding::new(Code::Unanalyzable).because(format!("cannot read: {e}"));
                f.path = rel;
                index.findings.push(f);
                continue;
            }
        };
        let Ok(rel) = item.path().strip_prefix(root) else {
            continue;
        };
        if rel.as_os_str().is_empty() {
            continue;
        }
        count += 1;
        if count > limits.max_entries {
            return Err(Error::Limit {
                location: root.display().to_string(),
                what: "entries in one layer",
                limit: limits.max_entries,
                flag: "--max-entries",
            });
        }
        let path = ImagePath::new(rel.as_os_str().as_bytes());
        let md = match item.path().symlink_metadata() {
            Ok(m) => m,
            Err(e) => {
                index.findings.push(
                    Finding::new(Code::Unanalyzable)
                        .at(&path)
                        .because(format!("cannot stat: {e}")),
                );
                continue;
            }
        };
        let ft = md.file_type();
        // Mounts inside the tree (/proc, /sys, /dev, tmpfs, volumes) are not
        // the image's content: say so rather than skip them silently.
        if ft.is_dir() && md.dev() != root_dev {
            walker.skip_current_dir();
            index.findings.push(
                Finding::new(Code::Unanalyzable)
                    .at(&path)
                    .because("another filesystem is mounted here; not walked"),
            );
            continue;
        }
        let kind = if ft.is_file() {
            EntryType::File
        } else if ft.is_dir() {
            EntryType::Dir
        } else if ft.is_symlink() {
            EntryType::Symlink
        } else if ft.is_char_device() {
            EntryType::Char
        } else if ft.is_block_device() {
            EntryType::Block
        } else if ft.is_fifo() {
            EntryType::Fifo
        } else {
            index.findings.push(
                Finding::new(Code::Unanalyzable)
                    .at(&path)
                    .because("socket or unknown file type; skipped"),
            );
            continue;
        };
        if overlay {
            if kind == EntryType::Char && md.rdev() == 0 {
                index.whiteouts.push(Whiteout::Path(path));
                continue;
            }
            if kind == EntryType::Dir && is_opaque(item.path()) {
                index.whiteouts.push(Whiteout::Opaque(path.clone()));
            }
        }
        let mut e = Entry::new(
            path.clone(),
            kind,
            md.mode() & 0o7777,
            md.uid() as u64,
            md.gid() as u64,
        );
        match kind {
            EntryType::File => match read_file(&root_fd, rel, &path, &mut buf, limits) {
                Ok(read) => {
                    if let Some(f) = read.truncation_finding(&path) {
                        index.findings.push(f);
                    }
                    read.fill(&mut e);
                }
                Err(err) => {
                    e.size = md.len();
                    index.findings.push(
                        Finding::new(Code::Unanalyzable)
                            .at(&path)
                            .because(format!("cannot read: {err}")),
                    );
                }
            },
            EntryType::Symlink => {
                e.link = std::fs::read_link(item.path())
                    .ok()
                    .map(|t| t.as_os_str().as_bytes().to_vec());
            }
            EntryType::Char | EntryType::Block => {
                let rdev = md.rdev();
                let dev = (libc_major(rdev), libc_minor(rdev));
                e.device = Some(dev);
                index.findings.push(device_finding(&path, kind, dev));
            }
            _ => {}
        }
        index.entries.push(e);
    }
    Ok(index)
}

fn read_file(
    root: &OwnedFd,
    rel: &Path,
    path: &ImagePath,
    buf: &mut [u8],
    limits: &Limits,
) -> std::io::Result<ContentRead> {
    // The walker saw a regular file; it may have been swapped since (for a
    // FIFO, a symlink, a directory): open it confined and check the
    // descriptor, never the path.
    let mut f: File = super::confined::open_beneath(
        root,
        rel.as_os_str().as_bytes(),
        super::confined::Want::File,
    )
    .map_err(|e| std::io::Error::new(e.kind(), super::confined::describe(&e)))?;
    read_content(&mut f, path, limits, buf).map_err(|e| match e {
        ContentError::Io(e) => e,
        ContentError::TooLarge => std::io::Error::other("file larger than --max-layer-size"),
    })
}

/// Is this directory an overlayfs opaque directory?
fn is_opaque(dir: &Path) -> bool {
    let Ok(c) = std::ffi::CString::new(dir.as_os_str().as_bytes()) else {
        return false;
    };
    ["trusted.overlay.opaque", "user.overlay.opaque"]
        .iter()
        .any(|name| {
            let name = std::ffi::CString::new(*name).expect("static name");
            let mut buf = [0u8; 4];
            // SAFETY: valid NUL-terminated strings and a buffer of the given length.
            let n = unsafe {
                libc::lgetxattr(
                    c.as_ptr(),
                    name.as_ptr(),
                    buf.as_mut_ptr().cast(),
                    buf.len(),
                )
            };
            n == 1 && buf[0] == b'y'
        })
}

fn libc_major(dev: u64) -> u32 {
    (((dev >> 32) & 0xffff_f000) | ((dev >> 8) & 0x0000_0fff)) as u32
}

fn libc_minor(dev: u64) -> u32 {
    (((dev >> 12) & 0xffff_ff00) | (dev & 0x0000_00ff)) as u32
}
