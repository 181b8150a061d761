//! Enrolment: an admin issues a one-time code for a user, role and scope
//! ([`Hub::enrol_code`]); a device trades it for a bearer token bound to that
//! user and to the device's actor ([`Hub::enroll`]).
//!
//! Guessing a code (about 59 random bits) must stay slow, and no stranger may
//! be able to stop the street's devices from enrolling. Each bad code (wrong,
//! used or expired) is recorded with its time, its source and the hash of the
//! code tried, and three limits apply over the last
//! [`BAD_CODE_WINDOW_MINUTES`]:
//!
//! - **per source:** [`BAD_CODES_PER_SOURCE`] bad codes from one address lock
//!   that address only. An IPv6 address counts as its /64, which one
//!   subscriber usually holds whole.
//! - **per code:** the same wrong code failing [`BAD_CODES_PER_CODE`] times,
//!   from any addresses, is refused from every address.
//! - **hub-wide:** [`BAD_CODES_HUB_CEILING`] bad codes from all addresses
//!   together lock every enrolment. Only a flood from many addresses reaches
//!   it, and an admin can lift it at once with [`Hub::enrol_unlock`]
//!   (`gridline hub enrol-unlock`, audited).
//!
//! A locked request is refused before its code is looked at, so even a right
//! code waits and a guess learns nothing; it is not recorded, so hammering a
//! lock never lengthens it. Its `retry_after_secs` is the time until fewer
//! than the limit remain in the window: until the limit-th most recent
//! failure counted by that lock is [`BAD_CODE_WINDOW_MINUTES`] old (rounded
//! up to a whole second; the longest wait if several locks hold). A malformed
//! code ([`gridline_sync::enrol_code`]) cannot be right, so it is refused
//! before any of this and never counted.

use std::collections::BTreeMap;
use std::net::IpAddr;

use chrono::Duration;
use gridline_model::{text, Instant, Role, Text, User};
use gridline_records::{fmt_time, parse_time};
use rusqlite::{params, OptionalExtension, Transaction};

use crate::{audit, hash, user_from_row, Error, Hub, Result};

/// How long an enrolment code stays valid.
pub const CODE_TTL_HOURS: i64 = 72;

/// The window every bad-code limit counts over, in minutes.
pub const BAD_CODE_WINDOW_MINUTES: i64 = 10;

/// Bad codes from one source address (an IPv6 /64) within
/// [`BAD_CODE_WINDOW_MINUTES`] that lock that address, and that address only.
pub const BAD_CODES_PER_SOURCE: i64 = 5;

/// Failures of one and the same wrong code, from any addresses, within
/// [`BAD_CODE_WINDOW_MINUTES`] after which that code is refused outright.
pub const BAD_CODES_PER_CODE: i64 = 5;

/// Bad codes from all addresses together within [`BAD_CODE_WINDOW_MINUTES`]
/// that lock every enrolment: far above what a street's admins and devices
/// ever mistype, so only a flood from 200 addresses or more reaches it. A
/// code has about 59 bits, so even this many guesses a window never get near
/// one (the ceiling bounds the total rate, not the odds).
pub const BAD_CODES_HUB_CEILING: i64 = 1000;

/// Recorded failures older than this are deleted: they no longer count.
const KEEP_FAILURES_DAYS: i64 = 1;

/// What a device learns when it enrols.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrolment {
    pub token: String,
    pub user: User,
    pub hub_actor: String,
    /// Grid and community names by code (`EnrollResponse::place_names`).
    pub place_names: BTreeMap<String, String>,
}

/// The names of the street's grids and communities by code, for a device to
/// show instead of codes. All of them, whatever the scope: names are not
/// private, and a joint leader's or the street's records name grids the scope
/// itself does not list.
pub(crate) fn place_names(conn: &rusqlite::Connection) -> Result<BTreeMap<String, String>> {
    let mut st = conn.prepare("SELECT id, name, community_name FROM grids")?;
    let rows = st.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    let mut names = BTreeMap::new();
    for row in rows {
        let (grid, name, community) = row?;
        if let Ok(g) = gridline_model::GridId::parse(&grid) {
            names.insert(g.community().as_str().to_owned(), community);
        }
        names.insert(grid, name);
    }
    Ok(names)
}

/// Which limit refused an enrolment ([`Error::TooManyAttempts`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnrolLock {
    /// [`BAD_CODES_PER_SOURCE`] from this request's address.
    Source,
    /// [`BAD_CODES_PER_CODE`] failures of this very code.
    Code,
    /// [`BAD_CODES_HUB_CEILING`] from all addresses together.
    Hub,
}

impl EnrolLock {
    /// Which limit holds and what to do, in both languages.
    pub fn text(&self) -> Text {
        match self {
            EnrolLock::Source => text!(
                "来自本地址的错误注册码过多；请核对管理员给的注册码",
                "too many from this address; check the code the admin gave you"
            ),
            EnrolLock::Code => text!(
                "这个注册码已被拒绝多次；请核对注册码或向管理员申请新的",
                "this code was refused too often; check the code or ask the admin for a new one"
            ),
            EnrolLock::Hub => text!(
                "枢纽近来收到大量错误注册码，暂停所有注册；急需时请管理员运行 gridline hub enrol-unlock",
                "a flood of wrong codes paused every enrolment; if it cannot wait, ask the hub admin to run gridline hub enrol-unlock"
            ),
        }
    }
}

impl std::fmt::Display for EnrolLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.text().fmt(f)
    }
}

/// What [`Hub::enrol_unlock`] cleared.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Unlocked {
    /// The source asked for, as failures are counted (an IPv6 address as its
    /// /64); `None` when every failure was cleared.
    pub source: Option<String>,
    /// Recorded bad codes cleared, per source, most first. The source is
    /// empty for failures recorded before sources were.
    pub sources: Vec<(String, u64)>,
}

impl Unlocked {
    /// Recorded bad codes cleared in all.
    pub fn failures(&self) -> u64 {
        self.sources.iter().map(|(_, n)| n).sum()
    }
}

/// A source address as bad codes are counted: an IPv4 address as it is (an
/// IPv4-mapped IPv6 address as its IPv4 address), an IPv6 address as its /64.
pub fn source_key(ip: IpAddr) -> String {
    match ip.to_canonical() {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            let prefix = std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
            format!("{prefix}/64")
        }
    }
}

fn random_secret(bytes: usize) -> String {
    let mut out = Vec::with_capacity(bytes);
    while out.len() < bytes {
        out.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
    }
    out.truncate(bytes);
    hex::encode(out)
}

/// The limit-th most recent failure in the window, per limit: while there is
/// one, the limit holds, until it leaves the window.
const SOURCE_NTH: &str = "SELECT at FROM enrol_failures WHERE source = ?1 AND at > ?2 ORDER BY at DESC LIMIT 1 OFFSET ?3";
const CODE_NTH: &str = "SELECT at FROM enrol_failures WHERE code_hash = ?1 AND at > ?2 ORDER BY at DESC LIMIT 1 OFFSET ?3";
const HUB_NTH: &str =
    "SELECT at FROM enrol_failures WHERE at > ?1 ORDER BY at DESC LIMIT 1 OFFSET ?2";

/// The lock that holds for a request from `source` trying `code_hash`, with
/// the seconds until it lifts (the longest, if several hold).
fn lock(
    tx: &Transaction<'_>,
    source: &str,
    code_hash: &str,
    now: Instant,
) -> Result<Option<(EnrolLock, i64)>> {
    let window = Duration::minutes(BAD_CODE_WINDOW_MINUTES);
    let since = fmt_time(now - window);
    let nth = |sql: &str, args: &[&dyn rusqlite::ToSql]| -> Result<Option<Instant>> {
        let at: Option<String> = tx
            .prepare_cached(sql)?
            .query_row(args, |r| r.get(0))
            .optional()?;
        // An unreadable time counts as now: the lock holds a whole window.
        Ok(at.map(|t| parse_time(&t).unwrap_or(now)))
    };
    let limits = [
        (
            EnrolLock::Source,
            nth(SOURCE_NTH, &[&source, &since, &(BAD_CODES_PER_SOURCE - 1)])?,
        ),
        (
            EnrolLock::Code,
            nth(CODE_NTH, &[&code_hash, &since, &(BAD_CODES_PER_CODE - 1)])?,
        ),
        (
            EnrolLock::Hub,
            nth(HUB_NTH, &[&since, &(BAD_CODES_HUB_CEILING - 1)])?,
        ),
    ];
    let longest = limits
        .into_iter()
        .filter_map(|(lock, nth)| nth.map(|at| (lock, at + window)))
        .max_by_key(|(_, until)| *until);
    Ok(longest.map(|(lock, until)| {
        let ms = (until - now).num_milliseconds();
        (lock, ((ms + 999) / 1000).max(1))
    }))
}

impl Hub {
    /// Issues a one-time enrolment code for a user, role and scope.
    pub fn enrol_code(&self, user: &User, admin: &str, now: Instant) -> Result<String> {
        if !user.scope.fits(user.role) || matches!(user.role, Role::Admin | Role::Hub) {
            return Err(gridline_model::Invalid::new(
                "scope",
                text!(
                    "角色 {} 与范围 {} 不匹配",
                    "role {} does not fit scope {}",
                    user.role,
                    user.scope.encode()
                ),
                text!(
                    "网格员 grids:…，联户长 households:…，社区 community:…，街道 street:…，部门 department:…",
                    "grid workers grids:…, joint-household leaders households:…, community staff community:…, street staff street:…, departments department:…"
                ),
            ).into());
        }
        let street = self.street()?;
        if user.scope.street().is_some_and(|s| s != street) {
            return Err(gridline_model::Invalid::new(
                "scope",
                text!(
                    "范围不在本街道 {street}",
                    "scope outside this street {street}"
                ),
                text!(
                    "请使用本街道的网格或社区",
                    "use this street's grids or communities"
                ),
            )
            .into());
        }
        let raw = uuid::Uuid::new_v4();
        let mut bytes = [0u8; gridline_sync::enrol_code::LEN];
        bytes.copy_from_slice(&raw.as_bytes()[..gridline_sync::enrol_code::LEN]);
        let code = gridline_sync::enrol_code::from_bytes(bytes);
        self.conn().execute(
            "INSERT INTO enrol_codes (code_hash, user_id, user_name, role, scope, created_by, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![hash(&code), user.id, user.name, user.role.key(), user.scope.encode(), admin, fmt_time(now + Duration::hours(CODE_TTL_HOURS))],
        )?;
        Ok(code)
    }

    /// Exchanges a one-time code for a bearer token, binding the device's
    /// actor. `source` is the address the request came from, which the bad
    /// code limits count by (see the module documentation).
    pub fn enroll(
        &self,
        code: &str,
        device_id: &str,
        actor_hex: &str,
        source: IpAddr,
        now: Instant,
    ) -> Result<Enrolment> {
        if device_id.trim().is_empty() || device_id.len() > 64 {
            return Err(gridline_model::Invalid::new(
                "device_id",
                text!(
                    "设备编号须为 1 到 64 字节且不能为空白",
                    "the device id must be 1 to 64 bytes of UTF-8, not blank"
                ),
                text!("请用 gridline device enroll", "use gridline device enroll"),
            )
            .into());
        }
        if hex::decode(actor_hex).map_or(true, |a| a.is_empty() || a.len() > 32) {
            return Err(gridline_model::Invalid::new(
                "actor",
                text!(
                    "执行者编号须为 1 到 32 字节的十六进制",
                    "the actor id must be 1 to 32 bytes in hex"
                ),
                text!("请用 gridline device enroll", "use gridline device enroll"),
            )
            .into());
        }
        // Codes are issued, and so hashed, in the canonical form.
        let code_hash = hash(&gridline_sync::enrol_code::normalise(code)?);
        let source = source_key(source);
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        if let Some((lock, retry_after_secs)) = lock(&tx, &source, &code_hash, now)? {
            return Err(Error::TooManyAttempts {
                lock,
                retry_after_secs,
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
                [&code_hash],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
            )
            .optional()?;
        let usable = row.filter(|(_, _, _, _, expires_at, used_by, _)| {
            used_by.is_none() && *expires_at >= fmt_time(now)
        });
        let Some((user_id, user_name, role, scope, _, _, created_by)) = usable else {
            // Unknown, used or expired: all count towards the limits.
            tx.execute(
                "INSERT INTO enrol_failures (at, source, code_hash) VALUES (?1, ?2, ?3)",
                params![fmt_time(now), source, code_hash],
            )?;
            tx.execute(
                "DELETE FROM enrol_failures WHERE at < ?1",
                [fmt_time(now - Duration::days(KEEP_FAILURES_DAYS))],
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
                text!("该设备已注册", "this device is already enrolled"),
                text!(
                    "已停用的设备请新建数据目录后重新注册",
                    "a revoked device enrols again from a new data directory"
                ),
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
                text!("该设备已注册", "this device is already enrolled"),
                text!("每台设备只注册一次", "enrol a device once"),
            )
            .into());
        }
        let token = random_secret(32);
        tx.execute(
            "INSERT INTO devices (id, user_id, user_name, role, scope, token_hash, enrolled_at, seen_cursor, enrolled_counter)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
            params![device_id, user_id, user_name, role, scope, hash(&token), fmt_time(now), crate::sync::read_counter(&tx)? as i64],
        )?;
        tx.execute(
            "INSERT INTO device_actors (actor, device_id) VALUES (?1, ?2)",
            params![actor_hex, device_id],
        )?;
        tx.execute(
            "UPDATE enrol_codes SET used_by = ?1 WHERE code_hash = ?2",
            params![device_id, code_hash],
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
        let place_names = place_names(&tx)?;
        tx.commit()?;
        Ok(Enrolment {
            token,
            user: user_from_row(user_id, user_name, &role, &scope)?,
            hub_actor: self.actor_hex(),
            place_names,
        })
    }

    /// Clears the recorded bad codes, from every source or from `source`
    /// only, lifting the locks they hold; audited as `admin`.
    pub fn enrol_unlock(
        &self,
        source: Option<IpAddr>,
        admin: &str,
        now: Instant,
    ) -> Result<Unlocked> {
        let key = source.map(source_key);
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let sources: Vec<(String, u64)> = tx
            .prepare(
                "SELECT source, count(*) FROM enrol_failures WHERE ?1 IS NULL OR source = ?1
                 GROUP BY source ORDER BY count(*) DESC, source",
            )?
            .query_map([&key], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))?
            .collect::<rusqlite::Result<_>>()?;
        tx.execute(
            "DELETE FROM enrol_failures WHERE ?1 IS NULL OR source = ?1",
            [&key],
        )?;
        let unlocked = Unlocked {
            source: key,
            sources,
        };
        let detail = unlocked
            .sources
            .iter()
            .map(|(s, n)| format!("{} {n}", if s.is_empty() { "?" } else { s }))
            .collect::<Vec<_>>()
            .join(", ");
        audit::write(
            &tx,
            &audit::Entry {
                at: now,
                device_id: None,
                user_id: admin,
                doc_id: unlocked.source.as_deref().unwrap_or("*"),
                kind: "enrolment",
                action: audit::action::ENROL_UNLOCK,
                admin: Some(admin),
                detail: &format!("cleared {} bad codes: {detail}", unlocked.failures()),
            },
        )?;
        tx.commit()?;
        Ok(unlocked)
    }
}

#[cfg(test)]
mod tests {
    use super::source_key;

    #[test]
    fn sources_are_counted_by_address_and_ipv6_by_its_64() {
        for (ip, key) in [
            ("127.0.0.2", "127.0.0.2"),
            ("::ffff:10.0.0.9", "10.0.0.9"),
            ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
            ("2001:db8:1:2:bbbb::9", "2001:db8:1:2::/64"),
            ("::1", "::/64"),
        ] {
            assert_eq!(
                source_key(ip.parse().unwrap()),
                key,
                "{ip}: one subscriber's addresses share one count"
            );
        }
    }
}
