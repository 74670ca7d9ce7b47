/** The shape of the committed spec table (model/spec.ts) that scripts/gen-model.ts writes. */
export interface MemberRef {
  shape: string;
  location?: 'uri' | 'querystring' | 'header';
  locationName?: string;
  idempotencyToken?: boolean;
}

export interface Shape {
  type: 'structure' | 'string' | 'list' | 'map' | 'integer' | 'long' | 'double' | 'boolean' | 'timestamp';
  members?: Record<string, MemberRef>;
  required?: string[];
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
  union?: boolean;
  sparse?: boolean;
  /** A value validation messages must not repeat (CustomEntity, SlaName). */
  sensitive?: boolean;
  member?: string;
  key?: string;
  value?: string;
  error?: { httpStatusCode: number };
  timestampFormat?: string;
}

export interface OperationSpec {
  method: string;
  uri: string;
  status: number;
  input: string | null;
  output: string | null;
  errors: string[];
}

export interface SpecModel {
  metadata: { apiVersion: string; signingName: string; endpointPrefix: string };
  operations: Record<string, OperationSpec>;
  shapes: Record<string, Shape>;
}
