//! Every resource limit of a scan, in one place. Defaults are generous enough
//! for real images and small enough that a crafted image cannot exhaust the
//! host; each can be changed from the command line and from a policy's
//! `[limits]` table. [`Limit`] names one of them and knows its flag and its
//! policy key, so an error says how to raise the limit it hit.

use serde::Serialize;

/// Limits applied while reading an image.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Limits {
    /// Decompressed bytes of one layer.
    pub max_layer_bytes: u64,
    /// Decompressed bytes of all layers together.
    pub max_image_bytes: u64,
    /// Tar entries in one layer (also bounds the segments of one sparse map).
    pub max_entries: u64,
    /// Entries in all layers together (memory grows with them).
    pub max_image_entries: u64,
    /// Bytes of one file kept in memory for analysis (the rest is only hashed).
    pub max_file_buffer: usize,
    /// Symlinks followed while resolving one path.
    pub max_link_depth: u32,
    /// Size of one JSON document (index, manifest, config, docker manifest.json).
    pub max_json_bytes: u64,
    /// Length of one path inside the image.
    pub max_path_bytes: usize,
    /// Layers scanned at once.
    pub parallel_layers: usize,
    /// Package database bytes (dpkg status and info files, apk installed, rpmdb.sqlite) kept per layer to read them.
    pub max_package_db: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_layer_bytes: 64 << 30,
            max_image_bytes: 256 << 30,
            max_entries: 4_000_000,
            max_image_entries: 1_000_000,
            max_file_buffer: 8 << 20,
            max_link_depth: 40,
            max_json_bytes: 8 << 20,
            max_path_bytes: 16 << 10,
            parallel_layers: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2)
                .clamp(1, 8),
            max_package_db: 128 << 20,
        }
    }
}

/// One configurable limit: its command-line flag, its policy key and the
/// [`Limits`] field it sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Limit {
    LayerSize,
    ImageSize,
    Entries,
    ImageEntries,
    FileBuffer,
    LinkDepth,
    JsonSize,
    PathBytes,
    PackageDb,
}

impl Limit {
    /// Every limit a policy can set, in the order they are documented.
    pub const ALL: [Limit; 9] = [
        Limit::LayerSize,
        Limit::ImageSize,
        Limit::Entries,
        Limit::ImageEntries,
        Limit::FileBuffer,
        Limit::LinkDepth,
        Limit::JsonSize,
        Limit::PathBytes,
        Limit::PackageDb,
    ];

    /// The policy key (`[limits]` table).
    pub fn key(self) -> &'static str {
        match self {
            Limit::LayerSize => "max_layer_size",
            Limit::ImageSize => "max_image_size",
            Limit::Entries => "max_entries",
            Limit::ImageEntries => "max_image_entries",
            Limit::FileBuffer => "max_file_buffer",
            Limit::LinkDepth => "max_link_depth",
            Limit::JsonSize => "max_json_size",
            Limit::PathBytes => "max_path_bytes",
            Limit::PackageDb => "max_package_db",
        }
    }

    /// The command-line flag that sets it.
    pub fn flag(self) -> &'static str {
        match self {
            Limit::LayerSize => "--max-layer-size",
            Limit::ImageSize => "--max-image-size",
            Limit::Entries => "--max-entries",
            Limit::ImageEntries => "--max-image-entries",
            Limit::FileBuffer => "--max-file-buffer",
            Limit::LinkDepth => "--max-link-depth",
            Limit::JsonSize => "--max-json-size",
            Limit::PathBytes => "--max-path-bytes",
            Limit::PackageDb => "--max-package-db",
        }
    }

    /// What it bounds, in words (the default wording of its error).
    pub fn what(self) -> &'static str {
        match self {
            Limit::LayerSize => "decompressed layer size",
            Limit::ImageSize => "decompressed image size",
            Limit::Entries => "entries in one layer",
            Limit::ImageEntries => "entries in the image",
            Limit::FileBuffer => "bytes of one file kept for analysis",
            Limit::LinkDepth => "symlinks followed for one path",
            Limit::JsonSize => "JSON document size",
            Limit::PathBytes => "path length",
            Limit::PackageDb => "package database bytes per layer",
        }
    }

    /// The limit a policy key names.
    pub fn from_key(key: &str) -> Option<Limit> {
        Limit::ALL.into_iter().find(|l| l.key() == key)
    }
}

impl std::fmt::Display for Limit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

impl Limits {
    /// The value of one limit.
    pub fn get(&self, limit: Limit) -> u64 {
        match limit {
            Limit::LayerSize => self.max_layer_bytes,
            Limit::ImageSize => self.max_image_bytes,
            Limit::Entries => self.max_entries,
            Limit::ImageEntries => self.max_image_entries,
            Limit::FileBuffer => self.max_file_buffer as u64,
            Limit::LinkDepth => u64::from(self.max_link_depth),
            Limit::JsonSize => self.max_json_bytes,
            Limit::PathBytes => self.max_path_bytes as u64,
            Limit::PackageDb => self.max_package_db,
        }
    }

    /// Set one limit (values too large for the field saturate).
    pub fn set(&mut self, limit: Limit, value: u64) {
        let usize_of = |v: u64| usize::try_from(v).unwrap_or(usize::MAX);
        match limit {
            Limit::LayerSize => self.max_layer_bytes = value,
            Limit::ImageSize => self.max_image_bytes = value,
            Limit::Entries => self.max_entries = value,
            Limit::ImageEntries => self.max_image_entries = value,
            Limit::FileBuffer => self.max_file_buffer = usize_of(value),
            Limit::LinkDepth => self.max_link_depth = u32::try_from(value).unwrap_or(u32::MAX),
            Limit::JsonSize => self.max_json_bytes = value,
            Limit::PathBytes => self.max_path_bytes = usize_of(value),
            Limit::PackageDb => self.max_package_db = value,
        }
    }

    /// These limits with `settings` applied in order (later ones win).
    pub fn with(mut self, settings: &[(Limit, u64)]) -> Limits {
        for &(limit, value) in settings {
            self.set(limit, value);
        }
        self
    }
}

/// Parse a byte size such as `512`, `64K`, `10M`, `2G`, `1T` (binary units;
/// an optional trailing `B`/`iB` is accepted).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let t = t
        .strip_suffix("iB")
        .or_else(|| t.strip_suffix('B'))
        .unwrap_or(t);
    let (num, shift) = match t.chars().last() {
        Some('k' | 'K') => (&t[..t.len() - 1], 10),
        Some('m' | 'M') => (&t[..t.len() - 1], 20),
        Some('g' | 'G') => (&t[..t.len() - 1], 30),
        Some('t' | 'T') => (&t[..t.len() - 1], 40),
        _ => (t, 0),
    };
    let n: u64 = num
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a size (examples: 4096, 64K, 10M, 2G)"))?;
    n.checked_mul(1u64 << shift)
        .ok_or_else(|| format!("{s:?} is too large"))
}

#[cfg(test)]
mod tests {
    use super::{Limit, Limits, parse_size};

    #[test]
    fn every_limit_has_its_own_key_flag_and_field() {
        let mut keys: Vec<_> = Limit::ALL.iter().map(|l| l.key()).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), Limit::ALL.len());
        for (n, limit) in Limit::ALL.into_iter().enumerate() {
            assert_eq!(Limit::from_key(limit.key()), Some(limit));
            assert_eq!(limit.flag()[2..].replace('-', "_"), limit.key());
            let value = 1000 + n as u64;
            let l = Limits::default().with(&[(limit, value)]);
            assert_eq!(l.get(limit), value, "{limit}");
            for other in Limit::ALL.into_iter().filter(|&o| o != limit) {
                assert_eq!(
                    l.get(other),
                    Limits::default().get(other),
                    "{limit} set {other}"
                );
            }
        }
        assert_eq!(Limit::from_key("max_layers"), None);
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("4096").unwrap(), 4096);
        assert_eq!(parse_size("64K").unwrap(), 65536);
        assert_eq!(parse_size("10MiB").unwrap(), 10 << 20);
        assert_eq!(parse_size("2G").unwrap(), 2 << 30);
        assert!(parse_size("lots").is_err());
        assert!(parse_size("99999999999T").is_err());
    }
}
