//! `gridline device init | show`.

use clap::{Args, Subcommand};
use gridline_device::Device;
use gridline_model::{Role, Scope, User};
use serde_json::json;

use crate::output::{kv, print_json, saved};
use crate::{usage, Ctx};

#[derive(Debug, Subcommand)]
pub enum DeviceCmd {
    /// 初始化本机：用户、角色、范围 (create this device: user, role, scope)
    Init(InitArgs),
    /// 查看本机身份与同步状态 (show identity, sync counts, document counts)
    Show,
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

fn mode_text(mode: &str) -> &'static str {
    if mode == "local" {
        "本机试用模式 (trial mode): 尚未向街道枢纽注册，数据不同步 (not enrolled with a hub; nothing syncs)"
    } else {
        "已注册 (enrolled with a hub)"
    }
}

pub fn run(ctx: &Ctx, cmd: DeviceCmd) -> anyhow::Result<()> {
    match cmd {
        DeviceCmd::Init(a) => init(ctx, a),
        DeviceCmd::Show => show(ctx),
    }
}

fn init(ctx: &Ctx, a: InitArgs) -> anyhow::Result<()> {
    let role = Role::parse(&a.role)?;
    let (id, name, scope) = defaults(role);
    let scope = match (a.scope.as_deref(), scope) {
        (Some(s), _) => s.to_owned(),
        (None, Some(s)) => s.to_owned(),
        (None, None) => {
            return Err(usage(format!(
                "角色 {} 需要 --scope (role {} needs --scope), 如 households:UUID,…",
                role.zh(),
                role.key()
            )))
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
            }),
        );
        return Ok(());
    }
    out!("设备已创建 (device created) — {}", ctx.data.display());
    identity_block(&device);
    saved(ctx, &ident.device_id, json!({}));
    Ok(())
}

fn identity_block(device: &Device) {
    let ident = device.identity();
    let u = &ident.user;
    kv(&[
        ("设备编号 (device id)", ident.device_id.clone()),
        ("执行者 (actor)", ident.actor_hex()),
        ("用户 (user)", format!("{} ({})", u.name, u.id)),
        ("角色 (role)", format!("{} ({})", u.role.zh(), u.role.key())),
        ("范围 (scope)", u.scope.encode()),
        ("模式 (mode)", mode_text(&ident.mode).to_owned()),
    ]);
}

fn show(ctx: &Ctx) -> anyhow::Result<()> {
    let device = ctx.open()?;
    let counts = device.store().sync_counts()?;
    let docs = device.store().document_counts()?;
    if ctx.json {
        let ident = device.identity();
        let kinds: serde_json::Map<String, serde_json::Value> =
            docs.iter().map(|(k, n)| (k.clone(), json!(n))).collect();
        print_json(&json!({
            "device_id": ident.device_id,
            "actor": ident.actor_hex(),
            "user": { "id": ident.user.id, "name": ident.user.name },
            "role": ident.user.role.key(),
            "scope": ident.user.scope.encode(),
            "mode": ident.mode,
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
        }));
        return Ok(());
    }
    out!("本机设备 (this device) — {}", ctx.data.display());
    identity_block(&device);
    out!("同步 (sync)");
    kv(&[
        ("仅本机 (on this device only)", counts.local.to_string()),
        ("待同步 (changes not sent)", counts.pending.to_string()),
        ("已同步 (in sync)", counts.synced.to_string()),
        ("有冲突 (conflict)", counts.conflicted.to_string()),
        ("演示数据 (demo, never syncs)", counts.demo.to_string()),
    ]);
    out!("文档 (documents)");
    if docs.is_empty() {
        out!("  (无 none)");
    }
    let rows: Vec<(&str, String)> = docs
        .iter()
        .map(|(k, n)| (k.as_str(), n.to_string()))
        .collect();
    kv(&rows);
    Ok(())
}
