//! What the app needs beyond the records themselves: the Today summary, the
//! dashboard, revealing one ID number, drafts of unfinished forms, settings,
//! and exporting a record the hub refused. The CLI can call them too; the
//! rules live here, not in the app's shell.

use gridline_model::{text, Text};
use std::path::PathBuf;

use gridline_model::{Grade, Instant, IssueStep, WishStep};
use gridline_store::{Dashboard, Today};

use gridline_model::permission::Kind;
use gridline_records::Record;

use crate::{not_found, parse_id, Device, Error, Result};

/// Days without a visit after which a household shows on Today (UI.md).
pub const VISIT_DAYS: i64 = 30;

/// What the app may lock after, in idle minutes; `0` is never.
pub const IDLE_LOCK_CHOICES: [u32; 4] = [0, 5, 15, 30];

/// Office staff (community, street) work at a shared desk: their devices
/// lock after 15 idle minutes unless they choose otherwise. A grid worker's
/// phone has its own screen lock, so the app's is off until chosen.
pub fn idle_lock_default(role: gridline_model::Role) -> u32 {
    use gridline_model::Role;
    match role {
        Role::CommunityStaff | Role::StreetStaff => 15,
        _ => 0,
    }
}

/// Keys a form may keep a draft under: short, and only letters, digits and `-:_`.
fn draft_key(key: &str) -> Result<String> {
    let ok = !key.is_empty()
        && key.len() <= 80
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | ':' | '_'));
    if !ok {
        return Err(gridline_model::Invalid::new(
            "draft",
            text!("草稿键无效 \"{key}\"", "bad draft key \"{key}\""),
            text!(
                "只用字母、数字和 - : _，最多 80 个",
                "letters, digits, - : _ only, at most 80"
            ),
        )
        .into());
    }
    Ok(format!("draft:{key}"))
}

/// Drafts are small: a form, not a file.
const MAX_DRAFT_BYTES: usize = 64 * 1024;

impl Device {
    /// What needs the user now: overdue and new issues, households not
    /// visited for 30 days, wishes waiting for a claim (all in this device's scope).
    pub fn today(&self, now: Instant) -> Result<Today> {
        Ok(self
            .store
            .today(now, now - chrono::Duration::days(VISIT_DAYS))?)
    }

    /// The dashboard (数据看板) of community, street and admin users.
    pub fn dashboard(&self, now: Instant) -> Result<Dashboard> {
        gridline_model::permission::check_dashboard(self.user())?;
        Ok(self
            .store
            .dashboard(now, now - chrono::Duration::days(VISIT_DAYS), 14)?)
    }

    /// The full ID number of one resident, for a role that may read the
    /// household's private part; others are refused. The reveal is recorded
    /// (`via` app) and durable before the number is returned, and syncs to
    /// the hub ([`Device::reveal_id_number_of`]).
    pub fn reveal_id_number(
        &mut self,
        household: &str,
        resident: &str,
        reason: Option<&str>,
        now: Instant,
    ) -> Result<String> {
        self.reveal_id_number_of(household, resident, reason, crate::reveal::Via::App, now)
    }

    pub fn draft(&self, key: &str) -> Result<Option<String>> {
        Ok(self.store.meta(&draft_key(key)?)?.filter(|v| !v.is_empty()))
    }

    /// Keeps what a form holds so far; durable when this returns.
    pub fn save_draft(&self, key: &str, value: &str) -> Result<()> {
        if value.len() > MAX_DRAFT_BYTES {
            return Err(gridline_model::Invalid::new(
                "draft",
                text!("草稿太大", "draft too large"),
                text!("草稿最多 64 KB", "a draft holds at most 64 KB"),
            )
            .into());
        }
        Ok(self.store.set_meta(&draft_key(key)?, value)?)
    }

    pub fn clear_draft(&self, key: &str) -> Result<()> {
        Ok(self.store.set_meta(&draft_key(key)?, "")?)
    }

    /// The interface language, `zh-CN` (default) or `en`.
    pub fn language(&self) -> Result<String> {
        Ok(self
            .store
            .meta("ui_language")?
            .filter(|l| l == "en" || l == "zh-CN")
            .unwrap_or_else(|| "zh-CN".into()))
    }

    pub fn set_language(&self, lang: &str) -> Result<()> {
        if lang != "en" && lang != "zh-CN" {
            return Err(gridline_model::Invalid::new(
                "language",
                text!("不支持的语言 \"{lang}\"", "unsupported language \"{lang}\""),
                text!("请用 zh-CN 或 en", "use zh-CN or en"),
            )
            .into());
        }
        Ok(self.store.set_meta("ui_language", lang)?)
    }

    /// Minutes without a touch after which the app locks (`0`: never): what
    /// the user chose under 我的, else [`idle_lock_default`] for the role.
    /// Only a PIN-keyed store can lock; the app asks `key_source` for that.
    pub fn idle_lock_minutes(&self) -> Result<u32> {
        Ok(self
            .store
            .meta("ui_idle_lock")?
            .and_then(|m| m.parse::<u32>().ok())
            .filter(|m| IDLE_LOCK_CHOICES.contains(m))
            .unwrap_or_else(|| idle_lock_default(self.identity.user.role)))
    }

    pub fn set_idle_lock_minutes(&self, minutes: u32) -> Result<()> {
        if !IDLE_LOCK_CHOICES.contains(&minutes) {
            return Err(gridline_model::Invalid::new(
                "idle_lock",
                text!(
                    "不支持的锁定时间 {minutes} 分钟",
                    "unsupported idle lock of {minutes} minutes"
                ),
                text!(
                    "请选关闭、5、15 或 30 分钟",
                    "choose off, 5, 15 or 30 minutes"
                ),
            )
            .into());
        }
        Ok(self.store.set_meta("ui_idle_lock", &minutes.to_string())?)
    }

    /// The records the hub refused, kept here as read-only copies, newest
    /// first, each with a line to recognise it by.
    pub fn refused_records(&self) -> Result<Vec<RefusedRecord>> {
        Ok(self
            .store
            .refused_copies()?
            .into_iter()
            .map(|c| RefusedRecord {
                summary: gridline_records::load(&c.bytes, &self.identity.actor)
                    .ok()
                    .and_then(|doc| Record::read(&doc).ok())
                    .map(|r| summary(&r))
                    .unwrap_or_default(),
                kind: Kind::parse(&c.kind),
                id: c.id,
                reason: c.reason,
                refused_at: c.refused_at,
            })
            .collect())
    }

    /// Writes a record the hub refused to `exports/` in the data directory,
    /// as the Automerge bytes any Automerge implementation opens, and
    /// returns the file's path.
    pub fn export_refused(&self, id: &str) -> Result<PathBuf> {
        let id = parse_id(id, "record")?;
        let copy = self
            .store
            .refused_copies()?
            .into_iter()
            .find(|c| c.id == id.to_string())
            .ok_or_else(|| not_found("被拒记录", "refused record", id))?;
        let dir = self.dir.join("exports");
        let path = dir.join(format!("refused-{}-{}.automerge", copy.kind, copy.id));
        let io = |context: String| move |source| Error::Io { context, source };
        std::fs::create_dir_all(&dir).map_err(io(format!("creating {}", dir.display())))?;
        std::fs::write(&path, &copy.bytes).map_err(io(format!("writing {}", path.display())))?;
        Ok(path)
    }
}

/// A record the hub refused, as the app lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct RefusedRecord {
    pub id: String,
    /// `None` for a kind this build does not know.
    pub kind: Option<Kind>,
    pub reason: Text,
    pub refused_at: String,
    pub summary: String,
}

/// A line to recognise a record by, in lists of refused records.
fn summary(r: &Record) -> String {
    let short = |s: &str| s.chars().take(60).collect::<String>();
    match r {
        Record::Household(h) => format!("{} {}", h.address.line(), h.head_name()),
        Record::HouseholdPrivate(p) => p.household.to_string(),
        Record::Visit(v) => format!("{} {}", v.household, gridline_model::fmt_time(v.at)),
        Record::Issue(i) => format!("{} · {}", i.category, short(&i.description)),
        Record::Wish(w) => short(&w.title),
        Record::Mediation(c) => format!("{} · {}", c.case_type.zh(), short(&c.summary)),
        Record::MediationPrivate(p) => p.case.to_string(),
        Record::Deliberation(t) => short(&t.title),
    }
}

/// An issue step as a form sends it: the step's key and the fields that step uses.
#[derive(Debug, Clone, Default)]
pub struct IssueAction {
    /// accept, reject, merge, resolve, escalate, dispatch, handle, close,
    /// evaluate, request-extension, decide-extension, defer, send-back.
    pub step: String,
    pub reason: Option<String>,
    pub into: Option<String>,
    pub note: Option<String>,
    pub departments: Vec<String>,
    pub grade: Option<String>,
    pub feedback: Option<String>,
    pub satisfied: Option<bool>,
    pub resident: Option<String>,
    pub comment: Option<String>,
    /// request-extension: how much more, in the unit of the issue's limit.
    pub amount: Option<u32>,
    /// decide-extension: approved or refused.
    pub approve: Option<bool>,
}

/// Builds the workflow step a form asked for; a missing required field is
/// an error that names it.
pub fn issue_step(a: &IssueAction) -> Result<IssueStep> {
    let text = |v: &Option<String>| v.as_deref().unwrap_or("").trim().to_owned();
    let need = |v: &Option<String>, field: &str, zh: &str| -> Result<String> {
        let t = text(v);
        if t.is_empty() {
            return Err(gridline_model::Invalid::new(
                field,
                text!("请填写{zh}", "{field} is required for this step"),
                text!("填写{zh}后再提交", "fill in {field}"),
            )
            .into());
        }
        Ok(t)
    };
    Ok(match a.step.as_str() {
        "accept" => IssueStep::Accept,
        "reject" => IssueStep::Reject {
            reason: need(&a.reason, "reason", "理由")?,
        },
        "merge" => IssueStep::Merge {
            into: parse_id(&need(&a.into, "into", "并入的事件编号")?, "into")?,
        },
        "resolve" => IssueStep::Resolve {
            note: text(&a.note),
        },
        "escalate" => IssueStep::Escalate {
            note: text(&a.note),
        },
        "close" | "verify_close" => IssueStep::VerifyClose {
            note: text(&a.note),
        },
        "dispatch" => {
            let departments: Vec<String> = a
                .departments
                .iter()
                .map(|d| d.trim().to_owned())
                .filter(|d| !d.is_empty())
                .collect();
            if departments.is_empty() {
                return Err(gridline_model::Invalid::new(
                    "departments",
                    text!("请至少选择一个部门", "choose at least one department"),
                    text!("如 城管、住建", "e.g. 城管, 住建"),
                )
                .into());
            }
            let grade = Grade::parse(&need(&a.grade, "grade", "响应等级")?)?;
            IssueStep::Dispatch { departments, grade }
        }
        "handle" => IssueStep::Handle {
            feedback: need(&a.feedback, "feedback", "处置反馈")?,
        },
        "evaluate" => IssueStep::Evaluate {
            satisfied: a.satisfied.ok_or_else(|| {
                gridline_model::Invalid::new(
                    "satisfied",
                    text!("请选择满意或不满意", "choose satisfied or not"),
                    text!("satisfied 填 true 或 false", "satisfied: true or false"),
                )
            })?,
            resident: need(&a.resident, "resident", "评价居民姓名")?,
            comment: text(&a.comment),
        },
        "request-extension" => IssueStep::RequestExtension {
            amount: a.amount.filter(|n| *n > 0).ok_or_else(|| {
                gridline_model::Invalid::new(
                    "amount",
                    text!("请填写延期时长", "give how much more time is asked"),
                    text!(
                        "填写正整数，单位与本事件的时限相同",
                        "a whole number, in the unit of the issue's limit"
                    ),
                )
            })?,
            reason: need(&a.reason, "reason", "延期理由")?,
        },
        "decide-extension" => IssueStep::DecideExtension {
            approve: a.approve.ok_or_else(|| {
                gridline_model::Invalid::new(
                    "approve",
                    text!("请选择批准或不批准", "choose approve or refuse"),
                    text!("approve 填 true 或 false", "approve: true or false"),
                )
            })?,
            note: text(&a.note),
        },
        "defer" => IssueStep::Defer {
            reason: need(&a.reason, "reason", "缓办理由")?,
        },
        "send-back" => IssueStep::SendBack {
            reason: need(&a.reason, "reason", "核查不通过的理由")?,
        },
        other => {
            return Err(gridline_model::Invalid::new(
                "step",
                text!("未知的操作 \"{other}\"", "unknown step \"{other}\""),
                text!(
                "可用：accept、reject、merge、resolve、escalate、dispatch、handle、close、evaluate、request-extension、decide-extension、defer、send-back",
                "use accept, reject, merge, resolve, escalate, dispatch, handle, close, evaluate, request-extension, decide-extension, defer or send-back"
            ),
            )
            .into())
        }
    })
}

/// A wish step as a form sends it: the model's step key and its one text.
#[derive(Debug, Clone, Default)]
pub struct WishAction {
    /// claim, withdraw-claim, fulfil, confirm, withdraw ([`WishStep::key`]).
    pub step: String,
    pub note: Option<String>,
    pub resident: Option<String>,
    pub reason: Option<String>,
}

/// The wish steps a user takes, by [`WishStep::key`]; the hub's own steps
/// (grant, refuse-claim) and posting are not among them.
pub const USER_WISH_STEPS: [&str; 5] = ["claim", "withdraw-claim", "fulfil", "confirm", "withdraw"];

/// Builds the wish step a form asked for, named by the model's key. Its
/// texts are checked by [`WishStep::validate`] when the device takes it.
pub fn wish_step(a: &WishAction) -> Result<WishStep> {
    let text = |v: &Option<String>| v.as_deref().unwrap_or("").trim().to_owned();
    Ok(match a.step.trim() {
        "claim" => WishStep::RequestClaim,
        "withdraw-claim" => WishStep::WithdrawClaim,
        "fulfil" => WishStep::Fulfil {
            note: text(&a.note),
        },
        "confirm" => WishStep::Confirm {
            resident: text(&a.resident),
        },
        "withdraw" => WishStep::WithdrawWish {
            reason: text(&a.reason),
        },
        other => {
            let known = USER_WISH_STEPS.join(", ");
            return Err(gridline_model::Invalid::new(
                "step",
                text!("未知的操作 \"{other}\"", "unknown step \"{other}\""),
                Text::new(
                    format!("可用：{}", USER_WISH_STEPS.join("、")),
                    format!("use one of {known}"),
                ),
            )
            .into());
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use gridline_model::{Role, Scope, User};

    fn device(role: Role, scope: &str) -> (tempfile::TempDir, Device) {
        let dir = tempfile::tempdir().unwrap();
        let user = User {
            id: "u1".into(),
            name: "张伟".into(),
            role,
            scope: Scope::parse(scope).unwrap(),
        };
        let d = Device::init(dir.path(), user).unwrap();
        (dir, d)
    }

    #[test]
    fn drafts_round_trip_and_refuse_bad_keys() {
        let (_dir, d) = device(Role::GridWorker, "grids:522701001001001");
        assert_eq!(d.draft("issue-new").unwrap(), None);
        d.save_draft("issue-new", r#"{"description":"楼道灯坏了"}"#)
            .unwrap();
        assert_eq!(
            d.draft("issue-new").unwrap().as_deref(),
            Some(r#"{"description":"楼道灯坏了"}"#)
        );
        d.clear_draft("issue-new").unwrap();
        assert_eq!(d.draft("issue-new").unwrap(), None);
        assert!(d.save_draft("../etc", "x").is_err());
        assert!(d
            .save_draft("token", &"x".repeat(MAX_DRAFT_BYTES + 1))
            .is_err());
        // A draft key can never overwrite the device's own settings.
        d.save_draft("hub_url", "x").unwrap();
        assert_eq!(d.store.meta("hub_url").unwrap(), None);
    }

    #[test]
    fn dashboard_is_refused_to_grid_workers_and_given_to_community() {
        let now = chrono::Utc::now();
        let (_d1, gw) = device(Role::GridWorker, "grids:522701001001001");
        assert_eq!(gw.dashboard(now).unwrap_err().code(), "refused");
        let (_d2, cs) = device(Role::CommunityStaff, "community:522701001001");
        let dash = cs.dashboard(now).unwrap();
        assert_eq!(dash.issues_per_day.len(), 14);
        assert_eq!(dash.households, 0);
    }

    #[test]
    fn issue_steps_need_their_fields() {
        let step = |k: &str| IssueAction {
            step: k.into(),
            ..Default::default()
        };
        assert!(matches!(
            issue_step(&step("accept")).unwrap(),
            IssueStep::Accept
        ));
        let e = issue_step(&step("reject")).unwrap_err();
        assert_eq!(e.code(), "invalid");
        assert!(e.to_string().contains("reason"), "{e}");
        assert_eq!(issue_step(&step("dispatch")).unwrap_err().code(), "invalid");
        let d = IssueAction {
            departments: vec![" 城管 ".into(), "".into()],
            grade: Some("urgent".into()),
            ..step("dispatch")
        };
        match issue_step(&d).unwrap() {
            IssueStep::Dispatch { departments, .. } => assert_eq!(departments, vec!["城管"]),
            other => panic!("{other:?}"),
        }
        assert_eq!(issue_step(&step("evaluate")).unwrap_err().code(), "invalid");
        assert_eq!(issue_step(&step("explode")).unwrap_err().code(), "invalid");
    }

    #[test]
    fn wish_steps_are_named_by_the_model_s_keys() {
        for key in USER_WISH_STEPS {
            let step = wish_step(&WishAction {
                step: key.into(),
                ..Default::default()
            })
            .unwrap();
            assert_eq!(step.key(), key, "the form's key is the model's key");
        }
        let e = wish_step(&WishAction {
            step: "withdraw_claim".into(),
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(
            e.code(),
            "invalid",
            "there is one spelling of each step: {e}"
        );
    }

    #[test]
    fn idle_lock_defaults_by_role_and_keeps_only_the_choices() {
        let (_dir, d) = device(Role::GridWorker, "grids:522701001001001");
        assert_eq!(
            d.idle_lock_minutes().unwrap(),
            0,
            "a grid worker's phone does not lock by default"
        );
        d.set_idle_lock_minutes(5).unwrap();
        assert_eq!(
            d.idle_lock_minutes().unwrap(),
            5,
            "the choice is kept on the device"
        );
        assert!(
            d.set_idle_lock_minutes(7).is_err(),
            "only off, 5, 15 and 30 are offered"
        );
        assert_eq!(
            d.idle_lock_minutes().unwrap(),
            5,
            "a refused choice changes nothing"
        );
        let (_dir, office) = device(Role::CommunityStaff, "community:522701001001");
        assert_eq!(
            office.idle_lock_minutes().unwrap(),
            15,
            "office staff lock after 15 minutes by default"
        );
        office.set_idle_lock_minutes(0).unwrap();
        assert_eq!(
            office.idle_lock_minutes().unwrap(),
            0,
            "and may turn it off"
        );
    }

    #[test]
    fn language_defaults_to_chinese_and_refuses_others() {
        let (_dir, d) = device(Role::GridWorker, "grids:522701001001001");
        assert_eq!(d.language().unwrap(), "zh-CN");
        d.set_language("en").unwrap();
        assert_eq!(d.language().unwrap(), "en");
        assert!(d.set_language("fr").is_err());
    }
}
