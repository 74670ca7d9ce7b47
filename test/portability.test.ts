import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AccessDeniedException,
  ConnectCasesClient,
  CreateCaseCommand,
  CreateDomainCommand,
  CreateFieldCommand,
  CreateTemplateCommand,
  DeleteFieldCommand,
  DeleteTemplateCommand,
  GetCaseAuditEventsCommand,
  GetCaseCommand,
  GetTemplateCommand,
  ListDomainsCommand,
  ListFieldOptionsCommand,
  ListFieldsCommand,
  ListTagsForResourceCommand,
  ListTemplatesCommand,
  SearchCasesCommand,
  SearchRelatedItemsCommand,
} from '@aws-sdk/client-connectcases';
import { DUMMY_CREDENTIALS, clientFor, startTestServer, type TestServer } from './helpers.js';
import { portabilityFixture, type PortabilityFixture } from './support/portability-fixture.js';
import { exportToFile, checkpointPath } from '../src/portability/checkpoint.js';
import { exportRecords } from '../src/portability/export.js';
import { checkedRecords, readFileRecords } from '../src/portability/format.js';
import { importDirect } from '../src/portability/import-direct.js';
import { importViaApi } from '../src/portability/import-api.js';
import { SYSTEM_FIELDS } from '../src/cases/system-fields.js';

const dir = mkdtempSync(join(tmpdir(), 'oc-portability-'));
const file = (name: string) => join(dir, name);
function noMeta<T extends { $metadata?: unknown }>(r: T): Omit<T, '$metadata'> {
  const { $metadata: _m, ...rest } = r;
  return rest;
}

/** Everything of a case through the four read operations the round trip must preserve. */
async function readCase(client: ConnectCasesClient, domainId: string, caseId: string) {
  const fieldIds = ((await client.send(new ListFieldsCommand({ domainId, maxResults: 100 }))).fields ?? []).map((f) => ({ id: f.fieldId! }));
  return {
    case: noMeta(await client.send(new GetCaseCommand({ domainId, caseId, fields: fieldIds }))),
    items: noMeta(await client.send(new SearchRelatedItemsCommand({ domainId, caseId, maxResults: 25 }))),
    audit: noMeta(await client.send(new GetCaseAuditEventsCommand({ domainId, caseId, maxResults: 25 }))),
  };
}

const search = async (client: ConnectCasesClient, domainId: string) =>
  noMeta(await client.send(new SearchCasesCommand({ domainId, maxResults: 100, fields: [{ id: 'title' }, { id: 'reference_number' }, { id: 'status' }] })));

test("a first case that uses a deleted template and holds a deleted field's value exports to a file that imports", async () => {
  const source = await startTestServer();
  const target = await startTestServer();
  try {
    const c = source.client;
    const { domainId } = await c.send(new CreateDomainCommand({ name: 'first-case-deleted' }));
    const { fieldId } = await c.send(new CreateFieldCommand({ domainId, name: 'Old', type: 'Text' }));
    const { templateId } = await c.send(new CreateTemplateCommand({ domainId, name: 'Old', status: 'Active' }));
    const { caseId } = await c.send(
      new CreateCaseCommand({ domainId, templateId, fields: [{ id: 'title', value: { stringValue: 'first' } }, { id: fieldId, value: { stringValue: 'kept' } }] }),
    );
    await c.send(new DeleteFieldCommand({ domainId, fieldId }));
    await c.send(new DeleteTemplateCommand({ domainId, templateId }));
    const path = file('first-case-deleted.ndjson');
    await exportToFile(c, { domainId: domainId!, file: path });
    // Both deleted records come after the metadata sections, right before the case that needs them.
    const types = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l).type);
    assert.deepEqual(types.slice(types.indexOf('eventConfiguration') + 1, types.indexOf('case') + 1).sort(), ['case', 'field', 'template']);
    await importDirect(target.server.store, () => readFileRecords(path), { region: 'us-east-1' });
    assert.deepEqual(await readCase(target.client, domainId!, caseId!), await readCase(c, domainId!, caseId!));
  } finally {
    await source.close();
    await target.close();
  }
});

describe('export and import of a whole domain', () => {
  let source: TestServer;
  let fx: PortabilityFixture;
  let exported: string;
  before(async () => {
    source = await startTestServer();
    fx = await portabilityFixture(source.client, 'portable');
    exported = file('domain.ndjson');
    await exportToFile(source.client, { domainId: fx.domainId, file: exported });
  });
  after(async () => {
    await source.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the file is NDJSON with a versioned header, the metadata, every case with its items and history, and an end record', () => {
    const lines = readFileSync(exported, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines[0], { type: 'header', format: 'opencases-domain-export', version: 1 });
    assert.equal(lines[1].type, 'domain');
    assert.deepEqual(lines[1].domain.tags, { team: 'support' });
    const types = lines.map((l) => l.type);
    assert.equal(types.filter((t) => t === 'field').length, SYSTEM_FIELDS.length + 8);
    // The deleted field comes right before the first case holding a value of it.
    const legacy = lines.findIndex((l) => l.type === 'field' && l.field.fieldId === fx.fields.legacy);
    assert.equal(lines[legacy].field.deleted, true);
    assert.equal(lines.slice(legacy + 1).find((l) => l.type === 'case').case.caseId, fx.caseIds[1]);
    assert.deepEqual(
      lines.find((l) => l.type === 'case' && l.case.caseId === fx.caseIds[1]).case.fields.find((f: any) => f.id === fx.fields.legacy),
      { id: fx.fields.legacy, value: { stringValue: 'kept after deletion' } },
    );
    assert.equal(types.filter((t) => t === 'case').length, 3);
    // Three listed, and the deleted one the third case uses, right before that case.
    assert.equal(types.filter((t) => t === 'template').length, 4);
    const late = lines.findIndex((l) => l.type === 'template' && l.template.deleted === true);
    assert.equal(lines[late + 1].case.caseId, fx.caseIds[2]);
    assert.deepEqual(lines.find((l) => l.type === 'field' && l.field.fieldId === fx.fields.tier).options, [
      { name: 'Gold', value: 'gold', active: true },
      { name: 'Silver', value: 'silver', active: false },
      { name: 'Old', value: 'old', active: false },
    ]);
    const items = lines.filter((l) => l.type === 'relatedItem' && l.caseId === fx.caseIds[0]).map((l) => l.relatedItem.type);
    assert.deepEqual(items.sort(), ['Comment', 'ConnectCase', 'Contact', 'Custom', 'File', 'Sla']);
    // Oldest first: the creation, then the updates in the order they happened.
    const audit = lines.filter((l) => l.type === 'auditEvent' && l.caseId === fx.caseIds[0]).map((l) => l.event.type);
    assert.equal(audit[0], 'Case.Created');
    assert.deepEqual(audit.slice(1, 3), ['Case.Updated', 'Case.Updated']);
    assert.ok(audit.includes('RelatedItem.Deleted'));
    const end = lines[lines.length - 1];
    assert.deepEqual(end, { type: 'end', counts: { fields: SYSTEM_FIELDS.length + 8, layouts: 1, caseRules: 1, templates: 4, cases: 3, relatedItems: 7, auditEvents: end.counts.auditEvents } });
    assert.equal(end.counts.auditEvents, types.filter((t) => t === 'auditEvent').length);
  });

  test('direct import keeps ids, times, reference numbers and the audit history: the target exports the same bytes', async () => {
    const target = await startTestServer();
    try {
      const summary = await importDirect(target.server.store, () => readFileRecords(exported), { region: 'us-east-1' });
      assert.equal(summary.domainId, fx.domainId);
      assert.equal(summary.created.cases, 3);
      assert.equal(summary.created.auditEvents > 0, true);
      for (const caseId of fx.caseIds) {
        assert.deepEqual(await readCase(target.client, fx.domainId, caseId), await readCase(source.client, fx.domainId, caseId));
      }
      assert.deepEqual(await search(target.client, fx.domainId), await search(source.client, fx.domainId));
      const legacy = (c: TestServer) => c.client.send(new GetCaseCommand({ domainId: fx.domainId, caseId: fx.caseIds[1], fields: [{ id: fx.fields.legacy }] }));
      assert.deepEqual((await legacy(target)).fields, [{ id: fx.fields.legacy, value: { stringValue: 'kept after deletion' } }]);
      assert.deepEqual((await legacy(target)).fields, (await legacy(source)).fields);
      const again = file('reexport.ndjson');
      await exportToFile(target.client, { domainId: fx.domainId, file: again });
      assert.equal(readFileSync(again, 'utf8'), readFileSync(exported, 'utf8'));

      // Re-running skips everything that is already there.
      const rerun = await importDirect(target.server.store, () => readFileRecords(exported), { region: 'us-east-1' });
      assert.equal(rerun.created.cases + rerun.created.fields + rerun.created.relatedItems + rerun.created.auditEvents, 0);
      assert.equal(rerun.skipped.cases, 3);
      assert.equal((await search(target.client, fx.domainId)).totalCount, 3);
    } finally {
      await target.close();
    }
  });

  test('API import creates everything anew, maps old to new ids, and a re-run creates nothing', async () => {
    const target = await startTestServer();
    const mapFile = file('api.map.ndjson');
    try {
      const summary = await importViaApi(target.client, readFileRecords(exported), { mapFile });
      assert.notEqual(summary.domainId, fx.domainId);
      assert.deepEqual(
        { cases: summary.created.cases, relatedItems: summary.created.relatedItems, templates: summary.created.templates, layouts: summary.created.layouts, caseRules: summary.created.caseRules },
        { cases: 3, relatedItems: 7, templates: 4, layouts: 1, caseRules: 1 },
      );
      assert.ok(summary.notImported.auditEvents > 0);
      const map = new Map<string, string>();
      for (const l of readFileSync(mapFile, 'utf8').trim().split('\n').map((x) => JSON.parse(x))) if (l.new) map.set(l.old, l.new);
      const d = summary.domainId;
      assert.equal(map.get(fx.domainId), d);
      const [a, b] = fx.caseIds.map((id) => map.get(id)!);
      assert.ok(a && b);

      const domainArn = `arn:aws:cases:us-east-1:000000000000:domain/${d}`;
      assert.deepEqual((await target.client.send(new ListTagsForResourceCommand({ arn: domainArn }))).tags, { team: 'support' });
      const templates = (await target.client.send(new ListTemplatesCommand({ domainId: d }))).templates!;
      assert.deepEqual(templates.map((t) => [t.name, t.status]).sort(), [['old-tpl', 'Active'], ['retired', 'Inactive'], ['standard', 'Active']]);
      const standard = await target.client.send(new GetTemplateCommand({ domainId: d, templateId: map.get(fx.templateId)! }));
      assert.deepEqual(standard.requiredFields, [{ fieldId: map.get(fx.fields.tier) }, { fieldId: 'customer_id' }]);
      assert.equal(standard.rules![0].fieldId, map.get(fx.fields.amount));
      assert.deepEqual(standard.tags, { tpl: 'standard' });
      const options = (await target.client.send(new ListFieldOptionsCommand({ domainId: d, fieldId: map.get(fx.fields.tier)! }))).options!;
      assert.deepEqual(options.map((o) => [o.value, o.active]), [['gold', true], ['silver', false], ['old', false]]);

      const caller = (fields: { id?: string; value?: unknown }[]) =>
        fields
          .filter((f) => !SYSTEM_FIELDS.find((s) => s.id === f.id)?.serverManaged)
          .map((f) => ({ id: map.get(f.id!) ?? f.id, value: f.value }))
          .sort((x, y) => x.id!.localeCompare(y.id!));
      for (const old of fx.caseIds) {
        const want = await readCase(source.client, fx.domainId, old);
        const have = await readCase(target.client, d, map.get(old)!);
        assert.deepEqual(caller(have.case.fields!), caller(want.case.fields!));
        assert.deepEqual(have.case.tags, want.case.tags);
        assert.equal(have.case.templateId, map.get(want.case.templateId!));
      }
      const got = await readCase(target.client, d, a);
      const items = got.items.relatedItems!.map((i) => i!);
      assert.deepEqual(items.map((i) => i.type).sort(), ['Comment', 'ConnectCase', 'Contact', 'Custom', 'File', 'Sla']);
      assert.equal(items.find((i) => i.type === 'Comment')!.content!.comment!.body, 'edited comment');
      assert.equal(items.find((i) => i.type === 'ConnectCase')!.content!.connectCase!.caseId, b);
      assert.deepEqual(items.find((i) => i.type === 'Custom')!.content!.custom!.fields!.map((f) => f.id).sort(), [map.get(fx.fields.note), map.get(fx.fields.amount)].sort());
      const sla = items.find((i) => i.type === 'Sla')!.content!.sla!.slaConfiguration!;
      assert.equal(sla.targetTime!.getTime() - items.find((i) => i.type === 'Sla')!.associationTime!.getTime(), 600_000 * 60_000);
      // b's link to the third case came before that case existed in the target.
      const linkOfB = (await target.client.send(new SearchRelatedItemsCommand({ domainId: d, caseId: b }))).relatedItems!;
      assert.equal(linkOfB[0]!.content!.connectCase!.caseId, map.get(fx.caseIds[2]));
      assert.equal(got.audit.auditEvents!.at(-1)!.type, 'Case.Created');

      const rerun = await importViaApi(target.client, readFileRecords(exported), { mapFile });
      assert.equal(rerun.domainId, d);
      assert.equal(rerun.created.cases + rerun.created.relatedItems + rerun.created.fields + rerun.created.templates, 0);
      assert.equal(rerun.skipped.cases, 3);
      assert.equal((await search(target.client, d)).totalCount, 3);
      assert.equal((await target.client.send(new SearchRelatedItemsCommand({ domainId: d, caseId: a }))).relatedItems!.length, 6);
    } finally {
      await target.close();
    }
  });

  test('an API import that died half-way continues from its id map without duplicates', async () => {
    const target = await startTestServer();
    const mapFile = file('killed.map.ndjson');
    /** A process killed at the request `dies` picks: it neither finishes nor deletes its domain. */
    const runUntil = async (dies: (command: string, input: any) => boolean) => {
      const dying = new ConnectCasesClient({ endpoint: target.server.endpoint, region: 'us-east-1', credentials: DUMMY_CREDENTIALS, maxAttempts: 1 });
      dying.middlewareStack.add(
        (next, context) => async (args) => {
          if (context.commandName === 'DeleteDomainCommand' || dies(context.commandName!, args.input)) throw new Error('killed');
          return next(args);
        },
        { step: 'initialize' },
      );
      await assert.rejects(importViaApi(dying, readFileRecords(exported), { mapFile, concurrency: 1 }), /killed.*deleting the partly imported domain failed too/);
      dying.destroy();
    };
    try {
      // In the middle of the first case's related items...
      let items = 0;
      await runUntil((command) => command === 'CreateRelatedItemCommand' && ++items > 3);
      // ...then at the first link to a later case, created once all cases are in.
      await runUntil((command, input) => command === 'CreateRelatedItemCommand' && input.type === 'ConnectCase');
      const summary = await importViaApi(target.client, readFileRecords(exported), { mapFile });
      assert.deepEqual([summary.created.cases, summary.skipped.cases], [0, 3]);
      assert.deepEqual([summary.created.relatedItems, summary.skipped.relatedItems], [2, 5]);
      const d = summary.domainId;
      assert.equal((await target.client.send(new ListDomainsCommand({}))).domains!.length, 1);
      assert.equal((await search(target.client, d)).totalCount, 3);
      const map = new Map(readFileSync(mapFile, 'utf8').trim().split('\n').map((x) => JSON.parse(x)).filter((l) => l.new).map((l) => [l.old, l.new]));
      const itemsOf = async (old: string) =>
        (await target.client.send(new SearchRelatedItemsCommand({ domainId: d, caseId: map.get(old)! }))).relatedItems!.map((i) => i!.type).sort();
      assert.deepEqual(await itemsOf(fx.caseIds[0]), ['Comment', 'ConnectCase', 'Contact', 'Custom', 'File', 'Sla']);
      assert.deepEqual(await itemsOf(fx.caseIds[1]), ['ConnectCase']);
    } finally {
      await target.close();
    }
  });

  test('copy pipes the export into an API import without a file', async () => {
    const target = await startTestServer();
    try {
      const mapFile = file('copy.map.ndjson');
      const summary = await importViaApi(target.client, checkedRecords(exportRecords(source.client, { domainId: fx.domainId })), { mapFile, domainName: 'copied' });
      assert.equal(summary.created.cases, 3);
      const domains = (await target.client.send(new ListDomainsCommand({}))).domains!;
      assert.deepEqual(domains.map((x) => x.name), ['copied']);
      assert.deepEqual(
        (await search(target.client, summary.domainId)).cases!.map((c) => c!.fields!.find((f) => f.id === 'title')!.value!.stringValue).sort(),
        ['case 0', 'case 1', 'case 2'],
      );
    } finally {
      await target.close();
    }
  });

  test('an interrupted export resumed from its checkpoint writes the same bytes as an uninterrupted one', async () => {
    const s = await startTestServer();
    try {
      const big = await portabilityFixture(s.client, 'paged', 5);
      const whole = file('whole.ndjson');
      await exportToFile(s.client, { domainId: big.domainId, file: whole, pageSize: 3 });
      assert.equal(existsSync(checkpointPath(whole)), false);

      const cut = file('cut.ndjson');
      const flaky = new ConnectCasesClient({ endpoint: s.server.endpoint, region: 'us-east-1', credentials: DUMMY_CREDENTIALS, maxAttempts: 1 });
      let searches = 0;
      flaky.middlewareStack.add(
        (next, context) => async (args) => {
          if (context.commandName === 'SearchCasesCommand' && ++searches === 3) throw new Error('connection reset');
          return next(args);
        },
        { step: 'initialize' },
      );
      await assert.rejects(exportToFile(flaky, { domainId: big.domainId, file: cut, pageSize: 3 }), /connection reset/);
      flaky.destroy();
      const checkpoint = JSON.parse(readFileSync(checkpointPath(cut), 'utf8'));
      assert.equal(checkpoint.state.counts.cases, 6);
      // Half a chunk written when the process died: cut away on resume.
      appendFileSync(cut, '{"type":"case","case":{"caseId":"half');

      const result = await exportToFile(s.client, { domainId: big.domainId, file: cut, pageSize: 3 });
      assert.equal(result.resumedAfterCases, 6);
      assert.equal(result.counts.cases, 8);
      assert.equal(existsSync(checkpointPath(cut)), false);
      assert.ok(readFileSync(cut).equals(readFileSync(whole)));
    } finally {
      await s.close();
    }
  });

  test('throttled requests are retried with backoff and the export is complete', async () => {
    let n = 0;
    const endpoint = new URL(source.server.endpoint);
    const proxy: Server = createServer((req, res) => {
      // Every fifth request is refused the way the service refuses a caller over its rate.
      if (++n % 5 === 0) {
        res.writeHead(429, { 'content-type': 'application/json', 'x-amzn-errortype': 'ThrottlingException' });
        res.end(JSON.stringify({ message: 'Rate exceeded' }));
        return;
      }
      const upstream = request({ host: endpoint.hostname, port: endpoint.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode!, up.headers);
        up.pipe(res);
      });
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const client = new ConnectCasesClient({
      endpoint: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
      region: 'us-east-1',
      credentials: DUMMY_CREDENTIALS,
      maxAttempts: 5,
      retryMode: 'adaptive',
    });
    try {
      const out = file('throttled.ndjson');
      await exportToFile(client, { domainId: fx.domainId, file: out, concurrency: 1 });
      assert.ok(n > 10);
      assert.equal(readFileSync(out, 'utf8'), readFileSync(exported, 'utf8'));
    } finally {
      client.destroy();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  test('without permission to read audit history, the export goes on without it and says so once', async () => {
    const client = new ConnectCasesClient({ endpoint: source.server.endpoint, region: 'us-east-1', credentials: DUMMY_CREDENTIALS, maxAttempts: 1 });
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'GetCaseAuditEventsCommand') throw new AccessDeniedException({ message: 'not authorized', $metadata: {} });
        return next(args);
      },
      { step: 'initialize' },
    );
    const warnings: string[] = [];
    try {
      const out = file('no-audit.ndjson');
      const result = await exportToFile(client, { domainId: fx.domainId, file: out, onWarning: (m) => warnings.push(m) });
      assert.deepEqual(warnings, ['GetCaseAuditEvents was denied: the export continues without audit history']);
      assert.deepEqual([result.counts.cases, result.counts.relatedItems, result.counts.auditEvents], [3, 7, 0]);
      const text = readFileSync(out, 'utf8');
      assert.equal(text.includes('"type":"auditEvent"'), false);
      // Everything else is as in the full export, but for the values of deleted fields: only the audit history names them.
      const full = new Set(readFileSync(exported, 'utf8').split('\n'));
      const differing = text.trimEnd().split('\n').filter((l) => !full.has(l)).map((l) => JSON.parse(l));
      assert.deepEqual(differing.map((r) => (r.type === 'case' ? r.case.caseId : r.type)), [fx.caseIds[1], 'end']);
    } finally {
      client.destroy();
    }
  });

  describe('bad input', () => {
    const lines = () => readFileSync(exported, 'utf8').trimEnd().split('\n');
    const write = (name: string, content: string[]) => {
      const path = file(name);
      writeFileSync(path, content.join('\n') + '\n');
      return path;
    };
    const drain = async (path: string) => {
      for await (const _ of readFileRecords(path));
    };

    test('each problem is reported with its line number', async () => {
      const l = lines();
      await assert.rejects(drain(write('json.ndjson', [l[0], l[1], '{"type": "field", ', ...l.slice(3)])), /^InputError: line 3: not valid JSON/);
      await assert.rejects(drain(write('nohead.ndjson', l.slice(1))), /line 1: the file must start with a header record/);
      await assert.rejects(drain(write('version.ndjson', [JSON.stringify({ type: 'header', format: 'opencases-domain-export', version: 99 }), ...l.slice(1)])), /line 1: format version 99 is not supported/);
      await assert.rejects(drain(write('type.ndjson', [l[0], l[1], '{"type":"gadget"}'])), /line 3: unknown record type "gadget"/);
      await assert.rejects(drain(write('shape.ndjson', [l[0], l[1], '{"type":"layout","layout":{"name":"x"}}'])), /line 3: layout record: 'layout' must be an object with layoutId, name and content/);
      const firstItem = l.findIndex((x) => JSON.parse(x).type === 'relatedItem');
      const firstCase = l.findIndex((x) => JSON.parse(x).type === 'case');
      const moved = [...l.slice(0, firstCase), l[firstItem], ...l.slice(firstCase)];
      await assert.rejects(drain(write('order.ndjson', moved)), new RegExp(`line ${firstCase + 1}: a relatedItem of case \\S+ must follow that case's record`));
      await assert.rejects(drain(write('cut.ndjson', l.slice(0, -1))), new RegExp(`line ${l.length - 1}: the file ends without its end record`));
    });

    test("a direct import refuses a case whose case_id field names another case", async () => {
      const target = await startTestServer();
      try {
        const l = lines();
        const at = l.findIndex((x) => JSON.parse(x).type === 'case');
        const record = JSON.parse(l[at]);
        const idField = record.case.fields.find((f: { id: string }) => f.id === 'case_id');
        idField.value = { stringValue: 'another-case' };
        const path = write('case-id.ndjson', [...l.slice(0, at), JSON.stringify(record), ...l.slice(at + 1)]);
        await assert.rejects(
          importDirect(target.server.store, () => readFileRecords(path), { region: 'us-east-1' }),
          new RegExp(`line ${at + 1}: case ${record.case.caseId}: its case_id field holds "another-case"`),
        );
      } finally {
        await target.close();
      }
    });

    test("a direct import refuses a domain another account of the data directory holds, and an account id that is not 12 digits", async () => {
      const target = await startTestServer();
      try {
        const path = write('whole.ndjson', lines());
        await importDirect(target.server.store, () => readFileRecords(path), { region: 'us-east-1' });
        // The same domain id under another account would share its fields, cases and deletion with the first.
        await assert.rejects(
          importDirect(target.server.store, () => readFileRecords(path), { region: 'us-east-1', accountId: '111122223333' }),
          /line 2: domain \S+ already exists in this data directory under another account/,
        );
        await assert.rejects(importDirect(target.server.store, () => readFileRecords(path), { region: 'us-east-1', accountId: 'abc' }), /line 2: the account id 'abc' is not 12 digits/);
        const other = clientFor(target.server.endpoint, { accessKeyId: '111122223333', secretAccessKey: 'x' });
        assert.deepEqual((await other.send(new ListDomainsCommand({}))).domains, []);
        other.destroy();
      } finally {
        await target.close();
      }
    });

    test('a direct import that fails on a late line leaves nothing behind', async () => {
      const target = await startTestServer();
      try {
        const l = lines();
        const end = JSON.parse(l[l.length - 1]);
        end.counts.relatedItems = 99;
        const path = write('counts.ndjson', [...l.slice(0, -1), JSON.stringify(end)]);
        await assert.rejects(importDirect(target.server.store, () => readFileRecords(path), { region: 'us-east-1' }), new RegExp(`line ${l.length}: the end record counts do not match .*relatedItems: 99 stated, 7 found`));
        assert.deepEqual((await target.client.send(new ListDomainsCommand({}))).domains, []);
      } finally {
        await target.close();
      }
    });

    test('an API import that fails deletes the domain it created, and its id map', async () => {
      const target = await startTestServer();
      try {
        const l = lines();
        const last = l.map((x) => JSON.parse(x).type).lastIndexOf('case');
        const broken = JSON.parse(l[last]);
        broken.case.templateId = 'no-such-template';
        const path = write('template.ndjson', [...l.slice(0, last), JSON.stringify(broken), ...l.slice(last + 1)]);
        const mapFile = file('failed.map.ndjson');
        await assert.rejects(
          importViaApi(target.client, readFileRecords(path), { mapFile }),
          new RegExp(`line ${last + 1}: case \\S+ uses template no-such-template, which the file does not hold \\(the partly imported domain \\S+ was deleted again`),
        );
        assert.deepEqual((await target.client.send(new ListDomainsCommand({}))).domains, []);
        assert.equal(existsSync(mapFile), false);
      } finally {
        await target.close();
      }
    });
  });
});
