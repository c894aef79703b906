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

/// Whether a rule's argument conditions hold; `Some(loopback)` when they do.
pub fn matches(rule: &Rule, rest: &[String], c: &Cmd) -> Option<bool> {
    if !switches_ok(rule, rest) || !subcommand_ok(rule, rest) || !redirect_ok(rule, c) {
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
        return None;
    }
    Some(hosts.iter().all(|h| is_loopback(h)))
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
        "remote" => url_host(a).or_else(|| remote_host(a)),
        "unc" => unc_host(a),
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
    t == "/dev/null" || t.eq_ignore_ascii_case("nul") || t.starts_with('&') || t == "$null"
}
