//! Enrolment over HTTP on a live hub on loopback: clients send from chosen
//! source addresses (all of 127.0.0.0/8 is loopback on Linux), so the
//! per-address limits, the ceiling, `X-Forwarded-For` and the body checks are
//! seen as a device or a stranger sees them.

use std::net::IpAddr;

use gridline_hub::server::{Options, MAX_ENROL_BYTES};
use gridline_hub::{Hub, BAD_CODES_HUB_CEILING, BAD_CODES_PER_CODE, BAD_CODES_PER_SOURCE};

use super::{device, worker, wrong_code};

/// A hub served on 127.0.0.1:0 for one test, in its own runtime.
struct Live {
    rt: tokio::runtime::Runtime,
    url: String,
    dir: tempfile::TempDir,
}

/// What the hub answered.
#[derive(Debug)]
struct Reply {
    status: u16,
    retry_after: Option<u64>,
    body: serde_json::Value,
}

impl Reply {
    fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }

    fn message(&self) -> &str {
        self.body["message"].as_str().unwrap_or("")
    }
}

impl Live {
    /// A fresh hub with `codes` codes issued, served with `options`.
    fn start(options: Options, codes: usize) -> (Live, Vec<String>) {
        let (dir, hub) = gridline_test_support::hub();
        let issued = (0..codes)
            .map(|i| {
                // The served hub reads the clock, so its codes are issued now.
                hub.enrol_code(&worker(&format!("gw-{i}")), "admin", chrono::Utc::now())
                    .unwrap()
            })
            .collect();
        let rt = gridline_test_support::runtime();
        let (listener, url) = gridline_test_support::listen(&rt);
        gridline_test_support::serve_with(&rt, listener, hub, options);
        (Live { rt, url, dir }, issued)
    }

    /// POSTs `body` to `/v1/enroll` from the address `from`.
    fn post(&self, from: &str, body: Vec<u8>, content_type: &str, forwarded: &[&str]) -> Reply {
        let from: IpAddr = from.parse().unwrap();
        let client = reqwest::Client::builder()
            .local_address(from)
            .build()
            .unwrap();
        let mut req = client
            .post(format!("{}/v1/enroll", self.url))
            .header("content-type", content_type)
            .body(body);
        for f in forwarded {
            req = req.header("x-forwarded-for", *f);
        }
        self.rt.block_on(async {
            let r = req.send().await.unwrap();
            let status = r.status().as_u16();
            let retry_after = r
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap().parse().unwrap());
            let text = r.text().await.unwrap();
            let body = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
            Reply {
                status,
                retry_after,
                body,
            }
        })
    }

    /// Enrols device `n` with `code` from `from`, through proxies as `forwarded` says.
    fn enrol_via(&self, from: &str, forwarded: &[&str], code: &str, n: usize) -> Reply {
        let (id, actor) = device(n);
        let body = serde_json::json!({"code": code, "device_id": id, "actor": actor});
        self.post(
            from,
            body.to_string().into_bytes(),
            "application/json",
            forwarded,
        )
    }

    fn enrol(&self, from: &str, code: &str, n: usize) -> Reply {
        self.enrol_via(from, &[], code, n)
    }
}

/// A 429 as the documents promise it: `too_many_attempts`, and a
/// `Retry-After` within the window.
fn assert_locked(r: &Reply, why: &str) {
    assert_eq!(r.status, 429, "{why}: {r:?}");
    assert_eq!(r.code(), "too_many_attempts", "{why}");
    let secs = r.retry_after.expect("a 429 says when to retry");
    assert!(
        (1..=gridline_hub::BAD_CODE_WINDOW_MINUTES as u64 * 60).contains(&secs),
        "{why}: the wait is at most one window, at least a second: {secs}"
    );
    assert!(
        r.message().contains(&format!("请 {secs} 秒后再试"))
            && r.message().contains(&format!("try again in {secs} s")),
        "{why}: the message gives the same wait, in both languages: {}",
        r.message()
    );
}

#[test]
fn five_bad_codes_from_one_address_do_not_stop_another_from_enrolling() {
    let (live, codes) = Live::start(Options::default(), 2);
    for i in 0..BAD_CODES_PER_SOURCE as usize {
        let r = live.enrol("127.0.0.2", &wrong_code(i), 100 + i);
        assert_eq!(r.status, 401, "bad code {i} is simply wrong: {r:?}");
    }
    let r = live.enrol("127.0.0.3", &codes[0], 0);
    assert_eq!(
        r.status, 200,
        "a stranger's guesses from 127.0.0.2 must not lock the street's devices out: {r:?}"
    );
    let r = live.enrol("127.0.0.2", &codes[1], 1);
    assert_locked(&r, "127.0.0.2 is locked, even for a right code");
    assert!(
        r.message().contains("too many from this address"),
        "says it is this address: {}",
        r.message()
    );
}

#[test]
fn the_same_wrong_code_from_several_addresses_is_refused_after_five() {
    let (live, codes) = Live::start(Options::default(), 1);
    let guess = wrong_code(42);
    for i in 0..BAD_CODES_PER_CODE as usize {
        let r = live.enrol(&format!("127.0.1.{}", i + 1), &guess, 100 + i);
        assert_eq!(
            r.status, 401,
            "failure {i} of the code is simply wrong: {r:?}"
        );
    }
    let r = live.enrol("127.0.1.99", &guess, 99);
    assert_locked(
        &r,
        "the code is refused outright from an address never seen",
    );
    assert!(
        r.message().contains("this code was refused too often"),
        "{}",
        r.message()
    );
    let r = live.enrol("127.0.1.99", &codes[0], 0);
    assert_eq!(r.status, 200, "that address itself is not locked: {r:?}");
}

#[test]
fn a_flood_trips_the_ceiling_and_enrol_unlock_lifts_it() {
    let (live, codes) = Live::start(Options::default(), 1);
    let addresses = (BAD_CODES_HUB_CEILING / BAD_CODES_PER_SOURCE) as usize;
    for a in 0..addresses {
        let from = format!("127.0.2.{}", a + 1);
        for k in 0..BAD_CODES_PER_SOURCE as usize {
            let n = a * BAD_CODES_PER_SOURCE as usize + k;
            let r = live.enrol(&from, &wrong_code(n), 1000 + n);
            assert_eq!(
                r.status, 401,
                "bad code {n} is under every other limit: {r:?}"
            );
        }
    }
    let r = live.enrol("127.0.3.1", &codes[0], 0);
    assert_locked(
        &r,
        "at the ceiling even a clean address with a right code waits",
    );
    assert!(
        r.message().contains("gridline hub enrol-unlock"),
        "says how to lift it: {}",
        r.message()
    );
    let admin = Hub::open(live.dir.path()).unwrap();
    let u = admin
        .enrol_unlock(None, "李主任", chrono::Utc::now())
        .unwrap();
    assert_eq!(
        (u.failures(), u.sources.len()),
        (BAD_CODES_HUB_CEILING as u64, addresses),
        "every failure from every loopback address was recorded and is cleared"
    );
    let r = live.enrol("127.0.3.1", &codes[0], 0);
    assert_eq!(
        r.status, 200,
        "lifted at once, and the right code was not used up: {r:?}"
    );
    let audited = admin
        .audit(&gridline_hub::AuditQuery::default())
        .unwrap()
        .into_iter()
        .any(|r| r.action == "enrol-unlock" && r.admin.as_deref() == Some("李主任"));
    assert!(
        audited,
        "lifting the lock is in the audit trail, with the admin"
    );
}

#[test]
fn malformed_codes_get_400_and_never_count() {
    let (live, codes) = Live::start(Options::default(), 1);
    for i in 0..(BAD_CODES_PER_SOURCE as usize * 3) {
        let r = live.enrol("127.0.0.2", &format!("WRONG-CODE-{i:04}"), 100 + i);
        assert_eq!(
            r.status, 400,
            "a malformed code is bad input, not a guess: {r:?}"
        );
        assert_eq!(r.code(), "invalid");
        assert!(
            r.message().contains("注册码形如 ABCD-EFGH-JKLM")
                && r.message().contains("a code looks like ABCD-EFGH-JKLM"),
            "says what a code looks like, in both languages: {}",
            r.message()
        );
    }
    let r = live.enrol("127.0.0.2", &codes[0], 0);
    assert_eq!(
        r.status, 200,
        "after many malformed codes the same address still enrols: none counted: {r:?}"
    );
}

#[test]
fn unreadable_enrolment_bodies_get_the_status_that_says_why() {
    let (live, codes) = Live::start(Options::default(), 1);
    let from = "127.0.0.2";
    let big = format!(
        "{{\"code\": \"{}\", \"device_id\": \"dev-1\", \"actor\": \"aa01\", \"pad\": \"{}\"}}",
        codes[0],
        "x".repeat(MAX_ENROL_BYTES)
    );
    let r = live.post(from, big.into_bytes(), "application/json", &[]);
    assert_eq!(
        r.status, 413,
        "a body over the enrolment limit is too large, not bad JSON: {r:?}"
    );
    assert_eq!(r.code(), "too_large");
    assert!(
        r.message().contains("16 KiB"),
        "names the limit: {}",
        r.message()
    );
    let json =
        serde_json::json!({"code": codes[0], "device_id": "dev-1", "actor": "aa01"}).to_string();
    let r = live.post(from, json.clone().into_bytes(), "text/plain", &[]);
    assert_eq!(
        r.status, 415,
        "JSON sent as another content type is refused as such: {r:?}"
    );
    let not_json = live.post(from, b"{\"code\": ".to_vec(), "application/json", &[]);
    assert_eq!(
        not_json.status, 400,
        "a body that is not JSON: {not_json:?}"
    );
    let not_request = live.post(
        from,
        br#"{"code": "ABCD-EFGH-JKLM"}"#.to_vec(),
        "application/json",
        &[],
    );
    assert_eq!(
        not_request.status, 422,
        "JSON, but not an EnrollRequest: {not_request:?}"
    );
    for r in [&not_json, &not_request] {
        assert_eq!(r.code(), "invalid", "{r:?}");
        assert!(
            r.message().contains("不是注册请求")
                && r.message().contains("not an enrolment request"),
            "says what is wrong, in both languages: {}",
            r.message()
        );
    }
    let r = live.post(from, json.into_bytes(), "application/json", &[]);
    assert_eq!(
        r.status, 200,
        "none of the refused bodies used up or locked anything: {r:?}"
    );
}

#[test]
fn forwarded_for_is_ignored_from_an_untrusted_peer_and_honoured_from_a_trusted_one() {
    let proxy = "127.0.0.2";
    let options = Options {
        trusted_proxies: vec![proxy.parse().unwrap()],
    };
    let (live, codes) = Live::start(options, 3);
    // An untrusted peer names a new address each time: all count against it.
    for i in 0..BAD_CODES_PER_SOURCE as usize {
        let forged = format!("10.9.9.{}", i + 1);
        let r = live.enrol_via("127.0.0.3", &[&forged], &wrong_code(i), 100 + i);
        assert_eq!(r.status, 401, "bad code {i}: {r:?}");
    }
    let r = live.enrol_via("127.0.0.3", &["10.9.9.99"], &codes[0], 0);
    assert_locked(
        &r,
        "a header from an untrusted peer is ignored: the peer itself is locked",
    );

    // Through the trusted proxy: its client, the right-most untrusted hop, counts.
    for i in 0..BAD_CODES_PER_SOURCE as usize {
        let r = live.enrol_via(proxy, &["6.6.6.6, 10.0.0.7"], &wrong_code(50 + i), 200 + i);
        assert_eq!(r.status, 401, "bad code {i} via the proxy: {r:?}");
    }
    let r = live.enrol_via(proxy, &["10.0.0.7"], &codes[1], 1);
    assert_locked(&r, "the proxy's client 10.0.0.7 is locked");
    let r = live.enrol_via(proxy, &["10.0.0.8, 10.0.0.7"], &codes[1], 1);
    assert_locked(
        &r,
        "what the client writes left of the proxy's entry is not believed: still 10.0.0.7",
    );
    let r = live.enrol_via(proxy, &["10.0.0.8"], &codes[1], 1);
    assert_eq!(
        r.status, 200,
        "another client behind the same proxy enrols: the proxy is not locked for everyone behind it: {r:?}"
    );
    let r = live.enrol_via(proxy, &[], &codes[2], 2);
    assert_eq!(
        r.status, 200,
        "the proxy itself, without the header, is its own client and was never counted: {r:?}"
    );
}
