//! MD5 of many small files side by side, for the package worker: up to
//! eight files' ranges are hashed in the eight lanes of
//! [`md5x8::Kernel`], one block of each per step. MD5 cannot be split
//! within a file, and dpkg checks every file of a Debian image with it;
//! most are small, so lanes make that work several times cheaper.
//!
//! Files arrive one after another in the stream, so lanes run over
//! different places in it: the chunks from the lagging lane's position to
//! the newest byte are kept (shared, no copy). When that window passes
//! [`WINDOW`], the lane holding it is moved on alone; at the end of the
//! stream, whatever is left is finished the same way. Files over
//! [`LANE_MAX`] (they would hold the window) and files that also need
//! SHA-1 are hashed in order by the caller, as before.

use std::collections::VecDeque;
use std::sync::Arc;

use super::Job;
use crate::layer::pkgfile::md5x8::{self, Kernel, States, Words};

/// Files up to this size go to the lanes: with 1 MiB, the packaged
/// binaries and libraries of 1-4 MiB (perl, libc, libstdc++, …) went
/// through the one-lane MD5 and cost more than all small files together;
/// at 4 MiB the package worker spends ~13% less (perf samples, minbase).
pub const LANE_MAX: u64 = 4 << 20;
/// Bytes of stream kept for lagging lanes before one is moved on alone
/// (twice [`LANE_MAX`], so a file that size can finish in its lane).
pub const WINDOW: u64 = 8 << 20;
/// Below this many lanes with a block ready, waiting for more of the
/// stream (or, at its end, hashing alone) beats a step of all eight.
const MIN_LANES: usize = 3;

struct Lane {
    job: Job,
    state: [u32; 4],
    /// Stream offset of the next byte to hash.
    pos: u64,
    /// Sequence number of the kept chunk holding `pos`, when known.
    seq: u64,
}

impl Lane {
    fn end(&self) -> u64 {
        self.job.end()
    }
}

/// The lanes, the files waiting for one, and the chunks they still need.
pub struct Lanes {
    kernel: Kernel,
    chunks: VecDeque<(u64, Arc<Vec<u8>>)>,
    /// Sequence number of the first kept chunk (one more per chunk let go).
    front_seq: u64,
    /// End of the stream received so far.
    head: u64,
    waiting: VecDeque<Job>,
    lanes: [Option<Lane>; 8],
    window: u64,
    stats: Stats,
}

/// Where the blocks were hashed (for tests and profiles: how well the
/// lanes are used).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Blocks hashed in the eight-lane kernel.
    pub in_lanes: u64,
    /// Of those, blocks read in place from one kept chunk (no search).
    pub in_place: u64,
    /// Blocks hashed one lane alone (a laggard past the window, the end).
    pub alone: u64,
}

impl Lanes {
    pub fn new(kernel: Kernel) -> Lanes {
        Lanes::with_window(kernel, WINDOW)
    }

    fn with_window(kernel: Kernel, window: u64) -> Lanes {
        Lanes {
            kernel,
            chunks: VecDeque::new(),
            front_seq: 0,
            head: 0,
            waiting: VecDeque::new(),
            lanes: Default::default(),
            window,
            stats: Stats::default(),
        }
    }

    /// Whether `job` is hashed here: MD5 alone, of a file up to [`LANE_MAX`].
    pub fn takes(job: &Job) -> bool {
        job.pkg.md5 && !job.pkg.sha1 && job.len <= LANE_MAX
    }

    /// A file to hash, in stream order, before the chunk holding its start.
    pub fn push(&mut self, job: Job) {
        self.waiting.push_back(job);
    }

    /// The next chunk of the stream, starting at `start`; digests of the
    /// files finished go to `done` as (slot, MD5).
    pub fn feed(&mut self, start: u64, chunk: &Arc<Vec<u8>>, done: &mut Vec<(usize, [u8; 16])>) {
        self.head = start + chunk.len() as u64;
        if !self.idle() {
            self.chunks.push_back((start, chunk.clone()));
        }
        self.run(false, done);
    }

    /// The stream has ended: finish every file (the caller checks that
    /// every queued file came back).
    pub fn finish(mut self, done: &mut Vec<(usize, [u8; 16])>) -> Stats {
        self.run(true, done);
        self.stats
    }

    fn idle(&self) -> bool {
        self.waiting.is_empty() && self.lanes.iter().all(Option::is_none)
    }

    fn run(&mut self, at_end: bool, done: &mut Vec<(usize, [u8; 16])>) {
        loop {
            self.assign();
            let finished = self.finish_lanes(done);
            let mut ready = [0usize; 8];
            let mut n = 0;
            for l in (0..8).filter(|&l| self.has_block(l)) {
                (ready[n], n) = (l, n + 1);
            }
            let ready = &ready[..n];
            if ready.len() >= MIN_LANES {
                // As many steps as every ready lane has whole blocks for.
                let steps = ready
                    .iter()
                    .filter_map(|&l| self.lanes[l].as_ref())
                    .map(|x| (x.end().min(self.head) - x.pos) / 64)
                    .min()
                    .unwrap_or(0);
                self.step(ready, steps);
            } else if !ready.is_empty() && (at_end || self.kept() > self.window) {
                // Move the lane furthest behind on alone, as far as it can go.
                let lag = ready
                    .iter()
                    .copied()
                    .min_by_key(|&l| self.lanes[l].as_ref().map_or(u64::MAX, |x| x.pos))
                    .unwrap_or(ready[0]);
                self.alone(lag);
            } else if !finished {
                break;
            }
        }
        self.release();
    }

    /// Give free lanes the next waiting files.
    fn assign(&mut self) {
        for lane in self.lanes.iter_mut().filter(|l| l.is_none()) {
            let Some(job) = self.waiting.pop_front() else {
                return;
            };
            *lane = Some(Lane {
                job,
                state: md5x8::INIT,
                pos: job.start,
                seq: 0,
            });
        }
    }

    /// Does lane `l` have a whole block of its file in the stream so far?
    fn has_block(&self, l: usize) -> bool {
        self.lanes[l]
            .as_ref()
            .is_some_and(|x| x.pos + 64 <= x.end().min(self.head))
    }

    /// Finish the files whose last (partial) block has arrived.
    fn finish_lanes(&mut self, done: &mut Vec<(usize, [u8; 16])>) -> bool {
        let mut any = false;
        for l in 0..8 {
            let Some(x) = &self.lanes[l] else { continue };
            if x.end() - x.pos >= 64 || x.end() > self.head {
                continue;
            }
            let mut tail = [0u8; 64];
            let n = (x.end() - x.pos) as usize;
            if self.copy(x.pos, &mut tail[..n]) {
                done.push((x.job.slot, md5x8::finish(x.state, &tail[..n], x.job.len)));
            }
            self.lanes[l] = None;
            any = true;
        }
        any
    }

    /// `steps` blocks of each lane in `ready`, in the eight-lane kernel
    /// (every one of them has that many whole blocks received).
    fn step(&mut self, ready: &[usize], steps: u64) {
        let mut states: States = [[0; 8]; 4];
        for &l in ready {
            if let Some(x) = &self.lanes[l] {
                for (k, s) in x.state.iter().enumerate() {
                    states[k][l] = *s;
                }
            }
        }
        let mut words: Words = [[0; 8]; 16];
        let mut block = [0u8; 64];
        for _ in 0..steps {
            for &l in ready {
                if !self.next_block(l, &mut block) {
                    self.lanes[l] = None; // a hole: no answer for it
                    continue;
                }
                for (w, b) in block.chunks_exact(4).enumerate() {
                    words[w][l] = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
                }
                self.stats.in_lanes += 1;
            }
            self.kernel.compress8(&mut states, &words);
        }
        for &l in ready {
            if let Some(x) = &mut self.lanes[l] {
                x.state = [states[0][l], states[1][l], states[2][l], states[3][l]];
            }
        }
    }

    /// Lane `l`'s next 64 bytes into `block`, moving it on; false if they
    /// are not all kept.
    fn next_block(&mut self, l: usize, block: &mut [u8; 64]) -> bool {
        let Some(x) = &mut self.lanes[l] else {
            return false;
        };
        let i = x.seq.wrapping_sub(self.front_seq) as usize;
        let hit = self
            .chunks
            .get(i)
            .filter(|(s, c)| *s <= x.pos && x.pos + 64 <= s + c.len() as u64);
        let Some((s, c)) = hit else {
            // Across a chunk boundary, or not found yet: the slow way.
            let at = x.pos;
            if !self.copy(at, block) {
                return false;
            }
            let i = self
                .chunks
                .partition_point(|(s, c)| s + c.len() as u64 <= at + 64);
            if let Some(x) = &mut self.lanes[l] {
                x.pos += 64;
                x.seq = self.front_seq + i as u64;
            }
            return true;
        };
        let from = (x.pos - s) as usize;
        block.copy_from_slice(&c[from..from + 64]);
        x.pos += 64;
        self.stats.in_place += 1;
        true
    }

    /// Every whole block of lane `l` received so far, one at a time.
    fn alone(&mut self, l: usize) {
        let mut block = [0u8; 64];
        while self.has_block(l) {
            let Some(x) = &self.lanes[l] else { return };
            let (pos, mut state) = (x.pos, x.state);
            if !self.copy(pos, &mut block) {
                self.lanes[l] = None;
                return;
            }
            md5x8::compress(&mut state, &block);
            self.stats.alone += 1;
            if let Some(x) = &mut self.lanes[l] {
                (x.state, x.pos) = (state, pos + 64);
            }
        }
    }

    /// Bytes of stream kept.
    fn kept(&self) -> u64 {
        self.chunks.front().map_or(0, |(s, _)| self.head - s)
    }

    /// Copy `out.len()` bytes of the stream from offset `at`; false if
    /// they are not all kept (a stream with a hole in it: the file then
    /// gets no answer, and the caller's count says the stream is broken).
    #[must_use]
    fn copy(&self, mut at: u64, out: &mut [u8]) -> bool {
        let mut i = self
            .chunks
            .partition_point(|(s, c)| s + c.len() as u64 <= at);
        let mut filled = 0;
        while filled < out.len() {
            let Some((s, c)) = self.chunks.get(i) else {
                return false;
            };
            let Some(from) = at.checked_sub(*s).map(|f| f as usize) else {
                return false;
            };
            let n = (c.len() - from).min(out.len() - filled);
            out[filled..filled + n].copy_from_slice(&c[from..from + n]);
            (filled, at, i) = (filled + n, at + n as u64, i + 1);
        }
        true
    }

    /// Let go of the chunks no lane or waiting file needs.
    fn release(&mut self) {
        let lanes = self.lanes.iter().flatten().map(|x| x.pos);
        let need = lanes
            .chain(self.waiting.front().map(|j| j.start))
            .min()
            .unwrap_or(u64::MAX);
        while let Some((s, c)) = self.chunks.front() {
            if s + c.len() as u64 > need {
                break;
            }
            self.chunks.pop_front();
            self.front_seq += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use md5::Digest as _;

    use super::*;
    use crate::layer::noise as bytes;
    use crate::layer::pkgfile::PkgDigests;

    /// A stream of files (and gaps between them), cut into chunks of
    /// `chunk` bytes, through the lanes; every file's MD5 must match.
    fn check(sizes: &[usize], gap: usize, chunk: usize, window: u64) -> Stats {
        let Some(kernel) = Kernel::detect() else {
            eprintln!("SKIP lanes: this CPU has no AVX2");
            return Stats::default();
        };
        let md5_only = PkgDigests {
            md5: true,
            sha1: false,
        };
        let mut stream = Vec::new();
        let mut jobs = Vec::new();
        for (slot, &n) in sizes.iter().enumerate() {
            stream.extend(bytes(slot as u64 + 99, gap));
            let start = stream.len() as u64;
            stream.extend(bytes(slot as u64 + 1, n));
            jobs.push(Job {
                slot,
                start,
                len: n as u64,
                pkg: md5_only,
            });
        }
        let mut lanes = Lanes::with_window(kernel, window);
        let mut done = Vec::new();
        let mut next = jobs.iter().peekable();
        let mut most_kept = 0;
        for (i, c) in stream.chunks(chunk).enumerate() {
            let start = (i * chunk) as u64;
            // Jobs reach the worker before the chunk with their start.
            while let Some(j) = next.next_if(|j| j.start < start + c.len() as u64) {
                lanes.push(*j);
            }
            lanes.feed(start, &Arc::new(c.to_vec()), &mut done);
            most_kept = most_kept.max(lanes.kept());
        }
        let stats = lanes.finish(&mut done);
        assert!(
            most_kept <= window + LANE_MAX + chunk as u64,
            "kept {most_kept} bytes, window {window}"
        );
        done.sort();
        assert_eq!(done.len(), jobs.len(), "every file came back");
        for (j, (slot, md5)) in jobs.iter().zip(&done) {
            assert_eq!(j.slot, *slot);
            let range = j.start as usize..(j.start + j.len) as usize;
            let want: [u8; 16] = md5::Md5::digest(&stream[range]).into();
            assert_eq!(*md5, want, "file {slot} of {} bytes", j.len);
        }
        stats
    }

    #[test]
    fn small_files_in_a_tar_are_hashed_side_by_side_in_place() {
        // 300 files of 1-12 KiB, each after a 512-byte header, in 64 KiB
        // chunks: as a Debian layer looks to the package worker.
        let sizes: Vec<usize> = (0..300).map(|i| 1024 + i * 37 % 11_000).collect();
        let stats = check(&sizes, 512, 65_536, WINDOW);
        if stats == Stats::default() {
            return; // no AVX2: skipped above
        }
        let blocks: u64 = sizes.iter().map(|&n| n as u64 / 64).sum();
        // Every whole block but those of the last few files in the lanes,
        // nearly all read in place; none moved on alone for lack of room.
        assert!(stats.in_lanes * 10 >= blocks * 9, "{stats:?} of {blocks}");
        assert!(stats.in_place * 10 >= stats.in_lanes * 9, "{stats:?}");
        assert!(stats.alone * 100 <= blocks, "{stats:?} of {blocks}");
    }

    #[test]
    fn every_padding_boundary_in_every_lane() {
        let sizes: Vec<usize> = (1..=200)
            .chain([55, 56, 63, 64, 65, 119, 120, 128])
            .collect();
        check(&sizes, 0, 1000, WINDOW);
        check(&sizes, 513, 64, WINDOW);
        check(&sizes, 7, 4096, WINDOW);
    }

    #[test]
    fn a_large_file_among_small_ones_is_moved_on_alone_past_the_window() {
        // One file near LANE_MAX, then many small ones: with a 64 KiB
        // window, the big lane holds the window and is moved on alone.
        let mut sizes = vec![3000, LANE_MAX as usize, 10];
        sizes.extend((0..300).map(|i| 100 + i * 37));
        check(&sizes, 100, 65536, 64 << 10);
        check(&sizes, 0, 4096, WINDOW);
    }

    #[test]
    fn lanes_take_md5_only_files_up_to_the_limit() {
        let job = |len, md5, sha1| Job {
            slot: 0,
            start: 0,
            len,
            pkg: PkgDigests { md5, sha1 },
        };
        assert!(Lanes::takes(&job(LANE_MAX, true, false)));
        // A typical package file.
        assert!(Lanes::takes(&job(4096, true, false)));
        assert!(!Lanes::takes(&job(LANE_MAX + 1, true, false)));
        assert!(!Lanes::takes(&job(10, true, true)));
        assert!(!Lanes::takes(&job(10, false, true)));
    }
}
