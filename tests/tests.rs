//! One integration test binary; each module covers one area. Images are built
//! in code by `stowaway::fixture`, never downloaded.

mod util;

mod architecture;
#[cfg(feature = "registry")]
mod audit;
#[cfg(all(feature = "kubernetes", feature = "serve"))]
mod audit_api;
mod cli;
mod commands;
mod control;
mod detection;
mod drift;
mod fail_closed;
mod field_bugs;
mod fuzz;
mod gate;
mod hardening;
mod hostile;
mod integrity;
mod interop;
mod local_stores;
mod outputs;
mod packages;
mod prefilter;
#[cfg(feature = "registry")]
mod registry;
#[cfg(feature = "registry")]
mod registry_hostile;
mod scale;
mod schemas;
#[cfg(feature = "serve")]
mod serve;
mod sources;
