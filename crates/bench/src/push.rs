//! A simulated device that speaks the wire protocol itself: it enrols over
//! HTTP, then each round trip pushes one new visit as CBOR to `/v1/sync` and
//! keeps the cursor the hub returns. Thousands of these fit in one process,
//! where a [`gridline_device::Device`] each would need its own store.

use std::time::{Duration, Instant as Clock};

use gridline_model::{Author, GridId, Role, User, Visit, VisitKind};
use gridline_sync::{EnrollRequest, EnrollResponse, PushDoc, SyncRequest, PROTOCOL_VERSION};

use crate::{check, Result};

/// One enrolled simulated device of a grid worker.
pub struct PushClient {
    http: reqwest::Client,
    sync_url: String,
    token: String,
    actor: Vec<u8>,
    user: User,
    grid: GridId,
    households: Vec<uuid::Uuid>,
    cursor: u64,
    page: u32,
}

/// What one push did.
pub struct Pushed {
    /// The visit document pushed, and its heads.
    pub id: String,
    pub heads: Vec<String>,
    /// The round trip, request sent to reply read.
    pub latency: Duration,
    /// The hub acknowledged the visit and refused nothing.
    pub acked: bool,
}

/// A grid worker's device planned before the hub is served: its one-time
/// code, its user, its grid, and the households it will visit.
pub struct Planned {
    pub code: String,
    pub user: User,
    pub grid: GridId,
    pub households: Vec<String>,
}

impl Planned {
    /// A grid worker `id` (`name`) of `grid`, with a code from `hub` and up
    /// to `households` of the grid's households to visit.
    pub fn grid_worker(
        hub: &gridline_hub::Hub,
        id: String,
        name: String,
        grid: &str,
        households: usize,
        now: gridline_model::Instant,
    ) -> Result<Planned> {
        let user = User {
            id,
            name,
            role: Role::GridWorker,
            scope: gridline_model::Scope::parse(&format!("grids:{grid}"))?,
        };
        Ok(Planned {
            code: hub.enrol_code(&user, "bench", now)?,
            households: hub.household_ids(grid, households)?,
            grid: GridId::parse(grid)?,
            user,
        })
    }
}

impl PushClient {
    /// Enrols every planned device in turn, each starting "already in sync"
    /// at `cursor` (the hub's counter) and asking for at most `page`
    /// documents a reply.
    pub async fn enrol_all(
        http: &reqwest::Client,
        url: &str,
        planned: &[Planned],
        cursor: u64,
        page: u32,
    ) -> Result<Vec<PushClient>> {
        let mut clients = Vec::with_capacity(planned.len());
        for p in planned {
            clients.push(PushClient::enrol(http, url, p, cursor, page).await?);
        }
        Ok(clients)
    }

    /// Enrols one planned device under a fresh actor. It starts "already in
    /// sync" at `cursor`, asks for at most `page` documents a reply, and
    /// visits its households (hub ids) in turn.
    pub async fn enrol(
        http: &reqwest::Client,
        url: &str,
        planned: &Planned,
        cursor: u64,
        page: u32,
    ) -> Result<PushClient> {
        let actor = uuid::Uuid::new_v4().as_bytes().to_vec();
        let body = EnrollRequest {
            code: planned.code.clone(),
            device_id: format!("dev-{}", planned.user.id),
            actor: hex::encode(&actor),
        };
        let r = http
            .post(format!("{url}/v1/enroll"))
            .header("content-type", "application/json")
            .body(serde_json::to_string(&body)?)
            .send()
            .await?;
        let ok = r.status().is_success();
        let text = r.text().await?;
        check(ok, || format!("enrolment failed: {text}"))?;
        let enrolled: EnrollResponse = serde_json::from_str(&text)?;
        Ok(PushClient {
            http: http.clone(),
            sync_url: format!("{url}/v1/sync"),
            token: enrolled.token,
            actor,
            user: planned.user.clone(),
            grid: planned.grid.clone(),
            households: planned
                .households
                .iter()
                .filter_map(|h| uuid::Uuid::parse_str(h).ok())
                .collect(),
            cursor,
            page,
        })
    }

    /// Whether there is a household to visit.
    pub fn has_households(&self) -> bool {
        !self.households.is_empty()
    }

    /// One round trip pushing a new visit (to household `round` in turn)
    /// with `notes`. A failed round trip is `acked: false`, never an error,
    /// so a run counts its errors instead of stopping at the first.
    pub async fn push_visit(&mut self, round: usize, notes: String) -> Pushed {
        let household = self
            .households
            .get(round % self.households.len().max(1))
            .copied()
            .unwrap_or_else(uuid::Uuid::new_v4);
        let v = Visit {
            id: uuid::Uuid::now_v7(),
            household,
            grid: self.grid.clone(),
            visitor: Author {
                user: self.user.id.clone(),
                role: Role::GridWorker,
                unit: String::new(),
            },
            at: chrono::Utc::now(),
            kind: VisitKind::Routine,
            notes,
        };
        let mut doc = gridline_records::new_doc(&self.actor);
        gridline_records::visit::create(&mut doc, &v).expect("a visit document");
        let heads: Vec<String> = gridline_records::heads_hex(&mut doc)
            .split(',')
            .map(str::to_owned)
            .collect();
        let id = v.id.to_string();
        let req = SyncRequest {
            v: PROTOCOL_VERSION,
            cursor: self.cursor,
            page: self.page,
            want_total: false,
            new_actor: None,
            push: vec![PushDoc {
                id: id.clone(),
                changes: doc.save(),
                heads: heads.clone(),
            }],
            sync: vec![],
            am_sync: false,
            reveals: Vec::new(),
            directory: None,
        };
        let t = Clock::now();
        let resp = self
            .http
            .post(&self.sync_url)
            .bearer_auth(&self.token)
            .header("content-type", "application/cbor")
            .body(gridline_sync::encode(&req))
            .send()
            .await;
        let acked = match resp {
            Ok(r) if r.status().is_success() => match r.bytes().await {
                Ok(bytes) => match gridline_sync::decode_response(&bytes) {
                    Ok(resp)
                        if resp.refusals.is_empty() && resp.acks.iter().any(|a| a.id == id) =>
                    {
                        self.cursor = resp.cursor;
                        true
                    }
                    _ => false,
                },
                Err(_) => false,
            },
            _ => false,
        };
        Pushed {
            id,
            heads,
            latency: t.elapsed(),
            acked,
        }
    }
}

/// The hub's counter (`/health`): where a device that is already in sync starts.
pub async fn hub_counter(http: &reqwest::Client, url: &str) -> Result<u64> {
    let health: serde_json::Value = serde_json::from_str(
        &http
            .get(format!("{url}/health"))
            .send()
            .await?
            .text()
            .await?,
    )?;
    Ok(health["counter"].as_u64().unwrap_or(0))
}
