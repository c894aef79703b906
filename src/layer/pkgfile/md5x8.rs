//! MD5 compression for eight independent messages at once (AVX2, one
//! 32-bit lane per message), and the one-message compression and padding
//! that finish a lane's file alone (the `md5` crate cannot resume from a
//! raw state, so these few lines are ours; both are checked against it).
//! MD5 is a serial chain within one message, so its speed comes from
//! hashing several files side by side: dpkg's checksums cover every file
//! of a Debian image, most of them small (`layer::ranged::lanes` feeds
//! the lanes). Where AVX2 is missing, [`Kernel::detect`] says so and
//! callers hash one file at a time with the `md5` crate.

/// Per-step additive constants (`floor(abs(sin(i + 1)) * 2^32)`).
const K: [u32; 64] = [
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
];

/// Left-rotation of each step.
const S: [u32; 64] = [
    7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9,
    14, 20, 5, 9, 14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15,
    21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
];

/// The state of a fresh MD5.
pub const INIT: [u32; 4] = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];

/// Message word used by step `i`.
const fn word(i: usize) -> usize {
    match i / 16 {
        0 => i,
        1 => (5 * i + 1) % 16,
        2 => (3 * i + 5) % 16,
        _ => (7 * i) % 16,
    }
}

/// One 64-byte block of one message.
pub fn compress(state: &mut [u32; 4], block: &[u8; 64]) {
    let mut m = [0u32; 16];
    for (w, b) in m.iter_mut().zip(block.chunks_exact(4)) {
        *w = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    }
    let [mut a, mut b, mut c, mut d] = *state;
    for i in 0..64 {
        let f = match i / 16 {
            0 => d ^ (b & (c ^ d)),
            1 => c ^ (d & (b ^ c)),
            2 => b ^ c ^ d,
            _ => c ^ (b | !d),
        };
        let t = a
            .wrapping_add(f)
            .wrapping_add(K[i])
            .wrapping_add(m[word(i)])
            .rotate_left(S[i]);
        (a, b, c, d) = (d, b.wrapping_add(t), b, c);
    }
    for (s, v) in state.iter_mut().zip([a, b, c, d]) {
        *s = s.wrapping_add(v);
    }
}

/// The end of a message: its last `tail` bytes (under 64) and the padding
/// with the message's length in bits; returns the digest.
pub fn finish(mut state: [u32; 4], tail: &[u8], len: u64) -> [u8; 16] {
    debug_assert!(tail.len() < 64);
    let mut block = [0u8; 64];
    block[..tail.len()].copy_from_slice(tail);
    block[tail.len()] = 0x80;
    if tail.len() >= 56 {
        compress(&mut state, &block);
        block = [0u8; 64];
    }
    block[56..].copy_from_slice(&len.wrapping_mul(8).to_le_bytes());
    compress(&mut state, &block);
    let mut out = [0u8; 16];
    for (o, s) in out.chunks_exact_mut(4).zip(state) {
        o.copy_from_slice(&s.to_le_bytes());
    }
    out
}

/// Eight states, word-major: `s[k][lane]` is word `k` of lane `lane`.
pub type States = [[u32; 8]; 4];
/// Eight blocks, word-major: `m[w][lane]` is message word `w` of the
/// block of lane `lane` (little-endian, as MD5 reads them).
pub type Words = [[u32; 8]; 16];

/// The eight-lane compression function, when this CPU has it: AVX2, or
/// AVX-512VL's rotate and three-input logic on the same eight lanes
/// (fewer instructions on each step's dependency chain).
#[derive(Clone, Copy, Debug)]
pub struct Kernel {
    avx512: bool,
}

impl Kernel {
    /// The kernel, if the CPU supports AVX2 (checked once per call site
    /// by the standard library's cached detection).
    pub fn detect() -> Option<Kernel> {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            let avx512 = std::arch::is_x86_feature_detected!("avx512f")
                && std::arch::is_x86_feature_detected!("avx512vl");
            return Some(Kernel { avx512 });
        }
        None
    }

    /// The AVX2 kernel even where AVX-512VL is there (to test both).
    #[cfg(test)]
    fn without_avx512(self) -> Kernel {
        Kernel { avx512: false }
    }

    /// One block in each of the eight lanes.
    pub fn compress8(self, state: &mut States, m: &Words) {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: a `Kernel` exists only where `detect` found AVX2, and
        // says AVX-512VL only where it found that too.
        unsafe {
            if self.avx512 {
                avx2::compress8_avx512(state, m)
            } else {
                avx2::compress8(state, m)
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            let _ = (state, m);
            unreachable!("no Kernel is made without AVX2")
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::*;

    use super::{K, States, Words, word};

    macro_rules! step {
        ($f:ident, $a:ident, $b:ident, $c:ident, $d:ident, $m:ident, $i:expr, $s:literal) => {
            let f = $f($b, $c, $d);
            let t = _mm256_add_epi32(
                _mm256_add_epi32($a, f),
                _mm256_add_epi32(_mm256_set1_epi32(K[$i] as i32), $m[word($i)]),
            );
            let r = _mm256_or_si256(
                _mm256_slli_epi32::<$s>(t),
                _mm256_srli_epi32::<{ 32 - $s }>(t),
            );
            $a = _mm256_add_epi32($b, r);
        };
    }

    /// Four steps of one round, the variables rotating as MD5 does.
    macro_rules! four {
        ($f:ident, $a:ident, $b:ident, $c:ident, $d:ident, $m:ident, $i:expr,
         $s0:literal, $s1:literal, $s2:literal, $s3:literal) => {
            step!($f, $a, $b, $c, $d, $m, $i, $s0);
            step!($f, $d, $a, $b, $c, $m, $i + 1, $s1);
            step!($f, $c, $d, $a, $b, $m, $i + 2, $s2);
            step!($f, $b, $c, $d, $a, $m, $i + 3, $s3);
        };
    }

    #[inline]
    #[target_feature(enable = "avx2")]
    fn ff(b: __m256i, c: __m256i, d: __m256i) -> __m256i {
        _mm256_xor_si256(d, _mm256_and_si256(b, _mm256_xor_si256(c, d)))
    }
    #[inline]
    #[target_feature(enable = "avx2")]
    fn gg(b: __m256i, c: __m256i, d: __m256i) -> __m256i {
        _mm256_xor_si256(c, _mm256_and_si256(d, _mm256_xor_si256(b, c)))
    }
    #[inline]
    #[target_feature(enable = "avx2")]
    fn hh(b: __m256i, c: __m256i, d: __m256i) -> __m256i {
        _mm256_xor_si256(_mm256_xor_si256(b, c), d)
    }
    #[inline]
    #[target_feature(enable = "avx2")]
    fn ii(b: __m256i, c: __m256i, d: __m256i) -> __m256i {
        let not_d = _mm256_xor_si256(d, _mm256_set1_epi32(-1));
        _mm256_xor_si256(c, _mm256_or_si256(b, not_d))
    }

    /// The whole compression of eight lanes: load, 64 steps with the four
    /// round functions given (`$four` is the four-step macro of the
    /// kernel, `$f`…`$i` its round-function arguments), add and store.
    macro_rules! compress_body {
        ($four:ident, $f:tt, $g:tt, $h:tt, $i:tt, $state:ident, $words:ident) => {{
            // SAFETY (loads and stores): each row is eight u32, 32 bytes;
            // the unaligned forms need no alignment.
            let load = |row: &[u32; 8]| unsafe { _mm256_loadu_si256(row.as_ptr().cast()) };
            let m: [__m256i; 16] = std::array::from_fn(|w| load(&$words[w]));
            let (a0, b0, c0, d0) = (
                load(&$state[0]),
                load(&$state[1]),
                load(&$state[2]),
                load(&$state[3]),
            );
            let (mut a, mut b, mut c, mut d) = (a0, b0, c0, d0);
            $four!($f, a, b, c, d, m, 0, 7, 12, 17, 22);
            $four!($f, a, b, c, d, m, 4, 7, 12, 17, 22);
            $four!($f, a, b, c, d, m, 8, 7, 12, 17, 22);
            $four!($f, a, b, c, d, m, 12, 7, 12, 17, 22);
            $four!($g, a, b, c, d, m, 16, 5, 9, 14, 20);
            $four!($g, a, b, c, d, m, 20, 5, 9, 14, 20);
            $four!($g, a, b, c, d, m, 24, 5, 9, 14, 20);
            $four!($g, a, b, c, d, m, 28, 5, 9, 14, 20);
            $four!($h, a, b, c, d, m, 32, 4, 11, 16, 23);
            $four!($h, a, b, c, d, m, 36, 4, 11, 16, 23);
            $four!($h, a, b, c, d, m, 40, 4, 11, 16, 23);
            $four!($h, a, b, c, d, m, 44, 4, 11, 16, 23);
            $four!($i, a, b, c, d, m, 48, 6, 10, 15, 21);
            $four!($i, a, b, c, d, m, 52, 6, 10, 15, 21);
            $four!($i, a, b, c, d, m, 56, 6, 10, 15, 21);
            $four!($i, a, b, c, d, m, 60, 6, 10, 15, 21);
            for (row, (v, v0)) in $state.iter_mut().zip([(a, a0), (b, b0), (c, c0), (d, d0)]) {
                // SAFETY: as for the loads above.
                unsafe { _mm256_storeu_si256(row.as_mut_ptr().cast(), _mm256_add_epi32(v, v0)) };
            }
        }};
    }

    macro_rules! step512 {
        ($imm:literal, $a:ident, $b:ident, $c:ident, $d:ident, $m:ident, $i:expr, $s:literal) => {
            let f = _mm256_ternarylogic_epi32::<$imm>($b, $c, $d);
            let t = _mm256_add_epi32(
                _mm256_add_epi32($a, f),
                _mm256_add_epi32(_mm256_set1_epi32(K[$i] as i32), $m[word($i)]),
            );
            $a = _mm256_add_epi32($b, _mm256_rol_epi32::<$s>(t));
        };
    }

    macro_rules! four512 {
        ($imm:literal, $a:ident, $b:ident, $c:ident, $d:ident, $m:ident, $i:expr,
         $s0:literal, $s1:literal, $s2:literal, $s3:literal) => {
            step512!($imm, $a, $b, $c, $d, $m, $i, $s0);
            step512!($imm, $d, $a, $b, $c, $m, $i + 1, $s1);
            step512!($imm, $c, $d, $a, $b, $m, $i + 2, $s2);
            step512!($imm, $b, $c, $d, $a, $m, $i + 3, $s3);
        };
    }

    /// [`compress8`] with AVX-512VL: the round functions as one
    /// three-input logic instruction (F `0xCA`: b ? c : d; G `0xE4`:
    /// d ? b : c; H `0x96`: b ^ c ^ d; I `0x39`: c ^ (b | !d)) and the
    /// rotation as one instruction.
    ///
    /// # Safety
    /// The CPU must support AVX2, AVX-512F and AVX-512VL.
    #[target_feature(enable = "avx2,avx512f,avx512vl")]
    pub unsafe fn compress8_avx512(state: &mut States, words: &Words) {
        compress_body!(four512, 0xCA, 0xE4, 0x96, 0x39, state, words)
    }

    /// # Safety
    /// The CPU must support AVX2.
    #[target_feature(enable = "avx2")]
    pub unsafe fn compress8(state: &mut States, words: &Words) {
        compress_body!(four, ff, gg, hh, ii, state, words)
    }
}

#[cfg(test)]
mod tests {
    use md5::Digest as _;

    use super::*;
    use crate::layer::noise as bytes;

    fn one(data: &[u8]) -> [u8; 16] {
        let mut state = INIT;
        let blocks = data.chunks_exact(64);
        let tail = blocks.remainder();
        for b in blocks {
            compress(&mut state, b.try_into().unwrap());
        }
        finish(state, tail, data.len() as u64)
    }

    #[test]
    fn one_message_matches_the_md5_crate_at_every_padding_boundary() {
        for n in (0..200).chain([1000, 4095, 4096, 65_537]) {
            let data = bytes(n as u64 + 7, n);
            let want: [u8; 16] = md5::Md5::digest(&data).into();
            assert_eq!(one(&data), want, "length {n}");
        }
        // RFC 1321's test suite.
        assert_eq!(hex::encode(one(b"")), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(
            hex::encode(one(b"message digest")),
            "f96b697d7cb7938d525a2f31aaf161d0"
        );
    }

    #[test]
    fn eight_lanes_match_eight_single_messages() {
        let Some(k) = Kernel::detect() else {
            eprintln!("SKIP eight_lanes_match_eight_single_messages: this CPU has no AVX2");
            return;
        };
        if !k.avx512 {
            eprintln!("SKIP eight_lanes_match_eight_single_messages (AVX-512VL): not on this CPU");
        }
        for k in [k, k.without_avx512()] {
            lanes_match(k);
        }
    }

    fn lanes_match(k: Kernel) {
        // Eight messages of different lengths and contents; each step
        // gives every lane its next block (a lane past its end gets zeros
        // and is ignored).
        let msgs: Vec<Vec<u8>> = (0..8)
            .map(|l| bytes(l + 1, 64 * (l as usize + 3)))
            .collect();
        let mut lanes: States = [[0; 8]; 4];
        for (k, row) in lanes.iter_mut().enumerate() {
            *row = [INIT[k]; 8];
        }
        let mut singles = [INIT; 8];
        for step in 0..10 {
            let mut m: Words = [[0; 8]; 16];
            for (l, msg) in msgs.iter().enumerate() {
                if let Some(block) = msg.chunks_exact(64).nth(step) {
                    for (w, b) in block.chunks_exact(4).enumerate() {
                        m[w][l] = u32::from_le_bytes(b.try_into().unwrap());
                    }
                    compress(&mut singles[l], block.try_into().unwrap());
                }
            }
            let before = lanes;
            k.compress8(&mut lanes, &m);
            for (l, msg) in msgs.iter().enumerate() {
                if msg.chunks_exact(64).nth(step).is_none() {
                    for w in 0..4 {
                        lanes[w][l] = before[w][l]; // as the scheduler does
                    }
                }
            }
        }
        for (l, single) in singles.iter().enumerate() {
            let lane = [lanes[0][l], lanes[1][l], lanes[2][l], lanes[3][l]];
            assert_eq!(&lane, single, "lane {l}");
            let want: [u8; 16] = md5::Md5::digest(&msgs[l]).into();
            assert_eq!(finish(lane, &[], msgs[l].len() as u64), want, "lane {l}");
        }
    }
}
