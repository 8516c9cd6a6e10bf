//! Files: the attachments of mails, served only to members of the conversation's mailbox;
//! and the files agents attach in the composer (uploads), stored before the reply is sent
//! and visible to their author only until then.

use model::{AttachmentId, ConversationId};

use crate::Backend;
use crate::access::Caller;
use crate::error::{Error, Result};
use crate::mail::Blobs;
use crate::store::{Attachment, NewUpload, Upload};
use crate::work::MAX_ATTACHED_BYTES;

/// The longest file name kept, in characters.
const MAX_FILENAME_CHARS: usize = 200;

/// Characters that reorder the text around them (embeddings, overrides, isolates): in a
/// file name they disguise `invoice\u{202E}fdp.exe` as `invoiceexe.pdf`.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A file name as sent in mail: no folders, no control or reordering characters, not empty.
pub fn clean_filename(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !is_bidi_control(*c))
        .take(MAX_FILENAME_CHARS)
        .collect::<String>()
        .trim()
        .to_string();
    if cleaned.is_empty() || cleaned.chars().all(|c| c == '.') { "file".to_string() } else { cleaned }
}

/// A content type as the browser named it, when it looks like one (`type/subtype`);
/// otherwise plain bytes.
pub fn clean_content_type(content_type: &str) -> String {
    let base = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    let ok = |part: &str| {
        !part.is_empty()
            && part.len() <= 100
            && part.chars().all(|c| c.is_ascii_alphanumeric() || "!#$&-^_.+".contains(c))
    };
    match base.split_once('/') {
        Some((kind, sub)) if ok(kind) && ok(sub) => base,
        _ => "application/octet-stream".to_string(),
    }
}

impl Backend {
    /// An attachment and its bytes, if the caller may see its conversation.
    pub async fn attachment(&self, caller: &Caller, id: AttachmentId) -> Result<(Attachment, Vec<u8>)> {
        let (attachment, conversation) = self.store.attachment(id).await?;
        self.conversation(caller, conversation).await?;
        let blobs: &Blobs = self.blobs.as_ref().ok_or(Error::NotFound)?;
        let bytes = blobs.get(&attachment.sha256)?;
        Ok((attachment, bytes))
    }

    /// Stores a file the caller attached in the composer, for the reply draft of
    /// `conversation` (which they must be able to see) or a new conversation.
    pub async fn upload(
        &self,
        caller: &Caller,
        conversation: Option<ConversationId>,
        filename: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Result<Upload> {
        if let Some(conversation) = conversation {
            self.conversation(caller, conversation).await?;
        }
        if bytes.is_empty() {
            return Err(model::Refusal::EmptyFile.into());
        }
        let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
        if size > MAX_ATTACHED_BYTES {
            return Err(model::Refusal::FilesTooLarge { max_mb: model::MAX_REPLY_FILES_MB }.into());
        }
        let blobs: &Blobs =
            self.blobs.as_ref().ok_or_else(|| Error::Internal("no blob store for files".to_string()))?;
        let sha256 = blobs.put_async(bytes).await?;
        self.store
            .add_upload(&NewUpload {
                user: caller.id,
                conversation,
                filename: clean_filename(filename),
                content_type: clean_content_type(content_type),
                size,
                sha256,
            })
            .await
    }

    /// Removes a file the caller attached and has not sent.
    pub async fn remove_upload(&self, caller: &Caller, id: AttachmentId) -> Result<()> {
        if self.store.remove_upload(caller.id, id).await? { Ok(()) } else { Err(Error::NotFound) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_types_are_cleaned() {
        assert_eq!(clean_filename("C:\\Users\\sara\\فاتورة.pdf"), "فاتورة.pdf");
        assert_eq!(clean_filename("../../etc/passwd"), "passwd");
        assert_eq!(clean_filename(" \u{0}.. "), "file");
        assert_eq!(clean_filename("invoice\u{202E}fdp.exe"), "invoicefdp.exe");
        assert_eq!(clean_content_type("Image/PNG; charset=x"), "image/png");
        assert_eq!(clean_content_type("text/html\r\nX-Evil: 1"), "application/octet-stream");
        assert_eq!(clean_content_type(""), "application/octet-stream");
    }
}
