//! What the device's side of sync needs from storage, and the SQLite store
//! as that storage. Unit tests use an in-memory fake instead.

use gridline_model::{Instant, RecordId, StreetLimits, Text};
use gridline_records::Record;
use gridline_store::{Origin, Refusal, Reveal, Saved, Store, Unsent};

use crate::Result;

/// The documents and the few sync values (`meta`) that a sync reads and
/// writes. Each writing method is one durable commit: a crash between two
/// calls leaves the first done and the second not, which the protocol
/// tolerates (a repeated page, a repeated push), but never half of one.
pub trait Replica {
    /// A document's saved bytes, if held here.
    fn load(&self, id: RecordId) -> Result<Option<Vec<u8>>>;
    /// Up to `limit` documents with changes the hub has not acknowledged.
    fn unsent(&self, limit: usize) -> Result<Vec<Unsent>>;
    /// Whether the hub holds this document exactly as held here (`None`:
    /// not held here).
    fn fully_acknowledged(&self, id: RecordId) -> Result<Option<bool>>;
    fn meta(&self, key: &str) -> Result<Option<String>>;
    fn set_meta(&mut self, pairs: &[(&str, &str)]) -> Result<()>;
    /// The hub holds these heads of these documents.
    fn acknowledge(&mut self, acks: &[(RecordId, String)]) -> Result<()>;
    /// Forget what the hub acknowledged: the next push is the whole document.
    fn forget_ack(&mut self, id: RecordId) -> Result<()>;
    /// Received documents, already merged with what is held here.
    fn save_received(&mut self, docs: Vec<(Saved, Record)>, now: Instant) -> Result<()>;
    /// [`Replica::save_received`] without waiting for the disk: for a part
    /// of a page the hub still holds, which the page's last commit flushes.
    /// A crash before then loses these documents and not the cursor, so
    /// the page comes again; the store is never corrupted.
    fn save_received_unflushed(&mut self, docs: Vec<(Saved, Record)>, now: Instant) -> Result<()> {
        self.save_received(docs, now)
    }
    /// Keeps refused records as read-only copies, returns each to the hub's
    /// version (or none) and writes `meta` (the fresh actor), all at once.
    fn take_refusals(
        &mut self,
        refusals: &[Refusal<'_>],
        meta: &[(&str, &str)],
        now: Instant,
    ) -> Result<()>;
    /// Removes a document that left this device's scope.
    fn remove(&mut self, id: RecordId) -> Result<()>;
    /// The street's time limits held here (the defaults until the hub sends any).
    fn street_limits(&self) -> Result<StreetLimits>;
    /// Holds the limits the hub sent, and re-projects what they decide, at once.
    fn set_street_limits(&mut self, limits: &StreetLimits) -> Result<()>;
    /// Up to `limit` reveals of ID numbers the hub has neither acknowledged
    /// nor refused, oldest first.
    fn unsent_reveals(&self, limit: usize) -> Result<Vec<Reveal>>;
    /// The hub holds the `acked` reveals and refused the others, at once.
    fn settle_reveals(&mut self, acked: &[String], refused: &[(String, Text)]) -> Result<()>;
}

impl Replica for Store {
    fn load(&self, id: RecordId) -> Result<Option<Vec<u8>>> {
        Ok(Store::load(self, id)?.map(|(_, bytes)| bytes))
    }

    fn unsent(&self, limit: usize) -> Result<Vec<Unsent>> {
        Ok(Store::unsent(self, limit)?)
    }

    fn fully_acknowledged(&self, id: RecordId) -> Result<Option<bool>> {
        Ok(Store::fully_acknowledged(self, id)?)
    }

    fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(Store::meta(self, key)?)
    }

    fn set_meta(&mut self, pairs: &[(&str, &str)]) -> Result<()> {
        Ok(self.set_metas(pairs)?)
    }

    fn acknowledge(&mut self, acks: &[(RecordId, String)]) -> Result<()> {
        Ok(self.acknowledge_all(acks)?)
    }

    fn forget_ack(&mut self, id: RecordId) -> Result<()> {
        Ok(Store::forget_ack(self, id)?)
    }

    fn save_received(&mut self, docs: Vec<(Saved, Record)>, now: Instant) -> Result<()> {
        let (saved, records): (Vec<Saved>, Vec<Record>) = docs.into_iter().unzip();
        self.save_batch(saved.into_iter().zip(&records), Origin::Remote, now)?;
        Ok(())
    }

    fn save_received_unflushed(&mut self, docs: Vec<(Saved, Record)>, now: Instant) -> Result<()> {
        let (saved, records): (Vec<Saved>, Vec<Record>) = docs.into_iter().unzip();
        self.save_batch_unflushed(saved.into_iter().zip(&records), Origin::Remote, now)?;
        Ok(())
    }

    fn take_refusals(
        &mut self,
        refusals: &[Refusal<'_>],
        meta: &[(&str, &str)],
        now: Instant,
    ) -> Result<()> {
        Ok(Store::take_refusals(self, refusals, meta, now)?)
    }

    fn remove(&mut self, id: RecordId) -> Result<()> {
        Ok(Store::remove(self, id)?)
    }

    fn street_limits(&self) -> Result<StreetLimits> {
        Ok(Store::street_limits(self)?)
    }

    fn set_street_limits(&mut self, limits: &StreetLimits) -> Result<()> {
        Store::set_street_limits(self, limits)?;
        Ok(())
    }

    fn unsent_reveals(&self, limit: usize) -> Result<Vec<Reveal>> {
        Ok(Store::unsent_reveals(self, limit)?)
    }

    fn settle_reveals(&mut self, acked: &[String], refused: &[(String, Text)]) -> Result<()> {
        Ok(Store::settle_reveals(self, acked, refused)?)
    }
}
