//! The ledgers (台账) offices keep: households, issues, wishes. Each is a
//! [`Book`] built from plain rows the device reads from its store; names of
//! people and places are already resolved by the caller, so this module
//! never sees an id it would have to show.

use chrono::NaiveDateTime;
use gridline_model::{beijing, Instant};

use crate::export::{Book, Cell, Column, Sheet};

/// An instant as a Beijing wall-clock time, the way an office reads it.
pub fn local(t: Instant) -> NaiveDateTime {
    t.with_timezone(&beijing()).naive_local()
}

fn time(t: Option<Instant>) -> Cell {
    Cell::opt_time(t.map(local))
}

/// One household of the roster. The columns are the import's own, so a
/// roster exported here imports again as it is.
#[derive(Debug, Clone, PartialEq)]
pub struct RosterRow {
    pub community: String,
    pub grid: String,
    pub compound: String,
    pub building: String,
    pub unit: String,
    pub room: String,
    pub head: String,
    /// Masked (`522701********0011`) unless the user revealed them for this
    /// export; `None` when the household has none on record.
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub residents: usize,
    pub tags: Vec<String>,
}

/// 住户台账.
pub fn roster(rows: &[RosterRow]) -> Book {
    let mut s = Sheet::new(
        "住户台账",
        vec![
            Column::new("社区", 14.0),
            Column::new("网格", 16.0),
            Column::new("小区", 14.0),
            Column::new("楼栋", 8.0),
            Column::new("单元", 6.0),
            Column::new("房号", 8.0),
            Column::new("户主姓名", 10.0),
            Column::new("身份证号", 21.0),
            Column::new("联系电话", 14.0),
            Column::new("人数", 6.0),
            Column::new("标签", 24.0),
        ],
    );
    for r in rows {
        s.push(vec![
            Cell::text(&r.community),
            Cell::text(&r.grid),
            Cell::text(&r.compound),
            Cell::text(&r.building),
            Cell::text(&r.unit),
            Cell::text(&r.room),
            Cell::text(&r.head),
            Cell::opt_text(r.id_number.clone()),
            Cell::opt_text(r.phone.clone()),
            Cell::Int(r.residents as i64),
            Cell::text(r.tags.join("、")),
        ]);
    }
    Book { sheets: vec![s] }
}

/// One step of an issue, as its timeline shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct StepRow {
    /// 上报, 受理, 派遣 …
    pub step: String,
    /// 张伟 (网格员), or the id for someone the directory does not know.
    pub by: String,
    pub at: Instant,
    pub note: String,
    /// Why the fold refused it; `None` when it was applied.
    pub refused: Option<String>,
}

/// One issue of the ledger.
#[derive(Debug, Clone, PartialEq)]
pub struct IssueRow {
    pub id: String,
    pub community: String,
    pub grid: String,
    pub category: String,
    pub description: String,
    pub location: String,
    pub reporter: String,
    pub reported_at: Instant,
    /// 已上报, 已派遣 …
    pub stage: String,
    pub departments: Vec<String>,
    pub grade: Option<String>,
    pub deadline: Option<Instant>,
    pub overdue: bool,
    pub closed_at: Option<Instant>,
    /// 满意 / 不满意.
    pub evaluation: Option<String>,
    pub steps: Vec<StepRow>,
}

/// 事件台账: one row per issue, and every step on a sheet of its own.
pub fn issue_ledger(rows: &[IssueRow]) -> Book {
    let mut issues = Sheet::new(
        "事件台账",
        vec![
            Column::new("事件编号", 38.0),
            Column::new("社区", 14.0),
            Column::new("网格", 16.0),
            Column::new("类别", 10.0),
            Column::new("描述", 40.0),
            Column::new("位置", 20.0),
            Column::new("上报人", 16.0),
            Column::new("上报时间", 17.0),
            Column::new("状态", 8.0),
            Column::new("处置部门", 16.0),
            Column::new("等级", 6.0),
            Column::new("办理期限", 17.0),
            Column::new("是否超期", 8.0),
            Column::new("结案时间", 17.0),
            Column::new("评价", 8.0),
        ],
    );
    let mut steps = Sheet::new(
        "办理步骤",
        vec![
            Column::new("事件编号", 38.0),
            Column::new("序号", 6.0),
            Column::new("步骤", 10.0),
            Column::new("办理人", 18.0),
            Column::new("时间", 17.0),
            Column::new("说明", 40.0),
            Column::new("结果", 24.0),
        ],
    );
    for r in rows {
        issues.push(vec![
            Cell::text(&r.id),
            Cell::text(&r.community),
            Cell::text(&r.grid),
            Cell::text(&r.category),
            Cell::text(&r.description),
            Cell::text(&r.location),
            Cell::text(&r.reporter),
            Cell::Time(local(r.reported_at)),
            Cell::text(&r.stage),
            Cell::text(r.departments.join("、")),
            Cell::opt_text(r.grade.clone()),
            time(r.deadline),
            Cell::text(if r.overdue { "超期" } else { "" }),
            time(r.closed_at),
            Cell::opt_text(r.evaluation.clone()),
        ]);
        for (n, st) in r.steps.iter().enumerate() {
            steps.push(vec![
                Cell::text(&r.id),
                Cell::Int(n as i64 + 1),
                Cell::text(&st.step),
                Cell::text(&st.by),
                Cell::Time(local(st.at)),
                Cell::text(&st.note),
                Cell::text(match &st.refused {
                    None => "已生效".to_owned(),
                    Some(why) => format!("未生效：{why}"),
                }),
            ]);
        }
    }
    Book {
        sheets: vec![issues, steps],
    }
}

/// One wish of the ledger.
#[derive(Debug, Clone, PartialEq)]
pub struct WishRow {
    pub id: String,
    pub community: String,
    pub grid: String,
    pub title: String,
    pub category: String,
    pub value_yuan: u32,
    /// 待认领, 已认领 …
    pub stage: String,
    pub poster: String,
    pub posted_at: Instant,
    pub claimant: Option<String>,
    pub fulfilled_at: Option<Instant>,
    pub confirmed_at: Option<Instant>,
}

/// 心愿台账.
pub fn wish_ledger(rows: &[WishRow]) -> Book {
    let mut s = Sheet::new(
        "心愿台账",
        vec![
            Column::new("心愿编号", 38.0),
            Column::new("社区", 14.0),
            Column::new("网格", 16.0),
            Column::new("心愿", 30.0),
            Column::new("类别", 10.0),
            Column::new("价值（元）", 10.0),
            Column::new("状态", 8.0),
            Column::new("发布人", 16.0),
            Column::new("发布时间", 17.0),
            Column::new("认领人", 16.0),
            Column::new("完成时间", 17.0),
            Column::new("确认时间", 17.0),
        ],
    );
    for r in rows {
        s.push(vec![
            Cell::text(&r.id),
            Cell::text(&r.community),
            Cell::text(&r.grid),
            Cell::text(&r.title),
            Cell::text(&r.category),
            Cell::Int(r.value_yuan as i64),
            Cell::text(&r.stage),
            Cell::text(&r.poster),
            Cell::Time(local(r.posted_at)),
            Cell::opt_text(r.claimant.clone()),
            time(r.fulfilled_at),
            time(r.confirmed_at),
        ]);
    }
    Book { sheets: vec![s] }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    #[test]
    fn an_issue_and_its_steps_land_on_two_sheets_in_beijing_time() {
        let at = Utc.with_ymd_and_hms(2026, 11, 30, 17, 30, 0).unwrap();
        let row = IssueRow {
            id: "0190-a".into(),
            community: "幸福社区".into(),
            grid: "第1网格".into(),
            category: "环境卫生".into(),
            description: "垃圾堆放".into(),
            location: "3栋".into(),
            reporter: "张伟 (网格员)".into(),
            reported_at: at,
            stage: "已上报".into(),
            departments: vec![],
            grade: None,
            deadline: None,
            overdue: false,
            closed_at: None,
            evaluation: None,
            steps: vec![StepRow {
                step: "上报".into(),
                by: "张伟 (网格员)".into(),
                at,
                note: String::new(),
                refused: None,
            }],
        };
        let book = issue_ledger(&[row]);
        let issues = book.sheet("事件台账").unwrap();
        // 17:30 UTC on the 30th is 01:30 on 1 December in Beijing.
        assert_eq!(
            issues.cell(0, "上报时间"),
            Some(&Cell::Time(
                chrono::NaiveDate::from_ymd_opt(2026, 12, 1)
                    .unwrap()
                    .and_hms_opt(1, 30, 0)
                    .unwrap()
            ))
        );
        let steps = book.sheet("办理步骤").unwrap();
        assert_eq!(steps.cell(0, "办理人"), Some(&Cell::text("张伟 (网格员)")));
        assert_eq!(steps.cell(0, "结果"), Some(&Cell::text("已生效")));
        assert!(book.xlsx().is_ok());
    }
}
