//! The server's counters and histograms, rendered as Prometheus text. Job
//! states and verdicts are read from the store at scrape time (they survive
//! restarts); the rest counts what this process did.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Bucket bounds in seconds: milliseconds for the accept path, up to half
/// an hour for scans.
const BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.25, 1.0, 5.0, 15.0, 60.0, 300.0, 1800.0,
];

/// A cumulative histogram with fixed buckets (seconds).
#[derive(Default)]
pub struct Histogram {
    inner: Mutex<(Vec<u64>, u64, f64)>,
}

impl Histogram {
    /// Record one observation.
    pub fn observe(&self, secs: f64) {
        let Ok(mut h) = self.inner.lock() else { return };
        if h.0.is_empty() {
            h.0 = vec![0; BUCKETS.len()];
        }
        for (i, b) in BUCKETS.iter().enumerate() {
            if secs <= *b {
                h.0[i] += 1;
            }
        }
        h.1 += 1;
        h.2 += secs;
    }

    fn render(&self, out: &mut String, name: &str, help: &str) {
        let Ok(h) = self.inner.lock() else { return };
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} histogram");
        for (i, b) in BUCKETS.iter().enumerate() {
            let n = h.0.get(i).copied().unwrap_or(0);
            let _ = writeln!(out, "{name}_bucket{{le=\"{b}\"}} {n}");
        }
        let _ = writeln!(
            out,
            "{name}_bucket{{le=\"+Inf\"}} {}\n{name}_sum {}\n{name}_count {}",
            h.1, h.2, h.1
        );
    }
}

/// Everything counted.
#[derive(Default)]
pub struct Metrics {
    pub events_ignored: Mutex<BTreeMap<&'static str, u64>>,
    pub events_accepted: AtomicU64,
    pub requests_rejected: Mutex<BTreeMap<u16, u64>>,
    pub registry_errors: Mutex<BTreeMap<&'static str, u64>>,
    pub cache_hits: AtomicU64,
    pub cache_misses: AtomicU64,
    pub alerts_delivered: AtomicU64,
    pub alert_failures: AtomicU64,
    pub scan_seconds: Histogram,
    pub queue_wait_seconds: Histogram,
    /// From handing a request's jobs to the store writer to their commit.
    pub accept_commit_seconds: Histogram,
}

/// Add one to a labelled counter.
pub fn bump<K: Ord>(m: &Mutex<BTreeMap<K, u64>>, k: K) {
    if let Ok(mut m) = m.lock() {
        *m.entry(k).or_default() += 1;
    }
}

impl Metrics {
    /// The Prometheus text exposition; `states`/`verdicts` from the store.
    pub fn render(
        &self,
        states: &[(String, i64)],
        verdicts: &[(String, i64)],
        pending_alerts: i64,
    ) -> String {
        let mut o = String::new();
        let depth: i64 = states
            .iter()
            .filter(|(s, _)| s == "queued")
            .map(|(_, n)| n)
            .sum();
        gauge(
            &mut o,
            "stowaway_queue_depth",
            "Jobs waiting to be scanned.",
            &[("", depth)],
        );
        let states: Vec<(String, i64)> = ["queued", "running", "done", "dead"]
            .iter()
            .map(|s| {
                let n = states
                    .iter()
                    .find(|(x, _)| x == s)
                    .map(|(_, n)| *n)
                    .unwrap_or(0);
                (format!("state=\"{s}\""), n)
            })
            .collect();
        labelled(&mut o, "stowaway_jobs", "gauge", "Jobs by state.", &states);
        let verdicts: Vec<(String, i64)> = ["pass", "warn", "deny"]
            .iter()
            .map(|v| {
                let n = verdicts
                    .iter()
                    .find(|(x, _)| x == v)
                    .map(|(_, n)| *n)
                    .unwrap_or(0);
                (format!("verdict=\"{v}\""), n)
            })
            .collect();
        labelled(
            &mut o,
            "stowaway_scans_total",
            "counter",
            "Finished scans by verdict.",
            &verdicts,
        );
        gauge(
            &mut o,
            "stowaway_alerts_pending",
            "Alerts in the outbox not yet delivered.",
            &[("", pending_alerts)],
        );
        self.render_counters(&mut o);
        self.scan_seconds.render(
            &mut o,
            "stowaway_scan_duration_seconds",
            "Time to scan and gate one image.",
        );
        self.queue_wait_seconds.render(
            &mut o,
            "stowaway_queue_wait_seconds",
            "Time a job waited before a worker took it.",
        );
        self.accept_commit_seconds.render(
            &mut o,
            "stowaway_accept_commit_seconds",
            "Time for a request's jobs to be committed (group commit) before its 202.",
        );
        o
    }

    fn render_counters(&self, o: &mut String) {
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed) as i64;
        let map = |m: &Mutex<BTreeMap<&'static str, u64>>, label: &str| -> Vec<(String, i64)> {
            m.lock()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (format!("{label}=\"{k}\""), *v as i64))
                        .collect()
                })
                .unwrap_or_default()
        };
        let counter = |o: &mut String, n: &str, h: &str, v: i64| {
            labelled(o, n, "counter", h, &[(String::new(), v)])
        };
        counter(
            o,
            "stowaway_events_accepted_total",
            "Image push events queued.",
            load(&self.events_accepted),
        );
        labelled(
            o,
            "stowaway_events_ignored_total",
            "counter",
            "Events acknowledged without a scan.",
            &map(&self.events_ignored, "reason"),
        );
        let rejected: Vec<(String, i64)> = self
            .requests_rejected
            .lock()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (format!("status=\"{k}\""), *v as i64))
                    .collect()
            })
            .unwrap_or_default();
        labelled(
            o,
            "stowaway_requests_rejected_total",
            "counter",
            "Requests answered with a 4xx.",
            &rejected,
        );
        labelled(
            o,
            "stowaway_registry_errors_total",
            "counter",
            "Failed scan attempts by kind of error.",
            &map(&self.registry_errors, "kind"),
        );
        counter(
            o,
            "stowaway_layer_cache_hits_total",
            "Layers served from the layer cache.",
            load(&self.cache_hits),
        );
        counter(
            o,
            "stowaway_layer_cache_misses_total",
            "Layers read because the cache had no result.",
            load(&self.cache_misses),
        );
        counter(
            o,
            "stowaway_alerts_delivered_total",
            "Alerts delivered.",
            load(&self.alerts_delivered),
        );
        counter(
            o,
            "stowaway_alert_failures_total",
            "Failed alert delivery attempts.",
            load(&self.alert_failures),
        );
    }
}

fn gauge(o: &mut String, name: &str, help: &str, v: &[(&str, i64)]) {
    let v: Vec<(String, i64)> = v.iter().map(|(l, n)| (l.to_string(), *n)).collect();
    labelled(o, name, "gauge", help, &v);
}

fn labelled(o: &mut String, name: &str, kind: &str, help: &str, values: &[(String, i64)]) {
    let _ = writeln!(o, "# HELP {name} {help}\n# TYPE {name} {kind}");
    for (labels, n) in values {
        if labels.is_empty() {
            let _ = writeln!(o, "{name} {n}");
        } else {
            let _ = writeln!(o, "{name}{{{labels}}} {n}");
        }
    }
}
