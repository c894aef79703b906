//! What an image is, for every stage after the source: its identity
//! (reference, transport, digests, platform), its layers (digest, diff_id,
//! media type, compression, sizes, the history step that made each) and the
//! parts of its config the scan uses.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Compression, Sha256};

/// One history step.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct HistoryStep {
    pub created_by: Option<String>,
    pub created: Option<String>,
    pub comment: Option<String>,
    pub empty_layer: bool,
}

/// What the scan needs from the image config.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq, JsonSchema)]
#[schemars(deny_unknown_fields)]
#[serde(default)]
pub struct ImageConfig {
    pub os: String,
    pub architecture: String,
    pub variant: Option<String>,
    pub user: Option<String>,
    pub entrypoint: Vec<String>,
    pub cmd: Vec<String>,
    pub env: Vec<String>,
    pub working_dir: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub exposed_ports: Vec<String>,
    pub healthcheck: Option<Vec<String>>,
    #[serde(skip)]
    pub diff_ids: Vec<Sha256>,
    #[serde(skip)]
    pub history: Vec<HistoryStep>,
}

impl ImageConfig {
    /// The `created_by` of each layer: history steps with `empty_layer`
    /// skipped, matched to layers in order.
    pub fn layer_steps(&self, layers: usize) -> Vec<Option<String>> {
        let mut steps: Vec<Option<String>> = self
            .history
            .iter()
            .filter(|h| !h.empty_layer)
            .map(|h| h.created_by.clone())
            .collect();
        steps.resize(layers, None);
        steps.truncate(layers);
        steps
    }

    /// `os/arch[/variant]`.
    pub fn platform(&self) -> String {
        match &self.variant {
            Some(v) => format!("{}/{}/{v}", self.os, self.architecture),
            None => format!("{}/{}", self.os, self.architecture),
        }
    }
}

/// Facts about one layer, for reports.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct LayerInfo {
    pub index: usize,
    pub digest: Option<Sha256>,
    pub diff_id: Option<Sha256>,
    pub media_type: Option<String>,
    pub compression: Option<Compression>,
    pub size: u64,
    pub uncompressed_size: u64,
    pub created_by: Option<String>,
}

impl LayerInfo {
    /// A layer that has no blob (an approved image's layer, a container's
    /// writable layer), described by what made it.
    pub fn synthetic(index: usize, created_by: String) -> LayerInfo {
        LayerInfo {
            index,
            digest: None,
            diff_id: None,
            media_type: None,
            compression: None,
            size: 0,
            uncompressed_size: 0,
            created_by: Some(created_by),
        }
    }
}

/// Facts about the image, for reports.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ImageInfo {
    pub reference: String,
    pub transport: &'static str,
    pub digest: Option<Sha256>,
    pub config_digest: Option<Sha256>,
    pub platform: Option<String>,
    pub layers: Vec<LayerInfo>,
    pub config: ImageConfig,
    /// The repository the image is filed under, when the user named it
    /// (`--repository`); else it comes from the reference.
    #[serde(skip)]
    #[schemars(skip)]
    pub repository: Option<String>,
}
