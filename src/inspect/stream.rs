//! Size-independent inspection of a native binary: fed every chunk of the
//! file as it streams past (memory stays flat whatever its size), it runs
//! the content matchers over the whole file, across chunk boundaries, and
//! captures the byte ranges the analyses need once the headers have named
//! them:
//!
//! - ELF program headers (from the first bytes) name the executable
//!   segments, whose system calls are found as they pass ([`super::syscalls`]),
//!   and the `PT_DYNAMIC`/`PT_INTERP` ranges, kept so that a file larger
//!   than the inspection buffer still parses ([`BinaryStream::patch_prefix`]);
//! - a Go pclntab header, found by its magic, names its function-name
//!   table, captured as it follows; the `.go.buildinfo` blob after its magic;
//! - strings: Rust crate paths, URLs, raw HTTP request templates, dot-paths
//!   in writable directories, and the markers of [`super::binary`].
//!
//! Each capture is bounded by a cap; a needed range larger than its cap is
//! reported (`partial`), never silently cut.

use std::collections::BTreeSet;

use aho_corasick::AhoCorasick;

use crate::limits::Limit;

use super::gobin;
use super::syscalls::{self, Arch};

/// Bytes kept from the start of the file to read the format headers.
const HEADER_BYTES: usize = 64 << 10;
/// Bytes of text after a match that the extractors may look at.
const LOOKAHEAD: usize = 512;
/// Bytes before a position that the code scanners may look at.
const LOOKBEHIND: usize = 64;
/// Cap for small header-named ranges (PT_DYNAMIC, PT_INTERP, build info).
const SMALL_RANGE_CAP: usize = 256 << 10;
/// How many items of each kind are kept.
const MAX_ITEMS: usize = 64;

/// Strings looked for over the whole file.
const NEEDLES: &[&[u8]] = &[
    b"http://",                  // 0
    b"https://",                 // 1
    b"ftp://",                   // 2
    b"/registry/src/",           // 3 cargo's registry sources (panic locations)
    b"GET /",                    // 4
    b"POST /",                   // 5
    b"/tmp/.",                   // 6
    b"/var/tmp/.",               // 7
    b"/dev/shm/.",               // 8
    b"\xff Go buildinf:",        // 9
    b"\xf1\xff\xff\xff\x00\x00", // 10 pclntab, Go 1.20+
    b"\xf0\xff\xff\xff\x00\x00", // 11 pclntab, Go 1.18-1.19
    b"\xfa\xff\xff\xff\x00\x00", // 12 pclntab, Go 1.16-1.17
    b"7process7Command",         // 13 Rust std::process::Command (mangled)
    b"process_common.rs",        // 14 Rust std's process code (panic locations)
    b"process/unix/common.rs",   // 15
    b"UPX!",                     // 16
    b"process/unix/unix.rs",     // 17 Rust std's process code, newer layout
    b"process_unix.rs",          // 18 older layout
];

fn needles() -> &'static AhoCorasick {
    static AC: std::sync::OnceLock<AhoCorasick> = std::sync::OnceLock::new();
    // Leftmost, non-overlapping: the search keeps its prefilter (an
    // overlapping search runs the bare automaton, several times slower).
    AC.get_or_init(|| {
        AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostFirst)
            .build(NEEDLES)
            .expect("static patterns")
    })
}

/// A byte range of the file to keep, bounded by `cap`.
#[derive(Debug)]
struct Capture {
    what: &'static str,
    /// A read-ahead that may run past the end of the file.
    optional: bool,
    start: u64,
    end: u64,
    data: Vec<u8>,
}

impl Capture {
    fn new(
        what: &'static str,
        start: u64,
        len: u64,
        cap: usize,
        partial: &mut Vec<String>,
    ) -> Self {
        let kept = len.min(cap as u64);
        if kept < len {
            partial.push(format!(
                "{what} at offset {start} is {len} bytes, more than the {cap}-byte cap (raise {})",
                Limit::FileBuffer.flag()
            ));
        }
        Capture {
            what,
            optional: false,
            start,
            end: start.saturating_add(kept),
            data: Vec::new(),
        }
    }

    fn complete(&self) -> bool {
        self.start + self.data.len() as u64 >= self.end
    }

    /// Take what this range needs from `buf`, which holds the file from `base`.
    fn take(&mut self, base: u64, buf: &[u8]) {
        let next = self.start + self.data.len() as u64;
        if self.complete() || next < base {
            return;
        }
        let from = (next - base) as usize;
        if from >= buf.len() {
            return;
        }
        let to = ((self.end - base) as usize).min(buf.len());
        self.data.extend_from_slice(&buf[from..to]);
    }
}

/// An ELF program header range.
#[derive(Clone, Copy, Debug)]
struct Segment {
    offset: u64,
    filesz: u64,
}

/// What the ELF header and program headers said.
#[derive(Debug, Default)]
struct ElfLayout {
    arch: Option<Arch>,
    exec: Vec<Segment>,
    has_interp: bool,
    has_dynamic: bool,
    /// End of the read-only segment at offset 0 (headers, dynamic symbols
    /// and strings, relocations), when the file is dynamically linked.
    tables_end: Option<u64>,
    /// (phdr index, capture index) for ranges to relocate into the prefix.
    relocate: Vec<(usize, usize)>,
    phoff: u64,
    phentsize: u64,
    shsize: u64,
}

/// Facts gathered over the whole file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StreamFacts {
    pub size: u64,
    /// System calls found in executable code (names).
    pub syscalls: BTreeSet<String>,
    /// Interesting Go functions from the pclntab, and how many it names.
    pub go_funcs: BTreeSet<String>,
    pub go_func_count: usize,
    pub go_version: Option<String>,
    pub go_modules: Vec<String>,
    pub rust_crates: BTreeSet<String>,
    pub rust_process: bool,
    pub urls: Vec<String>,
    pub request_templates: Vec<String>,
    pub dot_paths: BTreeSet<String>,
    pub upx: bool,
    /// Needed ranges that exceeded their caps.
    pub partial: Vec<String>,
    /// Architecture whose code was scanned ("x86-64", "aarch64").
    pub code_arch: Option<&'static str>,
    /// Executable bytes scanned for system calls.
    pub code_bytes: u64,
}

/// The streaming inspector of one binary; see the module docs.
pub struct BinaryStream {
    range_cap: usize,
    head: Vec<u8>,
    /// None until the headers have been read.
    elf: Option<ElfLayout>,
    /// File offset of `carry[0]`.
    carry_base: u64,
    carry: Vec<u8>,
    /// Positions below this were processed.
    done: u64,
    scratch: Vec<u8>,
    captures: Vec<Capture>,
    pclntab: Option<(usize, gobin::PclnHeader)>,
    buildinfo: Option<usize>,
    facts: StreamFacts,
}

impl BinaryStream {
    /// `range_cap` bounds each captured range (the Go function-name table is
    /// the largest: a few MiB in a 50 MiB service).
    pub fn new(range_cap: usize) -> Self {
        BinaryStream {
            range_cap,
            head: Vec::new(),
            elf: None,
            carry_base: 0,
            carry: Vec::new(),
            done: 0,
            scratch: Vec::new(),
            captures: Vec::new(),
            pclntab: None,
            buildinfo: None,
            facts: StreamFacts::default(),
        }
    }

    /// Inspect a whole in-memory file.
    pub fn scan_all(buf: &[u8], range_cap: usize) -> StreamFacts {
        let mut s = BinaryStream::new(range_cap);
        s.feed(buf);
        s.finish()
    }

    /// The next bytes of the file.
    pub fn feed(&mut self, chunk: &[u8]) {
        if chunk.is_empty() {
            return;
        }
        self.facts.size += chunk.len() as u64;
        if self.elf.is_none() {
            let take = (HEADER_BYTES - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..take]);
            if self.head.len() < HEADER_BYTES {
                return;
            }
            self.read_headers();
            let head = std::mem::take(&mut self.head);
            self.process(&head, false);
            self.head = head;
            self.process(&chunk[take..], false);
        } else {
            self.process(chunk, false);
        }
    }

    /// End of file: finish the pending work and return the facts.
    pub fn finish(mut self) -> StreamFacts {
        if self.elf.is_none() {
            self.read_headers();
            let head = std::mem::take(&mut self.head);
            self.process(&head, true);
            self.head = head;
        } else {
            self.process(&[], true);
        }
        for c in &self.captures {
            if !c.complete() && !c.optional {
                self.facts.partial.push(format!(
                    "{} at offset {} runs past the end of the file",
                    c.what, c.start
                ));
            }
        }
        if let Some((ix, h)) = &self.pclntab {
            let names = gobin::function_names(&self.captures[*ix].data);
            self.facts.go_func_count = names.count;
            self.facts.go_funcs = names.interesting;
            let _ = h;
        }
        if let Some(ix) = self.buildinfo
            && let Some(bi) = gobin::buildinfo(&self.captures[ix].data)
        {
            self.facts.go_version = Some(bi.version);
            self.facts.go_modules = bi.modules;
        }
        self.facts
    }

    /// For a dynamically linked ELF, where its linking tables end: the
    /// prefix given to [`BinaryStream::patch_prefix`] should reach that far.
    pub fn tables_end(&self) -> Option<u64> {
        let elf = self.elf.as_ref()?;
        if elf.has_dynamic {
            elf.tables_end
        } else {
            None
        }
    }

    /// Prepare an inspection prefix of a file larger than it for `goblin`:
    /// the captured `PT_DYNAMIC`/`PT_INTERP` ranges are appended and their
    /// program headers pointed at the copies; a section header table past
    /// the prefix is dropped (nothing here needs it). Returns whether the
    /// prefix was changed.
    pub fn patch_prefix(&self, prefix: &mut Vec<u8>) -> bool {
        let Some(elf) = &self.elf else { return false };
        if elf.arch.is_none() || prefix.len() < 64 {
            return false;
        }
        let mut changed = false;
        for &(ph, cap) in &elf.relocate {
            let c = &self.captures[cap];
            if !c.complete() || c.end as usize <= prefix.len() {
                continue;
            }
            let at = prefix.len() as u64;
            prefix.extend_from_slice(&c.data);
            let field = elf
                .phoff
                .checked_add(ph as u64 * elf.phentsize + 8)
                .and_then(|f| usize::try_from(f).ok())
                .unwrap_or(usize::MAX);
            if let Some(slot) = prefix.get_mut(field..field.saturating_add(8)) {
                slot.copy_from_slice(&at.to_le_bytes());
                changed = true;
            }
        }
        if elf.shsize > 0 {
            // Sections' data may lie past the prefix (goblin rejects that),
            // and wherever the table is, nothing here needs it: e_shoff
            // (0x28, 8 bytes), e_shnum (0x3c), e_shstrndx (0x3e).
            prefix[0x28..0x30].fill(0);
            prefix[0x3c..0x40].fill(0);
            changed = true;
        }
        changed
    }

    /// Parse the ELF header and program headers from `head`.
    fn read_headers(&mut self) {
        let mut layout = ElfLayout::default();
        let h = &self.head;
        // ELF64 little-endian only (x86-64, aarch64).
        if h.len() >= 64 && h.starts_with(b"\x7fELF\x02\x01") {
            let u16_at = |o: usize| u16::from_le_bytes([h[o], h[o + 1]]) as u64;
            let u64_at = |o: usize| {
                h.get(o..o.checked_add(8)?)
                    .map(|b| u64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
            };
            let u32_at = |o: usize| {
                h.get(o..o.checked_add(4)?)
                    .map(|b| u32::from_le_bytes(b.try_into().unwrap_or([0; 4])))
            };
            layout.arch = match u16_at(0x12) {
                62 => Some(Arch::X86_64),
                183 => Some(Arch::Aarch64),
                _ => None,
            };
            layout.phoff = u64_at(0x20).unwrap_or(0);
            layout.phentsize = u16_at(0x36);
            layout.shsize = u16_at(0x3a) * u16_at(0x3c);
            let phnum = u16_at(0x38);
            if layout.phentsize >= 56 {
                for i in 0..phnum.min(256) {
                    let o = layout
                        .phoff
                        .checked_add(i * layout.phentsize)
                        .and_then(|o| usize::try_from(o).ok())
                        .unwrap_or(usize::MAX);
                    let (Some(ptype), Some(flags), Some(offset), Some(filesz)) = (
                        u32_at(o),
                        u32_at(o.saturating_add(4)),
                        u64_at(o.saturating_add(8)),
                        u64_at(o.saturating_add(32)),
                    ) else {
                        // Past the end of a short file: not a valid header
                        // (goblin says so); past a full head: not read.
                        if h.len() >= HEADER_BYTES {
                            self.facts
                                .partial
                                .push("program headers lie past the first 64 KiB".into());
                        }
                        break;
                    };
                    match ptype {
                        1 if flags & 1 != 0 => layout.exec.push(Segment { offset, filesz }),
                        1 if offset == 0 => layout.tables_end = Some(filesz),
                        2 | 3 => {
                            if ptype == 2 {
                                layout.has_dynamic = true;
                            } else {
                                layout.has_interp = true;
                            }
                            let what = if ptype == 2 {
                                "PT_DYNAMIC"
                            } else {
                                "PT_INTERP"
                            };
                            let c = Capture::new(
                                what,
                                offset,
                                filesz,
                                SMALL_RANGE_CAP,
                                &mut self.facts.partial,
                            );
                            self.captures.push(c);
                            layout.relocate.push((i as usize, self.captures.len() - 1));
                        }
                        _ => {}
                    }
                }
            }
            self.facts.code_arch = layout.arch.map(Arch::name);
        }
        self.elf = Some(layout);
    }

    /// Process the next bytes (`eof`: nothing follows).
    fn process(&mut self, data: &[u8], eof: bool) {
        let mut buf = std::mem::take(&mut self.scratch);
        buf.clear();
        buf.extend_from_slice(&self.carry);
        buf.extend_from_slice(data);
        let base = self.carry_base;
        let end = base + buf.len() as u64;
        let limit = if eof {
            end
        } else {
            end.saturating_sub(LOOKAHEAD as u64)
        };
        if limit > self.done {
            self.matches(base, &buf, limit);
            self.code(base, &buf, limit);
            self.done = limit;
        }
        for c in &mut self.captures {
            c.take(base, &buf);
        }
        // Keep the unprocessed tail and the look-behind before it.
        let keep_from = self.done.saturating_sub(LOOKBEHIND as u64).max(base);
        self.carry.clear();
        self.carry
            .extend_from_slice(&buf[(keep_from - base) as usize..]);
        self.carry_base = keep_from;
        self.scratch = buf;
    }

    /// String matches starting in `[done, limit)`.
    fn matches(&mut self, base: u64, buf: &[u8], limit: u64) {
        for m in needles().find_iter(buf) {
            let at = base + m.start() as u64;
            if at < self.done || at >= limit {
                continue;
            }
            let rest = &buf[m.start()..];
            let f = &mut self.facts;
            match m.pattern().as_usize() {
                0..=2 => {
                    if f.urls.len() < MAX_ITEMS
                        && let Some(u) = super::url_at(rest)
                        && !f.urls.contains(&u)
                    {
                        f.urls.push(u);
                    }
                }
                3 => {
                    if f.rust_crates.len() < MAX_ITEMS
                        && let Some(c) = crate_name(&rest[m.len()..])
                    {
                        f.rust_crates.insert(c);
                    }
                }
                4 | 5 => {
                    if f.request_templates.len() < 8
                        && let Some(t) = request_template(rest)
                        && !f.request_templates.contains(&t)
                    {
                        f.request_templates.push(t);
                    }
                }
                6..=8 => {
                    if f.dot_paths.len() < MAX_ITEMS
                        && let Some(p) = printable(rest, 128)
                    {
                        // Up to the end of the dot-named component: strings
                        // in Go and Rust binaries are not NUL-terminated.
                        let dot = p.find("/.").map_or(0, |i| i + 2);
                        let end = p[dot..].find('/').map_or(p.len(), |i| dot + i);
                        f.dot_paths.insert(p[..end].to_string());
                    }
                }
                9 if self.buildinfo.is_none() => {
                    let mut c = Capture::new(
                        ".go.buildinfo",
                        at,
                        SMALL_RANGE_CAP as u64,
                        SMALL_RANGE_CAP,
                        &mut Vec::new(),
                    );
                    c.optional = true;
                    self.captures.push(c);
                    self.buildinfo = Some(self.captures.len() - 1);
                }
                10..=12 => {
                    if self.pclntab.is_none()
                        && let Some(h) = gobin::PclnHeader::parse(rest)
                    {
                        let c = Capture::new(
                            "Go function-name table",
                            at.saturating_add(h.funcname_off),
                            h.funcname_len,
                            self.range_cap,
                            &mut self.facts.partial,
                        );
                        self.captures.push(c);
                        self.pclntab = Some((self.captures.len() - 1, h));
                    }
                }
                13..=15 | 17 | 18 => f.rust_process = true,
                16 => f.upx = true,
                _ => {}
            }
        }
    }

    /// System calls in executable segments at positions `[done, limit)`.
    fn code(&mut self, base: u64, buf: &[u8], limit: u64) {
        let Some(elf) = &self.elf else { return };
        let Some(arch) = elf.arch else { return };
        for seg in &elf.exec {
            let lo = seg.offset.max(self.done).max(base);
            let hi = seg.offset.saturating_add(seg.filesz).min(limit);
            if lo >= hi {
                continue;
            }
            self.facts.code_bytes += hi - lo;
            // Look-behind never reaches before the segment.
            let window_lo = seg.offset.max(base);
            let window_hi = seg
                .offset
                .saturating_add(seg.filesz)
                .min(base + buf.len() as u64);
            let window = &buf[(window_lo - base) as usize..(window_hi - base) as usize];
            let first = (lo - window_lo) as usize;
            let last = (hi - window_lo) as usize;
            let seg_align = ((window_lo - seg.offset) % 4) as usize;
            for nr in syscalls::find(arch, window, first..last, seg_align) {
                if let Some(name) = syscalls::name(arch, nr) {
                    self.facts.syscalls.insert(name.to_string());
                }
            }
        }
    }
}

/// `index.crates.io-6f17d22bba15001f/ureq-2.9.1/src/…` (what follows
/// `…/registry/src/`) → `ureq`.
fn crate_name(after: &[u8]) -> Option<String> {
    let s = printable(after, 200)?;
    let dir = s.split('/').nth(1)?;
    let (name, version) = dir.rsplit_once('-').and_then(|(n, v)| {
        // Versions may carry a pre-release part with dashes (1.0.0-rc.1).
        if v.starts_with(|c: char| c.is_ascii_digit()) {
            Some((n, v))
        } else {
            let (n2, _) = n.rsplit_once('-')?;
            Some((n2, v))
        }
    })?;
    let name = match name.rsplit_once('-') {
        Some((n, v)) if v.starts_with(|c: char| c.is_ascii_digit()) && !version.is_empty() => n,
        _ => name,
    };
    (!name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
    .then(|| name.to_string())
}

/// `GET /path HTTP/1.1\r\nHost: …` as a one-line summary, when it is one.
fn request_template(rest: &[u8]) -> Option<String> {
    let end = rest
        .iter()
        .take(LOOKAHEAD)
        .position(|&b| b == 0)
        .unwrap_or(rest.len().min(LOOKAHEAD));
    let text = std::str::from_utf8(&rest[..end]).ok()?;
    let (line, more) = text.split_once("\r\n")?;
    if !line.contains(" HTTP/1.") || line.len() > 200 {
        return None;
    }
    let host = more
        .split("\r\n")
        .find_map(|h| h.strip_prefix("Host: "))
        .map(|h| format!(" (Host: {h})"))
        .unwrap_or_default();
    Some(format!("{line}{host}"))
}

/// The printable run at the start of `rest`, up to `max` bytes.
fn printable(rest: &[u8], max: usize) -> Option<String> {
    let end = rest
        .iter()
        .take(max)
        .position(|&b| !(0x21..0x7f).contains(&b))
        .unwrap_or(rest.len().min(max));
    (end > 0).then(|| String::from_utf8_lossy(&rest[..end]).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crate_names_from_registry_paths() {
        assert_eq!(
            crate_name(b"index.crates.io-6f17d22bba15001f/ureq-2.9.1/src/lib.rs\0").as_deref(),
            Some("ureq")
        );
        assert_eq!(
            crate_name(b"index.crates.io-1949cf8c6b5b557f/tiny_http-0.12.0/src/x.rs").as_deref(),
            Some("tiny_http")
        );
        assert_eq!(
            crate_name(b"github.com-1ecc6299db9ec823/hyper-util-0.1.3-rc.1/src/a.rs").as_deref(),
            Some("hyper-util")
        );
        assert_eq!(crate_name(b"x"), None);
    }

    #[test]
    fn matches_across_chunk_boundaries() {
        let mut file = vec![0u8; 300_000];
        let url = b"http://198.51.100.9/stage2\0";
        let tpl = b"GET /x HTTP/1.1\r\nHost: 198.51.100.9\r\n\r\n\0";
        file[100_000 - 5..100_000 - 5 + url.len()].copy_from_slice(url);
        file[200_000 - 7..200_000 - 7 + tpl.len()].copy_from_slice(tpl);
        for chunk in [1usize, 7, 4096, 100_000, 1 << 20] {
            let mut s = BinaryStream::new(1 << 20);
            for c in file.chunks(chunk) {
                s.feed(c);
            }
            let f = s.finish();
            assert_eq!(f.urls, vec!["http://198.51.100.9/stage2"], "chunk {chunk}");
            assert_eq!(
                f.request_templates,
                vec!["GET /x HTTP/1.1 (Host: 198.51.100.9)"],
                "chunk {chunk}"
            );
            assert_eq!(f.size, 300_000);
        }
    }

    /// A pclntab whose name table exceeds the cap is reported, not cut
    /// silently; hostile headers (huge counts, offsets past the file) never
    /// panic.
    #[test]
    fn oversized_and_hostile_ranges() {
        let mut file = Vec::new();
        // ELF64 LE x86-64 header claiming 65535 program headers far away.
        file.extend_from_slice(b"\x7fELF\x02\x01\x01\0");
        file.resize(64, 0);
        file[0x12] = 62;
        file[0x20..0x28].copy_from_slice(&u64::MAX.to_le_bytes());
        file[0x36] = 56;
        file[0x38..0x3a].copy_from_slice(&u16::MAX.to_le_bytes());
        // A Go 1.20 pclntab header whose name table is 1 MiB long.
        let at = file.len();
        file.extend_from_slice(&[0xf1, 0xff, 0xff, 0xff, 0, 0, 1, 8]);
        for w in [
            10u64,
            1,
            0,
            72,
            72 + (1 << 20),
            72 + (1 << 20),
            72 + (1 << 20),
            72 + (1 << 20),
        ] {
            file.extend_from_slice(&w.to_le_bytes());
        }
        assert_eq!(file.len(), at + 72);
        file.extend(std::iter::repeat_n(b'a', 1 << 20));
        let f = BinaryStream::scan_all(&file, 4096);
        assert_eq!(f.partial.len(), 2, "{:?}", f.partial);
        assert!(f.partial[0].contains("program headers lie past"));
        assert!(f.partial[1].contains("Go function-name table at offset 136 is 1048576 bytes"));
        assert!(f.syscalls.is_empty());
        // The same table within the cap is read whole: one long name.
        let f = BinaryStream::scan_all(&file, 2 << 20);
        assert_eq!(f.partial.len(), 1, "{:?}", f.partial);
        assert_eq!(f.go_func_count, 1);
    }
}
