//! People by name: the street's directory the hub sends
//! (`SyncResponse::directory`), so every timeline, list, export and CLI
//! table says 张伟 (网格员) where a record holds an author's id.
//!
//! The directory is the hub's: a device never writes it, only replaces what
//! it holds with what the hub sent (in `meta`, as JSON, with its version
//! beside it so a request echoes the version without reading the rest). The
//! one rule for a label is [`People::label`]: the name as enrolled, with the
//! role in the reader's language; the id itself for someone the directory
//! does not know (a device that has not synced since, a user of another
//! street), so nothing is ever shown as blank.

use std::collections::BTreeMap;

use gridline_model::{Role, Text, User};
use gridline_sync::Directory;

use crate::sync::Replica;
use crate::{Device, Result};

/// The `meta` key of the held directory's people, as JSON.
const PEOPLE_KEY: &str = "people";
/// The `meta` key of the held directory's version, echoed in every request.
pub(crate) const VERSION_KEY: &str = "people_version";

/// The user id the hub's own events carry (claim grants).
const HUB_USER: &str = "hub";

/// One person of the street, as the device shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: String,
    /// As the admin enrolled them; never translated.
    pub name: String,
    /// `None` for a role this build does not know: shown by name alone.
    pub role: Option<Role>,
    /// Grid codes (`,`-joined), a community or street code, or a department.
    pub unit: String,
    /// Every device of theirs is revoked; still named on their records.
    pub revoked: bool,
}

impl Person {
    /// 张伟 (网格员) / 张伟 (grid worker): the name as written, the role in
    /// each language.
    pub fn label(&self) -> Text {
        label(&self.name, self.role)
    }
}

fn label(name: &str, role: Option<Role>) -> Text {
    match role {
        Some(r) => Text::new(
            format!("{name} ({})", r.zh()),
            format!("{name} ({})", r.en()),
        ),
        None => Text::new(name, name),
    }
}

/// The people a device knows by id: the hub's directory, and the device's
/// own user (known before the first sync brings the rest).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct People {
    by_id: BTreeMap<String, Person>,
}

impl People {
    /// Who this id is, if the directory says.
    pub fn get(&self, id: &str) -> Option<&Person> {
        self.by_id.get(id.trim())
    }

    /// The display name, if known.
    pub fn name(&self, id: &str) -> Option<&str> {
        self.get(id).map(|p| p.name.as_str())
    }

    /// 张伟 (网格员), or the id for someone unknown. The hub's own steps
    /// (claim grants) read 街道枢纽 / street hub.
    pub fn label(&self, id: &str) -> Text {
        match self.get(id) {
            Some(p) => p.label(),
            None if id == HUB_USER => Text::new(Role::Hub.zh(), Role::Hub.en()),
            None => Text::new(id, id),
        }
    }

    /// A step's author: the name with the role the step was taken in (the
    /// event's, which is what the rules judged), or the id with that role
    /// for someone unknown, so a timeline still says who acted as what.
    pub fn label_as(&self, id: &str, role: Role) -> Text {
        match self.get(id) {
            Some(p) => label(&p.name, Some(role)),
            None if id == HUB_USER => Text::new(Role::Hub.zh(), Role::Hub.en()),
            None => label(id, Some(role)),
        }
    }

    /// Everyone, by id.
    pub fn iter(&self) -> impl Iterator<Item = &Person> {
        self.by_id.values()
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

/// Holds the directory the hub sent, in one commit: its people, its place
/// names (when it has any: a hub's street without grids says nothing new)
/// and, last in the same write, its version.
pub(crate) fn take(replica: &mut impl Replica, dir: &Directory) -> Result<()> {
    let people = serde_json::to_string(&dir.people).expect("people are plain strings");
    let places = serde_json::to_string(&dir.places).expect("a map of strings is JSON");
    let mut pairs = vec![(PEOPLE_KEY, people.as_str())];
    if !dir.places.is_empty() {
        pairs.push((crate::sync::PLACE_NAMES, places.as_str()));
    }
    pairs.push((VERSION_KEY, dir.version.as_str()));
    replica.set_meta(&pairs)
}

fn person(p: gridline_sync::Person) -> Person {
    Person {
        role: Role::parse(&p.role).ok(),
        id: p.id,
        name: p.name,
        unit: p.unit,
        revoked: p.revoked,
    }
}

fn me(user: &User) -> Person {
    Person {
        id: user.id.clone(),
        name: user.name.clone(),
        role: Some(user.role),
        unit: user.scope.unit(),
        revoked: false,
    }
}

impl Device {
    /// The people this device can name: read once, then asked per row.
    pub fn people(&self) -> People {
        let held: Vec<gridline_sync::Person> = self
            .store
            .meta(PEOPLE_KEY)
            .ok()
            .flatten()
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default();
        let mut by_id: BTreeMap<String, Person> = held
            .into_iter()
            .map(|p| (p.id.clone(), person(p)))
            .collect();
        // The device's own user as the hub bound it, even before a directory
        // arrives; the directory's entry (the same binding) wins when held.
        let user = &self.identity.user;
        by_id.entry(user.id.clone()).or_insert_with(|| me(user));
        People { by_id }
    }

    /// The display name of a user id, if known.
    pub fn person_name(&self, id: &str) -> Option<String> {
        self.people().name(id).map(str::to_owned)
    }

    /// 张伟 (网格员) for a user id, or the id for someone unknown
    /// ([`People::label`]). For many rows, take [`Device::people`] once.
    pub fn who(&self, id: &str) -> Text {
        self.people().label(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gridline_model::Scope;

    fn device() -> (tempfile::TempDir, Device) {
        let dir = tempfile::tempdir().unwrap();
        let user = User {
            id: "gw-1".into(),
            name: "张伟".into(),
            role: Role::GridWorker,
            scope: Scope::parse("grids:522701001001001").unwrap(),
        };
        let d = Device::init(dir.path(), user).unwrap();
        (dir, d)
    }

    fn directory() -> Directory {
        let person = |id: &str, name: &str, role: &str, revoked| gridline_sync::Person {
            id: id.into(),
            name: name.into(),
            role: role.into(),
            unit: String::new(),
            revoked,
        };
        Directory {
            version: "00aa11bb22cc33dd".into(),
            people: vec![
                person("cs-1", "王芳", "community-staff", false),
                person("gw-9", "陈静", "grid-worker", true),
                person("xx-1", "周杰", "role-from-a-later-build", false),
            ],
            places: [("522701001001001".to_owned(), "第1网格".to_owned())].into(),
        }
    }

    #[test]
    fn people_are_labelled_by_name_and_role_and_the_unknown_by_their_id() {
        let (_dir, mut d) = device();
        assert_eq!(
            d.who("gw-1"),
            Text::new("张伟 (网格员)", "张伟 (grid worker)"),
            "the device's own user is named before any directory arrives"
        );
        assert_eq!(
            d.who("cs-1"),
            Text::new("cs-1", "cs-1"),
            "someone unknown is their id, never blank"
        );
        take(&mut d.store, &directory()).unwrap();
        let people = d.people();
        assert_eq!(
            people.label("cs-1"),
            Text::new("王芳 (社区工作人员)", "王芳 (community staff)"),
            "a name stays as written; only the role is translated"
        );
        assert_eq!(
            people.label("gw-9").zh,
            "陈静 (网格员)",
            "a revoked person keeps their name"
        );
        assert!(people.get("gw-9").unwrap().revoked, "marked as revoked");
        assert_eq!(
            people.label("xx-1").zh,
            "周杰",
            "a role this build does not know: the name alone"
        );
        assert_eq!(
            people.label_as("gw-404", Role::StreetStaff).en,
            "gw-404 (street staff)",
            "a step by someone unknown still says the role it was taken in"
        );
        assert_eq!(
            people.label("hub").zh,
            "街道枢纽",
            "the hub's own steps name the hub"
        );
        assert_eq!(d.person_name("cs-1").as_deref(), Some("王芳"));
        assert_eq!(
            d.place_name("522701001001001"),
            "第1网格",
            "the directory's place names are the device's"
        );
        assert_eq!(
            people.len(),
            4,
            "the directory's three and the device's own user"
        );
    }
}
