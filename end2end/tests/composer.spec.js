// An agent writes mail the way help desks let them: a reply with Cc, Bcc and a file that a
// reload keeps, a signature set in Settings, a forward to a colleague outside, and a new
// conversation started from a mailbox; then the same composer in Arabic.
const { test, expect } = require('@playwright/test');
const path = require('path');
const { shots, hydrated, signIn } = require('./support');

test('an agent replies with copies and a file, signs, forwards and starts a conversation', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 1000 });
  await signIn(page, 'sara@nour-store.example', 'sanduq-demo');

  // A signature for the Returns mailbox.
  await page.goto('/settings');
  await hydrated(page);
  const signature = page.getByRole('textbox', { name: 'Returns', exact: true });
  await signature.fill('Sara\nNour Store returns');
  await signature.locator('xpath=ancestor::form').getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();

  // A closed conversation of Returns (the inbox test works open ones).
  await page.getByRole('navigation', { name: 'Mailboxes' }).getByRole('link', { name: /Returns/ }).click();
  await hydrated(page);
  await page.getByRole('navigation', { name: 'Filter by status' }).getByRole('link', { name: 'Closed' }).click();
  await expect(page).toHaveURL(/view=closed/);
  const rows = page.getByRole('list', { name: 'Conversations' }).getByRole('listitem');
  await rows.first().getByRole('link').click();
  await expect(page).toHaveURL(/\/conversations\//);
  await hydrated(page);

  // To is the customer; Cc and Bcc open on demand; the signature shows under the text.
  const to = page.getByLabel('To', { exact: true });
  await expect(to).toHaveValue(/@/);
  const customer = await to.inputValue();
  await page.getByRole('button', { name: 'Cc / Bcc' }).click();
  await page.getByLabel('Cc', { exact: true }).fill('Omar <omar@customer.example>');
  await page.getByLabel('Bcc', { exact: true }).fill('audit@nour-store.example');
  await page.getByRole('textbox', { name: 'Reply' }).fill('E2E: the label is attached.');
  await expect(page.locator('.composer-signature')).toContainText('Nour Store returns');
  await page.locator('.composer input[type=file]').setInputFiles({
    name: 'label-فاتورة.pdf',
    mimeType: 'application/pdf',
    buffer: Buffer.from('%PDF-1.4 e2e label'),
  });
  const files = page.getByRole('list', { name: 'Attachments' }).last();
  await expect(files).toContainText('label-فاتورة.pdf');
  await expect(page.locator('.draft-state')).toHaveText('Draft saved');

  // A reload keeps all of it.
  await page.reload();
  await hydrated(page);
  await expect(page.getByLabel('To', { exact: true })).toHaveValue(customer);
  await expect(page.getByLabel('Cc', { exact: true })).toHaveValue('Omar <omar@customer.example>');
  await expect(page.getByLabel('Bcc', { exact: true })).toHaveValue('audit@nour-store.example');
  await expect(page.getByRole('textbox', { name: 'Reply' })).toHaveValue('E2E: the label is attached.');
  await expect(page.locator('.composer-files')).toContainText('label-فاتورة.pdf');
  await page.screenshot({ path: path.join(shots, 'composer.png'), fullPage: true });

  // A bad address is refused in words and nothing is lost.
  await page.getByLabel('Cc', { exact: true }).fill('omar@');
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.locator('.composer .alert-error')).toContainText('omar@');
  await expect(page.locator('.composer .alert-error')).toContainText('is not an email address.');
  await expect(page.getByRole('textbox', { name: 'Reply' })).toHaveValue('E2E: the label is attached.');

  // Sent: addressed as typed, signed, with its file; the composer starts afresh.
  await page.getByLabel('Cc', { exact: true }).fill('Omar <omar@customer.example>');
  await page.getByRole('button', { name: 'Send' }).click();
  const thread = page.getByRole('region', { name: 'Messages' });
  const last = thread.getByRole('article').last();
  await expect(last).toContainText('E2E: the label is attached.');
  await expect(last).toContainText('Nour Store returns');
  await expect(last.locator('.message-addressed')).toContainText('Cc: Omar <omar@customer.example>');
  await expect(last.getByRole('link', { name: 'label-فاتورة.pdf' })).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'Reply' })).toHaveValue('');
  await expect(page.getByLabel('To', { exact: true })).toHaveValue(customer);
  await expect(page.locator('.composer-files li')).toHaveCount(0);

  // Forward: To empties for the new recipient; notes stay out.
  await page.getByRole('tab', { name: 'Forward' }).click();
  await expect(page.getByLabel('To', { exact: true })).toHaveValue('');
  await expect(page.getByText('internal notes never do')).toBeVisible();
  await page.getByRole('button', { name: 'Forward' }).click();
  await expect(page.locator('.composer .alert-error')).toContainText('Write a line');
  await page.getByLabel('To', { exact: true }).fill('depot@partner.example');
  await page.getByRole('textbox', { name: 'Forward' }).fill('E2E: can you swap these?');
  await page.getByRole('button', { name: 'Forward' }).click();
  await expect(last).toContainText('E2E: can you swap these?');
  await expect(last.locator('.message-addressed')).toContainText('depot@partner.example');
  // The forwarded history is folded behind "Show quoted text".
  await expect(last.getByText('Show quoted text')).toBeVisible();

  // A new conversation from the mailbox.
  await page.getByRole('link', { name: 'Returns' }).first().click();
  await hydrated(page);
  await page.getByRole('link', { name: 'New conversation' }).click();
  await hydrated(page);
  await page.getByLabel('To', { exact: true }).fill('Huda <huda@customer.example>');
  await page.getByLabel('Subject', { exact: true }).fill('E2E: your exchange is ready');
  await page.getByRole('textbox', { name: 'Reply' }).fill('Your new size is on its way.');
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page).toHaveURL(/\/conversations\//);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('E2E: your exchange is ready');
  await expect(page.getByRole('article').last()).toContainText('Your new size is on its way.');
  await expect(page.locator('.contact-card')).toContainText('huda@customer.example');
  await expect(page.getByLabel('Status')).toHaveValue('waiting');
});

test('the composer reads right to left in Arabic', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 1000 });
  await signIn(page, 'sara@nour-store.example', 'sanduq-demo');
  await page.getByRole('button', { name: 'Account' }).click();
  await page.getByLabel('Language').selectOption({ label: 'العربية' });
  await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
  await hydrated(page);
  await page.getByRole('navigation', { name: 'طرق العرض' }).getByRole('link', { name: /كل المفتوحة/ }).click();
  const rows = page.getByRole('list', { name: 'المحادثات' }).getByRole('listitem');
  await rows.first().getByRole('link').click();
  await hydrated(page);
  await expect(page.getByLabel('إلى', { exact: true })).toHaveValue(/@/);
  await page.getByRole('button', { name: 'نسخة / مخفية' }).click();
  await expect(page.getByLabel('نسخة مخفية', { exact: true })).toBeVisible();
  await expect(page.getByRole('tab', { name: 'إعادة توجيه' })).toBeVisible();
  await page.screenshot({ path: path.join(shots, 'composer-ar.png'), fullPage: true });
  // Back to English for the other tests.
  await page.getByRole('button', { name: 'الحساب' }).click();
  await page.getByLabel('Language').selectOption({ label: 'English' });
  await expect(page.locator('html')).toHaveAttribute('dir', 'ltr');
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('a reply and a signature are posted by the plain forms', async ({ page }) => {
    await page.goto('/signin');
    await page.getByLabel('Email').fill('sara@nour-store.example');
    await page.getByLabel('Password').fill('sanduq-demo');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Mailboxes' }).getByRole('link', { name: /Returns/ }).click();
    await page.getByRole('list', { name: 'Conversations' }).getByRole('listitem').first().getByRole('link').click();
    await expect(page).toHaveURL(/\/conversations\//);
    const url = page.url();

    // A refused reply comes back to the conversation, which says why in the composer (not
    // the error's JSON, as it did while the redirect kept the error's status).
    await page.getByRole('button', { name: 'Send' }).click();
    await expect(page).toHaveURL(/\/conversations\/.*__err=/);
    await expect(page.locator('.composer').getByRole('alert')).toHaveText('Write a reply before sending.');

    // The composer posts to its function, and the browser comes back to the conversation.
    await page.getByRole('textbox', { name: 'Reply' }).fill('E2E: sent without JavaScript.');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => page.url().replace(/\?.*$/, '')).toBe(url);
    const thread = page.getByRole('region', { name: 'Messages' });
    await expect(thread.getByRole('article').last()).toContainText('E2E: sent without JavaScript.');

    // A signature, in Settings.
    await page.goto('/settings');
    const signature = page.getByRole('textbox', { name: 'Returns', exact: true });
    await signature.fill('Sara, without scripts');
    await signature.locator('xpath=ancestor::form').getByRole('button', { name: 'Save' }).click();
    await expect(page).toHaveURL(/\/settings\??$/);
    await expect(page.getByRole('textbox', { name: 'Returns', exact: true })).toHaveValue('Sara, without scripts');
  });
});
