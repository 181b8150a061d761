// An independent Gridline sync client, written from docs/sync-protocol.md and
// docs/openapi.json alone (no Gridline code): it enrols with a one-time code,
// pulls its scope, edits a household, records a visit to it, pushes both,
// checks the hub acknowledged them, and pulls again.
//
//   node client.mjs HUB_URL ENROLMENT_CODE
//
// Prints one JSON line saying what it did, for the caller to check on the
// hub's side; exits non-zero, saying why, if the hub answers anything the
// documents do not promise.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import * as A from "@automerge/automerge";
import { decode, encode } from "cbor2";

const [url, code] = process.argv.slice(2);
if (!url || !code) {
  fail("usage: node client.mjs HUB_URL ENROLMENT_CODE");
}

function fail(message) {
  process.stderr.write(`client: ${message}\n`);
  process.exit(1);
}

function check(ok, message) {
  if (!ok) fail(message);
}

// "Ids": a device mints record ids as UUID v7 (RFC 9562).
function uuidV7() {
  const b = randomBytes(16);
  const ms = BigInt(Date.now());
  for (let i = 0; i < 6; i++) b[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  b[6] = (b[6] & 0x0f) | 0x70;
  b[8] = (b[8] & 0x3f) | 0x80;
  return uuidText(b);
}

// "Ids": a household-private part is UUID v5 of "household-private" in the
// household's id as namespace.
function uuidV5(namespace, name) {
  const ns = Buffer.from(namespace.replaceAll("-", ""), "hex");
  const b = createHash("sha1").update(ns).update(Buffer.from(name, "ascii")).digest().subarray(0, 16);
  b[6] = (b[6] & 0x0f) | 0x50;
  b[8] = (b[8] & 0x3f) | 0x80;
  return uuidText(b);
}

function uuidText(b) {
  const h = Buffer.from(b).toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// "Authors and units": the unit an author names, from the enrolled scope.
function unitOf(scope) {
  const [kind, rest = ""] = scope.split(/:(.*)/s);
  return ["community", "street", "department"].includes(kind) ? rest : "";
}

// A scalar Automerge string, as the schema's "string" type asks.
const str = (s) => new A.ImmutableString(s);
const text = (v) => (A.isImmutableString(v) ? v.toString() : v);

// --- Enrolment: POST /v1/enroll (JSON), docs/openapi.json's EnrollRequest.
const actor = randomBytes(16).toString("hex");
const deviceId = randomUUID();
const enrolled = await fetch(`${url}/v1/enroll`, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ code, device_id: deviceId, actor }),
});
const binding = await enrolled.json();
check(enrolled.status === 200, `enrolment answered ${enrolled.status}: ${JSON.stringify(binding)}`);
for (const key of ["token", "user_id", "role", "scope", "hub_actor"]) {
  check(typeof binding[key] === "string", `EnrollResponse has no ${key}`);
}
const author = { user: binding.user_id, role: binding.role, unit: unitOf(binding.scope) };
const grids = binding.scope.startsWith("grids:") ? binding.scope.slice(6).split(",") : [];
check(grids.length > 0, `this client acts as a grid worker; enrolled as ${binding.role} ${binding.scope}`);

// --- One round trip: POST /v1/sync, a CBOR SyncRequest, a CBOR SyncResponse.
let requests = 0;
async function roundTrip(request) {
  requests += 1;
  const r = await fetch(`${url}/v1/sync`, {
    method: "POST",
    headers: { "content-type": "application/cbor", authorization: `Bearer ${binding.token}` },
    body: encode(request),
  });
  const body = new Uint8Array(await r.arrayBuffer());
  check(r.status === 200, `sync answered ${r.status}: ${Buffer.from(body).toString()}`);
  check(
    (r.headers.get("content-type") ?? "").startsWith("application/cbor"),
    `sync answered ${r.headers.get("content-type")}, not CBOR`,
  );
  const resp = decode(body);
  check(resp.v === 1, `the reply speaks version ${resp.v}`);
  for (const key of ["acks", "refusals", "docs", "removals"]) {
    check(Array.isArray(resp[key]), `the reply has no ${key} list`);
  }
  return resp;
}

function request(cursor, push = [], wantTotal = false) {
  return { v: 1, cursor, page: 2000, want_total: wantTotal, new_actor: null, push };
}

// Pulls every page from `cursor`; returns the documents and the new cursor.
async function pull(cursor) {
  const docs = new Map();
  let first = true;
  for (;;) {
    const resp = await roundTrip(request(cursor, [], first));
    first = false;
    for (const d of resp.docs) {
      check(d.bytes instanceof Uint8Array, `docs[].bytes of ${d.id} is not a CBOR byte string`);
      docs.set(d.id, A.load(d.bytes, { actor }));
    }
    check(resp.cursor >= cursor, `the cursor went back from ${cursor} to ${resp.cursor}`);
    cursor = resp.cursor;
    if (!resp.more) return { docs, cursor };
  }
}

const firstPull = await pull(0);
const households = [...firstPull.docs.values()].filter((d) => text(d.kind) === "household");
check(households.length > 0, `the first pull brought no household (${firstPull.docs.size} documents)`);
for (const [id, d] of firstPull.docs) {
  check(text(d.id) === id || text(d.kind) === "household-private", `document ${id} says it is ${text(d.id)}`);
  if (text(d.kind) === "household-private") {
    check(
      id === uuidV5(text(d.household), "household-private"),
      `private part ${id} is not the id derived from household ${text(d.household)}`,
    );
  }
}

// --- Edit one household: its phone (a scalar string) and notes (Text).
const before = households.find((h) => grids.includes(text(h.grid)));
check(before, `no pulled household lies in ${grids}`);
const householdId = text(before.id);
const phone = text(before.phone) === "13700001234" ? "13700004321" : "13700001234";
const note = `独立客户端走访后更新 ${new Date().toISOString()}`;
const at = new Date();
const time = Math.floor(at.getTime() / 1000);
const edited = A.change(before, { time }, (d) => {
  d.phone = str(phone);
  const notes = typeof d.notes === "string" ? d.notes : "";
  if (typeof d.notes === "string") {
    A.splice(d, ["notes"], notes.length, 0, notes ? `；${note}` : note);
  } else {
    d.notes = note;
  }
});
const householdPush = {
  id: householdId,
  // Changes since the heads the hub sent: it holds those.
  changes: A.saveSince(edited, A.getHeads(before)),
  heads: A.getHeads(edited),
};

// --- A new visit to that household, authored as the enrolled user.
const visitId = uuidV7();
const visit = A.change(A.init({ actor }), { time }, (d) => {
  d.kind = str("visit");
  d.v = 1;
  d.id = str(visitId);
  d.household = str(householdId);
  d.grid = str(text(before.grid));
  d.user = str(author.user);
  d.role = str(author.role);
  d.unit = str(author.unit);
  d.at = str(at.toISOString());
  d.visit_kind = str("routine");
  d.notes = "独立客户端：入户走访，一切正常";
});
const visitPush = { id: visitId, changes: A.save(visit), heads: A.getHeads(visit) };

// --- Push both; an entry the hub deferred is sent again.
let pending = [householdPush, visitPush];
const acks = new Map();
let cursor = firstPull.cursor;
for (let round = 0; pending.length > 0; round++) {
  check(round < 10, `still deferred after 10 rounds: ${pending.map((p) => p.id)}`);
  const resp = await roundTrip(request(cursor, pending));
  check(resp.refusals.length === 0, `the hub refused: ${JSON.stringify(resp.refusals)}`);
  for (const a of resp.acks) acks.set(a.id, a.heads);
  const deferred = resp.deferred ?? [];
  for (const p of pending) {
    check(acks.has(p.id) || deferred.includes(p.id), `${p.id} was neither acknowledged, refused nor deferred`);
  }
  pending = pending.filter((p) => deferred.includes(p.id));
  check(resp.cursor > cursor, `the cursor did not advance past ${cursor} after a push (${resp.cursor})`);
  cursor = resp.cursor;
}
const sameHeads = (a, b) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());
check(sameHeads(acks.get(householdId), householdPush.heads), "the household's ack carries other heads than ours");
check(sameHeads(acks.get(visitId), visitPush.heads), "the visit's ack carries other heads than ours");

// --- Pull again: nothing of ours comes back, and the cursor stays past our pushes.
const again = await pull(cursor);
check(again.cursor >= cursor && again.cursor > firstPull.cursor, `the cursor went from ${firstPull.cursor} to ${again.cursor}`);

// --- And from the start: the hub serves both documents as we left them.
const all = await pull(0);
const hubHousehold = all.docs.get(householdId);
const hubVisit = all.docs.get(visitId);
check(hubHousehold && sameHeads(A.getHeads(hubHousehold), householdPush.heads), "the hub's household is not ours");
check(text(hubHousehold.phone) === phone, `the hub's household has phone ${text(hubHousehold.phone)}`);
check(hubVisit && text(hubVisit.user) === author.user, "the hub's visit is not ours");

process.stdout.write(
  `${JSON.stringify({
    user_id: author.user,
    role: author.role,
    device_id: deviceId,
    actor,
    household: householdId,
    phone,
    note,
    visit: visitId,
    cursors: { first: firstPull.cursor, pushed: cursor, again: again.cursor },
    requests,
  })}\n`,
);
