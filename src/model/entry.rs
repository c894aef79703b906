//! What an entry of an image is: the entry itself (path, type, mode,
//! owner, size, digest, link), its type (file, directory, link, device),
//! what its content looks like (ELF, PE, Mach-O, script, data), and how a
//! layer blob is compressed. Values only; detecting them is `layer`'s job.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ImagePath, Sha256};

/// One entry of a layer (or of a root filesystem). What inspecting the
/// content found (`F`) and the package managers' digests (`P`) are later
/// stages' types: `layer::Entry` names them, and every stage uses that
/// alias. The vocabulary only fixes the entry's shape.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(bound(
    serialize = "F: Serialize, P: Serialize",
    deserialize = "F: Deserialize<'de>, P: Deserialize<'de>"
))]
pub struct Entry<F, P> {
    pub path: ImagePath,
    pub kind: EntryType,
    /// Permission bits including setuid (0o4000), setgid (0o2000), sticky.
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    /// Content size (for hardlinks: the target's, once resolved).
    pub size: u64,
    /// Content digest of regular files (and resolved hardlinks).
    pub sha256: Option<Sha256>,
    /// Symlink target (raw bytes, as written) or hardlink target (normalized).
    pub link: Option<Vec<u8>>,
    /// What the content looks like (ELF, script…).
    pub content: ContentKind,
    /// Major/minor numbers of device nodes.
    pub device: Option<(u32, u32)>,
    /// What inspecting the content found (binaries and scripts only).
    pub facts: Option<Arc<F>>,
    /// MD5/SHA-1 for package managers, and package database bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pkg: Option<Arc<P>>,
}

impl<F, P> Entry<F, P> {
    /// An entry with no content yet (size 0, no digest, no link).
    pub fn new(path: ImagePath, kind: EntryType, mode: u32, uid: u64, gid: u64) -> Entry<F, P> {
        Entry {
            path,
            kind,
            mode,
            uid,
            gid,
            size: 0,
            sha256: None,
            link: None,
            content: ContentKind::Data,
            device: None,
            facts: None,
            pkg: None,
        }
    }

    /// True if this entry runs as a program: an executable bit on a regular
    /// file, or content that is a native binary or a script.
    pub fn is_executable(&self) -> bool {
        self.kind.has_content()
            && (self.mode & 0o111 != 0 || self.content.is_program())
            && self.sha256.is_some()
    }
}

/// The type of a filesystem entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum EntryType {
    File,
    Dir,
    Symlink,
    Hardlink,
    Char,
    Block,
    Fifo,
}

impl EntryType {
    /// Lowercase name, as in the inventory JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryType::File => "file",
            EntryType::Dir => "dir",
            EntryType::Symlink => "symlink",
            EntryType::Hardlink => "hardlink",
            EntryType::Char => "char",
            EntryType::Block => "block",
            EntryType::Fifo => "fifo",
        }
    }

    /// Parse the lowercase name.
    pub fn parse(s: &str) -> Option<EntryType> {
        Some(match s {
            "file" => EntryType::File,
            "dir" => EntryType::Dir,
            "symlink" => EntryType::Symlink,
            "hardlink" => EntryType::Hardlink,
            "char" => EntryType::Char,
            "block" => EntryType::Block,
            "fifo" => EntryType::Fifo,
            _ => return None,
        })
    }

    /// Regular file content (files, and hardlinks to them).
    pub fn has_content(self) -> bool {
        matches!(self, EntryType::File | EntryType::Hardlink)
    }
}

/// Content kind, from magic bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ContentKind {
    #[default]
    Data,
    Elf,
    Pe,
    MachO,
    Script,
}

impl ContentKind {
    /// Native binaries and scripts.
    pub fn is_program(self) -> bool {
        !matches!(self, ContentKind::Data)
    }

    /// Native binaries.
    pub fn is_binary(self) -> bool {
        matches!(
            self,
            ContentKind::Elf | ContentKind::Pe | ContentKind::MachO
        )
    }
}

/// How a layer blob is compressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    /// A plain tar.
    None,
    Gzip,
    Zstd,
}

impl Compression {
    /// Lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
        }
    }
}
