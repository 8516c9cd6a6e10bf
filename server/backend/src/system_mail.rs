//! Mail that Sanduq writes on its own, to people of the team rather than to customers:
//! invitations (and, next, password resets).
//!
//! It leaves through the outbox like a reply, from the mailbox chosen for system mail in
//! Settings (else the oldest mailbox that can send), so it is retried, and its delivery is
//! shown where it was asked for. It belongs to no conversation. It is marked
//! `Auto-Submitted: auto-generated`, so a mail program's vacation answer does not come back.
//!
//! The words are here, not in the app's translation tables: the mail is written on the server,
//! in the language the admin chose for the person, and a mail is read far from the app.

use lettre::Address;
use lettre::address::Envelope;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox as MailParty, MultiPart};
use model::MailboxId;

use crate::Backend;
use crate::error::{Error, Result};
use crate::store::SystemMail;

/// One system mail before it is rendered: the words, and the link the mail is for.
#[derive(Debug, Clone)]
pub struct Letter {
    pub subject: String,
    /// Paragraphs before the link.
    pub lead: Vec<String>,
    /// The link's label in the HTML part.
    pub button: String,
    pub link: String,
    /// A paragraph after the link.
    pub after: String,
    /// `true` for Arabic and Persian.
    pub rtl: bool,
}

/// The words of an invitation in `locale` (English for any other).
pub fn invitation_letter(locale: &str, team: &str, inviter: &str, link: &str, days: i64) -> Letter {
    // The team as the sentence names it, or a plain word when it has no name.
    let named = |with: String, without: &str| if team.is_empty() { without.to_string() } else { with };
    match locale {
        "ar" => Letter {
            subject: format!("دعوة للانضمام إلى {}", named(format!("فريق {team}"), "الفريق")),
            lead: vec![
                "مرحباً،".to_string(),
                format!(
                    "دعاك {inviter} للانضمام إلى {} على صندوق، للرد على العملاء معاً.",
                    named(format!("فريق {team}"), "فريقه")
                ),
            ],
            button: "قبول الدعوة".to_string(),
            link: link.to_string(),
            after: format!("الرابط صالح لمرة واحدة ولمدة {days} أيام. إن لم تكن تنتظر هذه الدعوة فتجاهل هذه الرسالة."),
            rtl: true,
        },
        "fa" => Letter {
            subject: format!("دعوت به {}", named(format!("تیم {team}"), "تیم")),
            lead: vec![
                "سلام،".to_string(),
                format!(
                    "{inviter} شما را به {} در صندوق دعوت کرده است تا با هم به مشتریان پاسخ دهید.",
                    named(format!("تیم {team}"), "تیم خود")
                ),
            ],
            button: "پذیرفتن دعوت".to_string(),
            link: link.to_string(),
            after: format!(
                "این پیوند یک بار و تا {days} روز کار می‌کند. اگر منتظر این دعوت نبودید، این نامه را نادیده بگیرید."
            ),
            rtl: true,
        },
        _ => Letter {
            subject: format!("Join {} on Sanduq", named(team.to_string(), "the team")),
            lead: vec![
                "Hello,".to_string(),
                format!(
                    "{inviter} has invited you to join {} on Sanduq, to answer customers together.",
                    named(team.to_string(), "their team")
                ),
            ],
            button: "Accept the invitation".to_string(),
            link: link.to_string(),
            after: format!(
                "The link works once, for {days} days. If you did not expect this invitation, ignore this mail."
            ),
            rtl: false,
        },
    }
}

/// The words of a password reset in `locale` (English for any other).
pub fn reset_letter(locale: &str, name: &str, link: &str, minutes: i64) -> Letter {
    match locale {
        "ar" => Letter {
            subject: "إعادة تعيين كلمة المرور في صندوق".to_string(),
            lead: vec![
                format!("مرحباً {name}،"),
                "طلب أحدٌ إعادة تعيين كلمة مرورك في صندوق. لاختيار كلمة مرور جديدة افتح الرابط:".to_string(),
            ],
            button: "اختر كلمة مرور جديدة".to_string(),
            link: link.to_string(),
            after: format!(
                "الرابط صالح لمرة واحدة ولمدة {minutes} دقيقة، وستبقى كلمة مرورك الحالية تعمل حتى تختار غيرها. إن لم تطلب ذلك فتجاهل هذه الرسالة."
            ),
            rtl: true,
        },
        "fa" => Letter {
            subject: "بازنشانی رمز عبور صندوق".to_string(),
            lead: vec![
                format!("سلام {name}،"),
                "کسی خواسته است رمز عبور شما در صندوق بازنشانی شود. برای گزیدن رمز تازه این پیوند را باز کنید:"
                    .to_string(),
            ],
            button: "گزیدن رمز عبور تازه".to_string(),
            link: link.to_string(),
            after: format!(
                "این پیوند یک بار و تا {minutes} دقیقه کار می‌کند و رمز کنونی شما تا گزیدن رمز تازه کار می‌کند. اگر شما نخواسته‌اید، این نامه را نادیده بگیرید."
            ),
            rtl: true,
        },
        _ => Letter {
            subject: "Reset your Sanduq password".to_string(),
            lead: vec![
                format!("Hello {name},"),
                "Someone asked to reset your Sanduq password. To choose a new one, open the link:".to_string(),
            ],
            button: "Choose a new password".to_string(),
            link: link.to_string(),
            after: format!(
                "The link works once, for {minutes} minutes, and your current password keeps working until you choose another. If you did not ask for this, ignore this mail."
            ),
            rtl: false,
        },
    }
}

/// Renders `letter` to `to` as a mail from `from_name <from_address>`.
pub fn render(letter: &Letter, from_name: &str, from_address: &str, to: &str) -> Result<SystemMail> {
    let domain = from_address.rsplit_once('@').map(|(_, d)| d).unwrap_or("sanduq.invalid");
    let address =
        |text: &str| text.parse::<Address>().map_err(|_| Error::Internal(format!("{text:?} is not an email address")));
    let (from, recipient) = (address(from_address)?, address(to)?);
    let text = format!("{}\n\n{}\n\n{}\n", letter.lead.join("\n\n"), letter.link, letter.after);
    let dir = if letter.rtl { "rtl" } else { "ltr" };
    let paragraphs: String = letter.lead.iter().map(|p| format!("<p>{}</p>", escape(p))).collect();
    let html = format!(
        "<!doctype html><html><body><div dir=\"{dir}\">{paragraphs}\
         <p><a href=\"{href}\" style=\"display:inline-block;padding:10px 18px;background:#2563eb;color:#fff;\
         border-radius:6px;text-decoration:none\">{button}</a></p>\
         <p dir=\"ltr\" style=\"font-size:13px;color:#555\">{href}</p><p>{after}</p></div></body></html>",
        href = escape(&letter.link),
        button = escape(&letter.button),
        after = escape(&letter.after),
    );
    let message = lettre::Message::builder()
        .message_id(Some(format!("<{}@{domain}>", uuid::Uuid::now_v7())))
        .from(MailParty::new(Some(from_name.to_string()), from.clone()))
        .to(MailParty::new(None, recipient.clone()))
        .subject(letter.subject.clone())
        .date_now()
        .raw_header(HeaderValue::new(HeaderName::new_from_ascii_str("Auto-Submitted"), "auto-generated".into()))
        .envelope(Envelope::new(Some(from), vec![recipient]).map_err(|e| Error::Internal(format!("an envelope: {e}")))?)
        .multipart(MultiPart::alternative_plain_html(text, html))
        .map_err(|e| Error::Internal(format!("cannot write this mail: {e}")))?;
    Ok(SystemMail { raw: message.formatted(), envelope_from: from_address.to_string(), envelope_to: to.to_string() })
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

impl Backend {
    /// `letter` rendered to `to` from the mailbox that sends system mail, with that mailbox;
    /// `None` when no mailbox can send.
    pub(crate) async fn system_mail(&self, letter: &Letter, to: &str) -> Result<Option<(MailboxId, SystemMail)>> {
        let Some(mailbox) = self.store.system_mailbox().await? else {
            return Ok(None);
        };
        let from = self.store.mailbox(mailbox).await?;
        let team = self.store.team_name().await?;
        let from_name = if team.is_empty() { from.name.clone() } else { team };
        Ok(Some((mailbox, render(letter, &from_name, &from.address, to)?)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invitation_carries_its_link_in_both_parts_and_says_it_is_automatic() {
        let letter = invitation_letter("ar", "متجر الورد", "سارة", "https://desk.shop.test/invitation/abc", 7);
        let mail = render(&letter, "متجر الورد", "support@shop.test", "omar@shop.test").expect("mail");
        let parsed = mail_parser::MessageParser::default().parse(&mail.raw).expect("parses");
        assert_eq!(parsed.subject(), Some("دعوة للانضمام إلى فريق متجر الورد"));
        assert!(parsed.body_text(0).expect("text").contains("https://desk.shop.test/invitation/abc"));
        let html = parsed.body_html(0).expect("html");
        assert!(html.contains("dir=\"rtl\"") && html.contains("href=\"https://desk.shop.test/invitation/abc\""));
        assert_eq!(parsed.header_raw("Auto-Submitted").map(str::trim), Some("auto-generated"));
        assert_eq!(mail.envelope_to, "omar@shop.test");
    }

    #[test]
    fn an_unknown_language_is_written_in_english() {
        let letter = invitation_letter("de", "", "Sara", "https://x.test/invitation/abc", 7);
        assert_eq!(letter.subject, "Join the team on Sanduq");
        assert!(!letter.rtl);
    }
}
