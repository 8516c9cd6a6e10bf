//! Content-addressed files: raw mails and attachments, named by the SHA-256 of their bytes.
//!
//! The same bytes are stored once however often they arrive. A file is written under a
//! temporary name, flushed to disk and then renamed, so a crash leaves either the whole file
//! or none: a name in the database always points at complete bytes.

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// The folder blobs live in (`<data dir>/blobs`), fanned out by the first bytes of the hash.
#[derive(Debug, Clone)]
pub struct Blobs {
    root: PathBuf,
}

/// The hex SHA-256 of `bytes`: a blob's name.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl Blobs {
    /// Blobs under `root`, created if missing.
    pub fn open(root: impl Into<PathBuf>) -> Result<Blobs> {
        let root = root.into();
        std::fs::create_dir_all(&root)
            .map_err(|e| Error::Internal(format!("cannot create the blob folder {}: {e}", root.display())))?;
        Ok(Blobs { root })
    }

    fn path(&self, sha: &str) -> Result<PathBuf> {
        if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::Internal(format!("{sha:?} is not a blob name")));
        }
        Ok(self.root.join(&sha[..2]).join(&sha[2..4]).join(sha))
    }

    /// Stores `bytes` durably and returns their name. Blocking file I/O: call it from a
    /// blocking thread (see [`Blobs::put_async`]).
    pub fn put(&self, bytes: &[u8]) -> Result<String> {
        let sha = sha256_hex(bytes);
        let path = self.path(&sha)?;
        if path.exists() {
            return Ok(sha);
        }
        let dir = path.parent().unwrap_or(&self.root);
        let fail = |e: std::io::Error| Error::Internal(format!("cannot store a blob in {}: {e}", dir.display()));
        std::fs::create_dir_all(dir).map_err(fail)?;
        let mut file = tempfile::NamedTempFile::new_in(dir).map_err(fail)?;
        file.write_all(bytes).map_err(fail)?;
        file.as_file().sync_data().map_err(fail)?;
        file.persist(&path).map_err(|e| fail(e.error))?;
        Ok(sha)
    }

    /// [`Blobs::put`] on a blocking thread.
    pub async fn put_async(&self, bytes: Vec<u8>) -> Result<String> {
        let blobs = self.clone();
        tokio::task::spawn_blocking(move || blobs.put(&bytes))
            .await
            .map_err(|e| Error::Internal(format!("blob writer stopped: {e}")))?
    }

    /// The bytes stored under `sha`.
    pub fn get(&self, sha: &str) -> Result<Vec<u8>> {
        let path = self.path(sha)?;
        std::fs::read(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::NotFound,
            _ => Error::Internal(format!("cannot read blob {}: {e}", path.display())),
        })
    }

    /// [`Blobs::get`] off the async threads.
    pub async fn get_async(&self, sha: &str) -> Result<Vec<u8>> {
        let (blobs, sha) = (self.clone(), sha.to_string());
        tokio::task::spawn_blocking(move || blobs.get(&sha))
            .await
            .map_err(|e| Error::Internal(format!("blob reader stopped: {e}")))?
    }

    /// Where the blobs live.
    pub fn root(&self) -> &Path {
        &self.root
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_bytes_are_one_blob_and_read_back_whole() {
        let dir = tempfile::tempdir().expect("tempdir");
        let blobs = Blobs::open(dir.path().join("blobs")).expect("open");
        let a = blobs.put(b"hello").expect("put");
        let b = blobs.put(b"hello").expect("put again");
        assert_eq!(a, b);
        assert_eq!(a, sha256_hex(b"hello"));
        assert_eq!(blobs.get(&a).expect("get"), b"hello");
        assert!(matches!(blobs.get(&sha256_hex(b"other")), Err(Error::NotFound)));
        assert!(blobs.get("../../etc/passwd").is_err());
    }
}
