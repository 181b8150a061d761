// A small W3C WebDriver client over fetch, enough to drive the app through
// tauri-driver + WebKitWebDriver: sessions, elements, typing, clicking,
// screenshots. No npm dependencies, so nothing to install or pin.
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

export class Session {
  constructor(base, id) {
    this.base = base;
    this.id = id;
  }

  static async start(base, application, timeoutMs = 60000) {
    const res = await call(base, 'POST', '/session', {
      capabilities: { alwaysMatch: { 'tauri:options': { application } } },
    }, timeoutMs);
    return new Session(base, res.sessionId);
  }

  async cmd(method, path, body) {
    return call(this.base, method, `/session/${this.id}${path}`, body);
  }

  async quit() {
    try {
      await call(this.base, 'DELETE', `/session/${this.id}`);
    } catch {
      /* the app may already be gone */
    }
  }

  async find(css) {
    const v = await this.cmd('POST', '/element', { using: 'css selector', value: css });
    return new Element(this, v[ELEMENT]);
  }

  async findAll(css) {
    const v = await this.cmd('POST', '/elements', { using: 'css selector', value: css });
    return v.map((e) => new Element(this, e[ELEMENT]));
  }

  /** Waits until `css` matches a displayed element (and `pred`, if given, holds on it). */
  async waitFor(css, { timeout = 20000, pred } = {}) {
    const until = Date.now() + timeout;
    let last = '';
    while (Date.now() < until) {
      try {
        const els = await this.findAll(css);
        for (const e of els) {
          if (!(await e.displayed())) continue;
          if (!pred || (await pred(e))) return e;
        }
        last = `${els.length} matched, none ready`;
      } catch (err) {
        last = String(err);
      }
      await sleep(150);
    }
    throw new Error(`timed out waiting for ${css}: ${last}`);
  }

  async waitGone(css, timeout = 20000) {
    const until = Date.now() + timeout;
    let last = '';
    while (Date.now() < until) {
      // An element removed while the driver builds its handle makes the
      // lookup itself fail ("stale element reference"): look again, as
      // waitFor does, rather than fail the test.
      try {
        const els = await this.findAll(css);
        let shown = false;
        for (const e of els) if (await e.displayed().catch(() => false)) shown = true;
        if (!shown) return;
        last = `${els.length} matched, still shown`;
      } catch (err) {
        last = String(err);
      }
      await sleep(150);
    }
    throw new Error(`still shown after ${timeout} ms: ${css}: ${last}`);
  }

  async exec(script, args = []) {
    return this.cmd('POST', '/execute/sync', { script, args });
  }

  /** Saves a PNG after the page has painted (two animation frames). */
  async screenshot(path) {
    await this.cmd('POST', '/execute/async', {
      script: 'const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)));',
      args: [],
    });
    const b64 = await this.cmd('GET', '/screenshot');
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, Buffer.from(b64, 'base64'));
  }
}

export class Element {
  constructor(session, id) {
    this.s = session;
    this.id = id;
  }
  /** Scrolled to the middle first: WebDriver scrolls a button only until it
   * shows at the bottom edge, where the fixed tab bar covers it. */
  async click() {
    await this.s.exec("arguments[0].scrollIntoView({ block: 'center', inline: 'nearest' })", [{ [ELEMENT]: this.id }]);
    return this.s.cmd('POST', `/element/${this.id}/click`, {});
  }
  async type(text) {
    return this.s.cmd('POST', `/element/${this.id}/value`, { text });
  }
  async clear() {
    return this.s.cmd('POST', `/element/${this.id}/clear`, {});
  }
  /** The element's text content (WebKitWebDriver's rendered-text command
   * misses text in some styled elements, so this reads the DOM). */
  async text() {
    return this.s.exec('return arguments[0].textContent', [{ [ELEMENT]: this.id }]);
  }
  async attr(name) {
    return this.s.cmd('GET', `/element/${this.id}/attribute/${name}`);
  }
  async displayed() {
    return this.s.cmd('GET', `/element/${this.id}/displayed`);
  }
  /** Sets a <select> by value, the way a user picking an option would. */
  async select(value) {
    return this.s.exec(
      'const [el, v] = arguments; el.value = v; el.dispatchEvent(new Event("change", { bubbles: true })); el.dispatchEvent(new Event("input", { bubbles: true }));',
      [{ [ELEMENT]: this.id }, value],
    );
  }
}

async function call(base, method, path, body, timeoutMs = 30000) {
  const res = await fetch(base + path, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) {
    const v = json.value || {};
    throw new Error(`${method} ${path}: ${res.status} ${v.error || ''} ${v.message || ''}`);
  }
  return json.value;
}

export { sleep };
