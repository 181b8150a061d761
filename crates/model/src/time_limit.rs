//! A street's time-limit table (办理时限): per category and grade, how long
//! a dispatched issue has, in which unit, and when it turns yellow and red.
//!
//! Cities set limits by event class and grade, in working hours or working
//! days (`shared/notes/governance-facts.md`), with warning thresholds before
//! the deadline. A row names a category (or `*` for any) and a grade; the
//! most specific row wins (the category's before `*`). With no row for a
//! grade, the street's [`crate::StreetLimits`] grade deadlines apply in
//! calendar hours, as they always have, so a street that sets no table keeps
//! every deadline and figure it had.
//!
//! Warning levels are the share of the limit used, measured in the limit's
//! own unit: working time for working hours and days (a night or a holiday
//! uses nothing), clock time for calendar hours.

use chrono::Duration;

use crate::calendar::WorkCalendar;
use crate::issue::{parse_category, Grade};
use crate::{text, Instant, Invalid, Text};

/// The unit a limit (and an extension of it) is counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LimitUnit {
    WorkingHours,
    WorkingDays,
    CalendarHours,
}

impl LimitUnit {
    pub const ALL: [LimitUnit; 3] = [
        LimitUnit::WorkingHours,
        LimitUnit::WorkingDays,
        LimitUnit::CalendarHours,
    ];
    pub fn key(self) -> &'static str {
        match self {
            LimitUnit::WorkingHours => "working-hours",
            LimitUnit::WorkingDays => "working-days",
            LimitUnit::CalendarHours => "calendar-hours",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            LimitUnit::WorkingHours => "工作小时",
            LimitUnit::WorkingDays => "工作日",
            LimitUnit::CalendarHours => "自然小时",
        }
    }
    pub fn parse(s: &str) -> Result<LimitUnit, Invalid> {
        LimitUnit::ALL
            .into_iter()
            .find(|u| u.key() == s.trim() || u.zh() == s.trim())
            .ok_or_else(|| {
                Invalid::new(
                    "unit",
                    text!("未知时限单位 \"{s}\"", "unknown time-limit unit \"{s}\""),
                    text!(
                        "请用 working-hours/工作小时、working-days/工作日 或 calendar-hours/自然小时",
                        "use working-hours, working-days or calendar-hours"
                    ),
                )
            })
    }

    /// The largest amount a limit or an extension may have in this unit
    /// (about a month either way).
    pub fn max_amount(self) -> u32 {
        match self {
            LimitUnit::WorkingHours => 160,
            LimitUnit::WorkingDays => 30,
            LimitUnit::CalendarHours => 720,
        }
    }
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LimitRow {
    /// A category of [`crate::issue::CATEGORIES`], or `*` for any.
    pub category: String,
    pub grade: Grade,
    pub amount: u32,
    pub unit: LimitUnit,
    /// Percent of the limit used at which the issue turns yellow.
    pub yellow_percent: u8,
    /// Percent of the limit used at which it turns red (before 100, overdue).
    pub red_percent: u8,
}

/// Default warning thresholds where the street set none: yellow at half the
/// limit, red at four fifths.
pub const YELLOW_PERCENT: u8 = 50;
pub const RED_PERCENT: u8 = 80;

impl LimitRow {
    pub fn validate(&self) -> Result<(), Invalid> {
        if self.category != "*" {
            parse_category(&self.category)?;
        }
        let max = self.unit.max_amount();
        if !(1..=max).contains(&self.amount) {
            return Err(Invalid::new(
                "amount",
                Text::new(
                    format!("时限 {} {}超出范围", self.amount, self.unit.zh()),
                    format!(
                        "a limit of {} {} is out of range",
                        self.amount,
                        self.unit.key()
                    ),
                ),
                Text::new(
                    format!("请填 1 到 {max} {}", self.unit.zh()),
                    format!("use 1 to {max} {}", self.unit.key()),
                ),
            ));
        }
        if !(1..self.red_percent).contains(&self.yellow_percent) || self.red_percent >= 100 {
            return Err(Invalid::new(
                "thresholds",
                Text::new(
                    format!(
                        "黄色预警 {}% 与红色预警 {}% 无效",
                        self.yellow_percent, self.red_percent
                    ),
                    format!(
                        "yellow at {}% and red at {}% are not valid",
                        self.yellow_percent, self.red_percent
                    ),
                ),
                text!(
                    "须 0 < 黄色 < 红色 < 100，如黄色 50、红色 80",
                    "use 0 < yellow < red < 100, such as yellow 50 and red 80"
                ),
            ));
        }
        Ok(())
    }

    /// One line as the CLI and the audit trail say it.
    pub fn describe(&self) -> String {
        format!(
            "{} {} {} {} yellow {}% red {}%",
            self.category,
            self.grade.key(),
            self.amount,
            self.unit.key(),
            self.yellow_percent,
            self.red_percent
        )
    }
}

/// Checks a whole table: each row, and no two rows for one category and grade.
pub fn validate_table(rows: &[LimitRow]) -> Result<(), Invalid> {
    for (i, r) in rows.iter().enumerate() {
        r.validate()?;
        if rows[..i]
            .iter()
            .any(|o| o.category == r.category && o.grade == r.grade)
        {
            return Err(Invalid::new(
                "table",
                Text::new(
                    format!("{} {} 写了两行", r.category, r.grade.zh()),
                    format!("{} {} has two rows", r.category, r.grade.key()),
                ),
                text!(
                    "每个类别和等级只写一行",
                    "give one row per category and grade"
                ),
            ));
        }
    }
    Ok(())
}

/// How near its deadline a running time limit is (预警).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Warning {
    None,
    Yellow,
    Red,
    Overdue,
}

impl Warning {
    pub fn key(self) -> &'static str {
        match self {
            Warning::None => "none",
            Warning::Yellow => "yellow",
            Warning::Red => "red",
            Warning::Overdue => "overdue",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            Warning::None => "正常",
            Warning::Yellow => "黄色预警",
            Warning::Red => "红色预警",
            Warning::Overdue => "超期",
        }
    }
}

/// The limit one dispatch runs under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub amount: u32,
    pub unit: LimitUnit,
    pub yellow_percent: u8,
    pub red_percent: u8,
}

impl Limit {
    /// The deadline `amount` units after `from` (a dispatch, or the
    /// deadline an extension moves).
    pub fn add(cal: &WorkCalendar, unit: LimitUnit, from: Instant, amount: u32) -> Instant {
        match unit {
            LimitUnit::CalendarHours => from + Duration::hours(i64::from(amount)),
            LimitUnit::WorkingHours => cal.add_working(from, Duration::hours(i64::from(amount))),
            LimitUnit::WorkingDays => cal.add_working_days(from, amount),
        }
    }

    /// The share of the span `start..deadline` used at `now`, in the unit's
    /// time, as a warning level.
    pub fn warning(
        &self,
        cal: &WorkCalendar,
        start: Instant,
        deadline: Instant,
        now: Instant,
    ) -> Warning {
        if now > deadline {
            return Warning::Overdue;
        }
        let (used, whole) = match self.unit {
            LimitUnit::CalendarHours => (now - start, deadline - start),
            _ => (
                cal.working_between(start, now),
                cal.working_between(start, deadline),
            ),
        };
        let (used, whole) = (used.num_seconds().max(0), whole.num_seconds());
        if whole <= 0 {
            return Warning::Red;
        }
        if used * 100 >= whole * i64::from(self.red_percent) {
            Warning::Red
        } else if used * 100 >= whole * i64::from(self.yellow_percent) {
            Warning::Yellow
        } else {
            Warning::None
        }
    }
}

/// What a fold of one issue needs about time: each grade's limit for the
/// issue's category, and the calendar they are counted in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeRules {
    pub urgent: Limit,
    pub normal: Limit,
    pub minor: Limit,
    pub calendar: std::sync::Arc<WorkCalendar>,
}

impl TimeRules {
    pub fn for_grade(&self, g: Grade) -> Limit {
        match g {
            Grade::Urgent => self.urgent,
            Grade::Normal => self.normal,
            Grade::Minor => self.minor,
        }
    }

    /// The rules of `category` from a table, falling back to `deadlines`
    /// (whole calendar hours) for a grade no row covers.
    pub fn from_table(
        table: &[LimitRow],
        category: &str,
        deadlines: &crate::issue::Deadlines,
        calendar: std::sync::Arc<WorkCalendar>,
    ) -> TimeRules {
        let pick = |g: Grade| {
            let row = table
                .iter()
                .find(|r| r.grade == g && r.category == category)
                .or_else(|| table.iter().find(|r| r.grade == g && r.category == "*"));
            match row {
                Some(r) => Limit {
                    amount: r.amount,
                    unit: r.unit,
                    yellow_percent: r.yellow_percent,
                    red_percent: r.red_percent,
                },
                None => Limit {
                    amount: u32::try_from(deadlines.for_grade(g).num_hours()).unwrap_or(u32::MAX),
                    unit: LimitUnit::CalendarHours,
                    yellow_percent: YELLOW_PERCENT,
                    red_percent: RED_PERCENT,
                },
            }
        };
        TimeRules {
            urgent: pick(Grade::Urgent),
            normal: pick(Grade::Normal),
            minor: pick(Grade::Minor),
            calendar,
        }
    }
}

impl From<&crate::issue::Deadlines> for TimeRules {
    /// Calendar hours as the deadlines give them, under the shipped calendar.
    fn from(d: &crate::issue::Deadlines) -> Self {
        TimeRules::from_table(
            &[],
            "",
            d,
            std::sync::Arc::new(WorkCalendar::shipped().clone()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn bj(m: u32, d: u32, h: u32, min: u32) -> Instant {
        crate::beijing()
            .with_ymd_and_hms(2026, m, d, h, min, 0)
            .unwrap()
            .with_timezone(&chrono::Utc)
    }

    fn row(category: &str, grade: Grade, amount: u32, unit: LimitUnit) -> LimitRow {
        LimitRow {
            category: category.into(),
            grade,
            amount,
            unit,
            yellow_percent: 50,
            red_percent: 80,
        }
    }

    #[test]
    fn with_no_table_the_grade_deadlines_apply_in_calendar_hours() {
        let r = TimeRules::from(&crate::issue::Deadlines::default());
        assert_eq!(r.urgent.amount, 24, "urgent 24 hours");
        assert_eq!(r.normal.amount, 72, "normal 3 days");
        assert_eq!(r.minor.amount, 168, "minor 7 days");
        assert!(
            [r.urgent, r.normal, r.minor]
                .iter()
                .all(|l| l.unit == LimitUnit::CalendarHours),
            "calendar hours, so today's deadlines do not move"
        );
    }

    #[test]
    fn the_category_row_wins_over_any() {
        let table = [
            row("*", Grade::Normal, 3, LimitUnit::WorkingDays),
            row("市容环境", Grade::Normal, 4, LimitUnit::WorkingHours),
        ];
        let cal = std::sync::Arc::new(WorkCalendar::shipped().clone());
        let d = crate::issue::Deadlines::default();
        let env = TimeRules::from_table(&table, "市容环境", &d, cal.clone());
        assert_eq!(
            env.normal.unit,
            LimitUnit::WorkingHours,
            "exposed rubbish: 4 working hours"
        );
        let other = TimeRules::from_table(&table, "噪音", &d, cal);
        assert_eq!(
            other.normal.unit,
            LimitUnit::WorkingDays,
            "any other category: 3 days"
        );
        assert_eq!(
            other.urgent.unit,
            LimitUnit::CalendarHours,
            "no row: the grade deadline"
        );
    }

    #[test]
    fn warnings_follow_the_share_of_working_time_used() {
        let cal = WorkCalendar::shipped();
        let l = Limit {
            amount: 4,
            unit: LimitUnit::WorkingHours,
            yellow_percent: 50,
            red_percent: 80,
        };
        // Friday 27 November 16:00, due Monday 30 November 11:00.
        let start = bj(11, 27, 16, 0);
        let due = Limit::add(cal, LimitUnit::WorkingHours, start, 4);
        assert_eq!(due, bj(11, 30, 11, 0));
        let at = |t| l.warning(cal, start, due, t);
        assert_eq!(at(bj(11, 27, 17, 0)), Warning::None, "1 of 4 hours");
        assert_eq!(
            at(bj(11, 29, 12, 0)),
            Warning::None,
            "the weekend uses nothing"
        );
        assert_eq!(at(bj(11, 30, 9, 0)), Warning::Yellow, "2 of 4 hours");
        assert_eq!(at(bj(11, 30, 10, 0)), Warning::Yellow, "3 of 4 hours: 75 %");
        assert_eq!(at(bj(11, 30, 10, 30)), Warning::Red, "3.5 of 4 hours");
        assert_eq!(at(bj(11, 30, 11, 1)), Warning::Overdue, "past the deadline");
    }

    #[test]
    fn bad_rows_are_refused_in_both_languages() {
        let bad = [
            row("无此类", Grade::Normal, 3, LimitUnit::WorkingDays),
            row("*", Grade::Normal, 0, LimitUnit::WorkingDays),
            row("*", Grade::Normal, 31, LimitUnit::WorkingDays),
            LimitRow {
                yellow_percent: 80,
                red_percent: 50,
                ..row("*", Grade::Urgent, 4, LimitUnit::WorkingHours)
            },
        ];
        for r in bad {
            let e = r.validate().expect_err(&r.describe());
            assert!(
                e.problem.zh != e.problem.en && !e.fix.en.is_empty(),
                "{e:?}"
            );
        }
        let twice = [
            row("*", Grade::Normal, 3, LimitUnit::WorkingDays),
            row("*", Grade::Normal, 2, LimitUnit::WorkingDays),
        ];
        assert!(
            validate_table(&twice).is_err(),
            "one row per category and grade"
        );
    }
}
