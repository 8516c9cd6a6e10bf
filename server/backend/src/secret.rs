//! The instance secret key (`SANDUQ_SECRET_KEY`): 32 random bytes, written as 64 hex digits.
//!
//! It encrypts IMAP/SMTP passwords at rest ([`SecretKey::seal`]). On a single SQLite node it is generated into
//! the data dir on first start; on PostgreSQL every node must share it, so it must come from
//! the environment. Its `Debug` never prints it.

use std::fmt;
use std::io::Write;
use std::path::Path;

use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use rand::RngCore;

/// 32 secret bytes.
#[derive(Clone)]
pub struct SecretKey([u8; 32]);

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

impl SecretKey {
    /// Parses 64 hex digits.
    pub fn parse(text: &str) -> Result<SecretKey, String> {
        let bytes = hex::decode(text.trim())
            .map_err(|_| "must be 64 hex digits (32 bytes); make one with `openssl rand -hex 32`".to_string())?;
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|_| "must be 64 hex digits (32 bytes); make one with `openssl rand -hex 32`".to_string())?;
        Ok(SecretKey(key))
    }

    /// A new random key.
    pub fn generate() -> SecretKey {
        let mut key = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut key);
        SecretKey(key)
    }

    /// Reads the key file, or writes a new key there (mode 0600) if there is none.
    pub fn load_or_generate(path: &Path) -> Result<SecretKey, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => SecretKey::parse(&text).map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = SecretKey::generate();
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::OpenOptionsExt;
                    options.mode(0o600);
                }
                let mut file = options.open(path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
                file.write_all(hex::encode(key.0).as_bytes())
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                Ok(key)
            }
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }

    /// The raw bytes, for the cipher.
    pub fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Encrypts `secret` (an IMAP or SMTP password) for storage: a random 12-byte nonce, then
    /// the ChaCha20-Poly1305 ciphertext with its tag.
    pub fn seal(&self, secret: &str) -> Vec<u8> {
        let cipher = ChaCha20Poly1305::new(Key::from_slice(&self.0));
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        // Encrypting into a Vec only fails when the buffer cannot grow.
        let sealed = cipher.encrypt(Nonce::from_slice(&nonce), secret.as_bytes()).unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend(sealed);
        out
    }

    /// Decrypts what [`SecretKey::seal`] made. Fails if the bytes were changed or sealed with
    /// another key (the instance's key was replaced).
    pub fn open(&self, sealed: &[u8]) -> Result<String, String> {
        const REPLACED: &str =
            "a stored password cannot be decrypted: was SANDUQ_SECRET_KEY changed? Enter the password again";
        if sealed.len() < NONCE_LEN {
            return Err(REPLACED.to_string());
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        let cipher = ChaCha20Poly1305::new(Key::from_slice(&self.0));
        let plain = cipher.decrypt(Nonce::from_slice(nonce), ciphertext).map_err(|_| REPLACED.to_string())?;
        String::from_utf8(plain).map_err(|_| REPLACED.to_string())
    }
}

/// ChaCha20-Poly1305 nonce length.
const NONCE_LEN: usize = 12;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_key_is_kept_and_reread() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("secret.key");
        let first = SecretKey::load_or_generate(&path).expect("generate");
        let second = SecretKey::load_or_generate(&path).expect("reread");
        assert_eq!(first.bytes(), second.bytes());
    }

    #[test]
    fn sealed_passwords_open_only_with_their_key_and_unchanged() {
        let key = SecretKey::generate();
        let sealed = key.seal("app password 123");
        assert!(!sealed.windows(8).any(|w| w == b"password"), "no plain text in the sealed bytes");
        assert_eq!(key.open(&sealed).expect("opens"), "app password 123");
        assert_ne!(key.seal("app password 123"), sealed, "a fresh nonce each time");
        assert!(SecretKey::generate().open(&sealed).is_err(), "another key");
        let mut tampered = sealed.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert!(key.open(&tampered).is_err(), "changed bytes");
        assert!(key.open(b"short").is_err());
    }

    #[test]
    fn bad_keys_are_refused_and_never_printed() {
        assert!(SecretKey::parse("abc").is_err());
        assert!(SecretKey::parse(&"zz".repeat(32)).is_err());
        let key = SecretKey::parse(&"ab".repeat(32)).expect("valid");
        assert_eq!(format!("{key:?}"), "SecretKey(<redacted>)");
    }
}
