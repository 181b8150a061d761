//! The street hub: one street's documents in SQLite, enrolment of devices,
//! and scoped, batched, cursor-based sync (DESIGN §5).
//!
//! [`Hub`] is the whole hub without a network: tests drive it directly, and
//! [`server::run`] puts it behind axum. Every accepted change stamps its
//! document with the next value of one hub-wide counter; a device's cursor is
//! the counter value up to which it holds everything in its scope, so
//! "nothing changed" is one indexed lookup and no document is loaded.

pub mod audit;
pub mod demo;
mod error;
mod households;
pub mod import;
pub mod import_changes;
mod migrations;
pub mod server;
mod sync;

use std::path::Path;
use std::sync::Mutex;

use automerge::AutoCommit;
use chrono::Duration;
use gridline_model::{Instant, Role, Scope, User};
use gridline_records::Record;
use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};

pub use audit::{AuditQuery, AuditRow};
pub use error::{Error, Result};
pub use households::ImportReport;
pub use import_changes::{ChangeImportReport, DocOutcome, Outcome};

pub const STORE_FILE: &str = "hub.db";

/// How long an enrolment code stays valid.
pub const CODE_TTL_HOURS: i64 = 72;

/// Bad enrolment codes (from any source) allowed within [`BAD_CODE_WINDOW_MINUTES`];
/// past that, every enrolment is refused until the oldest of them leaves the window.
pub const BAD_CODE_LIMIT: i64 = 5;
pub const BAD_CODE_WINDOW_MINUTES: i64 = 10;

pub struct Hub {
    conn: Mutex<Connection>,
    actor: Vec<u8>,
}

/// What a device learns when it enrols.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrolment {
    pub token: String,
    pub user: User,
    pub hub_actor: String,
}

/// A device as the admin sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRow {
    pub id: String,
    pub user: User,
    pub enrolled_at: String,
    pub revoked_at: Option<String>,
    pub actors: usize,
}

/// A user as the hub stores it: id, name, role key, scope text.
pub(crate) fn user_from_row(id: String, name: String, role: &str, scope: &str) -> Result<User> {
    Ok(User {
        id,
        name,
        role: Role::parse(role)?,
        scope: Scope::parse(scope)?,
    })
}

pub(crate) fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

fn random_secret(bytes: usize) -> String {
    let mut out = Vec::with_capacity(bytes);
    while out.len() < bytes {
        out.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
    }
    out.truncate(bytes);
    hex::encode(out)
}

fn open_conn(path: &Path) -> Result<Connection> {
    let mut conn = Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // An acknowledgement promises durability: commit with a full sync.
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "cache_size", -65_536)?;
    migrations::migrate(&mut conn)?;
    Ok(conn)
}

impl Hub {
    /// Creates a hub for one street (9-digit code) in `dir`.
    pub fn init(dir: &Path, street: &str, name: &str) -> Result<Hub> {
        Scope::parse(&format!("street:{street}"))?;
        std::fs::create_dir_all(dir).map_err(|source| Error::Io {
            context: format!("creating {}", dir.display()),
            source,
        })?;
        let conn = open_conn(&dir.join(STORE_FILE))?;
        let exists: Option<String> = conn
            .query_row("SELECT value FROM meta WHERE key = 'actor'", [], |r| {
                r.get(0)
            })
            .optional()?;
        if exists.is_some() {
            return Err(Error::AlreadyInitialised {
                path: dir.to_owned(),
            });
        }
        let actor = uuid::Uuid::new_v4().as_bytes().to_vec();
        for (k, v) in [
            ("actor", hex::encode(&actor)),
            ("street", street.to_owned()),
            ("name", name.to_owned()),
            ("counter", "0".into()),
        ] {
            conn.execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)",
                params![k, v],
            )?;
        }
        Ok(Hub {
            conn: Mutex::new(conn),
            actor,
        })
    }

    pub fn open(dir: &Path) -> Result<Hub> {
        let path = dir.join(STORE_FILE);
        if !path.exists() {
            return Err(Error::NotInitialised {
                path: dir.to_owned(),
            });
        }
        let conn = open_conn(&path)?;
        let actor: Option<String> = conn
            .query_row("SELECT value FROM meta WHERE key = 'actor'", [], |r| {
                r.get(0)
            })
            .optional()?;
        let actor = actor.ok_or_else(|| Error::NotInitialised {
            path: dir.to_owned(),
        })?;
        Ok(Hub {
            conn: Mutex::new(conn),
            actor: hex::decode(actor).map_err(|_| Error::Import("damaged hub actor".into()))?,
        })
    }

    pub(crate) fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves SQLite consistent (the
        // transaction rolls back), so a poisoned lock is safe to reuse.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn actor_hex(&self) -> String {
        hex::encode(&self.actor)
    }

    pub fn street(&self) -> Result<String> {
        Ok(self
            .conn()
            .query_row("SELECT value FROM meta WHERE key = 'street'", [], |r| {
                r.get(0)
            })?)
    }

    /// Issues a one-time enrolment code for a user, role and scope.
    pub fn enrol_code(&self, user: &User, admin: &str, now: Instant) -> Result<String> {
        if !user.scope.fits(user.role) || matches!(user.role, Role::Admin | Role::Hub) {
            return Err(gridline_model::Invalid::new("scope", format!("角色 {} 与范围 {} 不匹配 (scope does not fit the role)", user.role, user.scope.encode()), "网格员 grids:…，联户长 households:…，社区 community:…，街道 street:…，部门 department:…").into());
        }
        let street = self.street()?;
        if user.scope.street().is_some_and(|s| s != street) {
            return Err(gridline_model::Invalid::new(
                "scope",
                format!("范围不在本街道 {street} (scope outside this street)"),
                "请使用本街道的网格或社区 (use this street's grids or communities)",
            )
            .into());
        }
        // 12 characters from an unambiguous alphabet: easy to read out and type.
        const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        let raw = uuid::Uuid::new_v4();
        let code: String = raw.as_bytes()[..12]
            .iter()
            .map(|b| ALPHABET[(*b as usize) % ALPHABET.len()] as char)
            .collect();
        let code = format!("{}-{}-{}", &code[..4], &code[4..8], &code[8..]);
        self.conn().execute(
            "INSERT INTO enrol_codes (code_hash, user_id, user_name, role, scope, created_by, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![hash(&code), user.id, user.name, user.role.key(), user.scope.encode(), admin, gridline_records::fmt_time(now + Duration::hours(CODE_TTL_HOURS))],
        )?;
        Ok(code)
    }

    /// Exchanges a one-time code for a bearer token, binding the device's actor.
    pub fn enroll(
        &self,
        code: &str,
        device_id: &str,
        actor_hex: &str,
        now: Instant,
    ) -> Result<Enrolment> {
        if hex::decode(actor_hex).map_or(true, |a| a.is_empty() || a.len() > 32)
            || device_id.trim().is_empty()
            || device_id.len() > 64
        {
            return Err(gridline_model::Invalid::new(
                "actor",
                "设备编号或执行者编号无效 (bad device id or actor id)",
                "请用 gridline device enroll (use gridline device enroll)",
            )
            .into());
        }
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        // Rate limit: a code is 12 characters of 32, but guessing must stay
        // slow. Checked before the code is looked at, so while it holds even a
        // right code waits (an attacker learns nothing from the answer).
        let window_start =
            gridline_records::fmt_time(now - Duration::minutes(BAD_CODE_WINDOW_MINUTES));
        let recent: Vec<String> = tx
            .prepare_cached(
                "SELECT at FROM enrol_failures WHERE at > ?1 ORDER BY at DESC LIMIT ?2",
            )?
            .query_map(params![window_start, BAD_CODE_LIMIT], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        if recent.len() as i64 >= BAD_CODE_LIMIT {
            let oldest = recent
                .last()
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.with_timezone(&chrono::Utc))
                .unwrap_or(now);
            let until = oldest + Duration::minutes(BAD_CODE_WINDOW_MINUTES);
            return Err(Error::TooManyAttempts {
                retry_after_secs: (until - now).num_seconds().max(1),
            });
        }
        type CodeRow = (
            String,
            String,
            String,
            String,
            String,
            Option<String>,
            String,
        );
        let row: Option<CodeRow> = tx
            .query_row(
                "SELECT user_id, user_name, role, scope, expires_at, used_by, created_by FROM enrol_codes WHERE code_hash = ?1",
                [hash(code.trim().to_uppercase().as_str())],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
            )
            .optional()?;
        let usable = row.filter(|(_, _, _, _, expires_at, used_by, _)| {
            used_by.is_none() && *expires_at >= gridline_records::fmt_time(now)
        });
        let Some((user_id, user_name, role, scope, _, _, created_by)) = usable else {
            // Unknown, used or expired: all count towards the limit.
            tx.execute(
                "INSERT INTO enrol_failures (at) VALUES (?1)",
                [gridline_records::fmt_time(now)],
            )?;
            tx.execute(
                "DELETE FROM enrol_failures WHERE at < ?1",
                [gridline_records::fmt_time(now - Duration::days(1))],
            )?;
            tx.commit()?;
            return Err(Error::BadCode);
        };
        let known: Option<String> = tx
            .query_row("SELECT id FROM devices WHERE id = ?1", [device_id], |r| {
                r.get(0)
            })
            .optional()?;
        if known.is_some() {
            return Err(gridline_model::Invalid::new(
                "device_id",
                "该设备已注册 (this device is already enrolled)",
                "已停用的设备请新建数据目录后重新注册 (a revoked device enrols again from a new data directory)",
            )
            .into());
        }
        let taken: Option<String> = tx
            .query_row(
                "SELECT device_id FROM device_actors WHERE actor = ?1",
                [actor_hex],
                |r| r.get(0),
            )
            .optional()?;
        if taken.is_some() {
            return Err(gridline_model::Invalid::new(
                "actor",
                "该设备已注册 (this device is already enrolled)",
                "每台设备只注册一次 (enrol a device once)",
            )
            .into());
        }
        let token = random_secret(32);
        tx.execute(
            "INSERT INTO devices (id, user_id, user_name, role, scope, token_hash, enrolled_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![device_id, user_id, user_name, role, scope, hash(&token), gridline_records::fmt_time(now)],
        )?;
        tx.execute(
            "INSERT INTO device_actors (actor, device_id) VALUES (?1, ?2)",
            params![actor_hex, device_id],
        )?;
        tx.execute(
            "UPDATE enrol_codes SET used_by = ?1 WHERE code_hash = ?2",
            params![device_id, hash(code.trim().to_uppercase().as_str())],
        )?;
        audit::write(
            &tx,
            &audit::Entry {
                at: now,
                device_id: Some(device_id),
                user_id: &user_id,
                doc_id: device_id,
                kind: "device",
                action: audit::action::ENROL,
                admin: Some(&created_by),
                detail: &format!("{role} {scope} actor {actor_hex}"),
            },
        )?;
        tx.commit()?;
        Ok(Enrolment {
            token,
            user: user_from_row(user_id, user_name, &role, &scope)?,
            hub_actor: self.actor_hex(),
        })
    }

    /// Refuses the device from its next request on (audited as `admin`).
    pub fn revoke(&self, device_id: &str, now: Instant) -> Result<()> {
        self.revoke_as(device_id, "admin", now)
    }

    /// Refuses the device from its next request on, audited with the admin
    /// who asked. Its binding stays, so its exported changes can be imported
    /// later as that binding allowed.
    pub fn revoke_as(&self, device_id: &str, admin: &str, now: Instant) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let n = tx.execute(
            "UPDATE devices SET revoked_at = ?1 WHERE id = ?2 AND revoked_at IS NULL",
            params![gridline_records::fmt_time(now), device_id],
        )?;
        if n == 0 {
            return Err(Error::NoSuchDevice(device_id.to_owned()));
        }
        let user_id: String = tx.query_row(
            "SELECT user_id FROM devices WHERE id = ?1",
            [device_id],
            |r| r.get(0),
        )?;
        audit::write(
            &tx,
            &audit::Entry {
                at: now,
                device_id: Some(device_id),
                user_id: &user_id,
                doc_id: device_id,
                kind: "device",
                action: audit::action::REVOKE,
                admin: Some(admin),
                detail: "",
            },
        )?;
        tx.commit()?;
        Ok(())
    }

    pub fn devices(&self) -> Result<Vec<DeviceRow>> {
        let conn = self.conn();
        let mut st = conn.prepare(
            "SELECT d.id, d.user_id, d.user_name, d.role, d.scope, d.enrolled_at, d.revoked_at,
                (SELECT count(*) FROM device_actors a WHERE a.device_id = d.id)
             FROM devices d ORDER BY d.enrolled_at",
        )?;
        let rows = st
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get::<_, i64>(7)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(
                |(id, uid, name, role, scope, enrolled_at, revoked_at, actors)| {
                    Ok(DeviceRow {
                        id,
                        user: user_from_row(uid, name, &role, &scope)?,
                        enrolled_at,
                        revoked_at,
                        actors: actors as usize,
                    })
                },
            )
            .collect()
    }

    /// Writes documents the hub itself makes (imports, demo data) with the
    /// hub's actor, audited with the admin who asked. All or nothing.
    pub fn put_own(
        &self,
        docs: &mut [(AutoCommit, Record)],
        admin: &str,
        now: Instant,
    ) -> Result<usize> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let n = put_own_tx(&tx, docs, admin, now)?;
        tx.commit()?;
        Ok(n)
    }

    /// A new empty document written as the hub.
    pub fn new_doc(&self) -> AutoCommit {
        gridline_records::new_doc(&self.actor)
    }

    /// Number of documents held.
    pub fn document_count(&self) -> Result<u64> {
        Ok(self
            .conn()
            .query_row("SELECT count(*) FROM documents", [], |r| r.get::<_, i64>(0))?
            as u64)
    }

    /// Ids of up to `limit` households of a grid (for load generators and admins).
    pub fn household_ids(&self, grid: &str, limit: usize) -> Result<Vec<String>> {
        let conn = self.conn();
        let mut st = conn.prepare_cached(
            "SELECT id FROM documents WHERE kind = 'household' AND grid = ?1 ORDER BY id LIMIT ?2",
        )?;
        let rows = st
            .query_map(params![grid, limit as i64], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// The hub counter: the value of the latest accepted change.
    pub fn counter(&self) -> Result<u64> {
        Ok(self
            .conn()
            .query_row("SELECT value FROM meta WHERE key = 'counter'", [], |r| {
                r.get::<_, String>(0)
            })?
            .parse()
            .unwrap_or(0))
    }

    /// The heads (sorted hex, comma-separated) of a document the hub holds.
    pub fn heads(&self, id: &str) -> Result<Option<String>> {
        Ok(self
            .conn()
            .query_row("SELECT heads FROM documents WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?)
    }

    pub fn integrity_check(&self) -> Result<String> {
        Ok(self
            .conn()
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
    }
}

/// Writes hub-made documents in the caller's transaction, each stamped with
/// the next counter value and audited with the admin who asked. Only new
/// documents are written: replacing one wholesale would drop the changes
/// devices have synced onto it, so seeding or importing twice changes nothing.
pub(crate) fn put_own_tx(
    tx: &rusqlite::Transaction<'_>,
    docs: &mut [(AutoCommit, Record)],
    admin: &str,
    now: Instant,
) -> Result<usize> {
    let mut seq: u64 = tx
        .query_row("SELECT value FROM meta WHERE key = 'counter'", [], |r| {
            r.get::<_, String>(0)
        })?
        .parse()
        .unwrap_or(0);
    let hub_actor: String =
        tx.query_row("SELECT value FROM meta WHERE key = 'actor'", [], |r| {
            r.get(0)
        })?;
    let mut written = 0;
    for (doc, record) in docs.iter_mut() {
        let exists: i64 = tx
            .prepare_cached("SELECT count(*) FROM documents WHERE id = ?1")?
            .query_row([record.doc_id().to_string()], |r| r.get(0))?;
        if exists > 0 {
            continue;
        }
        written += 1;
        seq += 1;
        sync::write_doc(tx, doc, record, seq, now, &hub_actor)?;
        audit::write(
            tx,
            &audit::Entry {
                at: now,
                device_id: None,
                user_id: admin,
                doc_id: &record.doc_id().to_string(),
                kind: record.kind().key(),
                action: audit::action::HUB_WRITE,
                admin: Some(admin),
                detail: "",
            },
        )?;
    }
    tx.execute(
        "UPDATE meta SET value = ?1 WHERE key = 'counter'",
        [seq.to_string()],
    )?;
    Ok(written)
}
