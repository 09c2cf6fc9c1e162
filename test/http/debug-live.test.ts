import t from 'tap';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { chan, go } from '../../src/index.js';
import { ServeMux, registerDebug } from '../../src/http/index.js';
import { startServer } from './_helpers.js';
import { launchChromium } from '../_browser.js';

t.test('live view: Chromium shows goroutines by state and wait reason and the metrics, updated over SSE', { timeout: 60_000 }, async (t) => {
  const browser = await launchChromium();
  const mux = new ServeMux();
  registerDebug(mux, { liveInterval: 100 });
  const srv = await startServer(mux);
  const hold = chan<void>();
  const mu = chan<void>();
  for (let i = 0; i < 40; i++) go(async function liveWorker() { await hold.recv(); });
  for (let i = 0; i < 3; i++) go(async function liveSender() { await mu.send(); });
  try {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text()); });
    page.on('pageerror', (e) => problems.push(e.message));
    const external: string[] = [];
    page.on('request', (r) => { if (!r.url().startsWith(srv.base)) external.push(r.url()); });
    await page.goto(`${srv.base}/debug/strand/`);
    t.equal(await page.title(), 'strand: goroutines');
    await page.locator('#status.live').waitFor();

    const reason = page.locator('#by-reason tbody tr', { hasText: 'chan receive' });
    await reason.first().waitFor();
    const count = Number(await reason.first().locator('td').nth(1).textContent());
    t.ok(count >= 40, `"chan receive" row counts the 40 parked workers (${count})`);
    t.equal(await page.locator('#by-reason tbody tr', { hasText: 'chan send' }).locator('td').nth(1).textContent(), '3');
    const waiting = page.locator('#by-state tbody tr', { hasText: 'waiting' });
    t.ok(Number(await waiting.locator('td').nth(1).textContent()) >= 43, 'the waiting state row');
    const group = page.locator('#groups tbody tr', { hasText: 'liveWorker' });
    t.same(await group.locator('td').allTextContents(), ['40', 'chan receive', 'liveWorker', ''], 'the liveWorker group row');
    t.equal(await page.locator('#metrics tbody tr', { hasText: 'goroutinesStartedTotal' }).count(), 1, 'the metrics table');
    t.ok((await page.locator('#metrics tbody tr').count()) >= 15);

    const shot = join(t.testdir(), 'live-view.png');
    await page.screenshot({ path: shot, fullPage: true });
    t.ok(statSync(shot).size > 1000, `screenshot saved: ${shot}`);

    // Live: release the workers; the next snapshots drop their group without a reload.
    hold.close();
    await page.locator('#groups tbody tr', { hasText: 'liveWorker' }).waitFor({ state: 'detached' });
    t.pass('the liveWorker group disappeared after the workers returned');
    for (let i = 0; i < 3; i++) await mu.recv();
    await page.locator('#by-reason tbody tr', { hasText: 'chan send' }).waitFor({ state: 'detached' });
    t.same(problems, [], 'no console errors (the strict CSP blocked nothing the page needs)');
    t.same(external, [], 'no request leaves the debug server');
  } finally {
    await browser.close();
    if (!hold.closed) hold.close();
    await srv.srv.shutdown();
  }
});
