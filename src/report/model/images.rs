//! The document of `stowaway images --format json`: what each reachable
//! local store holds (store, name, digest, size), and every store that was
//! looked at, with why it could not be read.

use schemars::JsonSchema;
use serde::Serialize;

use crate::source::local::{Listing, LocalStore, StoreReport};

use super::{SchemaVersion, ToolRef};

/// `stowaway images --format json`.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ImagesDoc<'a> {
    pub schema_version: SchemaVersion,
    pub tool: ToolRef,
    /// Every image of every store that could be read.
    pub images: Vec<ListedImage<'a>>,
    /// Every store looked at, read or not.
    pub stores: Vec<StoreRow<'a>>,
}

/// One image of one store (one row per name: an image with two tags is
/// listed twice).
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ListedImage<'a> {
    /// The transport to scan it with (`STORE:NAME`).
    pub store: LocalStore,
    /// A name to scan it by (`<none> (ID)` for an untagged image).
    pub name: &'a str,
    /// The manifest digest (containers-storage, containerd) or the image ID
    /// (Docker).
    pub digest: &'a str,
    /// Bytes: uncompressed layers (containers-storage), config and layer
    /// blobs of an image manifest (containerd; null for an index), the
    /// daemon's figure (Docker); null when unknown.
    pub size: Option<u64>,
}

/// A store that was looked at.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct StoreRow<'a> {
    pub store: LocalStore,
    /// Where it was looked for (a directory, or a socket).
    pub location: &'a str,
    /// Why it could not be read; null when it was.
    pub error: Option<&'a str>,
}

impl<'a> ImagesDoc<'a> {
    /// The document of a listing.
    pub fn new(images: &'a [Listing], stores: &'a [StoreReport]) -> ImagesDoc<'a> {
        ImagesDoc {
            schema_version: SchemaVersion,
            tool: ToolRef::THIS,
            images: images
                .iter()
                .map(|i| ListedImage {
                    store: i.store,
                    name: &i.name,
                    digest: &i.digest,
                    size: i.size,
                })
                .collect(),
            stores: stores
                .iter()
                .map(|s| StoreRow {
                    store: s.store,
                    location: &s.location,
                    error: s.error.as_deref(),
                })
                .collect(),
        }
    }
}
