//! The inventory document (`stowaway inventory --format json`): every file of
//! the final view with its layer, mode, owner, digest and package, and with
//! `--all-layers` every file later layers hid. Rows are made while the
//! document is written, so memory does not grow with the number of files.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::Serialize;

use crate::finding::PackageRef;
use crate::fs::{Hidden, ImageFs, Node, Removed};
use crate::layer::Entry;
use crate::model::{EntryType, ImageInfo, Sha256};
use crate::packages::PackageDb;
use crate::path::{ImagePath, escape_bytes};

use super::{SchemaVersion, ToolRef};

fn link_text(e: &Entry) -> Option<String> {
    match &e.link {
        Some(l) if e.kind == EntryType::Hardlink => Some(format!("/{}", escape_bytes(l))),
        Some(l) => Some(escape_bytes(l)),
        None => None,
    }
}

/// One visible file of the inventory (fields in the document's key order).
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct FileRow<'a> {
    pub added_in: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    pub gid: u64,
    pub layer: usize,
    pub layer_digest: Option<Sha256>,
    pub link: Option<String>,
    pub mode: String,
    pub modified_in: &'a [usize],
    pub package: Option<PackageRef>,
    pub path: &'a ImagePath,
    pub sha256: Option<Sha256>,
    pub size: u64,
    #[serde(rename = "type")]
    pub kind: EntryType,
    pub uid: u64,
}

fn file_row<'a>(image: &ImageInfo, pkgs: &PackageDb, n: &'a Node) -> FileRow<'a> {
    let e = &n.entry;
    FileRow {
        added_in: n.added_in,
        device: e.device.map(|(maj, min)| format!("{maj}:{min}")),
        gid: e.gid,
        layer: n.layer,
        layer_digest: image.layers.get(n.layer).and_then(|l| l.digest),
        link: link_text(e),
        mode: format!("{:04o}", e.mode),
        modified_in: &n.modified_in,
        package: pkgs.owner(&e.path, n).map(|o| o.to_ref()),
        path: &e.path,
        sha256: e.sha256,
        size: e.size,
        kind: e.kind,
        uid: e.uid,
    }
}

/// One hidden file of the inventory (`--all-layers`).
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RemovedRow<'a> {
    pub added_in: usize,
    pub added_in_digest: Option<Sha256>,
    pub how: Hidden,
    pub link: Option<String>,
    pub mode: String,
    pub path: &'a ImagePath,
    pub removed_in: usize,
    pub sha256: Option<Sha256>,
    pub size: u64,
    #[serde(rename = "type")]
    pub kind: EntryType,
}

fn removed_row<'a>(image: &ImageInfo, r: &'a Removed) -> RemovedRow<'a> {
    RemovedRow {
        added_in: r.added_in,
        added_in_digest: image.layers.get(r.added_in).and_then(|l| l.digest),
        how: r.how,
        link: link_text(&r.entry),
        mode: format!("{:04o}", r.entry.mode),
        path: &r.entry.path,
        removed_in: r.removed_in,
        sha256: r.entry.sha256,
        size: r.entry.size,
        kind: r.entry.kind,
    }
}

/// The inventory document, serialized row by row as it is written: no
/// tree of the whole document is ever built (2 million files stay cheap).
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct InventoryDoc<'a> {
    schema_version: SchemaVersion,
    files: Files<'a>,
    image: &'a ImageInfo,
    /// Only with `--all-layers`.
    #[serde(skip_serializing_if = "Option::is_none")]
    removed: Option<RemovedFiles<'a>>,
    tool: ToolRef,
}

/// The visible files, one row each, made as they are written.
struct Files<'a>(&'a ImageInfo, &'a ImageFs, &'a PackageDb);
/// The hidden files, one row each, made as they are written.
struct RemovedFiles<'a>(&'a ImageInfo, &'a ImageFs);

impl JsonSchema for Files<'_> {
    fn schema_name() -> Cow<'static, str> {
        "Files".into()
    }
    fn json_schema(g: &mut SchemaGenerator) -> Schema {
        Vec::<FileRow<'static>>::json_schema(g)
    }
}

impl JsonSchema for RemovedFiles<'_> {
    fn schema_name() -> Cow<'static, str> {
        "RemovedFiles".into()
    }
    fn json_schema(g: &mut SchemaGenerator) -> Schema {
        Vec::<RemovedRow<'static>>::json_schema(g)
    }
}

impl Serialize for Files<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.1.nodes.values().map(|n| file_row(self.0, self.2, n)))
    }
}

impl Serialize for RemovedFiles<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.1.removed.iter().map(|r| removed_row(self.0, r)))
    }
}

impl<'a> InventoryDoc<'a> {
    /// The inventory of a squashed view (and, with `all_layers`, of the
    /// files later layers hid).
    pub fn new(
        image: &'a ImageInfo,
        fs: &'a ImageFs,
        pkgs: &'a PackageDb,
        all_layers: bool,
    ) -> InventoryDoc<'a> {
        InventoryDoc {
            schema_version: SchemaVersion,
            files: Files(image, fs, pkgs),
            image,
            removed: all_layers.then_some(RemovedFiles(image, fs)),
            tool: ToolRef::THIS,
        }
    }
}
