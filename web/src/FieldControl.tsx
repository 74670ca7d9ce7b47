/** One case field, edited with the control of its type. */
import type { FieldOption, FieldSummary } from '@aws-sdk/client-connectcases';
import type { Value } from './api';

export const EMPTY: Value = { emptyValue: {} };

/** `2026-11-22T03:04:00.000Z` → the `2026-11-22T04:04` a datetime-local input shows (local time). */
function toLocalInput(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export interface FieldControlProps {
  field: FieldSummary;
  value: Value | undefined;
  onChange: (v: Value) => void;
  /** Options of a SingleSelect field, already narrowed by the case rules. */
  options?: FieldOption[];
  required: boolean;
  error?: string;
  /** The signed-in user's ARN, offered for User fields. */
  me: string;
  readOnly?: boolean;
}

export function FieldControl({ field, value, onChange, options, required, error, me, readOnly }: FieldControlProps) {
  const id = `field-${field.fieldId}`;
  const errorId = `${id}-error`;
  const common = {
    id,
    name: field.fieldId,
    disabled: readOnly,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': error ? errorId : undefined,
    'aria-required': required || undefined,
  };
  const text = (s: string): Value => (s === '' ? EMPTY : { stringValue: s });
  let control;
  switch (field.type) {
    case 'Number':
      control = (
        <input
          {...common}
          type="number"
          step="any"
          value={value?.doubleValue ?? ''}
          onChange={(e) => onChange(e.target.value === '' ? EMPTY : { doubleValue: Number(e.target.value) })}
        />
      );
      break;
    case 'Boolean':
      control = <input {...common} type="checkbox" checked={value?.booleanValue === true} onChange={(e) => onChange({ booleanValue: e.target.checked })} />;
      break;
    case 'DateTime':
      control = (
        <input
          {...common}
          type="datetime-local"
          value={toLocalInput(value?.stringValue)}
          onChange={(e) => onChange(e.target.value ? { stringValue: new Date(e.target.value).toISOString() } : EMPTY)}
        />
      );
      break;
    case 'SingleSelect': {
      const current = value?.stringValue;
      const shown = options ?? [];
      control = (
        <select {...common} value={current ?? ''} onChange={(e) => onChange(text(e.target.value))}>
          <option value="">—</option>
          {current && !shown.some((o) => o.value === current) && <option value={current}>{current} (not allowed)</option>}
          {shown.map((o) => (
            <option key={o.value} value={o.value}>{o.name}</option>
          ))}
        </select>
      );
      break;
    }
    case 'Url':
      control = <input {...common} type="url" value={value?.stringValue ?? ''} onChange={(e) => onChange(text(e.target.value))} />;
      break;
    case 'User':
      control = (
        <span className="user-control">
          <input
            {...common}
            type="text"
            placeholder="arn:aws:connect:…:instance/…/agent/…"
            value={value?.userArnValue ?? ''}
            onChange={(e) => onChange(e.target.value ? { userArnValue: e.target.value } : EMPTY)}
          />
          {!readOnly && (
            <button type="button" onClick={() => onChange({ userArnValue: me })} aria-label={`Set ${field.name} to me`}>Me</button>
          )}
        </span>
      );
      break;
    default: {
      const s = value?.stringValue ?? '';
      control =
        field.fieldId === 'summary' || s.includes('\n') ? (
          <textarea {...common} rows={4} value={s} onChange={(e) => onChange(text(e.target.value))} />
        ) : (
          <input {...common} type="text" value={s} onChange={(e) => onChange(text(e.target.value))} />
        );
    }
  }
  return (
    <div className={`field${error ? ' has-error' : ''}`}>
      <label htmlFor={id}>
        {field.name}
        {required && <span className="required" title="required"> *</span>}
      </label>
      {control}
      {error && <p id={errorId} className="field-error" role="alert">{error}</p>}
    </div>
  );
}
