//! A repository cloned from another host and then something run out of it:
//! `git clone URL [DIR]` (also `hg clone`, `svn checkout`) remembers the
//! directory the clone lands in; a later command that runs a file inside
//! it (`sh DIR/install.sh`, `DIR/bootstrap`, `cd DIR && ./setup`) is a
//! transfer followed by a run, like a downloaded file that is executed.

use super::addr::{is_loopback, remote_host, url_host};
use super::program::basename;
use super::rules::is_runner;

/// A clone: the directory's last component, and the command that made it.
#[derive(Clone, Debug)]
pub(super) struct Cloned {
    pub dir: String,
    pub line: usize,
    pub text: String,
}

/// Options of `git clone` that take a value.
const VALUED: &[&str] = &[
    "-b",
    "--branch",
    "--depth",
    "-o",
    "--origin",
    "-c",
    "--config",
    "--reference",
    "-u",
    "--upload-pack",
    "--template",
    "--separate-git-dir",
    "--filter",
    "-j",
    "--jobs",
    "--shallow-since",
    "--shallow-exclude",
    "-r",
    "--revision",
];

/// The directory a clone of a remote (non-loopback) repository writes:
/// `git clone [opts] URL [DIR]`, `hg clone URL [DIR]`, `svn co URL [DIR]`.
pub(super) fn clone_dir(prog: &str, rest: &[String]) -> Option<String> {
    let sub = rest.iter().position(|a| !a.starts_with('-'))?;
    let ok = match prog {
        "git" | "hg" => rest[sub] == "clone",
        "svn" => matches!(rest[sub].as_str(), "checkout" | "co" | "export"),
        _ => false,
    };
    if !ok {
        return None;
    }
    let mut words = Vec::new();
    let mut i = sub + 1;
    while i < rest.len() {
        let a = &rest[i];
        if VALUED.contains(&a.as_str()) {
            i += 2;
            continue;
        }
        if !a.starts_with('-') {
            words.push(a.as_str());
        }
        i += 1;
    }
    let url = *words.first()?;
    let host = url_host(url).or_else(|| remote_host(url))?;
    if is_loopback(&host) {
        return None;
    }
    let dir = match words.get(1) {
        Some(d) => basename(d.trim_end_matches('/')),
        None => {
            let leaf = url.trim_end_matches('/').rsplit(['/', ':']).next()?;
            leaf.split('#').next()?.trim_end_matches(".git").to_string()
        }
    };
    (!dir.is_empty() && dir != "." && dir != "..").then_some(dir)
}

/// A source tree's own build steps (autotools, build-tool wrappers): a
/// build from source, not a fetched installer being run.
const BUILD_STEPS: &[&str] = &[
    "configure",
    "autogen.sh",
    "config.status",
    "gradlew",
    "mvnw",
];

/// Does a path name a file inside the clone `dir`: `dir/…` as a path
/// component, or any relative `./x` while the shell is in it (`in_dir`)?
fn inside(path: &str, dir: &str, in_dir: bool) -> bool {
    let parts: Vec<&str> = path.split(['/', '\\']).collect();
    if parts.len() > 1 && parts[..parts.len() - 1].contains(&dir) {
        return true;
    }
    in_dir && (path.starts_with("./") || !path.starts_with('/') && path.contains('/'))
}

/// Does the command `argv[at..]` (program `prog`) run a file inside the
/// clone `dir`: the program itself is there, or a shell or interpreter is
/// handed a script there (`bash kit/setup.sh`, `sh ./install.sh` in it)?
pub(super) fn runs_inside(prog: &str, argv: &[String], at: usize, dir: &str, in_dir: bool) -> bool {
    let Some(own) = argv.get(at) else {
        return false;
    };
    if BUILD_STEPS.contains(&basename(own).as_str()) {
        return false;
    }
    if (own.contains('/') || own.contains('\\')) && inside(own, dir, in_dir) {
        return true;
    }
    is_runner(prog)
        && argv[at + 1..]
            .iter()
            .find(|a| !a.starts_with('-'))
            .filter(|a| !BUILD_STEPS.contains(&basename(a).as_str()))
            .is_some_and(|a| {
                inside(a, dir, in_dir) || in_dir && !a.contains('/') && a.ends_with(".sh")
            })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn clone_directories() {
        assert_eq!(
            clone_dir(
                "git",
                &w("clone --depth 1 https://h.example/o/kit.git /opt/kit")
            ),
            Some("kit".into())
        );
        assert_eq!(
            clone_dir("git", &w("clone -b v2 git@h.example:o/tools.git")),
            Some("tools".into())
        );
        assert_eq!(clone_dir("git", &w("clone http://127.0.0.1/r/x")), None);
        assert_eq!(clone_dir("git", &w("pull https://h.example/o/x")), None);
        assert_eq!(clone_dir("git", &w("clone ../local/repo")), None);
    }

    #[test]
    fn runs_inside_the_clone() {
        let r = |s: &str, in_dir: bool| {
            let a = w(s);
            runs_inside(&basename(&a[0]), &a, 0, "kit", in_dir)
        };
        assert!(r("bash /opt/kit/setup.sh", false));
        assert!(r("kit/install", false));
        assert!(r("./bootstrap", true));
        assert!(r("sh install.sh", true));
        assert!(!r("./bootstrap", false));
        assert!(!r("bash /opt/other/setup.sh", false));
        assert!(!r("ls kit/", false));
        assert!(!r("./configure --prefix=/usr", true));
        assert!(!r("sh autogen.sh", true));
    }
}
