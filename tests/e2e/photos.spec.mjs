// Photos as evidence (DESIGN §9), in the real webview: a grid worker
// reports an issue with a photo picked through the file input while the hub
// is down, sees it wait on the issue page, and sees it uploaded once the hub
// is back; then community staff on another device see the thumbnail and open
// the full photo, downloaded on the tap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Hub, Driver, root, tempDir, shooter, tid, enrol, tab, save, waitPhase } from './harness.mjs';
import { sleep } from './webdriver.mjs';

const GRID = 'grids:522701001001001';
const PHOTO = join(root, 'tests', 'e2e', 'fixtures', 'lift-door.jpg');

test('a photo goes with its report, waits while offline, uploads, and opens on another device', async () => {
  const hub = await Hub.create('photos');
  const code = hub.code('gw-001', '张伟', 'grid-worker', GRID);
  const staffCode = hub.code('cs-001', '王芳', 'community-staff', 'community:522701001001');
  await hub.start();
  const stamp = Date.now().toString(36);
  let issueId = null;

  let drv = await Driver.start({ GRIDLINE_DATA: tempDir('photos-phone'), GRIDLINE_HUB: hub.url });
  let s = drv.session;
  let shot = shooter('photos', s);
  try {
    await enrol(s, async () => {}, hub, code);
    await tab(s, 'me');
    await waitPhase(s, 'up_to_date');

    // Offline: the report and its photo are kept on the device.
    await hub.stop();
    await s.exec("location.hash = '#/issues/new'");
    await s.waitFor('[data-screen="issue-new"]');
    await (await s.find(tid('issue-category'))).select('电梯');
    await (await s.find(tid('issue-description'))).type(`电梯门关不上 ${stamp}`);
    // The input covers its button, transparent: found, not waited for as shown.
    await (await s.find(tid('photo-input'))).type(PHOTO);
    const picked = await s.waitFor(tid('picked-photo'), { timeout: 30000 });
    assert.equal((await picked.attr('data-hash')).length, 64, 'the form holds the re-encoded photo by its hash');
    await s.waitFor(`${tid('picked-photo')} ${tid('photo-thumb')}`);
    await (await s.find(tid('picked-photo-caption'))).type('电梯门');
    await s.exec(`document.querySelector('${tid('photo-picker')}').scrollIntoView({ block: 'center' })`);
    await shot('issue-new');
    await save(s, 'issue-save');

    await tab(s, 'issues');
    const row = await s.waitFor(tid('issue-row'), { pred: async (e) => (await e.text()).includes(stamp) });
    await row.click();
    const page = await s.waitFor('[data-screen="issue"]');
    issueId = await page.attr('data-id');
    const waiting = await s.waitFor(`${tid('photo-item')}[data-state="waiting"]`);
    assert.match(await waiting.text(), /等待上传/, 'offline, the photo says it waits');
    assert.match(await waiting.text(), /电梯门/, 'with its caption');
    await s.exec(`document.querySelector('${tid('photo-strip')}').scrollIntoView({ block: 'center' })`);
    await shot('issue-waiting');

    await tab(s, 'me');
    const queue = await s.waitFor(tid('photo-queue-waiting'));
    assert.match(await queue.text(), /1 张照片待上传/, 'the Me tab counts the photo');
    await s.exec(`document.querySelector('${tid('photo-queue')}').scrollIntoView({ block: 'center' })`);
    await shot('me-queue');

    // Online again: the record syncs, then its photo goes up.
    await hub.start();
    await (await s.find(tid('sync-now'))).click();
    await waitPhase(s, 'up_to_date');
    await s.exec(`location.hash = '#/issue/${issueId}'`);
    const uploaded = await s.waitFor(`${tid('photo-item')}[data-state="uploaded"]`, { timeout: 60000 });
    assert.match(await uploaded.text(), /已上传/, 'the photo says it is on the hub');
    await s.exec(`document.querySelector('${tid('photo-strip')}').scrollIntoView({ block: 'center' })`);
    await shot('issue-uploaded');
  } finally {
    await drv.stop();
  }

  // Another device: community staff see the thumbnail, and the full photo on a tap.
  drv = await Driver.start({ GRIDLINE_DATA: tempDir('photos-desk'), GRIDLINE_HUB: hub.url });
  s = drv.session;
  shot = shooter('photos-staff', s);
  try {
    await enrol(s, async () => {}, hub, staffCode);
    await tab(s, 'me');
    await waitPhase(s, 'up_to_date');
    await s.exec(`location.hash = '#/issue/${issueId}'`);
    await s.waitFor('[data-screen="issue"]');
    const theirs = await s.waitFor(tid('photo-item'), { timeout: 30000 });
    assert.ok(['remote', 'downloaded'].includes(await theirs.attr('data-state')), 'the photo is someone else\'s');
    await s.waitFor(`${tid('photo-item')} ${tid('photo-thumb')}`, { timeout: 30000 });
    await s.exec(`document.querySelector('${tid('photo-strip')}').scrollIntoView({ block: 'center' })`);
    await shot('issue-thumbnail');
    await (await s.find(tid('photo-open'))).click();
    const full = await s.waitFor(`${tid('photo-viewer')} ${tid('photo-full')}`, { timeout: 30000 });
    const width = await s.exec('return arguments[0].naturalWidth', [{ 'element-6066-11e4-a52e-4f735466cecf': full.id }]);
    assert.equal(width, 800, 'the full photo came whole (the 800 px fixture, not the thumbnail)');
    await sleep(200);
    await shot('full-photo');
    await (await s.find(tid('photo-viewer-close'))).click();
    await s.waitGone(tid('photo-viewer'));

    // At a desk the form takes photos from a file picker or a drop.
    await s.cmd('POST', '/window/rect', { width: 1280, height: 800 });
    await sleep(300);
    await s.exec("location.hash = '#/issues/new'");
    await s.waitFor('[data-screen="issue-new"]');
    await s.waitFor(tid('photo-drop'));
    assert.equal((await s.findAll(tid('photo-input-camera'))).length, 0, 'a laptop has no camera button');
    await (await s.find(tid('photo-input'))).type(PHOTO);
    await s.waitFor(`${tid('picked-photo')} ${tid('photo-thumb')}`, { timeout: 30000 });
    await s.exec(`document.querySelector('${tid('photo-picker')}').scrollIntoView({ block: 'center' })`);
    await shot('desk-issue-new');
  } finally {
    await drv.stop();
    await hub.stop();
  }
});
