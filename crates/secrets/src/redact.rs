//! Redaction: the only form in which a secret ever leaves the engine (SPEC §4). A finding shows
//! the first four characters, the length and a short hash — enough to recognise and rotate the
//! key, never enough to use it.

use ring::digest::{digest, SHA256};

/// A secret's fingerprint: its SHA-256. Kept in memory to tell the same secret apart in the
/// tree and in history; never printed whole.
pub type Digest = [u8; 32];

pub fn fingerprint(secret: &[u8]) -> Digest {
    let mut out = [0u8; 32];
    out.copy_from_slice(digest(&SHA256, secret).as_ref());
    out
}

/// Values shorter than this show nothing but their length: a few characters and a hash of a
/// short, low-entropy password would let anyone confirm a guess offline.
pub const SHORT: usize = 12;

/// `sk_l…(32 chars, #a1b2c3)`: the first four characters, the length in characters, and the
/// first six hex digits of the SHA-256 of the value (`printf %s "$KEY" | sha256sum | cut -c1-6`
/// tells a reader whether it is their key). A value under [`SHORT`] characters is only its
/// length: `…(8 chars)`.
pub fn redact(secret: &[u8]) -> String {
    let text = String::from_utf8_lossy(secret);
    let len = text.chars().count();
    if len < SHORT {
        return format!("…({len} chars)");
    }
    let head: String = text
        .chars()
        .take(4)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    let hash = fingerprint(secret);
    format!(
        "{head}…({len} chars, #{:02x}{:02x}{:02x})",
        hash[0], hash[1], hash[2]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_four_characters_length_and_hash() {
        let value = format!("{}{}", "sk_live_", "q8Zr4Tn2Lw6Yp1Vx9Kc3Hm7B");
        let r = redact(value.as_bytes());
        assert!(r.starts_with("sk_l…(32 chars, #"), "{r}");
        assert!(!r.contains(&value[4..]));
        // sha256("abcdefghijkl") starts with d682ed.
        assert_eq!(redact(b"abcdefghijkl"), "abcd…(12 chars, #d682ed)");
    }

    #[test]
    fn short_values_show_only_their_length() {
        assert_eq!(redact(b"hunter2pass"), "…(11 chars)");
        assert_eq!(redact(b"abc"), "…(3 chars)");
        assert_eq!(redact(b""), "…(0 chars)");
    }
}
