//! Authenticating a request: the binding of the device holding the token.

use gridline_sync::check::Binding;
use rusqlite::{OptionalExtension, Transaction};

use crate::{hash, Error, Hub, Result};

/// The device row a token names.
struct DeviceByToken {
    id: String,
    user_id: String,
    user_name: String,
    role: String,
    scope: String,
    revoked_at: Option<String>,
}

impl Hub {
    /// The binding of the device holding `token`, or why it has none.
    pub(crate) fn binding(tx: &Transaction<'_>, token: &str) -> Result<Binding> {
        let row = tx
            .query_row(
                "SELECT id, user_id, user_name, role, scope, revoked_at FROM devices WHERE token_hash = ?1",
                [hash(token)],
                |r| {
                    Ok(DeviceByToken {
                        id: r.get(0)?,
                        user_id: r.get(1)?,
                        user_name: r.get(2)?,
                        role: r.get(3)?,
                        scope: r.get(4)?,
                        revoked_at: r.get(5)?,
                    })
                },
            )
            .optional()?;
        let Some(device) = row else {
            return Err(Error::Unauthorised);
        };
        if device.revoked_at.is_some() {
            return Err(Error::Revoked);
        }
        let mut st = tx.prepare_cached("SELECT actor FROM device_actors WHERE device_id = ?1")?;
        let actors = st
            .query_map([&device.id], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?;
        Ok(Binding {
            user: crate::user_from_row(
                device.user_id,
                device.user_name,
                &device.role,
                &device.scope,
            )?,
            device_id: device.id,
            actors,
        })
    }
}
