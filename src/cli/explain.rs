//! `stowaway explain [CODE]`: what a finding code means.

use clap::Args;

use stowaway::finding::{CODES, Code};

use super::Verdict;

#[derive(Args)]
pub struct ExplainArgs {
    /// A finding code; omit to list every code.
    code: Option<String>,
}

pub fn run(a: ExplainArgs) -> anyhow::Result<Verdict> {
    // Written at the end, so `stowaway explain | head` ends quietly.
    let mut o = String::new();
    macro_rules! println {
        ($($t:tt)*) => {{
            o.push_str(&format!($($t)*));
            o.push('\n');
        }};
    }
    match a.code {
        None => {
            for c in CODES {
                println!(
                    "{:<26} {:<8} {:<10} {}",
                    c.code,
                    c.severity.as_str(),
                    c.technique,
                    c.title
                );
            }
            let cat = stowaway::catalog::get();
            println!(
                "\nCommand rules (src/catalog/commands.toml; `stowaway explain RULE` for one):"
            );
            for r in &cat.rules {
                println!("{:<30} {:<22} {}", r.id, r.code, r.title);
            }
        }
        Some(s)
            if Code::parse(&s).is_none() && stowaway::catalog::get().rule_index(&s).is_some() =>
        {
            let cat = stowaway::catalog::get();
            o.push_str(&describe_rule(
                &cat.rules[cat.rule_index(&s).unwrap_or_default()],
            ));
        }
        Some(s) => {
            let code = Code::parse(&s).ok_or_else(|| {
                anyhow::anyhow!("unknown finding code {s:?}; `stowaway explain` lists them")
            })?;
            let c = code.info();
            println!("{} — {}\n", c.code, c.title);
            println!("severity:  {} (default)", c.severity);
            println!("technique: {} (MITRE ATT&CK)\n", c.technique);
            println!("{}\n", c.description);
            println!("To gate on it, use `stowaway scan IMAGE --fail-on SEVERITY`.");
            println!(
                "To accept it after review, add an [[allow]] entry (code = \"{}\", path, sha256, \
                 reason, expires) to .stowawayignore.toml for `scan`, or to the policy for `gate`.",
                c.code
            );
        }
    }
    super::shell::write_stdout(o.as_bytes())
}

/// How the command engine raises a builtin rule.
fn builtin_note(id: &str) -> &'static str {
    if id.ends_with("-argument") {
        "raised by the command engine for any program (the argument's shape, not the name)"
    } else {
        "raised by the command engine (a download followed to what runs it)"
    }
}

/// One command rule, as `stowaway explain RULE` prints it.
fn describe_rule(r: &stowaway::catalog::Rule) -> String {
    let mut o = String::new();
    macro_rules! println {
        ($($t:tt)*) => {{
            o.push_str(&format!($($t)*));
            o.push('\n');
        }};
    }
    println!("{} — {}\n", r.id, r.title);
    println!("finding:   {}", r.code);
    println!("languages: {}", r.lang);
    if !r.programs.is_empty() {
        println!("programs:  {}", r.programs.join(", "));
    }
    if !r.switches.is_empty() {
        println!("switches:  any of {}", r.switches.join(", "));
    }
    if !r.subcommands.is_empty() {
        println!(
            "command:   first argument one of {}",
            r.subcommands.join(", ")
        );
    }
    if let Some(t) = &r.target {
        println!("argument:  a {t} address");
    }
    if let Some(t) = &r.redirect {
        println!("redirect:  {t}");
    }
    if !r.remote_command.is_empty() {
        println!(
            "remote:    {} (run on the other host)",
            r.remote_command.join(", ")
        );
    }
    if let Some(p) = &r.pattern {
        println!("pattern:   {p}");
    }
    if r.builtin {
        println!("{}", builtin_note(&r.id));
    }
    o
}
