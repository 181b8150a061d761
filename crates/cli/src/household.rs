//! `gridline household add | edit | add-resident | show | list | search | resolve | import`.

use clap::{Args, Subcommand};
use gridline_device::reveal::Via;
use gridline_device::{HouseholdEdit, HouseholdView, NewHousehold, NewResident};
use gridline_device::{HouseholdFilter, HouseholdSummary};
use gridline_model::permission::{check, Action, Kind};
use gridline_model::{text, GridId, Tag, Target, Text};
use serde_json::{json, Value};

use crate::output::{date_str, kv_of, or_dash, print_json, saved, say, when, word, Table};
use crate::parse_error::invalid_at;
use crate::{issue, usage, visit, wish, Ctx};

#[derive(Debug, Subcommand)]
pub enum HouseholdCmd {
    /// 新增一户 (add a household with its head)
    Add(AddArgs),
    /// 修改户信息 (edit a household)
    Edit(EditArgs),
    /// 添加居民 (add a resident to a household)
    AddResident(AddResidentArgs),
    /// 查看一户 (show a household: residents, tags, visits, issues, wishes)
    Show(ShowArgs),
    /// 列出户 (list households)
    List(ListArgs),
    /// 按姓名、拼音首字母、地址或电话查找 (search by name, pinyin initials, address or phone)
    Search(SearchArgs),
    /// 解决字段冲突：选定一个值 (resolve a field conflict by choosing a value)
    Resolve(ResolveArgs),
    /// 导入住户台账：xlsx、xls、ods 或 CSV，全部导入或全不导入 (import a household roster: xlsx, xls, ods or CSV; all rows or none)
    Import(ImportArgs),
    /// 疑似重复的户：同一地址、户主同名同生日、同一身份证号；加 --residents 列出疑似重复的人员 (likely duplicate households: same address, same head name and birth date, same ID number; --residents lists likely duplicate residents)
    Duplicates(crate::duplicates::DuplicatesArgs),
    /// 合并重复户：被合并户保留但不再列出，其居民、走访、事件、心愿归入保留户 (merge a duplicate household into the one kept: it stays, unlisted; its residents, visits, issues and wishes show under the survivor)
    Merge(crate::merge::MergeArgs),
    /// 撤销合并 (undo a mistaken merge)
    Unmerge(crate::merge::UnmergeArgs),
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// 台账文件 (the roster file: xlsx, xls, ods, or CSV in UTF-8 or GBK)
    file: std::path::PathBuf,
    /// 工作表名称，默认第一张有表头的 (the sheet to read; default: the first with a header)
    #[arg(long, value_name = "NAME")]
    sheet: Option<String>,
    /// 只预览：列出将新增和已有的户及每一处错误，不保存 (preview only: list the households to create, those already here, and every error; keep nothing)
    #[arg(long)]
    dry_run: bool,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// 网格编号，15 位 (grid id, 15 digits), 如 522701001001001
    #[arg(long, value_name = "GRID")]
    grid: String,
    /// 小区 (compound), 如 水花都小区
    #[arg(long, default_value = "")]
    compound: String,
    /// 楼栋 (building), 如 8栋
    #[arg(long)]
    building: String,
    /// 单元 (unit), 如 1单元
    #[arg(long, default_value = "")]
    unit: String,
    /// 房号 (room), 如 401
    #[arg(long)]
    room: String,
    /// 户主姓名 (head of household's name)
    #[arg(long, value_name = "NAME")]
    head: String,
    /// 户主身份证号 (head's national ID number)
    #[arg(long, value_name = "ID_NUMBER")]
    id_number: Option<String>,
    /// 户主性别 (head's gender): 男/male, 女/female
    #[arg(long)]
    gender: Option<String>,
    /// 户主出生日期 (head's birth date), YYYY-MM-DD
    #[arg(long, value_name = "DATE")]
    birth_date: Option<String>,
    /// 户联系电话 (household phone)
    #[arg(long, value_name = "PHONE")]
    phone: Option<String>,
    /// 户主手机 (head's own mobile)
    #[arg(long, value_name = "PHONE")]
    head_phone: Option<String>,
    /// 标签，可多次 (tag, repeatable), 如 独居老人、低保户
    #[arg(long = "tag", value_name = "TAG")]
    tags: Vec<String>,
    /// 备注 (notes)
    #[arg(long, default_value = "")]
    notes: String,
    /// 记录编号（UUID v7），供脚本重试：同一编号再保存仍是同一条记录 (the record's id, a UUID v7, so a script can retry: saving again with the same id is the same record, not a second one)
    #[arg(long, value_name = "UUID")]
    id: Option<String>,
}

#[derive(Debug, Args)]
pub struct EditArgs {
    /// 户编号 (household id)
    id: String,
    /// 小区 (compound)
    #[arg(long)]
    compound: Option<String>,
    /// 楼栋 (building)
    #[arg(long)]
    building: Option<String>,
    /// 单元 (unit)
    #[arg(long)]
    unit: Option<String>,
    /// 房号 (room)
    #[arg(long)]
    room: Option<String>,
    /// 户联系电话，空串清除 (household phone; "" clears it)
    #[arg(long)]
    phone: Option<String>,
    /// 备注 (notes)
    #[arg(long)]
    notes: Option<String>,
    /// 添加标签，可多次 (add a tag, repeatable)
    #[arg(long = "add-tag", value_name = "TAG")]
    add_tags: Vec<String>,
    /// 去掉标签，可多次 (remove a tag, repeatable)
    #[arg(long = "remove-tag", value_name = "TAG")]
    remove_tags: Vec<String>,
    /// 该户位置，纬度 WGS-84 (the household's latitude, WGS-84)
    #[arg(long, value_name = "DEG", requires = "lon", allow_hyphen_values = true)]
    lat: Option<f64>,
    /// 经度 WGS-84 (longitude, WGS-84)
    #[arg(long, value_name = "DEG", requires = "lat", allow_hyphen_values = true)]
    lon: Option<f64>,
    /// 定位精度，米 (accuracy in metres)
    #[arg(long, value_name = "M", requires = "lat")]
    accuracy: Option<f64>,
    /// 位置来源 (source): gps 定位 / map 地图选点
    #[arg(
        long = "position-source",
        value_name = "SOURCE",
        default_value = "gps",
        requires = "lat"
    )]
    position_source: String,
}

#[derive(Debug, Args)]
pub struct AddResidentArgs {
    /// 户编号 (household id)
    id: String,
    /// 姓名 (name)
    #[arg(long)]
    name: String,
    /// 与户主关系 (relation to the head): 配偶、子女、父母、孙子女、其他
    #[arg(long)]
    relation: Option<String>,
    /// 身份证号 (national ID number)
    #[arg(long, value_name = "ID_NUMBER")]
    id_number: Option<String>,
    /// 性别 (gender): 男/male, 女/female
    #[arg(long)]
    gender: Option<String>,
    /// 出生日期 (birth date), YYYY-MM-DD
    #[arg(long, value_name = "DATE")]
    birth_date: Option<String>,
    /// 手机 (mobile)
    #[arg(long)]
    phone: Option<String>,
    /// 个人标签，可多次 (personal tag, repeatable; not the sensitive ones)
    #[arg(long = "tag", value_name = "TAG")]
    tags: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// 户编号 (household id)
    id: String,
    /// 显示完整身份证号，记入审计并同步到枢纽 (show full ID numbers; only roles that may see them; audited and synced to the hub)
    #[arg(long)]
    reveal: bool,
    /// 查看理由，记入审计，最多 200 字 (why, for the audit trail; at most 200 characters; needs --reveal)
    #[arg(long, value_name = "TEXT", requires = "reveal")]
    reason: Option<String>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// 只列此网格 (only this grid)
    #[arg(long, value_name = "GRID")]
    grid: Option<String>,
    /// 只列有此标签的户 (only households with this tag)
    #[arg(long, value_name = "TAG")]
    tag: Option<String>,
    /// 只列 N 天内未走访的户 (only households not visited in N days)
    #[arg(long, value_name = "N")]
    not_visited_days: Option<u32>,
    /// 最多列出 N 户 (at most N households)
    #[arg(long, value_name = "N")]
    limit: Option<usize>,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// 姓名、拼音 (zs / zhangsan)、地址或电话片段 (name, pinyin, address or phone fragment)
    query: String,
    /// 最多 N 条 (at most N results)
    #[arg(long, value_name = "N", default_value_t = 20)]
    limit: usize,
}

#[derive(Debug, Args)]
pub struct ResolveArgs {
    /// 户编号 (household id)
    id: String,
    /// 冲突字段路径 (conflicting field path), 如 phone, residents.<id>.name
    #[arg(long, value_name = "PATH")]
    field: String,
    /// 选定的值 (the chosen value)
    #[arg(long, value_name = "VALUE")]
    value: String,
}

pub fn run(ctx: &Ctx, cmd: HouseholdCmd) -> anyhow::Result<()> {
    match cmd {
        HouseholdCmd::Add(a) => add(ctx, a),
        HouseholdCmd::Edit(a) => edit(ctx, a),
        HouseholdCmd::AddResident(a) => add_resident(ctx, a),
        HouseholdCmd::Show(a) => show(ctx, a),
        HouseholdCmd::List(a) => list(ctx, a),
        HouseholdCmd::Search(a) => search(ctx, a),
        HouseholdCmd::Resolve(a) => resolve(ctx, a),
        HouseholdCmd::Import(a) => import(ctx, a),
        HouseholdCmd::Duplicates(a) => crate::duplicates::run(ctx, a),
        HouseholdCmd::Merge(a) => crate::merge::merge(ctx, a),
        HouseholdCmd::Unmerge(a) => crate::merge::unmerge(ctx, a),
    }
}

/// Rows listed in a preview before "…": a street's roster is thousands.
const PREVIEW_ROWS: usize = 20;

fn import(ctx: &Ctx, a: ImportArgs) -> anyhow::Result<()> {
    let bytes = std::fs::read(&a.file).map_err(|e| {
        let file = a.file.display();
        usage(text!("无法读取 {file}：{e}", "cannot read {file}: {e}").to_string())
    })?;
    let mut device = ctx.open()?;
    let o = device.import_households(&bytes, a.sheet.as_deref(), a.dry_run, ctx.now)?;
    if !o.errors.is_empty() {
        let message = o.errors_text();
        return Err(usage(message.to_string()));
    }
    let by_id = o
        .matched
        .iter()
        .filter(|(_, by)| *by == gridline_device::MatchedBy::IdNumber)
        .count();
    let (created, matched) = (o.to_create.len(), o.matched.len());
    let by_address = matched - by_id;
    if ctx.json {
        let line = |l: &gridline_device::ImportLine| json!({"line": l.line, "grid": l.grid.as_str(), "address": l.address, "head": l.head_name, "household": l.household.to_string()});
        print_json(&json!({
            "status": if o.saved { "saved" } else { "dry-run" },
            "format": o.format.map(|f| f.label()),
            "sheet": o.sheet,
            "sheets": o.sheets,
            "created": o.to_create.iter().map(line).collect::<Vec<_>>(),
            "matched": o.matched.iter().map(|(l, by)| {
                let mut v = line(l);
                v["by"] = json!(match by {
                    gridline_device::MatchedBy::IdNumber => "id-number",
                    gridline_device::MatchedBy::Address => "address",
                });
                v
            }).collect::<Vec<_>>(),
        }));
        return Ok(());
    }
    if let Some(sheet) = &o.sheet {
        let all = o.sheets.join("、");
        say!(
            "工作表：{sheet}（共有：{all}）",
            "sheet: {sheet} (of: {all})"
        );
    }
    if o.saved {
        say!(
            "已导入 {created} 户；{matched} 户本机已有，未改动（按身份证号 {by_id}，按地址 {by_address}）",
            "imported {created} households; {matched} already here were left as they are ({by_id} by ID number, {by_address} by address)"
        );
        return Ok(());
    }
    say!(
        "预览，未保存：将新增 {created} 户；{matched} 户本机已有（按身份证号 {by_id}，按地址 {by_address}）",
        "preview, nothing kept: {created} households to create; {matched} already here ({by_id} by ID number, {by_address} by address)"
    );
    if created > 0 {
        let mut t = Table::of(&[
            text!("行", "line"),
            text!("网格", "grid"),
            text!("地址", "address"),
            text!("户主", "head"),
        ]);
        for l in o.to_create.iter().take(PREVIEW_ROWS) {
            t.row(vec![
                l.line.to_string(),
                device.place_name(l.grid.as_str()),
                l.address.clone(),
                l.head_name.clone(),
            ]);
        }
        t.print();
        if created > PREVIEW_ROWS {
            let more = created - PREVIEW_ROWS;
            say!("……另有 {more} 户", "… and {more} more");
        }
    }
    Ok(())
}

fn add(ctx: &Ctx, a: AddArgs) -> anyhow::Result<()> {
    let mut device = ctx.open()?;
    let new = NewHousehold {
        grid: a.grid,
        compound: a.compound,
        building: a.building,
        unit: a.unit,
        room: a.room,
        phone: a.phone,
        tags: a.tags,
        head: NewResident {
            name: a.head,
            relation: None,
            id_number: a.id_number,
            gender: a.gender,
            birth_date: a.birth_date,
            phone: a.head_phone,
            tags: Vec::new(),
        },
        notes: a.notes,
        members: Vec::new(),
    };
    let c = device.add_household_with_id(&new, a.id.as_deref(), ctx.now)?;
    crate::output::created(ctx, &c, json!({}));
    Ok(())
}

fn edit(ctx: &Ctx, a: EditArgs) -> anyhow::Result<()> {
    let edit = HouseholdEdit {
        compound: a.compound,
        building: a.building,
        unit: a.unit,
        room: a.room,
        phone: a.phone,
        add_tags: a.add_tags,
        remove_tags: a.remove_tags,
        notes: a.notes,
        add_resident: None,
        location: match (a.lat, a.lon) {
            (Some(lat), Some(lon)) => Some(gridline_model::Location {
                lat,
                lon,
                accuracy_m: a.accuracy,
                source: gridline_model::LocationSource::parse(&a.position_source)?,
            }),
            _ => None,
        },
    };
    let nothing = edit.compound.is_none()
        && edit.building.is_none()
        && edit.unit.is_none()
        && edit.room.is_none()
        && edit.phone.is_none()
        && edit.notes.is_none()
        && edit.add_tags.is_empty()
        && edit.remove_tags.is_empty()
        && edit.location.is_none();
    if nothing {
        return Err(usage(
            text!(
                "没有要修改的内容；请用 --compound/--building/--unit/--room/--phone/--notes/--add-tag/--remove-tag/--lat --lon",
                "nothing to change; give --compound/--building/--unit/--room/--phone/--notes/--add-tag/--remove-tag/--lat --lon"
            )
            .to_string(),
        ));
    }
    let mut device = ctx.open()?;
    device.edit_household(&a.id, &edit, ctx.now)?;
    saved(ctx, a.id.trim(), json!({}));
    Ok(())
}

fn add_resident(ctx: &Ctx, a: AddResidentArgs) -> anyhow::Result<()> {
    let mut device = ctx.open()?;
    let edit = HouseholdEdit {
        add_resident: Some(NewResident {
            name: a.name,
            relation: a.relation,
            id_number: a.id_number,
            gender: a.gender,
            birth_date: a.birth_date,
            phone: a.phone,
            tags: a.tags,
        }),
        ..Default::default()
    };
    if edit
        .add_resident
        .as_ref()
        .is_some_and(|r| r.name.trim().is_empty())
    {
        return Err(usage(
            text!(
                "居民姓名为空；请填写 --name",
                "the resident has no name; give --name"
            )
            .to_string(),
        ));
    }
    device.edit_household(&a.id, &edit, ctx.now)?;
    saved(ctx, a.id.trim(), json!({}));
    Ok(())
}

pub fn row_json(r: &HouseholdSummary) -> Value {
    json!({
        "id": r.id.to_string(),
        "grid": r.grid.to_string(),
        "address": r.address,
        "head_name": r.head_name,
        "phone": r.phone,
        "resident_count": r.resident_count,
        "tags": r.tags.iter().map(|t| t.zh()).collect::<Vec<_>>(),
        "last_visit": r.last_visit.map(gridline_model::fmt_time),
        "sync_state": r.sync_state.key(),
        "sync_state_zh": r.sync_state.zh(),
    })
}

/// `total`: how many match in all when `rows` is cut short by a limit.
fn print_rows(ctx: &Ctx, rows: &[HouseholdSummary], total: Option<usize>) {
    if ctx.json {
        print_json(&Value::Array(rows.iter().map(row_json).collect()));
        return;
    }
    if rows.is_empty() {
        say!("没有找到户", "no households");
        return;
    }
    let mut t = Table::of(&[
        text!("编号", "id"),
        text!("户主", "head"),
        text!("地址", "address"),
        text!("人数", "residents"),
        text!("标签", "tags"),
        text!("最近走访", "last visit"),
        text!("同步", "sync"),
    ]);
    for r in rows {
        t.row(vec![
            r.id.to_string(),
            r.head_name.clone(),
            r.address.clone(),
            r.resident_count.to_string(),
            tag_words(r.tags.iter().copied()),
            r.last_visit
                .map(|t| date_str(&gridline_model::fmt_time(t)))
                .unwrap_or_else(|| word("未走访", "not visited")),
            word(r.sync_state.zh(), r.sync_state.key()),
        ]);
    }
    t.print();
    let n = rows.len();
    match total {
        Some(total) if total > n => say!(
            "显示 {n} 户，共 {total} 户",
            "showing {n} of {total} households"
        ),
        _ => say!("共 {n} 户", "{n} households"),
    }
}

fn list(ctx: &Ctx, a: ListArgs) -> anyhow::Result<()> {
    let filter = HouseholdFilter {
        query: None,
        grid: a.grid.as_deref().map(GridId::parse).transpose()?,
        tag: a.tag.as_deref().map(Tag::parse).transpose()?,
        not_visited_since: a
            .not_visited_days
            .map(|d| ctx.now - chrono::Duration::days(i64::from(d))),
        limit: a.limit,
    };
    let device = ctx.open()?;
    let rows = device.households(&filter)?;
    // Only a list the limit cut short needs the count of all that match.
    let total = match filter.limit {
        Some(limit) if rows.len() >= limit && !ctx.json => Some(
            device
                .households(&HouseholdFilter {
                    limit: None,
                    ..filter
                })?
                .len(),
        ),
        _ => None,
    };
    print_rows(ctx, &rows, total);
    Ok(())
}

fn search(ctx: &Ctx, a: SearchArgs) -> anyhow::Result<()> {
    let device = ctx.open()?;
    let rows = device.search(&a.query, a.limit)?;
    print_rows(ctx, &rows, None);
    Ok(())
}

fn resolve(ctx: &Ctx, a: ResolveArgs) -> anyhow::Result<()> {
    let mut device = ctx.open()?;
    device.resolve_conflict(&a.id, &a.field, &a.value, ctx.now)?;
    saved(
        ctx,
        a.id.trim(),
        json!({ "field": a.field, "value": a.value }),
    );
    Ok(())
}

fn show(ctx: &Ctx, a: ShowArgs) -> anyhow::Result<()> {
    let mut device = ctx.open()?;
    let view = device.household(&a.id, ctx.now)?;
    let h = &view.household;
    if a.reveal
        && check(
            device.user(),
            Kind::HouseholdPrivate,
            Action::Read,
            &Target::household(h.grid.clone(), h.id),
        )
        .is_err()
    {
        let (zh, key) = (device.user().role.zh(), device.user().role.key());
        return Err(usage(
            text!(
                "{zh}不能查看身份证号；去掉 --reveal",
                "role {key} may not see ID numbers; omit --reveal"
            )
            .to_string(),
        ));
    }
    // The reveal is recorded (and durable) before any number is printed.
    let revealed = if a.reveal {
        let r = device
            .reveal_id_numbers(&a.id, a.reason.as_deref(), Via::Cli, ctx.now)
            .map_err(|e| invalid_at("household show", "household", e))?;
        Some(r)
    } else {
        None
    };
    let id_of = |resident: gridline_model::RecordId| -> Option<String> {
        let p = view.private.as_ref()?;
        let n = p.id_numbers.get(&resident)?;
        Some(match &revealed {
            Some(r) => r.id_numbers.get(&resident)?.clone(),
            None => n.masked(),
        })
    };
    let sensitive: Vec<&str> = view
        .private
        .iter()
        .flat_map(|p| p.sensitive_tags.iter().map(|t| t.zh()))
        .collect();
    let ordinary: Vec<&str> = h.tags.iter().map(|t| t.zh()).collect();
    let entry = revealed
        .as_ref()
        .and_then(|r| r.entry)
        .map(|e| e.to_string());
    if ctx.json {
        let mut v = show_json(&view, &ordinary, &sensitive, &id_of);
        v["merged"] = json!(view.merged.as_ref().map(|m| json!({
            "into": m.survivor, "address": m.survivor_address, "by": m.by_user,
            "role": m.by_role, "at": m.at, "reason": m.reason,
        })));
        v["merged_here"] = json!(view
            .merged_here
            .iter()
            .map(|m| json!({
                "id": m.id.to_string(), "address": m.address,
                "residents": m.residents.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
            }))
            .collect::<Vec<_>>());
        if a.reveal {
            v["reveal_entry"] = json!(entry);
        }
        print_json(&v);
        return Ok(());
    }
    let mut fields = household_fields(h, ordinary.iter().map(|t| (*t).to_owned()), &sensitive);
    fields.push((
        text!("同步", "sync"),
        Text::new(view.sync_state.zh(), view.sync_state.key()).to_string(),
    ));
    out!("{} {}", text!("户", "household"), h.id);
    if let Some(m) = &view.merged {
        let to = m.survivor_address.as_deref().unwrap_or(m.survivor.as_str());
        let (s, r) = (&m.survivor, &m.reason);
        out!(
            "{}",
            text!(
                "已合并到 {to}（{s}），原因：{r}；撤销：gridline household unmerge {} --reason …",
                "merged into {to} ({s}), because: {r}; to undo: gridline household unmerge {} --reason …",
                h.id
            )
        );
    }
    kv_of(&fields);
    print_residents(h, &id_of);
    for m in &view.merged_here {
        let names: Vec<&str> = m.residents.iter().map(|r| r.name.as_str()).collect();
        let (addr, names) = (&m.address, names.join("、"));
        out!(
            "  {}",
            text!(
                "合并自 {addr}（{}）：{names}",
                "merged from {addr} ({}): {names}",
                m.id
            )
        );
    }
    if let Some(e) = &entry {
        out!(
            "  {}",
            text!(
                "本次查看已记入审计（{e}），下次同步时送交枢纽",
                "this reveal is recorded ({e}) and goes to the hub with the next sync"
            )
        );
    }
    if view.private.is_none()
        && check(
            device.user(),
            Kind::HouseholdPrivate,
            Action::Read,
            &Target::household(h.grid.clone(), h.id),
        )
        .is_err()
    {
        out!(
            "  {}",
            text!(
                "身份证号与敏感标签不对你的角色显示",
                "ID numbers and sensitive tags are not shown to your role"
            )
        );
    }
    if !view.conflicts.is_empty() {
        out!(
            "{}: gridline household resolve {} --field PATH --value V",
            text!(
                "有冲突，用此命令选定一个值",
                "conflicts: choose a value with"
            ),
            h.id
        );
        for c in &view.conflicts {
            out!("  {}: {}", c.path, c.values.join(" | "));
        }
    }
    out!(
        "{} {}",
        text!("最近走访", "recent visits"),
        view.visits.len()
    );
    for v in view.visits.iter().take(10) {
        out!(
            "  {}  {}  {} ({})  {}",
            when(v.at),
            word(&visit::kind_zh(v.kind.key()), v.kind.key()),
            v.visitor,
            word(&visit::role_zh(v.role.key()), v.role.key()),
            v.id
        );
        if !v.notes.trim().is_empty() {
            out!("    {}", visit::one_line(&v.notes));
        }
    }
    out!("{} {}", text!("事件", "issues"), view.issues.len());
    for i in &view.issues {
        let stage = i.stage.map(|s| s.key());
        out!(
            "  {}  {}  {}  {}",
            i.id,
            i.category,
            word(&issue::stage_zh(stage), stage.unwrap_or("none")),
            i.summary
        );
    }
    out!("{} {}", text!("心愿", "wishes"), view.wishes.len());
    for w in &view.wishes {
        let stage = w.stage.map(|s| s.key());
        out!(
            "  {}  {}  {} {}  {}",
            w.id,
            w.title,
            w.value_yuan,
            word("元", "yuan"),
            word(&wish::stage_zh(stage), stage.unwrap_or("none"))
        );
    }
    Ok(())
}

fn show_json(
    view: &HouseholdView,
    ordinary: &[&str],
    sensitive: &[&str],
    id_of: &dyn Fn(gridline_model::RecordId) -> Option<String>,
) -> Value {
    let h = &view.household;
    json!({
        "id": h.id.to_string(),
        "grid": h.grid.to_string(),
        "address": {
            "compound": h.address.compound,
            "building": h.address.building,
            "unit": h.address.unit,
            "room": h.address.room,
            "line": h.address.line(),
        },
        "head_name": h.head_name(),
        "phone": h.phone.as_ref().map(|p| p.to_string()),
        "tags": ordinary,
        "sensitive_tags": if view.private.is_some() { json!(sensitive) } else { Value::Null },
        "notes": h.notes,
        "residents": h.residents.iter().map(|r| json!({
            "id": r.id.to_string(),
            "name": r.name,
            "relation": r.relation.key(),
            "gender": r.gender.map(|g| g.key()),
            "birth_date": r.birth_date.map(|d| d.to_string()),
            "phone": r.phone.as_ref().map(|p| p.to_string()),
            "tags": r.tags.iter().map(|t| t.zh()).collect::<Vec<_>>(),
            "id_number": id_of(r.id),
        })).collect::<Vec<_>>(),
        "sync_state": view.sync_state.key(),
        "sync_state_zh": view.sync_state.zh(),
        "conflicts": view.conflicts.iter().map(|c| json!({ "path": c.path, "values": c.values })).collect::<Vec<_>>(),
        "visits": view.visits.iter().map(visit::row_json).collect::<Vec<_>>(),
        "issues": view.issues.iter().map(issue::row_json).collect::<Vec<_>>(),
        "wishes": view.wishes.iter().map(wish::row_json).collect::<Vec<_>>(),
    })
}

/// A household's fields as `household show` and `hub show` print them:
/// sensitive tags (shown only where the role may read them) marked `*`.
pub(crate) fn household_fields(
    h: &gridline_model::Household,
    ordinary: impl Iterator<Item = String>,
    sensitive: &[&str],
) -> Vec<(Text, String)> {
    let mut tags: Vec<String> = ordinary.collect();
    tags.extend(sensitive.iter().map(|t| format!("{t}*")));
    vec![
        (text!("户主", "head"), h.head_name().to_owned()),
        (text!("地址", "address"), h.address.line()),
        (text!("网格", "grid"), h.grid.to_string()),
        (
            text!("电话", "phone"),
            h.phone
                .as_ref()
                .map(|p| p.to_string())
                .unwrap_or_else(|| "—".into()),
        ),
        (
            text!("标签", "tags"),
            if sensitive.is_empty() {
                or_dash(&tags.join("、"))
            } else {
                format!("{}  [* {}]", tags.join("、"), text!("敏感", "sensitive"))
            },
        ),
        (text!("备注", "notes"), or_dash(&h.notes)),
    ]
}

/// A household's residents as a table; `id_of` gives a resident's ID number
/// as it may be shown (masked, revealed, or none).
pub(crate) fn print_residents(
    h: &gridline_model::Household,
    id_of: &dyn Fn(gridline_model::RecordId) -> Option<String>,
) {
    out!("{} {}", text!("居民", "residents"), h.residents.len());
    // Indented under the line above, header and cells alike.
    let mut t = Table::indented(&[
        text!("姓名", "name"),
        text!("关系", "relation"),
        text!("性别", "gender"),
        text!("出生日期", "birth date"),
        text!("身份证号", "ID number"),
        text!("手机", "mobile"),
        text!("标签", "tags"),
        text!("居民编号", "resident id"),
    ]);
    for r in &h.residents {
        t.row(vec![
            format!("  {}", r.name),
            r.relation.key().to_owned(),
            r.gender
                .map(|g| g.key().to_owned())
                .unwrap_or_else(|| "—".into()),
            r.birth_date
                .map(|d| d.to_string())
                .unwrap_or_else(|| "—".into()),
            id_of(r.id).unwrap_or_else(|| "—".into()),
            r.phone
                .as_ref()
                .map(|p| p.to_string())
                .unwrap_or_else(|| "—".into()),
            tag_words(r.tags.iter().copied()),
            r.id.to_string(),
        ]);
    }
    t.print();
}

/// Tags in a table cell: their Chinese words, or English under `--lang en`.
fn tag_words(tags: impl Iterator<Item = Tag>) -> String {
    or_dash(
        &tags
            .map(|t| word(t.zh(), t.en()))
            .collect::<Vec<_>>()
            .join(&word("、", ", ")),
    )
}
