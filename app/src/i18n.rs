//! Translation tables. Every word the app shows comes from here, never from a component.
//!
//! One `Texts` value per language keeps the tables checked by the compiler: a language that
//! misses a string does not build. Arabic and Persian turn the layout right-to-left.

/// A language of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Ar,
    Fa,
}

impl Lang {
    /// The BCP 47 tag for `lang=`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ar => "ar",
            Lang::Fa => "fa",
        }
    }

    /// Text direction for `dir=`.
    pub fn dir(self) -> &'static str {
        match self {
            Lang::En => "ltr",
            Lang::Ar | Lang::Fa => "rtl",
        }
    }

    /// The language's strings.
    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::En => &EN,
            Lang::Ar => &AR,
            Lang::Fa => &FA,
        }
    }
}

/// Every string of the interface, in one language.
pub struct Texts {
    pub product: &'static str,
    pub sign_in_title: &'static str,
    pub sign_in_lead: &'static str,
    pub email: &'static str,
    pub password: &'static str,
    pub sign_in: &'static str,
    pub sign_out: &'static str,
    pub wrong_credentials: &'static str,
    pub rate_limited: &'static str,
    pub signed_out: &'static str,
    pub session_ended: &'static str,
    pub mailboxes: &'static str,
    pub no_mailboxes: &'static str,
    pub no_mailboxes_hint: &'static str,
    pub open_count: &'static str,
    pub welcome: &'static str,
    pub welcome_hint: &'static str,
    pub list_empty: &'static str,
    pub list_empty_hint: &'static str,
    pub conversations: &'static str,
    pub views: &'static str,
    pub view_open: &'static str,
    pub view_waiting: &'static str,
    pub view_closed: &'static str,
    pub older: &'static str,
    pub newest: &'static str,
    pub unassigned: &'static str,
    pub status_open: &'static str,
    pub status_in_progress: &'static str,
    pub status_waiting: &'static str,
    pub status_closed: &'static str,
    pub status_spam: &'static str,
    pub status_trash: &'static str,
    pub priority_low: &'static str,
    pub priority_normal: &'static str,
    pub priority_high: &'static str,
    pub priority_urgent: &'static str,
    pub filter_status: &'static str,
    pub iv_unassigned: &'static str,
    pub iv_mine: &'static str,
    pub iv_all_open: &'static str,
    pub iv_waiting: &'static str,
    pub iv_closed: &'static str,
    pub messages: &'static str,
    pub history: &'static str,
    pub from_customer: &'static str,
    pub reply_sent: &'static str,
    pub internal_note: &'static str,
    pub h_created: &'static str,
    pub h_assigned_to: &'static str,
    pub h_unassigned: &'static str,
    pub h_status: &'static str,
    pub h_priority: &'static str,
    pub h_tagged: &'static str,
    pub h_untagged: &'static str,
    pub loading: &'static str,
    pub not_found_title: &'static str,
    pub not_found_hint: &'static str,
    pub back_to_inbox: &'static str,
    pub account_menu: &'static str,
    pub role_admin: &'static str,
    pub role_manager: &'static str,
    pub role_agent: &'static str,
    pub status_label: &'static str,
    pub priority_label: &'static str,
    pub assignee_label: &'static str,
    pub assign_to_me: &'static str,
    pub snooze: &'static str,
    pub snooze_pick: &'static str,
    pub snooze_1h: &'static str,
    pub snooze_4h: &'static str,
    pub snooze_1d: &'static str,
    pub snooze_3d: &'static str,
    pub snooze_1w: &'static str,
    pub snoozed_until: &'static str,
    pub wake_now: &'static str,
    pub follow: &'static str,
    pub following: &'static str,
    pub followers: &'static str,
    pub no_followers: &'static str,
    pub tags: &'static str,
    pub add_tag: &'static str,
    pub remove_tag: &'static str,
    pub rename: &'static str,
    pub subject: &'static str,
    pub save: &'static str,
    pub cancel: &'static str,
    pub mode_reply: &'static str,
    pub mode_note: &'static str,
    pub composer_mode: &'static str,
    pub send: &'static str,
    pub add_note: &'static str,
    pub reply_placeholder: &'static str,
    pub note_placeholder: &'static str,
    pub draft_saving: &'static str,
    pub draft_saved: &'static str,
    pub draft_failed: &'static str,
    pub posting: &'static str,
    pub d_queued: &'static str,
    pub d_sending: &'static str,
    pub d_sent: &'static str,
    pub d_retrying: &'static str,
    pub d_failed: &'static str,
    pub d_cancelled: &'static str,
    pub h_snoozed: &'static str,
    pub h_unsnoozed: &'static str,
    pub h_renamed: &'static str,
    pub h_followed: &'static str,
    pub h_unfollowed: &'static str,
    pub contact: &'static str,
    pub other_conversations: &'static str,
    pub no_other_conversations: &'static str,
    pub iv_snoozed: &'static str,
    pub filter_tag: &'static str,
    pub any_tag: &'static str,
    pub anyone: &'static str,
    pub me: &'static str,
    pub apply: &'static str,
    pub clear_filters: &'static str,
    pub filters: &'static str,
    pub language: &'static str,
    pub time_zone: &'static str,
    pub preferences: &'static str,
    pub shortcuts: &'static str,
    pub k_next: &'static str,
    pub k_prev: &'static str,
    pub k_open: &'static str,
    pub k_reply: &'static str,
    pub k_note: &'static str,
    pub k_close: &'static str,
    pub k_help: &'static str,
    pub close: &'static str,
    pub action_failed: &'static str,
}

impl Texts {
    /// The name of a list view.
    pub fn view(&self, view: model::ListView) -> &'static str {
        match view {
            model::ListView::Open => self.view_open,
            model::ListView::Waiting => self.view_waiting,
            model::ListView::Closed => self.view_closed,
        }
    }

    /// The name of a sidebar view.
    pub fn inbox_view(&self, view: model::InboxView) -> &'static str {
        match view {
            model::InboxView::Unassigned => self.iv_unassigned,
            model::InboxView::Mine => self.iv_mine,
            model::InboxView::AllOpen => self.iv_all_open,
            model::InboxView::Waiting => self.iv_waiting,
            model::InboxView::Closed => self.iv_closed,
            model::InboxView::Snoozed => self.iv_snoozed,
        }
    }

    /// Where a reply is on its way out.
    pub fn delivery(&self, status: model::DeliveryStatus) -> &'static str {
        use model::DeliveryStatus as D;
        match status {
            D::Queued => self.d_queued,
            D::Sending => self.d_sending,
            D::Sent => self.d_sent,
            D::Retrying => self.d_retrying,
            D::Failed => self.d_failed,
            D::Cancelled => self.d_cancelled,
        }
    }

    /// The name of a status.
    pub fn status(&self, status: model::Status) -> &'static str {
        use model::Status as S;
        match status {
            S::Open => self.status_open,
            S::InProgress => self.status_in_progress,
            S::Waiting => self.status_waiting,
            S::Closed => self.status_closed,
            S::Spam => self.status_spam,
            S::Trash => self.status_trash,
        }
    }

    /// The name of a priority.
    pub fn priority(&self, priority: model::Priority) -> &'static str {
        use model::Priority as P;
        match priority {
            P::Low => self.priority_low,
            P::Normal => self.priority_normal,
            P::High => self.priority_high,
            P::Urgent => self.priority_urgent,
        }
    }

    /// The name of a role.
    pub fn role(&self, role: model::Role) -> &'static str {
        match role {
            model::Role::Admin => self.role_admin,
            model::Role::Manager => self.role_manager,
            model::Role::Agent => self.role_agent,
        }
    }
}

static EN: Texts = Texts {
    product: "Sanduq",
    sign_in_title: "Sign in to Sanduq",
    sign_in_lead: "Your team's shared inbox.",
    email: "Email",
    password: "Password",
    sign_in: "Sign in",
    sign_out: "Sign out",
    wrong_credentials: "Wrong email or password.",
    rate_limited: "Too many sign-in attempts. Wait a moment and try again.",
    signed_out: "You have signed out.",
    session_ended: "Your session has ended. Sign in again to continue.",
    mailboxes: "Mailboxes",
    no_mailboxes: "No mailboxes yet",
    no_mailboxes_hint: "Ask an admin to add you to a mailbox.",
    open_count: "open",
    welcome: "Welcome",
    welcome_hint: "Pick a mailbox on the left to see its conversations.",
    list_empty: "Nothing here",
    list_empty_hint: "No conversations in this view right now.",
    conversations: "Conversations",
    views: "Views",
    view_open: "Open",
    view_waiting: "Waiting",
    view_closed: "Closed",
    older: "Older conversations",
    newest: "Back to the newest",
    unassigned: "Unassigned",
    status_open: "Open",
    status_in_progress: "In progress",
    status_waiting: "Waiting on customer",
    status_closed: "Closed",
    status_spam: "Spam",
    status_trash: "Trash",
    priority_low: "Low",
    priority_normal: "Normal",
    priority_high: "High",
    priority_urgent: "Urgent",
    filter_status: "Filter by status",
    iv_unassigned: "Unassigned",
    iv_mine: "Mine",
    iv_all_open: "All open",
    iv_waiting: "Waiting",
    iv_closed: "Closed",
    messages: "Messages",
    history: "History",
    from_customer: "Customer",
    reply_sent: "Reply",
    internal_note: "Internal note",
    h_created: "Conversation started",
    h_assigned_to: "Assigned to",
    h_unassigned: "Unassigned",
    h_status: "Status changed to",
    h_priority: "Priority set to",
    h_tagged: "Tagged",
    h_untagged: "Tag removed:",
    loading: "Loading…",
    not_found_title: "Not found",
    not_found_hint: "This page does not exist, or you do not have access to it.",
    back_to_inbox: "Back to the inbox",
    account_menu: "Account",
    role_admin: "Admin",
    role_manager: "Manager",
    role_agent: "Agent",
    status_label: "Status",
    priority_label: "Priority",
    assignee_label: "Assignee",
    assign_to_me: "Assign to me",
    snooze: "Snooze",
    snooze_pick: "Snooze for…",
    snooze_1h: "1 hour",
    snooze_4h: "4 hours",
    snooze_1d: "1 day",
    snooze_3d: "3 days",
    snooze_1w: "1 week",
    snoozed_until: "Snoozed until",
    wake_now: "Wake now",
    follow: "Follow",
    following: "Following",
    followers: "Followers",
    no_followers: "Nobody follows this yet",
    tags: "Tags",
    add_tag: "Add tag",
    remove_tag: "Remove tag",
    rename: "Rename",
    subject: "Subject",
    save: "Save",
    cancel: "Cancel",
    mode_reply: "Reply",
    mode_note: "Note",
    composer_mode: "Write a",
    send: "Send",
    add_note: "Add note",
    reply_placeholder: "Write your reply to the customer…",
    note_placeholder: "Write an internal note. Only your team sees it.",
    draft_saving: "Saving draft…",
    draft_saved: "Draft saved",
    draft_failed: "The draft could not be saved. Keep this tab open and try again.",
    posting: "Sending…",
    d_queued: "Queued",
    d_sending: "Sending",
    d_sent: "Sent",
    d_retrying: "Retrying",
    d_failed: "Failed",
    d_cancelled: "Cancelled",
    h_snoozed: "Snoozed until",
    h_unsnoozed: "Snooze ended",
    h_renamed: "Renamed to",
    h_followed: "Follower added:",
    h_unfollowed: "Follower removed:",
    contact: "Customer",
    other_conversations: "Other conversations",
    no_other_conversations: "This is their only conversation.",
    iv_snoozed: "Snoozed",
    filter_tag: "Tag",
    any_tag: "Any tag",
    anyone: "Anyone",
    me: "Me",
    apply: "Apply",
    clear_filters: "Clear filters",
    filters: "Filters",
    language: "Language",
    time_zone: "Time zone",
    preferences: "Preferences",
    shortcuts: "Keyboard shortcuts",
    k_next: "Next conversation",
    k_prev: "Previous conversation",
    k_open: "Open the selected conversation",
    k_reply: "Write a reply",
    k_note: "Write a note",
    k_close: "Close the conversation",
    k_help: "Show these shortcuts",
    close: "Close",
    action_failed: "That did not work:",
};

static AR: Texts = Texts {
    product: "صندوق",
    sign_in_title: "تسجيل الدخول إلى صندوق",
    sign_in_lead: "البريد المشترك لفريقك.",
    email: "البريد الإلكتروني",
    password: "كلمة المرور",
    sign_in: "تسجيل الدخول",
    sign_out: "تسجيل الخروج",
    wrong_credentials: "البريد الإلكتروني أو كلمة المرور غير صحيحة.",
    rate_limited: "محاولات دخول كثيرة. انتظر قليلًا ثم حاول مجددًا.",
    signed_out: "تم تسجيل خروجك.",
    session_ended: "انتهت جلستك. سجّل الدخول مجددًا للمتابعة.",
    mailboxes: "صناديق البريد",
    no_mailboxes: "لا توجد صناديق بريد بعد",
    no_mailboxes_hint: "اطلب من المسؤول إضافتك إلى صندوق بريد.",
    open_count: "مفتوحة",
    welcome: "أهلًا بك",
    welcome_hint: "اختر صندوق بريد لعرض محادثاته.",
    list_empty: "لا شيء هنا",
    list_empty_hint: "لا توجد محادثات في هذا العرض حاليًا.",
    conversations: "المحادثات",
    views: "طرق العرض",
    view_open: "مفتوحة",
    view_waiting: "بانتظار الرد",
    view_closed: "مغلقة",
    older: "محادثات أقدم",
    newest: "العودة إلى الأحدث",
    unassigned: "غير مسندة",
    status_open: "مفتوحة",
    status_in_progress: "قيد العمل",
    status_waiting: "بانتظار الرد",
    status_closed: "مغلقة",
    status_spam: "رسائل مزعجة",
    status_trash: "المهملات",
    priority_low: "منخفضة",
    priority_normal: "عادية",
    priority_high: "عالية",
    priority_urgent: "عاجلة",
    filter_status: "تصفية حسب الحالة",
    iv_unassigned: "غير مسندة",
    iv_mine: "محادثاتي",
    iv_all_open: "كل المفتوحة",
    iv_waiting: "بانتظار الرد",
    iv_closed: "مغلقة",
    messages: "الرسائل",
    history: "السجل",
    from_customer: "العميل",
    reply_sent: "رد",
    internal_note: "ملاحظة داخلية",
    h_created: "بدأت المحادثة",
    h_assigned_to: "أُسندت إلى",
    h_unassigned: "أُلغي الإسناد",
    h_status: "تغيّرت الحالة إلى",
    h_priority: "الأولوية:",
    h_tagged: "أُضيف الوسم",
    h_untagged: "أُزيل الوسم",
    loading: "جارٍ التحميل…",
    not_found_title: "غير موجود",
    not_found_hint: "هذه الصفحة غير موجودة أو ليس لديك صلاحية الوصول إليها.",
    back_to_inbox: "العودة إلى البريد",
    account_menu: "الحساب",
    role_admin: "مسؤول",
    role_manager: "مدير",
    role_agent: "موظف دعم",
    status_label: "الحالة",
    priority_label: "الأولوية",
    assignee_label: "المسؤول",
    assign_to_me: "أسندها إليّ",
    snooze: "تأجيل",
    snooze_pick: "أجّل لمدة…",
    snooze_1h: "ساعة واحدة",
    snooze_4h: "٤ ساعات",
    snooze_1d: "يوم واحد",
    snooze_3d: "٣ أيام",
    snooze_1w: "أسبوع",
    snoozed_until: "مؤجلة حتى",
    wake_now: "ألغِ التأجيل",
    follow: "تابِع",
    following: "تتابعها",
    followers: "المتابعون",
    no_followers: "لا أحد يتابعها بعد",
    tags: "الوسوم",
    add_tag: "أضف وسمًا",
    remove_tag: "أزل الوسم",
    rename: "أعد التسمية",
    subject: "الموضوع",
    save: "حفظ",
    cancel: "إلغاء",
    mode_reply: "رد",
    mode_note: "ملاحظة",
    composer_mode: "اكتب",
    send: "إرسال",
    add_note: "أضف الملاحظة",
    reply_placeholder: "اكتب ردك على العميل…",
    note_placeholder: "اكتب ملاحظة داخلية. لا يراها إلا فريقك.",
    draft_saving: "جارٍ حفظ المسودة…",
    draft_saved: "حُفظت المسودة",
    draft_failed: "تعذّر حفظ المسودة. أبقِ هذه الصفحة مفتوحة وحاول مجددًا.",
    posting: "جارٍ الإرسال…",
    d_queued: "في قائمة الإرسال",
    d_sending: "جارٍ الإرسال",
    d_sent: "أُرسل",
    d_retrying: "إعادة المحاولة",
    d_failed: "فشل الإرسال",
    d_cancelled: "أُلغي",
    h_snoozed: "أُجّلت حتى",
    h_unsnoozed: "انتهى التأجيل",
    h_renamed: "غُيّر الموضوع إلى",
    h_followed: "متابع جديد:",
    h_unfollowed: "توقف عن المتابعة:",
    contact: "العميل",
    other_conversations: "محادثات أخرى",
    no_other_conversations: "هذه محادثته الوحيدة.",
    iv_snoozed: "المؤجلة",
    filter_tag: "الوسم",
    any_tag: "أي وسم",
    anyone: "أي أحد",
    me: "أنا",
    apply: "تطبيق",
    clear_filters: "مسح التصفية",
    filters: "التصفية",
    language: "اللغة (Language)",
    time_zone: "المنطقة الزمنية",
    preferences: "التفضيلات",
    shortcuts: "اختصارات لوحة المفاتيح",
    k_next: "المحادثة التالية",
    k_prev: "المحادثة السابقة",
    k_open: "افتح المحادثة المحددة",
    k_reply: "اكتب ردًا",
    k_note: "اكتب ملاحظة",
    k_close: "أغلق المحادثة",
    k_help: "اعرض هذه الاختصارات",
    close: "إغلاق",
    action_failed: "لم ينجح ذلك:",
};

static FA: Texts = Texts {
    product: "صندوق",
    sign_in_title: "ورود به صندوق",
    sign_in_lead: "صندوق مشترک تیم شما.",
    email: "ایمیل",
    password: "رمز عبور",
    sign_in: "ورود",
    sign_out: "خروج",
    wrong_credentials: "ایمیل یا رمز عبور نادرست است.",
    rate_limited: "تلاش‌های ورود زیاد بود. کمی صبر کنید و دوباره امتحان کنید.",
    signed_out: "از حساب خود خارج شدید.",
    session_ended: "نشست شما به پایان رسید. برای ادامه دوباره وارد شوید.",
    mailboxes: "صندوق‌های پستی",
    no_mailboxes: "هنوز صندوقی نیست",
    no_mailboxes_hint: "از مدیر بخواهید شما را به یک صندوق اضافه کند.",
    open_count: "باز",
    welcome: "خوش آمدید",
    welcome_hint: "یک صندوق را انتخاب کنید تا گفتگوهایش را ببینید.",
    list_empty: "چیزی اینجا نیست",
    list_empty_hint: "در حال حاضر گفتگویی در این نما نیست.",
    conversations: "گفتگوها",
    views: "نماها",
    view_open: "باز",
    view_waiting: "در انتظار پاسخ",
    view_closed: "بسته",
    older: "گفتگوهای قدیمی‌تر",
    newest: "بازگشت به جدیدترین‌ها",
    unassigned: "بدون مسئول",
    status_open: "باز",
    status_in_progress: "در حال انجام",
    status_waiting: "در انتظار پاسخ",
    status_closed: "بسته",
    status_spam: "هرزنامه",
    status_trash: "سطل زباله",
    priority_low: "کم",
    priority_normal: "عادی",
    priority_high: "زیاد",
    priority_urgent: "فوری",
    filter_status: "فیلتر بر اساس وضعیت",
    iv_unassigned: "بدون مسئول",
    iv_mine: "گفتگوهای من",
    iv_all_open: "همه‌ی باز",
    iv_waiting: "در انتظار پاسخ",
    iv_closed: "بسته",
    messages: "پیام‌ها",
    history: "تاریخچه",
    from_customer: "مشتری",
    reply_sent: "پاسخ",
    internal_note: "یادداشت داخلی",
    h_created: "گفتگو آغاز شد",
    h_assigned_to: "واگذار شد به",
    h_unassigned: "واگذاری لغو شد",
    h_status: "وضعیت تغییر کرد به",
    h_priority: "اولویت:",
    h_tagged: "برچسب افزوده شد:",
    h_untagged: "برچسب حذف شد:",
    loading: "در حال بارگذاری…",
    not_found_title: "پیدا نشد",
    not_found_hint: "این صفحه وجود ندارد یا به آن دسترسی ندارید.",
    back_to_inbox: "بازگشت به صندوق",
    account_menu: "حساب",
    role_admin: "مدیر سیستم",
    role_manager: "سرپرست",
    role_agent: "پشتیبان",
    status_label: "وضعیت",
    priority_label: "اولویت",
    assignee_label: "مسئول",
    assign_to_me: "به من بسپار",
    snooze: "تعویق",
    snooze_pick: "به تعویق بینداز برای…",
    snooze_1h: "۱ ساعت",
    snooze_4h: "۴ ساعت",
    snooze_1d: "۱ روز",
    snooze_3d: "۳ روز",
    snooze_1w: "۱ هفته",
    snoozed_until: "به تعویق افتاده تا",
    wake_now: "لغو تعویق",
    follow: "دنبال کن",
    following: "دنبال می‌کنید",
    followers: "دنبال‌کنندگان",
    no_followers: "هنوز کسی دنبالش نمی‌کند",
    tags: "برچسب‌ها",
    add_tag: "افزودن برچسب",
    remove_tag: "حذف برچسب",
    rename: "تغییر نام",
    subject: "موضوع",
    save: "ذخیره",
    cancel: "انصراف",
    mode_reply: "پاسخ",
    mode_note: "یادداشت",
    composer_mode: "نوشتن",
    send: "ارسال",
    add_note: "افزودن یادداشت",
    reply_placeholder: "پاسخ خود به مشتری را بنویسید…",
    note_placeholder: "یک یادداشت داخلی بنویسید. فقط تیم شما آن را می‌بیند.",
    draft_saving: "در حال ذخیرهٔ پیش‌نویس…",
    draft_saved: "پیش‌نویس ذخیره شد",
    draft_failed: "پیش‌نویس ذخیره نشد. این صفحه را باز نگه دارید و دوباره تلاش کنید.",
    posting: "در حال ارسال…",
    d_queued: "در صف ارسال",
    d_sending: "در حال ارسال",
    d_sent: "ارسال شد",
    d_retrying: "تلاش دوباره",
    d_failed: "ارسال نشد",
    d_cancelled: "لغو شد",
    h_snoozed: "به تعویق افتاد تا",
    h_unsnoozed: "تعویق پایان یافت",
    h_renamed: "نام تغییر کرد به",
    h_followed: "دنبال‌کنندهٔ جدید:",
    h_unfollowed: "دیگر دنبال نمی‌کند:",
    contact: "مشتری",
    other_conversations: "گفتگوهای دیگر",
    no_other_conversations: "این تنها گفتگوی اوست.",
    iv_snoozed: "به تعویق افتاده",
    filter_tag: "برچسب",
    any_tag: "هر برچسب",
    anyone: "همه",
    me: "من",
    apply: "اعمال",
    clear_filters: "پاک کردن فیلترها",
    filters: "فیلترها",
    language: "زبان (Language)",
    time_zone: "منطقهٔ زمانی",
    preferences: "ترجیحات",
    shortcuts: "میان‌برهای صفحه‌کلید",
    k_next: "گفتگوی بعدی",
    k_prev: "گفتگوی قبلی",
    k_open: "باز کردن گفتگوی انتخاب‌شده",
    k_reply: "نوشتن پاسخ",
    k_note: "نوشتن یادداشت",
    k_close: "بستن گفتگو",
    k_help: "نمایش این میان‌برها",
    close: "بستن",
    action_failed: "انجام نشد:",
};

impl Lang {
    /// Every language, in the order the language switch lists them.
    pub const ALL: [Lang; 3] = [Lang::En, Lang::Ar, Lang::Fa];

    /// The language's own name, which the switch shows whatever the page's language.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Ar => "العربية",
            Lang::Fa => "فارسی",
        }
    }

    /// The language a tag names (`ar`, `fa-IR`, `en-US`...), if it is one of ours.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_', ';']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "ar" => Some(Lang::Ar),
            "fa" => Some(Lang::Fa),
            _ => None,
        }
    }

    /// The first of our languages in an `Accept-Language` header (in the order given; the
    /// browser lists its user's preference first), English if none.
    pub fn from_accept_language(header: &str) -> Lang {
        header.split(',').find_map(Lang::from_tag).unwrap_or_default()
    }
}

/// The language of the page being rendered. On the server it is the signed-in user's
/// choice, or else the request's `Accept-Language`; in the browser it is the `lang` the server
/// put on the document, so hydration renders the same words.
pub fn page_lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        let parts = leptos::prelude::use_context::<http::request::Parts>();
        let chosen = parts
            .as_ref()
            .and_then(|parts| parts.extensions.get::<backend::Caller>())
            .and_then(|caller| Lang::from_tag(&caller.locale));
        chosen
            .or_else(|| {
                parts?.headers.get(http::header::ACCEPT_LANGUAGE)?.to_str().ok().map(Lang::from_accept_language)
            })
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        #[cfg(feature = "hydrate")]
        {
            leptos::prelude::document()
                .document_element()
                .and_then(|root| root.get_attribute("lang"))
                .and_then(|tag| Lang::from_tag(&tag))
                .unwrap_or_default()
        }
        #[cfg(not(feature = "hydrate"))]
        {
            Lang::default()
        }
    }
}

/// The strings of the current page's language.
pub fn use_texts() -> &'static Texts {
    leptos::prelude::use_context::<Lang>().unwrap_or_default().texts()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_first_language_we_have() {
        assert_eq!(Lang::from_accept_language("ar-SA,ar;q=0.9,en;q=0.8"), Lang::Ar);
        assert_eq!(Lang::from_accept_language("de-DE, fa;q=0.7, en;q=0.5"), Lang::Fa);
        assert_eq!(Lang::from_accept_language("de, fr"), Lang::En);
        assert_eq!(Lang::from_accept_language(""), Lang::En);
        assert_eq!(Lang::Ar.dir(), "rtl");
    }
}
