//! The instance secret key (`SANDUQ_SECRET_KEY`): 32 random bytes, written as 64 hex digits.
//!
//! It will encrypt IMAP/SMTP passwords at rest. On a single SQLite node it is generated into
//! the data dir on first start; on PostgreSQL every node must share it, so it must come from
//! the environment. Its `Debug` never prints it.

use std::fmt;
use std::io::Write;
use std::path::Path;

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
}

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
    fn bad_keys_are_refused_and_never_printed() {
        assert!(SecretKey::parse("abc").is_err());
        assert!(SecretKey::parse(&"zz".repeat(32)).is_err());
        let key = SecretKey::parse(&"ab".repeat(32)).expect("valid");
        assert_eq!(format!("{key:?}"), "SecretKey(<redacted>)");
    }
}
