//! Opening host files that an image (or a container) controls, without
//! being led elsewhere: every open is relative to a directory descriptor,
//! never follows a symlink in any component (`openat2` with
//! `RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS` where the kernel has it, else
//! `openat` with `O_NOFOLLOW` one component at a time), never blocks on a
//! FIFO or device (`O_NONBLOCK`), and checks what was opened with `fstat` on
//! the descriptor itself, so a file swapped after a `stat` is caught.

use std::ffi::CString;
use std::fs::File;
use std::io;
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// What kind of thing a confined open must find.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Want {
    /// A regular file (opened for reading, blocking mode restored).
    File,
    /// A directory.
    Dir,
}

/// Open the directory `path` itself (the root of a layout or rootfs, as
/// the user named it: a symlink to it is fine).
pub fn open_root(path: &Path) -> io::Result<OwnedFd> {
    let c = CString::new(path.as_os_str().as_bytes())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "path holds a NUL byte"))?;
    // SAFETY: a valid NUL-terminated path; the returned descriptor is owned below.
    let fd = unsafe {
        libc::open(
            c.as_ptr(),
            libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC,
        )
    };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` is a fresh descriptor nobody else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Open `rel` (a relative path, `/`-separated) beneath `root`, refusing
/// symlinks in every component, `..`, absolute paths, and anything that is
/// not `want` once opened.
pub fn open_beneath(root: &impl AsFd, rel: &[u8], want: Want) -> io::Result<File> {
    if rel.first() == Some(&b'/') {
        return Err(invalid("absolute path"));
    }
    let parts: Vec<&[u8]> = rel
        .split(|&b| b == b'/')
        .filter(|p| !p.is_empty() && *p != b".")
        .collect();
    if parts.iter().any(|p| *p == b"..") {
        return Err(invalid("path leaves the directory (..)"));
    }
    let mut flags = libc::O_RDONLY | libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC;
    if want == Want::Dir {
        flags |= libc::O_DIRECTORY;
    }
    let fd = if parts.is_empty() {
        dup(root)?
    } else {
        match openat2(root, &parts.join(&b'/'), flags) {
            Err(e) if matches!(e.raw_os_error(), Some(libc::ENOSYS | libc::EPERM)) => {
                walk_components(root, &parts, flags)?
            }
            other => other?,
        }
    };
    let file = File::from(fd);
    let md = file.metadata()?;
    match want {
        Want::File if !md.is_file() => Err(not_wanted(md.mode(), "a regular file")),
        Want::Dir if !md.is_dir() => Err(not_wanted(md.mode(), "a directory")),
        Want::File => {
            set_blocking(&file)?;
            Ok(file)
        }
        Want::Dir => Ok(file),
    }
}

/// Say what a failed confined open means, for messages.
pub fn describe(e: &io::Error) -> String {
    match e.raw_os_error() {
        Some(libc::ELOOP) => "is a symlink or goes through one (not followed)".into(),
        Some(libc::EXDEV) => "leaves the directory (not followed)".into(),
        Some(libc::ENOENT) => "does not exist".into(),
        _ => e.to_string(),
    }
}

/// A short name of a file type from `st_mode`.
pub fn kind_name(mode: u32) -> &'static str {
    match mode & libc::S_IFMT {
        libc::S_IFREG => "a regular file",
        libc::S_IFDIR => "a directory",
        libc::S_IFLNK => "a symlink",
        libc::S_IFIFO => "a FIFO",
        libc::S_IFCHR => "a character device",
        libc::S_IFBLK => "a block device",
        libc::S_IFSOCK => "a socket",
        _ => "of unknown type",
    }
}

fn not_wanted(mode: u32, wanted: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("is {}, not {wanted}", kind_name(mode)),
    )
}

fn invalid(why: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, why.to_string())
}

fn dup(fd: &impl AsFd) -> io::Result<OwnedFd> {
    fd.as_fd().try_clone_to_owned()
}

fn openat2(root: &impl AsFd, rel: &[u8], flags: i32) -> io::Result<OwnedFd> {
    let c = CString::new(rel).map_err(|_| invalid("path holds a NUL byte"))?;
    // SAFETY: open_how is plain data; zeroed is a valid value.
    let mut how: libc::open_how = unsafe { std::mem::zeroed() };
    how.flags = flags as u64;
    how.resolve = libc::RESOLVE_BENEATH | libc::RESOLVE_NO_SYMLINKS | libc::RESOLVE_NO_MAGICLINKS;
    // SAFETY: valid descriptor, NUL-terminated path and a correctly sized open_how.
    let fd = unsafe {
        libc::syscall(
            libc::SYS_openat2,
            root.as_fd().as_raw_fd(),
            c.as_ptr(),
            &how as *const libc::open_how,
            std::mem::size_of::<libc::open_how>(),
        )
    };
    if fd < 0 {
        let e = io::Error::last_os_error();
        // A symlink anywhere on the way is ELOOP, like O_NOFOLLOW's.
        return Err(e);
    }
    // SAFETY: a fresh descriptor nobody else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as i32) })
}

/// The fallback: one `openat(O_NOFOLLOW)` per component.
fn walk_components(root: &impl AsFd, parts: &[&[u8]], flags: i32) -> io::Result<OwnedFd> {
    let mut cur = dup(root)?;
    for (i, part) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        let f = if last {
            flags
        } else {
            libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC
        };
        let c = CString::new(*part).map_err(|_| invalid("path holds a NUL byte"))?;
        // SAFETY: valid descriptor and NUL-terminated name.
        let fd = unsafe { libc::openat(cur.as_raw_fd(), c.as_ptr(), f) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: a fresh descriptor nobody else owns.
        cur = unsafe { OwnedFd::from_raw_fd(fd) };
    }
    Ok(cur)
}

fn set_blocking(f: &File) -> io::Result<()> {
    // SAFETY: fcntl on a valid descriptor.
    let fl = unsafe { libc::fcntl(f.as_raw_fd(), libc::F_GETFL) };
    if fl < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: as above.
    if unsafe { libc::fcntl(f.as_raw_fd(), libc::F_SETFL, fl & !libc::O_NONBLOCK) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_symlinks_fifos_and_escapes() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir(d.path().join("sub")).unwrap();
        std::fs::write(d.path().join("sub/f"), b"x").unwrap();
        std::os::unix::fs::symlink("/etc/hostname", d.path().join("link")).unwrap();
        std::os::unix::fs::symlink("sub", d.path().join("dirlink")).unwrap();
        let fifo = CString::new(d.path().join("fifo").as_os_str().as_bytes()).unwrap();
        // SAFETY: valid path.
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
        let root = open_root(d.path()).unwrap();
        assert!(open_beneath(&root, b"sub/f", Want::File).is_ok());
        assert!(open_beneath(&root, b"link", Want::File).is_err());
        assert!(open_beneath(&root, b"dirlink/f", Want::File).is_err());
        assert!(open_beneath(&root, b"../etc/passwd", Want::File).is_err());
        assert!(open_beneath(&root, b"/etc/passwd", Want::File).is_err());
        let e = open_beneath(&root, b"fifo", Want::File).unwrap_err();
        assert!(e.to_string().contains("FIFO"), "{e}");
        let e = open_beneath(&root, b"sub", Want::File).unwrap_err();
        assert!(e.to_string().contains("directory"), "{e}");
        // The fallback walk refuses the same things.
        let p: Vec<&[u8]> = vec![b"dirlink", b"f"];
        assert!(walk_components(&root, &p, libc::O_RDONLY | libc::O_NOFOLLOW).is_err());
    }
}
