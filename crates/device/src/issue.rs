//! Issues: report, act on, list, show.

use gridline_model::issue::{parse_category, IssueState};
use gridline_model::permission::{check, Action, Kind, Target};
use gridline_model::text;
use gridline_model::time_limit::Warning;
use gridline_model::{GridId, Instant, Invalid, Issue, IssueEvent, IssueStep, RecordId, Role};
use gridline_records::{issue, Record};
use gridline_store::{Origin, SyncState};

use crate::views::{self, IssueFilter, IssueSummary};

use crate::{new_id, parse_id, Created, Device, Error, NewId, Result};

#[derive(Debug, Clone, Default)]
pub struct NewIssue {
    /// Required unless a household is given (then the household's grid is used).
    pub grid: Option<String>,
    pub household: Option<String>,
    pub category: String,
    pub description: String,
    pub location: String,
    /// 1 (low) to 3 (high); defaults to 2.
    pub urgency: Option<u8>,
}

#[derive(Debug, Clone)]
pub struct IssueView {
    pub issue: Issue,
    pub state: IssueState,
    pub overdue: bool,
    /// Yellow, red or overdue as of `now`, from the street's table and
    /// calendar (the UI shows it, never computes it).
    pub warning: Warning,
    pub sync_state: SyncState,
    /// Steps this user may take now (what the UI offers).
    pub offered: Vec<&'static str>,
}

/// Where an issue sits for the rules; departments come from its dispatch.
pub(crate) fn target(i: &Issue) -> Target {
    // The default deadlines will do: departments never depend on a deadline.
    let s = i.state();
    Target {
        grid: i.grid.clone(),
        household: i.household,
        dispatched_to: s.departments,
        reporter: Some(i.reporter.clone()),
    }
}

impl Device {
    pub fn report_issue(&mut self, new: &NewIssue, now: Instant) -> Result<RecordId> {
        Ok(self.report_issue_with_id(new, None, now)?.id)
    }

    /// [`Device::report_issue`] under the caller's id (a UUID v7), so a
    /// retried save is the same issue, not a second one.
    pub fn report_issue_with_id(
        &mut self,
        new: &NewIssue,
        id: Option<&str>,
        now: Instant,
    ) -> Result<Created> {
        self.report_issue_with_photos(new, id, &[], now)
    }

    /// [`Device::report_issue_with_id`] with photos taken on site
    /// ([`Device::take_photo`]), saved with the report as its evidence.
    pub fn report_issue_with_photos(
        &mut self,
        new: &NewIssue,
        id: Option<&str>,
        photos: &[crate::Attach],
        now: Instant,
    ) -> Result<Created> {
        let evidence = crate::Evidence {
            photos: photos.to_vec(),
            position: None,
        };
        self.report_issue_with_evidence(new, id, &evidence, now)
    }

    /// [`Device::report_issue_with_id`] with its photos and where it was seen.
    pub fn report_issue_with_evidence(
        &mut self,
        new: &NewIssue,
        id: Option<&str>,
        evidence: &crate::Evidence,
        now: Instant,
    ) -> Result<Created> {
        let photos = &evidence.photos;
        if let Some(p) = &evidence.position {
            p.validate()?;
        }
        let category = parse_category(&new.category)?;
        let household = new
            .household
            .as_deref()
            .filter(|h| !h.trim().is_empty())
            .map(|h| parse_id(h, "household"))
            .transpose()?;
        let grid = match (&new.grid, household) {
            (_, Some(h)) => self.household_target(h)?.grid,
            (Some(g), None) => GridId::parse(g)?,
            (None, None) => {
                return Err(Invalid::new(
                    "grid",
                    text!("未指定网格或户", "no grid or household given"),
                    text!(
                        "请用 --grid 或 --household 指明事件所在",
                        "say where the issue is"
                    ),
                )
                .into())
            }
        };
        if let (Some(g), Some(_)) = (&new.grid, household) {
            if GridId::parse(g)? != grid {
                return Err(Invalid::new(
                    "grid",
                    text!("该户不在所填网格中", "the household is not in that grid"),
                    text!("去掉 --grid，系统会用户所在网格", "omit --grid"),
                )
                .into());
            }
        }
        let id = match self.new_record_id(id, Kind::Issue, &grid, household, now)? {
            NewId::Use(id) => id,
            NewId::AlreadySaved(id) => {
                let place = Target {
                    household,
                    ..Target::grid(grid)
                };
                check(self.user(), Kind::Issue, Action::Create, &place)?;
                return Ok(Created {
                    id,
                    already_saved: true,
                });
            }
        };
        let author = self.user().author();
        let i = Issue {
            id,
            grid: grid.clone(),
            category,
            description: new.description.trim().to_owned(),
            location: new.location.trim().to_owned(),
            household,
            urgency: new.urgency.unwrap_or(2),
            reporter: author.user.clone(),
            reported_at: now,
            events: vec![IssueEvent {
                id: new_id(now),
                at: now,
                author,
                step: IssueStep::Report,
            }],
        };
        i.validate()?;
        check(
            self.user(),
            Kind::Issue,
            Action::Create,
            &Target {
                household,
                ..Target::grid(grid)
            },
        )?;
        let refs = self.photo_refs(photos, gridline_model::PhotoStep::Report, &[], now)?;
        let mut doc = self.new_doc();
        issue::create(&mut doc, &i)?;
        gridline_records::photos::add(&mut doc, &refs, now)?;
        if let Some(p) = &evidence.position {
            gridline_records::position::set(&mut doc, p, now)?;
        }
        self.store
            .save(&mut doc, &Record::Issue(i), Origin::Local, now)?;
        Ok(Created {
            id,
            already_saved: false,
        })
    }

    /// Takes one workflow step. Refused before anything is written when the
    /// role, scope or state does not allow it.
    pub fn act_on_issue(&mut self, id: &str, step: IssueStep, now: Instant) -> Result<IssueState> {
        self.act_on_issue_with_photos(id, step, &[], now)
    }

    /// [`Device::act_on_issue`] with photos as the step's evidence (the
    /// repair done, the site verified), saved with the step.
    pub fn act_on_issue_with_photos(
        &mut self,
        id: &str,
        step: IssueStep,
        photos: &[crate::Attach],
        now: Instant,
    ) -> Result<IssueState> {
        step.validate()?;
        let id = parse_id(id, "issue")?;
        let mut doc = self.load_kind(id, Kind::Issue, "事件")?;
        let mut i = issue::read(&doc)?;
        check(self.user(), Kind::Issue, Action::Step, &target(&i))?;
        let author = self.user().author();
        let limits = self.store.street_limits()?;
        let state = i.state_with(&limits);
        // Fold order is (at, id): a step must not sort before the last event.
        let at = crate::next_at(i.events.iter().map(|e| e.at), now);
        state
            .would_accept(&author, &step)
            .map_err(Error::StepRefused)?;
        let e = IssueEvent {
            id: new_id(at),
            at,
            author,
            step,
        };
        let held = gridline_records::photos::read(&doc)?;
        let refs = self.photo_refs(photos, crate::photo::issue_photo_step(&e.step), &held, now)?;
        issue::push_event(&mut doc, &e)?;
        gridline_records::photos::add(&mut doc, &refs, now)?;
        i.events.push(e);
        let state = i.state_with(&limits);
        self.store
            .save(&mut doc, &Record::Issue(i), Origin::Local, now)?;
        Ok(state)
    }

    pub fn issue(&self, id: &str, now: Instant) -> Result<IssueView> {
        let id = parse_id(id, "issue")?;
        let doc = self.load_kind(id, Kind::Issue, "事件")?;
        let i = issue::read(&doc)?;
        check(self.user(), Kind::Issue, Action::Read, &target(&i))?;
        let limits = self.store.street_limits()?;
        let state = i.state_with(&limits);
        let offered = self.offered_steps(&i, &state);
        Ok(IssueView {
            overdue: state.is_overdue(now),
            warning: state.warning(now),
            sync_state: self.store.sync_state(id)?.unwrap_or(SyncState::Local),
            offered,
            state,
            issue: i,
        })
    }

    /// Issues this user may read, newest first; `overdue` as of `now`.
    pub fn issues(&self, filter: &IssueFilter, now: Instant) -> Result<Vec<IssueSummary>> {
        // Overdue is the model's rule, asked of each typed row: the store is
        // asked only for dispatched issues, and the limit applies after.
        // A warning is the fold's, under the street's table and calendar.
        let warned = match filter.warning {
            Some((w, at)) => Some(
                self.warned_issues(at)?
                    .into_iter()
                    .filter(|(_, x)| *x == w)
                    .map(|(id, _)| id)
                    .collect::<std::collections::BTreeSet<_>>(),
            ),
            None => None,
        };
        let narrowed = filter.overdue_at.is_some() || warned.is_some();
        let rows = self.store.issues(&gridline_store::IssueFilter {
            stage: narrowed
                .then_some(gridline_model::issue::Stage::Dispatched)
                .or(filter.stage)
                .map(|s| s.key().to_owned()),
            category: filter.category.clone(),
            grid: filter.grid.clone(),
            limit: filter.limit.filter(|_| !narrowed),
        })?;
        let mut out = Vec::new();
        for r in rows {
            let i = views::issue(r, now)?;
            let overdue_then = filter
                .overdue_at
                .is_none_or(|at| gridline_model::issue::overdue(i.stage, i.deadline, at));
            let warned_then = warned.as_ref().is_none_or(|w| w.contains(&i.id));
            if overdue_then
                && warned_then
                && check(self.user(), Kind::Issue, Action::Read, &i.target()).is_ok()
            {
                out.push(i);
            }
            if filter.limit.is_some_and(|n| out.len() >= n) {
                break;
            }
        }
        Ok(out)
    }

    /// Dispatched issues this user may read that are yellow and red at
    /// `now` (预警), for Today: each folded under the street's table and
    /// calendar, so the count is the one `issue` shows, never a rule of the
    /// UI's. Overdue ones are counted by the dashboard's own rule and not
    /// here. Only dispatched issues are read (a few dozen on a street).
    pub fn issue_warnings(&self, now: Instant) -> Result<(i64, i64)> {
        let (mut yellow, mut red) = (0, 0);
        for (_, w) in self.warned_issues(now)? {
            match w {
                Warning::Yellow => yellow += 1,
                Warning::Red => red += 1,
                _ => {}
            }
        }
        Ok((yellow, red))
    }

    /// The dispatched issues this user may read with their warning at `now`.
    fn warned_issues(&self, now: Instant) -> Result<Vec<(RecordId, Warning)>> {
        let rows = self.store.issues(&gridline_store::IssueFilter {
            stage: Some(gridline_model::issue::Stage::Dispatched.key().to_owned()),
            ..Default::default()
        })?;
        let limits = self.store.street_limits()?;
        let mut out = Vec::new();
        for r in rows {
            let Ok(id) = parse_id(&r.id, "issue") else {
                continue;
            };
            let Ok(doc) = self.load_kind(id, Kind::Issue, "事件") else {
                continue;
            };
            let Ok(i) = issue::read(&doc) else {
                continue;
            };
            if check(self.user(), Kind::Issue, Action::Read, &target(&i)).is_err() {
                continue;
            }
            out.push((id, i.state_with(&limits).warning(now)));
        }
        Ok(out)
    }

    /// The steps the rules would accept from this user now.
    fn offered_steps(&self, i: &Issue, state: &IssueState) -> Vec<&'static str> {
        if check(self.user(), Kind::Issue, Action::Step, &target(i)).is_err() {
            return Vec::new();
        }
        let author = self.user().author();
        let probe = [
            IssueStep::Accept,
            IssueStep::Reject { reason: "x".into() },
            IssueStep::Merge {
                into: RecordId::nil(),
            },
            IssueStep::Resolve {
                note: String::new(),
            },
            IssueStep::Escalate {
                note: String::new(),
            },
            IssueStep::Dispatch {
                departments: vec![if self.user().role == Role::StreetStaff {
                    "x".into()
                } else {
                    String::new()
                }],
                grade: gridline_model::Grade::Normal,
            },
            IssueStep::Handle {
                feedback: String::new(),
            },
            IssueStep::VerifyClose {
                note: String::new(),
            },
            IssueStep::Evaluate {
                satisfied: true,
                resident: "x".into(),
                comment: String::new(),
            },
            IssueStep::RequestExtension {
                amount: 1,
                reason: "x".into(),
            },
            IssueStep::DecideExtension {
                approve: true,
                note: String::new(),
            },
            IssueStep::Defer { reason: "x".into() },
            IssueStep::SendBack { reason: "x".into() },
        ];
        probe
            .into_iter()
            .filter(|s| state.would_accept(&author, s).is_ok())
            .map(|s| s.key())
            .collect()
    }
}
