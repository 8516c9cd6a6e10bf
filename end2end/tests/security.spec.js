// What an outside probe of the running app found, kept as checks a browser runs: markup saved
// in a draft or a signature stays text, another origin cannot frame the app, and every page
// passes axe-core's serious and critical rules in English, Arabic and Persian.
const { test, expect } = require('@playwright/test');
const AxeBuilder = require('@axe-core/playwright').default;
const http = require('http');
const path = require('path');
const { shots, hydrated } = require('./support');

const ADMIN = 'amal@e2e.test';
const PASSWORD = 'correct horse battery';
const PAYLOAD = '</textarea><img src=x onerror=alert(1)><script>alert(2)</script>';

/// Signs in through the form by its field names, so it works in any language.
async function signInAs(page, email) {
  await page.goto('/signin');
  await page.locator('input[name=email]').fill(email);
  await page.locator('input[name=password]').fill(PASSWORD);
  await page.locator('form button[type=submit]').click();
  await hydrated(page);
}

/// The address of the first conversation in the Support mailbox.
async function firstConversation(page) {
  await page.getByRole('navigation').locator('a[href^="/mailboxes/"]').first().click();
  await hydrated(page);
  return page.locator('ul.conversation-list a[href^="/conversations/"]').first().getAttribute('href');
}

test('markup saved in a draft or a signature stays text and runs nothing', async ({ page }) => {
  const dialogs = [];
  page.on('dialog', async (dialog) => {
    dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  await signInAs(page, ADMIN);

  await page.goto('/settings');
  await hydrated(page);
  const signature = page.getByRole('textbox', { name: 'Support', exact: true });
  await signature.fill(PAYLOAD);
  await signature.locator('xpath=ancestor::form').getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();

  await page.goto('/');
  await hydrated(page);
  const conversation = await firstConversation(page);
  await page.goto(conversation);
  await hydrated(page);
  const reply = page.getByRole('textbox', { name: 'Reply' });
  await reply.fill(PAYLOAD);
  await expect(page.locator('.draft-state')).toHaveText('Draft saved');

  // Both now come back from the server inside the page's HTML.
  for (const [url, box] of [[conversation, reply], ['/settings', signature]]) {
    const html = await (await page.request.get(url)).text();
    expect(html, url).not.toContain('<img src=x');
    expect(html, url).not.toContain('<script>alert');
    await page.goto(url);
    await hydrated(page);
    await expect(box).toHaveValue(PAYLOAD);
  }
  await page.screenshot({ path: path.join(shots, 'security-textarea.png') });
  expect(dialogs).toEqual([]);

  // Leave nothing behind for the other tests.
  await signature.fill('');
  await signature.locator('xpath=ancestor::form').getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await page.goto(conversation);
  await hydrated(page);
  await reply.fill('');
  await expect(page.locator('.draft-state')).not.toHaveText('Saving…');
});

test('a page on another origin cannot frame the app', async ({ page, baseURL }) => {
  const server = http.createServer((_, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<!doctype html><title>elsewhere</title><iframe name="app" src="${baseURL}/signin"></iframe>`);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const messages = [];
    page.on('console', (m) => messages.push(m.text()));
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    const frame = page.frame({ name: 'app' });
    await expect.poll(() => messages.some((m) => m.includes('frame-ancestors'))).toBe(true);
    expect(frame.url()).not.toBe(`${baseURL}/signin`);
    await expect(frame.locator('input[name=password]')).toHaveCount(0);
  } finally {
    server.close();
  }
});

for (const [locale, lang] of [['en-US', 'en'], ['ar-SA', 'ar'], ['fa-IR', 'fa']]) {
  test.describe(`axe-core in ${lang}`, () => {
    test.use({ locale });

    test('every page passes the serious and critical rules', async ({ page }) => {
      test.setTimeout(120_000);
      const audit = async (what) => {
        await hydrated(page);
        await expect(page.locator('html')).toHaveAttribute('lang', lang);
        const results = await new AxeBuilder({ page }).analyze();
        const bad = results.violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
        expect(bad, `${what} in ${lang}`).toEqual([]);
      };

      await page.goto('/signin');
      await audit('sign-in');
      await page.goto('/forgot');
      await audit('forgot password');
      await signInAs(page, ADMIN);
      await audit('home');
      const conversation = await firstConversation(page);
      await audit('mailbox list');
      const mailbox = new URL(page.url()).pathname;
      await page.goto(conversation);
      await audit('conversation');
      await page.screenshot({ path: path.join(shots, `axe-conversation-${lang}.png`) });
      await page.goto(`${mailbox}/new`);
      await audit('new conversation');
      await page.goto('/views/mine');
      await audit('a view');
      await page.goto('/settings');
      await audit('settings');
      await page.locator('a[href^="/settings/mailboxes/"]').first().click();
      await audit('mail servers');
      await page.goto('/settings/security');
      await audit('security');
      await page.goto('/settings/activity');
      await expect(page.locator('table.activity tbody tr').first()).toBeVisible();
      await audit('team activity');
      await page.screenshot({ path: path.join(shots, `axe-activity-${lang}.png`) });
      await page.goto('/no/such/page');
      await audit('not found');
    });
  });
}
