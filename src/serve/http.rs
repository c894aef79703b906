//! The HTTP routes: registry notifications, scan requests, results, health
//! and metrics. Every route but `/healthz` and `/readyz` needs the token;
//! bodies are read up to `--max-body` and every request ends within
//! `--request-timeout`; malformed input gets a 4xx JSON error and queues
//! nothing. A job is committed to the store before its 202 is sent.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::Value;

use crate::report::model::{
    CodeExplained, EventsAccepted, Health, HealthStatus, JobState, PendingScan, ScanAccepted,
    ServeErrorBody,
};

use super::accept::Accepter;
use super::events::{self, is_sha256};
use super::metrics::bump;
use super::queue::{JobSpec, Queue, RequestSpec};
use super::{Ctx, ServeError};

/// Shared by the handlers.
#[derive(Clone)]
pub(super) struct App {
    pub ctx: Arc<Ctx>,
    /// Reads and the rare writes off the accept path.
    pub queue: Arc<Mutex<Queue>>,
    /// The accept path's writer (group commit).
    pub accept: Arc<Accepter>,
}

/// The router.
pub(super) fn router(ctx: Arc<Ctx>, queue: Queue, accept: Accepter) -> Router {
    let app = App {
        ctx,
        queue: Arc::new(Mutex::new(queue)),
        accept: Arc::new(accept),
    };
    let protected = Router::new()
        .route("/v1/events/distribution", post(distribution_events))
        .route("/v1/scans", post(create_scan))
        .route("/v1/scans/{id}", get(get_scan))
        .route("/v1/images/{digest}", get(get_image))
        .route("/metrics", get(metrics))
        .merge(super::harbor::routes())
        .route_layer(middleware::from_fn_with_state(app.clone(), require_token));
    Router::new()
        .route("/healthz", get(|| async { health(HealthStatus::Ok) }))
        .route("/readyz", get(ready))
        .route("/v1/explain/{code}", get(explain))
        .merge(protected)
        .fallback(|| async { error(StatusCode::NOT_FOUND, "no such endpoint") })
        .layer(middleware::from_fn_with_state(app.clone(), limits))
        .with_state(app)
}

/// `{"status": "ok"}` or `{"status": "ready"}`.
fn health(status: HealthStatus) -> Response {
    typed_json(StatusCode::OK, &Health { status })
}

/// A JSON error: `{"error": "...", "status": N}`.
pub(super) fn error(status: StatusCode, msg: impl Into<String>) -> Response {
    error_body(status, msg.into(), None)
}

/// A JSON error, naming the job of a result that is not there yet.
fn error_body(status: StatusCode, msg: String, pending: Option<PendingScan<'_>>) -> Response {
    let body = ServeErrorBody {
        error: msg.into(),
        status: status.as_u16(),
        pending,
    };
    // Strings, numbers and a known enum: serializing cannot fail.
    json_text(status, serde_json::to_string(&body).unwrap_or_default())
}

async fn require_token(State(app): State<App>, req: Request, next: Next) -> Response {
    if super::auth::authorized(req.headers(), &app.ctx.cfg.token) {
        return next.run(req).await;
    }
    let msg = "missing or wrong bearer token";
    let mut r = if req.uri().path().starts_with("/api/") {
        super::harbor::error(StatusCode::UNAUTHORIZED, msg)
    } else {
        error(StatusCode::UNAUTHORIZED, msg)
    };
    r.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static("Bearer"),
    );
    r
}

/// The request timeout, and counting of 4xx answers.
async fn limits(State(app): State<App>, req: Request, next: Next) -> Response {
    let resp = match tokio::time::timeout(app.ctx.cfg.request_timeout, next.run(req)).await {
        Ok(r) => r,
        Err(_) => error(
            StatusCode::REQUEST_TIMEOUT,
            "request did not complete in time",
        ),
    };
    if resp.status().is_client_error() {
        bump(&app.ctx.metrics.requests_rejected, resp.status().as_u16());
    }
    resp
}

/// Read a body up to `--max-body` within `--body-timeout`; the status and
/// message of the refusal otherwise (callers wrap it in their envelope).
pub(super) async fn read_body(
    app: &App,
    headers: &HeaderMap,
    body: Body,
) -> Result<Bytes, (StatusCode, String)> {
    let limit = app.ctx.cfg.max_body;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let too_big = || {
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("request body over {limit} bytes (--max-body)"),
        )
    };
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_big());
    }
    let wait = app.ctx.cfg.conn.body_timeout;
    match tokio::time::timeout(wait, axum::body::to_bytes(body, limit)).await {
        Ok(Ok(b)) => Ok(b),
        Ok(Err(_)) => Err(too_big()),
        Err(_) => Err((
            StatusCode::REQUEST_TIMEOUT,
            format!(
                "request body not received within {} s (--body-timeout)",
                wait.as_secs()
            ),
        )),
    }
}

/// Run a queue operation off the async threads.
pub(super) async fn with_queue<T: Send + 'static>(
    app: &App,
    f: impl FnOnce(&mut Queue) -> Result<T, ServeError> + Send + 'static,
) -> Result<T, Response> {
    let q = app.queue.clone();
    let r = tokio::task::spawn_blocking(move || {
        let mut q = q
            .lock()
            .map_err(|_| ServeError::Config("queue lock poisoned".into()))?;
        f(&mut q)
    })
    .await;
    match r {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(error(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("store: {e}"),
        )),
        Err(_) => Err(error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "store task failed",
        )),
    }
}

async fn ready(State(app): State<App>) -> Response {
    if app.ctx.stopping() {
        return error(StatusCode::SERVICE_UNAVAILABLE, "shutting down");
    }
    match with_queue(&app, |q| q.pending_alerts()).await {
        Ok(_) => health(HealthStatus::Ready),
        Err(r) => r,
    }
}

/// A job for `digest` in `repository` pushed to the registry `host`; a
/// registry not configured is refused (403) with the returned message.
pub(super) fn job_for(
    app: &App,
    host: &str,
    repository: &str,
    digest: &str,
    origin: &'static str,
) -> Result<JobSpec, String> {
    let Some(target) = app.ctx.cfg.registries.get(host) else {
        return Err(format!(
            "registry {host:?} is not configured here (stowaway serve --registry {host}=URL)"
        ));
    };
    Ok(JobSpec {
        key: app.ctx.job_key(digest),
        digest: digest.to_string(),
        repository: repository.to_string(),
        registry: target.pull_host.clone(),
        reference: format!("docker://{}/{repository}@{digest}", target.pull_host),
        origin,
        auth: None,
    })
}

/// Commit a batch (with whatever other requests are waiting: group
/// commit) and wake the workers; the job ids once committed.
pub(super) async fn enqueue(
    app: &App,
    batch: Vec<(JobSpec, RequestSpec)>,
) -> Result<Vec<i64>, Response> {
    if batch.is_empty() {
        return Ok(Vec::new());
    }
    let started = std::time::Instant::now();
    let ids = app
        .accept
        .submit(batch)
        .await
        .map_err(|e| error(StatusCode::SERVICE_UNAVAILABLE, format!("store: {e}")))?;
    app.ctx.wake.notify();
    let m = &app.ctx.metrics;
    m.accept_commit_seconds
        .observe(started.elapsed().as_secs_f64());
    Ok(ids)
}

async fn distribution_events(State(app): State<App>, headers: HeaderMap, body: Body) -> Response {
    let bytes = match read_body(&app, &headers, body).await {
        Ok(b) => b,
        Err((status, msg)) => return error(status, msg),
    };
    let parsed = match events::parse(&bytes) {
        Ok(p) => p,
        Err(e) => return error(StatusCode::BAD_REQUEST, e),
    };
    let mut batch = Vec::with_capacity(parsed.pushes.len());
    for p in &parsed.pushes {
        match job_for(&app, &p.host, &p.repository, &p.digest, "distribution") {
            Ok(job) => batch.push((
                job,
                RequestSpec {
                    repository: p.repository.clone(),
                    tag: p.tag.clone(),
                    event_id: p.event_id.clone(),
                },
            )),
            Err(msg) => return error(StatusCode::FORBIDDEN, msg),
        }
    }
    let ids = match enqueue(&app, batch).await {
        Ok(ids) => ids,
        Err(r) => return r,
    };
    let m = &app.ctx.metrics;
    m.events_accepted
        .fetch_add(ids.len() as u64, std::sync::atomic::Ordering::Relaxed);
    for i in &parsed.ignored {
        bump(&m.events_ignored, i.as_str());
    }
    let accepted = EventsAccepted {
        jobs: &ids,
        ignored: parsed.ignored.len(),
    };
    typed_json(StatusCode::ACCEPTED, &accepted)
}

/// `HOST/REPO@sha256:…` (optionally `docker://`) split into its parts.
pub(super) fn split_reference(r: &str) -> Option<(&str, &str, &str)> {
    let r = r.strip_prefix("docker://").unwrap_or(r);
    let (name, digest) = r.split_once('@')?;
    let (host, repo) = name.split_once('/')?;
    let repo = repo
        .rsplit_once(':')
        .filter(|(_, t)| !t.contains('/'))
        .map_or(repo, |(r, _)| r);
    (events::is_host(host) && events::is_repository(repo) && is_sha256(digest))
        .then_some((host, repo, digest))
}

async fn create_scan(State(app): State<App>, headers: HeaderMap, body: Body) -> Response {
    let bytes = match read_body(&app, &headers, body).await {
        Ok(b) => b,
        Err((status, msg)) => return error(status, msg),
    };
    let v: Value = match serde_json::from_slice(&bytes) {
        Ok(v) => v,
        Err(e) => return error(StatusCode::BAD_REQUEST, format!("body is not JSON: {e}")),
    };
    let Some(reference) = v.get("reference").and_then(Value::as_str) else {
        return error(
            StatusCode::BAD_REQUEST,
            "body needs \"reference\": \"HOST/REPO@sha256:…\"",
        );
    };
    let Some((host, repo, digest)) = split_reference(reference) else {
        return error(
            StatusCode::BAD_REQUEST,
            "reference must name a registry image by digest: HOST/REPO@sha256:<64 hex>",
        );
    };
    let job = match job_for(&app, host, repo, digest, "api") {
        Ok(j) => j,
        Err(msg) => return error(StatusCode::FORBIDDEN, msg),
    };
    let req = RequestSpec {
        repository: repo.to_string(),
        tag: None,
        event_id: None,
    };
    match enqueue(&app, vec![(job, req)]).await {
        Ok(ids) => typed_json(StatusCode::ACCEPTED, &ScanAccepted { id: ids[0], digest }),
        Err(r) => r,
    }
}

async fn get_scan(State(app): State<App>, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return error(StatusCode::BAD_REQUEST, "scan id is a number");
    };
    match with_queue(&app, move |q| q.job(id)).await {
        Ok(Some(j)) => typed_json(StatusCode::OK, &j.doc()),
        Ok(None) => error(StatusCode::NOT_FOUND, format!("no scan {id}")),
        Err(r) => r,
    }
}

/// A document as a JSON response.
fn typed_json<T: serde::Serialize>(status: StatusCode, doc: &T) -> Response {
    match serde_json::to_string(doc) {
        Ok(text) => json_text(status, text),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

/// JSON text (a stored document) as a response.
pub(super) fn json_text(status: StatusCode, text: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], text).into_response()
}

async fn get_image(State(app): State<App>, Path(digest): Path<String>) -> Response {
    if !is_sha256(&digest) {
        return error(
            StatusCode::BAD_REQUEST,
            "digest must be sha256:<64 lowercase hex>",
        );
    }
    let d = digest.clone();
    let found = with_queue(&app, move |q| Ok((q.latest_done(&d)?, q.latest_any(&d)?))).await;
    match found {
        // The stored result document, served as stored.
        Ok((Some(j), _)) => json_text(StatusCode::OK, j.result.unwrap_or_default()),
        Ok((None, Some(j))) => {
            let pending = PendingScan {
                scan: j.id,
                state: JobState::parse(&j.state).unwrap_or(JobState::Queued),
                last_error: j.last_error.as_deref(),
            };
            error_body(
                StatusCode::NOT_FOUND,
                "not scanned yet".into(),
                Some(pending),
            )
        }
        Ok((None, None)) => error(StatusCode::NOT_FOUND, format!("{digest} was never queued")),
        Err(r) => r,
    }
}

/// What a finding code means (public: the text ships with the tool).
async fn explain(Path(code): Path<String>) -> Response {
    match crate::finding::Code::parse(&code) {
        Some(c) => typed_json(StatusCode::OK, &CodeExplained::from(c)),
        None => error(StatusCode::NOT_FOUND, "unknown finding code"),
    }
}

async fn metrics(State(app): State<App>) -> Response {
    let counts = with_queue(&app, |q| Ok((q.counts()?, q.pending_alerts()?))).await;
    match counts {
        Ok(((states, verdicts), pending)) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
            app.ctx.metrics.render(&states, &verdicts, pending),
        )
            .into_response(),
        Err(r) => r,
    }
}

#[cfg(test)]
mod tests {
    use super::split_reference;

    #[test]
    fn references_by_digest_only() {
        let d = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        assert_eq!(
            split_reference(&format!("docker://127.0.0.1:5000/team/app@{d}")),
            Some(("127.0.0.1:5000", "team/app", d))
        );
        assert_eq!(
            split_reference(&format!("reg.example/app:v1@{d}")),
            Some(("reg.example", "app", d))
        );
        assert_eq!(split_reference("reg.example/app:v1"), None);
        assert_eq!(split_reference(&format!("reg.example/../x@{d}")), None);
    }
}
