//! Mediation cases as lists and figures read them: typed rows over the
//! `mediations` projection (migration 0005), and the per-case facts the
//! figures sum (`model::mediation::CaseFacts`).

use gridline_model::mediation::{CaseFacts, CaseStage, CaseType, MediationKind};
use gridline_model::{parse_time, GridId, Instant, RecordId};
use rusqlite::params_from_iter;
use rusqlite::types::Value;

use crate::{state_of, Error, Result, Store, SyncState};

/// One case as a list shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct MediationRow {
    pub id: RecordId,
    pub grid: GridId,
    pub case_type: CaseType,
    pub stage: Option<CaseStage>,
    pub warning: u8,
    pub kind: MediationKind,
    pub reporter: String,
    pub registered_at: Instant,
    pub deadline: Option<Instant>,
    pub households: Vec<RecordId>,
    pub from_issue: Option<RecordId>,
    pub refused_events: u32,
    pub summary: String,
    pub sync_state: SyncState,
}

/// Which cases a list asks for.
#[derive(Debug, Clone, Default)]
pub struct MediationFilter {
    pub stage: Option<CaseStage>,
    pub grid: Option<GridId>,
    /// Cases linked to this household.
    pub household: Option<RecordId>,
    /// The case made from this issue ("转为调解").
    pub from_issue: Option<RecordId>,
    pub limit: Option<usize>,
}

fn damaged(what: &str, v: &str) -> Error {
    Error::Damaged(format!("{what} {v}"))
}

fn id(s: &str) -> Result<RecordId> {
    RecordId::parse_str(s).map_err(|_| damaged("id", s))
}

fn time(s: &str) -> Result<Instant> {
    parse_time(s).ok_or_else(|| damaged("time", s))
}

impl Store {
    /// Cases newest first.
    pub fn mediations(&self, f: &MediationFilter) -> Result<Vec<MediationRow>> {
        let mut sql = String::from(
            "SELECT m.id, m.grid, m.case_type, m.stage, m.warning, m.kind, m.reporter, m.registered_at,
                m.deadline, m.households, m.from_issue, m.refused_events, m.summary, d.sync_state, d.conflicted
             FROM mediations m JOIN documents d ON d.id = m.id WHERE 1=1",
        );
        let mut args: Vec<Value> = Vec::new();
        if let Some(s) = f.stage {
            sql.push_str(" AND m.stage = ?");
            args.push(s.key().to_owned().into());
        }
        if let Some(g) = &f.grid {
            sql.push_str(" AND m.grid = ?");
            args.push(g.as_str().to_owned().into());
        }
        if let Some(h) = f.household {
            // Ids are fixed-width, so a comma-bounded match is exact.
            sql.push_str(" AND (',' || m.households || ',') LIKE ?");
            args.push(format!("%,{h},%").into());
        }
        if let Some(i) = f.from_issue {
            sql.push_str(" AND m.from_issue = ?");
            args.push(i.to_string().into());
        }
        sql.push_str(" ORDER BY m.registered_at DESC");
        if let Some(n) = f.limit {
            sql.push_str(" LIMIT ?");
            args.push((n as i64).into());
        }
        let mut st = self.connection().prepare_cached(&sql)?;
        type Raw = (
            String,
            String,
            String,
            Option<String>,
            i64,
            String,
            String,
            String,
            Option<String>,
            String,
            Option<String>,
            i64,
            String,
            String,
            bool,
        );
        let raw = st
            .query_map(params_from_iter(args), |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                    r.get(9)?,
                    r.get(10)?,
                    r.get(11)?,
                    r.get(12)?,
                    r.get(13)?,
                    r.get(14)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<Raw>>>()?;
        raw.into_iter()
            .map(|r| {
                Ok(MediationRow {
                    id: id(&r.0)?,
                    grid: GridId::parse(&r.1).map_err(|_| damaged("grid", &r.1))?,
                    case_type: CaseType::parse(&r.2).map_err(|_| damaged("type", &r.2))?,
                    stage: r
                        .3
                        .as_deref()
                        .map(|s| CaseStage::parse(s).map_err(|_| damaged("stage", s)))
                        .transpose()?,
                    warning: u8::try_from(r.4).map_err(|_| damaged("warning", &r.4.to_string()))?,
                    kind: MediationKind::parse(&r.5).map_err(|_| damaged("kind", &r.5))?,
                    reporter: r.6,
                    registered_at: time(&r.7)?,
                    deadline: r.8.as_deref().map(time).transpose()?,
                    households: r
                        .9
                        .split(',')
                        .filter(|s| !s.is_empty())
                        .map(id)
                        .collect::<Result<_>>()?,
                    from_issue: r.10.as_deref().map(id).transpose()?,
                    refused_events: u32::try_from(r.11).unwrap_or(u32::MAX),
                    summary: r.12,
                    sync_state: state_of(&r.13, r.14),
                })
            })
            .collect()
    }

    /// What every case held here adds to the figures.
    pub fn mediation_facts(&self) -> Result<Vec<CaseFacts>> {
        let mut st = self.connection().prepare_cached(
            "SELECT case_type, stage, warning, deadline, concluded_at, agreed, confirmed, followed_up,
                fully_performed, on_time
             FROM mediations WHERE stage IS NOT NULL",
        )?;
        type Raw = (
            String,
            String,
            i64,
            Option<String>,
            Option<String>,
            bool,
            bool,
            bool,
            bool,
            Option<bool>,
        );
        let raw = st
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                    r.get(9)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<Raw>>>()?;
        raw.into_iter()
            .map(|r| {
                Ok(CaseFacts {
                    case_type: CaseType::parse(&r.0).map_err(|_| damaged("type", &r.0))?,
                    stage: CaseStage::parse(&r.1).map_err(|_| damaged("stage", &r.1))?,
                    warning: u8::try_from(r.2).map_err(|_| damaged("warning", &r.2.to_string()))?,
                    deadline: r.3.as_deref().map(time).transpose()?,
                    concluded: r.4.is_some(),
                    agreed: r.5,
                    confirmed: r.6,
                    followed_up: r.7,
                    fully_performed: r.8,
                    on_time: r.9,
                })
            })
            .collect()
    }
}
