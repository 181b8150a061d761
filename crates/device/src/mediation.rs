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
        if wants_private {
            may_private.clone()?;
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
        c.state()
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
        let state = c.state();
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
        let state = c.state();
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
