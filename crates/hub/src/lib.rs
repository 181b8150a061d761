//! The street hub: one street's documents in SQLite, enrolment of devices,
//! and scoped, batched, cursor-based sync (DESIGN §5).
//!
//! [`Hub`] is the whole hub without a network: tests drive it directly, and
//! [`server::run`] puts it behind axum. [`Hub::enroll`] trades a one-time
//! code for a token; bad codes are throttled per source address, per code and,
//! against a flood, hub-wide ([`BAD_CODES_PER_SOURCE`], [`BAD_CODES_PER_CODE`],
//! [`BAD_CODES_HUB_CEILING`]), and [`Hub::enrol_unlock`] lifts them.
//!
//! Every accepted change stamps its document with the next value of one
//! hub-wide counter; a device's cursor is the counter value up to which it
//! holds everything in its scope, so "nothing changed" is one indexed lookup
//! and no document is loaded.

pub mod admin;
pub mod audit;
pub mod blobs;
pub mod cipher;
pub mod demo;
mod enrol;
mod error;
mod households;
/// The roster reader, shared with the device (it lives in gridline-office).
pub use gridline_office::import;
pub mod import_changes;
mod migrations;
pub mod server;
mod street_limits;
mod sync;
pub mod wipe;

use gridline_model::text;
use parking_lot::Mutex;
use std::path::Path;

use automerge::AutoCommit;
use gridline_model::{Instant, Role, Scope, User};
pub use gridline_records::Record;
use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};

pub use admin::{AdminQuery, Held, Listing, Shown};
pub use audit::{AuditQuery, AuditRow};
pub use enrol::{
    source_key, EnrolLock, Enrolment, Unlocked, BAD_CODES_HUB_CEILING, BAD_CODES_PER_CODE,
    BAD_CODES_PER_SOURCE, BAD_CODE_WINDOW_MINUTES, CODE_TTL_HOURS,
};
pub use error::{Error, Result};
pub use households::ImportReport;
pub use import_changes::{ChangeImportReport, DocOutcome, Outcome};
pub use sync::{PROBE_LIMIT, PROBE_WINDOW_MINUTES};

pub const STORE_FILE: &str = "hub.db";

pub struct Hub {
    /// The one write connection. parking_lot's lock is eventually fair (a
    /// fair hand-off at least every 0.5 ms), so no device starves another,
    /// without the convoys a strictly fair lock makes under load.
    conn: Mutex<Connection>,
    /// A read-only connection for pages (WAL readers never wait for the writer).
    reader: Mutex<Connection>,
    actor: Vec<u8>,
    /// Devices with a sync request in flight: one at a time each.
    in_flight: parking_lot::Mutex<std::collections::HashMap<String, sync::Slot>>,
    in_flight_done: parking_lot::Condvar,
    /// [`gridline_sync::PUSH_STEP_MILLIS`] unless a test sets another.
    push_step_millis: std::sync::atomic::AtomicU64,
    /// Whether `hub.db` is encrypted (`hub init --encrypt`).
    encrypted: bool,
    /// Photos, beside `hub.db` (`blobs.rs`).
    blobs: blobs::BlobDir,
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

/// The read-only connection beside the writer (after its migrations ran).
fn open_reader(path: &Path, key: Option<&cipher::HubKey>) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    if let Some(key) = key {
        cipher::apply(&conn, key, path)?;
    }
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "cache_size", -65_536)?;
    Ok(conn)
}

impl Hub {
    fn with_conn(
        conn: Connection,
        path: &Path,
        actor: Vec<u8>,
        key: Option<&cipher::HubKey>,
    ) -> Result<Hub> {
        Ok(Hub {
            encrypted: key.is_some(),
            blobs: blobs::BlobDir::beside(path),
            reader: Mutex::new(open_reader(path, key)?),
            conn: Mutex::new(conn),
            actor,
            in_flight: Default::default(),
            in_flight_done: Default::default(),
            push_step_millis: gridline_sync::PUSH_STEP_MILLIS.into(),
        })
    }

    /// How long one request's pushes may hold the write lock (tests that
    /// need every push looked at in one round trip raise it; tests of
    /// deferral lower it).
    pub fn set_push_step_millis(&self, millis: u64) {
        self.push_step_millis
            .store(millis, std::sync::atomic::Ordering::Relaxed);
    }

    pub(crate) fn push_step_millis(&self) -> u64 {
        self.push_step_millis
            .load(std::sync::atomic::Ordering::Relaxed)
    }
}

fn open_conn(path: &Path, key: Option<&cipher::HubKey>) -> Result<Connection> {
    let mut conn = Connection::open(path)?;
    if let Some(key) = key {
        cipher::apply(&conn, key, path)?;
    }
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
        Self::init_with(dir, street, name, None)
    }

    /// [`Hub::init`] with `hub.db` encrypted by `key` (`hub init --encrypt`).
    pub fn init_encrypted(
        dir: &Path,
        street: &str,
        name: &str,
        key: &cipher::HubKey,
    ) -> Result<Hub> {
        Self::init_with(dir, street, name, Some(key))
    }

    fn init_with(
        dir: &Path,
        street: &str,
        name: &str,
        key: Option<&cipher::HubKey>,
    ) -> Result<Hub> {
        Scope::parse(&format!("street:{street}"))?;
        std::fs::create_dir_all(dir).map_err(|source| Error::Io {
            context: format!("creating {}", dir.display()),
            source,
        })?;
        let path = dir.join(STORE_FILE);
        if let Some(key) = key {
            if path.exists() {
                return Err(Error::AlreadyInitialised {
                    path: dir.to_owned(),
                });
            }
            cipher::write_marker(dir, key)?;
        }
        let conn = open_conn(&path, key)?;
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
        Hub::with_conn(conn, &path, actor, key)
    }

    pub fn open(dir: &Path) -> Result<Hub> {
        let path = dir.join(STORE_FILE);
        if !path.exists() {
            return Err(Error::NotInitialised {
                path: dir.to_owned(),
            });
        }
        let key = cipher::key_for(&path)?;
        let conn = open_conn(&path, key.as_ref())?;
        let actor: Option<String> = conn
            .query_row("SELECT value FROM meta WHERE key = 'actor'", [], |r| {
                r.get(0)
            })
            .optional()?;
        let actor = actor.ok_or_else(|| Error::NotInitialised {
            path: dir.to_owned(),
        })?;
        let actor = hex::decode(&actor).map_err(|_| {
            Error::Damaged(text!(
                "枢纽执行者编号已损坏：{actor:?}；请从备份恢复 hub.db",
                "the hub actor id is damaged; restore hub.db from a backup"
            ))
        })?;
        Hub::with_conn(conn, &path, actor, key.as_ref())
    }

    /// Whether `hub.db` is encrypted at rest.
    pub fn is_encrypted(&self) -> bool {
        self.encrypted
    }

    /// The write connection. A panic while holding it leaves SQLite
    /// consistent (the transaction rolls back); the lock does not poison.
    pub(crate) fn conn(&self) -> parking_lot::MutexGuard<'_, Connection> {
        self.conn.lock()
    }

    /// The read-only connection, for pages.
    pub(crate) fn reader(&self) -> parking_lot::MutexGuard<'_, Connection> {
        self.reader.lock()
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

    /// Refuses the device from its next request on (audited as `admin`).
    pub fn revoke(&self, device_id: &str, now: Instant) -> Result<()> {
        self.revoke_as(device_id, "admin", now)
    }

    /// Refuses the device from its next request on, audited with the admin
    /// who asked. Its binding stays, so its exported changes can be imported
    /// later as that binding allowed.
    pub fn revoke_as(&self, device_id: &str, admin: &str, now: Instant) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
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
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
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
        sync::read_counter(&self.conn())
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
    let mut seq = sync::read_counter(tx)?;
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
    sync::write_counter(tx, seq)?;
    Ok(written)
}
