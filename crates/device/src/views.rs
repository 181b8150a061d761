//! What lists show, typed: each row of the store's projection converted once,
//! here, into the model's own types (states as enums, departments as a list,
//! times as [`Instant`]s), with what the rules derive from it (overdue)
//! computed by the model. The CLI and the app print these; neither parses a
//! store string again.

use gridline_model::issue::Stage;
use gridline_model::permission::Target;
use gridline_model::wish::WishStage;
use gridline_model::{parse_time, GridId, Instant, RecordId, Role, Tag, VisitKind};
use gridline_store::{HouseholdRow, IssueRow, VisitRow, WishRow};

pub use gridline_store::SyncState;

use crate::Result;

/// A household as lists show it.
#[derive(Debug, Clone, PartialEq)]
pub struct HouseholdSummary {
    pub id: RecordId,
    pub grid: GridId,
    pub address: String,
    pub head_name: String,
    pub phone: Option<String>,
    pub resident_count: u32,
    /// Tags this device may see (sensitive ones only where the private part is held).
    pub tags: Vec<Tag>,
    pub last_visit: Option<Instant>,
    pub sync_state: SyncState,
    /// The resident a search found the household through, when not the head.
    pub matched_name: Option<String>,
    /// Visits to it the hub has not acknowledged yet.
    pub unsent_visits: u32,
}

/// Which households a list shows. `query` searches names (Chinese, pinyin or
/// initials), addresses and phone numbers, ranked; the other fields narrow.
#[derive(Debug, Clone, Default)]
pub struct HouseholdFilter {
    pub query: Option<String>,
    pub grid: Option<GridId>,
    pub tag: Option<Tag>,
    /// Only households with no visit since this instant.
    pub not_visited_since: Option<Instant>,
    pub limit: Option<usize>,
}

/// An issue as lists show it.
#[derive(Debug, Clone, PartialEq)]
pub struct IssueSummary {
    pub id: RecordId,
    pub grid: GridId,
    pub category: String,
    pub stage: Option<Stage>,
    pub urgency: u8,
    pub household: Option<RecordId>,
    pub reporter: String,
    pub reported_at: Instant,
    pub deadline: Option<Instant>,
    pub departments: Vec<String>,
    /// Steps in its history the rules refused.
    pub refused_events: u32,
    pub summary: String,
    pub sync_state: SyncState,
    /// The linked household's address and head, when this device holds it.
    pub address: Option<String>,
    pub head_name: Option<String>,
    /// Past its deadline at the `now` the list was asked for
    /// ([`gridline_model::issue::overdue`]).
    pub overdue: bool,
}

/// Which issues a list shows.
#[derive(Debug, Clone, Default)]
pub struct IssueFilter {
    pub stage: Option<Stage>,
    pub category: Option<String>,
    pub grid: Option<GridId>,
    /// Only issues overdue at this instant.
    pub overdue_at: Option<Instant>,
    /// Only dispatched issues at this warning (yellow or red) at this
    /// instant, as [`crate::Device::issue_warnings`] counts them for Today.
    pub warning: Option<(gridline_model::time_limit::Warning, Instant)>,
    pub limit: Option<usize>,
}

/// A wish as the wish wall shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct WishSummary {
    pub id: RecordId,
    pub grid: GridId,
    pub household: Option<RecordId>,
    pub title: String,
    pub category: String,
    pub value_yuan: u32,
    pub stage: Option<WishStage>,
    pub poster: String,
    pub claimant: Option<String>,
    pub pending_claims: u32,
    pub posted_at: Instant,
    pub sync_state: SyncState,
}

/// A visit as a household's or a visitor's list shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct VisitSummary {
    pub id: RecordId,
    pub household: RecordId,
    pub grid: GridId,
    pub visitor: String,
    pub role: Role,
    pub at: Instant,
    pub kind: VisitKind,
    pub address: Option<String>,
    pub head_name: Option<String>,
    pub notes: String,
    pub sync_state: SyncState,
}

impl HouseholdSummary {
    pub fn target(&self) -> Target {
        Target::household(self.grid.clone(), self.id)
    }
}

impl IssueSummary {
    pub fn target(&self) -> Target {
        Target {
            grid: self.grid.clone(),
            household: self.household,
            dispatched_to: self.departments.clone(),
            reporter: Some(self.reporter.clone()),
        }
    }
}

impl WishSummary {
    pub fn target(&self) -> Target {
        Target {
            household: self.household,
            reporter: Some(self.poster.clone()),
            ..Target::grid(self.grid.clone())
        }
    }
}

impl VisitSummary {
    pub fn target(&self) -> Target {
        Target::household(self.grid.clone(), self.household)
    }
}

/// The projection is written by this device from valid records, so a field
/// that does not read back means the store is damaged.
fn damaged(what: &str, value: &str) -> crate::Error {
    gridline_store::Error::Damaged(format!("projection {what}: {value:?}")).into()
}

fn id(s: &str, what: &str) -> Result<RecordId> {
    RecordId::parse_str(s).map_err(|_| damaged(what, s))
}

fn grid(s: &str) -> Result<GridId> {
    GridId::parse(s).map_err(|_| damaged("grid", s))
}

fn time(s: &str, what: &str) -> Result<Instant> {
    parse_time(s).ok_or_else(|| damaged(what, s))
}

fn count(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}

pub(crate) fn household(r: HouseholdRow) -> Result<HouseholdSummary> {
    Ok(HouseholdSummary {
        id: id(&r.id, "household id")?,
        grid: grid(&r.grid)?,
        address: r.address,
        head_name: r.head_name,
        phone: r.phone,
        resident_count: count(r.resident_count),
        tags: r
            .tags
            .iter()
            .map(|t| Tag::parse(t).map_err(|_| damaged("tag", t)))
            .collect::<Result<_>>()?,
        last_visit: r
            .last_visit
            .as_deref()
            .map(|t| time(t, "last visit"))
            .transpose()?,
        sync_state: r.sync_state,
        matched_name: r.matched_name,
        unsent_visits: count(r.unsent_visits),
    })
}

pub(crate) fn issue(r: IssueRow, now: Instant) -> Result<IssueSummary> {
    let stage = r
        .stage
        .as_deref()
        .map(|s| Stage::parse(s).map_err(|_| damaged("issue stage", s)))
        .transpose()?;
    let deadline = r
        .deadline
        .as_deref()
        .map(|t| time(t, "deadline"))
        .transpose()?;
    Ok(IssueSummary {
        id: id(&r.id, "issue id")?,
        grid: grid(&r.grid)?,
        category: r.category,
        stage,
        urgency: u8::try_from(r.urgency).map_err(|_| damaged("urgency", &r.urgency.to_string()))?,
        household: r
            .household_id
            .as_deref()
            .map(|h| id(h, "issue household"))
            .transpose()?,
        reporter: r.reporter,
        reported_at: time(&r.reported_at, "reported at")?,
        deadline,
        departments: r
            .departments
            .split(',')
            .filter(|d| !d.is_empty())
            .map(str::to_owned)
            .collect(),
        refused_events: count(r.refused_events),
        summary: r.summary,
        sync_state: r.sync_state,
        address: r.address,
        head_name: r.head_name,
        overdue: gridline_model::issue::overdue(stage, deadline, now),
    })
}

pub(crate) fn wish(r: WishRow) -> Result<WishSummary> {
    Ok(WishSummary {
        id: id(&r.id, "wish id")?,
        grid: grid(&r.grid)?,
        household: r
            .household_id
            .as_deref()
            .map(|h| id(h, "wish household"))
            .transpose()?,
        title: r.title,
        category: r.category,
        value_yuan: count(r.value_yuan),
        stage: r
            .stage
            .as_deref()
            .map(|s| WishStage::parse(s).map_err(|_| damaged("wish stage", s)))
            .transpose()?,
        poster: r.poster,
        claimant: r.claimant,
        pending_claims: count(r.pending_claims),
        posted_at: time(&r.posted_at, "posted at")?,
        sync_state: r.sync_state,
    })
}

pub(crate) fn visit(r: VisitRow) -> Result<VisitSummary> {
    Ok(VisitSummary {
        id: id(&r.id, "visit id")?,
        household: id(&r.household_id, "visit household")?,
        grid: grid(&r.grid)?,
        visitor: r.visitor,
        role: Role::parse(&r.role).map_err(|_| damaged("visit role", &r.role))?,
        at: time(&r.at, "visit time")?,
        kind: VisitKind::parse(&r.kind).map_err(|_| damaged("visit kind", &r.kind))?,
        address: r.address,
        head_name: r.head_name,
        notes: r.notes,
        sync_state: r.sync_state,
    })
}
