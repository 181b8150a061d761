//! The hub settles a wish's claim requests: the first one it holds wins.

use automerge::AutoCommit;
use gridline_model::wish::{WishStage, WishState};
use gridline_model::{Instant, Role, WishEvent, WishStep};

use crate::{Hub, Result};

/// One of the hub's own steps on a wish's claims, for the audit.
pub(super) struct SettledClaim {
    /// [`crate::audit::action::CLAIM_GRANT`] or [`crate::audit::action::CLAIM_REFUSE`].
    pub action: &'static str,
    pub claim: String,
}

/// A wish with the hub's steps on its pending claims added.
pub(super) struct Settlement {
    pub wish: gridline_model::Wish,
    pub claims: Vec<SettledClaim>,
}

impl Hub {
    /// The hub grants the first claim request it holds for a posted wish,
    /// from anyone but its poster, and refuses the others; both devices learn
    /// the outcome on their next sync.
    pub(super) fn settle_claims(
        &self,
        doc: &mut AutoCommit,
        w: &gridline_model::Wish,
        now: Instant,
    ) -> Result<Option<Settlement>> {
        let hub = self.actor_hex();
        let state = WishState::fold(&w.events, Some(&hub));
        if state.pending.is_empty() {
            return Ok(None);
        }
        let mut w = w.clone();
        let mut at = w.events.iter().map(|e| e.at).max().unwrap_or(now).max(now);
        let author = gridline_model::Author {
            user: "hub".into(),
            role: Role::Hub,
            unit: String::new(),
        };
        let mut settled = Vec::new();
        let mut granted = state.stage != Some(WishStage::Posted);
        for (claim, who) in &state.pending {
            at += chrono::Duration::milliseconds(1);
            // A poster's own claim (from a device older than the rule, or
            // forged) is refused in the open, so every device shows it refused
            // instead of waiting forever, and the next claim in line wins.
            let grant = !granted && state.claim_refusal(who).is_none();
            let step = if grant {
                granted = true;
                settled.push(SettledClaim {
                    action: crate::audit::action::CLAIM_GRANT,
                    claim: claim.to_string(),
                });
                WishStep::Grant { claim: *claim }
            } else {
                settled.push(SettledClaim {
                    action: crate::audit::action::CLAIM_REFUSE,
                    claim: claim.to_string(),
                });
                WishStep::RefuseClaim { claim: *claim }
            };
            let e = WishEvent {
                id: uuid::Uuid::new_v4(),
                at,
                author: author.clone(),
                actor: hub.clone(),
                step,
            };
            gridline_records::wish::push_event(doc, &e)?;
            w.events.push(e);
        }
        Ok(Some(Settlement {
            wish: w,
            claims: settled,
        }))
    }
}
