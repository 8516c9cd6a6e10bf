// A demo agent's working day in the shared inbox: filter the list, open a conversation from
// the keyboard, write a note and a reply, change status and owner, and find everything kept
// after a reload, the half-written reply included.
const { test, expect } = require('@playwright/test');
const path = require('path');
const { shots, hydrated, signIn } = require('./support');

test('an agent works a conversation and a reload keeps every change', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await signIn(page, 'sara@nour-store.example', 'sanduq-demo');

  // Filter: all open conversations tagged "shipping"; the filter lives in the URL.
  await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: /All open/ }).click();
  await expect(page.getByRole('heading', { name: 'All open', level: 1 })).toBeVisible();
  await page.getByLabel('Tag', { exact: true }).selectOption('shipping');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/tag=shipping/);
  const rows = page.getByRole('list', { name: 'Conversations' }).getByRole('listitem');
  await expect(rows.first()).toBeVisible();
  const shown = await rows.count();
  await expect(page.locator('.conversation-row .row-meta .tag', { hasText: /^shipping$/ })).toHaveCount(shown);
  await page.screenshot({ path: path.join(shots, 'inbox-filtered.png') });

  // j moves to the first row, Enter opens it.
  const subject = (await rows.first().locator('.subject').innerText()).trim();
  await page.keyboard.press('j');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/conversations\//);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(subject);
  await hydrated(page);
  const thread = page.getByRole('region', { name: 'Messages' });

  // A note: the composer turns to note mode, and the note is set apart in the thread.
  await page.getByRole('tab', { name: 'Note' }).click();
  await page.getByRole('textbox', { name: 'Note' }).fill('E2E: courier says Tuesday');
  await page.getByRole('button', { name: 'Add note' }).click();
  const last = thread.getByRole('article').last();
  await expect(last).toContainText('E2E: courier says Tuesday');
  await expect(last).toContainText('Internal note');
  await expect(page.getByRole('textbox', { name: 'Note' })).toHaveValue('');

  // A reply: stored, queued for sending, and shown as queued.
  await page.getByRole('tab', { name: 'Reply' }).click();
  await page.getByRole('textbox', { name: 'Reply' }).fill('Hello! Your parcel arrives on Tuesday.');
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(last).toContainText('Hello! Your parcel arrives on Tuesday.');
  await expect(last).toContainText('Queued');

  // Status and owner.
  await page.getByLabel('Status').selectOption('waiting');
  const history = page.locator('.history');
  await expect(history).toContainText('Status changed to Waiting on customer');
  await page.getByRole('button', { name: 'Assign to me' }).click();
  await expect(history).toContainText('Assigned to Sara Nasser');
  await expect(page.getByRole('button', { name: 'Assign to me' })).toHaveCount(0);

  // A reply left half-written is saved as a draft while typing.
  await page.getByRole('textbox', { name: 'Reply' }).fill('Half-written: we also refunded');
  await expect(page.getByText('Draft saved')).toBeVisible();
  await page.screenshot({ path: path.join(shots, 'conversation-worked.png'), fullPage: true });

  await page.reload();
  await expect(page.getByRole('textbox', { name: 'Reply' })).toHaveValue('Half-written: we also refunded');
  await expect(page.getByLabel('Status')).toHaveValue('waiting');
  await expect(page.getByLabel('Assignee').locator('option:checked')).toHaveText('Sara Nasser');
  await expect(thread).toContainText('E2E: courier says Tuesday');
  await expect(thread.getByRole('article').last()).toContainText('Queued');
  await expect(history).toContainText('Assigned to Sara Nasser');

  // It left the filtered open list (now waiting) and shows in Mine.
  await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: /Mine/ }).click();
  await expect(page.getByRole('list', { name: 'Conversations' })).toContainText(subject);

  // ? lists the shortcuts; Escape closes them.
  await page.keyboard.press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(help).toBeVisible();
  await page.screenshot({ path: path.join(shots, 'shortcuts.png') });
  await page.keyboard.press('Escape');
  await expect(help).toHaveCount(0);

  // In the conversation: n starts a note, r a reply, e closes it.
  await page.getByRole('list', { name: 'Conversations' }).getByRole('listitem').filter({ hasText: subject }).first().getByRole('link').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(subject);
  await page.keyboard.press('n');
  await expect(page.getByRole('textbox', { name: 'Note' })).toBeFocused();
  await page.getByRole('heading', { level: 1 }).click();
  await page.keyboard.press('r');
  await expect(page.getByRole('textbox', { name: 'Reply' })).toBeFocused();
  await page.getByRole('heading', { level: 1 }).click();
  await page.keyboard.press('e');
  await expect(page.getByLabel('Status')).toHaveValue('closed');
  await expect(history).toContainText('Status changed to Closed');
});

test('the language switch turns the app Arabic and right to left, and back', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await signIn(page, 'layla@nour-store.example', 'sanduq-demo');
  await expect(page.locator('html')).toHaveAttribute('dir', 'ltr');

  await page.getByRole('button', { name: 'Account' }).click();
  const language = page.getByLabel('Language');
  await expect(language.locator('option')).toHaveText(['English', 'العربية', 'فارسی']);
  await language.selectOption({ label: 'العربية' });
  await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
  await expect(page.locator('html')).toHaveAttribute('lang', 'ar');
  await hydrated(page);

  // The choice is the user's: it holds on every page, whatever the browser asks for.
  const views = page.getByRole('navigation', { name: 'طرق العرض' });
  await views.getByRole('link', { name: /كل المفتوحة/ }).click();
  const rows = page.getByRole('list', { name: 'المحادثات' }).getByRole('listitem');
  await expect(rows.first()).toBeVisible();
  await page.screenshot({ path: path.join(shots, 'inbox-ar.png') });
  await rows.first().getByRole('link').click();
  await expect(page.getByRole('textbox', { name: 'رد' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'إرسال' })).toBeVisible();
  // Times and counts are written in Arabic-Indic digits.
  await expect(page.locator('.message time').first()).toHaveText(/^[٠-٩]{4}-[٠-٩]{2}-[٠-٩]{2} [٠-٩]{2}:[٠-٩]{2}$/);
  await page.screenshot({ path: path.join(shots, 'conversation-ar.png'), fullPage: true });

  await page.getByRole('button', { name: 'الحساب' }).click();
  await page.getByLabel('Language').selectOption({ label: 'English' });
  await expect(page.locator('html')).toHaveAttribute('dir', 'ltr');
  await expect(page.getByRole('textbox', { name: 'Reply' })).toBeVisible();
});
