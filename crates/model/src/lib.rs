//! Gridline's domain, pure: no IO, no clock, no storage.
//!
//! - [`hierarchy`]: street → community → grid keys ([`GridId`], [`CommunityCode`]).
//! - [`role`]: who a user is ([`Role`], [`Scope`], [`User`]) and the event [`Author`].
//! - [`household`], [`visit`]: the records and their validation.
//! - [`issue`], [`wish`], [`mediation`], [`deliberation`]: workflows as
//!   append-only event lists folded into a state; a step the rules refuse is
//!   kept and marked refused with its reason.
//! - [`photo`]: a photo on a record ([`PhotoRef`]): its hash, never its bytes.
//! - [`permission`]: the table of DESIGN §3 as pure functions.
//! - [`text`]: what a user is told, Chinese and English as separate fields.
//! - [`street_limits`]: the deadlines a street sets for itself ([`StreetLimits`]),
//!   which every fold of an issue or a case takes (`state_with`).
//! - [`calendar`], [`time_limit`]: the working calendar (holidays and 调休)
//!   and the time-limit table by category and grade, with yellow and red
//!   warnings, that [`StreetLimits`] carries to every replica.
//! - [`limits`]: every bound validation enforces and the fields each step
//!   requires, in one place, for the app to send to its forms.
//!
//! Time is always passed in (`now`, `today`), never read from the clock, so the
//! same events fold to the same state on every replica and in every test.

pub mod calendar;
pub mod deliberation;
pub mod hierarchy;
pub mod household;
pub mod id_number;
pub mod invalid;
pub mod issue;
pub mod limits;
pub mod location;
pub mod mediation;
pub mod merge;
pub mod monthly;
pub mod permission;
pub mod phone;
pub mod photo;
pub mod role;
pub mod street_limits;
pub mod tag;
pub mod text;
pub mod time_limit;
pub mod visit;
pub mod wish;

pub use deliberation::{Topic, TopicEvent, TopicState, TopicStep};
pub use hierarchy::{CommunityCode, GridId, JointGroup};
pub use household::{Address, Gender, Household, HouseholdPrivate, Relation, Resident};
pub use id_number::IdNumber;
pub use invalid::Invalid;
pub use issue::{Grade, Issue, IssueEvent, IssueState, IssueStep};
pub use limits::{Limits, StepField, LIMITS};
pub use location::{Location, LocationSource};
pub use mediation::{CaseEvent, CaseState, CaseStep, MediationCase, MediationPrivate};
pub use merge::{MergeEvent, MergeState, MergeStep, Merged};
pub use permission::{Action, Refusal, Target};
pub use phone::Phone;
pub use photo::{PhotoRef, PhotoStep};
pub use role::{Author, Role, Scope, User};
pub use street_limits::StreetLimits;
pub use tag::Tag;
pub use text::{Lang, Text};
pub use visit::{Visit, VisitKind};
pub use wish::{Wish, WishEvent, WishState, WishStep};

/// Record ids are UUIDs made offline (v7, so they sort by creation time).
pub type RecordId = uuid::Uuid;

/// Parses an id a caller chose for a new record (a script that retries a
/// save names the record it means): it must be a UUID v7, as devices mint
/// them, because the hub refuses new records with any other id.
pub fn parse_new_id(s: &str, field: &str) -> Result<RecordId, Invalid> {
    let id = RecordId::parse_str(s.trim()).map_err(|_| {
        Invalid::new(
            field,
            text!("\"{s}\" 不是有效的 UUID", "not a valid UUID \"{s}\""),
            text!(
                "请给出 UUID v7，如 0193a1b2-7c3d-7e4f-8a5b-6c7d8e9f0a1b；不给则自动生成",
                "give a UUID v7, or leave it out to have one made"
            ),
        )
    })?;
    if id.get_version() != Some(uuid::Version::SortRand) {
        return Err(Invalid::new(
            field,
            Text::new(
                format!(
                    "{id} 是 UUID v{}，新记录的编号须为 UUID v7",
                    id.get_version_num()
                ),
                format!(
                    "is a UUID v{}; a new record's id must be a UUID v7",
                    id.get_version_num()
                ),
            ),
            text!(
                "请生成 UUID v7（如 uuidgen --time-v7 或 Python uuid7），或不给编号",
                "make a UUID v7, or leave the id out"
            ),
        ));
    }
    Ok(id)
}

/// Timestamps are UTC instants; the UI shows them in local time.
pub type Instant = chrono::DateTime<chrono::Utc>;

/// Beijing time (UTC+8), in which offices count days and months.
pub fn beijing() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// An instant as documents, the projection and every output write it:
/// RFC 3339 in UTC, to the millisecond.
pub fn fmt_time(t: Instant) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Reads an RFC 3339 time (any offset) as an [`Instant`].
pub fn parse_time(s: &str) -> Option<Instant> {
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&chrono::Utc))
}

/// The longest free text a record holds (notes, descriptions, event texts).
pub const MAX_TEXT: usize = 5000;

/// Refuses free text longer than [`MAX_TEXT`] characters, naming the field.
pub fn check_length(field: &str, s: &str) -> Result<(), Invalid> {
    if s.chars().count() > MAX_TEXT {
        return Err(Invalid::new(
            field,
            text!(
                "文字过长，超过 {MAX_TEXT} 字",
                "longer than {MAX_TEXT} characters"
            ),
            text!("请精简内容", "shorten it"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chosen_id_must_be_a_uuid_v7() {
        let v7 = "0193a1b2-7c3d-7e4f-8a5b-6c7d8e9f0a1b";
        assert_eq!(
            parse_new_id(v7, "id").map(|u| u.to_string()).as_deref(),
            Ok(v7),
            "a UUID v7 is taken as it is"
        );
        let v4 = parse_new_id("0b6f5f0e-5c5e-4b0a-9a51-3a1c6a7d2e10", "id")
            .expect_err("a UUID v4 is refused");
        assert!(
            v4.problem.contains("UUID v4") && v4.problem.contains("must be a UUID v7"),
            "the refusal says which version it got and which it needs: {v4}"
        );
        let junk = parse_new_id("abc", "id").expect_err("junk is refused");
        assert!(
            junk.problem.contains("not a valid UUID") && junk.field == "id",
            "junk is named as not a UUID: {junk}"
        );
    }
}
