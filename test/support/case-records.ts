/** Case records for tests that write through the store directly (no API): a title and nothing else to search. */
import type { CaseRecord } from '../../src/store/types.js';

export const titledCase = (n: number, title: string, domainId = 'dom'): CaseRecord => ({
  domainId,
  caseId: `case-${n}`,
  templateId: 't',
  referenceNumber: String(n),
  createdTime: '2025-01-01T00:00:00.000Z',
  lastUpdatedTime: '2025-01-01T00:00:00.000Z',
  fields: { title: { stringValue: title } },
  tags: {},
});
