//! TLS for the server (`--tls-cert`, `--tls-key`, PEM): rustls with the
//! aws-lc-rs provider. The files are read again when their modification
//! time changes (a renewed certificate needs no restart); a pair that does
//! not load leaves the previous one in use. Handshakes run in their own
//! tasks with a time limit, so a client that stalls holds up no other; a
//! connection takes its permit (`--max-connections`) before its TCP accept.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc, watch};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::server::TlsStream;

use super::ServeError;

/// Where the certificate chain and its key are.
#[derive(Clone, Debug)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
const RELOAD_EVERY: Duration = Duration::from_secs(2);

fn load(files: &TlsFiles) -> Result<Arc<ServerConfig>, ServeError> {
    let bad = |what: &Path, e: String| ServeError::Config(format!("TLS: {}: {e}", what.display()));
    let certs = CertificateDer::pem_file_iter(&files.cert)
        .map_err(|e| bad(&files.cert, e.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad(&files.cert, e.to_string()))?;
    if certs.is_empty() {
        return Err(bad(&files.cert, "no certificate in the file".into()));
    }
    let key =
        PrivateKeyDer::from_pem_file(&files.key).map_err(|e| bad(&files.key, e.to_string()))?;
    let provider = Arc::new(tokio_rustls::rustls::crypto::aws_lc_rs::default_provider());
    let mut cfg = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| bad(&files.cert, e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| bad(&files.key, e.to_string()))?;
    cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(cfg))
}

fn stamp(files: &TlsFiles) -> Option<(SystemTime, SystemTime)> {
    let m = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    Some((m(&files.cert)?, m(&files.key)?))
}

/// A handshaken connection and its permit.
type Handshaken = (TlsStream<TcpStream>, OwnedSemaphorePermit);

/// A listener handing out finished TLS connections.
pub struct TlsListener {
    rx: mpsc::Receiver<Handshaken>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for TlsListener {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

impl TlsListener {
    /// Load the pair (an error if it does not load) and start accepting.
    pub fn start(
        tcp: TcpListener,
        files: TlsFiles,
        permits: Arc<Semaphore>,
    ) -> Result<TlsListener, ServeError> {
        let (cfg_tx, cfg_rx) = watch::channel(load(&files)?);
        let (tx, rx) = mpsc::channel(64);
        let reload = tokio::spawn(reload(files, cfg_tx));
        let accept = tokio::spawn(accept(tcp, cfg_rx, tx, permits));
        Ok(TlsListener {
            rx,
            tasks: vec![reload, accept],
        })
    }

    /// The next handshaken connection.
    pub async fn next(&mut self) -> Option<Handshaken> {
        self.rx.recv().await
    }
}

async fn reload(files: TlsFiles, tx: watch::Sender<Arc<ServerConfig>>) {
    let mut seen = stamp(&files);
    loop {
        tokio::time::sleep(RELOAD_EVERY).await;
        let now = stamp(&files);
        if now.is_none() || now == seen {
            continue;
        }
        seen = now;
        match load(&files) {
            Ok(cfg) => {
                let _ = tx.send(cfg);
                eprintln!(
                    "stowaway serve: TLS certificate reloaded from {}",
                    files.cert.display()
                );
            }
            Err(e) => eprintln!("stowaway serve: {e}; keeping the previous certificate"),
        }
    }
}

async fn accept(
    tcp: TcpListener,
    cfg: watch::Receiver<Arc<ServerConfig>>,
    tx: mpsc::Sender<Handshaken>,
    permits: Arc<Semaphore>,
) {
    loop {
        let Ok(permit) = permits.clone().acquire_owned().await else {
            return;
        };
        let stream = loop {
            match tcp.accept().await {
                Ok((s, _)) => break s,
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        };
        let _ = stream.set_nodelay(true);
        let acceptor = TlsAcceptor::from(cfg.borrow().clone());
        let tx = tx.clone();
        tokio::spawn(async move {
            if let Ok(Ok(tls)) =
                tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await
            {
                let _ = tx.send((tls, permit)).await;
            }
        });
    }
}
