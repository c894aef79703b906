//! The squashed image: layer indexes applied in order, exactly per the OCI
//! image spec's whiteout rules, keeping provenance (which layer added and
//! which modified each path) and everything that is shipped but hidden
//! (whited out, under an opaque directory, overwritten, replaced).

pub mod cache;
mod resolve;

pub use resolve::{ResolveError, Resolved};

use std::collections::BTreeMap;

use serde::Serialize;

use crate::finding::{Code, Finding};
use crate::layer::{Entry, EntryType, LayerIndex, Whiteout};
use crate::path::ImagePath;

/// A visible path in the final view.
#[derive(Clone, Debug)]
pub struct Node {
    pub entry: Entry,
    /// Layer that last wrote this path.
    pub layer: usize,
    /// Layer that first added it (since it last appeared).
    pub added_in: usize,
    /// Later layers that rewrote it, in order.
    pub modified_in: Vec<usize>,
}

/// How shipped bytes became invisible.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Hidden {
    /// Deleted by a `.wh.NAME` marker (itself or a parent).
    Whiteout,
    /// Under a directory made opaque by `.wh..wh..opq`.
    Opaque,
    /// The same path written again (later layer, or later in the same tar).
    Overwritten,
    /// Below a directory that a later entry replaced with a non-directory.
    Replaced,
}

impl std::fmt::Display for Hidden {
    /// How the bytes were hidden, in the words of the findings.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Hidden::Whiteout => "deleted by a whiteout",
            Hidden::Opaque => "hidden under an opaque directory",
            Hidden::Overwritten => "overwritten by different bytes",
            Hidden::Replaced => "hidden when its directory was replaced",
        })
    }
}

/// Shipped in the image but not visible in the final view.
#[derive(Clone, Debug)]
pub struct Removed {
    pub entry: Entry,
    /// The layer whose bytes these are.
    pub added_in: usize,
    /// The layer that hid them.
    pub removed_in: usize,
    pub how: Hidden,
}

/// The final file system of an image, with provenance.
#[derive(Clone, Debug, Default)]
pub struct ImageFs {
    pub nodes: BTreeMap<ImagePath, Node>,
    pub removed: Vec<Removed>,
    /// Problems found while squashing, with the layer they belong to.
    pub findings: Vec<(usize, Finding)>,
    /// Size of `nodes` when it was last packed (see `ImageFs::pack`).
    packed_len: usize,
}

impl ImageFs {
    /// Apply the layers, lowest first. Entries are moved out of the
    /// indexes (each file is held once); whiteouts and findings stay.
    pub fn squash(layers: &mut [LayerIndex]) -> ImageFs {
        let mut fs = ImageFs::default();
        for (i, layer) in layers.iter_mut().enumerate() {
            fs.apply(i, layer);
        }
        fs.forget_still_visible();
        fs.pack();
        fs
    }

    /// Overwritten bytes that are still visible are not hidden: the same
    /// content at the same path (a layer that rewrote a file unchanged, as
    /// a copy-up for a new hardlink does), or under a visible hardlink that
    /// names the overwritten path (linked before the overwrite).
    fn forget_still_visible(&mut self) {
        let nodes = &self.nodes;
        let mut linked: std::collections::HashSet<(&[u8], crate::digest::Sha256)> =
            std::collections::HashSet::new();
        for n in nodes.values() {
            if let (EntryType::Hardlink, Some(l), Some(d)) =
                (n.entry.kind, n.entry.link.as_deref(), n.entry.sha256)
            {
                linked.insert((l, d));
            }
        }
        self.removed.retain(|r| {
            let Some(d) = r.entry.sha256 else {
                return true;
            };
            if r.how != Hidden::Overwritten {
                return true;
            }
            let same_here = nodes
                .get(&r.entry.path)
                .is_some_and(|n| n.entry.sha256 == Some(d) && n.entry.kind.has_content());
            !same_here && !linked.contains(&(r.entry.path.as_bytes(), d))
        });
    }

    /// Apply one layer on top of the current state, taking its entries.
    pub fn apply(&mut self, layer: usize, index: &mut LayerIndex) {
        // Whiteouts apply to lower layers only, so before this layer's entries.
        for wh in &index.whiteouts {
            match wh {
                Whiteout::Path(p) => {
                    if let Some(node) = self.nodes.remove(p) {
                        self.hide(node, layer, Hidden::Whiteout);
                    }
                    self.remove_below(p, layer, Hidden::Whiteout);
                }
                Whiteout::Opaque(dir) => self.remove_below(dir, layer, Hidden::Opaque),
            }
        }
        // Pop entries off a reversed list, shrinking it as it empties, so a
        // layer's entries are never held twice (list and map) in full.
        let mut pending = std::mem::take(&mut index.entries);
        pending.reverse();
        while let Some(mut entry) = pending.pop() {
            shrink_as_it_empties(&mut pending);
            if self.nodes.len() >= (self.packed_len + self.packed_len / 4).max(4096) {
                self.pack();
            }
            if entry.kind == EntryType::Hardlink && entry.sha256.is_none() {
                self.resolve_hardlink(layer, &mut entry);
            }
            let path = entry.path.clone();
            // A new path (the common case) is inserted in the same search.
            let old = match self.nodes.entry(path.clone()) {
                std::collections::btree_map::Entry::Vacant(v) => {
                    v.insert(Node {
                        entry,
                        layer,
                        added_in: layer,
                        modified_in: Vec::new(),
                    });
                    continue;
                }
                std::collections::btree_map::Entry::Occupied(o) => o.remove(),
            };
            let keeps_dir = old.entry.kind == EntryType::Dir && entry.kind == EntryType::Dir;
            if old.entry.kind == EntryType::Dir && entry.kind != EntryType::Dir {
                self.remove_below(&path, layer, Hidden::Replaced);
            }
            let (added_in, mut modified_in) = (old.added_in, old.modified_in.clone());
            // The same bytes written again (a layer listed twice, a copy-up)
            // hide nothing: keep no second copy.
            let same = old.entry.kind == entry.kind
                && old.entry.sha256.is_some()
                && old.entry.sha256 == entry.sha256;
            if !keeps_dir && !same {
                self.hide(old, layer, Hidden::Overwritten);
            }
            if added_in != layer && modified_in.last() != Some(&layer) {
                modified_in.push(layer);
            }
            self.nodes.insert(
                path,
                Node {
                    entry,
                    layer,
                    added_in,
                    modified_in,
                },
            );
        }
    }

    /// Rebuild the map with full nodes. Entries arrive mostly in path
    /// order, and a B-tree filled in order leaves every node about half
    /// empty (~350 bytes per path instead of ~190); a bulk rebuild packs
    /// them. Packing whenever the map has grown by a quarter since the last
    /// time bounds the slack to about a sixth at any time, for about five
    /// moves per entry in all. `append` into a map holding one entry builds
    /// from both maps' sorted iterators and frees the old nodes as it goes
    /// (into an empty map it would only swap them).
    fn pack(&mut self) {
        if let Some((k, v)) = self.nodes.pop_first() {
            let mut packed = BTreeMap::new();
            packed.insert(k, v);
            packed.append(&mut self.nodes);
            self.nodes = packed;
        }
        self.packed_len = self.nodes.len();
    }

    fn resolve_hardlink(&mut self, layer: usize, entry: &mut Entry) {
        let target = ImagePath::new(entry.link.as_deref().unwrap_or_default());
        let why = match self.nodes.get(&target) {
            Some(t) if t.entry.kind.has_content() && t.entry.sha256.is_some() => {
                entry.sha256 = t.entry.sha256;
                entry.size = t.entry.size;
                entry.content = t.entry.content;
                entry.facts = t.entry.facts.clone();
                entry.pkg = t.entry.pkg.clone();
                return;
            }
            Some(t) => format!("target {target} is a {}", t.entry.kind.as_str()),
            None => format!("target {target} does not exist in this or a lower layer"),
        };
        self.findings.push((
            layer,
            Finding::new(Code::HardlinkMissingTarget)
                .at(&entry.path)
                .because(why),
        ));
    }

    fn hide(&mut self, node: Node, layer: usize, how: Hidden) {
        if node.entry.kind == EntryType::Dir {
            return;
        }
        self.removed.push(Removed {
            added_in: node.layer,
            removed_in: layer,
            how,
            entry: node.entry,
        });
    }

    fn remove_below(&mut self, dir: &ImagePath, layer: usize, how: Hidden) {
        let keys: Vec<ImagePath> = self.below(dir).map(|(k, _)| k.clone()).collect();
        for k in keys {
            if let Some(node) = self.nodes.remove(&k) {
                self.hide(node, layer, how);
            }
        }
    }

    /// Every visible path strictly below `dir`, in order.
    pub fn below(&self, dir: &ImagePath) -> impl Iterator<Item = (&ImagePath, &Node)> {
        let (lo, hi) = dir.descendant_bounds();
        match hi {
            Some(hi) => self.nodes.range(lo..hi),
            None => self.nodes.range(lo..),
        }
    }

    /// Look a path up in the final view without following links.
    pub fn get(&self, path: &ImagePath) -> Option<&Node> {
        self.nodes.get(path)
    }
}

/// Give memory back as a large list empties, each time a quarter of it is
/// unused (tuning only: no effect on results).
fn shrink_as_it_empties<T>(v: &mut Vec<T>) {
    if v.capacity() > 1024 && v.len() < v.capacity() / 4 * 3 {
        v.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests;
