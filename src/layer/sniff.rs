//! What a file's first bytes say it is: a native binary (ELF, PE, Mach-O), a
//! script (`#!`), or data. Cheap, and done for every regular file.

use crate::model::ContentKind;

/// Sniffing (the kind itself is vocabulary).
impl ContentKind {
    /// Detect from the first bytes of a file.
    pub fn sniff(head: &[u8]) -> ContentKind {
        match head {
            [0x7f, b'E', b'L', b'F', ..] => ContentKind::Elf,
            [b'M', b'Z', ..] if head.len() >= 64 => ContentKind::Pe,
            [0xfe, 0xed, 0xfa, 0xce | 0xcf, ..] | [0xce | 0xcf, 0xfa, 0xed, 0xfe, ..] => {
                ContentKind::MachO
            }
            // Fat Mach-O shares 0xcafebabe with Java class files: a fat header
            // has a small architecture count where a class has its version.
            [0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 1..20, ..] => ContentKind::MachO,
            [b'#', b'!', ..] => ContentKind::Script,
            _ => ContentKind::Data,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ContentKind;

    #[test]
    fn sniffs() {
        assert_eq!(ContentKind::sniff(b"\x7fELF\x02\x01"), ContentKind::Elf);
        assert_eq!(ContentKind::sniff(b"#!/bin/sh\n"), ContentKind::Script);
        assert_eq!(
            ContentKind::sniff(&[0xcf, 0xfa, 0xed, 0xfe, 7]),
            ContentKind::MachO
        );
        assert_eq!(
            ContentKind::sniff(&[0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2]),
            ContentKind::MachO
        );
        // Java class file, major version 52.
        assert_eq!(
            ContentKind::sniff(&[0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 52]),
            ContentKind::Data
        );
        assert_eq!(ContentKind::sniff(b"MZ"), ContentKind::Data);
        assert_eq!(ContentKind::sniff(b"hello"), ContentKind::Data);
    }
}
