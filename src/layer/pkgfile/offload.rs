//! A helper thread per walking thread that continues a large file's MD5
//! and SHA-1 while the walk hashes sha256 and inspects the same bytes: the
//! two digests no longer sit on the critical path of a one-layer scan.
//! Chunks are copied into recycled buffers and sent in order through a
//! bounded channel (memory stays flat); the walk waits for the answer only
//! when the file ends. The helper lives as long as its walking thread
//! (a thread-local; dropping it hangs up, and the helper exits).

use std::cell::RefCell;
use std::marker::PhantomData;
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};

use md5::Digest as _;

use super::PkgDigests;

/// Chunks in flight to the helper.
const DEPTH: usize = 4;

/// MD5 and SHA-1 of one file, as far as fed (either may be left out:
/// [`super::plan`]); a digest left out finishes as zeros.
#[derive(Clone)]
pub struct Pair {
    md5: Option<md5::Md5>,
    sha1: Option<sha1::Sha1>,
}

impl Default for Pair {
    fn default() -> Self {
        Pair::with(PkgDigests::BOTH)
    }
}

impl Pair {
    pub fn with(d: PkgDigests) -> Pair {
        Pair {
            md5: d.md5.then(md5::Md5::default),
            sha1: d.sha1.then(sha1::Sha1::default),
        }
    }

    /// Which digests this pair computes.
    pub fn digests(&self) -> PkgDigests {
        PkgDigests {
            md5: self.md5.is_some(),
            sha1: self.sha1.is_some(),
        }
    }

    pub fn update(&mut self, bytes: &[u8]) {
        if let Some(m) = &mut self.md5 {
            m.update(bytes);
        }
        if let Some(s) = &mut self.sha1 {
            s.update(bytes);
        }
    }

    pub fn finish(self) -> ([u8; 16], [u8; 20]) {
        (
            self.md5.map_or([0; 16], |m| m.finalize().into()),
            self.sha1.map_or([0; 20], |s| s.finalize().into()),
        )
    }
}

enum Msg {
    Start(Box<Pair>),
    Data(Vec<u8>),
    Finish,
    /// The file was abandoned (a read error): forget it.
    Abort,
}

struct Helper {
    tx: SyncSender<Msg>,
    done: Receiver<([u8; 16], [u8; 20])>,
    spare: Receiver<Vec<u8>>,
    /// A file is being hashed by the helper.
    busy: bool,
}

thread_local! {
    static HELPER: RefCell<Option<Helper>> = const { RefCell::new(None) };
}

/// A file whose digests this thread's helper is computing. Tied to the
/// thread (not `Send`): the helper belongs to it.
pub struct Handle {
    live: bool,
    _thread: PhantomData<*const ()>,
}

/// Hand `pair` (the digests so far) to this thread's helper; `None` when
/// it is busy with another file or cannot be started (then the caller
/// simply continues inline).
pub fn start(pair: &mut Pair) -> Option<Handle> {
    HELPER.with(|cell| {
        let mut cell = cell.borrow_mut();
        if cell.is_none() {
            *cell = spawn();
        }
        let h = cell.as_mut()?;
        if h.busy {
            return None;
        }
        if let Err(e) = h.tx.send(Msg::Start(Box::new(std::mem::take(pair)))) {
            // The helper is gone: take the digests back and stay inline.
            if let Msg::Start(p) = e.0 {
                *pair = *p;
            }
            return None;
        }
        h.busy = true;
        Some(Handle {
            live: true,
            _thread: PhantomData,
        })
    })
}

impl Handle {
    /// The next bytes of the file.
    pub fn send(&mut self, bytes: &[u8]) {
        HELPER.with(|cell| {
            let mut cell = cell.borrow_mut();
            let h = cell.as_mut().expect("a started helper stays");
            let mut buf = h.spare.try_recv().unwrap_or_default();
            buf.clear();
            buf.extend_from_slice(bytes);
            h.tx.send(Msg::Data(buf))
                .expect("the package digest helper only ends when its thread does");
        })
    }

    /// Wait for the file's digests.
    pub fn finish(mut self) -> ([u8; 16], [u8; 20]) {
        self.live = false;
        HELPER.with(|cell| {
            let mut cell = cell.borrow_mut();
            let h = cell.as_mut().expect("a started helper stays");
            h.busy = false;
            h.tx.send(Msg::Finish)
                .ok()
                .and_then(|()| h.done.recv().ok())
                .expect("the package digest helper only ends when its thread does")
        })
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        if !self.live {
            return;
        }
        let _ = HELPER.try_with(|cell| {
            if let Some(h) = cell.borrow_mut().as_mut() {
                h.busy = false;
                let _ = h.tx.send(Msg::Abort);
            }
        });
    }
}

fn spawn() -> Option<Helper> {
    let (tx, rx) = sync_channel::<Msg>(DEPTH);
    let (done_tx, done) = sync_channel(1);
    let (spare_tx, spare) = channel();
    std::thread::Builder::new()
        .name("pkg-digests".into())
        .spawn(move || run(rx, done_tx, spare_tx))
        .ok()?;
    Some(Helper {
        tx,
        done,
        spare,
        busy: false,
    })
}

fn run(rx: Receiver<Msg>, done: SyncSender<([u8; 16], [u8; 20])>, spare: Sender<Vec<u8>>) {
    let mut cur: Option<Box<Pair>> = None;
    for m in rx {
        match m {
            Msg::Start(p) => cur = Some(p),
            Msg::Data(v) => {
                if let Some(p) = cur.as_mut() {
                    p.update(&v);
                }
                let _ = spare.send(v);
            }
            Msg::Abort => cur = None,
            Msg::Finish => {
                let p = cur.take().unwrap_or_default();
                if done.send(p.finish()).is_err() {
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pair says which digests it computes, and finishes the others as
    /// zeros (the walk records a skipped digest from this answer).
    #[test]
    fn a_pair_computes_exactly_the_digests_it_was_given() {
        for (md5, sha1) in [(true, true), (true, false), (false, true), (false, false)] {
            let which = PkgDigests { md5, sha1 };
            let mut p = Pair::with(which);
            assert_eq!(p.digests(), which);
            p.update(b"abc");
            let (m, s) = p.finish();
            // MD5("abc") and SHA-1("abc") start 9001 and a999.
            assert_eq!(m[..2] == [0x90, 0x01], md5, "md5 {which:?}");
            assert_eq!(s[..2] == [0xa9, 0x99], sha1, "sha1 {which:?}");
            assert_eq!(m == [0; 16], !md5);
            assert_eq!(s == [0; 20], !sha1);
        }
    }
}
