//! One sync round trip on the hub: authenticate, apply pushes, serve the page.
//!
//! [`Hub::sync`] is the whole of it; each step is a file here, in the order
//! a request meets them: [`in_flight`] (one request per device), then
//! [`pushes`], the write step in one transaction ([`binding`] authenticates,
//! [`throttle`] holds back a device refused too often and audits each
//! refusal, [`actor`] binds a fresh actor, then each entry goes through
//! [`check_one`] and [`apply`], which [`claims`] completes for wishes, and [`reveals`] audits the
//! device's reveals of ID numbers), then
//! [`page`], the read step, with its [`removals`], and the street's
//! [`directory`] of people when the device's copy is stale. [`place`] reads a
//! document's place from its row for both; [`counter`] is the counter's one
//! read and one write.

mod actor;
mod apply;
mod binding;
mod check_one;
mod claims;
mod counter;
mod directory;
mod in_flight;
mod page;
mod place;
mod pushes;
mod removals;
mod reveals;
mod throttle;

use gridline_model::Instant;
use gridline_sync::{SyncRequest, SyncResponse, PROTOCOL_VERSION};

use crate::{Hub, Result};

pub(crate) use apply::{write_doc, Who};
pub(crate) use check_one::Pending;
pub(crate) use counter::{read_counter, write_counter};
pub(crate) use in_flight::Slot;
pub(crate) use place::{row_sent, row_target};
pub(crate) use reveals::RevealTaken;
pub use throttle::{PROBE_LIMIT, PROBE_WINDOW_MINUTES};

impl Hub {
    /// The street's people directory as a device would be sent it now.
    pub fn people_directory(&self) -> Result<gridline_sync::Directory> {
        directory::read(&self.reader())
    }

    /// One round trip. Pushed changes are durable before they are acknowledged.
    ///
    /// Two bounded steps, each holding one lock: [`Hub::take_pushes`] on the
    /// write connection (authenticate, register an actor, check and apply
    /// pushes within the request's budget, commit), then [`Hub::serve_page`]
    /// on the read connection (the page, copies, removals). A device has one
    /// request in flight at a time.
    pub fn sync(&self, token: &str, req: &SyncRequest, now: Instant) -> Result<SyncResponse> {
        req.check_budget()?;
        let _in_flight = self.in_flight(&crate::hash(token))?;
        let (taken, user) = self.take_pushes(token, req, now)?;
        let page = self.serve_page(&user, req, &taken)?;
        let limits = self.street_limits()?;
        let reveal_counts = self.reveal_counts(&user, now)?;
        let wipe = self.wipe_requested(token)?;
        let directory = directory::for_request(&self.reader(), req.directory.as_deref())?;
        let more = page.more || !taken.deferred.is_empty();
        Ok(SyncResponse {
            v: PROTOCOL_VERSION,
            acks: taken.acks,
            refusals: taken.refusals,
            docs: page.docs,
            removals: page.removals,
            cursor: page.cursor,
            more,
            total: page.total,
            hub_actor: self.actor_hex(),
            sync: taken.sync_out,
            deferred: taken.deferred,
            limits: Some(limits),
            reveal_acks: taken.reveals.acks,
            reveal_refusals: taken.reveals.refusals,
            reveal_counts,
            wipe,
            directory,
        })
    }
}
