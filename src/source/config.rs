//! Parsing the image configuration with `oci-spec`, plus the Docker
//! extensions it does not model (Healthcheck), into the [`ImageConfig`] the
//! scan uses (a vocabulary type, defined in `model`).

use oci_spec::image::ImageConfiguration;
use serde::Deserialize;

use crate::digest::Sha256;
use crate::error::{Error, Result};
pub use crate::model::{HistoryStep, ImageConfig};

#[derive(Deserialize, Default)]
struct DockerExt {
    #[serde(default)]
    config: Option<DockerExtConfig>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct DockerExtConfig {
    #[serde(default)]
    healthcheck: Option<Healthcheck>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct Healthcheck {
    #[serde(default)]
    test: Option<Vec<String>>,
}

/// Parsing (the config itself is vocabulary).
impl ImageConfig {
    /// Parse config JSON. `location` names the blob for errors.
    pub fn parse(bytes: &[u8], location: &str) -> Result<ImageConfig> {
        let bad = |reason: String| Error::Document {
            what: "image config",
            location: location.to_string(),
            reason,
        };
        super::json::check_keys(bytes, "image config", location)?;
        let cfg = ImageConfiguration::from_reader(bytes).map_err(|e| bad(e.to_string()))?;
        let ext: DockerExt = serde_json::from_slice(bytes).unwrap_or_default();
        let mut diff_ids = Vec::new();
        for (i, d) in cfg.rootfs().diff_ids().iter().enumerate() {
            diff_ids.push(
                d.parse::<Sha256>()
                    .map_err(|e| bad(format!("rootfs.diff_ids[{i}]: {e}")))?,
            );
        }
        let c = cfg.config().clone().unwrap_or_default();
        let history = cfg
            .history()
            .clone()
            .unwrap_or_default()
            .into_iter()
            .map(|h| HistoryStep {
                created_by: h.created_by().clone(),
                created: h.created().clone(),
                comment: h.comment().clone(),
                empty_layer: h.empty_layer().unwrap_or(false),
            })
            .collect();
        Ok(ImageConfig {
            os: cfg.os().to_string(),
            architecture: cfg.architecture().to_string(),
            variant: cfg.variant().clone(),
            user: c.user().clone().filter(|u| !u.is_empty()),
            entrypoint: c.entrypoint().clone().unwrap_or_default(),
            cmd: c.cmd().clone().unwrap_or_default(),
            env: c.env().clone().unwrap_or_default(),
            working_dir: c.working_dir().clone().filter(|w| !w.is_empty()),
            labels: c.labels().clone().unwrap_or_default().into_iter().collect(),
            exposed_ports: {
                let mut p = c.exposed_ports().clone().unwrap_or_default();
                p.sort();
                p
            },
            healthcheck: ext.config.and_then(|c| c.healthcheck).and_then(|h| h.test),
            diff_ids,
            history,
        })
    }
}
