import type { Handler } from '../handler.js';
import { tagTarget } from '../../cases/tags.js';

export const listTagsForResource: Handler<'ListTagsForResource'> = async (input, ctx) => {
  const tags = await ctx.store.read(async (tx) => (await tagTarget(tx, ctx, input.arn)).get());
  return { tags };
};
