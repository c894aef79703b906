//! Rebuilding a layer's exact tar stream from containers-storage's
//! tar-split metadata (`<id>.tar-split.gz`, the format of vbatts/tar-split):
//! gzip-compressed JSON lines, each either a raw segment of the original
//! tar (headers, padding, the end-of-archive blocks; `"type":2`, bytes in
//! `payload`) or a file entry (`"type":1`, `name` or `name_raw`, `size`, and
//! the CRC-64/ISO of the file's content in `payload`), whose bytes are read
//! from the layer's directory (the diff directory of overlay, the snapshot
//! directory of vfs). Every line is strict JSON with a size cap, every file
//! is opened confined to the layer directory, and every file's CRC is
//! checked, so a changed file is named; the whole stream is then hashed by
//! the layer pipeline against the config's diff_id.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::os::fd::OwnedFd;
use std::path::PathBuf;

use base64::Engine;
use serde::Deserialize;

use super::confined::{self, Want};
use super::store::{BlobLocator, BlobStore};
use crate::error::{Error, Result};

/// The layers of an image in a container engine's store (containers-storage,
/// Docker's layerdb), each rebuilt from its tar-split metadata and its
/// directory: `layers` maps a layer's key (its [`BlobLocator::Path`]) to the
/// paths, relative to `root`, of its metadata file and its directory.
pub struct SplitLayerStore {
    pub root: PathBuf,
    /// The store, for messages.
    pub location: String,
    pub layers: HashMap<String, (String, String)>,
    /// Longest metadata line accepted (`--max-json-size`).
    pub max_line: u64,
    /// Most metadata lines accepted per layer (from `--max-entries`: a tar
    /// entry takes a header segment, a file entry and a padding segment).
    pub max_lines: u64,
    /// The layer directories hold only their layer's changes (overlay
    /// diff directories, not vfs snapshots): after the rebuild, every name
    /// in one must be one the layer recorded.
    pub diff_dirs: bool,
}

impl BlobStore for SplitLayerStore {
    fn open(&self, loc: &BlobLocator) -> Result<Box<dyn Read + Send + '_>> {
        let key = loc.path();
        let (meta_rel, dir_rel) = self
            .layers
            .get(&key)
            .ok_or_else(|| Error::source(self.location.clone(), format!("no layer {key:?}")))?;
        let what = format!("{}: layer {key}", self.location);
        let root = confined::open_root(&self.root).map_err(|e| Error::io(&self.root, e))?;
        let meta = confined::open_beneath(&root, meta_rel.as_bytes(), Want::File).map_err(|e| {
            Error::source(
                what.clone(),
                format!(
                    "its tar-split metadata ({meta_rel}) cannot be read ({}); without it the \
                     layer's tar stream cannot be rebuilt, so its content cannot be verified \
                     against its diff_id",
                    confined::describe(&e)
                ),
            )
        })?;
        let dir = confined::open_beneath(&root, dir_rel.as_bytes(), Want::Dir).map_err(|e| {
            Error::source(
                what.clone(),
                format!("{dir_rel}: {}", confined::describe(&e)),
            )
        })?;
        let mut r = TarSplitReader::new(meta, dir.into(), what, self.max_line);
        r.check_unrecorded = self.diff_dirs;
        r.max_lines = self.max_lines;
        Ok(Box::new(r))
    }
    fn contains(&self, loc: &BlobLocator) -> bool {
        self.layers.contains_key(&loc.path())
    }
    fn location(&self) -> String {
        self.location.clone()
    }
    /// A layer's files can change without its metadata changing, so no
    /// cached result stands in for reading it (`stat` stays `None`).
    fn is_local(&self) -> bool {
        true
    }
}

/// One line of tar-split metadata.
#[derive(Deserialize)]
struct Entry {
    #[serde(rename = "type")]
    kind: u8,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    name_raw: Option<String>,
    #[serde(default)]
    size: Option<i64>,
    #[serde(default)]
    payload: Option<String>,
}

/// tar-split's entry types.
const FILE_TYPE: u8 = 1;
const SEGMENT_TYPE: u8 = 2;

/// What the reader is handing out now.
enum Current {
    Idle,
    Bytes(Vec<u8>, usize),
    File {
        file: File,
        name: String,
        left: u64,
        crc: Crc64,
        want: Vec<u8>,
    },
    Done,
}

/// A reader of the rebuilt tar stream of one layer.
pub struct TarSplitReader {
    lines: BufReader<flate2::read::GzDecoder<File>>,
    dir: OwnedFd,
    /// The layer and where its metadata is, for messages.
    what: String,
    max_line: u64,
    line_no: u64,
    current: Current,
    /// Check, at the end, that the directory holds no name the layer did
    /// not record (see [`SplitLayerStore::diff_dirs`]).
    pub check_unrecorded: bool,
    /// Most metadata lines read (see [`SplitLayerStore::max_lines`]).
    pub max_lines: u64,
    /// The names the layer recorded (normalized), when checking.
    recorded: std::collections::HashSet<Vec<u8>>,
}

impl TarSplitReader {
    /// Rebuild from the tar-split file `meta` and the layer directory `dir`;
    /// `what` names the layer in errors; no metadata line may exceed `max_line` bytes.
    pub fn new(meta: File, dir: OwnedFd, what: String, max_line: u64) -> TarSplitReader {
        TarSplitReader {
            lines: BufReader::new(flate2::read::GzDecoder::new(meta)),
            dir,
            what,
            max_line,
            line_no: 0,
            current: Current::Idle,
            check_unrecorded: false,
            max_lines: u64::MAX,
            recorded: Default::default(),
        }
    }

    fn err(&self, msg: impl std::fmt::Display) -> io::Error {
        io::Error::other(format!("{}: {msg}", self.what))
    }

    /// Read the next metadata line into `current` (or `Done` at the end).
    fn next_entry(&mut self) -> io::Result<()> {
        let mut line = Vec::new();
        let n = (&mut self.lines)
            .take(self.max_line + 1)
            .read_until(b'\n', &mut line)
            .map_err(|e| self.err(format!("tar-split metadata: {e}")))?;
        self.line_no += 1;
        if self.line_no > self.max_lines {
            return Err(self.err(format!(
                "tar-split metadata has over {} lines (raise --max-entries)",
                self.max_lines
            )));
        }
        if n == 0 {
            if self.check_unrecorded {
                self.find_unrecorded()?;
            }
            self.current = Current::Done;
            return Ok(());
        }
        if line.len() as u64 > self.max_line {
            return Err(self.err(format!(
                "tar-split line {} is over {} bytes (raise it with --max-json-size)",
                self.line_no, self.max_line
            )));
        }
        let where_ = format!("{} line {}", self.what, self.line_no);
        crate::source::json::check_keys(&line, "tar-split entry", &where_)
            .map_err(|e| io::Error::other(e.to_string()))?;
        let e: Entry = serde_json::from_slice(&line)
            .map_err(|e| self.err(format!("tar-split line {}: {e}", self.line_no)))?;
        self.current = self.entry_to_current(e)?;
        Ok(())
    }

    /// Walk the layer directory for a name the layer did not record (a
    /// file added after the layer was stored). A whiteout is stored as a
    /// 0:0 character device named like the file it hides.
    fn find_unrecorded(&self) -> io::Result<()> {
        let root = self.dir.try_clone()?;
        let mut extra: Option<Vec<u8>> = None;
        let res = super::fdwalk::walk(root, |v| match v {
            super::fdwalk::Visit::Entry { rel, stat, .. } => {
                let rel = normalize(rel);
                let whiteout = stat.kind() == libc::S_IFCHR && stat.rdev == 0 && {
                    let (dir, base) = match rel.iter().rposition(|&b| b == b'/') {
                        Some(i) => (&rel[..=i], &rel[i + 1..]),
                        None => (&b""[..], rel),
                    };
                    self.recorded.contains(&[dir, b".wh.", base].concat())
                };
                if !self.recorded.contains(rel) && !whiteout && extra.is_none() {
                    extra = Some(rel.to_vec());
                }
                Ok(extra.is_none())
            }
            super::fdwalk::Visit::Error { rel, error } => Err(Error::source(
                String::from_utf8_lossy(rel).into_owned(),
                error.to_string(),
            )),
        });
        res.map_err(|e| self.err(format!("examining the layer directory: {e}")))?;
        match extra {
            Some(p) => Err(self.err(format!(
                "{:?} is in the layer's directory but not in the layer: it was added after \
                 the layer was stored",
                String::from_utf8_lossy(&p)
            ))),
            None => Ok(()),
        }
    }

    fn entry_to_current(&mut self, e: Entry) -> io::Result<Current> {
        let b64 = |s: &str| {
            base64::engine::general_purpose::STANDARD
                .decode(s)
                .map_err(|err| self.err(format!("tar-split line {}: {err}", self.line_no)))
        };
        let payload = match &e.payload {
            Some(p) => b64(p)?,
            None => Vec::new(),
        };
        match e.kind {
            SEGMENT_TYPE => Ok(Current::Bytes(payload, 0)),
            FILE_TYPE => {
                let size = e.size.unwrap_or(0);
                if size < 0 {
                    return Err(self.err(format!("tar-split line {}: negative size", self.line_no)));
                }
                let name = match (&e.name_raw, &e.name) {
                    (Some(raw), _) => b64(raw)?,
                    (None, Some(n)) => n.clone().into_bytes(),
                    (None, None) => Vec::new(),
                };
                if self.check_unrecorded {
                    // Its parent directories exist in the layer directory
                    // whether or not the layer records them.
                    let n = normalize(&name);
                    for (i, &b) in n.iter().enumerate() {
                        if b == b'/' {
                            self.recorded.insert(n[..i].to_vec());
                        }
                    }
                    self.recorded.insert(n.to_vec());
                }
                if size == 0 {
                    return Ok(Current::Idle);
                }
                let shown = String::from_utf8_lossy(&name).into_owned();
                let file = confined::open_beneath(&self.dir, &name, Want::File).map_err(|err| {
                    self.err(format!(
                        "{shown:?}: {} (the layer's content cannot be rebuilt)",
                        confined::describe(&err)
                    ))
                })?;
                let stored = file.metadata().map(|m| m.len()).unwrap_or(0);
                if stored != size as u64 {
                    return Err(self.err(format!(
                        "{shown:?}: the stored file is {stored} bytes, the layer's tar-split \
                         record says {size}: it was changed after the layer was stored"
                    )));
                }
                Ok(Current::File {
                    file,
                    name: shown,
                    left: size as u64,
                    crc: Crc64::new(),
                    want: payload,
                })
            }
            other => Err(self.err(format!(
                "tar-split line {}: unknown entry type {other}",
                self.line_no
            ))),
        }
    }
}

impl Read for TarSplitReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            match &mut self.current {
                Current::Done => return Ok(0),
                Current::Idle => self.next_entry()?,
                Current::Bytes(b, at) => {
                    let n = (b.len() - *at).min(buf.len());
                    buf[..n].copy_from_slice(&b[*at..*at + n]);
                    *at += n;
                    if *at == b.len() {
                        self.current = Current::Idle;
                    }
                    if n > 0 {
                        return Ok(n);
                    }
                }
                Current::File {
                    file,
                    name,
                    left,
                    crc,
                    want,
                } => {
                    if *left == 0 {
                        let got = crc.finish().to_be_bytes();
                        if got.as_slice() != want.as_slice() {
                            let name = name.clone();
                            return Err(self.err(format!(
                                "{name:?}: the stored file does not match the layer's \
                                 tar-split record (CRC-64 differs): it was changed after the layer was stored"
                            )));
                        }
                        self.current = Current::Idle;
                        continue;
                    }
                    let max = buf.len().min((*left).min(usize::MAX as u64) as usize);
                    let n = file.read(&mut buf[..max])?;
                    if n == 0 {
                        let (name, left) = (name.clone(), *left);
                        return Err(self.err(format!(
                            "{name:?}: the stored file is {left} bytes shorter than the layer's tar-split record"
                        )));
                    }
                    crc.update(&buf[..n]);
                    *left -= n as u64;
                    return Ok(n);
                }
            }
        }
    }
}

/// A tar name as a relative path: no `./` or `/` in front, no `/` behind.
fn normalize(name: &[u8]) -> &[u8] {
    let mut n = name;
    loop {
        if let Some(r) = n.strip_prefix(b"./") {
            n = r;
        } else if let Some(r) = n.strip_prefix(b"/") {
            n = r;
        } else {
            break;
        }
    }
    while let Some(r) = n.strip_suffix(b"/") {
        n = r;
    }
    n
}

/// CRC-64 with the ISO polynomial, as Go's `hash/crc64` computes it
/// (`crc64.MakeTable(crc64.ISO)`), slicing by 8.
struct Crc64 {
    crc: u64,
}

fn crc_tables() -> &'static [[u64; 256]; 8] {
    static T: std::sync::OnceLock<Box<[[u64; 256]; 8]>> = std::sync::OnceLock::new();
    T.get_or_init(|| {
        const POLY: u64 = 0xD800_0000_0000_0000;
        let mut t = Box::new([[0u64; 256]; 8]);
        for i in 0..256 {
            let mut c = i as u64;
            for _ in 0..8 {
                c = if c & 1 == 1 { (c >> 1) ^ POLY } else { c >> 1 };
            }
            t[0][i] = c;
        }
        for i in 0..256 {
            let mut c = t[0][i];
            for k in 1..8 {
                c = t[0][(c & 0xff) as usize] ^ (c >> 8);
                t[k][i] = c;
            }
        }
        t
    })
}

impl Crc64 {
    fn new() -> Crc64 {
        Crc64 { crc: !0 }
    }

    fn update(&mut self, mut p: &[u8]) {
        let t = crc_tables();
        let mut c = self.crc;
        while p.len() >= 8 {
            c ^= u64::from_le_bytes(p[..8].try_into().expect("8 bytes"));
            c = t[7][(c & 0xff) as usize]
                ^ t[6][((c >> 8) & 0xff) as usize]
                ^ t[5][((c >> 16) & 0xff) as usize]
                ^ t[4][((c >> 24) & 0xff) as usize]
                ^ t[3][((c >> 32) & 0xff) as usize]
                ^ t[2][((c >> 40) & 0xff) as usize]
                ^ t[1][((c >> 48) & 0xff) as usize]
                ^ t[0][(c >> 56) as usize];
            p = &p[8..];
        }
        for &b in p {
            c = t[0][((c as u8) ^ b) as usize] ^ (c >> 8);
        }
        self.crc = c;
    }

    fn finish(&self) -> u64 {
        !self.crc
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A tar-split file of `lines` and a layer directory with `files`.
    fn fixture(lines: &[String], files: &[(&str, &[u8])]) -> (tempfile::TempDir, File, OwnedFd) {
        let t = tempfile::tempdir().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        for l in lines {
            writeln!(gz, "{l}").unwrap();
        }
        std::fs::write(t.path().join("meta.gz"), gz.finish().unwrap()).unwrap();
        std::fs::create_dir(t.path().join("dir")).unwrap();
        for (n, c) in files {
            std::fs::write(t.path().join("dir").join(n), c).unwrap();
        }
        let meta = File::open(t.path().join("meta.gz")).unwrap();
        let dir = File::open(t.path().join("dir")).unwrap().into();
        (t, meta, dir)
    }

    fn seg(b: &[u8]) -> String {
        let p = base64::engine::general_purpose::STANDARD.encode(b);
        format!(r#"{{"type":2,"payload":"{p}","position":0}}"#)
    }

    fn file(name: &str, content: &[u8]) -> String {
        let mut c = Crc64::new();
        c.update(content);
        let p = base64::engine::general_purpose::STANDARD.encode(c.finish().to_be_bytes());
        let n = content.len();
        format!(r#"{{"type":1,"name":"{name}","size":{n},"payload":"{p}","position":1}}"#)
    }

    fn rebuild(lines: &[String], files: &[(&str, &[u8])], max_lines: u64) -> io::Result<Vec<u8>> {
        let (_t, meta, dir) = fixture(lines, files);
        let mut r = TarSplitReader::new(meta, dir, "layer X".into(), 1 << 20);
        r.max_lines = max_lines;
        let mut out = Vec::new();
        r.read_to_end(&mut out).map(|_| out)
    }

    #[test]
    fn rebuilds_segments_and_files_in_order() {
        let lines = [
            seg(b"HDR1"),
            file("a", b"hello"),
            seg(b"PAD"),
            file("e", b""),
            seg(b"END"),
        ];
        let out = rebuild(&lines, &[("a", b"hello")], u64::MAX).unwrap();
        assert_eq!(out, b"HDR1helloPADEND");
    }

    #[test]
    fn changed_or_resized_files_and_hostile_lines_are_errors() {
        let lines = [seg(b"H"), file("a", b"hello")];
        let e = rebuild(&lines, &[("a", b"hellO")], u64::MAX).unwrap_err();
        assert!(e.to_string().contains("CRC-64 differs") && e.to_string().contains("layer X"));
        let e = rebuild(&lines, &[("a", b"hello!")], u64::MAX).unwrap_err();
        assert!(e.to_string().contains("is 6 bytes"), "{e}");
        let e = rebuild(&lines, &[], u64::MAX).unwrap_err();
        assert!(e.to_string().contains("\"a\""), "{e}");
        let e = rebuild(&lines, &[("a", b"hello")], 1).unwrap_err();
        assert!(e.to_string().contains("--max-entries"), "{e}");
        let dup = [r#"{"type":2,"payload":"","Payload":"QQ=="}"#.to_string()];
        assert!(rebuild(&dup, &[], u64::MAX).is_err());
        let escape = [file("../a", b"x")];
        assert!(rebuild(&escape, &[], u64::MAX).is_err());
    }

    fn crc(b: &[u8]) -> u64 {
        let mut c = Crc64::new();
        c.update(b);
        c.finish()
    }

    #[test]
    fn crc64_iso_matches_go() {
        // Go: crc64.Checksum([]byte("hello world"), crc64.MakeTable(crc64.ISO))
        assert_eq!(crc(b"hello world"), 0xb9cf3f572ad9ac3e);
        assert_eq!(crc(b""), 0);
        // Split updates agree with one update (slicing path vs byte path).
        let data: Vec<u8> = (0..1000u32).map(|i| (i * 7 + 3) as u8).collect();
        let mut c = Crc64::new();
        c.update(&data[..13]);
        c.update(&data[13..]);
        assert_eq!(c.finish(), crc(&data));
    }
}
