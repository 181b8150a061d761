//! Checking one pushed entry: permission from the row first, then the payload.

use automerge::AutoCommit;
use gridline_model::permission::{Kind, Target};
use gridline_model::{GridId, RecordId};
use gridline_records::Record;
use gridline_sync::check::{check_payload, visible, Binding, Checked, Parent, Payload, Stored};
use gridline_sync::scope::Standing;
use gridline_sync::Refusal;
use rusqlite::Transaction;

use super::place::{moved_from_of, stored_place, Held};
use crate::{Hub, Result};

/// Where a pushed document stood on the hub before the push, for moves.
pub(crate) struct Before {
    pub grid: GridId,
    pub household: Option<RecordId>,
    /// A wish's standing (open, claimant): a change of it is a move too.
    pub standing: Standing,
}

/// A push checked but not yet applied.
pub(crate) struct Pending {
    pub hub_doc: Option<AutoCommit>,
    pub before: Option<Before>,
    pub result: std::result::Result<Checked, Refusal>,
    /// The hub holds this id, but the device may not read it: the push was
    /// judged as if the id were unknown (and is audited as a probe, with the
    /// kind it holds).
    pub hidden: Option<&'static str>,
}

impl Hub {
    /// The push checks on `payload` for `binding` (`seen`: the highest cursor
    /// the device has sent, for moves; `reveal`: an admin asks, who may know
    /// what the hub holds). The one path every device change
    /// takes: sync, and an admin's import.
    ///
    /// Permission comes first: the stored document's kind and place are read
    /// from its row, and only a document the device may read is loaded. Any
    /// other is judged exactly as an unknown id, so nothing in the answer
    /// (acknowledgement, heads, sync message, refusal) says it exists.
    pub(crate) fn check_one(
        &self,
        tx: &Transaction<'_>,
        binding: &Binding,
        p: &str,
        payload: Payload<'_>,
        seen: i64,
        reveal: bool,
    ) -> Result<Pending> {
        let hub_hex = self.actor_hex();
        let user = &binding.user;
        let (hub_doc, moved_from, hidden) = match stored_place(tx, p)? {
            // The same queries as for a held id, so neither takes longer.
            Held::Nothing => {
                moved_from_of(tx, p, seen)?;
                (None, None, None)
            }
            Held::Unreadable => (None, None, Some("unknown")),
            Held::At(place) => {
                let moved_from = moved_from_of(tx, p, seen)?;
                if visible(user, &place, moved_from.as_ref()) {
                    let bytes: Vec<u8> = tx
                        .prepare_cached("SELECT bytes FROM documents WHERE id = ?1")?
                        .query_row([p], |r| r.get(0))?;
                    (Some(AutoCommit::load(&bytes)?), moved_from, None)
                } else {
                    (None, None, Some(place.kind.key()))
                }
            }
        };
        let before = hub_doc
            .as_ref()
            .and_then(|d| Record::read(d).ok())
            .map(|r| Before {
                standing: Standing::of(&r, &hub_hex),
                grid: r.grid().clone(),
                household: r.target().household,
            });
        let stored = match (&hub_doc, hidden) {
            (Some(doc), _) => Stored::Visible {
                doc,
                moved_from: moved_from.as_ref(),
            },
            (None, Some(_)) => Stored::Hidden,
            (None, None) => Stored::Absent,
        };
        // A household's private part is created only for a household the hub
        // holds and the device may edit (where it is, or was when the device
        // heard); a case's private part only beside a case the hub holds and
        // the device may read, at the case's place.
        let parent_place = |parent: uuid::Uuid| -> Option<Parent> {
            let key = parent.to_string();
            let Ok(Held::At(place)) = stored_place(tx, &key) else {
                return None;
            };
            let may = |kind, action, t: &Target| {
                gridline_model::permission::check(user, kind, action, t).is_ok()
            };
            use gridline_model::permission::Action;
            match place.kind {
                Kind::Household => {
                    let writable = may(Kind::Household, Action::Edit, &place.target)
                        || moved_from_of(tx, &key, seen)
                            .ok()
                            .flatten()
                            .is_some_and(|t| may(Kind::Household, Action::Edit, &t));
                    (writable || may(Kind::Household, Action::Read, &place.target)).then_some(
                        Parent {
                            target: place.target,
                            writable,
                        },
                    )
                }
                Kind::Mediation => {
                    may(Kind::Mediation, Action::Read, &place.target).then(|| Parent {
                        writable: may(Kind::Mediation, Action::Step, &place.target),
                        target: place.target,
                    })
                }
                _ => None,
            }
        };
        // An admin importing a revoked device's changes sees everything:
        // a hidden document is plainly out of the device's scope.
        let result = if reveal && hidden.is_some() {
            Err(gridline_sync::check::not_permitted(p))
        } else {
            check_payload(binding, p, stored, &self.actor, payload, &parent_place)
        };
        Ok(Pending {
            hub_doc,
            before,
            result,
            hidden,
        })
    }
}
