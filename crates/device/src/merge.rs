//! Merging duplicate households (合并): community staff pick the survivor of
//! a likely duplicate pair ([`crate::duplicates`]) and give a reason; the
//! merge is an authored event in the merged household's own document
//! ([`gridline_model::merge`]), so it syncs, the hub checks it, and every
//! replica folds it the same way.
//!
//! Residents are *shown*, not moved: the survivor's page lists the merged
//! households' residents beside its own, leaving out anyone who is already
//! there (same ID number where the role may read them, or same name and
//! birth date). Moving them would mean writing the survivor's document and
//! both private parts (ID numbers live there), retyping what was recorded
//! once, and an unmerge could no longer simply restore the merged household
//! as it was. Staff who want one list edit the survivor as usual.
//!
//! Undo: [`Device::unmerge_household`] adds an authored `unmerge` event to
//! the same document; nothing was deleted or rewritten, so everything shows
//! where it was again.

use std::collections::BTreeSet;

use gridline_model::merge::{fold, may_merge, MAX_REASON};
use gridline_model::permission::{check, Action, Kind, Target};
use gridline_model::{text, Household, Instant, Invalid, MergeEvent, MergeStep, Resident};
use gridline_records::{household, private, Record};
use gridline_store::{MergeRow, Origin};

use crate::{new_id, parse_id, Device, Error, Result};

/// A household merged into the one whose page is shown, with the residents
/// it brings that the survivor does not already list.
#[derive(Debug, Clone, PartialEq)]
pub struct MergedHousehold {
    pub id: gridline_model::RecordId,
    pub address: String,
    pub residents: Vec<Resident>,
}

fn reason_checked(reason: &str) -> Result<String> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::Invalid(Box::new(Invalid::new(
            "reason",
            text!("请说明合并原因", "a merge needs a reason"),
            text!(
                "如：重复录入、同一户两次导入",
                "e.g. entered twice, imported twice"
            ),
        ))));
    }
    if reason.chars().count() > MAX_REASON {
        return Err(Error::Invalid(Box::new(Invalid::new(
            "reason",
            text!(
                "原因过长",
                "the reason is longer than {MAX_REASON} characters"
            ),
            text!("请写简短的原因", "shorten the reason"),
        ))));
    }
    Ok(reason.to_owned())
}

impl Device {
    fn merge_subject(&self, id: &str) -> Result<(automerge::AutoCommit, Household, Target)> {
        let id = parse_id(id, "household")?;
        let doc = self.load_kind(id, Kind::Household, "户")?;
        let h = household::read(&doc)?;
        let target = Target::household(h.grid.clone(), h.id);
        check(self.user(), Kind::Household, Action::Read, &target)?;
        Ok((doc, h, target))
    }

    /// Merges `merged` into `survivor`: `merged` is kept, never deleted, and
    /// no longer shows in lists, counts, rosters or duplicate detection; its
    /// residents, visits, issues and wishes show on the survivor's page.
    /// Community staff of both households' community only.
    pub fn merge_households(
        &mut self,
        merged: &str,
        survivor: &str,
        reason: &str,
        now: Instant,
    ) -> Result<()> {
        let (mut doc, h, target) = self.merge_subject(merged)?;
        let (_, s, survivor_target) = self.merge_subject(survivor)?;
        if h.id == s.id {
            return Err(Error::Invalid(Box::new(Invalid::new(
                "into",
                text!(
                    "不能把一户合并到它自己",
                    "a household cannot be merged into itself"
                ),
                text!(
                    "请选择另一户作为保留户",
                    "choose the other household to keep"
                ),
            ))));
        }
        may_merge(self.user(), &target, &survivor_target)?;
        let reason = reason_checked(reason)?;
        if let Some(m) = self.store.merge_of(&h.id.to_string())? {
            let into = m.survivor_address.unwrap_or(m.survivor);
            return Err(Error::StepRefused(text!(
                "此户已合并到 {}；如合并有误，请先撤销合并",
                "this household is already merged into {}; undo that merge first if it was a mistake",
                into
            )));
        }
        if let Some(m) = self.store.merge_of(&s.id.to_string())? {
            let into = m.survivor_address.unwrap_or(m.survivor);
            return Err(Error::StepRefused(text!(
                "保留户本身已合并到 {}；请合并到那一户",
                "the household to keep is itself merged into {}; merge into that one",
                into
            )));
        }
        let events = household::read_merges(&doc)?;
        let at = crate::next_at(events.iter().map(|e| e.at), now);
        let e = MergeEvent {
            id: new_id(at),
            at,
            author: self.user().author(),
            actor: self.identity.actor_hex(),
            step: MergeStep::Merge {
                into: s.id,
                into_grid: s.grid.clone(),
                reason,
            },
        };
        self.push_merge(&mut doc, h, events, e, now)
    }

    /// Undoes a mistaken merge with an authored `unmerge` event: the
    /// household stands on its own again, with everything it had.
    pub fn unmerge_household(&mut self, id: &str, reason: &str, now: Instant) -> Result<()> {
        let (mut doc, h, target) = self.merge_subject(id)?;
        may_merge(self.user(), &target, &target)?;
        let reason = reason_checked(reason)?;
        let events = household::read_merges(&doc)?;
        let at = crate::next_at(events.iter().map(|e| e.at), now);
        let e = MergeEvent {
            id: new_id(at),
            at,
            author: self.user().author(),
            actor: self.identity.actor_hex(),
            step: MergeStep::Unmerge { reason },
        };
        self.push_merge(&mut doc, h, events, e, now)
    }

    fn push_merge(
        &mut self,
        doc: &mut automerge::AutoCommit,
        h: Household,
        mut events: Vec<MergeEvent>,
        e: MergeEvent,
        now: Instant,
    ) -> Result<()> {
        // Fold with the new event first: refuse before writing anything.
        events.push(e.clone());
        let state = fold(h.id, &h.grid, &events);
        if let Some(why) = state
            .outcomes
            .iter()
            .find(|o| o.event == e.id)
            .and_then(|o| o.refused.clone())
        {
            return Err(Error::StepRefused(why));
        }
        household::push_merge_event(doc, &e)?;
        self.store
            .save(doc, &Record::Household(h), Origin::Local, now)?;
        Ok(())
    }

    /// The household's standing merge, if it is merged (after chains and
    /// cycles are resolved with every other household's merges).
    pub fn household_merge(&self, id: &str) -> Result<Option<MergeRow>> {
        let id = parse_id(id, "household")?;
        Ok(self.store.merge_of(&id.to_string())?)
    }

    /// The households merged into `survivor` that this user may read, each
    /// with the residents it brings that `survivor` does not already list.
    pub fn merged_households(&self, survivor: &Household) -> Result<Vec<MergedHousehold>> {
        let target = Target::household(survivor.grid.clone(), survivor.id);
        let reads_private =
            check(self.user(), Kind::HouseholdPrivate, Action::Read, &target).is_ok();
        let id_numbers = |h: &Household| -> Result<Vec<(gridline_model::RecordId, String)>> {
            if !reads_private {
                return Ok(Vec::new());
            }
            Ok(match self.store.load(private::doc_id(h.id))? {
                Some((_, bytes)) => {
                    private::read(&gridline_records::load(&bytes, &self.identity.actor)?)?
                        .id_numbers
                        .into_iter()
                        .map(|(r, n)| (r, n.as_str().to_owned()))
                        .collect()
                }
                None => Vec::new(),
            })
        };
        let mut seen_numbers: BTreeSet<String> =
            id_numbers(survivor)?.into_iter().map(|(_, n)| n).collect();
        let mut seen_people: BTreeSet<(String, Option<chrono::NaiveDate>)> = survivor
            .residents
            .iter()
            .filter(|r| r.birth_date.is_some())
            .map(|r| (r.name.trim().to_owned(), r.birth_date))
            .collect();
        let mut out = Vec::new();
        for id in self.store.merged_into(&survivor.id.to_string())? {
            let Ok(id) = parse_id(&id, "household") else {
                continue;
            };
            let Some((kind, bytes)) = self.store.load(id)? else {
                continue;
            };
            if kind != Kind::Household {
                continue;
            }
            let m = household::read(&gridline_records::load(&bytes, &self.identity.actor)?)?;
            let t = Target::household(m.grid.clone(), m.id);
            if check(self.user(), Kind::Household, Action::Read, &t).is_err() {
                continue;
            }
            let numbers = id_numbers(&m)?;
            let mut residents = Vec::new();
            for r in &m.residents {
                let number = numbers.iter().find(|(rid, _)| *rid == r.id).map(|(_, n)| n);
                let same_number = number.is_some_and(|n| seen_numbers.contains(n));
                let person = (r.name.trim().to_owned(), r.birth_date);
                let same_person = r.birth_date.is_some() && seen_people.contains(&person);
                if same_number || same_person {
                    continue;
                }
                if let Some(n) = number {
                    seen_numbers.insert(n.clone());
                }
                if r.birth_date.is_some() {
                    seen_people.insert(person);
                }
                residents.push(r.clone());
            }
            out.push(MergedHousehold {
                id: m.id,
                address: m.address.line(),
                residents,
            });
        }
        Ok(out)
    }
}
