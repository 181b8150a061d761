// Names where codes were, and an enrolment code that forgives how it is typed:
// a wrong code is refused in the language on screen, the right one typed in
// lower case without dashes is accepted, and the grid shows as 第1网格.
// Run with tests/e2e/run tests/e2e/names.spec.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hub, Driver, tempDir, shooter, tid, tab, waitPhase, APP_PIN } from './harness.mjs';

const GRID = '522701001001001';
// The demo hub's names for it (gridline_demo::grid_name), sent at enrolment.
const GRID_NAME = '第1网格';
const HAN = /[\u3400-\u9fff]/;

async function submitCode(s, code) {
  const input = await s.find(tid('enrol-code'));
  await input.clear();
  await input.type(code);
  await (await s.find(tid('enrol-submit'))).click();
}

test('names, not codes: a forgiving enrolment code, errors in the language shown, the grid by its name', async () => {
  const hub = await Hub.create('names');
  const code = hub.code('gw-001', '张伟', 'grid-worker', `grids:${GRID}`);
  await hub.start();
  const drv = await Driver.start({ GRIDLINE_DATA: tempDir('app'), GRIDLINE_HUB: hub.url });
  const s = drv.session;
  const shot = shooter('names', s);
  try {
    await s.waitFor('[data-screen="enrol"]', { timeout: 60000 });
    const hubInput = await s.find(tid('enrol-hub'));
    await hubInput.clear();
    await hubInput.type(hub.url);
    assert.match(await (await s.find('[data-screen="enrol"] h1')).text(), /注册本机/, 'the screen says 注册, as the errors do');

    // A well-formed code the hub never issued, in English.
    await (await s.find(tid('lang-en'))).click();
    await s.waitFor('[data-screen="enrol"] h1', { pred: async (e) => (await e.text()).includes('Enrol') });
    await submitCode(s, 'WXYZ-WXYZ-WXYZ');
    // No key store under Xvfb: the PIN is set first, then the hub answers.
    const next = await s.waitFor('[data-screen="set-pin"], [data-screen="enrol"] [data-error-code]', { timeout: 30000 });
    if ((await next.attr('data-screen')) === 'set-pin') {
      await (await s.find(tid('pin-new'))).type(APP_PIN);
      await (await s.find(tid('pin-again'))).type(APP_PIN);
      await (await s.find(tid('pin-submit'))).click();
    }
    const refused = await s.waitFor(`[data-screen="enrol"] [data-error-code="hub_refused"]`, { timeout: 30000 });
    const en = await refused.text();
    await shot('wrong-code-en');
    assert.ok(!HAN.test(en), `the English error has no Chinese in it: ${en}`);
    assert.ok(!en.includes('注册码'), `nor the Chinese word for the code: ${en}`);
    assert.match(en, /code/i, `it says the code is wrong: ${en}`);
    assert.ok(!/refused records|Refused records/.test(en), `and no hint about refused records: ${en}`);

    // The same refusal, re-worded when the language changes.
    await (await s.find(tid('lang-zh'))).click();
    const zhBox = await s.waitFor(`[data-screen="enrol"] [data-error-code="hub_refused"]`, {
      pred: async (e) => HAN.test(await e.text()),
    });
    const zh = await zhBox.text();
    await shot('wrong-code-zh');
    assert.ok(zh.includes('注册码'), `the Chinese error says 注册码: ${zh}`);
    assert.ok(!/[A-Za-z]{3,}/.test(zh), `and no English words: ${zh}`);
    assert.ok(!zh.includes('被拒绝的记录'), `nor the hint about refused records: ${zh}`);

    // The right code, typed as people type it: lower case, no dashes.
    const typed = code.replace(/-/g, '').toLowerCase();
    assert.notEqual(typed, code, 'the typed code differs from the issued one');
    await submitCode(s, typed);
    await shot('code-as-typed');
    await s.waitFor('[data-screen="today"]', { timeout: 60000 });
    await tab(s, 'me');
    await waitPhase(s, 'up_to_date');
    const scope = await s.waitFor(tid('me-scope'));
    const scopeText = await scope.text();
    await shot('me-scope-name');
    assert.ok(scopeText.startsWith(GRID_NAME), `我的 → 范围 names the grid: ${scopeText}`);
    assert.ok(!scopeText.startsWith(GRID), `the code comes second, if at all: ${scopeText}`);

    await tab(s, 'grid');
    const title = await s.waitFor(tid('grid-name'));
    assert.ok((await title.text()).includes(GRID_NAME), `the grid screen's title names the grid: ${await title.text()}`);
    await (await s.waitFor(tid('household-row'))).click();
    const where = await s.waitFor(tid('household-grid'));
    const whereText = await where.text();
    await shot('household-grid-name');
    assert.ok(whereText.startsWith(GRID_NAME), `a household's page names its grid: ${whereText}`);
  } finally {
    await drv.stop();
    await hub.stop();
  }
});
