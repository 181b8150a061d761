//! `gridline hub …`: the street hub's console (init, import, enrol, revoke,
//! devices, audit, import-changes, enrol-unlock, serve, limits, and reading
//! what the hub holds: households, issues, wishes, show). Admin commands work on the
//! hub's data directory directly.

mod admin;
mod limits;

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use gridline_hub::Hub;
use gridline_model::{text, Role, Scope, Text, User};
use serde_json::json;

use crate::output::{kv_of, print_json, say, word, Table};
use crate::{usage, Ctx};

#[derive(Debug, Subcommand)]
pub enum HubCmd {
    /// 新建街道枢纽 (create a hub for one street)
    Init(InitArgs),
    /// 运行街道枢纽服务 (serve devices over HTTP)
    Serve(ServeArgs),
    /// 生成一次性注册码 (issue a one-time enrolment code for a user, role and scope)
    Enroll(EnrollArgs),
    /// 停用设备 (revoke a device: refused from its next request)
    Revoke(RevokeArgs),
    /// 远程清除设备：它下次同步、且枢纽已收齐其全部记录后，删除本机数据和密钥 (wipe a device remotely: on its next sync, once the hub holds everything it had, it erases its store and key)
    Wipe(RevokeArgs),
    /// 查看已注册设备 (list enrolled devices)
    Devices,
    /// 导入社区住户台账：xlsx、xls、ods 或 CSV（UTF-8 或 GBK） (import a community's household roster: xlsx, xls, ods, or CSV in UTF-8 or GBK)
    Import(ImportArgs),
    /// 审核并导入停用设备导出的未同步改动 (review and import a revoked device's exported unsynced changes)
    ImportChanges(ImportChangesArgs),
    /// 审计记录：谁（用户、设备）何时改了哪条记录 (audit trail: who, on which device, changed which record when)
    Audit(AuditArgs),
    /// 清除注册码错误记录，解除注册锁定 (clear recorded bad enrolment codes, lifting the locks they hold)
    EnrolUnlock(EnrolUnlockArgs),
    /// 查看枢纽上的户，只读，记入审计 (list the households the hub holds; read-only, audited)
    Households(admin::ListArgs),
    /// 查看枢纽上的事件，只读，记入审计 (list the issues the hub holds; read-only, audited)
    Issues(admin::ListArgs),
    /// 查看枢纽上的心愿，只读，记入审计 (list the wishes the hub holds; read-only, audited)
    Wishes(admin::ListArgs),
    /// 查看枢纽上的一条记录，只读，记入审计；身份证号打码 (show one record the hub holds; read-only, audited; ID numbers masked)
    Show(admin::ShowArgs),
    /// 查看或设置本街道的事件与调解时限，设置记入审计 (show or set the street's issue and mediation time limits; setting is audited)
    Limits(limits::LimitsArgs),
    /// 枢纽保存的照片：总数，或 --orphans 列出无记录引用的 (photos the hub stores: totals, or with --orphans those no record references)
    Blobs(BlobsArgs),
}

#[derive(Debug, Args)]
pub struct EnrolUnlockArgs {
    /// 只清除此地址的记录，默认全部 (clear only this address's bad codes; default: all); IPv6 按 /64 计 (IPv6 counts by its /64)
    #[arg(long, value_name = "IP")]
    source: Option<IpAddr>,
    /// 操作的管理员，记入审计 (the admin lifting the lock, for the audit trail)
    #[arg(long, default_value = "admin")]
    admin: String,
}

#[derive(Debug, Args)]
pub struct ImportChangesArgs {
    /// gridline device export-unsynced 导出的文件 (the file `gridline device export-unsynced` wrote)
    file: PathBuf,
    /// 审核并导入的管理员，记入审计 (the admin reviewing and importing, for the audit trail)
    #[arg(long, value_name = "NAME")]
    admin: String,
    /// 只显示将导入什么，不保存 (only show what would be imported; keep nothing)
    #[arg(long)]
    dry_run: bool,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// 只看此记录 (only this record id)
    #[arg(long, value_name = "ID")]
    record: Option<String>,
    /// 只看此用户 (only this user id)
    #[arg(long, value_name = "USER")]
    user: Option<String>,
    /// 只看此设备 (only this device id)
    #[arg(long, value_name = "DEVICE")]
    device: Option<String>,
    /// 起始时间 (from this time on): RFC 3339 如 2026-11-28T08:00:00+08:00，或日期 2026-11-28（北京时间零点 Beijing midnight）
    #[arg(long, value_name = "TIME")]
    since: Option<String>,
    /// 最多显示最近的 N 条 (show at most the N most recent rows)
    #[arg(long, value_name = "N", default_value_t = 100)]
    limit: usize,
    /// 只看设备上查看完整身份证号的记录：谁、何时、哪户、理由 (only reveals of ID numbers in full on devices: who, when, which household, why)
    #[arg(long, conflicts_with_all = ["record", "device"])]
    reveals: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// 街道代码，9 位 (street code, 9 digits)
    #[arg(long, default_value = "522701001")]
    street: String,
    /// 街道名称 (street name)
    #[arg(long, default_value = "广惠路街道")]
    name: String,
    /// 加密 hub.db；密钥来自 --key-file 或 GRIDLINE_HUB_KEY (encrypt hub.db at rest; the key comes from --key-file or GRIDLINE_HUB_KEY)
    #[arg(long)]
    encrypt: bool,
    /// 密钥文件（权限 600）；不存在则生成新密钥写入。之后的命令用 GRIDLINE_HUB_KEY_FILE 指向它
    /// (the key file, mode 600; a new random key is written there if it does not exist. Later commands find it through GRIDLINE_HUB_KEY_FILE)
    #[arg(long, value_name = "FILE", requires = "encrypt")]
    key_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// 监听地址 (address to listen on)
    #[arg(long, default_value = "127.0.0.1:7878")]
    listen: String,
    /// TLS 证书链（PEM）；与 --tls-key 一起启用 https (certificate chain in PEM; with --tls-key serves https)
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// TLS 私钥（PEM） (private key in PEM)
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// 可信的负载均衡或反向代理地址，可多次给出；只采信它们的 X-Forwarded-For
    /// (a load balancer or reverse proxy to trust, repeatable: only its X-Forwarded-For is believed)
    #[arg(long = "trusted-proxy", value_name = "IP")]
    trusted_proxy: Vec<IpAddr>,
    /// 单张照片的上限，KB；超过的照片答 413 并在设备上显示失败 (the largest photo the hub stores, in KB; larger ones are answered 413 and shown failed on the device)
    #[arg(long, value_name = "KB", default_value_t = gridline_hub::blobs::DEFAULT_MAX_BLOB_BYTES / 1024,
          value_parser = clap::value_parser!(u64).range(1..=gridline_hub::blobs::DEFAULT_MAX_BLOB_BYTES / 1024))]
    max_photo_kb: u64,
}

#[derive(Debug, Args)]
pub struct BlobsArgs {
    /// 只列没有记录引用的照片，供清理 (only blobs no record references, for cleaning)
    #[arg(long)]
    orphans: bool,
}

#[derive(Debug, Args)]
pub struct EnrollArgs {
    /// 用户编号 (user id)
    #[arg(long, value_name = "ID")]
    user: String,
    /// 姓名 (display name); 默认同用户编号 (default: the user id)
    #[arg(long)]
    name: Option<String>,
    /// 角色 (role): grid-worker, joint-leader, community-staff, street-staff, department
    #[arg(long)]
    role: String,
    /// 范围 (scope): grids:… | households:… | community:… | street:… | department:…
    #[arg(long)]
    scope: String,
    /// 操作的管理员 (the admin issuing the code, for the audit trail)
    #[arg(long, default_value = "admin")]
    admin: String,
}

#[derive(Debug, Args)]
pub struct RevokeArgs {
    /// 设备编号 (device id, from `gridline hub devices`)
    device: String,
    /// 操作的管理员 (the admin revoking it, for the audit trail)
    #[arg(long, default_value = "admin")]
    admin: String,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// 台账文件：xlsx、xls、ods 或 CSV (the roster: xlsx, xls, ods, or CSV in UTF-8 with or without BOM, or GBK)
    file: PathBuf,
    /// 工作表名称，默认第一张有表头的 (the sheet to read; default: the first with a header)
    #[arg(long, value_name = "NAME")]
    sheet: Option<String>,
    /// 只检查并显示将导入什么，不保存 (check and show what would be imported; keep nothing)
    #[arg(long)]
    dry_run: bool,
    /// 导入的管理员，记入审计 (the admin importing, for the audit trail)
    #[arg(long, default_value = "admin")]
    admin: String,
}

/// The key for `hub init --encrypt`: the key file's (made with a new random
/// key when it does not exist yet), or GRIDLINE_HUB_KEY's.
fn init_key(a: &InitArgs) -> anyhow::Result<gridline_hub::cipher::HubKey> {
    use gridline_hub::cipher::{read_key_file, HubKey};
    match &a.key_file {
        Some(path) if path.exists() => Ok(read_key_file(path)?),
        Some(path) => {
            let key = HubKey::random()?;
            key.write_new(path)?;
            Ok(key)
        }
        None => HubKey::from_env()?.ok_or_else(|| {
            usage(
                text!(
                    "--encrypt 需要密钥：用 --key-file FILE（不存在则生成），或设 GRIDLINE_HUB_KEY",
                    "--encrypt needs a key: give --key-file FILE (made if it does not exist), or set GRIDLINE_HUB_KEY"
                )
                .to_string(),
            )
        }),
    }
}

pub fn run(ctx: &Ctx, cmd: HubCmd) -> anyhow::Result<()> {
    match cmd {
        HubCmd::Init(a) => {
            let hub = if a.encrypt {
                if ctx.data.join(gridline_hub::STORE_FILE).exists() {
                    // Said before a key file is made for nothing.
                    return Err(gridline_hub::Error::AlreadyInitialised {
                        path: ctx.data.clone(),
                    }
                    .into());
                }
                Hub::init_encrypted(&ctx.data, &a.street, &a.name, &init_key(&a)?)?
            } else {
                Hub::init(&ctx.data, &a.street, &a.name)?
            };
            if ctx.json {
                print_json(&json!({
                    "status": "saved",
                    "street": a.street,
                    "hub_actor": hub.actor_hex(),
                    "encrypted": hub.is_encrypted(),
                    "key_file": a.key_file.as_ref().map(|p| p.display().to_string()),
                }));
            } else {
                out!(
                    "{} — {}",
                    text!("街道枢纽已创建", "hub created"),
                    ctx.data.display()
                );
                kv_of(&[
                    (text!("街道", "street"), format!("{} {}", a.street, a.name)),
                    (text!("枢纽执行者", "hub actor"), hub.actor_hex()),
                    (
                        text!("加密", "encrypted"),
                        match (&a.key_file, hub.is_encrypted()) {
                            (Some(k), _) => {
                                text!("是，密钥文件 {}", "yes, key file {}", k.display())
                                    .to_string()
                            }
                            (None, true) => text!(
                                "是，密钥来自 GRIDLINE_HUB_KEY",
                                "yes, key from GRIDLINE_HUB_KEY"
                            )
                            .to_string(),
                            (None, false) => text!("否", "no").to_string(),
                        },
                    ),
                ]);
                let env = a
                    .key_file
                    .as_ref()
                    .map(|k| format!("GRIDLINE_HUB_KEY_FILE={} ", k.display()))
                    .unwrap_or_default();
                out!(
                    "{}: {env}gridline --data {} hub serve",
                    text!("下一步", "next"),
                    ctx.data.display()
                );
            }
            Ok(())
        }
        HubCmd::Serve(a) => serve(ctx, a),
        HubCmd::Audit(a) => audit(ctx, a),
        HubCmd::EnrolUnlock(a) => enrol_unlock(ctx, a),
        HubCmd::ImportChanges(a) => import_changes(ctx, a),
        HubCmd::Households(a) => admin::list(ctx, admin::Listed::Households, a),
        HubCmd::Issues(a) => admin::list(ctx, admin::Listed::Issues, a),
        HubCmd::Wishes(a) => admin::list(ctx, admin::Listed::Wishes, a),
        HubCmd::Show(a) => admin::show(ctx, a),
        HubCmd::Limits(a) => limits::run(ctx, a),
        HubCmd::Blobs(a) => blobs(ctx, a),
        HubCmd::Enroll(a) => {
            let role = Role::parse(&a.role)?;
            if matches!(role, Role::Admin | Role::Hub) {
                let zh = role.zh();
                return Err(usage(
                    text!(
                        "{zh}不作为设备注册；管理员在枢纽的数据目录上用 gridline hub … 命令，如 hub households、hub audit；--role 可用：grid-worker, joint-leader, community-staff, street-staff, department",
                        "admins and the hub are not enrolled as devices; admins use the hub commands on the hub's data directory, such as hub households and hub audit; --role takes: grid-worker, joint-leader, community-staff, street-staff, department"
                    )
                    .to_string(),
                ));
            }
            let hub = Hub::open(&ctx.data)?;
            let user = User {
                id: a.user.clone(),
                name: a.name.unwrap_or(a.user),
                role,
                scope: Scope::parse(&a.scope)?,
            };
            let code = hub.enrol_code(&user, &a.admin, ctx.now)?;
            if ctx.json {
                print_json(
                    &json!({"code": code, "expires_in_hours": gridline_hub::CODE_TTL_HOURS}),
                );
            } else {
                out!("{}: {code}", text!("注册码", "enrolment code"));
                let hours = gridline_hub::CODE_TTL_HOURS;
                say!(
                    "仅可使用一次，{hours} 小时内有效",
                    "single use, valid for {hours} hours"
                );
                out!(
                    "{}: gridline device enroll --hub http://HUB:7878 --code {code}",
                    text!("在设备上", "on the device")
                );
            }
            Ok(())
        }
        HubCmd::Revoke(a) => {
            Hub::open(&ctx.data)?.revoke_as(&a.device, &a.admin, ctx.now)?;
            out!(
                "{} {} — {}",
                text!("已停用", "revoked"),
                a.device,
                text!("下次请求起拒绝", "refused from its next request")
            );
            Ok(())
        }
        HubCmd::Wipe(a) => {
            Hub::open(&ctx.data)?.request_wipe(&a.device, &a.admin, ctx.now)?;
            if ctx.json {
                print_json(&json!({"status": "saved", "device": a.device, "wipe": "requested"}));
                return Ok(());
            }
            out!(
                "{} {} — {}",
                text!("已要求清除", "wipe requested for"),
                a.device,
                text!(
                    "它下次同步时先送齐未同步的记录，枢纽全部收到后才删除本机数据和密钥，并回报（记入审计）",
                    "on its next sync it first sends everything unsynced; only once the hub holds all of it does it erase its store and key, and report back (audited)"
                )
            );
            Ok(())
        }
        HubCmd::Devices => {
            let devices = Hub::open(&ctx.data)?.devices()?;
            if ctx.json {
                print_json(&json!(devices
                    .iter()
                    .map(|d| json!({"id": d.id, "user_id": d.user.id, "user_name": d.user.name, "role": d.user.role.key(),
                        "scope": d.user.scope.encode(), "enrolled_at": d.enrolled_at, "revoked_at": d.revoked_at, "actors": d.actors}))
                    .collect::<Vec<_>>()));
                return Ok(());
            }
            let mut t = Table::of(&[
                text!("设备", "device"),
                text!("用户", "user"),
                text!("角色", "role"),
                text!("范围", "scope"),
                text!("状态", "state"),
            ]);
            for d in devices {
                t.row(vec![
                    d.id,
                    format!("{} ({})", d.user.name, d.user.id),
                    word(d.user.role.zh(), d.user.role.key()),
                    d.user.scope.encode(),
                    if d.revoked_at.is_some() {
                        word("已停用", "revoked")
                    } else {
                        word("正常", "active")
                    },
                ]);
            }
            t.print();
            Ok(())
        }
        HubCmd::Import(a) => {
            let hub = Hub::open(&ctx.data)?;
            let bytes = std::fs::read(&a.file).map_err(|e| {
                let file = a.file.display();
                usage(text!("无法读取 {file}：{e}", "cannot read {file}: {e}").to_string())
            })?;
            let report =
                hub.import_roster(&bytes, a.sheet.as_deref(), a.dry_run, &a.admin, ctx.now)?;
            if ctx.json {
                let status = if report.dry_run { "dry-run" } else { "saved" };
                print_json(
                    &json!({"status": status, "households": report.households, "skipped": report.skipped, "grids": report.grids, "communities": report.communities, "sheet": report.sheet, "sheets": report.sheets}),
                );
            } else {
                let (households, grids, communities, skipped) = (
                    report.households,
                    report.grids,
                    report.communities,
                    report.skipped,
                );
                if let Some(sheet) = &report.sheet {
                    let all = report.sheets.join("、");
                    say!(
                        "工作表：{sheet}（共有：{all}）",
                        "sheet: {sheet} (of: {all})"
                    );
                }
                if report.dry_run {
                    say!(
                        "试导入，未保存：将导入 {households} 户，{grids} 个新网格，{communities} 个新社区；{skipped} 户已在枢纽上",
                        "dry run, nothing kept: would import {households} households, {grids} new grids, {communities} new communities; {skipped} already on the hub"
                    );
                    return Ok(());
                }
                say!(
                    "已导入 {households} 户，{grids} 个网格，{communities} 个社区",
                    "imported {households} households, {grids} grids, {communities} communities"
                );
            }
            Ok(())
        }
    }
}

/// `--since`: an RFC 3339 time, or a date meaning Beijing midnight.
fn parse_since(s: &str) -> anyhow::Result<gridline_model::Instant> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&chrono::Utc));
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .and_then(|t| t.and_local_timezone(crate::output::beijing()).single())
        .map(|t| t.with_timezone(&chrono::Utc))
        .ok_or_else(|| {
            usage(
                text!(
                    "无法识别的时间 {s}：请用 2026-11-28 或 2026-11-28T08:00:00+08:00",
                    "cannot read the time {s}: use 2026-11-28 or 2026-11-28T08:00:00+08:00"
                )
                .to_string(),
            )
        })
}

/// What an audit action means, in both languages.
fn action_words(action: &str) -> String {
    let zh = match action {
        "push" => "同步写入",
        "hub-write" => "枢纽写入",
        "claim-grant" => "批准认领",
        "claim-refuse" => "拒绝认领",
        "enrol" => "注册设备",
        "revoke" => "停用设备",
        "enrol-unlock" => "解除注册锁定",
        "import" => "导入停用设备的改动",
        "import-refused" => "拒绝导入",
        "refused" => "拒绝推送",
        "probe" => "越权查询",
        "admin-read" => "管理员查看",
        "admin-reveal" => "管理员查看完整身份证号",
        "limits" => "设置街道时限",
        "device-reveal" => "设备上查看完整身份证号",
        _ => "",
    };
    if zh.is_empty() {
        action.to_owned()
    } else {
        // The action key is already English: the words are the key itself.
        text!("{zh}", "{action}").to_string()
    }
}

fn audit(ctx: &Ctx, a: AuditArgs) -> anyhow::Result<()> {
    if a.reveals {
        return reveals(ctx, a);
    }
    let hub = Hub::open(&ctx.data)?;
    let q = gridline_hub::AuditQuery {
        record: a.record,
        user: a.user,
        device: a.device,
        since: a.since.as_deref().map(parse_since).transpose()?,
        limit: Some(a.limit),
    };
    let rows = hub.audit(&q)?;
    if ctx.json {
        print_json(&serde_json::to_value(&rows)?);
        return Ok(());
    }
    if rows.is_empty() {
        say!("没有审计记录", "no audit rows match");
        return Ok(());
    }
    let mut t = Table::of(&[
        text!("时间（北京）", "time, Beijing"),
        text!("用户", "user"),
        text!("设备", "device"),
        text!("记录", "record"),
        text!("类型", "kind"),
        text!("操作", "action"),
        text!("管理员", "admin"),
    ]);
    for r in &rows {
        let at = crate::output::at_str(&r.at);
        t.row(vec![
            at,
            r.user_id.clone(),
            r.device_id.clone().unwrap_or_else(|| "—".into()),
            r.record.clone(),
            crate::output::or_dash(&r.kind),
            action_words(&r.action),
            r.admin.clone().unwrap_or_else(|| "—".into()),
        ]);
    }
    t.print();
    let n = rows.len();
    say!("共 {n} 条", "{n} rows");
    Ok(())
}

/// How a reveal was made, in both languages.
fn via_words(via: &str) -> String {
    let zh = match via {
        "app" => "应用",
        "cli" => "命令行",
        "export" => "导出",
        _ => return via.to_owned(),
    };
    text!("{zh}", "{via}").to_string()
}

/// `hub audit --reveals`: the reveals of ID numbers devices sent, oldest
/// first (the most recent `--limit` of them).
fn reveals(ctx: &Ctx, a: AuditArgs) -> anyhow::Result<()> {
    let hub = Hub::open(&ctx.data)?;
    let q = gridline_hub::audit::RevealQuery {
        user: a.user.filter(|u| !u.trim().is_empty()),
        since: a.since.as_deref().map(parse_since).transpose()?,
        limit: Some(a.limit),
    };
    let rows = hub.reveals(&q)?;
    if ctx.json {
        print_json(&serde_json::to_value(&rows)?);
        return Ok(());
    }
    if rows.is_empty() {
        say!("没有查看身份证号的记录", "no reveals of ID numbers match");
        return Ok(());
    }
    let mut t = Table::of(&[
        text!("时间（北京）", "time, Beijing"),
        text!("用户", "user"),
        text!("姓名", "name"),
        text!("设备", "device"),
        text!("户", "household"),
        text!("社区", "community"),
        text!("方式", "via"),
        text!("理由", "reason"),
    ]);
    for r in &rows {
        let at = crate::output::at_str(&r.at);
        t.row(vec![
            at,
            r.user_id.clone(),
            r.user_name.clone(),
            r.device_id.clone(),
            r.household.clone(),
            r.community.clone().unwrap_or_else(|| "—".into()),
            via_words(&r.via),
            crate::output::or_dash(r.reason.as_deref().unwrap_or("")),
        ]);
    }
    t.print();
    let n = rows.len();
    say!("共 {n} 次查看", "{n} reveals");
    Ok(())
}

fn enrol_unlock(ctx: &Ctx, a: EnrolUnlockArgs) -> anyhow::Result<()> {
    let hub = Hub::open(&ctx.data)?;
    let u = hub.enrol_unlock(a.source, &a.admin, ctx.now)?;
    let name = |s: &str| {
        if s.is_empty() {
            text!("未记录", "not recorded").to_string()
        } else {
            s.to_owned()
        }
    };
    if ctx.json {
        print_json(&json!({
            "status": "saved",
            "source": u.source,
            "cleared": u.failures(),
            "sources": u.sources.iter().map(|(s, n)| json!({"source": s, "failures": n})).collect::<Vec<_>>(),
        }));
        return Ok(());
    }
    if u.sources.is_empty() {
        match &u.source {
            Some(s) => say!(
                "没有来自 {s} 的注册码错误记录，该地址未被锁定",
                "no recorded bad enrolment codes from {s}; it was not locked"
            ),
            None => say!(
                "没有注册码错误记录，注册未被锁定",
                "no recorded bad enrolment codes; enrolment was not locked"
            ),
        }
        return Ok(());
    }
    let mut t = Table::of(&[text!("来源", "source"), text!("错误次数", "bad codes")]);
    for (s, n) in &u.sources {
        t.row(vec![name(s), n.to_string()]);
    }
    t.print();
    let n = u.failures();
    match &u.source {
        Some(s) => say!(
            "已清除来自 {s} 的 {n} 次注册码错误记录，该地址的锁定已解除",
            "cleared {n} recorded bad enrolment codes from {s}; its lock is lifted"
        ),
        None => say!(
            "已清除 {n} 次注册码错误记录，所有注册锁定已解除",
            "cleared {n} recorded bad enrolment codes; every enrolment lock is lifted"
        ),
    }
    say!(
        "已记入审计，可用 gridline hub audit 查看",
        "audited: see gridline hub audit"
    );
    Ok(())
}

fn import_changes(ctx: &Ctx, a: ImportChangesArgs) -> anyhow::Result<()> {
    let hub = Hub::open(&ctx.data)?;
    let bytes = std::fs::read(&a.file).map_err(|e| {
        let file = a.file.display();
        usage(text!("无法读取 {file}：{e}", "cannot read {file}: {e}").to_string())
    })?;
    let r = hub.import_changes(&bytes, &a.admin, a.dry_run, ctx.now)?;
    if ctx.json {
        print_json(&json!({
            "status": if a.dry_run { "dry-run" } else { "saved" },
            "device_id": r.device_id, "user_id": r.user_id, "role": r.role, "scope": r.scope,
            "revoked_at": r.revoked_at, "applied": r.applied(), "already_on_hub": r.already(),
            "refused": r.refused(), "documents": r.docs, "reveals": r.reveals,
        }));
        return Ok(());
    }
    let what = if a.dry_run {
        text!("审核，不保存", "review only, nothing kept")
    } else {
        text!("导入", "import")
    };
    let (device, user, role, scope) = (&r.device_id, &r.user_id, &r.role, &r.scope);
    let revoked = match &r.revoked_at {
        Some(t) => {
            let at = crate::output::when_str(t);
            text!("已于 {at} 停用", "revoked at {at}")
        }
        None => text!("未停用", "not revoked"),
    };
    out!(
        "{what} — {}",
        Text::new(
            format!(
                "设备 {device}，用户 {user}，角色 {role}，范围 {scope}，{}",
                revoked.zh
            ),
            format!(
                "device {device}, user {user}, role {role}, scope {scope}, {}",
                revoked.en
            ),
        )
    );
    let verb = if a.dry_run {
        text!("将导入", "would apply")
    } else {
        text!("已导入", "applied")
    };
    let mut t = Table::of(&[
        text!("记录", "record"),
        text!("类型", "kind"),
        text!("结果", "outcome"),
    ]);
    for d in &r.docs {
        let outcome = match &d.outcome {
            gridline_hub::Outcome::Applied => verb.to_string(),
            gridline_hub::Outcome::AlreadyOnHub => {
                text!("枢纽已有", "already on the hub").to_string()
            }
            gridline_hub::Outcome::Refused { code, reason } => {
                format!("{} [{code}]: {reason}", text!("拒绝", "refused"))
            }
        };
        t.row(vec![d.id.clone(), crate::output::or_dash(&d.kind), outcome]);
    }
    t.print();
    let (applied, already, refused) = (r.applied(), r.already(), r.refused());
    out!(
        "{}",
        Text::new(
            format!("{} {applied}，枢纽已有 {already}，拒绝 {refused}", verb.zh),
            format!(
                "{} {applied}, already on the hub {already}, refused {refused}",
                verb.en
            ),
        )
    );
    if !r.reveals.is_empty() {
        let count = |f: fn(&gridline_hub::Outcome) -> bool| {
            r.reveals.iter().filter(|x| f(&x.outcome)).count()
        };
        let (applied, already, refused) = (
            count(|o| matches!(o, gridline_hub::Outcome::Applied)),
            count(|o| matches!(o, gridline_hub::Outcome::AlreadyOnHub)),
            count(|o| matches!(o, gridline_hub::Outcome::Refused { .. })),
        );
        out!(
            "{}",
            Text::new(
                format!("查看身份证号记录：{} {applied}，枢纽已有 {already}，拒绝 {refused}", verb.zh),
                format!(
                    "reveals of ID numbers: {} {applied}, already on the hub {already}, refused {refused}",
                    verb.en
                ),
            )
        );
    }
    if a.dry_run && r.applied() > 0 {
        out!(
            "{}: gridline hub import-changes {} --admin {}",
            text!("确认后导入", "to import"),
            a.file.display(),
            a.admin
        );
    }
    Ok(())
}

fn serve(ctx: &Ctx, a: ServeArgs) -> anyhow::Result<()> {
    use std::io::IsTerminal as _;
    // Logs go to stderr, coloured only on a terminal: a log file gets plain text.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none())
        .init();
    let hub = Hub::open(&ctx.data)?;
    hub.set_max_blob_bytes(a.max_photo_kb * 1024);
    let options = gridline_hub::server::Options {
        trusted_proxies: a.trusted_proxy.clone(),
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&a.listen)
            .await
            .map_err(|e| {
                let at = &a.listen;
                usage(text!("无法监听 {at}：{e}", "cannot listen on {at}: {e}").to_string())
            })?;
        let addr = listener.local_addr()?;
        let stop = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        match (&a.tls_cert, &a.tls_key) {
            (Some(cert), Some(key)) => {
                tracing::info!(listen = %addr, "hub serving https");
                eprintln!(
                    "{} https://{addr} — {}",
                    text!("街道枢纽运行中", "hub serving"),
                    text!("Ctrl-C 停止", "Ctrl-C to stop")
                );
                gridline_hub::server::run_tls(listener, hub, cert, key, options, stop)
                    .await
                    .map_err(|e| usage(format!("TLS: {e}")))?;
            }
            _ => {
                tracing::info!(listen = %addr, "hub serving");
                eprintln!(
                    "{} http://{addr} — {}",
                    text!("街道枢纽运行中", "hub serving"),
                    text!("Ctrl-C 停止", "Ctrl-C to stop")
                );
                gridline_hub::server::run(listener, hub, options, stop).await?;
            }
        }
        tracing::info!("hub stopped");
        Ok(())
    })
}

fn blobs(ctx: &Ctx, a: BlobsArgs) -> anyhow::Result<()> {
    let hub = Hub::open(&ctx.data)?;
    let (n, bytes) = hub.blob_totals()?;
    if !a.orphans {
        if ctx.json {
            print_json(&serde_json::json!({ "blobs": n, "bytes": bytes }));
        } else {
            let kb = bytes.div_ceil(1024);
            out!(
                "{}",
                text!("照片 {n} 个，共 {kb} KB", "{n} blobs, {kb} KB in all")
            );
        }
        return Ok(());
    }
    let orphans = hub.orphan_blobs()?;
    if ctx.json {
        print_json(&serde_json::Value::Array(
            orphans
                .iter()
                .map(|o| serde_json::json!({ "hash": o.hash, "size": o.size, "stored_at": o.stored_at }))
                .collect(),
        ));
        return Ok(());
    }
    if orphans.is_empty() {
        out!("{}", text!("没有无引用的照片", "no blob is unreferenced"));
        return Ok(());
    }
    let mut t = crate::output::Table::of(&[
        text!("照片", "blob"),
        text!("大小", "size"),
        text!("收到时间", "stored at"),
    ]);
    for o in &orphans {
        t.row(vec![
            o.hash.clone(),
            format!("{} B", o.size),
            o.stored_at.clone(),
        ]);
    }
    t.print();
    Ok(())
}
