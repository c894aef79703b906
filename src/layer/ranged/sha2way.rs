//! SHA-256 with the x86 SHA extensions, two messages at once when they
//! read the same bytes: a file's data is also part of the tar stream, and
//! in a tar it starts on a 512-byte boundary, so the layer's diff_id and
//! each file's sha256 consume the very same 64-byte blocks. The message
//! schedule of a block is computed once for both, and the two round
//! chains interleave (one alone waits on the latency of each round
//! instruction). Where the CPU lacks the extensions, [`Kernel::detect`]
//! says so and the worker uses [`crate::digest::Hasher`].

use crate::digest::Sha256;

/// Round constants.
const K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

/// The state of a fresh SHA-256.
const INIT: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// The SHA extensions, when this CPU has them.
#[derive(Clone, Copy, Debug)]
pub struct Kernel(());

impl Kernel {
    pub fn detect() -> Option<Kernel> {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("sha")
            && std::arch::is_x86_feature_detected!("sse4.1")
            && std::arch::is_x86_feature_detected!("ssse3")
        {
            return Some(Kernel(()));
        }
        None
    }

    /// Whole blocks of one message.
    fn compress(self, state: &mut [u32; 8], blocks: &[u8]) {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: a `Kernel` exists only where `detect` found the features.
        unsafe {
            ni::compress::<1>([state], blocks)
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            let _ = (state, blocks);
            unreachable!("no Kernel is made without the SHA extensions")
        }
    }

    /// Whole blocks that two messages both read next.
    fn compress2(self, a: &mut [u32; 8], b: &mut [u32; 8], blocks: &[u8]) {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as in `compress`.
        unsafe {
            ni::compress::<2>([a, b], blocks)
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            let _ = (a, b, blocks);
            unreachable!("no Kernel is made without the SHA extensions")
        }
    }
}

/// An incremental SHA-256 on the [`Kernel`].
#[derive(Clone)]
pub struct Sha {
    kernel: Kernel,
    state: [u32; 8],
    buf: [u8; 64],
    buffered: usize,
    len: u64,
}

impl Sha {
    pub fn new(kernel: Kernel) -> Sha {
        Sha {
            kernel,
            state: INIT,
            buf: [0; 64],
            buffered: 0,
            len: 0,
        }
    }

    pub fn update(&mut self, mut data: &[u8]) {
        self.len += data.len() as u64;
        if self.buffered > 0 {
            let n = (64 - self.buffered).min(data.len());
            self.buf[self.buffered..self.buffered + n].copy_from_slice(&data[..n]);
            self.buffered += n;
            data = &data[n..];
            if self.buffered < 64 {
                return;
            }
            let block = self.buf;
            self.kernel.compress(&mut self.state, &block);
            self.buffered = 0;
        }
        let whole = data.len() / 64 * 64;
        self.kernel.compress(&mut self.state, &data[..whole]);
        let rest = &data[whole..];
        self.buf[..rest.len()].copy_from_slice(rest);
        self.buffered = rest.len();
    }

    /// Feed `data` to both `a` and `b`: the whole blocks in one pass when
    /// both are at a block boundary, as a file's data is in its tar.
    pub fn update2(a: &mut Sha, b: &mut Sha, data: &[u8]) {
        if a.buffered != 0 || b.buffered != 0 {
            a.update(data);
            b.update(data);
            return;
        }
        let whole = data.len() / 64 * 64;
        a.kernel
            .compress2(&mut a.state, &mut b.state, &data[..whole]);
        a.len += whole as u64;
        b.len += whole as u64;
        a.update(&data[whole..]);
        b.update(&data[whole..]);
    }

    pub fn finish(mut self) -> Sha256 {
        let bits = self.len.wrapping_mul(8);
        let mut pad = [0u8; 72];
        pad[0] = 0x80;
        let zeros = (119 - (self.len % 64) as usize) % 64;
        pad[1 + zeros..9 + zeros].copy_from_slice(&bits.to_be_bytes());
        self.update(&pad[..9 + zeros]);
        debug_assert_eq!(self.buffered, 0);
        let mut out = [0u8; 32];
        for (o, s) in out.chunks_exact_mut(4).zip(self.state) {
            o.copy_from_slice(&s.to_be_bytes());
        }
        Sha256(out)
    }
}

#[cfg(target_arch = "x86_64")]
mod ni {
    use std::arch::x86_64::*;

    use super::K;

    /// Four rounds of each of the `N` states on one schedule word group.
    #[inline]
    #[target_feature(enable = "sha,sse2")]
    fn rounds4<const N: usize>(
        r: usize,
        abef: &mut [__m128i; N],
        cdgh: &mut [__m128i; N],
        w: __m128i,
    ) {
        let rk = _mm_set_epi32(
            K[4 * r + 3] as i32,
            K[4 * r + 2] as i32,
            K[4 * r + 1] as i32,
            K[4 * r] as i32,
        );
        let t1 = _mm_add_epi32(w, rk);
        let t2 = _mm_shuffle_epi32(t1, 0x0E);
        for i in 0..N {
            cdgh[i] = _mm_sha256rnds2_epu32(cdgh[i], abef[i], t1);
        }
        for i in 0..N {
            abef[i] = _mm_sha256rnds2_epu32(abef[i], cdgh[i], t2);
        }
    }

    /// # Safety
    /// The CPU must have the SHA extensions, SSSE3 and SSE4.1;
    /// `blocks.len()` is a multiple of 64 (a tail is ignored).
    #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
    pub unsafe fn compress<const N: usize>(states: [&mut [u32; 8]; N], blocks: &[u8]) {
        let mut abef = [_mm_setzero_si128(); N];
        let mut cdgh = [_mm_setzero_si128(); N];
        for (i, s) in states.iter().enumerate() {
            // SAFETY: eight u32 are two 16-byte loads; unaligned forms.
            let (dcba, hgfe) = unsafe {
                let p: *const __m128i = s.as_ptr().cast();
                (_mm_loadu_si128(p), _mm_loadu_si128(p.add(1)))
            };
            let cdab = _mm_shuffle_epi32(dcba, 0xB1);
            let efgh = _mm_shuffle_epi32(hgfe, 0x1B);
            abef[i] = _mm_alignr_epi8(cdab, efgh, 8);
            cdgh[i] = _mm_blend_epi16(efgh, cdab, 0xF0);
        }
        let mask = _mm_set_epi64x(0x0C0D_0E0F_0809_0A0B, 0x0405_0607_0001_0203);
        for block in blocks.chunks_exact(64) {
            let (abef_save, cdgh_save) = (abef, cdgh);
            // SAFETY: four 16-byte loads within the 64-byte block.
            let mut w: [__m128i; 4] = std::array::from_fn(|i| unsafe {
                _mm_shuffle_epi8(
                    _mm_loadu_si128(block.as_ptr().cast::<__m128i>().add(i)),
                    mask,
                )
            });
            for (r, &wr) in w.iter().enumerate() {
                rounds4(r, &mut abef, &mut cdgh, wr);
            }
            for r in (4..16).step_by(4) {
                for i in 0..4 {
                    let t1 = _mm_sha256msg1_epu32(w[i], w[(i + 1) % 4]);
                    let t2 = _mm_alignr_epi8(w[(i + 3) % 4], w[(i + 2) % 4], 4);
                    w[i] = _mm_sha256msg2_epu32(_mm_add_epi32(t1, t2), w[(i + 3) % 4]);
                    rounds4(r + i, &mut abef, &mut cdgh, w[i]);
                }
            }
            for i in 0..N {
                abef[i] = _mm_add_epi32(abef[i], abef_save[i]);
                cdgh[i] = _mm_add_epi32(cdgh[i], cdgh_save[i]);
            }
        }
        for (i, s) in states.into_iter().enumerate() {
            let feba = _mm_shuffle_epi32(abef[i], 0x1B);
            let dchg = _mm_shuffle_epi32(cdgh[i], 0xB1);
            let dcba = _mm_blend_epi16(feba, dchg, 0xF0);
            let hgef = _mm_alignr_epi8(dchg, feba, 8);
            // SAFETY: as for the loads above.
            unsafe {
                let p: *mut __m128i = s.as_mut_ptr().cast();
                _mm_storeu_si128(p, dcba);
                _mm_storeu_si128(p.add(1), hgef);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer::noise as bytes;

    #[test]
    fn one_and_two_messages_match_ring_at_every_padding_boundary() {
        let Some(k) = Kernel::detect() else {
            eprintln!("SKIP sha2way: this CPU has no SHA extensions");
            return;
        };
        for n in (0..300).chain([1000, 4096, 65_537, 200_000]) {
            let data = bytes(n as u64 + 3, n);
            let mut one = Sha::new(k);
            // In uneven pieces, to cross block edges inside `update`.
            for piece in data.chunks(37) {
                one.update(piece);
            }
            assert_eq!(one.finish(), Sha256::of(&data), "length {n}");
            // Two messages that share the data after different prefixes:
            // the tar (headers first) and the file (from its start).
            // Pieces of 37 and 101 bytes put either digest (or neither) mid-block
            // at every piece edge.
            for (prefix, piece) in [(0usize, 4096), (64, 4096), (512, 37), (7, 4096), (27, 101)] {
                let head = bytes(9, prefix);
                let (mut tar, mut file) = (Sha::new(k), Sha::new(k));
                tar.update(&head);
                for piece in data.chunks(piece) {
                    Sha::update2(&mut tar, &mut file, piece);
                }
                let whole: Vec<u8> = head.iter().chain(&data).copied().collect();
                assert_eq!(
                    tar.finish(),
                    Sha256::of(&whole),
                    "tar, prefix {prefix}, {n}"
                );
                assert_eq!(
                    file.finish(),
                    Sha256::of(&data),
                    "file, prefix {prefix}, {n}"
                );
            }
        }
    }

    /// `cargo test --release --lib sha2way_speed -- --ignored --nocapture`
    #[test]
    #[ignore = "a measurement, not a check: run in release by hand"]
    fn sha2way_speed() {
        let Some(k) = Kernel::detect() else { return };
        let data = bytes(1, 64 << 20);
        let t = std::time::Instant::now();
        let (mut a, mut b) = (Sha::new(k), Sha::new(k));
        Sha::update2(&mut a, &mut b, &data);
        let two = t.elapsed();
        let t = std::time::Instant::now();
        let (mut c, mut d) = (Sha::new(k), Sha::new(k));
        c.update(&data);
        d.update(&data);
        let apart = t.elapsed();
        let t = std::time::Instant::now();
        let (mut e, mut f) = (crate::digest::Hasher::new(), crate::digest::Hasher::new());
        e.update(&data);
        f.update(&data);
        let ring = t.elapsed();
        assert_eq!(a.finish(), c.finish());
        assert_eq!(b.finish(), e.finish());
        eprintln!("64 MiB into two digests: together {two:?}, apart {apart:?}, ring {ring:?}");
    }
}
