import type { Handler } from '../handler.js';
import { tagTarget } from '../../cases/tags.js';

/** Keys the resource does not have are ignored. */
export const untagResource: Handler<'UntagResource'> = async (input, ctx) => {
  await ctx.store.write(async (tx) => {
    const target = await tagTarget(tx, ctx, input.arn);
    const tags = { ...(await target.get()) };
    for (const key of input.tagKeys) delete tags[key];
    await target.put(tags);
  });
  return {};
};
