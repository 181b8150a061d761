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

/// One member type's attendance as a form sends it: a [`MemberType`] key
/// or Chinese name, with how many were expected and how many came.
#[derive(Debug, Clone, Default)]
pub struct AttendanceInput {
    pub member: String,
    pub expected: u32,
    pub present: u32,
}

/// A topic step as a form sends it: the step key and the fields
/// [`gridline_model::limits::DELIBERATION_STEP_FIELDS`] names. The CLI
/// parses its own flags; the app sends this.
#[derive(Debug, Clone, Default)]
pub struct TopicAction {
    pub step: String,
    pub reason: Option<String>,
    /// When the meeting was held: RFC 3339, or `YYYY-MM-DD [HH:MM]` Beijing time.
    pub held_on: Option<String>,
    pub place: Option<String>,
    /// When the meeting's notice went up on the notice board.
    pub notice_posted: Option<String>,
    /// ordinary (议事会) or tripartite (三方共议) ([`MeetingType`]).
    pub meeting_type: Option<String>,
    pub attendance: Vec<AttendanceInput>,
    pub text: Option<String>,
    pub votes_for: Option<u32>,
    pub against: Option<u32>,
    pub abstain: Option<u32>,
    /// When the resolution went up on the notice board.
    pub posted_on: Option<String>,
    pub owner: Option<String>,
    /// A task's due date: RFC 3339, or a date (to 23:59 that day, Beijing time).
    pub due: Option<String>,
    pub what: Option<String>,
    /// The task a `task-done` step names.
    pub task: Option<String>,
    pub note: Option<String>,
}

/// The topic steps a user takes, by [`TopicStep::key`]: every step of
/// [`gridline_model::limits::DELIBERATION_STEP_FIELDS`] (proposing is the
/// topic itself).
pub fn user_topic_steps() -> Vec<&'static str> {
    gridline_model::limits::DELIBERATION_STEP_FIELDS
        .iter()
        .map(|(k, _)| *k)
        .collect()
}

/// Builds the topic step a form asked for, named by the model's key, as of
/// `now` (a new task's id is minted from it). A missing choice, date or
/// count is an error naming the field; the texts are checked by
/// [`TopicStep::validate`] and the rules (notice, quorum, tally) by the fold
/// when the device takes the step.
pub fn topic_step(a: &TopicAction, now: Instant) -> Result<TopicStep> {
    let key = a.step.trim();
    let fields = gridline_model::limits::deliberation_step_fields(key);
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
        // A bare date for a due date means the whole of that day.
        Ok(if end_of_day && bare_date {
            t + chrono::Duration::hours(14) + chrono::Duration::minutes(59)
        } else {
            t
        })
    };
    let count = |v: Option<u32>, field: &str| v.ok_or_else(|| missing(field));
    Ok(match key {
        "accept" => TopicStep::Accept,
        "decline" => TopicStep::Decline {
            reason: text(&a.reason),
        },
        "meeting" => {
            let meeting_type = match a.meeting_type.as_deref().map(str::trim) {
                None | Some("") => return Err(missing("meeting_type")),
                Some(s) => MeetingType::parse(s)?,
            };
            if a.attendance.is_empty() {
                return Err(missing("attendance"));
            }
            let attendance = a
                .attendance
                .iter()
                .map(|x| {
                    Ok(Attendance {
                        member: MemberType::parse(&x.member).map_err(|mut e| {
                            e.field = "attendance".to_owned();
                            e
                        })?,
                        expected: x.expected,
                        present: x.present,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            TopicStep::Meeting {
                held_on: when(&a.held_on, "held_on", false)?,
                place: text(&a.place),
                notice_posted: when(&a.notice_posted, "notice_posted", false)?,
                meeting_type,
                attendance,
            }
        }
        "resolve" => TopicStep::Resolve {
            text: text(&a.text),
            votes_for: count(a.votes_for, "votes_for")?,
            against: count(a.against, "against")?,
            abstain: count(a.abstain, "abstain")?,
            posted_on: match text(&a.posted_on).as_str() {
                "" => now,
                _ => when(&a.posted_on, "posted_on", false)?,
            },
        },
        "task" => TopicStep::Task {
            task: crate::new_id(now),
            owner: text(&a.owner),
            due: when(&a.due, "due", true)?,
            what: text(&a.what),
        },
        "task-done" => {
            let t = text(&a.task);
            if t.is_empty() {
                return Err(missing("task"));
            }
            TopicStep::TaskDone {
                task: parse_id(&t, "task")?,
                note: text(&a.note),
            }
        }
        "feedback" => TopicStep::Feedback {
            note: text(&a.note),
        },
        "close" => TopicStep::Close,
        other => {
            let steps = user_topic_steps();
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

    fn now() -> Instant {
        "2026-03-10T02:00:00Z".parse().expect("a time")
    }

    fn filled(step: &str) -> TopicAction {
        let t = |s: &str| Some(s.to_owned());
        TopicAction {
            step: step.into(),
            reason: t("理由"),
            held_on: t("2026-03-05 19:00"),
            place: t("社区会议室"),
            notice_posted: t("2026-03-02 09:00"),
            meeting_type: t("三方共议"),
            attendance: vec![AttendanceInput {
                member: "业委会".into(),
                expected: 3,
                present: 2,
            }],
            text: t("加装充电桩"),
            votes_for: Some(5),
            against: Some(1),
            abstain: Some(0),
            posted_on: t("2026-03-06"),
            owner: t("物业公司"),
            due: t("2026-04-01"),
            what: t("安装"),
            task: Some(new_id(now()).to_string()),
            note: t("已完成"),
        }
    }

    #[test]
    fn every_step_a_user_takes_is_built_from_its_form_with_the_key_it_was_asked_for() {
        for key in user_topic_steps() {
            let step = topic_step(&filled(key), now())
                .unwrap_or_else(|e| panic!("{key} builds from a filled form: {e}"));
            assert_eq!(step.key(), key, "the step asked for is the step built");
            assert_eq!(step.validate(), Ok(()), "{key}: a filled form is valid");
        }
    }

    #[test]
    fn a_meeting_reads_its_member_types_and_kind_in_either_language() {
        let TopicStep::Meeting {
            meeting_type,
            attendance,
            held_on,
            notice_posted,
            ..
        } = topic_step(&filled("meeting"), now()).expect("a meeting")
        else {
            panic!("a meeting step");
        };
        assert_eq!(
            meeting_type,
            MeetingType::Tripartite,
            "三方共议 by its Chinese name"
        );
        assert_eq!(
            attendance,
            vec![Attendance {
                member: MemberType::OwnersCommittee,
                expected: 3,
                present: 2
            }],
            "attendance keeps expected and present apart"
        );
        assert!(notice_posted < held_on, "times are read in order");
    }

    #[test]
    fn a_missing_field_is_named_and_a_due_date_is_the_end_of_its_day() {
        let mut a = filled("meeting");
        a.attendance.clear();
        let e = topic_step(&a, now()).expect_err("a meeting without attendance");
        assert!(
            matches!(&e, Error::Invalid(i) if i.field == "attendance"),
            "names the attendance: {e}"
        );
        let mut a = filled("meeting");
        a.meeting_type = Some("茶话会".into());
        let e = topic_step(&a, now()).expect_err("an unknown meeting type");
        assert!(
            matches!(&e, Error::Invalid(i) if i.field == "meeting_type"),
            "names the meeting type: {e}"
        );
        let mut a = filled("resolve");
        a.votes_for = None;
        let e = topic_step(&a, now()).expect_err("a vote without its count");
        assert!(
            matches!(&e, Error::Invalid(i) if i.field == "votes_for"),
            "names the votes for: {e}"
        );
        let mut a = filled("resolve");
        a.posted_on = None;
        assert!(
            matches!(topic_step(&a, now()), Ok(TopicStep::Resolve { posted_on, .. }) if posted_on == now()),
            "a resolution posted now when no date is given"
        );
        let Ok(TopicStep::Task { due, .. }) = topic_step(&filled("task"), now()) else {
            panic!("a task step");
        };
        assert_eq!(
            gridline_model::fmt_time(due),
            "2026-04-01T15:59:00.000Z",
            "a bare due date is 23:59 Beijing time that day"
        );
        let e = topic_step(&filled("vote"), now()).expect_err("an unknown step");
        assert!(e.to_string().contains("feedback"), "lists the steps: {e}");
    }
}
