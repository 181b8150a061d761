// @vitest-environment happy-dom
// The lock (DESIGN §7) in the real components against a fake backend:
// setting a PIN at enrolment, a locked start, a wrong then right PIN, and
// 立即锁定 on 我的, which writes the open forms' drafts first.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import { fakeBackend, type FakeBackend } from './support/backend';

let backend: FakeBackend;
vi.mock('@tauri-apps/api/core', () => ({ invoke: (cmd: string, args?: Record<string, unknown>) => backend.handle(cmd, args) }));
vi.mock('@tauri-apps/api/event', () => ({ listen: async () => () => {} }));

const { default: App } = await import('../src/App.svelte');
const { app } = await import('../src/lib/app.svelte');

let component: ReturnType<typeof mount> | null = null;

async function waitFor<T extends Element>(css: string, timeout = 2000): Promise<T> {
  const until = Date.now() + timeout;
  for (;;) {
    flushSync();
    const el = document.querySelector<T>(css);
    if (el) return el;
    if (Date.now() > until) throw new Error(`no ${css} in ${document.body.innerHTML.slice(0, 600)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function type(el: HTMLInputElement | HTMLTextAreaElement, value: string) {
  el.value = value;
  el.dispatchEvent(new Event('input', { bubbles: true }));
}

async function start(hash: string) {
  location.hash = hash;
  component = mount(App, { target: document.body });
  await waitFor('[data-screen]');
}

const PIN_KEYED = {
  state: 'open', key_source: 'pin', key_text: { zh: '本机 PIN（此设备没有系统密钥库）', en: 'a PIN (this machine has no key store)' },
  may_lock: true, idle_minutes: 15, idle_choices: [0, 5, 15, 30], pin_min: 6,
};

beforeEach(() => {
  backend = fakeBackend();
  app.lang = 'zh-CN';
  app.toast = null;
  app.lock = null;
  // As at a real start: nothing from the last test shows before boot.
  app.device = null;
  app.booting = true;
});

afterEach(() => {
  if (component) unmount(component);
  component = null;
  document.body.innerHTML = '';
});

describe('the lock', () => {
  it('asks for a PIN, typed twice, before enrolling where there is no key store', async () => {
    backend.enrolled = false;
    backend.needsPin = true;
    await start('#/today');
    type(await waitFor('[data-testid="enrol-code"]'), 'ABCD-EFGH-JKLM');
    (await waitFor<HTMLButtonElement>('[data-testid="enrol-submit"]')).click();
    await waitFor('[data-screen="set-pin"]');
    expect(document.querySelector('[data-testid="pin-warning"]')?.textContent, 'the warning says a forgotten PIN is lost for good').toContain('没有办法找回');
    type(await waitFor('[data-testid="pin-new"]'), '2468');
    type(await waitFor('[data-testid="pin-again"]'), '2468');
    (await waitFor<HTMLButtonElement>('[data-testid="pin-submit"]')).click();
    await waitFor('[data-screen="set-pin"] .field-error');
    expect(document.querySelector('.field-error')?.textContent).toContain('至少 6 位');
    expect(backend.calls.filter((c) => c.cmd === 'enroll').length, 'a short PIN is not sent').toBe(1);
    type(await waitFor('[data-testid="pin-new"]'), '246810');
    type(await waitFor('[data-testid="pin-again"]'), '246811');
    (await waitFor<HTMLButtonElement>('[data-testid="pin-submit"]')).click();
    flushSync();
    expect(document.querySelector('.field-error')?.textContent).toContain('不一样');
    type(await waitFor('[data-testid="pin-again"]'), '246810');
    (await waitFor<HTMLButtonElement>('[data-testid="pin-submit"]')).click();
    await waitFor('[data-screen="today"]');
    const enrol = backend.calls.filter((c) => c.cmd === 'enroll');
    expect(enrol[enrol.length - 1]?.args).toMatchObject({ code: 'ABCD-EFGH-JKLM', pin: '246810' });
  });

  it('starts locked, says a wrong PIN is wrong, and opens with the right one', async () => {
    backend.lock = { ...PIN_KEYED, state: 'locked', idle_minutes: 0 };
    await start('#/grid');
    await waitFor('[data-screen="lock"]');
    expect(document.querySelector('[data-testid="tab-grid"]'), 'nothing of the app shows while locked').toBeNull();
    expect(backend.calls.map((c) => c.cmd), 'nothing but the lock state is asked').toEqual(['lock_state']);
    type(await waitFor('[data-testid="unlock-pin"]'), '111111');
    (await waitFor<HTMLButtonElement>('[data-testid="unlock-submit"]')).click();
    const err = await waitFor('[data-screen="lock"] .error-box');
    expect(err.getAttribute('data-error-code')).toBe('wrong_pin');
    expect(err.textContent).toContain('PIN 不对');
    type(await waitFor('[data-testid="unlock-pin"]'), '246810');
    (await waitFor<HTMLButtonElement>('[data-testid="unlock-submit"]')).click();
    await waitFor('[data-screen="grid"] [data-testid="household-row"]');
  });

  it('locks from 我的, keeping an open draft, and returns there on unlock', async () => {
    backend.lock = { ...PIN_KEYED };
    await start('#/me');
    const source = await waitFor('[data-testid="key-source"]');
    expect(source.textContent).toBe('数据已加密：本机 PIN（此设备没有系统密钥库）');
    expect(document.querySelector('[data-testid="idle-lock"][data-minutes="15"]')?.getAttribute('aria-pressed')).toBe('true');
    (await waitFor<HTMLButtonElement>('[data-testid="idle-lock"][data-minutes="5"]')).click();
    await waitFor('[data-testid="idle-lock"][data-minutes="5"][aria-pressed="true"]');
    expect(backend.calls.find((c) => c.cmd === 'set_idle_lock')?.args).toEqual({ minutes: 5 });
    (await waitFor<HTMLButtonElement>('[data-testid="lock-now"]')).click();
    await waitFor('[data-screen="lock"]');
    expect(document.querySelector('[data-screen="me"]'), 'what 我的 showed is gone').toBeNull();
    type(await waitFor('[data-testid="unlock-pin"]'), '246810');
    (await waitFor<HTMLButtonElement>('[data-testid="unlock-submit"]')).click();
    await waitFor('[data-screen="me"] [data-testid="key-source"]');
    expect(location.hash).toBe('#/me');
  });

  it('writes a new record\'s draft before the store closes', async () => {
    backend.lock = { ...PIN_KEYED };
    await start('#/issues/new');
    type(await waitFor('[data-testid="issue-description"]'), '楼道灯坏了');
    const { lockNow } = await import('../src/lib/app.svelte');
    expect(await lockNow()).toBe(true);
    const cmds = backend.calls.map((c) => c.cmd);
    const put = cmds.lastIndexOf('draft_put');
    expect(put, 'the draft was written').toBeGreaterThan(-1);
    expect(put, 'before the lock').toBeLessThan(cmds.lastIndexOf('lock'));
    expect([...backend.drafts.values()].some((v) => v.includes('楼道灯坏了'))).toBe(true);
    await waitFor('[data-screen="lock"]');
  });

  it('says beside the setting why a key-store device cannot lock', async () => {
    await start('#/me');
    const note = await waitFor('[data-testid="idle-note"]');
    expect(note.textContent).toContain('只有用 PIN 码加密的设备可以锁定');
    expect(document.querySelector('[data-testid="lock-now"]')).toBeNull();
  });
});
