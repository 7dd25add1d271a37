//! The RSA-1024 test key, generated at start with num-bigint: ring neither generates nor
//! signs with RSA keys under 2048 bits, the sandbox runs no external tools, and a committed
//! private key would be exactly what our own secrets scanner flags.

use super::SandboxError;
use num_bigint::BigUint;

/// An RSA private key small enough that ring refuses it; signs with plain modular
/// exponentiation (not constant-time: a test key on loopback).
pub struct WeakRsaKey {
    pub(super) n: BigUint,
    d: BigUint,
    /// RSAPublicKey DER (RFC 8017 A.1.1).
    public_der: Vec<u8>,
}

impl std::fmt::Debug for WeakRsaKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WeakRsaKey({} bits)", self.n.bits())
    }
}

fn random_bits(rng: &dyn ring::rand::SecureRandom, bits: usize) -> Result<BigUint, SandboxError> {
    let mut bytes = vec![0u8; bits.div_ceil(8)];
    rng.fill(&mut bytes).map_err(|_| SandboxError::Randomness)?;
    Ok(BigUint::from_bytes_be(&bytes))
}

/// Miller-Rabin with `rounds` random bases, after trial division by small primes.
fn probably_prime(n: &BigUint, rng: &dyn ring::rand::SecureRandom) -> Result<bool, SandboxError> {
    const SMALL: [u32; 24] = [
        3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97,
    ];
    let zero = BigUint::from(0u32);
    let one = BigUint::from(1u32);
    if SMALL.iter().any(|p| n % p == zero) {
        return Ok(false);
    }
    let n1 = n - &one;
    let s = n1.trailing_zeros().unwrap_or(0);
    let d = &n1 >> s;
    let bits = n.bits() as usize;
    'rounds: for _ in 0..24 {
        let a = random_bits(rng, bits - 1)? % (n - 3u32) + 2u32;
        let mut x = a.modpow(&d, n);
        if x == one || x == n1 {
            continue;
        }
        for _ in 1..s {
            x = x.modpow(&BigUint::from(2u32), n);
            if x == n1 {
                continue 'rounds;
            }
        }
        return Ok(false);
    }
    Ok(true)
}

/// A random prime of exactly `bits` bits with its two top bits set (so that p·q has 2·bits),
/// and p − 1 prime to 65537.
fn random_prime(bits: usize, rng: &dyn ring::rand::SecureRandom) -> Result<BigUint, SandboxError> {
    let top = (BigUint::from(3u32) << (bits - 2)) | BigUint::from(1u32);
    for _ in 0..100_000 {
        let c = (random_bits(rng, bits)? >> 2usize) | &top;
        if (&c - 1u32) % 65_537u32 != BigUint::from(0u32) && probably_prime(&c, rng)? {
            return Ok(c);
        }
    }
    Err(SandboxError::NoPrime)
}

/// DER INTEGER of a non-negative number.
fn der_integer(n: &BigUint) -> Vec<u8> {
    let mut body = n.to_bytes_be();
    if body.first().is_some_and(|b| b & 0x80 != 0) {
        body.insert(0, 0);
    }
    let mut v = vec![0x02];
    v.extend(der_len(body.len()));
    v.extend(body);
    v
}

/// A DER length (short form, or long form up to two bytes: every length the sandbox writes).
pub(super) fn der_len(n: usize) -> Vec<u8> {
    if n < 0x80 {
        vec![n as u8]
    } else if n < 0x100 {
        vec![0x81, n as u8]
    } else {
        vec![0x82, (n >> 8) as u8, n as u8]
    }
}

impl WeakRsaKey {
    /// A fresh RSA-1024 key (e = 65537).
    pub fn generate() -> Result<WeakRsaKey, SandboxError> {
        let rng = ring::rand::SystemRandom::new();
        let e = BigUint::from(65_537u32);
        loop {
            let p = random_prime(512, &rng)?;
            let q = random_prime(512, &rng)?;
            if p == q {
                continue;
            }
            let n = &p * &q;
            let phi = (&p - 1u32) * (&q - 1u32);
            let Some(d) = e.modinv(&phi) else { continue };
            let inner = [der_integer(&n), der_integer(&e)].concat();
            let mut public_der = vec![0x30];
            public_der.extend(der_len(inner.len()));
            public_der.extend(inner);
            return Ok(WeakRsaKey { n, d, public_der });
        }
    }

    fn size(&self) -> usize {
        (self.n.bits() as usize).div_ceil(8)
    }

    /// RSASP1 over an encoded message of the modulus' size.
    fn private_op(&self, em: &[u8]) -> Vec<u8> {
        let s = BigUint::from_bytes_be(em).modpow(&self.d, &self.n);
        let raw = s.to_bytes_be();
        let mut out = vec![0u8; self.size().saturating_sub(raw.len())];
        out.extend(raw);
        out
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 (RFC 8017 §8.2).
    pub fn sign_pkcs1_sha256(&self, msg: &[u8]) -> Vec<u8> {
        const PREFIX: [u8; 19] = [
            0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x01, 0x05, 0x00, 0x04, 0x20,
        ];
        let hash = ring::digest::digest(&ring::digest::SHA256, msg);
        let k = self.size();
        let t_len = PREFIX.len() + hash.as_ref().len();
        let mut em = vec![0x00, 0x01];
        em.extend(std::iter::repeat_n(0xff, k.saturating_sub(t_len + 3)));
        em.push(0x00);
        em.extend_from_slice(&PREFIX);
        em.extend_from_slice(hash.as_ref());
        self.private_op(&em)
    }

    /// RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt (RFC 8017 §9.1), as TLS 1.3
    /// requires for RSA keys.
    pub fn sign_pss_sha256(&self, msg: &[u8]) -> Vec<u8> {
        use ring::digest::{digest, SHA256};
        let h_len = 32;
        let em_bits = self.n.bits() as usize - 1;
        let em_len = em_bits.div_ceil(8);
        let m_hash = digest(&SHA256, msg);
        let salt: Vec<u8> = digest(&SHA256, &std::process::id().to_be_bytes())
            .as_ref()
            .to_vec();
        let mut m_prime = vec![0u8; 8];
        m_prime.extend_from_slice(m_hash.as_ref());
        m_prime.extend_from_slice(&salt);
        let h = digest(&SHA256, &m_prime);
        let db_len = em_len - h_len - 1;
        let mut db = vec![0u8; db_len - salt.len() - 1];
        db.push(0x01);
        db.extend_from_slice(&salt);
        // MGF1(H, db_len)
        let mut mask = Vec::with_capacity(db_len + h_len);
        let mut counter: u32 = 0;
        while mask.len() < db_len {
            let mut input = h.as_ref().to_vec();
            input.extend_from_slice(&counter.to_be_bytes());
            mask.extend_from_slice(digest(&SHA256, &input).as_ref());
            counter += 1;
        }
        for (b, m) in db.iter_mut().zip(&mask) {
            *b ^= m;
        }
        let unused = 8 * em_len - em_bits;
        db[0] &= 0xffu8 >> unused;
        let mut em = db;
        em.extend_from_slice(h.as_ref());
        em.push(0xbc);
        // em_len may be one byte shorter than the modulus when its size is a multiple of 8.
        let mut padded = vec![0u8; self.size().saturating_sub(em.len())];
        padded.extend(em);
        self.private_op(&padded)
    }
}

impl rcgen::PublicKeyData for WeakRsaKey {
    fn der_bytes(&self) -> &[u8] {
        &self.public_der
    }
    fn algorithm(&self) -> &rcgen::SignatureAlgorithm {
        &rcgen::PKCS_RSA_SHA256
    }
}
