//! System calls in machine code: each system-call instruction (`syscall` on
//! x86-64, `svc #0` on aarch64) with the call number loaded just before it
//! (into eax/rax, or w8/x8). A static binary carries only the libc wrappers
//! it uses, so the calls found say what the program can do even when it is
//! stripped. Only the bytes around each candidate instruction are decoded
//! (x86-64 with `iced-x86`, from several start offsets until one lands on the
//! instruction; aarch64 instructions are fixed-size and read directly), which
//! keeps the cost to a few microseconds per call site.

use std::ops::Range;

use iced_x86::{Code, Decoder, DecoderOptions, Mnemonic, OpKind, Register};

/// Architectures whose code is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arch {
    X86_64,
    Aarch64,
}

impl Arch {
    pub fn name(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86-64",
            Arch::Aarch64 => "aarch64",
        }
    }
}

/// Bytes decoded before an x86-64 `syscall`, at most.
const X86_BACK: usize = 24;
/// Instructions looked at before an aarch64 `svc`, at most.
const ARM_BACK: usize = 8;

/// The call numbers of the system-call instructions at positions in `at` of
/// `code` (`align`: offset of `code[0]` from a 4-byte instruction boundary).
/// Bytes of `code` before `at.start` are context only.
pub fn find(arch: Arch, code: &[u8], at: Range<usize>, align: usize) -> Vec<u64> {
    let mut out = Vec::new();
    let end = (at.end + 4).min(code.len());
    if at.start >= end {
        return out;
    }
    match arch {
        Arch::X86_64 => {
            for rel in memchr::memmem::find_iter(&code[at.start..end], b"\x0f\x05") {
                let p = at.start + rel;
                if p < at.end
                    && p + 2 <= code.len()
                    && let Some(nr) = x86_number(code, p)
                    && !out.contains(&nr)
                {
                    out.push(nr);
                }
            }
        }
        Arch::Aarch64 => {
            for rel in memchr::memmem::find_iter(&code[at.start..end], b"\x01\x00\x00\xd4") {
                let p = at.start + rel;
                if p < at.end
                    && (align + p).is_multiple_of(4)
                    && let Some(nr) = arm_number(code, p)
                    && !out.contains(&nr)
                {
                    out.push(nr);
                }
            }
        }
    }
    out
}

/// The value in eax/rax at the `syscall` at `p`, when a decoding that
/// lands on it sets it from a constant.
fn x86_number(code: &[u8], p: usize) -> Option<u64> {
    for back in (1..=X86_BACK.min(p)).rev() {
        let s = p - back;
        let mut dec = Decoder::with_ip(64, &code[s..p + 2], s as u64, DecoderOptions::NONE);
        let mut rax: Option<u64> = None;
        while dec.can_decode() {
            let ins = dec.decode();
            if ins.is_invalid() {
                break;
            }
            let ip = ins.ip() as usize;
            if ip == p {
                if ins.code() == Code::Syscall
                    && let Some(v) = rax
                {
                    return Some(v);
                }
                break;
            }
            if ip > p || ip + ins.len() > p {
                break; // not in step with the syscall
            }
            let writes_rax = ins.op_count() > 0
                && ins.op0_kind() == OpKind::Register
                && matches!(
                    ins.op0_register(),
                    Register::RAX | Register::EAX | Register::AX | Register::AL | Register::AH
                );
            if !writes_rax {
                continue;
            }
            rax = match ins.mnemonic() {
                Mnemonic::Mov if ins.op_count() == 2 && is_immediate(ins.op1_kind()) => {
                    Some(ins.immediate(1))
                }
                Mnemonic::Xor
                    if ins.op1_kind() == OpKind::Register
                        && ins.op1_register() == ins.op0_register() =>
                {
                    Some(0)
                }
                _ => None,
            };
        }
    }
    None
}

fn is_immediate(k: OpKind) -> bool {
    matches!(
        k,
        OpKind::Immediate8
            | OpKind::Immediate16
            | OpKind::Immediate32
            | OpKind::Immediate64
            | OpKind::Immediate32to64
            | OpKind::Immediate8to32
            | OpKind::Immediate8to64
    )
}

/// The constant moved into w8/x8 shortly before the `svc #0` at `p`.
fn arm_number(code: &[u8], p: usize) -> Option<u64> {
    for k in 1..=ARM_BACK {
        let q = p.checked_sub(4 * k)?;
        let insn = u32::from_le_bytes(code[q..q + 4].try_into().ok()?);
        // MOVZ w8/x8, #imm16 (no shift).
        if insn & 0x7fe0_001f == 0x5280_0008 {
            return Some(((insn >> 5) & 0xffff) as u64);
        }
        if insn & 0x1f == 8 {
            return None; // something else sets x8 (or it is a store of x8)
        }
    }
    None
}

/// Names of the calls the analyses use.
pub fn name(arch: Arch, nr: u64) -> Option<&'static str> {
    Some(match (arch, nr) {
        (Arch::X86_64, 1) | (Arch::Aarch64, 64) => "write",
        (Arch::X86_64, 2) => "open",
        (Arch::X86_64, 257) | (Arch::Aarch64, 56) => "openat",
        (Arch::X86_64, 41) | (Arch::Aarch64, 198) => "socket",
        (Arch::X86_64, 42) | (Arch::Aarch64, 203) => "connect",
        (Arch::X86_64, 90) => "chmod",
        (Arch::X86_64, 91) | (Arch::Aarch64, 52) => "fchmod",
        (Arch::X86_64, 268) | (Arch::Aarch64, 53) => "fchmodat",
        (Arch::X86_64 | Arch::Aarch64, 452) => "fchmodat2",
        (Arch::X86_64, 59) | (Arch::Aarch64, 221) => "execve",
        (Arch::X86_64, 322) | (Arch::Aarch64, 281) => "execveat",
        (Arch::X86_64, 56) | (Arch::Aarch64, 220) => "clone",
        (Arch::X86_64 | Arch::Aarch64, 435) => "clone3",
        (Arch::X86_64, 57) => "fork",
        (Arch::X86_64, 58) => "vfork",
        (Arch::X86_64, 319) | (Arch::Aarch64, 279) => "memfd_create",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn x86_syscall_numbers_from_the_instructions_before() {
        // mov eax, 0x2a; syscall | mov r10, rcx; mov eax, 0x3b; syscall
        let code = [
            0x90, 0x90, 0xb8, 0x2a, 0, 0, 0, 0x0f, 0x05, 0x49, 0x89, 0xca, 0xb8, 0x3b, 0, 0, 0,
            0x0f, 0x05,
        ];
        assert_eq!(find(Arch::X86_64, &code, 0..code.len(), 0), vec![42, 59]);
        // eax overwritten from memory before the call: unknown number.
        let code = [0xb8, 0x2a, 0, 0, 0, 0x8b, 0x07, 0x0f, 0x05];
        assert!(find(Arch::X86_64, &code, 0..code.len(), 0).is_empty());
        // Candidates before the range are context only.
        let code = [0xb8, 0x29, 0, 0, 0, 0x0f, 0x05];
        assert!(find(Arch::X86_64, &code, 6..7, 0).is_empty());
    }

    #[test]
    fn arm_syscall_numbers_from_x8() {
        let movz_w8 = |n: u32| (0x5280_0008u32 | (n << 5)).to_le_bytes();
        let mut code = Vec::new();
        code.extend_from_slice(&movz_w8(221));
        code.extend_from_slice(&0xaa0103e0u32.to_le_bytes()); // mov x0, x1
        code.extend_from_slice(&0xd4000001u32.to_le_bytes()); // svc #0
        assert_eq!(find(Arch::Aarch64, &code, 0..code.len(), 0), vec![221]);
        assert_eq!(name(Arch::Aarch64, 221), Some("execve"));
        // Misaligned: not an instruction.
        assert!(find(Arch::Aarch64, &code, 0..code.len(), 2).is_empty());
    }
}
