//! The squashed view's cached form: an image whose layers are all in the
//! layer cache is not squashed again. Keyed by the ordered layer cache keys
//! (which already carry the analyzers' version and the settings that shape
//! a layer's facts); holds the layers' remains after squashing (whiteouts,
//! findings, digests and sizes, and the counts the limits are checked on)
//! and the view itself — visible nodes in path order, hidden files and the
//! squash findings — in the layer cache's compact binary encoding, in one
//! checksummed zstd frame. Decoding is one linear pass and a bulk build of
//! the map. Any byte out of place makes [`decode`] return `None`: a miss,
//! never a panic or a wrong view.

use std::collections::BTreeMap;
use std::io::Write;

use crate::digest::Hasher;
use crate::layer::LayerIndex;
use crate::layer::cache::Shape;
use crate::layer::cache::codec::{self, Reader};
use crate::path::ImagePath;

use super::{Hidden, ImageFs, Node, Removed};

/// Magic and format version of a cached squashed view.
const MAGIC: &[u8; 8] = b"STWSQSH\x01";

/// A squashed view read back from the cache.
pub struct Squashed {
    /// The layers after squashing (their entries moved into `fs`).
    pub layers: Vec<LayerIndex>,
    /// What the limits are checked on, per layer.
    pub shapes: Vec<Shape>,
    pub fs: ImageFs,
}

/// The cache key of the squashed view of these layers, in this order.
pub fn key<'a>(layer_keys: impl IntoIterator<Item = &'a str>) -> String {
    let mut h = Hasher::new();
    for k in layer_keys {
        h.update(&(k.len() as u64).to_le_bytes());
        h.update(k.as_bytes());
    }
    format!("squashed/v1/{}", h.finish().hex())
}

/// Encode the squashed view and what remains of its layers.
pub fn encode(layers: &[LayerIndex], shapes: &[Shape], fs: &ImageFs) -> Vec<u8> {
    codec::frame(MAGIC, |w| write_view(w, layers, shapes, fs))
}

fn write_view<W: Write>(
    w: &mut W,
    layers: &[LayerIndex],
    shapes: &[Shape],
    fs: &ImageFs,
) -> std::io::Result<()> {
    w.write_all(&(layers.len() as u64).to_le_bytes())?;
    for (l, s) in layers.iter().zip(shapes) {
        w.write_all(&s.entries.to_le_bytes())?;
        w.write_all(&s.longest_path.to_le_bytes())?;
        codec::write_index(w, l)?;
    }
    w.write_all(&(fs.nodes.len() as u64).to_le_bytes())?;
    for n in fs.nodes.values() {
        codec::write_entry(w, &n.entry)?;
        layer_no(w, n.layer)?;
        layer_no(w, n.added_in)?;
        w.write_all(&(n.modified_in.len() as u32).to_le_bytes())?;
        for &m in &n.modified_in {
            layer_no(w, m)?;
        }
    }
    w.write_all(&(fs.removed.len() as u64).to_le_bytes())?;
    for r in &fs.removed {
        codec::write_entry(w, &r.entry)?;
        layer_no(w, r.added_in)?;
        layer_no(w, r.removed_in)?;
        w.write_all(&[hidden_byte(r.how)])?;
    }
    let findings = serde_json::to_vec(&fs.findings).expect("findings serialize");
    codec::bytes(w, &findings)
}

fn layer_no<W: Write>(w: &mut W, n: usize) -> std::io::Result<()> {
    w.write_all(&(n as u32).to_le_bytes())
}

fn hidden_byte(h: Hidden) -> u8 {
    match h {
        Hidden::Whiteout => 0,
        Hidden::Opaque => 1,
        Hidden::Overwritten => 2,
        Hidden::Replaced => 3,
    }
}

fn hidden_of(b: u8) -> Option<Hidden> {
    Some(match b {
        0 => Hidden::Whiteout,
        1 => Hidden::Opaque,
        2 => Hidden::Overwritten,
        3 => Hidden::Replaced,
        _ => return None,
    })
}

/// Decode a cached squashed view; `None` for anything that is not exactly
/// what [`encode`] wrote (the layers are then read and squashed again).
pub fn decode(stored: &[u8]) -> Option<Squashed> {
    let body = codec::unframe(stored, MAGIC)?;
    let mut r = Reader(&body);
    let n = r.count(16)?;
    let mut layers = Vec::with_capacity(n);
    let mut shapes = Vec::with_capacity(n);
    for _ in 0..n {
        let entries = r.u64()?;
        let longest_path = r.u64()?;
        let index = read_index_checked(&mut r)?;
        shapes.push(Shape {
            entries,
            longest_path,
            uncompressed: index.uncompressed_size,
        });
        layers.push(index);
    }
    let fs = read_fs(&mut r, n)?;
    r.0.is_empty().then_some(Squashed { layers, shapes, fs })
}

/// A layer's remains: its entries were moved into the view.
fn read_index_checked(r: &mut Reader<'_>) -> Option<LayerIndex> {
    let index = codec::read_index(r)?;
    index.entries.is_empty().then_some(index)
}

fn read_fs(r: &mut Reader<'_>, layers: usize) -> Option<ImageFs> {
    let nodes = read_nodes(r, layers)?;
    let n = r.count(44)?;
    let mut removed = Vec::with_capacity(n);
    for _ in 0..n {
        let entry = codec::read_entry(r)?;
        removed.push(Removed {
            entry,
            added_in: layer_of(r, layers)?,
            removed_in: layer_of(r, layers)?,
            how: hidden_of(r.u8()?)?,
        });
    }
    let findings: Vec<(usize, crate::finding::Finding)> =
        serde_json::from_slice(r.bytes()?).ok()?;
    if findings.iter().any(|(l, _)| *l >= layers) {
        return None;
    }
    Some(ImageFs {
        packed_len: nodes.len(),
        nodes,
        removed,
        findings,
    })
}

/// A layer number below `layers`.
fn layer_of(r: &mut Reader<'_>, layers: usize) -> Option<usize> {
    let n = r.u32()? as usize;
    (n < layers).then_some(n)
}

/// The visible nodes, in strictly increasing path order (else `None`).
/// They are gathered in runs, each bulk-built into a map with full nodes
/// and appended to the map so far (which rebuilds it full, freeing the old
/// nodes as it goes). A run is 65,536 nodes or half the map so far: up to
/// that many files the map is built in one go (each node moved once, the
/// list ~15 MiB at most); past it each node moves about three times and at
/// most a third of them wait in the list.
fn read_nodes(r: &mut Reader<'_>, layers: usize) -> Option<BTreeMap<ImagePath, Node>> {
    let n = r.count(47)?;
    let mut map = BTreeMap::new();
    let mut run: Vec<(ImagePath, Node)> = Vec::new();
    for _ in 0..n {
        let entry = codec::read_entry(r)?;
        let (last, added_in) = (layer_of(r, layers)?, layer_of(r, layers)?);
        let m = r.u32()? as usize;
        if m > r.0.len() / 4 {
            return None;
        }
        let modified_in = (0..m)
            .map(|_| layer_of(r, layers))
            .collect::<Option<Vec<_>>>()?;
        let prev = run
            .last()
            .map(|(p, _)| p)
            .or(map.last_key_value().map(|(p, _)| p));
        if prev.is_some_and(|p| *p >= entry.path) {
            return None;
        }
        if run.len() >= (map.len() / 2).max(1 << 16) {
            append_run(&mut map, &mut run);
        }
        let node = Node {
            layer: last,
            added_in,
            modified_in,
            entry,
        };
        run.push((node.entry.path.clone(), node));
    }
    append_run(&mut map, &mut run);
    Some(map)
}

fn append_run(map: &mut BTreeMap<ImagePath, Node>, run: &mut Vec<(ImagePath, Node)>) {
    // Sorted input: bulk-built with full nodes.
    let mut part: BTreeMap<ImagePath, Node> = std::mem::take(run).into_iter().collect();
    map.append(&mut part);
}

#[cfg(test)]
mod tests;
