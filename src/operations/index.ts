import { notImplemented, type Handlers } from './handler.js';
import { createDomain } from './domain/createDomain.js';
import { getDomain } from './domain/getDomain.js';
import { listDomains } from './domain/listDomains.js';
import { deleteDomain } from './domain/deleteDomain.js';
import { createField } from './field/createField.js';
import { updateField } from './field/updateField.js';
import { deleteField } from './field/deleteField.js';
import { listFields } from './field/listFields.js';
import { batchGetField } from './field/batchGetField.js';
import { batchPutFieldOptions } from './field-option/batchPutFieldOptions.js';
import { listFieldOptions } from './field-option/listFieldOptions.js';
import { createTemplate } from './template/createTemplate.js';
import { getTemplate } from './template/getTemplate.js';

/** The operation table: every operation of the spec maps to its handler (one file per operation). */
export const handlers: Handlers = {
  BatchGetCaseRule: notImplemented('BatchGetCaseRule'),
  BatchGetField: batchGetField,
  BatchPutFieldOptions: batchPutFieldOptions,
  CreateCase: notImplemented('CreateCase'),
  CreateCaseRule: notImplemented('CreateCaseRule'),
  CreateDomain: createDomain,
  CreateField: createField,
  CreateLayout: notImplemented('CreateLayout'),
  CreateRelatedItem: notImplemented('CreateRelatedItem'),
  CreateTemplate: createTemplate,
  DeleteCase: notImplemented('DeleteCase'),
  DeleteCaseRule: notImplemented('DeleteCaseRule'),
  DeleteDomain: deleteDomain,
  DeleteField: deleteField,
  DeleteLayout: notImplemented('DeleteLayout'),
  DeleteRelatedItem: notImplemented('DeleteRelatedItem'),
  DeleteTemplate: notImplemented('DeleteTemplate'),
  GetCase: notImplemented('GetCase'),
  GetCaseAuditEvents: notImplemented('GetCaseAuditEvents'),
  GetCaseEventConfiguration: notImplemented('GetCaseEventConfiguration'),
  GetDomain: getDomain,
  GetLayout: notImplemented('GetLayout'),
  GetTemplate: getTemplate,
  ListCaseRules: notImplemented('ListCaseRules'),
  ListCasesForContact: notImplemented('ListCasesForContact'),
  ListDomains: listDomains,
  ListFieldOptions: listFieldOptions,
  ListFields: listFields,
  ListLayouts: notImplemented('ListLayouts'),
  ListTagsForResource: notImplemented('ListTagsForResource'),
  ListTemplates: notImplemented('ListTemplates'),
  PutCaseEventConfiguration: notImplemented('PutCaseEventConfiguration'),
  SearchAllRelatedItems: notImplemented('SearchAllRelatedItems'),
  SearchCases: notImplemented('SearchCases'),
  SearchRelatedItems: notImplemented('SearchRelatedItems'),
  TagResource: notImplemented('TagResource'),
  UntagResource: notImplemented('UntagResource'),
  UpdateCase: notImplemented('UpdateCase'),
  UpdateCaseRule: notImplemented('UpdateCaseRule'),
  UpdateField: updateField,
  UpdateLayout: notImplemented('UpdateLayout'),
  UpdateRelatedItem: notImplemented('UpdateRelatedItem'),
  UpdateTemplate: notImplemented('UpdateTemplate'),
};
