//! Computing content digests: the one place that chooses the sha256
//! implementation (`ring`, about twice the speed of `sha2` on CPUs without
//! SHA-NI), and a reader that hashes and counts what flows through it. The
//! `Sha256` value itself is vocabulary ([`crate::model::Sha256`]).

use std::io::{self, Read};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

pub use crate::model::Sha256;

/// Computing digests (the value type lives in the vocabulary).
impl Sha256 {
    /// Digest of a byte slice.
    pub fn of(bytes: &[u8]) -> Sha256 {
        let mut h = Hasher::new();
        h.update(bytes);
        h.finish()
    }
}

/// Incremental sha256.
#[derive(Clone)]
pub struct Hasher(ring::digest::Context);

impl Default for Hasher {
    fn default() -> Self {
        Self::new()
    }
}

impl Hasher {
    /// A fresh hasher.
    pub fn new() -> Self {
        Hasher(ring::digest::Context::new(&ring::digest::SHA256))
    }
    /// Feed bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
    /// The digest of everything fed so far.
    pub fn finish(self) -> Sha256 {
        let d = self.0.finish();
        let mut out = [0u8; 32];
        out.copy_from_slice(d.as_ref());
        Sha256(out)
    }
}

/// A sha256 computed on a thread of its own from copies of the bytes fed:
/// the blob's digest, off the inflate thread, which is the longest chain
/// of a one-layer scan (the copy costs a tenth of the hashing).
pub struct HasherThread {
    tx: Option<SyncSender<Vec<u8>>>,
    /// Buffers the thread is done with, to copy into again.
    spare: Receiver<Vec<u8>>,
    result: Receiver<Sha256>,
}

impl HasherThread {
    /// Start the thread (an error if the system refuses one).
    pub fn spawn() -> io::Result<HasherThread> {
        let (tx, rx) = sync_channel::<Vec<u8>>(8);
        let (spare_tx, spare) = sync_channel::<Vec<u8>>(8);
        let (result_tx, result) = sync_channel(1);
        std::thread::Builder::new()
            .name("blob-sha256".into())
            .spawn(move || {
                let mut h = Hasher::new();
                for v in rx {
                    h.update(&v);
                    let _ = spare_tx.try_send(v);
                }
                let _ = result_tx.send(h.finish());
            })?;
        Ok(HasherThread {
            tx: Some(tx),
            spare,
            result,
        })
    }

    pub fn update(&mut self, bytes: &[u8]) {
        let mut v = self.spare.try_recv().unwrap_or_default();
        v.clear();
        v.extend_from_slice(bytes);
        if let Some(tx) = &self.tx {
            let _ = tx.send(v);
        }
    }

    /// The digest of everything fed; `None` if the thread died (it cannot
    /// hash, so the caller must not trust the bytes).
    pub fn finish(mut self) -> Option<Sha256> {
        drop(self.tx.take());
        self.result.recv().ok()
    }
}

/// Where a [`HashingReader`] hashes.
enum Digester {
    Inline(Hasher),
    Thread(HasherThread),
}

/// Reads from `inner`, hashing and counting every byte. Stops with an error
/// once more than `max` bytes have been read (a blob longer than its
/// descriptor, or a host file that grows without end).
pub struct HashingReader<R> {
    inner: R,
    hasher: Digester,
    count: u64,
    max: u64,
}

impl<R: Read> HashingReader<R> {
    /// Wrap `inner`; reading more than `max` bytes fails with `InvalidData`.
    pub fn new(inner: R, max: u64) -> Self {
        HashingReader {
            inner,
            hasher: Digester::Inline(Hasher::new()),
            count: 0,
            max,
        }
    }
    /// Like [`HashingReader::new`], hashing on a [`HasherThread`] (inline
    /// if no thread can be started).
    pub fn offloaded(inner: R, max: u64) -> Self {
        let hasher = match HasherThread::spawn() {
            Ok(t) => Digester::Thread(t),
            Err(_) => Digester::Inline(Hasher::new()),
        };
        HashingReader {
            inner,
            hasher,
            count: 0,
            max,
        }
    }
    /// Bytes read so far.
    pub fn count(&self) -> u64 {
        self.count
    }
    /// Digest and byte count of what was read. A hashing thread that died
    /// gives the all-zero digest, which no content has: a digest check
    /// then fails rather than passes.
    pub fn finish(self) -> (Sha256, u64) {
        let digest = match self.hasher {
            Digester::Inline(h) => h.finish(),
            Digester::Thread(t) => t.finish().unwrap_or(Sha256([0; 32])),
        };
        (digest, self.count)
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        if self.count > self.max {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("more than {} bytes", self.max),
            ));
        }
        match &mut self.hasher {
            Digester::Inline(h) => h.update(&buf[..n]),
            Digester::Thread(t) => t.update(&buf[..n]),
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vector() {
        assert_eq!(
            Sha256::of(b"abc").hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn parse_rejects_bad_digests() {
        assert!("sha256:abc".parse::<Sha256>().is_err());
        assert!(
            "sha512:00"
                .parse::<Sha256>()
                .unwrap_err()
                .contains("sha512")
        );
        let upper = format!("sha256:{}", "A".repeat(64));
        assert!(upper.parse::<Sha256>().is_err());
        let ok = format!("sha256:{}", "a".repeat(64));
        assert_eq!(ok.parse::<Sha256>().unwrap().to_string(), ok);
    }

    #[test]
    fn an_offloaded_hashing_reader_gives_the_same_digest_and_count() {
        let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        for max in [data.len() as u64, data.len() as u64 + 1] {
            let mut r = HashingReader::offloaded(&data[..], max);
            let mut out = Vec::new();
            // Small reads: many buffers through the thread and back.
            let mut buf = [0u8; 1000];
            loop {
                let n = r.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                out.extend_from_slice(&buf[..n]);
            }
            assert_eq!(out, data);
            assert_eq!(r.finish(), (Sha256::of(&data), data.len() as u64));
        }
        let mut r = HashingReader::offloaded(&data[..], 10);
        assert!(r.read_to_end(&mut Vec::new()).is_err());
        assert_eq!(
            HashingReader::offloaded(&b""[..], 0).finish().0,
            Sha256::of(b"")
        );
    }

    #[test]
    fn hashing_reader_caps_length() {
        let mut r = HashingReader::new(&b"hello"[..], 4);
        let mut out = Vec::new();
        assert!(r.read_to_end(&mut out).is_err());
    }

    #[test]
    fn hashing_reader_counts_and_hashes_every_byte() {
        let data: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        let mut r = HashingReader::new(&data[..], data.len() as u64);
        let mut buf = [0u8; 777];
        let n = r.read(&mut buf).unwrap();
        assert_eq!(n, 777);
        assert_eq!(r.count(), 777);
        let mut out = buf.to_vec();
        r.read_to_end(&mut out).unwrap();
        assert_eq!(out, data);
        assert_eq!(r.count(), 10_000);
        assert_eq!(r.finish(), (Sha256::of(&data), 10_000));
    }

    #[test]
    fn hashing_reader_limit_is_inclusive() {
        let mut r = HashingReader::new(&b"hello"[..], 5);
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        assert_eq!(r.finish(), (Sha256::of(b"hello"), 5));
        let mut r = HashingReader::new(&b"hello"[..], 4);
        let e = r.read_to_end(&mut Vec::new()).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        assert!(e.to_string().contains("more than 4 bytes"), "{e}");
    }

    #[test]
    fn hasher_is_incremental_and_forms_are_consistent() {
        let mut h = Hasher::default();
        h.update(b"a");
        h.update(b"bc");
        let d = h.finish();
        assert_eq!(d, Sha256::of(b"abc"));
        assert_ne!(d, Sha256::of(b"abd"));
        assert_eq!(d.short(), "sha256:ba7816bf8f01");
        assert_eq!(format!("{d:?}"), format!("sha256:{}", d.hex()));
        assert_eq!(Sha256::from_hex(&d.hex()), Some(d));
        assert_eq!(Sha256::from_hex(&d.hex()[1..]), None);
        assert_eq!(Sha256::from_hex(&format!("{}g", &d.hex()[1..])), None);
        let json = serde_json::to_string(&d).unwrap();
        assert_eq!(json, format!("\"{d}\""));
        assert_eq!(serde_json::from_str::<Sha256>(&json).unwrap(), d);
        assert!(serde_json::from_str::<Sha256>("\"md5:00\"").is_err());
        assert!(d.to_string().parse::<Sha256>().is_ok());
        assert!(
            d.hex()
                .parse::<Sha256>()
                .unwrap_err()
                .contains("no algorithm")
        );
    }
}
