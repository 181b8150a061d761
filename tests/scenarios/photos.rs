//! Photos between devices and the hub (DESIGN §9): records sync in process,
//! photos over HTTP on loopback (a second `Hub` on the same files, so the
//! photo side can be taken away or given another size limit). A photo never
//! holds back its record; others receive thumbnails and fetch full photos on
//! demand; a photo is served only with a record its device may read.

use gridline_device::photo::{PhotoState, PhotoView};
use gridline_device::{Attach, Device, NewIssue, SyncState};
use gridline_hub::Hub;
use gridline_model::{RecordId, Role};
use gridline_test_support::{user, Served};

use super::{now, store_of};

const GRID_A: &str = "522701001001001";
const COMMUNITY_A: &str = "community:522701001001";

/// Real camera input: an 8000×1000 JPEG, re-encoded to 1600 px wide.
const PANORAMA: &[u8] = include_bytes!("../../crates/photo/tests/fixtures/panorama-8000x1000.jpg");

/// A `w`×`h` PNG of a pattern set by `seed`, larger than a thumbnail (so a
/// photo and its thumbnail are two blobs), written without an encoder:
/// stored deflate blocks, which every PNG decoder reads.
pub(crate) fn scene(w: u32, h: u32, seed: u8) -> Vec<u8> {
    fn crc(bytes: &[u8]) -> u32 {
        let mut c = !0u32;
        for &b in bytes {
            c ^= u32::from(b);
            for _ in 0..8 {
                c = if c & 1 == 1 {
                    0xedb8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend((data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend(data);
        out.extend(&body);
        out.extend(crc(&body).to_be_bytes());
    }
    let mut raw = Vec::with_capacity((w * 3 + 1) as usize * h as usize);
    for y in 0..h {
        raw.push(0);
        for x in 0..w {
            let s = u32::from(seed);
            raw.extend([
                ((x * (s + 1) / 3) % 256) as u8,
                ((y * (s + 2) / 2) % 256) as u8,
                (((x + y) * 7 + s * 40) % 256) as u8,
            ]);
        }
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &x in &raw {
        a = (a + u32::from(x)) % 65521;
        b = (b + a) % 65521;
    }
    let mut z = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65535).collect();
    for (i, block) in blocks.iter().enumerate() {
        z.push(u8::from(i + 1 == blocks.len()));
        let n = block.len() as u16;
        z.extend(n.to_le_bytes());
        z.extend((!n).to_le_bytes());
        z.extend(*block);
    }
    z.extend(((b << 16) | a).to_be_bytes());
    let mut ihdr = Vec::new();
    ihdr.extend(w.to_be_bytes());
    ihdr.extend(h.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &z);
    chunk(&mut out, b"IEND", &[]);
    out
}

/// The sample street: the hub records sync with (in process) and the hub
/// photos move through (served on loopback), on the same files.
struct Street {
    dir: tempfile::TempDir,
    hub: Hub,
    served: Served,
    households: Vec<String>,
}

impl Street {
    fn new(max_blob_bytes: Option<u64>) -> Street {
        let (dir, hub) = gridline_test_support::sample_hub(now());
        let served = Self::serve(dir.path(), max_blob_bytes);
        let households = hub.household_ids(GRID_A, 2).unwrap();
        Street {
            dir,
            hub,
            served,
            households,
        }
    }

    fn serve(dir: &std::path::Path, max_blob_bytes: Option<u64>) -> Served {
        let photos = Hub::open(dir).unwrap();
        if let Some(m) = max_blob_bytes {
            photos.set_max_blob_bytes(m);
        }
        Served::start(photos, None)
    }

    /// A device enrolled as `id`, told to fetch photos from `url`.
    fn join_at(&self, id: &str, role: Role, scope: &str, url: &str) -> Member {
        let (dir, device, token) =
            gridline_test_support::enrolled(&self.hub, user(id, role, scope), url, now());
        Member {
            _dir: dir,
            device,
            token,
        }
    }

    fn join(&self, id: &str, role: Role, scope: &str) -> Member {
        self.join_at(id, role, scope, &self.served.url)
    }

    fn sync(&self, m: &mut Member) {
        super::sync::sync(&self.hub, &mut m.device, &m.token, now());
    }

    fn sync_photos(&self, m: &mut Member, at: gridline_model::Instant) -> PhotoReport {
        self.served
            .rt
            .block_on(m.device.sync_photos(at))
            .expect("a photo pass reports what it did, it does not fail")
    }

    fn open(&self, m: &mut Member, hash: &str) -> gridline_device::Result<Vec<u8>> {
        self.served.rt.block_on(m.device.open_photo(hash, now()))
    }
}

type PhotoReport = gridline_device::photo::PhotoReport;

struct Member {
    _dir: tempfile::TempDir,
    device: Device,
    token: String,
}

fn grid_worker(st: &Street) -> Member {
    st.join("gw-1", Role::GridWorker, &format!("grids:{GRID_A}"))
}

/// The worker, synced, reports an issue in `household` with `photos`.
fn report(m: &mut Member, household: &str, photos: &[Vec<u8>]) -> (RecordId, Vec<String>) {
    let attach: Vec<Attach> = photos
        .iter()
        .enumerate()
        .map(|(i, bytes)| {
            let taken = m.device.take_photo(bytes, now()).unwrap();
            assert_ne!(
                taken.hash, taken.thumb,
                "a photo and its thumbnail are two blobs"
            );
            Attach {
                hash: taken.hash,
                caption: format!("现场照片 {}", i + 1),
            }
        })
        .collect();
    let hashes = attach.iter().map(|a| a.hash.clone()).collect();
    let created = m
        .device
        .report_issue_with_photos(
            &NewIssue {
                grid: None,
                household: Some(household.into()),
                category: "市容环境".into(),
                description: "楼道堆放杂物，堵塞消防通道".into(),
                location: "8栋1单元".into(),
                urgency: Some(2),
            },
            None,
            &attach,
            now(),
        )
        .unwrap();
    (created.id, hashes)
}

fn photos_of(m: &Member, id: RecordId) -> Vec<PhotoView> {
    m.device.photos_of(&id.to_string()).unwrap()
}

fn in_sync(m: &Member, id: RecordId) -> bool {
    m.device.issue(&id.to_string(), now()).unwrap().sync_state == SyncState::Synced
}

#[test]
fn staff_receive_thumbnails_and_open_full_photos_on_demand() {
    let st = Street::new(None);
    let mut gw = grid_worker(&st);
    st.sync(&mut gw);
    let (id, hashes) = report(
        &mut gw,
        &st.households[0],
        &[PANORAMA.to_vec(), scene(640, 480, 1)],
    );
    st.sync(&mut gw);
    assert!(in_sync(&gw, id), "the record syncs before its photos move");
    let sent = st.sync_photos(&mut gw, now());
    assert_eq!(
        (sent.uploaded, sent.failed, sent.later),
        (2, 0, 0),
        "both photos upload: {sent:?}"
    );
    let mine = photos_of(&gw, id);
    assert!(
        mine.iter().all(|p| p.state == PhotoState::Uploaded),
        "the reporter sees both uploaded: {mine:?}"
    );

    let mut cs = st.join("cs-1", Role::CommunityStaff, COMMUNITY_A);
    st.sync(&mut cs);
    let got = st.sync_photos(&mut cs, now());
    assert_eq!(got.thumbs, 2, "staff receive both thumbnails: {got:?}");
    let theirs = photos_of(&cs, id);
    assert_eq!(
        theirs.iter().map(|p| p.photo.clone()).collect::<Vec<_>>(),
        mine.iter().map(|p| p.photo.clone()).collect::<Vec<_>>(),
        "the photo references are identical on both devices, in order"
    );
    assert_eq!(
        theirs
            .iter()
            .map(|p| p.photo.hash.clone())
            .collect::<Vec<_>>(),
        hashes,
        "and they are the photos taken"
    );
    for p in &theirs {
        assert_eq!(
            p.state,
            PhotoState::Remote,
            "someone else's photo, not fetched"
        );
        assert!(
            p.thumb_here && !p.full_here,
            "thumbnail here, full photo not"
        );
        let thumb = cs.device.photo_bytes(&p.photo.thumb, now()).unwrap();
        assert_eq!(
            thumb,
            gw.device.photo_bytes(&p.photo.thumb, now()).unwrap(),
            "the thumbnail is the reporter's bytes"
        );
        assert!(thumb.is_some(), "the thumbnail shows at once");
        assert!(
            cs.device
                .photo_bytes(&p.photo.hash, now())
                .unwrap()
                .is_none(),
            "the full photo is not on the device until opened"
        );
    }
    let first = &theirs[0].photo.hash;
    let opened = st.open(&mut cs, first).unwrap();
    assert_eq!(
        Some(opened.clone()),
        gw.device.photo_bytes(first, now()).unwrap(),
        "opening fetches exactly the reporter's photo"
    );
    assert_eq!(
        cs.device.photo_bytes(first, now()).unwrap(),
        Some(opened),
        "once opened it is kept"
    );
    let after = photos_of(&cs, id);
    assert_eq!(after[0].state, PhotoState::Downloaded);
    assert!(
        !after[1].full_here,
        "the photo not opened is still not fetched"
    );
}

#[test]
fn a_record_syncs_while_the_hub_is_unreachable_for_photos_and_its_photos_follow() {
    let st = Street::new(None);
    // A port nothing listens on: the photo side of the hub is unreachable.
    let (listener, dead) = gridline_test_support::listen(&st.served.rt);
    st.served.rt.block_on(async move { drop(listener) });
    let mut gw = st.join_at("gw-1", Role::GridWorker, &format!("grids:{GRID_A}"), &dead);
    st.sync(&mut gw);
    let (id, hashes) = report(
        &mut gw,
        &st.households[0],
        &[scene(640, 480, 2), scene(480, 640, 3)],
    );
    st.sync(&mut gw);
    let offline = st.sync_photos(&mut gw, now());
    assert!(
        in_sync(&gw, id),
        "the record is acknowledged though no photo could move"
    );
    assert_eq!(offline.uploaded, 0, "nothing uploads: {offline:?}");
    assert!(offline.later >= 1, "the photo waits for later: {offline:?}");
    let reason = offline.last_error.expect("the pass says why");
    assert!(
        reason.en.contains("cannot reach the hub") && reason.zh.contains("无法连接"),
        "the reason is that the hub cannot be reached: {reason:?}"
    );
    assert!(
        photos_of(&gw, id)
            .iter()
            .all(|p| matches!(p.state, PhotoState::Waiting { .. })),
        "the photos wait to upload"
    );

    // Staff receive the record meanwhile, without its photos.
    let mut cs = st.join("cs-1", Role::CommunityStaff, COMMUNITY_A);
    st.sync(&mut cs);
    assert_eq!(
        photos_of(&cs, id).len(),
        2,
        "the record arrives with its references"
    );
    assert_eq!(
        st.sync_photos(&mut cs, now()).thumbs,
        0,
        "no thumbnail exists on the hub yet"
    );

    // The hub is reachable again; the queue goes on when the photos are due.
    store_of(&gw.device)
        .set_meta("hub_url", &st.served.url)
        .unwrap();
    let later = now() + chrono::Duration::hours(2);
    let online = st.sync_photos(&mut gw, later);
    assert_eq!(online.uploaded, 2, "both photos upload later: {online:?}");
    assert!(photos_of(&gw, id)
        .iter()
        .all(|p| p.state == PhotoState::Uploaded));
    let got = st.sync_photos(&mut cs, later);
    assert_eq!(got.thumbs, 2, "staff receive the thumbnails now: {got:?}");
    for h in &hashes {
        assert_eq!(
            st.open(&mut cs, h).ok(),
            gw.device.photo_bytes(h, now()).unwrap(),
            "the full photo opens on the staff's device"
        );
    }
}

#[test]
fn a_joint_leader_gets_only_photos_of_records_it_may_read() {
    let st = Street::new(None);
    let (ha, hb) = (&st.households[0], &st.households[1]);
    let mut gw = grid_worker(&st);
    st.sync(&mut gw);
    let (mine, _) = report(&mut gw, ha, &[PANORAMA.to_vec(), scene(640, 480, 1)]);
    let (other, other_hashes) = report(&mut gw, hb, &[scene(800, 600, 4)]);
    st.sync(&mut gw);
    assert_eq!(st.sync_photos(&mut gw, now()).uploaded, 3);

    let mut jl = st.join("jl-1", Role::JointLeader, &format!("households:{ha}"));
    st.sync(&mut jl);
    let got = st.sync_photos(&mut jl, now());
    assert_eq!(
        got.thumbs, 2,
        "the leader receives the thumbnails of its household's issue only: {got:?}"
    );
    let records: std::collections::BTreeSet<String> = jl
        .device
        .all_photos(100)
        .unwrap()
        .into_iter()
        .map(|p| p.record)
        .collect();
    assert_eq!(
        records,
        [mine.to_string()].into(),
        "no photo of another household's issue is listed on the leader's device"
    );
    assert!(
        jl.device
            .photos_of(&other.to_string())
            .map_or(true, |p| p.is_empty()),
        "the other household's issue is not on the leader's device"
    );
    let theirs = gw.device.photos_of(&other.to_string()).unwrap();
    assert!(
        jl.device
            .photo_bytes(&theirs[0].photo.thumb, now())
            .unwrap()
            .is_none(),
        "the other issue's thumbnail never reached the leader"
    );
    let made_up = "ab".repeat(32);
    let refused = st.open(&mut jl, &other_hashes[0]).unwrap_err();
    let nothing = st.open(&mut jl, &made_up).unwrap_err();
    assert_eq!(
        format!("{refused:?}"),
        format!("{nothing:?}"),
        "fetching another household's photo is refused exactly as a made-up hash"
    );
    let link = jl.device.photo_link().unwrap();
    let http = link.client().unwrap();
    let thumb = st
        .served
        .rt
        .block_on(gridline_device::photo::download(
            &http,
            &link,
            &theirs[0].photo.thumb,
        ))
        .unwrap_err();
    assert_eq!(
        format!("{thumb:?}"),
        format!("{nothing:?}"),
        "and so is its thumbnail"
    );
    let own = st
        .open(&mut jl, &photos_of(&gw, mine)[0].photo.hash)
        .expect("the leader opens a photo of its household's issue");
    assert!(!own.is_empty());
}

#[test]
fn a_photo_over_the_hubs_limit_fails_with_its_reason_and_uploads_after_a_retry() {
    let st = Street::new(Some(100));
    let mut gw = grid_worker(&st);
    st.sync(&mut gw);
    let (id, hashes) = report(&mut gw, &st.households[0], &[scene(640, 480, 5)]);
    st.sync(&mut gw);
    let pass = st.sync_photos(&mut gw, now());
    assert!(in_sync(&gw, id), "the record is acknowledged (in sync)");
    assert_eq!(
        (pass.uploaded, pass.failed),
        (0, 1),
        "the photo is refused for good: {pass:?}"
    );
    let view = &photos_of(&gw, id)[0];
    let PhotoState::Failed { reason } = &view.state else {
        panic!("the photo view says failed: {view:?}");
    };
    assert!(
        reason.zh.contains("超过枢纽的上限") && reason.zh.contains("100"),
        "the hub's reason in Chinese: {}",
        reason.zh
    );
    assert!(
        reason.en.contains("over the hub's limit of 100 bytes"),
        "and in English: {}",
        reason.en
    );
    let shown = view.state.text();
    assert!(
        shown.zh.starts_with("上传失败") && shown.en.starts_with("upload failed"),
        "the state in words says it failed, in both languages: {shown:?}"
    );
    assert_eq!(
        st.sync_photos(&mut gw, now() + chrono::Duration::hours(2))
            .uploaded,
        0,
        "a failed photo is not sent again by itself"
    );

    // The admin raises the limit; the user retries the photo.
    let raised = Street::serve(st.dir.path(), None);
    store_of(&gw.device)
        .set_meta("hub_url", &raised.url)
        .unwrap();
    assert!(
        gw.device.retry_photo(&hashes[0]).unwrap(),
        "a failed photo may be retried"
    );
    let again = raised.rt.block_on(gw.device.sync_photos(now())).unwrap();
    assert_eq!(again.uploaded, 1, "the retried photo uploads: {again:?}");
    assert_eq!(photos_of(&gw, id)[0].state, PhotoState::Uploaded);
    let check = Hub::open(st.dir.path()).unwrap();
    assert!(
        check.orphan_blobs().unwrap().is_empty(),
        "what the hub holds is referenced by the record"
    );
    let mut cs = st.join("cs-1", Role::CommunityStaff, COMMUNITY_A);
    st.sync(&mut cs);
    let opened = raised
        .rt
        .block_on(cs.device.open_photo(&hashes[0], now()))
        .expect("staff open the retried photo");
    assert_eq!(
        Some(opened),
        gw.device.photo_bytes(&hashes[0], now()).unwrap(),
        "the photo staff open is the one taken"
    );
}

/// The limit refused the thumbnail too (it is a blob of its own); retrying
/// the photo, the one thing the user can retry, must send its thumbnail
/// again, or no other device ever shows the photo's thumbnail.
#[test]
fn retrying_a_refused_photo_sends_its_thumbnail_too() {
    let st = Street::new(Some(100));
    let mut gw = grid_worker(&st);
    st.sync(&mut gw);
    let (id, hashes) = report(&mut gw, &st.households[0], &[scene(640, 480, 6)]);
    st.sync(&mut gw);
    assert_eq!(
        st.sync_photos(&mut gw, now()).failed,
        1,
        "refused by the limit"
    );
    let raised = Street::serve(st.dir.path(), None);
    store_of(&gw.device)
        .set_meta("hub_url", &raised.url)
        .unwrap();
    assert!(gw.device.retry_photo(&hashes[0]).unwrap());
    raised.rt.block_on(gw.device.sync_photos(now())).unwrap();
    assert_eq!(photos_of(&gw, id)[0].state, PhotoState::Uploaded);
    assert_eq!(
        Hub::open(st.dir.path()).unwrap().blob_totals().unwrap().0,
        2,
        "the photo and its thumbnail are on the hub"
    );
    let mut cs = st.join("cs-1", Role::CommunityStaff, COMMUNITY_A);
    st.sync(&mut cs);
    let got = raised.rt.block_on(cs.device.sync_photos(now())).unwrap();
    assert_eq!(got.thumbs, 1, "staff receive the thumbnail: {got:?}");
}
