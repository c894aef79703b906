//! What an entry is, decided in one place for every walk: the entry kind of
//! a tar type flag or of a file mode, what a whiteout name or an overlayfs
//! whiteout says about lower layers, and how a file's content read is
//! recorded on its entry. The tar walk ([`super::walk_tar`]) and the root
//! filesystem walk (`source::rootfs`) call these instead of deciding on
//! their own.

use crate::finding::{Code, Finding};
use crate::limits::Limits;
use crate::path::{ImagePath, escape_bytes};

use super::{ContentRead, Entry, EntryType, LayerIndex, Whiteout};

/// Whiteout marker prefix (OCI image spec, layer.md).
const WH_PREFIX: &[u8] = b".wh.";
/// Reserved prefix for whiteout metadata.
const WH_META_PREFIX: &[u8] = b".wh..wh.";
/// Whiteouts naming nothing, or `.`/`..` (which would delete the parent or
/// grandparent directory if taken literally): they delete nothing.
const WH_DOTS: &[&[u8]] = &[b".wh.", b".wh..", b".wh..."];
/// Opaque directory marker.
const WH_OPAQUE: &[u8] = b".wh..wh..opq";

/// What an entry whose name starts with `.wh.` means.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Marker {
    /// A whiteout to apply to the lower layers.
    Whiteout(Whiteout),
    /// A whiteout name that deletes nothing (bare `.wh.`, `.wh..`, other
    /// `.wh..wh.*` names): reported, never applied.
    Malformed,
}

/// The whiteout meaning of `path`'s name, or `None` for an ordinary name.
pub fn whiteout_marker(path: &ImagePath) -> Option<Marker> {
    let name = path.file_name();
    if !name.starts_with(WH_PREFIX) {
        return None;
    }
    let parent = path.parent();
    Some(if name == WH_OPAQUE {
        Marker::Whiteout(Whiteout::Opaque(parent))
    } else if name.starts_with(WH_META_PREFIX) || WH_DOTS.contains(&name) {
        Marker::Malformed
    } else {
        Marker::Whiteout(Whiteout::Path(parent.join(&name[WH_PREFIX.len()..])))
    })
}

/// Record a `.wh.` entry in `index`: its whiteout, or a finding for a
/// malformed one. False when `path` is an ordinary name.
pub fn record_marker(path: &ImagePath, raw_name: &[u8], index: &mut LayerIndex) -> bool {
    match whiteout_marker(path) {
        None => false,
        Some(Marker::Whiteout(w)) => {
            index.whiteouts.push(w);
            true
        }
        Some(Marker::Malformed) => {
            let shown = escape_bytes(raw_name);
            index.findings.push(
                Finding::new(Code::MalformedWhiteout)
                    .at(path)
                    .because(format!(
                        "whiteout marker {shown:?} ignored: deletes nothing"
                    )),
            );
            true
        }
    }
}

/// The entry kind of a tar type flag; `None` for what is no file system
/// object (sockets, vendor types). Contiguous (type 7) and GNU sparse
/// entries are regular files.
pub fn tar_kind(t: tar::EntryType) -> Option<EntryType> {
    Some(match t {
        t if t.is_file() || t.is_contiguous() || t.is_gnu_sparse() => EntryType::File,
        t if t.is_dir() => EntryType::Dir,
        t if t.is_symlink() => EntryType::Symlink,
        t if t.is_hard_link() => EntryType::Hardlink,
        t if t.is_character_special() => EntryType::Char,
        t if t.is_block_special() => EntryType::Block,
        t if t.is_fifo() => EntryType::Fifo,
        _ => return None,
    })
}

/// The entry kind of a file mode's `S_IFMT` bits; `None` for sockets and
/// unknown types.
pub fn mode_kind(mode: u32) -> Option<EntryType> {
    Some(match mode & libc::S_IFMT {
        libc::S_IFREG => EntryType::File,
        libc::S_IFDIR => EntryType::Dir,
        libc::S_IFLNK => EntryType::Symlink,
        libc::S_IFCHR => EntryType::Char,
        libc::S_IFBLK => EntryType::Block,
        libc::S_IFIFO => EntryType::Fifo,
        _ => return None,
    })
}

/// overlayfs: a 0/0 character device in an upper directory deletes the
/// lower path.
pub fn is_overlay_whiteout(kind: EntryType, rdev: u64) -> bool {
    kind == EntryType::Char && rdev == 0
}

/// Put what a content read found on `e`: a finding when the file was only
/// partly inspected, its digest, size and facts, and the package database
/// bytes it may keep.
pub fn record_content(read: ContentRead, e: &mut Entry, index: &mut LayerIndex, limits: &Limits) {
    if let Some(f) = read.truncation_finding(&e.path) {
        index.findings.push(f);
    }
    read.fill(e);
    index.budget_package_db(e, limits);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marker(p: &str) -> Option<Marker> {
        whiteout_marker(&ImagePath::new(p))
    }

    #[test]
    fn whiteout_names() {
        let wh = |w| Some(Marker::Whiteout(w));
        assert_eq!(marker("a/b"), None);
        assert_eq!(marker("a/.whx"), None);
        assert_eq!(marker("a/.wh.b"), wh(Whiteout::Path(ImagePath::new("a/b"))));
        assert_eq!(
            marker("a/.wh..wh..opq"),
            wh(Whiteout::Opaque(ImagePath::new("a")))
        );
        for bad in [
            "a/.wh.",
            "a/.wh..",
            "a/.wh...",
            "a/.wh..wh.",
            "a/.wh..wh..opqX",
        ] {
            assert_eq!(marker(bad), Some(Marker::Malformed), "{bad}");
        }
    }

    #[test]
    fn kinds_from_tar_types_and_modes() {
        use tar::EntryType as T;
        assert_eq!(tar_kind(T::Regular), Some(EntryType::File));
        assert_eq!(tar_kind(T::Continuous), Some(EntryType::File));
        assert_eq!(tar_kind(T::GNUSparse), Some(EntryType::File));
        assert_eq!(tar_kind(T::Link), Some(EntryType::Hardlink));
        assert_eq!(tar_kind(T::Symlink), Some(EntryType::Symlink));
        assert_eq!(tar_kind(T::Char), Some(EntryType::Char));
        assert_eq!(tar_kind(T::Block), Some(EntryType::Block));
        assert_eq!(tar_kind(T::Fifo), Some(EntryType::Fifo));
        assert_eq!(tar_kind(T::Directory), Some(EntryType::Dir));
        assert_eq!(tar_kind(T::new(b'Z')), None);
        assert_eq!(mode_kind(libc::S_IFREG | 0o755), Some(EntryType::File));
        assert_eq!(mode_kind(libc::S_IFDIR | 0o755), Some(EntryType::Dir));
        assert_eq!(mode_kind(libc::S_IFLNK | 0o777), Some(EntryType::Symlink));
        assert_eq!(mode_kind(libc::S_IFCHR), Some(EntryType::Char));
        assert_eq!(mode_kind(libc::S_IFBLK), Some(EntryType::Block));
        assert_eq!(mode_kind(libc::S_IFIFO), Some(EntryType::Fifo));
        assert_eq!(mode_kind(libc::S_IFSOCK), None);
        assert!(is_overlay_whiteout(EntryType::Char, 0));
        assert!(!is_overlay_whiteout(EntryType::Char, 0x0501));
        assert!(!is_overlay_whiteout(EntryType::File, 0));
    }
}
