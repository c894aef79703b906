//! CycloneDX 1.5 JSON of an image's file inventory
//! (`stowaway inventory --format cyclonedx`): the image as the BOM's
//! `metadata.component` (type `container`), every package of its package
//! databases as a component, and every regular file of the final view as a
//! `file` component with its SHA-256, the layer that last wrote it and its
//! owning package (`stowaway:package`, the package component's `bom-ref`,
//! and `stowaway:package:integrity`). Like the inventory document, components are
//! made while the BOM is written: memory does not grow with the number of
//! files. The tests validate the output with the official CycloneDX 1.5
//! schema (cyclonedx-python-lib's strict validator).
//!
//! The model is written here rather than taken from the `cyclonedx-bom`
//! crate: that crate builds the whole BOM in memory (millions of file
//! components for a large image) and brings an XML stack this tool does not
//! need; the part used here is small and typed.

use std::io::Read as _;

use serde::Serialize;
use serde::ser::SerializeMap;

use crate::fs::{ImageFs, Node};
use crate::model::ImageInfo;
use crate::packages::{Package, PackageDb};
use crate::path::ImagePath;

/// The CycloneDX version written.
pub const SPEC_VERSION: &str = "1.5";

/// The BOM of a scanned image, serialized as it is written.
pub struct Bom<'a> {
    image: &'a ImageInfo,
    fs: &'a ImageFs,
    pkgs: &'a PackageDb,
    timestamp: &'a str,
    serial: Option<String>,
}

impl<'a> Bom<'a> {
    /// The BOM of `fs` (the final view of `image`) with its packages;
    /// `timestamp` is the scan's start (RFC 3339).
    pub fn new(
        image: &'a ImageInfo,
        fs: &'a ImageFs,
        pkgs: &'a PackageDb,
        timestamp: &'a str,
    ) -> Bom<'a> {
        Bom {
            image,
            fs,
            pkgs,
            timestamp,
            serial: random_uuid(),
        }
    }
}

/// A random (version 4) UUID as a URN, from the kernel's random source; none
/// when it cannot be read (the serial number is optional).
fn random_uuid() -> Option<String> {
    let mut b = [0u8; 16];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut b))
        .ok()?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    Some(format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    ))
}

/// A name/value property.
/// The BOM's metadata: when, by what tool, about which image.
#[derive(Serialize)]
struct Metadata<'a> {
    timestamp: &'a str,
    tools: Tools,
    component: Component<'a>,
}

#[derive(Serialize)]
struct Tools {
    components: [ToolComponent; 1],
}

#[derive(Serialize)]
struct ToolComponent {
    #[serde(rename = "type")]
    kind: &'static str,
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Property<'a> {
    name: &'static str,
    value: Cow<'a>,
}

type Cow<'a> = std::borrow::Cow<'a, str>;

fn prop<'a>(name: &'static str, value: impl Into<Cow<'a>>) -> Property<'a> {
    Property {
        name,
        value: value.into(),
    }
}

#[derive(Serialize)]
struct Hash {
    alg: &'static str,
    content: String,
}

/// One component: the image, a package or a file.
#[derive(Serialize)]
struct Component<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "bom-ref")]
    bom_ref: String,
    name: Cow<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<Cow<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    purl: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hashes: Vec<Hash>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    properties: Vec<Property<'a>>,
}

fn package_ref(p: &Package) -> String {
    format!(
        "package:{}:{}@{}{}",
        p.manager,
        p.name,
        p.version,
        p.arch
            .as_deref()
            .map(|a| format!(":{a}"))
            .unwrap_or_default()
    )
}

fn file_ref(path: &ImagePath) -> String {
    format!("file:{}", path.display())
}

fn package_component(p: &Package) -> Component<'_> {
    let mut properties = vec![prop("stowaway:package:manager", p.manager)];
    if let Some(a) = &p.arch {
        properties.push(prop("stowaway:package:arch", a.as_str()));
    }
    Component {
        kind: "library",
        bom_ref: package_ref(p),
        name: p.name.as_str().into(),
        version: Some(p.version.as_str().into()),
        purl: None,
        hashes: Vec::new(),
        properties,
    }
}

fn file_component<'a>(b: &Bom<'a>, n: &'a Node) -> Option<Component<'a>> {
    let e = &n.entry;
    let sha = e.sha256?;
    let mut properties = vec![
        prop("stowaway:layer", n.layer.to_string()),
        prop("stowaway:mode", format!("{:04o}", e.mode)),
        prop("stowaway:size", e.size.to_string()),
    ];
    if let Some(d) = b.image.layers.get(n.layer).and_then(|l| l.digest) {
        properties.push(prop("stowaway:layer:digest", d.to_string()));
    }
    if let Some(o) = b.pkgs.owner(&e.path, n) {
        properties.push(prop("stowaway:package", package_ref(o.package)));
        properties.push(prop("stowaway:package:integrity", o.integrity.as_str()));
    }
    Some(Component {
        kind: "file",
        bom_ref: file_ref(&e.path),
        name: e.path.display().into(),
        version: None,
        purl: None,
        hashes: vec![Hash {
            alg: "SHA-256",
            content: sha.hex(),
        }],
        properties,
    })
}

/// The image itself, with a `pkg:oci` purl when its digest is known.
fn image_component(image: &ImageInfo) -> Component<'_> {
    let (repo, _) = crate::source::ImageRef::parse(&image.reference)
        .map(|r| r.repository_and_tag())
        .unwrap_or_default();
    let name = repo.unwrap_or_else(|| image.reference.clone());
    let purl = image.digest.map(|d| {
        let last = name
            .rsplit('/')
            .next()
            .unwrap_or(&name)
            .to_ascii_lowercase();
        format!("pkg:oci/{last}@{}", d.to_string().replace(':', "%3A"))
    });
    let mut properties = vec![prop("stowaway:reference", image.reference.as_str())];
    if let Some(d) = image.config_digest {
        properties.push(prop("stowaway:config:digest", d.to_string()));
    }
    if let Some(p) = &image.platform {
        properties.push(prop("stowaway:platform", p.as_str()));
    }
    Component {
        kind: "container",
        bom_ref: "image".into(),
        name: name.into(),
        version: image.digest.map(|d| d.to_string().into()),
        purl,
        hashes: Vec::new(),
        properties,
    }
}

/// Packages, then files, made as they are written.
struct Components<'b, 'a>(&'b Bom<'a>);

impl Serialize for Components<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let b = self.0;
        let packages = b.pkgs.packages.iter().map(package_component);
        let files = b.fs.nodes.values().filter_map(|n| file_component(b, n));
        s.collect_seq(packages.chain(files))
    }
}

impl Serialize for Bom<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("$schema", "http://cyclonedx.org/schema/bom-1.5.schema.json")?;
        m.serialize_entry("bomFormat", "CycloneDX")?;
        m.serialize_entry("specVersion", SPEC_VERSION)?;
        if let Some(serial) = &self.serial {
            m.serialize_entry("serialNumber", serial)?;
        }
        m.serialize_entry("version", &1)?;
        let metadata = Metadata {
            timestamp: self.timestamp,
            tools: Tools {
                components: [ToolComponent {
                    kind: "application",
                    name: env!("CARGO_PKG_NAME"),
                    version: env!("CARGO_PKG_VERSION"),
                }],
            },
            component: image_component(self.image),
        };
        m.serialize_entry("metadata", &metadata)?;
        m.serialize_entry("components", &Components(self))?;
        m.end()
    }
}
