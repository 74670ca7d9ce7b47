import type { Handler } from '../handler.js';
import { ValidationException } from '../../protocol/errors.js';
import { checkTags, tagTarget } from '../../cases/tags.js';

/** Adds or overwrites tags. TagResource models no quota error, so going past the limit is a ValidationException. */
export const tagResource: Handler<'TagResource'> = async (input, ctx) => {
  const given = checkTags(input.tags as Record<string, string | null>);
  await ctx.store.write(async (tx) => {
    const target = await tagTarget(tx, ctx, input.arn);
    const tags = { ...(await target.get()), ...given };
    if (Object.keys(tags).length > ctx.quotas.tagsPerResource) {
      throw new ValidationException(`A resource can have at most ${ctx.quotas.tagsPerResource} tags; this request would leave ${Object.keys(tags).length}`);
    }
    await target.put(tags);
  });
  return {};
};
