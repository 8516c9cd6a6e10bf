//! Files agents download: the attachments of mails, served only to members of the
//! conversation's mailbox.

use model::AttachmentId;

use crate::Backend;
use crate::access::Caller;
use crate::error::{Error, Result};
use crate::mail::Blobs;
use crate::store::Attachment;

impl Backend {
    /// An attachment and its bytes, if the caller may see its conversation.
    pub async fn attachment(&self, caller: &Caller, id: AttachmentId) -> Result<(Attachment, Vec<u8>)> {
        let (attachment, conversation) = self.store.attachment(id).await?;
        self.conversation(caller, conversation).await?;
        let blobs: &Blobs = self.blobs.as_ref().ok_or(Error::NotFound)?;
        let bytes = blobs.get(&attachment.sha256)?;
        Ok((attachment, bytes))
    }
}
