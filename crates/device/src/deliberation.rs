//! Residents' deliberation (居民议事): propose a topic, take its steps from
//! acceptance to closing, list and show topics, and count the figures.
//!
//! Every action asks `model::permission` (role and scope) and, for a step,
//! the fold (`TopicState::would_accept`) before anything is written, so a
//! refused step leaves the topic exactly as it was.

use gridline_model::deliberation::{
    task_overdue, Attendance, DeliberationFigures, MeetingType, MemberType, Proposer, TopicStage,
};
use gridline_model::permission::{check, check_dashboard, Action, Kind, Target};
use gridline_model::{
    text, GridId, Instant, Invalid, RecordId, Role, Scope, Topic, TopicEvent, TopicState, TopicStep,
};
use gridline_records::{deliberation, Record};
use gridline_store::{DeliberationFilter as StoreFilter, Origin, SyncState};

use crate::{new_id, next_at, parse_id, Created, Device, Error, NewId, Result};

/// A topic as proposed. `title`, `description` and `proposer_name` are
/// needed; the place comes from `household`, `grid`, or a scope of one grid.
#[derive(Debug, Clone, Default)]
pub struct NewTopic {
    /// The proposer's grid. May be left out when `household` says it, or
    /// when the user's scope is one grid.
    pub grid: Option<String>,
    /// The household of the resident proposing, when a resident does. A
    /// joint-household leader names one of its linked households: that is
    /// how its proposal lies in its scope.
    pub household: Option<String>,
    pub title: String,
    pub description: String,
    /// A [`Proposer`] key or Chinese name; `resident` (居民) by default.
    pub proposer: Option<String>,
    /// The resident or body as written on the proposal.
    pub proposer_name: String,
}

/// A topic as lists show it.
#[derive(Debug, Clone, PartialEq)]
pub struct TopicSummary {
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
    /// Tasks not yet done.
    pub open_tasks: usize,
    /// Open tasks past their due date as of the list's `now`
    /// ([`gridline_model::deliberation::task_overdue`]).
    pub overdue_tasks: usize,
    pub refused_events: u32,
    pub sync_state: SyncState,
}

impl TopicSummary {
    pub fn target(&self) -> Target {
        Target {
            household: self.household,
            reporter: Some(self.submitted_by.clone()),
            ..Target::grid(self.grid.clone())
        }
    }
}

/// Which topics a list shows.
#[derive(Debug, Clone, Default)]
pub struct TopicFilter {
    pub stage: Option<TopicStage>,
    pub grid: Option<GridId>,
    /// Topics with an overdue task first (then newest first).
    pub overdue_first: bool,
    pub limit: Option<usize>,
}

/// One topic with its fold.
#[derive(Debug, Clone)]
pub struct TopicView {
    pub topic: Topic,
    pub state: TopicState,
    /// Open tasks past their due date as of `now`.
    pub overdue_tasks: usize,
    pub sync_state: SyncState,
    /// Step keys the rules would accept from this user now.
    pub offered: Vec<&'static str>,
}

fn topic_target(t: &Topic) -> Target {
    Target {
        household: t.household,
        reporter: Some(t.submitted_by.clone()),
        ..Target::grid(t.grid.clone())
    }
}

impl Device {
    /// Proposes a topic (提出议题). Under the caller's id (a UUID v7) a
    /// retried save is the same topic, not a second one.
    pub fn propose_with_id(
        &mut self,
        new: &NewTopic,
        id: Option<&str>,
        now: Instant,
    ) -> Result<Created> {
        let household = new
            .household
            .as_deref()
            .filter(|h| !h.trim().is_empty())
            .map(|h| parse_id(h, "household"))
            .transpose()?;
        let given = new
            .grid
            .as_deref()
            .filter(|g| !g.trim().is_empty())
            .map(GridId::parse)
            .transpose()?;
        let grid = match (given, household) {
            (given, Some(h)) => {
                let grid = self.household_target(h)?.grid;
                if given.is_some_and(|g| g != grid) {
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
                grid
            }
            (Some(g), None) => g,
            (None, None) => match &self.user().scope {
                Scope::Grids(gs) if gs.len() == 1 => gs[0].clone(),
                _ => return Err(no_place(self.user().role).into()),
            },
        };
        if self.user().role == Role::JointLeader && household.is_none() {
            return Err(no_place(Role::JointLeader).into());
        }
        let place = Target {
            household,
            reporter: Some(self.user().id.clone()),
            ..Target::grid(grid.clone())
        };
        check(self.user(), Kind::Deliberation, Action::Create, &place)?;
        let id = match self.new_record_id(id, Kind::Deliberation, &grid, household, now)? {
            NewId::Use(id) => id,
            NewId::AlreadySaved(id) => {
                return Ok(Created {
                    id,
                    already_saved: true,
                })
            }
        };
        let proposer = match new.proposer.as_deref().filter(|p| !p.trim().is_empty()) {
            Some(p) => Proposer::parse(p)?,
            None => Proposer::Resident,
        };
        let at = next_at(std::iter::empty(), now);
        let author = self.user().author();
        let t = Topic {
            id,
            grid,
            household,
            title: new.title.trim().to_owned(),
            description: new.description.trim().to_owned(),
            proposer,
            proposer_name: new.proposer_name.trim().to_owned(),
            submitted_by: author.user.clone(),
            proposed_at: at,
            events: vec![TopicEvent {
                id: new_id(at),
                at,
                author: author.clone(),
                step: TopicStep::Propose,
            }],
        };
        t.validate()?;
        // The fold has the last word on who proposes (street staff do not).
        TopicState::fold(&[], t.grid.community().as_str())
            .would_accept(&author, &TopicStep::Propose)
            .map_err(Error::StepRefused)?;
        let mut doc = self.new_doc();
        deliberation::create(&mut doc, &t)?;
        self.store
            .save(&mut doc, &Record::Deliberation(t), Origin::Local, now)?;
        Ok(Created {
            id,
            already_saved: false,
        })
    }

    /// Takes one step on a topic. A `Task` step carries its task's id,
    /// minted by the caller (`new_id(now)`), so `task-done` can name it.
    /// Refused before anything is written when the role, scope or state does
    /// not allow it: a short quorum, a tally larger than the attendance, a
    /// notice posted too late, feedback with a task open …
    pub fn act_on_topic(&mut self, id: &str, step: TopicStep, now: Instant) -> Result<TopicState> {
        step.validate()?;
        let id = parse_id(id, "topic")?;
        let mut doc = self.load_kind(id, Kind::Deliberation, "议题")?;
        let mut t = deliberation::read(&doc)?;
        check(
            self.user(),
            Kind::Deliberation,
            Action::Step,
            &topic_target(&t),
        )?;
        let author = self.user().author();
        t.state()
            .would_accept(&author, &step)
            .map_err(Error::StepRefused)?;
        let at = next_at(t.events.iter().map(|e| e.at), now);
        let e = TopicEvent {
            id: new_id(at),
            at,
            author,
            step,
        };
        deliberation::push_event(&mut doc, &e)?;
        t.events.push(e);
        let state = t.state();
        self.store
            .save(&mut doc, &Record::Deliberation(t), Origin::Local, now)?;
        Ok(state)
    }

    /// One topic with its fold and the steps this user may take now.
    pub fn topic(&self, id: &str, now: Instant) -> Result<TopicView> {
        let id = parse_id(id, "topic")?;
        let doc = self.load_kind(id, Kind::Deliberation, "议题")?;
        let t = deliberation::read(&doc)?;
        check(
            self.user(),
            Kind::Deliberation,
            Action::Read,
            &topic_target(&t),
        )?;
        let state = t.state();
        let offered = self.offered_topic_steps(&t, &state, now);
        Ok(TopicView {
            overdue_tasks: state.overdue_tasks(now),
            sync_state: self.store.sync_state(id)?.unwrap_or(SyncState::Local),
            offered,
            state,
            topic: t,
        })
    }

    /// Topics this user may read: newest first, or those with an overdue
    /// task first.
    pub fn topics(&self, filter: &TopicFilter, now: Instant) -> Result<Vec<TopicSummary>> {
        let rows = self.store.deliberations(&StoreFilter {
            stage: filter.stage,
            grid: filter.grid.clone(),
            limit: filter.limit.filter(|_| !filter.overdue_first),
        })?;
        let mut out: Vec<TopicSummary> = rows
            .into_iter()
            .map(|r| TopicSummary {
                open_tasks: r.open_task_dues.len(),
                overdue_tasks: r
                    .open_task_dues
                    .iter()
                    .filter(|due| task_overdue(**due, now))
                    .count(),
                id: r.id,
                grid: r.grid,
                household: r.household,
                title: r.title,
                proposer: r.proposer,
                proposer_name: r.proposer_name,
                submitted_by: r.submitted_by,
                stage: r.stage,
                proposed_at: r.proposed_at,
                resolved_at: r.resolved_at,
                tasks: r.tasks,
                refused_events: r.refused_events,
                sync_state: r.sync_state,
            })
            .filter(|t| check(self.user(), Kind::Deliberation, Action::Read, &t.target()).is_ok())
            .collect();
        if filter.overdue_first {
            // Stable: newest first within each group.
            out.sort_by_key(|t| t.overdue_tasks == 0);
        }
        if let Some(n) = filter.limit {
            out.truncate(n);
        }
        Ok(out)
    }

    /// The deliberation figures (DESIGN §8) over every topic this device
    /// holds, for the dashboard of community and street staff.
    pub fn deliberation_figures(&self, now: Instant) -> Result<DeliberationFigures> {
        check_dashboard(self.user())?;
        Ok(DeliberationFigures::of_facts(
            self.store.deliberation_facts()?,
            now,
        ))
    }

    /// The steps the rules would accept from this user now, each probed
    /// with plausible contents (a quorate meeting, a task due after the
    /// resolution, the first open task done).
    fn offered_topic_steps(
        &self,
        t: &Topic,
        state: &TopicState,
        now: Instant,
    ) -> Vec<&'static str> {
        if check(
            self.user(),
            Kind::Deliberation,
            Action::Step,
            &topic_target(t),
        )
        .is_err()
        {
            return Vec::new();
        }
        let author = self.user().author();
        let x = || "x".to_owned();
        let held_on = state.meeting.as_ref().map_or(now, |m| m.held_on);
        let mut probe = vec![
            TopicStep::Accept,
            TopicStep::Decline { reason: x() },
            TopicStep::Meeting {
                held_on: now,
                place: x(),
                notice_posted: now
                    - chrono::Duration::hours(gridline_model::deliberation::MIN_NOTICE_HOURS),
                meeting_type: MeetingType::Ordinary,
                attendance: vec![Attendance {
                    member: MemberType::ResidentRepresentatives,
                    expected: 1,
                    present: 1,
                }],
            },
            TopicStep::Resolve {
                text: x(),
                votes_for: 0,
                against: 0,
                abstain: 0,
                posted_on: held_on,
            },
            TopicStep::Task {
                task: RecordId::max(),
                owner: x(),
                due: state.resolved_at.unwrap_or(now) + chrono::Duration::days(1),
                what: x(),
            },
        ];
        if let Some(open) = state.tasks.iter().find(|t| t.done_at.is_none()) {
            probe.push(TopicStep::TaskDone {
                task: open.id,
                note: x(),
            });
        }
        probe.push(TopicStep::Feedback { note: x() });
        probe.push(TopicStep::Close);
        probe
            .into_iter()
            .filter(|s| state.would_accept(&author, s).is_ok())
            .map(|s| s.key())
            .collect()
    }
}

/// What to say when a proposal has no place: a leader names the household,
/// anyone else the grid.
fn no_place(role: Role) -> Invalid {
    if role == Role::JointLeader {
        return Invalid::new(
            "household",
            text!(
                "联户长提出议题须写明提议居民所在的户",
                "a joint-household leader's topic names the proposing resident's household"
            ),
            text!(
                "用 --household 指明你联系的户",
                "name one of your linked households with --household"
            ),
        );
    }
    Invalid::new(
        "grid",
        text!("未指定网格或户", "no grid or household given"),
        text!(
            "请用 --grid 或 --household 指明议题所在",
            "say where the topic is with --grid or --household"
        ),
    )
}
