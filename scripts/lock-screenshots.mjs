// Screenshots of the device's lock (DESIGN §7) in the real webview, in
// Chinese: the set-PIN step of enrolment (where there is no key store),
// 我的's data-security card, the lock screen, a wrong PIN, and the lock
// screen a restarted app opens on.
//
// Usage (after `npm --prefix ui run build` and
// `cargo build -p gridline-cli -p gridline-app`):
//   xvfb-run -a -s "-screen 0 1600x2400x24" node scripts/lock-screenshots.mjs [OUT_DIR]
// OUT_DIR defaults to docs/screenshots; SHOTS_LANG=en takes them in English
// (file names end in -en). The app runs without the tests' key
// and without a key store (Xvfb has no Secret Service), as office staff
// (王芳), whose devices lock after 15 idle minutes by default.
import { join, resolve } from 'node:path';
import { Hub, Driver, tempDir, root, setPinIfAsked, APP_PIN } from '../tests/e2e/harness.mjs';
import { sleep } from '../tests/e2e/webdriver.mjs';

const out = resolve(process.argv[2] || join(root, 'docs/screenshots'));
const tid = (id) => `[data-testid="${id}"]`;
const PHONE = { width: 420, height: 860 };
const english = process.env.SHOTS_LANG === 'en';

const hub = await Hub.create('lock-shots');
const code = hub.code('cs-001', '王芳', 'community-staff', 'community:522701001001');
await hub.start();
const data = tempDir('lock-app');

let drv = await Driver.start({ GRIDLINE_DATA: data, GRIDLINE_HUB: hub.url });
let s = drv.session;
const shot = async (name, scroll = null) => {
  await s.cmd('POST', '/window/rect', PHONE);
  await sleep(400);
  await s.exec(scroll
    ? `document.querySelector('${scroll}')?.scrollIntoView({ block: 'start' }); window.scrollBy(0, -12);`
    : 'window.scrollTo(0, 0)');
  await sleep(200);
  const file = join(out, `${name}${english ? '-en' : ''}.png`);
  await s.screenshot(file);
  console.log(file);
};
try {
  await s.cmd('POST', '/window/rect', PHONE);
  await s.waitFor('[data-screen="enrol"]', { timeout: 60000 });
  if (english) await (await s.find(tid('lang-en'))).click();
  const hubInput = await s.find(tid('enrol-hub'));
  await hubInput.clear();
  await hubInput.type(hub.url);
  await (await s.find(tid('enrol-code'))).type(code);
  await (await s.find(tid('enrol-submit'))).click();
  const asked = await setPinIfAsked(s, () => shot('lock-01-set-pin'));
  if (!asked) throw new Error('this machine has a key store: the app keys its store there and never asks for a PIN');

  await s.exec(`location.hash = '#/me'`);
  await s.waitFor(`${tid('key-source')}[data-source="pin"]`, { timeout: 30000 });
  await s.waitFor(`${tid('sync-phase')}[data-phase="up_to_date"]`, { timeout: 120000 });
  await shot('lock-02-me-security', '[data-testid="security"]');

  await (await s.find(tid('lock-now'))).click();
  await s.waitFor('[data-screen="lock"]');
  await sleep(300);
  await shot('lock-03-locked');
  await (await s.find(tid('unlock-pin'))).type('135790');
  await (await s.find(tid('unlock-submit'))).click();
  await s.waitFor('[data-screen="lock"] [data-error-code="wrong_pin"]', { timeout: 30000 });
  await shot('lock-04-wrong-pin');

  // Restarted, the app opens on the lock screen; the PIN brings it back.
  await drv.stop();
  drv = await Driver.start({ GRIDLINE_DATA: data, GRIDLINE_HUB: hub.url });
  s = drv.session;
  await s.cmd('POST', '/window/rect', PHONE);
  await s.waitFor('[data-screen="lock"]', { timeout: 60000 });
  await (await s.find(tid('unlock-pin'))).type(APP_PIN);
  await (await s.find(tid('unlock-submit'))).click();
  await s.waitFor('[data-screen="today"], [data-screen="me"]', { timeout: 30000 });
} catch (e) {
  await s.screenshot(join(out, 'lock-FAILED.png')).catch(() => {});
  throw e;
} finally {
  await drv.stop();
  await hub.stop();
}
