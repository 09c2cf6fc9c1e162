import t from 'tap';
import { LineClient, startServer } from './helpers.js';
import { launchChromium } from '../../_browser.js';

// Both transports: WebSocket (the page's first choice) and SSE + POST (its fallback, forced
// with ?transport=sse).
for (const transport of ['websocket', 'sse'] as const) t.test(`chat web page (${transport}): a browser joins, its message reaches a TCP client, and a TCP message shows in the page`, { timeout: 30_000 }, async (t) => {
  // The browser first: a missing Chromium then fails the test before a server is left open
  // (which kept the file running until tap's timeout).
  const browser = await launchChromium();
  const srv = await startServer({ http: '127.0.0.1:0' });
  const bob = await LineClient.join(srv.tcpAddr!, 'bob');
  try {
    const page = await browser.newPage();
    await page.goto(transport === 'sse' ? `${srv.httpURL!}?transport=sse` : srv.httpURL!);
    t.equal(await page.title(), 'strand chat');
    await page.getByLabel('Nick').fill('ana');
    await page.getByLabel('Room').fill('lobby');
    await page.getByRole('button', { name: 'Join' }).click();
    await page.getByRole('heading', { name: '#lobby' }).waitFor();
    t.equal(await bob.expect(/-> ana/), '[lobby] -> ana joined', 'the TCP client saw the browser join');
    t.equal(await page.locator('body').getAttribute('data-transport'), transport, `the page uses ${transport}`);

    await page.getByLabel('Message', { exact: true }).fill('hello from the browser');
    await page.getByLabel('Message', { exact: true }).press('Enter');
    t.equal(await bob.expect(/<ana>/), '[lobby] <ana> hello from the browser');

    bob.send('hi ana, from nc <b>not bold</b>');
    const line = page.locator('#messages li', { hasText: 'hi ana, from nc' });
    await line.waitFor();
    t.match(await line.textContent(), /bob: hi ana, from nc <b>not bold<\/b>$/, 'shown as text, not HTML');
    t.equal(await page.locator('#messages b').count(), 0);

    // Commands work from the page too; the people list follows joins and nick changes.
    await page.getByLabel('Message', { exact: true }).fill('/nick anna');
    await page.getByLabel('Message', { exact: true }).press('Enter');
    t.equal(await bob.expect(/known as/), '[lobby] ana is now known as anna');
    await page.locator('#people li', { hasText: 'anna (you)' }).waitFor();
    t.same(await page.locator('#people li').allTextContents(), ['anna (you)', 'bob']);
  } finally {
    await browser.close();
    bob.close();
    await srv.shutdown();
  }
});

t.test('chat web page: a taken nick is refused with a visible error', { timeout: 30_000 }, async (t) => {
  // The browser first: a missing Chromium then fails the test before a server is left open
  // (which kept the file running until tap's timeout).
  const browser = await launchChromium();
  const srv = await startServer({ http: '127.0.0.1:0' });
  const bob = await LineClient.join(srv.tcpAddr!, 'bob');
  try {
    const page = await browser.newPage();
    await page.goto(srv.httpURL!);
    await page.getByLabel('Nick').fill('Bob');
    await page.getByRole('button', { name: 'Join' }).click();
    const alert = page.locator('#join-error');
    await alert.filter({ hasText: 'taken' }).waitFor();
    t.equal(await alert.textContent(), 'nick "Bob" is taken');
    t.equal(await page.locator('#chat-view').isHidden(), true);
  } finally {
    await browser.close();
    bob.close();
    await srv.shutdown();
  }
});
