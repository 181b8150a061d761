//! The device's side of sync: enrolment, building a request from unsent
//! changes, applying the hub's reply, and the HTTP round trip.
//!
//! The protocol itself is sans-IO ([`Session`], [`request`], [`apply`]): it
//! reads and writes storage through the small [`Replica`] trait, which the
//! SQLite store implements and unit tests fake in memory, and it never
//! touches a socket or a clock. [`sync`] and [`enroll`] are the reqwest
//! adapter around it.
//!
//! A retry never duplicates or loses a change: pushes are Automerge changes,
//! which the hub applies idempotently, and the device marks a document in sync
//! only for the heads the hub acknowledged. The cursor advances only after a
//! page's documents are saved, so an interrupted sync repeats a page at worst.

pub(crate) mod http;
mod overruled;
mod replica;
mod round;
#[cfg(test)]
mod tests;

#[cfg(test)]
mod hub_url_tests {
    use super::parse_hub_url;

    #[test]
    fn a_hub_address_is_an_http_or_https_url_with_a_host() {
        assert_eq!(
            parse_hub_url(" http://127.0.0.1:7878/ ").as_deref(),
            Ok("http://127.0.0.1:7878"),
            "spaces and a trailing slash are dropped"
        );
        assert!(
            parse_hub_url("https://hub.example").is_ok(),
            "https is a hub address"
        );
        for bad in [
            "not a url",
            "",
            "127.0.0.1:7878",
            "http://",
            "ftp://hub",
            "http:// x",
        ] {
            let e = parse_hub_url(bad).expect_err(bad);
            assert_eq!(e.field, "hub", "{bad:?} is refused naming the hub field");
            assert!(
                !e.problem.zh.is_empty() && !e.problem.en.is_empty(),
                "the refusal is said in both languages"
            );
        }
    }
}

use gridline_model::{Instant, Text, User};
use gridline_sync::{SyncRequest, SyncResponse};

pub(crate) use http::post_wiped;
pub use http::{enroll, sync, sync_shared, SharedDevice, PART_DOCS};
pub use overruled::{Overruled, Overruling};
pub use replica::Replica;
pub use round::{apply, has_more_to_say, request, Received, Session, MAX_ROUNDS};

use crate::{Device, Result};

/// A hub address as typed: trimmed, without a trailing `/`, and refused
/// unless it is an `http://` or `https://` URL with a host. Enrolment checks
/// it before anything is sent, for the CLI and the app alike.
pub fn parse_hub_url(typed: &str) -> std::result::Result<String, gridline_model::Invalid> {
    let url = typed.trim().trim_end_matches('/');
    let host = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .unwrap_or("");
    if host.is_empty() || host.starts_with('/') || host.contains(char::is_whitespace) {
        return Err(gridline_model::Invalid::new(
            "hub",
            gridline_model::text!(
                "枢纽地址 \"{typed}\" 无效",
                "\"{typed}\" is not a hub address",
                typed = typed.trim()
            ),
            gridline_model::text!(
                "枢纽地址以 http:// 或 https:// 开头，如 http://192.168.1.10:7878",
                "a hub address starts with http:// or https://, e.g. http://192.168.1.10:7878"
            ),
        ));
    }
    Ok(url.to_owned())
}

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
    /// This user's workflow steps that another device's step overruled.
    pub overruled: Vec<Overruled>,
    pub bytes_sent: usize,
    pub bytes_received: usize,
    /// The hub sent street time limits other than those held here: they
    /// were stored, and every issue's and case's deadline projected again.
    pub limits_changed: bool,
    /// The hub sent a new people directory (names of the street's users,
    /// and its place names): stored.
    pub people_changed: bool,
    /// Reveals of ID numbers the hub acknowledged (now held there, audited).
    pub reveals_sent: usize,
    /// Reveals the hub refused, with why: kept here, not sent again.
    pub reveals_refused: Vec<(String, Text)>,
    /// The admin asked for this device to be wiped (`hub wipe`): see
    /// [`crate::wipe`].
    pub wipe_requested: bool,
}

/// Progress of a long sync, for a progress bar: documents received of the
/// total, and the seconds left at the pace since the first page (`None`
/// until a second page is in, or while the total is unknown).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub received: u64,
    pub total: Option<u64>,
    pub seconds_left: Option<u64>,
}

/// The store's meta key for the hub's place names, as JSON.
pub(crate) const PLACE_NAMES: &str = "place_names";

/// What the hub tells a device when it enrols.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrolled {
    pub hub_url: String,
    pub token: String,
    pub user: User,
    pub hub_actor: String,
    /// Grid and community names by code; empty from a hub that sends none.
    pub place_names: std::collections::BTreeMap<String, String>,
}

impl Device {
    pub fn is_enrolled(&self) -> bool {
        self.identity.mode == "enrolled"
    }

    /// Takes the hub's binding: its user, role and scope win over anything set
    /// locally. Records made in trial mode are retired (kept, never synced).
    pub fn accept_enrolment(&mut self, e: &Enrolled) -> Result<usize> {
        let retired = self.store.retire_trial_records()?;
        // Reveals made in trial mode name the trial user, not the binding's.
        self.store.retire_trial_reveals()?;
        self.identity.user = e.user.clone();
        self.identity.hub_actor = e.hub_actor.clone();
        self.identity.mode = "enrolled".into();
        self.identity.save(&self.store)?;
        self.store.set_meta("hub_url", &e.hub_url)?;
        self.store.set_meta("token", &e.token)?;
        self.store.set_meta("sync_cursor", "0")?;
        self.store.set_meta(
            PLACE_NAMES,
            &serde_json::to_string(&e.place_names).expect("a map of strings is JSON"),
        )?;
        Ok(retired)
    }

    /// What people call a grid or community: its name from the hub, or the
    /// code itself where the hub sent none (an older hub, a trial device).
    /// The one place codes become names; screens show the code second.
    pub fn place_name(&self, code: &str) -> String {
        self.place_names()
            .remove(code)
            .unwrap_or_else(|| code.to_owned())
    }

    /// All the names the hub sent at enrolment, by code.
    pub fn place_names(&self) -> std::collections::BTreeMap<String, String> {
        self.store
            .meta(PLACE_NAMES)
            .ok()
            .flatten()
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default()
    }

    /// The user's scope as people say it: 第1网格, 社区001, names joined by
    /// 、 for several grids; codes where no name is known.
    pub fn scope_label(&self) -> String {
        let names = self.place_names();
        let name = |code: &str| names.get(code).cloned().unwrap_or_else(|| code.to_owned());
        match &self.identity.user.scope {
            gridline_model::Scope::Grids(gs) => gs
                .iter()
                .map(|g| name(g.as_str()))
                .collect::<Vec<_>>()
                .join("、"),
            gridline_model::Scope::Community(c) => name(c.as_str()),
            other => other.encode(),
        }
    }

    /// Whether the device has something to tell the hub beyond its unsent
    /// changes: a fresh actor to announce, or sync messages to answer. A sync
    /// goes on while it has.
    pub fn has_more_to_say(&self) -> Result<bool> {
        has_more_to_say(&self.store)
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
        request(
            &self.store,
            &self.identity,
            want_total,
            max_entry,
            max_bytes,
        )
    }

    /// Applies the hub's reply to `req`, adding what it did to `report`.
    pub fn apply_sync(
        &mut self,
        req: &SyncRequest,
        resp: SyncResponse,
        now: Instant,
        report: &mut SyncReport,
    ) -> Result<()> {
        apply(&mut self.store, &mut self.identity, req, resp, now, report)
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
