//! Importing a revoked device's exported unsynced changes: DESIGN §5's one
//! audited exception to refusing a revoked device.
//!
//! The file is what `gridline device export-unsynced` writes (JSON,
//! `format: "gridline-unsynced"`, `v: 1`). Each document's changes go through
//! the same checks as a sync push ([`Hub::check_one`]), against the binding
//! the hub still holds for the device (its user, role, scope and registered
//! actors, whatever the file claims), so each change keeps its original actor
//! and is accepted only if that binding could have made it. Every applied or
//! refused change is audited with the admin's name. Importing the same file
//! again applies nothing: Automerge changes are applied once. The device's
//! unsent reveals of ID numbers are audited too, once each under their id.

use gridline_model::Instant;
use gridline_model::{text, Text};
use gridline_sync::check::{Binding, Payload};
use rusqlite::OptionalExtension;
use serde::Deserialize;

use crate::sync::{Pending, RevealTaken, Who};
use crate::{audit, Error, Hub, Result};

pub const FORMAT: &str = "gridline-unsynced";
pub const VERSION: u32 = 1;

#[derive(Deserialize)]
struct FileUser {
    id: String,
}

#[derive(Deserialize)]
struct FileDoc {
    id: String,
    #[serde(default)]
    kind: String,
    changes: String,
}

#[derive(Deserialize)]
struct File {
    format: String,
    v: u32,
    device_id: String,
    user: FileUser,
    docs: Vec<FileDoc>,
    /// Reveals of ID numbers the device had not sent (absent from older files).
    #[serde(default)]
    reveals: Vec<gridline_sync::RevealEntry>,
}

/// What happened (or, in a dry run, would happen) to one document's changes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    Applied,
    /// The hub already holds every one of these changes.
    AlreadyOnHub,
    Refused {
        code: String,
        reason: Text,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DocOutcome {
    pub id: String,
    pub kind: String,
    #[serde(flatten)]
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ChangeImportReport {
    pub device_id: String,
    pub user_id: String,
    pub role: String,
    pub scope: String,
    pub revoked_at: Option<String>,
    pub dry_run: bool,
    pub docs: Vec<DocOutcome>,
    /// The file's reveals of ID numbers: audited now, held already, or refused.
    pub reveals: Vec<RevealOutcome>,
}

/// What happened (or would) to one reveal of ID numbers in the file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RevealOutcome {
    pub id: String,
    #[serde(flatten)]
    pub outcome: Outcome,
}

impl ChangeImportReport {
    pub fn applied(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Applied))
    }
    pub fn already(&self) -> usize {
        self.count(|o| matches!(o, Outcome::AlreadyOnHub))
    }
    pub fn refused(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Refused { .. }))
    }
    fn count(&self, f: impl Fn(&Outcome) -> bool) -> usize {
        self.docs.iter().filter(|d| f(&d.outcome)).count()
    }
}

fn bad_file(why: impl std::fmt::Display) -> Error {
    Error::Import(text!(
        "不是有效的未同步改动文件：{why}；请用 gridline device export-unsynced 导出",
        "not a valid unsynced-changes file: {why}; export it with gridline device export-unsynced"
    ))
}

impl Hub {
    /// Reviews (`dry_run`: nothing is kept) or imports a device's exported
    /// unsynced changes, as `admin`. All documents in one transaction.
    pub fn import_changes(
        &self,
        bytes: &[u8],
        admin: &str,
        dry_run: bool,
        now: Instant,
    ) -> Result<ChangeImportReport> {
        if admin.trim().is_empty() {
            return Err(gridline_model::Invalid::new(
                "admin",
                text!(
                    "需要管理员姓名",
                    "the admin's name is needed for the audit trail"
                ),
                text!("请加 --admin 姓名", "add --admin NAME"),
            )
            .into());
        }
        let file: File = serde_json::from_slice(bytes).map_err(bad_file)?;
        if file.format != FORMAT {
            return Err(bad_file(format!("format {:?}", file.format)));
        }
        if file.v != VERSION {
            return Err(bad_file(Text::new(
                format!("版本 {}", file.v),
                format!("version {}; this hub reads {VERSION}", file.v),
            )));
        }
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        type DeviceRow = (String, String, String, String, Option<String>, i64);
        let row: Option<DeviceRow> = tx
            .query_row(
                "SELECT user_id, user_name, role, scope, revoked_at, seen_cursor FROM devices WHERE id = ?1",
                [&file.device_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
            )
            .optional()?;
        let Some((user_id, user_name, role, scope, revoked_at, seen)) = row else {
            return Err(Error::NoSuchDevice(file.device_id));
        };
        if file.user.id != user_id {
            return Err(bad_file(Text::new(
                format!(
                    "文件说用户是 {}，但设备 {} 绑定的是 {user_id}",
                    file.user.id, file.device_id
                ),
                format!(
                    "the file names user {}, but the device is bound to {user_id}",
                    file.user.id
                ),
            )));
        }
        // The binding as the hub holds it: never what the file claims.
        let actors = tx
            .prepare("SELECT actor FROM device_actors WHERE device_id = ?1")?
            .query_map([&file.device_id], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?;
        let binding = Binding {
            device_id: file.device_id.clone(),
            user: crate::user_from_row(user_id.clone(), user_name, &role, &scope)?,
            actors,
        };
        let mut seq = crate::sync::read_counter(&tx)?;
        let mut report = ChangeImportReport {
            device_id: file.device_id.clone(),
            user_id: user_id.clone(),
            role,
            scope,
            revoked_at,
            dry_run,
            docs: Vec::new(),
            reveals: Vec::new(),
        };
        for d in &file.docs {
            let refused = |code: &str, reason: Text| Outcome::Refused {
                code: code.to_owned(),
                reason,
            };
            let (kind, outcome) = match hex::decode(&d.changes) {
                Err(e) => (
                    d.kind.clone(),
                    refused(
                        "malformed",
                        text!("修改不是十六进制：{e}", "changes are not hex: {e}"),
                    ),
                ),
                Ok(changes) => {
                    let Pending {
                        mut hub_doc,
                        before,
                        result,
                        ..
                    } = self.check_one(
                        &tx,
                        &binding,
                        &d.id,
                        Payload::Changes(&changes),
                        seen,
                        true,
                    )?;
                    match result {
                        Err(r) => {
                            let code = serde_json::to_value(r.code)
                                .ok()
                                .and_then(|v| v.as_str().map(str::to_owned))
                                .unwrap_or_default();
                            (d.kind.clone(), refused(&code, r.reason))
                        }
                        Ok(c) if !c.changed => {
                            (c.record.kind().key().to_owned(), Outcome::AlreadyOnHub)
                        }
                        Ok(mut c) => {
                            self.apply_checked(
                                &tx,
                                &d.id,
                                hub_doc.as_mut(),
                                before.as_ref(),
                                &mut c,
                                &mut seq,
                                now,
                                &Who {
                                    device_id: &file.device_id,
                                    user_id: &user_id,
                                    action: audit::action::IMPORT,
                                    admin: Some(admin),
                                },
                            )?;
                            (c.record.kind().key().to_owned(), Outcome::Applied)
                        }
                    }
                }
            };
            if let Outcome::Refused { code, reason } = &outcome {
                audit::write(
                    &tx,
                    &audit::Entry {
                        at: now,
                        device_id: Some(&file.device_id),
                        user_id: &user_id,
                        doc_id: &d.id,
                        kind: &kind,
                        action: audit::action::IMPORT_REFUSED,
                        admin: Some(admin),
                        detail: &format!("{code}: {}", reason.in_lang(gridline_model::Lang::Both)),
                    },
                )?;
            }
            report.docs.push(DocOutcome {
                id: d.id.clone(),
                kind,
                outcome,
            });
        }
        // Reveals the device never sent are audited as a sync would, under
        // the binding, with the admin named; one already held writes nothing.
        for (id, taken) in
            self.take_reveal_entries(&tx, &binding, &file.reveals, now, Some(admin))?
        {
            let outcome = match taken {
                RevealTaken::Audited => Outcome::Applied,
                RevealTaken::AlreadyHeld => Outcome::AlreadyOnHub,
                RevealTaken::Refused(r) => Outcome::Refused {
                    code: serde_json::to_value(r.code)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    reason: r.reason,
                },
            };
            report.reveals.push(RevealOutcome { id, outcome });
        }
        crate::sync::write_counter(&tx, seq)?;
        if !dry_run {
            tx.commit()?;
        } // a review rolls everything back, audit rows included
        Ok(report)
    }
}
