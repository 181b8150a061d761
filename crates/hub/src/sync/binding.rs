//! Authenticating a request: the binding of the device holding the token.

use gridline_sync::check::Binding;
use rusqlite::{OptionalExtension, Transaction};

use crate::{hash, Error, Hub, Result};

impl Hub {
    /// The binding of the device holding `token`, or why it has none.
    pub(super) fn binding(tx: &Transaction<'_>, token: &str) -> Result<Binding> {
        let row: Option<(String, String, String, String, String, Option<String>)> = tx
            .query_row(
                "SELECT id, user_id, user_name, role, scope, revoked_at FROM devices WHERE token_hash = ?1",
                [hash(token)],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
            )
            .optional()?;
        let Some((device_id, user_id, name, role, scope, revoked)) = row else {
            return Err(Error::Unauthorised);
        };
        if revoked.is_some() {
            return Err(Error::Revoked);
        }
        let mut st = tx.prepare_cached("SELECT actor FROM device_actors WHERE device_id = ?1")?;
        let actors = st
            .query_map([&device_id], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?;
        Ok(Binding {
            device_id,
            user: crate::user_from_row(user_id, name, &role, &scope)?,
            actors,
        })
    }
}
