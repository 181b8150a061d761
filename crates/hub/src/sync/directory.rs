//! The street's people directory (`SyncResponse::directory`): who is who, so
//! every device names an event's author (张伟 (网格员)) instead of showing
//! an id. Written by the hub from its enrolments, never by a device.
//!
//! What it holds is the least a name needs: each user enrolled with this hub
//! once, by id, with the name, role and unit of their latest enrolment (a
//! device still in use before a revoked one), marked `revoked` when every
//! device of theirs is; a revoked person keeps their name, which is still
//! on the records they made. No phone number (the hub holds none of users),
//! token or device id. Names are not private among the street's staff
//! (DESIGN §3 says nothing against it: every event already names its
//! author's id), so any device of the street is sent all of it, as
//! enrolment sends every place name.
//!
//! Its version is a hash of what it holds, computed on each request from
//! the two small tables it reads (`devices`, `grids`: one row per device and
//! per grid of one street), so it can never be stale whatever wrote them
//! (enrolment, revocation, a wipe, an import of grids) and needs no
//! bookkeeping in those writers; a device that echoes it is sent nothing.

use std::collections::BTreeMap;

use gridline_model::{Role, Scope};
use gridline_sync::{Directory, Person};
use rusqlite::Connection;
use sha2::{Digest, Sha256};

use crate::Result;

/// One enrolled device's binding, as the directory reads it.
struct Enrolled {
    user_id: String,
    user_name: String,
    role: String,
    scope: String,
    revoked: bool,
}

/// What a person acts for, as the directory says it: never a joint
/// leader's household ids.
fn unit(scope: &str) -> String {
    match Scope::parse(scope) {
        Ok(Scope::Grids(gs)) => gs.iter().map(|g| g.as_str()).collect::<Vec<_>>().join(","),
        Ok(s @ (Scope::Community(_) | Scope::Street(_) | Scope::Department(_))) => s.unit(),
        // A scope the model cannot read stays out rather than leak as text.
        Ok(Scope::Households(_) | Scope::Everything) | Err(_) => String::new(),
    }
}

/// The directory as the hub holds it now.
pub(crate) fn read(conn: &Connection) -> Result<Directory> {
    // Per user, the binding that names them: a live device's before a
    // revoked one's, the latest enrolment last (so it wins).
    let mut st = conn.prepare_cached(
        "SELECT user_id, user_name, role, scope, revoked_at IS NOT NULL
           FROM devices
          ORDER BY user_id, revoked_at IS NULL, enrolled_at, id",
    )?;
    let rows = st.query_map([], |r| {
        Ok(Enrolled {
            user_id: r.get(0)?,
            user_name: r.get(1)?,
            role: r.get(2)?,
            scope: r.get(3)?,
            revoked: r.get(4)?,
        })
    })?;
    let mut people: BTreeMap<String, Person> = BTreeMap::new();
    for row in rows {
        let d = row?;
        if matches!(Role::parse(&d.role), Ok(Role::Admin | Role::Hub)) {
            continue; // never enrolled as such; no one to name
        }
        let unit = unit(&d.scope);
        people.insert(
            d.user_id.clone(),
            Person {
                id: d.user_id,
                name: d.user_name,
                role: d.role,
                unit,
                // Rows come live last: the one kept is revoked only when all are.
                revoked: d.revoked,
            },
        );
    }
    let places = crate::enrol::place_names(conn)?;
    let mut dir = Directory {
        version: String::new(),
        people: people.into_values().collect(),
        places,
    };
    dir.version = version(&dir);
    Ok(dir)
}

/// A hash of the directory's people and places (16 hex digits: 64 bits,
/// plenty to tell one street's directories apart).
fn version(dir: &Directory) -> String {
    let body = gridline_sync::encode(&(&dir.people, &dir.places));
    hex::encode(&Sha256::digest(&body)[..8])
}

/// What a request is sent: the directory when it named another version,
/// nothing when it named this one or none (an older device cannot read it).
pub(crate) fn for_request(conn: &Connection, held: Option<&str>) -> Result<Option<Directory>> {
    let Some(held) = held else {
        return Ok(None);
    };
    let dir = read(conn)?;
    Ok((dir.version != held).then_some(dir))
}
