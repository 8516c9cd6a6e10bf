//! Translation tables. Every word the app shows comes from here, never from a component.
//!
//! One `Texts` value per language, one file each (`en.rs`, `ar.rs`, `fa.rs`), keeps the
//! tables checked by the compiler: a language that misses a string does not build. A sentence
//! with values in it is a [`Template`] with named holes, placed where each language wants
//! them; a phrase with a count is a [`Plural`] with a form for each CLDR category of its
//! language. Both are checked while the tables compile. Arabic and Persian turn the layout
//! right-to-left.

mod ar;
mod en;
mod fa;
pub mod plural;
pub mod template;

pub use plural::{Category, Plural};
pub use template::Template;
use template::{Device, Host, Member, Name, NewRole, Nth, Progress, SignedIn, Time, Value};

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
            Lang::En => &en::EN,
            Lang::Ar => &ar::AR,
            Lang::Fa => &fa::FA,
        }
    }
}

/// Every string of the interface, in one language.
pub struct Texts {
    /// The language of this table (refusals are worded per language: `crate::refusals`).
    pub lang: Lang,
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
    pub setup_title: &'static str,
    pub setup_lead: &'static str,
    pub setup_code: &'static str,
    pub setup_code_hint: Template<template::File>,
    pub team_name: &'static str,
    pub your_name: &'static str,
    pub team_language: &'static str,
    pub set_up: &'static str,
    pub first_steps: &'static str,
    pub step_connect_mailbox: &'static str,
    pub step_invite_team: &'static str,
    pub step_set_signature: &'static str,
    pub step_done: &'static str,
    pub mailboxes: &'static str,
    pub no_mailboxes: &'static str,
    pub no_mailboxes_hint: &'static str,
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
    pub h_assigned_to: Template<Name>,
    pub h_unassigned: &'static str,
    pub h_status: Template<Value>,
    pub h_priority: Template<Value>,
    pub h_tagged: Template<Value>,
    pub h_untagged: Template<Value>,
    pub loading: &'static str,
    /// The banner shown when the app stopped (a page's code could not be fetched).
    pub page_broken: &'static str,
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
    pub snoozed_until: Template<Time>,
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
    pub h_snoozed: Template<Time>,
    pub h_unsnoozed: &'static str,
    pub h_renamed: Template<Value>,
    pub h_followed: Template<Name>,
    pub h_unfollowed: Template<Name>,
    /// A history line this version cannot read (written by a newer one).
    pub h_unknown: &'static str,
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
    pub settings: &'static str,
    pub team: &'static str,
    pub name: &'static str,
    pub role_label: &'static str,
    pub status_active: &'static str,
    pub status_inactive: &'static str,
    pub deactivate: &'static str,
    pub reactivate: &'static str,
    pub you: &'static str,
    pub members: &'static str,
    pub member_of: &'static str,
    pub mailbox_name: &'static str,
    pub color: &'static str,
    pub delete: &'static str,
    pub new_tag: &'static str,
    pub create: &'static str,
    pub admins_only: &'static str,
    pub no_tags: &'static str,
    pub open_conversations: Plural,
    pub mail_servers: &'static str,
    pub mail_servers_lead: &'static str,
    pub imap_server: &'static str,
    pub smtp_server: &'static str,
    pub host: &'static str,
    pub port: &'static str,
    pub security: &'static str,
    pub security_none: &'static str,
    pub user_name: &'static str,
    pub password_kept: &'static str,
    pub folders_label: &'static str,
    pub test_connection: &'static str,
    pub testing: &'static str,
    pub works: &'static str,
    pub does_not_work: &'static str,
    pub saved: &'static str,
    pub sync_health: &'static str,
    pub not_connected: &'static str,
    pub folder: &'static str,
    pub fetched: &'static str,
    /// A folder's progress: so many mails of so many.
    pub fetched_of: Template<Progress>,
    /// Test connection reached the IMAP server.
    pub imap_reached: Template<SignedIn>,
    /// Test connection reached the SMTP server.
    pub smtp_reached: Template<Host>,
    /// How many mails a folder holds.
    pub mail_count: Plural,
    pub last_sync: &'static str,
    pub problem: &'static str,
    pub quarantined: &'static str,
    pub none_quarantined: &'static str,
    /// Before the count of mails that failed for a reason that may pass.
    pub retrying: Plural,
    pub retry: &'static str,
    pub send_again: &'static str,
    pub undo_send: &'static str,
    pub load_images: &'static str,
    /// A reply being retried, with the attempt's number.
    pub retrying_attempt: Template<Nth>,
    pub attachments: &'static str,
    pub to_label: &'static str,
    pub cc_label: &'static str,
    pub bcc_label: &'static str,
    pub show_cc_bcc: &'static str,
    pub reply_all: &'static str,
    pub mode_forward: &'static str,
    pub forward_placeholder: &'static str,
    pub forward_hint: &'static str,
    pub live_viewing: &'static str,
    pub live_writing_reply: &'static str,
    pub live_writing_note: &'static str,
    pub live_reconnecting: &'static str,
    pub live_assigned_you: Template<Name>,
    pub live_assigned_to_you: &'static str,
    pub live_mentioned_you: Template<Name>,
    pub live_dismiss: &'static str,
    pub live_stale: &'static str,
    pub live_send_anyway: &'static str,
    pub live_edit: &'static str,
    pub live_already_writing: Template<Name>,
    pub live_assigned_to: Template<Name>,
    pub live_people: &'static str,
    pub attach_files: &'static str,
    pub remove_file: &'static str,
    pub uploading: &'static str,
    pub upload_failed: &'static str,
    pub signature_label: &'static str,
    pub never_sends: &'static str,
    pub to_line: Template<Value>,
    pub show_quoted: &'static str,
    pub signatures_title: &'static str,
    pub signatures_lead: &'static str,
    pub sender_name_label: &'static str,
    pub sender_agent: &'static str,
    pub sender_mailbox: &'static str,
    pub sync_since_label: &'static str,
    pub sync_since_hint: &'static str,
    pub new_conversation: &'static str,
    pub invite_title: &'static str,
    pub invite_lead: &'static str,
    pub invite_submit: &'static str,
    pub invite_language: &'static str,
    pub invite_mailboxes: &'static str,
    pub invite_sent: Template<Value>,
    pub invite_link_lead: Template<Value>,
    pub copy_link: &'static str,
    pub link_copied: &'static str,
    pub pending_invitations: &'static str,
    pub invitation_expires: Template<Time>,
    pub invitation_expired: &'static str,
    pub invited_by: Template<Name>,
    pub link_given: &'static str,
    pub resend: &'static str,
    pub get_link: &'static str,
    pub revoke: &'static str,
    pub system_mail_label: &'static str,
    pub system_mail_none: &'static str,
    pub join_title: Template<Value>,
    pub join_title_plain: &'static str,
    pub join_lead: &'static str,
    pub join_submit: &'static str,
    pub forgot_link: &'static str,
    pub forgot_title: &'static str,
    pub forgot_lead: &'static str,
    pub forgot_submit: &'static str,
    pub forgot_sent: Template<Value>,
    pub back_to_sign_in: &'static str,
    pub reset_title: &'static str,
    pub reset_lead: Template<Value>,
    pub new_password: &'static str,
    pub reset_submit: &'static str,
    pub add_mailbox: &'static str,
    pub add_mailbox_lead: &'static str,
    pub mailbox_address: &'static str,
    pub remove_mailbox: &'static str,
    pub remove_mailbox_lead: Template<Value>,
    pub removed_badge: &'static str,
    pub two_factor_col: &'static str,
    pub on: &'static str,
    pub off: &'static str,
    pub reset_two_factor: &'static str,
    pub require_two_factor: &'static str,
    pub security_link: &'static str,
    pub provider_label: &'static str,
    pub provider_custom: &'static str,
    pub steps_gmail: &'static str,
    pub steps_outlook: &'static str,
    pub steps_zoho: &'static str,
    pub steps_yandex: &'static str,
    pub security_title: &'static str,
    pub two_factor_title: &'static str,
    pub two_factor_lead: &'static str,
    pub two_factor_must: &'static str,
    pub turn_on: &'static str,
    pub scan_lead: &'static str,
    pub code_label: &'static str,
    pub confirm_code: &'static str,
    pub recovery_title: &'static str,
    pub recovery_lead: &'static str,
    pub recovery_left: Plural,
    pub new_codes: &'static str,
    pub turn_off: &'static str,
    pub code_to_change: &'static str,
    pub sessions_title: &'static str,
    pub this_browser: &'static str,
    pub unknown_browser: &'static str,
    pub device: Template<Device>,
    pub last_seen: Template<Time>,
    pub signed_in_at: Template<Time>,
    pub sign_out_others: &'static str,
    pub code_title: &'static str,
    pub code_lead: &'static str,
    pub code_expired: &'static str,
    pub ask_new_link: &'static str,
    /// Settings → Team activity (`/settings/activity`) and its sentences, one per
    /// `model::TeamChange`; the actor is in a column of its own.
    pub activity_title: &'static str,
    pub activity_lead: &'static str,
    pub activity_empty: &'static str,
    pub activity_when: &'static str,
    pub activity_who: &'static str,
    pub activity_what: &'static str,
    pub activity_cli: &'static str,
    pub activity_older: &'static str,
    pub a_set_up: &'static str,
    pub a_invited: Template<Value>,
    pub a_invitation_revoked: Template<Value>,
    pub a_joined: &'static str,
    pub a_role: Template<NewRole>,
    pub a_account_made: Template<NewRole>,
    pub a_deactivated: Template<Name>,
    pub a_reactivated: Template<Name>,
    pub a_member_added: Template<Member>,
    pub a_member_removed: Template<Member>,
    pub a_mailbox_added: Template<Value>,
    pub a_mailbox_removed: Template<Value>,
    pub a_mail_servers: Template<Value>,
    pub a_system_mailbox: Template<Value>,
    pub a_system_mailbox_auto: &'static str,
    pub a_two_factor_reset: Template<Name>,
    pub a_two_factor_required: &'static str,
    pub a_two_factor_optional: &'static str,
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
