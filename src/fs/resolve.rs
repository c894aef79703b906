//! Symlink resolution inside the squashed view: absolute targets start at the
//! image root, `..` stops at the root, and the number of links followed is
//! bounded so self-loops, cycles and deep webs end with an error, not a hang.

use crate::path::ImagePath;

use super::{ImageFs, Node};
use crate::layer::EntryType;

/// Why a path could not be resolved.
#[derive(Debug, PartialEq, Eq)]
pub enum ResolveError {
    /// A component does not exist.
    NotFound(ImagePath),
    /// A component used as a directory is not one.
    NotADirectory(ImagePath),
    /// More than the allowed number of symlinks were followed.
    TooManyLinks { path: ImagePath, limit: u32 },
}

/// A resolved path and the node it names.
#[derive(Debug)]
pub struct Resolved<'a> {
    pub path: ImagePath,
    pub node: Option<&'a Node>,
    /// Symlinks followed on the way.
    pub links: u32,
}

impl ImageFs {
    /// Resolve `path` (absolute, or relative to the root), following every
    /// symlink, at most `max_links` of them.
    pub fn resolve(&self, path: &[u8], max_links: u32) -> Result<Resolved<'_>, ResolveError> {
        let mut links = 0u32;
        // Components still to walk, in reverse order (a stack).
        let mut todo: Vec<Vec<u8>> = split_rev(path);
        let mut cur = ImagePath::root();
        while let Some(comp) = todo.pop() {
            match comp.as_slice() {
                b"" | b"." => continue,
                b".." => {
                    cur = cur.parent();
                    continue;
                }
                _ => {}
            }
            let next = cur.join(&comp);
            let Some(node) = self.nodes.get(&next) else {
                // A directory can be implied by entries below it (tars need
                // not list every parent).
                if self.has_children(&next) {
                    cur = next;
                    continue;
                }
                return Err(ResolveError::NotFound(next));
            };
            match node.entry.kind {
                EntryType::Symlink => {
                    links += 1;
                    if links > max_links {
                        return Err(ResolveError::TooManyLinks {
                            path: ImagePath::new(path),
                            limit: max_links,
                        });
                    }
                    let target = node.entry.link.clone().unwrap_or_default();
                    if target.starts_with(b"/") {
                        cur = ImagePath::root();
                    }
                    todo.extend(split_rev(&target));
                }
                EntryType::Dir => cur = next,
                _ if todo.iter().all(|c| c.is_empty() || c == b".") => cur = next,
                _ => return Err(ResolveError::NotADirectory(next)),
            }
        }
        let node = self.nodes.get(&cur);
        Ok(Resolved {
            path: cur,
            node,
            links,
        })
    }
}

impl ImageFs {
    /// True if some visible path lies below `dir`.
    pub fn has_children(&self, dir: &ImagePath) -> bool {
        self.below(dir).next().is_some()
    }
}

fn split_rev(p: &[u8]) -> Vec<Vec<u8>> {
    p.split(|&b| b == b'/').rev().map(|c| c.to_vec()).collect()
}
