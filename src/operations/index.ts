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
import { createLayout } from './layout/createLayout.js';
import { getLayout } from './layout/getLayout.js';
import { updateLayout } from './layout/updateLayout.js';
import { deleteLayout } from './layout/deleteLayout.js';
import { listLayouts } from './layout/listLayouts.js';
import { updateTemplate } from './template/updateTemplate.js';
import { deleteTemplate } from './template/deleteTemplate.js';
import { listTemplates } from './template/listTemplates.js';
import { tagResource } from './tags/tagResource.js';
import { untagResource } from './tags/untagResource.js';
import { listTagsForResource } from './tags/listTagsForResource.js';
import { createCase } from './case/createCase.js';
import { getCase } from './case/getCase.js';
import { updateCase } from './case/updateCase.js';
import { deleteCase } from './case/deleteCase.js';
import { getCaseAuditEvents } from './case/getCaseAuditEvents.js';
import { createRelatedItem } from './related-item/createRelatedItem.js';
import { updateRelatedItem } from './related-item/updateRelatedItem.js';
import { deleteRelatedItem } from './related-item/deleteRelatedItem.js';
import { searchRelatedItems } from './related-item/searchRelatedItems.js';
import { searchAllRelatedItems } from './related-item/searchAllRelatedItems.js';
import { listCasesForContact } from './related-item/listCasesForContact.js';
import { createCaseRule } from './case-rule/createCaseRule.js';
import { updateCaseRule } from './case-rule/updateCaseRule.js';
import { deleteCaseRule } from './case-rule/deleteCaseRule.js';
import { batchGetCaseRule } from './case-rule/batchGetCaseRule.js';
import { listCaseRules } from './case-rule/listCaseRules.js';
import { putCaseEventConfiguration } from './event-config/putCaseEventConfiguration.js';
import { getCaseEventConfiguration } from './event-config/getCaseEventConfiguration.js';
import { searchCases } from './case/searchCases.js';

/** The operation table: every operation of the spec maps to its handler (one file per operation). */
export const handlers: Handlers = {
  BatchGetCaseRule: batchGetCaseRule,
  BatchGetField: batchGetField,
  BatchPutFieldOptions: batchPutFieldOptions,
  CreateCase: createCase,
  CreateCaseRule: createCaseRule,
  CreateDomain: createDomain,
  CreateField: createField,
  CreateLayout: createLayout,
  CreateRelatedItem: createRelatedItem,
  CreateTemplate: createTemplate,
  DeleteCase: deleteCase,
  DeleteCaseRule: deleteCaseRule,
  DeleteDomain: deleteDomain,
  DeleteField: deleteField,
  DeleteLayout: deleteLayout,
  DeleteRelatedItem: deleteRelatedItem,
  DeleteTemplate: deleteTemplate,
  GetCase: getCase,
  GetCaseAuditEvents: getCaseAuditEvents,
  GetCaseEventConfiguration: getCaseEventConfiguration,
  GetDomain: getDomain,
  GetLayout: getLayout,
  GetTemplate: getTemplate,
  ListCaseRules: listCaseRules,
  ListCasesForContact: listCasesForContact,
  ListDomains: listDomains,
  ListFieldOptions: listFieldOptions,
  ListFields: listFields,
  ListLayouts: listLayouts,
  ListTagsForResource: listTagsForResource,
  ListTemplates: listTemplates,
  PutCaseEventConfiguration: putCaseEventConfiguration,
  SearchAllRelatedItems: searchAllRelatedItems,
  SearchCases: searchCases,
  SearchRelatedItems: searchRelatedItems,
  TagResource: tagResource,
  UntagResource: untagResource,
  UpdateCase: updateCase,
  UpdateCaseRule: updateCaseRule,
  UpdateField: updateField,
  UpdateLayout: updateLayout,
  UpdateRelatedItem: updateRelatedItem,
  UpdateTemplate: updateTemplate,
};
