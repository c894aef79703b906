//! Command-line definitions (clap), turned once into typed options, and one
//! file per subcommand. Subcommands return a [`Verdict`]; `main` alone maps
//! it to an exit code.

mod audit;
mod baseline;
mod config;
mod diff;
mod drift;
mod explain;
mod gate;
mod ignore;
mod images;
mod inventory;
mod progress;
mod scan;
#[cfg(feature = "serve")]
mod serve;
mod shell;
mod summary;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

use stowaway::Limits;
use stowaway::limits::Limit;
use stowaway::limits::parse_size;
use stowaway::source::PlatformSpec;

pub use stowaway::Verdict;

#[derive(Parser)]
#[command(name = "stowaway", version, long_version = shell::long_version(), about = "Find ingress tool transfer (T1105) in container images", long_about = None)]
pub struct Cli {
    /// Config file (default: ./stowaway.toml, else $XDG_CONFIG_HOME/stowaway/stowaway.toml,
    /// else /etc/stowaway/stowaway.toml). Its keys are flag names; flags and
    /// STOWAWAY_* variables win over it.
    #[arg(long, global = true, value_name = "FILE", env = "STOWAWAY_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List the image's files (squashed view) with sha256 and provenance.
    Inventory(inventory::InventoryArgs),
    /// Scan an image and report findings.
    Scan(scan::ScanArgs),
    /// Scan, compare with an approved baseline, apply a policy: pass or fail.
    Gate(gate::GateArgs),
    /// Approve images and manage the baseline store.
    Baseline(baseline::BaselineArgs),
    /// What changed between two images.
    Diff(diff::DiffArgs),
    /// What changed in a running container since it started from its image.
    Drift(drift::DriftArgs),
    /// Explain a finding code (or list them all).
    Explain(explain::ExplainArgs),
    /// Scan images as they are pushed: registry webhooks, Harbor adapter, alerts.
    #[cfg(feature = "serve")]
    Serve(serve::ServeArgs),
    /// List the images the local stores hold (containers-storage, containerd, Docker).
    Images(images::ImagesArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(shell::CompletionsArgs),
    /// Print the manual page (roff), e.g. `stowaway man | man -l -`.
    Man(shell::ManArgs),
    /// Audit what runs in a cluster: every distinct image digest scanned once, a verdict per workload.
    Audit(audit::AuditArgs),
}

impl Cli {
    /// The command line of this process, under the config file's settings
    /// and the `STOWAWAY_*` environment (see [`config`]). A usage error
    /// exits here (clap's exit code 2, like every error).
    pub fn load() -> anyhow::Result<Cli> {
        use clap::{CommandFactory, FromArgMatches};
        let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
        let file = config::find(&args)?;
        let settings = match &file {
            Some(f) => config::Settings::load(f)?,
            None => config::Settings::default(),
        };
        let cmd = config::apply(Cli::command(), &settings)?;
        let parsed = cmd
            .try_get_matches_from(args)
            .and_then(|m| Cli::from_arg_matches(&m));
        match parsed {
            Ok(cli) => Ok(cli),
            Err(e) => {
                if let (Some(f), false) = (&file, e.kind() == clap::error::ErrorKind::DisplayHelp) {
                    eprintln!(
                        "stowaway: note: settings from config file {} apply",
                        f.display()
                    );
                }
                e.exit()
            }
        }
    }

    /// Run the chosen command.
    pub fn run(self) -> anyhow::Result<Verdict> {
        let _ = &self.config; // read before parsing, by `load`
        match self.command {
            Command::Inventory(a) => inventory::run(a),
            Command::Scan(a) => scan::run(a),
            Command::Gate(a) => gate::run(a),
            Command::Baseline(a) => baseline::run(a),
            Command::Diff(a) => diff::run(a),
            Command::Drift(a) => drift::run(a),
            Command::Explain(a) => explain::run(a),
            #[cfg(feature = "serve")]
            Command::Serve(a) => serve::run(a),
            Command::Images(a) => images::run(a),
            Command::Completions(a) => shell::completions(a),
            Command::Man(a) => shell::man(a),
            Command::Audit(a) => audit::run(a),
        }
    }
}

/// The baseline database.
#[derive(Args, Clone)]
pub struct DbArgs {
    /// Baseline database (default: $STOWAWAY_DB, else ~/.local/share/stowaway/stowaway.db).
    #[arg(long, global = true)]
    pub db: Option<PathBuf>,
}

impl DbArgs {
    fn path(&self) -> PathBuf {
        self.db
            .clone()
            .unwrap_or_else(stowaway::baseline::default_path)
    }
    /// True when a database was named (flag or environment).
    pub fn given(&self) -> bool {
        self.db.is_some() || std::env::var_os("STOWAWAY_DB").is_some_and(|v| !v.is_empty())
    }
    /// Open (creating) the store.
    pub fn open(&self) -> anyhow::Result<stowaway::baseline::Store> {
        Ok(stowaway::baseline::Store::open(&self.path())?)
    }
    /// The database to use as a layer cache: the named one, or the default
    /// one if it already exists.
    pub fn cache_path(&self) -> Option<PathBuf> {
        let p = self.path();
        (self.given() || p.exists()).then_some(p)
    }

    /// Open the store only if its file exists.
    pub fn open_if_exists(&self) -> anyhow::Result<Option<stowaway::baseline::Store>> {
        let p = self.path();
        Ok(if p.exists() {
            Some(stowaway::baseline::Store::open(&p)?)
        } else {
            None
        })
    }
}

/// Scan limits from the command line; each one set here wins over the
/// policy's.
#[derive(Args, Clone, Default)]
pub struct LimitArgs {
    /// Maximum decompressed size of one layer (e.g. 64G).
    #[arg(long, value_parser = parse_size, value_name = "SIZE")]
    pub max_layer_size: Option<u64>,
    /// Maximum decompressed size of the whole image.
    #[arg(long, value_parser = parse_size, value_name = "SIZE")]
    pub max_image_size: Option<u64>,
    /// Maximum tar entries in one layer.
    #[arg(long, value_name = "N")]
    pub max_entries: Option<u64>,
    /// Maximum tar entries in all layers together.
    #[arg(long, value_name = "N")]
    pub max_image_entries: Option<u64>,
    /// Bytes of one file kept in memory for analysis.
    #[arg(long, value_parser = parse_size, value_name = "SIZE")]
    pub max_file_buffer: Option<u64>,
    /// Symlinks followed while resolving one path.
    #[arg(long, value_name = "N")]
    pub max_link_depth: Option<u32>,
    /// Maximum size of one JSON document (index, manifest, config).
    #[arg(long, value_parser = parse_size, value_name = "SIZE")]
    pub max_json_size: Option<u64>,
    /// Maximum length of one path inside the image.
    #[arg(long, value_name = "BYTES")]
    pub max_path_bytes: Option<usize>,
    /// Package database bytes kept per layer to read them (dpkg status and info files, apk installed, rpmdb.sqlite).
    #[arg(long, value_parser = parse_size, value_name = "SIZE")]
    pub max_package_db: Option<u64>,
}

impl LimitArgs {
    /// The limits set on the command line.
    pub fn settings(&self) -> Vec<(Limit, u64)> {
        [
            (Limit::LayerSize, self.max_layer_size),
            (Limit::ImageSize, self.max_image_size),
            (Limit::Entries, self.max_entries),
            (Limit::ImageEntries, self.max_image_entries),
            (Limit::FileBuffer, self.max_file_buffer),
            (Limit::LinkDepth, self.max_link_depth.map(u64::from)),
            (Limit::JsonSize, self.max_json_size),
            (Limit::PathBytes, self.max_path_bytes.map(|v| v as u64)),
            (Limit::PackageDb, self.max_package_db),
        ]
        .into_iter()
        .filter_map(|(limit, value)| Some((limit, value?)))
        .collect()
    }
}

/// Image selection and scan limits, shared by every command that reads an image.
#[derive(Args, Clone)]
pub struct ImageArgs {
    /// Image reference: oci:DIR[:TAG|@sha256:…], oci-archive:FILE[:TAG],
    /// docker-archive:FILE[:REPO:TAG], dir:DIR (skopeo's layout, or a root filesystem), rootfs:DIR, containers-storage:NAME[:TAG], containerd:NAME[:TAG], docker-daemon:NAME[:TAG].
    pub image: String,
    /// Platform to pick from a multi-platform index (os/arch[/variant]; default linux/amd64).
    #[arg(long)]
    pub platform: Option<PlatformSpec>,
    #[command(flatten)]
    pub limits: LimitArgs,
    /// Layers scanned at once.
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Do not use or fill the per-layer cache in the baseline database.
    #[arg(long)]
    pub no_cache: bool,
    /// Registry credentials USER:PASS (sent only to the image's registry;
    /// visible to `ps`: prefer --registry-username with --password-stdin or
    /// $STOWAWAY_REGISTRY_PASSWORD).
    #[arg(long, value_name = "USER:PASS", conflicts_with = "registry_username")]
    pub creds: Option<String>,
    /// Registry user name; the password comes from --password-stdin or $STOWAWAY_REGISTRY_PASSWORD.
    #[arg(long, value_name = "USER")]
    pub registry_username: Option<String>,
    /// Read the registry password from stdin (first line).
    #[arg(long, requires = "registry_username")]
    pub password_stdin: bool,
    /// The repository this image is filed under (baseline `auto`,
    /// approvals, policy `image` patterns); default: from the reference
    /// (an OCI layout's directory name, a rootfs directory's name).
    #[arg(long, value_name = "NAME")]
    pub repository: Option<String>,
    /// No progress bar, notes or summary on stderr (errors still are).
    #[arg(long, short)]
    pub quiet: bool,
    /// A bearer token for the image's registry.
    #[arg(long, value_name = "TOKEN")]
    pub registry_token: Option<String>,
    /// Reach this registry (HOST[:PORT]) over plain HTTP; loopback registries always are.
    #[arg(long, value_name = "HOST")]
    pub insecure_registry: Vec<String>,
    /// Registry: seconds without a byte before a request is abandoned as stalled.
    #[arg(long, value_name = "SECS")]
    pub registry_stall_timeout: Option<u64>,
    /// Registry: seconds all of one image's registry traffic may take.
    #[arg(long, value_name = "SECS")]
    pub registry_deadline: Option<u64>,
    /// containers-storage root for containers-storage:NAME (default /var/lib/containers/storage,
    /// rootless $XDG_DATA_HOME/containers/storage).
    #[arg(long, value_name = "DIR")]
    pub storage_root: Option<PathBuf>,
    /// containerd's socket for containerd:NAME (default /run/containerd/containerd.sock).
    #[arg(long, value_name = "SOCKET")]
    pub containerd_address: Option<PathBuf>,
    /// containerd namespace for containerd:NAME (default k8s.io).
    #[arg(long, value_name = "NS")]
    pub containerd_namespace: Option<String>,
    /// Read docker-daemon:sha256:ID from this Docker root and driver without
    /// the daemon (set by drift for a host under --host-root).
    #[arg(skip)]
    pub docker_root: Option<(PathBuf, String)>,
}

/// Everything one scan needs, built once from the flags, the command's
/// policy (whose limits apply under the flags) and its store (whose layer
/// cache is used unless `--no-cache`).
pub struct ScanConfig {
    image: String,
    platform: Option<PlatformSpec>,
    /// Defaults, then the policy's limits, then the flags.
    pub limits: Limits,
    registry: stowaway::source::RegistryOptions,
    cache_db: Option<PathBuf>,
    repository: Option<String>,
    /// `--quiet`: nothing on stderr but errors.
    pub quiet: bool,
}

impl ImageArgs {
    /// Arguments for `reference` with every flag at its default.
    pub fn for_reference(reference: &str) -> ImageArgs {
        ImageArgs {
            image: reference.to_string(),
            platform: None,
            limits: LimitArgs::default(),
            jobs: None,
            no_cache: false,
            creds: None,
            registry_token: None,
            insecure_registry: Vec::new(),
            registry_stall_timeout: None,
            registry_deadline: None,
            storage_root: None,
            containerd_address: None,
            containerd_namespace: None,
            docker_root: None,
            registry_username: None,
            password_stdin: false,
            repository: None,
            quiet: false,
        }
    }

    /// The scan these flags ask for, under `policy`'s limits, with the
    /// layer cache of `cache_db`.
    pub fn config(
        &self,
        policy: Option<&stowaway::policy::Policy>,
        cache_db: Option<PathBuf>,
    ) -> anyhow::Result<ScanConfig> {
        let policy_limits = policy.map(|p| p.limit_settings()).unwrap_or_default();
        let mut limits = Limits::default()
            .with(policy_limits)
            .with(&self.limits.settings());
        if let Some(v) = self.jobs {
            limits.parallel_layers = v.max(1);
        }
        Ok(ScanConfig {
            image: self.image.clone(),
            platform: self.platform.clone(),
            limits,
            registry: self.registry_options()?,
            cache_db: cache_db.filter(|_| !self.no_cache),
            repository: self.repository.clone(),
            quiet: self.quiet,
        })
    }

    /// Registry access from the flags.
    fn registry_options(&self) -> anyhow::Result<stowaway::source::RegistryOptions> {
        let creds = match (&self.creds, &self.registry_username) {
            (Some(c), _) => {
                let (u, p) = c
                    .split_once(':')
                    .ok_or_else(|| anyhow::anyhow!("--creds takes USER:PASS"))?;
                Some((u.to_string(), p.to_string()))
            }
            (None, Some(user)) => Some((user.clone(), self.password()?)),
            (None, None) => None,
        };
        Ok(stowaway::source::RegistryOptions {
            creds,
            token: self.registry_token.clone(),
            insecure: self.insecure_registry.clone(),
            stall_timeout: self
                .registry_stall_timeout
                .map(|s| std::time::Duration::from_secs(s.max(1))),
            deadline: self
                .registry_deadline
                .map(|s| std::time::Duration::from_secs(s.max(1))),
            local: stowaway::source::LocalStores {
                storage_root: self.storage_root.clone(),
                containerd_address: self.containerd_address.clone(),
                containerd_namespace: self.containerd_namespace.clone(),
                docker_root: self.docker_root.clone(),
            },
        })
    }
}

impl ImageArgs {
    /// The password of `--registry-username`: the first line of stdin with
    /// `--password-stdin`, else `$STOWAWAY_REGISTRY_PASSWORD`.
    fn password(&self) -> anyhow::Result<String> {
        if self.password_stdin {
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .context("reading the registry password from stdin")?;
            let p = line.trim_end_matches(['\n', '\r']).to_string();
            anyhow::ensure!(!p.is_empty(), "--password-stdin: stdin holds no password");
            return Ok(p);
        }
        match std::env::var("STOWAWAY_REGISTRY_PASSWORD") {
            Ok(p) if !p.is_empty() => Ok(p),
            _ => anyhow::bail!(
                "--registry-username needs a password: --password-stdin or $STOWAWAY_REGISTRY_PASSWORD"
            ),
        }
    }
}

impl ScanConfig {
    /// Run the scan with a progress bar when stderr is a terminal (and not
    /// `--quiet`).
    pub fn scan(&self) -> anyhow::Result<stowaway::Scan> {
        let bar = progress::Bar::new().filter(|_| !self.quiet);
        let result = self.scan_with(bar.as_ref().map(|b| b as &dyn stowaway::scan::Progress));
        if let Some(b) = bar {
            b.finish();
        }
        let mut scan = result?;
        if self.repository.is_some() {
            scan.image.repository = self.repository.clone();
        }
        if self.image.starts_with("dir:") && scan.image.digest.is_none() {
            self.note(&format!(
                "{} is not skopeo's directory layout: read as a root filesystem \
                 (write rootfs:DIR to say so)",
                self.image
            ));
        }
        Ok(scan)
    }

    /// Run the scan, telling `progress` (no bars of its own).
    pub fn scan_with(
        &self,
        progress: Option<&dyn stowaway::scan::Progress>,
    ) -> anyhow::Result<stowaway::Scan> {
        let cache = match &self.cache_db {
            Some(db) => Some(stowaway::baseline::SharedCache(std::sync::Mutex::new(
                stowaway::baseline::Store::open(db)?,
            ))),
            None => None,
        };
        self.scan_cached(
            progress,
            cache
                .as_ref()
                .map(|c| c as &dyn stowaway::layer::cache::LayerCache),
        )
    }

    /// Run the scan with `cache`, a store the caller already holds, as its
    /// layer cache (not opening one of its own); no cache under `--no-cache`.
    pub fn scan_cached(
        &self,
        progress: Option<&dyn stowaway::scan::Progress>,
        cache: Option<&dyn stowaway::layer::cache::LayerCache>,
    ) -> anyhow::Result<stowaway::Scan> {
        let opts = stowaway::ScanOptions {
            platform: self.platform.clone(),
            limits: self.limits.clone(),
            progress,
            cache: cache.filter(|_| self.cache_db.is_some()),
            registry: self.registry.clone(),
        };
        Ok(stowaway::scan(&self.image, &opts)?)
    }

    /// A note on stderr, unless `--quiet`.
    pub fn note(&self, text: &str) {
        if !self.quiet {
            eprintln!("stowaway: note: {text}");
        }
    }
}

/// What to say when `--baseline` found no approved image: which repository
/// was looked for, and which ones the store has (a local layout's
/// repository is its directory's name, which often differs).
pub fn no_baseline_note(
    store: &stowaway::baseline::Store,
    choice: &stowaway::gate::BaselineChoice,
    facts: &stowaway::facts::ImageFacts,
) -> String {
    let mut repos: Vec<String> = store
        .list()
        .unwrap_or_default()
        .into_iter()
        .filter_map(|a| a.image.repository)
        .collect();
    repos.sort();
    repos.dedup();
    let known = if repos.is_empty() {
        format!("{} has no approved images", store.path().display())
    } else {
        format!(
            "approved repositories in {}: {}",
            store.path().display(),
            repos.join(", ")
        )
    };
    let looked_for = match (choice, &facts.image.repository) {
        (stowaway::gate::BaselineChoice::Named(n), _) => format!("no approved image {n:?}"),
        (_, Some(r)) => format!("no approved image of repository {r:?}"),
        (_, None) => "the image's reference names no repository".to_string(),
    };
    format!(
        "--baseline: {looked_for}; every finding is new ({known}; \
         --repository NAME files a local image under NAME)"
    )
}

/// Write `text` to `output` or stdout. A file is replaced atomically: the
/// text goes to a temporary file in the same directory, is synced, and is
/// renamed over the old one, so a full disk or a crash leaves the previous
/// report whole. An SQLite database (the baseline store) is never
/// overwritten; a FIFO or device is written in place.
pub fn emit(text: &str, output: Option<&PathBuf>) -> anyhow::Result<()> {
    emit_with(output, |w| w.write_all(text.as_bytes()))
}

/// Write a JSON document (pretty, final newline) to `--output` or stdout,
/// serialized straight to the file: no text of the whole document is built.
pub fn emit_json<T: serde::Serialize + ?Sized>(
    doc: &T,
    output: Option<&PathBuf>,
) -> anyhow::Result<()> {
    emit_with(output, |w| {
        stowaway::report::model::write_json(std::io::BufWriter::with_capacity(1 << 16, w), doc)
    })
}

/// Run `write` on `--output` (replaced atomically) or on stdout.
fn emit_with(
    output: Option<&PathBuf>,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    match output {
        Some(p) => write_atomically(p, write),
        None => {
            let mut out = std::io::stdout().lock();
            write(&mut out).context("writing to stdout")
        }
    }
}

fn write_atomically(
    p: &std::path::Path,
    write_body: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    use std::io::Read;
    let existing = std::fs::metadata(p).ok();
    if let Some(m) = &existing {
        if !m.is_file() {
            // A FIFO or a device (/dev/stdout): written in place.
            return std::fs::OpenOptions::new()
                .write(true)
                .open(p)
                .and_then(|mut f| write_body(&mut f))
                .with_context(|| format!("writing {}", p.display()));
        }
        let mut head = [0u8; 16];
        let n = std::fs::File::open(p)
            .and_then(|mut f| f.read(&mut head))
            .unwrap_or(0);
        if &head[..n] == b"SQLite format 3\0" {
            anyhow::bail!(
                "refusing to write the report over {}: it is an SQLite database (the baseline store?)",
                p.display()
            );
        }
    }
    let dir = match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = p
        .file_name()
        .ok_or_else(|| anyhow::anyhow!("--output {} names no file", p.display()))?;
    let tmp = dir.join(format!(
        ".{}.stowaway-{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        write_body(&mut f)?;
        f.sync_all()?;
        if let Some(m) = &existing {
            f.set_permissions(m.permissions())?;
        }
        std::fs::rename(&tmp, p)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        anyhow::Error::new(e).context(format!("writing {}", p.display()))
    })
}

/// Colour only for a terminal, and never when NO_COLOR is set.
pub fn use_color(output: Option<&PathBuf>) -> bool {
    output.is_none() && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The image arguments, as every command that reads an image has them.
    #[derive(Parser)]
    struct Image {
        #[command(flatten)]
        image: ImageArgs,
    }

    /// The whole command tree is valid for clap (no clashing short flags,
    /// e.g. `-q`), also with every flag given its `STOWAWAY_*` variable.
    #[test]
    fn command_tree_is_valid_with_env_for_every_flag() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
        let cmd = config::apply(Cli::command(), &config::Settings::default()).unwrap();
        cmd.clone().debug_assert();
        let scan = cmd.find_subcommand("scan").unwrap();
        let fail_on = scan
            .get_arguments()
            .find(|a| a.get_long() == Some("fail-on"))
            .unwrap();
        assert_eq!(
            fail_on.get_env(),
            Some(std::ffi::OsStr::new("STOWAWAY_FAIL_ON"))
        );
    }

    /// The shipped example config file is valid: every key is a flag of the
    /// commands it is given for, and its values parse.
    #[test]
    fn the_example_config_file_applies() {
        use clap::FromArgMatches;
        let text = include_str!("../../examples/stowaway.toml");
        let settings = config::Settings::parse(text, "examples/stowaway.toml").unwrap();
        let cmd = config::apply(<Cli as clap::CommandFactory>::command(), &settings).unwrap();
        let m = cmd
            .clone()
            .try_get_matches_from(["stowaway", "scan", "oci:x"])
            .unwrap();
        let Command::Scan(scan) = Cli::from_arg_matches(&m).unwrap().command else {
            panic!("not scan")
        };
        assert_eq!(scan.severity_list().len(), 3);
        assert_eq!(
            scan.image
                .config(None, None)
                .unwrap()
                .limits
                .get(Limit::LayerSize),
            16 << 30
        );
        let m = cmd
            .try_get_matches_from(["stowaway", "baseline", "approve", "oci:x"])
            .unwrap();
        assert!(Cli::from_arg_matches(&m).is_ok());
    }

    /// Every limit's flag (as [`Limit::flag`] names it) is an image
    /// argument, and it sets that limit over the policy's.
    #[test]
    fn every_limit_flag_sets_its_limit_over_the_policy() {
        let mut args = vec!["stowaway".to_string(), "oci:x".into()];
        for (n, limit) in Limit::ALL.into_iter().enumerate() {
            args.extend([limit.flag().to_string(), (100 + n).to_string()]);
        }
        let scan = Image::try_parse_from(&args).unwrap_or_else(|e| panic!("{e}"));
        let text = Limit::ALL
            .iter()
            .map(|l| format!("{} = 7\n", l.key()))
            .collect::<String>();
        let policy =
            stowaway::policy::Policy::parse(&format!("[limits]\n{text}"), "p.toml", "2026-01-01")
                .unwrap();
        let config = scan.image.config(Some(&policy), None).unwrap();
        for (n, limit) in Limit::ALL.into_iter().enumerate() {
            assert_eq!(config.limits.get(limit), 100 + n as u64, "{limit}");
        }
        let policy_only = ImageArgs::for_reference("oci:x")
            .config(Some(&policy), None)
            .unwrap();
        for limit in Limit::ALL {
            assert_eq!(policy_only.limits.get(limit), 7, "{limit}");
        }
    }
}
