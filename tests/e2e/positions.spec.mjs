// Positions (DESIGN §9), in the real webview: issues a grid worker reported
// with GPS positions (from the command line here) reach community staff,
// whose dashboard plots where they were seen over the last 30 days and
// whose issue page gives the position, its accuracy and a link to Amap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hub, Driver, tempDir, shooter, tid, enrol, tab, waitPhase, gl } from './harness.mjs';

const GRID = 'grids:522701001001001';

test('staff see where issues were reported: a plot of the last 30 days and each issue position', async () => {
  const hub = await Hub.create('positions');
  const workerCode = hub.code('gw-002', '李强', 'grid-worker', GRID);
  const staffCode = hub.code('cs-001', '王芳', 'community-staff', 'community:522701001001');
  await hub.start();
  try {
    // The grid worker's phone, from the command line: three issues, each where it was seen.
    const phone = tempDir('positions-phone');
    gl(phone, 'device', 'init');
    gl(phone, 'device', 'enroll', '--hub', hub.url, '--code', workerCode);
    gl(phone, 'device', 'sync');
    const household = gl(phone, 'household', 'list')[0].id;
    const seen = [
      ['26.2597', '107.5182', '8', '电梯按钮损坏'],
      ['26.2611', '107.5206', '15', '路灯不亮'],
      ['26.2583', '107.5169', '30', '井盖缺失'],
    ];
    for (const [lat, lon, acc, what] of seen) {
      gl(phone, 'issue', 'report', '--household', household, '--category', '安全隐患', '--description', what,
        '--lat', lat, '--lon', lon, '--accuracy', acc);
    }
    gl(phone, 'device', 'sync');

    const drv = await Driver.start({ GRIDLINE_DATA: tempDir('positions-desk'), GRIDLINE_HUB: hub.url });
    const s = drv.session;
    const shot = shooter('positions', s);
    try {
      await s.cmd('POST', '/window/rect', { width: 1280, height: 900 });
      await enrol(s, async () => {}, hub, staffCode);
      await tab(s, 'me');
      await waitPhase(s, 'up_to_date');
      await s.exec("location.hash = '#/dashboard'");
      await s.waitFor('[data-screen="dashboard"]');
      const plot = await s.waitFor('[data-chart="issue-map"]');
      await s.waitFor(tid('issue-map-point'));
      const dots = await s.findAll(tid('issue-map-point'));
      assert.ok(dots.length >= 3, `the plot shows the issues reported with a position (${dots.length})`);
      await s.exec(`document.querySelector('[data-chart="issue-map"]').scrollIntoView({ block: 'center' })`);
      assert.match(await plot.text(), /近 30 天事件分布/);
      await shot('dashboard-plot');

      // An SVG link is not clicked through WebDriver: follow its address.
      const target = await s.exec(`return document.querySelector('${tid('issue-map-point')}').getAttribute('href')`);
      assert.match(target, /^#\/issue\//, 'each dot leads to its issue');
      await s.exec(`location.hash = '${target}'`);
      const pos = await s.waitFor(tid('issue-position'));
      assert.match(await pos.text(), /26\.\d{6}, 107\.\d{6}/, 'the stored WGS-84 position');
      assert.match(await pos.text(), /±\d+ 米/, 'with its accuracy');
      const link = await s.find(tid('issue-map-link'));
      const url = await link.attr('href');
      assert.match(url, /^https:\/\/uri\.amap\.com\/marker\?position=107\.\d+,26\.\d+/, 'a link that opens Amap');
      assert.doesNotMatch(url, /position=107\.518200,26\.259700/, 'converted to GCJ-02 for the link');
      await shot('issue-position');
    } finally {
      await drv.stop();
    }
  } finally {
    await hub.stop();
  }
});
