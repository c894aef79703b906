//! Go binaries: the pclntab header (found by its magic, Go 1.16 and later)
//! names the function-name table, which survives `-s -w` stripping; the
//! `.go.buildinfo` blob holds the Go version and the module list. Parsing is
//! bounded and never trusts an offset it has not checked.

use std::collections::BTreeSet;

/// Go functions the analyses care about, by exact name.
pub mod funcs {
    /// An HTTP or FTP client, or a raw outgoing connection.
    pub const CLIENT: &[&str] = &[
        "net/http.(*Client).Do",
        "net/http.(*Client).do",
        "net/http.(*Client).Get",
        "net/http.Get",
        "net/http.Post",
        "github.com/jlaffaye/ftp.Dial",
        "github.com/jlaffaye/ftp.DialTimeout",
        "net.Dial",
        "net.DialTimeout",
    ];
    /// Writing a file.
    pub const WRITE: &[&str] = &[
        "os.WriteFile",
        "io/ioutil.WriteFile",
        "os.Create",
        "os.OpenFile",
    ];
    /// Making a file executable.
    pub const CHMOD: &[&str] = &[
        "os.Chmod",
        "os.chmod",
        "os.(*File).Chmod",
        "os.(*File).chmod",
        "syscall.Chmod",
        "syscall.Fchmod",
        "syscall.Fchmodat",
    ];
    /// Running a program.
    pub const EXEC: &[&str] = &[
        "os/exec.(*Cmd).Start",
        "os/exec.(*Cmd).Run",
        "os/exec.Command",
        "os.StartProcess",
        "syscall.Exec",
        "syscall.ForkExec",
        "golang.org/x/sys/unix.Exec",
    ];
    /// Serving HTTP.
    pub const SERVER: &[&str] = &[
        "net/http.(*Server).Serve",
        "net/http.ListenAndServe",
        "net.Listen",
    ];

    pub fn interesting(name: &str) -> bool {
        [CLIENT, WRITE, CHMOD, EXEC, SERVER]
            .iter()
            .any(|l| l.contains(&name))
    }
}

/// The parts of a pclntab header the name table needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PclnHeader {
    /// Offsets from the header's start.
    pub funcname_off: u64,
    pub funcname_len: u64,
    pub nfunc: u64,
}

impl PclnHeader {
    /// Parse a header at the start of `b` (little-endian, Go 1.16+); None
    /// unless every field is plausible.
    pub fn parse(b: &[u8]) -> Option<PclnHeader> {
        let magic = u32::from_le_bytes(b.get(..4)?.try_into().ok()?);
        let (min_lc, ptr) = (*b.get(6)?, *b.get(7)? as usize);
        if b.get(4..6)? != [0, 0] || !matches!(min_lc, 1 | 2 | 4) || !matches!(ptr, 4 | 8) {
            return None;
        }
        let word = |i: usize| -> Option<u64> {
            let o = 8 + i * ptr;
            let w = b.get(o..o + ptr)?;
            Some(if ptr == 8 {
                u64::from_le_bytes(w.try_into().ok()?)
            } else {
                u32::from_le_bytes(w.try_into().ok()?) as u64
            })
        };
        // Go 1.18 added textStart after nfiles.
        let first = match magic {
            0xffff_fff0 | 0xffff_fff1 => 3,
            0xffff_fffa => 2,
            _ => return None,
        };
        let nfunc = word(0)?;
        let (name, cu, file, pc, pcln) = (
            word(first)?,
            word(first + 1)?,
            word(first + 2)?,
            word(first + 3)?,
            word(first + 4)?,
        );
        let header_len = (8 + (first + 5) * ptr) as u64;
        let ordered = header_len <= name && name < cu && cu <= file && file <= pc && pc <= pcln;
        if !(1..10_000_000).contains(&nfunc) || !ordered || cu - name > 1 << 30 {
            return None;
        }
        Some(PclnHeader {
            funcname_off: name,
            funcname_len: cu - name,
            nfunc,
        })
    }
}

/// What the function-name table says.
pub struct Names {
    pub count: usize,
    pub interesting: BTreeSet<String>,
}

/// Split a function-name table (NUL-terminated names).
pub fn function_names(table: &[u8]) -> Names {
    let mut out = Names {
        count: 0,
        interesting: BTreeSet::new(),
    };
    for name in table.split(|&b| b == 0) {
        if name.is_empty() {
            continue;
        }
        out.count += 1;
        if let Ok(n) = std::str::from_utf8(name)
            && funcs::interesting(n)
        {
            out.interesting.insert(n.to_string());
        }
    }
    out
}

/// Go version and modules from `.go.buildinfo`.
pub struct BuildInfo {
    pub version: String,
    /// `path@version` of the main module and each dependency.
    pub modules: Vec<String>,
}

const MAX_MODULES: usize = 500;

/// Parse a `.go.buildinfo` blob starting at its magic (Go 1.18+ layout,
/// strings inline after the 32-byte header).
pub fn buildinfo(b: &[u8]) -> Option<BuildInfo> {
    if !b.starts_with(b"\xff Go buildinf:") || b.get(15)? & 2 == 0 {
        return None;
    }
    let mut rest = b.get(32..)?;
    let mut string = || -> Option<&[u8]> {
        let (len, n) = uvarint(rest)?;
        let len = usize::try_from(len).ok()?;
        let s = rest.get(n..n.checked_add(len)?)?;
        rest = &rest[n + len..];
        Some(s)
    };
    let version = String::from_utf8_lossy(string()?).into_owned();
    let modinfo = string().unwrap_or_default();
    // The module info is framed by 16-byte sentinels.
    let modinfo = if modinfo.len() >= 32 {
        &modinfo[16..modinfo.len() - 16]
    } else {
        modinfo
    };
    let mut modules = Vec::new();
    for line in String::from_utf8_lossy(modinfo).lines() {
        let mut f = line.split('\t');
        if let (Some("mod" | "dep"), Some(path), Some(ver)) = (f.next(), f.next(), f.next())
            && modules.len() < MAX_MODULES
        {
            modules.push(format!("{path}@{ver}"));
        }
    }
    Some(BuildInfo { version, modules })
}

fn uvarint(b: &[u8]) -> Option<(u64, usize)> {
    let mut v = 0u64;
    for (i, &byte) in b.iter().take(10).enumerate() {
        v |= ((byte & 0x7f) as u64) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pcln_header_checks_every_field() {
        let mut h = vec![0xf1, 0xff, 0xff, 0xff, 0, 0, 1, 8];
        for w in [3u64, 1, 0x401000, 72, 100, 120, 130, 140] {
            h.extend_from_slice(&w.to_le_bytes());
        }
        let p = PclnHeader::parse(&h).unwrap();
        assert_eq!((p.funcname_off, p.funcname_len, p.nfunc), (72, 28, 3));
        let mut bad = h.clone();
        bad[8 + 4 * 8..8 + 5 * 8].copy_from_slice(&60u64.to_le_bytes()); // cu < funcname
        assert_eq!(PclnHeader::parse(&bad), None);
        assert_eq!(PclnHeader::parse(&h[..40]), None);
        let names = function_names(b"main.main\0os.Chmod\0net/http.(*Client).Do\0");
        assert_eq!(names.count, 3);
        assert_eq!(names.interesting.len(), 2);
    }

    #[test]
    fn buildinfo_modules() {
        let mut b = b"\xff Go buildinf:\x08\x02".to_vec();
        b.resize(32, 0);
        let ver = b"go1.19.8";
        let modinfo = format!(
            "{}path\tx\nmod\texample.com/x\t(devel)\t\ndep\tgolang.org/x/net\tv0.1.0\th1:abc\n{}",
            "0".repeat(16),
            "1".repeat(16)
        );
        b.push(ver.len() as u8);
        b.extend_from_slice(ver);
        b.push(modinfo.len() as u8);
        b.extend_from_slice(modinfo.as_bytes());
        let bi = buildinfo(&b).unwrap();
        assert_eq!(bi.version, "go1.19.8");
        assert_eq!(
            bi.modules,
            vec!["example.com/x@(devel)", "golang.org/x/net@v0.1.0"]
        );
        assert!(buildinfo(&b[..20]).is_none());
    }
}
