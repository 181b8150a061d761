//! Wire messages, CBOR-encoded, versioned.

use serde::{Deserialize, Serialize};

/// The protocol version this build speaks; a hub refuses others with a clear error.
pub const PROTOCOL_VERSION: u32 = 1;

/// The largest sync request body a hub accepts.
pub const MAX_REQUEST_BYTES: usize = 16 * 1024 * 1024;

/// Documents per reply page when the device does not ask for fewer.
pub const DEFAULT_PAGE: u32 = 2000;

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
    pub push: Vec<PushDoc>,
    /// Answers to the hub's Automerge sync messages (after `missing_deps`):
    /// the changes the hub lacks, found from its heads and bloom filter.
    /// Absent when empty, so older messages are unchanged.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sync: Vec<DocSync>,
    /// The device answers a `missing_deps` refusal with an Automerge sync
    /// message. Sent (as `true`) only with pushes; absent means it does not,
    /// and the hub sends its copy of the document instead.
    #[serde(default, skip_serializing_if = "is_false")]
    pub am_sync: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
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
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
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
    pub reason: String,
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

#[derive(Debug, thiserror::Error)]
pub enum WireError {
    #[error("malformed message: {0}")]
    Malformed(String),
    #[error("protocol version {got} is not supported (this side speaks {PROTOCOL_VERSION}); update gridline")]
    Version { got: u32 },
}

pub fn encode<T: Serialize>(msg: &T) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(msg, &mut out).expect("writing CBOR to a Vec cannot fail");
    out
}

pub fn decode_request(bytes: &[u8]) -> Result<SyncRequest, WireError> {
    let r: SyncRequest =
        ciborium::from_reader(bytes).map_err(|e| WireError::Malformed(e.to_string()))?;
    if r.v != PROTOCOL_VERSION {
        return Err(WireError::Version { got: r.v });
    }
    Ok(r)
}

pub fn decode_response(bytes: &[u8]) -> Result<SyncResponse, WireError> {
    let r: SyncResponse =
        ciborium::from_reader(bytes).map_err(|e| WireError::Malformed(e.to_string()))?;
    if r.v != PROTOCOL_VERSION {
        return Err(WireError::Version { got: r.v });
    }
    Ok(r)
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
                heads: vec!["ab".into()],
            }],
            sync: vec![],
            am_sync: false,
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
        };
        let plain = encode(&req);
        // CBOR text keys: 0x64 "sync", 0x67 "am_sync".
        assert!(!plain.windows(5).any(|w| w == b"\x64sync"));
        assert!(!plain.windows(7).any(|w| w == b"am_sync"));
        req.am_sync = true;
        req.sync.push(DocSync {
            id: "x".into(),
            msg: vec![0x42, 0, 0],
            heads: vec!["ab".into()],
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
        };
        let bytes = encode(&resp);
        assert!(!bytes.windows(5).any(|w| w == b"\x64sync"));
        assert_eq!(decode_response(&bytes).unwrap(), resp);
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
        };
        assert!(matches!(
            decode_request(&encode(&req)),
            Err(WireError::Version { got: 99 })
        ));
        req.v = PROTOCOL_VERSION;
        assert!(
            matches!(
                decode_request(b"\xff\x00garbage"),
                Err(WireError::Malformed(_))
            ),
            "garbage is malformed"
        );
    }
}
