//! `gridline device dashboard`: the dashboard (数据看板) of community and
//! street staff, from what this device holds, with the reveals of ID
//! numbers per user per month the hub last sent (a count, ordered by name:
//! never a ranking).

use gridline_model::text;
use serde_json::json;

use crate::output::{kv_of, print_json, say, Table};
use crate::Ctx;

pub fn run(ctx: &Ctx) -> anyhow::Result<()> {
    let device = ctx.open()?;
    let d = device.dashboard(ctx.now)?;
    let reveals = device.reveal_counts()?;
    if ctx.json {
        let pairs = |v: &[(String, i64)]| {
            v.iter()
                .map(|(k, n)| json!({ "key": k, "n": n }))
                .collect::<Vec<_>>()
        };
        print_json(&json!({
            "households": d.households,
            "households_visited": d.households_visited,
            "overdue": d.overdue,
            "median_hours_to_close": d.median_hours_to_close,
            "issues_by_state": pairs(&d.issues_by_state),
            "issues_by_category": pairs(&d.issues_by_category),
            "wishes_by_state": pairs(&d.wishes_by_state),
            "reveals": reveals,
        }));
        return Ok(());
    }
    kv_of(&[
        (text!("户数", "households"), d.households.to_string()),
        (
            text!("近 30 天走访户数", "households visited, last 30 days"),
            d.households_visited.to_string(),
        ),
        (text!("超期事件", "overdue issues"), d.overdue.to_string()),
        (
            text!("办结用时中位数（小时）", "median hours to close"),
            d.median_hours_to_close
                .map_or_else(|| "—".to_owned(), |h| format!("{h:.1}")),
        ),
    ]);
    out!(
        "{}",
        text!(
            "查看完整身份证号次数（按人、按月）",
            "reveals of ID numbers in full, per person per month"
        )
    );
    if reveals.is_empty() {
        say!(
            "  无记录（由枢纽在同步时送来）",
            "  none (the hub sends them with each sync)"
        );
        return Ok(());
    }
    let mut t = Table::indented(&[
        text!("社区", "community"),
        text!("姓名", "name"),
        text!("用户", "user"),
        text!("月份", "month"),
        text!("次数", "reveals"),
    ]);
    for r in &reveals {
        t.row(vec![
            format!("  {}", r.community),
            r.user_name.clone(),
            r.user_id.clone(),
            r.month.clone(),
            r.n.to_string(),
        ]);
    }
    t.print();
    Ok(())
}
