//! Every resource limit of a scan, in one place. Defaults are generous enough
//! for real images and small enough that a crafted image cannot exhaust the
//! host; each can be changed from the command line (or, later, the policy).

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
    use super::parse_size;

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
