//! Findings from the image configuration and history: a transfer tool as
//! entrypoint, command or healthcheck (resolved through PATH and symlinks to
//! the file that would run, identified by content), download commands in
//! entrypoint, command, healthcheck and build steps (all on the command
//! model of `inspect::command`), URLs in the environment.

use crate::catalog::{self, Catalog, ToolClass};
use crate::finding::{Code, Evidence, EvidenceKind, Finding, Severity, Subject};
use crate::fs::{ImageFs, Node};
use crate::inspect::script;
use crate::model::ImageInfo;
use crate::path::ImagePath;

use super::layer_ref;
use super::tools::hit_findings;

const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Config and history findings; a command is resolved through at most
/// `max_links` symlinks (`--max-link-depth`).
pub fn run(image: &ImageInfo, fs: &ImageFs, max_links: u32, out: &mut Vec<Finding>) {
    let cat = catalog::get();
    let cfg = &image.config;
    let path_var = cfg
        .env
        .iter()
        .find_map(|e| e.strip_prefix("PATH="))
        .unwrap_or(DEFAULT_PATH)
        .to_string();
    let ctx = Ctx {
        cat,
        fs,
        image,
        path_var,
        max_links,
    };

    let mut argv: Vec<String> = cfg.entrypoint.clone();
    argv.extend(cfg.cmd.iter().cloned());
    if !argv.is_empty() {
        ctx.command(&argv, "entrypoint/cmd", Code::EntrypointTransferTool, out);
    }
    if let Some(test) = &cfg.healthcheck {
        let argv: Vec<String> = match test.first().map(String::as_str) {
            Some("CMD") => test[1..].to_vec(),
            Some("CMD-SHELL") => vec!["/bin/sh".into(), "-c".into(), test[1..].join(" ")],
            _ => Vec::new(),
        };
        if !argv.is_empty() {
            ctx.command(&argv, "healthcheck", Code::HealthcheckTransferTool, out);
        }
    }
    ctx.history(out);
    for e in &cfg.env {
        if let Some((k, v)) = e.split_once('=')
            && ["http://", "https://", "ftp://"]
                .iter()
                .any(|s| v.contains(s))
        {
            out.push(
                Finding::new(Code::EnvUrl)
                    .because(format!("ENV {k}={v}"))
                    .shows(EvidenceKind::Config, None, format!("env {k}"))
                    .shows(EvidenceKind::Url, None, v),
            );
        }
    }
}

struct Ctx<'a> {
    cat: &'static Catalog,
    fs: &'a ImageFs,
    image: &'a ImageInfo,
    path_var: String,
    max_links: u32,
}

impl Ctx<'_> {
    /// Resolve a program name the way exec would: through PATH and symlinks.
    fn resolve(&self, prog: &str) -> Option<(ImagePath, &Node)> {
        let limit = self.max_links;
        let candidates: Vec<String> = if prog.contains('/') {
            vec![prog.to_string()]
        } else {
            self.path_var
                .split(':')
                .filter(|d| !d.is_empty())
                .map(|d| format!("{d}/{prog}"))
                .collect()
        };
        for c in candidates {
            if let Ok(r) = self.fs.resolve(c.as_bytes(), limit)
                && let Some(node) = r.node
                && node.entry.kind.has_content()
            {
                return Some((r.path, node));
            }
        }
        None
    }

    fn transfer_tools(&self, node: &Node) -> Vec<&'static str> {
        node.entry
            .facts
            .as_deref()
            .map(|f| {
                f.tools
                    .iter()
                    .filter(|t| self.cat.tools[t.tool].class == ToolClass::Transfer)
                    .map(|t| self.cat.tools[t.tool].id.as_str())
                    .collect()
            })
            .unwrap_or_default()
    }

    fn command(&self, argv: &[String], role: &str, code: Code, out: &mut Vec<Finding>) {
        let shown = argv.join(" ");
        let prog_name = argv[0].rsplit('/').next().unwrap_or_default();
        let shell_string = (catalog::lang::SHELLS.contains(&prog_name)
            && argv.get(1).is_some_and(|a| a == "-c"))
        .then(|| argv.get(2).cloned().unwrap_or_default());
        // The program that runs: the shell string's first word, or argv[0].
        let prog = match &shell_string {
            Some(s) => s
                .split_whitespace()
                .find(|w| !w.contains('='))
                .unwrap_or_default()
                .to_string(),
            None => argv[0].clone(),
        };
        if !prog.is_empty()
            && let Some((path, node)) = self.resolve(&prog)
        {
            let tools = self.transfer_tools(node);
            if !tools.is_empty() {
                let healthcheck = code == Code::HealthcheckTransferTool;
                let mut f = Finding::new(code)
                    .at(&path)
                    .because(format!("{role}: {shown}"))
                    .shows(EvidenceKind::Config, None, role)
                    .shows(EvidenceKind::Command, None, shown.clone())
                    .because(format!(
                        "{} resolves to {path}, identified as {}",
                        prog,
                        tools.join(", ")
                    ));
                f.sha256 = node.entry.sha256;
                f.layer = Some(layer_ref(self.image, node.layer));
                out.push(f);
                if healthcheck {
                    // Give the tool's own findings the context a policy needs.
                    for g in out
                        .iter_mut()
                        .filter(|g| g.path.as_ref() == Some(&path) && g.code == Code::TransferTool)
                    {
                        g.evidence.push(format!(
                            "context: used by the image's own HEALTHCHECK ({shown})"
                        ));
                    }
                }
            }
        }
        if !argv.is_empty() {
            // The whole argv on the command model: exec form and `sh -c` alike.
            let s = argv
                .iter()
                .map(|w| format!("'{}'", w.replace('\'', "'\\''")))
                .collect::<Vec<_>>()
                .join(" ");
            let facts = script::analyze(self.cat, "sh", s.as_bytes());
            for mut f in hit_findings(self.cat, &facts, None, role) {
                if code == Code::HealthcheckTransferTool && f.code == Code::DownloadCommand {
                    f.severity = Severity::Low;
                }
                f.evidence.insert(0, format!("{role}: {shown}"));
                f.items.insert(
                    0,
                    Evidence {
                        kind: EvidenceKind::Config,
                        line: None,
                        text: role.to_string(),
                    },
                );
                out.push(f);
            }
        }
    }

    fn history(&self, out: &mut Vec<Finding>) {
        let mut layer = 0usize;
        for (step, h) in self.image.config.history.iter().enumerate() {
            let this_layer = (!h.empty_layer).then_some(layer);
            if !h.empty_layer {
                layer += 1;
            }
            let Some(created_by) = &h.created_by else {
                continue;
            };
            let cmd = strip_build_prefix(created_by);
            let facts = script::analyze(self.cat, "sh", cmd.as_bytes());
            for mut f in hit_findings(self.cat, &facts, None, "build step") {
                f.evidence
                    .insert(0, format!("history step {step}: {}", created_by.trim()));
                f.subject = Some(Subject::HistoryStep {
                    step,
                    command: created_by.trim().to_string(),
                });
                f.layer = this_layer.map(|l| layer_ref(self.image, l));
                out.push(f);
            }
        }
    }
}

/// `/bin/sh -c #(nop) X`, `|2 A=1 B=2 /bin/sh -c X`, `RUN /bin/sh -c X # buildkit` → X.
fn strip_build_prefix(s: &str) -> String {
    let mut t = s.trim();
    if let Some(rest) = t.strip_prefix('|') {
        // BuildKit ARG prefix: "|N K=V ... "
        let mut words = rest.split_whitespace();
        if let Some(n) = words.next().and_then(|n| n.parse::<usize>().ok()) {
            let skip: usize = rest
                .split_whitespace()
                .take(n + 1)
                .map(|w| w.len() + 1)
                .sum();
            t = rest.get(skip..).unwrap_or_default().trim_start();
        }
    }
    t = t.strip_prefix("RUN ").unwrap_or(t);
    for p in [
        "/bin/sh -c ",
        "/bin/bash -c ",
        "cmd /S /C ",
        "powershell -Command ",
    ] {
        if let Some(r) = t.strip_prefix(p) {
            t = r;
        }
    }
    t = t.strip_prefix("#(nop) ").unwrap_or(t).trim();
    t.strip_suffix("# buildkit").unwrap_or(t).trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::strip_build_prefix;

    #[test]
    fn build_prefixes() {
        assert_eq!(
            strip_build_prefix("/bin/sh -c #(nop) ADD http://x /y"),
            "ADD http://x /y"
        );
        assert_eq!(
            strip_build_prefix("|2 A=1 B=2 /bin/sh -c curl x | sh"),
            "curl x | sh"
        );
        assert_eq!(
            strip_build_prefix("RUN /bin/sh -c apk add curl # buildkit"),
            "apk add curl"
        );
    }
}
