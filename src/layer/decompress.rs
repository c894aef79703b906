//! Layer compression: detect it from the first bytes (the truth) and from the
//! media type (the claim), and build the matching streaming decoder.

use std::io::{self, BufRead, Read};

use super::gunzip::Gunzip;
pub use crate::model::Compression;

/// What the first bytes of a blob say it is.
#[derive(Debug, PartialEq, Eq)]
pub enum Sniffed {
    /// A format Stowaway decodes.
    Known(Compression),
    /// A compressor Stowaway does not decode (named).
    Unsupported(&'static str),
}

/// Detect compression by magic bytes. Anything unrecognised is taken as a
/// plain tar; the tar reader then judges it.
pub fn sniff(head: &[u8]) -> Sniffed {
    match head {
        [0x1f, 0x8b, ..] => Sniffed::Known(Compression::Gzip),
        [0x28, 0xb5, 0x2f, 0xfd, ..] => Sniffed::Known(Compression::Zstd),
        [b'B', b'Z', b'h', ..] => Sniffed::Unsupported("bzip2"),
        [0xfd, b'7', b'z', b'X', b'Z', 0x00, ..] => Sniffed::Unsupported("xz"),
        _ => Sniffed::Known(Compression::None),
    }
}

/// The compression a layer media type claims, if it names one: OCI
/// (`…layer.v1.tar`, `+gzip`, `+zstd`, non-distributable variants) and Docker
/// (`…rootfs.diff.tar.gzip`, foreign layers).
pub fn claimed(media_type: &str) -> Option<Compression> {
    let mt = media_type.trim();
    if mt.ends_with("+gzip") || mt.ends_with(".tar.gzip") {
        Some(Compression::Gzip)
    } else if mt.ends_with("+zstd") {
        Some(Compression::Zstd)
    } else if mt.ends_with(".tar") {
        Some(Compression::None)
    } else {
        None
    }
}

/// Wrap `raw` in the decoder for `compression`.
pub fn decoder<'a, R: BufRead + Send + 'a>(
    raw: R,
    compression: Compression,
) -> io::Result<Box<dyn Read + Send + 'a>> {
    decoder_for(raw, compression, false)
}

/// [`decoder`], for a blob whose sha256 is `digest_checked` against the
/// digest that names it: then gzip's CRC-32 is not computed ([`Gunzip`]).
pub fn decoder_for<'a, R: BufRead + Send + 'a>(
    raw: R,
    compression: Compression,
    digest_checked: bool,
) -> io::Result<Box<dyn Read + Send + 'a>> {
    Ok(match compression {
        Compression::None => Box::new(raw),
        Compression::Gzip if digest_checked => Box::new(Gunzip::new(raw)),
        Compression::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(raw)),
        Compression::Zstd => Box::new(zstd::stream::read::Decoder::with_buffer(raw)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A blob whose digest is checked is decoded without its CRC; any other
    /// blob is not, and a wrong CRC fails it.
    #[test]
    fn the_crc_is_skipped_only_for_a_checked_digest() {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(b"usr/bin/wget\n").unwrap();
        let mut blob = e.finish().unwrap();
        let n = blob.len();
        blob[n - 8] ^= 1;
        let read = |checked: bool| {
            let mut out = Vec::new();
            decoder_for(&blob[..], Compression::Gzip, checked)
                .unwrap()
                .read_to_end(&mut out)
                .map(|_| out)
        };
        assert_eq!(read(true).unwrap(), b"usr/bin/wget\n");
        let e = read(false).unwrap_err();
        assert!(e.to_string().contains("checksum"), "{e}");
        let mut out = Vec::new();
        let e = decoder(&blob[..], Compression::Gzip)
            .unwrap()
            .read_to_end(&mut out)
            .unwrap_err();
        assert!(e.to_string().contains("checksum"), "{e}");
    }

    #[test]
    fn magic_and_media_types() {
        assert_eq!(sniff(&[0x1f, 0x8b, 8]), Sniffed::Known(Compression::Gzip));
        assert_eq!(
            sniff(&[0x28, 0xb5, 0x2f, 0xfd]),
            Sniffed::Known(Compression::Zstd)
        );
        assert_eq!(sniff(b"usr/"), Sniffed::Known(Compression::None));
        assert_eq!(sniff(b"BZh9"), Sniffed::Unsupported("bzip2"));
        assert_eq!(
            claimed("application/vnd.docker.image.rootfs.diff.tar.gzip"),
            Some(Compression::Gzip)
        );
        assert_eq!(
            claimed("application/vnd.oci.image.layer.v1.tar+zstd"),
            Some(Compression::Zstd)
        );
        assert_eq!(
            claimed("application/vnd.oci.image.layer.v1.tar"),
            Some(Compression::None)
        );
        assert_eq!(
            claimed("application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"),
            Some(Compression::Gzip)
        );
        assert_eq!(claimed("application/octet-stream"), None);
    }
}
