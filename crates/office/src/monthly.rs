//! 月报: the monthly report of a community or a street, as a [`Book`] of
//! four sheets (概况, 按类别, 按部门, 口径说明), with native bar charts.
//! The figures are [`MonthlyFigures`], counted by the model; this module
//! only lays them out.

use gridline_model::monthly::{Figures, MonthlyFigures, COMMUNITY};

use crate::export::{Book, Cell, ChartSpec, Column, Sheet};

/// What the report is of, for its first rows.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportTitle {
    /// 幸福社区, or 街道 for a whole street.
    pub place: String,
    pub year: i32,
    pub month: u32,
}

fn rate(r: Option<f64>) -> Cell {
    r.map_or(Cell::NotApplicable, Cell::Percent)
}

fn hours(h: Option<f64>) -> Cell {
    h.map_or(Cell::NotApplicable, |h| {
        Cell::Number((h * 10.0).round() / 10.0)
    })
}

fn int(n: u64) -> Cell {
    Cell::Int(n as i64)
}

/// The sheet names, so callers and tests name them once.
pub const SUMMARY: &str = "概况";
pub const BY_CATEGORY: &str = "按类别";
pub const BY_DEPARTMENT: &str = "按部门";
pub const NOTES: &str = "口径说明";

pub fn report(title: &ReportTitle, m: &MonthlyFigures) -> Book {
    let t = &m.total;
    let mut summary = Sheet::new(
        SUMMARY,
        vec![Column::new("指标", 26.0), Column::new("数值", 14.0)],
    );
    let period = format!("{}年{}月", title.year, title.month);
    let rows: Vec<(&str, Cell)> = vec![
        ("地区", Cell::text(&title.place)),
        ("月份", Cell::text(period)),
        ("上报事件", int(t.reported)),
        ("受理事件", int(t.accepted)),
        ("结案事件", int(t.closed)),
        ("应结案事件", int(t.due)),
        ("缓办事件", int(t.deferred)),
        ("到期已结案", int(t.due_closed)),
        ("按期结案", int(t.due_closed_on_time)),
        ("结案率", rate(t.closure_rate())),
        ("按期结案率", rate(t.on_time_rate())),
        ("居民评价", int(t.evaluated)),
        ("满意", int(t.satisfied)),
        ("满意率", rate(t.satisfaction())),
        ("处置时长中位数（小时）", hours(t.median_hours())),
        ("群众评价不满意退回", int(t.sent_back)),
    ];
    for (k, v) in rows {
        summary.push(vec![Cell::text(k), v]);
    }

    let mut by_category = Sheet::new(BY_CATEGORY, figure_columns("类别"));
    for (name, f) in &m.by_category {
        by_category.push(figure_row(name, f));
    }
    by_category.charts.push(ChartSpec {
        title: "各类别上报与结案".into(),
        categories: 0,
        values: vec![1, 3],
        max_rows: 30,
    });

    let mut by_department = Sheet::new(BY_DEPARTMENT, figure_columns("部门"));
    for (name, f) in &m.by_department {
        let label = if name == COMMUNITY {
            "（社区自办）".to_owned()
        } else {
            name.clone()
        };
        by_department.push(figure_row(&label, f));
    }
    by_department.charts.push(ChartSpec {
        title: "各部门应结案与按期结案".into(),
        categories: 0,
        values: vec![4, 6],
        max_rows: 30,
    });

    let mut notes = Sheet::new(
        NOTES,
        vec![Column::new("指标", 16.0), Column::new("口径", 90.0)],
    );
    for (k, v) in NOTE_ROWS {
        notes.push(vec![Cell::text(*k), Cell::text(*v)]);
    }
    Book {
        sheets: vec![summary, by_category, by_department, notes],
    }
}

/// The columns of a by-category or by-department row, in the order
/// [`figure_row`] writes them.
fn figure_columns(first: &str) -> Vec<Column> {
    vec![
        Column::new(first, 16.0),
        Column::new("上报", 8.0),
        Column::new("受理", 8.0),
        Column::new("结案", 8.0),
        Column::new("应结案", 8.0),
        Column::new("缓办", 6.0),
        Column::new("按期结案", 9.0),
        Column::new("结案率", 9.0),
        Column::new("按期结案率", 11.0),
        Column::new("满意率", 9.0),
        Column::new("处置时长中位数（小时）", 22.0),
        Column::new("不满意退回", 10.0),
    ]
}

fn figure_row(name: &str, f: &Figures) -> Vec<Cell> {
    vec![
        Cell::text(name),
        int(f.reported),
        int(f.accepted),
        int(f.closed),
        int(f.due),
        int(f.deferred),
        int(f.due_closed_on_time),
        rate(f.closure_rate()),
        rate(f.on_time_rate()),
        rate(f.satisfaction()),
        hours(f.median_hours()),
        int(f.sent_back),
    ]
}

const NOTE_ROWS: &[(&str, &str)] = &[
    ("上报事件", "本月上报的事件数（以上报时间计，北京时间）。"),
    ("受理事件", "本月首次受理的事件数。"),
    ("结案事件", "本月核查结案的事件数；群众评价不满意退回后重新办理的，以最近一次结案为准。"),
    ("应结案事件", "办理期限（派遣时按等级确定）在本月内到期的事件数；社区自办的事件没有办理期限，不计入。"),
    ("缓办事件", "应结案事件中经街道工作人员批准缓办（缓办步骤）的数目，不计入结案率和按期结案率的分母。"),
    ("结案率", "应结案事件中截至月末已结案的 ÷（应结案 − 缓办）。"),
    ("按期结案率", "应结案事件中在办理期限内结案的 ÷（应结案 − 缓办）。"),
    ("满意率", "本月居民评价中满意的比例（不满意的评价会退回重办，因此按评价次数计，不按仍结案的事件计）。"),
    ("处置时长中位数", "本月结案事件从上报到结案的小时数的中位数。"),
    ("不满意退回", "本月居民评价不满意、退回重办的次数，加上核查不通过退回原部门的次数，计入当时的处置部门（社区自办的计入社区）。"),
    ("按部门", "派遣给多个部门的事件在每个部门各计一次。"),
    ("说明", "所有数字均为核实记录的合计，不对个人排名，不统计使用情况。"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use gridline_model::monthly::{IssueFacts, Period};

    #[test]
    fn the_summary_says_what_the_figures_say_and_a_rate_with_nothing_due_is_a_dash() {
        let p = Period::month(2026, 11).unwrap();
        let f = IssueFacts {
            category: "治安".into(),
            reported_at: p.start,
            accepted_at: Some(p.start),
            cycles: vec![gridline_model::monthly::Cycle {
                departments: vec!["派出所".into()],
                deadline: p.end + chrono::Duration::days(1),
                closed_at: None,
                deferred: false,
            }],
            closings: vec![],
            evaluations: vec![],
            send_backs: vec![],
        };
        let m = MonthlyFigures::count([&f], p);
        let book = report(
            &ReportTitle {
                place: "幸福社区".into(),
                year: 2026,
                month: 11,
            },
            &m,
        );
        let s = book.sheet(SUMMARY).unwrap();
        let value = |k: &str| {
            s.rows
                .iter()
                .find(|r| r[0] == Cell::text(k))
                .map(|r| r[1].clone())
                .unwrap()
        };
        assert_eq!(value("上报事件"), Cell::Int(1));
        assert_eq!(value("结案率"), Cell::NotApplicable);
        assert_eq!(book.sheet(BY_CATEGORY).unwrap().rows.len(), 1);
        assert_eq!(
            book.sheet(BY_DEPARTMENT).unwrap().rows[0][0],
            Cell::text("派出所")
        );
        let xlsx = book.xlsx().unwrap();
        assert!(xlsx.len() > 1000);
    }
}
