//! Image references in the containers' transports syntax:
//! `oci:DIR[:TAG|@sha256:…]`, `oci-archive:FILE[:TAG]`,
//! `docker-archive:FILE[:REPO:TAG]`, `dir:DIR` (skopeo's directory layout,
//! or a root filesystem), `rootfs:DIR`, `docker://HOST/REPO:TAG`,
//! and the local stores: `containers-storage:NAME[:TAG]`, `containerd:NAME[:TAG]`,
//! `docker-daemon:NAME[:TAG]`.
//! A bare string is a local path when one exists, else a registry reference;
//! a bare string written as a path (`/…`, `./…`, `../…`, `~/…`) that does
//! not exist is an error saying so, never a registry name.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::digest::Sha256;
use crate::error::{Error, Result};

/// A parsed image reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImageRef {
    /// An OCI image layout directory.
    OciLayout {
        path: PathBuf,
        tag: Option<String>,
        digest: Option<Sha256>,
    },
    /// A tar of an OCI image layout.
    OciArchive { path: PathBuf, tag: Option<String> },
    /// `docker save` output.
    DockerArchive { path: PathBuf, tag: Option<String> },
    /// `dir:DIR`: skopeo's directory layout, or (when it is clearly not
    /// one) a root file system directory taken as one layer.
    Dir { path: PathBuf },
    /// `rootfs:DIR`: a root file system directory, taken as one layer.
    Rootfs { path: PathBuf },
    /// A registry reference (`docker://…` or a bare name).
    Registry { reference: String },
    /// An image in containers-storage (Podman, Buildah, CRI-O), by name or ID.
    ContainersStorage { name: String },
    /// An image in containerd, by name.
    Containerd { name: String },
    /// An image held by the Docker Engine, by name or ID.
    DockerDaemon { name: String },
}

impl ImageRef {
    /// Parse a reference string.
    pub fn parse(input: &str) -> Result<ImageRef> {
        let bad = |reason: &str| Error::Reference {
            input: input.to_string(),
            reason: reason.to_string(),
        };
        if input.trim().is_empty() {
            return Err(bad("empty reference"));
        }
        if let Some(rest) = input.strip_prefix("oci:") {
            let (path, tag, digest) = split_path_ref(rest).map_err(|r| bad(&r))?;
            return Ok(ImageRef::OciLayout { path, tag, digest });
        }
        if let Some(rest) = input.strip_prefix("oci-archive:") {
            let (path, tag, digest) = split_path_ref(rest).map_err(|r| bad(&r))?;
            if digest.is_some() {
                return Err(bad("oci-archive references take a tag, not a digest"));
            }
            return Ok(ImageRef::OciArchive { path, tag });
        }
        if let Some(rest) = input.strip_prefix("docker-archive:") {
            let (path, tag) = split_archive_ref(rest);
            if path.as_os_str().is_empty() {
                return Err(bad("missing archive path"));
            }
            return Ok(ImageRef::DockerArchive { path, tag });
        }
        if let Some(rest) = input.strip_prefix("dir:") {
            if rest.is_empty() {
                return Err(bad("missing directory"));
            }
            return Ok(ImageRef::Dir { path: rest.into() });
        }
        if let Some(rest) = input.strip_prefix("rootfs:") {
            if rest.is_empty() {
                return Err(bad("missing directory"));
            }
            return Ok(ImageRef::Rootfs { path: rest.into() });
        }
        if let Some(local) = parse_local_store(input) {
            return local.map_err(&bad);
        }
        if let Some(rest) = input.strip_prefix("docker://") {
            return Ok(ImageRef::Registry {
                reference: rest.to_string(),
            });
        }
        parse_bare(input).map_err(|reason| match reason {
            NO_SUCH_PATH => Error::source(input, NO_SUCH_PATH),
            _ => bad(reason),
        })
    }

    /// The transport name.
    pub fn transport(&self) -> &'static str {
        match self {
            ImageRef::OciLayout { .. } => "oci",
            ImageRef::OciArchive { .. } => "oci-archive",
            ImageRef::DockerArchive { .. } => "docker-archive",
            ImageRef::Dir { .. } => "dir",
            ImageRef::Rootfs { .. } => "rootfs",
            ImageRef::Registry { .. } => "docker",
            ImageRef::ContainersStorage { .. } => "containers-storage",
            ImageRef::Containerd { .. } => "containerd",
            ImageRef::DockerDaemon { .. } => "docker-daemon",
        }
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImageRef::OciLayout { path, tag, digest } => {
                write!(f, "oci:{}", path.display())?;
                if let Some(t) = tag {
                    write!(f, ":{t}")?;
                }
                if let Some(d) = digest {
                    write!(f, "@{d}")?;
                }
                Ok(())
            }
            ImageRef::OciArchive { path, tag } | ImageRef::DockerArchive { path, tag } => {
                write!(f, "{}:{}", self.transport(), path.display())?;
                if let Some(t) = tag {
                    write!(f, ":{t}")?;
                }
                Ok(())
            }
            ImageRef::Dir { path } => write!(f, "dir:{}", path.display()),
            ImageRef::Rootfs { path } => write!(f, "rootfs:{}", path.display()),
            ImageRef::Registry { reference } => write!(f, "docker://{reference}"),
            ImageRef::ContainersStorage { name } => write!(f, "containers-storage:{name}"),
            ImageRef::Containerd { name } => write!(f, "containerd:{name}"),
            ImageRef::DockerDaemon { name } => write!(f, "docker-daemon:{name}"),
        }
    }
}

impl ImageRef {
    /// The repository and tag this reference names, where it names one:
    /// `oci:DIR:TAG` → (DIR's last component, TAG); `docker-archive:F:REPO:TAG`
    /// → (REPO, TAG); registry references → (HOST/REPO, TAG), the digest left
    /// out; a root filesystem directory → (its last component, none); a local
    /// store's image name → (REPO, TAG), its image ID → none.
    pub fn repository_and_tag(&self) -> (Option<String>, Option<String>) {
        let last_component = |p: &Path| {
            let s = p.to_string_lossy();
            let name = s.trim_end_matches('/').rsplit('/').next().unwrap_or("");
            Some(name.to_string()).filter(|n| !n.is_empty())
        };
        match self {
            ImageRef::OciLayout { path, tag, .. } | ImageRef::OciArchive { path, tag } => {
                (last_component(path), tag.clone())
            }
            ImageRef::Dir { path } | ImageRef::Rootfs { path } => (last_component(path), None),
            ImageRef::DockerArchive { tag: None, .. } => (None, None),
            ImageRef::DockerArchive { tag: Some(t), .. } => repo_and_tag(t),
            ImageRef::Registry { reference } => repo_and_tag(
                reference
                    .split_once('@')
                    .map_or(reference.as_str(), |(r, _)| r),
            ),
            // Local stores: NAME[:TAG][@DIGEST], or an image ID (no repository).
            ImageRef::ContainersStorage { name }
            | ImageRef::Containerd { name }
            | ImageRef::DockerDaemon { name } => {
                let name = name.split_once('@').map_or(name.as_str(), |(r, _)| r);
                let id = name.strip_prefix("sha256:").unwrap_or(name);
                if id.len() >= 12 && id.bytes().all(|b| b.is_ascii_hexdigit()) {
                    (None, None)
                } else {
                    repo_and_tag(name)
                }
            }
        }
    }
}

/// `REPO[:TAG]`, where REPO may hold a `HOST:PORT/` prefix.
fn repo_and_tag(s: &str) -> (Option<String>, Option<String>) {
    match s.rsplit_once(':').filter(|(_, t)| !t.contains('/')) {
        Some((repo, tag)) => (Some(repo.to_string()), Some(tag.to_string())),
        None => (Some(s.to_string()), None),
    }
}

/// `PATH[:TAG][@sha256:HEX]`: a digest is split off first; then, unless the
/// whole rest names an existing file, the part after the last `:` (if it has
/// no `/`) is the tag.
fn split_path_ref(
    s: &str,
) -> std::result::Result<(PathBuf, Option<String>, Option<Sha256>), String> {
    let (rest, digest) = match s.rfind('@') {
        Some(i) if s[i + 1..].starts_with("sha256:") => {
            let d: Sha256 = s[i + 1..].parse()?;
            (&s[..i], Some(d))
        }
        _ => (s, None),
    };
    let (path, tag) = split_archive_ref(rest);
    if path.as_os_str().is_empty() {
        return Err("missing path".into());
    }
    Ok((path, tag, digest))
}

fn split_archive_ref(s: &str) -> (PathBuf, Option<String>) {
    if Path::new(s).exists() {
        return (s.into(), None);
    }
    // docker-archive tags are REPO:TAG, so try every colon from the left for
    // the longest existing path.
    for (i, _) in s.match_indices(':') {
        if Path::new(&s[..i]).exists() {
            let tag = &s[i + 1..];
            return (s[..i].into(), (!tag.is_empty()).then(|| tag.to_string()));
        }
    }
    match s.rfind(':') {
        Some(i) if !s[i + 1..].contains('/') && i > 0 => (
            s[..i].into(),
            Some(s[i + 1..].to_string()).filter(|t| !t.is_empty()),
        ),
        _ => (s.into(), None),
    }
}

/// The local-store transports (`containers-storage:`, `docker-daemon:`,
/// `containerd:`), or `None` when `input` names none of them.
fn parse_local_store(input: &str) -> Option<std::result::Result<ImageRef, &'static str>> {
    let (prefix, rest) = ["containers-storage:", "docker-daemon:", "containerd:"]
        .into_iter()
        .find_map(|p| input.strip_prefix(p).map(|rest| (p, rest)))?;
    if rest.is_empty() {
        return Some(Err("missing image name"));
    }
    let name = rest.to_string();
    Some(Ok(match prefix {
        "containers-storage:" if rest.starts_with('[') => {
            return Some(Err(
                "the [DRIVER@ROOT+RUNROOT] store specifier is not supported; \
                 name the storage root with --storage-root (the driver is detected)",
            ));
        }
        "containers-storage:" => ImageRef::ContainersStorage { name },
        "docker-daemon:" => ImageRef::DockerDaemon { name },
        _ => ImageRef::Containerd { name },
    }))
}

/// A reference without a transport: a local path if one exists (an OCI
/// layout, a root filesystem or a docker archive), else a registry name.
fn parse_bare(input: &str) -> std::result::Result<ImageRef, &'static str> {
    let p = Path::new(input);
    if p.is_dir() {
        return Ok(if p.join("oci-layout").is_file() {
            ImageRef::OciLayout {
                path: p.into(),
                tag: None,
                digest: None,
            }
        } else {
            ImageRef::Dir { path: p.into() }
        });
    }
    if p.is_file() {
        return Ok(ImageRef::DockerArchive {
            path: p.into(),
            tag: None,
        });
    }
    if looks_like_path(input) {
        return Err(NO_SUCH_PATH);
    }
    if input.contains(char::is_whitespace) {
        return Err("not a path that exists, nor a registry reference");
    }
    Ok(ImageRef::Registry {
        reference: input.to_string(),
    })
}

const NO_SUCH_PATH: &str = "no such file or directory";

/// A string only a path can be (a registry reference never starts so).
fn looks_like_path(input: &str) -> bool {
    ["/", "./", "../", "~/"]
        .iter()
        .any(|p| input.starts_with(p))
        || matches!(input, "." | "..")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_transports() {
        let d = "a".repeat(64);
        assert_eq!(
            ImageRef::parse(&format!("oci:/nonexistent/x:v1@sha256:{d}")).unwrap(),
            ImageRef::OciLayout {
                path: "/nonexistent/x".into(),
                tag: Some("v1".into()),
                digest: Some(Sha256::from_hex(&d).unwrap())
            }
        );
        assert_eq!(
            ImageRef::parse("docker-archive:/nonexistent.tar").unwrap(),
            ImageRef::DockerArchive {
                path: "/nonexistent.tar".into(),
                tag: None
            }
        );
        assert_eq!(
            ImageRef::parse("dir:/").unwrap(),
            ImageRef::Dir { path: "/".into() }
        );
        assert!(matches!(
            ImageRef::parse("docker://alpine:3").unwrap(),
            ImageRef::Registry { .. }
        ));
        assert_eq!(
            ImageRef::parse("containers-storage:localhost/app:1").unwrap(),
            ImageRef::ContainersStorage {
                name: "localhost/app:1".into()
            }
        );
        assert_eq!(
            ImageRef::parse("containerd:docker.io/library/app:1").unwrap(),
            ImageRef::Containerd {
                name: "docker.io/library/app:1".into()
            }
        );
        let r = ImageRef::parse("docker-daemon:app:1").unwrap();
        assert_eq!(
            r,
            ImageRef::DockerDaemon {
                name: "app:1".into()
            }
        );
        assert_eq!(r.to_string(), "docker-daemon:app:1");
        for empty in ["containers-storage:", "containerd:", "docker-daemon:"] {
            assert!(ImageRef::parse(empty).is_err(), "{empty}");
        }
        assert!(ImageRef::parse("containers-storage:[vfs@/x+/y]app").is_err());
        assert!(ImageRef::parse("oci:x@sha256:zz").is_err());
        assert!(ImageRef::parse("").is_err());
        let r = ImageRef::parse("rootfs:/srv/root").unwrap();
        assert_eq!(
            r,
            ImageRef::Rootfs {
                path: "/srv/root".into()
            }
        );
        assert_eq!(r.to_string(), "rootfs:/srv/root");
        assert_eq!(r.repository_and_tag(), (Some("root".into()), None));
        assert!(ImageRef::parse("rootfs:").is_err());
    }

    /// A bare path that does not exist says so (it used to be taken for a
    /// registry name and fail as "invalid reference format").
    #[test]
    fn missing_bare_path_is_no_such_file() {
        for p in ["/nonexistent/stowaway-x", "./no-such-dir", "../no/such"] {
            let e = ImageRef::parse(p).unwrap_err().to_string();
            assert!(e.contains("no such file or directory"), "{p}: {e}");
            assert!(e.contains(p), "{p}: {e}");
        }
        assert!(matches!(
            ImageRef::parse("alpine:3").unwrap(),
            ImageRef::Registry { .. }
        ));
    }

    #[test]
    fn archive_tag_with_existing_path() {
        let dir = std::env::temp_dir();
        let p = dir.join(format!("stowaway-ref-test-{}", std::process::id()));
        std::fs::write(&p, b"x").unwrap();
        let s = format!("docker-archive:{}:repo/app:1.0", p.display());
        assert_eq!(
            ImageRef::parse(&s).unwrap(),
            ImageRef::DockerArchive {
                path: p.clone(),
                tag: Some("repo/app:1.0".into())
            }
        );
        std::fs::remove_file(p).unwrap();
    }
}
