//! The working calendar (工作日历) issue time limits are counted in.
//!
//! Cities set time limits in working hours and working days
//! (`shared/notes/governance-facts.md`), so a deadline must skip nights,
//! weekends and the State Council's public holidays, and count the weekend
//! days swapped for them (调休上班) as working days. All of it is Beijing
//! time (UTC+8): offices keep it, and a fixed offset makes every replica
//! compute the same instant.
//!
//! The calendar is data: the hub admin replaces a year's arrangement
//! (`gridline hub limits set --calendar FILE`) and the hub sends it with every
//! sync response beside [`crate::StreetLimits`]. The arrangement shipped in
//! the binary ([`WorkCalendar::shipped`], `data/holidays-cn.txt`) holds 2026
//! as published and 2027 as provisional (statutory days only) until the
//! State Council publishes it.
//!
//! The definitions every replica folds with:
//!
//! - a **working day** is a listed 调休 working day, or a weekday that is
//!   not a listed day off; a year not in the calendar has weekends only;
//! - **working time** is the day's spans ([`WorkCalendar::spans`], by
//!   default 08:30–12:00 and 14:00–17:30, seven hours);
//! - **N working hours from `t`** is the instant at which N hours of
//!   working time have passed since `t` (time before the next span starts
//!   does not count): Friday 16:00 plus 4 working hours is Monday 11:00;
//! - **N working days from `t`** is the end of the last span of the Nth
//!   working day after `t`'s day (the day of dispatch never counts, however
//!   early): dispatched on Friday, 1 working day is due at Monday 17:30.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Weekday};

use crate::{text, Instant, Invalid, Text};

/// The text of the arrangement shipped in the binary.
pub const SHIPPED: &str = include_str!("../data/holidays-cn.txt");

/// The years a calendar may hold, so a typo like 20266 is refused.
pub const YEARS: std::ops::RangeInclusive<i32> = 2020..=2099;

/// How far a deadline may be counted: a calendar with no working day in it
/// (never the case with weekends off) ends the search instead of spinning.
const MAX_DAYS: i64 = 3 * 366;

/// One year's arrangement as the State Council (or the admin) gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearArrangement {
    /// The notice it comes from, e.g. 国办发明电〔2025〕7号.
    pub source: String,
    /// Statutory days only, the notice not yet out: shown so, and replaced
    /// when the admin imports the notice.
    pub provisional: bool,
    /// Days off that would otherwise be working days, with the holiday's name.
    pub off: BTreeMap<NaiveDate, String>,
    /// Weekend days worked instead (调休上班), with the holiday's name.
    pub work: BTreeMap<NaiveDate, String>,
}

/// The working calendar: a day's working spans and each year's arrangement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkCalendar {
    /// The working spans of a working day, in order, not overlapping.
    pub spans: Vec<(NaiveTime, NaiveTime)>,
    pub years: BTreeMap<i32, YearArrangement>,
}

fn beijing() -> chrono::FixedOffset {
    crate::beijing()
}

impl Default for WorkCalendar {
    /// The shipped arrangement.
    fn default() -> Self {
        Self::shipped().clone()
    }
}

impl WorkCalendar {
    /// The arrangement shipped in the binary, parsed once.
    pub fn shipped() -> &'static WorkCalendar {
        static SHIPPED_CALENDAR: std::sync::OnceLock<WorkCalendar> = std::sync::OnceLock::new();
        SHIPPED_CALENDAR
            .get_or_init(|| WorkCalendar::parse(SHIPPED).expect("the shipped calendar parses"))
    }

    /// Reads the text form (see `data/holidays-cn.txt`), naming the line at
    /// fault in both languages.
    pub fn parse(text: &str) -> Result<WorkCalendar, Invalid> {
        let mut spans = Vec::new();
        let mut years: BTreeMap<i32, YearArrangement> = BTreeMap::new();
        let mut current: Option<i32> = None;
        for (n, raw) in text.lines().enumerate() {
            let n = n + 1;
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = |zh: String, en: String| {
                Invalid::new(
                    "calendar",
                    Text::new(format!("第 {n} 行：{zh}"), format!("line {n}: {en}")),
                    text!(
                        "每行以 hours、year、off 或 work 开头，日期写作 2026-10-01，时间写作 08:30-12:00",
                        "begin each line with hours, year, off or work; write dates as 2026-10-01 and spans as 08:30-12:00"
                    ),
                )
            };
            let mut words = line.split_whitespace();
            let head = words.next().unwrap_or_default();
            let rest: Vec<&str> = words.collect();
            match head {
                "hours" => {
                    if !spans.is_empty() {
                        return Err(bad("工作时间写了两次".into(), "hours given twice".into()));
                    }
                    for w in &rest {
                        let (a, b) = w.split_once('-').unwrap_or((w, ""));
                        let t = |s: &str| NaiveTime::parse_from_str(s, "%H:%M").ok();
                        match (t(a), t(b)) {
                            (Some(a), Some(b)) if a < b => spans.push((a, b)),
                            _ => {
                                return Err(bad(
                                    format!("工作时段 \"{w}\" 无效"),
                                    format!("working span \"{w}\" is not valid"),
                                ))
                            }
                        }
                    }
                    if spans.is_empty() || spans.windows(2).any(|p| p[0].1 > p[1].0) {
                        return Err(bad(
                            "工作时段须至少一段，按时间先后且不重叠".into(),
                            "working spans must be at least one, in order and not overlapping"
                                .into(),
                        ));
                    }
                }
                "year" => {
                    let y = rest
                        .first()
                        .and_then(|s| s.parse::<i32>().ok())
                        .filter(|y| YEARS.contains(y))
                        .ok_or_else(|| {
                            bad(
                                format!("年份须在 {} 到 {} 之间", YEARS.start(), YEARS.end()),
                                format!("the year must be {} to {}", YEARS.start(), YEARS.end()),
                            )
                        })?;
                    if years.contains_key(&y) {
                        return Err(bad(
                            format!("{y} 年写了两次"),
                            format!("year {y} given twice"),
                        ));
                    }
                    let provisional = rest.get(1) == Some(&"provisional");
                    let source = rest[if provisional { 2 } else { 1 }..].join(" ");
                    years.insert(
                        y,
                        YearArrangement {
                            source,
                            provisional,
                            off: BTreeMap::new(),
                            work: BTreeMap::new(),
                        },
                    );
                    current = Some(y);
                }
                "off" | "work" => {
                    let Some(y) = current else {
                        return Err(bad(
                            "日期之前须先写 year 行".into(),
                            "a year line must come before its dates".into(),
                        ));
                    };
                    let date = |s: Option<&&str>| {
                        s.and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
                    };
                    let first = date(rest.first())
                        .ok_or_else(|| bad("日期无效".into(), "the date is not valid".into()))?;
                    let (last, name_at) = match date(rest.get(1)) {
                        Some(d) if head == "off" => (d, 2),
                        _ => (first, 1),
                    };
                    let name = rest.get(name_at..).unwrap_or_default().join(" ");
                    if first.year() != y || last.year() != y || last < first {
                        return Err(bad(
                            format!("日期须在 {y} 年内且先后有序"),
                            format!("dates must lie in {y} and be in order"),
                        ));
                    }
                    if last - first > Duration::days(31) {
                        return Err(bad(
                            "一段假期不超过 31 天".into(),
                            "a holiday is at most 31 days".into(),
                        ));
                    }
                    let a = years.get_mut(&y).expect("the current year is listed");
                    let mut d = first;
                    while d <= last {
                        let weekend = matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
                        if head == "work" && !weekend {
                            return Err(bad(
                                format!("{d} 是工作日，不必列为调休上班"),
                                format!("{d} is a weekday, already a working day"),
                            ));
                        }
                        if a.off.contains_key(&d) || a.work.contains_key(&d) {
                            return Err(bad(
                                format!("{d} 写了两次"),
                                format!("{d} is given twice"),
                            ));
                        }
                        let map = if head == "off" {
                            &mut a.off
                        } else {
                            &mut a.work
                        };
                        map.insert(d, name.clone());
                        d += Duration::days(1);
                    }
                }
                other => {
                    return Err(bad(
                        format!("无法识别 \"{other}\""),
                        format!("unknown line \"{other}\""),
                    ))
                }
            }
        }
        if spans.is_empty() {
            return Err(Invalid::new(
                "calendar",
                text!("日历缺少工作时间", "the calendar has no working hours"),
                text!(
                    "加一行 hours 08:30-12:00 14:00-17:30",
                    "add a line such as hours 08:30-12:00 14:00-17:30"
                ),
            ));
        }
        Ok(WorkCalendar { spans, years })
    }

    /// The text form [`WorkCalendar::parse`] reads back to the same calendar.
    pub fn to_text(&self) -> String {
        let mut out = String::from("hours");
        for (a, b) in &self.spans {
            out.push_str(&format!(" {}-{}", a.format("%H:%M"), b.format("%H:%M")));
        }
        out.push('\n');
        for (y, a) in &self.years {
            out.push_str(&format!("\nyear {y}"));
            if a.provisional {
                out.push_str(" provisional");
            }
            if !a.source.is_empty() {
                out.push_str(&format!(" {}", a.source));
            }
            out.push('\n');
            for (d, name) in &a.off {
                out.push_str(&format!("off {d} {name}\n").replace(" \n", "\n"));
            }
            for (d, name) in &a.work {
                out.push_str(&format!("work {d} {name}\n").replace(" \n", "\n"));
            }
        }
        out
    }

    /// This calendar with `other`'s years put in place of its own (the
    /// admin imports one notice at a time); `other`'s hours, when it gives
    /// any, replace these.
    pub fn with_years_of(&self, other: &WorkCalendar) -> WorkCalendar {
        let mut next = self.clone();
        next.spans = other.spans.clone();
        for (y, a) in &other.years {
            next.years.insert(*y, a.clone());
        }
        next
    }

    /// Whether `d` is a working day (see the module docs).
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        let year = self.years.get(&d.year());
        if year.is_some_and(|a| a.work.contains_key(&d)) {
            return true;
        }
        if year.is_some_and(|a| a.off.contains_key(&d)) {
            return false;
        }
        !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
    }

    /// Working time in one day.
    pub fn day_length(&self) -> Duration {
        self.spans.iter().map(|(a, b)| *b - *a).sum()
    }

    fn at(d: NaiveDate, t: NaiveTime) -> Instant {
        beijing()
            .from_local_datetime(&d.and_time(t))
            .single()
            .expect("a fixed offset has one local time")
            .with_timezone(&chrono::Utc)
    }

    /// The instant `amount` of working time after `start`.
    pub fn add_working(&self, start: Instant, amount: Duration) -> Instant {
        if amount <= Duration::zero() {
            return start;
        }
        let local = start.with_timezone(&beijing());
        let mut day = local.date_naive();
        let mut from = local.time();
        let mut left = amount;
        for _ in 0..MAX_DAYS {
            if self.is_working_day(day) {
                for (a, b) in &self.spans {
                    let s = (*a).max(from);
                    if s >= *b {
                        continue;
                    }
                    let avail = *b - s;
                    if left <= avail {
                        return Self::at(day, s) + left;
                    }
                    left -= avail;
                }
            }
            day = day.succ_opt().expect("dates this near have a next day");
            from = NaiveTime::MIN;
        }
        start + amount
    }

    /// The end of the `n`th working day after `start`'s day.
    pub fn add_working_days(&self, start: Instant, n: u32) -> Instant {
        let mut day = start.with_timezone(&beijing()).date_naive();
        let mut counted = 0;
        for _ in 0..MAX_DAYS {
            if counted == n {
                break;
            }
            day = day.succ_opt().expect("dates this near have a next day");
            counted += u32::from(self.is_working_day(day));
        }
        let end = self.spans.last().map_or(NaiveTime::MIN, |s| s.1);
        Self::at(day, end)
    }

    /// Working time between `from` and `to` (zero when `to` is not later).
    pub fn working_between(&self, from: Instant, to: Instant) -> Duration {
        if to <= from {
            return Duration::zero();
        }
        let (a, b) = (from.with_timezone(&beijing()), to.with_timezone(&beijing()));
        let mut day = a.date_naive();
        let last = b.date_naive();
        let mut total = Duration::zero();
        while day <= last {
            if self.is_working_day(day) {
                for (s, e) in &self.spans {
                    let s = Self::at(day, *s).max(from);
                    let e = Self::at(day, *e).min(to);
                    if e > s {
                        total += e - s;
                    }
                }
            }
            day = day.succ_opt().expect("dates this near have a next day");
        }
        total
    }

    /// Whether `year`'s arrangement is missing or provisional, so a screen
    /// can say its deadlines may move when the notice is imported.
    pub fn provisional(&self, year: i32) -> bool {
        self.years.get(&year).is_none_or(|a| a.provisional)
    }
}

/// The calendar travels in its text form, so the wire, the store and the
/// admin's file are one format.
impl serde::Serialize for WorkCalendar {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_text())
    }
}

impl<'de> serde::Deserialize<'de> for WorkCalendar {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let t = String::deserialize(d)?;
        WorkCalendar::parse(&t).map_err(|e| serde::de::Error::custom(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An instant given in Beijing time.
    fn bj(y: i32, m: u32, d: u32, h: u32, min: u32) -> Instant {
        beijing()
            .with_ymd_and_hms(y, m, d, h, min, 0)
            .unwrap()
            .with_timezone(&chrono::Utc)
    }

    fn cal() -> &'static WorkCalendar {
        WorkCalendar::shipped()
    }

    #[test]
    fn the_shipped_calendar_holds_the_2026_notice() {
        let c = cal();
        let date = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        for (m, d) in [
            (1, 1),
            (2, 16),
            (2, 23),
            (4, 6),
            (5, 5),
            (6, 19),
            (9, 25),
            (10, 7),
        ] {
            assert!(!c.is_working_day(date(m, d)), "2026-{m}-{d} is a day off");
        }
        for (m, d) in [(1, 4), (2, 14), (2, 28), (5, 9), (9, 20), (10, 10)] {
            assert!(
                c.is_working_day(date(m, d)),
                "2026-{m}-{d} is a swapped working day"
            );
        }
        assert!(!c.is_working_day(date(10, 11)), "an ordinary Sunday is off");
        assert!(c.is_working_day(date(10, 12)), "an ordinary Monday works");
        assert!(!c.provisional(2026), "2026 is published");
        assert!(c.provisional(2027), "2027 waits for the notice");
        assert_eq!(
            c.day_length(),
            Duration::hours(7),
            "08:30–12:00 and 14:00–17:30"
        );
    }

    #[test]
    fn four_working_hours_from_friday_afternoon_land_on_monday_morning() {
        // Friday 27 November 2026, 16:00: 1.5 h on Friday, 2.5 h on Monday.
        assert_eq!(
            cal().add_working(bj(2026, 11, 27, 16, 0), Duration::hours(4)),
            bj(2026, 11, 30, 11, 0)
        );
        // The lunch break does not count.
        assert_eq!(
            cal().add_working(bj(2026, 11, 30, 11, 0), Duration::hours(2)),
            bj(2026, 11, 30, 15, 0)
        );
        // Before the office opens, counting starts at 08:30.
        assert_eq!(
            cal().add_working(bj(2026, 11, 30, 6, 0), Duration::hours(1)),
            bj(2026, 11, 30, 9, 30)
        );
    }

    #[test]
    fn national_day_week_is_skipped_and_its_swapped_saturday_counts() {
        // Wednesday 30 September 2026, 17:00, plus 1 working hour: the week
        // of 1–7 October is off, Thursday 8 October opens at 08:30.
        assert_eq!(
            cal().add_working(bj(2026, 9, 30, 17, 0), Duration::hours(1)),
            bj(2026, 10, 8, 9, 0)
        );
        // Dispatched Thursday 8 October: working days 9 (Fri), 10 (Sat,
        // swapped), 12 (Mon).
        assert_eq!(
            cal().add_working_days(bj(2026, 10, 8, 10, 0), 3),
            bj(2026, 10, 12, 17, 30)
        );
        // Sunday 20 September is a working day before the holiday.
        assert_eq!(
            cal().add_working_days(bj(2026, 9, 18, 10, 0), 1),
            bj(2026, 9, 20, 17, 30)
        );
    }

    #[test]
    fn the_spring_festival_holiday_is_skipped() {
        // Friday 13 February 2026: Saturday 14 works, 15–23 are off.
        assert_eq!(
            cal().add_working_days(bj(2026, 2, 13, 9, 0), 2),
            bj(2026, 2, 24, 17, 30)
        );
        assert_eq!(
            cal().working_between(bj(2026, 2, 14, 17, 0), bj(2026, 2, 24, 9, 30)),
            Duration::minutes(90),
            "half an hour on the swapped Saturday, an hour on the 24th"
        );
    }

    #[test]
    fn working_time_between_is_the_inverse_of_adding_it() {
        let start = bj(2026, 4, 3, 15, 20);
        for h in [1, 4, 7, 13, 40] {
            let end = cal().add_working(start, Duration::hours(h));
            assert_eq!(
                cal().working_between(start, end),
                Duration::hours(h),
                "{h} working hours from {start} end at {end}"
            );
        }
    }

    #[test]
    fn the_text_form_reads_back_the_same() {
        let c = cal();
        let again = WorkCalendar::parse(&c.to_text()).expect("its own text parses");
        assert_eq!(&again, c, "text form round-trips");
        let json = serde_json::to_string(c).unwrap();
        assert_eq!(&serde_json::from_str::<WorkCalendar>(&json).unwrap(), c);
    }

    #[test]
    fn bad_lines_are_refused_with_the_line_in_both_languages() {
        let cases = [
            ("hours 12:00-08:30\n", "第 1 行", "line 1"),
            (
                "hours 08:30-12:00\nyear 2026\nwork 2026-10-09 国庆\n",
                "第 3 行",
                "weekday",
            ),
            (
                "hours 08:30-12:00\noff 2026-10-01\n",
                "第 2 行",
                "year line",
            ),
            (
                "hours 08:30-12:00\nyear 2026\noff 2027-01-01\n",
                "第 3 行",
                "lie in 2026",
            ),
            ("hours 08:30-12:00\nyear 20266\n", "第 2 行", "year must be"),
            ("year 2026\n", "工作时间", "no working hours"),
            ("holiday 2026-10-01\n", "无法识别", "unknown line"),
        ];
        for (text, zh, en) in cases {
            let e = WorkCalendar::parse(text).expect_err(text);
            assert!(
                e.problem.zh.contains(zh) && e.problem.en.contains(en),
                "{text:?} is refused in both languages: {e:?}"
            );
            assert!(
                !e.fix.zh.is_empty() && e.fix.zh != e.fix.en,
                "a fix in both languages"
            );
        }
    }
}
