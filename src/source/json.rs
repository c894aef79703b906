//! Strict reading of the JSON documents an image is made of (index.json,
//! manifests, configs, docker-archive manifest.json), from a layout, an
//! archive or a registry.
//!
//! Go's `encoding/json` — used by Docker, containerd, CRI-O, skopeo and umoci
//! — matches object keys case-insensitively and lets the last match win;
//! serde matches keys exactly and ignores unknown ones. A manifest holding
//! `"layers"` and then `"Layers"` would show Stowaway one image and the
//! runtime another. So before a document is parsed, every object in it is
//! checked: two keys that are equal after case folding (exact duplicates
//! included) reject the whole document. The check streams over the bytes
//! with serde_json's deserializer and builds no value.

use std::collections::HashMap;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::error::{Error, Result};

/// Check `bytes` (a JSON document) for keys that collide under case folding.
/// `what` names the kind of document and `location` where it was read, for
/// the error.
pub fn check_keys(bytes: &[u8], what: &'static str, location: &str) -> Result<()> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let res = Check { path: "$" }
        .deserialize(&mut de)
        .and_then(|()| de.end());
    res.map_err(|e| Error::Document {
        what,
        location: location.to_string(),
        reason: e.to_string(),
    })
}

/// The key as Go's case-insensitive match sees it (Unicode simple case
/// folding, including the two non-ASCII letters that fold to ASCII: the
/// long s `ſ` and the Kelvin sign `K`).
fn fold(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for c in key.chars() {
        match c {
            'ſ' => out.push('s'),
            _ => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Visits one JSON value, checking every object inside it.
struct Check<'p> {
    /// Where the value is, for messages (`$.config`).
    path: &'p str,
}

impl<'de> DeserializeSeed<'de> for Check<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Check<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> std::result::Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> std::result::Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> std::result::Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> std::result::Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> std::result::Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> std::result::Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        let mut i = 0usize;
        loop {
            let path = format!("{}[{i}]", self.path);
            if seq.next_element_seed(Check { path: &path })?.is_none() {
                return Ok(());
            }
            i += 1;
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        // Folded key → the key as written first.
        let mut seen: HashMap<String, String> = HashMap::new();
        while let Some(key) = map.next_key::<String>()? {
            let folded = fold(&key);
            if let Some(first) = seen.get(&folded) {
                let msg = if *first == key {
                    format!("key {key:?} appears twice in the object at {}", self.path)
                } else {
                    format!(
                        "keys {first:?} and {key:?} in the object at {} differ only by case \
                         (Go-based runtimes read them as one key, the last one winning)",
                        self.path
                    )
                };
                return Err(de::Error::custom(msg));
            }
            let path = format!("{}.{key}", self.path);
            map.next_value_seed(Check { path: &path })?;
            seen.insert(folded, key);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::check_keys;

    fn reason(doc: &str) -> Option<String> {
        check_keys(doc.as_bytes(), "image manifest", "test")
            .err()
            .map(|e| e.to_string())
    }

    #[test]
    fn accepts_distinct_keys_at_any_depth() {
        assert!(reason(r#"{"a":1,"b":{"a":2,"c":[{"a":3},{"a":4}]},"A_":null}"#).is_none());
        assert!(reason("[1,2,\"x\"]").is_none());
    }

    #[test]
    fn rejects_case_variants_and_duplicates() {
        let r = reason(r#"{"layers":[],"Layers":[1]}"#).unwrap();
        assert!(r.contains("\"layers\" and \"Layers\""), "{r}");
        let r = reason(r#"{"config":{"Cmd":["a"],"cmd":["b"]}}"#).unwrap();
        assert!(r.contains("$.config"), "{r}");
        let r = reason(r#"{"x":[{"k":1,"k":2}]}"#).unwrap();
        assert!(r.contains("appears twice") && r.contains("$.x[0]"), "{r}");
    }

    #[test]
    fn escapes_and_unicode_folding_do_not_hide_a_key() {
        // "\u004cayers" is "Layers"; "ſ" and the Kelvin sign fold to ASCII in Go.
        assert!(reason(r#"{"layers":[],"\u004cayers":[]}"#).is_some());
        assert!(reason(r#"{"schemaVersion":2,"ſchemaVersion":3}"#).is_some());
        assert!(reason("{\"kind\":1,\"\u{212A}ind\":2}").is_some());
    }

    #[test]
    fn rejects_trailing_garbage_and_bad_json() {
        assert!(reason(r#"{"a":1} x"#).is_some());
        assert!(reason(r#"{"a":"#).is_some());
    }
}
