//! Merging duplicate households (疑似重复户 → 合并).
//!
//! A merge is an authored event written in the *merged* household's own
//! document: who merged it (user, role, unit), when, into which survivor and
//! why. Nothing else is rewritten. Visits, issues and wishes keep naming the
//! household they were made for, because a community staff member may not be
//! allowed to edit every one of them and a record is recorded once, never
//! retyped; instead every replica resolves a household id through the merges
//! ([`resolve`]) when it lists a survivor's records. The merged household is
//! kept, never deleted, so a mistaken merge is undone by a later authored
//! [`MergeStep::Unmerge`] event and everything reappears where it was.
//!
//! Two folds make the result the same on every replica whatever order the
//! changes arrived in:
//!
//! - [`fold`] reads one household's events sorted by time and event id (not
//!   by list position, so two offline merges of the same household, A into B
//!   here and A into C there, end with the later one on every replica), and
//!   refuses, but keeps, a step by anyone but community staff of the
//!   household's own community, a merge into itself or into a household of
//!   another community.
//! - [`resolve`] takes every household's direct "merged into" edge and
//!   follows chains to their end (A→B→C puts A and B under C). A cycle (A
//!   into B on one device, B into A on another, offline) is broken by one
//!   rule: the household with the smallest record id in the cycle survives,
//!   its own merge is set aside (still shown in its history).

use std::collections::{BTreeMap, BTreeSet};

use crate::permission::{in_scope, Refusal, Target};
use crate::{text, Author, GridId, Instant, RecordId, Role, Text, User};

/// The longest reason for a merge, in characters.
pub const MAX_REASON: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MergeStep {
    /// This household is the same as `into` (which lies in `into_grid`, kept
    /// so every replica and the hub can check the community without reading
    /// the survivor's document).
    Merge {
        into: RecordId,
        into_grid: GridId,
        reason: String,
    },
    /// The merge was a mistake: the household stands on its own again.
    Unmerge { reason: String },
}

impl MergeStep {
    pub fn key(&self) -> &'static str {
        match self {
            MergeStep::Merge { .. } => "merge",
            MergeStep::Unmerge { .. } => "unmerge",
        }
    }
    pub fn reason(&self) -> &str {
        match self {
            MergeStep::Merge { reason, .. } | MergeStep::Unmerge { reason } => reason,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeEvent {
    pub id: RecordId,
    pub at: Instant,
    pub author: Author,
    /// Hex Automerge actor of the change that added the event (read from the
    /// document, as for issue and wish events).
    pub actor: String,
    pub step: MergeStep,
}

/// A household's standing merge, as its own events fold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    pub into: RecordId,
    pub into_grid: GridId,
    pub by: Author,
    pub at: Instant,
    pub reason: String,
    pub event: RecordId,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeOutcome {
    pub event: RecordId,
    /// Why the rules refused the step, or `None` when it took effect.
    pub refused: Option<Text>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MergeState {
    /// The survivor this household's own events name (before chains and
    /// cycles are resolved with the other households' merges).
    pub merged: Option<Merged>,
    /// One outcome per event, in fold order.
    pub outcomes: Vec<MergeOutcome>,
}

/// Whether a role merges households at all (community staff; where, is
/// [`may_merge`]'s).
pub fn role_may_merge(role: Role) -> bool {
    role == Role::CommunityStaff
}

/// May `user` merge the household at `merged` into the one at `survivor`?
/// DESIGN §3 gives households' writes to grid workers and community staff,
/// and issue merges (合并) to community staff of the community only; a
/// household merge relinks every record of a household across grids, so it
/// is the community's step: community staff whose community holds both.
/// Street staff only read households (§3), so they may not merge either.
pub fn may_merge(user: &User, merged: &Target, survivor: &Target) -> Result<(), Refusal> {
    if !role_may_merge(user.role) {
        return Err(Refusal {
            reason: Text::new(
                format!("{}不能合并住户；合并由社区工作人员办理", user.role.zh()),
                format!(
                    "role {} may not merge households; community staff do",
                    user.role
                ),
            ),
        });
    }
    if !in_scope(user, merged) || !in_scope(user, survivor) {
        return Err(Refusal {
            reason: text!(
                "合并住户被拒绝：两户须都在你的社区",
                "merging refused: both households must be in your community"
            ),
        });
    }
    Ok(())
}

/// The household's events folded in (time, event id) order; see the module
/// docs for why that order and which steps are refused.
pub fn fold(household: RecordId, grid: &GridId, events: &[MergeEvent]) -> MergeState {
    let mut sorted: Vec<&MergeEvent> = events.iter().collect();
    sorted.sort_by_key(|e| (e.at, e.id));
    let community = grid.community();
    let mut state = MergeState::default();
    for e in sorted {
        let refused = if e.author.role != Role::CommunityStaff {
            Some(text!(
                "只有社区工作人员可以合并住户",
                "only community staff merge households"
            ))
        } else if e.author.unit != community.as_str() {
            Some(text!(
                "此户不在操作人的社区",
                "the household is not in the author's community"
            ))
        } else {
            match &e.step {
                MergeStep::Merge { into, .. } if *into == household => Some(text!(
                    "不能把一户合并到它自己",
                    "a household cannot be merged into itself"
                )),
                MergeStep::Merge { into_grid, .. } if into_grid.community() != community => {
                    Some(text!(
                        "只能合并到同一社区的住户",
                        "a household is merged only into one of its own community"
                    ))
                }
                MergeStep::Unmerge { .. } if state.merged.is_none() => Some(text!(
                    "此户未被合并，无需撤销",
                    "the household is not merged; nothing to undo"
                )),
                _ => None,
            }
        };
        if refused.is_none() {
            state.merged = match &e.step {
                MergeStep::Merge {
                    into,
                    into_grid,
                    reason,
                } => Some(Merged {
                    into: *into,
                    into_grid: into_grid.clone(),
                    by: e.author.clone(),
                    at: e.at,
                    reason: reason.clone(),
                    event: e.id,
                }),
                MergeStep::Unmerge { .. } => None,
            };
        }
        state.outcomes.push(MergeOutcome {
            event: e.id,
            refused,
        });
    }
    state
}

/// Every merged household's final survivor, from each household's direct
/// edge (its [`fold`]ed `merged.into`). A function of the set of edges alone,
/// so every replica holding the same documents gets the same answer. A
/// survivor is never itself merged: chains are followed to their end, and in
/// each cycle the smallest id keeps standing (its edge is set aside). An edge
/// to a household this replica does not hold still counts: the survivor is
/// named, and lists show the merged household as merged.
pub fn resolve(edges: &BTreeMap<RecordId, RecordId>) -> BTreeMap<RecordId, RecordId> {
    let mut edges: BTreeMap<RecordId, RecordId> = edges
        .iter()
        .filter(|(a, b)| a != b)
        .map(|(a, b)| (*a, *b))
        .collect();
    // 1 = on the walk now, 2 = done. Every node has at most one edge, so
    // each cycle is met exactly once, on the walk that first enters it.
    let mut mark: BTreeMap<RecordId, u8> = BTreeMap::new();
    let mut broken = BTreeSet::new();
    for start in edges.keys().copied().collect::<Vec<_>>() {
        let mut path = Vec::new();
        let mut node = start;
        loop {
            match mark.get(&node) {
                Some(1) => {
                    let at = path.iter().position(|n| *n == node).unwrap_or(0);
                    if let Some(min) = path[at..].iter().min() {
                        broken.insert(*min);
                    }
                    break;
                }
                Some(_) => break,
                None => {
                    mark.insert(node, 1);
                    path.push(node);
                    match edges.get(&node) {
                        Some(next) => node = *next,
                        None => break,
                    }
                }
            }
        }
        for n in path {
            mark.insert(n, 2);
        }
    }
    for b in &broken {
        edges.remove(b);
    }
    let mut out = BTreeMap::new();
    for &from in edges.keys() {
        let mut to = edges[&from];
        // Acyclic now, so this ends within edges.len() steps.
        while let Some(next) = edges.get(&to) {
            to = *next;
        }
        out.insert(from, to);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CommunityCode;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn id(n: u128) -> RecordId {
        RecordId::from_u128(n)
    }
    fn grid(community: &str) -> GridId {
        GridId::new(&CommunityCode::parse(community).unwrap(), 1)
    }
    const C1: &str = "522701001001";
    const C2: &str = "522701001002";
    fn staff(unit: &str) -> Author {
        Author {
            user: "wangfang".into(),
            role: Role::CommunityStaff,
            unit: unit.into(),
        }
    }
    fn at(min: u32) -> Instant {
        chrono::Utc
            .with_ymd_and_hms(2026, 12, 1, 9, min, 0)
            .single()
            .unwrap()
    }
    fn merge(n: u128, min: u32, into: u128, author: Author) -> MergeEvent {
        MergeEvent {
            id: id(1000 + n),
            at: at(min),
            author,
            actor: String::new(),
            step: MergeStep::Merge {
                into: id(into),
                into_grid: grid(C1),
                reason: "重复录入".into(),
            },
        }
    }
    fn unmerge(n: u128, min: u32) -> MergeEvent {
        MergeEvent {
            id: id(1000 + n),
            at: at(min),
            author: staff(C1),
            actor: String::new(),
            step: MergeStep::Unmerge {
                reason: "合并错了".into(),
            },
        }
    }

    #[test]
    fn only_community_staff_of_the_community_merge_in_the_fold() {
        let mut worker = staff("");
        worker.role = Role::GridWorker;
        let s = fold(id(1), &grid(C1), &[merge(1, 0, 2, worker)]);
        assert_eq!(s.merged, None, "a grid worker's merge is refused");
        assert!(s.outcomes[0].refused.is_some(), "and kept, shown refused");
        let s = fold(id(1), &grid(C1), &[merge(1, 0, 2, staff(C2))]);
        assert_eq!(s.merged, None, "another community's staff may not merge");
        let s = fold(id(1), &grid(C1), &[merge(1, 0, 1, staff(C1))]);
        assert_eq!(s.merged, None, "nothing merges into itself");
        let mut other = merge(1, 0, 2, staff(C1));
        other.step = MergeStep::Merge {
            into: id(2),
            into_grid: grid(C2),
            reason: String::new(),
        };
        assert_eq!(
            fold(id(1), &grid(C1), &[other]).merged,
            None,
            "a survivor of another community is refused"
        );
        let s = fold(id(1), &grid(C1), &[merge(1, 0, 2, staff(C1))]);
        assert_eq!(s.merged.map(|m| m.into), Some(id(2)), "staff merge");
    }

    #[test]
    fn an_unmerge_undoes_and_a_later_merge_replaces() {
        let s = fold(
            id(1),
            &grid(C1),
            &[merge(1, 0, 2, staff(C1)), unmerge(2, 5)],
        );
        assert_eq!(s.merged, None, "undone");
        let s = fold(id(1), &grid(C1), &[unmerge(2, 5)]);
        assert!(
            s.outcomes[0].refused.is_some(),
            "nothing to undo is refused"
        );
        // A into B on one device, A into C on another: the later stands.
        let s = fold(
            id(1),
            &grid(C1),
            &[merge(2, 7, 3, staff(C1)), merge(1, 3, 2, staff(C1))],
        );
        assert_eq!(s.merged.map(|m| m.into), Some(id(3)), "the later merge");
    }

    /// Every order of the same events folds the same (exhaustive over the
    /// 120 orders of five events, with a tie in time broken by event id).
    #[test]
    fn every_order_of_events_folds_the_same() {
        let events = vec![
            merge(1, 0, 2, staff(C1)),
            unmerge(2, 1),
            merge(3, 2, 3, staff(C1)),
            merge(4, 2, 4, staff(C1)),
            merge(5, 3, 5, staff(C2)),
        ];
        let want = fold(id(1), &grid(C1), &events);
        assert_eq!(want.merged.as_ref().map(|m| m.into), Some(id(4)));
        fn permute(v: &mut Vec<MergeEvent>, k: usize, out: &mut Vec<Vec<MergeEvent>>) {
            if k == v.len() {
                out.push(v.clone());
                return;
            }
            for i in k..v.len() {
                v.swap(k, i);
                permute(v, k + 1, out);
                v.swap(k, i);
            }
        }
        let mut all = Vec::new();
        permute(&mut events.clone(), 0, &mut all);
        assert_eq!(all.len(), 120);
        for order in all {
            assert_eq!(
                fold(id(1), &grid(C1), &order),
                want,
                "the fold sorts by time and id, so list order never matters"
            );
        }
    }

    #[test]
    fn chains_end_at_the_last_and_cycles_keep_the_smallest() {
        let e = BTreeMap::from([(id(1), id(2)), (id(2), id(3))]);
        assert_eq!(
            resolve(&e),
            BTreeMap::from([(id(1), id(3)), (id(2), id(3))]),
            "A→B→C resolves to C"
        );
        let e = BTreeMap::from([(id(1), id(2)), (id(2), id(1))]);
        assert_eq!(
            resolve(&e),
            BTreeMap::from([(id(2), id(1))]),
            "A→B and B→A: the smaller id survives"
        );
        let e = BTreeMap::from([
            (id(5), id(6)),
            (id(6), id(7)),
            (id(7), id(5)),
            (id(8), id(6)),
        ]);
        assert_eq!(
            resolve(&e),
            BTreeMap::from([(id(6), id(5)), (id(7), id(5)), (id(8), id(5))]),
            "a three-cycle keeps 5; a tail into it follows to 5"
        );
    }

    proptest! {
        /// Random merges among eight households: the answer depends only on
        /// the edges, every survivor stands, every merged household reaches
        /// its survivor through the original edges, and exactly the
        /// smallest household of each cycle stands.
        #[test]
        fn resolve_is_sound(pairs in proptest::collection::vec((0u128..8, 0u128..8), 0..12)) {
            let edges: BTreeMap<RecordId, RecordId> =
                pairs.iter().map(|(a, b)| (id(*a), id(*b))).collect();
            let out = resolve(&edges);
            let reversed: BTreeMap<RecordId, RecordId> = {
                // The same edge set built in the other order.
                let mut m = BTreeMap::new();
                for (a, b) in edges.iter().rev() { m.insert(*a, *b); }
                m
            };
            prop_assert_eq!(&resolve(&reversed), &out, "same edges, same answer");
            for (from, to) in &out {
                prop_assert!(!out.contains_key(to), "a survivor is never merged");
                prop_assert!(edges.contains_key(from), "only a household with a merge is merged");
                let mut n = *from;
                let mut reached = false;
                for _ in 0..=edges.len() {
                    match edges.get(&n) { Some(next) => n = *next, None => break }
                    if n == *to { reached = true; break; }
                }
                prop_assert!(reached, "the survivor is reached through the merges");
            }
            for (from, to) in &edges {
                if from == to { continue; }
                // On a cycle: following edges comes back to `from`.
                let mut n = *from;
                let mut cycle = vec![n];
                let mut on_cycle = false;
                for _ in 0..=edges.len() {
                    match edges.get(&n) { Some(next) => n = *next, None => break }
                    if n == *from { on_cycle = true; break; }
                    cycle.push(n);
                }
                let smallest = cycle.iter().min() == Some(from);
                prop_assert_eq!(
                    out.contains_key(from),
                    !(on_cycle && smallest),
                    "only the smallest of a cycle stands"
                );
            }
        }
    }
}
