//! Mediation cases (矛盾纠纷调解): report (or turn an issue or a visit into
//! a case, recorded once), take steps, keep the private part, list, show,
//! and count the figures.

use gridline_model::id_number::parse_id_number;
use gridline_model::issue::Stage;
use gridline_model::mediation::{
    overdue, AgreementForm, CaseStage, CaseType, MediationFigures, MediationKind, Party,
    Performance, Referral, Satisfaction, Scale, SessionRecord, Source,
};
use gridline_model::permission::{check, check_dashboard, Action, Kind, Target};
use gridline_model::phone::parse_mobile;
use gridline_model::{
    text, CaseEvent, CaseState, CaseStep, GridId, Instant, Invalid, MediationCase,
    MediationPrivate, RecordId,
};
use gridline_records::{mediation, Record};
use gridline_store::{MediationFilter as StoreFilter, Origin, Saved, SyncState};

use crate::{new_id, parse_id, Created, Device, Error, NewId, Result};

/// A party as typed in (ID number and phone checked when saved).
#[derive(Debug, Clone, Default)]
pub struct NewParty {
    pub name: String,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub address: String,
}

/// A dispute as reported. Only `summary` (and a place: a grid, households,
/// an issue or a visit) is needed; the rest has defaults a mediator refines.
#[derive(Debug, Clone, Default)]
pub struct NewCase {
    pub grid: Option<String>,
    pub households: Vec<String>,
    /// A [`CaseType`] key or Chinese name; `neighbour` (邻里) by default.
    pub case_type: Option<String>,
    /// `individual` by default.
    pub scale: Option<String>,
    /// 2 by default.
    pub people: Option<u32>,
    /// 3 (the least) by default.
    pub warning: Option<u8>,
    /// `grid-report` by default.
    pub source: Option<String>,
    /// `people` (人民调解) by default.
    pub kind: Option<String>,
    pub summary: String,
    /// The private part: only community and street staff write it.
    pub parties: Vec<NewParty>,
    pub facts: String,
}

/// What a step adds to the private part: a session's record, or the terms
/// of an agreement. Empty for every other step.
#[derive(Debug, Clone, Default)]
pub struct PrivateNote {
    pub participants: String,
    pub notes: String,
    pub terms: String,
}

/// A case as lists show it.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseSummary {
    pub id: RecordId,
    pub grid: GridId,
    pub case_type: CaseType,
    pub stage: Option<CaseStage>,
    pub warning: u8,
    pub kind: MediationKind,
    pub reporter: String,
    pub registered_at: Instant,
    pub deadline: Option<Instant>,
    /// [`gridline_model::mediation::overdue`] as of the list's `now`.
    pub overdue: bool,
    pub households: Vec<RecordId>,
    pub from_issue: Option<RecordId>,
    pub refused_events: u32,
    pub summary: String,
    pub sync_state: SyncState,
}

impl CaseSummary {
    pub fn target(&self) -> Target {
        Target {
            household: self.households.first().copied(),
            reporter: Some(self.reporter.clone()),
            ..Target::grid(self.grid.clone())
        }
    }
}

/// Which cases a list shows.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub stage: Option<CaseStage>,
    pub grid: Option<GridId>,
    pub household: Option<RecordId>,
    pub from_issue: Option<RecordId>,
    /// Overdue ones first (then newest first).
    pub overdue_first: bool,
    pub limit: Option<usize>,
}

/// One case with its fold, and its private part where this role reads it.
#[derive(Debug, Clone)]
pub struct CaseView {
    pub case: MediationCase,
    pub state: CaseState,
    pub overdue: bool,
    /// `None` for a role that may not read it (a leader never holds it).
    pub private: Option<MediationPrivate>,
    pub sync_state: SyncState,
    /// Step keys the rules would accept from this user now.
    pub offered: Vec<&'static str>,
}

fn case_target(c: &MediationCase) -> Target {
    Target {
        household: c.households.first().copied(),
        reporter: Some(c.reporter.clone()),
        ..Target::grid(c.grid.clone())
    }
}

fn parties(new: &[NewParty]) -> Result<Vec<Party>> {
    new.iter()
        .enumerate()
        .map(|(i, p)| {
            let field = |f: &str| format!("party {} {f}", i + 1);
            Ok(Party {
                name: p.name.trim().to_owned(),
                id_number: p
                    .id_number
                    .as_deref()
                    .filter(|s| !s.trim().is_empty())
                    .map(|s| parse_id_number(s, &field("id_number")))
                    .transpose()?,
                phone: p
                    .phone
                    .as_deref()
                    .filter(|s| !s.trim().is_empty())
                    .map(|s| parse_mobile(s, &field("phone")))
                    .transpose()?,
                address: p.address.trim().to_owned(),
            })
        })
        .collect()
}

impl Device {
    /// Registers a dispute (上报纠纷). Under the caller's id (a UUID v7) a
    /// retried save is the same case, not a second one.
    pub fn report_dispute_with_id(
        &mut self,
        new: &NewCase,
        id: Option<&str>,
        now: Instant,
    ) -> Result<Created> {
        self.register_case(new, None, None, id, now)
    }

    /// "转为调解": a case made from an issue, with its grid, household and
    /// description, linked to it. Nothing is typed again; `extra` may add
    /// what the issue does not say (type, warning level, parties …). An issue
    /// already turned into a case here gives that case back.
    pub fn case_from_issue(
        &mut self,
        issue: &str,
        extra: &NewCase,
        id: Option<&str>,
        now: Instant,
    ) -> Result<Created> {
        let view = self.issue(issue, now)?;
        let i = view.issue;
        if let Some(existing) = self
            .store
            .mediations(&StoreFilter {
                from_issue: Some(i.id),
                limit: Some(1),
                ..Default::default()
            })?
            .first()
        {
            return Ok(Created {
                id: existing.id,
                already_saved: true,
            });
        }
        if matches!(view.state.stage, Some(Stage::Rejected | Stage::Merged)) {
            return Err(Error::StepRefused(text!(
                "事件已退回或合并，不能转为调解",
                "the issue was rejected or merged: it cannot become a case"
            )));
        }
        let new = NewCase {
            grid: Some(i.grid.to_string()),
            households: i.household.map(|h| h.to_string()).into_iter().collect(),
            case_type: extra.case_type.clone().or_else(|| {
                Some(
                    match i.category.as_str() {
                        "邻里纠纷" => "neighbour",
                        "物业" => "property",
                        _ => "other",
                    }
                    .to_owned(),
                )
            }),
            source: extra.source.clone().or(Some("grid-report".into())),
            summary: if extra.summary.trim().is_empty() {
                i.description.clone()
            } else {
                extra.summary.clone()
            },
            ..extra.clone()
        };
        self.register_case(&new, Some(i.id), None, id, now)
    }

    /// "上报纠纷" from a visit: a case for the visited household, with the
    /// visit's notes as its summary unless `extra` says otherwise.
    pub fn case_from_visit(
        &mut self,
        visit: &str,
        extra: &NewCase,
        id: Option<&str>,
        now: Instant,
    ) -> Result<Created> {
        let vid = parse_id(visit, "visit")?;
        let doc = self.load_kind(vid, Kind::Visit, "走访记录")?;
        let v = gridline_records::visit::read(&doc)?;
        check(
            self.user(),
            Kind::Visit,
            Action::Read,
            &Target::household(v.grid.clone(), v.household),
        )?;
        let new = NewCase {
            grid: Some(v.grid.to_string()),
            households: vec![v.household.to_string()],
            summary: if extra.summary.trim().is_empty() {
                v.notes.clone()
            } else {
                extra.summary.clone()
            },
            ..extra.clone()
        };
        self.register_case(&new, None, Some(vid), id, now)
    }

    fn register_case(
        &mut self,
        new: &NewCase,
        from_issue: Option<RecordId>,
        from_visit: Option<RecordId>,
        id: Option<&str>,
        now: Instant,
    ) -> Result<Created> {
        let households = new
            .households
            .iter()
            .filter(|h| !h.trim().is_empty())
            .map(|h| parse_id(h, "household"))
            .collect::<Result<Vec<_>>>()?;
        let grid = match (&new.grid, households.first()) {
            (_, Some(h)) => self.household_target(*h)?.grid,
            (Some(g), None) => GridId::parse(g)?,
            (None, None) => {
                return Err(Invalid::new(
                    "grid",
                    text!("未指定网格或户", "no grid or household given"),
                    text!(
                        "请用 --grid 或 --household 指明纠纷所在",
                        "say where the dispute is with --grid or --household"
                    ),
                )
                .into())
            }
        };
        if let (Some(g), Some(_)) = (&new.grid, households.first()) {
            if GridId::parse(g)? != grid {
                return Err(Invalid::new(
                    "grid",
                    text!("该户不在所填网格中", "the household is not in that grid"),
                    text!(
                        "去掉 --grid，系统会用户所在网格",
                        "omit --grid: the household's grid is used"
                    ),
                )
                .into());
            }
        }
        let place = Target {
            household: households.first().copied(),
            reporter: Some(self.user().id.clone()),
            ..Target::grid(grid.clone())
        };
        let id = match self.new_record_id(id, Kind::Mediation, &grid, place.household, now)? {
            NewId::Use(id) => id,
            NewId::AlreadySaved(id) => {
                check(self.user(), Kind::Mediation, Action::Create, &place)?;
                return Ok(Created {
                    id,
                    already_saved: true,
                });
            }
        };
        let opt = |v: &Option<String>| {
            v.as_deref()
                .filter(|s| !s.trim().is_empty())
                .map(str::to_owned)
        };
        let author = self.user().author();
        let c = MediationCase {
            id,
            grid: grid.clone(),
            households,
            case_type: opt(&new.case_type)
                .map(|s| CaseType::parse(&s))
                .transpose()?
                .unwrap_or(CaseType::Neighbour),
            scale: opt(&new.scale)
                .map(|s| Scale::parse(&s))
                .transpose()?
                .unwrap_or(Scale::Individual),
            people: new.people.unwrap_or(2),
            warning: new.warning.unwrap_or(3),
            source: opt(&new.source)
                .map(|s| Source::parse(&s))
                .transpose()?
                .unwrap_or(Source::GridReport),
            from_issue,
            from_visit,
            kind: opt(&new.kind)
                .map(|s| MediationKind::parse(&s))
                .transpose()?
                .unwrap_or(MediationKind::People),
            summary: new.summary.trim().to_owned(),
            reporter: author.user.clone(),
            registered_at: now,
            events: vec![CaseEvent {
                id: new_id(now),
                at: now,
                author,
                step: CaseStep::Register,
            }],
        };
        c.validate()?;
        check(self.user(), Kind::Mediation, Action::Create, &place)?;
        let wants_private = !new.parties.is_empty() || !new.facts.trim().is_empty();
        let private_place = Target::grid(grid);
        let may_private = check(
            self.user(),
            Kind::MediationPrivate,
            Action::Create,
            &private_place,
        );
        if wants_private && may_private.is_err() {
            return Err(Invalid::new(
                "parties",
                gridline_model::Text::new(
                    format!(
                        "{}不能登记当事人和纠纷事实（保密信息）",
                        self.user().role.zh()
                    ),
                    format!(
                        "a {} does not record the parties or the facts (they are private)",
                        self.user().role.key()
                    ),
                ),
                text!(
                    "去掉当事人和纠纷事实再上报，由社区或街道工作人员受理时登记",
                    "report without them: community or street staff record them when they accept the case"
                ),
            )
            .into());
        }
        let mut p = MediationPrivate::new(&c);
        p.parties = parties(&new.parties)?;
        p.facts = new.facts.trim().to_owned();
        p.validate()?;
        let mut doc = self.new_doc();
        mediation::create(&mut doc, &c)?;
        let mut docs = vec![(doc, Record::Mediation(c))];
        // Staff who keep the private part get one with every case, so a
        // session's record or the terms have a document to go into.
        if may_private.is_ok() {
            let mut pdoc = self.new_doc();
            mediation::create_private(&mut pdoc, &p, now)?;
            docs.push((pdoc, Record::MediationPrivate(p)));
        }
        self.store.save_batch(
            docs.iter_mut().map(|(d, r)| (Saved::of(d, true), &*r)),
            Origin::Local,
            now,
        )?;
        Ok(Created {
            id,
            already_saved: false,
        })
    }

    /// Takes one step; a session's record or an agreement's terms go into
    /// the private part in the same save. Refused before anything is
    /// written when the role, scope or state does not allow it.
    pub fn act_on_case(
        &mut self,
        id: &str,
        step: CaseStep,
        note: &PrivateNote,
        now: Instant,
    ) -> Result<CaseState> {
        step.validate()?;
        let id = parse_id(id, "case")?;
        let mut doc = self.load_kind(id, Kind::Mediation, "调解案件")?;
        let mut c = mediation::read(&doc)?;
        check(self.user(), Kind::Mediation, Action::Step, &case_target(&c))?;
        let author = self.user().author();
        let at = crate::next_at(c.events.iter().map(|e| e.at), now);
        // The street's months to conclude decide whether an extension still
        // comes before the deadline.
        let limits = self.store.street_limits()?;
        c.state_with(&limits)
            .would_accept(&author, &step, at)
            .map_err(Error::StepRefused)?;
        let event_id = new_id(at);
        let session = match &step {
            CaseStep::Session { held_on }
                if !note.participants.trim().is_empty() || !note.notes.trim().is_empty() =>
            {
                Some(SessionRecord {
                    event: event_id,
                    held_on: *held_on,
                    participants: note.participants.trim().to_owned(),
                    notes: note.notes.trim().to_owned(),
                })
            }
            _ => None,
        };
        let terms = matches!(step, CaseStep::Agree { .. }) && !note.terms.trim().is_empty();
        let mut private_doc = None;
        if session.is_some() || terms {
            let place = Target::grid(c.grid.clone());
            check(self.user(), Kind::MediationPrivate, Action::Edit, &place)?;
            let (mut pdoc, mut p) = self.case_private_doc(&c, now)?;
            p.sessions.extend(session);
            if terms {
                p.agreement = note.terms.trim().to_owned();
            }
            p.validate()?;
            mediation::update_private(&mut pdoc, &p, at)?;
            private_doc = Some((pdoc, p));
        }
        let e = CaseEvent {
            id: event_id,
            at,
            author,
            step,
        };
        mediation::push_event(&mut doc, &e)?;
        c.events.push(e);
        let state = c.state_with(&limits);
        let mut docs = vec![(doc, Record::Mediation(c))];
        if let Some((pdoc, p)) = private_doc {
            docs.push((pdoc, Record::MediationPrivate(p)));
        }
        self.store.save_batch(
            docs.iter_mut().map(|(d, r)| (Saved::of(d, true), &*r)),
            Origin::Local,
            now,
        )?;
        Ok(state)
    }

    /// Sets the parties and the facts of a case (its private part).
    pub fn set_case_parties(
        &mut self,
        id: &str,
        parties_in: &[NewParty],
        facts: Option<&str>,
        now: Instant,
    ) -> Result<()> {
        let id = parse_id(id, "case")?;
        let doc = self.load_kind(id, Kind::Mediation, "调解案件")?;
        let c = mediation::read(&doc)?;
        check(self.user(), Kind::Mediation, Action::Read, &case_target(&c))?;
        check(
            self.user(),
            Kind::MediationPrivate,
            Action::Edit,
            &Target::grid(c.grid.clone()),
        )?;
        let (mut pdoc, mut p) = self.case_private_doc(&c, now)?;
        if !parties_in.is_empty() {
            p.parties = parties(parties_in)?;
        }
        if let Some(f) = facts {
            p.facts = f.trim().to_owned();
        }
        p.validate()?;
        mediation::update_private(&mut pdoc, &p, now)?;
        self.store
            .save(&mut pdoc, &Record::MediationPrivate(p), Origin::Local, now)?;
        Ok(())
    }

    /// The private part of `c` held here, or a new one (not yet saved).
    fn case_private_doc(
        &self,
        c: &MediationCase,
        now: Instant,
    ) -> Result<(automerge::AutoCommit, MediationPrivate)> {
        let pid = mediation::private_doc_id(c.id);
        match self.store.load(pid)? {
            Some((_, bytes)) => {
                let d = gridline_records::load(&bytes, &self.identity.actor)?;
                let p = mediation::read_private(&d)?;
                Ok((d, p))
            }
            None => {
                let p = MediationPrivate::new(c);
                let mut d = self.new_doc();
                mediation::create_private(&mut d, &p, now)?;
                Ok((d, p))
            }
        }
    }

    /// One case, with its private part where this role reads it.
    pub fn case(&self, id: &str, now: Instant) -> Result<CaseView> {
        let id = parse_id(id, "case")?;
        let doc = self.load_kind(id, Kind::Mediation, "调解案件")?;
        let c = mediation::read(&doc)?;
        check(self.user(), Kind::Mediation, Action::Read, &case_target(&c))?;
        let state = c.state_with(&self.store.street_limits()?);
        let private = if check(
            self.user(),
            Kind::MediationPrivate,
            Action::Read,
            &Target::grid(c.grid.clone()),
        )
        .is_ok()
        {
            match self.store.load(mediation::private_doc_id(c.id))? {
                Some((_, bytes)) => Some(mediation::read_private(&gridline_records::load(
                    &bytes,
                    &self.identity.actor,
                )?)?),
                None => None,
            }
        } else {
            None
        };
        let offered = self.offered_case_steps(&c, &state, now);
        Ok(CaseView {
            overdue: state.is_overdue(now),
            sync_state: self.store.sync_state(id)?.unwrap_or(SyncState::Local),
            offered,
            private,
            state,
            case: c,
        })
    }

    /// Cases this user may read: newest first, or overdue first.
    pub fn cases(&self, filter: &CaseFilter, now: Instant) -> Result<Vec<CaseSummary>> {
        let rows = self.store.mediations(&StoreFilter {
            stage: filter.stage,
            grid: filter.grid.clone(),
            household: filter.household,
            from_issue: filter.from_issue,
            limit: filter.limit.filter(|_| !filter.overdue_first),
        })?;
        let mut out: Vec<CaseSummary> = rows
            .into_iter()
            .map(|r| CaseSummary {
                overdue: overdue(r.stage, r.deadline, now),
                id: r.id,
                grid: r.grid,
                case_type: r.case_type,
                stage: r.stage,
                warning: r.warning,
                kind: r.kind,
                reporter: r.reporter,
                registered_at: r.registered_at,
                deadline: r.deadline,
                households: r.households,
                from_issue: r.from_issue,
                refused_events: r.refused_events,
                summary: r.summary,
                sync_state: r.sync_state,
            })
            .filter(|c| check(self.user(), Kind::Mediation, Action::Read, &c.target()).is_ok())
            .collect();
        if filter.overdue_first {
            // Stable: newest first within each group.
            out.sort_by_key(|c| !c.overdue);
        }
        if let Some(n) = filter.limit {
            out.truncate(n);
        }
        Ok(out)
    }

    /// The mediation figures (DESIGN §8) over every case this device holds,
    /// for the dashboard of community and street staff.
    pub fn mediation_figures(&self, now: Instant) -> Result<MediationFigures> {
        check_dashboard(self.user())?;
        Ok(MediationFigures::of_facts(
            self.store.mediation_facts()?,
            now,
        ))
    }

    /// The cases that need this user now (Today), each with why: for staff,
    /// a case waiting to be accepted, one past its deadline, and an
    /// agreement past its performance deadline not yet followed up; for a
    /// grid worker, those follow-up visits in its grids. Most urgent first.
    pub fn cases_needing_me(
        &self,
        now: Instant,
    ) -> Result<Vec<(CaseSummary, gridline_model::Text)>> {
        use gridline_model::Role;
        let staff = matches!(self.user().role, Role::CommunityStaff | Role::StreetStaff);
        let worker = self.user().role == Role::GridWorker;
        if !staff && !worker {
            return Ok(Vec::new());
        }
        let limits = self.store.street_limits()?;
        let mut out = Vec::new();
        for c in self.cases(&CaseFilter::default(), now)? {
            if check(self.user(), Kind::Mediation, Action::Step, &c.target()).is_err() {
                continue;
            }
            let why = match c.stage {
                Some(CaseStage::Registered) if staff => {
                    Some((1, text!("待受理", "waiting to be accepted")))
                }
                Some(CaseStage::Accepted | CaseStage::Mediating) if staff && c.overdue => {
                    Some((0, text!("超过办结期限", "past its deadline")))
                }
                Some(CaseStage::Agreed | CaseStage::Performing) => {
                    // Only these few cases are folded, for their performance deadline.
                    let doc = self.load_kind(c.id, Kind::Mediation, "调解案件")?;
                    let state = mediation::read(&doc)?.state_with(&limits);
                    state.follow_up_due(now).then(|| {
                        (
                            2,
                            text!(
                                "履行期限已过，待回访",
                                "performance due: make the follow-up visit"
                            ),
                        )
                    })
                }
                _ => None,
            };
            if let Some((rank, why)) = why {
                out.push((rank, c, why));
            }
        }
        out.sort_by_key(|(rank, c, _)| (*rank, c.registered_at));
        Ok(out.into_iter().map(|(_, c, why)| (c, why)).collect())
    }

    /// The steps the rules would accept from this user now.
    fn offered_case_steps(
        &self,
        c: &MediationCase,
        state: &CaseState,
        now: Instant,
    ) -> Vec<&'static str> {
        if check(self.user(), Kind::Mediation, Action::Step, &case_target(c)).is_err() {
            return Vec::new();
        }
        let author = self.user().author();
        let at = crate::next_at(c.events.iter().map(|e| e.at), now);
        let x = || "x".to_owned();
        let probe = [
            CaseStep::Accept { mediator: x() },
            CaseStep::Decline { reason: x() },
            CaseStep::Session { held_on: at },
            CaseStep::Agree {
                form: AgreementForm::Written,
                perform_by: at,
            },
            CaseStep::Fail {
                referral: Referral::Litigation,
                note: String::new(),
            },
            CaseStep::Transfer {
                to: if state.kind == MediationKind::People {
                    MediationKind::Administrative
                } else {
                    MediationKind::People
                },
                reason: x(),
            },
            CaseStep::Extend {
                days: 1,
                reason: x(),
                consent: true,
            },
            CaseStep::Perform {
                note: String::new(),
            },
            CaseStep::FollowUp {
                performance: Performance::Fully,
                satisfaction: Satisfaction::Satisfied,
                risk: String::new(),
            },
            CaseStep::ApplyConfirmation { court: x() },
            CaseStep::CourtAccept { case_number: x() },
            CaseStep::CourtRule { confirmed: true },
            CaseStep::Close {
                note: String::new(),
            },
        ];
        probe
            .into_iter()
            .filter(|s| state.would_accept(&author, s, at).is_ok())
            .map(|s| s.key())
            .collect()
    }
}

/// A case step as a form sends it: the model's step key
/// ([`CaseStep::key`]) and the fields that step uses, as
/// [`gridline_model::limits::MEDIATION_STEP_FIELDS`] names them. The CLI
/// parses its own flags; the app sends this.
#[derive(Debug, Clone, Default)]
pub struct CaseAction {
    pub step: String,
    pub mediator: Option<String>,
    pub reason: Option<String>,
    /// When a session was held: RFC 3339, or `YYYY-MM-DD [HH:MM]` Beijing time.
    pub held_on: Option<String>,
    /// written or oral ([`AgreementForm`]).
    pub form: Option<String>,
    /// The performance deadline: RFC 3339, or a date (to 23:59 that day, Beijing time).
    pub perform_by: Option<String>,
    /// litigation, arbitration or agency ([`Referral`]).
    pub referral: Option<String>,
    pub note: Option<String>,
    /// The mediation to transfer to ([`MediationKind`]).
    pub to: Option<String>,
    pub days: Option<u32>,
    pub consent: Option<bool>,
    /// fully, partly or not ([`Performance`]).
    pub performance: Option<String>,
    /// satisfied, basic or unsatisfied ([`Satisfaction`]).
    pub satisfaction: Option<String>,
    pub risk: Option<String>,
    pub court: Option<String>,
    pub case_number: Option<String>,
    pub confirmed: Option<bool>,
}

/// The case steps a user takes, by [`CaseStep::key`]: every step of
/// [`gridline_model::limits::MEDIATION_STEP_FIELDS`] (registering is the
/// report itself).
pub fn user_case_steps() -> Vec<&'static str> {
    gridline_model::limits::MEDIATION_STEP_FIELDS
        .iter()
        .map(|(k, _)| *k)
        .collect()
}

/// Builds the case step a form asked for, named by the model's key. A
/// missing choice, date or number is an error naming the field; the texts
/// are checked by [`CaseStep::validate`] when the device takes the step.
pub fn case_step(a: &CaseAction) -> Result<CaseStep> {
    let key = a.step.trim();
    let fields = gridline_model::limits::mediation_step_fields(key);
    let missing = |field: &str| -> Error {
        let (zh, en) = fields
            .iter()
            .find(|f| f.name == field)
            .map_or((field, field), |f| (f.zh, f.en));
        Invalid::new(
            field,
            text!("请填写{zh}", "{en} is missing"),
            text!("填写{zh}后再提交", "give {en}"),
        )
        .into()
    };
    let text = |v: &Option<String>| v.as_deref().unwrap_or("").trim().to_owned();
    // A choice from a vocabulary, named by the form's field.
    fn choice<T>(
        v: &Option<String>,
        field: &str,
        parse: fn(&str) -> std::result::Result<T, Invalid>,
        missing: &dyn Fn(&str) -> Error,
    ) -> Result<T> {
        match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Err(missing(field)),
            Some(s) => parse(s).map_err(|mut e| {
                e.field = field.to_owned();
                e.into()
            }),
        }
    }
    let when = |v: &Option<String>, field: &str, end_of_day: bool| -> Result<Instant> {
        let s = text(v);
        if s.is_empty() {
            return Err(missing(field));
        }
        let bare_date = chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d").is_ok();
        let t = crate::parse_when(&s).map_err(|e| match e {
            Error::Invalid(mut i) => {
                i.field = field.to_owned();
                Error::Invalid(i)
            }
            other => other,
        })?;
        // A bare date for a deadline means the whole of that day.
        Ok(if end_of_day && bare_date {
            t + chrono::Duration::hours(14) + chrono::Duration::minutes(59)
        } else {
            t
        })
    };
    Ok(match key {
        "accept" => CaseStep::Accept {
            mediator: text(&a.mediator),
        },
        "decline" => CaseStep::Decline {
            reason: text(&a.reason),
        },
        "session" => CaseStep::Session {
            held_on: when(&a.held_on, "held_on", false)?,
        },
        "agree" => CaseStep::Agree {
            form: choice(&a.form, "form", AgreementForm::parse, &missing)?,
            perform_by: when(&a.perform_by, "perform_by", true)?,
        },
        "fail" => CaseStep::Fail {
            referral: choice(&a.referral, "referral", Referral::parse, &missing)?,
            note: text(&a.note),
        },
        "transfer" => CaseStep::Transfer {
            to: choice(&a.to, "to", MediationKind::parse, &missing)?,
            reason: text(&a.reason),
        },
        "extend" => CaseStep::Extend {
            days: a.days.ok_or_else(|| missing("days"))?,
            reason: text(&a.reason),
            consent: a.consent.ok_or_else(|| missing("consent"))?,
        },
        "perform" => CaseStep::Perform {
            note: text(&a.note),
        },
        "follow-up" => CaseStep::FollowUp {
            performance: choice(&a.performance, "performance", Performance::parse, &missing)?,
            satisfaction: choice(
                &a.satisfaction,
                "satisfaction",
                Satisfaction::parse,
                &missing,
            )?,
            risk: text(&a.risk),
        },
        "apply-confirmation" => CaseStep::ApplyConfirmation {
            court: text(&a.court),
        },
        "court-accept" => CaseStep::CourtAccept {
            case_number: text(&a.case_number),
        },
        "court-rule" => CaseStep::CourtRule {
            confirmed: a.confirmed.ok_or_else(|| missing("confirmed"))?,
        },
        "close" => CaseStep::Close {
            note: text(&a.note),
        },
        other => {
            let steps = user_case_steps();
            return Err(Invalid::new(
                "step",
                text!("未知的操作 \"{other}\"", "unknown step \"{other}\""),
                gridline_model::Text::new(
                    format!("可用：{}", steps.join("、")),
                    format!("use one of {}", steps.join(", ")),
                ),
            )
            .into());
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled(step: &str) -> CaseAction {
        let t = |s: &str| Some(s.to_owned());
        CaseAction {
            step: step.into(),
            mediator: t("王调解"),
            reason: t("理由"),
            held_on: t("2026-03-02 10:00"),
            form: t("written"),
            perform_by: t("2026-04-01"),
            referral: t("诉讼"),
            note: t("说明"),
            to: t("administrative"),
            days: Some(10),
            consent: Some(true),
            performance: t("fully"),
            satisfaction: t("满意"),
            risk: t("无"),
            court: t("凯里市人民法院"),
            case_number: t("（2026）黔2601民特调确字第12号"),
            confirmed: Some(true),
        }
    }

    /// `a` with `field` left out, as a form that skipped it sends it.
    fn without(mut a: CaseAction, field: &str) -> CaseAction {
        match field {
            "mediator" => a.mediator = None,
            "reason" => a.reason = Some(" ".into()),
            "held_on" => a.held_on = None,
            "form" => a.form = None,
            "perform_by" => a.perform_by = None,
            "referral" => a.referral = None,
            "note" => a.note = None,
            "to" => a.to = None,
            "days" => a.days = None,
            "consent" => a.consent = None,
            "performance" => a.performance = None,
            "satisfaction" => a.satisfaction = None,
            "risk" => a.risk = None,
            "court" => a.court = None,
            "case_number" => a.case_number = None,
            "confirmed" => a.confirmed = None,
            other => panic!("the table names a field a form cannot send: {other}"),
        }
        a
    }

    #[test]
    fn every_step_key_builds_the_model_s_step_and_needs_exactly_its_required_fields() {
        for (key, fields) in gridline_model::limits::MEDIATION_STEP_FIELDS {
            let refused = |a: &CaseAction| case_step(a).and_then(|s| Ok(s.validate()?)).err();
            let full = case_step(&filled(key)).unwrap();
            assert_eq!(full.key(), *key, "the form's key is the model's key");
            assert!(
                refused(&filled(key)).is_none(),
                "{key} filled in is accepted"
            );
            for f in *fields {
                let e = refused(&without(filled(key), f.name));
                assert_eq!(
                    e.is_some(),
                    f.required,
                    "{key} without {}: refused iff the table says required ({e:?})",
                    f.name
                );
                if let Some(Error::Invalid(i)) = e {
                    assert_eq!(i.field, f.name, "the error names the form's field");
                }
            }
        }
    }

    #[test]
    fn a_bare_performance_date_runs_to_the_end_of_that_day_in_beijing() {
        let step = case_step(&filled("agree")).unwrap();
        let CaseStep::Agree { perform_by, .. } = step else {
            panic!("{step:?}")
        };
        assert_eq!(
            perform_by,
            "2026-04-01T15:59:00Z".parse::<Instant>().unwrap(),
            "23:59 on 1 April, UTC+8"
        );
        let exact = CaseAction {
            perform_by: Some("2026-04-01T08:00:00Z".into()),
            ..filled("agree")
        };
        let CaseStep::Agree { perform_by, .. } = case_step(&exact).unwrap() else {
            unreachable!()
        };
        assert_eq!(
            perform_by,
            "2026-04-01T08:00:00Z".parse::<Instant>().unwrap()
        );
    }

    #[test]
    fn a_bad_choice_or_an_unknown_step_names_what_to_use() {
        let e = case_step(&CaseAction {
            to: Some("radio".into()),
            ..filled("transfer")
        })
        .unwrap_err();
        let Error::Invalid(i) = e else {
            panic!("{e:?}")
        };
        assert_eq!(i.field, "to");
        assert!(i.fix.en.contains("administrative"), "{:?}", i.fix);
        let e = case_step(&filled("register")).unwrap_err();
        assert_eq!(
            e.code(),
            "invalid",
            "registering is the report, not a step: {e}"
        );
        let e = case_step(&filled("follow_up")).unwrap_err();
        assert_eq!(e.code(), "invalid", "one spelling per step: {e}");
    }
}
