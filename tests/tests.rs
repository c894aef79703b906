//! One integration test binary; each module covers one area. Images are built
//! in code by `stowaway::fixture`, never downloaded.

mod util;

mod cli;
mod commands;
mod detection;
mod drift;
mod field_bugs;
mod gate;
mod hostile;
mod integrity;
mod interop;
#[cfg(feature = "registry")]
mod registry;
mod sources;
