//! Where a flag's value comes from, in this order: the command line, its
//! `STOWAWAY_*` environment variable (every long flag has one: `--fail-on`
//! is `STOWAWAY_FAIL_ON`), the config file, the built-in default.
//!
//! The config file is `--config FILE` (or `$STOWAWAY_CONFIG`), else the
//! first of `./stowaway.toml`, `$XDG_CONFIG_HOME/stowaway/stowaway.toml`
//! (`~/.config/…`), `/etc/stowaway/stowaway.toml`. Its keys are long flag
//! names (`fail-on` or `fail_on`): top-level keys apply to every command
//! that has the flag, a table named after a command (`[scan]`, `[gate]`,
//! `[baseline.approve]`) to that command only. A key no command knows is an
//! error naming the file and the key. The config file's values become the
//! flags' defaults, so the environment and the command line still win.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::builder::BoolishValueParser;
use clap::{Arg, ArgAction, Command};

/// The file name looked for in the usual places.
pub const FILE_NAME: &str = "stowaway.toml";

/// The config file this run uses, if any: `--config FILE` from `args`, else
/// `$STOWAWAY_CONFIG`, else the first file found in the usual places.
pub fn find(args: &[OsString]) -> anyhow::Result<Option<PathBuf>> {
    if let Some(p) = named_in_args(args)
        .or_else(|| std::env::var_os("STOWAWAY_CONFIG").filter(|v| !v.is_empty()))
    {
        let p = PathBuf::from(p);
        if !p.is_file() {
            bail!("config file {}: no such file", p.display());
        }
        return Ok(Some(p));
    }
    let config_home = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")));
    let candidates = [
        Some(PathBuf::from(FILE_NAME)),
        config_home.map(|c| c.join("stowaway").join(FILE_NAME)),
        Some(PathBuf::from("/etc/stowaway").join(FILE_NAME)),
    ];
    Ok(candidates.into_iter().flatten().find(|p| p.is_file()))
}

/// `--config FILE` or `--config=FILE` among the raw arguments.
fn named_in_args(args: &[OsString]) -> Option<OsString> {
    let mut it = args.iter().skip(1);
    while let Some(a) = it.next() {
        if a == "--" {
            return None;
        }
        if a == "--config" {
            return it.next().cloned();
        }
        if let Some(v) = a.to_str().and_then(|s| s.strip_prefix("--config=")) {
            return Some(v.into());
        }
    }
    None
}

/// A config file's settings: flag name → value, per command path
/// (`""` for the top level, `"scan"`, `"baseline approve"`).
#[derive(Default, Debug)]
pub struct Settings {
    file: String,
    values: BTreeMap<String, BTreeMap<String, toml::Value>>,
}

impl Settings {
    /// Read `path`; the keys are checked against `cmd` by [`apply`].
    pub fn load(path: &Path) -> anyhow::Result<Settings> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading config file {}", path.display()))?;
        Settings::parse(&text, &path.display().to_string())
    }

    /// Parse config text from `file`.
    pub fn parse(text: &str, file: &str) -> anyhow::Result<Settings> {
        let table: toml::Table = text
            .parse()
            .with_context(|| format!("config file {file}"))?;
        let mut s = Settings {
            file: file.to_string(),
            values: BTreeMap::new(),
        };
        s.collect("", table);
        Ok(s)
    }

    fn collect(&mut self, path: &str, table: toml::Table) {
        for (key, value) in table {
            let key = key.replace('_', "-");
            match value {
                toml::Value::Table(t) => {
                    let sub = if path.is_empty() {
                        key
                    } else {
                        format!("{path} {key}")
                    };
                    // An empty section still has to name a command.
                    self.values.entry(sub.clone()).or_default();
                    self.collect(&sub, t);
                }
                v => {
                    self.values
                        .entry(path.to_string())
                        .or_default()
                        .insert(key, v);
                }
            }
        }
    }
}

/// Give every long flag of `cmd` (and of its subcommands) its `STOWAWAY_*`
/// variable, and the value `settings` has for it as its default. Fails on
/// a key or a section no command has.
pub fn apply(cmd: Command, settings: &Settings) -> anyhow::Result<Command> {
    let mut used: BTreeMap<(String, String), bool> = settings
        .values
        .iter()
        .flat_map(|(section, keys)| keys.keys().map(|k| ((section.clone(), k.clone()), false)))
        .collect();
    let mut sections: Vec<String> = Vec::new();
    let cmd = walk(cmd, "", settings, &mut used, &mut sections)?;
    for section in settings.values.keys() {
        if !section.is_empty() && !sections.contains(section) {
            bail!(
                "config file {}: [{section}] is not a stowaway command",
                settings.file
            );
        }
    }
    if let Some(((section, key), _)) = used.iter().find(|(_, u)| !**u) {
        let place = if section.is_empty() {
            String::new()
        } else {
            format!("[{section}] ")
        };
        bail!(
            "config file {}: {place}{key} is not a flag of {}",
            settings.file,
            if section.is_empty() {
                "any command"
            } else {
                "that command"
            }
        );
    }
    Ok(cmd)
}

fn walk(
    mut cmd: Command,
    path: &str,
    settings: &Settings,
    used: &mut BTreeMap<(String, String), bool>,
    sections: &mut Vec<String>,
) -> anyhow::Result<Command> {
    sections.push(path.to_string());
    let longs: Vec<(clap::Id, String)> = cmd
        .get_arguments()
        .filter_map(|a| Some((a.get_id().clone(), a.get_long()?.to_string())))
        .filter(|(_, long)| !matches!(long.as_str(), "help" | "version" | "config"))
        .collect();
    for (id, long) in longs {
        // The command's own section wins over the top level.
        let value = [path, ""]
            .into_iter()
            .find_map(|section| {
                let key = (section.to_string(), long.clone());
                let v = settings.values.get(section)?.get(&long)?;
                used.insert(key, true);
                Some(v.clone())
            })
            .map(|v| config_values(&v, &long, &settings.file))
            .transpose()?;
        cmd = cmd.mut_arg(id, |a| configure(a, &long, value));
    }
    let subs: Vec<String> = cmd
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect();
    for name in subs {
        let sub_path = if path.is_empty() {
            name.clone()
        } else {
            format!("{path} {name}")
        };
        let sub = cmd
            .find_subcommand(&name)
            .cloned()
            .expect("listed subcommand");
        let sub = walk(sub, &sub_path, settings, used, sections)?;
        cmd = cmd.mut_subcommand(&name, |_| sub);
    }
    Ok(cmd)
}

/// The environment variable of a long flag: `--fail-on` → `STOWAWAY_FAIL_ON`.
pub fn env_name(long: &str) -> String {
    format!("STOWAWAY_{}", long.to_uppercase().replace('-', "_"))
}

fn configure(mut a: Arg, long: &str, value: Option<Vec<String>>) -> Arg {
    if a.get_env().is_none() {
        a = a.env(env_name(long));
    }
    // `--help` names the variable but never prints its value
    // (STOWAWAY_CREDS, STOWAWAY_REGISTRY_TOKEN hold secrets).
    a = a.hide_env_values(true);
    if value.is_some() && matches!(long, "creds" | "registry-token") {
        a = a.hide_default_value(true);
    }
    if matches!(a.get_action(), ArgAction::SetTrue | ArgAction::SetFalse) {
        // `STOWAWAY_QUIET=1` as well as `=true`.
        a = a.value_parser(BoolishValueParser::new());
    }
    match value {
        Some(v) if v.len() == 1 => a.default_value(v[0].clone()),
        Some(v) => a.default_values(v),
        None => a,
    }
}

/// A config value as the flag's text values.
fn config_values(v: &toml::Value, key: &str, file: &str) -> anyhow::Result<Vec<String>> {
    let one = |v: &toml::Value| -> anyhow::Result<String> {
        Ok(match v {
            toml::Value::String(s) => s.clone(),
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Float(f) => f.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            _ => bail!("config file {file}: {key} takes a string, number or boolean"),
        })
    };
    match v {
        toml::Value::Array(items) if !items.is_empty() => items.iter().map(one).collect(),
        toml::Value::Array(_) => bail!("config file {file}: {key} is an empty list"),
        v => Ok(vec![one(v)?]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser, Debug)]
    struct T {
        #[arg(long, default_value = "high")]
        fail_on: String,
        #[arg(long)]
        quiet: bool,
        #[arg(long, value_delimiter = ',')]
        severity: Vec<String>,
    }

    fn parse(config: &str, args: &[&str]) -> anyhow::Result<T> {
        use clap::{CommandFactory, FromArgMatches};
        let s = Settings::parse(config, "t.toml")?;
        let cmd = apply(T::command(), &s)?;
        let m = cmd.try_get_matches_from(args)?;
        Ok(T::from_arg_matches(&m)?)
    }

    #[test]
    fn config_values_are_defaults_under_the_flags() {
        let t = parse(
            "fail_on = \"low\"\nquiet = true\nseverity = [\"high\", \"critical\"]",
            &["t"],
        )
        .unwrap();
        assert_eq!(t.fail_on, "low");
        assert!(t.quiet);
        assert_eq!(t.severity, ["high", "critical"]);
        let t = parse("fail-on = \"low\"", &["t", "--fail-on", "medium"]).unwrap();
        assert_eq!(t.fail_on, "medium");
        let t = parse("", &["t"]).unwrap();
        assert_eq!(t.fail_on, "high");
    }

    #[test]
    fn unknown_keys_and_sections_are_errors_naming_them() {
        let e = parse("fail_onn = \"low\"", &["t"]).unwrap_err().to_string();
        assert!(e.contains("t.toml") && e.contains("fail-onn"), "{e}");
        let e = parse("[nosuch]\nquiet = true", &["t"])
            .unwrap_err()
            .to_string();
        assert!(e.contains("[nosuch]"), "{e}");
        let e = parse("fail_on = {a = 1}", &["t"]);
        assert!(e.is_err());
    }

    #[test]
    fn config_flag_is_found_in_raw_args() {
        let a = |v: &[&str]| v.iter().map(OsString::from).collect::<Vec<_>>();
        assert_eq!(
            named_in_args(&a(&["s", "scan", "--config", "x.toml", "img"])),
            Some("x.toml".into())
        );
        assert_eq!(
            named_in_args(&a(&["s", "--config=y.toml"])),
            Some("y.toml".into())
        );
        assert_eq!(named_in_args(&a(&["s", "scan", "--", "--config"])), None);
    }
}
