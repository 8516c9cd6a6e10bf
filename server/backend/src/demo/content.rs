//! The words of the demo: a small online store, Nour Store (متجر نور), whose customers write
//! in English, Arabic and Persian about the things online stores hear about every day. The
//! vocabulary follows the Arabic and Persian articles this product was conceived from.

/// A language of demo customers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Ar,
    Fa,
}

/// A kind of conversation, in one language. `{name}` is the customer's first name, `{order}`
/// an order number, `{agent}` the agent's first name.
pub struct Scenario {
    pub lang: Lang,
    /// Index into [`MAILBOXES`] of the mailbox such mail goes to.
    pub mailbox: usize,
    pub tag: &'static str,
    pub subject: &'static str,
    pub customer: &'static str,
    pub reply: &'static str,
    pub follow_up: &'static str,
    pub note: &'static str,
}

/// The demo mailboxes: name and address.
pub const MAILBOXES: [(&str, &str); 3] = [
    ("Support", "support@nour-store.example"),
    ("Sales", "sales@nour-store.example"),
    ("Returns", "returns@nour-store.example"),
];

/// A member of the demo team.
pub struct Agent {
    pub email: &'static str,
    pub name: &'static str,
    /// How they sign mail to English-speaking customers...
    pub latin_first_name: &'static str,
    /// ...and to Arabic- and Persian-speaking ones.
    pub native_first_name: &'static str,
    pub role: model::Role,
    /// Indexes into [`MAILBOXES`] of the mailboxes they belong to.
    pub mailboxes: &'static [usize],
}

/// The demo team.
pub const AGENTS: [Agent; 5] = [
    Agent {
        email: "amal@nour-store.example",
        name: "Amal Haddad",
        latin_first_name: "Amal",
        native_first_name: "أمل",
        role: model::Role::Admin,
        mailboxes: &[0, 1, 2],
    },
    Agent {
        email: "omar@nour-store.example",
        name: "Omar Khalil",
        latin_first_name: "Omar",
        native_first_name: "عمر",
        role: model::Role::Manager,
        mailboxes: &[0, 1],
    },
    Agent {
        email: "sara@nour-store.example",
        name: "Sara Nasser",
        latin_first_name: "Sara",
        native_first_name: "سارة",
        role: model::Role::Agent,
        mailboxes: &[0, 2],
    },
    Agent {
        email: "reza@nour-store.example",
        name: "رضا احمدی",
        latin_first_name: "Reza",
        native_first_name: "رضا",
        role: model::Role::Agent,
        mailboxes: &[0, 1],
    },
    Agent {
        email: "layla@nour-store.example",
        name: "Layla Mansour",
        latin_first_name: "Layla",
        native_first_name: "ليلى",
        role: model::Role::Agent,
        mailboxes: &[1, 2],
    },
];

/// First names, each with the ASCII spelling used in email addresses.
pub const FIRST_NAMES: [(Lang, &[(&str, &str)]); 3] = [
    (
        Lang::En,
        &[
            ("Emily", "emily"),
            ("James", "james"),
            ("Olivia", "olivia"),
            ("Daniel", "daniel"),
            ("Sophie", "sophie"),
            ("Michael", "michael"),
            ("Grace", "grace"),
            ("Lucas", "lucas"),
            ("Hannah", "hannah"),
            ("Noah", "noah"),
            ("Chloe", "chloe"),
            ("Ethan", "ethan"),
        ],
    ),
    (
        Lang::Ar,
        &[
            ("محمد", "mohammed"),
            ("فاطمة", "fatima"),
            ("أحمد", "ahmed"),
            ("مريم", "maryam"),
            ("خالد", "khaled"),
            ("نور", "nour"),
            ("يوسف", "youssef"),
            ("هدى", "huda"),
            ("علي", "ali"),
            ("سلمى", "salma"),
            ("عمر", "omar"),
            ("ريم", "reem"),
            ("إبراهيم", "ibrahim"),
            ("ليلى", "laila"),
        ],
    ),
    (
        Lang::Fa,
        &[
            ("مریم", "maryam"),
            ("علی", "ali"),
            ("زهرا", "zahra"),
            ("حسین", "hossein"),
            ("فاطمه", "fatemeh"),
            ("مهدی", "mahdi"),
            ("نگار", "negar"),
            ("امیر", "amir"),
            ("سارا", "sara"),
            ("پژمان", "pejman"),
        ],
    ),
];

/// Family names, with their ASCII spellings.
pub const LAST_NAMES: [(Lang, &[(&str, &str)]); 3] = [
    (
        Lang::En,
        &[
            ("Smith", "smith"),
            ("Johnson", "johnson"),
            ("Brown", "brown"),
            ("Taylor", "taylor"),
            ("Wilson", "wilson"),
            ("Clarke", "clarke"),
            ("Walker", "walker"),
            ("Hughes", "hughes"),
            ("Green", "green"),
            ("Baker", "baker"),
        ],
    ),
    (
        Lang::Ar,
        &[
            ("العتيبي", "alotaibi"),
            ("الحربي", "alharbi"),
            ("المصري", "almasri"),
            ("الخطيب", "alkhatib"),
            ("حداد", "haddad"),
            ("يوسف", "yousef"),
            ("الشمري", "alshammari"),
            ("القحطاني", "alqahtani"),
            ("عبدالله", "abdullah"),
            ("منصور", "mansour"),
        ],
    ),
    (
        Lang::Fa,
        &[
            ("محمدی", "mohammadi"),
            ("حسینی", "hosseini"),
            ("رضایی", "rezaei"),
            ("کریمی", "karimi"),
            ("موسوی", "mousavi"),
            ("جعفری", "jafari"),
            ("صادقی", "sadeghi"),
            ("نوری", "nouri"),
        ],
    ),
];

/// Where demo customers have their mail.
pub const DOMAINS: [&str; 4] = ["mail.example", "inbox.example", "post.example", "webmail.example"];

/// Tags sprinkled on top of each scenario's own.
pub const EXTRA_TAGS: [&str; 3] = ["vip", "follow-up", "wholesale"];

/// The kinds of conversations, in each language.
pub const SCENARIOS: &[Scenario] = &[
    // English
    Scenario {
        lang: Lang::En,
        mailbox: 0,
        tag: "shipping",
        subject: "Where is my order #{order}?",
        customer: "Hi,\n\nI ordered a week ago (order #{order}) and the tracking page hasn't changed in four days. Can you tell me where my parcel is?\n\nThanks,\n{name}",
        reply: "Hi {name},\n\nSorry for the wait! I checked with the courier: order #{order} is at the local depot and should reach you within two working days. I'll keep an eye on it.\n\nBest,\n{agent}",
        follow_up: "Thanks {agent}, it just arrived. Everything is fine!",
        note: "Courier confirmed the parcel is at the depot; they lost a scan, nothing more.",
    },
    Scenario {
        lang: Lang::En,
        mailbox: 2,
        tag: "refund",
        subject: "Refund for order #{order}",
        customer: "Hello,\n\nI sent the blender back last Monday. When will I get my refund for order #{order}?\n\n{name}",
        reply: "Hello {name},\n\nWe received the blender yesterday and the refund is on its way. Your bank usually shows it within 3 to 5 working days.\n\nKind regards,\n{agent}",
        follow_up: "It's been six days and I still don't see the money. Could you check again?",
        note: "Refund issued in the payment dashboard on the 12th. Ask finance if the bank rejected it.",
    },
    Scenario {
        lang: Lang::En,
        mailbox: 1,
        tag: "payment",
        subject: "Payment failed but money was taken",
        customer: "Hi there,\n\nMy card was charged but the checkout page said the payment failed and no order was created. What should I do?\n\n{name}",
        reply: "Hi {name},\n\nThat sometimes happens when the bank confirms late. The charge is only a hold and will be released automatically within 48 hours. If you'd like, I can place the order for you now.\n\n{agent}",
        follow_up: "Yes please, place it for me. Same address as last time.",
        note: "Payment provider shows an authorisation without capture. Safe to reorder.",
    },
    Scenario {
        lang: Lang::En,
        mailbox: 2,
        tag: "exchange",
        subject: "Wrong size — can I exchange?",
        customer: "Hi,\n\nThe jacket from order #{order} is too small. Can I exchange it for a large?\n\nCheers,\n{name}",
        reply: "Hi {name},\n\nOf course. I've emailed you a free return label; as soon as the courier scans it we'll send the large.\n\n{agent}",
        follow_up: "Got the label, dropping it off tomorrow. Thanks!",
        note: "Large is in stock (3 left). Reserved one for this exchange.",
    },
    Scenario {
        lang: Lang::En,
        mailbox: 1,
        tag: "order",
        subject: "Do you ship to Kuwait?",
        customer: "Hello,\n\nI'd like to order 20 notebooks for my team. Do you ship to Kuwait, and is there a discount for bulk orders?\n\nThanks,\n{name}",
        reply: "Hello {name},\n\nYes, we ship to Kuwait in 3 to 5 days. For 20 or more items you get 10% off; I've attached a quote.\n\n{agent}",
        follow_up: "Great, I'll go ahead with the quote.",
        note: "Possible wholesale customer. Flag for Omar.",
    },
    // Arabic
    Scenario {
        lang: Lang::Ar,
        mailbox: 0,
        tag: "shipping",
        subject: "أين طلبي رقم {order}؟",
        customer: "السلام عليكم،\n\nطلبت منذ أسبوع (الطلب رقم {order}) ولم يتغير شيء في صفحة التتبع منذ أربعة أيام. متى سيصل الطلب؟\n\nشكرًا،\n{name}",
        reply: "وعليكم السلام {name}،\n\nنعتذر عن التأخير. تواصلت مع شركة الشحن والطلب رقم {order} الآن في المستودع المحلي، وسيصلك خلال يومي عمل.\n\nمع التحية،\n{agent}",
        follow_up: "شكرًا {agent}، وصل الطلب اليوم وكل شيء سليم.",
        note: "شركة الشحن أكدت أن الطرد في المستودع، فقط لم يُسجَّل المسح.",
    },
    Scenario {
        lang: Lang::Ar,
        mailbox: 2,
        tag: "refund",
        subject: "طلب استرجاع المبلغ للطلب {order}",
        customer: "مرحبًا،\n\nأعدت المنتج يوم الإثنين الماضي. متى سيُعاد المبلغ إلى بطاقتي؟ رقم الطلب {order}.\n\n{name}",
        reply: "مرحبًا {name}،\n\nاستلمنا المنتج أمس وتمت إعادة المبلغ. عادةً يظهر في حسابك البنكي خلال ٣ إلى ٥ أيام عمل.\n\nمع خالص التحية،\n{agent}",
        follow_up: "مرّت ستة أيام ولم يصل المبلغ بعد، هل يمكنكم التأكد مرة أخرى؟",
        note: "تمت إعادة المبلغ من لوحة الدفع. إن لم يصل نراجع قسم المالية.",
    },
    Scenario {
        lang: Lang::Ar,
        mailbox: 1,
        tag: "payment",
        subject: "فشل الدفع لكن تم خصم المبلغ",
        customer: "مرحبًا،\n\nتم خصم المبلغ من بطاقتي لكن صفحة الدفع أظهرت أن العملية فشلت ولم يُنشأ أي طلب. ماذا أفعل؟\n\n{name}",
        reply: "أهلًا {name}،\n\nهذا يحدث أحيانًا عندما يتأخر البنك في التأكيد. المبلغ محجوز فقط وسيُعاد تلقائيًا خلال ٤٨ ساعة. إن أردت أستطيع إنشاء الطلب لك الآن.\n\n{agent}",
        follow_up: "نعم من فضلك، أنشئ الطلب على نفس العنوان السابق.",
        note: "مزوّد الدفع يُظهر حجزًا دون تحصيل. لا مشكلة في إعادة الطلب.",
    },
    Scenario {
        lang: Lang::Ar,
        mailbox: 2,
        tag: "exchange",
        subject: "المقاس غير مناسب، هل يمكن الاستبدال؟",
        customer: "السلام عليكم،\n\nالعباءة في الطلب رقم {order} مقاسها صغير. هل يمكن استبدالها بمقاس أكبر؟\n\n{name}",
        reply: "وعليكم السلام {name}،\n\nبالتأكيد. أرسلنا لك بوليصة إرجاع مجانية، وبمجرد استلام شركة الشحن للطرد سنرسل لك المقاس الأكبر.\n\n{agent}",
        follow_up: "وصلتني البوليصة، سأسلّم الطرد غدًا. شكرًا لكم.",
        note: "المقاس الأكبر متوفر، حجزت قطعة لهذا الاستبدال.",
    },
    Scenario {
        lang: Lang::Ar,
        mailbox: 0,
        tag: "bug",
        subject: "لا أستطيع تسجيل الدخول إلى حسابي",
        customer: "مرحبًا،\n\nكلما حاولت تسجيل الدخول تظهر رسالة خطأ، ورابط إعادة تعيين كلمة المرور لا يصلني. أرجو المساعدة.\n\n{name}",
        reply: "أهلًا {name}،\n\nأرسلت لك رابطًا جديدًا الآن، يرجى التحقق من مجلد الرسائل غير المرغوب فيها أيضًا. أخبرني إن لم يصلك خلال دقائق.\n\n{agent}",
        follow_up: "وصل الرابط في مجلد الرسائل غير المرغوب فيها، تم الحل. شكرًا!",
        note: "رسائل إعادة التعيين تذهب إلى مجلد السبام لدى بعض مزودي البريد. أبلغت فريق التقنية.",
    },
    // Persian
    Scenario {
        lang: Lang::Fa,
        mailbox: 0,
        tag: "shipping",
        subject: "سفارش {order} من کجاست؟",
        customer: "سلام،\n\nیک هفته پیش سفارش دادم (شماره {order}) ولی چهار روز است که وضعیت رهگیری تغییری نکرده. لطفاً بگویید بسته کجاست.\n\nممنون،\n{name}",
        reply: "سلام {name} عزیز،\n\nبابت تأخیر عذر می‌خواهیم. با شرکت پست تماس گرفتم؛ سفارش {order} در انبار محلی است و تا دو روز کاری به دستتان می‌رسد.\n\nبا احترام،\n{agent}",
        follow_up: "ممنون {agent}، بسته امروز رسید و همه چیز سالم است.",
        note: "پست تأیید کرد بسته در انبار است؛ فقط اسکن ثبت نشده بود.",
    },
    Scenario {
        lang: Lang::Fa,
        mailbox: 2,
        tag: "refund",
        subject: "درخواست بازپرداخت سفارش {order}",
        customer: "سلام،\n\nکالا را دوشنبه گذشته برگرداندم. کی مبلغ سفارش {order} به حسابم برمی‌گردد؟\n\n{name}",
        reply: "سلام {name}،\n\nکالا دیروز به دست ما رسید و بازپرداخت انجام شد. معمولاً ظرف ۳ تا ۵ روز کاری در حساب شما نمایش داده می‌شود.\n\n{agent}",
        follow_up: "شش روز گذشته و هنوز پول به حسابم نیامده. لطفاً دوباره بررسی کنید.",
        note: "بازپرداخت در پنل پرداخت ثبت شده. اگر نرسید با بخش مالی هماهنگ شود.",
    },
    Scenario {
        lang: Lang::Fa,
        mailbox: 1,
        tag: "order",
        subject: "تخفیف برای خرید عمده",
        customer: "سلام،\n\nمی‌خواهم ۳۰ عدد دفترچه برای شرکتمان سفارش بدهم. برای خرید عمده تخفیف دارید؟\n\n{name}",
        reply: "سلام {name}،\n\nبله، برای سفارش‌های بالای ۲۰ عدد ۱۰٪ تخفیف داریم. پیش‌فاکتور را پیوست کردم.\n\n{agent}",
        follow_up: "عالی است، با همین پیش‌فاکتور سفارش می‌دهم.",
        note: "مشتری احتمالی عمده؛ به عمر اطلاع داده شود.",
    },
];
