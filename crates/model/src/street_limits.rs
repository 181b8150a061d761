//! The time limits a street sets for itself (DESIGN §3 "Deadlines by grade",
//! §8 "concluded within one month of acceptance"): the three issue grade
//! deadlines and the months a mediation has to conclude.
//!
//! The hub admin sets them; the hub sends them with every sync response and
//! every device folds issues and cases with the ones it last received, so a
//! deadline reads the same on every replica, offline too. The legal limits
//! of mediation (30 days to apply for confirmation, the court's 3 and 15)
//! are fixed by law and are not here.

use chrono::Duration;

use std::sync::Arc;

use crate::calendar::WorkCalendar;
use crate::issue::Deadlines;
use crate::mediation::TimeLimits;
use crate::time_limit::{LimitRow, TimeRules};
use crate::{text, Invalid, Text};

/// The hours an urgent issue may take, from dispatch.
pub const URGENT_HOURS: std::ops::RangeInclusive<u32> = 1..=72;
/// The days a normal issue may take, from dispatch.
pub const NORMAL_DAYS: std::ops::RangeInclusive<u32> = 1..=15;
/// The days a minor issue may take, from dispatch.
pub const MINOR_DAYS: std::ops::RangeInclusive<u32> = 1..=30;
/// The months a mediation may take to conclude, from acceptance.
pub const CONCLUDE_MONTHS: std::ops::RangeInclusive<u32> = 1..=6;

/// One street's configurable limits, in the units an admin sets them in.
///
/// Serialised as JSON on the hub and in the device's store, and inside the
/// CBOR sync response: whole numbers, so every replica computes the same
/// instants from them.
///
/// The time-limit table and the working calendar came later: both are
/// left out when unset and default when missing, so a hub or device that
/// predates them reads the other's limits (unknown fields are ignored) and
/// a street that sets neither keeps its calendar-hour deadlines exactly.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StreetLimits {
    pub urgent_hours: u32,
    pub normal_days: u32,
    pub minor_days: u32,
    pub conclude_months: u32,
    /// Rows by category and grade ([`crate::time_limit`]); a grade no row
    /// covers keeps the deadline above, in calendar hours.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub table: Vec<LimitRow>,
    /// The calendar the hub admin imported; `None` is the one shipped in
    /// the binary ([`WorkCalendar::shipped`]).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "calendar_text"
    )]
    pub calendar: Option<Arc<WorkCalendar>>,
}

/// The calendar in its text form (serde's `rc` feature is not needed for one field).
mod calendar_text {
    use super::*;
    pub fn serialize<S: serde::Serializer>(
        c: &Option<Arc<WorkCalendar>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        serde::Serialize::serialize(&c.as_deref(), s)
    }
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Arc<WorkCalendar>>, D::Error> {
        let c: Option<WorkCalendar> = serde::Deserialize::deserialize(d)?;
        Ok(c.map(Arc::new))
    }
}

impl Default for StreetLimits {
    /// DESIGN §3 and §8: urgent 24 hours, normal 3 days, minor 7 days, one month.
    fn default() -> Self {
        StreetLimits {
            urgent_hours: 24,
            normal_days: 3,
            minor_days: 7,
            conclude_months: 1,
            table: Vec::new(),
            calendar: None,
        }
    }
}

impl StreetLimits {
    /// Refuses a value outside its range, or grades whose deadlines are out
    /// of order (a more urgent grade never has longer).
    pub fn validate(&self) -> Result<(), Invalid> {
        let range = |field: &str,
                     value: u32,
                     r: &std::ops::RangeInclusive<u32>,
                     zh_unit: &str,
                     en_unit: &str| {
            let (lo, hi) = (*r.start(), *r.end());
            if r.contains(&value) {
                return Ok(());
            }
            Err(Invalid::new(
                field,
                Text::new(
                    format!("{value} {zh_unit}超出范围"),
                    format!("{value} {en_unit} is out of range"),
                ),
                Text::new(
                    format!("请填 {lo} 到 {hi} {zh_unit}"),
                    format!("use {lo} to {hi} {en_unit}"),
                ),
            ))
        };
        range(
            "urgent-hours",
            self.urgent_hours,
            &URGENT_HOURS,
            "小时",
            "hours",
        )?;
        range("normal-days", self.normal_days, &NORMAL_DAYS, "天", "days")?;
        range("minor-days", self.minor_days, &MINOR_DAYS, "天", "days")?;
        range(
            "conclude-months",
            self.conclude_months,
            &CONCLUDE_MONTHS,
            "个月",
            "months",
        )?;
        let (urgent, normal, minor) = (self.urgent_hours, self.normal_days, self.minor_days);
        if urgent > normal * 24 {
            return Err(Invalid::new(
                "urgent-hours",
                text!(
                    "紧急事件时限 {urgent} 小时长于一般事件的 {normal} 天",
                    "urgent issues would have {urgent} hours, longer than normal ones' {normal} days"
                ),
                text!(
                    "紧急时限不得长于一般时限",
                    "give urgent issues no longer than normal ones"
                ),
            ));
        }
        crate::time_limit::validate_table(&self.table)?;
        if normal > minor {
            return Err(Invalid::new(
                "normal-days",
                text!(
                    "一般事件时限 {normal} 天长于轻微事件的 {minor} 天",
                    "normal issues would have {normal} days, longer than minor ones' {minor}"
                ),
                text!(
                    "一般时限不得长于轻微时限",
                    "give normal issues no longer than minor ones"
                ),
            ));
        }
        Ok(())
    }

    /// The calendar issues are counted in: the admin's, or the shipped one.
    pub fn calendar(&self) -> Arc<WorkCalendar> {
        static SHIPPED: std::sync::OnceLock<Arc<WorkCalendar>> = std::sync::OnceLock::new();
        self.calendar.clone().unwrap_or_else(|| {
            SHIPPED
                .get_or_init(|| Arc::new(WorkCalendar::shipped().clone()))
                .clone()
        })
    }

    /// The time rules an issue of `category` folds under.
    pub fn rules(&self, category: &str) -> TimeRules {
        TimeRules::from_table(&self.table, category, &self.deadlines(), self.calendar())
    }

    /// The issue deadlines by grade these limits give.
    pub fn deadlines(&self) -> Deadlines {
        Deadlines {
            urgent: Duration::hours(i64::from(self.urgent_hours)),
            normal: Duration::days(i64::from(self.normal_days)),
            minor: Duration::days(i64::from(self.minor_days)),
        }
    }

    /// The mediation time limits: this street's months to conclude, and the
    /// legal limits as the law fixes them.
    pub fn time_limits(&self) -> TimeLimits {
        TimeLimits {
            conclude_months: self.conclude_months,
            ..TimeLimits::default()
        }
    }

    /// One line naming each limit, as the audit trail and the CLI say it
    /// (table rows and the calendar's years only when set).
    pub fn describe(&self) -> String {
        let mut s = format!(
            "urgent {}h, normal {}d, minor {}d, conclude {} months",
            self.urgent_hours, self.normal_days, self.minor_days, self.conclude_months
        );
        for r in &self.table {
            s.push_str(&format!("; {}", r.describe()));
        }
        if let Some(c) = &self.calendar {
            let years: Vec<String> = c
                .years
                .iter()
                .map(|(y, a)| format!("{y}{}", if a.provisional { " provisional" } else { "" }))
                .collect();
            s.push_str(&format!("; calendar {}", years.join(", ")));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::issue::Stage;
    use crate::mediation::CaseStage;
    use chrono::TimeZone;

    fn valid() -> StreetLimits {
        StreetLimits {
            urgent_hours: 12,
            normal_days: 3,
            minor_days: 5,
            conclude_months: 2,
            ..StreetLimits::default()
        }
    }

    #[test]
    fn the_defaults_are_the_design_and_validate() {
        let d = StreetLimits::default();
        assert_eq!(d.deadlines(), Deadlines::default(), "DESIGN §3's defaults");
        assert_eq!(
            d.time_limits(),
            TimeLimits::default(),
            "DESIGN §8's default"
        );
        assert_eq!(d.validate(), Ok(()), "the defaults are valid");
        assert_eq!(
            valid().validate(),
            Ok(()),
            "a sensible street's limits pass"
        );
    }

    #[test]
    fn validate_refuses_each_bad_value_in_both_languages() {
        let cases: [(&str, StreetLimits, &str, &str); 10] = [
            (
                "urgent-hours",
                StreetLimits {
                    urgent_hours: 0,
                    ..valid()
                },
                "超出范围",
                "out of range",
            ),
            (
                "urgent-hours",
                StreetLimits {
                    urgent_hours: 73,
                    ..valid()
                },
                "超出范围",
                "out of range",
            ),
            (
                "normal-days",
                StreetLimits {
                    normal_days: 0,
                    ..valid()
                },
                "超出范围",
                "out of range",
            ),
            (
                "normal-days",
                StreetLimits {
                    normal_days: 16,
                    minor_days: 30,
                    ..valid()
                },
                "超出范围",
                "out of range",
            ),
            (
                "minor-days",
                StreetLimits {
                    minor_days: 0,
                    ..valid()
                },
                "超出范围",
                "out of range",
            ),
            (
                "minor-days",
                StreetLimits {
                    minor_days: 31,
                    ..valid()
                },
                "超出范围",
                "out of range",
            ),
            (
                "conclude-months",
                StreetLimits {
                    conclude_months: 0,
                    ..valid()
                },
                "超出范围",
                "out of range",
            ),
            (
                "conclude-months",
                StreetLimits {
                    conclude_months: 7,
                    ..valid()
                },
                "超出范围",
                "out of range",
            ),
            (
                "urgent-hours",
                StreetLimits {
                    urgent_hours: 72,
                    normal_days: 2,
                    ..valid()
                },
                "长于一般",
                "longer than normal",
            ),
            (
                "normal-days",
                StreetLimits {
                    normal_days: 6,
                    minor_days: 5,
                    ..valid()
                },
                "长于轻微",
                "longer than minor",
            ),
        ];
        for (field, limits, zh, en) in cases {
            let e = limits
                .validate()
                .expect_err(&format!("{limits:?} must be refused"));
            assert_eq!(e.field, field, "the refusal names the field at fault: {e}");
            assert!(
                e.problem.zh.contains(zh) && e.problem.en.contains(en),
                "the problem is said in Chinese and in English: {e:?}"
            );
            assert!(
                !e.fix.zh.is_empty() && !e.fix.en.is_empty() && e.fix.zh != e.fix.en,
                "the fix is said in both languages: {e:?}"
            );
        }
    }

    #[test]
    fn limits_travel_as_plain_json_numbers() {
        let json = serde_json::to_string(&valid()).unwrap();
        assert_eq!(
            json, r#"{"urgent_hours":12,"normal_days":3,"minor_days":5,"conclude_months":2}"#,
            "the stored and wire form is stable"
        );
        assert_eq!(
            serde_json::from_str::<StreetLimits>(&json).unwrap(),
            valid()
        );
    }

    fn author(role: crate::Role, unit: &str) -> crate::Author {
        crate::Author {
            user: "u".into(),
            role,
            unit: unit.into(),
        }
    }

    #[test]
    fn an_urgent_issue_is_due_the_configured_hours_after_dispatch() {
        use crate::issue::{IssueEvent, IssueStep};
        use crate::Role;
        let t = |h: u32| chrono::Utc.with_ymd_and_hms(2026, 3, 1, h, 0, 0).unwrap();
        let ev = |h: u32, role: Role, unit: &str, step: IssueStep| IssueEvent {
            id: crate::RecordId::from_u128(u128::from(h) + 10),
            at: t(h),
            author: author(role, unit),
            step,
        };
        let issue = crate::Issue {
            events: vec![
                ev(1, Role::GridWorker, "", IssueStep::Report),
                ev(2, Role::CommunityStaff, "522701001001", IssueStep::Accept),
                ev(
                    3,
                    Role::CommunityStaff,
                    "522701001001",
                    IssueStep::Escalate {
                        note: String::new(),
                    },
                ),
                ev(
                    4,
                    Role::StreetStaff,
                    "522701001",
                    IssueStep::Dispatch {
                        departments: vec!["城管".into()],
                        grade: crate::Grade::Urgent,
                    },
                ),
            ],
            id: crate::RecordId::from_u128(1),
            grid: crate::GridId::parse("522701001001001").unwrap(),
            category: "市容环境".into(),
            description: "垃圾堆放".into(),
            location: String::new(),
            household: None,
            urgency: 3,
            reporter: "u".into(),
            reported_at: t(1),
        };
        let by_default = issue.state();
        assert_eq!(
            by_default.stage,
            Some(Stage::Dispatched),
            "{:?}",
            by_default.outcomes
        );
        assert_eq!(
            by_default.deadline,
            Some(t(4) + Duration::hours(24)),
            "the default is 24 hours"
        );
        let street = issue.state_with(&valid());
        assert_eq!(
            street.deadline,
            Some(t(4) + Duration::hours(12)),
            "the street's 12 hours from dispatch"
        );
        assert!(
            street.is_overdue(t(17)) && !by_default.is_overdue(t(17)),
            "13 hours after dispatch it is overdue under the street's limit only"
        );
    }

    #[test]
    fn a_case_accepted_on_31_january_with_two_months_is_due_at_the_end_of_march() {
        use crate::mediation::{CaseEvent, CaseStep, CaseType, MediationKind, Scale, Source};
        use crate::Role;
        // 10:00 on 31 January 2026, Beijing time.
        let accepted = chrono::Utc.with_ymd_and_hms(2026, 1, 31, 2, 0, 0).unwrap();
        let registered = accepted - Duration::hours(1);
        let case = crate::MediationCase {
            id: crate::RecordId::from_u128(1),
            grid: crate::GridId::parse("522701001001001").unwrap(),
            households: vec![crate::RecordId::from_u128(7)],
            case_type: CaseType::Neighbour,
            scale: Scale::Individual,
            people: 2,
            warning: 3,
            source: Source::GridReport,
            from_issue: None,
            from_visit: None,
            kind: MediationKind::People,
            summary: "楼上漏水".into(),
            reporter: "u".into(),
            registered_at: registered,
            events: vec![
                CaseEvent {
                    id: crate::RecordId::from_u128(2),
                    at: registered,
                    author: author(Role::GridWorker, ""),
                    step: CaseStep::Register,
                },
                CaseEvent {
                    id: crate::RecordId::from_u128(3),
                    at: accepted,
                    author: author(Role::CommunityStaff, "522701001001"),
                    step: CaseStep::Accept {
                        mediator: "王调解员".into(),
                    },
                },
            ],
        };
        let s = case.state_with(&valid());
        assert_eq!(s.stage, Some(CaseStage::Accepted), "{:?}", s.outcomes);
        assert_eq!(
            s.deadline,
            Some(chrono::Utc.with_ymd_and_hms(2026, 3, 31, 2, 0, 0).unwrap()),
            "two months from 31 January is 31 March, Beijing time"
        );
        assert_eq!(
            case.state().deadline,
            Some(chrono::Utc.with_ymd_and_hms(2026, 2, 28, 2, 0, 0).unwrap()),
            "the default month ends on 28 February"
        );
        let mid_march = chrono::Utc.with_ymd_and_hms(2026, 3, 15, 2, 0, 0).unwrap();
        assert!(
            case.state().is_overdue(mid_march) && !s.is_overdue(mid_march),
            "in mid-March it is overdue only under the one-month default"
        );
    }
}
