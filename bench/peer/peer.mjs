// The peer for `gridline bench peer`: the same four measurements as Gridline's
// side, made with automerge-repo 2.5 (JS) and its websocket sync server.
//
//   node peer.mjs [N]          (default N = 1000)
//
// The sync server runs as its own process (this script forked with
// `--serve`), like Gridline's hub: a ws WebSocketServer on 127.0.0.1, port 0,
// NodeWSServerAdapter, NodeFSStorageAdapter in a temp dir, sharePolicy always
// true. It counts every websocket message and byte per client connection and
// answers the parent's questions over the fork IPC channel. Clients A, B and
// B2 run in this process, each with its own NodeFS storage in a temp dir.
//
// Prints ONE JSON line on stdout and exits 0; on any timeout or error it
// prints a message on stderr and exits 1. Everything is loopback only and
// every wait is bounded.

import { fork } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

import {
  Repo,
  ImmutableString,
  updateText,
  cbor,
} from "@automerge/automerge-repo"
import {
  NodeWSServerAdapter,
  WebSocketClientAdapter,
} from "@automerge/automerge-repo-network-websocket"
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs"
import { WebSocketServer } from "ws"

const POLL_MS = 10
// A quiet connection for this long means the exchange is over.
const QUIET_MS = 1000

const headsKey = heads => [...heads].sort().join(",")

// ---------------------------------------------------------------- server --

async function serve() {
  const dir = mkdtempSync(join(tmpdir(), "peer-server-"))
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 })
  // Per connection: who (the join message's senderId) and what went each way.
  const conns = []
  wss.on("connection", socket => {
    const c = {
      peer: null,
      msgsIn: 0,
      bytesIn: 0,
      msgsOut: 0,
      bytesOut: 0,
      last: Date.now(),
    }
    conns.push(c)
    socket.on("message", data => {
      const len = data.byteLength ?? data.length
      c.msgsIn++
      c.bytesIn += len
      c.last = Date.now()
      if (c.peer === null) {
        try {
          c.peer = cbor.decode(new Uint8Array(data)).senderId ?? "?"
        } catch {
          c.peer = "?"
        }
      }
    })
    const send = socket.send.bind(socket)
    socket.send = (data, ...rest) => {
      c.msgsOut++
      c.bytesOut += data.byteLength ?? data.length
      c.last = Date.now()
      return send(data, ...rest)
    }
  })
  await new Promise((resolve, reject) => {
    wss.once("listening", resolve)
    wss.once("error", reject)
  })
  const repo = new Repo({
    peerId: "server",
    network: [new NodeWSServerAdapter(wss)],
    storage: new NodeFSStorageAdapter(dir),
    sharePolicy: async () => true,
  })

  const answer = async msg => {
    switch (msg.type) {
      case "heads": {
        // Cheap: look at handles the server already holds, never ask peers.
        const handles = repo.handles
        const out = {}
        for (const id of msg.ids) {
          const h = handles[id]
          out[id] = h && h.isReady() ? headsKey(h.heads()) : null
        }
        return out
      }
      case "counters":
        return conns.map(c => ({ ...c }))
      case "verify-find": {
        // `await repo.find(url)` on the server: a Promise of a ready handle?
        const p = repo.find(msg.url)
        const isPromise = p instanceof Promise
        const h = await p
        return { isPromise, ready: h.isReady(), heads: headsKey(h.heads()) }
      }
      case "stop":
        await repo.shutdown()
        wss.close()
        rmSync(dir, { recursive: true, force: true })
        setTimeout(() => process.exit(0), 50)
        return true
      default:
        throw new Error(`unknown request ${msg.type}`)
    }
  }
  process.on("message", async ({ seq, msg }) => {
    try {
      process.send({ seq, ok: await answer(msg) })
    } catch (e) {
      process.send({ seq, err: String(e?.stack ?? e) })
    }
  })
  process.on("disconnect", () => process.exit(0))
  process.send({ port: wss.address().port })
}

// ---------------------------------------------------------------- client --

function fail(msg) {
  process.stderr.write(`peer.mjs: ${msg}\n`)
  process.exit(1)
}

function withTimeout(promise, ms, what) {
  let timer
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`timed out after ${ms / 1000} s: ${what}`)),
        ms
      )
    }),
  ]).finally(() => clearTimeout(timer))
}

async function until(cond, ms, what) {
  const end = Date.now() + ms
  for (;;) {
    if (await cond()) return
    if (Date.now() > end) throw new Error(`timed out after ${ms / 1000} s: ${what}`)
    await new Promise(r => setTimeout(r, POLL_MS))
  }
}

function household(i) {
  const s = v => new ImmutableString(v)
  const residents = {}
  const count = 2 + (i % 2)
  for (let r = 0; r < count; r++) {
    residents[`0190a5c2-7e1b-7c3d-9a4e-${String(i * 10 + r).padStart(12, "0")}`] = {
      name: s(["张伟", "李娜", "王芳"][r]),
      gender: s(r === 1 ? "女" : "男"),
      birth_date: s(`19${50 + (i % 45)}-0${1 + (r % 9)}-1${r}`),
      relation: s(["户主", "配偶", "子女"][r]),
      phone: s(`1380000${String(i).padStart(4, "0")}`),
      tags: r === 0 && i % 3 === 0 ? { 党员: true } : {},
    }
  }
  return {
    kind: s("household"),
    v: 1,
    id: s(`0190a5c2-7e1b-7c3d-8a4e-${String(i).padStart(12, "0")}`),
    grid: s("522701001001001"),
    compound: s("幸福小区"),
    building: s(`${1 + (i % 20)}栋`),
    unit: s(`${1 + (i % 4)}单元`),
    room: s(`${100 + (i % 30)}`),
    phone: s(`1390000${String(i).padStart(4, "0")}`),
    created_at: s("2026-11-28T06:00:00Z"),
    tags: i % 2 === 0 ? { 独居老人: true } : { 出租屋: true },
    residents,
    notes: `第${i}户，基准数据`,
  }
}

function client(peerId, port, dir) {
  return new Repo({
    peerId,
    network: [new WebSocketClientAdapter(`ws://127.0.0.1:${port}`)],
    storage: new NodeFSStorageAdapter(dir),
    sharePolicy: async () => true,
  })
}

async function main() {
  const n = Number.parseInt(process.argv[2] ?? "1000", 10)
  if (!Number.isFinite(n) || n < 1) fail(`bad N: ${process.argv[2]}`)
  // Bounds per phase: generous against the ~20 s the peer needed for 1,000.
  const phaseMs = Math.max(120_000, n * 300)
  const tmp = []
  const tempDir = name => {
    const d = mkdtempSync(join(tmpdir(), `peer-${name}-`))
    tmp.push(d)
    return d
  }

  // The server, in its own process.
  const server = fork(fileURLToPath(import.meta.url), ["--serve"], {
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  })
  const pending = new Map()
  let seq = 0
  let port
  const portReady = new Promise((resolve, reject) => {
    server.on("message", m => {
      if (m.port !== undefined) return resolve(m.port)
      const p = pending.get(m.seq)
      if (!p) return
      pending.delete(m.seq)
      if (m.err) p.reject(new Error(m.err))
      else p.resolve(m.ok)
    })
    server.once("exit", code => reject(new Error(`the server exited (${code})`)))
  })
  const ask = msg =>
    withTimeout(
      new Promise((resolve, reject) => {
        pending.set(++seq, { resolve, reject })
        server.send({ seq, msg })
      }),
      phaseMs,
      `server request ${msg.type}`
    )
  const cleanup = () => {
    try {
      server.kill()
    } catch {}
    for (const d of tmp) rmSync(d, { recursive: true, force: true })
  }
  process.on("exit", cleanup)

  try {
    port = await withTimeout(portReady, 30_000, "server start")
    const connected = (repo, what) =>
      until(() => repo.peers.includes("server"), 30_000, `${what} connecting`)
    const counters = async peer => {
      const all = await ask({ type: "counters" })
      const sum = { msgs_in: 0, bytes_in: 0, msgs_out: 0, bytes_out: 0, last: 0 }
      for (const c of all.filter(c => c.peer === peer)) {
        sum.msgs_in += c.msgsIn
        sum.bytes_in += c.bytesIn
        sum.msgs_out += c.msgsOut
        sum.bytes_out += c.bytesOut
        sum.last = Math.max(sum.last, c.last)
      }
      return sum
    }
    const diff = (a, b) => ({
      // From the client's side: sent = the server's in, received = its out.
      messages_sent: b.msgs_in - a.msgs_in,
      bytes_sent: b.bytes_in - a.bytes_in,
      messages_received: b.msgs_out - a.msgs_out,
      bytes_received: b.bytes_out - a.bytes_out,
    })
    // Wait until no message went either way on `peer`'s connection for
    // QUIET_MS; returns when the last one went (ms since the epoch).
    const settled = async (peer, what) => {
      let last = 0
      await until(
        async () => {
          const c = await counters(peer)
          last = c.last
          return Date.now() - c.last >= QUIET_MS
        },
        phaseMs,
        `${what}: traffic settling`
      )
      return last
    }
    const serverHas = async (want, what) => {
      let left = new Map(want)
      await until(
        async () => {
          const got = await ask({ type: "heads", ids: [...left.keys()] })
          for (const [id, heads] of [...left]) if (got[id] === heads) left.delete(id)
          return left.size === 0
        },
        phaseMs,
        `${what}: server holding ${left.size} of ${want.size} documents with the client's heads`
      )
    }

    // (a) push: A creates N households; until the server holds them all.
    const dirA = tempDir("a")
    const repoA = client("A", port, dirA)
    await connected(repoA, "A")
    const a0 = await counters("A")
    const t0 = performance.now()
    const handles = []
    for (let i = 0; i < n; i++) handles.push(repoA.create(household(i)))
    const createS = (performance.now() - t0) / 1e3
    const wantA = new Map(handles.map(h => [h.documentId, headsKey(h.heads())]))
    await serverHas(wantA, "push")
    const pushS = (performance.now() - t0) / 1e3
    const lastA = await settled("A", "push")
    const pushSettledS = (lastA - (performance.timeOrigin + t0)) / 1e3
    const pushBytes = diff(a0, await counters("A"))

    // The server's own handle, the 2.x way: `await serverRepo.find(url)`.
    const verify = await ask({ type: "verify-find", url: handles[0].url })
    if (!verify.isPromise || !verify.ready || verify.heads !== wantA.get(handles[0].documentId))
      throw new Error(`server find() did not give a ready handle with A's heads: ${JSON.stringify(verify)}`)

    // (b) first sync: a fresh B finds all N urls.
    const dirB = tempDir("b")
    const repoB = client("B", port, dirB)
    await connected(repoB, "B")
    const b0 = await counters("B")
    const t1 = performance.now()
    const found = await withTimeout(
      Promise.all(handles.map(h => repoB.find(h.url))),
      phaseMs,
      "first sync: B finding every document"
    )
    for (const h of found)
      if (headsKey(h.heads()) !== wantA.get(h.documentId))
        throw new Error(`first sync: B's ${h.documentId} differs from A's`)
    const firstS = (performance.now() - t1) / 1e3
    const lastB = await settled("B", "first sync")
    const firstSettledS = (lastB - (performance.timeOrigin + t1)) / 1e3
    const firstBytes = diff(b0, await counters("B"))
    // B's sync states are saved on a 100 ms throttle: let them land, then close.
    await new Promise(r => setTimeout(r, 500))
    await withTimeout(repoB.shutdown(), phaseMs, "closing B")

    // (c) nothing changed: B2 opens B's storage and finds all N again.
    const t2 = performance.now()
    const repoB2 = client("B2", port, dirB)
    await connected(repoB2, "B2")
    const found2 = await withTimeout(
      Promise.all(handles.map(h => repoB2.find(h.url))),
      phaseMs,
      "nothing changed: B2 finding every document"
    )
    const serverHeads = await ask({ type: "heads", ids: handles.map(h => h.documentId) })
    for (const h of found2)
      if (headsKey(h.heads()) !== serverHeads[h.documentId])
        throw new Error(`nothing changed: B2's ${h.documentId} differs from the server's`)
    const unchangedS = (performance.now() - t2) / 1e3
    const lastB2 = await settled("B2", "nothing changed")
    const unchangedSettledS = (lastB2 - (performance.timeOrigin + t2)) / 1e3
    const unchangedBytes = diff(
      { msgs_in: 0, bytes_in: 0, msgs_out: 0, bytes_out: 0 },
      await counters("B2")
    )

    // (d) 10 edits on A: until the server holds the new heads.
    const a1 = await counters("A")
    const t3 = performance.now()
    const edited = handles.slice(0, Math.min(10, n))
    edited.forEach((h, i) => h.change(d => updateText(d, ["notes"], `基准修改 ${i}`)))
    const wantD = new Map(edited.map(h => [h.documentId, headsKey(h.heads())]))
    await serverHas(wantD, "10 edits")
    const editsS = (performance.now() - t3) / 1e3
    const lastD = await settled("A", "10 edits")
    const editsSettledS = (lastD - (performance.timeOrigin + t3)) / 1e3
    const editsBytes = diff(a1, await counters("A"))

    const docBytes = await repoA.export(handles[0].url)
    const out = {
      n,
      push_s: pushS,
      first_sync_s: firstS,
      nothing_changed_s: unchangedS,
      edits10_s: editsS,
      create_s: createS,
      settled_s: {
        push: pushSettledS,
        first_sync: firstSettledS,
        nothing_changed: unchangedSettledS,
        edits10: editsSettledS,
      },
      bytes: {
        push: pushBytes,
        first_sync: firstBytes,
        nothing_changed: unchangedBytes,
        edits10: editsBytes,
      },
      doc_bytes: docBytes?.byteLength ?? null,
      server_find_is_promise: verify.isPromise,
      versions: {
        node: process.versions.node,
      },
    }
    await Promise.allSettled([repoA.shutdown(), repoB2.shutdown()])
    await ask({ type: "stop" }).catch(() => {})
    process.stdout.write(JSON.stringify(out) + "\n")
    process.exit(0)
  } catch (e) {
    fail(e?.message ?? String(e))
  }
}

if (process.argv.includes("--serve")) {
  serve().catch(e => {
    process.stderr.write(`peer.mjs server: ${e?.stack ?? e}\n`)
    process.exit(1)
  })
} else {
  // A last bound on the whole run, whatever hangs.
  const n = Number.parseInt(process.argv[2] ?? "1000", 10) || 1000
  setTimeout(() => fail("timed out: the whole run"), Math.max(600_000, n * 1500)).unref()
  main()
}
