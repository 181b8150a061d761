//! Ledgers and the monthly report, built from what this device holds
//! (`gridline export …`, the app's 导出 buttons). Each returns a
//! [`Book`]; the caller writes it as `.xlsx` ([`Book::xlsx`]) or takes a
//! sheet's CSV twin ([`gridline_office::export::Sheet::csv`]).
//!
//! A device holds only what its role may read, and each record is asked
//! again here, so an export never holds more than the screens show. ID
//! numbers are masked in the roster unless the user includes them with a
//! reason, for a role that may read them: then every household whose
//! number is written is a reveal (`via` export), all recorded in one
//! durable commit before the book is returned (DESIGN §7).

use std::collections::BTreeMap;

use gridline_model::monthly::{IssueFacts, MonthlyFigures, Period};
use gridline_model::permission::{self, check_dashboard, Action, Kind, Target};
use gridline_model::{text, GridId, Instant, Invalid, RecordId, Role, Scope, Tag, WishStep};
use gridline_office::export::Book;
use gridline_office::ledger::{self, IssueRow, RosterRow, StepRow, WishRow};
use gridline_office::monthly::{self as report, ReportTitle};
use gridline_records::{issue, private, wish};

use crate::reveal::Via;
use crate::{new_id, Device, Result};

/// Which part of what the device holds an export covers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportScope {
    /// A grid, community or street code; `None` for everything held.
    pub place: Option<String>,
}

/// The roster's choices.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RosterOptions {
    pub scope: ExportScope,
    pub tag: Option<String>,
    /// Write ID numbers in full, for this reason (an audited reveal);
    /// `None` writes them masked.
    pub reveal_reason: Option<String>,
}

/// A roster, and how many households' ID numbers it reveals.
#[derive(Debug, Clone)]
pub struct Roster {
    pub book: Book,
    pub households: usize,
    pub revealed: usize,
}

/// A place code as typed: digits only, at most a grid's 15.
fn place_prefix(scope: &ExportScope) -> Result<String> {
    let Some(p) = scope
        .place
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    else {
        return Ok(String::new());
    };
    if !p.chars().all(|c| c.is_ascii_digit()) || ![9, 12, 15].contains(&p.len()) {
        return Err(Invalid::new(
            "place",
            text!(
                "\"{p}\" 不是街道、社区或网格编码",
                "\"{p}\" is not a street, community or grid code"
            ),
            text!(
                "街道 9 位、社区 12 位、网格 15 位数字，如 522701001001",
                "a street has 9 digits, a community 12, a grid 15, e.g. 522701001001"
            ),
        )
        .into());
    }
    Ok(p.to_owned())
}

impl Device {
    /// The place typed, checked against the user's scope: a report titled
    /// with a place the device does not hold would be silently empty.
    fn place_in_scope(&self, scope: &ExportScope) -> Result<String> {
        let p = place_prefix(scope)?;
        if p.is_empty() {
            return Ok(p);
        }
        let inside = match &self.user().scope {
            Scope::Community(c) => p.starts_with(c.as_str()),
            Scope::Street(s) => p.starts_with(s.as_str()),
            Scope::Grids(gs) => gs.iter().any(|g| g.as_str() == p),
            Scope::Households(_) | Scope::Department(_) | Scope::Everything => true,
        };
        if inside {
            return Ok(p);
        }
        let mine = self.scope_label();
        Err(gridline_model::Refusal {
            reason: text!(
                "{p} 不在你的范围（{mine}）内；请填写范围内的社区或网格编码，或不填",
                "{p} is outside your scope ({mine}); give a community or grid code inside it, or none"
            ),
        }
        .into())
    }
}

fn id_numbers_refused(role: Role) -> gridline_model::Refusal {
    let (zh, key) = (role.zh(), role.key());
    gridline_model::Refusal {
        reason: text!(
            "{zh}不能导出完整身份证号",
            "role {key} may not export ID numbers in full"
        ),
    }
}

impl Device {
    /// The community or street name of a code, as the report's title says it.
    fn place_title(&self, prefix: &str) -> String {
        if prefix.is_empty() {
            return match &self.user().scope {
                Scope::Community(c) => self.place_name(c.as_str()),
                Scope::Street(s) => self.place_name(s),
                _ => self.scope_label(),
            };
        }
        self.place_name(prefix)
    }

    /// The community (by name) and grid (by name) of a grid code.
    fn grid_names(&self, names: &BTreeMap<String, String>, grid: &str) -> (String, String) {
        let name = |code: &str| names.get(code).cloned().unwrap_or_else(|| code.to_owned());
        let community = GridId::parse(grid)
            .map(|g| name(g.community().as_str()))
            .unwrap_or_default();
        (community, name(grid))
    }

    /// 住户台账: the households this device holds under the scope (and tag).
    pub fn export_roster(&mut self, o: &RosterOptions, now: Instant) -> Result<Roster> {
        let prefix = self.place_in_scope(&o.scope)?;
        let tag = o.tag.as_deref().map(Tag::parse).transpose()?;
        let reason = match o.reveal_reason.as_deref().map(str::trim) {
            None => None,
            Some("") => {
                return Err(Invalid::new(
                    "reason",
                    text!(
                        "导出完整身份证号需要写明理由",
                        "exporting ID numbers in full needs a reason"
                    ),
                    text!(
                        "请用 --reveal-reason 写明用途，如“低保年审”",
                        "give the purpose with --reveal-reason, e.g. \"annual benefits review\""
                    ),
                )
                .into())
            }
            Some(r) => Some(r.to_owned()),
        };
        let user = self.user().clone();
        if reason.is_some()
            && !permission::role_may(Kind::HouseholdPrivate, Action::Read, user.role)
        {
            return Err(id_numbers_refused(user.role).into());
        }
        let entries = self.store.roster(&prefix, tag.as_ref().map(|t| t.zh()))?;
        let names = self.place_names();
        let mut rows = Vec::with_capacity(entries.len());
        let mut reveals = Vec::new();
        for e in entries {
            let id: RecordId = match e.id.parse() {
                Ok(id) => id,
                Err(_) => continue,
            };
            let grid = GridId::parse(&e.grid)?;
            let target = Target::household(grid, id);
            if permission::check(&user, Kind::Household, Action::Read, &target).is_err() {
                continue;
            }
            let may_private =
                permission::check(&user, Kind::HouseholdPrivate, Action::Read, &target).is_ok();
            let mut id_number = None;
            if may_private {
                if let (Some(head), Some((_, bytes))) =
                    (&e.head_resident, self.store.load(private::doc_id(id))?)
                {
                    let p = private::read(&gridline_records::load(&bytes, &self.identity.actor)?)?;
                    let head: Option<RecordId> = head.parse().ok();
                    if let Some(n) = head.and_then(|h| p.id_numbers.get(&h)) {
                        id_number = Some(if reason.is_some() {
                            reveals.push(gridline_store::Reveal {
                                id: new_id(now).to_string(),
                                at: gridline_records::fmt_time(now),
                                household_id: id.to_string(),
                                user_id: user.id.clone(),
                                user_name: user.name.clone(),
                                reason: reason.clone(),
                                via: Via::Export.key().to_owned(),
                                demo: false,
                                sent: false,
                                refused: None,
                            });
                            n.as_str().to_owned()
                        } else {
                            n.masked()
                        });
                    }
                }
            } else if reason.is_some() {
                return Err(id_numbers_refused(user.role).into());
            }
            let (community, grid_name) = self.grid_names(&names, &e.grid);
            rows.push(RosterRow {
                community,
                grid: grid_name,
                compound: e.compound,
                building: e.building,
                unit: e.unit,
                room: e.room,
                head: e.head_name,
                id_number,
                phone: e.phone,
                residents: e.resident_count as usize,
                // Sensitive tags only for a role that may read the private
                // part (the device holds them only then; asked again here).
                tags: e
                    .tags
                    .into_iter()
                    .filter(|(_, sensitive)| !sensitive || may_private)
                    .map(|(t, _)| t)
                    .collect(),
            });
        }
        // Durable before a single number leaves in the book.
        if !reveals.is_empty() {
            self.store.record_reveals(&reveals, self.is_enrolled())?;
        }
        Ok(Roster {
            households: rows.len(),
            revealed: reveals.len(),
            book: ledger::roster(&rows),
        })
    }

    /// 事件台账: every issue under the scope reported in `[from, to)`, with
    /// each step, who took it and when.
    pub fn export_issue_ledger(
        &self,
        scope: &ExportScope,
        from: Option<Instant>,
        to: Option<Instant>,
        now: Instant,
    ) -> Result<Book> {
        let prefix = self.place_in_scope(scope)?;
        let limits = self.store.street_limits()?;
        let names = self.place_names();
        let people = self.people();
        let mut rows = Vec::new();
        for id in self.store.ledger_issue_ids(&prefix, from, to)? {
            let Ok(id) = id.parse::<RecordId>() else {
                continue;
            };
            let Some((_, bytes)) = self.store.load(id)? else {
                continue;
            };
            let i = issue::read(&gridline_records::load(&bytes, &self.identity.actor)?)?;
            if permission::check(
                self.user(),
                Kind::Issue,
                Action::Read,
                &crate::issue::target(&i),
            )
            .is_err()
            {
                continue;
            }
            let s = i.state_with(&limits);
            let mut events: Vec<_> = i.events.iter().collect();
            events.sort_by_key(|e| (e.at, e.id));
            let steps = events
                .into_iter()
                .map(|e| StepRow {
                    step: e.step.zh().to_owned(),
                    by: people.label_as(&e.author.user, e.author.role).zh,
                    at: e.at,
                    note: e
                        .step
                        .texts()
                        .into_iter()
                        .map(|(_, t)| t)
                        .filter(|t| !t.is_empty())
                        .collect::<Vec<_>>()
                        .join("；"),
                    refused: s.refusal(e.id).map(|t| t.zh.clone()),
                })
                .collect();
            let (community, grid) = self.grid_names(&names, i.grid.as_str());
            rows.push(IssueRow {
                id: i.id.to_string(),
                community,
                grid,
                category: i.category.clone(),
                description: i.description.clone(),
                location: i.location.clone(),
                reporter: people.label(&i.reporter).zh,
                reported_at: i.reported_at,
                stage: s.stage.map(|st| st.zh()).unwrap_or("").to_owned(),
                departments: s.departments.clone(),
                grade: s.grade.map(|g| g.zh().to_owned()),
                deadline: s.deadline,
                overdue: s.is_overdue(now),
                closed_at: s.closed_at,
                evaluation: s
                    .satisfied
                    .map(|ok| if ok { "满意" } else { "不满意" }.to_owned()),
                steps,
            });
        }
        Ok(ledger::issue_ledger(&rows))
    }

    /// 心愿台账: every wish under the scope posted in `[from, to)`.
    pub fn export_wish_ledger(
        &self,
        scope: &ExportScope,
        from: Option<Instant>,
        to: Option<Instant>,
    ) -> Result<Book> {
        let prefix = self.place_in_scope(scope)?;
        let names = self.place_names();
        let hub = Some(self.identity.hub_actor.as_str());
        let people = self.people();
        let mut rows = Vec::new();
        for id in self.store.ledger_wish_ids(&prefix, from, to)? {
            let Ok(id) = id.parse::<RecordId>() else {
                continue;
            };
            let Some((_, bytes)) = self.store.load(id)? else {
                continue;
            };
            let w = wish::read(&gridline_records::load(&bytes, &self.identity.actor)?)?;
            let target = Target {
                household: w.household,
                reporter: Some(w.poster.clone()),
                ..Target::grid(w.grid.clone())
            };
            if permission::check(self.user(), Kind::Wish, Action::Read, &target).is_err() {
                continue;
            }
            let s = w.state(hub);
            let applied = |want: fn(&WishStep) -> bool| {
                w.events
                    .iter()
                    .filter(|e| {
                        want(&e.step)
                            && s.outcomes
                                .iter()
                                .any(|o| o.event == e.id && o.refused.is_none())
                    })
                    .map(|e| e.at)
                    .max()
            };
            let (community, grid) = self.grid_names(&names, w.grid.as_str());
            rows.push(WishRow {
                id: w.id.to_string(),
                community,
                grid,
                title: w.title.clone(),
                category: w.category.clone(),
                value_yuan: w.value_yuan,
                stage: s.stage.map(|st| st.zh()).unwrap_or("").to_owned(),
                poster: people.label(&w.poster).zh,
                posted_at: w.posted_at,
                claimant: s.claimant.as_deref().map(|c| people.label(c).zh),
                fulfilled_at: applied(|st| matches!(st, WishStep::Fulfil { .. })),
                confirmed_at: applied(|st| matches!(st, WishStep::Confirm { .. })),
            });
        }
        Ok(ledger::wish_ledger(&rows))
    }

    /// The monthly report's figures for the scope: for community and street
    /// staff, as the dashboard is.
    pub fn monthly_figures(
        &self,
        scope: &ExportScope,
        year: i32,
        month: u32,
    ) -> Result<MonthlyFigures> {
        check_dashboard(self.user())?;
        let prefix = self.place_in_scope(scope)?;
        let period = Period::month(year, month).ok_or_else(|| {
            Invalid::new(
                "month",
                text!("{year}-{month} 不是月份", "{year}-{month} is not a month"),
                text!(
                    "月份写作 YYYY-MM，如 2026-11",
                    "write the month as YYYY-MM, e.g. 2026-11"
                ),
            )
        })?;
        let facts: Vec<IssueFacts> = self.store.issue_facts(&prefix, period)?;
        Ok(MonthlyFigures::count(&facts, period))
    }

    /// 月报 as a book.
    pub fn monthly_report(
        &self,
        scope: &ExportScope,
        year: i32,
        month: u32,
    ) -> Result<(MonthlyFigures, Book)> {
        let m = self.monthly_figures(scope, year, month)?;
        let prefix = self.place_in_scope(scope)?;
        let book = report::report(
            &ReportTitle {
                place: self.place_title(&prefix),
                year,
                month,
            },
            &m,
        );
        Ok((m, book))
    }
}

/// What an export writes: the `.xlsx`, or one CSV per sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Csv,
}

/// Writes `book` at `path` (for CSV, one file per sheet beside it, named
/// `<stem>-<sheet>.csv` when there are several) and returns the files
/// written. Each is written durably: a temporary file beside it, fsynced,
/// renamed over it, the directory fsynced, so a crash leaves the old file
/// or the new one whole, never half of one.
pub fn save_book(
    book: &Book,
    path: &std::path::Path,
    format: Format,
) -> Result<Vec<std::path::PathBuf>> {
    let mut out = Vec::new();
    match format {
        Format::Xlsx => {
            // A book the writer refuses is this program's bug, not the
            // disk's: an `Other` error, which callers tell from a disk's.
            let bytes = book.xlsx().map_err(|e| crate::Error::Io {
                context: format!("building {}", path.display()),
                source: std::io::Error::other(e.to_string()),
            })?;
            write_durably(path, &bytes)?;
            out.push(path.to_path_buf());
        }
        Format::Csv => {
            let stem = path.with_extension("");
            for s in &book.sheets {
                let p = if book.sheets.len() == 1 {
                    path.to_path_buf()
                } else {
                    std::path::PathBuf::from(format!("{}-{}.csv", stem.display(), s.name))
                };
                write_durably(&p, &s.csv())?;
                out.push(p);
            }
        }
    }
    Ok(out)
}

fn write_durably(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("export");
    // A name of its own (two exports to one file at once never share a
    // temporary file), readable by this user only: a roster may hold ID
    // numbers in full.
    let tmp = dir.join(format!(".{name}.{}.part", uuid::Uuid::new_v4().simple()));
    let written = (|| -> std::io::Result<()> {
        let mut open = std::fs::OpenOptions::new();
        open.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
        let mut f = open.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        #[cfg(unix)]
        std::fs::File::open(dir)?.sync_all()?;
        Ok(())
    })();
    written.map_err(|source| {
        let _ = std::fs::remove_file(&tmp);
        crate::Error::Io {
            context: format!("writing {}", path.display()),
            source,
        }
    })
}
