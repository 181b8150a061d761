//! Micro-wishes: post, claim, fulfil, confirm, withdraw, list.
//!
//! A claim is a request; only the hub grants it. A device that has not
//! enrolled with a hub (trial mode) grants its own claims at once through its
//! trial hub actor, so the whole lifecycle can be tried on one device.

use automerge::ActorId;
use gridline_model::permission::{check, check_wish_step, Action, Kind, Target};
use gridline_model::text;
use gridline_model::wish::WishStage;
use gridline_model::wish::{parse_wish_category, WishState};
use gridline_model::{GridId, Instant, Invalid, RecordId, Role, Wish, WishEvent, WishStep};
use gridline_records::{wish, Record};
use gridline_store::{Origin, SyncState};

use crate::views::{self, WishSummary};

use crate::{new_id, parse_id, Created, Device, Error, NewId, Result};

#[derive(Debug, Clone, Default)]
pub struct NewWish {
    pub grid: Option<String>,
    pub household: Option<String>,
    pub title: String,
    pub category: String,
    pub value_yuan: u32,
    pub description: String,
}

#[derive(Debug, Clone)]
pub struct WishView {
    pub wish: Wish,
    pub state: WishState,
    pub sync_state: SyncState,
    /// Steps this user may take now (what the UI offers), by
    /// [`WishStep::key`]: claim, withdraw-claim, fulfil, confirm, withdraw.
    pub offered: Vec<&'static str>,
}

fn target(w: &Wish) -> Target {
    Target {
        household: w.household,
        reporter: Some(w.poster.clone()),
        ..Target::grid(w.grid.clone())
    }
}

impl Device {
    pub fn post_wish(&mut self, new: &NewWish, now: Instant) -> Result<RecordId> {
        Ok(self.post_wish_with_id(new, None, now)?.id)
    }

    /// [`Device::post_wish`] under the caller's id (a UUID v7), so a retried
    /// save is the same wish, not a second one.
    pub fn post_wish_with_id(
        &mut self,
        new: &NewWish,
        id: Option<&str>,
        now: Instant,
    ) -> Result<Created> {
        let household = new
            .household
            .as_deref()
            .filter(|h| !h.trim().is_empty())
            .map(|h| parse_id(h, "household"))
            .transpose()?;
        let grid = match (&new.grid, household) {
            (_, Some(h)) => self.household_target(h)?.grid,
            (Some(g), None) => GridId::parse(g)?,
            (None, None) => {
                return Err(Invalid::new(
                    "household",
                    text!("未指定户或网格", "no household or grid given"),
                    text!(
                        "请用 --household 指明为哪户发布",
                        "say which household the wish is for"
                    ),
                )
                .into())
            }
        };
        let id = match self.new_record_id(id, Kind::Wish, &grid, household, now)? {
            NewId::Use(id) => id,
            NewId::AlreadySaved(id) => {
                let place = Target {
                    household,
                    reporter: Some(self.user().id.clone()),
                    ..Target::grid(grid)
                };
                check(self.user(), Kind::Wish, Action::Create, &place)?;
                return Ok(Created {
                    id,
                    already_saved: true,
                });
            }
        };
        let author = self.user().author();
        let w = Wish {
            id,
            grid: grid.clone(),
            household,
            title: new.title.trim().to_owned(),
            category: parse_wish_category(&new.category)?,
            value_yuan: new.value_yuan,
            description: new.description.trim().to_owned(),
            poster: author.user.clone(),
            posted_at: now,
            events: vec![WishEvent {
                id: new_id(now),
                at: now,
                author,
                actor: self.identity.actor_hex(),
                step: WishStep::Post,
            }],
        };
        w.validate()?;
        check(self.user(), Kind::Wish, Action::Create, &target(&w))?;
        let mut doc = self.new_doc();
        wish::create(&mut doc, &w)?;
        let id = w.id;
        self.store
            .save(&mut doc, &Record::Wish(w), Origin::Local, now)?;
        Ok(Created {
            id,
            already_saved: false,
        })
    }

    /// Requests a claim; in trial mode the device's own trial hub grants it.
    pub fn claim_wish(&mut self, id: &str, now: Instant) -> Result<WishState> {
        let state = self.wish_step(id, WishStep::RequestClaim, now)?;
        if self.identity.mode != "local" {
            return Ok(state);
        }
        let id = parse_id(id, "wish")?;
        let mut doc = self.load_kind(id, Kind::Wish, "心愿")?;
        let mut w = wish::read(&doc)?;
        let mine = state
            .pending
            .iter()
            .find(|(_, u)| u == &self.user().id)
            .map(|(e, _)| *e);
        let Some(claim) = mine else { return Ok(state) };
        let at = crate::next_at(w.events.iter().map(|e| e.at), now);
        let hub = gridline_model::Author {
            user: "hub".into(),
            role: Role::Hub,
            unit: String::new(),
        };
        let hub_actor = hex::decode(&self.identity.hub_actor)
            .map_err(|_| gridline_store::Error::Damaged("meta hub_actor".into()))?;
        doc.set_actor(ActorId::from(hub_actor));
        let e = WishEvent {
            id: new_id(at),
            at,
            author: hub,
            actor: self.identity.hub_actor.clone(),
            step: WishStep::Grant { claim },
        };
        wish::push_event(&mut doc, &e)?;
        doc.set_actor(ActorId::from(self.identity.actor.clone()));
        w.events.push(e);
        let state = w.state(Some(&self.identity.hub_actor));
        self.store
            .save(&mut doc, &Record::Wish(w), Origin::Local, now)?;
        Ok(state)
    }

    pub fn fulfil_wish(&mut self, id: &str, note: &str, now: Instant) -> Result<WishState> {
        self.wish_step(
            id,
            WishStep::Fulfil {
                note: note.trim().to_owned(),
            },
            now,
        )
    }

    pub fn confirm_wish(&mut self, id: &str, resident: &str, now: Instant) -> Result<WishState> {
        self.wish_step(
            id,
            WishStep::Confirm {
                resident: resident.trim().to_owned(),
            },
            now,
        )
    }

    /// Takes one of the user's wish steps ([`crate::app::wish_step`] builds it
    /// from a form): the same rules as the step's own method.
    pub fn act_on_wish(&mut self, id: &str, step: WishStep, now: Instant) -> Result<WishState> {
        match step {
            WishStep::RequestClaim => self.claim_wish(id, now),
            WishStep::Fulfil { note } => self.fulfil_wish(id, &note, now),
            WishStep::Confirm { resident } => self.confirm_wish(id, &resident, now),
            WishStep::WithdrawWish { reason } => self.withdraw_wish(id, false, &reason, now),
            WishStep::WithdrawClaim => self.withdraw_wish(id, true, "", now),
            WishStep::Post | WishStep::Grant { .. } | WishStep::RefuseClaim { .. } => {
                Err(Invalid::new(
                    "step",
                    text!(
                        "“{}”不是用户的操作",
                        "{} is not a step a user takes",
                        step.key()
                    ),
                    text!(
                        "可用：claim、withdraw-claim、fulfil、confirm、withdraw",
                        "use claim, withdraw-claim, fulfil, confirm or withdraw"
                    ),
                )
                .into())
            }
        }
    }

    /// Withdraws the wish (its poster or community staff) or, when `claim_only`,
    /// the user's own claim.
    pub fn withdraw_wish(
        &mut self,
        id: &str,
        claim_only: bool,
        reason: &str,
        now: Instant,
    ) -> Result<WishState> {
        let step = if claim_only {
            WishStep::WithdrawClaim
        } else {
            WishStep::WithdrawWish {
                reason: reason.trim().to_owned(),
            }
        };
        self.wish_step(id, step, now)
    }

    fn wish_step(&mut self, id: &str, step: WishStep, now: Instant) -> Result<WishState> {
        self.wish_step_with_photos(id, step, &[], now)
    }

    /// A wish fulfilled with photos of it done, saved with the step.
    pub fn fulfil_wish_with_photos(
        &mut self,
        id: &str,
        note: &str,
        photos: &[crate::Attach],
        now: Instant,
    ) -> Result<WishState> {
        let step = WishStep::Fulfil {
            note: note.trim().to_owned(),
        };
        self.wish_step_with_photos(id, step, photos, now)
    }

    fn wish_step_with_photos(
        &mut self,
        id: &str,
        step: WishStep,
        photos: &[crate::Attach],
        now: Instant,
    ) -> Result<WishState> {
        step.validate()?;
        let id = parse_id(id, "wish")?;
        let mut doc = self.load_kind(id, Kind::Wish, "心愿")?;
        let mut w = wish::read(&doc)?;
        check_wish_step(self.user(), &step, &target(&w))?;
        let hub = Some(self.identity.hub_actor.as_str());
        let at = crate::next_at(w.events.iter().map(|e| e.at), now);
        let e = WishEvent {
            id: new_id(at),
            at,
            author: self.user().author(),
            actor: self.identity.actor_hex(),
            step,
        };
        // Fold with the new event first: refuse before writing anything.
        let mut probe = w.events.clone();
        probe.push(e.clone());
        let state = WishState::fold(&probe, hub);
        if let Some(why) = state.refusal(e.id) {
            return Err(Error::StepRefused(why.to_owned()));
        }
        // After the fold's own rules, so a withdrawn wish still says withdrawn.
        if e.step == WishStep::RequestClaim {
            if let Some(why) = state.claim_refusal(&self.user().id) {
                return Err(Error::StepRefused(why));
            }
        }
        let held = gridline_records::photos::read(&doc)?;
        let refs = self.photo_refs(photos, gridline_model::PhotoStep::Fulfilment, &held, now)?;
        wish::push_event(&mut doc, &e)?;
        gridline_records::photos::add(&mut doc, &refs, now)?;
        w.events.push(e);
        self.store
            .save(&mut doc, &Record::Wish(w), Origin::Local, now)?;
        Ok(state)
    }

    pub fn wish(&self, id: &str) -> Result<WishView> {
        let id = parse_id(id, "wish")?;
        let doc = self.load_kind(id, Kind::Wish, "心愿")?;
        let w = wish::read(&doc)?;
        check(self.user(), Kind::Wish, Action::Read, &target(&w))?;
        Ok(WishView {
            state: w.state(Some(&self.identity.hub_actor)),
            sync_state: self.store.sync_state(id)?.unwrap_or(SyncState::Local),
            offered: self.offered_wish_steps(&w, now_for_probe(&w)),
            wish: w,
        })
    }

    /// The steps the rules and the fold would accept from this user now,
    /// found by folding each candidate step onto the wish's events.
    fn offered_wish_steps(&self, w: &Wish, at: Instant) -> Vec<&'static str> {
        let candidates = [
            WishStep::RequestClaim,
            WishStep::WithdrawClaim,
            WishStep::Fulfil { note: "x".into() },
            WishStep::Confirm {
                resident: "x".into(),
            },
            WishStep::WithdrawWish { reason: "x".into() },
        ];
        let hub = Some(self.identity.hub_actor.as_str());
        let now_state = WishState::fold(&w.events, hub);
        candidates
            .into_iter()
            .filter(|step| {
                if check_wish_step(self.user(), step, &target(w)).is_err() {
                    return false;
                }
                if *step == WishStep::RequestClaim
                    && now_state.claim_refusal(&self.user().id).is_some()
                {
                    return false;
                }
                let e = WishEvent {
                    id: RecordId::max(),
                    at,
                    author: self.user().author(),
                    actor: self.identity.actor_hex(),
                    step: step.clone(),
                };
                let mut probe = w.events.clone();
                probe.push(e.clone());
                WishState::fold(&probe, hub).refusal(e.id).is_none()
            })
            .map(|step| step.key())
            .collect()
    }

    /// The street's wish wall, filtered by state.
    pub fn wishes(
        &self,
        stage: Option<WishStage>,
        limit: Option<usize>,
    ) -> Result<Vec<WishSummary>> {
        let rows = self.store.wishes(stage.map(|s| s.key()), None, limit)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let w = views::wish(r)?;
            if check(
                self.user(),
                Kind::Wish,
                Action::Read,
                &Target::grid(w.grid.clone()),
            )
            .is_ok()
            {
                out.push(w);
            }
        }
        Ok(out)
    }
}

/// A probe event sorts after every event the wish already has.
fn now_for_probe(w: &Wish) -> Instant {
    let last = w.events.iter().map(|e| e.at).max().unwrap_or(w.posted_at);
    last.max(chrono::Utc::now()) + chrono::Duration::milliseconds(1)
}
