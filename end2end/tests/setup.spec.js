// The first run as an operator's teammate meets it: `sanduq serve` on an empty data folder,
// the browser led to the set-up page, a wrong code refused in the reader's language with what
// was typed kept, then the right code, and the first admin lands in the app, signed in, in the
// team's language. Then the admin invites a teammate from Settings (no mailbox can send yet,
// so the link is shown to copy), and the teammate joins by it in a browser of their own.
// Once in English and once in Arabic, each on a server of its own.
const { test, expect } = require('@playwright/test');
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const AxeBuilder = require('@axe-core/playwright').default;
const { shots, hydrated, closedPort, waitForHealth } = require('./support');

const root = path.join(__dirname, '..', '..');
const bin = process.env.SANDUQ_BIN
  || path.join(process.env.CARGO_TARGET_DIR || path.join(os.homedir(), '.cache/sanduq/target'), 'release/sanduq');

/// A fresh server: its origin, the set-up code it wrote, and a stop function.
async function freshServer() {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'sanduq-setup-'));
  const port = await closedPort();
  const origin = `http://127.0.0.1:${port}`;
  const env = {
    PATH: process.env.PATH,
    SANDUQ_DATA_DIR: data,
    SANDUQ_ADDR: `127.0.0.1:${port}`,
    LEPTOS_SITE_ROOT: path.join(root, 'target/site'),
    LEPTOS_OUTPUT_NAME: 'sanduq',
    RUST_LOG: 'error',
  };
  const server = spawn(bin, ['serve'], { env, stdio: 'ignore' });
  await waitForHealth(origin);
  const code = fs.readFileSync(path.join(data, 'setup-code'), 'utf8').trim();
  const stop = async () => {
    if (server.exitCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(data, { recursive: true, force: true });
  };
  return { origin, code, stop };
}

const runs = [
  {
    lang: 'en', title: 'Set up Sanduq', wrong: 'This set-up code is wrong', button: 'Set up the team', team: 'Rose Shop',
    short: 'at least 10 characters', used: 'has been used', settings: 'Settings',
  },
  {
    lang: 'ar', title: 'إعداد صندوق', wrong: 'رمز الإعداد غير صحيح', button: 'إعداد الفريق', team: 'متجر الورد',
    short: 'كلمة المرور قصيرة جدًا', used: 'استُخدمت هذه الدعوة', settings: 'الإعدادات',
  },
];

/// Serious or critical accessibility faults on the page, named.
async function axeFaults(page) {
  const audit = await new AxeBuilder({ page }).analyze();
  const serious = audit.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  return serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`);
}

for (const run of runs) {
  test(`a fresh server is set up in the browser (${run.lang})`, async ({ browser }) => {
    test.setTimeout(90_000);
    const server = await freshServer();
    const context = await browser.newContext({ locale: run.lang, baseURL: server.origin });
    const page = await context.newPage();
    try {
      await page.goto('/');
      await expect(page).toHaveURL(/\/setup$/);
      await expect(page.locator('h1')).toHaveText(run.title);
      await expect(page.locator('html')).toHaveAttribute('dir', run.lang === 'ar' ? 'rtl' : 'ltr');

      const fill = async (code) => {
        await page.locator('#setup-code').fill(code);
        await page.locator('#setup-team').fill(run.team);
        await page.locator('#setup-language').selectOption(run.lang);
        await page.locator('#setup-name').fill('Amal');
        await page.locator('#setup-email').fill('amal@rose.test');
        await page.locator('#setup-password').fill('correct horse battery');
        await page.getByRole('button', { name: run.button }).click();
      };
      await fill('AAAA-BBBB-CCCC');
      await expect(page.locator('.alert-error')).toContainText(run.wrong);
      await expect(page.locator('#setup-team')).toHaveValue(run.team);
      await expect(page.locator('#setup-email')).toHaveValue('amal@rose.test');
      await page.screenshot({ path: path.join(shots, `setup-refused-${run.lang}.png`) });
      expect(await axeFaults(page)).toEqual([]);

      await fill(server.code.toLowerCase());
      await expect(page).toHaveURL(/\/$/);
      await hydrated(page);
      await expect(page.locator('html')).toHaveAttribute('lang', run.lang);
      await expect(page.locator('.account-name')).toContainText('Amal');
      await page.screenshot({ path: path.join(shots, `setup-done-${run.lang}.png`) });

      // The page is gone for everyone, and the code claims nothing again.
      const stranger = await browser.newContext({ baseURL: server.origin });
      const other = await stranger.newPage();
      await other.goto('/setup');
      await expect(other).toHaveURL(/\/signin$/);
      await stranger.close();

      // The admin invites a teammate. No mailbox can send yet: the link is there to copy.
      await page.goto('/settings');
      await hydrated(page);
      await page.locator('#invite-email').fill('omar@rose.test');
      await page.locator('#invite-name').fill('Omar');
      await page.locator('#invite-language').selectOption(run.lang);
      await page.locator('.invite-form button[type=submit]').click();
      const field = page.locator('.invite-link input');
      await expect(field).toHaveValue(new RegExp(`^${server.origin}/invitation/[0-9a-f]{64}$`));
      const link = await field.inputValue();
      await expect(page.locator('.invitation')).toContainText('omar@rose.test');
      await page.screenshot({ path: path.join(shots, `invite-link-${run.lang}.png`), fullPage: true });
      expect(await axeFaults(page)).toEqual([]);

      // Omar opens it in a browser of his own, is refused a short password, then joins.
      const omarContext = await browser.newContext({ locale: run.lang });
      const omar = await omarContext.newPage();
      try {
        await omar.goto(link);
        await expect(omar.locator('h1')).toContainText(run.team);
        await expect(omar.locator('#join-email')).toHaveValue('omar@rose.test');
        await expect(omar.locator('#join-name')).toHaveValue('Omar');
        await expect(omar.locator('html')).toHaveAttribute('dir', run.lang === 'ar' ? 'rtl' : 'ltr');
        await omar.locator('#join-password').fill('short');
        await omar.locator('form button[type=submit]').click();
        await expect(omar.locator('.alert-error')).toContainText(run.short);
        await omar.screenshot({ path: path.join(shots, `join-refused-${run.lang}.png`) });
        expect(await axeFaults(omar)).toEqual([]);
        await omar.locator('#join-password').fill('correct horse battery');
        await omar.locator('form button[type=submit]').click();
        await expect(omar).toHaveURL(/\/views\/unassigned$/);
        await hydrated(omar);
        await expect(omar.locator('.account-name')).toContainText('Omar');
        await expect(omar.locator('html')).toHaveAttribute('lang', run.lang);
        await omar.screenshot({ path: path.join(shots, `joined-${run.lang}.png`) });
        // The link is spent.
        await omar.context().clearCookies();
        await omar.goto(link);
        await expect(omar.locator('.alert-error')).toContainText(run.used);
      } finally {
        await omarContext.close();
      }
      await page.reload();
      await expect(page.locator('.settings-table')).toContainText('omar@rose.test');
      await expect(page.locator('.invitation')).toHaveCount(0);
    } finally {
      await context.close();
      await server.stop();
    }
  });
}
