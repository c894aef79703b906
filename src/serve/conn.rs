//! Serving connections with explicit limits: at most `--max-connections`
//! at once (a further client waits in the listen backlog until one closes),
//! a request head within `--header-timeout` (a client that dribbles its
//! headers, or a kept-alive connection left idle, is cut off), at most
//! `--max-header-bytes` and `--max-headers` (431 past them). Each
//! connection is served by hyper's HTTP/1 in its own task; on shutdown the
//! listener closes and every connection finishes its request in flight.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::JoinSet;

use super::tls::TlsListener;

/// What a connection may do.
#[derive(Clone, Debug)]
pub struct ConnLimits {
    /// Time to send a request head; also the longest idle keep-alive.
    pub header_timeout: Duration,
    /// Time to send a request body.
    pub body_timeout: Duration,
    /// Largest request head in bytes.
    pub max_header_bytes: usize,
    /// Most header fields in one request.
    pub max_headers: usize,
    /// Connections served at once.
    pub max_connections: usize,
}

/// Where connections come from: plain TCP or TLS (handshaken elsewhere,
/// each holding its connection permit from before its TCP accept).
pub(super) enum Incoming {
    Plain(TcpListener),
    Tls(TlsListener),
}

/// Serve `app` on `incoming` until `shutdown` completes, then stop
/// accepting and let open connections finish their requests.
pub(super) async fn serve(
    incoming: Incoming,
    permits: Arc<Semaphore>,
    app: Router,
    limits: &ConnLimits,
    shutdown: impl Future<Output = ()>,
) {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_header_size(limits.max_header_bytes)
        .max_headers(limits.max_headers);
    let (stop_tx, stop) = watch::channel(false);
    let mut tasks = JoinSet::new();
    tokio::pin!(shutdown);
    let mut incoming = incoming;
    loop {
        let next = tokio::select! {
            c = next_conn(&mut incoming, &permits) => c,
            _ = &mut shutdown => break,
        };
        let Some(conn) = next else { break };
        while tasks.try_join_next().is_some() {}
        let (http, app, stop) = (http.clone(), app.clone(), stop.clone());
        match conn {
            (Conn::Plain(io), permit) => tasks.spawn(serve_one(io, http, app, stop, permit)),
            (Conn::Tls(io), permit) => tasks.spawn(serve_one(*io, http, app, stop, permit)),
        };
    }
    drop(incoming);
    let _ = stop_tx.send(true);
    while tasks.join_next().await.is_some() {}
}

enum Conn {
    Plain(tokio::net::TcpStream),
    Tls(Box<tokio_rustls::server::TlsStream<tokio::net::TcpStream>>),
}

/// The next connection with its permit; None when the listener is gone.
async fn next_conn(
    incoming: &mut Incoming,
    permits: &Arc<Semaphore>,
) -> Option<(Conn, OwnedSemaphorePermit)> {
    match incoming {
        Incoming::Plain(tcp) => {
            let permit = permits.clone().acquire_owned().await.ok()?;
            loop {
                match tcp.accept().await {
                    Ok((s, _)) => {
                        let _ = s.set_nodelay(true);
                        return Some((Conn::Plain(s), permit));
                    }
                    // Out of file descriptors and the like: try again shortly.
                    Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
                }
            }
        }
        Incoming::Tls(tls) => {
            let (s, permit) = tls.next().await?;
            Some((Conn::Tls(Box::new(s)), permit))
        }
    }
}

/// One connection, holding its permit until it closes.
async fn serve_one<I>(
    io: I,
    http: http1::Builder,
    app: Router,
    mut stop: watch::Receiver<bool>,
    _permit: OwnedSemaphorePermit,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let conn = http.serve_connection(TokioIo::new(io), TowerToHyperService::new(app));
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => return,
        _ = stop.wait_for(|s| *s) => {}
    }
    conn.as_mut().graceful_shutdown();
    let _ = conn.await;
}
