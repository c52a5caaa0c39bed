//! Random secrets and their stored form. Secrets carry 256 bits from the OS generator, so a
//! plain SHA-256 is enough to store them (no salt or slow hash needed, unlike passwords).

use rand::{rngs::OsRng, RngCore};
use sha2::{Digest, Sha256};

/// A new secret: 32 random bytes as 64 hex digits, after `prefix` (which says what it is
/// for, so a leaked token is recognisable).
pub fn generate(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let mut out = String::with_capacity(prefix.len() + 64);
    out.push_str(prefix);
    for b in bytes {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// What the database keeps of a secret.
pub fn digest(secret: &str) -> String {
    Sha256::digest(secret.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares two secrets in time that does not depend on where they first differ.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_long_random_and_stored_as_digests() {
        let a = generate("ayni_");
        assert!(a.starts_with("ayni_") && a.len() == 69, "{a}");
        assert_ne!(a, generate("ayni_"));
        assert_eq!(digest("x").len(), 64);
        assert_ne!(digest(&a), a);
        assert!(same(&a, &a.clone()) && !same(&a, &generate("ayni_")) && !same("a", "ab"));
    }
}
