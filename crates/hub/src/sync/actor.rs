//! Registering the fresh actor a device announces after a refusal.

use gridline_model::text;
use gridline_sync::check::Binding;
use rusqlite::{params, OptionalExtension, Transaction};

use crate::{Error, Hub, Result};

impl Hub {
    /// Registers a fresh actor the device announces after a refusal.
    pub(super) fn register_actor(
        &self,
        tx: &Transaction<'_>,
        binding: &mut Binding,
        actor: &str,
    ) -> Result<()> {
        let owner: Option<String> = tx
            .query_row(
                "SELECT device_id FROM device_actors WHERE actor = ?1",
                [actor],
                |r| r.get(0),
            )
            .optional()?;
        let registered: i64 = tx.query_row(
            "SELECT count(*) FROM device_actors WHERE device_id = ?1",
            [&binding.device_id],
            |r| r.get(0),
        )?;
        let refused = || {
            Error::from(gridline_model::Invalid::new(
                "new_actor",
                text!("不能使用此执行者编号", "this actor id cannot be registered"),
                text!(
                    "请让设备生成新的执行者编号后再同步",
                    "let the device make a fresh actor id and sync again"
                ),
            ))
        };
        match owner {
            Some(d) if d == binding.device_id => Ok(()),
            // Another device's, or the hub's own: the same answer for both.
            Some(_) => Err(refused()),
            None if actor.eq_ignore_ascii_case(&self.actor_hex()) => Err(refused()),
            // A device rotates its actor only after a refusal: a bound on how many it may hold.
            None if registered >= 64 => Err(refused()),
            None => {
                tx.execute(
                    "INSERT INTO device_actors (actor, device_id) VALUES (?1, ?2)",
                    params![actor, binding.device_id],
                )?;
                binding.actors.push(actor.to_owned());
                Ok(())
            }
        }
    }
}
