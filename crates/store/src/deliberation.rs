//! Deliberation topics as lists and figures read them: typed rows over the
//! `deliberations` projection (migration 0006), and the per-topic facts the
//! figures sum (`model::deliberation::TopicFacts`).

use gridline_model::deliberation::{Proposer, TopicFacts, TopicStage};
use gridline_model::{parse_time, GridId, Instant, RecordId};
use rusqlite::params_from_iter;
use rusqlite::types::Value;

use crate::{state_of, Error, Result, Store, SyncState};

/// One topic as a list shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliberationRow {
    pub id: RecordId,
    pub grid: GridId,
    pub household: Option<RecordId>,
    pub title: String,
    pub proposer: Proposer,
    pub proposer_name: String,
    pub submitted_by: String,
    pub stage: Option<TopicStage>,
    pub proposed_at: Instant,
    pub resolved_at: Option<Instant>,
    pub tasks: u32,
    /// Due dates of the tasks not yet done, earliest first.
    pub open_task_dues: Vec<Instant>,
    pub refused_events: u32,
    pub sync_state: SyncState,
}

/// Which topics a list asks for.
#[derive(Debug, Clone, Default)]
pub struct DeliberationFilter {
    pub stage: Option<TopicStage>,
    pub grid: Option<GridId>,
    pub limit: Option<usize>,
}

/// A `deliberations` row joined with its document's sync columns, as read.
struct Raw {
    id: String,
    grid: String,
    household: Option<String>,
    title: String,
    proposer: String,
    proposer_name: String,
    submitted_by: String,
    stage: Option<String>,
    proposed_at: String,
    resolved_at: Option<String>,
    tasks: i64,
    open_task_dues: String,
    refused_events: i64,
    sync_state: String,
    conflicted: bool,
}

/// The columns of a row that the figures sum, as read.
struct RawFacts {
    proposed_at: String,
    accepted: bool,
    resolved_at: Option<String>,
    open_task_dues: String,
    implemented_on_time: Option<bool>,
}

fn damaged(what: &str, v: &str) -> Error {
    Error::Damaged(format!("deliberation {what} {v}"))
}

fn id(s: &str) -> Result<RecordId> {
    RecordId::parse_str(s).map_err(|_| damaged("id", s))
}

fn time(s: &str) -> Result<Instant> {
    parse_time(s).ok_or_else(|| damaged("time", s))
}

fn dues(s: &str) -> Result<Vec<Instant>> {
    s.split(',').filter(|d| !d.is_empty()).map(time).collect()
}

impl Store {
    /// Topics newest first.
    pub fn deliberations(&self, f: &DeliberationFilter) -> Result<Vec<DeliberationRow>> {
        let mut sql = String::from(
            "SELECT t.id, t.grid, t.household, t.title, t.proposer, t.proposer_name, t.submitted_by, t.stage,
                t.proposed_at, t.resolved_at, t.tasks, t.open_task_dues, t.refused_events, d.sync_state, d.conflicted
             FROM deliberations t JOIN documents d ON d.id = t.id WHERE 1=1",
        );
        let mut args: Vec<Value> = Vec::new();
        if let Some(s) = f.stage {
            sql.push_str(" AND t.stage = ?");
            args.push(s.key().to_owned().into());
        }
        if let Some(g) = &f.grid {
            sql.push_str(" AND t.grid = ?");
            args.push(g.as_str().to_owned().into());
        }
        sql.push_str(" ORDER BY t.proposed_at DESC, t.id DESC");
        if let Some(n) = f.limit {
            sql.push_str(" LIMIT ?");
            args.push((n as i64).into());
        }
        let mut st = self.connection().prepare_cached(&sql)?;
        let raw = st
            .query_map(params_from_iter(args), |r| {
                Ok(Raw {
                    id: r.get(0)?,
                    grid: r.get(1)?,
                    household: r.get(2)?,
                    title: r.get(3)?,
                    proposer: r.get(4)?,
                    proposer_name: r.get(5)?,
                    submitted_by: r.get(6)?,
                    stage: r.get(7)?,
                    proposed_at: r.get(8)?,
                    resolved_at: r.get(9)?,
                    tasks: r.get(10)?,
                    open_task_dues: r.get(11)?,
                    refused_events: r.get(12)?,
                    sync_state: r.get(13)?,
                    conflicted: r.get(14)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<Raw>>>()?;
        raw.into_iter()
            .map(|r| {
                Ok(DeliberationRow {
                    id: id(&r.id)?,
                    grid: GridId::parse(&r.grid).map_err(|_| damaged("grid", &r.grid))?,
                    household: r.household.as_deref().map(id).transpose()?,
                    title: r.title,
                    proposer: Proposer::parse(&r.proposer)
                        .map_err(|_| damaged("proposer", &r.proposer))?,
                    proposer_name: r.proposer_name,
                    submitted_by: r.submitted_by,
                    stage: r
                        .stage
                        .as_deref()
                        .map(|s| TopicStage::parse(s).map_err(|_| damaged("stage", s)))
                        .transpose()?,
                    proposed_at: time(&r.proposed_at)?,
                    resolved_at: r.resolved_at.as_deref().map(time).transpose()?,
                    tasks: u32::try_from(r.tasks).unwrap_or(u32::MAX),
                    open_task_dues: dues(&r.open_task_dues)?,
                    refused_events: u32::try_from(r.refused_events).unwrap_or(u32::MAX),
                    sync_state: state_of(&r.sync_state, r.conflicted),
                })
            })
            .collect()
    }

    /// What every topic held here adds to the figures (validly proposed
    /// ones only, as [`TopicFacts::of`] counts them).
    pub fn deliberation_facts(&self) -> Result<Vec<TopicFacts>> {
        let mut st = self.connection().prepare_cached(
            "SELECT proposed_at, accepted, resolved_at, open_task_dues, implemented_on_time
             FROM deliberations WHERE stage IS NOT NULL",
        )?;
        let raw = st
            .query_map([], |r| {
                Ok(RawFacts {
                    proposed_at: r.get(0)?,
                    accepted: r.get(1)?,
                    resolved_at: r.get(2)?,
                    open_task_dues: r.get(3)?,
                    implemented_on_time: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<RawFacts>>>()?;
        raw.into_iter()
            .map(|r| {
                Ok(TopicFacts {
                    proposed_at: time(&r.proposed_at)?,
                    accepted: r.accepted,
                    resolved_at: r.resolved_at.as_deref().map(time).transpose()?,
                    implemented_on_time: r.implemented_on_time,
                    open_task_dues: dues(&r.open_task_dues)?,
                })
            })
            .collect()
    }
}
