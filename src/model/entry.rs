//! What an entry of an image is: its type (file, directory, link, device),
//! what its content looks like (ELF, PE, Mach-O, script, data), and how a
//! layer blob is compressed. Values only; detecting them is `layer`'s job.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

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
