/**
 * The cases of the seed (bench/seed.ts): realistic values in ~20 custom fields of every type, random but
 * reproducible (a seeded PRNG and a fixed clock), so that a SQLite and a PostgreSQL seed of the same size hold the
 * same cases. Kept apart from seed.ts so that it can be tested on its own (test/bench-seed.test.ts). The cases are
 * made on the thread that loads them: handing objects to another thread costs more than making them
 * (docs/search.md, seeding).
 */
import { v7 as uuidv7 } from 'uuid';
import type { FieldType } from '@aws-sdk/client-connectcases';
import type { CaseRecord } from '../src/store/types.js';
import type { FieldValueUnion } from '../model/types.js';
import { prng } from './load.js';
import { BENCH_ACCESS_KEY, BENCH_REGION } from './search-domain.js';

const WORDS = {
  problem: ['printer', 'login', 'refund', 'delivery', 'invoice', 'password', 'router', 'screen', 'battery', 'shipment', 'warranty', 'subscription', 'payment', 'account', 'upgrade', 'crash', 'noise', 'leak', 'install', 'license'],
  verb: ['not working', 'delayed', 'broken', 'missing', 'charged twice', 'stuck', 'slow', 'cancelled', 'locked', 'overheating'],
  place: ['Berlin', 'Lisbon', 'Osaka', 'Denver', 'Nairobi', 'Oslo', 'Lima', 'Austin', 'Dublin', 'Pune', 'Perth', 'Quebec'],
  filler: ['customer', 'called', 'again', 'about', 'the', 'issue', 'reported', 'yesterday', 'after', 'update', 'since', 'monday', 'urgent', 'please', 'check', 'order', 'replacement', 'sent', 'waiting', 'for', 'reply', 'escalate', 'manager', 'confirmed', 'resolved', 'partially'],
};

export const CUSTOM_FIELDS: { name: string; type: FieldType; options?: string[] }[] = [
  { name: 'product', type: 'Text' },
  { name: 'description', type: 'Text' },
  { name: 'city', type: 'Text' },
  { name: 'order_ref', type: 'Text' },
  { name: 'notes', type: 'Text' },
  { name: 'amount', type: 'Number' },
  { name: 'priority', type: 'Number' },
  { name: 'score', type: 'Number' },
  { name: 'vip', type: 'Boolean' },
  { name: 'escalated', type: 'Boolean' },
  { name: 'due_date', type: 'DateTime' },
  { name: 'purchased_at', type: 'DateTime' },
  { name: 'channel', type: 'SingleSelect', options: ['phone', 'email', 'chat', 'sms', 'social'] },
  { name: 'severity', type: 'SingleSelect', options: ['low', 'medium', 'high', 'critical'] },
  { name: 'category', type: 'SingleSelect', options: Array.from({ length: 20 }, (_, i) => `category-${i + 1}`) },
  { name: 'region', type: 'SingleSelect', options: ['emea', 'apac', 'amer', 'latam', 'anz', 'india', 'china', 'japan', 'nordics', 'dach'] },
  { name: 'link', type: 'Url' },
  { name: 'owner', type: 'User' },
  { name: 'second_owner', type: 'User' },
  { name: 'account_ref', type: 'Text' },
];

export const STATUSES = ['open', 'open', 'open', 'closed', 'closed', 'closed', 'closed', 'pending', 'in_progress', 'resolved'];

/** What the cases refer to: the seeded domain, its template and its custom fields' ids by name. */
export interface SeedTarget {
  domainId: string;
  templateId: string;
  fields: Record<string, string>;
  /** How many cases the seed makes: creation times spread over two years by case number. */
  total: number;
}

/** Returns makeCase(i) for i = 0, 1, …, total - 1; it must be called in that order (one PRNG draws every value). */
export function caseMaker({ domainId, templateId, fields, total }: SeedTarget): (i: number) => CaseRecord {
  const rand = prng(42);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  /** 8 hex digits of one draw: 4 draws make a UUID (version 4 layout) without building it digit by digit. */
  const hex8 = () => Math.floor(rand() * 2 ** 32).toString(16).padStart(8, '0');
  const uuid = () => {
    const a = hex8(), b = hex8(), c = hex8(), d = hex8();
    return `${a}-${b.slice(0, 4)}-4${b.slice(5)}-${c.slice(0, 4)}-${c.slice(4)}${d}`;
  };
  /** A case id as the server makes them (time-ordered, version 7), for the time the case was created. */
  const randomBytes = new Uint8Array(16);
  const randomView = new DataView(randomBytes.buffer);
  const caseUuid = (ms: number) => {
    for (let i = 0; i < 16; i += 4) randomView.setUint32(i, Math.floor(rand() * 2 ** 32));
    return uuidv7({ msecs: ms, random: randomBytes });
  };
  const users = Array.from({ length: 50 }, () => `arn:aws:connect:${BENCH_REGION}:${BENCH_ACCESS_KEY}:instance/${uuid()}/agent/${uuid()}`);
  const products = Array.from({ length: 200 }, (_, i) => `${pick(WORDS.problem)}-model-${i}`);
  const sentence = (n: number) => Array.from({ length: n }, () => pick(WORDS.filler)).join(' ');
  const now = Date.parse('2026-11-01T00:00:00.000Z');
  const twoYears = 2 * 365 * 24 * 3600 * 1000;
  const s = (v: string): FieldValueUnion => ({ stringValue: v });
  const d = (ms: number): FieldValueUnion => ({ stringValue: isoTime(ms) });

  // Cases are made in the order they were created, over the last two years, as a server would have made them:
  // creation times, reference numbers and case ids all grow with i.
  function makeCase(i: number): CaseRecord {
    const created = now - twoYears + Math.floor(((i + rand()) * twoYears) / total);
    const caseId = caseUuid(created);
    const updated = Math.min(now, created + Math.floor(rand() * 30 * 24 * 3600 * 1000));
    const createdTime = isoTime(created);
    const updatedTime = isoTime(updated);
    const user = pick(users);
    const status = pick(STATUSES);
    const f: Record<string, FieldValueUnion> = {
      title: s(`${pick(WORDS.problem)} ${pick(WORDS.verb)} in ${pick(WORDS.place)}`),
      status: s(status),
      reference_number: s(String(10_000_000 + i)),
      case_id: s(caseId),
      created_datetime: s(createdTime),
      last_updated_datetime: s(updatedTime),
      last_updated_user: { userArnValue: user },
      summary: s(sentence(12 + Math.floor(rand() * 20))),
      [fields.product]: s(pick(products)),
      [fields.description]: s(sentence(5 + Math.floor(rand() * 10))),
      [fields.city]: s(pick(WORDS.place)),
      [fields.order_ref]: s(`ORD-${Math.floor(rand() * 1e9)}`),
      [fields.amount]: { doubleValue: Math.round(rand() * 1_000_000) / 100 },
      [fields.priority]: { doubleValue: 1 + Math.floor(rand() * 5) },
      [fields.score]: { doubleValue: Math.floor(rand() * 101) },
      [fields.vip]: { booleanValue: rand() < 0.1 },
      [fields.escalated]: { booleanValue: rand() < 0.2 },
      [fields.due_date]: d(created + Math.floor(rand() * 60 * 24 * 3600 * 1000)),
      [fields.purchased_at]: d(created - Math.floor(rand() * twoYears)),
      [fields.channel]: s(pick(CUSTOM_FIELDS[12].options!)),
      [fields.severity]: s(pick(CUSTOM_FIELDS[13].options!)),
      [fields.category]: s(pick(CUSTOM_FIELDS[14].options!)),
      [fields.region]: s(pick(CUSTOM_FIELDS[15].options!)),
      [fields.link]: s(`https://shop.example.com/orders/${Math.floor(rand() * 1e8)}`),
      [fields.owner]: { userArnValue: pick(users) },
      [fields.account_ref]: s(`ACC-${Math.floor(rand() * 1e6)}`),
    };
    // Some fields are often empty, as in real data: they exercise "no value" filters and sorts.
    if (rand() < 0.3) f.assigned_user = { userArnValue: pick(users) };
    if (rand() < 0.4) f[fields.notes] = s(sentence(3 + Math.floor(rand() * 8)));
    if (rand() < 0.2) f[fields.second_owner] = { userArnValue: pick(users) };
    if (status === 'closed') f.last_closed_datetime = s(updatedTime);
    const tags: Record<string, string> = {};
    if (rand() < 0.5) tags.team = pick(['alpha', 'beta', 'gamma', 'delta']);
    if (rand() < 0.3) tags.env = pick(['prod', 'staging']);
    if (rand() < 0.05) tags.audit = 'yes';
    return {
      domainId,
      caseId,
      templateId,
      referenceNumber: String(10_000_000 + i),
      createdTime,
      lastUpdatedTime: updatedTime,
      fields: f,
      tags,
    };
  }

  return makeCase;
}

const DAY_MS = 86_400_000;
const TWO_DIGITS = Array.from({ length: 100 }, (_, n) => String(n).padStart(2, '0'));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, n) => String(n).padStart(3, '0'));
const dayPrefixes = new Map<number, string>();

/**
 * `new Date(ms).toISOString()` for times after 1970, at a fifth of its cost: the date part is made once per day.
 * A case holds up to seven such times, and at a million cases Date's formatting was the largest part of making them.
 */
export function isoTime(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  let prefix = dayPrefixes.get(day);
  if (prefix === undefined) {
    prefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
    dayPrefixes.set(day, prefix);
  }
  let rest = ms - day * DAY_MS;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  return `${prefix}${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds]}.${THREE_DIGITS[rest - seconds * 1000]}Z`;
}
