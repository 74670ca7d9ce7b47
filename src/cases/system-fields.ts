import type { FieldType } from '../../model/types.js';

/** The system fields every new domain has (FACTS.md, "System fields"). Their ids are fixed and readable. */
export interface SystemField {
  id: string;
  name: string;
  type: FieldType;
  description: string;
  /** Kept by the server: callers may not set it in CreateCase/UpdateCase. */
  serverManaged: boolean;
}

export const SYSTEM_FIELDS: SystemField[] = [
  { id: 'title', name: 'Title', type: 'Text', description: 'Title of the case', serverManaged: false },
  { id: 'status', name: 'Status', type: 'SingleSelect', description: 'Status of the case', serverManaged: false },
  { id: 'customer_id', name: 'Customer', type: 'Text', description: 'Customer Profiles ARN of the customer', serverManaged: false },
  { id: 'reference_number', name: 'Reference number', type: 'Text', description: 'Friendly 8-digit number of the case', serverManaged: true },
  { id: 'case_id', name: 'Case ID', type: 'Text', description: 'Unique id of the case', serverManaged: true },
  { id: 'created_datetime', name: 'Created date/time', type: 'DateTime', description: 'When the case was created', serverManaged: true },
  { id: 'last_updated_datetime', name: 'Updated date/time', type: 'DateTime', description: 'When the case was last changed', serverManaged: true },
  { id: 'last_closed_datetime', name: 'Closed date/time', type: 'DateTime', description: 'When the status last became closed', serverManaged: true },
  { id: 'last_reopened_datetime', name: 'Reopened date/time', type: 'DateTime', description: 'When a closed case was last reopened', serverManaged: true },
  { id: 'next_sla_breach_datetime', name: 'Next SLA breach date/time', type: 'DateTime', description: 'Earliest target time of an open SLA', serverManaged: true },
  { id: 'last_updated_user', name: 'Last updated by', type: 'User', description: 'Who made the last change', serverManaged: true },
  { id: 'case_reason', name: 'Case reason', type: 'SingleSelect', description: 'Reason for the case', serverManaged: false },
  { id: 'assigned_queue', name: 'Assigned queue', type: 'Text', description: 'Queue ARN the case is assigned to', serverManaged: false },
  { id: 'assigned_user', name: 'Assigned user', type: 'User', description: 'User ARN the case is assigned to', serverManaged: false },
  { id: 'summary', name: 'Summary', type: 'Text', description: 'Summary of the case', serverManaged: false },
];

export const SYSTEM_FIELD_IDS = new Set(SYSTEM_FIELDS.map((f) => f.id));

/** Options of `status` that always exist and cannot be deactivated. */
export const FIXED_STATUS_OPTIONS = [
  { name: 'Open', value: 'open' },
  { name: 'Closed', value: 'closed' },
];
