//! Wire messages, CBOR-encoded, versioned.

use gridline_model::{text, Text};
use serde::{Deserialize, Serialize};

/// The protocol version this build speaks; a hub refuses others with a clear error.
pub const PROTOCOL_VERSION: u32 = 1;

/// The largest sync request body a hub accepts.
pub const MAX_REQUEST_BYTES: usize = 16 * 1024 * 1024;

/// Documents per reply page when the device does not ask for fewer; a
/// `page` outside 1..=DEFAULT_PAGE is clamped into it.
pub const DEFAULT_PAGE: u32 = 2000;

/// Entries (`push` and `sync` together) one request may carry.
pub const MAX_PUSH_ENTRIES: usize = 500;

/// Bytes of changes (or of a sync message) in one entry.
pub const MAX_ENTRY_BYTES: usize = 1024 * 1024;

/// Bytes of a document id (ids are UUIDs: 36).
pub const MAX_ID_BYTES: usize = 64;

/// Heads one entry may name (a document has one head, or a few after merges).
pub const MAX_HEADS: usize = 64;

/// Bytes of one head: a SHA-256 change hash in hex.
pub const HEAD_HEX_BYTES: usize = 64;

/// The largest cursor: the hub's counter is a signed 64-bit integer.
pub const MAX_CURSOR: u64 = i64::MAX as u64;

/// Automerge changes the hub applies for one request; entries past it are
/// deferred (listed in `deferred`, sent again next round), never refused.
pub const MAX_CHANGES_PER_REQUEST: usize = 20_000;

/// Document bytes in one reply page; the page ends early (`more`) rather
/// than pass it, but always carries at least one document.
pub const MAX_REPLY_BYTES: usize = 8 * 1024 * 1024;

/// Milliseconds the hub works on one request's pushes while it holds its
/// write lock; entries past it are deferred like those past
/// [`MAX_CHANGES_PER_REQUEST`]. The first entry is always looked at.
pub const PUSH_STEP_MILLIS: u64 = 50;

/// Characters of a reveal's reason: the device refuses a longer one when it
/// is typed, and the hub refuses an entry that carries one.
pub const MAX_REASON_CHARS: usize = gridline_model::limits::MAX_REVEAL_REASON;

/// Bytes of a reveal's reason on the wire (four per character at most):
/// past it the whole request is refused while its budget is checked.
pub const MAX_REASON_BYTES: usize = 4 * MAX_REASON_CHARS;

/// Bytes of a reveal's user id or name (and of its time and `via`).
pub const MAX_WHO_BYTES: usize = 256;

/// Seconds a reveal's time may be ahead of the hub's clock (device clocks
/// drift); an entry further in the future is refused.
pub const REVEAL_SKEW_SECS: i64 = 300;

/// The ways a device shows ID numbers in full, as `RevealEntry::via` says them.
pub const REVEAL_VIA: [&str; 3] = ["app", "cli", "export"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncRequest {
    pub v: u32,
    /// The hub counter value up to which this device holds every change in its scope.
    pub cursor: u64,
    /// At most this many documents in the reply (1..=DEFAULT_PAGE).
    pub page: u32,
    /// Ask for the number of documents still to come (first page of a long sync).
    pub want_total: bool,
    /// A fresh actor id (hex) the device will write as from now on, after a refusal.
    pub new_actor: Option<String>,
    #[serde(deserialize_with = "at_most_entries")]
    pub push: Vec<PushDoc>,
    /// Answers to the hub's Automerge sync messages (after `missing_deps`):
    /// the changes the hub lacks, found from its heads and bloom filter.
    /// Absent when empty, so older messages are unchanged.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "at_most_entries"
    )]
    pub sync: Vec<DocSync>,
    /// The device answers a `missing_deps` refusal with an Automerge sync
    /// message. Sent (as `true`) only with pushes; absent means it does not,
    /// and the hub sends its copy of the document instead.
    #[serde(default, skip_serializing_if = "is_false")]
    pub am_sync: bool,
    /// Reveals of masked ID numbers made on the device that the hub has not
    /// acknowledged (DESIGN §7); sent with every request until they are.
    /// Absent when empty, so older messages are unchanged.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "at_most_entries"
    )]
    pub reveals: Vec<RevealEntry>,
    /// The version of the street's people directory the device holds
    /// ([`Directory::version`]; empty when it holds none). The hub sends
    /// the directory only when its own differs, so "nothing changed" stays
    /// small; absent from older devices, which are sent none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directory: Option<String>,
}

/// Bytes of a directory version a request may name (the hub's are 16).
pub const MAX_DIRECTORY_VERSION_BYTES: usize = 64;

/// The people of the street and its place names, written by the hub from
/// enrolment (DESIGN §3: the hub assigns user, role and scope), so every
/// timeline can say 张伟 (网格员) instead of an id. Nothing more than a
/// person's id, display name, role and unit: no phone number, no token, no
/// device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Directory {
    /// A hash of the rest: the device echoes it in
    /// [`SyncRequest::directory`].
    pub version: String,
    /// Each user enrolled with this hub once, by id.
    pub people: Vec<Person>,
    /// The street's grid and community names by code, as enrolment sends
    /// them ([`crate::EnrollResponse::place_names`]), so a device enrolled
    /// before names were sent learns them too.
    pub places: std::collections::BTreeMap<String, String>,
}

/// One person of the street's directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// The user id events name as their author.
    pub id: String,
    /// The display name as the admin enrolled them.
    pub name: String,
    /// The role's key (`grid-worker`, …); a key this build does not know is
    /// kept and the person shown by name alone.
    pub role: String,
    /// What they act for: their grids' codes (joined by `,`), community or
    /// street code, or department name; empty for a joint-household leader,
    /// whose linked households are not for the whole street to read.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub unit: String,
    /// Every device of theirs is revoked: they are gone, but their name is
    /// still on the records they made. Absent (false) otherwise.
    #[serde(default, skip_serializing_if = "is_false")]
    pub revoked: bool,
}

/// One reveal of a household's ID numbers in full, as the device wrote it
/// before it showed them. The hub audits it once, under its `id`, with the
/// user of the device's binding; `who` is only checked against it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevealEntry {
    /// A UUID v7 minted on the device.
    pub id: String,
    /// When the numbers were shown (RFC 3339).
    pub at: String,
    /// The household whose ID numbers were shown.
    pub household: String,
    pub who: RevealWho,
    /// Why, as the user typed it (trimmed, at most [`MAX_REASON_CHARS`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// One of [`REVEAL_VIA`]: `app`, `cli` or `export`.
    pub via: String,
}

/// The device's user at the time of a reveal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevealWho {
    pub id: String,
    pub name: String,
}

/// Reveals by one user of households in one community in one month
/// (Beijing time), for the community's dashboard: a count, not a ranking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevealCount {
    /// The 12-digit community code.
    pub community: String,
    pub user_id: String,
    pub user_name: String,
    /// `YYYY-MM`, Beijing time.
    pub month: String,
    pub n: u64,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// Marks the decoding error of a list over [`MAX_PUSH_ENTRIES`], so that
/// [`decode_request`] reports it as the budget it is.
const OVER_ENTRIES: &str = "gridline: over the entries budget";

/// Marks the decoding error of a `heads` list over [`MAX_HEADS`].
const OVER_HEADS: &str = "gridline: over the heads budget";

/// A list of at most [`MAX_PUSH_ENTRIES`] entries, refused as soon as one
/// more arrives: a body of 700,000 entries costs no more than one of 501.
fn at_most_entries<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    bounded_list(d, MAX_PUSH_ENTRIES, OVER_ENTRIES)
}

/// An entry's heads, at most [`MAX_HEADS`]: 16 MiB of empty strings would
/// otherwise be millions of allocations before anything is checked.
fn at_most_heads<'de, D>(d: D) -> Result<Vec<String>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    bounded_list(d, MAX_HEADS, OVER_HEADS)
}

fn bounded_list<'de, D, T>(d: D, limit: usize, mark: &'static str) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct Bounded<T> {
        limit: usize,
        mark: &'static str,
        item: std::marker::PhantomData<T>,
    }
    impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Bounded<T> {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "a list of at most {} items", self.limit)
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(self.limit));
            while let Some(x) = seq.next_element()? {
                if out.len() == self.limit {
                    return Err(serde::de::Error::custom(self.mark));
                }
                out.push(x);
            }
            Ok(out)
        }
    }
    d.deserialize_seq(Bounded {
        limit,
        mark,
        item: std::marker::PhantomData,
    })
}

/// An Automerge sync message (`automerge::sync::Message::encode`) about one
/// document: the fallback when the device's and the hub's heads disagree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocSync {
    pub id: String,
    #[serde(with = "serde_bytes")]
    pub msg: Vec<u8>,
    /// From a device: its heads when it made the message (hex), what an ack
    /// then covers. Empty from the hub.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "at_most_heads"
    )]
    pub heads: Vec<String>,
}

/// Changes to one document that the hub has not acknowledged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushDoc {
    pub id: String,
    /// Automerge changes since the heads the hub last acknowledged
    /// (`save_after`), or the whole document when it never did.
    #[serde(with = "serde_bytes")]
    pub changes: Vec<u8>,
    /// The device's heads once these changes are applied (hex).
    #[serde(deserialize_with = "at_most_heads")]
    pub heads: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncResponse {
    pub v: u32,
    /// Pushed documents now durable on the hub, with the heads acknowledged.
    pub acks: Vec<Ack>,
    pub refusals: Vec<Refusal>,
    /// Documents in scope changed since the cursor: the hub's whole document.
    pub docs: Vec<PullDoc>,
    /// Documents that left the device's scope.
    pub removals: Vec<String>,
    /// The cursor to send next time.
    pub cursor: u64,
    /// More pages wait: send again with the new cursor.
    pub more: bool,
    /// Documents still to come including this page, when asked.
    pub total: Option<u64>,
    /// The hub's own actor id (hex), whose claim grants every replica trusts.
    pub hub_actor: String,
    /// For pushes refused with `missing_deps` from a device that set
    /// `am_sync`: the hub's Automerge sync message (its heads and a bloom
    /// filter of its changes) for the device to answer. Absent when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sync: Vec<DocSync>,
    /// Pushed entries the hub did not look at this time (over the request's
    /// time or change budget): neither acknowledged nor refused. `more` is
    /// set; send them again. Absent when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deferred: Vec<String>,
    /// The street's time limits as its admin set them (the hub's defaults
    /// until then); sent on every response, so a device folds deadlines as
    /// the street has them. Absent from hubs that predate it: the device
    /// keeps the limits it holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<gridline_model::StreetLimits>,
    /// Ids of the request's reveals the hub now holds (durably audited),
    /// including ones it already held. Absent when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reveal_acks: Vec<String>,
    /// The request's reveals the hub refused (malformed, from the future,
    /// naming another user): the device keeps them with the reason and does
    /// not send them again. Absent when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reveal_refusals: Vec<Refusal>,
    /// For community and street staff: reveals per user per month in the
    /// communities of their scope over the last 12 months, by community,
    /// name and month. Absent for other roles and from older hubs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reveal_counts: Option<Vec<RevealCount>>,
    /// The admin asked for this device to be wiped (`hub wipe`): it erases
    /// its store and key once the hub holds everything it had, then posts
    /// `/v1/wiped`. Absent (false) otherwise.
    #[serde(default, skip_serializing_if = "is_false")]
    pub wipe: bool,
    /// The street's people directory, when the request named another
    /// version than the hub's (or none). Absent when the device's copy is
    /// current, to older devices and from older hubs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directory: Option<Directory>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ack {
    pub id: String,
    pub heads: Vec<String>,
}

/// Why the hub refused a pushed document. The device keeps its version as a
/// read-only copy and continues under a fresh actor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    pub id: String,
    pub code: RefusalCode,
    /// For a person, in both languages: `{"zh": …, "en": …}`.
    pub reason: Text,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalCode {
    /// Outside the device's write scope, or not a kind its role may write.
    /// Said the same way whether or not the document exists on the hub.
    NotPermitted,
    /// A change made by an actor not bound to this device.
    ForgedActor,
    /// An event naming another user or role than the device's binding.
    ForgedAuthor,
    /// Not a Gridline record, or changes that do not load.
    Malformed,
    /// The changes depend on ones the hub does not have: send the whole document.
    MissingDeps,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullDoc {
    pub id: String,
    pub seq: u64,
    #[serde(with = "serde_bytes")]
    pub bytes: Vec<u8>,
}

#[derive(Debug)]
pub enum WireError {
    Malformed(Text),
    Version {
        got: u32,
    },
    /// Over one of the request's budgets: nothing was done.
    OverBudget {
        what: &'static str,
        what_zh: &'static str,
        limit: u64,
        got: u64,
    },
}

impl WireError {
    /// What went wrong and what to do, in both languages.
    pub fn text(&self) -> Text {
        match self {
            WireError::Malformed(m) => m.after(&text!("消息格式错误", "malformed message")),
            WireError::Version { got } => text!(
                "不支持协议版本 {got}（本端为 {PROTOCOL_VERSION}）；请更新 gridline",
                "protocol version {got} is not supported; this side speaks {PROTOCOL_VERSION}; update gridline"
            ),
            WireError::OverBudget {
                what,
                what_zh,
                limit,
                got,
            } => text!(
                "请求超出限制：{what_zh}最多 {limit}，收到 {got}；请分批发送",
                "over budget: at most {limit} {what}, got {got}; send it in smaller requests"
            ),
        }
    }
}

impl std::fmt::Display for WireError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.text().fmt(f)
    }
}

impl std::error::Error for WireError {}

pub fn encode<T: Serialize>(msg: &T) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(msg, &mut out).expect("writing CBOR to a Vec cannot fail");
    out
}

/// Exactly one CBOR item: bytes after it are refused, so two concatenated
/// messages are not read as the first.
fn decode_one<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, WireError> {
    let mut rest = bytes;
    let value: T = ciborium::from_reader(&mut rest).map_err(|e| {
        WireError::Malformed(Text::new(
            format!("无法读取：{e}"),
            format!("cannot be read: {e}"),
        ))
    })?;
    if !rest.is_empty() {
        return Err(WireError::Malformed(Text::new(
            format!(
                "请求之后还有 {} 字节；每个请求只发送一个 CBOR 项",
                rest.len()
            ),
            format!(
                "{} bytes after the message; send exactly one CBOR item per body",
                rest.len()
            ),
        )));
    }
    Ok(value)
}

/// Decodes a request and checks its version and every width and budget a
/// hub enforces before it does any work ([`SyncRequest::check_budget`]).
pub fn decode_request(bytes: &[u8]) -> Result<SyncRequest, WireError> {
    let r: SyncRequest = decode_one(bytes).map_err(|e| match e {
        WireError::Malformed(m) if m.contains(OVER_ENTRIES) => WireError::OverBudget {
            what: "documents per request (push or sync)",
            what_zh: "每个请求的文档数（push 或 sync）",
            limit: MAX_PUSH_ENTRIES as u64,
            got: MAX_PUSH_ENTRIES as u64 + 1,
        },
        WireError::Malformed(m) if m.contains(OVER_HEADS) => WireError::OverBudget {
            what: "heads per document",
            what_zh: "单个文档的 heads 数",
            limit: MAX_HEADS as u64,
            got: MAX_HEADS as u64 + 1,
        },
        e => e,
    })?;
    if r.v != PROTOCOL_VERSION {
        return Err(WireError::Version { got: r.v });
    }
    r.check_budget()?;
    Ok(r)
}

pub fn decode_response(bytes: &[u8]) -> Result<SyncResponse, WireError> {
    let r: SyncResponse = decode_one(bytes)?;
    if r.v != PROTOCOL_VERSION {
        return Err(WireError::Version { got: r.v });
    }
    Ok(r)
}

impl SyncRequest {
    /// Every width and count the protocol document gives, checked before any
    /// work: a request over one is refused whole, and nothing is applied.
    pub fn check_budget(&self) -> Result<(), WireError> {
        let over = |what, what_zh, limit: usize, got: usize| WireError::OverBudget {
            what,
            what_zh,
            limit: limit as u64,
            got: got as u64,
        };
        if self.cursor > MAX_CURSOR {
            return Err(WireError::Malformed(Text::new(
                format!("游标 {} 超出范围；请用枢纽给的游标", self.cursor),
                format!(
                    "cursor {} is out of range: at most {MAX_CURSOR}; send the cursor the hub gave",
                    self.cursor
                ),
            )));
        }
        if let Some(v) = &self.directory {
            if v.len() > MAX_DIRECTORY_VERSION_BYTES {
                return Err(over(
                    "bytes of a directory version",
                    "目录版本的字节数",
                    MAX_DIRECTORY_VERSION_BYTES,
                    v.len(),
                ));
            }
        }
        let entries = self.push.len() + self.sync.len();
        if entries > MAX_PUSH_ENTRIES {
            return Err(over(
                "documents per request",
                "每个请求的文档数",
                MAX_PUSH_ENTRIES,
                entries,
            ));
        }
        if let Some(a) = &self.new_actor {
            if a.is_empty()
                || a.len() > 64
                || !a.bytes().all(|b| b.is_ascii_hexdigit())
                || a.len() % 2 != 0
            {
                return Err(WireError::Malformed(text!(
                    "new_actor 须为 1 到 32 字节的十六进制",
                    "new_actor must be 1 to 32 bytes in hex"
                )));
            }
        }
        if self.reveals.len() > MAX_PUSH_ENTRIES {
            return Err(over(
                "reveals per request",
                "每个请求的查看记录数",
                MAX_PUSH_ENTRIES,
                self.reveals.len(),
            ));
        }
        let mut reveal_ids = std::collections::HashSet::new();
        for r in &self.reveals {
            if !reveal_ids.insert(r.id.as_str()) {
                return Err(WireError::Malformed(text!(
                    "查看记录 {} 在请求中出现两次；每条只发送一次",
                    "reveal {} appears twice in the request; send each once",
                    r.id
                )));
            }
            let widths = [
                (r.id.len(), MAX_ID_BYTES, "id"),
                (r.household.len(), MAX_ID_BYTES, "household"),
                (r.at.len(), MAX_WHO_BYTES, "at"),
                (r.via.len(), MAX_WHO_BYTES, "via"),
                (r.who.id.len(), MAX_WHO_BYTES, "who.id"),
                (r.who.name.len(), MAX_WHO_BYTES, "who.name"),
            ];
            if let Some((_, limit, field)) = widths.iter().find(|(n, l, _)| *n == 0 || n > l) {
                return Err(WireError::Malformed(text!(
                    "查看记录的 {field} 须为 1 到 {limit} 字节",
                    "a reveal's {field} must be 1 to {limit} bytes"
                )));
            }
            let reason = r.reason.as_deref().map_or(0, str::len);
            if reason > MAX_REASON_BYTES {
                return Err(over(
                    "bytes of a reveal's reason",
                    "查看理由的字节数",
                    MAX_REASON_BYTES,
                    reason,
                ));
            }
        }
        let entries = self
            .push
            .iter()
            .map(|p| (&p.id, p.changes.len(), &p.heads))
            .chain(self.sync.iter().map(|m| (&m.id, m.msg.len(), &m.heads)));
        let mut seen = std::collections::HashSet::new();
        for (id, bytes, heads) in entries {
            // One entry per document: a repeated id would only repeat work.
            if !seen.insert(id.as_str()) {
                return Err(WireError::Malformed(text!(
                    "文档 {id} 在请求中出现两次；每个文档只发送一次",
                    "document {id} appears twice in the request; send each document once"
                )));
            }
            if id.is_empty() || id.len() > MAX_ID_BYTES {
                return Err(WireError::Malformed(text!(
                    "文档编号须为 1 到 {MAX_ID_BYTES} 字节",
                    "a document id must be 1 to {MAX_ID_BYTES} bytes"
                )));
            }
            if bytes > MAX_ENTRY_BYTES {
                return Err(over(
                    "bytes of changes in one document",
                    "单个文档的变更字节数",
                    MAX_ENTRY_BYTES,
                    bytes,
                ));
            }
            if heads.len() > MAX_HEADS {
                return Err(over(
                    "heads per document",
                    "单个文档的 heads 数",
                    MAX_HEADS,
                    heads.len(),
                ));
            }
            if let Some(h) = heads
                .iter()
                .find(|h| h.len() != HEAD_HEX_BYTES || !h.bytes().all(|b| b.is_ascii_hexdigit()))
            {
                return Err(WireError::Malformed(Text::new(
                    format!("文档 {id} 的 head 不是 64 位十六进制"),
                    format!(
                        "a head of {id} is not 64 hex digits: {:?}",
                        h.chars().take(80).collect::<String>()
                    ),
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip_and_bytes_stay_bytes() {
        let req = SyncRequest {
            v: PROTOCOL_VERSION,
            cursor: 42,
            page: DEFAULT_PAGE,
            want_total: true,
            new_actor: None,
            push: vec![PushDoc {
                id: "x".into(),
                changes: vec![1, 2, 3],
                heads: vec!["ab".repeat(32)],
            }],
            sync: vec![],
            am_sync: false,
            reveals: Vec::new(),
            directory: None,
        };
        let bytes = encode(&req);
        assert_eq!(
            decode_request(&bytes).unwrap(),
            req,
            "a request survives encoding"
        );
        // CBOR byte strings, not arrays of integers: 3 bytes cost 4 on the wire.
        assert!(
            bytes.windows(4).any(|w| w == [0x43, 1, 2, 3]),
            "changes travel as a byte string"
        );
    }

    #[test]
    fn the_fallback_fields_are_on_the_wire_only_when_used() {
        let mut req = SyncRequest {
            v: PROTOCOL_VERSION,
            cursor: 7,
            page: DEFAULT_PAGE,
            want_total: false,
            new_actor: None,
            push: vec![],
            sync: vec![],
            am_sync: false,
            reveals: Vec::new(),
            directory: None,
        };
        let plain = encode(&req);
        // CBOR text keys: 0x64 "sync", 0x67 "am_sync".
        assert!(!plain.windows(5).any(|w| w == b"\x64sync"));
        assert!(!plain.windows(7).any(|w| w == b"am_sync"));
        req.am_sync = true;
        req.sync.push(DocSync {
            id: "x".into(),
            msg: vec![0x42, 0, 0],
            heads: vec!["ab".repeat(32)],
        });
        let used = encode(&req);
        assert_eq!(decode_request(&used).unwrap(), req, "and survive encoding");
        let resp = SyncResponse {
            v: PROTOCOL_VERSION,
            acks: vec![],
            refusals: vec![],
            docs: vec![],
            removals: vec![],
            cursor: 7,
            more: false,
            total: None,
            hub_actor: "00".into(),
            sync: vec![],
            deferred: vec![],
            limits: None,
            reveal_acks: Vec::new(),
            reveal_refusals: Vec::new(),
            reveal_counts: None,
            wipe: false,
            directory: None,
        };
        let bytes = encode(&resp);
        assert!(!bytes.windows(5).any(|w| w == b"\x64sync"));
        assert_eq!(decode_response(&bytes).unwrap(), resp);
    }

    #[test]
    fn limits_travel_when_sent_and_an_older_reply_without_them_still_reads() {
        let mut resp = SyncResponse {
            v: PROTOCOL_VERSION,
            acks: vec![],
            refusals: vec![],
            docs: vec![],
            removals: vec![],
            cursor: 7,
            more: false,
            total: None,
            hub_actor: "00".into(),
            sync: vec![],
            deferred: vec![],
            limits: None,
            reveal_acks: Vec::new(),
            reveal_refusals: Vec::new(),
            reveal_counts: None,
            wipe: false,
            directory: None,
        };
        let older = encode(&resp);
        assert!(
            !older.windows(7).any(|w| w == b"\x66limits"),
            "no limits, no field: an older device reads the reply as before"
        );
        assert_eq!(
            decode_response(&older).unwrap().limits,
            None,
            "a reply from an older hub reads with no limits"
        );
        resp.limits = Some(gridline_model::StreetLimits {
            urgent_hours: 12,
            normal_days: 3,
            minor_days: 5,
            conclude_months: 2,
            ..Default::default()
        });
        assert_eq!(
            decode_response(&encode(&resp)).unwrap(),
            resp,
            "the street's limits survive encoding"
        );
    }

    #[test]
    fn the_directory_travels_when_sent_and_older_peers_read_messages_as_before() {
        let mut resp = SyncResponse {
            v: PROTOCOL_VERSION,
            acks: vec![],
            refusals: vec![],
            docs: vec![],
            removals: vec![],
            cursor: 7,
            more: false,
            total: None,
            hub_actor: "00".into(),
            sync: vec![],
            deferred: vec![],
            limits: None,
            reveal_acks: Vec::new(),
            reveal_refusals: Vec::new(),
            reveal_counts: None,
            wipe: false,
            directory: None,
        };
        let plain = encode(&resp);
        assert!(
            !plain.windows(9).any(|w| w == b"directory"),
            "no directory, no field: an older device reads the reply as before"
        );
        resp.directory = Some(Directory {
            version: "0123456789abcdef".into(),
            people: vec![
                Person {
                    id: "gw-1".into(),
                    name: "张伟".into(),
                    role: "grid-worker".into(),
                    unit: "522701001001001".into(),
                    revoked: false,
                },
                Person {
                    id: "jl-1".into(),
                    name: "赵敏".into(),
                    role: "joint-leader".into(),
                    unit: String::new(),
                    revoked: true,
                },
            ],
            places: [("522701001001001".to_owned(), "第1网格".to_owned())].into(),
        });
        let bytes = encode(&resp);
        assert_eq!(
            decode_response(&bytes).unwrap(),
            resp,
            "the directory survives encoding"
        );
        // A device from before the directory: the same struct without it.
        #[derive(Deserialize)]
        struct Older {
            v: u32,
            cursor: u64,
            hub_actor: String,
        }
        let older: Older = ciborium::from_reader(&bytes[..]).unwrap();
        assert_eq!(
            (older.v, older.cursor, older.hub_actor.as_str()),
            (PROTOCOL_VERSION, 7, "00"),
            "an older device reads a reply carrying a directory, ignoring it"
        );
        let req = SyncRequest {
            v: PROTOCOL_VERSION,
            cursor: 1,
            page: DEFAULT_PAGE,
            want_total: false,
            new_actor: None,
            push: vec![],
            sync: vec![],
            am_sync: false,
            reveals: Vec::new(),
            directory: Some("0123456789abcdef".into()),
        };
        let sent = encode(&req);
        assert_eq!(
            decode_request(&sent).unwrap(),
            req,
            "the version held survives encoding"
        );
        assert!(
            sent.len() < 90,
            "naming the version keeps nothing-changed small: {} bytes",
            sent.len()
        );
        // An older device's request (no field) reads as holding none to name.
        let older_req = SyncRequest {
            directory: None,
            ..req.clone()
        };
        assert_eq!(decode_request(&encode(&older_req)).unwrap().directory, None);
        let long = SyncRequest {
            directory: Some("f".repeat(MAX_DIRECTORY_VERSION_BYTES + 1)),
            ..req
        };
        assert!(
            matches!(long.check_budget(), Err(WireError::OverBudget { .. })),
            "a version past its width is refused before any work"
        );
    }

    #[test]
    fn a_nothing_changed_request_is_tiny() {
        let req = SyncRequest {
            v: PROTOCOL_VERSION,
            cursor: 123_456,
            page: DEFAULT_PAGE,
            want_total: false,
            new_actor: None,
            push: vec![],
            sync: vec![],
            am_sync: false,
            reveals: Vec::new(),
            directory: None,
        };
        assert!(
            encode(&req).len() < 64,
            "nothing-changed costs {} bytes",
            encode(&req).len()
        );
    }

    #[test]
    fn wrong_versions_and_garbage_are_refused_clearly() {
        let mut req = SyncRequest {
            v: 99,
            cursor: 0,
            page: 1,
            want_total: false,
            new_actor: None,
            push: vec![],
            sync: vec![],
            am_sync: false,
            reveals: Vec::new(),
            directory: None,
        };
        assert!(
            matches!(
                decode_request(&encode(&req)),
                Err(WireError::Version { got: 99 })
            ),
            "a request in another version is refused as such, naming it"
        );
        let reply = SyncResponse {
            v: 99,
            acks: vec![],
            refusals: vec![],
            docs: vec![],
            removals: vec![],
            cursor: 0,
            more: false,
            total: None,
            hub_actor: "00".into(),
            sync: vec![],
            deferred: vec![],
            limits: None,
            reveal_acks: Vec::new(),
            reveal_refusals: Vec::new(),
            reveal_counts: None,
            wipe: false,
            directory: None,
        };
        assert!(
            matches!(
                decode_response(&encode(&reply)),
                Err(WireError::Version { got: 99 })
            ),
            "so is a reply: a device never applies one it cannot read"
        );
        req.v = PROTOCOL_VERSION;
        assert!(
            matches!(
                decode_request(b"\xff\x00garbage"),
                Err(WireError::Malformed(_))
            ),
            "garbage is malformed"
        );
    }

    fn plain() -> SyncRequest {
        SyncRequest {
            v: PROTOCOL_VERSION,
            cursor: 0,
            page: DEFAULT_PAGE,
            want_total: false,
            new_actor: None,
            push: vec![],
            sync: vec![],
            am_sync: false,
            reveals: Vec::new(),
            directory: None,
        }
    }

    #[test]
    fn one_item_per_body_no_more() {
        let one = encode(&plain());
        let mut two = one.clone();
        two.extend_from_slice(&one);
        let err = decode_request(&two).expect_err("two concatenated requests are refused");
        assert!(
            err.to_string()
                .contains(&format!("{} bytes after", one.len())),
            "the refusal says how much followed: {err}"
        );
        let mut trailing = one.clone();
        trailing.push(0);
        assert!(
            decode_request(&trailing).is_err(),
            "one stray byte is refused"
        );
        assert!(
            decode_request(&one).is_ok(),
            "the single item still decodes"
        );
    }

    #[test]
    fn a_cursor_past_the_hubs_counter_range_is_refused() {
        let req = SyncRequest {
            cursor: u64::MAX,
            ..plain()
        };
        let err = decode_request(&encode(&req)).expect_err("2^64-1 is not a cursor");
        assert!(
            matches!(err, WireError::Malformed(_)),
            "a 400, not a budget: {err}"
        );
        let ok = SyncRequest {
            cursor: MAX_CURSOR,
            ..plain()
        };
        assert!(
            decode_request(&encode(&ok)).is_ok(),
            "the largest cursor is fine"
        );
    }

    #[test]
    fn budgets_are_checked_before_any_work_and_name_the_limit() {
        let entry = |i: usize| PushDoc {
            id: format!("doc-{i}"),
            changes: vec![0],
            heads: vec!["ab".repeat(32)],
        };
        let many = SyncRequest {
            push: (0..=MAX_PUSH_ENTRIES).map(entry).collect(),
            ..plain()
        };
        match decode_request(&encode(&many)) {
            Err(WireError::OverBudget { limit, .. }) => {
                assert_eq!(limit, MAX_PUSH_ENTRIES as u64, "the limit is named")
            }
            other => panic!("501 entries are over budget, got {other:?}"),
        }
        let mut big = entry(0);
        big.changes = vec![0; MAX_ENTRY_BYTES + 1];
        let one_big = SyncRequest {
            push: vec![big],
            ..plain()
        };
        let err = decode_request(&encode(&one_big)).expect_err("an entry over 1 MiB");
        assert!(
            err.to_string().contains(&MAX_ENTRY_BYTES.to_string()),
            "the refusal names the limit: {err}"
        );
        let mut bad_head = entry(0);
        bad_head.heads = vec!["zz".into()];
        let bad = SyncRequest {
            push: vec![bad_head],
            ..plain()
        };
        assert!(
            matches!(decode_request(&encode(&bad)), Err(WireError::Malformed(_))),
            "a head that is not a change hash is malformed"
        );
        let exactly = SyncRequest {
            push: (0..MAX_PUSH_ENTRIES).map(entry).collect(),
            ..plain()
        };
        assert!(
            decode_request(&encode(&exactly)).is_ok(),
            "500 entries are fine"
        );
    }

    #[test]
    fn heads_are_bounded_while_decoding_and_an_id_comes_once() {
        let entry = |id: &str, heads: usize| PushDoc {
            id: id.into(),
            changes: vec![0],
            heads: vec!["ab".repeat(32); heads],
        };
        let many_heads = SyncRequest {
            push: vec![entry("a", MAX_HEADS + 1)],
            ..plain()
        };
        match decode_request(&encode(&many_heads)) {
            Err(WireError::OverBudget { limit, .. }) => {
                assert_eq!(limit, MAX_HEADS as u64, "the heads limit is named")
            }
            other => panic!("65 heads are over budget while decoding, got {other:?}"),
        }
        let twice = SyncRequest {
            push: vec![entry("a", 1), entry("a", 1)],
            ..plain()
        };
        let err = decode_request(&encode(&twice)).expect_err("one entry per document");
        assert!(
            err.to_string().contains("appears twice"),
            "and says so: {err}"
        );
    }

    #[test]
    fn reveals_travel_only_when_there_are_some_and_are_bounded() {
        let plain_bytes = encode(&plain());
        assert!(
            !plain_bytes.windows(7).any(|w| w == b"reveals"),
            "no reveals, no field: an older hub reads the request as before"
        );
        let entry = |id: &str, reason: usize| RevealEntry {
            id: id.into(),
            at: "2026-11-28T08:00:00.000Z".into(),
            household: "0193a1b2-7c3d-7e4f-8a5b-6c7d8e9f0a1b".into(),
            who: RevealWho {
                id: "gw1".into(),
                name: "李娜".into(),
            },
            reason: Some("理".repeat(reason)),
            via: "app".into(),
        };
        let req = SyncRequest {
            reveals: vec![entry("a", 3)],
            ..plain()
        };
        assert_eq!(
            decode_request(&encode(&req)).unwrap(),
            req,
            "a reveal survives encoding"
        );
        let big = SyncRequest {
            reveals: vec![entry("a", MAX_REASON_BYTES)],
            ..plain()
        };
        match decode_request(&encode(&big)) {
            Err(WireError::OverBudget { limit, .. }) => {
                assert_eq!(
                    limit, MAX_REASON_BYTES as u64,
                    "the reason's limit is named"
                )
            }
            other => panic!("a reason over the wire's bound is over budget, got {other:?}"),
        }
        let twice = SyncRequest {
            reveals: vec![entry("a", 1), entry("a", 1)],
            ..plain()
        };
        assert!(
            matches!(
                decode_request(&encode(&twice)),
                Err(WireError::Malformed(_))
            ),
            "one entry per reveal"
        );
        let resp = SyncResponse {
            v: PROTOCOL_VERSION,
            acks: vec![],
            refusals: vec![],
            docs: vec![],
            removals: vec![],
            cursor: 7,
            more: false,
            total: None,
            hub_actor: "00".into(),
            sync: vec![],
            deferred: vec![],
            limits: None,
            reveal_acks: vec![],
            reveal_refusals: vec![],
            reveal_counts: None,
            wipe: false,
            directory: None,
        };
        let older = encode(&resp);
        assert!(
            !older.windows(6).any(|w| w == b"reveal"),
            "a reply with no reveal fields is the reply older devices read"
        );
        let counted = SyncResponse {
            reveal_acks: vec!["a".into()],
            reveal_counts: Some(vec![RevealCount {
                community: "522701001001".into(),
                user_id: "gw1".into(),
                user_name: "李娜".into(),
                month: "2026-11".into(),
                n: 2,
            }]),
            ..resp
        };
        assert_eq!(decode_response(&encode(&counted)).unwrap(), counted);
    }
}
