//! Findings from inspected file content: transfer tools identified by
//! content (and disguised ones), interpreters, package downloaders, PE and
//! ELF downloaders, HTTP-client binaries, packed executables, and command
//! lines in scripts. Runs over the visible files and over every hidden one.

use crate::catalog::{self, Catalog, Platform, Tool, ToolClass};
use crate::finding::{Code, EvidenceKind as Ev, Finding, Severity, Subject};
use crate::fs::{Hidden, ImageFs};
use crate::inspect::binary::Marker;
use crate::inspect::{BinaryFacts, FileFacts, ScriptFacts};
use crate::layer::{Entry, EntryType};
use crate::model::ContentKind;
use crate::model::ImageInfo;
use crate::path::ImagePath;

use super::layer_ref;

/// Where a file is in the image's history.
struct Place {
    layer: usize,
    hidden: Option<(usize, Hidden)>,
}

/// Content findings for every visible and hidden file.
pub fn run(image: &ImageInfo, fs: &ImageFs, out: &mut Vec<Finding>) {
    let cat = catalog::get();
    for node in fs.nodes.values() {
        file_findings(
            cat,
            image,
            &node.entry,
            &Place {
                layer: node.layer,
                hidden: None,
            },
            fs,
            out,
        );
    }
    for r in &fs.removed {
        let place = Place {
            layer: r.added_in,
            hidden: Some((r.removed_in, r.how)),
        };
        file_findings(cat, image, &r.entry, &place, fs, out);
    }
}

fn file_findings(
    cat: &Catalog,
    image: &ImageInfo,
    e: &Entry,
    place: &Place,
    fs: &ImageFs,
    out: &mut Vec<Finding>,
) {
    // A hardlink is judged under its own name too (with its target's
    // content): `healthcheck` linked to an allowlisted curl is a disguised
    // tool at that path.
    if !e.kind.has_content() || (e.kind == EntryType::Hardlink && e.sha256.is_none()) {
        return;
    }
    let name = String::from_utf8_lossy(e.path.file_name()).into_owned();
    let mut local: Vec<Finding> = Vec::new();
    let facts = e.facts.as_deref();
    let identified_transfer = facts.is_some_and(|f| tool_findings(cat, f, e, &name, &mut local));
    if facts.is_none_or(|f| f.tools.is_empty()) {
        name_findings(cat, e, &name, &mut local);
    }
    if let Some(facts) = facts {
        if let Some(bin) = &facts.binary {
            binary_findings(bin, facts, identified_transfer, e, &mut local);
        }
        if let Some(script) = &facts.script {
            local.extend(hit_findings(cat, script, Some(&e.path), "script"));
        }
    }
    let hidden_name = hidden_name(&e.path);
    for mut f in local {
        f.sha256 = e.sha256;
        f.layer = Some(layer_ref(image, place.layer));
        if e.mode & 0o6000 != 0 && f.code != Code::Interpreter && f.code != Code::PackageDownloader
        {
            f.severity = f.severity.raise();
            f.evidence.push(format!(
                "set{}id: mode {:04o}",
                if e.mode & 0o4000 != 0 { "u" } else { "g" },
                e.mode
            ));
        }
        if hidden_name && f.severity > Severity::Info {
            f.severity = f.severity.raise();
            f.evidence
                .push("hidden file name (dot file in a system or temp directory)".into());
        }
        if let Some((by, how)) = place.hidden {
            f.hidden_in = Some(layer_ref(image, by));
            f.evidence
                .push(format!("still shipped: {how} in layer {by}"));
            if how == Hidden::Overwritten {
                if let Some(now) = fs.get(&e.path) {
                    f.evidence.push(format!(
                        "now {} {}",
                        now.entry.kind.as_str(),
                        now.entry.sha256.map(|d| d.short()).unwrap_or_default()
                    ));
                }
            } else if f.severity > Severity::Info && f.severity < Severity::Critical {
                f.severity = f.severity.raise();
            }
        }
        out.push(f);
    }
}

/// Findings for the command-rule hits of a script (or a command string):
/// one per line, naming every rule that matched it. A line whose addresses
/// are all loopback ones is a health check: info.
pub(super) fn hit_findings(
    cat: &Catalog,
    script: &ScriptFacts,
    path: Option<&ImagePath>,
    what: &str,
) -> Vec<Finding> {
    script
        .hits
        .iter()
        .map(|h| {
            let mut f = Finding::new(cat.rule_codes[h.rule]);
            f.path = path.cloned();
            if let Some((line, text)) = &h.after
                && *line != h.line
            {
                f = f
                    .because(format!("line {line}: {text}"))
                    .shows(Ev::Command, Some(*line), text.clone())
                    .about(Subject::Line {
                        line: *line,
                        text: text.clone(),
                    });
            }
            f = f
                .because(format!("line {}: {}", h.line, h.text))
                .shows(Ev::Command, Some(h.line), h.text.clone());
            if f.subject.is_none() {
                f = f.about(Subject::Line {
                    line: h.line,
                    text: h.text.clone(),
                });
            }
            for &r in std::iter::once(&h.rule).chain(&h.also) {
                let rule = &cat.rules[r];
                f = f.because(format!(
                    "rule {}: {} ({} {what})",
                    rule.id, rule.title, script.lang
                ));
            }
            if h.loopback {
                f = f
                    .severity(Severity::Info)
                    .because("loopback address only (localhost, 127.0.0.0/8, ::1): a health check, not a transfer");
            }
            f
        })
        .collect()
}

/// A program installed under a catalogued tool's name whose content did not
/// identify it (no content marker for that tool, or a build we do not know).
fn name_findings(cat: &Catalog, e: &Entry, name: &str, out: &mut Vec<Finding>) {
    let is_pe = e.content == ContentKind::Pe;
    if is_package_path(&e.path) {
        out.push(
            Finding::new(Code::PackageDownloader)
                .at(&e.path)
                .because(format!("APT download method {name:?} (by location)")),
        );
        return;
    }
    // Names mean something in program directories; elsewhere only content does.
    let in_bin_dir = e.path.parent().file_name().ends_with(b"bin");
    if !is_pe && !in_bin_dir {
        return;
    }
    let runnable = e.mode & 0o111 != 0 || e.content.is_program();
    let candidates: Vec<&Tool> = cat
        .tools_named(name)
        .iter()
        .map(|&t| &cat.tools[t])
        .filter(|t| match t.platform {
            Platform::Windows => is_pe,
            Platform::Unix => !is_pe && runnable,
        })
        .filter(|t| t.class != ToolClass::Base)
        .collect();
    let Some(worst) = candidates
        .iter()
        .max_by_key(|t| (t.class == ToolClass::Transfer, t.severity))
    else {
        return;
    };
    let code = match worst.class {
        ToolClass::Transfer => Code::TransferTool,
        ToolClass::Interpreter | ToolClass::Embedded => Code::Interpreter,
        _ => Code::PackageDownloader,
    };
    let ids: Vec<&str> = candidates.iter().map(|t| t.id.as_str()).collect();
    out.push(
        Finding::new(code)
            .at(&e.path)
            .severity(worst.severity)
            .because(format!(
                "named like {} ({name}); not confirmed by content",
                ids.join(" / ")
            ))
            .because(worst.title.clone()),
    );
}

/// Tool identities. Returns true if a transfer tool was identified.
fn tool_findings(
    cat: &Catalog,
    facts: &FileFacts,
    e: &Entry,
    name: &str,
    out: &mut Vec<Finding>,
) -> bool {
    let mut transfer = false;
    for id in &facts.tools {
        let tool = &cat.tools[id.tool];
        let mut evidence = vec![
            format!("identified as {} by {}", tool.id, id.how),
            tool.title.clone(),
        ];
        let (code, mut severity) = match tool.class {
            ToolClass::Transfer => (Code::TransferTool, tool.severity),
            ToolClass::Interpreter => (Code::Interpreter, tool.severity),
            ToolClass::Embedded => (Code::Interpreter, Severity::Info),
            ToolClass::Package => (Code::PackageDownloader, tool.severity),
            ToolClass::Base => continue,
        };
        if !tool.applets.is_empty() {
            if id.applets.is_empty() {
                severity = Severity::Low;
                evidence.push("no download applets in its applet table".into());
            } else {
                evidence.push(format!(
                    "download-capable applets: {}",
                    id.applets.join(", ")
                ));
            }
        }
        if code == Code::TransferTool {
            transfer = true;
        }
        let mut f = Finding::new(code).at(&e.path).severity(severity).shows(
            Ev::String,
            None,
            id.how.clone(),
        );
        f.evidence = evidence;
        out.push(f);
        let fits = cat.name_fits(id.tool, name)
            || (tool.class == ToolClass::Package && is_package_path(&e.path));
        // Interpreters are embedded by many programs (perf and vim link
        // libperl/libpython), so only transfer tools count as disguised.
        if !fits && tool.class == ToolClass::Transfer {
            out.push(
                Finding::new(Code::DisguisedTool)
                    .at(&e.path)
                    .because(format!(
                        "content is {} ({}), file is named {name:?}",
                        tool.id, id.how
                    ))
                    .because(format!(
                        "{} is installed as: {}",
                        tool.id,
                        tool.names.join(", ")
                    )),
            );
        }
    }
    transfer
}

fn is_package_path(p: &ImagePath) -> bool {
    let s = p.as_bytes();
    s.starts_with(b"usr/lib/apt/") || s.starts_with(b"usr/libexec/apt")
}

fn has_import(bin: &BinaryFacts, names: &[&str]) -> Vec<String> {
    let mut hits: Vec<String> = bin
        .imports
        .iter()
        .filter(|i| {
            let func = i.rsplit('!').next().unwrap_or(i);
            names.iter().any(|n| matches_api(func, n))
        })
        .cloned()
        .collect();
    hits.sort();
    hits.dedup();
    hits
}

use crate::inspect::binary::apis::{
    ELF_CHMOD, ELF_CURL, ELF_EXEC, ELF_NET, PE_DOWNLOAD, PE_EXEC, matches_api,
};

fn binary_findings(
    bin: &BinaryFacts,
    facts: &FileFacts,
    identified: bool,
    e: &Entry,
    out: &mut Vec<Finding>,
) {
    out.extend(packed(bin, e));
    if identified {
        return; // a known tool's own imports say nothing new
    }
    out.extend(match bin.format {
        ContentKind::Pe => pe_downloader(bin, facts, e),
        ContentKind::Elf | ContentKind::MachO => native_downloader(bin, facts, e),
        ContentKind::Data | ContentKind::Script => None,
    });
}

/// A packer signature, or the entropy of a packed executable.
fn packed(bin: &BinaryFacts, e: &Entry) -> Option<Finding> {
    let executable = e.mode & 0o111 != 0 || bin.entry != 0;
    let why = if let Some(p) = &bin.packer {
        format!("{p} packer signature")
    } else if executable
        && !bin.is_library
        && bin.entropy_centi >= crate::inspect::binary::PACKED_ENTROPY_CENTI
        && e.size >= 16 * 1024
    {
        format!(
            "entropy {:.2} bits per byte",
            bin.entropy_centi as f32 / 100.0
        )
    } else {
        return None;
    };
    Some(Finding::new(Code::PackedBinary).at(&e.path).because(why))
}

/// Embedded URLs, as evidence.
fn with_urls(f: Finding, facts: &FileFacts) -> Finding {
    if facts.urls.is_empty() {
        return f;
    }
    f.because(format!("embedded URLs: {}", facts.urls.join(", ")))
        .shows_each(Ev::Url, &facts.urls)
}

/// A PE that downloads: download imports, BITS over COM, or .NET download
/// methods; critical when it can also start processes.
fn pe_downloader(bin: &BinaryFacts, facts: &FileFacts, e: &Entry) -> Option<Finding> {
    let dl = has_import(bin, PE_DOWNLOAD);
    let exec = has_import(bin, PE_EXEC);
    let bits =
        bin.imports.iter().any(|i| i.ends_with("!CoCreateInstance")) && bin.has(Marker::BitsCom);
    let dotnet_dl = bin.dotnet && bin.has(Marker::DotnetDownload);
    if dl.is_empty() && !bits && !dotnet_dl {
        return None;
    }
    let mut f = Finding::new(Code::PeDownloader).at(&e.path);
    if !dl.is_empty() {
        f = f
            .because(format!("download imports: {}", dl.join(", ")))
            .shows_each(Ev::Import, &dl);
    }
    if bits {
        f = f.because("creates the BITS background copy manager (COM)");
    }
    if dotnet_dl {
        f = f.because(".NET assembly referencing WebClient/HttpClient download methods");
    }
    if dotnet_dl && bin.has(Marker::DotnetProcess) {
        f = f
            .severity(Severity::Critical)
            .because(".NET assembly that also starts processes (System.Diagnostics.Process)");
    }
    if !exec.is_empty() {
        f = f
            .severity(Severity::Critical)
            .because(format!("process creation imports: {}", exec.join(", ")))
            .shows_each(Ev::Import, &exec);
    }
    Some(with_urls(f, facts))
}

/// An ELF or Mach-O that downloads: a libcurl client, a static binary
/// importing network, exec and chmod, a downloader recognised by its code,
/// or at least an HTTP client.
fn native_downloader(bin: &BinaryFacts, facts: &FileFacts, e: &Entry) -> Option<Finding> {
    let names: Vec<String> = bin.imports.iter().chain(&bin.symbols).cloned().collect();
    let all = BinaryFacts {
        imports: names,
        ..Default::default()
    };
    let curl = has_import(&all, ELF_CURL);
    let exec = has_import(&all, ELF_EXEC);
    let net = has_import(&all, ELF_NET);
    let chmod = has_import(&all, ELF_CHMOD);
    if !curl.is_empty() {
        let mut f = Finding::new(Code::NativeDownloader)
            .at(&e.path)
            .because(format!("libcurl client: {}", curl.join(", ")))
            .shows_each(Ev::Import, &curl);
        if !exec.is_empty() && !chmod.is_empty() {
            f = f
                .severity(Severity::High)
                .because(format!(
                    "runs programs ({}) and sets modes ({})",
                    exec.join(", "),
                    chmod.join(", ")
                ))
                .shows_each(Ev::Import, &exec)
                .shows_each(Ev::Import, &chmod);
        }
        return Some(with_urls(f, facts));
    }
    let has_all = !net.is_empty() && !exec.is_empty() && !chmod.is_empty();
    if bin.is_static && has_all && !facts.urls.is_empty() {
        let f = Finding::new(Code::NativeDownloader)
            .at(&e.path)
            .severity(Severity::High)
            .because(format!(
                "static binary with network ({}), exec ({}) and chmod ({})",
                net.join(", "),
                exec.join(", "),
                chmod.join(", ")
            ))
            .shows_each(Ev::Import, &net)
            .shows_each(Ev::Import, &exec)
            .shows_each(Ev::Import, &chmod);
        return Some(with_urls(f, facts));
    }
    if let Some(f) = code_downloader(bin, facts, e) {
        return Some(f);
    }
    let client = http_client(bin)?;
    let mut f = Finding::new(Code::HttpClientBinary)
        .at(&e.path)
        .because(client);
    if !exec.is_empty() || bin.has(Marker::GoOsExec) {
        f = f
            .severity(Severity::Medium)
            .because("can also run other programs");
    }
    Some(f)
}

/// Rust crates that are HTTP/FTP clients.
const RUST_CLIENTS: &[&str] = &[
    "reqwest",
    "ureq",
    "attohttpc",
    "curl",
    "isahc",
    "minreq",
    "surf",
    "suppaftp",
    "ftp",
];

/// A downloader recognised from its code rather than its imports: a static
/// ELF whose system calls connect, change modes and execute, with embedded
/// request material; a Go program whose pclntab holds an HTTP/FTP client,
/// file writing, and chmod or process start; a Rust program built with an
/// HTTP client crate and std::process::Command.
fn code_downloader(bin: &BinaryFacts, facts: &FileFacts, e: &Entry) -> Option<Finding> {
    let f = if bin.go && !bin.go_funcs.is_empty() {
        go_downloader(bin, e)?
    } else if let Some(f) = rust_downloader(bin, e) {
        f
    } else if bin.is_static && !bin.go {
        syscall_downloader(bin, facts, e)?
    } else {
        return None;
    };
    Some(with_material(f, bin, facts))
}

/// The names of `list` present in `have`.
fn present<'a>(have: &'a [String], list: &[&str]) -> Vec<&'a str> {
    have.iter()
        .map(String::as_str)
        .filter(|s| list.contains(s))
        .collect()
}

/// A Go program whose pclntab holds a network client, file writing, and
/// chmod or process start (medium when it also serves HTTP).
fn go_downloader(bin: &BinaryFacts, e: &Entry) -> Option<Finding> {
    use crate::inspect::gobin::funcs;
    let go = |list: &[&str]| present(&bin.go_funcs, list);
    let (client, write, chmod, exec) = (
        go(funcs::CLIENT),
        go(funcs::WRITE),
        go(funcs::CHMOD),
        go(funcs::EXEC),
    );
    if client.is_empty() || write.is_empty() || (chmod.is_empty() && exec.is_empty()) {
        return None;
    }
    let mut f = Finding::new(Code::NativeDownloader)
        .at(&e.path)
        .severity(Severity::High)
        .because(format!(
            "Go program (pclntab) with a network client: {}",
            client.join(", ")
        ))
        .because(format!("writes files: {}", write.join(", ")))
        .shows_each(Ev::Symbol, &client)
        .shows_each(Ev::Symbol, &write);
    if !chmod.is_empty() {
        f = f
            .because(format!("changes file modes: {}", chmod.join(", ")))
            .shows_each(Ev::Symbol, &chmod);
    }
    if !exec.is_empty() {
        f = f
            .because(format!("runs programs: {}", exec.join(", ")))
            .shows_each(Ev::Symbol, &exec);
    }
    let serves: Vec<&str> = go(funcs::SERVER)
        .into_iter()
        .filter(|n| n.starts_with("net/http."))
        .collect();
    if !serves.is_empty() {
        // A service (a registry, a proxy) fetches as part of its job.
        f = f.severity(Severity::Medium).because(format!(
            "also serves HTTP ({}): a service, whose client use may be its job",
            serves.join(", ")
        ));
    }
    Some(f)
}

/// A Rust program built with HTTP client crates that runs programs.
fn rust_downloader(bin: &BinaryFacts, e: &Entry) -> Option<Finding> {
    let clients = present(&bin.rust_crates, RUST_CLIENTS);
    if clients.is_empty() || !bin.rust_process {
        return None;
    }
    Some(
        Finding::new(Code::NativeDownloader)
            .at(&e.path)
            .severity(Severity::High)
            .because(format!(
                "Rust program built with HTTP client crates: {}",
                clients.join(", ")
            ))
            .shows_each(Ev::Library, &clients)
            .because("runs programs (std::process::Command)"),
    )
}

/// A static ELF whose code connects, changes modes and executes (high with
/// request material: templates, dot-paths, URLs to IP hosts).
fn syscall_downloader(bin: &BinaryFacts, facts: &FileFacts, e: &Entry) -> Option<Finding> {
    let sys = |list: &[&str]| present(&bin.syscalls, list);
    let (net, exec, chmod) = (
        sys(&["socket", "connect"]),
        sys(&["execve", "execveat"]),
        sys(&["chmod", "fchmod", "fchmodat", "fchmodat2"]),
    );
    if net.len() < 2 || exec.is_empty() || chmod.is_empty() {
        return None;
    }
    let material = !bin.request_templates.is_empty()
        || !bin.dot_paths.is_empty()
        || facts.urls.iter().any(|u| ip_host(u));
    let arch = bin.code_arch.as_deref().unwrap_or("native");
    Some(
        Finding::new(Code::NativeDownloader)
            .at(&e.path)
            .severity(if material {
                Severity::High
            } else {
                Severity::Medium
            })
            .because(format!(
                "static binary whose {arch} code makes the system calls {} (network), {} (modes) and {} (exec)",
                net.join(", "),
                chmod.join(", "),
                exec.join(", ")
            ))
            .shows_each(Ev::Syscall, &net)
            .shows_each(Ev::Syscall, &chmod)
            .shows_each(Ev::Syscall, &exec),
    )
}

/// Evidence: embedded URLs, request templates, dot-paths in writable dirs.
fn with_material(f: Finding, bin: &BinaryFacts, facts: &FileFacts) -> Finding {
    let mut f = with_urls(f, facts);
    if !bin.request_templates.is_empty() {
        f = f
            .because(format!(
                "embedded HTTP requests: {}",
                bin.request_templates.join(" | ")
            ))
            .shows_each(Ev::String, &bin.request_templates);
    }
    if !bin.dot_paths.is_empty() {
        f = f.because(format!(
            "hidden paths in writable directories: {}",
            bin.dot_paths.join(", ")
        ));
    }
    f
}

/// `http://198.51.100.7/x`: a URL whose host is an IP literal.
fn ip_host(url: &str) -> bool {
    let host = url.split('/').nth(2).unwrap_or_default();
    let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
    host.parse::<std::net::Ipv4Addr>().is_ok()
}

fn http_client(bin: &BinaryFacts) -> Option<String> {
    if bin.has(Marker::GoHttpClient) {
        return Some("Go binary with a net/http client".into());
    }
    if let Some(c) = bin
        .rust_crates
        .iter()
        .find(|c| RUST_CLIENTS.contains(&c.as_str()))
    {
        return Some(format!("Rust binary with an HTTP client crate ({c})"));
    }
    if bin.has(Marker::RustHttpClient) {
        return Some("Rust binary with an HTTP client (reqwest/hyper)".into());
    }
    None
}

/// A dot-named component in a system or temp directory (`/usr/bin/.x`, `/tmp/.cache/x`).
fn hidden_name(p: &ImagePath) -> bool {
    let comps: Vec<&[u8]> = p.components().collect();
    let system = matches!(
        comps.first().copied(),
        Some(
            b"bin"
                | b"sbin"
                | b"lib"
                | b"lib64"
                | b"usr"
                | b"etc"
                | b"tmp"
                | b"var"
                | b"dev"
                | b"opt"
        )
    );
    system
        && comps.iter().any(|c| {
            c.first() == Some(&b'.')
                && *c != b"."
                && !matches!(*c, b".wh..wh..opq")
                && !c.starts_with(b".build-id")
        })
}
