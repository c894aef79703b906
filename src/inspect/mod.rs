//! Per-file inspection, run inside the layer walk on a bounded buffer of each
//! candidate file: native binaries are parsed once and identified against the
//! catalogue by content; scripts are matched against the command rules. The
//! result is facts ([`FileFacts`]), stored with the entry; the analyzers turn
//! facts into findings once the layers are squashed.

pub mod binary;
pub mod command;
pub mod gobin;
pub mod prefilter;
pub mod script;
pub mod stream;
pub mod syscalls;

#[cfg(test)]
mod golden_cases;
#[cfg(test)]
mod multibyte_cases;
#[cfg(test)]
mod mutant_cases;
#[cfg(test)]
mod variant_cases;

pub use binary::BinaryFacts;
pub use script::{Hit, ScriptFacts};
pub use stream::{BinaryStream, StreamFacts};

/// Changes whenever the facts recorded per file change meaning (part of the
/// layer cache key).
pub const FACTS_VERSION: &str = "binary-stream-2+commands-2";

use crate::catalog::{self, Identified, Platform};
use crate::model::ContentKind;
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
                    || !b.go_funcs.is_empty()
                    || !b.rust_crates.is_empty()
                    || !b.partial.is_empty()
                    || b.syscalls.iter().any(|s| s == "connect")
                    || b.packer.is_some()
                    || b.entropy_centi >= binary::PACKED_ENTROPY_CENTI
            })
    }
}

/// Inspect a buffered file (a binary's whole-file facts computed from `buf`).
pub fn inspect(path: &ImagePath, want: Want, buf: &[u8], truncated: bool) -> FileFacts {
    inspect_streamed(path, want, buf, truncated, None)
}

/// Inspect a buffered file; `stream` holds the facts a [`BinaryStream`]
/// gathered over the whole file when `buf` is only its prefix.
pub fn inspect_streamed(
    path: &ImagePath,
    want: Want,
    buf: &[u8],
    truncated: bool,
    stream: Option<StreamFacts>,
) -> FileFacts {
    let mut facts = FileFacts {
        truncated,
        ..Default::default()
    };
    match want {
        Want::Binary => {
            let cat = catalog::get();
            let stream = stream.unwrap_or_else(|| BinaryStream::scan_all(buf, buf.len()));
            let mut bin = binary::parse(buf, truncated);
            facts.urls = stream.urls.iter().take(5).cloned().collect();
            bin.absorb(stream);
            let platform = if bin.format == ContentKind::Pe {
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
            facts.tools = tools;
            facts.binary = Some(bin);
        }
        Want::Script(lang) => {
            let body = &buf[..buf.len().min(MAX_SCRIPT_BYTES)];
            let library = script::is_library_code(path);
            // An empty script says nothing, and an empty file (read inline
            // by the tar walk) must not make the walk build the catalogue.
            facts.script = Some(if body.is_empty() {
                ScriptFacts::empty(lang)
            } else {
                script::analyze_file(catalog::get(), lang, body, library)
            });
        }
    }
    facts
}

/// The URL starting at `rest[0]`, unless it is a format string or a bare scheme.
pub fn url_at(rest: &[u8]) -> Option<String> {
    let end = rest
        .iter()
        .take(200)
        .position(|&b| {
            !(0x21..0x7f).contains(&b) || b == b'"' || b == b'\'' || b == b'<' || b == b'>'
        })
        .unwrap_or(rest.len().min(200));
    let url = String::from_utf8_lossy(&rest[..end]).into_owned();
    let host = url.split('/').nth(2).unwrap_or_default();
    if host.len() < 3 || host.contains('%') || !host.contains('.') {
        return None;
    }
    Some(url)
}
