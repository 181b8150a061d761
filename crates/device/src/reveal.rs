//! Showing a household's ID numbers in full, audited (DESIGN §7: every
//! reveal of a masked ID number is an audit event that syncs to the hub).
//!
//! [`Device::reveal_id_numbers`] checks the user may read the household's
//! private part, writes one reveal entry to the store in its own durable
//! commit, and only then returns the numbers. The entry waits in the store
//! like any change while the device is offline; each sync sends the unsent
//! ones (`SyncRequest::reveals`) and marks them sent once the hub
//! acknowledges them, which it does after auditing each exactly once.
//!
//! Community and street staff also receive from the hub the number of
//! reveals per user per month in their communities ([`Device::reveal_counts`]),
//! shown on the dashboard as counts, ordered by name.

use std::collections::BTreeMap;

use gridline_model::permission::{self, Action, Kind, Target};
use gridline_model::{text, Instant, RecordId, Text};
use gridline_records::{household, private};

use crate::{new_id, parse_id, Device, Result};

/// How the numbers were shown, as the entry says it (`via`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// The app's 显示 button.
    App,
    /// `gridline household show --reveal`.
    Cli,
    /// A record holding ID numbers written out of the device.
    Export,
}

impl Via {
    pub fn key(self) -> &'static str {
        match self {
            Via::App => "app",
            Via::Cli => "cli",
            Via::Export => "export",
        }
    }
}

/// The ID numbers shown, and the entry that records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revealed {
    /// The reveal entry's id; `None` when the household holds no ID
    /// numbers (nothing was shown, so nothing was recorded).
    pub entry: Option<RecordId>,
    /// Resident id → ID number in full.
    pub id_numbers: BTreeMap<RecordId, String>,
}

/// A reveal made on this device, as it lists them.
pub type Reveal = gridline_store::Reveal;

/// Reveals by one user in one community in one month, as the hub counted
/// them (for community and street staff).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RevealCount {
    pub community: String,
    pub user_id: String,
    pub user_name: String,
    /// `YYYY-MM`, Beijing time.
    pub month: String,
    pub n: u64,
}

/// The `meta` key the hub's reveal counts are kept under (JSON).
pub(crate) const COUNTS_KEY: &str = "reveal_counts";

/// A stored reveal as the protocol carries it (a sync, an export).
pub(crate) fn wire_entry(r: Reveal) -> gridline_sync::RevealEntry {
    gridline_sync::RevealEntry {
        id: r.id,
        at: r.at,
        household: r.household_id,
        who: gridline_sync::RevealWho {
            id: r.user_id,
            name: r.user_name,
        },
        reason: r.reason,
        via: r.via,
    }
}

/// Characters a reason may have (the hub refuses longer ones).
pub const MAX_REASON_CHARS: usize = gridline_sync::MAX_REASON_CHARS;

/// A typed reason, trimmed; empty is none, too long is refused.
fn reason(typed: Option<&str>) -> Result<Option<String>> {
    let Some(r) = typed.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    let n = r.chars().count();
    if n > MAX_REASON_CHARS {
        return Err(gridline_model::Invalid::new(
            "reason",
            text!(
                "查看理由有 {n} 个字，太长",
                "the reason has {n} characters: too long"
            ),
            text!(
                "理由最多 {MAX_REASON_CHARS} 个字",
                "a reason holds at most {MAX_REASON_CHARS} characters"
            ),
        )
        .into());
    }
    Ok(Some(r.to_owned()))
}

impl Device {
    /// The ID numbers of a household in full, for a user who may read its
    /// private part. The reveal (who, when, why, `via`) is written to the
    /// store and durable before this returns the numbers; a user who may
    /// not read them is refused and nothing is written.
    pub fn reveal_id_numbers(
        &mut self,
        household_id: &str,
        reason_typed: Option<&str>,
        via: Via,
        now: Instant,
    ) -> Result<Revealed> {
        self.reveal(household_id, None, reason_typed, via, now)
    }

    /// The ID number in full of one resident of a household (the app's
    /// 显示 button), recorded as [`Device::reveal_id_numbers`] records it.
    pub fn reveal_id_number_of(
        &mut self,
        household_id: &str,
        resident: &str,
        reason_typed: Option<&str>,
        via: Via,
        now: Instant,
    ) -> Result<String> {
        let resident = parse_id(resident, "resident")?;
        let mut shown = self.reveal(household_id, Some(resident), reason_typed, via, now)?;
        shown
            .id_numbers
            .remove(&resident)
            .ok_or_else(|| crate::not_found("身份证号", "ID number", resident))
    }

    /// A reveal of the household's ID numbers, or of `only` that resident's.
    fn reveal(
        &mut self,
        household_id: &str,
        only: Option<RecordId>,
        reason_typed: Option<&str>,
        via: Via,
        now: Instant,
    ) -> Result<Revealed> {
        let id = parse_id(household_id, "household")?;
        let doc = self.load_kind(id, Kind::Household, "户")?;
        let h = household::read(&doc)?;
        let target = Target::household(h.grid.clone(), h.id);
        if permission::check(self.user(), Kind::HouseholdPrivate, Action::Read, &target).is_err() {
            let role = self.user().role;
            return Err(gridline_model::Refusal {
                reason: Text::new(
                    format!("{}不能查看此户的身份证号", role.zh()),
                    format!(
                        "role {} may not see this household's ID numbers",
                        role.key()
                    ),
                ),
            }
            .into());
        }
        let reason = reason(reason_typed)?;
        let id_numbers: BTreeMap<RecordId, String> = match self.store.load(private::doc_id(id))? {
            Some((_, bytes)) => {
                private::read(&gridline_records::load(&bytes, &self.identity.actor)?)?
                    .id_numbers
                    .into_iter()
                    .map(|(resident, n)| (resident, n.as_str().to_owned()))
                    .collect()
            }
            None => BTreeMap::new(),
        };
        let id_numbers: BTreeMap<RecordId, String> = id_numbers
            .into_iter()
            .filter(|(resident, _)| only.is_none_or(|o| o == *resident))
            .collect();
        if id_numbers.is_empty() {
            return Ok(Revealed {
                entry: None,
                id_numbers,
            });
        }
        let entry = new_id(now);
        let user = self.user().clone();
        self.store.record_reveal(
            &gridline_store::Reveal {
                id: entry.to_string(),
                at: gridline_records::fmt_time(now),
                household_id: id.to_string(),
                user_id: user.id,
                user_name: user.name,
                reason,
                via: via.key().to_owned(),
                demo: false,
                sent: false,
                refused: None,
            },
            self.is_enrolled(),
        )?;
        Ok(Revealed {
            entry: Some(entry),
            id_numbers,
        })
    }

    /// [`Device::export_doc`] for a record leaving the device: a
    /// household's private part holds its ID numbers in full, so writing
    /// it out is a reveal (`via` export), recorded before the bytes are
    /// returned.
    pub fn export_record(&mut self, id: &str, now: Instant) -> Result<Vec<u8>> {
        let rid = parse_id(id, "record")?;
        if let Some((Kind::HouseholdPrivate, bytes)) = self.store.load(rid)? {
            let p = private::read(&gridline_records::load(&bytes, &self.identity.actor)?)?;
            self.reveal(&p.household.to_string(), None, None, Via::Export, now)?;
        }
        self.export_doc(id)
    }

    /// The reveals made on this device, newest first (at most `limit`),
    /// each with whether the hub has it.
    pub fn reveals(&self, limit: usize) -> Result<Vec<Reveal>> {
        Ok(self.store.reveals(limit)?)
    }

    /// How many reveals made here wait to be sent to the hub.
    pub fn unsent_reveals(&self) -> Result<u64> {
        Ok(self.store.unsent_reveal_count()?)
    }

    /// One reveal made here, by its entry id.
    pub fn reveal_entry(&self, id: RecordId) -> Result<Option<Reveal>> {
        Ok(self.store.reveal(&id.to_string())?)
    }

    /// Reveals per user per month in the communities of this user's scope,
    /// as the hub last sent them (community and street staff; empty for
    /// others and before the first sync), by community, name and month.
    pub fn reveal_counts(&self) -> Result<Vec<RevealCount>> {
        let Some(json) = self.store.meta(COUNTS_KEY)?.filter(|j| !j.is_empty()) else {
            return Ok(Vec::new());
        };
        serde_json::from_str(&json).map_err(|_| gridline_store::Error::Damaged(json).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{NewHousehold, NewResident};
    use gridline_model::{Role, Scope, User};

    fn now() -> Instant {
        gridline_model::parse_time("2026-11-28T08:00:00Z").unwrap()
    }

    fn device(dir: &std::path::Path, role: Role, scope: &str) -> Device {
        Device::init(
            dir,
            User {
                id: "u1".into(),
                name: "李娜".into(),
                role,
                scope: Scope::parse(scope).unwrap(),
            },
        )
        .unwrap()
    }

    fn household_with_id_number(d: &mut Device) -> String {
        d.add_household(
            &NewHousehold {
                grid: "522701001001001".into(),
                compound: "水花都小区".into(),
                building: "3".into(),
                unit: "2".into(),
                room: "501".into(),
                head: NewResident {
                    name: "张秀英".into(),
                    id_number: Some("522701194403121234".into()),
                    ..Default::default()
                },
                ..Default::default()
            },
            now(),
        )
        .unwrap()
        .to_string()
    }

    #[test]
    fn the_entry_is_in_the_store_before_the_numbers_are_returned() {
        let dir = tempfile::tempdir().unwrap();
        let mut d = device(dir.path(), Role::GridWorker, "grids:522701001001001");
        let h = household_with_id_number(&mut d);
        let shown = d
            .reveal_id_numbers(&h, Some("  核对低保材料 "), Via::Cli, now())
            .unwrap();
        assert_eq!(
            shown.id_numbers.values().collect::<Vec<_>>(),
            vec!["522701194403121234"],
            "the number in full"
        );
        let entry = shown
            .entry
            .expect("a reveal that showed numbers is recorded");
        // Another connection to the file: what is committed, not what one
        // connection holds.
        let other = crate::open_store_for_checks(dir.path()).unwrap();
        let stored = other
            .reveal(&entry.to_string())
            .unwrap()
            .expect("the entry is committed to the file when the numbers come back");
        assert_eq!(
            (
                stored.household_id.as_str(),
                stored.user_id.as_str(),
                stored.user_name.as_str(),
                stored.reason.as_deref(),
                stored.via.as_str(),
                stored.sent,
            ),
            (h.as_str(), "u1", "李娜", Some("核对低保材料"), "cli", false),
            "who, which household, the reason trimmed, how, and not yet sent"
        );
        assert_eq!(
            entry.get_version(),
            Some(uuid::Version::SortRand),
            "the entry id is a device-minted UUID v7"
        );
        assert!(
            stored.demo,
            "a device not enrolled is in trial mode: its reveals never sync"
        );
    }

    #[test]
    fn a_role_that_may_not_read_private_parts_is_refused_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let mut gw = device(dir.path(), Role::GridWorker, "grids:522701001001001");
        let h = household_with_id_number(&mut gw);
        let bytes = gw.export_doc(&h).unwrap();
        drop(gw);
        let dir2 = tempfile::tempdir().unwrap();
        let mut leader = device(dir2.path(), Role::JointLeader, &format!("households:{h}"));
        leader.apply_remote(&bytes, now()).unwrap();
        let e = leader
            .reveal_id_numbers(&h, None, Via::App, now())
            .expect_err("a joint-household leader may not see ID numbers");
        assert_eq!(e.code(), "refused");
        let t = e.text();
        assert!(
            t.zh.contains("身份证号") && t.en.contains("ID numbers"),
            "refused in both languages: {t:?}"
        );
        assert!(
            leader.reveals(10).unwrap().is_empty(),
            "a refused reveal writes no entry"
        );
        let long = "理".repeat(MAX_REASON_CHARS + 1);
        let dir3 = tempfile::tempdir().unwrap();
        let mut gw = device(dir3.path(), Role::GridWorker, "grids:522701001001001");
        let h = household_with_id_number(&mut gw);
        let e = gw
            .reveal_id_numbers(&h, Some(&long), Via::Cli, now())
            .expect_err("a reason past the bound");
        assert_eq!(e.code(), "invalid", "{e}");
        assert!(gw.reveals(10).unwrap().is_empty(), "and nothing is written");
    }
}
