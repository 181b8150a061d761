//! `gridline household duplicates`: the likely duplicate households (疑似重复)
//! the device finds, with why; an ID-number match says only that it is one.

use gridline_model::text;
use serde_json::json;

use crate::output::{print_json, say, Table};
use crate::Ctx;

pub fn run(ctx: &Ctx) -> anyhow::Result<()> {
    let device = ctx.open()?;
    let pairs = device.duplicate_households()?;
    if ctx.json {
        let side = |s: &gridline_device::DuplicateSide| json!({ "id": s.id.to_string(), "grid": s.grid.as_str(), "address": s.address, "head": s.head_name });
        print_json(&json!(pairs
            .iter()
            .map(|p| json!({
                "a": side(&p.a),
                "b": side(&p.b),
                "reasons": p.reasons.iter().map(|r| r.key()).collect::<Vec<_>>(),
            }))
            .collect::<Vec<_>>()));
        return Ok(());
    }
    if pairs.is_empty() {
        say!("没有疑似重复的户", "no likely duplicate households");
        return Ok(());
    }
    let mut t = Table::of(&[
        text!("户一", "household 1"),
        text!("户二", "household 2"),
        text!("原因", "why"),
    ]);
    for p in &pairs {
        let cell = |s: &gridline_device::DuplicateSide| {
            format!("{} {} ({})", s.head_name, s.address, s.id)
        };
        t.row(vec![
            cell(&p.a),
            cell(&p.b),
            p.reasons
                .iter()
                .map(|r| r.text().to_string())
                .collect::<Vec<_>>()
                .join("、"),
        ]);
    }
    t.print();
    let n = pairs.len();
    say!("共 {n} 对疑似重复", "{n} likely duplicate pairs");
    Ok(())
}
