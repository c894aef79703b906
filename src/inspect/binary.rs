//! Native binaries (ELF, PE, Mach-O including fat) parsed once with
//! `goblin`, from a bounded buffer, into the facts the analyzers need:
//! libraries, imported symbols, interpreter, static or dynamic, SONAME,
//! entry point, PE delay-load imports (read by hand: goblin skips them),
//! .NET header, version resource, packing signs, Go build info.

use std::collections::BTreeMap;

use goblin::Object;
use goblin::mach::Mach;
use serde::{Deserialize, Serialize};

use super::ContentKind;

/// A sign in a binary's content of what it can do, found by the needle
/// scan or the Go function table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Marker {
    /// The BITS COM interface (CLSID or `BackgroundCopyManager`).
    BitsCom,
    /// .NET `WebClient.Download*` or `HttpClient.Get*`.
    DotnetDownload,
    /// .NET `System.Diagnostics.Process`.
    DotnetProcess,
    /// Go `net/http` client.
    GoHttpClient,
    /// Go `os/exec`.
    GoOsExec,
    /// Rust HTTP client crates (reqwest, hyper).
    RustHttpClient,
}

impl Marker {
    /// The name used in evidence and the layer cache.
    pub fn as_str(self) -> &'static str {
        match self {
            Marker::BitsCom => "bits-com",
            Marker::DotnetDownload => "dotnet-download",
            Marker::DotnetProcess => "dotnet-process",
            Marker::GoHttpClient => "go-http-client",
            Marker::GoOsExec => "go-os-exec",
            Marker::RustHttpClient => "rust-http-client",
        }
    }
}

/// Facts about one binary.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct BinaryFacts {
    /// Elf, Pe or MachO; Data when no format could be read.
    pub format: ContentKind,
    pub is_library: bool,
    /// ELF without an interpreter or needed libraries.
    pub is_static: bool,
    pub interpreter: Option<String>,
    pub soname: Option<String>,
    /// Needed libraries (ELF NEEDED, PE DLLs, Mach-O dylibs).
    pub libraries: Vec<String>,
    /// Imported functions the analyzers care about (see [`apis`]): ELF
    /// undefined dynamic symbols, PE `dll!function` (delay-loaded ones
    /// too), Mach-O imports.
    pub imports: Vec<String>,
    /// Defined function symbols the analyzers care about, from a static
    /// symbol table when the binary has one.
    pub symbols: Vec<String>,
    pub entry: u64,
    /// PE with a CLR (.NET) header.
    pub dotnet: bool,
    /// PE version resource (OriginalFilename, InternalName, ProductName, …).
    pub version: BTreeMap<String, String>,
    /// Packer signature (e.g. "UPX").
    pub packer: Option<String>,
    /// Shannon entropy of the analysed bytes, in hundredths of a bit per byte.
    pub entropy_centi: u16,
    /// Go build info found.
    pub go: bool,
    /// Content markers seen.
    pub markers: Vec<Marker>,
    /// Why parsing failed or was partial.
    pub parse_error: Option<String>,
    /// System calls found in the code (static ELF, x86-64 and aarch64).
    pub syscalls: Vec<String>,
    /// Architecture whose code was read for system calls.
    pub code_arch: Option<String>,
    /// Go functions the analyses use, from the pclntab (see [`super::gobin::funcs`]).
    pub go_funcs: Vec<String>,
    /// How many functions the Go pclntab names.
    pub go_func_count: usize,
    pub go_version: Option<String>,
    /// Go modules (`path@version`) from build info, first few.
    pub go_modules: Vec<String>,
    /// Rust crates named by registry source paths in the binary.
    pub rust_crates: Vec<String>,
    /// Rust std::process::Command code is present.
    pub rust_process: bool,
    /// Raw HTTP requests embedded as text (`GET /x HTTP/1.1 (Host: …)`).
    pub request_templates: Vec<String>,
    /// Dot-named paths in writable directories (`/tmp/.x`).
    pub dot_paths: Vec<String>,
    /// Ranges the analyses needed that exceeded their caps.
    pub partial: Vec<String>,
}

/// Go modules kept in the facts.
const MAX_GO_MODULES: usize = 20;

impl BinaryFacts {
    /// Add what the streaming pass over the whole file found.
    pub fn absorb(&mut self, s: super::StreamFacts) {
        self.syscalls = s.syscalls.into_iter().collect();
        if !self.syscalls.is_empty() {
            self.code_arch = s.code_arch.map(str::to_string);
        }
        self.go_funcs = s.go_funcs.into_iter().collect();
        self.go_func_count = s.go_func_count;
        self.go |= s.go_version.is_some() || s.go_func_count > 0;
        self.go_version = s.go_version;
        self.go_modules = s.go_modules.into_iter().take(MAX_GO_MODULES).collect();
        self.rust_crates = s.rust_crates.into_iter().collect();
        self.rust_process = s.rust_process;
        self.request_templates = s.request_templates;
        self.dot_paths = s.dot_paths.into_iter().collect();
        self.partial = s.partial;
        if s.upx && self.packer.is_none() {
            self.packer = Some("UPX".into());
        }
        use super::gobin::funcs;
        for (list, marker) in [
            (funcs::CLIENT, Marker::GoHttpClient),
            (funcs::EXEC, Marker::GoOsExec),
        ] {
            if self.go_funcs.iter().any(|n| list.contains(&n.as_str())) {
                self.mark(marker);
            }
        }
    }

    /// Has the content this marker?
    pub fn has(&self, marker: Marker) -> bool {
        self.markers.contains(&marker)
    }

    fn mark(&mut self, marker: Marker) {
        if !self.has(marker) {
            self.markers.push(marker);
        }
    }
}

const MAX_NAMES: usize = 20_000;

/// Entropy (hundredths of a bit per byte) above which an executable looks packed.
pub const PACKED_ENTROPY_CENTI: u16 = 780;

/// The API names the analyzers look for. Only these are kept from a
/// binary's imports and symbols, so that facts stay small however many
/// libraries an image holds.
pub mod apis {
    pub const PE_DOWNLOAD: &[&str] = &[
        "URLDownloadToFile*",
        "URLDownloadToCacheFile*",
        "URLOpenStream*",
        "URLOpenBlockingStream*",
        "InternetOpenUrl*",
        "InternetReadFile*",
        "InternetConnect*",
        "HttpOpenRequest*",
        "HttpSendRequest*",
        "FtpGetFile*",
        "FtpPutFile*",
        "WinHttpOpen",
        "WinHttpConnect",
        "WinHttpOpenRequest",
        "WinHttpSendRequest",
        "WinHttpReceiveResponse",
        "WinHttpReadData",
    ];
    pub const PE_EXEC: &[&str] = &[
        "CreateProcess*",
        "WinExec",
        "ShellExecute*",
        "system",
        "_wsystem",
        "CoCreateInstance",
    ];
    pub const ELF_CURL: &[&str] = &[
        "curl_easy_init",
        "curl_easy_perform",
        "curl_easy_setopt",
        "curl_multi_perform",
    ];
    pub const ELF_EXEC: &[&str] = &[
        "execve",
        "execv",
        "execvp",
        "execl",
        "execlp",
        "system",
        "popen",
        "posix_spawn",
        "fexecve",
    ];
    pub const ELF_NET: &[&str] = &["socket", "connect", "getaddrinfo", "gethostbyname"];
    pub const ELF_CHMOD: &[&str] = &["chmod", "fchmod", "fchmodat"];

    /// `pattern` is a name, or a prefix ending in `*`; case-insensitive.
    pub fn matches_api(func: &str, pattern: &str) -> bool {
        match pattern.strip_suffix('*') {
            Some(prefix) => {
                func.len() >= prefix.len() && func[..prefix.len()].eq_ignore_ascii_case(prefix)
            }
            None => func.eq_ignore_ascii_case(pattern),
        }
    }

    /// Is this imported or defined name one the analyzers use?
    pub fn interesting(name: &str) -> bool {
        let func = name.rsplit('!').next().unwrap_or(name);
        [PE_DOWNLOAD, PE_EXEC, ELF_CURL, ELF_EXEC, ELF_NET, ELF_CHMOD]
            .iter()
            .any(|list| list.iter().any(|p| matches_api(func, p)))
    }
}

/// Parse `buf` (possibly only a prefix of the file when `truncated`).
pub fn parse(buf: &[u8], truncated: bool) -> BinaryFacts {
    let mut f = BinaryFacts {
        entropy_centi: entropy_centi(buf),
        ..Default::default()
    };
    scan_needles(buf, &mut f);
    match Object::parse(buf) {
        Ok(Object::Elf(elf)) => elf_facts(&elf, &mut f),
        Ok(Object::PE(pe)) => pe_facts(buf, &pe, &mut f),
        Ok(Object::Mach(mach)) => mach_facts(mach, &mut f),
        Ok(_) => f.parse_error = Some("not an executable format goblin handles".into()),
        Err(e) => {
            f.parse_error = Some(if truncated {
                format!("only a prefix was analysed: {e}")
            } else {
                e.to_string()
            })
        }
    }
    f.imports.retain(|n| apis::interesting(n));
    f.symbols.retain(|n| apis::interesting(n));
    f
}

/// ELF facts; of the imported and defined names, only those the analyzers
/// use are copied (a libc defines thousands).
fn elf_facts(elf: &goblin::elf::Elf<'_>, f: &mut BinaryFacts) {
    f.format = ContentKind::Elf;
    f.interpreter = elf.interpreter.map(str::to_string);
    f.soname = elf.soname.map(str::to_string);
    f.libraries = elf.libraries.iter().map(|s| s.to_string()).collect();
    f.is_static = f.interpreter.is_none() && f.libraries.is_empty();
    f.is_library = elf.header.e_type == goblin::elf::header::ET_DYN
        && f.interpreter.is_none()
        && f.soname.is_some();
    f.entry = elf.entry;
    for s in elf.dynsyms.iter().take(MAX_NAMES) {
        if s.is_import()
            && let Some(n) = elf.dynstrtab.get_at(s.st_name)
            && !n.is_empty()
            && apis::interesting(n)
        {
            f.imports.push(n.to_string());
        }
    }
    for s in elf.syms.iter().take(MAX_NAMES) {
        if let Some(n) = elf.strtab.get_at(s.st_name)
            && !n.is_empty()
            && s.st_type() == goblin::elf::sym::STT_FUNC
            && apis::interesting(n)
        {
            f.symbols.push(n.to_string());
        }
    }
    if elf.section_headers.iter().any(|s| {
        elf.shdr_strtab
            .get_at(s.sh_name)
            .is_some_and(|n| n.starts_with("UPX"))
    }) {
        f.packer = Some("UPX".into());
    }
}

fn pe_facts(buf: &[u8], pe: &goblin::pe::PE<'_>, f: &mut BinaryFacts) {
    f.format = ContentKind::Pe;
    f.is_library = pe.is_lib;
    f.entry = pe.entry as u64;
    f.libraries = pe
        .libraries
        .iter()
        .map(|s| s.to_ascii_lowercase())
        .collect();
    for i in pe.imports.iter().take(MAX_NAMES) {
        f.imports
            .push(format!("{}!{}", i.dll.to_ascii_lowercase(), i.name));
    }
    for (dll, func) in delay_imports(buf, pe) {
        if !f.libraries.contains(&dll) {
            f.libraries.push(dll.clone());
        }
        f.imports.push(format!("{dll}!{func}"));
    }
    if let Some(oh) = pe.header.optional_header {
        f.dotnet = oh
            .data_directories
            .get_clr_runtime_header()
            .is_some_and(|d| d.virtual_address != 0);
    }
    pe_version(pe, f);
    if pe
        .sections
        .iter()
        .any(|s| s.name().is_ok_and(|n| n.starts_with("UPX")))
    {
        f.packer = Some("UPX".into());
    }
}

/// The names of a PE version resource.
fn pe_version(pe: &goblin::pe::PE<'_>, f: &mut BinaryFacts) {
    let Some(vi) = pe
        .resource_data
        .as_ref()
        .and_then(|r| r.version_info.as_ref())
    else {
        return;
    };
    let s = &vi.string_info;
    for (k, v) in [
        ("OriginalFilename", s.original_filename()),
        ("InternalName", s.internal_name()),
        ("ProductName", s.product_name()),
        ("FileDescription", s.file_description()),
        ("CompanyName", s.company_name()),
    ] {
        if let Some(v) = v.filter(|v| !v.trim().is_empty()) {
            f.version
                .insert(k.to_string(), v.trim_end_matches('\0').to_string());
        }
    }
}

fn mach_facts(mach: Mach<'_>, f: &mut BinaryFacts) {
    f.format = ContentKind::MachO;
    match mach {
        Mach::Binary(m) => macho_facts(&m, f),
        Mach::Fat(fat) => {
            // At most 8 entries, good or bad: a fat header claiming
            // 2^32 broken architectures must not be walked to the end.
            for arch in fat.into_iter().take(8).flatten() {
                if let goblin::mach::SingleArch::MachO(m) = arch {
                    macho_facts(&m, f);
                }
            }
        }
    }
    f.libraries.sort();
    f.libraries.dedup();
    f.imports.sort();
    f.imports.dedup();
}

fn macho_facts(m: &goblin::mach::MachO<'_>, f: &mut BinaryFacts) {
    f.entry = f.entry.max(m.entry);
    f.is_library = m.header.filetype == goblin::mach::header::MH_DYLIB;
    f.libraries.extend(
        m.libs
            .iter()
            .filter(|l| **l != "self")
            .map(|s| s.to_string()),
    );
    if let Ok(imports) = m.imports() {
        f.imports.extend(
            imports
                .iter()
                .take(MAX_NAMES)
                .map(|i| i.name.trim_start_matches('_').to_string()),
        );
    }
    if let Some(syms) = &m.symbols {
        for (name, nlist) in syms.iter().flatten().take(MAX_NAMES) {
            let n = name.trim_start_matches('_').to_string();
            if nlist.is_undefined() {
                f.imports.push(n);
            } else {
                f.symbols.push(n);
            }
        }
    }
}

/// The delay-load import table (data directory 13), which goblin does not
/// parse: `(dll, function)` pairs, bounded for hostile input.
fn delay_imports(buf: &[u8], pe: &goblin::pe::PE<'_>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let Some(oh) = pe.header.optional_header else {
        return out;
    };
    let Some(dd) = oh.data_directories.get_delay_import_descriptor() else {
        return out;
    };
    let align = oh.windows_fields.file_alignment;
    let opts = goblin::pe::options::ParseOptions::default();
    let image_base = pe.image_base;
    let off = |rva: u64| -> Option<usize> {
        goblin::pe::utils::find_offset(usize::try_from(rva).ok()?, &pe.sections, align, &opts)
    };
    let u32_at = |o: usize| {
        buf.get(o..o + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let u64_at = |o: usize| {
        buf.get(o..o + 8)
            .map(|b| u64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
    };
    let cstr = |o: usize| -> Option<String> {
        let s = buf.get(o..)?;
        let end = s.iter().take(512).position(|&b| b == 0)?;
        Some(String::from_utf8_lossy(&s[..end]).into_owned())
    };
    let Some(mut desc) = off(dd.virtual_address as u64) else {
        return out;
    };
    for _ in 0..256 {
        let (Some(attrs), Some(name_rva), Some(int_rva)) =
            (u32_at(desc), u32_at(desc + 4), u32_at(desc + 16))
        else {
            break;
        };
        if name_rva == 0 {
            break;
        }
        // Attribute bit 0 clear: old-style descriptors hold VAs, not RVAs.
        let rva = |v: u32| {
            if attrs & 1 == 1 {
                v as u64
            } else {
                (v as u64).wrapping_sub(image_base)
            }
        };
        let Some(dll) = off(rva(name_rva)).and_then(cstr) else {
            break;
        };
        let dll = dll.to_ascii_lowercase();
        if let Some(mut thunk) = off(rva(int_rva)) {
            for _ in 0..4096 {
                let (value, ordinal_flag, step) = if pe.is_64 {
                    (u64_at(thunk), 1u64 << 63, 8)
                } else {
                    (u32_at(thunk).map(|v| v as u64), 1u64 << 31, 4)
                };
                let Some(v) = value else { break };
                if v == 0 {
                    break;
                }
                if v & ordinal_flag != 0 {
                    out.push((dll.clone(), format!("#{}", v & 0xffff)));
                } else if let Some(name) = off(v & 0x7fff_ffff).and_then(|o| cstr(o + 2)) {
                    out.push((dll.clone(), name));
                }
                thunk += step;
            }
        }
        desc += 32;
    }
    out
}

/// BITS BackgroundCopyManager CLSID {4991d34b-80a1-4291-83b6-3328366b9097}, as stored.
const BITS_CLSID: [u8; 16] = [
    0x4b, 0xd3, 0x91, 0x49, 0xa1, 0x80, 0x91, 0x42, 0x83, 0xb6, 0x33, 0x28, 0x36, 0x6b, 0x90, 0x97,
];

/// Strings looked for in every binary, found in one pass.
const NEEDLES: &[&[u8]] = &[
    b"UPX!",                            // 0
    b"\xff Go buildinf:",               // 1
    &BITS_CLSID,                        // 2
    b"BackgroundCopyManager",           // 3
    b"WebClient",                       // 4
    b"DownloadFile",                    // 5
    b"DownloadString",                  // 6
    b"DownloadData",                    // 7
    b"HttpClient",                      // 8
    b"GetByteArrayAsync",               // 9
    b"GetStreamAsync",                  // 10
    b"GetAsync",                        // 11
    b"net/http.(*Client).Do",           // 12
    b"net/http.(*Transport).RoundTrip", // 13
    b"os/exec.(*Cmd).Start",            // 14
    b"reqwest::",                       // 15
    b"hyper::client",                   // 16
    b"hyper_util::client",              // 17
    b"System.Diagnostics",              // 18
    b"Process",                         // 19
];

fn needles() -> &'static crate::catalog::AllMatches {
    static AC: std::sync::OnceLock<crate::catalog::AllMatches> = std::sync::OnceLock::new();
    AC.get_or_init(|| crate::catalog::AllMatches::new(NEEDLES, false).expect("static patterns"))
}

/// Packing, Go build info and content markers, in one pass over the buffer.
fn scan_needles(buf: &[u8], f: &mut BinaryFacts) {
    let mut seen = [false; NEEDLES.len()];
    needles().for_each(buf, |p, _| {
        seen[p] = true;
        std::ops::ControlFlow::Continue(())
    });
    if seen[0] {
        f.packer = Some("UPX".into());
    }
    f.go = seen[1];
    let any = |ix: &[usize]| ix.iter().any(|&i| seen[i]);
    let found = [
        (any(&[2, 3]), Marker::BitsCom),
        (
            (seen[4] && any(&[5, 6, 7])) || (seen[8] && any(&[9, 10, 11])),
            Marker::DotnetDownload,
        ),
        (any(&[12, 13]), Marker::GoHttpClient),
        (seen[14], Marker::GoOsExec),
        (any(&[15, 16, 17]), Marker::RustHttpClient),
        (seen[18] && seen[19], Marker::DotnetProcess),
    ];
    for (_, marker) in found.into_iter().filter(|(hit, _)| *hit) {
        f.mark(marker);
    }
}

/// Shannon entropy in hundredths of a bit per byte.
pub fn entropy_centi(buf: &[u8]) -> u16 {
    if buf.is_empty() {
        return 0;
    }
    // Four interleaved tables: runs of one byte value (zero padding in
    // binaries) would otherwise wait on the store to the same counter.
    let mut tables = [[0u64; 256]; 4];
    let mut quads = buf.chunks_exact(4);
    for q in &mut quads {
        tables[0][q[0] as usize] += 1;
        tables[1][q[1] as usize] += 1;
        tables[2][q[2] as usize] += 1;
        tables[3][q[3] as usize] += 1;
    }
    for &b in quads.remainder() {
        tables[0][b as usize] += 1;
    }
    let mut counts = [0u64; 256];
    for t in &tables {
        for (c, &n) in counts.iter_mut().zip(t) {
            *c += n;
        }
    }
    let n = buf.len() as f64;
    let h: f64 = counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum();
    (h * 100.0).round() as u16
}

#[cfg(test)]
mod tests {
    use super::{apis, entropy_centi, parse};
    use crate::model::ContentKind;

    #[test]
    fn a_real_elf_gives_its_loader_libraries_and_only_the_names_in_use() {
        // This test program: a dynamically linked ELF executable that
        // imports libc's socket calls (the server tests) among thousands.
        let exe = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        let f = parse(&exe, false);
        assert_eq!(f.format, ContentKind::Elf);
        assert!(f.parse_error.is_none(), "{:?}", f.parse_error);
        assert!(
            f.interpreter.as_deref().is_some_and(|i| i.contains("ld-")),
            "{:?}",
            f.interpreter
        );
        assert!(
            f.libraries.iter().any(|l| l.starts_with("libc.so")),
            "{:?}",
            f.libraries
        );
        assert!(!f.is_static && !f.is_library && f.entry != 0);
        assert!(
            f.imports.iter().any(|n| n == "socket" || n == "connect"),
            "{:?}",
            f.imports
        );
        assert!(!f.imports.iter().any(|n| n == "malloc"), "{:?}", f.imports);
        for n in f.imports.iter().chain(&f.symbols) {
            assert!(apis::interesting(n), "{n}");
        }
    }

    #[test]
    fn entropy_of_known_distributions() {
        assert_eq!(entropy_centi(b""), 0);
        assert_eq!(entropy_centi(&[0u8; 4099]), 0);
        // Two values, half each: one bit per byte, at every length mod 4.
        for len in [2usize, 6, 4096, 4098] {
            let two: Vec<u8> = (0..len).map(|i| (i % 2) as u8 * 0x90).collect();
            assert_eq!(entropy_centi(&two), 100, "length {len}");
        }
        // Every byte value equally often: eight bits.
        let all: Vec<u8> = (0..256 * 7).map(|i| (i % 256) as u8).collect();
        assert_eq!(entropy_centi(&all), 800);
        // Three of one value, one of another, in a tail shorter than four.
        assert_eq!(entropy_centi(&[7, 7, 7, 9]), 81);
        assert_eq!(entropy_centi(&[1, 2, 3, 4, 5, 7, 7, 7, 9]), 264);
    }
}
