/** Checks of layout content, shared by CreateLayout and UpdateLayout, and the view that hides deleted fields. */
import type { LayoutContent, LayoutSections } from '../../model/types.js';
import type { Tx } from '../store/types.js';
import { ValidationException } from '../protocol/errors.js';
import { deletedFieldIds, duplicates, requireLiveFieldIds } from './metadata.js';

/** FACTS.md quotas: fields per layout. */
export const MAX_LAYOUT_FIELDS = 100;
/** Not configurable in the agent UI, so layouts may not place them (CreateLayout docs). */
const NOT_IN_LAYOUTS = ['title', 'status'];

const panels = (content: LayoutContent): LayoutSections[] =>
  [content.basic?.topPanel, content.basic?.moreInfo].filter((p): p is LayoutSections => p !== undefined);

export function layoutFieldIds(content: LayoutContent): string[] {
  return panels(content).flatMap((p) => (p.sections ?? []).flatMap((s) => (s.fieldGroup?.fields ?? []).map((f) => f.id)));
}

export async function checkLayoutContent(tx: Tx, domainId: string, content: LayoutContent): Promise<void> {
  const ids = layoutFieldIds(content);
  if (ids.length > MAX_LAYOUT_FIELDS) {
    throw new ValidationException(`A layout holds at most ${MAX_LAYOUT_FIELDS} fields; this one has ${ids.length}`);
  }
  const forbidden = NOT_IN_LAYOUTS.filter((id) => ids.includes(id));
  if (forbidden.length) throw new ValidationException(`Fields ${forbidden.join(', ')} cannot be placed in layouts`);
  const dup = duplicates(ids);
  if (dup.length) throw new ValidationException(`The layout places field ids more than once: ${dup.join(', ')}`);
  await requireLiveFieldIds(tx, domainId, ids, 'The layout content');
}

/** The content as GetLayout serves it: field ids of deleted fields are left out (DeleteField docs). */
export async function visibleLayoutContent(tx: Tx, domainId: string, content: LayoutContent): Promise<LayoutContent> {
  const gone = await deletedFieldIds(tx, domainId, layoutFieldIds(content));
  if (gone.size === 0) return content;
  const strip = (p: LayoutSections | undefined): LayoutSections | undefined =>
    p && {
      sections: p.sections?.map((s) => ({
        fieldGroup: s.fieldGroup && { ...s.fieldGroup, fields: s.fieldGroup.fields.filter((f) => !gone.has(f.id)) },
      })),
    };
  return { basic: { topPanel: strip(content.basic?.topPanel), moreInfo: strip(content.basic?.moreInfo) } };
}
