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
const { dovecot, smtpSink, mailText, totp } = require('./mailservers');

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
    mailbox: 'Support', sent: 'Invitation sent to', wrongCode: 'That code is wrong',
    activity: 'Team activity', setUp: 'Set up the team', joined: 'Joined the team',
  },
  {
    lang: 'ar', title: 'إعداد صندوق', wrong: 'رمز الإعداد غير صحيح', button: 'إعداد الفريق', team: 'متجر الورد',
    short: 'كلمة المرور قصيرة جدًا', used: 'استُخدمت هذه الدعوة', settings: 'الإعدادات',
    mailbox: 'الدعم', sent: 'أُرسلت الدعوة إلى', wrongCode: 'هذا الرمز خاطئ',
    activity: 'نشاط الفريق', setUp: 'أعدّ الفريق', joined: 'انضم إلى الفريق',
  },
];

/// Serious or critical accessibility faults on the page, named.
async function axeFaults(page) {
  const audit = await new AxeBuilder({ page }).analyze();
  const serious = audit.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  return serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`);
}

/// The admin adds a mailbox served by a real Dovecot and SMTP server, tests and saves it;
/// invites Layla, whose invitation goes out through that SMTP server; Layla joins by the
/// link in the mail, turns on two-factor sign-in with a code computed as her phone would,
/// and signs in again: the password, then a code (a used one refused).
async function mailAndTwoFactor(browser, page, server, run) {
  const imap = await dovecot();
  const smtp = await smtpSink();
  const layla = await browser.newContext({ locale: run.lang, baseURL: server.origin });
  try {
    // Adding a mailbox closes the admin's live socket on purpose (to hear about it): any
    // "Reconnecting…" banner from now on is noted, across page loads.
    await page.addInitScript(() => {
      new MutationObserver(() => {
        if (document.querySelector('.live-banner')) sessionStorage.setItem('banner-seen', '1');
      }).observe(document, { childList: true, subtree: true });
    });
    await page.goto('/settings');
    await hydrated(page);
    // With no mailbox yet, the form is open.
    await expect(page.locator('#new-mailbox-name')).toBeVisible();
    await page.locator('#new-mailbox-name').fill(run.mailbox);
    await page.locator('#new-mailbox-address').fill('help@rose.test');
    await page.locator('.add-mailbox label.check').filter({ hasText: 'Amal' }).locator('input').check();
    await page.locator('.add-mailbox button[type=submit]').click();
    await expect(page).toHaveURL(/\/settings\/mailboxes\/[0-9a-f-]{36}$/);
    await hydrated(page);
    await expect(page.locator('h1')).toContainText(run.mailbox);
    await expect(page.locator('.sidebar nav').getByRole('link', { name: run.mailbox })).toBeVisible();

    // A preset fills the servers and says how to get an app password; then our own servers.
    await page.locator('#provider').selectOption('gmail');
    await expect(page.locator('#imap-host')).toHaveValue('imap.gmail.com');
    await expect(page.locator('#smtp-host')).toHaveValue('smtp.gmail.com');
    await expect(page.locator('#imap-user')).toHaveValue('help@rose.test');
    await expect(page.locator('.provider-steps')).toBeVisible();
    await page.screenshot({ path: path.join(shots, `mailbox-preset-${run.lang}.png`), fullPage: true });
    await page.locator('#provider').selectOption('custom');
    for (const [prefix, port] of [['imap', imap.port], ['smtp', smtp.port]]) {
      await page.locator(`#${prefix}-host`).fill('127.0.0.1');
      await page.locator(`#${prefix}-port`).fill(String(port));
      await page.locator(`#${prefix}-security`).selectOption('none');
      await page.locator(`#${prefix}-user`).fill(imap.user);
      await page.locator(`#${prefix}-password`).fill(imap.password);
    }
    await page.locator('.form-actions button[type=button]').click();
    await expect(page.locator('.check-result .check-ok')).toHaveCount(2);
    await expect(page.locator('.check-result')).toContainText('INBOX');
    await page.locator('.form-actions button[type=submit]').click();
    await expect(page.locator('.server-form .alert-info')).toBeVisible();
    await page.screenshot({ path: path.join(shots, `mailbox-added-${run.lang}.png`), fullPage: true });
    expect(await axeFaults(page)).toEqual([]);
    expect(await page.evaluate(() => sessionStorage.getItem('banner-seen')), 'no Reconnecting banner').toBeNull();

    // Now a mailbox can send: the invitation goes by mail.
    await page.goto('/settings');
    await hydrated(page);
    await page.locator('#invite-email').fill('layla@rose.test');
    await page.locator('#invite-name').fill('Layla');
    await page.locator('#invite-language').selectOption(run.lang);
    await page.locator('.invite-form label.check').filter({ hasText: run.mailbox }).locator('input').check();
    await page.locator('.invite-form button[type=submit]').click();
    await expect(page.locator('[role=status]').filter({ hasText: run.sent })).toBeVisible();
    await expect(page.locator('.invite-link')).toHaveCount(0);
    let mail;
    await expect.poll(() => {
      mail = smtp.received().find((m) => m.to.includes('layla@rose.test'));
      return Boolean(mail);
    }, { timeout: 30_000, message: 'the invitation reaches the SMTP server' }).toBe(true);
    const found = mailText(mail.raw).match(/https?:\/\/[^\s"<>]+\/invitation\/[0-9a-f]{64}/);
    expect(found, 'a link in the invitation').not.toBeNull();
    const link = found[0];

    // Layla joins by the link from the mail, in a browser of her own.
    const tab = await layla.newPage();
    await tab.goto(link);
    await expect(tab.locator('#join-email')).toHaveValue('layla@rose.test');
    await tab.locator('#join-password').fill('layla correct horse');
    await tab.locator('form button[type=submit]').click();
    await expect(tab).toHaveURL(/\/views\//);
    await hydrated(tab);

    // She turns on two-factor sign-in: the QR code and the key, a first code, recovery codes.
    // An agent has no Settings: the account menu leads there.
    await tab.locator('.account-button').click();
    await tab.locator('.menu a[href="/settings/security"]').click();
    await expect(tab).toHaveURL(/\/settings\/security$/);
    const panel = tab.locator('section[aria-labelledby=s-two-factor]');
    await panel.locator('button.btn-primary').click();
    await expect(panel.locator('.qr svg')).toBeVisible();
    const key = (await panel.locator('.secret').innerText()).trim();
    expect(key).toMatch(/^[A-Z2-7 ]{26,}$/);
    const first = totp(key);
    await panel.locator('#tf-code').fill(first);
    await panel.locator('button[type=submit]').click();
    await expect(panel.locator('.recovery-codes li')).toHaveCount(10);
    await tab.screenshot({ path: path.join(shots, `two-factor-codes-${run.lang}.png`), fullPage: true });
    expect(await axeFaults(tab)).toEqual([]);
    await panel.locator('button.btn').click();
    await expect(panel.locator('.badge.status-open')).toBeVisible();
    await expect(tab.locator('.session')).toHaveCount(1);

    // Signing in again asks for a code after the password; the code just used is refused.
    await tab.locator('.account-button').click();
    await tab.locator('form[action="/signout"] button').click();
    await expect(tab).toHaveURL(/\/signin/);
    await tab.locator('input[name=email]').fill('layla@rose.test');
    await tab.locator('input[name=password]').fill('layla correct horse');
    await tab.locator('form button[type=submit]').click();
    await expect(tab).toHaveURL(/\/signin\/code/);
    await hydrated(tab);
    await tab.locator('#code').fill(first);
    await tab.locator('form button[type=submit]').click();
    await expect(tab.locator('.alert-error')).toContainText(run.wrongCode);
    await tab.screenshot({ path: path.join(shots, `two-factor-refused-${run.lang}.png`) });
    expect(await axeFaults(tab)).toEqual([]);
    // The phone's next code (one step of drift is allowed) lets her in.
    await tab.locator('#code').fill(totp(key, Math.floor(Date.now() / 30_000) + 1));
    await tab.locator('form button[type=submit]').click();
    await expect(tab).toHaveURL(/\/views\//);
    await hydrated(tab);
    await expect(tab.locator('.account-name')).toContainText('Layla');
    await expect(tab.locator('html')).toHaveAttribute('lang', run.lang);

    // The admin sees that Layla's account has a second factor.
    await page.reload();
    await hydrated(page);
    await expect(page.locator('.settings-table tr').filter({ hasText: 'layla@rose.test' })
      .locator('td:nth-child(4) .badge.status-open')).toBeVisible();
    await page.screenshot({ path: path.join(shots, `people-two-factor-${run.lang}.png`), fullPage: true });
  } finally {
    await layla.close();
    await imap.stop();
    await smtp.stop();
  }
}

for (const run of runs) {
  test(`a fresh server is set up in the browser (${run.lang})`, async ({ browser }) => {
    test.setTimeout(180_000);
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

      await mailAndTwoFactor(browser, page, server, run);

      // The audit trail tells the story, newest first, in the team's language.
      await page.goto('/settings');
      await page.getByRole('link', { name: run.activity }).click();
      await expect(page).toHaveURL(/\/settings\/activity$/);
      const rows = page.locator('table.activity tbody tr');
      await expect(rows.last()).toContainText(run.setUp);
      await expect(rows.filter({ hasText: 'omar@rose.test' })).toHaveCount(1);
      await expect(rows.filter({ hasText: run.joined }).filter({ hasText: 'Omar' })).toHaveCount(1);
      await expect(rows.filter({ hasText: run.joined }).filter({ hasText: 'Layla' })).toHaveCount(1);
      await expect(rows.filter({ hasText: run.mailbox }).first()).toBeVisible();
      await page.screenshot({ path: path.join(shots, `activity-${run.lang}.png`), fullPage: true });
      expect(await axeFaults(page)).toEqual([]);
    } finally {
      await context.close();
      await server.stop();
    }
  });
}
