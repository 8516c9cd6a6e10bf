// Every refusal the UI can produce, in Arabic and in Persian: a wrong password, a bad
// address, an oversized file, a reply that someone else's note made stale, a list address
// edited by hand, mail server settings that cannot work and servers that refuse. Each must
// read in the reader's language: the test fails if a Latin-script word appears outside the
// user's own data (and the protocol names IMAP, SMTP, TLS, written so in every language).
const { test, expect } = require('@playwright/test');
const path = require('path');
const { shots, hydrated, closedPort } = require('./support');

const PASSWORD = 'correct horse battery';

/// Fails unless `text`, with the user's own data taken out, has no Latin letter.
function inReadersScript(text, userData = []) {
  let rest = text;
  for (const d of userData) rest = rest.split(d).join('');
  expect(rest, `Latin script in: ${text}`).not.toMatch(/[A-Za-z]/);
  expect(rest.trim().length, 'the refusal says something').toBeGreaterThan(3);
}

for (const [locale, lang] of [['ar-SA', 'ar'], ['fa-IR', 'fa']]) {
  test.describe(`refusals in ${lang}`, () => {
    test.use({ locale });

    test('each one reads in the reader’s language', async ({ page, context }) => {
      test.setTimeout(90_000);
      // A wrong password.
      await page.goto('/signin');
      await page.locator('input[name=email]').fill('amal@e2e.test');
      await page.locator('input[name=password]').fill('not my password');
      await page.locator('form button[type=submit]').click();
      inReadersScript(await page.getByRole('alert').innerText());

      await page.locator('input[name=email]').fill('amal@e2e.test');
      await page.locator('input[name=password]').fill(PASSWORD);
      await page.locator('form button[type=submit]').click();
      await hydrated(page);
      await expect(page.locator('html')).toHaveAttribute('lang', lang);

      // A list address edited by hand.
      await page.goto('/views/open?assignee=someone');
      await hydrated(page);
      inReadersScript(await page.locator('.alert-error').first().innerText());

      // A bad address in the composer.
      await page.locator('nav a[href^="/mailboxes/"]').first().click();
      await hydrated(page);
      const conversation = await page.locator('ul.conversation-list a[href^="/conversations/"]').first().getAttribute('href');
      await page.goto(conversation);
      await hydrated(page);
      const composer = page.locator('.composer');
      await composer.locator('#c-to').fill('omar@');
      await composer.locator('textarea[name=body]').fill('مرحبا');
      await composer.locator('button[type=submit].btn-primary').click();
      await expect(composer.locator('.alert-error')).toBeVisible();
      inReadersScript(await composer.locator('.alert-error').innerText(), ['omar@']);
      await page.screenshot({ path: path.join(shots, `refusal-address-${lang}.png`) });

      // A file larger than a reply may carry.
      await composer.locator('input[type=file]').setInputFiles({
        name: 'big.pdf',
        mimeType: 'application/pdf',
        buffer: Buffer.alloc(19_500_000, 1),
      });
      const fileError = composer.locator('.alert-error', { hasText: 'big.pdf' });
      await expect(fileError).toBeVisible();
      inReadersScript(await fileError.innerText(), ['big.pdf']);

      // Someone else adds a note while this reply is being written: the send is refused.
      await composer.locator('#c-to').fill('');
      const other = await context.newPage();
      await other.goto(conversation);
      await hydrated(other);
      await other.locator('.composer-tab').nth(2).click();
      await other.locator('.composer textarea[name=body]').fill('ملاحظة');
      await other.locator('.composer button[type=submit].btn-primary').click();
      await expect(other.locator('.composer textarea[name=body]')).toHaveValue('');
      await other.close();
      await composer.locator('button[type=submit].btn-primary').click();
      const stale = page.locator('.stale-reply');
      await expect(stale).toBeVisible();
      inReadersScript(await stale.innerText());
      await page.screenshot({ path: path.join(shots, `refusal-stale-${lang}.png`) });

      // Leave no draft behind for the other tests.
      await composer.locator('textarea[name=body]').fill('');
      await expect(page.locator('.draft-state')).not.toHaveText(/…$/);

      // Mail servers: a setting that cannot work, and servers that refuse (nothing is saved).
      await page.goto('/settings');
      await hydrated(page);
      await page.locator('.settings-item').filter({ hasText: 'wholesale@e2e.test' })
        .locator('a[href^="/settings/mailboxes/"]').click();
      await hydrated(page);
      const port = String(await closedPort());
      for (const server of ['imap', 'smtp']) {
        await page.locator(`#${server}-host`).fill('mail.shop.test');
        await page.locator(`#${server}-port`).fill(port);
        await page.locator(`#${server}-security`).selectOption('none');
        await page.locator(`#${server}-user`).fill('wholesale');
        await page.locator(`#${server}-password`).fill('app-password-1');
      }
      const testConnection = page.locator('.form-actions button[type=button]');
      await testConnection.click();
      const clear = page.locator('.server-form .alert-error');
      await expect(clear).toBeVisible();
      inReadersScript(await clear.innerText(), ['IMAP', 'STARTTLS', 'TLS']);
      for (const server of ['imap', 'smtp']) await page.locator(`#${server}-host`).fill('127.0.0.1');
      await testConnection.click();
      const result = page.locator('.check-result');
      await expect(result.locator('.check-bad')).toHaveCount(2);
      inReadersScript(await result.innerText(), ['127.0.0.1', 'IMAP', 'SMTP']);
      await page.screenshot({ path: path.join(shots, `refusal-mail-servers-${lang}.png`), fullPage: true });
    });
  });
}
