/**
 * The web workspace in a real browser (Debian's Chromium through playwright-core), against a strict-mode server:
 * sign-in, a case created under a conditionally required field, edits, comments, search with a filter and paging,
 * and the audit timeline naming the signed-in user. Run with `npm run test:browser` (it builds web/dist first).
 * The screenshots of docs/workspace.md are taken here.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import {
  BatchPutFieldOptionsCommand,
  CreateCaseCommand,
  CreateCaseRuleCommand,
  CreateDomainCommand,
  CreateFieldCommand,
  CreateLayoutCommand,
  CreateRelatedItemCommand,
  CreateTemplateCommand,
  ConnectCasesClient,
  ListDomainsCommand,
} from '@aws-sdk/client-connectcases';
import { startServer, type RunningServer } from '../../src/server.js';
import { hashPassword } from '../../src/web/passwords.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const WEB_ROOT = new URL('../../web/dist/', import.meta.url);
const SCREENSHOTS = new URL('../../docs/screenshots/', import.meta.url);
const ACCOUNT = '111122223333';
const ALICE_ARN = `arn:aws:connect:us-east-1:${ACCOUNT}:instance/opencases-test/agent/alice`;
const INTEGRATION_ARN = `arn:aws:connect:us-east-1:${ACCOUNT}:instance/opencases-test/agent/importer`;
const PASSWORD = 'correct horse battery';

describe('web workspace (Chromium)', () => {
  let dir: string;
  let server: RunningServer;
  let api: ConnectCasesClient;
  let context: BrowserContext;
  let page: Page;
  let domainId: string;
  let templateId: string;
  let caseUrl: string;

  before(async () => {
    assert.ok(existsSync(new URL('index.html', WEB_ROOT)), 'web/dist is missing: run `npm run build:web` (npm run test:browser does)');
    assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: apt-get install chromium`);
    dir = mkdtempSync(join(tmpdir(), 'opencases-browser-'));
    const credentialsFile = join(dir, 'credentials.json');
    writeFileSync(
      credentialsFile,
      JSON.stringify({
        credentials: [{ accessKeyId: 'AKIDBROWSER', secretAccessKey: 'browser-secret', accountId: ACCOUNT }],
        users: [{ username: 'alice', passwordHash: await hashPassword(PASSWORD), accountId: ACCOUNT, userArn: ALICE_ARN }],
      }),
    );
    server = await startServer({ credentialsFile, enforceCaseRules: true, signInFailureDelayMs: 10 });
    api = new ConnectCasesClient({
      endpoint: server.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDBROWSER', secretAccessKey: 'browser-secret' },
      maxAttempts: 1,
    });
    await seed();
    context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1280, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
  });

  after(async () => {
    await context?.close();
    api?.destroy();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  let priorityId: string;
  let reasonId: string;

  /** A domain with a Priority select, an Escalation reason that a case rule requires for high priority, and 30 cases. */
  async function seed() {
    domainId = (await api.send(new CreateDomainCommand({ name: 'Support' }))).domainId!;
    priorityId = (await api.send(new CreateFieldCommand({ domainId, name: 'Priority', type: 'SingleSelect' }))).fieldId!;
    await api.send(
      new BatchPutFieldOptionsCommand({
        domainId,
        fieldId: priorityId,
        options: [
          { name: 'Low', value: 'low', active: true },
          { name: 'High', value: 'high', active: true },
        ],
      }),
    );
    reasonId = (await api.send(new CreateFieldCommand({ domainId, name: 'Escalation reason', type: 'Text' }))).fieldId!;
    const ruleId = (
      await api.send(
        new CreateCaseRuleCommand({
          domainId,
          name: 'Reason for high priority',
          rule: {
            required: {
              defaultValue: false,
              conditions: [{ equalTo: { operandOne: { fieldId: priorityId }, operandTwo: { stringValue: 'high' }, result: true } }],
            },
          },
        }),
      )
    ).caseRuleId!;
    const group = (name: string, ids: string[]) => ({ fieldGroup: { name, fields: ids.map((id) => ({ id })) } });
    const layoutId = (
      await api.send(
        new CreateLayoutCommand({
          domainId,
          name: 'Support layout',
          content: {
            basic: {
              topPanel: { sections: [group('Case', [priorityId, reasonId])] },
              moreInfo: { sections: [group('Details', ['summary', 'assigned_user'])] },
            },
          },
        }),
      )
    ).layoutId!;
    templateId = (
      await api.send(
        new CreateTemplateCommand({
          domainId,
          name: 'Support request',
          status: 'Active',
          layoutConfiguration: { defaultLayout: layoutId },
          requiredFields: [{ fieldId: 'title' }],
          rules: [{ caseRuleId: ruleId, fieldId: reasonId }],
        }),
      )
    ).templateId!;
    for (let i = 1; i <= 30; i++) {
      const high = i % 2 === 0;
      await api.send(
        new CreateCaseCommand({
          domainId,
          templateId,
          performedBy: { userArn: INTEGRATION_ARN },
          ...(i % 5 === 0 ? { tags: { team: 'blue' } } : {}),
          fields: [
            { id: 'title', value: { stringValue: `Imported case ${String(i).padStart(2, '0')}` } },
            { id: priorityId, value: { stringValue: high ? 'high' : 'low' } },
            ...(high ? [{ id: reasonId, value: { stringValue: 'VIP customer' } }] : []),
          ],
        }),
      );
    }
  }

  const shot = (name: string) => page.screenshot({ path: new URL(`${name}.png`, SCREENSHOTS).pathname, fullPage: true });

  test('signing in: a wrong password is refused without saying which part was wrong, the right one opens the workspace', async () => {
    await page.goto(server.endpoint);
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Wrong username or password' }).waitFor();
    // Keyboard only this time: the form is reachable and submits with Enter.
    await page.getByLabel('Password').fill('');
    await page.getByLabel('Username').focus();
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('link', { name: 'Support' }).waitFor();
    const cookie = (await context.cookies()).find((c) => c.name === 'opencases_session');
    assert.ok(cookie, 'a session cookie is set');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Strict');
    assert.equal(await page.evaluate(() => document.cookie), '', 'the session cookie is invisible to scripts');
    assert.equal(await page.title(), 'Domains · opencases');
    // Keyboard users start at a link that skips the navigation.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
  });

  test('creating a case: the case rule makes Escalation reason required once Priority is high', async () => {
    await page.getByRole('link', { name: 'Support' }).click();
    await page.getByRole('link', { name: 'New case' }).click();
    await page.getByLabel('Template').selectOption({ label: 'Support request' });
    await page.getByLabel('Title').fill('Printer on fire');
    const reason = page.getByLabel('Escalation reason');
    assert.equal(await reason.getAttribute('aria-required'), null, 'not required while Priority is empty');
    await page.getByLabel('Priority').selectOption('high');
    assert.equal(await reason.getAttribute('aria-required'), 'true', 'required once Priority is high');
    await page.getByRole('button', { name: 'Create case' }).click();
    await page.getByText('This field is required by a case rule').waitFor();
    await shot('new-case');
    await reason.fill('Fire hazard');
    await page.getByRole('button', { name: 'Create case' }).click();
    await page.getByRole('heading', { name: 'Printer on fire' }).waitFor();
    caseUrl = page.url();
    assert.match(caseUrl, new RegExp(`/d/${domainId}/cases/[^/]+$`));
    assert.equal(await page.getByLabel('Escalation reason').inputValue(), 'Fire hazard');
  });

  test('editing fields in place, and an API error shown next to its field', async () => {
    // The rule still holds on the case page: clearing the reason of a high-priority case is refused.
    await page.getByLabel('Escalation reason').fill('');
    await page.getByRole('button', { name: /^Save changes/ }).click();
    await page.locator('#field-' + reasonId + '-error', { hasText: 'required by a case rule' }).waitFor();
    await page.getByLabel('Escalation reason').fill('Fire hazard');

    await page.getByLabel('Title').fill('Printer on fire (3rd floor)');
    await page.getByLabel('Summary').fill('Smoke coming out of the tray.\nFacilities informed.');
    await page.getByRole('button', { name: 'Set Assigned user to me' }).click();
    await page.getByRole('button', { name: /^Save changes \(3\)$/ }).click();
    await page.getByRole('heading', { name: 'Printer on fire (3rd floor)' }).waitFor();
    assert.equal(await page.getByRole('textbox', { name: 'Assigned user' }).inputValue(), ALICE_ARN);

    await page.getByRole('textbox', { name: 'Assigned user' }).fill('not-a-user-arn');
    await page.getByRole('button', { name: /^Save changes/ }).click();
    const error = page.locator('#field-assigned_user-error');
    await error.waitFor();
    assert.match(await error.innerText(), /assigned_user/);
    await page.getByRole('textbox', { name: 'Assigned user' }).fill(ALICE_ARN);
    await error.waitFor({ state: 'detached' });
    assert.equal(await page.getByRole('button', { name: /^Save changes/ }).isDisabled(), true, 'nothing left to save');
  });

  test('comments: add one, then edit it', async () => {
    await page.getByLabel('Add a comment').fill('Called the customer back.');
    await page.getByRole('button', { name: 'Add comment' }).click();
    await page.locator('.comment-body', { hasText: 'Called the customer back.' }).waitFor();
    await page.getByRole('button', { name: 'Edit this comment' }).click();
    await page.getByLabel('Edit comment').fill('Called the customer back: replacement ordered.');
    await page.getByRole('button', { name: 'Save comment' }).click();
    await page.locator('.comment-body', { hasText: 'replacement ordered' }).waitFor();
    assert.match(await page.locator('.comment .muted').first().innerText(), /agent\/alice/);
  });

  test('close and reopen the case', async () => {
    await page.getByRole('button', { name: 'Close case' }).click();
    await page.getByRole('button', { name: 'Reopen case' }).waitFor();
    assert.equal(await page.locator('.case-header .status').innerText(), 'closed');
    await page.getByRole('button', { name: 'Reopen case' }).click();
    await page.getByRole('button', { name: 'Close case' }).waitFor();
  });

  test('related items: an SLA another client started, a case linked and an SLA started here, with live SLA status', async () => {
    const caseId = new URL(caseUrl).pathname.split('/').pop()!;
    const other = await api.send(
      new CreateCaseCommand({ domainId, templateId, fields: [{ id: 'title', value: { stringValue: 'Toner shortage' } }, { id: priorityId, value: { stringValue: 'low' } }] }),
    );
    await api.send(
      new CreateRelatedItemCommand({
        domainId,
        caseId,
        type: 'Sla',
        content: { sla: { slaInputConfiguration: { name: 'Resolution', type: 'CaseField', fieldId: 'status', targetFieldValues: [{ stringValue: 'closed' }], targetSlaMinutes: 90 } } },
      }),
    );
    await api.send(
      new CreateRelatedItemCommand({ domainId, caseId, type: 'Custom', content: { custom: { fields: [{ id: reasonId, value: { stringValue: 'Callback promised' } }] } } }),
    );
    await page.goto(caseUrl);
    await page.getByRole('heading', { name: 'SLAs (1)' }).waitFor();
    assert.match(await page.locator('.items li', { hasText: 'Callback promised' }).innerText(), /^Escalation reason: Callback promised/);
    assert.match(await page.locator('.items li', { hasText: 'Resolution' }).innerText(), /Resolution Active due in 1 h (29|30) min/);

    await page.getByText('Link a case or start an SLA').click();
    await page.getByLabel('Case id to link').fill(other.caseId!);
    await page.getByRole('button', { name: 'Link case' }).click();
    await page.getByLabel('SLA name').fill('First response');
    await page.getByLabel('Minutes until due').fill('30');
    await page.getByRole('button', { name: 'Start SLA' }).click();
    await page.getByRole('heading', { name: 'SLAs (2)' }).waitFor();
    assert.match(await page.locator('.items li', { hasText: 'First response' }).innerText(), /First response Active due in (29|30) min — when Status is closed/);
    await page.getByRole('link', { name: `Case ${other.caseId}` }).click();
    await page.getByRole('heading', { name: 'Toner shortage' }).waitFor();
  });

  test('the audit timeline names the signed-in user and shows old → new values', async () => {
    await page.goto(caseUrl);
    const timeline = page.getByRole('list', { name: 'Audit history' });
    await timeline.getByText('Printer on fire (3rd floor)').first().waitFor();
    const text = await timeline.innerText();
    assert.match(text, /Title: Printer on fire → Printer on fire \(3rd floor\)/);
    assert.match(text, /Status: open → closed/);
    assert.ok(text.includes(ALICE_ARN), 'the changes are recorded as made by alice');
    assert.ok(!text.includes(INTEGRATION_ARN), 'nothing of this case was done by the importer');
    await shot('case');
  });

  test('the case list: a filter, paging, and the query in the URL', async () => {
    await page.getByRole('link', { name: 'Cases', exact: true }).click();
    await page.getByRole('columnheader', { name: 'Title' }).waitFor();
    await page.getByLabel('Field').selectOption({ label: 'Priority' });
    await page.getByLabel('Operator').selectOption('equalTo');
    await page.getByLabel('Value').fill('high');
    await page.getByRole('button', { name: 'Add filter' }).click();
    await page.getByRole('list', { name: 'Active filters' }).waitFor();
    assert.ok(new URL(page.url()).searchParams.getAll('f').includes(`${priorityId}~equalTo~high`));
    const rows = page.locator('tbody tr');
    // 30 imported cases (15 of high priority), the case created above and the low-priority case linked to it.
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 16);
    assert.equal(await rows.count(), 16);
    assert.equal(await page.getByRole('button', { name: 'Next page' }).isDisabled(), true);

    await page.getByRole('button', { name: /^Remove filter/ }).click();
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 25);
    await shot('list');
    const firstPage = await rows.allInnerTexts();
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 7);
    assert.ok(new URL(page.url()).searchParams.get('token'), 'the page token is in the URL');
    const secondPage = await rows.allInnerTexts();
    assert.equal(new Set([...firstPage, ...secondPage]).size, 32, 'the two pages hold all 32 cases once');
    await page.getByRole('button', { name: 'Previous page' }).click();
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 25);

    // Sorting by a column header, then the other way.
    await page.getByRole('button', { name: /^Title/ }).click();
    await page.waitForFunction(() => new URLSearchParams(location.search).get('sort') === 'title:Desc');
    await page.waitForFunction(() => document.querySelector('tbody tr')?.textContent?.includes('Toner shortage'));
    await page.getByRole('button', { name: /^Title/ }).click();
    await page.waitForFunction(() => document.querySelector('tbody tr')?.textContent?.includes('Imported case 01'));
    assert.equal(await page.getByRole('columnheader', { name: /^Title/ }).getAttribute('aria-sort'), 'ascending');

    await page.getByLabel('Search cases').fill('3rd floor');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 1);
    assert.match(await rows.first().innerText(), /Printer on fire \(3rd floor\)/);
    // The URL is the view: opening it afresh shows the same result.
    const shared = page.url();
    await page.goto(shared);
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 1);
    assert.equal(await page.getByLabel('Search cases').inputValue(), '3rd floor');

    // Tags filter too, written key=value.
    await page.goto(`${server.endpoint}/d/${domainId}/cases`);
    await page.getByLabel('Field').selectOption({ label: 'Tag' });
    await page.getByLabel('Value').fill('team');
    await page.getByRole('button', { name: 'Add filter' }).click();
    await page.getByRole('alert').filter({ hasText: 'A tag filter takes key=value' }).waitFor();
    await page.getByLabel('Value').fill('team=blue');
    await page.getByRole('button', { name: 'Add filter' }).click();
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 6);
    assert.deepEqual(
      (await page.locator('tbody tr td:nth-child(2)').allInnerTexts()).sort(),
      ['05', '10', '15', '20', '25', '30'].map((n) => `Imported case ${n}`),
    );
  });

  test('readable at 200% zoom: list, case and admin pages reflow without horizontal scrolling', async () => {
    // A 1280×900 window at 200% zoom lays pages out in 640×450 CSS pixels.
    await page.setViewportSize({ width: 640, height: 450 });
    try {
      for (const url of [`/d/${domainId}/cases`, new URL(caseUrl).pathname, `/d/${domainId}/admin/fields`]) {
        await page.goto(`${server.endpoint}${url}`);
        await page.locator('table, .case-form').first().waitFor();
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `${url} is ${overflow}px wider than the window at 200% zoom`);
      }
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });

  test('admin pages: create a field with an option, read a template with its rule', async () => {
    await page.getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('cell', { name: 'Escalation reason' }).waitFor();
    const newField = page.getByRole('form', { name: 'New field' });
    await newField.getByLabel('Name').fill('Channel');
    await newField.getByLabel('Type').selectOption('SingleSelect');
    await newField.getByRole('button', { name: 'Create field' }).click();
    await page.getByRole('button', { name: 'Options of Channel' }).click();
    const options = page.getByRole('region', { name: 'Options of Channel' });
    await options.getByLabel('Option name').fill('Phone');
    await options.getByLabel('Option value').fill('phone');
    await options.getByRole('button', { name: 'Add option' }).click();
    await options.getByRole('button', { name: 'Deactivate Phone' }).waitFor();
    await shot('admin-fields');

    await page.getByRole('link', { name: 'Templates' }).click();
    await page.getByRole('button', { name: 'Support request (Active)' }).click();
    await page.getByLabel('Rule 1').waitFor();
    assert.equal(await page.getByLabel('Name').inputValue(), 'Support request');
    assert.equal(await page.getByLabel('Rule 1').locator('option:checked').innerText(), 'Reason for high priority (Required)');
    assert.equal(await page.getByLabel('applies to field').locator('option:checked').innerText(), 'Escalation reason');
    assert.deepEqual(await page.getByLabel(/^Required fields/).evaluate((el: HTMLSelectElement) => [...el.selectedOptions].map((o) => o.value)), ['title']);
    await shot('admin-templates');
  });

  test('a hidden rule written in the admin pages hides a field live on the new-case form', async () => {
    await page.getByRole('link', { name: 'Case rules' }).click();
    await page.getByRole('button', { name: '+ New case rule' }).click();
    const form = page.getByRole('form', { name: 'New case rule' });
    await form.getByLabel('Name').fill('No summary for low priority');
    const rule = { hidden: { defaultValue: false, conditions: [{ equalTo: { operandOne: { fieldId: priorityId }, operandTwo: { stringValue: 'low' }, result: true } }] } };
    await form.getByLabel(/^Rule/).fill(JSON.stringify(rule));
    await form.getByRole('button', { name: 'Create case rule' }).click();
    await page.getByRole('button', { name: 'No summary for low priority (Hidden)' }).waitFor();

    await page.getByRole('link', { name: 'Templates' }).click();
    await page.getByRole('button', { name: 'Support request (Active)' }).click();
    await page.getByLabel('Rule 1').waitFor();
    await page.getByRole('button', { name: 'Add a case rule' }).click();
    await page.getByLabel('Rule 2').selectOption({ label: 'No summary for low priority (Hidden)' });
    await page.getByLabel('applies to field').nth(1).selectOption({ label: 'Summary' });
    await page.getByRole('button', { name: 'Save template' }).click();
    await page.getByRole('status').filter({ hasText: 'template saved' }).waitFor();

    await page.getByRole('link', { name: 'New case' }).click();
    await page.getByLabel('Template').selectOption({ label: 'Support request' });
    const summary = page.getByLabel('Summary');
    await summary.waitFor();
    await page.getByLabel('Priority').selectOption('low');
    await summary.waitFor({ state: 'detached' });
    await page.getByLabel('Priority').selectOption('high');
    await summary.waitFor();
  });

  test('an ended session leads back to the sign-in form, and signing in again returns to the same page', async () => {
    await context.clearCookies();
    await page.getByRole('link', { name: 'Cases', exact: true }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    const url = page.url();
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('columnheader', { name: /^Title/ }).waitFor();
    assert.equal(page.url(), url);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    assert.equal((await context.cookies()).some((c) => c.name === 'opencases_session' && c.value), false);
  });
});

describe('web workspace in dev mode (Chromium)', () => {
  let server: RunningServer;
  let dir: string;
  let context: BrowserContext;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'opencases-browser-dev-'));
    server = await startServer();
    context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  after(async () => {
    await context?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('no sign-in: the workspace acts as the default agent, and its changes are recorded as that agent', async () => {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(server.endpoint);
    await page.getByText('dev-agent (dev mode)').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Sign in' }).count(), 0);
    await page.getByLabel('New domain name').fill('Dev domain');
    await page.getByRole('button', { name: 'Create domain' }).click();
    await page.getByRole('heading', { name: 'Cases' }).waitFor();
    assert.match(page.url(), /\/d\/[^/]+\/cases$/);
    // The dev agent's domain is one of account 000000000000, the account of dev-mode SDK clients.
    const api = new ConnectCasesClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'dev', secretAccessKey: 'dev' } });
    const domains = (await api.send(new ListDomainsCommand({}))).domains ?? [];
    api.destroy();
    assert.deepEqual(domains.map((d) => d.name), ['Dev domain']);
  });
});
