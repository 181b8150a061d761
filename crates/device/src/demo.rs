//! Synthetic demo data in the proportions of DESIGN §6, deterministic for a seed.
//!
//! A grid has ≈300 households (≈3 residents each) and, over five years, ≈5,000
//! visits, ≈1,500 issues and ≈300 wishes; a street has 80 grids in 8
//! communities. Everything is generated from a SplitMix64 stream seeded by the
//! seed and the grid id, so the same seed gives the same records (ids
//! included) on every machine. Only what lies in the device's scope is
//! stored, marked as demo data that never syncs.

mod names;

use std::collections::{BTreeMap, BTreeSet};

use automerge::{ActorId, AutoCommit};
use chrono::{Datelike, Duration, NaiveDate};
use gridline_model::id_number::make_id_number;
use gridline_model::permission::{check, Action, Kind, Target};
use gridline_model::phone::parse_mobile;
use gridline_model::*;
use gridline_records::{household, issue, private, visit, wish, Record};
use gridline_store::{Origin, Saved};

use crate::{Device, Result};

/// How much to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// One grid: ≈300 households with five years of visits, issues and wishes.
    Grid,
    /// A street: 80 grids in 8 communities.
    Street,
}

impl Scale {
    pub fn parse(s: &str) -> std::result::Result<Scale, Invalid> {
        match s.trim() {
            "grid" => Ok(Scale::Grid),
            "street" => Ok(Scale::Street),
            other => Err(Invalid::new(
                "scale",
                format!("未知规模 \"{other}\" (unknown scale)"),
                "请用 grid 或 street (use grid or street)",
            )),
        }
    }
}

/// What a seed wrote, by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeedStats {
    pub grids: usize,
    pub households: usize,
    pub private_parts: usize,
    pub residents: usize,
    pub visits: usize,
    pub issues: usize,
    pub wishes: usize,
    /// Generated but outside this device's scope, so not stored.
    pub skipped: usize,
}

impl SeedStats {
    pub fn documents(&self) -> usize {
        self.households + self.private_parts + self.visits + self.issues + self.wishes
    }
}

pub const HOUSEHOLDS_PER_GRID: usize = 300;
pub const VISITS_PER_GRID: usize = 5000;
pub const ISSUES_PER_GRID: usize = 1500;
pub const WISHES_PER_GRID: usize = 300;
const COMMUNITIES_PER_STREET: u16 = 8;
const GRIDS_PER_COMMUNITY: u16 = 10;

/// Fills the device's store with demo data within its scope. Demo records are
/// marked as such and never sync.
pub fn seed(device: &mut Device, scale: Scale, seed: u64, now: Instant) -> Result<SeedStats> {
    let user = device.user().clone();
    let grids = grids_for(&user, scale)?;
    // A joint-household leader with no linked households yet leads the first
    // joint-household group of the first grid, so the demo has something to show.
    let link_leader = matches!(&user.scope, Scope::Households(h) if h.is_empty());
    let mut stats = SeedStats::default();
    let hub_actor = hex::decode(&device.identity.hub_actor).unwrap_or_default();
    let hub_hex = device.identity.hub_actor.clone();
    let actor = device.identity.actor.clone();
    // Making Automerge documents is most of the work: two threads make grids
    // (each grid from its own seeded stream, so the result does not depend on
    // which thread makes it) while this one writes finished grids to SQLite.
    const MAKERS: usize = 2;
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, Vec<(Saved, Record)>)>(MAKERS);
        for k in 0..MAKERS {
            let tx = tx.clone();
            let (grids, user, actor, hub_actor, hub_hex) =
                (&grids, &user, &actor, &hub_actor, &hub_hex);
            scope.spawn(move || {
                for (n, grid) in grids.iter().enumerate().filter(|(n, _)| n % MAKERS == k) {
                    let docs = GridGen::new(
                        grid.clone(),
                        seed,
                        now,
                        user,
                        actor.clone(),
                        hub_actor.clone(),
                        hub_hex,
                    )
                    .generate();
                    // Demo documents have one linear history: no conflicts to look for.
                    let docs: Vec<(Saved, Record)> = docs
                        .into_iter()
                        .map(|(mut d, r)| (Saved::of(&mut d, false), r))
                        .collect();
                    if tx.send((n, docs)).is_err() {
                        break; // the writer stopped on an error
                    }
                }
            });
        }
        drop(tx);
        for (n, mut docs) in rx.iter() {
            if link_leader && n == 0 {
                let linked: Vec<RecordId> = docs
                    .iter()
                    .filter_map(|(_, r)| match r {
                        Record::Household(h) => Some(h.id),
                        _ => None,
                    })
                    .take(GROUP_SIZE)
                    .collect();
                device.identity.user.scope = Scope::Households(linked);
                device.identity.save(&device.store)?;
            }
            let user = device.user().clone();
            let before = docs.len();
            docs.retain(|(_, r)| in_scope(&user, r));
            stats.skipped += before - docs.len();
            stats.grids += 1;
            for (_, r) in &docs {
                match r {
                    Record::Household(h) => {
                        stats.households += 1;
                        stats.residents += h.residents.len();
                    }
                    Record::HouseholdPrivate(_) => stats.private_parts += 1,
                    Record::Visit(_) => stats.visits += 1,
                    Record::Issue(_) => stats.issues += 1,
                    Record::Wish(_) => stats.wishes += 1,
                }
            }
            let (saved, records): (Vec<Saved>, Vec<Record>) = docs.into_iter().unzip();
            device
                .store
                .save_batch(saved.into_iter().zip(&records), Origin::Demo, now)?;
        }
        Ok::<_, crate::Error>(())
    })?;
    Ok(stats)
}

const GROUP_SIZE: usize = 10;

/// Joint-household groups of ten neighbouring households (十联户), each with
/// its party-member leader.
pub fn joint_groups(grid: &GridId, households: &[Household]) -> Vec<JointGroup> {
    households
        .chunks(GROUP_SIZE)
        .enumerate()
        .map(|(k, hs)| JointGroup {
            leader: format!("jl-{}-{:02}", grid.as_str(), k + 1),
            grid: grid.clone(),
            households: hs.iter().map(|h| h.id).collect(),
        })
        .collect()
}

/// Whether the device's user may read this record (what a hub would send it).
fn in_scope(user: &User, r: &Record) -> bool {
    let (kind, target) = match r {
        Record::Household(h) => (Kind::Household, Target::household(h.grid.clone(), h.id)),
        Record::HouseholdPrivate(p) => (
            Kind::HouseholdPrivate,
            Target::household(p.grid.clone(), p.household),
        ),
        Record::Visit(v) => (Kind::Visit, Target::household(v.grid.clone(), v.household)),
        Record::Issue(i) => (
            Kind::Issue,
            Target {
                grid: i.grid.clone(),
                household: i.household,
                dispatched_to: i.state().departments,
                reporter: Some(i.reporter.clone()),
            },
        ),
        Record::Wish(w) => (Kind::Wish, Target::grid(w.grid.clone())),
    };
    check(user, kind, Action::Read, &target).is_ok()
}

/// The grids to generate for this user's scope at this scale.
fn grids_for(user: &User, scale: Scale) -> Result<Vec<GridId>> {
    let street = user
        .scope
        .street()
        .unwrap_or_else(|| "522701001".to_owned());
    let first = match &user.scope {
        Scope::Grids(g) => g[0].clone(),
        Scope::Community(c) => GridId::new(c, 1),
        _ => GridId::parse(&format!("{street}001001"))?,
    };
    Ok(match scale {
        Scale::Grid => vec![first],
        Scale::Street => {
            let mut v: Vec<GridId> = (1..=COMMUNITIES_PER_STREET)
                .flat_map(|c| {
                    let code =
                        CommunityCode::parse(&format!("{street}{c:03}")).expect("9 + 3 digits");
                    (1..=GRIDS_PER_COMMUNITY).map(move |g| GridId::new(&code, g))
                })
                .collect();
            if !v.contains(&first) {
                v[0] = first;
            }
            v
        }
    })
}

/// SplitMix64: tiny, fast, and the same on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: u32) -> bool {
        self.below(1000) < (percent as usize) * 10
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    fn id(&mut self, at: Instant) -> RecordId {
        let mut b = [0u8; 10];
        b[..8].copy_from_slice(&self.next().to_le_bytes());
        b[8..].copy_from_slice(&self.next().to_le_bytes()[..2]);
        uuid::Builder::from_unix_timestamp_millis(at.timestamp_millis().max(0) as u64, &b)
            .into_uuid()
    }
}

struct GridGen<'a> {
    grid: GridId,
    groups: Vec<JointGroup>,
    rng: Rng,
    now: Instant,
    actor: Vec<u8>,
    hub_actor: Vec<u8>,
    hub_actor_hex: &'a str,
    worker: Author,
    staff: Author,
    street: Author,
}

impl<'a> GridGen<'a> {
    fn new(
        grid: GridId,
        seed: u64,
        now: Instant,
        user: &User,
        actor: Vec<u8>,
        hub_actor: Vec<u8>,
        hub_actor_hex: &'a str,
    ) -> Self {
        let mut h = seed ^ 0x6772_6964_6c69_6e65;
        for b in grid.as_str().bytes() {
            h = (h ^ b as u64).wrapping_mul(0x100_0000_01b3);
        }
        let community = grid.community();
        // The device's own user appears as the author where their role fits,
        // so "my visits" and "my reports" show up in the demo.
        let mine =
            |role: Role, fallback: String, unit: String| match (&user.scope, user.role == role) {
                (Scope::Grids(g), true) if g.contains(&grid) => user.author(),
                (Scope::Community(c), true) if *c == community => user.author(),
                (Scope::Street(s), true) if s == grid.street() => user.author(),
                _ => Author {
                    user: fallback,
                    role,
                    unit,
                },
            };
        GridGen {
            groups: Vec::new(),
            worker: mine(
                Role::GridWorker,
                format!("gw-{}", grid.as_str()),
                String::new(),
            ),
            staff: mine(
                Role::CommunityStaff,
                format!("cs-{}", community.as_str()),
                community.as_str().to_owned(),
            ),
            street: mine(
                Role::StreetStaff,
                format!("ss-{}", grid.street()),
                grid.street().to_owned(),
            ),
            grid,
            rng: Rng(h),
            now,
            actor,
            hub_actor,
            hub_actor_hex,
        }
    }

    fn doc(&self) -> AutoCommit {
        gridline_records::new_doc(&self.actor)
    }

    fn generate(&mut self) -> Vec<(AutoCommit, Record)> {
        let mut out = Vec::with_capacity(
            HOUSEHOLDS_PER_GRID * 2 + VISITS_PER_GRID + ISSUES_PER_GRID + WISHES_PER_GRID,
        );
        let households: Vec<Household> = (0..HOUSEHOLDS_PER_GRID)
            .map(|i| self.household(i))
            .collect();
        self.groups = joint_groups(&self.grid, &households);
        for h in &households {
            let p = self.private_part(h);
            let mut d = self.doc();
            household::create(&mut d, h, self.now - Duration::days(5 * 365))
                .expect("demo households are well-formed");
            out.push((d, Record::Household(h.clone())));
            let mut d = self.doc();
            private::create(&mut d, &p, self.now - Duration::days(5 * 365))
                .expect("demo private parts are well-formed");
            out.push((d, Record::HouseholdPrivate(p)));
        }
        for _ in 0..VISITS_PER_GRID {
            let v = self.visit(&households);
            let mut d = self.doc();
            visit::create(&mut d, &v).expect("demo visits are well-formed");
            out.push((d, Record::Visit(v)));
        }
        for _ in 0..ISSUES_PER_GRID {
            let i = self.issue(&households);
            let mut d = self.doc();
            issue::create(&mut d, &i).expect("demo issues are well-formed");
            out.push((d, Record::Issue(i)));
        }
        for _ in 0..WISHES_PER_GRID {
            out.push(self.wish(&households));
        }
        out
    }

    fn past(&mut self, max_days: i64) -> Instant {
        self.now - Duration::minutes(self.rng.below((max_days * 24 * 60) as usize) as i64 + 1)
    }

    fn name(&mut self, female: bool, surname: Option<&str>) -> String {
        let s = surname.map_or_else(|| self.rng.pick(names::SURNAMES).to_string(), str::to_owned);
        let g = if female {
            self.rng.pick(names::GIVEN_FEMALE)
        } else {
            self.rng.pick(names::GIVEN_MALE)
        };
        format!("{s}{g}")
    }

    fn phone(&mut self) -> Phone {
        let second = [3, 5, 7, 8, 9][self.rng.below(5)];
        let s = format!(
            "1{second}{}{:08}",
            self.rng.below(10),
            self.rng.below(100_000_000)
        );
        parse_mobile(&s, "phone").expect("generated mobiles are valid")
    }

    fn birth(&mut self, min_age: i64, max_age: i64) -> NaiveDate {
        let today = self.now.date_naive();
        let age_days =
            (min_age * 365) + self.rng.below(((max_age - min_age) * 365) as usize) as i64;
        today - Duration::days(age_days)
    }

    fn household(&mut self, i: usize) -> Household {
        let community_no = self.grid.community().as_str()[9..]
            .parse::<usize>()
            .unwrap_or(1);
        let compound = names::COMPOUNDS
            [(community_no * 2 + self.grid.number() as usize / 6) % names::COMPOUNDS.len()];
        let building = 1 + i / 24;
        let unit = 1 + (i / 8) % 3;
        let room = format!("{}{:02}", 1 + (i % 8) / 2 + (i / 96) * 4, 1 + i % 2);
        let elderly_alone = self.rng.chance(8);
        let head_female = self.rng.chance(45);
        let head_birth = if elderly_alone {
            self.birth(70, 92)
        } else {
            self.birth(28, 80)
        };
        let surname = self.rng.pick(names::SURNAMES).to_string();
        let at = self.now - Duration::days(5 * 365);
        let mut residents = vec![Resident {
            id: self.rng.id(at),
            name: self.name(head_female, Some(&surname)),
            gender: Some(if head_female {
                Gender::Female
            } else {
                Gender::Male
            }),
            birth_date: Some(head_birth),
            relation: Relation::Head,
            phone: Some(self.phone()),
            tags: BTreeSet::new(),
        }];
        if !elderly_alone {
            let extra = [0, 1, 1, 2, 2, 2, 3, 3, 4][self.rng.below(9)];
            for k in 0..extra {
                let (relation, female, birth, sn) = match k {
                    0 => (Relation::Spouse, !head_female, self.birth(25, 85), None),
                    _ if self.rng.chance(20) => (
                        Relation::Parent,
                        self.rng.chance(55),
                        self.birth(60, 95),
                        None,
                    ),
                    _ => (
                        Relation::Child,
                        self.rng.chance(50),
                        self.birth(1, 30),
                        Some(surname.clone()),
                    ),
                };
                let name = self.name(female, sn.as_deref());
                let mut tags = BTreeSet::new();
                if relation == Relation::Child
                    && self.now.date_naive().year() - birth.year() < 16
                    && self.rng.chance(12)
                {
                    tags.insert(Tag::LeftBehindChild);
                }
                residents.push(Resident {
                    id: self.rng.id(at),
                    name,
                    gender: Some(if female { Gender::Female } else { Gender::Male }),
                    birth_date: Some(birth),
                    relation,
                    phone: if self.rng.chance(60) {
                        Some(self.phone())
                    } else {
                        None
                    },
                    tags,
                });
            }
        }
        let mut tags = BTreeSet::new();
        for (tag, pct) in [
            (Tag::ElderlyAlone, if elderly_alone { 100 } else { 0 }),
            (Tag::EmptyNest, 10),
            (Tag::Veteran, 5),
            (Tag::PartyMember, 12),
            (Tag::NeedsAttention, 5),
            (Tag::RentedHome, 10),
            (Tag::Migrant, 8),
        ] {
            if self.rng.chance(pct) {
                tags.insert(tag);
            }
        }
        Household {
            id: self.rng.id(at),
            grid: self.grid.clone(),
            address: Address {
                compound: compound.into(),
                building: format!("{building}栋"),
                unit: format!("{unit}单元"),
                room,
            },
            phone: residents[0].phone.clone(),
            tags,
            residents,
            notes: String::new(),
            location: None,
        }
    }

    fn private_part(&mut self, h: &Household) -> HouseholdPrivate {
        let mut sensitive = BTreeSet::new();
        for (tag, pct) in [
            (Tag::Disabled, 5),
            (Tag::LowIncome, 6),
            (Tag::ExtremeHardship, 1),
            (Tag::Relocated, 3),
        ] {
            if self.rng.chance(pct) {
                sensitive.insert(tag);
            }
        }
        let id_numbers: BTreeMap<RecordId, IdNumber> = h
            .residents
            .iter()
            .filter_map(|r| {
                let b = r.birth_date?;
                let seq = self.rng.below(500) as u16;
                Some((
                    r.id,
                    make_id_number("522701", b, seq, r.gender == Some(Gender::Female)),
                ))
            })
            .collect();
        HouseholdPrivate {
            household: h.id,
            grid: h.grid.clone(),
            id_numbers,
            sensitive_tags: sensitive,
        }
    }

    fn visit(&mut self, hs: &[Household]) -> Visit {
        let n = self.rng.below(hs.len());
        let h = &hs[n];
        let at = self.past(5 * 365);
        // One visit in five is the household's joint-household leader's.
        let visitor = if self.rng.chance(20) {
            let g = &self.groups[n / GROUP_SIZE];
            Author {
                user: g.leader.clone(),
                role: Role::JointLeader,
                unit: String::new(),
            }
        } else {
            self.worker.clone()
        };
        let kind = [
            VisitKind::Routine,
            VisitKind::Routine,
            VisitKind::Routine,
            VisitKind::HomeServiceDay,
            VisitKind::FollowUp,
        ][self.rng.below(5)];
        Visit {
            id: self.rng.id(at),
            household: h.id,
            grid: self.grid.clone(),
            visitor,
            at,
            kind,
            notes: self.rng.pick(names::VISIT_NOTES).to_string(),
        }
    }

    fn issue(&mut self, hs: &[Household]) -> Issue {
        let total: u32 = names::ISSUES.iter().map(|(_, w, _)| w).sum();
        let mut roll = self.rng.below(total as usize) as u32;
        let &(category, _, examples) = names::ISSUES
            .iter()
            .find(|(_, w, _)| {
                if roll < *w {
                    true
                } else {
                    roll -= w;
                    false
                }
            })
            .expect("weights cover the roll");
        let reported_at = self.past(5 * 365);
        let household = if self.rng.chance(60) {
            Some(self.rng.pick(hs).id)
        } else {
            None
        };
        let mut t = reported_at;
        let mut events = vec![IssueEvent {
            id: self.rng.id(reported_at),
            at: reported_at,
            author: self.worker.clone(),
            step: IssueStep::Report,
        }];
        // Issues of the last two months are still being worked on: they stop
        // after a few steps, so the demo has open and overdue cases.
        let recent = self.now - reported_at < Duration::days(60);
        let stop_after = if recent && self.rng.chance(70) {
            1 + self.rng.below(5)
        } else {
            usize::MAX
        };
        let mut step = |gen: &mut Self, author: &Author, s: IssueStep, hours: i64| {
            t += Duration::minutes(30 + gen.rng.below((hours * 60) as usize) as i64);
            if t <= gen.now && events.len() < stop_after {
                events.push(IssueEvent {
                    id: gen.rng.id(t),
                    at: t,
                    author: author.clone(),
                    step: s,
                });
            }
        };
        let worker = self.worker.clone();
        let staff = self.staff.clone();
        let street = self.street.clone();
        let roll = self.rng.below(100);
        if roll < 5 {
            step(
                self,
                &staff,
                IssueStep::Reject {
                    reason: "经核实不属实".into(),
                },
                24,
            );
        } else if roll < 8 {
            let into = self.rng.id(reported_at);
            step(self, &staff, IssueStep::Merge { into }, 24);
        } else {
            step(self, &staff, IssueStep::Accept, 24);
            if self.rng.chance(70) {
                step(
                    self,
                    &staff,
                    IssueStep::Resolve {
                        note: "社区协调解决".into(),
                    },
                    72,
                );
            } else {
                step(
                    self,
                    &staff,
                    IssueStep::Escalate {
                        note: "需要职能部门处置".into(),
                    },
                    24,
                );
                let n = 1 + self.rng.below(2);
                let departments: Vec<String> = (0..n)
                    .map(|_| self.rng.pick(names::DEPARTMENTS).to_string())
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect();
                let grade =
                    [Grade::Urgent, Grade::Normal, Grade::Normal, Grade::Minor][self.rng.below(4)];
                step(
                    self,
                    &street,
                    IssueStep::Dispatch {
                        departments: departments.clone(),
                        grade,
                    },
                    24,
                );
                for d in &departments {
                    let dep = Author {
                        user: format!("dep-{d}"),
                        role: Role::DepartmentLiaison,
                        unit: d.clone(),
                    };
                    step(
                        self,
                        &dep,
                        IssueStep::Handle {
                            feedback: "已到现场处置".into(),
                        },
                        96,
                    );
                }
            }
            step(
                self,
                &staff,
                IssueStep::VerifyClose {
                    note: "现场核查，已办结".into(),
                },
                48,
            );
            let satisfied = self.rng.chance(90);
            step(
                self,
                &worker,
                IssueStep::Evaluate {
                    satisfied,
                    resident: "户主".into(),
                    comment: String::new(),
                },
                72,
            );
        }
        Issue {
            id: self.rng.id(reported_at),
            grid: self.grid.clone(),
            category: category.into(),
            description: self.rng.pick(examples).to_string(),
            location: String::new(),
            household,
            urgency: 1 + self.rng.below(3) as u8,
            reporter: worker.user.clone(),
            reported_at,
            events,
        }
    }

    fn wish(&mut self, hs: &[Household]) -> (AutoCommit, Record) {
        let &(title, category, value) = self.rng.pick(names::WISHES);
        let h = self.rng.pick(hs).id;
        let posted_at = self.past(5 * 365);
        let worker = self.worker.clone();
        let claimer = Author {
            user: self.rng.pick(&self.groups).leader.clone(),
            role: Role::JointLeader,
            unit: String::new(),
        };
        let post = WishEvent {
            id: self.rng.id(posted_at),
            at: posted_at,
            author: worker.clone(),
            actor: String::new(),
            step: WishStep::Post,
        };
        let mut w = Wish {
            id: self.rng.id(posted_at),
            grid: self.grid.clone(),
            household: Some(h),
            title: title.into(),
            category: category.into(),
            value_yuan: value,
            description: String::new(),
            poster: worker.user.clone(),
            posted_at,
            events: vec![post],
        };
        let mut d = self.doc();
        let roll = self.rng.below(100);
        let mut t = posted_at;
        let mut later = |gen: &mut Self, hours: i64| {
            t += Duration::minutes(10 + gen.rng.below((hours * 60) as usize) as i64);
            t
        };
        if roll >= 15 {
            let at = later(self, 72);
            let claim = WishEvent {
                id: self.rng.id(at),
                at,
                author: claimer.clone(),
                actor: String::new(),
                step: WishStep::RequestClaim,
            };
            let claim_id = claim.id;
            w.events.push(claim);
            if roll >= 20 && at < self.now {
                wish::create(&mut d, &w).expect("demo wishes are well-formed");
                let at = later(self, 2);
                let hub = Author {
                    user: "hub".into(),
                    role: Role::Hub,
                    unit: String::new(),
                };
                let grant = WishEvent {
                    id: self.rng.id(at),
                    at,
                    author: hub,
                    actor: self.hub_actor_hex.to_owned(),
                    step: WishStep::Grant { claim: claim_id },
                };
                d.set_actor(ActorId::from(self.hub_actor.clone()));
                wish::push_event(&mut d, &grant).expect("demo grants are well-formed");
                d.set_actor(ActorId::from(self.actor.clone()));
                w.events.push(grant);
                let mut rest = Vec::new();
                if roll >= 30 {
                    let at = later(self, 240);
                    rest.push(WishEvent {
                        id: self.rng.id(at),
                        at,
                        author: claimer.clone(),
                        actor: String::new(),
                        step: WishStep::Fulfil {
                            note: "已送到居民家中".into(),
                        },
                    });
                    if roll >= 40 {
                        let at = later(self, 72);
                        rest.push(WishEvent {
                            id: self.rng.id(at),
                            at,
                            author: worker,
                            actor: String::new(),
                            step: WishStep::Confirm {
                                resident: "户主".into(),
                            },
                        });
                    }
                }
                for e in rest.into_iter().filter(|e| e.at <= self.now) {
                    wish::push_event(&mut d, &e).expect("demo wish events are well-formed");
                    w.events.push(e);
                }
                return (d, Record::Wish(w));
            }
        } else if roll < 5 {
            let at = later(self, 200);
            w.events.push(WishEvent {
                id: self.rng.id(at),
                at,
                author: worker,
                actor: String::new(),
                step: WishStep::WithdrawWish {
                    reason: "居民已自行解决".into(),
                },
            });
        }
        w.events.retain(|e| e.at <= self.now);
        wish::create(&mut d, &w).expect("demo wishes are well-formed");
        (d, Record::Wish(w))
    }
}
