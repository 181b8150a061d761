//! Households: add, edit, show, list, search.

use gridline_model::text;
use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use gridline_model::id_number::parse_id_number;
use gridline_model::permission::{check, Action, Kind, Target};
use gridline_model::phone::parse_mobile;
use gridline_model::{
    Address, Gender, GridId, Household, HouseholdPrivate, IdNumber, Instant, Invalid, RecordId,
    Relation, Resident, Tag,
};
use gridline_records::{household, private, Conflict, Record};
use gridline_store::{Origin, Saved, SyncState};

use crate::views::{
    self, HouseholdFilter, HouseholdSummary, IssueSummary, VisitSummary, WishSummary,
};

use crate::{new_id, not_found, parse_id, Created, Device, NewId, Result};

/// A resident as typed in: strings, validated on the way in.
#[derive(Debug, Clone, Default)]
pub struct NewResident {
    pub name: String,
    pub relation: Option<String>,
    pub id_number: Option<String>,
    pub gender: Option<String>,
    pub birth_date: Option<String>,
    pub phone: Option<String>,
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct NewHousehold {
    pub grid: String,
    pub compound: String,
    pub building: String,
    pub unit: String,
    pub room: String,
    pub phone: Option<String>,
    /// Ordinary and sensitive tags; sensitive ones go to the private part.
    pub tags: Vec<String>,
    pub head: NewResident,
    /// The rest of the household, entered with it: saved in the same one
    /// durable transaction as the head (a relation absent is "other").
    pub members: Vec<NewResident>,
    pub notes: String,
}

/// Changes to a household; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct HouseholdEdit {
    pub compound: Option<String>,
    pub building: Option<String>,
    pub unit: Option<String>,
    pub room: Option<String>,
    /// `Some("")` clears the phone.
    pub phone: Option<String>,
    pub add_tags: Vec<String>,
    pub remove_tags: Vec<String>,
    pub notes: Option<String>,
    pub add_resident: Option<NewResident>,
    /// Where the household is (a phone's fix at the door, or a map pick).
    pub location: Option<gridline_model::Location>,
}

#[derive(Debug, Clone)]
pub struct HouseholdView {
    pub household: Household,
    /// Present only where the role may read it.
    pub private: Option<HouseholdPrivate>,
    pub sync_state: SyncState,
    pub conflicts: Vec<Conflict>,
    pub visits: Vec<VisitSummary>,
    pub issues: Vec<IssueSummary>,
    pub wishes: Vec<WishSummary>,
    /// This user may edit the household.
    pub can_edit: bool,
    /// Set when this household was merged into another (已合并到 …): the
    /// page shows the note and links to the survivor.
    pub merged: Option<gridline_store::MergeRow>,
    /// Households merged into this one, with the residents they bring; their
    /// visits, issues and wishes are listed above with this household's own.
    pub merged_here: Vec<crate::MergedHousehold>,
}

pub(crate) fn parse_resident(
    r: &NewResident,
    field: &str,
    today: NaiveDate,
) -> Result<(Resident, Option<IdNumber>)> {
    let f = |x: &str| format!("{field}.{x}");
    let id_number = r
        .id_number
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|s| parse_id_number(s, &f("id_number")))
        .transpose()?;
    let mut birth_date = r
        .birth_date
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|s| {
            NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
                Invalid::new(
                    f("birth_date"),
                    text!("\"{s}\" 不是日期", "not a date \"{s}\""),
                    text!("日期格式 YYYY-MM-DD，如 1987-06-18", "use YYYY-MM-DD"),
                )
            })
        })
        .transpose()?;
    let mut gender = r
        .gender
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(Gender::parse)
        .transpose()?;
    if let Some(id) = &id_number {
        gridline_model::id_number::check_not_future(id, today, &f("id_number"))?;
        match birth_date {
            Some(b) => gridline_model::id_number::check_birth_agrees(id, b, &f("id_number"))?,
            None => birth_date = Some(id.birth_date()),
        }
        gender = gender.or(Some(if id.is_female() {
            Gender::Female
        } else {
            Gender::Male
        }));
    }
    let tags = r
        .tags
        .iter()
        .map(|t| Tag::parse(t))
        .collect::<Result<BTreeSet<_>, _>>()?;
    if let Some(t) = tags.iter().find(|t| t.is_sensitive()) {
        return Err(Invalid::new(
            f("tags"),
            text!(
                "\"{t}\" 是户的敏感标签",
                "\"{t}\" is a household's sensitive tag"
            ),
            text!("请把它加在户上：--tag", "add it to the household"),
        )
        .into());
    }
    let resident = Resident {
        id: RecordId::nil(),
        name: r.name.trim().to_owned(),
        gender,
        birth_date,
        relation: r
            .relation
            .as_deref()
            .map(Relation::parse)
            .transpose()?
            .unwrap_or(Relation::Head),
        phone: r
            .phone
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|p| parse_mobile(p, &f("phone")))
            .transpose()?,
        tags,
    };
    Ok((resident, id_number))
}

fn split_tags(tags: &[String]) -> Result<(BTreeSet<Tag>, BTreeSet<Tag>)> {
    let all = tags
        .iter()
        .flat_map(|t| t.split(['、', ',']))
        .filter(|t| !t.trim().is_empty())
        .map(Tag::parse)
        .collect::<Result<BTreeSet<_>, _>>()?;
    Ok(all.into_iter().partition(|t| !t.is_sensitive()))
}

impl Device {
    pub fn add_household(&mut self, new: &NewHousehold, now: Instant) -> Result<RecordId> {
        Ok(self.add_household_with_id(new, None, now)?.id)
    }

    /// [`Device::add_household`] under the caller's id (a UUID v7), so a
    /// retried save is the same household, not a second one.
    pub fn add_household_with_id(
        &mut self,
        new: &NewHousehold,
        id: Option<&str>,
        now: Instant,
    ) -> Result<Created> {
        let grid = GridId::parse(&new.grid)?;
        // The rules look at the grid alone for a new household.
        check(
            self.user(),
            Kind::Household,
            Action::Create,
            &Target::household(grid.clone(), RecordId::nil()),
        )?;
        let id = match self.new_record_id(id, Kind::Household, &grid, None, now)? {
            NewId::Use(id) => id,
            NewId::AlreadySaved(id) => {
                return Ok(Created {
                    id,
                    already_saved: true,
                })
            }
        };
        let target = Target::household(grid.clone(), id);
        check(self.user(), Kind::Household, Action::Create, &target)?;
        if new.head.name.trim().is_empty() {
            return Err(Invalid::new(
                "head",
                text!("户主姓名为空", "the head of household has no name"),
                text!(
                    "请填写 --head 户主姓名",
                    "fill in --head with the head's name"
                ),
            )
            .into());
        }
        // Residents list by id after the head: ids made in one millisecond
        // differ only in their random tail, so they are sorted to keep the
        // members in the order they were entered.
        let mut ids: Vec<RecordId> = (0..=new.members.len()).map(|_| new_id(now)).collect();
        ids.sort();
        let (mut head, id_number) = parse_resident(&new.head, "head", now.date_naive())?;
        head.id = ids[0];
        head.relation = Relation::Head;
        let mut residents = vec![head.clone()];
        let mut id_numbers: BTreeMap<_, _> = id_number.into_iter().map(|n| (head.id, n)).collect();
        for (i, m) in new.members.iter().enumerate() {
            let field = format!("members.{i}");
            if m.name.trim().is_empty() {
                return Err(Invalid::new(
                    &field,
                    text!(
                        "第 {n} 位家庭成员没有姓名",
                        "household member {n} has no name",
                        n = i + 1
                    ),
                    text!(
                        "请填写姓名，或删去这一行",
                        "fill in the name, or remove the line"
                    ),
                )
                .into());
            }
            let (mut r, n) = parse_resident(m, &field, now.date_naive())?;
            r.id = ids[i + 1];
            if m.relation.is_none() {
                r.relation = Relation::Other;
            }
            if r.relation == Relation::Head {
                return Err(Invalid::new(
                    &field,
                    text!("一户只有一位户主", "a household has one head"),
                    text!(
                        "户主已填写；请为 {name} 选择其他与户主关系",
                        "the head is filled in already; choose another relation for {name}",
                        name = m.name.trim()
                    ),
                )
                .into());
            }
            if let Some(n) = n {
                id_numbers.insert(r.id, n);
            }
            residents.push(r);
        }
        let (ordinary, sensitive) = split_tags(&new.tags)?;
        let h = Household {
            id,
            grid: grid.clone(),
            address: Address {
                compound: new.compound.trim().into(),
                building: new.building.trim().into(),
                unit: new.unit.trim().into(),
                room: new.room.trim().into(),
            },
            phone: new
                .phone
                .as_deref()
                .filter(|s| !s.trim().is_empty())
                .map(|p| parse_mobile(p, "phone"))
                .transpose()?,
            tags: ordinary,
            residents,
            notes: new.notes.clone(),
            location: None,
        };
        h.validate(now.date_naive())?;
        let needs_private = !id_numbers.is_empty() || !sensitive.is_empty();
        let p = HouseholdPrivate {
            household: id,
            grid,
            id_numbers,
            sensitive_tags: sensitive,
        };
        if needs_private {
            check(self.user(), Kind::HouseholdPrivate, Action::Create, &target)?;
            p.validate(&h, now.date_naive())?;
        }
        let mut doc = self.new_doc();
        household::create(&mut doc, &h, now)?;
        let mut docs = vec![(doc, Record::Household(h))];
        // The private part exists for every household a role that may keep it
        // creates, so later ID numbers have a document to go into.
        if needs_private
            || check(self.user(), Kind::HouseholdPrivate, Action::Create, &target).is_ok()
        {
            let mut pdoc = self.new_doc();
            private::create(&mut pdoc, &p, now)?;
            docs.push((pdoc, Record::HouseholdPrivate(p)));
        }
        self.store.save_batch(
            docs.iter_mut().map(|(d, r)| (Saved::of(d, true), &*r)),
            Origin::Local,
            now,
        )?;
        Ok(Created {
            id,
            already_saved: false,
        })
    }

    pub fn edit_household(&mut self, id: &str, edit: &HouseholdEdit, now: Instant) -> Result<()> {
        let id = parse_id(id, "household")?;
        let mut doc = self.load_kind(id, Kind::Household, "户")?;
        let mut h = household::read(&doc)?;
        let target = Target::household(h.grid.clone(), h.id);
        check(self.user(), Kind::Household, Action::Edit, &target)?;
        let set = |slot: &mut String, v: &Option<String>| {
            if let Some(v) = v {
                *slot = v.trim().to_owned();
            }
        };
        set(&mut h.address.compound, &edit.compound);
        set(&mut h.address.building, &edit.building);
        set(&mut h.address.unit, &edit.unit);
        set(&mut h.address.room, &edit.room);
        if let Some(n) = &edit.notes {
            h.notes = n.clone();
        }
        if let Some(l) = &edit.location {
            l.validate()?;
            h.location = Some((l.lat, l.lon));
        }
        if let Some(p) = &edit.phone {
            h.phone = if p.trim().is_empty() {
                None
            } else {
                Some(parse_mobile(p, "phone")?)
            };
        }
        let (add, add_sensitive) = split_tags(&edit.add_tags)?;
        let (remove, remove_sensitive) = split_tags(&edit.remove_tags)?;
        h.tags.extend(add);
        h.tags.retain(|t| !remove.contains(t));
        let mut new_id_number = None;
        if let Some(r) = &edit.add_resident {
            let (mut res, idn) = parse_resident(r, "resident", now.date_naive())?;
            res.id = new_id(now);
            if r.relation.is_none() {
                res.relation = Relation::Other;
            }
            new_id_number = idn.map(|n| (res.id, n));
            h.residents.push(res);
        }
        h.validate(now.date_naive())?;

        let private_change =
            new_id_number.is_some() || !add_sensitive.is_empty() || !remove_sensitive.is_empty();
        let mut docs = Vec::new();
        if private_change {
            check(self.user(), Kind::HouseholdPrivate, Action::Edit, &target)?;
            let pid = private::doc_id(h.id);
            let (mut pdoc, mut p) = match self.store.load(pid)? {
                Some((_, bytes)) => {
                    let d = gridline_records::load(&bytes, &self.identity.actor)?;
                    let p = private::read(&d)?;
                    (d, p)
                }
                None => {
                    let p = HouseholdPrivate {
                        household: h.id,
                        grid: h.grid.clone(),
                        id_numbers: BTreeMap::new(),
                        sensitive_tags: BTreeSet::new(),
                    };
                    let mut d = self.new_doc();
                    private::create(&mut d, &p, now)?;
                    (d, p)
                }
            };
            p.id_numbers.extend(new_id_number);
            p.sensitive_tags.extend(add_sensitive);
            p.sensitive_tags.retain(|t| !remove_sensitive.contains(t));
            p.grid = h.grid.clone();
            p.validate(&h, now.date_naive())?;
            private::update(&mut pdoc, &p, now)?;
            docs.push((pdoc, Record::HouseholdPrivate(p)));
        }
        household::update(&mut doc, &h, now)?;
        // lat/lon for every reader; the position map keeps accuracy and source.
        if let Some(l) = &edit.location {
            gridline_records::position::set(&mut doc, l, now)?;
        }
        docs.push((doc, Record::Household(h)));
        self.store.save_batch(
            docs.iter_mut().map(|(d, r)| (Saved::of(d, true), &*r)),
            Origin::Local,
            now,
        )?;
        Ok(())
    }

    /// One household with its visits, issues (overdue as of `now`) and wishes.
    pub fn household(&self, id: &str, now: Instant) -> Result<HouseholdView> {
        let id = parse_id(id, "household")?;
        let doc = self.load_kind(id, Kind::Household, "户")?;
        let h = household::read(&doc)?;
        let target = Target::household(h.grid.clone(), h.id);
        check(self.user(), Kind::Household, Action::Read, &target)?;
        let private = if check(self.user(), Kind::HouseholdPrivate, Action::Read, &target).is_ok() {
            match self.store.load(private::doc_id(h.id))? {
                Some((_, bytes)) => Some(private::read(&gridline_records::load(
                    &bytes,
                    &self.identity.actor,
                )?)?),
                None => None,
            }
        } else {
            None
        };
        let key = h.id.to_string();
        // This household's records and those of every household merged into
        // it (relinked at read time; see `crate::merge`).
        let mut keys = vec![key.clone()];
        keys.extend(self.store.merged_into(&key)?);
        let issues = self
            .store
            .issues(&gridline_store::IssueFilter {
                // A merged household may lie in another grid of the community.
                grid: (keys.len() == 1).then(|| h.grid.clone()),
                ..Default::default()
            })?
            .into_iter()
            .filter(|i| i.household_id.as_ref().is_some_and(|k| keys.contains(k)))
            .map(|r| views::issue(r, now))
            .collect::<Result<_>>()?;
        let mut visit_rows = Vec::new();
        let mut wish_rows = Vec::new();
        for k in &keys {
            visit_rows.extend(self.store.visits(Some(k), None, Some(50))?);
            wish_rows.extend(self.store.wishes(None, Some(k), None)?);
        }
        visit_rows.sort_by(|a, b| b.at.cmp(&a.at));
        visit_rows.truncate(50);
        wish_rows.sort_by(|a, b| b.posted_at.cmp(&a.posted_at));
        let visits = visit_rows
            .into_iter()
            .map(views::visit)
            .collect::<Result<_>>()?;
        let wishes = wish_rows
            .into_iter()
            .map(views::wish)
            .collect::<Result<_>>()?;
        let merged = self.store.merge_of(&key)?;
        let merged_here = self.merged_households(&h)?;
        Ok(HouseholdView {
            sync_state: self.store.sync_state(h.id)?.unwrap_or(SyncState::Local),
            conflicts: gridline_records::conflicts(&doc),
            can_edit: check(self.user(), Kind::Household, Action::Edit, &target).is_ok(),
            visits,
            wishes,
            issues,
            private,
            merged,
            merged_here,
            household: h,
        })
    }

    /// Households on this device, filtered; only those the user may read.
    /// With a query, the search's ranking is kept and the filter narrows it.
    pub fn households(&self, filter: &HouseholdFilter) -> Result<Vec<HouseholdSummary>> {
        let query = filter.query.as_deref().map(str::trim).unwrap_or("");
        if query.is_empty() {
            let rows = self.store.households(&gridline_store::HouseholdFilter {
                grid: filter.grid.clone(),
                tag: filter.tag,
                not_visited_since: filter.not_visited_since,
                limit: filter.limit,
            })?;
            return self.readable(rows);
        }
        let rows = self.store.search_households(
            query,
            filter.grid.as_ref(),
            filter.limit.unwrap_or(usize::MAX),
        )?;
        Ok(self
            .readable(rows)?
            .into_iter()
            .filter(|h| filter.tag.is_none_or(|t| h.tags.contains(&t)))
            .filter(|h| match (filter.not_visited_since, h.last_visit) {
                (Some(since), Some(visited)) => visited < since,
                _ => true,
            })
            .collect())
    }

    /// Finds households by name, pinyin, initials, address or phone, ranked.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<HouseholdSummary>> {
        let rows = self.store.search_households(query, None, limit)?;
        self.readable(rows)
    }

    fn readable(&self, rows: Vec<gridline_store::HouseholdRow>) -> Result<Vec<HouseholdSummary>> {
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let h = views::household(r)?;
            if check(self.user(), Kind::Household, Action::Read, &h.target()).is_ok() {
                out.push(h);
            }
        }
        Ok(out)
    }

    /// One household as lists show it, if this device holds it and the user
    /// may read it (an issue names its household's address and head). A
    /// household merged into another is shown as its survivor, the way its
    /// records are relinked (see `crate::merge`).
    pub fn household_summary(&self, id: &str) -> Result<Option<HouseholdSummary>> {
        let survivor = match self.store.merge_of(id)? {
            Some(m) => self.store.household(&m.survivor)?,
            None => None,
        };
        // A survivor this device does not hold (another grid): the
        // household itself.
        let row = match survivor {
            Some(row) => Some(row),
            None => self.store.household(id)?,
        };
        Ok(self.readable(row.into_iter().collect())?.pop())
    }

    pub(crate) fn household_target(&self, id: RecordId) -> Result<Target> {
        let row = self
            .store
            .household(&id.to_string())?
            .ok_or_else(|| not_found("户", "household", id))?;
        Ok(Target::household(GridId::parse(&row.grid)?, id))
    }
}
