//! Progress bars on stderr for scans run from a terminal — one for the
//! whole image and one per layer while it streams; nothing otherwise.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::Mutex;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The bars.
pub struct Bar {
    multi: MultiProgress,
    total: ProgressBar,
    layers: Mutex<HashMap<usize, ProgressBar>>,
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

impl Bar {
    /// Bars if stderr is a terminal.
    pub fn new() -> Option<Bar> {
        if !std::io::stderr().is_terminal() {
            return None;
        }
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let total = multi.add(ProgressBar::new(0));
        total.set_style(style(
            "{spinner} {msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}",
        ));
        Some(Bar {
            multi,
            total,
            layers: Mutex::new(HashMap::new()),
        })
    }

    /// Clear the bars.
    pub fn finish(self) {
        self.total.finish_and_clear();
        let _ = self.multi.clear();
    }
}

impl stowaway::scan::Progress for Bar {
    fn start(&self, layers: usize, bytes: u64) {
        self.total.set_length(bytes);
        self.total.set_message(format!("{layers} layers"));
    }
    fn layer_start(&self, index: usize, bytes: Option<u64>) {
        let b = self.multi.add(ProgressBar::new(bytes.unwrap_or(0)));
        b.set_style(style("  layer {msg:>3} [{bar:30}] {bytes}/{total_bytes}"));
        b.set_message(index.to_string());
        if let Ok(mut l) = self.layers.lock() {
            l.insert(index, b);
        }
    }
    fn advance(&self, index: usize, bytes: u64) {
        self.total.inc(bytes);
        if let Ok(l) = self.layers.lock()
            && let Some(b) = l.get(&index)
        {
            b.inc(bytes);
        }
    }
    fn layer_done(&self, index: usize) {
        if let Ok(mut l) = self.layers.lock()
            && let Some(b) = l.remove(&index)
        {
            b.finish_and_clear();
        }
    }
}
