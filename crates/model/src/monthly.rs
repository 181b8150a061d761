//! The monthly report's figures (月报), counted from each issue's facts.
//!
//! The definitions are the closed loop's (`shared/notes/governance-facts.md`):
//!
//! - **reported / accepted / closed**: reports, first acceptances and
//!   closings (核查结案) in the period; an issue closed, sent back by a
//!   resident and closed again is closed twice, once in each month;
//! - **due**: time limits that end in the period. Each dispatch starts a
//!   time limit (its grade's deadline) that ends with the next closing; a
//!   send-back afterwards never takes it back, so a filed month's figures
//!   stay as filed. An issue the community settles itself has no time limit
//!   and is never due;
//! - **deferred**: due time limits suspended by street staff (缓办, the
//!   `defer` step) before they ended, left out of the rates. An extension
//!   approved (延期审批) moves the time limit's deadline, so it is due in
//!   the month its extended deadline falls in;
//! - **结案率** = due time limits closed by the end of the period ÷ (due −
//!   deferred); **按期结案率** = those closed by their deadline ÷
//!   (due − deferred);
//! - **satisfaction**: of the residents' evaluations made in the period,
//!   the share satisfied (an unsatisfied one reopens the issue, so counting
//!   only issues still closed would always say 100%);
//! - **median handling time**: hours from report to close, over the
//!   closings in the period;
//! - **sent back**: unsatisfied evaluations and failed verifications
//!   (核查不通过, the `send-back` step) in the period, counted against the
//!   departments that handled the issue (or the community when it settled
//!   it itself); a failed verification is not a resident's verdict, so it
//!   leaves satisfaction alone.
//!
//! Figures are totals over records: nothing here ranks a person.

use std::collections::BTreeMap;

use crate::issue::IssueStep;
use crate::{Instant, Issue, StreetLimits};

/// The facts of one issue the report counts, as its fold leaves them.
#[derive(Debug, Clone, PartialEq)]
pub struct IssueFacts {
    pub category: String,
    pub reported_at: Instant,
    /// The first applied acceptance.
    pub accepted_at: Option<Instant>,
    /// Each dispatch and its time limit, in order.
    pub cycles: Vec<Cycle>,
    /// Each applied closing (核查结案), in order.
    pub closings: Vec<Instant>,
    /// Each applied evaluation, in order.
    pub evaluations: Vec<Evaluation>,
    /// Each applied failed verification (核查不通过), in order.
    pub send_backs: Vec<SendBack>,
}

/// A failed verification: when, and the departments it counts against.
#[derive(Debug, Clone, PartialEq)]
pub struct SendBack {
    pub at: Instant,
    pub against: Vec<String>,
}

/// One dispatch: the departments, the deadline its grade set, and the
/// closing that ended it (`None` while it runs).
#[derive(Debug, Clone, PartialEq)]
pub struct Cycle {
    pub departments: Vec<String>,
    pub deadline: Instant,
    pub closed_at: Option<Instant>,
    /// Suspended by a deferral (缓办) while it ran.
    pub deferred: bool,
}

/// A resident's verdict on an issue, and, when unsatisfied, whom the
/// send-back counts against: the departments that handled it, or
/// [`COMMUNITY`] when the community settled it itself.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    pub at: Instant,
    pub satisfied: bool,
    pub against: Vec<String>,
}

/// Who an issue sent back by a resident counts against when no department
/// handled it: the community that settled it.
pub const COMMUNITY: &str = "社区";

impl IssueFacts {
    /// The facts of `issue` folded under `limits`. `None` for an issue whose
    /// report was never accepted by the fold (it does not exist yet).
    pub fn of(issue: &Issue, limits: &StreetLimits) -> Option<IssueFacts> {
        let state = issue.state_with(limits);
        state.stage?;
        let mut ordered: Vec<_> = issue.events.iter().collect();
        ordered.sort_by_key(|e| (e.at, e.id));
        let applied = |id| {
            state
                .outcomes
                .iter()
                .any(|o| o.event == id && o.refused.is_none())
        };
        let rules = limits.rules(&issue.category);
        let mut asked: Option<u32> = None;
        let mut send_backs = Vec::new();
        let mut accepted_at = None;
        let mut handling: Vec<String> = Vec::new();
        let mut evaluations = Vec::new();
        let mut cycles: Vec<Cycle> = Vec::new();
        let mut closings = Vec::new();
        for e in ordered {
            if !applied(e.id) {
                continue;
            }
            match &e.step {
                IssueStep::Accept if accepted_at.is_none() => accepted_at = Some(e.at),
                IssueStep::Dispatch { departments, grade } => {
                    handling = departments.clone();
                    let limit = rules.for_grade(*grade);
                    cycles.push(Cycle {
                        departments: departments.clone(),
                        deadline: crate::time_limit::Limit::add(
                            &rules.calendar,
                            limit.unit,
                            e.at,
                            limit.amount,
                        ),
                        closed_at: None,
                        deferred: false,
                    });
                }
                // The same moves as the fold's (an applied request is open
                // until decided), so a cycle's deadline is the issue's.
                IssueStep::RequestExtension { amount, .. } => asked = Some(*amount),
                IssueStep::DecideExtension { approve, .. } => {
                    let amount = asked.take();
                    if let (true, Some(amount), Some(c), Some(grade)) =
                        (*approve, amount, cycles.last_mut(), state.grade)
                    {
                        c.deadline = crate::time_limit::Limit::add(
                            &rules.calendar,
                            rules.for_grade(grade).unit,
                            c.deadline,
                            amount,
                        );
                    }
                }
                IssueStep::Defer { .. } => {
                    asked = None;
                    if let Some(c) = cycles.last_mut() {
                        c.deferred = true;
                    }
                }
                IssueStep::SendBack { .. } => send_backs.push(SendBack {
                    at: e.at,
                    against: handling.clone(),
                }),
                IssueStep::VerifyClose { .. } => {
                    closings.push(e.at);
                    // A closing ends the dispatch that runs, if one does (a
                    // send-back then a community settlement leaves the old,
                    // closed one alone).
                    if let Some(c) = cycles.last_mut().filter(|c| c.closed_at.is_none()) {
                        c.closed_at = Some(e.at);
                    }
                }
                IssueStep::Resolve { .. } => handling = vec![COMMUNITY.to_owned()],
                IssueStep::Evaluate { satisfied, .. } => evaluations.push(Evaluation {
                    at: e.at,
                    satisfied: *satisfied,
                    against: if *satisfied {
                        Vec::new()
                    } else {
                        std::mem::take(&mut handling)
                    },
                }),
                _ => {}
            }
        }
        Some(IssueFacts {
            category: issue.category.clone(),
            reported_at: issue.reported_at,
            accepted_at,
            cycles,
            closings,
            evaluations,
            send_backs,
        })
    }
}

/// A period of the report, `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub start: Instant,
    pub end: Instant,
}

impl Period {
    pub fn holds(&self, t: Instant) -> bool {
        self.start <= t && t < self.end
    }

    /// A calendar month in Beijing time (UTC+8), as offices report.
    pub fn month(year: i32, month: u32) -> Option<Period> {
        use chrono::TimeZone;
        let tz = crate::beijing();
        let start = tz.with_ymd_and_hms(year, month, 1, 0, 0, 0).single()?;
        let (ny, nm) = if month == 12 {
            (year + 1, 1)
        } else {
            (year, month + 1)
        };
        let end = tz.with_ymd_and_hms(ny, nm, 1, 0, 0, 0).single()?;
        Some(Period {
            start: start.with_timezone(&chrono::Utc),
            end: end.with_timezone(&chrono::Utc),
        })
    }
}

/// The counts for one row of the report: the whole, a category or a department.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    pub reported: u64,
    pub accepted: u64,
    pub closed: u64,
    pub due: u64,
    pub deferred: u64,
    /// Due time limits closed by the end of the period.
    pub due_closed: u64,
    /// Due time limits closed by their deadline.
    pub due_closed_on_time: u64,
    /// Residents' evaluations made in the period.
    pub evaluated: u64,
    pub satisfied: u64,
    pub sent_back: u64,
    /// Hours from report to close of each closing in the period.
    hours: Vec<f64>,
}

impl Figures {
    /// 结案率: `None` when nothing was due.
    pub fn closure_rate(&self) -> Option<f64> {
        ratio(self.due_closed, self.due - self.deferred)
    }

    /// 按期结案率.
    pub fn on_time_rate(&self) -> Option<f64> {
        ratio(self.due_closed_on_time, self.due - self.deferred)
    }

    /// 满意率.
    pub fn satisfaction(&self) -> Option<f64> {
        ratio(self.satisfied, self.evaluated)
    }

    /// The median handling time in hours (the mean of the middle two for an
    /// even count).
    pub fn median_hours(&self) -> Option<f64> {
        let mut h = self.hours.clone();
        if h.is_empty() {
            return None;
        }
        h.sort_by(f64::total_cmp);
        let n = h.len();
        Some(if n % 2 == 1 {
            h[n / 2]
        } else {
            (h[n / 2 - 1] + h[n / 2]) / 2.0
        })
    }

    /// What an issue itself brings: its report, acceptance, closings and
    /// evaluations (and, for the whole and a category, its send-backs).
    fn add_issue(&mut self, f: &IssueFacts, p: &Period, include_sent_back: bool) {
        self.reported += p.holds(f.reported_at) as u64;
        self.accepted += f.accepted_at.is_some_and(|t| p.holds(t)) as u64;
        for c in f.closings.iter().filter(|c| p.holds(**c)) {
            self.closed += 1;
            self.hours
                .push((*c - f.reported_at).num_milliseconds() as f64 / 3_600_000.0);
        }
        for e in f.evaluations.iter().filter(|e| p.holds(e.at)) {
            self.evaluated += 1;
            self.satisfied += e.satisfied as u64;
            if include_sent_back && !e.satisfied {
                self.sent_back += 1;
            }
        }
        if include_sent_back {
            self.sent_back += f.send_backs.iter().filter(|s| p.holds(s.at)).count() as u64;
        }
    }

    /// One time limit, if it ends in the period.
    fn add_cycle(&mut self, c: &Cycle, p: &Period) {
        let deferred = c.deferred;
        if !p.holds(c.deadline) {
            return;
        }
        self.due += 1;
        if deferred {
            self.deferred += 1;
        } else if let Some(closed) = c.closed_at.filter(|t| *t < p.end) {
            self.due_closed += 1;
            self.due_closed_on_time += (closed <= c.deadline) as u64;
        }
    }

    fn add(&mut self, f: &IssueFacts, p: &Period) {
        self.add_issue(f, p, true);
        for c in &f.cycles {
            self.add_cycle(c, p);
        }
    }
}

fn ratio(n: u64, d: u64) -> Option<f64> {
    (d > 0).then(|| n as f64 / d as f64)
}

/// The whole report: totals, by category, by department.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MonthlyFigures {
    pub period: Option<Period>,
    pub total: Figures,
    pub by_category: BTreeMap<String, Figures>,
    /// An issue dispatched to several departments counts in each (its
    /// report, acceptance and closings once per department it ever went
    /// to; each time limit in the departments it set); a department's
    /// `sent_back` is the evaluations that went against it.
    pub by_department: BTreeMap<String, Figures>,
}

impl MonthlyFigures {
    pub fn count<'a>(facts: impl IntoIterator<Item = &'a IssueFacts>, period: Period) -> Self {
        let mut m = MonthlyFigures {
            period: Some(period),
            ..Default::default()
        };
        for f in facts {
            m.total.add(f, &period);
            m.by_category
                .entry(f.category.clone())
                .or_default()
                .add(f, &period);
            let departments: std::collections::BTreeSet<&String> =
                f.cycles.iter().flat_map(|c| &c.departments).collect();
            for d in departments {
                let row = m.by_department.entry(d.clone()).or_default();
                row.add_issue(f, &period, false);
                for c in f.cycles.iter().filter(|c| c.departments.contains(d)) {
                    row.add_cycle(c, &period);
                }
            }
            let failed = f.send_backs.iter().map(|s| (s.at, &s.against));
            let unsatisfied = f
                .evaluations
                .iter()
                .filter(|e| !e.satisfied)
                .map(|e| (e.at, &e.against));
            for (at, against) in unsatisfied.chain(failed) {
                if period.holds(at) {
                    for d in against {
                        m.by_department.entry(d.clone()).or_default().sent_back += 1;
                    }
                }
            }
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn at(d: u32, h: u32) -> Instant {
        Utc.with_ymd_and_hms(2026, 11, d, h, 0, 0).unwrap()
    }

    fn facts(reported: Instant) -> IssueFacts {
        IssueFacts {
            category: "环境卫生".into(),
            reported_at: reported,
            accepted_at: None,
            cycles: vec![],
            closings: vec![],
            evaluations: vec![],
            send_backs: vec![],
        }
    }

    fn verdict(at: Instant, satisfied: bool, against: &[&str]) -> Evaluation {
        Evaluation {
            at,
            satisfied,
            against: against.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn a_month_is_beijing_midnight_to_midnight() {
        let p = Period::month(2026, 11).unwrap();
        assert_eq!(
            p.start,
            Utc.with_ymd_and_hms(2026, 10, 31, 16, 0, 0).unwrap()
        );
        assert_eq!(p.end, Utc.with_ymd_and_hms(2026, 11, 30, 16, 0, 0).unwrap());
        assert!(Period::month(2026, 12).unwrap().end > p.end);
        assert!(Period::month(2026, 13).is_none());
    }

    #[test]
    fn rates_count_only_what_was_due_and_on_time_means_by_the_deadline() {
        let p = Period::month(2026, 11).unwrap();
        let cycle = |closed: Option<Instant>| Cycle {
            departments: vec!["城管".into()],
            deadline: at(5, 1),
            closed_at: closed,
            deferred: false,
        };
        let mut on_time = facts(at(2, 1));
        on_time.cycles = vec![cycle(Some(at(4, 1)))];
        on_time.closings = vec![at(4, 1)];
        on_time.evaluations = vec![verdict(at(4, 3), true, &[])];
        let mut late = on_time.clone();
        late.cycles = vec![cycle(Some(at(9, 1)))];
        late.closings = vec![at(9, 1)];
        late.evaluations = vec![verdict(at(9, 2), false, &["城管"])];
        let mut open = on_time.clone();
        open.cycles = vec![cycle(None)];
        open.closings = vec![];
        open.evaluations = vec![];
        // Settled by the community: never due.
        let mut community = facts(at(3, 1));
        community.closings = vec![at(3, 5)];
        let all = [on_time, late, open, community];
        let m = MonthlyFigures::count(&all, p);
        assert_eq!(m.total.reported, 4);
        assert_eq!(m.total.due, 3);
        assert_eq!(m.total.closed, 3);
        assert_eq!(m.total.closure_rate(), Some(2.0 / 3.0));
        assert_eq!(m.total.on_time_rate(), Some(1.0 / 3.0));
        assert_eq!(m.total.satisfaction(), Some(0.5));
        // 4 h (community), 48 h, 168 h.
        assert_eq!(m.total.median_hours(), Some(48.0));
        assert_eq!(m.by_department["城管"].due, 3);
        assert_eq!(m.by_category["环境卫生"].reported, 4);
    }

    #[test]
    fn a_send_back_counts_against_who_handled_it_in_the_month_it_happened() {
        let p = Period::month(2026, 11).unwrap();
        let mut f = facts(at(2, 1));
        f.evaluations = vec![
            verdict(at(10, 1), false, &["城管"]),
            verdict(at(20, 1), false, &[COMMUNITY]),
            verdict(at(25, 1), true, &[]),
        ];
        let m = MonthlyFigures::count([&f], p);
        assert_eq!(m.total.sent_back, 2);
        assert_eq!(m.total.satisfaction(), Some(1.0 / 3.0));
        assert_eq!(m.by_department["城管"].sent_back, 1);
        assert_eq!(m.by_department[COMMUNITY].sent_back, 1);
        let oct = MonthlyFigures::count([&f], Period::month(2026, 10).unwrap());
        assert_eq!(oct.total.sent_back, 0);
    }

    #[test]
    fn a_send_back_next_month_leaves_the_filed_month_as_it_was() {
        // Due and closed on time in November, sent back in December, then
        // dispatched again to another department and closed late.
        let mut f = facts(at(2, 1));
        f.cycles = vec![
            Cycle {
                departments: vec!["城管".into()],
                deadline: at(5, 1),
                closed_at: Some(at(4, 1)),
                deferred: false,
            },
            Cycle {
                departments: vec!["住建".into()],
                deadline: Utc.with_ymd_and_hms(2026, 12, 10, 0, 0, 0).unwrap(),
                closed_at: Some(Utc.with_ymd_and_hms(2026, 12, 12, 0, 0, 0).unwrap()),
                deferred: false,
            },
        ];
        f.closings = vec![
            at(4, 1),
            Utc.with_ymd_and_hms(2026, 12, 12, 0, 0, 0).unwrap(),
        ];
        f.evaluations = vec![verdict(
            Utc.with_ymd_and_hms(2026, 12, 3, 0, 0, 0).unwrap(),
            false,
            &["城管"],
        )];
        let nov = MonthlyFigures::count([&f], Period::month(2026, 11).unwrap());
        assert_eq!((nov.total.due, nov.total.due_closed_on_time), (1, 1));
        assert_eq!(nov.by_department["城管"].due_closed_on_time, 1);
        assert_eq!(nov.total.closed, 1);
        let dec = MonthlyFigures::count([&f], Period::month(2026, 12).unwrap());
        assert_eq!(
            (
                dec.total.due,
                dec.total.due_closed,
                dec.total.due_closed_on_time
            ),
            (1, 1, 0)
        );
        assert_eq!(
            dec.by_department["城管"].sent_back, 1,
            "the send-back counts against 城管"
        );
        assert_eq!(dec.by_department["城管"].due, 0);
        assert_eq!(dec.by_department["住建"].due, 1);
        assert_eq!(dec.total.closed, 1);
    }

    #[test]
    fn nothing_due_is_no_rate_not_zero() {
        let m = MonthlyFigures::count([&facts(at(1, 1))], Period::month(2026, 11).unwrap());
        assert_eq!(m.total.closure_rate(), None);
        assert_eq!(m.total.median_hours(), None);
    }
}
