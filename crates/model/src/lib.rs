//! Gridline's domain, pure: no IO, no clock, no storage.
//!
//! - [`hierarchy`]: street → community → grid keys ([`GridId`], [`CommunityCode`]).
//! - [`role`]: who a user is ([`Role`], [`Scope`], [`User`]) and the event [`Author`].
//! - [`household`], [`visit`]: the records and their validation.
//! - [`issue`], [`wish`]: workflows as append-only event lists folded into a state;
//!   a step the rules refuse is kept and marked refused with its reason.
//! - [`permission`]: the table of DESIGN §3 as pure functions.
//!
//! Time is always passed in (`now`, `today`), never read from the clock, so the
//! same events fold to the same state on every replica and in every test.

pub mod hierarchy;
pub mod household;
pub mod id_number;
pub mod invalid;
pub mod issue;
pub mod permission;
pub mod phone;
pub mod role;
pub mod tag;
pub mod visit;
pub mod wish;

pub use hierarchy::{CommunityCode, GridId, JointGroup};
pub use household::{Address, Gender, Household, HouseholdPrivate, Relation, Resident};
pub use id_number::IdNumber;
pub use invalid::Invalid;
pub use issue::{Grade, Issue, IssueEvent, IssueState, IssueStep};
pub use permission::{Action, Refusal, Target};
pub use phone::Phone;
pub use role::{Author, Role, Scope, User};
pub use tag::Tag;
pub use visit::{Visit, VisitKind};
pub use wish::{Wish, WishEvent, WishState, WishStep};

/// Record ids are UUIDs made offline (v7, so they sort by creation time).
pub type RecordId = uuid::Uuid;

/// Timestamps are UTC instants; the UI shows them in local time.
pub type Instant = chrono::DateTime<chrono::Utc>;

/// The longest free text a record holds (notes, descriptions, event texts).
pub const MAX_TEXT: usize = 5000;

/// Refuses free text longer than [`MAX_TEXT`] characters, naming the field.
pub fn check_length(field: &str, s: &str) -> Result<(), Invalid> {
    if s.chars().count() > MAX_TEXT {
        return Err(Invalid::new(
            field,
            format!("文字过长，超过 {MAX_TEXT} 字 (longer than {MAX_TEXT} characters)"),
            "请精简内容 (shorten it)",
        ));
    }
    Ok(())
}
