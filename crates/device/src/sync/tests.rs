//! The sans-IO core against an in-memory [`Replica`] and a hand-driven hub:
//! no SQLite, no sockets, no clock. Each test plays the hub's part by
//! building its replies from Automerge documents it holds.

use std::collections::BTreeMap;

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ROOT};
use gridline_model::{Author, GridId, Instant, RecordId, Role, Scope, User, Visit, VisitKind};
use gridline_records::Record;
use gridline_store::{Refusal, Saved, Unsent};
use gridline_sync::{
    Ack, PullDoc, Refusal as HubRefusal, RefusalCode, SyncRequest, SyncResponse, PROTOCOL_VERSION,
};

use super::{Replica, Session, SyncReport};
use crate::{Identity, Result};

const GRID: &str = "522701001001001";
const HUB_ACTOR: &str = "29aef6b2109b4330a56f49e976df43cc";

fn now() -> Instant {
    "2026-11-02T09:30:00Z".parse().unwrap()
}

/// A document as the fake holds it.
#[derive(Debug, Clone)]
struct Held {
    bytes: Vec<u8>,
    heads: String,
    /// Heads the hub acknowledged, empty if never.
    acked: String,
}

/// The store as the core sees it, in memory.
#[derive(Debug, Default)]
struct Fake {
    docs: BTreeMap<RecordId, Held>,
    meta: BTreeMap<String, String>,
    /// Read-only copies of refused records: id, bytes, reason.
    refused: Vec<(RecordId, Vec<u8>, gridline_model::Text)>,
}

impl Fake {
    fn put_local(&mut self, doc: &mut AutoCommit, id: RecordId) {
        let heads = gridline_records::heads_hex(doc);
        let acked = self
            .docs
            .get(&id)
            .map(|h| h.acked.clone())
            .unwrap_or_default();
        self.docs.insert(
            id,
            Held {
                bytes: doc.save(),
                heads,
                acked,
            },
        );
    }

    fn is_synced(&self, id: RecordId) -> bool {
        self.docs.get(&id).is_some_and(|h| h.heads == h.acked)
    }
}

impl Replica for Fake {
    fn load(&self, id: RecordId) -> Result<Option<Vec<u8>>> {
        Ok(self.docs.get(&id).map(|h| h.bytes.clone()))
    }
    fn unsent(&self, limit: usize) -> Result<Vec<Unsent>> {
        Ok(self
            .docs
            .iter()
            .filter(|(_, h)| h.heads != h.acked)
            .take(limit)
            .map(|(id, h)| Unsent {
                id: *id,
                bytes: h.bytes.clone(),
                heads: h.heads.clone(),
                acked_heads: h.acked.clone(),
            })
            .collect())
    }
    fn fully_acknowledged(&self, id: RecordId) -> Result<Option<bool>> {
        Ok(self.docs.get(&id).map(|h| h.heads == h.acked))
    }
    fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(self.meta.get(key).cloned())
    }
    fn set_meta(&mut self, pairs: &[(&str, &str)]) -> Result<()> {
        for (k, v) in pairs {
            self.meta.insert((*k).into(), (*v).into());
        }
        Ok(())
    }
    fn acknowledge(&mut self, acks: &[(RecordId, String)]) -> Result<()> {
        for (id, heads) in acks {
            if let Some(h) = self.docs.get_mut(id) {
                h.acked = heads.clone();
            }
        }
        Ok(())
    }
    fn forget_ack(&mut self, id: RecordId) -> Result<()> {
        if let Some(h) = self.docs.get_mut(&id) {
            h.acked.clear();
        }
        Ok(())
    }
    fn save_received(&mut self, docs: Vec<(Saved, Record)>, _now: Instant) -> Result<()> {
        for (saved, record) in docs {
            self.docs.insert(
                record.doc_id(),
                Held {
                    bytes: saved.bytes,
                    heads: saved.heads,
                    acked: saved.acked.unwrap_or_default(),
                },
            );
        }
        Ok(())
    }
    fn take_refusals(
        &mut self,
        refusals: &[Refusal<'_>],
        meta: &[(&str, &str)],
        _now: Instant,
    ) -> Result<()> {
        for r in refusals {
            if let Some(h) = self.docs.remove(&r.id) {
                self.refused.push((r.id, h.bytes, r.reason.clone()));
            }
            if let Some((bytes, _)) = r.hub_version {
                let mut doc = AutoCommit::load(bytes).unwrap();
                let heads = gridline_records::heads_hex(&mut doc);
                self.docs.insert(
                    r.id,
                    Held {
                        bytes: bytes.to_vec(),
                        heads: heads.clone(),
                        acked: heads,
                    },
                );
            }
        }
        self.set_meta(meta)
    }
    fn remove(&mut self, id: RecordId) -> Result<()> {
        self.docs.remove(&id);
        Ok(())
    }
    fn street_limits(&self) -> Result<gridline_model::StreetLimits> {
        Ok(self
            .meta
            .get("street_limits")
            .map(|j| serde_json::from_str(j).unwrap())
            .unwrap_or_default())
    }
    fn set_street_limits(&mut self, limits: &gridline_model::StreetLimits) -> Result<()> {
        self.meta.insert(
            "street_limits".into(),
            serde_json::to_string(limits).unwrap(),
        );
        Ok(())
    }
    // The fake keeps no reveals: the store's own tests and the scenarios
    // cover them.
    fn unsent_reveals(&self, _limit: usize) -> Result<Vec<gridline_store::Reveal>> {
        Ok(Vec::new())
    }
    fn settle_reveals(
        &mut self,
        _acked: &[String],
        _refused: &[(String, gridline_model::Text)],
    ) -> Result<()> {
        Ok(())
    }
}

fn worker() -> Identity {
    Identity {
        device_id: "dev-1".into(),
        actor: vec![0xd1; 16],
        user: User {
            id: "gw-1".into(),
            name: "张伟".into(),
            role: Role::GridWorker,
            scope: Scope::parse(&format!("grids:{GRID}")).unwrap(),
        },
        hub_actor: HUB_ACTOR.into(),
        mode: "enrolled".into(),
    }
}

/// A visit recorded on this device, held as never sent.
fn visit(fake: &mut Fake, me: &Identity, n: u8) -> (RecordId, AutoCommit) {
    let id = crate::new_id(now());
    let v = Visit {
        id,
        household: uuid::Uuid::from_bytes([n; 16]),
        grid: GridId::parse(GRID).unwrap(),
        visitor: Author {
            user: me.user.id.clone(),
            role: me.user.role,
            unit: String::new(),
        },
        at: now(),
        kind: VisitKind::Routine,
        notes: format!("visit {n}"),
    };
    let mut doc = gridline_records::new_doc(&me.actor);
    gridline_records::visit::create(&mut doc, &v).unwrap();
    fake.put_local(&mut doc, id);
    (id, doc)
}

/// The hub's side, by hand: the documents it holds, and its counter.
#[derive(Default)]
struct Hub {
    docs: BTreeMap<String, AutoCommit>,
    seq: u64,
}

impl Hub {
    fn reply(&self, cursor: u64) -> SyncResponse {
        SyncResponse {
            v: PROTOCOL_VERSION,
            acks: Vec::new(),
            refusals: Vec::new(),
            docs: Vec::new(),
            removals: Vec::new(),
            cursor,
            more: false,
            total: None,
            hub_actor: HUB_ACTOR.into(),
            sync: Vec::new(),
            deferred: Vec::new(),
            limits: None,
            reveal_acks: Vec::new(),
            reveal_refusals: Vec::new(),
            reveal_counts: None,
            wipe: false,
            directory: None,
        }
    }

    /// Applies every push (idempotently, as Automerge does) and acks it with
    /// the hub's heads.
    fn accept(&mut self, req: &SyncRequest) -> SyncResponse {
        let mut resp = self.reply(req.cursor);
        for p in &req.push {
            let doc = self.docs.entry(p.id.clone()).or_default();
            doc.load_incremental(&p.changes).unwrap();
            self.seq += 1;
            resp.acks.push(Ack {
                id: p.id.clone(),
                heads: heads(doc),
            });
        }
        for m in &req.sync {
            let doc = self.docs.entry(m.id.clone()).or_default();
            let msg = automerge::sync::Message::decode(&m.msg).unwrap();
            automerge::sync::SyncDoc::receive_sync_message(
                &mut doc.sync(),
                &mut automerge::sync::State::new(),
                msg,
            )
            .unwrap();
            resp.acks.push(Ack {
                id: m.id.clone(),
                heads: heads(doc),
            });
        }
        resp.cursor = self.seq;
        resp
    }
}

fn heads(doc: &mut AutoCommit) -> Vec<String> {
    doc.get_heads().iter().map(|h| h.to_string()).collect()
}

/// Runs a whole session against `answer`, at most `bound` round trips.
fn run(
    fake: &mut Fake,
    me: &mut Identity,
    bound: usize,
    mut answer: impl FnMut(&SyncRequest) -> SyncResponse,
) -> (SyncReport, Vec<SyncRequest>) {
    let mut session = Session::new();
    let mut sent = Vec::new();
    for _ in 0..bound {
        let Some(req) = session.next_request(fake, me).unwrap() else {
            return (session.into_report(), sent);
        };
        let resp = answer(&req);
        session.receive(fake, me, &req, resp, 0, 0, now()).unwrap();
        sent.push(req);
    }
    panic!("the session did not finish within {bound} round trips");
}

#[test]
fn a_clean_round_pushes_once_and_marks_the_document_in_sync() {
    let (mut fake, mut me) = (Fake::default(), worker());
    let (id, _) = visit(&mut fake, &me, 1);
    let mut hub = Hub::default();
    let (report, sent) = run(&mut fake, &mut me, 5, |req| hub.accept(req));
    assert_eq!(
        sent.len(),
        1,
        "one round trip carries the push and finds nothing more"
    );
    assert_eq!(sent[0].push.len(), 1, "the one unsent visit is pushed");
    assert!(
        sent[0].want_total,
        "the first request of a sync asks for the total"
    );
    assert_eq!(report.acknowledged, 1, "the hub acknowledged it");
    assert!(fake.is_synced(id), "acknowledged at exactly the heads sent");
    assert_eq!(
        fake.meta["sync_cursor"], "1",
        "the cursor moved to the hub's"
    );
}

#[test]
fn a_lost_reply_is_retried_with_the_same_changes_and_nothing_is_duplicated() {
    let (mut fake, mut me) = (Fake::default(), worker());
    let (id, _) = visit(&mut fake, &me, 2);
    let mut hub = Hub::default();
    // The hub applies the push, but its reply never arrives.
    let mut session = Session::new();
    let first = session.next_request(&fake, &me).unwrap().unwrap();
    let _lost = hub.accept(&first);
    assert!(
        !fake.is_synced(id),
        "no reply, so nothing is marked in sync"
    );
    // The next sync sends the same changes again.
    let (report, sent) = run(&mut fake, &mut me, 5, |req| hub.accept(req));
    assert_eq!(
        sent[0].push, first.push,
        "the retry carries exactly the changes of the lost request"
    );
    assert_eq!(report.acknowledged, 1, "the retry is acknowledged");
    assert!(
        fake.is_synced(id),
        "the retry's acknowledgement marks it in sync"
    );
    let doc = hub.docs.get_mut(&id.to_string()).unwrap();
    assert_eq!(
        doc.get_changes(&[]).len(),
        1,
        "the hub applied the change twice and holds it once"
    );
}

#[test]
fn a_refusal_keeps_a_copy_returns_to_the_hubs_version_and_switches_actor_at_once() {
    let (mut fake, mut me) = (Fake::default(), worker());
    let (id, mut doc) = visit(&mut fake, &me, 3);
    // The hub holds the visit as first sent.
    let mut hub = Hub::default();
    let mut session = Session::new();
    let first = session.next_request(&fake, &me).unwrap().unwrap();
    let resp = hub.accept(&first);
    session
        .receive(&mut fake, &mut me, &first, resp, 0, 0, now())
        .unwrap();
    // An edit the hub refuses.
    doc.put(ROOT, "notes_extra", "refused edit").unwrap();
    doc.commit();
    fake.put_local(&mut doc, id);
    let old_actor = me.actor.clone();
    let hub_bytes = hub.docs.get_mut(&id.to_string()).unwrap().save();
    let mut refused_once = false;
    let (report, sent) = run(&mut fake, &mut me, 5, |req| {
        let mut resp = hub.reply(req.cursor);
        if !refused_once && !req.push.is_empty() {
            refused_once = true;
            resp.refusals.push(HubRefusal {
                id: id.to_string(),
                code: RefusalCode::ForgedAuthor,
                reason: gridline_model::Text::new("伪造", "forged"),
            });
            resp.docs.push(PullDoc {
                id: id.to_string(),
                seq: 1,
                bytes: hub_bytes.clone(),
            });
        }
        resp
    });
    assert_eq!(
        report.refused,
        vec![(id.to_string(), gridline_model::Text::new("伪造", "forged"))],
        "the refusal is reported"
    );
    assert_eq!(
        fake.refused.len(),
        1,
        "the device's version is kept as a read-only copy"
    );
    assert_eq!(
        fake.docs[&id].bytes, hub_bytes,
        "the document is the hub's version again"
    );
    assert!(
        fake.is_synced(id),
        "the hub's version is what the hub holds"
    );
    assert_ne!(me.actor, old_actor, "the device writes as a fresh actor");
    assert_eq!(
        fake.meta["actor"],
        hex::encode(&me.actor),
        "the fresh actor is stored with the refusal"
    );
    assert_eq!(
        sent[1].new_actor.as_deref(),
        Some(hex::encode(&me.actor).as_str()),
        "the next request announces the fresh actor"
    );
    assert_eq!(
        fake.meta["new_actor"], "",
        "once the hub took the announcement, it is not repeated"
    );
    assert_eq!(sent.len(), 2, "refusal, then the announcement, then done");
}

#[test]
fn missing_deps_is_answered_with_a_sync_message_the_hub_can_apply() {
    let (mut fake, mut me) = (Fake::default(), worker());
    let (id, mut doc) = visit(&mut fake, &me, 4);
    let mut hub = Hub::default();
    run(&mut fake, &mut me, 5, |req| hub.accept(req));
    // Two edits acknowledged by a hub that then lost them (restored from a
    // backup): it still holds only the first change.
    let restored = hub.docs[&id.to_string()].clone();
    for n in 0..2 {
        doc.put(ROOT, "notes_extra", n).unwrap();
        doc.commit();
        fake.put_local(&mut doc, id);
        run(&mut fake, &mut me, 5, |req| hub.accept(req));
    }
    hub.docs.insert(id.to_string(), restored);
    doc.put(ROOT, "notes_extra", "third").unwrap();
    doc.commit();
    fake.put_local(&mut doc, id);
    let (_, sent) = run(&mut fake, &mut me, 5, |req| {
        if let Some(p) = req.push.first() {
            let mut resp = hub.reply(req.cursor);
            let hub_doc = hub.docs.get_mut(&id.to_string()).unwrap();
            // The pushed change depends on ones the hub lost.
            let mut probe = hub_doc.clone();
            probe.load_incremental(&p.changes).unwrap();
            assert!(
                !probe.get_missing_deps(&[]).is_empty(),
                "the push is after heads the hub lost"
            );
            resp.refusals.push(HubRefusal {
                id: id.to_string(),
                code: RefusalCode::MissingDeps,
                reason: gridline_model::Text::new("缺少依赖", "missing"),
            });
            let msg = automerge::sync::SyncDoc::generate_sync_message(
                &hub_doc.sync(),
                &mut automerge::sync::State::new(),
            )
            .unwrap();
            resp.sync.push(gridline_sync::DocSync {
                id: id.to_string(),
                msg: msg.encode(),
                heads: Vec::new(),
            });
            return resp;
        }
        hub.accept(req)
    });
    assert!(
        sent[0].am_sync,
        "the device says it answers with sync messages"
    );
    assert_eq!(
        sent[1].sync.len(),
        1,
        "the next request answers the hub's sync message"
    );
    assert!(
        sent[1].push.is_empty(),
        "its changes travel in the answer, not again as a push"
    );
    let hub_doc = hub.docs.get_mut(&id.to_string()).unwrap();
    assert!(
        hub_doc.get_missing_deps(&[]).is_empty(),
        "the hub can apply everything"
    );
    assert_eq!(
        hub_doc.get_heads(),
        doc.get_heads(),
        "the hub holds the device's document again"
    );
    assert!(fake.is_synced(id), "and the device knows it");
    assert_eq!(fake.meta["am_sync"], "", "no sync message is left waiting");
}

#[test]
fn pages_are_pulled_while_the_hub_says_more() {
    let (mut fake, mut me) = (Fake::default(), worker());
    // The hub holds three visits by another device in this grid.
    let mut other = Fake::default();
    let mut pages: Vec<PullDoc> = (0..3u8)
        .map(|n| {
            let (id, mut doc) = visit(&mut other, &worker(), 10 + n);
            PullDoc {
                id: id.to_string(),
                seq: u64::from(n) + 1,
                bytes: doc.save(),
            }
        })
        .collect();
    let hub = Hub::default();
    let (report, sent) = run(&mut fake, &mut me, 10, |req| {
        let mut resp = hub.reply(req.cursor);
        // Two documents a page.
        let page: Vec<PullDoc> = pages
            .iter()
            .filter(|d| d.seq > req.cursor)
            .take(2)
            .cloned()
            .collect();
        resp.cursor = page.last().map_or(req.cursor, |d| d.seq);
        resp.more = pages.iter().any(|d| d.seq > resp.cursor);
        resp.docs = page;
        resp
    });
    pages.sort_by_key(|d| d.seq);
    assert_eq!(
        sent.iter().map(|r| r.cursor).collect::<Vec<_>>(),
        vec![0, 2],
        "the second request continues from the first page's cursor"
    );
    assert_eq!(report.pulled, 3, "every page's documents are taken");
    assert_eq!(fake.docs.len(), 3, "and held");
    assert!(
        fake.docs.keys().all(|id| fake.is_synced(*id)),
        "received documents are held as the hub holds them"
    );
    assert_eq!(
        fake.meta["sync_cursor"], "3",
        "the cursor is the last page's"
    );
    let ahead = Session::ahead(
        &sent[0],
        &SyncResponse {
            more: true,
            cursor: 2,
            ..hub.reply(0)
        },
    );
    assert_eq!(
        ahead.map(|r| r.cursor),
        Some(2),
        "a plain page's next request is known before the page is stored"
    );
}

#[test]
fn deferred_entries_are_pushed_again() {
    let (mut fake, mut me) = (Fake::default(), worker());
    let (a, _) = visit(&mut fake, &me, 20);
    let (b, _) = visit(&mut fake, &me, 21);
    let mut hub = Hub::default();
    let mut deferred_once = false;
    let (report, sent) = run(&mut fake, &mut me, 5, |req| {
        if deferred_once {
            return hub.accept(req);
        }
        // Out of budget after the first entry: the second is deferred.
        deferred_once = true;
        let (first, rest) = req.push.split_first().unwrap();
        let partial = SyncRequest {
            push: vec![first.clone()],
            ..req.clone()
        };
        let mut resp = hub.accept(&partial);
        resp.deferred = rest.iter().map(|p| p.id.clone()).collect();
        resp.more = true;
        resp
    });
    assert_eq!(sent[0].push.len(), 2, "both visits go in the first request");
    assert_eq!(sent[1].push.len(), 1, "the deferred one goes again, alone");
    assert_eq!(report.acknowledged, 2, "each is acknowledged once");
    assert!(fake.is_synced(a) && fake.is_synced(b), "both end in sync");
    assert_eq!(sent.len(), 2, "then nothing is left to say");
}

/// A hub out of time after a few entries defers the rest; the device then
/// sends little more than the hub took, instead of resending everything.
#[test]
fn after_a_deferral_the_next_request_holds_about_what_the_hub_took() {
    let (mut fake, mut me) = (Fake::default(), worker());
    let ids: Vec<_> = (0..40).map(|n| visit(&mut fake, &me, 100 + n).0).collect();
    let mut hub = Hub::default();
    let (report, sent) = run(&mut fake, &mut me, 40, |req| {
        // Four entries fit the hub's time budget for a request.
        let taken: Vec<_> = req.push.iter().take(4).cloned().collect();
        let rest: Vec<_> = req.push.iter().skip(4).map(|p| p.id.clone()).collect();
        let mut resp = hub.accept(&SyncRequest {
            push: taken,
            ..req.clone()
        });
        resp.more |= !rest.is_empty();
        resp.deferred = rest;
        resp
    });
    assert_eq!(
        sent[0].push.len(),
        40,
        "the first request offers all it has"
    );
    assert!(
        sent[1..].iter().all(|r| r.push.len() <= 5),
        "after a deferral, about what the hub took (4, and a quarter more): {:?}",
        sent.iter().map(|r| r.push.len()).collect::<Vec<_>>()
    );
    let offered: usize = sent.iter().map(|r| r.push.len()).sum();
    assert!(
        offered <= 40 + 36 + 10 * 5,
        "resends are bounded by the adapted size, not 40 a time: {offered}"
    );
    assert_eq!(report.acknowledged, 40, "each is acknowledged once");
    assert!(ids.iter().all(|id| fake.is_synced(*id)), "all end in sync");
}

/// Answers to the hub's sync message (Automerge's sync protocol).
mod answer {
    use automerge::sync::{BloomFilter, State, SyncDoc};
    use automerge::transaction::Transactable;
    use automerge::{AutoCommit, ROOT};

    fn hub_receives(hub: &AutoCommit, answer: automerge::sync::Message) -> AutoCommit {
        let mut hub = hub.clone();
        hub.sync()
            .receive_sync_message(&mut State::new(), answer)
            .unwrap();
        hub
    }

    /// A first lost change that the hub's bloom filter wrongly holds: the
    /// plain Automerge answer leaves it out (and so everything after it
    /// cannot apply), the exact answer does not.
    #[test]
    fn a_bloom_false_positive_does_not_lose_the_first_change_the_hub_lacks() {
        let mut hub = AutoCommit::new();
        for n in 0..5 {
            hub.put(ROOT, "step", n).unwrap();
            hub.commit();
        }
        let theirs: Vec<_> = hub.get_changes(&[]).iter().map(|c| c.hash()).collect();
        let bloom = BloomFilter::from_hashes(theirs.iter());
        let mut tries = 0;
        let mut device = loop {
            tries += 1;
            assert!(
                tries < 100_000,
                "a false positive turns up about once in a hundred tries"
            );
            let mut d = hub.fork();
            d.put(ROOT, "notes", format!("lost edit {tries}")).unwrap();
            let h = d.commit().unwrap();
            if bloom.contains_hash(&h) {
                break d;
            }
        };
        for n in 0..3 {
            device
                .put(ROOT, "notes", format!("later edit {n}"))
                .unwrap();
            device.commit();
        }
        let msg = hub.sync().generate_sync_message(&mut State::new()).unwrap();

        let mut plain = device.clone();
        let mut state = State::new();
        plain
            .sync()
            .receive_sync_message(&mut state, msg.clone())
            .unwrap();
        state.their_capabilities = Some(vec![automerge::sync::Capability::MessageV1]);
        let bloom_only = plain.sync().generate_sync_message(&mut state).unwrap();
        assert!(
            !hub_receives(&hub, bloom_only)
                .get_missing_deps(&[])
                .is_empty(),
            "the false positive is real: the plain answer misses a change"
        );

        let answer = crate::sync::round::answer_for(&mut device, msg)
            .unwrap()
            .unwrap();
        let mut after = hub_receives(&hub, answer);
        assert!(
            after.get_missing_deps(&[]).is_empty(),
            "the exact answer holds the change the bloom filter hid"
        );
        assert_eq!(
            after.get_heads(),
            device.get_heads(),
            "the hub then holds the device's document"
        );
    }

    /// When the hub holds changes this device lacks, its heads are unknown
    /// here and the answer is Automerge's own, which still delivers.
    #[test]
    fn heads_unknown_here_get_automerges_own_answer() {
        // Fixed actors and times: the change hashes, and so whether the
        // bloom filter holds a false positive, are the same on every run
        // (a false positive here would be a different, rarer case: the hub
        // then sends its copy).
        use automerge::transaction::CommitOptions;
        let at = |t: i64| CommitOptions::default().with_time(t);
        let mut hub = AutoCommit::new().with_actor(automerge::ActorId::from([1u8; 16]));
        hub.put(ROOT, "step", 1).unwrap();
        hub.commit_with(at(1));
        let mut device = hub.fork().with_actor(automerge::ActorId::from([2u8; 16]));
        hub.put(ROOT, "hub", "only on the hub").unwrap();
        hub.commit_with(at(2));
        device.put(ROOT, "notes", "only here").unwrap();
        device.commit_with(at(3));
        let msg = hub.sync().generate_sync_message(&mut State::new()).unwrap();
        let answer = crate::sync::round::answer_for(&mut device, msg)
            .unwrap()
            .unwrap();
        let mut after = hub_receives(&hub, answer);
        assert!(
            after.get_missing_deps(&[]).is_empty(),
            "Automerge's own answer still applies"
        );
        assert_eq!(
            after.get_changes(&[]).len(),
            3,
            "the hub gets the device's one change beside its own two"
        );
    }
}

/// A document too large for any push, held as never sent, under `id`.
fn oversized(fake: &mut Fake, me: &Identity, id: RecordId) {
    let mut doc = gridline_records::new_doc(&me.actor);
    // Hex of a counter's hashes: compresses no better than about half.
    let big: String = (0..(3 * gridline_sync::MAX_ENTRY_BYTES / 16) as u64)
        .map(|i| format!("{:016x}", i.wrapping_mul(0x9e37_79b9_7f4a_7c15)))
        .collect();
    doc.put(ROOT, "blob", big).unwrap();
    fake.put_local(&mut doc, id);
}

/// After a deferral shrinks the request to one document, two documents too
/// large to push at the head of the unsent list take no room: the sendable
/// ones behind them still go in this sync, not the next.
#[test]
fn oversized_documents_at_the_head_do_not_end_a_sync_early() {
    let (mut fake, mut me) = (Fake::default(), worker());
    // Ids that sort before every visit's (the fake lists unsent by id).
    let big = [
        uuid::Uuid::from_bytes([0; 16]),
        uuid::Uuid::from_bytes([1; 16]),
    ];
    for id in big {
        oversized(&mut fake, &me, id);
    }
    let small: Vec<_> = (0..6).map(|n| visit(&mut fake, &me, 60 + n).0).collect();
    assert!(
        small.iter().all(|s| big.iter().all(|b| b < s)),
        "the large ones are first"
    );
    let mut hub = Hub::default();
    let mut first = true;
    let (report, sent) = run(&mut fake, &mut me, 20, |req| {
        if !first {
            return hub.accept(req);
        }
        // Out of time after one entry: the rest is deferred, so the next
        // requests hold about one document.
        first = false;
        let (one, rest) = req.push.split_first().unwrap();
        let mut resp = hub.accept(&SyncRequest {
            push: vec![one.clone()],
            ..req.clone()
        });
        resp.deferred = rest.iter().map(|p| p.id.clone()).collect();
        resp.more = true;
        resp
    });
    assert!(
        sent[1..].iter().all(|r| r.push.len() <= 2),
        "the deferral shrank the requests: {:?}",
        sent.iter().map(|r| r.push.len()).collect::<Vec<_>>()
    );
    assert!(
        small.iter().all(|id| fake.is_synced(*id)),
        "every sendable visit went in this sync: {:?}",
        sent.iter().map(|r| r.push.len()).collect::<Vec<_>>()
    );
    assert_eq!(report.acknowledged, 6, "each visit acknowledged once");
    let skipped: Vec<_> = report.skipped.iter().map(|(id, _)| id.clone()).collect();
    assert_eq!(
        skipped,
        big.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "the large ones are named once each, and not pushed"
    );
    assert!(
        sent.iter()
            .flat_map(|r| &r.push)
            .all(|p| !big.iter().any(|b| b.to_string() == p.id)),
        "no request carries a document too large for it"
    );
}

#[test]
fn the_street_limits_a_hub_sends_are_held_once_and_nonsense_is_not_taken() {
    let (mut fake, mut me) = (Fake::default(), worker());
    let hub = &Hub::default();
    let street = gridline_model::StreetLimits {
        urgent_hours: 12,
        normal_days: 3,
        minor_days: 5,
        conclude_months: 2,
        ..gridline_model::StreetLimits::default()
    };
    let with = |limits: Option<gridline_model::StreetLimits>| {
        move |req: &SyncRequest| SyncResponse {
            limits: limits.clone(),
            ..hub.reply(req.cursor)
        }
    };
    let (report, _) = run(&mut fake, &mut me, 5, with(None));
    assert!(
        !report.limits_changed && fake.street_limits().unwrap() == Default::default(),
        "a hub that sends no limits leaves the defaults"
    );
    let (report, _) = run(&mut fake, &mut me, 5, with(Some(street.clone())));
    assert!(report.limits_changed, "new limits are reported as taken");
    assert_eq!(fake.street_limits().unwrap(), street, "and held");
    let (report, _) = run(&mut fake, &mut me, 5, with(Some(street.clone())));
    assert!(
        !report.limits_changed,
        "the same limits again change nothing (no re-projection)"
    );
    let nonsense = gridline_model::StreetLimits {
        urgent_hours: 0,
        ..street.clone()
    };
    let (report, _) = run(&mut fake, &mut me, 5, with(Some(nonsense)));
    assert!(
        !report.limits_changed && fake.street_limits().unwrap() == street,
        "limits the model refuses are not taken: the held ones stay"
    );
    let (report, _) = run(&mut fake, &mut me, 5, with(None));
    assert!(
        !report.limits_changed && fake.street_limits().unwrap() == street,
        "an older hub's reply without limits keeps the held ones"
    );
}

#[test]
fn the_people_directory_is_held_once_echoed_and_brings_place_names() {
    let (mut fake, mut me) = (Fake::default(), worker());
    let hub = &Hub::default();
    let dir = gridline_sync::Directory {
        version: "00aa11bb22cc33dd".into(),
        people: vec![gridline_sync::Person {
            id: "gw-2".into(),
            name: "李娜".into(),
            role: "grid-worker".into(),
            unit: GRID.into(),
            revoked: false,
        }],
        places: [(GRID.to_owned(), "第1网格".to_owned())].into(),
    };
    // The hub's rule, played by hand: the directory only for another version.
    let answer = |req: &SyncRequest| SyncResponse {
        directory: (req.directory.as_deref() != Some(dir.version.as_str())).then(|| dir.clone()),
        ..hub.reply(req.cursor)
    };
    let (report, sent) = run(&mut fake, &mut me, 5, answer);
    assert_eq!(
        sent[0].directory.as_deref(),
        Some(""),
        "a device holding no directory says so, and is sent it"
    );
    assert!(report.people_changed, "the directory is reported as taken");
    assert_eq!(
        fake.meta(crate::people::VERSION_KEY).unwrap().as_deref(),
        Some("00aa11bb22cc33dd"),
        "its version is held"
    );
    assert!(
        fake.meta("people").unwrap().unwrap().contains("李娜"),
        "and its people"
    );
    assert!(
        fake.meta("place_names")
            .unwrap()
            .unwrap()
            .contains("第1网格"),
        "and its place names, for a device enrolled before the hub sent them"
    );
    let (report, sent) = run(&mut fake, &mut me, 5, answer);
    assert_eq!(
        sent[0].directory.as_deref(),
        Some("00aa11bb22cc33dd"),
        "the next request echoes the version held"
    );
    assert!(!report.people_changed, "and nothing comes back for it");
}
