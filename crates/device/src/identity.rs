//! Who this device is: its own Automerge actor, its user, and the hub actor it trusts.
//!
//! Until the device enrols with a hub (the sync issue), the user, role and
//! scope are set locally and the device trusts a "trial hub" actor of its own
//! making, so a wish claim can be granted on the device alone. Nothing made in
//! that mode is for syncing.

use gridline_model::{Role, Scope, User};
use gridline_store::Store;

use crate::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub device_id: String,
    /// This device's Automerge actor id.
    pub actor: Vec<u8>,
    pub user: User,
    /// Hex actor id of the hub whose grants the wish fold trusts.
    pub hub_actor: String,
    /// `local` until the device enrols with a hub.
    pub mode: String,
}

impl Identity {
    pub fn actor_hex(&self) -> String {
        hex::encode(&self.actor)
    }

    pub(crate) fn save(&self, store: &Store) -> Result<()> {
        store.set_meta("device_id", &self.device_id)?;
        store.set_meta("actor", &self.actor_hex())?;
        store.set_meta("user_id", &self.user.id)?;
        store.set_meta("user_name", &self.user.name)?;
        store.set_meta("role", self.user.role.key())?;
        store.set_meta("scope", &self.user.scope.encode())?;
        store.set_meta("hub_actor", &self.hub_actor)?;
        store.set_meta("mode", &self.mode)?;
        Ok(())
    }

    pub(crate) fn load(store: &Store) -> Result<Option<Identity>> {
        let Some(device_id) = store.meta("device_id")? else {
            return Ok(None);
        };
        let get = |k: &str| -> Result<String> {
            store
                .meta(k)?
                .ok_or_else(|| gridline_store::Error::Damaged(format!("meta {k}")).into())
        };
        let actor = hex::decode(get("actor")?)
            .map_err(|_| gridline_store::Error::Damaged("meta actor".into()))?;
        let user = User {
            id: get("user_id")?,
            name: get("user_name")?,
            role: Role::parse(&get("role")?).map_err(Error::from)?,
            scope: Scope::parse(&get("scope")?).map_err(Error::from)?,
        };
        Ok(Some(Identity {
            device_id,
            actor,
            user,
            hub_actor: get("hub_actor")?,
            mode: get("mode")?,
        }))
    }
}
