//! A progress bar on stderr for scans run from a terminal; nothing otherwise.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The bar.
pub struct Bar(ProgressBar);

impl Bar {
    /// A bar if stderr is a terminal.
    pub fn new() -> Option<Bar> {
        if !std::io::stderr().is_terminal() {
            return None;
        }
        let pb = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        pb.set_style(
            ProgressStyle::with_template(
                "{spinner} {msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        Some(Bar(pb))
    }

    /// Clear the bar.
    pub fn finish(self) {
        self.0.finish_and_clear();
    }
}

impl stowaway::scan::Progress for Bar {
    fn start(&self, layers: usize, bytes: u64) {
        self.0.set_length(bytes);
        self.0.set_message(format!("scanning {layers} layers"));
    }
    fn advance(&self, bytes: u64) {
        self.0.inc(bytes);
    }
    fn layer_done(&self, index: usize) {
        self.0.set_message(format!("layer {index} done"));
    }
}
