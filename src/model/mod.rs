//! The vocabulary every stage speaks, importing nothing else of the crate
//! (stereoscope's `pkg/file` is the model): digest values, paths inside an
//! image, entries with their type and content kind, layer compression,
//! image identity and config, and the verdict. Stages compute these
//! values; they are defined here so that no stage has to import another one
//! sideways or upwards to name them.

mod digest;
mod entry;
mod image;
pub mod path;
mod verdict;

pub use digest::Sha256;
pub use entry::{Compression, ContentKind, Entry, EntryType};
pub use image::{HistoryStep, ImageConfig, ImageInfo, LayerInfo};
pub use path::ImagePath;
pub use verdict::Verdict;
