//! The sync protocol between a device and its street hub, without IO.
//!
//! One authenticated `POST /v1/sync` carries a [`SyncRequest`]: the device's
//! cursor and, for many documents at once, the changes it made since the hub
//! last acknowledged them. The [`SyncResponse`] in the same round trip carries
//! acknowledgements, refusals, the documents in the device's scope that changed
//! since its cursor (paged, with the total on the first page), and the new
//! cursor. Both are CBOR ([`encode`], [`decode`]) with a protocol version.
//!
//! [`check`] holds the hub's checks on a pushed document: every change made by
//! an actor bound to the pushing device, every event it adds naming that
//! device's user and role, and the document of a kind and scope the role may
//! write. They are pure functions of the documents and the binding, so a test
//! runs hub and devices in one process with no sockets.

pub mod check;
pub mod enrol_code;
mod enrolment;
pub mod reveal;
pub mod scope;
mod wire;

pub use enrolment::{EnrollRequest, EnrollResponse};
pub use wire::*;
