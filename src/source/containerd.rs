//! `containerd:NAME[:TAG]`: images held by containerd, read through its
//! gRPC API on its socket (`--containerd-address`, default
//! `/run/containerd/containerd.sock`) in a namespace
//! (`--containerd-namespace`, default `k8s.io`, the one Kubernetes nodes use).
//!
//! The images service gives the name's target descriptor; the content
//! service streams the original blobs (index, manifest, config, compressed
//! layers), which are verified exactly like a registry's: the root document
//! against the target's digest and size, every other blob against its
//! descriptor while it streams. Like a registry's, blobs are addressed by
//! digest, so the layer cache shares results with registry scans.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::digest::Sha256;
use crate::error::{Error, Result};
use crate::limits::Limits;

use super::grpc::{Channel, GrpcError, NOT_FOUND, proto};
use super::platform::PlatformSpec;
use super::store::{BlobLocator, BlobStore};
use super::{Image, oci_layout};

/// Default socket.
pub const DEFAULT_ADDRESS: &str = "/run/containerd/containerd.sock";
/// Default namespace.
pub const DEFAULT_NAMESPACE: &str = "k8s.io";

const IMAGES_GET: &str = "/containerd.services.images.v1.Images/Get";
const IMAGES_LIST: &str = "/containerd.services.images.v1.Images/List";
const CONTENT_READ: &str = "/containerd.services.content.v1.Content/Read";
const CONTENT_INFO: &str = "/containerd.services.content.v1.Content/Info";

/// Largest content chunk accepted in one message (containerd sends 1 MiB).
const MAX_CHUNK: usize = 16 << 20;

/// An image record: its name and target descriptor.
#[derive(Clone, Debug)]
pub struct ImageRecord {
    pub name: String,
    pub media_type: String,
    pub digest: String,
    pub size: u64,
}

/// A connection to containerd in one namespace.
pub struct Containerd {
    channel: Channel,
    namespace: String,
}

impl Containerd {
    /// Connect to the socket at `address`, working in `namespace`.
    pub fn connect(address: &Path, namespace: &str, stall: Duration) -> Result<Containerd> {
        let channel = Channel::connect(
            address,
            vec![("containerd-namespace", namespace.to_string())],
            stall,
        )
        .map_err(|e| {
            Error::source(
                format!("containerd {}", address.display()),
                format!("cannot reach containerd: {e}"),
            )
        })?;
        Ok(Containerd {
            channel,
            namespace: namespace.into(),
        })
    }

    /// For messages: `containerd /run/…sock (namespace k8s.io)`.
    pub fn location(&self) -> String {
        format!(
            "containerd {} (namespace {})",
            self.channel.socket.display(),
            self.namespace
        )
    }

    fn err(&self, what: &str, e: GrpcError) -> Error {
        Error::source(format!("{}: {what}", self.location()), e.to_string())
    }

    /// The image named exactly `name`, if any.
    pub fn get(&self, name: &str, limits: &Limits) -> Result<Option<ImageRecord>> {
        let mut req = Vec::new();
        proto::bytes_field(&mut req, 1, name.as_bytes());
        let max = limits.max_json_bytes as usize;
        match self.channel.unary(IMAGES_GET, &req, max) {
            Ok(m) => {
                let f = proto::fields(&m).map_err(|e| self.bad("Images.Get", e))?;
                let img =
                    proto::get_bytes(&f, 1).ok_or_else(|| self.bad("Images.Get", "no image"))?;
                self.record(img).map(Some)
            }
            Err(GrpcError::Status {
                code: NOT_FOUND, ..
            }) => Ok(None),
            Err(e) => Err(self.err("Images.Get", e)),
        }
    }

    /// Every image of the namespace.
    pub fn list(&self, limits: &Limits) -> Result<Vec<ImageRecord>> {
        let m = self
            .channel
            .unary(IMAGES_LIST, &[], limits.max_json_bytes as usize)
            .map_err(|e| self.err("Images.List", e))?;
        let f = proto::fields(&m).map_err(|e| self.bad("Images.List", e))?;
        proto::all_bytes(&f, 1)
            .into_iter()
            .map(|b| self.record(b))
            .collect()
    }

    fn bad(&self, what: &str, e: impl std::fmt::Display) -> Error {
        Error::source(
            format!("{}: {what}", self.location()),
            format!("malformed answer: {e}"),
        )
    }

    /// Decode an `Image` message (name = 1, target = 3: a `Descriptor` with
    /// media_type = 1, digest = 2, size = 3).
    fn record(&self, b: &[u8]) -> Result<ImageRecord> {
        let text = |x: Option<&[u8]>| String::from_utf8_lossy(x.unwrap_or_default()).into_owned();
        let f = proto::fields(b).map_err(|e| self.bad("image record", e))?;
        let target = proto::get_bytes(&f, 3).unwrap_or_default();
        let t = proto::fields(target).map_err(|e| self.bad("image target", e))?;
        Ok(ImageRecord {
            name: text(proto::get_bytes(&f, 1)),
            media_type: text(proto::get_bytes(&t, 1)),
            digest: text(proto::get_bytes(&t, 2)),
            size: proto::get_varint(&t, 3).unwrap_or(0),
        })
    }
}

/// The bytes of an image (config and layer blobs) when its target is an
/// image manifest; `None` for an index or a target that cannot be read.
pub fn image_size(
    ctd: Containerd,
    record: &ImageRecord,
    limits: &Limits,
) -> (Containerd, Option<u64>) {
    let store = ContentStore { ctd };
    let size = (|| {
        let digest: Sha256 = record.digest.parse().ok()?;
        let bytes = store
            .read_small(&BlobLocator::Digest(digest), limits)
            .ok()?;
        super::verify_blob(&bytes, digest, Some(record.size), "").ok()?;
        super::json::check_keys(&bytes, "image manifest", "").ok()?;
        let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
        let mut total = v["config"]["size"].as_u64()?;
        for l in v["layers"].as_array()? {
            total = total.checked_add(l["size"].as_u64()?)?;
        }
        Some(total)
    })();
    (store.ctd, size)
}

/// containerd's content store as a blob store.
struct ContentStore {
    ctd: Containerd,
}

impl BlobStore for ContentStore {
    fn open(&self, loc: &BlobLocator) -> Result<Box<dyn Read + Send + '_>> {
        let BlobLocator::Digest(d) = loc else {
            return Err(Error::source(
                self.location(),
                format!(
                    "{}: containerd's content is addressed by digest",
                    loc.path()
                ),
            ));
        };
        let mut req = Vec::new();
        proto::bytes_field(&mut req, 1, d.to_string().as_bytes());
        let stream = self
            .ctd
            .channel
            .call(CONTENT_READ, &req)
            .map_err(|e| self.ctd.err(&format!("content {d}"), e))?;
        Ok(Box::new(ContentReader {
            stream,
            chunk: Vec::new(),
            at: 0,
            what: format!("{}: content {d}", self.location()),
        }))
    }
    fn contains(&self, loc: &BlobLocator) -> bool {
        let BlobLocator::Digest(d) = loc else {
            return false;
        };
        let mut req = Vec::new();
        proto::bytes_field(&mut req, 1, d.to_string().as_bytes());
        self.ctd.channel.unary(CONTENT_INFO, &req, 1 << 20).is_ok()
    }
    fn location(&self) -> String {
        self.ctd.location()
    }
}

/// The data of a `Content.Read` stream (`ReadContentResponse`: offset = 1, data = 2).
struct ContentReader<'a> {
    stream: super::grpc::Stream<'a>,
    chunk: Vec<u8>,
    at: usize,
    what: String,
}

impl Read for ContentReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.chunk.len() {
            let fail = |e: String| std::io::Error::other(format!("{}: {e}", self.what));
            let Some(m) = self
                .stream
                .next_message(MAX_CHUNK)
                .map_err(|e| fail(e.to_string()))?
            else {
                return Ok(0);
            };
            let f = proto::fields(&m).map_err(fail)?;
            self.chunk = proto::get_bytes(&f, 2).unwrap_or_default().to_vec();
            self.at = 0;
        }
        let n = buf.len().min(self.chunk.len() - self.at);
        buf[..n].copy_from_slice(&self.chunk[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// Where containerd is and which namespace to read.
#[derive(Clone, Debug)]
pub struct Address {
    pub socket: PathBuf,
    pub namespace: String,
}

/// Open `name` from containerd.
pub fn open(
    name: &str,
    at: &Address,
    platform: Option<&PlatformSpec>,
    limits: &Limits,
    stall: Duration,
    reference: String,
) -> Result<Image> {
    let ctd = Containerd::connect(&at.socket, &at.namespace, stall)?;
    let mut found = None;
    for candidate in super::containers_storage::name_candidates(name) {
        if let Some(r) = ctd.get(&candidate, limits)? {
            found = Some(r);
            break;
        }
    }
    let Some(record) = found else {
        let names: Vec<String> = ctd.list(limits)?.into_iter().map(|r| r.name).collect();
        return Err(Error::source(
            ctd.location(),
            format!(
                "no image named {name:?}; the namespace holds: {}",
                if names.is_empty() {
                    "nothing".into()
                } else {
                    names.join(", ")
                }
            ),
        ));
    };
    let digest: Sha256 = record.digest.parse().map_err(|e: String| {
        Error::source(
            ctd.location(),
            format!("image {}: target digest: {e}", record.name),
        )
    })?;
    let store = ContentStore { ctd };
    let loc = BlobLocator::Digest(digest);
    let bytes = store.read_small(&loc, limits)?;
    let where_ = format!("{}: image {} target", store.location(), record.name);
    super::verify_blob(&bytes, digest, Some(record.size), &where_)?;
    let chosen = oci_layout::from_root_document(&store, &bytes, digest, platform, limits)?;
    super::from_manifest(Box::new(store), chosen, "containerd", reference, limits)
}
