//! Structural checks of a matched value beyond its regex: a checksum where the provider's
//! format carries one, and the payload of a JSON Web Token.

/// Whether `value`, matched by rule `rule_id`, passes its format's own check (true for rules
/// that have none).
pub fn valid(rule_id: &str, value: &[u8]) -> bool {
    match rule_id {
        "github-pat" | "github-oauth-token" | "github-app-token" => github_checksum(value),
        "github-refresh-token" if value.len() == 40 => github_checksum(value),
        "jwt" => jwt_is_secret(value),
        // A GitHub-shaped value whose checksum fails is no GitHub token, under any name.
        id if id.starts_with("generic-secret") && is_github_shaped(value) => github_checksum(value),
        _ => true,
    }
}

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// CRC-32 (IEEE 802.3, the zlib one), bit by bit: values are short.
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// `n` in base 62, left-padded with `0` to six digits (GitHub's checksum form).
pub fn base62_6(mut n: u32) -> [u8; 6] {
    let mut out = [b'0'; 6];
    for slot in out.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    out
}

fn is_github_shaped(value: &[u8]) -> bool {
    value.len() == 40
        && matches!(
            value.get(..4),
            Some(b"ghp_" | b"gho_" | b"ghs_" | b"ghu_" | b"ghr_")
        )
}

/// GitHub's token format (2021): `PREFIX_` + 30 random characters + the base-62 CRC-32 of
/// those 30, in 6 characters. A token whose last six don't match is not a GitHub token.
fn github_checksum(value: &[u8]) -> bool {
    let Some(body) = value.get(4..) else {
        return false;
    };
    if body.len() != 36 {
        return false;
    }
    let (random, sum) = body.split_at(30);
    base62_6(crc32(random)) == sum
}

/// A JWT is a bearer credential, except the two everyone publishes: jwt.io's example
/// (`"name": "John Doe"`) and a Supabase-style anonymous key (`"role": "anon"`), which is
/// meant for browsers.
fn jwt_is_secret(value: &[u8]) -> bool {
    let mut parts = value.split(|&b| b == b'.');
    let (Some(_), Some(payload)) = (parts.next(), parts.next()) else {
        return false;
    };
    let Some(json) = base64url_decode(payload) else {
        return false;
    };
    let text: String = String::from_utf8_lossy(&json)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    !(text.contains("\"name\":\"JohnDoe\"") || text.contains("\"role\":\"anon\""))
}

fn base64url_decode(s: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &c in s {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            b'=' => break,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_is_zlibs() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(&base62_6(0), b"000000");
        assert_eq!(&base62_6(61), b"00000z");
    }

    #[test]
    fn a_github_token_must_carry_its_checksum() {
        let random = "abcDEF0123456789ghijKLMNOPqrst";
        let sum = base62_6(crc32(random.as_bytes()));
        let good = format!("ghp_{random}{}", String::from_utf8_lossy(&sum));
        assert!(valid("github-pat", good.as_bytes()));
        let bad = format!("ghp_{random}000000");
        assert!(!valid("github-pat", bad.as_bytes()));
    }

    #[test]
    fn jwt_io_example_and_anon_keys_are_not_secrets() {
        // {"alg":"HS256"} . {"name":"John Doe"} / {"role":"anon"} / {"sub":"42"}
        let head = "eyJhbGciOiJIUzI1NiJ9";
        assert!(!valid(
            "jwt",
            format!("{head}.eyJuYW1lIjoiSm9obiBEb2UifQ.sig").as_bytes()
        ));
        assert!(!valid(
            "jwt",
            format!("{head}.eyJyb2xlIjoiYW5vbiJ9.sig").as_bytes()
        ));
        assert!(valid(
            "jwt",
            format!("{head}.eyJzdWIiOiI0MiJ9.sig").as_bytes()
        ));
    }
}
