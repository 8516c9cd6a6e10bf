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
use model::{Field, MailFault, Refusal, Server, Writing};

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
        (_, E::MailServer { fault, .. }) => mail_fault(lang, fault),
        // A request no page of this build makes (its words are for the API's callers), and a
        // clash no refusal names: the reader can only load the page again.
        (Lang::En, E::Invalid(_)) => en("The server could not read this request. Reload the page and try again."),
        (Lang::En, E::Conflict(_)) => en("This changed while you were at it. Reload the page and try again."),
        (Lang::Ar, E::Invalid(_)) => en("تعذّر على الخادم قراءة هذا الطلب. أعد تحميل الصفحة وحاول مجددًا."),
        (Lang::Ar, E::Conflict(_)) => en("تغيّر هذا أثناء عملك عليه. أعد تحميل الصفحة وحاول مجددًا."),
        (Lang::Fa, E::Invalid(_)) => {
            en("سرور نتوانست این درخواست را بخواند. صفحه را از نو بارگذاری کنید و دوباره امتحان کنید.")
        }
        (Lang::Fa, E::Conflict(_)) => {
            en("این مورد در این فاصله تغییر کرده است. صفحه را از نو بارگذاری کنید و دوباره امتحان کنید.")
        }
        (Lang::En, other) => en(&other.to_string()),
        (Lang::Ar, E::NotSignedIn) => en("سجّل الدخول للمتابعة."),
        (Lang::Ar, E::NotFound) => en("غير موجود."),
        (Lang::Ar, E::Forbidden) => en("دورك لا يسمح بهذا."),
        (Lang::Ar, E::Stale { .. }) => {
            en("أضاف شخص آخر رسالة إلى هذه المحادثة أثناء كتابتك؛ اقرأ الجديد ثم أرسل على أي حال أو عدّل.")
        }
        (Lang::Ar, E::RateLimited(secs)) => {
            format!("محاولات كثيرة جدًا. أعد المحاولة بعد {}.", seconds(lang, *secs))
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
            format!("تعداد تلاش‌ها از حد مجاز گذشت. {} دیگر دوباره امتحان کنید.", seconds(lang, *secs))
        }
        (Lang::Fa, E::Internal) => en("خطایی در سرور رخ داد. دوباره امتحان کنید؛ اگر تکرار شد به مدیر بگویید."),
        (Lang::Fa, E::Transport(_)) => en("دسترسی به سرور ممکن نشد. اتصال را بررسی کنید و دوباره امتحان کنید."),
    }
}

/// `n` in the digits of `lang`.
fn number(lang: Lang, n: u64) -> String {
    Clock { lang, ..Clock::default() }.number(i64::try_from(n).unwrap_or(i64::MAX))
}

/// A span of seconds, as `lang` counts it ("ثانيتين", "٣ ثوانٍ", "١١ ثانية").
fn seconds(lang: Lang, n: u64) -> String {
    use crate::i18n::Category as C;
    let digits = number(lang, n);
    match (lang, lang.plural(n)) {
        (Lang::En, C::One) => "1 second".to_string(),
        (Lang::En, _) => format!("{digits} seconds"),
        (Lang::Ar, C::One) => "ثانية واحدة".to_string(),
        (Lang::Ar, C::Two) => "ثانيتين".to_string(),
        (Lang::Ar, C::Few) => format!("{digits} ثوانٍ"),
        (Lang::Ar, _) => format!("{digits} ثانية"),
        (Lang::Fa, _) => format!("{digits} ثانیه"),
    }
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
        Field::TeamName => "The team's name",
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
        Refusal::MailServers { server, fault } => on_server(*server, mail_fault(Lang::En, fault)),
        Refusal::OwnAdminRole => "You cannot take away your own admin role.".into(),
        Refusal::DeactivateSelf => "You cannot deactivate yourself.".into(),
        Refusal::BadColour => format!("A colour is written like {}.", data("#3b82f6")),
        Refusal::NameTaken { field: f, name } => {
            let what = match f {
                Field::TagName => "tag",
                Field::MailboxName => "mailbox",
                _ => "one",
            };
            format!("Another {what} is already named “{}”.", data(name))
        }
        Refusal::UnknownLanguage { text } => format!("“{}” is not a language Sanduq speaks.", data(text)),
        Refusal::UnknownTimeZone { text } => format!("“{}” is not a time zone.", data(text)),
        Refusal::PasswordTooShort { min } => format!("A password needs at least {min} characters."),
        Refusal::PasswordCommon => {
            "This password is too easy to guess: a common one, or made of common words or your name.".into()
        }
        Refusal::PasswordTooLong { max } => format!("A password has at most {max} characters."),
        Refusal::EmailTaken { email } => format!("Another account already uses {}.", data(email)),
        Refusal::WrongSetupCode => {
            format!(
                "This set-up code is wrong. Copy the one the server printed when it started (also in the file {} in its data folder).",
                data(model::SETUP_CODE_FILE)
            )
        }
        Refusal::AlreadySetUp => "This team is set up already. Sign in instead.".into(),
        Refusal::AlreadyInvited { email } => {
            format!("{} is invited already. Send that invitation again from the list below.", data(email))
        }
        Refusal::InvitationExpired => {
            "This invitation has expired. Ask the admin who invited you to send it again.".into()
        }
        Refusal::InvitationUsed => "This invitation has been used already. Sign in instead.".into(),
        Refusal::InvitationWithdrawn => {
            "This invitation link no longer works: it was revoked, or a newer one was sent.".into()
        }
        Refusal::ResetExpired => "This link to reset your password has expired. Ask for a new one.".into(),
        Refusal::ResetUsed => "This link to reset your password has been used. Sign in, or ask for a new one.".into(),
        Refusal::ResetWithdrawn => {
            "This link to reset your password no longer works: a newer one was sent. Use the newest mail.".into()
        }
        Refusal::MailboxRemoved => "This mailbox was removed: its conversations can be read, not answered.".into(),
        Refusal::ConfirmName { name } => format!("To remove the mailbox, type its name: {}.", data(name)),
        Refusal::WrongCode => "That code is wrong, or was used already. Enter the newest code.".into(),
        Refusal::TwoFactorRequired => "Your team requires two-factor sign-in: turn it on below first.".into(),
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
        Field::TeamName => "اسم الفريق",
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
        Refusal::MailServers { server, fault } => on_server(*server, mail_fault(Lang::Ar, fault)),
        Refusal::OwnAdminRole => "لا يمكنك نزع دور المسؤول عن نفسك.".into(),
        Refusal::DeactivateSelf => "لا يمكنك تعطيل حسابك بنفسك.".into(),
        Refusal::BadColour => format!("يُكتب اللون بالشكل {}.", data("#3b82f6")),
        Refusal::NameTaken { field: f, name } => {
            let what = match f {
                Field::TagName => "وسم آخر",
                Field::MailboxName => "صندوق آخر",
                _ => "اسم آخر",
            };
            format!("يوجد {what} بالاسم «{}».", data(name))
        }
        Refusal::UnknownLanguage { text } => format!("اللغة «{}» غير معروفة.", data(text)),
        Refusal::UnknownTimeZone { text } => format!("المنطقة الزمنية «{}» غير معروفة.", data(text)),
        Refusal::PasswordTooShort { min } => {
            format!("كلمة المرور قصيرة جدًا؛ الحد الأدنى لعدد أحرفها: {}.", number(*min))
        }
        Refusal::PasswordCommon => "يسهل تخمين كلمة المرور هذه: فهي شائعة، أو مركّبة من كلمات شائعة أو من اسمك.".into(),
        Refusal::PasswordTooLong { max } => format!("كلمة المرور طويلة جدًا؛ الحد الأقصى لعدد أحرفها: {}.", number(*max)),
        Refusal::EmailTaken { email } => format!("البريد {} مستخدَم في حساب آخر بالفعل.", data(email)),
        Refusal::WrongSetupCode => {
            format!(
                "رمز الإعداد غير صحيح. انسخ الرمز الذي طبعه الخادم عند تشغيله (وهو أيضًا في الملف {} داخل مجلد بياناته).",
                data(model::SETUP_CODE_FILE)
            )
        }
        Refusal::AlreadySetUp => "تم إعداد هذا الفريق من قبل. سجّل الدخول بدلًا من ذلك.".into(),
        Refusal::AlreadyInvited { email } => {
            format!("{} مدعوّ بالفعل. أرسل تلك الدعوة مجددًا من القائمة أدناه.", data(email))
        }
        Refusal::InvitationExpired => "انتهت صلاحية هذه الدعوة. اطلب من المشرف الذي دعاك أن يرسلها مجددًا.".into(),
        Refusal::InvitationUsed => "استُخدمت هذه الدعوة من قبل. سجّل الدخول بدلًا من ذلك.".into(),
        Refusal::InvitationWithdrawn => "لم يعد رابط الدعوة هذا يعمل: أُلغيت الدعوة أو أُرسل رابط أحدث.".into(),
        Refusal::ResetExpired => "انتهت صلاحية رابط إعادة تعيين كلمة المرور هذا. اطلب رابطًا جديدًا.".into(),
        Refusal::ResetUsed => "استُخدم رابط إعادة تعيين كلمة المرور هذا من قبل. سجّل الدخول، أو اطلب رابطًا جديدًا.".into(),
        Refusal::ResetWithdrawn => {
            "لم يعد رابط إعادة تعيين كلمة المرور هذا يعمل: أُرسل رابط أحدث. استخدم أحدث رسالة.".into()
        }
        Refusal::MailboxRemoved => "أُزيل هذا الصندوق: تُقرأ محادثاته ولا يُردّ عليها.".into(),
        Refusal::ConfirmName { name } => format!("لإزالة الصندوق، اكتب اسمه: {}.", data(name)),
        Refusal::WrongCode => "هذا الرمز خاطئ أو استُخدم من قبل. أدخل أحدث رمز.".into(),
        Refusal::TwoFactorRequired => "يشترط فريقك التحقق بخطوتين: فعّله أدناه أولًا.".into(),
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
        Field::TeamName => "نام تیم",
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
        Refusal::MailServers { server, fault } => on_server(*server, mail_fault(Lang::Fa, fault)),
        Refusal::OwnAdminRole => "نمی‌توانید نقش مدیر را از خودتان بگیرید.".into(),
        Refusal::DeactivateSelf => "نمی‌توانید حساب خودتان را غیرفعال کنید.".into(),
        Refusal::BadColour => format!("رنگ به شکل {} نوشته می‌شود.", data("#3b82f6")),
        Refusal::NameTaken { field: f, name } => {
            let what = match f {
                Field::TagName => "برچسب",
                Field::MailboxName => "صندوق",
                _ => "مورد",
            };
            format!("{what} دیگری با نام «{}» وجود دارد.", data(name))
        }
        Refusal::UnknownLanguage { text } => format!("زبان «{}» شناخته‌شده نیست.", data(text)),
        Refusal::UnknownTimeZone { text } => format!("منطقهٔ زمانی «{}» شناخته‌شده نیست.", data(text)),
        Refusal::PasswordTooShort { min } => format!("رمز عبور باید دست‌کم {} نویسه باشد.", number(*min)),
        Refusal::PasswordCommon => {
            "حدس زدن این رمز عبور آسان است: رایج است یا از واژه‌های رایج یا نام شما ساخته شده است.".into()
        }
        Refusal::PasswordTooLong { max } => format!("رمز عبور نباید بیش از {} نویسه باشد.", number(*max)),
        Refusal::EmailTaken { email } => format!("نشانی {} پیش‌تر برای حساب دیگری ثبت شده است.", data(email)),
        Refusal::WrongSetupCode => {
            format!(
                "کد راه‌اندازی درست نیست. کدی را که سرور هنگام شروع چاپ کرد کپی کنید (در پرونده {} در پوشه داده‌هایش هم هست).",
                data(model::SETUP_CODE_FILE)
            )
        }
        Refusal::AlreadySetUp => "این تیم پیش‌تر راه‌اندازی شده است. به‌جای آن وارد شوید.".into(),
        Refusal::AlreadyInvited { email } => {
            format!("{} پیش‌تر دعوت شده است. همان دعوت را از فهرست زیر دوباره بفرستید.", data(email))
        }
        Refusal::InvitationExpired => "این دعوت منقضی شده است. از مدیری که دعوتتان کرد بخواهید دوباره بفرستد.".into(),
        Refusal::InvitationUsed => "این دعوت پیش‌تر به کار رفته است. به‌جای آن وارد شوید.".into(),
        Refusal::InvitationWithdrawn => {
            "این پیوند دعوت دیگر کار نمی‌کند: دعوت لغو شده یا پیوند تازه‌تری فرستاده شده است.".into()
        }
        Refusal::ResetExpired => "این پیوند بازنشانی رمز عبور منقضی شده است. پیوند تازه‌ای بخواهید.".into(),
        Refusal::ResetUsed => {
            "این پیوند بازنشانی رمز عبور پیش‌تر به کار رفته است. وارد شوید یا پیوند تازه‌ای بخواهید.".into()
        }
        Refusal::ResetWithdrawn => {
            "این پیوند بازنشانی رمز عبور دیگر کار نمی‌کند: پیوند تازه‌تری فرستاده شده است. از تازه‌ترین نامه استفاده کنید."
                .into()
        }
        Refusal::MailboxRemoved => "این صندوق حذف شده است: گفتگوهایش خوانده می‌شوند، نه پاسخ داده.".into(),
        Refusal::ConfirmName { name } => format!("برای حذف صندوق، نام آن را بنویسید: {}.", data(name)),
        Refusal::WrongCode => "این کد نادرست است یا پیش‌تر به کار رفته. تازه‌ترین کد را وارد کنید.".into(),
        Refusal::TwoFactorRequired => {
            "تیم شما ورود دومرحله‌ای را الزامی کرده است: نخست آن را در پایین روشن کنید.".into()
        }
    }
}

/// A mail server fault with the server it is about in front.
fn on_server(server: Option<Server>, words: String) -> String {
    match server {
        Some(server) => format!("{}: {words}", server.as_str()),
        None => words,
    }
}

/// A mail server fault in `lang`. Protocol names (IMAP, SMTP, TLS, STARTTLS, AUTH) stay as
/// they are written everywhere; hosts, folders and a server's own words are data.
pub fn mail_fault(lang: Lang, fault: &MailFault) -> String {
    match lang {
        Lang::En => english_fault(fault),
        Lang::Ar => mail_fault_ar(fault),
        Lang::Fa => mail_fault_fa(fault),
    }
}

/// The fault's English ([`MailFault`]'s `Display`) as a sentence: a capital where it starts
/// with a word (not with a host name or a date), a full stop where it has none.
fn english_fault(fault: &MailFault) -> String {
    use MailFault as M;
    let text = fault.to_string();
    let starts_with_data = matches!(
        fault,
        M::NotAHostName { .. }
            | M::NotADate { .. }
            | M::DateInFuture { .. }
            | M::PortRefused { .. }
            | M::NotATlsName { .. }
            | M::NoStartTls { .. }
            | M::NotImap { .. }
            | M::GreetingTimeout { .. }
            | M::CommandFailed { .. }
            | M::CommandTimeout { .. }
            | M::SmtpNotAccepted { .. }
            | M::Other { .. }
    );
    let mut chars = text.chars();
    let mut sentence = match chars.next() {
        Some(first) if !starts_with_data => format!("{}{}", first.to_ascii_uppercase(), chars.as_str()),
        _ => text.clone(),
    };
    if !sentence.ends_with(['.', '?', '!']) {
        sentence.push('.');
    }
    sentence
}

fn mail_fault_ar(fault: &MailFault) -> String {
    use MailFault as M;
    let n = |n: u64| number(Lang::Ar, n);
    let secs = |s: u64| seconds(Lang::Ar, s);
    match fault {
        M::UnknownSecurity { text } => format!("اختر للأمان: «بدون»، أو STARTTLS، أو TLS (وليس «{}»).", data(text)),
        M::NotAHostName { host } => format!("«{}» ليس اسم خادم.", data(host)),
        M::NoPort => format!("رقم المنفذ من {} إلى {}.", n(1), n(65_535)),
        M::ClearTextPassword => "مع «بدون» تُرسَل كلمة المرور مكشوفة؛ اختر TLS أو STARTTLS («بدون» مسموح به لخادم على هذا الجهاز فقط).".into(),
        M::UserName { fault: TextFault::Empty } => "املأ اسم المستخدم.".into(),
        M::UserName { fault: TextFault::TooLong { max } } => format!("الحد الأقصى لعدد أحرف اسم المستخدم: {}.", n(*max as u64)),
        M::UserName { fault: TextFault::ControlCharacter } => "في اسم المستخدم رموز تحكم غير مسموح بها.".into(),
        M::FolderCount { max } => format!("زامن من مجلد واحد إلى {} مجلدًا (صندوق الوارد INBOX افتراضيًا).", n(*max as u64)),
        M::BadFolderName => "لا يكون اسم المجلد فارغًا ولا يحوي سطرًا جديدًا.".into(),
        M::UnknownSenderStyle { text } => format!("طريقة تسمية المرسل «{}» غير معروفة.", data(text)),
        M::NotADate { text } => format!("«{}» ليس تاريخًا؛ اكتبه بالشكل سنة-شهر-يوم، أو اتركه فارغًا لكل البريد.", data(text)),
        M::DateInFuture { text } => format!("التاريخ {} في المستقبل؛ لم يصل بريد منذ ذلك الحين بعد.", data(text)),
        M::NeedsImapPassword => "أدخل كلمة مرور IMAP (في جيميل: كلمة مرور التطبيقات).".into(),
        M::DemoMailbox => "الصندوق التجريبي لا يتصل بخوادم بريد أبدًا.".into(),
        M::NameUnknown { host } => format!("تعذّر العثور على الاسم {}: تحقّق من اسم الخادم.", data(host)),
        M::NameTimeout { host, secs: s } => format!("لم يُعثر على الاسم {} خلال {}.", data(host), secs(*s)),
        M::PortRefused { host, port } => {
            format!("رفض {} الاتصال على المنفذ {}: تحقّق من رقم المنفذ.", data(host), n(u64::from(*port)))
        }
        M::Unreachable { host, port, detail } => {
            format!("تعذّر الوصول إلى {} على المنفذ {}: {}", data(host), n(u64::from(*port)), data(detail))
        }
        M::NoAnswer { host, port, secs: s } => {
            format!("لا جواب من {} على المنفذ {} خلال {}.", data(host), n(u64::from(*port)), secs(*s))
        }
        M::NotATlsName { host } => format!("لا يمكن التحقق من {} باسمه عبر TLS.", data(host)),
        M::TlsTimeout { host, secs: s } => format!("لم تكتمل مصافحة TLS مع {} خلال {}.", data(host), secs(*s)),
        M::TlsFailed { host, detail } => format!("فشل TLS مع {}: {}", data(host), data(detail)),
        M::NoStartTls { host, port } => {
            format!("لا يقدّم {} خدمة STARTTLS على المنفذ {}: جرّب TLS.", data(host), n(u64::from(*port)))
        }
        M::NotImap { host, detail: None } => format!("أغلق {} الاتصال قبل التحية: هل هو خادم IMAP؟", data(host)),
        M::NotImap { host, detail: Some(detail) } => {
            format!("لم يُحيِّ {} كما يفعل خادم IMAP: {}", data(host), data(detail))
        }
        M::GreetingTimeout { host, secs: s } => format!("لم يرسل {} تحية IMAP خلال {}.", data(host), secs(*s)),
        M::SignInRejected { user, detail } => format!("رفض الخادم دخول {}: {}", data(user), data(detail)),
        M::SignInFailed { host, detail } => format!("فشل الدخول إلى {}: {}", data(host), data(detail)),
        M::SignInTimeout { host, secs: s } => format!("لم يُجب {} على الدخول خلال {}.", data(host), secs(*s)),
        M::FolderMissing { folder, detail } => format!("المجلد {} غير موجود على الخادم ({}).", data(folder), data(detail)),
        M::FolderFailed { folder, detail } => format!("تعذّر فتح المجلد {}: {}", data(folder), data(detail)),
        M::FolderTimeout { folder } => format!("لا جواب عند فتح المجلد {}.", data(folder)),
        M::CommandFailed { command, detail } => format!("فشل الأمر {}: {}", data(command), data(detail)),
        M::CommandTimeout { command, secs: s } => format!("لا جواب على الأمر {} خلال {}.", data(command), secs(*s)),
        M::ConnectionLost { detail: None } => "توقف خادم IMAP عن الرد.".into(),
        M::ConnectionLost { detail: Some(detail) } => format!("انقطع الاتصال بخادم IMAP: {}", data(detail)),
        M::PasswordUnreadable => "لا يمكن قراءة كلمة مرور IMAP بمفتاح التشفير الحالي؛ أدخلها من جديد.".into(),
        M::SmtpNoAuth => "لا يقدّم خادم SMTP طريقة دخول (AUTH) يستطيع البرنامج استخدامها، مع أن للصندوق كلمة مرور SMTP: امسح كلمة المرور إن كان الخادم لا يحتاجها، أو فعّل عليه AUTH PLAIN أو LOGIN.".into(),
        M::SmtpNoStartTls => format!("لا يقدّم خادم SMTP خدمة STARTTLS: اختر TLS (غالبًا على المنفذ {})، أو «بدون» لخادم على هذا الجهاز.", n(465)),
        M::SmtpNotEncrypted => "اتصال SMTP غير مشفّر، فلم تُرسَل كلمة المرور: اختر STARTTLS أو TLS.".into(),
        M::SmtpMisfit { detail } => format!("إعدادات SMTP لا تناسب هذا الخادم ({}): راجعها.", data(detail)),
        M::SmtpNotAccepted { host } => format!("لم يقبل {} الاتصال.", data(host)),
        M::SmtpRejected { detail } => format!("رفض خادم SMTP الدخول: {} (تحقّق من اسم المستخدم وكلمة المرور).", data(detail)),
        M::SmtpFailed { detail } => format!("فشل خادم SMTP: {}", data(detail)),
        M::SmtpAnswered { code, detail } => format!("أجاب خادم البريد بالرمز {}: {}", data(code), data(detail)),
        M::SmtpUnreachable { detail } => format!("تعذّر الوصول إلى خادم البريد: {}", data(detail)),
        M::BadEnvelope { detail } => format!("لا يمكن توجيه هذا الرد: {}", data(detail)),
        M::GaveUp { last } => format!("توقفت المحاولات بعد ٢٤ ساعة. آخر سبب: {}", mail_fault_ar(last)),
        M::WrittenBeforeServers => "كُتب هذا الرد قبل أن يستطيع الصندوق إرسال البريد؛ أرسله مرة أخرى.".into(),
        M::NoSmtpServer => "ليس لهذا الصندوق خادم SMTP.".into(),
        M::SmtpPasswordUnreadable => "لا يمكن قراءة كلمة مرور SMTP بمفتاح التشفير الحالي؛ أدخلها من جديد.".into(),
        M::Bounced { detail } => format!("ارتدّ الرد من خادم العميل: {}", data(detail)),
        M::Other { detail } => format!("خطأ: {}", data(detail)),
    }
}

fn mail_fault_fa(fault: &MailFault) -> String {
    use MailFault as M;
    let n = |n: u64| number(Lang::Fa, n);
    let secs = |s: u64| seconds(Lang::Fa, s);
    match fault {
        M::UnknownSecurity { text } => format!("برای امنیت یکی را برگزینید: «بدون»، STARTTLS یا TLS (نه «{}»).", data(text)),
        M::NotAHostName { host } => format!("«{}» نام سرور نیست.", data(host)),
        M::NoPort => format!("شمارهٔ پورت باید از {} تا {} باشد.", n(1), n(65_535)),
        M::ClearTextPassword => "با «بدون»، گذرواژه آشکار فرستاده می‌شود؛ TLS یا STARTTLS را برگزینید («بدون» فقط برای سروری روی همین دستگاه مجاز است).".into(),
        M::UserName { fault: TextFault::Empty } => "نام کاربری را بنویسید.".into(),
        M::UserName { fault: TextFault::TooLong { max } } => format!("نام کاربری حداکثر {} نویسه می‌تواند داشته باشد.", n(*max as u64)),
        M::UserName { fault: TextFault::ControlCharacter } => "نام کاربری نباید نویسهٔ کنترلی داشته باشد.".into(),
        M::FolderCount { max } => format!("از ۱ تا {} پوشه را همگام کنید (به‌طور پیش‌فرض صندوق ورودی INBOX).", n(*max as u64)),
        M::BadFolderName => "نام پوشه نباید خالی باشد یا شکست خط داشته باشد.".into(),
        M::UnknownSenderStyle { text } => format!("شیوهٔ نام فرستنده «{}» شناخته‌شده نیست.", data(text)),
        M::NotADate { text } => format!("«{}» تاریخ نیست؛ آن را به شکل سال-ماه-روز بنویسید، یا برای همهٔ ایمیل‌ها خالی بگذارید.", data(text)),
        M::DateInFuture { text } => format!("تاریخ {} در آینده است؛ هنوز از آن زمان ایمیلی نرسیده است.", data(text)),
        M::NeedsImapPassword => "گذرواژهٔ IMAP را وارد کنید (برای جیمیل، گذرواژهٔ برنامه).".into(),
        M::DemoMailbox => "صندوق نمایشی هرگز به سرور ایمیل وصل نمی‌شود.".into(),
        M::NameUnknown { host } => format!("نام {} پیدا نشد: نام سرور را بررسی کنید.", data(host)),
        M::NameTimeout { host, secs: s } => format!("نام {} در {} پیدا نشد.", data(host), secs(*s)),
        M::PortRefused { host, port } => format!("{} اتصال روی پورت {} را نپذیرفت: شمارهٔ پورت را بررسی کنید.", data(host), n(u64::from(*port))),
        M::Unreachable { host, port, detail } => format!("دسترسی به {} روی پورت {} ممکن نشد: {}", data(host), n(u64::from(*port)), data(detail)),
        M::NoAnswer { host, port, secs: s } => format!("{} روی پورت {} در {} پاسخی نداد.", data(host), n(u64::from(*port)), secs(*s)),
        M::NotATlsName { host } => format!("نام {} را نمی‌توان با TLS بررسی کرد.", data(host)),
        M::TlsTimeout { host, secs: s } => format!("دست‌دهی TLS با {} در {} تمام نشد.", data(host), secs(*s)),
        M::TlsFailed { host, detail } => format!("TLS با {} شکست خورد: {}", data(host), data(detail)),
        M::NoStartTls { host, port } => format!("{} روی پورت {} از STARTTLS پشتیبانی نمی‌کند: TLS را امتحان کنید.", data(host), n(u64::from(*port))),
        M::NotImap { host, detail: None } => format!("{} پیش از خوشامد اتصال را بست: آیا سرور IMAP است؟", data(host)),
        M::NotImap { host, detail: Some(detail) } => format!("{} مانند سرور IMAP خوشامد نگفت: {}", data(host), data(detail)),
        M::GreetingTimeout { host, secs: s } => format!("{} در {} خوشامد IMAP نفرستاد.", data(host), secs(*s)),
        M::SignInRejected { user, detail } => format!("سرور ورود {} را نپذیرفت: {}", data(user), data(detail)),
        M::SignInFailed { host, detail } => format!("ورود به {} شکست خورد: {}", data(host), data(detail)),
        M::SignInTimeout { host, secs: s } => format!("{} در {} به ورود پاسخ نداد.", data(host), secs(*s)),
        M::FolderMissing { folder, detail } => format!("پوشهٔ {} روی سرور نیست ({}).", data(folder), data(detail)),
        M::FolderFailed { folder, detail } => format!("باز کردن پوشهٔ {} ممکن نشد: {}", data(folder), data(detail)),
        M::FolderTimeout { folder } => format!("باز کردن پوشهٔ {} پاسخی نگرفت.", data(folder)),
        M::CommandFailed { command, detail } => format!("فرمان {} شکست خورد: {}", data(command), data(detail)),
        M::CommandTimeout { command, secs: s } => format!("فرمان {} در {} پاسخی نگرفت.", data(command), secs(*s)),
        M::ConnectionLost { detail: None } => "سرور IMAP دیگر پاسخ نمی‌دهد.".into(),
        M::ConnectionLost { detail: Some(detail) } => format!("اتصال به سرور IMAP قطع شد: {}", data(detail)),
        M::PasswordUnreadable => "گذرواژهٔ IMAP با کلید رمز کنونی خوانده نمی‌شود؛ آن را دوباره وارد کنید.".into(),
        M::SmtpNoAuth => "سرور SMTP روش ورودی (AUTH) که برنامه بتواند به کار ببرد ندارد، اما صندوق گذرواژهٔ SMTP دارد: اگر سرور گذرواژه نمی‌خواهد آن را پاک کنید، یا AUTH PLAIN یا LOGIN را روی سرور روشن کنید.".into(),
        M::SmtpNoStartTls => format!("سرور SMTP از STARTTLS پشتیبانی نمی‌کند: TLS را برگزینید (معمولاً پورت {})، یا برای سروری روی همین دستگاه «بدون».", n(465)),
        M::SmtpNotEncrypted => "اتصال SMTP رمزنگاری نشده است، پس گذرواژه فرستاده نشد: STARTTLS یا TLS را برگزینید.".into(),
        M::SmtpMisfit { detail } => format!("تنظیمات SMTP با این سرور جور نیست ({}): آن‌ها را بررسی کنید.", data(detail)),
        M::SmtpNotAccepted { host } => format!("{} اتصال را نپذیرفت.", data(host)),
        M::SmtpRejected { detail } => format!("سرور SMTP ورود را نپذیرفت: {} (نام کاربری و گذرواژه را بررسی کنید).", data(detail)),
        M::SmtpFailed { detail } => format!("سرور SMTP شکست خورد: {}", data(detail)),
        M::SmtpAnswered { code, detail } => format!("سرور ایمیل با کد {} پاسخ داد: {}", data(code), data(detail)),
        M::SmtpUnreachable { detail } => format!("دسترسی به سرور ایمیل ممکن نشد: {}", data(detail)),
        M::BadEnvelope { detail } => format!("این پاسخ را نمی‌توان نشانی‌دهی کرد: {}", data(detail)),
        M::GaveUp { last } => format!("پس از ۲۴ ساعت تلاش رها شد. آخرین علت: {}", mail_fault_fa(last)),
        M::WrittenBeforeServers => "این پاسخ پیش از آنکه صندوق بتواند ایمیل بفرستد نوشته شده است؛ دوباره بفرستید.".into(),
        M::NoSmtpServer => "این صندوق سرور SMTP ندارد.".into(),
        M::SmtpPasswordUnreadable => "گذرواژهٔ SMTP با کلید رمز کنونی خوانده نمی‌شود؛ آن را دوباره وارد کنید.".into(),
        M::Bounced { detail } => format!("سرور مشتری پاسخ را برگرداند: {}", data(detail)),
        M::Other { detail } => format!("خطا: {}", data(detail)),
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
            Field::TeamName,
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
            Refusal::OwnAdminRole,
            Refusal::DeactivateSelf,
            Refusal::BadColour,
            Refusal::NameTaken { field: Field::TagName, name: "Layla".into() },
            Refusal::UnknownLanguage { text: "omar@".into() },
            Refusal::UnknownTimeZone { text: "omar@".into() },
            Refusal::PasswordTooShort { min: 8 },
            Refusal::PasswordCommon,
            Refusal::PasswordTooLong { max: 1024 },
            Refusal::EmailTaken { email: "omar@".into() },
            Refusal::WrongSetupCode,
            Refusal::AlreadySetUp,
            Refusal::AlreadyInvited { email: "omar@".into() },
            Refusal::InvitationExpired,
            Refusal::InvitationUsed,
            Refusal::InvitationWithdrawn,
            Refusal::ResetExpired,
            Refusal::ResetUsed,
            Refusal::ResetWithdrawn,
            Refusal::MailboxRemoved,
            Refusal::ConfirmName { name: "Layla".into() },
            Refusal::WrongCode,
            Refusal::TwoFactorRequired,
        ]);
        for fault in every_mail_fault() {
            all.push(Refusal::MailServers { server: Some(Server::Imap), fault });
        }
        all
    }

    /// Every mail fault, its data "omar@" or "Layla".
    fn every_mail_fault() -> Vec<MailFault> {
        use MailFault as M;
        let h = || "omar@".to_string();
        let d = || "Layla".to_string();
        vec![
            M::UnknownSecurity { text: h() },
            M::NotAHostName { host: h() },
            M::NoPort,
            M::ClearTextPassword,
            M::UserName { fault: TextFault::Empty },
            M::UserName { fault: TextFault::TooLong { max: 320 } },
            M::UserName { fault: TextFault::ControlCharacter },
            M::FolderCount { max: 50 },
            M::BadFolderName,
            M::UnknownSenderStyle { text: h() },
            M::NotADate { text: h() },
            M::DateInFuture { text: h() },
            M::NeedsImapPassword,
            M::DemoMailbox,
            M::NameUnknown { host: h() },
            M::NameTimeout { host: h(), secs: 15 },
            M::PortRefused { host: h(), port: 993 },
            M::Unreachable { host: h(), port: 993, detail: d() },
            M::NoAnswer { host: h(), port: 993, secs: 2 },
            M::NotATlsName { host: h() },
            M::TlsTimeout { host: h(), secs: 1 },
            M::TlsFailed { host: h(), detail: d() },
            M::NoStartTls { host: h(), port: 143 },
            M::NotImap { host: h(), detail: None },
            M::NotImap { host: h(), detail: Some(d()) },
            M::GreetingTimeout { host: h(), secs: 3 },
            M::SignInRejected { user: h(), detail: d() },
            M::SignInFailed { host: h(), detail: d() },
            M::SignInTimeout { host: h(), secs: 11 },
            M::FolderMissing { folder: h(), detail: d() },
            M::FolderFailed { folder: h(), detail: d() },
            M::FolderTimeout { folder: h() },
            M::CommandFailed { command: h(), detail: d() },
            M::CommandTimeout { command: h(), secs: 100 },
            M::ConnectionLost { detail: None },
            M::ConnectionLost { detail: Some(d()) },
            M::PasswordUnreadable,
            M::SmtpNoAuth,
            M::SmtpNoStartTls,
            M::SmtpNotEncrypted,
            M::SmtpMisfit { detail: d() },
            M::SmtpNotAccepted { host: h() },
            M::SmtpRejected { detail: d() },
            M::SmtpFailed { detail: d() },
            M::SmtpAnswered { code: h(), detail: d() },
            M::SmtpUnreachable { detail: d() },
            M::BadEnvelope { detail: d() },
            M::GaveUp { last: Box::new(M::NoSmtpServer) },
            M::WrittenBeforeServers,
            M::NoSmtpServer,
            M::SmtpPasswordUnreadable,
            M::Bounced { detail: d() },
            M::Other { detail: d() },
        ]
    }

    /// Protocol names, written in Latin letters in every language.
    const PROTOCOL_WORDS: [&str; 8] = ["STARTTLS", "IMAP", "SMTP", "TLS", "AUTH", "PLAIN", "LOGIN", "INBOX"];

    #[test]
    fn arabic_and_persian_readers_see_no_latin_words_and_their_own_digits() {
        for lang in [Lang::Ar, Lang::Fa] {
            for refusal in every_refusal() {
                let text = refusal_in(lang, &refusal);
                let mut outside_data = text
                    .replace("omar@", "")
                    .replace("Layla", "")
                    .replace("#3b82f6", "")
                    .replace(model::SETUP_CODE_FILE, "");
                for word in PROTOCOL_WORDS {
                    outside_data = outside_data.replace(word, "");
                }
                assert!(!outside_data.chars().any(|c| c.is_ascii_alphanumeric()), "{lang:?}: {text}");
            }
            for error in [
                AppError::NotSignedIn,
                AppError::NotFound,
                AppError::Forbidden,
                AppError::Internal,
                AppError::Invalid("The request is incomplete or malformed: missing field `id`".into()),
                AppError::Conflict("the sync state of folder INBOX changed underneath".into()),
            ] {
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
