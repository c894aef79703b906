//! Analyzers state facts about a scanned image as findings. Each analyzer is
//! listed explicitly in [`run`]; the policy decides what the facts mean.

pub mod cache;
mod config;
mod layers;
mod packages;
mod tools;

use crate::finding::{Finding, LayerRef};
use crate::fs::ImageFs;
use crate::layer::LayerIndex;
use crate::limits::Limits;
use crate::model::ImageInfo;
use crate::packages::PackageDb;

/// Run every analyzer and return the findings, most severe first. `limits`
/// bounds the work (symlinks followed when resolving a command).
pub fn run(
    image: &ImageInfo,
    layer_indexes: &[LayerIndex],
    fs: &ImageFs,
    limits: &Limits,
    pkgs: &PackageDb,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    layers::walk_findings(image, layer_indexes, fs, &mut findings);
    layers::permissions(image, fs, &mut findings);
    layers::hidden_in_history(image, fs, &mut findings);
    tools::run(image, fs, &mut findings);
    config::run(image, fs, limits.max_link_depth, &mut findings);
    packages::run(image, fs, pkgs, &mut findings);
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.path.cmp(&b.path))
            .then_with(|| a.code.cmp(&b.code))
            .then_with(|| {
                a.layer
                    .as_ref()
                    .map(|l| l.index)
                    .cmp(&b.layer.as_ref().map(|l| l.index))
            })
    });
    findings
}

/// The report's reference to layer `index`.
pub fn layer_ref(image: &ImageInfo, index: usize) -> LayerRef {
    let l = image.layers.get(index);
    LayerRef {
        index,
        digest: l.and_then(|l| l.digest),
        created_by: l.and_then(|l| l.created_by.clone()),
    }
}
