import type { Store } from './store/types.js';
import type { Caller } from './auth/sigv4.js';
import type { TokenCodec } from './cases/pagination.js';
import type { ContactDirectory } from './cases/contacts.js';

/** Limits a deployment may change; defaults are the Amazon Connect Cases quotas (FACTS.md). */
export interface Quotas {
  domainsPerAccount: number;
  fieldsPerDomain: number;
  optionsPerField: number;
  layoutsPerDomain: number;
  templatesPerDomain: number;
  caseRulesPerDomain: number;
  relatedItemsPerCase: number;
  filesPerCase: number;
  slasPerCase: number;
  fieldsPerCustomRelatedItem: number;
  tagsPerResource: number;
}

export const DEFAULT_QUOTAS: Quotas = {
  domainsPerAccount: 5,
  fieldsPerDomain: 500,
  optionsPerField: 500,
  layoutsPerDomain: 100,
  templatesPerDomain: 100,
  caseRulesPerDomain: 100,
  relatedItemsPerCase: 200,
  filesPerCase: 50,
  slasPerCase: 10,
  fieldsPerCustomRelatedItem: 5,
  tagsPerResource: 50,
};

/** What every handler gets: no HTTP in sight, time and ids injectable so tests can fake them. */
export interface Context {
  store: Store;
  accountId: string;
  region: string;
  requestId: string;
  caller: Caller;
  now(): Date;
  newId(): string;
  tokens: TokenCodec;
  quotas: Quotas;
  enforceCaseRules: boolean;
  /** Channel and connection time of contacts linked to cases (the operator's --contacts file). */
  contacts: ContactDirectory;
}
