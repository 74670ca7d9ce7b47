/**
 * One class per modelled error of the Connect Cases spec. Handlers throw these; toErrorResponse turns any
 * thrown value into status + X-Amzn-ErrorType + JSON body. Anything that is not a ServiceError becomes an
 * InternalServerException whose message never carries a stack trace or internal detail.
 */
export abstract class ServiceError extends Error {
  abstract readonly status: number;
  /** Members of the error shape besides `message`, sent in the JSON body. */
  extra(): Record<string, unknown> {
    return {};
  }
}

export class ValidationException extends ServiceError {
  override readonly name = 'ValidationException';
  readonly status = 400;
}

export class AccessDeniedException extends ServiceError {
  override readonly name = 'AccessDeniedException';
  readonly status = 403;
}

export class ResourceNotFoundException extends ServiceError {
  override readonly name = 'ResourceNotFoundException';
  readonly status = 404;
  constructor(
    message: string,
    readonly resourceId: string,
    readonly resourceType: string,
  ) {
    super(message);
  }
  override extra() {
    return { resourceId: this.resourceId, resourceType: this.resourceType };
  }
}

export class ConflictException extends ServiceError {
  override readonly name = 'ConflictException';
  readonly status = 409;
}

export class ServiceQuotaExceededException extends ServiceError {
  override readonly name = 'ServiceQuotaExceededException';
  readonly status = 402;
}

export class ThrottlingException extends ServiceError {
  override readonly name = 'ThrottlingException';
  readonly status = 429;
}

export class InternalServerException extends ServiceError {
  override readonly name = 'InternalServerException';
  readonly status = 500;
  constructor(
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/**
 * Errors of the auth layer. They are not in the Cases model, but every AWS SDK knows them by name from the
 * common AWS error set and treats them as client errors (403).
 */
export class AuthError extends ServiceError {
  readonly status = 403;
  constructor(
    override readonly name: 'UnrecognizedClientException' | 'InvalidSignatureException' | 'MissingAuthenticationTokenException' | 'IncompleteSignatureException',
    message: string,
  ) {
    super(message);
  }
}

/** Shortcut for the most common not-found form: "<Type> <id> not found". */
export function notFound(resourceType: string, resourceId: string, message?: string): ResourceNotFoundException {
  return new ResourceNotFoundException(message ?? `${resourceType} ${resourceId} not found`, resourceId, resourceType);
}

export interface ErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
  /** True when the error was not a ServiceError: the caller logs it with the request id. */
  unexpected: boolean;
}

export function toErrorResponse(err: unknown): ErrorResponse {
  const e =
    err instanceof ServiceError ? err : new InternalServerException('An internal error occurred. Please retry the request.');
  const headers: Record<string, string> = { 'x-amzn-errortype': e.name };
  if (e instanceof InternalServerException && e.retryAfterSeconds !== undefined) {
    headers['retry-after'] = String(e.retryAfterSeconds);
  }
  return { status: e.status, headers, body: { message: e.message, ...e.extra() }, unexpected: !(err instanceof ServiceError) };
}
