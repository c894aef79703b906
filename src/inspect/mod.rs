//! Per-file inspection, run inside the layer walk on a bounded buffer of each
//! candidate file: native binaries are parsed once and identified against the
//! catalogue by content; scripts are matched against the command rules. The
//! result is facts ([`FileFacts`]), stored with the entry; the analyzers turn
//! facts into findings once the layers are squashed.

pub mod binary;
pub mod command;
pub mod script;

pub use binary::BinaryFacts;
pub use script::{Hit, ScriptFacts};

use crate::catalog::{self, Identified, Platform};
use crate::layer::ContentKind;
use crate::path::ImagePath;

/// Scripts are analysed up to this size.
pub const MAX_SCRIPT_BYTES: usize = 1 << 20;

/// What a file is worth buffering for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Want {
    Binary,
    Script(&'static str),
}

/// Everything learned from one file's content.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileFacts {
    pub binary: Option<BinaryFacts>,
    /// Tools recognised by content.
    pub tools: Vec<Identified>,
    pub script: Option<ScriptFacts>,
    /// URLs found in a binary (first few).
    pub urls: Vec<String>,
    /// Only a prefix of the file was analysed (it is larger than the buffer).
    pub truncated: bool,
}

/// Decide from the path and first bytes whether a file needs its content.
pub fn wants(path: &ImagePath, kind: ContentKind, head: &[u8]) -> Option<Want> {
    if kind.is_binary() {
        return Some(Want::Binary);
    }
    script::language(path, head).map(Want::Script)
}

impl FileFacts {
    /// True when the facts say something an analyzer can use; files whose
    /// facts say nothing are not kept (an image holds many thousands).
    pub fn is_notable(&self) -> bool {
        !self.tools.is_empty()
            || !self.urls.is_empty()
            || self.script.as_ref().is_some_and(|s| !s.hits.is_empty())
            || self.binary.as_ref().is_some_and(|b| {
                !b.imports.is_empty()
                    || !b.symbols.is_empty()
                    || !b.markers.is_empty()
                    || b.packer.is_some()
                    || b.entropy_centi >= binary::PACKED_ENTROPY_CENTI
            })
    }
}

/// Inspect a buffered file.
pub fn inspect(path: &ImagePath, want: Want, buf: &[u8], truncated: bool) -> FileFacts {
    let cat = catalog::get();
    let mut facts = FileFacts {
        truncated,
        ..Default::default()
    };
    match want {
        Want::Binary => {
            let bin = binary::parse(buf, truncated);
            let platform = if bin.format == "pe" {
                Platform::Windows
            } else {
                Platform::Unix
            };
            let mut tools = cat.identify(buf, &bin.libraries, platform);
            for key in ["OriginalFilename", "InternalName"] {
                if let Some(v) = bin.version.get(key) {
                    for t in cat.identify_version(v) {
                        if !tools.iter().any(|i| i.tool == t) {
                            tools.push(Identified {
                                tool: t,
                                how: format!("version resource {key} {v:?}"),
                                applets: Vec::new(),
                            });
                        }
                    }
                }
            }
            facts.urls = urls(buf, 5);
            facts.tools = tools;
            facts.binary = Some(bin);
        }
        Want::Script(lang) => {
            let body = &buf[..buf.len().min(MAX_SCRIPT_BYTES)];
            let mut s = script::analyze(cat, lang, body);
            if script::is_library_code(path) {
                // Modules of a language's own library mention downloads all
                // the time; only self-contained chains count there.
                s.hits
                    .retain(|h| cat.rule_codes[h.rule] != crate::finding::Code::DownloadCommand);
            }
            facts.script = Some(s);
        }
    }
    facts
}

/// Up to `max` distinct http(s)/ftp URLs embedded in a binary.
pub fn urls(buf: &[u8], max: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for scheme in [&b"http://"[..], b"https://", b"ftp://"] {
        for pos in memchr::memmem::find_iter(buf, scheme) {
            let rest = &buf[pos..];
            let end = rest
                .iter()
                .take(200)
                .position(|&b| {
                    !(0x21..0x7f).contains(&b) || b == b'"' || b == b'\'' || b == b'<' || b == b'>'
                })
                .unwrap_or(rest.len().min(200));
            let url = String::from_utf8_lossy(&rest[..end]).into_owned();
            let host = url.split('/').nth(2).unwrap_or_default();
            // Skip format strings and bare schemes.
            if host.len() < 3 || host.contains('%') || !host.contains('.') {
                continue;
            }
            if !out.contains(&url) {
                out.push(url);
            }
            if out.len() >= max {
                return out;
            }
        }
    }
    out
}
