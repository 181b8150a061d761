//! `gridline household duplicates`: the likely duplicate households (疑似重复)
//! the device finds, with why, or with `--residents` the likely duplicate
//! residents; an ID-number match says only that it is one.

use clap::Args;
use gridline_model::text;
use serde_json::json;

use crate::output::{print_json, say, Table};
use crate::Ctx;

#[derive(Debug, Args)]
pub struct DuplicatesArgs {
    /// 列出疑似重复的人员（同名同生日、同一身份证号），而不是户 (list likely duplicate residents, same name and birth date or same ID number, instead of households)
    #[arg(long)]
    residents: bool,
}

pub fn run(ctx: &Ctx, a: DuplicatesArgs) -> anyhow::Result<()> {
    let device = ctx.open()?;
    if a.residents {
        return residents(ctx, &device.duplicates()?.residents);
    }
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

fn residents(ctx: &Ctx, pairs: &[gridline_device::ResidentPair]) -> anyhow::Result<()> {
    if ctx.json {
        let side = |s: &gridline_device::ResidentSide| {
            json!({
                "id": s.id.to_string(),
                "name": s.name,
                "household": s.household.id.to_string(),
                "grid": s.household.grid.as_str(),
                "address": s.household.address,
            })
        };
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
        say!("没有疑似重复的人员", "no likely duplicate residents");
        return Ok(());
    }
    let mut t = Table::of(&[
        text!("人员一", "resident 1"),
        text!("人员二", "resident 2"),
        text!("原因", "why"),
    ]);
    for p in pairs {
        let cell = |s: &gridline_device::ResidentSide| {
            format!("{} {} ({})", s.name, s.household.address, s.household.id)
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
    say!(
        "共 {n} 对疑似重复人员",
        "{n} likely duplicate resident pairs"
    );
    Ok(())
}
