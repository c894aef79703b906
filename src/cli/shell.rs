//! What the binary says about itself: `--version` with the enabled
//! capabilities and the catalogue it carries, `stowaway completions SHELL`
//! and `stowaway man`, both generated from the clap definitions.

use std::io::Write;
use std::str::FromStr;
use std::sync::LazyLock;

use anyhow::Context;
use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::{Cli, Verdict};

#[derive(Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, elvish or powershell.
    shell: Shell,
}

#[derive(Args)]
pub struct ManArgs {
    /// The command whose page to print (default: stowaway itself).
    command: Option<String>,
    /// Write every page (stowaway.1, stowaway-scan.1, …) into this directory instead.
    #[arg(long, value_name = "DIR", conflicts_with = "command")]
    dir: Option<std::path::PathBuf>,
}

/// `--version`: the version, then what this build can do and which
/// catalogue it carries.
pub fn long_version() -> &'static str {
    static TEXT: LazyLock<String> = LazyLock::new(|| {
        let on = |yes: bool| if yes { "yes" } else { "no (not built in)" };
        let registry = cfg!(feature = "registry");
        let mut stores = vec!["oci", "oci-archive", "docker-archive", "dir", "rootfs"];
        stores.push("containers-storage");
        if registry {
            stores.extend(["containerd", "docker-daemon"]);
        }
        let mut formats: Vec<&str> = ["table", "json", "sarif", "cyclonedx", "gitlab"]
            .into_iter()
            .filter(|f| stowaway::report::Format::from_str(f).is_ok())
            .collect();
        // `inventory` alone writes a CycloneDX BOM.
        formats.push("cyclonedx (inventory)");
        let tools = include_str!("../catalog/tools.toml")
            .matches("\n[[tool]]")
            .count();
        let rules = include_str!("../catalog/commands.toml")
            .matches("\n[[rule]]")
            .count();
        format!(
            "{}\nregistry:     {}\nserve:        {}\nlocal images: {}\nformats:      {}\ncatalogue:    {} tools, {} command rules (analyzers version {})",
            env!("CARGO_PKG_VERSION"),
            on(registry),
            on(cfg!(feature = "serve")),
            stores.join(", "),
            formats.join(", "),
            tools,
            rules,
            stowaway::layer::cache::analyzers_version()
        )
    });
    TEXT.as_str()
}

/// `stowaway completions SHELL`: the script on stdout.
pub fn completions(a: CompletionsArgs) -> anyhow::Result<Verdict> {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(a.shell, &mut cmd, "stowaway", &mut out);
    write_stdout(&out)
}

/// `stowaway man [COMMAND]`: one manual page (roff) on stdout, or
/// every page into `--dir`.
pub fn man(a: ManArgs) -> anyhow::Result<Verdict> {
    let mut cmd = Cli::command();
    cmd.build();
    if let Some(dir) = &a.dir {
        std::fs::create_dir_all(dir)
            .and_then(|()| clap_mangen::generate_to(cmd, dir))
            .with_context(|| format!("writing manual pages into {}", dir.display()))?;
        return Ok(Verdict::Pass);
    }
    let page = match &a.command {
        None => cmd,
        Some(name) => {
            let sub = cmd.find_subcommand(name).cloned().with_context(|| {
                format!("{name:?} is not a stowaway command (`stowaway --help` lists them)")
            })?;
            let full = format!("stowaway-{}", sub.get_name());
            sub.name(full)
        }
    };
    let mut out = Vec::new();
    clap_mangen::Man::new(page)
        .render(&mut out)
        .context("rendering the manual page")?;
    write_stdout(&out)
}

/// Write `bytes` to stdout; a pipe closed by its reader is not an error.
pub fn write_stdout(bytes: &[u8]) -> anyhow::Result<Verdict> {
    let mut o = std::io::stdout().lock();
    match o.write_all(bytes).and_then(|()| o.flush()) {
        Ok(()) => Ok(Verdict::Pass),
        // `stowaway man | head`: a closed pipe is the reader's choice.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(Verdict::Pass),
        Err(e) => Err(e).context("writing to stdout"),
    }
}
