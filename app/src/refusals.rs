//! Errors and refusals in the reader's language.
//!
//! The server answers with typed reasons ([`model::Refusal`], [`AppError`]); this module
//! words them. Each language has a function of its own, so each orders its own sentence
//! (Arabic and Persian do not follow English word order) and avoids the number and gender
//! agreement a template could get wrong ("الحد الأقصى لعدد المستلمين: ٥٠" rather than a noun
//! that must agree with 50). The matches are exhaustive: a new refusal that one language does
//! not word fails to compile. User data inside a sentence (an address as typed, a name) is
//! isolated with U+2068/U+2069 so it cannot reorder the words around it.

use model::text::TextFault;
use model::{Field, Refusal, Writing};

use crate::error::AppError;
use crate::format::Clock;
use crate::i18n::{Lang, Texts};

impl Texts {
    /// What went wrong, in this table's language.
    pub fn error(&self, error: &AppError) -> String {
        say(self.lang, error)
    }
}

/// `error` in `lang`.
pub fn say(lang: Lang, error: &AppError) -> String {
    use AppError as E;
    let en = |s: &str| s.to_string();
    match (lang, error) {
        (_, E::Refused { refusal, .. }) => refusal_in(lang, refusal),
        // Not typed yet: the server's English words.
        (_, E::Invalid(words) | E::Conflict(words) | E::MailServer(words)) => words.clone(),
        (Lang::En, other) => en(&other.to_string()),
        (Lang::Ar, E::NotSignedIn) => en("سجّل الدخول للمتابعة."),
        (Lang::Ar, E::NotFound) => en("غير موجود."),
        (Lang::Ar, E::Forbidden) => en("دورك لا يسمح بهذا."),
        (Lang::Ar, E::Stale { .. }) => {
            en("أضاف شخص آخر رسالة إلى هذه المحادثة أثناء كتابتك؛ اقرأ الجديد ثم أرسل على أي حال أو عدّل.")
        }
        (Lang::Ar, E::RateLimited(secs)) => {
            format!("محاولات كثيرة جدًا. أعد المحاولة بعد مهلة (بالثواني): {}.", number(lang, *secs))
        }
        (Lang::Ar, E::Internal) => en("حدث خطأ في الخادم. حاول مجددًا، وإن تكرر فأخبر المسؤول."),
        (Lang::Ar, E::Transport(_)) => en("تعذّر الوصول إلى الخادم. تحقّق من الاتصال وحاول مجددًا."),
        (Lang::Fa, E::NotSignedIn) => en("برای ادامه وارد شوید."),
        (Lang::Fa, E::NotFound) => en("پیدا نشد."),
        (Lang::Fa, E::Forbidden) => en("نقش شما اجازهٔ این کار را نمی‌دهد."),
        (Lang::Fa, E::Stale { .. }) => {
            en("کس دیگری هنگام نوشتن شما به این گفتگو چیزی افزود؛ آن را بخوانید، سپس به هر حال بفرستید یا ویرایش کنید.")
        }
        (Lang::Fa, E::RateLimited(secs)) => {
            format!("تعداد تلاش‌ها از حد مجاز گذشت. {} ثانیهٔ دیگر دوباره امتحان کنید.", number(lang, *secs))
        }
        (Lang::Fa, E::Internal) => en("خطایی در سرور رخ داد. دوباره امتحان کنید؛ اگر تکرار شد به مدیر بگویید."),
        (Lang::Fa, E::Transport(_)) => en("دسترسی به سرور ممکن نشد. اتصال را بررسی کنید و دوباره امتحان کنید."),
    }
}

/// `n` in the digits of `lang`.
fn number(lang: Lang, n: u64) -> String {
    Clock { lang, ..Clock::default() }.number(i64::try_from(n).unwrap_or(i64::MAX))
}

/// `refusal` in `lang`.
pub fn refusal_in(lang: Lang, refusal: &Refusal) -> String {
    let number = |n: usize| number(lang, u64::try_from(n).unwrap_or(u64::MAX));
    match lang {
        Lang::En => english(refusal),
        Lang::Ar => arabic(refusal, number),
        Lang::Fa => persian(refusal, number),
    }
}

/// Text that came from the user, isolated from the sentence around it.
fn data(text: &str) -> String {
    format!("\u{2068}{text}\u{2069}")
}

fn english(refusal: &Refusal) -> String {
    let field = |f: Field| match f {
        Field::Subject => "The subject",
        Field::Message => "The message",
        Field::Signature => "The signature",
        Field::TagName => "A tag name",
        Field::PersonName => "The name",
        Field::MailboxName => "The mailbox name",
        Field::AddressLine => "An address line",
    };
    match refusal {
        Refusal::Text { field: f, fault: TextFault::Empty } => format!("{} cannot be empty.", field(*f)),
        Refusal::Text { field: f, fault: TextFault::TooLong { max } } => {
            format!("{} can have at most {max} characters.", field(*f))
        }
        Refusal::Text { field: f, fault: TextFault::ControlCharacter } => {
            format!("{} cannot contain control characters.", field(*f))
        }
        Refusal::NothingWritten { what: Writing::Reply } => "Write a reply before sending.".into(),
        Refusal::NothingWritten { what: Writing::Note } => "Write a note before adding it.".into(),
        Refusal::NothingWritten { what: Writing::Forward } => {
            "Write a line to go with the forwarded conversation.".into()
        }
        Refusal::NothingWritten { what: Writing::NewMail } => "Write the mail before sending.".into(),
        Refusal::NotAnEmail { text } => format!("“{}” is not an email address.", data(text)),
        Refusal::NoCustomerAddress => "Add the customer's address in To.".into(),
        Refusal::NoForwardAddress => "Add the address to forward the conversation to.".into(),
        Refusal::CustomerHasNoAddress { name } => format!("{} has no email address to reply to.", data(name)),
        Refusal::TooManyRecipients { max } => format!("A reply goes to {max} addresses at most."),
        Refusal::AttachmentGone => "An attached file is gone; attach it again.".into(),
        Refusal::EmptyFile => "This file is empty.".into(),
        Refusal::FilesTooLarge { max_mb } => format!("A reply carries {max_mb} MB of files at most."),
        Refusal::SnoozeInThePast => "Choose a time in the future to snooze until.".into(),
        Refusal::SnoozeTooLong => "A conversation can be snoozed for a year at most.".into(),
        Refusal::NotAMember => "That person is not an active member of this mailbox and cannot be assigned.".into(),
        Refusal::BadFilter => "This list's address is damaged. Open the list again from the sidebar.".into(),
        Refusal::AlreadySent => "Too late to undo: this reply has already left.".into(),
        Refusal::NoMailServers => "This mailbox has no mail servers yet; an admin adds them in Settings.".into(),
    }
}

fn arabic(refusal: &Refusal, number: impl Fn(usize) -> String) -> String {
    let field = |f: Field| match f {
        Field::Subject => "الموضوع",
        Field::Message => "الرسالة",
        Field::Signature => "التوقيع",
        Field::TagName => "اسم الوسم",
        Field::PersonName => "الاسم",
        Field::MailboxName => "اسم الصندوق",
        Field::AddressLine => "سطر العناوين",
    };
    match refusal {
        Refusal::Text { field: f, fault: TextFault::Empty } => format!("املأ حقل {}.", field(*f)),
        Refusal::Text { field: f, fault: TextFault::TooLong { max } } => {
            format!("الحد الأقصى لعدد أحرف {}: {}.", field(*f), number(*max))
        }
        Refusal::Text { field: f, fault: TextFault::ControlCharacter } => {
            format!("في {} رموز تحكم غير مسموح بها.", field(*f))
        }
        Refusal::NothingWritten { what: Writing::Reply } => "اكتب الرد قبل الإرسال.".into(),
        Refusal::NothingWritten { what: Writing::Note } => "اكتب الملاحظة قبل إضافتها.".into(),
        Refusal::NothingWritten { what: Writing::Forward } => "اكتب سطرًا يرافق المحادثة المُعاد توجيهها.".into(),
        Refusal::NothingWritten { what: Writing::NewMail } => "اكتب الرسالة قبل الإرسال.".into(),
        Refusal::NotAnEmail { text } => format!("«{}» ليس عنوان بريد إلكتروني.", data(text)),
        Refusal::NoCustomerAddress => "أضف عنوان العميل في خانة «إلى».".into(),
        Refusal::NoForwardAddress => "أضف عنوانًا لإعادة توجيه المحادثة إليه.".into(),
        Refusal::CustomerHasNoAddress { name } => format!("ليس لدى {} عنوان بريد للرد عليه.", data(name)),
        Refusal::TooManyRecipients { max } => format!("الحد الأقصى لعدد المستلمين في الرد: {}.", number(*max)),
        Refusal::AttachmentGone => "أحد الملفات المرفقة لم يعد موجودًا؛ أرفقه مرة أخرى.".into(),
        Refusal::EmptyFile => "هذا الملف فارغ.".into(),
        Refusal::FilesTooLarge { max_mb } => {
            format!("الحد الأقصى لحجم ملفات الرد: {} ميغابايت.", number(usize::try_from(*max_mb).unwrap_or(0)))
        }
        Refusal::SnoozeInThePast => "اختر وقتًا في المستقبل للتأجيل.".into(),
        Refusal::SnoozeTooLong => "لا يمكن تأجيل المحادثة أكثر من سنة.".into(),
        Refusal::NotAMember => "هذا الشخص ليس عضوًا نشطًا في هذا الصندوق، فلا يمكن إسناد المحادثة إليه.".into(),
        Refusal::BadFilter => "عنوان هذه القائمة تالف. افتح القائمة من جديد من الشريط الجانبي.".into(),
        Refusal::AlreadySent => "فات أوان التراجع: غادر هذا الرد بالفعل.".into(),
        Refusal::NoMailServers => "ليس لهذا الصندوق خوادم بريد بعد؛ يضيفها المسؤول من الإعدادات.".into(),
    }
}

fn persian(refusal: &Refusal, number: impl Fn(usize) -> String) -> String {
    let field = |f: Field| match f {
        Field::Subject => "موضوع",
        Field::Message => "پیام",
        Field::Signature => "امضا",
        Field::TagName => "نام برچسب",
        Field::PersonName => "نام",
        Field::MailboxName => "نام صندوق",
        Field::AddressLine => "سطر نشانی‌ها",
    };
    match refusal {
        Refusal::Text { field: f, fault: TextFault::Empty } => format!("{} را خالی نگذارید.", field(*f)),
        Refusal::Text { field: f, fault: TextFault::TooLong { max } } => {
            format!("{} حداکثر {} نویسه می‌تواند داشته باشد.", field(*f), number(*max))
        }
        Refusal::Text { field: f, fault: TextFault::ControlCharacter } => {
            format!("{} نباید نویسهٔ کنترلی داشته باشد.", field(*f))
        }
        Refusal::NothingWritten { what: Writing::Reply } => "پیش از فرستادن، پاسخ را بنویسید.".into(),
        Refusal::NothingWritten { what: Writing::Note } => "پیش از افزودن، یادداشت را بنویسید.".into(),
        Refusal::NothingWritten { what: Writing::Forward } => "یک خط همراه گفتگوی بازارسالی بنویسید.".into(),
        Refusal::NothingWritten { what: Writing::NewMail } => "پیش از فرستادن، متن ایمیل را بنویسید.".into(),
        Refusal::NotAnEmail { text } => format!("«{}» نشانی ایمیل نیست.", data(text)),
        Refusal::NoCustomerAddress => "نشانی مشتری را در «به» بنویسید.".into(),
        Refusal::NoForwardAddress => "نشانی‌ای را که گفتگو باید به آن بازارسال شود بنویسید.".into(),
        Refusal::CustomerHasNoAddress { name } => format!("{} نشانی ایمیلی برای پاسخ ندارد.", data(name)),
        Refusal::TooManyRecipients { max } => format!("یک پاسخ حداکثر به {} نشانی می‌رود.", number(*max)),
        Refusal::AttachmentGone => "یکی از فایل‌های پیوست دیگر در دسترس نیست؛ دوباره پیوستش کنید.".into(),
        Refusal::EmptyFile => "این فایل خالی است.".into(),
        Refusal::FilesTooLarge { max_mb } => format!(
            "فایل‌های یک پاسخ روی هم حداکثر {} مگابایت می‌توانند باشند.",
            number(usize::try_from(*max_mb).unwrap_or(0))
        ),
        Refusal::SnoozeInThePast => "زمانی در آینده برای تعویق انتخاب کنید.".into(),
        Refusal::SnoozeTooLong => "یک گفتگو را حداکثر یک سال می‌توان به تعویق انداخت.".into(),
        Refusal::NotAMember => "این شخص عضو فعال این صندوق نیست و نمی‌توان گفتگو را به او سپرد.".into(),
        Refusal::BadFilter => "نشانی این فهرست خراب است. فهرست را دوباره از نوار کناری باز کنید.".into(),
        Refusal::AlreadySent => "برای بازگرداندن دیر شده است: این پاسخ فرستاده شده است.".into(),
        Refusal::NoMailServers => "این صندوق هنوز سرور ایمیل ندارد؛ مدیر آن را در تنظیمات اضافه می‌کند.".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every refusal, with data that is ASCII so the check below can tell data from words.
    fn every_refusal() -> Vec<Refusal> {
        let mut all = Vec::new();
        for field in [
            Field::Subject,
            Field::Message,
            Field::Signature,
            Field::TagName,
            Field::PersonName,
            Field::MailboxName,
            Field::AddressLine,
        ] {
            for fault in [TextFault::Empty, TextFault::TooLong { max: 250 }, TextFault::ControlCharacter] {
                all.push(Refusal::Text { field, fault });
            }
        }
        for what in [Writing::Reply, Writing::Note, Writing::Forward, Writing::NewMail] {
            all.push(Refusal::NothingWritten { what });
        }
        all.extend([
            Refusal::NotAnEmail { text: "omar@".into() },
            Refusal::NoCustomerAddress,
            Refusal::NoForwardAddress,
            Refusal::CustomerHasNoAddress { name: "Layla".into() },
            Refusal::TooManyRecipients { max: 50 },
            Refusal::AttachmentGone,
            Refusal::EmptyFile,
            Refusal::FilesTooLarge { max_mb: 18 },
            Refusal::SnoozeInThePast,
            Refusal::SnoozeTooLong,
            Refusal::NotAMember,
            Refusal::BadFilter,
            Refusal::AlreadySent,
            Refusal::NoMailServers,
        ]);
        all
    }

    #[test]
    fn arabic_and_persian_readers_see_no_latin_words_and_their_own_digits() {
        for lang in [Lang::Ar, Lang::Fa] {
            for refusal in every_refusal() {
                let text = refusal_in(lang, &refusal);
                let outside_data = text.replace("omar@", "").replace("Layla", "");
                assert!(!outside_data.chars().any(|c| c.is_ascii_alphanumeric()), "{lang:?}: {text}");
            }
            for error in [AppError::NotSignedIn, AppError::NotFound, AppError::Forbidden, AppError::Internal] {
                let text = say(lang, &error);
                assert!(!text.chars().any(|c| c.is_ascii_alphanumeric()), "{lang:?}: {text}");
            }
        }
        let ar = refusal_in(Lang::Ar, &Refusal::TooManyRecipients { max: 50 });
        assert!(ar.contains("٥٠"), "{ar}");
        let fa = refusal_in(Lang::Fa, &Refusal::TooManyRecipients { max: 50 });
        assert!(fa.contains("۵۰"), "{fa}");
    }

    #[test]
    fn user_data_is_isolated_from_the_sentence() {
        let text = refusal_in(Lang::Ar, &Refusal::NotAnEmail { text: "omar@".into() });
        assert!(text.contains("\u{2068}omar@\u{2069}"), "{text}");
    }
}
