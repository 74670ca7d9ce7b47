import type { Inputs, OperationName, Outputs } from '../../model/types.js';
import type { Context } from '../context.js';
import { ServiceError } from '../protocol/errors.js';

export type Handler<Op extends OperationName> = (input: Inputs[Op], ctx: Context) => Promise<Outputs[Op]>;

/** One entry per operation of the spec: a missing operation is a compile error. */
export type Handlers = { [Op in OperationName]: Handler<Op> };

/** Answer of an operation that has not been built yet: 501, named, never retried by the SDKs. */
export class NotImplementedError extends ServiceError {
  override readonly name = 'NotImplementedException';
  readonly status = 501;
}

export const notImplemented =
  (operation: OperationName) =>
  async (): Promise<never> => {
    throw new NotImplementedError(`${operation} is not implemented by this version of opencases`);
  };
