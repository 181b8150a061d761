//! A grid's deliberation topics (居民议事, DESIGN §8), as a community's
//! residents' council handles them: most accepted for deliberation, some
//! declined with a reason; deliberated at an ordinary meeting or, for the
//! property's business, often by the three parties together (三方共议), with
//! the notice posted two to four days ahead and a quorum present; now and
//! then a vote that fails and a second meeting that adopts a revised
//! resolution; most resolutions carried out as one to three tasks, most done
//! on time and a few late; then feedback to residents and closing.
//!
//! Each topic's life is laid out first and then placed in time: most start
//! anywhere in the five years before `now`, so the recent ones are still in
//! their early states and the old ones are closed; whatever would happen
//! after `now` is left off. Topics draw from their own stream, so adding
//! them changed no other record.

use chrono::Duration;
use gridline_model::deliberation::{Attendance, MeetingType, MemberType, Proposer, TopicStage};
use gridline_model::TopicStep;
use gridline_model::{Author, Household, Instant, RecordId, Role, Topic, TopicEvent, TopicState};

use crate::{names, GridGen, DELIBERATIONS_PER_GRID, GROUP_SIZE};

/// One step of a topic's life before it has an id.
type Step = (Instant, Author, TopicStep);

impl GridGen {
    /// The grid's topics, from the topics' own stream (swapped in, so the
    /// helpers draw from it).
    pub(crate) fn topics(&mut self, hs: &[Household]) -> Vec<Topic> {
        std::mem::swap(&mut self.rng, &mut self.topic_rng);
        // Titles without repeats within a grid until the list runs out.
        let mut accepted: Vec<usize> = (0..names::TOPICS.len()).collect();
        let mut declined: Vec<usize> = (0..names::DECLINED_TOPICS.len()).collect();
        let pinned = self.pinned_stage();
        let topics = (0..DELIBERATIONS_PER_GRID)
            .map(|k| {
                let pin = if k == 0 { pinned } else { None };
                self.topic(hs, pin, &mut accepted, &mut declined)
            })
            .collect();
        std::mem::swap(&mut self.rng, &mut self.topic_rng);
        topics
    }

    /// The state that the first topic of this grid is caught in, if any.
    /// Proposed, met, resolved and fed back last days, not months, so a
    /// street's ≈150 topics a year would now and then show none of them in
    /// one; the first grid of each community holds one topic caught in one of
    /// them or implementing with an overdue task (by the community's number),
    /// so a street's demo always shows every state.
    fn pinned_stage(&self) -> Option<TopicStage> {
        use TopicStage::*;
        if self.grid.number() != 1 {
            return None;
        }
        let community: usize = self.grid.community().as_str()[9..].parse().unwrap_or(1);
        let stages = [
            Proposed,
            Met,
            Resolved,
            FedBack,
            Implementing,
            Proposed,
            Met,
            Resolved,
        ];
        Some(stages[(community + stages.len() - 1) % stages.len()])
    }

    /// Draws an index from `pool` and removes it, refilling the pool with
    /// `0..n` when it is empty.
    fn draw(&mut self, pool: &mut Vec<usize>, n: usize) -> usize {
        if pool.is_empty() {
            pool.extend(0..n);
        }
        let k = self.rng.below(pool.len());
        pool.swap_remove(k)
    }

    fn topic(
        &mut self,
        hs: &[Household],
        pin: Option<TopicStage>,
        accepted: &mut Vec<usize>,
        declined: &mut Vec<usize>,
    ) -> Topic {
        // Laid out from a start of `now`, then moved back to where it begins.
        let t0 = self.now;
        let decline = pin.is_none() && self.rng.chance(15);
        let (title, description, example, reason) = if decline {
            let (title, description, reason) =
                names::DECLINED_TOPICS[self.draw(declined, names::DECLINED_TOPICS.len())];
            (title, description, None, reason)
        } else {
            let e = &names::TOPICS[self.draw(accepted, names::TOPICS.len())];
            (e.title, e.description, Some(e), "")
        };
        let tripartite = example.is_some_and(|e| e.tripartite);

        // Who proposes, and who enters it: a resident's topic through the
        // grid worker or their joint-household leader, naming the household;
        // a body's topic at the community office, naming none. What is
        // declined is a resident's own matter; the owners' committee and the
        // property company raise the property's business.
        let compound = hs[0].address.compound.clone();
        let proposer = match self.rng.below(100) {
            _ if decline => Proposer::Resident,
            0..=54 => Proposer::Resident,
            55..=69 => Proposer::PartyBranch,
            70..=84 if tripartite => Proposer::OwnersCommittee,
            70..=84 => Proposer::Resident,
            _ if tripartite => Proposer::PropertyCompany,
            _ => Proposer::PartyBranch,
        };
        let (household, proposer_name, submitter) = if proposer == Proposer::Resident {
            let n = self.rng.below(hs.len());
            let h = &hs[n];
            let name = h.residents[self.rng.below(h.residents.len())].name.clone();
            let submitter = if self.rng.chance(30) {
                Author {
                    user: self.groups[n / GROUP_SIZE].leader.clone(),
                    role: Role::JointLeader,
                    unit: String::new(),
                }
            } else {
                self.worker.clone()
            };
            (Some(h.id), name, submitter)
        } else {
            let name = match proposer {
                Proposer::PartyBranch => format!("{compound}党支部"),
                Proposer::OwnersCommittee => format!("{compound}业主委员会"),
                _ => format!("{compound}物业服务中心"),
            };
            (None, name, self.staff.clone())
        };

        let staff = self.staff.clone();
        let mut steps: Vec<Step> = vec![(t0, submitter.clone(), TopicStep::Propose)];
        // The party organisation reviews topics before the monthly meeting.
        let mut t = t0 + self.hours(2 * 24, 21 * 24);
        // The first task's due date and when it was done, if that was late.
        let mut overdue = None;
        if let Some(e) = example {
            steps.push((t, staff.clone(), TopicStep::Accept));
            // One meeting, or (now and then) a vote that fails and a second
            // meeting on a revised resolution.
            let rounds = if self.rng.chance(6) { 2 } else { 1 };
            let mut resolved = t;
            for round in 1..=rounds {
                let notice_posted = t + self.hours(5 * 24, 35 * 24);
                let held_on = notice_posted + self.hours(50, 4 * 24);
                let meeting_type = if tripartite && self.rng.chance(70) {
                    MeetingType::Tripartite
                } else {
                    MeetingType::Ordinary
                };
                let attendance = self.attendance(meeting_type, tripartite);
                let present: u32 = attendance.iter().map(|a| a.present).sum();
                let place = self.rng.pick(names::MEETING_PLACES).to_string();
                t = held_on + self.hours(2, 30);
                steps.push((
                    t,
                    staff.clone(),
                    TopicStep::Meeting {
                        held_on,
                        place,
                        notice_posted,
                        meeting_type,
                        attendance,
                    },
                ));
                // The resolution is written up, signed and posted on the
                // notice board within days; its step is recorded as posted.
                t += self.hours(20, 8 * 24);
                let adopt = round == rounds;
                let (votes_for, against, abstain) = self.votes(present, adopt);
                let text = if round > 1 {
                    format!("{}（修改后再次表决）", e.resolution)
                } else {
                    e.resolution.to_owned()
                };
                steps.push((
                    t,
                    staff.clone(),
                    TopicStep::Resolve {
                        text,
                        votes_for,
                        against,
                        abstain,
                        posted_on: t,
                    },
                ));
                resolved = t;
            }
            let tasks = match self.rng.below(100) {
                0..=11 if pin.is_none() => 0,
                0..=44 => 1,
                45..=84 => 2,
                _ => 3,
            }
            .min(e.tasks.len());
            let first = self.rng.below(e.tasks.len());
            let mut last_done = resolved;
            t = resolved + self.hours(24, 7 * 24);
            let mut done = Vec::new();
            for k in 0..tasks {
                let roll = if pin == Some(TopicStage::Implementing) && k == 0 {
                    99 // the pinned topic's first task is long overdue
                } else {
                    self.rng.below(100)
                };
                let (owner, what, note) = e.tasks[(first + k) % e.tasks.len()];
                t += Duration::minutes(1 + self.rng.below(90) as i64);
                // A stand-in until the task's time is known ([`GridGen::placed`]).
                let task = RecordId::from_u128(k as u128 + 1);
                let due = t + self.hours(14 * 24, 90 * 24);
                // Most on time; some late; a few long after their due date.
                let finished = match roll {
                    0..=84 => {
                        let span = (due - t).num_minutes();
                        t + Duration::minutes(span * (30 + self.rng.below(68) as i64) / 100)
                    }
                    85..=94 => due + self.hours(3 * 24, 30 * 24),
                    _ => due + self.hours(45 * 24, 150 * 24),
                };
                if k == 0 && finished > due {
                    overdue = Some((due, finished));
                }
                steps.push((
                    t,
                    staff.clone(),
                    TopicStep::Task {
                        task,
                        owner: owner.to_owned(),
                        due,
                        what: what.to_owned(),
                    },
                ));
                done.push((
                    finished,
                    staff.clone(),
                    TopicStep::TaskDone {
                        task,
                        note: note.to_owned(),
                    },
                ));
                last_done = last_done.max(finished);
            }
            steps.extend(done);
            let fed_back = if tasks == 0 {
                resolved + self.hours(5 * 24, 20 * 24)
            } else {
                last_done + self.hours(2 * 24, 10 * 24)
            };
            let note = self.rng.pick(names::FEEDBACK_NOTES).to_string();
            steps.push((fed_back, staff.clone(), TopicStep::Feedback { note }));
            let closed = fed_back + self.hours(3 * 24, 20 * 24);
            steps.push((closed, staff.clone(), TopicStep::Close));
        } else {
            let reason = reason.to_owned();
            steps.push((t, staff.clone(), TopicStep::Decline { reason }));
            // A declined topic is often filed away (closed) later.
            if self.rng.chance(60) {
                steps.push((t + self.hours(24, 20 * 24), staff, TopicStep::Close));
            }
        }
        steps.sort_by_key(|(at, _, _)| *at);

        // Where the topic begins: anywhere in the five years before now, or,
        // when pinned, so that now falls within the pinned state.
        let start = match pin {
            // Implementing, with its first task overdue.
            Some(TopicStage::Implementing) => overdue.map(|(due, finished)| {
                let into = self.fraction(due, finished);
                self.now - (due + into - t0)
            }),
            Some(stage) => self.within(&steps, stage),
            None => None,
        }
        .unwrap_or_else(|| self.past(5 * 365));
        let events = self.placed(steps, start - t0);
        Topic {
            id: self.rng.id(start),
            grid: self.grid.clone(),
            household,
            title: title.to_owned(),
            description: description.to_owned(),
            proposer,
            proposer_name,
            submitted_by: submitter.user,
            proposed_at: start,
            events,
        }
    }

    /// The steps moved by `shift`, as events up to `now`, each task with an
    /// id minted at the time it was set.
    fn placed(&mut self, steps: Vec<Step>, shift: Duration) -> Vec<TopicEvent> {
        let mut tasks = std::collections::BTreeMap::new();
        let mut events = Vec::with_capacity(steps.len());
        for (at, author, step) in steps {
            let at = at + shift;
            if at > self.now {
                break;
            }
            let step = match moved(step, shift) {
                TopicStep::Task {
                    task,
                    owner,
                    due,
                    what,
                } => {
                    let id = self.rng.id(at);
                    tasks.insert(task, id);
                    TopicStep::Task {
                        task: id,
                        owner,
                        due,
                        what,
                    }
                }
                TopicStep::TaskDone { task, note } => TopicStep::TaskDone {
                    task: tasks[&task],
                    note,
                },
                other => other,
            };
            events.push(TopicEvent {
                id: self.rng.id(at),
                at,
                author,
                step,
            });
        }
        events
    }

    /// A start for `steps` (laid out from `now`) that puts `now` inside a
    /// stretch in which the topic is in `stage`: between the step that
    /// brings it there and the next.
    fn within(&mut self, steps: &[Step], stage: TopicStage) -> Option<Instant> {
        let community = self.grid.community();
        let events: Vec<TopicEvent> = steps
            .iter()
            .enumerate()
            .map(|(k, (at, author, step))| TopicEvent {
                id: RecordId::from_u128(k as u128 + 1),
                at: *at,
                author: author.clone(),
                step: step.clone(),
            })
            .collect();
        // The longest such stretch, if it recurs (a met topic waiting for
        // its second meeting, an implementing one between tasks).
        let k = (1..events.len())
            .filter(|&k| TopicState::fold(&events[..k], community.as_str()).stage == Some(stage))
            .max_by_key(|&k| events[k].at - events[k - 1].at)?;
        let (from, to) = (events[k - 1].at, events[k].at);
        let into = self.fraction(from, to);
        Some(self.now - (from + into - self.now))
    }

    /// Some way (a fifth to four fifths) into the stretch from `from` to `to`.
    fn fraction(&mut self, from: Instant, to: Instant) -> Duration {
        let span = (to - from).num_minutes();
        Duration::minutes(span * (20 + self.rng.below(60) as i64) / 100)
    }

    /// Who was expected at a meeting and who came: always a quorum (each
    /// body at least three quarters present), and at a tripartite meeting
    /// the party organisation, the owners' committee and the property
    /// company all in the room.
    fn attendance(&mut self, meeting_type: MeetingType, property: bool) -> Vec<Attendance> {
        let mut rows = vec![
            (MemberType::PartyOrganisation, 2 + self.rng.below(2)),
            (MemberType::ResidentsCommittee, 2 + self.rng.below(4)),
        ];
        match meeting_type {
            MeetingType::Tripartite => rows.extend([
                (MemberType::ResidentRepresentatives, 3 + self.rng.below(6)),
                (MemberType::OwnersCommittee, 3 + self.rng.below(3)),
                (MemberType::PropertyCompany, 1 + self.rng.below(3)),
            ]),
            MeetingType::Ordinary => {
                rows.push((MemberType::ResidentRepresentatives, 9 + self.rng.below(10)));
                if property || self.rng.chance(40) {
                    rows.push((MemberType::OwnersCommittee, 2 + self.rng.below(3)));
                }
                if property {
                    rows.push((MemberType::PropertyCompany, 1 + self.rng.below(2)));
                }
            }
        }
        rows.into_iter()
            .map(|(member, expected)| Attendance {
                member,
                expected: expected as u32,
                present: (expected - self.rng.below(expected / 4 + 1)) as u32,
            })
            .collect()
    }

    /// A vote of everyone present: adopted by more than half of them, or
    /// failing with at most half for.
    fn votes(&mut self, present: u32, adopt: bool) -> (u32, u32, u32) {
        let p = present as usize;
        if adopt {
            let against = self.rng.below(p / 6 + 1);
            let abstain = self.rng.below(p / 8 + 1);
            (
                (p - against - abstain) as u32,
                against as u32,
                abstain as u32,
            )
        } else {
            let votes_for = p / 4 + self.rng.below(p / 4 + 1);
            let against = self.rng.below(p - votes_for + 1);
            (
                votes_for as u32,
                against as u32,
                (p - votes_for - against) as u32,
            )
        }
    }
}

/// The step with every instant it carries moved by `by`.
fn moved(step: TopicStep, by: Duration) -> TopicStep {
    match step {
        TopicStep::Meeting {
            held_on,
            place,
            notice_posted,
            meeting_type,
            attendance,
        } => TopicStep::Meeting {
            held_on: held_on + by,
            place,
            notice_posted: notice_posted + by,
            meeting_type,
            attendance,
        },
        TopicStep::Resolve {
            text,
            votes_for,
            against,
            abstain,
            posted_on,
        } => TopicStep::Resolve {
            text,
            votes_for,
            against,
            abstain,
            posted_on: posted_on + by,
        },
        TopicStep::Task {
            task,
            owner,
            due,
            what,
        } => TopicStep::Task {
            task,
            owner,
            due: due + by,
            what,
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use gridline_model::deliberation::DeliberationFigures;
    use gridline_model::permission::{check, Action, Kind};
    use gridline_model::{Scope, TopicStep, User};
    use gridline_records::Record;

    use super::*;
    use crate::{generate_grid, grids_for, Scale, WISHES_PER_GRID};

    use crate::fixtures::{grid, now, ACTOR, HUB};

    /// A street's topics (80 grids × 9), made without their documents, with
    /// the households of each topic's grid.
    fn street_topics(seed: u64) -> Vec<(Topic, BTreeSet<RecordId>)> {
        grids_for(&Scope::Street("522701001".into()), Scale::Street)
            .unwrap()
            .iter()
            .flat_map(|g| {
                let mut gen = GridGen::new(g.clone(), seed, now(), None, &ACTOR, &HUB);
                let (hs, ..) = gen.records();
                let ids: BTreeSet<RecordId> = hs.iter().map(|h| h.id).collect();
                gen.topics(&hs).into_iter().map(move |t| (t, ids.clone()))
            })
            .collect()
    }

    /// The user who entered a topic, with the scope its submitter has.
    fn submitter(t: &Topic, groups: &[gridline_model::JointGroup]) -> User {
        let propose = &t.events[0].author;
        let scope = match propose.role {
            Role::GridWorker => Scope::Grids(vec![t.grid.clone()]),
            Role::JointLeader => Scope::Households(
                groups
                    .iter()
                    .find(|g| g.leader == propose.user)
                    .expect("a leader of this grid")
                    .households
                    .clone(),
            ),
            _ => Scope::Community(t.grid.community()),
        };
        User {
            id: propose.user.clone(),
            name: String::new(),
            role: propose.role,
            scope,
        }
    }

    #[test]
    fn every_topic_validates_reads_back_and_folds_with_nothing_refused() {
        let docs = generate_grid(&grid(), 11, now(), None, &ACTOR, &HUB);
        let households: Vec<Household> = docs
            .iter()
            .filter_map(|(_, r)| match r {
                Record::Household(h) => Some(h.clone()),
                _ => None,
            })
            .collect();
        let groups = crate::joint_groups(&grid(), &households);
        let mut topics = 0;
        for (d, r) in &docs {
            let Record::Deliberation(t) = r else { continue };
            topics += 1;
            assert_eq!(
                &gridline_records::deliberation::read(d).unwrap(),
                t,
                "the document reads back as made"
            );
            assert!(
                r.validate(now()).is_ok(),
                "{}: {:?}",
                t.id,
                r.validate(now())
            );
            assert!(t.validate().is_ok(), "{}: {:?}", t.id, t.validate());
            let s = t.state();
            let refused: Vec<_> = s.outcomes.iter().filter(|o| o.refused.is_some()).collect();
            assert!(
                refused.is_empty(),
                "{}: {refused:?} in {:?}",
                t.id,
                t.events
            );
            assert!(
                t.events.iter().all(|e| e.at <= now()),
                "nothing happens after now"
            );
            assert!(
                matches!(t.events[0].step, TopicStep::Propose) && t.events[0].at == t.proposed_at,
                "a topic begins with its proposal"
            );
            assert_eq!(
                t.household.is_some(),
                t.proposer == Proposer::Resident,
                "a resident's topic names their household, a body's none"
            );
            if let Some(h) = t.household {
                assert!(
                    households.iter().any(|x| x.id == h),
                    "a topic names a household of its grid"
                );
            }
            let user = submitter(t, &groups);
            assert!(
                check(&user, Kind::Deliberation, Action::Create, &r.target()).is_ok(),
                "{} ({:?}) may propose the topic it entered",
                user.id,
                user.role
            );
            assert_eq!(t.submitted_by, user.id);
        }
        assert_eq!(topics, DELIBERATIONS_PER_GRID);
    }

    #[test]
    fn the_same_seed_gives_the_same_topics_and_another_seed_does_not() {
        let a: Vec<Topic> = street_topics(1).into_iter().map(|(t, _)| t).collect();
        let b: Vec<Topic> = street_topics(1).into_iter().map(|(t, _)| t).collect();
        assert_eq!(a, b, "ids, times and every step agree");
        let c: Vec<Topic> = street_topics(2).into_iter().map(|(t, _)| t).collect();
        assert_ne!(a, c, "another seed, other topics");
    }

    #[test]
    fn making_topics_changes_no_other_record() {
        // The wishes are drawn from the main stream after the topics: with
        // or without the topics between, they come out the same.
        let wishes = |with_topics: bool| {
            let mut gen = GridGen::new(grid(), 7, now(), None, &ACTOR, &HUB);
            let (hs, ps, _, is) = gen.records();
            gen.cases(&hs, &ps, &is);
            if with_topics {
                gen.topics(&hs);
            }
            (0..WISHES_PER_GRID)
                .map(|_| gen.wish(&hs).1)
                .collect::<Vec<_>>()
        };
        assert_eq!(wishes(true), wishes(false));
    }

    #[test]
    fn a_streets_topics_are_in_every_state_and_in_a_councils_proportions() {
        let topics = street_topics(1);
        assert_eq!(topics.len(), 720, "≈150 a street a year over five years");
        let states: Vec<TopicState> = topics.iter().map(|(t, _)| t.state()).collect();
        for ((t, households), s) in topics.iter().zip(&states) {
            assert!(
                s.outcomes.iter().all(|o| o.refused.is_none()),
                "{}: {:?} in {:?}",
                t.id,
                s.outcomes,
                t.events
            );
            assert!(t.validate().is_ok(), "{}: {:?}", t.id, t.validate());
            assert!(t
                .events
                .iter()
                .all(|e| e.at <= now() && e.step.validate().is_ok()));
            assert!(
                t.household.is_none_or(|h| households.contains(&h)),
                "a topic names a household of its own grid"
            );
        }
        let mut by_stage: BTreeMap<TopicStage, usize> = BTreeMap::new();
        for s in &states {
            *by_stage.entry(s.stage.expect("proposed")).or_default() += 1;
        }
        println!("by stage: {by_stage:?}");
        for stage in TopicStage::ALL {
            assert!(
                by_stage.contains_key(&stage),
                "a street shows topics that are {}: {by_stage:?}",
                stage.key()
            );
        }
        let pct = |n: usize, d: usize| 100.0 * n as f64 / d as f64;
        let decided = states
            .iter()
            .filter(|s| s.accepted_at.is_some() || s.decline_reason.is_some())
            .count();
        let f = DeliberationFigures::of(topics.iter().map(|(t, _)| t).zip(&states), now());
        let accepted = pct(f.accepted, decided);
        assert!(
            (80.0..90.0).contains(&accepted),
            "≈85 % accepted: {accepted:.1}"
        );
        let failed: u32 = states.iter().map(|s| s.votes_failed).sum();
        let voted = f.resolved + failed as usize;
        let adopted = pct(f.resolved, voted);
        assert!(
            (90.0..99.0).contains(&adopted),
            "nearly every vote adopts: {adopted:.1}"
        );
        assert!(
            (10..60).contains(&failed),
            "now and then a vote fails: {failed}"
        );
        assert!(
            states
                .iter()
                .filter(|s| s.votes_failed > 0)
                .all(|s| s.meetings > 1 || s.stage == Some(TopicStage::Met)),
            "a failed vote is followed by another meeting"
        );
        let meetings: Vec<MeetingType> = topics
            .iter()
            .flat_map(|(t, _)| &t.events)
            .filter_map(|e| match &e.step {
                TopicStep::Meeting { meeting_type, .. } => Some(*meeting_type),
                _ => None,
            })
            .collect();
        let tripartite = pct(
            meetings
                .iter()
                .filter(|m| **m == MeetingType::Tripartite)
                .count(),
            meetings.len(),
        );
        assert!(
            (20.0..60.0).contains(&tripartite),
            "a mix of ordinary and tripartite meetings: {tripartite:.1} % tripartite"
        );
        let resolved: Vec<&TopicState> =
            states.iter().filter(|s| s.resolved_at.is_some()).collect();
        let with_tasks = resolved.iter().filter(|s| !s.tasks.is_empty()).count();
        let with_tasks = pct(with_tasks, resolved.len());
        assert!(
            (80.0..95.0).contains(&with_tasks),
            "most resolutions are carried out as tasks: {with_tasks:.1}"
        );
        assert!(
            resolved.iter().all(|s| s.tasks.len() <= 3),
            "one to three tasks"
        );
        let tasks: Vec<&gridline_model::deliberation::Task> =
            states.iter().flat_map(|s| &s.tasks).collect();
        let done: Vec<_> = tasks
            .iter()
            .filter_map(|t| t.done_at.map(|d| (d, t.due)))
            .collect();
        let late = done.iter().filter(|(d, due)| d > due).count();
        let late = pct(late, done.len());
        assert!(
            (5.0..20.0).contains(&late),
            "most tasks done on time, a few late: {late:.1} % late"
        );
        let overdue = f.overdue_tasks;
        assert!(
            (1..=tasks.len() / 50).contains(&overdue),
            "a few overdue tasks, all on recent topics: {overdue} of {}",
            tasks.len()
        );
        let recent = now() - Duration::days(548);
        assert!(
            topics
                .iter()
                .zip(&states)
                .filter(|(_, s)| s.overdue_tasks(now()) > 0)
                .all(|((t, _), _)| t.proposed_at > recent),
            "overdue tasks are on topics of the last eighteen months"
        );
        let open = states
            .iter()
            .filter(|s| {
                !matches!(
                    s.stage,
                    Some(TopicStage::Closed | TopicStage::Declined | TopicStage::FedBack)
                )
            })
            .count();
        let open_old = topics
            .iter()
            .zip(&states)
            .filter(|((t, _), s)| {
                t.proposed_at < recent
                    && !matches!(s.stage, Some(TopicStage::Closed | TopicStage::Declined))
            })
            .count();
        assert_eq!(
            open_old, 0,
            "topics over eighteen months old are closed or declined"
        );
        let residents = topics
            .iter()
            .filter(|(t, _)| t.proposer == Proposer::Resident)
            .count();
        println!(
            "topics {}, decided {decided}, accepted {accepted:.1} %, votes {voted} (adopted {adopted:.1} %, \
             failed {failed}), meetings {} ({tripartite:.1} % tripartite), resolutions with tasks \
             {with_tasks:.1} %, tasks {} (late {late:.1} %, overdue {overdue}), open {open}, \
             by residents {residents}, median days to resolution {:?}",
            topics.len(),
            meetings.len(),
            tasks.len(),
            f.median_days_to_resolution,
        );
    }
}
