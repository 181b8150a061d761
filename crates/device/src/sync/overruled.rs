//! This user's workflow steps that a sync overruled: steps taken here that
//! the fold accepted before the sync and refuses after it, because another
//! device's step (stamped earlier) came in; and claims the hub gave to
//! someone else.

use gridline_model::permission::Kind;
use gridline_model::wish::WishStep;
use gridline_model::Text;
use gridline_records::Record;

/// One of this user's steps that is void after a sync.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overruled {
    /// The issue or wish.
    pub id: String,
    pub kind: Kind,
    /// The step's machine name (`accept`, `claim`, …, as in the document).
    pub step: &'static str,
    /// The step's Chinese name (受理, 认领, …).
    pub step_zh: &'static str,
    /// The step's own event id.
    pub event: String,
    pub why: Overruling,
}

/// Why a step is void.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overruling {
    /// The fold refuses it now, with this reason (as the record shows it).
    Refused(Text),
    /// The hub granted the wish to an earlier claim, and refused this one.
    ClaimGivenToAnother,
}

impl Overruling {
    /// Why the step is void, as the user reads it.
    pub fn text(&self) -> Text {
        match self {
            Overruling::Refused(why) => why.clone(),
            Overruling::ClaimGivenToAnother => gridline_model::text!(
                "枢纽已把心愿给了更早的认领",
                "the hub gave the wish to an earlier claim"
            ),
        }
    }
}

/// Steps by `user` in `before` (the device's copy before a sync) that are
/// void in `after` (the same record merged with the hub's) but were not
/// before. `hub_actor` is the actor whose wish grants count.
pub(crate) fn overruled(
    before: &Record,
    after: &Record,
    user: &str,
    hub_actor: &str,
) -> Vec<Overruled> {
    let mut out = Vec::new();
    match (before, after) {
        (Record::Issue(b), Record::Issue(a)) => {
            // The default deadlines will do: no issue step is refused for a deadline.
            let (was, now) = (b.state(), a.state());
            for e in &b.events {
                if e.author.user != user || was.refusal(e.id).is_some() {
                    continue;
                }
                if let Some(why) = now.refusal(e.id) {
                    out.push(Overruled {
                        id: a.id.to_string(),
                        kind: Kind::Issue,
                        step: e.step.key(),
                        step_zh: e.step.zh(),
                        event: e.id.to_string(),
                        why: Overruling::Refused(why.clone()),
                    });
                }
            }
        }
        (Record::Wish(b), Record::Wish(a)) => {
            let (was, now) = (b.state(Some(hub_actor)), a.state(Some(hub_actor)));
            for e in &b.events {
                if e.author.user != user || was.refusal(e.id).is_some() {
                    continue;
                }
                let why = if let Some(why) = now.refusal(e.id) {
                    Overruling::Refused(why.clone())
                } else if e.step == WishStep::RequestClaim
                    && refused_claim(a, &now, e.id)
                    && !refused_claim(b, &was, e.id)
                {
                    Overruling::ClaimGivenToAnother
                } else {
                    continue;
                };
                out.push(Overruled {
                    id: a.id.to_string(),
                    kind: Kind::Wish,
                    step: e.step.key(),
                    step_zh: e.step.zh(),
                    event: e.id.to_string(),
                    why,
                });
            }
        }
        _ => {}
    }
    out
}

/// Whether the fold of `wish` holds the hub's (accepted) refusal of `claim`.
fn refused_claim(
    wish: &gridline_model::Wish,
    state: &gridline_model::wish::WishState,
    claim: gridline_model::RecordId,
) -> bool {
    wish.events
        .iter()
        .any(|e| e.step == WishStep::RefuseClaim { claim } && state.refusal(e.id).is_none())
}
