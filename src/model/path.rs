//! Paths inside an image: raw bytes (tar names need not be UTF-8), normalized
//! to a relative form with no `.`/`..`/empty components, and confined to the
//! image root. Nothing here touches the host filesystem.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A normalized path inside an image, without leading `/`. The root is empty.
/// Shared (`Arc`): the squashed view keys its map by the same allocation the
/// entry holds.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct ImagePath(Arc<[u8]>);

/// How a raw name had to be changed to fit inside the image root.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Normalization {
    /// The raw name started with `/`.
    pub absolute: bool,
    /// A `..` component tried to climb above the root (it was clamped).
    pub escaped: bool,
}

impl ImagePath {
    /// The image root.
    pub fn root() -> Self {
        ImagePath(Arc::from(&[][..]))
    }

    /// Normalize raw bytes: strip `./` and `/` prefixes, drop `.` and empty
    /// components, apply `..` lexically and clamp at the root.
    pub fn normalize(raw: &[u8]) -> (ImagePath, Normalization) {
        let mut norm = Normalization {
            absolute: raw.first() == Some(&b'/'),
            escaped: false,
        };
        let mut parts: Vec<&[u8]> = Vec::new();
        for comp in raw.split(|&b| b == b'/') {
            match comp {
                b"" | b"." => {}
                b".." => {
                    if parts.pop().is_none() {
                        norm.escaped = true;
                    }
                }
                c => parts.push(c),
            }
        }
        (ImagePath(parts.join(&b'/').into()), norm)
    }

    /// Take bytes already in normalized form (as stored by this program):
    /// `None` when they are not (a leading or doubled `/`, a `.` or `..`
    /// component), so stored data cannot smuggle in an unconfined path.
    pub fn from_normalized(raw: &[u8]) -> Option<ImagePath> {
        if raw.is_empty() {
            return Some(ImagePath::root());
        }
        let clean = raw
            .split(|&b| b == b'/')
            .all(|c| !matches!(c, b"" | b"." | b".."));
        clean.then(|| ImagePath(Arc::from(raw)))
    }

    /// Normalize and ignore how (for trusted, already-clean input such as tests).
    pub fn new(raw: impl AsRef<[u8]>) -> ImagePath {
        ImagePath::normalize(raw.as_ref()).0
    }

    /// Raw bytes, without leading `/`.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// True for the image root.
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// The last component (empty for the root).
    pub fn file_name(&self) -> &[u8] {
        match self.0.iter().rposition(|&b| b == b'/') {
            Some(i) => &self.0[i + 1..],
            None => &self.0,
        }
    }

    /// The parent directory (the root's parent is the root).
    pub fn parent(&self) -> ImagePath {
        match self.0.iter().rposition(|&b| b == b'/') {
            Some(i) => ImagePath(self.0[..i].into()),
            None => ImagePath::root(),
        }
    }

    /// `self/name`, where `name` is one component.
    pub fn join(&self, name: &[u8]) -> ImagePath {
        if self.0.is_empty() {
            return ImagePath(name.into());
        }
        let mut v = Vec::with_capacity(self.0.len() + 1 + name.len());
        v.extend_from_slice(&self.0);
        v.push(b'/');
        v.extend_from_slice(name);
        ImagePath(v.into())
    }

    /// True if `self` lies strictly below `dir`.
    pub fn is_below(&self, dir: &ImagePath) -> bool {
        if dir.is_root() {
            return !self.is_root();
        }
        self.0.len() > dir.0.len() && self.0.starts_with(&dir.0) && self.0[dir.0.len()] == b'/'
    }

    /// The key range bounds of every path strictly below `self` in a sorted map:
    /// `self/` (inclusive) to `self0` (exclusive), since `0` follows `/`.
    pub fn descendant_bounds(&self) -> (ImagePath, Option<ImagePath>) {
        if self.is_root() {
            return (ImagePath(Arc::from(&[0u8][..])), None);
        }
        let mut lo = self.0.to_vec();
        lo.push(b'/');
        let mut hi = self.0.to_vec();
        hi.push(b'/' + 1);
        (ImagePath(lo.into()), Some(ImagePath(hi.into())))
    }

    /// Path components.
    pub fn components(&self) -> impl Iterator<Item = &[u8]> {
        self.0.split(|&b| b == b'/').filter(|c| !c.is_empty())
    }

    /// Render as an absolute path for people and JSON: UTF-8 is kept, other
    /// bytes, control characters and backslashes are escaped as `\xNN`.
    pub fn display(&self) -> String {
        let mut s = String::with_capacity(self.0.len() + 1);
        s.push('/');
        escape_into(&self.0, &mut s);
        s
    }
}

/// Escape arbitrary bytes for display: valid UTF-8 stays, control characters,
/// bidirectional-text controls (U+202E and friends, which reorder what a
/// terminal shows), backslashes and invalid bytes become `\xNN`.
pub fn escape_bytes(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len());
    escape_into(bytes, &mut s);
    s
}

fn escape_into(bytes: &[u8], s: &mut String) {
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c.is_control() || c == '\\' || is_bidi_control(c) {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    s.push_str(&format!("\\x{b:02x}"));
                }
            } else {
                s.push(c);
            }
        }
        for b in chunk.invalid() {
            s.push_str(&format!("\\x{b:02x}"));
        }
    }
}

/// Unicode's explicit directional formatting characters (and marks).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

impl fmt::Display for ImagePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

impl fmt::Debug for ImagePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.display())
    }
}

impl Serialize for ImagePath {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.display())
    }
}

impl schemars::JsonSchema for ImagePath {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ImagePath".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A path inside the image, absolute, with bytes that are not printable UTF-8 escaped.",
            "type": "string",
            "pattern": "^/",
        })
    }
}

impl<'de> Deserialize<'de> for ImagePath {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s: String = Deserialize::deserialize(d)?;
        Ok(ImagePath::from_display(&s))
    }
}

impl ImagePath {
    /// Invert [`ImagePath::display`]: `\xNN` escapes back to bytes.
    pub fn from_display(s: &str) -> ImagePath {
        let b = s.as_bytes();
        let mut out = Vec::with_capacity(b.len());
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'\\'
                && b.get(i + 1) == Some(&b'x')
                && let Some(v) = b
                    .get(i + 2..i + 4)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(v);
                i += 4;
                continue;
            }
            out.push(b[i]);
            i += 1;
        }
        ImagePath::normalize(&out).0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bidi_controls_are_escaped() {
        // "evil\u{202E}gpj.sh" shows as "evilhs.jpg" on a terminal.
        let p = ImagePath::new("usr/bin/evil\u{202E}gpj.sh".as_bytes());
        assert_eq!(p.display(), "/usr/bin/evil\\xe2\\x80\\xaegpj.sh");
        assert_eq!(
            escape_bytes("a\u{2067}b\u{200F}".as_bytes()),
            "a\\xe2\\x81\\xa7b\\xe2\\x80\\x8f"
        );
        assert_eq!(escape_bytes("héllo".as_bytes()), "héllo");
    }

    fn n(raw: &str) -> (String, Normalization) {
        let (p, how) = ImagePath::normalize(raw.as_bytes());
        (p.display(), how)
    }

    #[test]
    fn normalizes_prefixes_and_dots() {
        assert_eq!(n("./usr/bin/curl").0, "/usr/bin/curl");
        assert_eq!(n("usr//bin/./curl/").0, "/usr/bin/curl");
        assert_eq!(n("./").0, "/");
        assert!(!n("./a").1.absolute);
    }

    #[test]
    fn clamps_escapes_and_flags_them() {
        let (p, how) = n("../../etc/passwd");
        assert_eq!(p, "/etc/passwd");
        assert!(how.escaped);
        let (p, how) = n("a/../../b");
        assert_eq!(p, "/b");
        assert!(how.escaped);
        let (p, how) = n("a/b/../c");
        assert_eq!(p, "/a/c");
        assert!(!how.escaped);
        let (p, how) = n("/etc/shadow");
        assert_eq!(p, "/etc/shadow");
        assert!(how.absolute);
    }

    #[test]
    fn escapes_non_utf8_and_controls() {
        let p = ImagePath::new(b"a/\xff\n\\b");
        assert_eq!(p.display(), "/a/\\xff\\x0a\\x5cb");
        assert_eq!(ImagePath::from_display(&p.display()), p);
    }

    #[test]
    fn below_and_bounds() {
        let d = ImagePath::new("a/b");
        assert!(ImagePath::new("a/b/c").is_below(&d));
        assert!(!ImagePath::new("a/bc").is_below(&d));
        assert!(!d.is_below(&d));
        let (lo, hi) = d.descendant_bounds();
        assert!(ImagePath::new("a/b/zzz") >= lo && ImagePath::new("a/b/zzz") < hi.unwrap());
        assert_eq!(d.parent(), ImagePath::new("a"));
        assert_eq!(d.file_name(), b"b");
    }

    #[test]
    fn is_below_root_dotdot_and_lookalike_cases() {
        let root = ImagePath::root();
        assert!(ImagePath::new("a").is_below(&root));
        assert!(ImagePath::new("a/b").is_below(&root));
        assert!(!root.is_below(&root));
        assert!(!root.is_below(&ImagePath::new("a")));
        // `..` is resolved before the question is asked: a/b/../../c is /c.
        let a = ImagePath::new("a");
        assert!(!ImagePath::new("a/b/../../c").is_below(&a));
        assert!(ImagePath::new("a/b/../c").is_below(&a));
        // Names that only start like the directory, or its parent, are not below it.
        assert!(!ImagePath::new("a-b/c").is_below(&a));
        assert!(!ImagePath::new("ab").is_below(&a));
        assert!(!a.is_below(&ImagePath::new("a/b")));
        // A directory written as `a/..` is the root once normalized.
        assert!(ImagePath::new("/a").is_below(&ImagePath::new("a/..")));
        assert!(!ImagePath::new("a/..").is_below(&ImagePath::new("/")));
        assert!(ImagePath::new("a/.wh.x").is_below(&a));
    }

    #[test]
    fn root_parent_join_and_components() {
        let root = ImagePath::root();
        assert!(root.is_root());
        assert!(!ImagePath::new("a").is_root());
        assert_eq!(root.parent(), root);
        assert_eq!(root.file_name(), b"");
        assert_eq!(ImagePath::new("a").parent(), root);
        assert_eq!(root.join(b"a"), ImagePath::new("a"));
        assert_eq!(ImagePath::new("a/b").join(b"c").as_bytes(), b"a/b/c");
        let xyz = ImagePath::new("x/y/z");
        let c: Vec<&[u8]> = xyz.components().collect();
        assert_eq!(c, vec![&b"x"[..], b"y", b"z"]);
        assert_eq!(root.components().count(), 0);
        assert_eq!(root.display(), "/");
        assert_eq!(format!("{}", ImagePath::new("a b")), "/a b");
        assert_eq!(format!("{:?}", ImagePath::new("a")), "\"/a\"");
    }

    #[test]
    fn descendant_bounds_cover_exactly_the_subtree() {
        use std::collections::BTreeSet;
        let set: BTreeSet<ImagePath> = ["a", "a/b", "a/b/c", "a-b", "a0", "a/", "b", "a.b"]
            .iter()
            .map(ImagePath::new)
            .collect();
        let inside = |d: &ImagePath| -> Vec<String> {
            let (lo, hi) = d.descendant_bounds();
            match hi {
                Some(hi) => set.range(lo..hi).map(|p| p.display()).collect(),
                None => set.range(lo..).map(|p| p.display()).collect(),
            }
        };
        assert_eq!(inside(&ImagePath::new("a")), vec!["/a/b", "/a/b/c"]);
        assert_eq!(inside(&ImagePath::new("a/b")), vec!["/a/b/c"]);
        assert_eq!(inside(&ImagePath::root()).len(), 7);
        for d in &set {
            let want: Vec<String> = set
                .iter()
                .filter(|p| p.is_below(d))
                .map(|p| p.display())
                .collect();
            assert_eq!(inside(d), want, "below {d}");
        }
    }

    #[test]
    fn from_display_keeps_bad_escapes_literal() {
        assert_eq!(ImagePath::from_display("/a\\xzz").as_bytes(), b"a\\xzz");
        assert_eq!(ImagePath::from_display("/a\\x4").as_bytes(), b"a\\x4");
        assert_eq!(ImagePath::from_display("/a\\x41b").as_bytes(), b"aAb");
        assert_eq!(escape_bytes(b"ok\x01\xc3\xa9"), "ok\\x01\u{e9}");
        let json = serde_json::to_string(&ImagePath::new(b"a/\xff")).unwrap();
        assert_eq!(json, "\"/a/\\\\xff\"");
        let back: ImagePath = serde_json::from_str(&json).unwrap();
        assert_eq!(back, ImagePath::new(b"a/\xff"));
    }
}
