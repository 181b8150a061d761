//! `gridline device init | show`.

use clap::{Args, Subcommand};
use gridline_device::Device;
use gridline_model::{text, Role, Scope, Text, User};
use serde_json::json;

use crate::output::{kv, kv_of, print_json, saved, say, word};
use crate::{usage, Ctx};

#[derive(Debug, Subcommand)]
pub enum DeviceCmd {
    /// 初始化本机：用户、角色、范围 (create this device: user, role, scope)
    Init(InitArgs),
    /// 查看本机身份与同步状态 (show identity, sync counts, document counts)
    Show,
    /// 用一次性注册码向街道枢纽注册 (enrol with the street hub using a one-time code)
    Enroll(EnrollArgs),
    /// 与街道枢纽同步 (sync with the street hub)
    Sync(SyncArgs),
    /// 导出未同步的改动，交管理员审核导入（设备被停用时）(export every change the hub has not acknowledged, for an admin to review and import, e.g. after the device was revoked)
    ExportUnsynced(ExportUnsyncedArgs),
    /// 数据看板：本机数据的统计，及各人每月查看完整身份证号的次数 (the dashboard: figures from this device, and reveals of ID numbers per person per month)
    Dashboard,
}

#[derive(Debug, Args)]
pub struct ExportUnsyncedArgs {
    /// 输出文件（JSON） (the file to write, JSON)
    #[arg(long, value_name = "FILE")]
    out: std::path::PathBuf,
}

#[derive(Debug, Args)]
pub struct EnrollArgs {
    /// 街道枢纽地址 (hub address), 如 http://127.0.0.1:7878
    #[arg(long, value_name = "URL")]
    hub: String,
    /// 一次性注册码 (one-time enrolment code from `gridline hub enroll`)
    #[arg(long, value_name = "CODE")]
    code: String,
    /// 枢纽的证书（PEM），用于自签名的 https 枢纽 (the hub's certificate in PEM, for an https hub with a self-signed certificate)
    #[arg(long, value_name = "FILE")]
    ca_cert: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// 持续同步：本地有改动即同步，离线时退避重试 (keep syncing: after each local change, retrying with backoff while offline)
    #[arg(long)]
    watch: bool,
    /// --watch 时检查本地改动的间隔秒数 (seconds between checks for local changes with --watch)
    #[arg(long, default_value_t = 2)]
    interval: u64,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// 用户编号 (user id); 默认按角色，如 gw-001 (default by role)
    #[arg(long, value_name = "ID")]
    user_id: Option<String>,
    /// 姓名 (display name); 默认按角色，如 张伟 (default by role)
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
    /// 角色 (role): grid-worker, joint-leader, community-staff, street-staff, department
    #[arg(long, value_name = "ROLE", default_value = "grid-worker")]
    role: String,
    /// 范围 (scope): grids:522701001001001 | households:UUID,… | community:522701001001 | street:522701001 | department:城管
    #[arg(long, value_name = "SCOPE")]
    scope: Option<String>,
}

/// A newcomer's defaults per role, all in demo street 522701001.
fn defaults(role: Role) -> (&'static str, &'static str, Option<&'static str>) {
    match role {
        Role::GridWorker => ("gw-001", "张伟", Some("grids:522701001001001")),
        Role::JointLeader => ("jl-001", "李敏", None),
        Role::CommunityStaff => ("cs-001", "王芳", Some("community:522701001001")),
        Role::StreetStaff => ("ss-001", "刘洋", Some("street:522701001")),
        Role::DepartmentLiaison => ("dp-001", "陈刚", Some("department:城管")),
        Role::Admin | Role::Hub => ("admin", "管理员", None),
    }
}

fn mode_text(mode: &str) -> Text {
    if mode == "local" {
        text!(
            "本机试用模式：尚未向街道枢纽注册，数据不同步",
            "trial mode: not enrolled with a hub; nothing syncs"
        )
    } else {
        text!("已注册", "enrolled with a hub")
    }
}

pub fn run(ctx: &Ctx, cmd: DeviceCmd) -> anyhow::Result<()> {
    match cmd {
        DeviceCmd::Init(a) => init(ctx, a),
        DeviceCmd::Show => show(ctx),
        DeviceCmd::Enroll(a) => enroll(ctx, a),
        DeviceCmd::Sync(a) => crate::sync::run(ctx, a.watch, a.interval),
        DeviceCmd::ExportUnsynced(a) => export_unsynced(ctx, a),
        DeviceCmd::Dashboard => crate::dashboard::run(ctx),
    }
}

fn init(ctx: &Ctx, a: InitArgs) -> anyhow::Result<()> {
    let role = Role::parse(&a.role)?;
    let (id, name, scope) = defaults(role);
    let scope = match (a.scope.as_deref(), scope) {
        (Some(s), _) => s.to_owned(),
        (None, Some(s)) => s.to_owned(),
        (None, None) => {
            let (zh, key) = (role.zh(), role.key());
            return Err(usage(
                text!(
                    "角色 {zh} 需要 --scope，如 households:UUID,…",
                    "role {key} needs --scope, e.g. households:UUID,…"
                )
                .to_string(),
            ));
        }
    };
    let user = User {
        id: a.user_id.unwrap_or_else(|| id.to_owned()),
        name: a.name.unwrap_or_else(|| name.to_owned()),
        role,
        scope: Scope::parse(&scope)?,
    };
    let device = Device::init(&ctx.data, user)?;
    let ident = device.identity();
    if ctx.json {
        saved(
            ctx,
            &ident.device_id,
            json!({
                "device_id": ident.device_id,
                "actor": ident.actor_hex(),
                "user": { "id": ident.user.id, "name": ident.user.name },
                "role": ident.user.role.key(),
                "scope": ident.user.scope.encode(),
                "mode": ident.mode,
                "data": ctx.data.display().to_string(),
                "encryption": device.key_source().key(),
            }),
        );
        return Ok(());
    }
    out!(
        "{} — {}",
        text!("设备已创建", "device created"),
        ctx.data.display()
    );
    identity_block(&device);
    saved(ctx, &ident.device_id, json!({}));
    Ok(())
}

fn identity_block(device: &Device) {
    let ident = device.identity();
    let u = &ident.user;
    kv_of(&[
        (text!("设备编号", "device id"), ident.device_id.clone()),
        (text!("执行者", "actor"), ident.actor_hex()),
        (text!("用户", "user"), format!("{} ({})", u.name, u.id)),
        (
            text!("角色", "role"),
            Text::new(u.role.zh(), u.role.key()).to_string(),
        ),
        (text!("范围", "scope"), u.scope.encode()),
        (text!("模式", "mode"), mode_text(&ident.mode).to_string()),
        (
            text!("数据加密", "encryption"),
            device
                .key_source()
                .text()
                .after(&text!("已加密，密钥来自", "encrypted, key from"))
                .to_string(),
        ),
    ]);
}

fn show(ctx: &Ctx) -> anyhow::Result<()> {
    let device = ctx.open()?;
    let counts = device.sync_counts()?;
    let docs = device.document_counts()?;
    let status = device.sync_status()?;
    if ctx.json {
        let ident = device.identity();
        let kinds: serde_json::Map<String, serde_json::Value> = docs
            .iter()
            .map(|(k, n)| (k.key().to_owned(), json!(n)))
            .collect();
        print_json(&json!({
            "device_id": ident.device_id,
            "actor": ident.actor_hex(),
            "user": { "id": ident.user.id, "name": ident.user.name },
            "role": ident.user.role.key(),
            "scope": ident.user.scope.encode(),
            "mode": ident.mode,
            "encryption": device.key_source().key(),
            "hub_actor": ident.hub_actor,
            "data": ctx.data.display().to_string(),
            "sync": {
                "local": counts.local,
                "pending": counts.pending,
                "synced": counts.synced,
                "conflicted": counts.conflicted,
                "demo": counts.demo,
            },
            "documents": kinds,
            "sync_status": {
                "enrolled": status.enrolled,
                "hub": status.hub_url,
                "last_sync_at": status.last_sync_at,
                "last_error": status.last_error,
                "refused_copies": status.refused_copies,
                "reveals_unsent": device.unsent_reveals()?,
            },
            "photos": crate::photo::queue_json(&device)?,
        }));
        return Ok(());
    }
    out!(
        "{} — {}",
        text!("本机设备", "this device"),
        ctx.data.display()
    );
    identity_block(&device);
    say!("同步", "sync");
    // Demo records are never sent, so they are 仅本机 like every list shows
    // them; the count says how many of those are demo data.
    let on_device_only = if counts.demo > 0 {
        let (all, demo) = (counts.local + counts.demo, counts.demo);
        format!(
            "{all} — {}",
            text!(
                "其中演示数据 {demo}，不同步",
                "{demo} of them demo data, never synced"
            )
        )
    } else {
        counts.local.to_string()
    };
    kv_of(&[
        (text!("仅本机", "on this device only"), on_device_only),
        (
            text!("待同步", "changes not sent"),
            counts.pending.to_string(),
        ),
        (text!("已同步", "in sync"), counts.synced.to_string()),
        (text!("有冲突", "conflict"), counts.conflicted.to_string()),
        (
            text!("待送交的查看身份证号记录", "reveals of ID numbers not sent"),
            device.unsent_reveals()?.to_string(),
        ),
    ]);
    if status.enrolled {
        kv_of(&[
            (
                text!("街道枢纽", "hub"),
                status.hub_url.clone().unwrap_or_default(),
            ),
            (
                text!("上次同步", "last sync"),
                status
                    .last_sync_at
                    .as_deref()
                    .map(crate::output::when_str)
                    .unwrap_or_else(|| text!("从未", "never").to_string()),
            ),
            (
                text!("上次错误", "last error"),
                status
                    .last_error
                    .as_ref()
                    .map_or_else(|| "—".to_owned(), ToString::to_string),
            ),
            (
                text!("被服务器拒绝", "refused by the hub"),
                status.refused_copies.to_string(),
            ),
        ]);
    }
    say!("照片", "photos");
    crate::photo::queue_lines(&device)?;
    say!("文档", "documents");
    if docs.is_empty() {
        out!("  {}", text!("无", "none"));
    }
    let rows: Vec<(&str, String)> = docs.iter().map(|(k, n)| (k.key(), n.to_string())).collect();
    kv(&rows);
    Ok(())
}

fn enroll(ctx: &Ctx, a: EnrollArgs) -> anyhow::Result<()> {
    let mut device = ctx.open()?;
    if device.is_enrolled() {
        return Err(usage(
            text!(
                "本机已注册；如需更换请新建数据目录",
                "this device is already enrolled; use a new --data directory to enrol again"
            )
            .to_string(),
        ));
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let ca = match &a.ca_cert {
        Some(p) => Some(std::fs::read_to_string(p).map_err(|e| {
            let file = p.display();
            usage(
                text!(
                    "无法读取证书 {file}：{e}",
                    "cannot read the certificate {file}: {e}"
                )
                .to_string(),
            )
        })?),
        None => None,
    };
    let (e, retired) = rt.block_on(gridline_device::sync::enroll(
        &mut device,
        &a.hub,
        &a.code,
        ca.as_deref(),
    ))?;
    if ctx.json {
        print_json(&json!({
            "status": "enrolled", "hub": e.hub_url, "user_id": e.user.id, "user_name": e.user.name,
            "role": e.user.role.key(), "scope": e.user.scope.encode(), "hub_actor": e.hub_actor, "trial_records_retired": retired,
        }));
        return Ok(());
    }
    out!("{} — {}", text!("已注册", "enrolled"), e.hub_url);
    kv_of(&[
        (
            text!("用户", "user"),
            format!("{} ({})", e.user.name, e.user.id),
        ),
        (
            text!("角色", "role"),
            Text::new(e.user.role.zh(), e.user.role.key()).to_string(),
        ),
        (text!("范围", "scope"), e.user.scope.encode()),
        (text!("枢纽执行者", "hub actor"), e.hub_actor.clone()),
    ]);
    if retired > 0 {
        say!(
            "试用期间的 {retired} 条记录保留在本机，不会同步",
            "{retired} trial records stay on this device and never sync"
        );
    }
    out!("{}: gridline device sync", text!("下一步", "next"));
    Ok(())
}

fn export_unsynced(ctx: &Ctx, a: ExportUnsyncedArgs) -> anyhow::Result<()> {
    let device = ctx.open()?;
    let export = device.export_unsynced(ctx.now)?;
    let text = serde_json::to_string_pretty(&export)?;
    // Written whole then renamed: a half-written file never replaces a good one.
    let tmp = a.out.with_extension("partial");
    std::fs::write(&tmp, text.as_bytes())
        .and_then(|()| std::fs::rename(&tmp, &a.out))
        .map_err(|e| {
            let file = a.out.display();
            usage(text!("无法写入 {file}：{e}", "cannot write {file}: {e}").to_string())
        })?;
    if ctx.json {
        print_json(&json!({
            "status": "saved", "file": a.out.display().to_string(), "device_id": export.device_id,
            "documents": export.docs.len(), "actors": export.actors,
        }));
        return Ok(());
    }
    let n = export.docs.len();
    out!(
        "{} → {}",
        text!(
            "已导出 {n} 条未同步的记录",
            "exported {n} records with unsynced changes"
        ),
        a.out.display()
    );
    kv_of(&[
        (text!("设备编号", "device id"), export.device_id.clone()),
        (
            text!("用户", "user"),
            format!("{} ({})", export.user.name, export.user.id),
        ),
        (text!("执行者", "actors"), export.actors.join(", ")),
    ]);
    out!(
        "{}: gridline hub import-changes {} --admin {} --dry-run",
        text!("请交给管理员", "give it to the hub admin"),
        a.out.display(),
        word("姓名", "NAME")
    );
    Ok(())
}
