//! The analyzers' findings, cached beside the squashed view they came
//! from: a warm rescan of an unchanged image does not run the analyzers
//! again. The key names the squashed view (its layers, in order, and the
//! analyzers' version) and everything else the analyzers read — the image
//! facts (reference, digests, configuration with its history) and the
//! link-depth limit; findings are facts, so no policy is in it. The stored
//! form is the findings' JSON behind a magic and its sha256: a truncated,
//! flipped or foreign entry is a miss, never different findings.

use crate::digest::{Hasher, Sha256};
use crate::finding::Finding;
use crate::limits::Limits;
use crate::model::ImageInfo;

/// Magic and format version of cached findings.
const MAGIC: &[u8; 8] = b"STWFIND\x01";

/// The key of the findings of the squashed view `view_key` of `image`.
pub fn key(view_key: &str, image: &ImageInfo, limits: &Limits) -> String {
    let mut h = Hasher::new();
    for part in [
        view_key.as_bytes(),
        // Every field, the ones reports leave out (history) included.
        format!("{image:?}").as_bytes(),
        &limits.max_link_depth.to_le_bytes(),
    ] {
        h.update(&(part.len() as u64).to_le_bytes());
        h.update(part);
    }
    format!("findings/v1/{}", h.finish().hex())
}

/// Encode findings: magic, the sha256 of their JSON, the JSON.
pub fn encode(findings: &[Finding]) -> Vec<u8> {
    let json = serde_json::to_vec(findings).expect("findings serialize");
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&Sha256::of(&json).0);
    out.extend_from_slice(&json);
    out
}

/// Decode cached findings; `None` unless the bytes are exactly what
/// [`encode`] wrote (the analyzers then run again).
pub fn decode(stored: &[u8]) -> Option<Vec<Finding>> {
    let rest = stored.strip_prefix(MAGIC)?;
    let (sum, json) = rest.split_at_checked(32)?;
    if Sha256::of(json).0 != *sum {
        return None;
    }
    serde_json::from_slice(json).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Code;
    use crate::path::ImagePath;

    fn findings() -> Vec<Finding> {
        vec![
            Finding::new(Code::DeviceNode)
                .at(&ImagePath::new("dev/mem"))
                .because("char device 1:1"),
            Finding::new(Code::HardlinkMissingTarget).because("target x does not exist"),
        ]
    }

    fn json(f: &[Finding]) -> String {
        serde_json::to_string(f).unwrap()
    }

    #[test]
    fn round_trips_and_damage_is_a_miss() {
        let f = findings();
        let bytes = encode(&f);
        assert_eq!(json(&decode(&bytes).expect("decodes")), json(&f));
        assert_eq!(decode(&encode(&[])).expect("none").len(), 0);
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut]).is_none(), "cut at {cut}");
        }
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 0x20;
            assert!(decode(&b).is_none(), "byte {i} flipped");
        }
        let mut long = bytes.clone();
        long.push(b' ');
        assert!(decode(&long).is_none(), "bytes after the JSON");
        assert!(
            decode(&serde_json::to_vec(&f).unwrap()).is_none(),
            "bare JSON"
        );
    }
}
