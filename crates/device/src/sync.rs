//! The device's side of sync: enrolment, building a request from unsent
//! changes, applying the hub's reply (sans-IO), and the HTTP round trip.
//!
//! A retry never duplicates or loses a change: pushes are Automerge changes,
//! which the hub applies idempotently, and the device marks a document in sync
//! only for the heads the hub acknowledged. The cursor advances only after a
//! page's documents are saved, so an interrupted sync repeats a page at worst.

use automerge::ChangeHash;
use gridline_model::permission::{self, Action};
use gridline_model::{text, Text};
use gridline_model::{Instant, RecordId, Role, Scope, User};
use gridline_records::Record;
use gridline_store::{Origin, Saved};
use gridline_sync::{
    DocSync, PullDoc, PushDoc, RefusalCode, SyncRequest, SyncResponse, DEFAULT_PAGE,
    PROTOCOL_VERSION,
};

use crate::{Device, Error, Result};

/// Documents pushed per request: the hub's limit (it refuses more).
pub const PUSH_BATCH: usize = gridline_sync::MAX_PUSH_ENTRIES;

/// Bytes of changes pushed per request: half the hub's body limit, so the
/// request with its ids and heads stays well under it.
pub const PUSH_BYTES: usize = gridline_sync::MAX_REQUEST_BYTES / 2;

/// What a request left out of the device's unsent changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Batch {
    /// Every unsent change is in this request (or can never be sent).
    pub complete: bool,
    /// Documents whose changes alone pass the hub's per-document limit.
    pub oversized: Vec<String>,
}

/// What one sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub round_trips: usize,
    pub pushed: usize,
    pub acknowledged: usize,
    pub refused: Vec<(String, Text)>,
    pub pulled: usize,
    /// Documents that left this device's scope and were removed.
    pub removed: usize,
    /// Received documents this device could not take, with why.
    pub skipped: Vec<(String, Text)>,
    pub bytes_sent: usize,
    pub bytes_received: usize,
}

/// Progress of a long sync, for a progress bar: documents received of the total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub received: u64,
    pub total: Option<u64>,
}

/// What the hub tells a device when it enrols.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrolled {
    pub hub_url: String,
    pub token: String,
    pub user: User,
    pub hub_actor: String,
}

fn parse_heads(hex: &str) -> Vec<ChangeHash> {
    hex.split(',').filter_map(|h| h.parse().ok()).collect()
}

impl Device {
    pub fn is_enrolled(&self) -> bool {
        self.identity.mode == "enrolled"
    }

    /// Takes the hub's binding: its user, role and scope win over anything set
    /// locally. Records made in trial mode are retired (kept, never synced).
    pub fn accept_enrolment(&mut self, e: &Enrolled) -> Result<usize> {
        let retired = self.store.retire_trial_records()?;
        self.identity.user = e.user.clone();
        self.identity.hub_actor = e.hub_actor.clone();
        self.identity.mode = "enrolled".into();
        self.identity.save(&self.store)?;
        self.store.set_meta("hub_url", &e.hub_url)?;
        self.store.set_meta("token", &e.token)?;
        self.store.set_meta("sync_cursor", "0")?;
        Ok(retired)
    }

    fn cursor(&self) -> Result<u64> {
        Ok(self
            .store
            .meta("sync_cursor")?
            .and_then(|c| c.parse().ok())
            .unwrap_or(0))
    }

    /// The hub's Automerge sync messages waiting for an answer (after a
    /// `missing_deps` refusal): document id and message, in `meta.am_sync`
    /// as `id:hex` pairs separated by commas.
    fn waiting_sync(&self) -> Result<Vec<(String, Vec<u8>)>> {
        Ok(self
            .store
            .meta("am_sync")?
            .unwrap_or_default()
            .split(',')
            .filter_map(|pair| {
                let (id, msg) = pair.split_once(':')?;
                Some((id.to_owned(), hex::decode(msg).ok()?))
            })
            .collect())
    }

    fn set_waiting_sync(&mut self, waiting: &[(String, Vec<u8>)]) -> Result<()> {
        let text: Vec<String> = waiting
            .iter()
            .map(|(id, msg)| format!("{id}:{}", hex::encode(msg)))
            .collect();
        self.store.set_meta("am_sync", &text.join(","))?;
        Ok(())
    }

    /// Whether the device has something to tell the hub beyond its unsent
    /// changes: a fresh actor to announce, or sync messages to answer. A sync
    /// goes on while it has.
    pub fn has_more_to_say(&self) -> Result<bool> {
        Ok(
            !self.store.meta("new_actor")?.unwrap_or_default().is_empty()
                || !self.store.meta("am_sync")?.unwrap_or_default().is_empty(),
        )
    }

    /// Answers the hub's sync message about one document: the changes the
    /// hub lacks, found from its heads and bloom filter (Automerge's own sync
    /// protocol, one exchange from a fresh state on each side).
    fn answer_sync(&self, id: &str, hub_msg: &[u8]) -> Result<Option<DocSync>> {
        let Ok(rid) = RecordId::parse_str(id) else {
            return Ok(None);
        };
        let Some((_, bytes)) = self.store.load(rid)? else {
            return Ok(None);
        };
        let mut doc = gridline_records::load(&bytes, &self.identity.actor)?;
        let heads = gridline_records::heads_hex(&mut doc);
        let Ok(msg) = automerge::sync::Message::decode(hub_msg) else {
            return Ok(None);
        };
        let answer = answer_for(&mut doc, msg)?;
        Ok(answer.map(|m| DocSync {
            id: id.to_owned(),
            msg: m.encode(),
            heads: heads
                .split(',')
                .filter(|h| !h.is_empty())
                .map(str::to_owned)
                .collect(),
        }))
    }

    /// The next request: unsent changes (up to a batch) and the cursor.
    pub fn sync_request(&self, want_total: bool) -> Result<SyncRequest> {
        Ok(self.sync_batch(want_total)?.0)
    }

    /// [`Device::sync_request`], and what it left out: a batch holds at most
    /// [`PUSH_BATCH`] documents and [`PUSH_BYTES`] of changes, so it always
    /// fits the hub's budgets; a document whose changes alone pass the hub's
    /// 1 MiB is never sent (it would make every request 413) and is named.
    pub fn sync_batch(&self, want_total: bool) -> Result<(SyncRequest, Batch)> {
        self.sync_batch_within(want_total, gridline_sync::MAX_ENTRY_BYTES, PUSH_BYTES)
    }

    /// [`Device::sync_batch`] with the limits given: a document whose changes
    /// pass `max_entry` bytes is left out and named; the batch stops before
    /// `max_bytes` of changes (but always holds one document).
    pub fn sync_batch_within(
        &self,
        want_total: bool,
        max_entry: usize,
        max_bytes: usize,
    ) -> Result<(SyncRequest, Batch)> {
        if !self.is_enrolled() {
            return Err(Error::NotEnrolled);
        }
        let mut batch = Batch {
            complete: true,
            oversized: Vec::new(),
        };
        // Answers to the hub's sync messages first, within the same limits:
        // one too large is left out, and its document goes as a whole push
        // below (where an oversized one is named), so no request is ever 413.
        let mut sync = Vec::new();
        let mut bytes = 0usize;
        for (id, msg) in self.waiting_sync()? {
            let Some(answer) = self.answer_sync(&id, &msg)? else {
                continue;
            };
            if answer.msg.len() > max_entry {
                continue;
            }
            if sync.len() == PUSH_BATCH
                || (!sync.is_empty() && bytes + answer.msg.len() > max_bytes)
            {
                batch.complete = false;
                break;
            }
            bytes += answer.msg.len();
            sync.push(answer);
        }
        let mut push = Vec::new();
        let unsent = self.store.unsent(PUSH_BATCH)?;
        let fetched = unsent.len();
        let mut skipped = 0usize;
        for u in unsent {
            if sync.len() + push.len() == PUSH_BATCH {
                batch.complete = false;
                break;
            }
            if sync.iter().any(|m| m.id == u.id.to_string()) {
                skipped += 1;
                continue; // its changes travel in the sync message
            }
            let mut doc = gridline_records::load(&u.bytes, &self.identity.actor)?;
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
                break;
            }
            bytes += changes.len();
            push.push(PushDoc {
                id: u.id.to_string(),
                changes,
                heads: u
                    .heads
                    .split(',')
                    .filter(|h| !h.is_empty())
                    .map(str::to_owned)
                    .collect(),
            });
        }
        // A full fetch may have more behind it, unless every document in it
        // is one that can never be sent.
        if fetched == PUSH_BATCH && batch.oversized.len() < fetched.saturating_sub(skipped).max(1) {
            batch.complete = false;
        }
        let req = SyncRequest {
            v: PROTOCOL_VERSION,
            cursor: self.cursor()?,
            page: DEFAULT_PAGE,
            want_total,
            new_actor: self.store.meta("new_actor")?.filter(|a| !a.is_empty()),
            am_sync: !push.is_empty() || !sync.is_empty(),
            push,
            sync,
        };
        Ok((req, batch))
    }

    /// Applies the hub's reply to `req`. Returns how many documents it pulled.
    pub fn apply_sync(
        &mut self,
        req: &SyncRequest,
        resp: SyncResponse,
        now: Instant,
        report: &mut SyncReport,
    ) -> Result<()> {
        if resp.hub_actor != self.identity.hub_actor {
            self.identity.hub_actor = resp.hub_actor.clone();
            self.identity.save(&self.store)?;
        }
        if req.new_actor.is_some() {
            // The hub registered the fresh actor; stop announcing it.
            self.store.set_meta("new_actor", "")?;
        }
        report.pushed += req.push.len() + req.sync.len();
        // Sync messages the hub has now answered (acknowledged or refused),
        // replaced by the ones it sent this time.
        let mut waiting = self.waiting_sync()?;
        let before = waiting.len();
        waiting.retain(|(id, _)| !req.sync.iter().any(|m| m.id == *id));
        for m in &resp.sync {
            waiting.retain(|(id, _)| *id != m.id);
            waiting.push((m.id.clone(), m.msg.clone()));
        }
        if before > 0 || !waiting.is_empty() {
            self.set_waiting_sync(&waiting)?;
        }
        let mut replaced = Vec::new();
        let mut rotate = false;
        for r in &resp.refusals {
            let Ok(id) = RecordId::parse_str(&r.id) else {
                continue;
            };
            if r.code == RefusalCode::MissingDeps {
                // Heads disagree. With the hub's sync message, the next
                // request answers it; without (an older hub, or a sync
                // message that still missed some), the hub's copy comes in
                // `docs` when it has one, and the next push goes from there,
                // or is the whole document.
                self.store.forget_ack(id)?;
                continue;
            }
            // Keep ours as a read-only copy, return to the hub's version (or
            // none), and write as a fresh actor from now on.
            self.store.keep_refused(id, &r.reason, now)?;
            match resp.docs.iter().find(|d| d.id == r.id) {
                Some(d) => {
                    let doc = gridline_records::load(&d.bytes, &self.identity.actor)?;
                    let record = Record::read(&doc)?;
                    self.store.replace(id, &d.bytes, &record, now)?;
                }
                None => self.store.remove(id)?,
            }
            replaced.push(r.id.clone());
            report.refused.push((r.id.clone(), r.reason.clone()));
            rotate = true;
        }
        if rotate {
            let fresh = uuid::Uuid::new_v4().as_bytes().to_vec();
            self.identity.actor = fresh.clone();
            self.identity.save(&self.store)?;
            self.store.set_meta("new_actor", &hex::encode(fresh))?;
        }
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
            self.store.acknowledge_all(&acks)?;
        }
        report.acknowledged += acks.len();
        // Received documents: decoded on every core, merged into ours and
        // saved in one transaction, each marked as held by the hub at its heads.
        let incoming: Vec<&PullDoc> = resp
            .docs
            .iter()
            .filter(|d| !replaced.contains(&d.id))
            .collect();
        let mut batch = Vec::new();
        for (d, decoded) in incoming.iter().zip(decode_all(&incoming, self)) {
            // One document this device cannot take (its scope changed on the
            // hub, or it no longer reads) must not stop every later sync:
            // skip it, say so, and go on.
            match decoded.and_then(|x| self.merge_decoded(&d.bytes, x)) {
                Ok(x) => batch.push(x),
                Err(e) => report.skipped.push((d.id.clone(), e.text())),
            }
        }
        report.pulled += batch.len();
        let (saved, records): (Vec<Saved>, Vec<Record>) = batch.into_iter().unzip();
        if !records.is_empty() {
            self.store
                .save_batch(saved.into_iter().zip(&records), Origin::Remote, now)?;
        }
        self.apply_removals(&resp.removals, report)?;
        if resp.cursor != req.cursor {
            self.store
                .set_meta("sync_cursor", &resp.cursor.to_string())?;
        }
        Ok(())
    }
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
fn decode_all(docs: &[&PullDoc], device: &Device) -> Vec<Result<Decoded>> {
    let (actor, user) = (&device.identity.actor, device.user());
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

impl Device {
    /// What to save for a received document: the hub's bytes as they are when
    /// this device holds no copy, else ours merged with it. Either way marked
    /// as held by the hub at the received heads.
    fn merge_decoded(&self, bytes: &[u8], mut x: Decoded) -> Result<(Saved, Record)> {
        let Some((_, local)) = self.store.load(x.record.doc_id())? else {
            let saved = Saved {
                bytes: bytes.to_vec(),
                heads: x.heads.clone(),
                conflicted: x.conflicted,
                acked: Some(x.heads),
            };
            return Ok((saved, x.record));
        };
        let mut doc = gridline_records::load(&local, &self.identity.actor)?;
        doc.merge(&mut x.doc)
            .map_err(gridline_records::Error::from)?;
        let record = Record::read(&doc)?;
        Ok((Saved::of(&mut doc, true).acked(x.heads), record))
    }

    /// Removes documents that left this device's scope, but only once the
    /// hub holds every change this device made to them; until then they wait
    /// in `pending_removals` and are retried after each sync.
    fn apply_removals(&mut self, removals: &[String], report: &mut SyncReport) -> Result<()> {
        let before = self.store.meta("pending_removals")?.unwrap_or_default();
        if before.is_empty() && removals.is_empty() {
            return Ok(());
        }
        let mut waiting: Vec<String> = self
            .store
            .meta("pending_removals")?
            .unwrap_or_default()
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
            match self.store.fully_acknowledged(rid)? {
                None => {}
                Some(true) => {
                    self.store.remove(rid)?;
                    report.removed += 1;
                }
                Some(false) => still.push(id),
            }
        }
        self.store.set_meta("pending_removals", &still.join(","))?;
        Ok(())
    }
}

/// Sync state as a user sees it: for the app's banner and the CLI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncStatus {
    pub enrolled: bool,
    pub hub_url: Option<String>,
    /// Documents never sent plus documents with unsent changes.
    pub unsent: i64,
    pub conflicted: i64,
    pub refused_copies: usize,
    pub last_sync_at: Option<String>,
    /// Why the last sync failed (offline, refused), empty when it succeeded.
    pub last_error: Option<Text>,
}

impl Device {
    pub fn sync_status(&self) -> Result<SyncStatus> {
        let counts = self.store.sync_counts()?;
        let meta = |k: &str| -> Result<Option<String>> {
            Ok(self.store.meta(k)?.filter(|v| !v.is_empty()))
        };
        Ok(SyncStatus {
            enrolled: self.is_enrolled(),
            hub_url: meta("hub_url")?,
            unsent: counts.local + counts.pending,
            conflicted: counts.conflicted,
            refused_copies: self.store.refused_copies()?.len(),
            last_sync_at: meta("last_sync_at")?,
            last_error: meta("last_sync_error")?.map(|zh| {
                // Stored by language; a value from before has no English.
                let en = self
                    .store
                    .meta("last_sync_error_en")
                    .ok()
                    .flatten()
                    .filter(|e| !e.is_empty())
                    .unwrap_or_else(|| zh.clone());
                Text::new(zh, en)
            }),
        })
    }
}

/// The bearer token and hub address of an enrolled device.
fn endpoint(device: &Device) -> Result<(String, String)> {
    let url = device.store.meta("hub_url")?.ok_or(Error::NotEnrolled)?;
    let token = device.store.meta("token")?.ok_or(Error::NotEnrolled)?;
    Ok((url, token))
}

/// An HTTP client with timeouts that, besides the usual roots, trusts the
/// hub's own certificate authority when one was given at enrolment (a street
/// hub often has a self-signed certificate).
fn client(ca_pem: Option<&str>) -> Result<reqwest::Client> {
    let mut b = reqwest::Client::builder()
        .connect_timeout(std::time::Duration::from_secs(10))
        .timeout(std::time::Duration::from_secs(120));
    if let Some(pem) = ca_pem.filter(|p| !p.is_empty()) {
        let cert = reqwest::Certificate::from_pem(pem.as_bytes()).map_err(|e| {
            Error::HubRefused(text!(
                "证书无效：{e}",
                "the hub certificate is not valid PEM: {e}"
            ))
        })?;
        b = b.add_root_certificate(cert);
    }
    b.build()
        .map_err(|e| Error::HubRefused(text!("无法建立 HTTP 客户端：{e}", "HTTP client: {e}")))
}

fn offline(e: reqwest::Error) -> Error {
    Error::Offline(if e.is_connect() {
        text!(
            "无法连接街道枢纽；请检查网络和枢纽地址，稍后再试",
            "cannot reach the hub; check the network and the hub address, then try again"
        )
        .into()
    } else if e.is_timeout() {
        text!(
            "连接超时；稍后重试",
            "the hub did not answer in time; try again later"
        )
    } else {
        text!("网络错误：{e}", "network error: {e}")
    })
}

/// The round trip a refusal answered: what a 401 means differs.
#[derive(Clone, Copy)]
enum Call {
    /// A 401 is a wrong, used or expired code.
    Enrol,
    /// A 401 is a token the hub does not know.
    Sync,
}

async fn refused_status(resp: reqwest::Response, call: Call) -> Error {
    let status = resp.status();
    let body = resp.text().await.unwrap_or_default();
    // The hub sends each language apart (`zh`, `en`); anything else (a
    // proxy's page) is shown as it came, in both.
    let message = serde_json::from_str::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| Some(Text::new(v["zh"].as_str()?, v["en"].as_str()?)))
        .unwrap_or_else(|| Text::new(body.clone(), body));
    match (status.as_u16(), call) {
        (401, Call::Enrol) => Error::HubRefused(message.then(&text!(
            "请核对注册码，或请枢纽管理员发一个新的注册码",
            "check the code or ask the hub admin for a new one"
        ))),
        (401, Call::Sync) => {
            Error::HubRefused(message.then(&text!("请重新注册设备", "enrol the device again")))
        }
        (403, _) => Error::HubRefused(message),
        _ => Error::HubRefused(message.after(&Text::new(
            format!("HTTP {status}"),
            format!("HTTP {status}"),
        ))),
    }
}

/// Exchanges a one-time code for a binding with the hub at `hub_url`. A
/// malformed code ([`gridline_sync::enrol_code`]) is refused here, before
/// anything is sent, as [`Error::Invalid`].
/// `ca_pem`: the hub's certificate (or its CA) in PEM, for an HTTPS hub whose
/// certificate is not signed by a public authority; kept for later syncs.
pub async fn enroll(
    device: &mut Device,
    hub_url: &str,
    code: &str,
    ca_pem: Option<&str>,
) -> Result<(Enrolled, usize)> {
    // A malformed code cannot be right: say so before anything is sent.
    let code = gridline_sync::enrol_code::normalise(code)?;
    let url = format!("{}/v1/enroll", hub_url.trim_end_matches('/'));
    let http = client(ca_pem)?;
    let body = serde_json::json!({ "code": code, "device_id": device.identity.device_id, "actor": device.identity.actor_hex() });
    let resp = http
        .post(&url)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .map_err(offline)?;
    if !resp.status().is_success() {
        return Err(refused_status(resp, Call::Enrol).await);
    }
    let v: serde_json::Value = serde_json::from_str(&resp.text().await.map_err(offline)?)
        .map_err(|e| Error::HubRefused(text!("枢纽的回复无法读取：{e}", "bad reply: {e}")))?;
    let s = |k: &str| {
        v[k].as_str()
            .map(str::to_owned)
            .ok_or_else(|| Error::HubRefused(text!("枢纽的回复缺少 {k}", "bad reply: no {k}")))
    };
    let user = User {
        id: s("user_id")?,
        name: s("user_name")?,
        role: Role::parse(&s("role")?)?,
        scope: Scope::parse(&s("scope")?)?,
    };
    let e = Enrolled {
        hub_url: hub_url.trim_end_matches('/').to_owned(),
        token: s("token")?,
        user,
        hub_actor: s("hub_actor")?,
    };
    let retired = device.accept_enrolment(&e)?;
    device
        .store
        .set_meta("hub_ca", ca_pem.unwrap_or_default())?;
    Ok((e, retired))
}

/// Why a document was not sent: its changes alone pass the hub's limit.
const OVERSIZED: (&str, &str) = (
    "此记录的改动超过 1 MiB，无法同步；请导出后交管理员处理",
    "this record's changes pass 1 MiB and cannot be synced; export it and give it to the hub admin",
);

/// Syncs until nothing is left to push and no page is left to pull.
pub async fn sync(device: &mut Device, progress: impl FnMut(Progress)) -> Result<SyncReport> {
    let result = sync_rounds(device, progress).await;
    // What the app shows: when the last sync finished, and why the last one failed.
    let now = gridline_records::fmt_time(chrono::Utc::now());
    match &result {
        Ok(_) => device.store.set_metas(&[
            ("last_sync_at", &now),
            ("last_sync_error", ""),
            ("last_sync_error_en", ""),
        ])?,
        Err(e) => {
            let t = e.text();
            device
                .store
                .set_metas(&[("last_sync_error", &t.zh), ("last_sync_error_en", &t.en)])?
        }
    }
    result
}

async fn sync_rounds(
    device: &mut Device,
    mut progress: impl FnMut(Progress),
) -> Result<SyncReport> {
    let (url, token) = endpoint(device)?;
    let url = format!("{url}/v1/sync");
    let http = client(device.store.meta("hub_ca")?.as_deref())?;
    let mut report = SyncReport::default();
    let mut received = 0u64;
    let mut total = None;
    let post = |req: &SyncRequest| {
        let body = gridline_sync::encode(req);
        let sent = body.len();
        let call = http
            .post(&url)
            .bearer_auth(&token)
            .header("content-type", "application/cbor")
            .body(body);
        // Its own task: on a runtime with more than one worker it runs while
        // this one saves the previous page.
        let task = tokio::spawn(async move {
            let resp = call.send().await.map_err(offline)?;
            if !resp.status().is_success() {
                return Err(refused_status(resp, Call::Sync).await);
            }
            let bytes = resp.bytes().await.map_err(offline)?;
            let decoded =
                gridline_sync::decode_response(&bytes).map_err(|e| Error::HubRefused(e.text()))?;
            Ok((bytes.len(), decoded))
        });
        (sent, task)
    };
    let mut ahead = None;
    let mut pushed_all = true;
    // Bounded: a street is ~600,000 documents, 2,000 a page.
    for round in 0..10_000 {
        let (req, (sent, task)) = match ahead.take() {
            Some(x) => x,
            None => {
                let (req, batch) = device.sync_batch(round == 0)?;
                pushed_all = batch.complete;
                for id in batch.oversized {
                    if !report.skipped.iter().any(|(i, _)| *i == id) {
                        report
                            .skipped
                            .push((id, Text::new(OVERSIZED.0, OVERSIZED.1)));
                    }
                }
                let call = post(&req);
                (req, call)
            }
        };
        report.bytes_sent += sent;
        let (len, resp) = task
            .await
            .map_err(|e| Error::HubRefused(text!("同步任务失败：{e}", "sync task: {e}")))??;
        report.bytes_received += len;
        report.round_trips += 1;
        if let Some(t) = resp.total {
            total = Some(t);
        }
        received += resp.docs.len() as u64;
        let more = resp.more;
        // A plain page (nothing pushed, nothing refused, no actor to
        // announce): the next request is known already, so ask for it now and
        // save this page while the hub prepares it. Pages are read-only on the
        // hub, so asking early is harmless if saving this one fails.
        if more
            && req.push.is_empty()
            && req.sync.is_empty()
            && req.new_actor.is_none()
            && resp.refusals.is_empty()
        {
            let next = SyncRequest {
                cursor: resp.cursor,
                want_total: false,
                ..req.clone()
            };
            let call = post(&next);
            ahead = Some((next, call));
        }
        device.apply_sync(&req, resp, chrono::Utc::now(), &mut report)?;
        progress(Progress { received, total });
        if !more && pushed_all && !device.has_more_to_say()? {
            return Ok(report);
        }
    }
    Err(Error::HubRefused(text!(
        "同步未完成：往返次数超过上限；请再次同步",
        "sync did not finish within its round-trip bound; sync again"
    )))
}

/// The answer to the hub's sync message about one document: the changes
/// the hub lacks. Automerge's own sync protocol finds them from the hub's
/// heads and bloom filter; but the filter has false positives (about one
/// change in a hundred is wrongly taken as the hub's, and a missed first
/// change leaves the rest undeliverable), and the hub answers only once.
/// So when this document holds every head the hub named (the usual case:
/// the hub lost changes made here), the answer is exactly the changes after
/// those heads.
fn answer_for(
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
    let Some(theirs) = state.their_heads.clone() else {
        return Ok(answer);
    };
    if !theirs.iter().all(|h| doc.get_change_by_hash(h).is_some()) {
        return Ok(answer);
    }
    let exact: Vec<Vec<u8>> = doc
        .get_changes(&theirs)
        .iter_mut()
        .map(|c| c.bytes().into_owned())
        .collect();
    if exact.is_empty() {
        return Ok(None);
    }
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

#[cfg(test)]
mod tests {
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
            assert!(tries < 100_000, "no false positive found");
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

        let answer = super::answer_for(&mut device, msg).unwrap().unwrap();
        let mut after = hub_receives(&hub, answer);
        assert!(after.get_missing_deps(&[]).is_empty());
        assert_eq!(after.get_heads(), device.get_heads());
    }

    /// When the hub holds changes this device lacks, its heads are unknown
    /// here and the answer is Automerge's own, which still delivers.
    #[test]
    fn heads_unknown_here_get_automerges_own_answer() {
        let mut hub = AutoCommit::new();
        hub.put(ROOT, "step", 1).unwrap();
        hub.commit();
        let mut device = hub.fork();
        hub.put(ROOT, "hub", "only on the hub").unwrap();
        hub.commit();
        device.put(ROOT, "notes", "only here").unwrap();
        device.commit();
        let msg = hub.sync().generate_sync_message(&mut State::new()).unwrap();
        let answer = super::answer_for(&mut device, msg).unwrap().unwrap();
        let mut after = hub_receives(&hub, answer);
        assert!(after.get_missing_deps(&[]).is_empty());
        assert_eq!(after.get_changes(&[]).len(), 3);
    }
}
