//! The device's side of the protocol without IO: from what storage holds it
//! builds the next request; from the hub's reply it works out what to store,
//! and stores it through [`Replica`]. [`Session`] strings the round trips of
//! one sync together. The HTTP client only carries the bytes.

use automerge::ChangeHash;
use gridline_model::permission::{self, Action};
use gridline_model::{text, Instant, RecordId, Text, User};
use gridline_records::Record;
use gridline_store::{Refusal, Saved};
use gridline_sync::{
    DocSync, PullDoc, PushDoc, RefusalCode, RevealEntry, SyncRequest, SyncResponse, DEFAULT_PAGE,
    MAX_PUSH_ENTRIES, PROTOCOL_VERSION,
};

use super::overruled::overruled;
use super::{Batch, Progress, Replica, SyncReport, PUSH_BATCH, PUSH_BYTES};
use crate::{Error, Identity, Result};

/// Round trips one sync may take: a street is ~600,000 documents, 2,000 a page.
pub const MAX_ROUNDS: usize = 10_000;

/// Why a document was not sent: its changes alone pass the hub's limit.
const OVERSIZED: (&str, &str) = (
    "此记录的改动超过 1 MiB，无法同步；请导出后交管理员处理",
    "this record's changes pass 1 MiB and cannot be synced; export it and give it to the hub admin",
);

/// One sync, from the first request until nothing is left to push or pull.
///
/// Ask [`Session::next_request`] for a request, send it, and hand the reply
/// to [`Session::receive`]; repeat until `next_request` says `None`.
#[derive(Debug, Default)]
pub struct Session {
    report: SyncReport,
    rounds: usize,
    pushed_all: bool,
    received: u64,
    total: Option<u64>,
    done: bool,
    /// Documents to send in the next request; `None`: the hub's limit. A
    /// hub out of time for a request defers the rest, which then travel
    /// again: so after a deferral the next request holds little more than
    /// the hub took, and the size grows back while nothing is deferred.
    push_limit: Option<usize>,
    /// When the first reply was stored and the documents it brought: the
    /// pace after it gives the time left.
    started: Option<(Instant, u64)>,
}

impl Session {
    pub fn new() -> Session {
        Session::default()
    }

    /// The next request, or `None` when the sync is complete.
    pub fn next_request(
        &mut self,
        replica: &impl Replica,
        me: &Identity,
    ) -> Result<Option<SyncRequest>> {
        if self.done {
            return Ok(None);
        }
        let (req, batch) = request_within(
            replica,
            me,
            self.rounds == 0,
            gridline_sync::MAX_ENTRY_BYTES,
            PUSH_BYTES,
            self.push_limit.unwrap_or(PUSH_BATCH),
        )?;
        self.pushed_all = batch.complete;
        for id in batch.oversized {
            if !self.report.skipped.iter().any(|(i, _)| *i == id) {
                self.report
                    .skipped
                    .push((id, Text::new(OVERSIZED.0, OVERSIZED.1)));
            }
        }
        Ok(Some(req))
    }

    /// The request after `resp`, when it is known before `resp` is applied:
    /// the next page of a plain pull (nothing pushed, nothing refused, no
    /// actor to announce). A transport may send it at once and apply `resp`
    /// while the hub prepares it; pages are read-only on the hub, so asking
    /// early is harmless if applying fails. Send it in place of
    /// [`Session::next_request`].
    pub fn ahead(req: &SyncRequest, resp: &SyncResponse) -> Option<SyncRequest> {
        let plain = req.push.is_empty()
            && req.sync.is_empty()
            && req.reveals.is_empty()
            && req.new_actor.is_none()
            && resp.refusals.is_empty();
        (resp.more && plain).then(|| SyncRequest {
            cursor: resp.cursor,
            want_total: false,
            // The directory this reply brings is the one held by then.
            directory: match &resp.directory {
                Some(d) => Some(d.version.clone()),
                None => req.directory.clone(),
            },
            ..req.clone()
        })
    }

    /// Applies the hub's reply to `req` (`sent` and `received` are the
    /// encoded sizes, for the report) and says how far the pull has come.
    #[allow(clippy::too_many_arguments)]
    pub fn receive(
        &mut self,
        replica: &mut impl Replica,
        me: &mut Identity,
        req: &SyncRequest,
        resp: SyncResponse,
        sent: usize,
        received: usize,
        now: Instant,
    ) -> Result<Progress> {
        let mut page = Received::decode(resp, &me.actor, &me.user, sent, received);
        loop {
            if let Some(p) = self.store_part(replica, me, req, &mut page, now, usize::MAX)? {
                return Ok(p);
            }
        }
    }

    /// Stores the next part of a decoded reply to `req`: first what is not
    /// a document (limits, directory, acknowledgements, refusals, reveals)
    /// with up to `max_docs` documents, then up to `max_docs` documents a
    /// call, then the removals and the cursor with the last ones. `Some`
    /// with the progress once the whole reply is stored.
    ///
    /// Between two calls the replica is free for anything else (the app's
    /// commands, a user's save): each call is its own commits, and the
    /// cursor moves only with the last, so an interruption repeats the page.
    /// Parts before the last commit without waiting for the disk (received
    /// documents the hub still holds); the last commit flushes them all.
    pub fn store_part(
        &mut self,
        replica: &mut impl Replica,
        me: &mut Identity,
        req: &SyncRequest,
        page: &mut Received,
        now: Instant,
        max_docs: usize,
    ) -> Result<Option<Progress>> {
        let max_docs = max_docs.max(1);
        if page.replaced.is_none() {
            self.count(req, &page.resp, page.sent, page.len);
            page.replaced = Some(apply_head(
                replica,
                me,
                req,
                &page.resp,
                now,
                &mut self.report,
            )?);
        }
        let replaced = page.replaced.as_deref().unwrap_or_default();
        let start = page.next;
        let end = start.saturating_add(max_docs).min(page.decoded.len());
        let last = end == page.decoded.len();
        apply_docs(
            replica,
            me,
            &page.resp.docs[start..end],
            &mut page.decoded[start..end],
            replaced,
            !last,
            now,
            &mut self.report,
        )?;
        page.next = end;
        if !last {
            return Ok(None);
        }
        apply_tail(replica, req, &page.resp, &mut self.report)?;
        self.done = !page.resp.more && self.pushed_all && !has_more_to_say(replica)?;
        if !self.done && self.rounds >= MAX_ROUNDS {
            return Err(Error::HubRefused(text!(
                "同步未完成：往返次数超过上限；请再次同步",
                "sync did not finish within its round-trip bound; sync again"
            )));
        }
        let received = self.received;
        self.started.get_or_insert((now, received));
        Ok(Some(self.progress(now)))
    }

    /// The accounting of one reply, before any of it is stored.
    fn count(&mut self, req: &SyncRequest, resp: &SyncResponse, sent: usize, received: usize) {
        self.rounds += 1;
        self.report.round_trips += 1;
        let offered = req.push.len() + req.sync.len();
        if !resp.deferred.is_empty() {
            let taken = offered.saturating_sub(resp.deferred.len()).max(1);
            self.push_limit = Some((taken + taken / 4).clamp(1, PUSH_BATCH));
        } else if offered > 0 {
            self.push_limit = self
                .push_limit
                .map(|l| (l * 2).min(PUSH_BATCH))
                .filter(|l| *l < PUSH_BATCH);
        }
        self.report.bytes_sent += sent;
        self.report.bytes_received += received;
        if let Some(t) = resp.total {
            self.total = Some(t);
        }
        self.received += resp.docs.len() as u64;
    }

    /// How far the pull has come, and, once a page is in and the total
    /// known, the seconds left at the pace so far.
    fn progress(&self, now: Instant) -> Progress {
        let seconds_left = match (self.total, self.started) {
            (Some(total), _) if total <= self.received => Some(0),
            (Some(total), Some((start, before))) if self.received > before => {
                let spent = (now - start).num_milliseconds().max(0) as u128;
                let left = u128::from(total - self.received);
                let done = u128::from(self.received - before);
                Some((spent * left / done).div_ceil(1000) as u64)
            }
            _ => None,
        };
        Progress {
            received: self.received,
            total: self.total,
            seconds_left,
        }
    }

    pub fn is_done(&self) -> bool {
        self.done
    }

    pub fn report(&self) -> &SyncReport {
        &self.report
    }

    pub fn into_report(self) -> SyncReport {
        self.report
    }
}

fn parse_heads(hex: &str) -> Vec<ChangeHash> {
    hex.split(',').filter_map(|h| h.parse().ok()).collect()
}

fn split_heads(hex: &str) -> Vec<String> {
    hex.split(',')
        .filter(|h| !h.is_empty())
        .map(str::to_owned)
        .collect()
}

pub(crate) fn cursor(replica: &impl Replica) -> Result<u64> {
    Ok(replica
        .meta("sync_cursor")?
        .and_then(|c| c.parse().ok())
        .unwrap_or(0))
}

/// The hub's Automerge sync messages waiting for an answer (after a
/// `missing_deps` refusal): document id and message, in `meta.am_sync` as
/// `id:hex` pairs separated by commas.
fn waiting_sync(replica: &impl Replica) -> Result<Vec<(String, Vec<u8>)>> {
    Ok(replica
        .meta("am_sync")?
        .unwrap_or_default()
        .split(',')
        .filter_map(|pair| {
            let (id, msg) = pair.split_once(':')?;
            Some((id.to_owned(), hex::decode(msg).ok()?))
        })
        .collect())
}

fn set_waiting_sync(replica: &mut impl Replica, waiting: &[(String, Vec<u8>)]) -> Result<()> {
    let text: Vec<String> = waiting
        .iter()
        .map(|(id, msg)| format!("{id}:{}", hex::encode(msg)))
        .collect();
    replica.set_meta(&[("am_sync", &text.join(","))])
}

/// Whether the device has something to tell the hub beyond its unsent
/// changes: a fresh actor to announce, or sync messages to answer. A sync
/// goes on while it has.
pub fn has_more_to_say(replica: &impl Replica) -> Result<bool> {
    Ok(!replica.meta("new_actor")?.unwrap_or_default().is_empty()
        || !replica.meta("am_sync")?.unwrap_or_default().is_empty())
}

/// Answers the hub's sync message about one document: the changes the hub
/// lacks, found from its heads and bloom filter (Automerge's own sync
/// protocol, one exchange from a fresh state on each side).
fn answer_sync(
    replica: &impl Replica,
    actor: &[u8],
    id: &str,
    hub_msg: &[u8],
) -> Result<Option<DocSync>> {
    let Ok(rid) = RecordId::parse_str(id) else {
        return Ok(None);
    };
    let Some(bytes) = replica.load(rid)? else {
        return Ok(None);
    };
    let mut doc = gridline_records::load(&bytes, actor)?;
    let heads = gridline_records::heads_hex(&mut doc);
    let Ok(msg) = automerge::sync::Message::decode(hub_msg) else {
        return Ok(None);
    };
    let answer = answer_for(&mut doc, msg)?;
    Ok(answer.map(|m| DocSync {
        id: id.to_owned(),
        msg: m.encode(),
        heads: split_heads(&heads),
    }))
}

/// The next request: answers to the hub's sync messages and unsent changes,
/// within the limits given, and the cursor. A document whose changes pass
/// `max_entry` bytes is left out and named; the batch stops before
/// `max_bytes` of changes (but always holds one document).
pub fn request(
    replica: &impl Replica,
    me: &Identity,
    want_total: bool,
    max_entry: usize,
    max_bytes: usize,
) -> Result<(SyncRequest, Batch)> {
    request_within(replica, me, want_total, max_entry, max_bytes, PUSH_BATCH)
}

/// [`request`] holding at most `max_docs` documents (at most the hub's
/// [`PUSH_BATCH`]).
pub fn request_within(
    replica: &impl Replica,
    me: &Identity,
    want_total: bool,
    max_entry: usize,
    max_bytes: usize,
    max_docs: usize,
) -> Result<(SyncRequest, Batch)> {
    let max_docs = max_docs.clamp(1, PUSH_BATCH);
    if me.mode != "enrolled" {
        return Err(Error::NotEnrolled);
    }
    let mut batch = Batch {
        complete: true,
        oversized: Vec::new(),
    };
    // Answers to the hub's sync messages first, within the same limits: one
    // too large is left out, and its document goes as a whole push below
    // (where an oversized one is named), so no request is ever 413.
    let mut sync = Vec::new();
    let mut bytes = 0usize;
    for (id, msg) in waiting_sync(replica)? {
        let Some(answer) = answer_sync(replica, &me.actor, &id, &msg)? else {
            continue;
        };
        if answer.msg.len() > max_entry {
            continue;
        }
        if sync.len() == max_docs || (!sync.is_empty() && bytes + answer.msg.len() > max_bytes) {
            batch.complete = false;
            break;
        }
        bytes += answer.msg.len();
        sync.push(answer);
    }
    let mut push = Vec::new();
    // One more than fits: whether anything is left after this request is
    // then known without another round trip. Documents that cannot go in a
    // push (too large, or travelling in a sync message) take no room, so
    // when they ate the fetch with room left, look further down the list.
    let mut want = max_docs + 1;
    let mut seen = 0usize;
    'fetch: loop {
        let unsent = replica.unsent(want)?;
        let fetched = unsent.len();
        for u in unsent.into_iter().skip(seen) {
            if sync.len() + push.len() == max_docs {
                batch.complete = false;
                break 'fetch;
            }
            if sync.iter().any(|m| m.id == u.id.to_string()) {
                continue; // its changes travel in the sync message
            }
            let mut doc = gridline_records::load(&u.bytes, &me.actor)?;
            let changes = if u.acked_heads.is_empty() {
                doc.save()
            } else {
                doc.save_after(&parse_heads(&u.acked_heads))
            };
            if changes.len() > max_entry {
                batch.oversized.push(u.id.to_string());
                continue;
            }
            if !push.is_empty() && bytes + changes.len() > max_bytes {
                batch.complete = false;
                break 'fetch;
            }
            bytes += changes.len();
            push.push(PushDoc {
                id: u.id.to_string(),
                changes,
                heads: split_heads(&u.heads),
            });
        }
        if fetched < want {
            break; // the whole unsent list was seen
        }
        seen = fetched;
        want = want.saturating_mul(2);
    }
    // Reveals of ID numbers not yet acknowledged travel with every request
    // (the hub audits each once, however often it arrives); one more than
    // fits tells whether some are left for the next.
    let mut reveals: Vec<RevealEntry> = replica
        .unsent_reveals(MAX_PUSH_ENTRIES + 1)?
        .into_iter()
        .map(crate::reveal::wire_entry)
        .collect();
    if reveals.len() > MAX_PUSH_ENTRIES {
        reveals.truncate(MAX_PUSH_ENTRIES);
        batch.complete = false;
    }
    let req = SyncRequest {
        v: PROTOCOL_VERSION,
        cursor: cursor(replica)?,
        page: DEFAULT_PAGE,
        want_total,
        new_actor: replica.meta("new_actor")?.filter(|a| !a.is_empty()),
        am_sync: !push.is_empty() || !sync.is_empty(),
        push,
        sync,
        reveals,
        // Empty until a directory is held: the hub sends it at once.
        directory: Some(
            replica
                .meta(crate::people::VERSION_KEY)?
                .unwrap_or_default(),
        ),
    };
    Ok((req, batch))
}

/// Applies the hub's reply to `req`: the street's limits, acknowledgements,
/// refusals, received documents, removals and the cursor, in that order, so the cursor moves
/// only once the page it covers is stored.
pub fn apply(
    replica: &mut impl Replica,
    me: &mut Identity,
    req: &SyncRequest,
    resp: SyncResponse,
    now: Instant,
    report: &mut SyncReport,
) -> Result<()> {
    let mut page = Received::decode(resp, &me.actor, &me.user, 0, 0);
    let replaced = apply_head(replica, me, req, &page.resp, now, report)?;
    let docs = &page.resp.docs;
    apply_docs(
        replica,
        me,
        docs,
        &mut page.decoded,
        &replaced,
        false,
        now,
        report,
    )?;
    apply_tail(replica, req, &page.resp, report)
}

/// A reply of the hub with its documents decoded (on every core, with no
/// replica needed) and not yet stored: see [`Session::store_part`].
pub struct Received {
    resp: SyncResponse,
    /// One per document of `resp`, taken as it is stored.
    decoded: Vec<Option<Result<Decoded>>>,
    /// The first document not stored yet.
    next: usize,
    /// Refused ids whose documents the refusal took as they are; `None`
    /// until the part before the documents is stored.
    replaced: Option<Vec<String>>,
    sent: usize,
    len: usize,
}

impl Received {
    /// Decodes `resp`'s documents as this device (`actor`, `user`) reads
    /// them; `sent` and `len` are the encoded sizes, for the report.
    pub fn decode(
        resp: SyncResponse,
        actor: &[u8],
        user: &User,
        sent: usize,
        len: usize,
    ) -> Received {
        let docs: Vec<&PullDoc> = resp.docs.iter().collect();
        let decoded = decode_all(&docs, actor, user)
            .into_iter()
            .map(Some)
            .collect();
        Received {
            resp,
            decoded,
            next: 0,
            replaced: None,
            sent,
            len,
        }
    }

    /// The documents the reply brought.
    pub fn docs(&self) -> usize {
        self.resp.docs.len()
    }

    /// The reply, for the next request ([`Session::ahead`]).
    pub fn response(&self) -> &SyncResponse {
        &self.resp
    }
}

/// What a reply says that is not a document: the street's limits, the
/// directory, a wipe, acknowledgements, refusals and reveals. Returns the
/// refused ids whose documents the refusal took as they are.
fn apply_head(
    replica: &mut impl Replica,
    me: &mut Identity,
    req: &SyncRequest,
    resp: &SyncResponse,
    now: Instant,
    report: &mut SyncReport,
) -> Result<Vec<String>> {
    if resp.hub_actor != me.hub_actor {
        replica.set_meta(&[("hub_actor", &resp.hub_actor)])?;
        me.hub_actor = resp.hub_actor.clone();
    }
    // The street's limits first, so the documents of this page are
    // projected under the limits the hub holds now. Limits the model
    // refuses are not taken: a deadline is never computed from nonsense.
    if let Some(limits) = resp.limits.as_ref().filter(|l| l.validate().is_ok()) {
        if replica.street_limits()? != *limits {
            replica.set_street_limits(limits)?;
            report.limits_changed = true;
        }
    }
    if let Some(dir) = &resp.directory {
        crate::people::take(replica, dir)?;
        report.people_changed = true;
    }
    if resp.wipe {
        // Kept, so the wipe is done even if a later round fails first.
        if replica.meta("wipe_requested")?.as_deref() != Some("1") {
            replica.set_meta(&[("wipe_requested", "1")])?;
        }
        report.wipe_requested = true;
    }
    if req.new_actor.is_some() {
        // The hub registered the fresh actor; stop announcing it.
        replica.set_meta(&[("new_actor", "")])?;
    }
    report.pushed += req.push.len() + req.sync.len();
    // Sync messages the hub has now answered (acknowledged or refused),
    // replaced by the ones it sent this time.
    // Dropped too: one the hub deferred stays; one whose document went as
    // a whole push, or that has no answer (its document is gone, or the
    // message does not decode), is done with, or it would keep the sync
    // going until its round-trip bound.
    let waiting = waiting_sync(replica)?;
    let before = waiting.len();
    let mut keep = Vec::with_capacity(waiting.len());
    for (id, msg) in waiting {
        let deferred = resp.deferred.contains(&id);
        let answered = req.sync.iter().any(|m| m.id == id);
        let pushed = req.push.iter().any(|p| p.id == id);
        if deferred
            || (!answered && !pushed && answer_sync(replica, &me.actor, &id, &msg)?.is_some())
        {
            keep.push((id, msg));
        }
    }
    let mut waiting = keep;
    for m in &resp.sync {
        waiting.retain(|(id, _)| *id != m.id);
        waiting.push((m.id.clone(), m.msg.clone()));
    }
    if before > 0 || !waiting.is_empty() {
        set_waiting_sync(replica, &waiting)?;
    }
    let replaced = take_refusals(replica, me, resp, now, report)?;
    let mut acks = Vec::new();
    for a in &resp.acks {
        let Ok(id) = RecordId::parse_str(&a.id) else {
            continue;
        };
        // The hub holds at least what we sent; mark exactly that.
        let sent = req
            .push
            .iter()
            .find(|p| p.id == a.id)
            .map(|p| p.heads.join(","))
            .or_else(|| {
                req.sync
                    .iter()
                    .find(|m| m.id == a.id)
                    .map(|m| m.heads.join(","))
            })
            .unwrap_or_default();
        acks.push((id, sent));
    }
    // Every commit is an fsync: skip the empty ones, so "nothing changed"
    // costs no disk write at all.
    if !acks.is_empty() {
        replica.acknowledge(&acks)?;
    }
    report.acknowledged += acks.len();
    take_reveal_answers(replica, req, resp, report)?;
    Ok(replaced)
}
/// Received documents, merged into ours and saved in one transaction, each
/// marked as held by the hub at its heads. `docs[i]` was decoded as
/// `decoded[i]`; a `partial` part commits without waiting for the disk.
#[allow(clippy::too_many_arguments)]
fn apply_docs(
    replica: &mut impl Replica,
    me: &Identity,
    docs: &[PullDoc],
    decoded: &mut [Option<Result<Decoded>>],
    replaced: &[String],
    partial: bool,
    now: Instant,
    report: &mut SyncReport,
) -> Result<()> {
    let mut batch = Vec::new();
    for (d, decoded) in docs.iter().zip(decoded.iter_mut()) {
        let Some(decoded) = decoded.take() else {
            continue;
        };
        if replaced.contains(&d.id) {
            continue;
        }
        // One document this device cannot take (its scope changed on the
        // hub, or it no longer reads) must not stop every later sync: skip
        // it, say so, and go on.
        match decoded.and_then(|x| merge_decoded(replica, me, &d.bytes, x)) {
            Ok((saved, record, lost)) => {
                report.overruled.extend(lost);
                batch.push((saved, record));
            }
            Err(e) => report.skipped.push((d.id.clone(), e.text())),
        }
    }
    report.pulled += batch.len();
    if !batch.is_empty() {
        if partial {
            replica.save_received_unflushed(batch, now)?;
        } else {
            replica.save_received(batch, now)?;
        }
    }
    Ok(())
}

/// The end of a reply: removals, then the cursor, so the cursor moves only
/// once the page it covers is stored.
fn apply_tail(
    replica: &mut impl Replica,
    req: &SyncRequest,
    resp: &SyncResponse,
    report: &mut SyncReport,
) -> Result<()> {
    apply_removals(replica, &resp.removals, report)?;
    if resp.cursor != req.cursor {
        replica.set_meta(&[("sync_cursor", &resp.cursor.to_string())])?;
    }
    Ok(())
}

/// The hub's answers about the request's reveals: acknowledged ones are
/// marked sent, refused ones kept with the reason (never sent again), in
/// one commit; and the counts a community or street office is sent, held
/// for its dashboard when they changed.
fn take_reveal_answers(
    replica: &mut impl Replica,
    req: &SyncRequest,
    resp: &SyncResponse,
    report: &mut SyncReport,
) -> Result<()> {
    let asked = |id: &String| req.reveals.iter().any(|r| r.id == *id);
    let acked: Vec<String> = resp
        .reveal_acks
        .iter()
        .filter(|id| asked(id))
        .cloned()
        .collect();
    let refused: Vec<(String, Text)> = resp
        .reveal_refusals
        .iter()
        .filter(|r| asked(&r.id))
        .map(|r| (r.id.clone(), r.reason.clone()))
        .collect();
    replica.settle_reveals(&acked, &refused)?;
    report.reveals_sent += acked.len();
    report.reveals_refused.extend(refused);
    if let Some(counts) = &resp.reveal_counts {
        let held: Vec<crate::reveal::RevealCount> = counts
            .iter()
            .map(|c| crate::reveal::RevealCount {
                community: c.community.clone(),
                user_id: c.user_id.clone(),
                user_name: c.user_name.clone(),
                month: c.month.clone(),
                n: c.n,
            })
            .collect();
        let json = serde_json::to_string(&held).expect("counts are strings and numbers");
        if replica.meta(crate::reveal::COUNTS_KEY)?.as_deref() != Some(json.as_str()) {
            replica.set_meta(&[(crate::reveal::COUNTS_KEY, &json)])?;
        }
    }
    Ok(())
}

/// Refused pushes: a `missing_deps` one is pushed again from scratch (or
/// answered with a sync message); any other is kept as a read-only copy, the
/// document returns to the hub's version (or none), and the device writes as
/// a fresh actor from now on, all in one commit. Returns the refused ids,
/// whose documents in `resp.docs` are taken as they are, not merged.
fn take_refusals(
    replica: &mut impl Replica,
    me: &mut Identity,
    resp: &SyncResponse,
    now: Instant,
    report: &mut SyncReport,
) -> Result<Vec<String>> {
    /// A refusal with the hub's version read, before it is taken.
    struct Refused<'a> {
        id: RecordId,
        reason: &'a Text,
        hub: Option<(&'a [u8], Record)>,
    }
    let mut refused = Vec::new();
    for r in &resp.refusals {
        let Ok(id) = RecordId::parse_str(&r.id) else {
            continue;
        };
        if r.code == RefusalCode::MissingDeps {
            // Heads disagree. With the hub's sync message, the next request
            // answers it; without (an older hub, or a sync message that still
            // missed some), the hub's copy comes in `docs` when it has one,
            // and the next push goes from there, or is the whole document.
            replica.forget_ack(id)?;
            continue;
        }
        let hub_version = match resp.docs.iter().find(|d| d.id == r.id) {
            Some(d) => {
                let doc = gridline_records::load(&d.bytes, &me.actor)?;
                Some((d.bytes.as_slice(), Record::read(&doc)?))
            }
            None => None,
        };
        refused.push(Refused {
            id,
            reason: &r.reason,
            hub: hub_version,
        });
    }
    if refused.is_empty() {
        return Ok(Vec::new());
    }
    let refusals: Vec<Refusal<'_>> = refused
        .iter()
        .map(|r| Refusal {
            id: r.id,
            reason: r.reason,
            hub_version: r.hub.as_ref().map(|(b, record)| (*b, record)),
        })
        .collect();
    let fresh = uuid::Uuid::new_v4().as_bytes().to_vec();
    let fresh_hex = hex::encode(&fresh);
    replica.take_refusals(
        &refusals,
        &[("actor", &fresh_hex), ("new_actor", &fresh_hex)],
        now,
    )?;
    me.actor = fresh;
    let ids: Vec<String> = refused.iter().map(|r| r.id.to_string()).collect();
    for r in &refused {
        report.refused.push((r.id.to_string(), r.reason.clone()));
    }
    Ok(ids)
}

/// A received document, loaded and read, not yet merged.
struct Decoded {
    doc: automerge::AutoCommit,
    heads: String,
    record: Record,
    conflicted: bool,
}

/// Loads and reads one received document, and checks this device may hold it.
fn decode(bytes: &[u8], actor: &[u8], user: &User) -> Result<Decoded> {
    let mut doc = gridline_records::load(bytes, actor)?;
    let heads = gridline_records::heads_hex(&mut doc);
    let record = Record::read(&doc)?;
    permission::check(user, record.kind(), Action::Read, &record.target())?;
    let conflicted = gridline_records::has_conflicts(&doc);
    Ok(Decoded {
        doc,
        heads,
        record,
        conflicted,
    })
}

/// Decodes a page of received documents, split over the machine's cores:
/// loading Automerge documents is most of a first sync's work on the device.
fn decode_all(docs: &[&PullDoc], actor: &[u8], user: &User) -> Vec<Result<Decoded>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    if threads < 2 || docs.len() < 64 {
        return docs.iter().map(|d| decode(&d.bytes, actor, user)).collect();
    }
    let chunk = docs.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let parts: Vec<_> = docs
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|d| decode(&d.bytes, actor, user))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        parts
            .into_iter()
            .flat_map(|p| p.join().expect("decoding a document does not panic"))
            .collect()
    })
}

/// What to save for a received document: the hub's bytes as they are when
/// this device holds no copy, else ours merged with it. Either way marked as
/// held by the hub at the received heads. Also this user's workflow steps
/// that the merge overruled.
fn merge_decoded(
    replica: &impl Replica,
    me: &Identity,
    bytes: &[u8],
    mut x: Decoded,
) -> Result<(Saved, Record, Vec<super::Overruled>)> {
    let Some(local) = replica.load(x.record.doc_id())? else {
        let saved = Saved {
            bytes: bytes.to_vec(),
            heads: x.heads.clone(),
            conflicted: x.conflicted,
            acked: Some(x.heads),
            photos: gridline_records::photos::read(&x.doc).unwrap_or_default(),
            position: gridline_records::position::read(&x.doc).ok().flatten(),
            merges: gridline_records::household::merges_of(&x.doc),
        };
        return Ok((saved, x.record, Vec::new()));
    };
    let mut doc = gridline_records::load(&local, &me.actor)?;
    // Only a workflow can overrule a step; reading the other kinds' local
    // copy would cost a first sync time for nothing.
    let before = match x.record {
        Record::Issue(_) | Record::Wish(_) => Record::read(&doc).ok(),
        _ => None,
    };
    doc.merge(&mut x.doc)
        .map_err(gridline_records::Error::from)?;
    let record = Record::read(&doc)?;
    let lost = before.map_or_else(Vec::new, |b| {
        overruled(&b, &record, &me.user.id, &me.hub_actor)
    });
    Ok((Saved::of(&mut doc, true).acked(x.heads), record, lost))
}

/// Removes documents that left this device's scope, but only once the hub
/// holds every change this device made to them; until then they wait in
/// `pending_removals` and are retried after each sync.
fn apply_removals(
    replica: &mut impl Replica,
    removals: &[String],
    report: &mut SyncReport,
) -> Result<()> {
    let before = replica.meta("pending_removals")?.unwrap_or_default();
    if before.is_empty() && removals.is_empty() {
        return Ok(());
    }
    let mut waiting: Vec<String> = before
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    for r in removals {
        if !waiting.contains(r) {
            waiting.push(r.clone());
        }
    }
    let mut still = Vec::new();
    for id in waiting {
        let Ok(rid) = RecordId::parse_str(&id) else {
            continue;
        };
        // Held by the hub exactly as here (a conflict flag does not matter:
        // the conflict travels with the document and the hub has it).
        match replica.fully_acknowledged(rid)? {
            None => {}
            Some(true) => {
                replica.remove(rid)?;
                report.removed += 1;
            }
            Some(false) => still.push(id),
        }
    }
    replica.set_meta(&[("pending_removals", &still.join(","))])?;
    Ok(())
}

/// The answer to the hub's sync message about one document: the changes
/// the hub lacks. Automerge's own sync protocol finds them from the hub's
/// heads and bloom filter; but the filter has false positives (about one
/// change in a hundred is wrongly taken as the hub's, and a missed first
/// change leaves the rest undeliverable), and the hub answers only once.
/// So when this document holds every head the hub named (the usual case:
/// the hub lost changes made here), the answer is exactly the changes after
/// those heads.
pub(crate) fn answer_for(
    doc: &mut automerge::AutoCommit,
    hub_msg: automerge::sync::Message,
) -> Result<Option<automerge::sync::Message>> {
    use automerge::sync::{Capability, Message, MessageVersion, State, SyncDoc};
    let mut state = State::new();
    doc.sync()
        .receive_sync_message(&mut state, hub_msg)
        .map_err(gridline_records::Error::from)?;
    // Only the changes the hub lacks: a peer that announces version 2
    // messages is sent the whole document once it lacks over a third of
    // the changes, which for a record of a few changes is nearly always.
    state.their_capabilities = Some(vec![Capability::MessageV1]);
    let answer = doc.sync().generate_sync_message(&mut state);
    // The hub has every ancestor of its heads. So every change that is not
    // an ancestor of the hub's heads this document knows is sent: all the
    // hub lacks, and perhaps a few it holds through heads unknown here
    // (harmless: Automerge applies a change once). Automerge's bloom filter
    // is not used for this: a false positive would leave a change out, and
    // the hub answers once.
    let theirs: Vec<automerge::ChangeHash> = state
        .their_heads
        .clone()
        .unwrap_or_default()
        .into_iter()
        .filter(|h| doc.get_change_by_hash(h).is_some())
        .collect();
    let exact: Vec<Vec<u8>> = doc
        .get_changes(&theirs)
        .iter_mut()
        .map(|c| c.bytes().into_owned())
        .collect();
    // With nothing to send the answer still goes: the hub then acknowledges
    // the heads it holds, and the waiting message is done with.
    let mut m = answer.unwrap_or_else(|| Message {
        heads: doc.get_heads(),
        need: Vec::new(),
        have: Vec::new(),
        changes: Vec::<Vec<u8>>::new().into(),
        flags: None,
        version: MessageVersion::V1,
    });
    m.changes = exact.into();
    Ok(Some(m))
}
