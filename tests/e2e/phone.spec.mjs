// The phone screens' behaviour (issue 14), in the real webview on a
// phone-sized window: what a grid worker reads, not only which elements
// exist. Each step finds elements by test id and asserts the words that
// matter: a visit's note, the resident a search matched, 已超期, the claim's
// promise, the prefilled 位置, the search kept after going back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hub, Driver, gl, tempDir, shooter, tid, enrol, tab, save, waitPhase } from './harness.mjs';
import { sleep } from './webdriver.mjs';

const GRID = 'grids:522701001001001';
const PHONE = { width: 400, height: 860 };

/** The value of an input, which WebDriver's text() does not give. */
const valueOf = (s, css) => s.exec(`return document.querySelector(${JSON.stringify(css)}).value`);

test('a grid worker reads on the phone what the screens used to hide', async () => {
  const hub = await Hub.create('phone');
  const code = hub.code('gw-001', '张伟', 'grid-worker', GRID);
  const otherCode = hub.code('gw-002', '李娜', 'grid-worker', GRID);
  await hub.start();
  const other = tempDir('phone-other');
  gl(other, 'device', 'init');
  gl(other, 'device', 'enroll', '--hub', hub.url, '--code', otherCode);
  gl(other, 'device', 'sync');
  const drv = await Driver.start({ GRIDLINE_DATA: tempDir('phone-app'), GRIDLINE_HUB: hub.url });
  const s = drv.session;
  await s.cmd('POST', '/window/rect', PHONE);
  const shot = shooter('phone', s);
  const stamp = Date.now().toString(36);
  try {
    await enrol(s, shot, hub, code);
    // Right after enrolment the device is still filling: Today says it is
    // syncing, never all zeros and 今天没有待办.
    const first = await s.findAll(tid('today-syncing'));
    if (first.length > 0) {
      assert.match(await first[0].text(), /同步|接收/, 'Today says the first sync is under way');
      assert.equal((await s.findAll(tid('today-all-clear'))).length, 0, 'no "nothing today" while the first sync fills the device');
      await shot('today-first-sync');
    } else {
      console.log('# the first sync finished before Today was looked at');
    }

    // After the sync: 已同步 and no empty progress bar beside it.
    await tab(s, 'me');
    await waitPhase(s, 'up_to_date');
    await sleep(300);
    assert.equal((await s.findAll(tid('sync-progress'))).length, 0, 'no progress bar when nothing is in progress');
    await shot('me-synced');

    // Today's 超期事件 card: only 只看超期 is lit, and deadlines read in words.
    await tab(s, 'today');
    const overdueCard = await s.waitFor(`${tid('today-card')}[data-kind="overdue"]`);
    assert.ok(Number(await overdueCard.attr('data-count')) > 0, 'the demo street has overdue issues');
    await shot('today');
    await overdueCard.click();
    await s.waitFor('[data-screen="issues"]');
    await s.waitFor(tid('issue-row'));
    const lit = await s.exec(`return [...document.querySelectorAll('[data-screen="issues"] .chip[aria-pressed="true"]')].map((c) => c.textContent.trim())`);
    assert.deepEqual(lit, ['只看超期'], `one chip is lit after 超期事件 (lit: ${lit.join(', ')})`);
    const due = await s.waitFor(tid('issue-deadline'));
    assert.match(await due.text(), /^已超期 \d+ (天|小时|分钟)$/, 'a missed deadline says how long it is overdue');
    const red = await s.exec(`return getComputedStyle(document.querySelector('${tid('issue-deadline')}')).color`);
    assert.match(red, /rgb\((1\d\d|2\d\d), \d{1,2}, \d{1,2}\)/, `overdue reads in red (${red})`);
    await shot('issues-overdue');
    await (await s.find(tid('issue-row'))).click();
    await s.waitFor('[data-screen="issue"]');
    assert.match(await (await s.waitFor(tid('issue-deadline'))).text(), /已超期 \d+/, 'the issue page says it too');
    await shot('issue-overdue');

    // An issue linked to a household names its address and head on the list and the page.
    const linked = gl(other, 'issue', 'list').find((i) => i.household);
    assert.ok(linked, 'the demo has issues linked to households');
    const home = gl(other, 'household', 'show', linked.household);
    const homeAddress = home.address.line;
    await s.exec(`location.hash = '#/issue/${linked.id}'`);
    const where = await s.waitFor(`[data-screen="issue"] ${tid('issue-household')}`);
    const whereText = await where.text();
    assert.ok(whereText.includes(homeAddress) && whereText.includes(home.head_name), `the issue page shows the address and head (${whereText})`);
    await shot('issue-household');
    await tab(s, 'issues');
    const rowCss = `${tid('issue-row')}[data-id="${linked.id}"]`;
    await s.waitFor('[data-screen="issues"]');
    await s.exec(`document.querySelector('${rowCss}').scrollIntoView({ block: 'center' })`);
    await s.waitFor(rowCss);
    const rowWhere = await s.exec(`return document.querySelector('${rowCss} ${tid('issue-household')}').textContent`);
    assert.ok(rowWhere.includes(homeAddress), `the issue list shows the address (${rowWhere})`);

    // A hit found through another resident says whom it matched.
    await tab(s, 'grid');
    await s.waitFor('[data-screen="grid"]');
    await s.waitFor(tid('household-row'));
    const chipsFade = await s.exec(`const c = getComputedStyle(document.querySelector('[data-screen="grid"] .chips')); return c.maskImage || c.webkitMaskImage`);
    assert.notEqual(chipsFade, 'none', 'the chips fade at the right edge where more scroll in');
    let query = null;
    let matched = null;
    for (const q of ['djg', 'sxy', 'zw', 'wf', 'lj', 'zm', 'wj', 'lm', 'zl', 'wl', 'cj', 'ly', 'hm']) {
      const input = await s.find(tid('household-search'));
      await input.clear();
      await input.type(q);
      await sleep(600);
      await s.waitFor('[data-screen="grid"]');
      const hits = await s.findAll(tid('household-matched'));
      if (hits.length > 0) {
        query = q;
        matched = await hits[0].text();
        break;
      }
    }
    assert.ok(query, 'some initials find a household through a resident who is not its head');
    assert.match(matched, /^匹配同户居民：\S+$/, `the hit names the resident (${matched})`);
    await shot('grid-search-matched');

    // Back from the household: the search and the scroll are where they were.
    const rows = await s.findAll(tid('household-row'));
    const pickRow = rows[Math.min(rows.length - 1, 3)];
    const householdId = await pickRow.attr('data-id');
    await s.exec(`document.querySelector('${tid('household-row')}[data-id="${householdId}"]').scrollIntoView({ block: 'center' })`);
    const scrolled = await s.exec('return window.scrollY');
    await pickRow.click();
    await s.waitFor('[data-screen="household"]');
    await (await s.find('.screen-header .back')).click();
    await s.waitFor('[data-screen="grid"]');
    await s.waitFor(tid('household-row'));
    assert.equal(await valueOf(s, tid('household-search')), query, 'the search is kept after going back');
    await sleep(300);
    const scrollBack = await s.exec('return window.scrollY');
    assert.ok(Math.abs(scrollBack - scrolled) < 40, `the scroll is kept (${scrolled} → ${scrollBack})`);
    await shot('grid-search-kept');

    // A visit needs its kind; its note shows in 我的走访记录 and on its page.
    await (await s.find(`${tid('household-row')}[data-id="${householdId}"]`)).click();
    await s.waitFor('[data-screen="household"]');
    const address = (await s.exec(`return document.querySelector('[data-screen="household"] .head .muted').textContent`)).trim();
    await hub.stop();
    await (await s.find(tid('visit-button'))).click();
    const note = `反映楼道灯坏了，下周跟进 ${stamp}`;
    await (await s.waitFor(tid('visit-notes'))).type(note);
    await (await s.find(tid('visit-save'))).click();
    const kindError = await s.waitFor(`${tid('visit-form')} .field-error`);
    assert.match(await kindError.text(), /请选择“走访类型”/, 'no kind chosen: the form asks for one');
    await shot('visit-needs-kind');
    await (await s.find(`${tid('visit-kind')}[data-kind="follow-up"]`)).click();
    await save(s, 'visit-save');
    await s.waitFor(tid('visit-notes-text'), { pred: async (e) => (await e.text()).includes(stamp) });
    // The household is in sync, its visit is not: the header says so.
    const badge = await s.waitFor(`[data-screen="household"] .head [data-sync-state]`, {
      pred: async (e) => Number(await e.attr('data-unsent-visits')) > 0,
      timeout: 30000,
    });
    assert.match(await badge.text(), /走访待同步|待同步|仅本机/, `the household header counts its waiting visit (${await badge.text()})`);
    await shot('household-visit-unsent');

    await s.exec(`location.hash = '#/visits'`);
    await s.waitFor('[data-screen="visits"]');
    const listed = await s.waitFor(`${tid('visit-row')}`, { pred: async (e) => (await e.text()).includes(stamp) });
    const listedText = await listed.text();
    assert.ok(listedText.includes('反映楼道灯坏了'), 'the visit list shows the note');
    const head = await s.find(`${tid('visit-row')} ${tid('visit-head')}`);
    assert.ok((await head.text()).trim().length > 0, 'the visit list names the head of household');
    await shot('visits-with-notes');
    await listed.click();
    await s.waitFor('[data-screen="visit"]');
    assert.equal((await (await s.waitFor(tid('visit-page-notes'))).text()).trim(), note, 'the visit page shows the whole note');
    await shot('visit-page');

    // 位置 starts as the household's address.
    await (await s.find(tid('visit-open-household'))).click();
    await s.waitFor('[data-screen="household"]');
    // The household's own visit list opens the same page.
    const openVisit = `${tid('visit-row')} ${tid('visit-open')}`;
    await s.waitFor(openVisit);
    // Scrolled to the middle: lower down the tab bar covers it.
    await s.exec(`document.querySelector('${openVisit}').scrollIntoView({ block: 'center' })`);
    await (await s.find(openVisit)).click();
    await s.waitFor('[data-screen="visit"]');
    assert.ok((await (await s.waitFor(tid('visit-page-notes'))).text()).includes(stamp), 'opened from the household, the page shows the note');
    await (await s.find('.screen-header .back')).click();
    await s.waitFor('[data-screen="household"]');
    await (await s.waitFor(tid('report-issue-button'))).click();
    await s.waitFor('[data-screen="issue-new"]');
    await s.waitFor(tid('issue-location'));
    let loc = '';
    for (let i = 0; i < 20 && loc === ''; i += 1) {
      loc = await valueOf(s, tid('issue-location'));
      if (loc === '') await sleep(150);
    }
    assert.equal(loc, address, '位置 is prefilled from the household');
    await shot('issue-new-location');

    // The hub returns; the wish form picks its household; a claim is asked once.
    await hub.start();
    await tab(s, 'me');
    await (await s.find(tid('sync-now'))).click();
    await waitPhase(s, 'up_to_date');
    await tab(s, 'wishes');
    await s.waitFor('[data-screen="wishes"]');
    await (await s.waitFor(tid('wish-post-button'))).click();
    await s.waitFor('[data-screen="wish-new"]');
    await (await s.find(tid('wish-household-search'))).type(query);
    const hit = await s.waitFor(tid('wish-household-hit'));
    const hitId = await hit.attr('data-id');
    await hit.click();
    await s.waitFor(`${tid('wish-household-picked')}[data-id="${hitId}"]`);
    await (await s.find(tid('wish-title'))).type(`助行器一个 ${stamp}`);
    const cat = await s.find(tid('wish-category'));
    const firstCat = await s.exec(`return document.querySelector('${tid('wish-category')}').options[1].value`);
    await cat.select(firstCat);
    await (await s.find(tid('wish-value'))).type('200');
    await shot('wish-new-household');
    await save(s, 'wish-save');

    await tab(s, 'wishes');
    await s.waitFor(tid('wish-row'));
    let asked = false;
    const wishes = await s.findAll(tid('wish-row'));
    for (let i = 0; i < Math.min(wishes.length, 12) && !asked; i += 1) {
      const all = await s.findAll(tid('wish-row'));
      await all[i].click();
      await s.waitFor('[data-screen="wish"]');
      if ((await s.findAll(tid('wish-claim'))).length > 0) {
        await (await s.find(tid('wish-claim'))).click();
        const ask = await s.waitFor(tid('wish-claim-confirm-text'));
        const words = await ask.text();
        assert.match(words, /承诺.*元/, `the claim says what the claimant commits to (${words})`);
        await shot('wish-claim-confirm');
        await save(s, 'wish-claim-confirm');
        await s.waitFor(`${tid('wish-state')}[data-pending="true"]`);
        asked = true;
      } else {
        await tab(s, 'wishes');
        await s.waitFor(tid('wish-row'));
      }
    }
    assert.ok(asked, 'a wish on the wall can be claimed');

    // English: the deadline words.
    await s.waitGone(tid('toast'), 15000);
    await tab(s, 'me');
    await s.waitFor('[data-screen="me"]');
    await (await s.waitFor(tid('lang-en'))).click();
    await s.waitFor(tid('tab-grid'), { pred: async (e) => /Grid/.test(await e.text()) });
    await s.exec(`location.hash = '#/issues?overdue=1'`);
    const dueEn = await s.waitFor(tid('issue-deadline'), { pred: async (e) => /overdue/.test(await e.text()) });
    assert.match(await dueEn.text(), /^\d+ (days?|hours?|minutes?) overdue$/, 'English says "N days overdue"');
    await shot('issues-overdue-en');
    await tab(s, 'me');
    await s.waitFor('[data-screen="me"]');
    await (await s.waitFor(tid('lang-zh'))).click();
    await s.waitFor(tid('tab-grid'), { pred: async (e) => /网格/.test(await e.text()) });
  } catch (e) {
    await shot('FAILED').catch(() => {});
    throw e;
  } finally {
    await drv.stop();
    await hub.stop();
  }
});
