//! The one-line summary a scan leaves on stderr when stderr is not a
//! terminal (a CI log), so a job shows what happened even when the report
//! went to a file.

use std::io::IsTerminal;
use std::time::Duration;

use stowaway::Severity;

/// What one run found, for the summary line.
pub struct Summary<'a> {
    pub command: &'a str,
    pub reference: &'a str,
    pub severities: Vec<Severity>,
    pub ignored: usize,
    pub filtered: usize,
    pub layers: usize,
    pub elapsed: Duration,
    /// The verdict in words (`pass`, `fail`).
    pub verdict: &'a str,
}

impl Summary<'_> {
    /// The line, without its newline.
    pub fn line(&self) -> String {
        let mut counts = Vec::new();
        for s in [
            Severity::Critical,
            Severity::High,
            Severity::Medium,
            Severity::Low,
            Severity::Info,
        ] {
            let n = self.severities.iter().filter(|x| **x == s).count();
            if n > 0 {
                counts.push(format!("{n} {s}"));
            }
        }
        let mut text = format!(
            "stowaway: {} {}: {} finding{}",
            self.command,
            self.reference,
            self.severities.len(),
            if self.severities.len() == 1 { "" } else { "s" }
        );
        if !counts.is_empty() {
            text.push_str(&format!(" ({})", counts.join(", ")));
        }
        if self.ignored > 0 {
            text.push_str(&format!(", {} ignored", self.ignored));
        }
        if self.filtered > 0 {
            text.push_str(&format!(", {} left out by --severity", self.filtered));
        }
        text.push_str(&format!(
            ", {} layer{}, {:.1}s: {}",
            self.layers,
            if self.layers == 1 { "" } else { "s" },
            self.elapsed.as_secs_f64(),
            self.verdict
        ));
        text
    }

    /// Print the line when stderr is not a terminal and not `quiet`.
    pub fn print(&self, quiet: bool) {
        if !quiet && !std::io::stderr().is_terminal() {
            eprintln!("{}", self.line());
        }
    }
}
