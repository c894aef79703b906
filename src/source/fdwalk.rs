//! Walk a directory tree by descriptors, never by path: each directory is
//! opened relative to its parent's descriptor without following symlinks
//! (see [`super::confined`]), listed with `fdopendir`, and each name is
//! examined with `fstatat(AT_SYMLINK_NOFOLLOW)` relative to that same
//! descriptor. A directory swapped for a symlink while the walk runs is
//! therefore never entered: the walk cannot be led out of the tree.
//! Names come sorted, directories before their contents (pre-order).

use std::ffi::{CStr, CString};
use std::io;
use std::os::fd::{AsRawFd, IntoRawFd, OwnedFd};

use crate::error::Result;

use super::confined::{Want, open_beneath};

/// What `lstat` says about one name.
#[derive(Clone, Copy, Debug)]
pub struct Stat {
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub size: u64,
    pub dev: u64,
    pub rdev: u64,
}

impl Stat {
    /// The file type bits.
    pub fn kind(&self) -> u32 {
        self.mode & libc::S_IFMT
    }
}

/// One step of the walk.
pub enum Visit<'a> {
    /// A name inside the tree. `dir` is the opened directory when the name is
    /// one (and could be opened).
    Entry {
        rel: &'a [u8],
        stat: &'a Stat,
        parent: &'a OwnedFd,
        name: &'a CStr,
        dir: Option<&'a OwnedFd>,
    },
    /// A name or directory that could not be examined.
    Error { rel: &'a [u8], error: io::Error },
}

struct Frame {
    fd: OwnedFd,
    rel: Vec<u8>,
    names: Vec<CString>,
    next: usize,
}

/// Walk everything below `root`. `visit` returns whether to descend into a
/// directory entry.
pub fn walk(root: OwnedFd, mut visit: impl FnMut(Visit<'_>) -> Result<bool>) -> Result<()> {
    let names = match list(&root) {
        Ok(n) => n,
        Err(error) => {
            visit(Visit::Error { rel: b"", error })?;
            return Ok(());
        }
    };
    let mut stack = vec![Frame {
        fd: root,
        rel: Vec::new(),
        names,
        next: 0,
    }];
    while let Some(top) = stack.last_mut() {
        let Some(name) = top.names.get(top.next).cloned() else {
            stack.pop();
            continue;
        };
        top.next += 1;
        let rel = if top.rel.is_empty() {
            name.to_bytes().to_vec()
        } else {
            [&top.rel[..], b"/", name.to_bytes()].concat()
        };
        let stat = match lstat_at(&top.fd, &name) {
            Ok(s) => s,
            Err(error) => {
                visit(Visit::Error { rel: &rel, error })?;
                continue;
            }
        };
        let dir = if stat.kind() == libc::S_IFDIR {
            Some(open_beneath(&top.fd, name.to_bytes(), Want::Dir).map(OwnedFd::from))
        } else {
            None
        };
        let descend = visit(Visit::Entry {
            rel: &rel,
            stat: &stat,
            parent: &top.fd,
            name: &name,
            dir: dir.as_ref().and_then(|d| d.as_ref().ok()),
        })?;
        if !descend {
            continue;
        }
        match dir {
            Some(Ok(fd)) => match list(&fd) {
                Ok(names) => stack.push(Frame {
                    fd,
                    rel,
                    names,
                    next: 0,
                }),
                Err(error) => visit(Visit::Error { rel: &rel, error }).map(|_| ())?,
            },
            Some(Err(error)) => visit(Visit::Error { rel: &rel, error }).map(|_| ())?,
            None => {}
        }
    }
    Ok(())
}

/// The names in a directory (not `.` and `..`), sorted.
fn list(dir: &OwnedFd) -> io::Result<Vec<CString>> {
    let fd = dir.try_clone()?.into_raw_fd();
    // SAFETY: `fd` is an open directory descriptor we own; fdopendir takes it over.
    let d = unsafe { libc::fdopendir(fd) };
    if d.is_null() {
        let e = io::Error::last_os_error();
        // SAFETY: fdopendir failed, so the descriptor is still ours to close.
        unsafe { libc::close(fd) };
        return Err(e);
    }
    // SAFETY: rewind a valid stream (a duplicated descriptor shares the offset).
    unsafe { libc::rewinddir(d) };
    let mut names = Vec::new();
    loop {
        // SAFETY: `d` is a valid directory stream; errno is reset to tell end from error.
        let ent = unsafe {
            *libc::__errno_location() = 0;
            libc::readdir(d)
        };
        if ent.is_null() {
            // SAFETY: reading errno right after readdir.
            let errno = unsafe { *libc::__errno_location() };
            // SAFETY: closing the stream we opened.
            unsafe { libc::closedir(d) };
            if errno != 0 {
                return Err(io::Error::from_raw_os_error(errno));
            }
            break;
        }
        // SAFETY: d_name is a NUL-terminated name inside the entry readdir returned.
        let name = unsafe { CStr::from_ptr((*ent).d_name.as_ptr()) };
        if name.to_bytes() != b"." && name.to_bytes() != b".." {
            names.push(name.to_owned());
        }
    }
    names.sort();
    Ok(names)
}

fn lstat_at(dir: &OwnedFd, name: &CStr) -> io::Result<Stat> {
    // SAFETY: stat is plain data; fstatat fills it.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: valid descriptor, NUL-terminated name, valid out pointer.
    let r = unsafe {
        libc::fstatat(
            dir.as_raw_fd(),
            name.as_ptr(),
            &mut st,
            libc::AT_SYMLINK_NOFOLLOW,
        )
    };
    if r != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(Stat {
        mode: st.st_mode,
        uid: st.st_uid,
        gid: st.st_gid,
        size: st.st_size as u64,
        dev: st.st_dev,
        rdev: st.st_rdev,
    })
}

/// The target of the symlink `name` in `dir`.
pub fn readlink_at(dir: &OwnedFd, name: &CStr) -> io::Result<Vec<u8>> {
    let mut buf = vec![0u8; 4096];
    // SAFETY: valid descriptor and name; the buffer length is passed.
    let n = unsafe {
        libc::readlinkat(
            dir.as_raw_fd(),
            name.as_ptr(),
            buf.as_mut_ptr().cast(),
            buf.len(),
        )
    };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    buf.truncate(n as usize);
    Ok(buf)
}

/// Is the opened directory an overlayfs opaque directory?
pub fn is_opaque_fd(dir: &OwnedFd) -> bool {
    ["trusted.overlay.opaque", "user.overlay.opaque"]
        .iter()
        .any(|name| {
            let name = CString::new(*name).expect("static name");
            let mut buf = [0u8; 4];
            // SAFETY: valid descriptor, NUL-terminated name, buffer of the given length.
            let n = unsafe {
                libc::fgetxattr(
                    dir.as_raw_fd(),
                    name.as_ptr(),
                    buf.as_mut_ptr().cast(),
                    buf.len(),
                )
            };
            n == 1 && buf[0] == b'y'
        })
}
