//! Alert delivery from the durable outbox: each pending CloudEvent is POSTed
//! to its target with `X-Stowaway-Timestamp` and `X-Stowaway-Signature`
//! (`sha256=` HMAC-SHA256 of `TIMESTAMP.BODY` with the notify secret);
//! a failed delivery is retried with backoff (capped by
//! `--notify-max-backoff`) until it succeeds, across restarts.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::Ctx;
use super::queue::{Due, Queue};

/// Deliver alerts until the server stops.
pub(super) async fn run(ctx: Arc<Ctx>) {
    if ctx.cfg.notify.is_empty() {
        return;
    }
    let Ok(client) = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
    else {
        return eprintln!("stowaway serve: notify: cannot build an HTTP client");
    };
    let db = ctx.cfg.db.clone();
    let q = match tokio::task::spawn_blocking(move || Queue::open(&db)).await {
        Ok(Ok(q)) => Arc::new(std::sync::Mutex::new(q)),
        _ => return eprintln!("stowaway serve: notify: cannot open the store"),
    };
    loop {
        let q2 = q.clone();
        let due =
            tokio::task::spawn_blocking(move || q2.lock().ok().and_then(|q| q.due_alerts(32).ok()))
                .await
                .ok()
                .flatten()
                .unwrap_or_default();
        let idle = due.is_empty();
        for d in due {
            let outcome = deliver(&ctx, &client, &d).await;
            record(&ctx, &q, &d, outcome).await;
        }
        if idle {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

async fn deliver(ctx: &Ctx, client: &reqwest::Client, d: &Due) -> Result<(), String> {
    let ts = (super::queue::now() as u64).to_string();
    let mut req = client
        .post(&d.target)
        .header("content-type", "application/cloudevents+json")
        .header("x-stowaway-timestamp", &ts)
        .body(d.body.clone());
    if let Some(secret) = &ctx.cfg.notify_secret {
        req = req.header(
            "x-stowaway-signature",
            super::auth::sign(secret, &ts, d.body.as_bytes()),
        );
    }
    match req.send().await {
        Ok(r) if r.status().is_success() => Ok(()),
        Ok(r) => Err(format!("{} answered {}", d.target, r.status())),
        Err(e) => Err(format!("{}: {}", d.target, e.without_url())),
    }
}

async fn record(ctx: &Ctx, q: &Arc<std::sync::Mutex<Queue>>, d: &Due, outcome: Result<(), String>) {
    let m = &ctx.metrics;
    match &outcome {
        Ok(()) => m.alerts_delivered.fetch_add(1, Ordering::Relaxed),
        Err(_) => m.alert_failures.fetch_add(1, Ordering::Relaxed),
    };
    let backoff =
        Duration::from_secs(1u64 << d.attempts.clamp(0, 16)).min(ctx.cfg.notify_max_backoff);
    let (q, id) = (q.clone(), d.id);
    let _ = tokio::task::spawn_blocking(move || {
        if let Ok(q) = q.lock() {
            let _ = q.alert_attempt(id, outcome, backoff);
        }
    })
    .await;
}
