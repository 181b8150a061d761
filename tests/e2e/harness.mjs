// What the end-to-end specs stand on: the gridline CLI (hub and a second
// device), a hub on a free loopback port, and tauri-driver driving the real
// app in WebKitWebDriver. Everything runs on 127.0.0.1 and is torn down.
import { spawn, execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, readFileSync, existsSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Session, sleep } from './webdriver.mjs';

export const root = resolve(new URL('../..', import.meta.url).pathname);
const target = process.env.CARGO_TARGET_DIR || join(root, 'target');
export const bin = {
  cli: join(target, 'debug', 'gridline'),
  app: join(target, 'debug', 'gridline-app'),
};
export const shots = resolve(process.env.SCREENSHOT_DIR || join(target, 'e2e-screenshots'));

export function tempDir(name) {
  return mkdtempSync(join(tmpdir(), `gridline-e2e-${name}-`));
}

export async function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

async function portOpen(port) {
  return new Promise((ok) => {
    const c = connect(port, '127.0.0.1');
    c.on('connect', () => { c.destroy(); ok(true); });
    c.on('error', () => ok(false));
  });
}

async function waitPort(port, what, ms = 30000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await portOpen(port)) return;
    await sleep(100);
  }
  throw new Error(`${what} did not open port ${port} within ${ms} ms`);
}

/**
 * The PIN the app sets at enrolment: the specs run as a real device does
 * where there is no key store (Xvfb has no Secret Service), without the
 * tests' key, so the first screen after the code asks for a PIN.
 */
export const APP_PIN = '246810';
/** The CLI's devices (the other device, the screenshot scripts' phones) have no one to type a PIN. */
const CLI_PIN = 'e2e-cli-pin';

/** Runs the CLI with --json and returns the parsed answer. */
export function gl(data, ...args) {
  const out = execFileSync(bin.cli, ['--data', data, '--json', ...args], {
    encoding: 'utf8',
    env: { ...process.env, GRIDLINE_PIN: process.env.GRIDLINE_PIN || CLI_PIN },
  });
  return JSON.parse(out);
}

export class Hub {
  constructor(dir) {
    this.dir = dir;
    this.proc = null;
  }
  static async create(name) {
    const h = new Hub(join(tempDir(name), 'hub'));
    gl(h.dir, 'hub', 'init');
    gl(h.dir, 'demo', 'seed', '--scale', 'grid', '--seed', '1');
    h.port = await freePort();
    h.url = `http://127.0.0.1:${h.port}`;
    return h;
  }
  code(user, name, role, scope) {
    return gl(this.dir, 'hub', 'enroll', '--user', user, '--name', name, '--role', role, '--scope', scope).code;
  }
  async start() {
    this.proc = spawn(bin.cli, ['--data', this.dir, 'hub', 'serve', '--listen', `127.0.0.1:${this.port}`], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    await waitPort(this.port, 'the hub');
  }
  async stop() {
    if (!this.proc) return;
    const p = this.proc;
    this.proc = null;
    const done = new Promise((ok) => (p.exitCode !== null ? ok() : p.once('exit', ok)));
    p.kill('SIGTERM');
    await Promise.race([done, sleep(10000)]);
    p.kill('SIGKILL');
    await done;
  }
}

/** tauri-driver on free ports, with the app's environment; one session at a time. */
export class Driver {
  static async start(env) {
    const d = new Driver();
    d.port = await freePort();
    d.native = await freePort();
    // Its own process group: stopping it also stops WebKitWebDriver and the app.
    d.proc = spawn('tauri-driver', ['--port', String(d.port), '--native-port', String(d.native)], {
      // Neither the tests' key nor a PIN from the environment: the app keys
      // its store as a device without a key store does, with the PIN its
      // user sets (an empty value is unset).
      env: { ...process.env, GRIDLINE_TEST_KEY: '', GRIDLINE_PIN: '', ...env },
      stdio: ['ignore', 'inherit', 'inherit'],
      detached: true,
    });
    // tauri-driver opens its port before WebKitWebDriver listens: wait for both.
    await waitPort(d.port, 'tauri-driver');
    await waitPort(d.native, 'WebKitWebDriver');
    d.session = await Session.start(`http://127.0.0.1:${d.port}`, bin.app);
    return d;
  }
  async stop() {
    if (this.session) await this.session.quit();
    if (this.proc) {
      const p = this.proc;
      this.proc = null;
      const done = new Promise((ok) => (p.exitCode !== null ? ok() : p.once('exit', ok)));
      const group = (sig) => {
        try {
          process.kill(-p.pid, sig);
        } catch {
          /* already gone */
        }
      };
      group('SIGTERM');
      await Promise.race([done, sleep(5000)]);
      // Whatever is left of the group (the driver, WebKitWebDriver, the app) goes now.
      group('SIGKILL');
      await Promise.race([done, sleep(2000)]);
    }
  }
}

/**
 * After 登记 is tapped: where there is no key store (Xvfb has no Secret
 * Service) the app asks for a PIN before it makes the store; sets APP_PIN
 * and waits for 首页. `before(name)` is called on the set-PIN step filled in
 * (a screenshot, say).
 */
export async function setPinIfAsked(s, before = async () => {}) {
  const next = await s.waitFor('[data-screen="today"], [data-screen="set-pin"]', { timeout: 30000 });
  if ((await next.attr('data-screen')) !== 'set-pin') return false;
  await (await s.find('[data-testid="pin-new"]')).type(APP_PIN);
  await (await s.find('[data-testid="pin-again"]')).type(APP_PIN);
  await before('set-pin');
  await (await s.find('[data-testid="pin-submit"]')).click();
  await s.waitFor('[data-screen="today"]', { timeout: 60000 });
  return true;
}

/** Screenshots of every screen a spec visits, numbered in visiting order. */
export function shooter(spec, session) {
  let n = 0;
  mkdirSync(shots, { recursive: true });
  return async (name) => {
    n += 1;
    const file = join(shots, `${spec}-${String(n).padStart(2, '0')}-${name}.png`);
    await session.screenshot(file);
    return file;
  };
}

// The steps every spec takes: find by test id, enrol, switch tabs, save.
export const tid = (id) => `[data-testid="${id}"]`;

export async function enrol(s, shot, hub, code) {
  await s.waitFor('[data-screen="enrol"]', { timeout: 60000 });
  await shot('enrol');
  const hubInput = await s.find(tid('enrol-hub'));
  await hubInput.clear();
  await hubInput.type(hub.url);
  await (await s.find(tid('enrol-code'))).type(code);
  await (await s.find(tid('enrol-submit'))).click();
  // Without a key store (Xvfb has no Secret Service) and without the
  // tests' key, the store is keyed by a PIN the user sets now.
  return setPinIfAsked(s);
}

/** Locks the app from 我的, tries a wrong PIN, then unlocks and is back on 我的. */
export async function lockAndUnlock(s) {
  await tab(s, 'me');
  await s.waitFor(`${tid('key-source')}[data-source="pin"]`);
  // Scrolled to the middle: at the bottom of the page the tab bar covers it.
  await s.exec(`document.querySelector('${tid('lock-now')}').scrollIntoView({ block: 'center' })`);
  await (await s.find(tid('lock-now'))).click();
  await s.waitFor('[data-screen="lock"]');
  assert.equal((await s.findAll(tid('tab-me'))).length, 0, 'nothing of the app shows while locked');
  await (await s.find(tid('unlock-pin'))).type('000000');
  await (await s.find(tid('unlock-submit'))).click();
  await s.waitFor('[data-screen="lock"] [data-error-code="wrong_pin"]', { timeout: 30000 });
  await (await s.find(tid('unlock-pin'))).type(APP_PIN);
  await (await s.find(tid('unlock-submit'))).click();
  await s.waitFor('[data-screen="me"]', { timeout: 30000 });
}

export async function tab(s, name) {
  await (await s.waitFor(tid(`tab-${name}`))).click();
}

/** Taps the save button `id` and waits for 已保存; an error toast fails the spec with its words. */
export async function save(s, id) {
  await s.waitGone(tid('toast'), 15000);
  await (await s.find(tid(id))).click();
  const toast = await s.waitFor(tid('toast'), { timeout: 15000 });
  const kind = await toast.attr('data-kind');
  assert.equal(kind, 'saved', `saving with ${id} failed: ${await toast.text()}`);
}

/** Waits for the engine to report phase `phase` on the Me screen's sync panel. */
export async function waitPhase(s, phase, timeout = 60000) {
  await s.waitFor(`${tid('sync-phase')}[data-phase="${phase}"]`, { timeout });
}

export { readFileSync, existsSync, rmSync };
