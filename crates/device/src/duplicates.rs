//! Likely duplicate households (疑似重复) among those this device's user may
//! read: an office that imported a sheet twice, or a grid worker who added a
//! household someone else had already entered, leaves two records for one
//! home. Detection only reads; merging is a separate, authored step.
//!
//! Address and head checks read the projection in one scan. The ID-number
//! check needs the private parts, which only roles that may read them hold
//! (DESIGN §3); it is asked per household with `permission::check`, and a
//! pair found that way says only "同一身份证号", never the number.

use std::collections::{BTreeMap, BTreeSet};

use gridline_model::permission::{check, Action, Kind, Target};
use gridline_model::{text, GridId, Text};
use gridline_records::private;
use gridline_store::DuplicateCandidate;

use crate::{parse_id, Device, Result};

/// Why two households look like one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DuplicateReason {
    /// A resident of each has the same ID number (only for roles that read them).
    SameIdNumber,
    /// The same grid and the same address once written alike.
    SameAddress,
    /// The heads have the same name and birth date.
    SameHead,
    /// Two residents have the same name and birth date.
    SamePerson,
}

impl DuplicateReason {
    pub fn key(self) -> &'static str {
        match self {
            DuplicateReason::SameIdNumber => "same-id-number",
            DuplicateReason::SameAddress => "same-address",
            DuplicateReason::SameHead => "same-head",
            DuplicateReason::SamePerson => "same-person",
        }
    }
    pub fn text(self) -> Text {
        match self {
            DuplicateReason::SameIdNumber => text!("同一身份证号", "same ID number"),
            DuplicateReason::SameAddress => text!("同一地址", "same address"),
            DuplicateReason::SameHead => text!("户主同名同生日", "same head name and birth date"),
            DuplicateReason::SamePerson => text!("同名同生日", "same name and birth date"),
        }
    }
}

/// One side of a pair, as a list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateSide {
    pub id: gridline_model::RecordId,
    pub grid: GridId,
    pub address: String,
    pub head_name: String,
}

/// Two households that are likely one; `a` has the smaller id, so every
/// replica lists a pair the same way round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicatePair {
    pub a: DuplicateSide,
    pub b: DuplicateSide,
    pub reasons: BTreeSet<DuplicateReason>,
}

/// Text as people type it, reduced so that full-width and ASCII, spacing and
/// case do not make two writings of one thing differ.
fn normalise_text(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            c => c,
        })
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// An address part as people write it, reduced so that 3栋 / 3号楼 / ３幢 and
/// "2 单元" / 2单元 / 2 compare equal: [`normalise_text`], then the building,
/// unit and room suffixes dropped.
pub fn normalise_part(s: &str) -> String {
    let out = normalise_text(s);
    for suffix in ["号楼", "栋", "幢", "单元", "室", "号"] {
        if let Some(stripped) = out.strip_suffix(suffix) {
            if !stripped.is_empty() {
                return stripped.to_owned();
            }
        }
    }
    out
}

/// The key two households share when their addresses are the same place.
pub fn address_key(c: &DuplicateCandidate) -> Option<String> {
    let parts = [&c.compound, &c.building, &c.unit, &c.room].map(|p| normalise_part(p));
    // A household with no room says too little to match on.
    if parts[3].is_empty() {
        return None;
    }
    Some(format!("{}|{}", c.grid, parts.join("|")))
}

/// One resident of a pair, with the household they are listed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResidentSide {
    /// The resident's own id.
    pub id: gridline_model::RecordId,
    pub name: String,
    pub household: DuplicateSide,
}

/// Two residents who are likely one person entered twice, in one household
/// or in two that are not themselves a likely pair (those are merged whole);
/// `a` has the smaller id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResidentPair {
    pub a: ResidentSide,
    pub b: ResidentSide,
    pub reasons: BTreeSet<DuplicateReason>,
}

/// What [`Device::duplicates`] finds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Duplicates {
    pub households: Vec<DuplicatePair>,
    pub residents: Vec<ResidentPair>,
}

type Groups = BTreeMap<(DuplicateReason, String), Vec<gridline_model::RecordId>>;

/// Every pair of ids that share a group, with the reasons they share.
fn pairs_of(
    groups: Groups,
) -> BTreeMap<(gridline_model::RecordId, gridline_model::RecordId), BTreeSet<DuplicateReason>> {
    let mut pairs: BTreeMap<_, BTreeSet<DuplicateReason>> = BTreeMap::new();
    for ((reason, _), mut ids) in groups {
        ids.sort();
        ids.dedup();
        for (i, a) in ids.iter().enumerate() {
            for b in &ids[i + 1..] {
                pairs.entry((*a, *b)).or_default().insert(reason);
            }
        }
    }
    pairs
}

impl Device {
    /// Likely duplicate households among those the user may read, each pair
    /// with why. Read-only.
    pub fn duplicate_households(&self) -> Result<Vec<DuplicatePair>> {
        Ok(self.duplicates()?.households)
    }

    /// Likely duplicate households and residents among the households the
    /// user may read, each pair with why, in one pass. Read-only.
    pub fn duplicates(&self) -> Result<Duplicates> {
        let user = self.user();
        let mut sides = BTreeMap::new();
        let mut readable_private = BTreeSet::new();
        for c in self.store.duplicate_candidates()? {
            let id = parse_id(&c.id, "household")?;
            let grid = GridId::parse(&c.grid)?;
            let target = Target::household(grid.clone(), id);
            if check(user, Kind::Household, Action::Read, &target).is_err() {
                continue;
            }
            if check(user, Kind::HouseholdPrivate, Action::Read, &target).is_ok() {
                readable_private.insert(id);
            }
            sides.insert(id, c);
        }

        let mut groups = Groups::new();
        for (id, c) in &sides {
            if let Some(k) = address_key(c) {
                groups
                    .entry((DuplicateReason::SameAddress, k))
                    .or_default()
                    .push(*id);
            }
            if let Some(b) = &c.head_birth_date {
                let name = normalise_text(&c.head_name);
                if !name.is_empty() {
                    groups
                        .entry((DuplicateReason::SameHead, format!("{name}|{b}")))
                        .or_default()
                        .push(*id);
                }
            }
        }
        // Residents of readable households only, by resident id.
        let mut residents: BTreeMap<gridline_model::RecordId, (String, gridline_model::RecordId)> =
            BTreeMap::new();
        let mut person_groups = Groups::new();
        for r in self.store.resident_candidates()? {
            let household = parse_id(&r.household_id, "household")?;
            if !sides.contains_key(&household) {
                continue;
            }
            let id = parse_id(&r.id, "resident")?;
            let name = normalise_text(&r.name);
            if let Some(born) = r.birth_date.as_deref().filter(|b| !b.is_empty()) {
                if !name.is_empty() {
                    person_groups
                        .entry((DuplicateReason::SamePerson, format!("{name}|{born}")))
                        .or_default()
                        .push(id);
                }
            }
            residents.insert(id, (r.name, household));
        }
        // Only roles that may read some private part look at them at all, so
        // a joint-household leader's device never loads one for this.
        if !readable_private.is_empty() {
            for bytes in self.store.private_documents()? {
                let doc = gridline_records::load(&bytes, &self.identity.actor)?;
                let p = private::read(&doc)?;
                if !readable_private.contains(&p.household) {
                    continue;
                }
                let mut numbers = BTreeSet::new();
                for (resident, n) in &p.id_numbers {
                    numbers.insert(n.as_str());
                    if residents.contains_key(resident) {
                        person_groups
                            .entry((DuplicateReason::SameIdNumber, n.as_str().to_owned()))
                            .or_default()
                            .push(*resident);
                    }
                }
                for n in numbers {
                    groups
                        .entry((DuplicateReason::SameIdNumber, n.to_owned()))
                        .or_default()
                        .push(p.household);
                }
            }
        }

        let household_pairs = pairs_of(groups);
        let resident_side = |id: gridline_model::RecordId| -> Result<ResidentSide> {
            let (name, household) = &residents[&id];
            Ok(ResidentSide {
                id,
                name: name.clone(),
                household: side(*household, &sides[household])?,
            })
        };
        let mut resident_pairs = Vec::new();
        for ((a, b), reasons) in pairs_of(person_groups) {
            let (ha, hb) = (residents[&a].1, residents[&b].1);
            // Two households that are a likely pair are merged whole, and a
            // merge lists a person on both once.
            if household_pairs.contains_key(&(ha.min(hb), ha.max(hb))) {
                continue;
            }
            resident_pairs.push(ResidentPair {
                a: resident_side(a)?,
                b: resident_side(b)?,
                reasons,
            });
        }
        let households = household_pairs
            .into_iter()
            .map(|((a, b), reasons)| {
                Ok(DuplicatePair {
                    a: side(a, &sides[&a])?,
                    b: side(b, &sides[&b])?,
                    reasons,
                })
            })
            .collect::<Result<_>>()?;
        Ok(Duplicates {
            households,
            residents: resident_pairs,
        })
    }
}

fn side(id: gridline_model::RecordId, c: &DuplicateCandidate) -> Result<DuplicateSide> {
    Ok(DuplicateSide {
        id,
        grid: GridId::parse(&c.grid)?,
        address: c.address.clone(),
        head_name: c.head_name.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn building_and_unit_variants_compare_equal() {
        for (a, b) in [
            ("3栋", "3号楼"),
            ("３幢", "3"),
            ("2 单元", "2单元"),
            ("Ａ座", "a座"),
        ] {
            assert_eq!(
                normalise_part(a),
                normalise_part(b),
                "{a} and {b} are the same place as people write it"
            );
        }
        assert_ne!(
            normalise_part("3栋"),
            normalise_part("4栋"),
            "different buildings stay apart"
        );
    }

    use crate::{NewHousehold, NewResident};
    use chrono::TimeZone;
    use gridline_model::{Instant, RecordId, Role, Scope, User};

    const GRID: &str = "522701001001001";
    const GRID2: &str = "522701001001002";
    const SHARED_ID: &str = "522701198706182382";

    fn now() -> Instant {
        chrono::Utc.with_ymd_and_hms(2026, 11, 28, 6, 0, 0).unwrap()
    }

    fn device(role: Role, scope: &str) -> (tempfile::TempDir, Device) {
        let dir = tempfile::tempdir().unwrap();
        let user = User {
            id: format!("{}-1", role.key()),
            name: "测试".into(),
            role,
            scope: Scope::parse(scope).unwrap(),
        };
        let d = Device::init(dir.path(), user).unwrap();
        (dir, d)
    }

    fn home(
        grid: &str,
        building: &str,
        unit: &str,
        room: &str,
        head: &str,
        id: &str,
    ) -> NewHousehold {
        NewHousehold {
            grid: grid.into(),
            compound: "水花都小区".into(),
            building: building.into(),
            unit: unit.into(),
            room: room.into(),
            phone: None,
            tags: vec![],
            head: NewResident {
                name: head.into(),
                id_number: Some(id.into()),
                birth_date: Some(format!("{}-{}-{}", &id[6..10], &id[10..12], &id[12..14])),
                ..Default::default()
            },
            members: Vec::new(),
            notes: String::new(),
        }
    }

    /// Community staff's households of two grids: h1/h2 the same address
    /// written differently, h1/h3 the same head, h1/h4 the same ID number,
    /// h5/h6 the same address in the other grid.
    fn street() -> (tempfile::TempDir, Device, Vec<RecordId>) {
        let (dir, mut d) = device(Role::CommunityStaff, "community:522701001001");
        let ids = [
            home(GRID, "8栋", "1单元", "401", "张三", SHARED_ID),
            home(
                GRID,
                "８号楼",
                "1 单元",
                "401",
                "李四",
                "110101199003074258",
            ),
            home(GRID, "9栋", "2单元", "101", "张三", "522701198706181232"),
            home(GRID, "10栋", "1单元", "202", "王五", SHARED_ID),
            home(GRID2, "1栋", "1单元", "101", "赵六", "110101199003071030"),
            home(GRID2, "1幢", "1单元", "101", "钱七", "110101199003072391"),
        ]
        .iter()
        .map(|h| d.add_household(h, now()).unwrap())
        .collect();
        (dir, d, ids)
    }

    fn reasons(pairs: &[DuplicatePair], x: RecordId, y: RecordId) -> Vec<DuplicateReason> {
        let (a, b) = if x < y { (x, y) } else { (y, x) };
        pairs
            .iter()
            .find(|p| p.a.id == a && p.b.id == b)
            .map(|p| p.reasons.iter().copied().collect())
            .unwrap_or_default()
    }

    /// Copies every document of `from` the receiving device may take, as a sync would.
    fn copy(from: &Device, to: &mut Device, ids: &[RecordId]) {
        for id in ids {
            for doc in [*id, private::doc_id(*id)] {
                if let Some((_, bytes)) = from.store.load(doc).unwrap() {
                    let _ = to.apply_remote(&bytes, now());
                }
            }
        }
    }

    #[test]
    fn each_reason_is_found_and_no_id_number_is_shown() {
        let (_dir, d, h) = street();
        let pairs = d.duplicate_households().unwrap();
        assert_eq!(
            reasons(&pairs, h[0], h[1]),
            [DuplicateReason::SameAddress],
            "8栋/８号楼, 1单元/1 单元 are one address"
        );
        assert_eq!(
            reasons(&pairs, h[0], h[2]),
            [DuplicateReason::SameHead],
            "张三 born 1987-06-18 heads both"
        );
        assert_eq!(
            reasons(&pairs, h[0], h[3]),
            [DuplicateReason::SameIdNumber],
            "a resident of each has one ID number"
        );
        assert_eq!(
            reasons(&pairs, h[4], h[5]),
            [DuplicateReason::SameAddress],
            "1栋 and 1幢 in the other grid"
        );
        assert_eq!(pairs.len(), 4, "no other pair is alike: {pairs:?}");
        let shown = format!("{pairs:?}");
        assert!(
            !shown.contains(SHARED_ID),
            "a pair never carries the ID number it matched on"
        );
    }

    #[test]
    fn a_person_entered_twice_is_found_unless_their_households_are_a_pair() {
        let (_dir, mut d, h) = street();
        // 张三 born 1987-06-18 heads h[0] and h[2] (a household pair), and is
        // listed again as a member of another household, without an ID number.
        let mut other = home(GRID, "11栋", "1单元", "303", "孙八", "110101199003075816");
        other.members = vec![NewResident {
            name: "张 三".into(),
            birth_date: Some("1987-06-18".into()),
            relation: Some("其他".into()),
            ..Default::default()
        }];
        let h7 = d.add_household(&other, now()).unwrap();
        // And one household lists the same child twice, once with his ID number.
        let mut twice = home(GRID2, "5栋", "2单元", "502", "周九", "110101199003076616");
        let child = NewResident {
            name: "周小九".into(),
            birth_date: Some("2016-04-01".into()),
            relation: Some("子女".into()),
            ..Default::default()
        };
        twice.members = vec![
            child.clone(),
            NewResident {
                id_number: Some("110101201604016619".into()),
                ..child
            },
        ];
        let h8 = d.add_household(&twice, now()).unwrap();

        let found = d.duplicates().unwrap();
        let households: BTreeSet<(RecordId, RecordId)> = found
            .residents
            .iter()
            .map(|p| {
                let (x, y) = (p.a.household.id, p.b.household.id);
                (x.min(y), x.max(y))
            })
            .collect();
        let mut expected = BTreeSet::new();
        for x in [h[0], h[2]] {
            expected.insert((x.min(h7), x.max(h7)));
        }
        expected.insert((h8, h8));
        assert_eq!(
            households, expected,
            "张三 of 孙八's household with each 张三 heading a household, and the child twice; \
             not the heads of the household pairs: {found:?}"
        );
        assert!(found.residents.iter().all(|p| p.a.id < p.b.id));
        for p in &found.residents {
            assert_eq!(
                p.reasons.iter().copied().collect::<Vec<_>>(),
                [DuplicateReason::SamePerson],
                "name and birth date (the ID number is on one side only)"
            );
        }
        assert_eq!(found.households, d.duplicate_households().unwrap());
    }

    #[test]
    fn a_grid_worker_sees_only_its_grids_pairs() {
        let (_dir, staff, h) = street();
        let (_wd, mut w) = device(Role::GridWorker, &format!("grids:{GRID2}"));
        copy(&staff, &mut w, &h);
        let pairs = w.duplicate_households().unwrap();
        assert_eq!(
            pairs.len(),
            1,
            "only the other grid's pair is the worker's: {pairs:?}"
        );
        assert_eq!(
            reasons(&pairs, h[4], h[5]),
            [DuplicateReason::SameAddress],
            "its grid's pair is found"
        );
    }

    #[test]
    fn a_joint_household_leader_never_gets_id_number_matches() {
        let (_dir, staff, h) = street();
        let (_ld, mut l) = device(Role::JointLeader, &format!("households:{},{}", h[0], h[3]));
        copy(&staff, &mut l, &h);
        assert_eq!(
            l.households(&crate::HouseholdFilter::default())
                .unwrap()
                .len(),
            2,
            "the leader holds both linked households, so only the rule keeps them apart"
        );
        let pairs = l.duplicate_households().unwrap();
        assert!(
            pairs.is_empty(),
            "the two share only an ID number, which a leader may not read: {pairs:?}"
        );
    }
}
