//! A remote wipe without loss (DESIGN §7).
//!
//! 1. The admin marks a device (`gridline hub wipe DEVICE`), audited.
//! 2. Every sync reply to it then carries `wipe: true`. The device keeps
//!    pushing as usual and erases nothing while any change, reveal or
//!    refused copy of its own is not held by the hub.
//! 3. Once the hub holds all of it, the device erases its store and key and
//!    says so (`POST /v1/wiped`): the hub records when, audits it, and
//!    retires the token.
//!
//! A revoked device gets no replies, so it never hears of a wipe: it keeps
//! its data, and its export (`device export-unsynced`) is how an admin gets
//! what it had not synced. Wiping a revoked device is refused for that reason.

use gridline_model::{text, Instant};
use rusqlite::{params, OptionalExtension};

use crate::{audit, hash, Error, Hub, Result};

/// Where a device stands with a wipe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WipeState {
    None,
    /// Asked for at this time; the device has not said it is done.
    Requested(String),
    /// The device erased itself at this time.
    Wiped(String),
}

impl Hub {
    /// Marks `device_id` for a wipe on its next contact, audited as `admin`'s.
    pub fn request_wipe(&self, device_id: &str, admin: &str, now: Instant) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let row: Option<(String, Option<String>, Option<String>)> = tx
            .query_row(
                "SELECT user_id, revoked_at, wiped_at FROM devices WHERE id = ?1",
                [device_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((user_id, revoked_at, wiped_at)) = row else {
            return Err(Error::NoSuchDevice(device_id.to_owned()));
        };
        if wiped_at.is_some() {
            return Err(Error::Refused(text!(
                "设备 {device_id} 已清除",
                "device {device_id} is already wiped"
            )));
        }
        if revoked_at.is_some() {
            return Err(Error::Refused(text!(
                "设备 {device_id} 已注销，不再同步，无法远程清除；它保留数据，请让持有人导出未同步的内容（gridline device export-unsynced）",
                "device {device_id} is revoked and no longer syncs, so it cannot be wiped remotely; it keeps its data: have its holder export what it did not sync (gridline device export-unsynced)"
            )));
        }
        tx.execute(
            "UPDATE devices SET wipe_requested_at = coalesce(wipe_requested_at, ?1) WHERE id = ?2",
            params![gridline_records::fmt_time(now), device_id],
        )?;
        audit::write(
            &tx,
            &audit::Entry {
                at: now,
                device_id: Some(device_id),
                user_id: &user_id,
                doc_id: device_id,
                kind: "device",
                action: audit::action::WIPE_REQUEST,
                admin: Some(admin),
                detail: "",
            },
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Whether the device holding `token` is to wipe itself.
    pub(crate) fn wipe_requested(&self, token: &str) -> Result<bool> {
        Ok(self
            .reader()
            .query_row(
                "SELECT wipe_requested_at IS NOT NULL AND wiped_at IS NULL FROM devices WHERE token_hash = ?1",
                [hash(token)],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(false))
    }

    /// The device holding `token` says it erased itself: recorded, audited,
    /// and its token retired. Refused unless a wipe was asked for.
    pub fn confirm_wiped(&self, token: &str, now: Instant) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let row: Option<(String, String, Option<String>, Option<String>)> = tx
            .query_row(
                "SELECT id, user_id, wipe_requested_at, revoked_at FROM devices WHERE token_hash = ?1",
                [hash(token)],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let Some((device_id, user_id, requested, revoked)) = row else {
            return Err(Error::Unauthorised);
        };
        if revoked.is_some() {
            return Err(Error::Revoked);
        }
        if requested.is_none() {
            return Err(Error::Refused(text!(
                "没有要求清除此设备",
                "no wipe was asked for this device"
            )));
        }
        let at = gridline_records::fmt_time(now);
        tx.execute(
            "UPDATE devices SET wiped_at = ?1, revoked_at = ?1 WHERE id = ?2",
            params![at, device_id],
        )?;
        audit::write(
            &tx,
            &audit::Entry {
                at: now,
                device_id: Some(&device_id),
                user_id: &user_id,
                doc_id: &device_id,
                kind: "device",
                action: audit::action::WIPED,
                admin: None,
                detail: "",
            },
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Where `device_id` stands with a wipe.
    pub fn wipe_state(&self, device_id: &str) -> Result<WipeState> {
        let row: Option<(Option<String>, Option<String>)> = self
            .conn()
            .query_row(
                "SELECT wipe_requested_at, wiped_at FROM devices WHERE id = ?1",
                [device_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        Ok(match row {
            None => return Err(Error::NoSuchDevice(device_id.to_owned())),
            Some((_, Some(w))) => WipeState::Wiped(w),
            Some((Some(r), None)) => WipeState::Requested(r),
            Some((None, None)) => WipeState::None,
        })
    }
}
