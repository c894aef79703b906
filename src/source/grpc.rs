//! A minimal gRPC client over a unix socket, for containerd's API: HTTP/2
//! (hyper), length-prefixed messages, `grpc-status` from headers or
//! trailers, and the few protobuf messages Stowaway needs encoded and
//! decoded by hand (see [`proto`]). The generated client (`containerd-client`,
//! tonic + prost) would need `protoc` at build time and a second HTTP/2
//! stack for the two calls used here.
//!
//! Blocking API: each call runs on the channel's own small runtime. Every
//! message is capped, and a call that gets no message for the stall timeout
//! fails.

use std::path::{Path, PathBuf};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::client::conn::http2::SendRequest;

/// A gRPC failure: transport, protocol, or a status the server returned.
#[derive(Debug)]
pub enum GrpcError {
    /// The socket, HTTP/2 or framing failed.
    Transport(String),
    /// The server answered with a non-OK status.
    Status { code: u32, message: String },
}

impl std::fmt::Display for GrpcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GrpcError::Transport(m) => f.write_str(m),
            GrpcError::Status { code, message } => {
                write!(f, "gRPC status {code}: {}", printable(message))
            }
        }
    }
}

/// gRPC's NOT_FOUND.
pub const NOT_FOUND: u32 = 5;

/// At most 200 characters of a server's message, control characters escaped.
fn printable(s: &str) -> String {
    s.chars().take(200).flat_map(char::escape_debug).collect()
}

/// One HTTP/2 connection to a gRPC server on a unix socket.
pub struct Channel {
    rt: tokio::runtime::Runtime,
    sender: SendRequest<Full<Bytes>>,
    /// Metadata sent with every call (`containerd-namespace`).
    metadata: Vec<(&'static str, String)>,
    stall: Duration,
    pub socket: PathBuf,
}

impl Channel {
    /// Connect to `socket`.
    pub fn connect(
        socket: &Path,
        metadata: Vec<(&'static str, String)>,
        stall: Duration,
    ) -> Result<Channel, GrpcError> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .map_err(|e| GrpcError::Transport(format!("runtime: {e}")))?;
        let sender = rt.block_on(async {
            let stream = tokio::time::timeout(stall, tokio::net::UnixStream::connect(socket))
                .await
                .map_err(|_| GrpcError::Transport("connecting timed out".into()))?
                .map_err(|e| GrpcError::Transport(e.to_string()))?;
            let (sender, conn) = hyper::client::conn::http2::handshake(
                hyper_util::rt::TokioExecutor::new(),
                hyper_util::rt::TokioIo::new(stream),
            )
            .await
            .map_err(|e| GrpcError::Transport(format!("HTTP/2 handshake: {e}")))?;
            tokio::spawn(conn);
            Ok::<_, GrpcError>(sender)
        })?;
        Ok(Channel {
            rt,
            sender,
            metadata,
            stall,
            socket: socket.into(),
        })
    }

    /// Start a call: send `message` to `method` (`/pkg.Service/Method`).
    pub fn call(&self, method: &str, message: &[u8]) -> Result<Stream<'_>, GrpcError> {
        let mut body = Vec::with_capacity(message.len() + 5);
        body.push(0);
        body.extend_from_slice(&(message.len() as u32).to_be_bytes());
        body.extend_from_slice(message);
        let mut req = hyper::Request::post(format!("http://localhost{method}"))
            .header("content-type", "application/grpc")
            .header("te", "trailers");
        for (k, v) in &self.metadata {
            req = req.header(*k, v.as_str());
        }
        let req = req
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| GrpcError::Transport(e.to_string()))?;
        let mut sender = self.sender.clone();
        let resp = self.rt.block_on(async {
            tokio::time::timeout(self.stall, sender.send_request(req))
                .await
                .map_err(|_| GrpcError::Transport(format!("{method}: no answer")))?
                .map_err(|e| GrpcError::Transport(format!("{method}: {e}")))
        })?;
        if !resp.status().is_success() {
            return Err(GrpcError::Transport(format!(
                "{method}: HTTP status {}",
                resp.status()
            )));
        }
        status_of(resp.headers())?;
        Ok(Stream {
            channel: self,
            body: resp.into_body(),
            buf: Vec::new(),
            done: false,
        })
    }

    /// A unary call: the one answer, capped at `max` bytes.
    pub fn unary(&self, method: &str, message: &[u8], max: usize) -> Result<Vec<u8>, GrpcError> {
        let mut s = self.call(method, message)?;
        let m = s
            .next_message(max)?
            .ok_or_else(|| GrpcError::Transport(format!("{method}: no answer message")))?;
        while s.next_message(max)?.is_some() {}
        Ok(m)
    }
}

/// `grpc-status` (and `grpc-message`) in a header or trailer block.
fn status_of(h: &hyper::HeaderMap) -> Result<(), GrpcError> {
    let Some(code) = h.get("grpc-status") else {
        return Ok(());
    };
    let code: u32 = code.to_str().ok().and_then(|c| c.parse().ok()).unwrap_or(2);
    if code == 0 {
        return Ok(());
    }
    let message = h
        .get("grpc-message")
        .and_then(|m| m.to_str().ok())
        .unwrap_or("")
        .to_string();
    Err(GrpcError::Status { code, message })
}

/// The answer messages of one call.
pub struct Stream<'a> {
    channel: &'a Channel,
    body: Incoming,
    buf: Vec<u8>,
    done: bool,
}

impl Stream<'_> {
    /// The next message (`None` at a clean end), refusing one over `max` bytes.
    pub fn next_message(&mut self, max: usize) -> Result<Option<Vec<u8>>, GrpcError> {
        loop {
            if self.buf.len() >= 5 {
                if self.buf[0] != 0 {
                    return Err(GrpcError::Transport("compressed gRPC message".into()));
                }
                let len = u32::from_be_bytes(self.buf[1..5].try_into().expect("4 bytes")) as usize;
                if len > max {
                    return Err(GrpcError::Transport(format!(
                        "a gRPC message of {len} bytes is over the {max} allowed"
                    )));
                }
                if self.buf.len() >= 5 + len {
                    let m = self.buf[5..5 + len].to_vec();
                    self.buf.drain(..5 + len);
                    return Ok(Some(m));
                }
            }
            if self.done {
                if !self.buf.is_empty() {
                    return Err(GrpcError::Transport(
                        "the answer ends inside a message".into(),
                    ));
                }
                return Ok(None);
            }
            self.pull()?;
        }
    }

    /// Read one HTTP/2 frame of the answer.
    fn pull(&mut self) -> Result<(), GrpcError> {
        let stall = self.channel.stall;
        let frame = self.channel.rt.block_on(async {
            tokio::time::timeout(stall, self.body.frame())
                .await
                .map_err(|_| {
                    GrpcError::Transport(format!("no data for {} s (stalled)", stall.as_secs()))
                })
        })?;
        match frame {
            None => self.done = true,
            Some(Err(e)) => return Err(GrpcError::Transport(e.to_string())),
            Some(Ok(f)) => match f.into_data() {
                Ok(d) => self.buf.extend_from_slice(&d),
                Err(f) => {
                    if let Ok(t) = f.into_trailers() {
                        status_of(&t)?;
                    }
                    self.done = true;
                }
            },
        }
        Ok(())
    }
}

/// Protobuf wire format, by hand, for the few messages used.
pub mod proto {
    /// A field value.
    pub enum Value<'a> {
        Varint(u64),
        Bytes(&'a [u8]),
        /// A 64- or 32-bit field (skipped).
        Fixed,
    }

    fn varint(out: &mut Vec<u8>, mut v: u64) {
        while v >= 0x80 {
            out.push((v as u8) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }

    /// Append a length-delimited field (string, bytes, message).
    pub fn bytes_field(out: &mut Vec<u8>, field: u32, b: &[u8]) {
        varint(out, ((field as u64) << 3) | 2);
        varint(out, b.len() as u64);
        out.extend_from_slice(b);
    }

    /// Append a varint field (int64, bool).
    #[cfg(test)]
    pub fn varint_field(out: &mut Vec<u8>, field: u32, v: u64) {
        varint(out, (field as u64) << 3);
        varint(out, v);
    }

    fn read_varint(b: &[u8], at: &mut usize) -> Result<u64, String> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *b.get(*at).ok_or("truncated varint")?;
            *at += 1;
            v |= ((byte & 0x7f) as u64) << shift;
            if byte & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err("varint over 64 bits".into())
    }

    /// The fields of a message, in order.
    pub fn fields(b: &[u8]) -> Result<Vec<(u32, Value<'_>)>, String> {
        let mut out = Vec::new();
        let mut at = 0;
        while at < b.len() {
            let key = read_varint(b, &mut at)?;
            let field = (key >> 3) as u32;
            let v = match key & 7 {
                0 => Value::Varint(read_varint(b, &mut at)?),
                1 | 5 => {
                    let n = if key & 7 == 1 { 8 } else { 4 };
                    b.get(at..at + n).ok_or("truncated fixed field")?;
                    at += n;
                    Value::Fixed
                }
                2 => {
                    let n = read_varint(b, &mut at)? as usize;
                    let s = b
                        .get(at..at.checked_add(n).ok_or("length overflow")?)
                        .ok_or("truncated length-delimited field")?;
                    at += n;
                    Value::Bytes(s)
                }
                w => return Err(format!("unsupported wire type {w}")),
            };
            out.push((field, v));
        }
        Ok(out)
    }

    /// The last occurrence of a length-delimited field.
    pub fn get_bytes<'a>(f: &[(u32, Value<'a>)], field: u32) -> Option<&'a [u8]> {
        f.iter().rev().find_map(|(n, v)| match v {
            Value::Bytes(b) if *n == field => Some(*b),
            _ => None,
        })
    }

    /// The last occurrence of a varint field.
    pub fn get_varint(f: &[(u32, Value<'_>)], field: u32) -> Option<u64> {
        f.iter().rev().find_map(|(n, v)| match v {
            Value::Varint(x) if *n == field => Some(*x),
            _ => None,
        })
    }

    /// Every occurrence of a length-delimited field (repeated messages).
    pub fn all_bytes<'a>(f: &[(u32, Value<'a>)], field: u32) -> Vec<&'a [u8]> {
        f.iter()
            .filter_map(|(n, v)| match v {
                Value::Bytes(b) if *n == field => Some(*b),
                _ => None,
            })
            .collect()
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn round_trip_and_truncation() {
            let mut m = Vec::new();
            bytes_field(&mut m, 2, b"sha256:ab");
            varint_field(&mut m, 3, 300);
            let f = fields(&m).unwrap();
            assert_eq!(get_bytes(&f, 2), Some(&b"sha256:ab"[..]));
            assert_eq!(get_varint(&f, 3), Some(300));
            assert!(fields(&m[..m.len() - 1]).is_err());
            // A length running past the end is an error, not a panic.
            assert!(fields(&[0x12, 0xff, 0xff, 0xff, 0xff, 0x0f]).is_err());
        }
    }
}
