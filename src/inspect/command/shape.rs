//! Argument shapes a command rule asks for: any of its switches
//! (`-x`, `/x`, `-x:value`, `--x=value`, case-insensitive), a sub-command,
//! a redirection, and a target argument (URL with or without a scheme,
//! remote `user@host:path`, UNC path, host). A match tells whether every
//! address it named was a loopback one.

use crate::catalog::Rule;

use super::Cmd;
use super::addr::{
    bare_host, is_domain, is_ipv4, is_loopback, remote_host, schemeless_host, unc_host, url_host,
};

/// The argument xargs, parallel and loops over a file stand for: the
/// program fetches whatever line its input holds.
pub const INPUT: &str = "input://";

/// Whether a rule's argument conditions hold; `Some(loopback)` when they
/// do. `output_runs`: what the command prints is run (piped into a shell);
/// `output_saved`: it is piped into a program that writes it to files
/// (`| tar x`), which counts as a redirection of either way; `piped`: its
/// output goes into another command rather than to the script's own output.
pub fn matches(
    rule: &Rule,
    rest: &[String],
    c: &Cmd,
    output_runs: bool,
    output_saved: bool,
    piped: bool,
) -> Option<bool> {
    let redirected =
        redirect_ok(rule, c) || output_saved && rule.redirect.as_deref() == Some("any");
    if !switches_ok(rule, rest)
        || !subcommand_ok(rule, rest)
        || !redirected
        || !remote_command_ok(rule, rest, c, output_runs || !piped)
    {
        return None;
    }
    let Some(t) = &rule.target else {
        return Some(false);
    };
    let mut hosts: Vec<String> = rest.iter().filter_map(|a| target_host(t, a)).collect();
    if t == "unc" {
        hosts.extend(c.redirs.iter().filter_map(|r| target_host(t, &r.target)));
    }
    if hosts.is_empty() {
        return (rule.input && from_input(rule, rest, c, output_runs)).then_some(false);
    }
    Some(hosts.iter().all(|h| is_loopback(h)))
}

/// A target that comes from the command's input: the [`INPUT`] stand-in,
/// or a variable the file never sets when what is fetched is saved or run
/// (a rule with switches, like `certutil -urlcache`, always saves).
fn from_input(rule: &Rule, rest: &[String], c: &Cmd, output_runs: bool) -> bool {
    if rest.iter().any(|a| a.starts_with(INPUT)) {
        return true;
    }
    rest.iter().any(|a| is_unset_variable(a))
        && (output_runs || !rule.switches.is_empty() || saves_to_file(rest, c))
}

/// A word that is still a variable reference after expansion: `$X`,
/// `${X}/path`, `$env:X`, `%X%`, `!X!`.
pub fn is_unset_variable(a: &str) -> bool {
    let b = a.as_bytes();
    let ident = |x: &u8| x.is_ascii_alphabetic() || *x == b'_';
    match b.first() {
        Some(b'$') => b
            .get(1)
            .is_some_and(|x| ident(x) || *x == b'{' || x.is_ascii_digit()),
        Some(q @ (b'%' | b'!')) => {
            b.get(1).is_some_and(ident)
                && b[1..].iter().position(|x| x == q).is_some_and(|end| {
                    b[1..=end]
                        .iter()
                        .all(|x| x.is_ascii_alphanumeric() || *x == b'_')
                })
        }
        _ => false,
    }
}

/// Does the command save what it fetches to a file: an output option
/// (`-o F`, `-O`, `-sSLo F`, `--output=F`, `-OutFile F`, `-P DIR`) or
/// stdout redirected to a file?
pub fn saves_to_file(rest: &[String], c: &Cmd) -> bool {
    let named = |a: &str| {
        let l = a.to_ascii_lowercase();
        matches!(
            l.as_str(),
            "-outfile"
                | "-destination"
                | "-p"
                | "--directory-prefix"
                | "--remote-name"
                | "--output"
                | "--output-document"
        ) || l.starts_with("--output=")
            || l.starts_with("--output-document=")
            || l.starts_with("--directory-prefix=")
    };
    let cluster = |a: &str| {
        a.len() <= 7
            && a.starts_with('-')
            && !a.starts_with("--")
            && a[1..].bytes().all(|x| x.is_ascii_alphabetic())
            && a.ends_with(['o', 'O'])
    };
    rest.iter()
        .enumerate()
        .any(|(i, a)| (named(a) || cluster(a)) && rest.get(i + 1).is_none_or(|v| !is_null(v)))
        || c.redirs
            .iter()
            .any(|r| r.op.starts_with('>') && !is_null(&r.target))
}

fn switches_ok(rule: &Rule, rest: &[String]) -> bool {
    let opts = |a: &str| a.trim_start_matches(['-', '/']).to_ascii_lowercase();
    rule.switches.is_empty()
        || rest.iter().any(|a| {
            (a.starts_with('-') || a.starts_with('/')) && {
                let o = opts(a);
                rule.switches.iter().any(|s| {
                    let s = opts(s);
                    o == s
                        || o.strip_prefix(s.as_str()).is_some_and(|r| {
                            r.starts_with([':', '='])
                                || s.len() >= 4 && !r.is_empty() && s.ends_with(':')
                        })
                })
            }
        })
}

fn subcommand_ok(rule: &Rule, rest: &[String]) -> bool {
    if rule.subcommands.is_empty() {
        return true;
    }
    rest.iter()
        .find(|a| !a.starts_with('-'))
        .is_some_and(|first| {
            rule.subcommands
                .iter()
                .any(|s| s.eq_ignore_ascii_case(first))
        })
}

/// A remote command among the arguments after the host (the first
/// non-option argument) whose first word (after `sudo`) is one of the
/// rule's, and data that moves: the remote side writes what it is fed
/// (`'cat > f'`, `dd of=`, `tee`, `tar x`), this side feeds it a file
/// (`< f`), or what it prints is run (`| sh`) or is the script's own output
/// (`shown`: GTFOBins' `ssh host 'cat f'`). Output saved to a file is the
/// `ssh-output` rule's; output piped elsewhere (`| dd of=/dev/null`) is not.
fn remote_command_ok(rule: &Rule, rest: &[String], c: &Cmd, shown: bool) -> bool {
    if rule.remote_command.is_empty() {
        return true;
    }
    let Some(host) = rest.iter().position(|a| !a.starts_with('-')) else {
        return false;
    };
    let fed = c.redirs.iter().any(|r| r.op == "<");
    let shown = shown && !c.redirs.iter().any(|r| r.op.starts_with('>'));
    rest[host + 1..].iter().any(|a| {
        let mut words = a
            .split(|c: char| c.is_whitespace() || matches!(c, '\'' | '"' | ';' | '|' | '&' | '('))
            .filter(|w| !w.is_empty());
        let first = match words.next() {
            Some("sudo") => words.find(|w| !w.starts_with('-')),
            w => w,
        };
        let Some(first) = first.map(|w| w.rsplit('/').next().unwrap_or(w)) else {
            return false;
        };
        let writes = a.contains('>')
            || a.contains("of=")
            || first == "tee"
            || first == "tar"
                && a.split_whitespace()
                    .nth(1)
                    .is_some_and(|f| f.trim_start_matches('-').starts_with('x'));
        rule.remote_command
            .iter()
            .any(|r| r.eq_ignore_ascii_case(first))
            && (writes || fed || shown)
    })
}

fn redirect_ok(rule: &Rule, c: &Cmd) -> bool {
    let Some(r) = &rule.redirect else {
        return true;
    };
    c.redirs.iter().any(|x| match r.as_str() {
        "out" => x.op.starts_with('>') && !is_null(&x.target),
        "in" => x.op == "<",
        "tcp" => x.target.starts_with("/dev/tcp/") || x.target.starts_with("/dev/udp/"),
        _ => !is_null(&x.target) && !x.op.starts_with("<<"),
    })
}

/// The host an argument names, in the shape `target` asks for.
fn target_host(target: &str, a: &str) -> Option<String> {
    match target {
        "url" => url_host(a).or_else(|| schemeless_host(a)),
        "scheme-url" => url_host(a),
        // Also as an option's value: `--remote=git@host:repo.git`.
        "remote" => url_host(a).or_else(|| {
            let v = a
                .split_once('=')
                .filter(|(k, _)| k.starts_with("--"))
                .map_or(a, |(_, v)| v);
            remote_host(v)
        }),
        // A share as a path (`\\host\share`, `//host/share`) or as its URL
        // (`smb://host/share/file`, as smbget and smbclient take it).
        // A host from the command's input (`for /f %%h in (hosts.txt) do
        // copy x \\%%h\C$\…`) is a host all the same.
        "unc" if a.contains(INPUT) => unc_host(&a.replacen(INPUT, "input-host", 1)),
        "unc" => unc_host(a).or_else(|| {
            let l = a.get(..6).unwrap_or_default().to_ascii_lowercase();
            (l.starts_with("smb://") || l.starts_with("cifs:/"))
                .then(|| url_host(a))
                .flatten()
        }),
        "host" => url_host(a)
            .or_else(|| remote_host(a))
            .or_else(|| schemeless_host(a))
            .or_else(|| bare_host(a))
            .or_else(|| {
                // socat-style addresses: TCP:host:port, tcp-connect:host:port
                a.split([':', ','])
                    .skip(1)
                    .find(|p| is_ipv4(p) || is_domain(p))
                    .map(str::to_ascii_lowercase)
            }),
        _ => None,
    }
}

/// A redirection that writes no file (`/dev/null`, `NUL`, `&1`, `$null`).
pub fn is_null(t: &str) -> bool {
    t == "/dev/null"
        || t == "-"
        || t.eq_ignore_ascii_case("nul")
        || t.starts_with('&')
        || t == "$null"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_variables_are_whole_references() {
        for v in ["$URL", "${URL}/a", "$1", "%URL%", "!URL!", "%DL_1%"] {
            assert!(is_unset_variable(v), "{v}");
        }
        // A batch loop variable (`%%u`), an argument (`%1`), an unclosed
        // `%URL` and a substring edit (`%URL:~0,8%`) are no `%NAME%`.
        for v in ["%%u", "%1", "%1%", "%URL", "%URL:~0,8%", "http://h/x", "x"] {
            assert!(!is_unset_variable(v), "{v}");
        }
    }
}
