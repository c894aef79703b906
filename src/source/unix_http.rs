//! HTTP/1.1 GET requests over a unix socket (the Docker Engine API), with
//! the answer capped while it streams and a time limit per request.

use std::path::Path;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};

/// A client of one unix socket.
pub struct UnixHttp {
    rt: tokio::runtime::Runtime,
    socket: std::path::PathBuf,
    timeout: Duration,
}

impl UnixHttp {
    /// A client for `socket` (nothing is connected yet).
    pub fn new(socket: &Path, timeout: Duration) -> Result<UnixHttp, String> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("runtime: {e}"))?;
        Ok(UnixHttp {
            rt,
            socket: socket.into(),
            timeout,
        })
    }

    /// `GET path`: the status and at most `max` bytes of body (more is an error).
    pub fn get(&self, path: &str, max: usize) -> Result<(u16, Vec<u8>), String> {
        let work = async {
            let stream = tokio::net::UnixStream::connect(&self.socket)
                .await
                .map_err(|e| e.to_string())?;
            let (mut sender, conn) =
                hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                    .await
                    .map_err(|e| e.to_string())?;
            tokio::spawn(conn);
            let req = hyper::Request::get(path)
                .header("host", "docker")
                .body(Empty::<Bytes>::new())
                .map_err(|e| e.to_string())?;
            let resp = sender.send_request(req).await.map_err(|e| e.to_string())?;
            let status = resp.status().as_u16();
            let mut body = resp.into_body();
            let mut out = Vec::new();
            while let Some(frame) = body.frame().await {
                let frame = frame.map_err(|e| e.to_string())?;
                if let Ok(d) = frame.into_data() {
                    if out.len() + d.len() > max {
                        return Err(format!("the answer to GET {path} is over {max} bytes"));
                    }
                    out.extend_from_slice(&d);
                }
            }
            Ok((status, out))
        };
        self.rt.block_on(async {
            tokio::time::timeout(self.timeout, work)
                .await
                .map_err(|_| format!("GET {path}: no answer within {} s", self.timeout.as_secs()))?
        })
    }
}
