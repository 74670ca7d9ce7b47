/**
 * The mapping of exported ids to the ids an API import created, kept as NDJSON next to the import. Every line is
 * written with a synchronous write as soon as the object exists, so even a killed import leaves a map that tells
 * a re-run what is already there. Lines: a `mapping` header naming the source domain, then
 * `{kind, old, new}` for domain, field, layout, caseRule, template, case and relatedItem; `{kind: "caseDone",
 * old}` once a case has all of its related items, `{kind: "templateFinal" | "optionsFinal", old}` once a template
 * or a field's options have their exported state, and `{kind: "complete"}` at the end of a successful import.
 */
import { closeSync, existsSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';

export type MappedKind = 'domain' | 'field' | 'layout' | 'caseRule' | 'template' | 'case' | 'relatedItem';
export type DoneKind = 'caseDone' | 'templateFinal' | 'optionsFinal';
const DONE_KINDS = new Set<string>(['caseDone', 'templateFinal', 'optionsFinal']);

export class IdMap {
  /** Old id → new id, every kind together (ids are UUIDs; system field ids map to themselves). */
  readonly ids = new Map<string, string>();
  readonly done = new Set<string>();
  complete = false;
  /** The map of an earlier run was found: objects may exist that it could not record before that run died. */
  resumed = false;
  private fd: number | undefined;

  private constructor(
    readonly path: string,
    readonly sourceDomainId: string,
  ) {}

  /** Opens the map of an earlier run of the same import, or starts a new one. */
  static open(path: string, sourceDomainId: string): IdMap {
    const map = new IdMap(path, sourceDomainId);
    if (existsSync(path)) {
      map.resumed = true;
      const lines = readFileSync(path, 'utf8').split('\n');
      lines.forEach((text, i) => {
        if (!text.trim()) return;
        let entry: any;
        try {
          entry = JSON.parse(text);
        } catch {
          // The last line of a killed run may be cut short; anything else is a damaged map.
          if (i >= lines.length - 2) return;
          throw new Error(`${path} line ${i + 1}: not valid JSON; this id map is damaged`);
        }
        if (entry.kind === 'mapping') {
          if (entry.sourceDomainId !== sourceDomainId) {
            throw new Error(`${path} maps domain ${entry.sourceDomainId}, not ${sourceDomainId}; pass another --map file`);
          }
        } else if (DONE_KINDS.has(entry.kind)) map.done.add(`${entry.kind}:${entry.old}`);
        else if (entry.kind === 'complete') map.complete = true;
        else map.ids.set(entry.old, entry.new);
      });
      map.fd = openSync(path, 'a');
    } else {
      map.fd = openSync(path, 'a');
      map.write({ kind: 'mapping', sourceDomainId });
    }
    return map;
  }

  private write(entry: Record<string, unknown>) {
    writeSync(this.fd!, `${JSON.stringify(entry)}\n`);
  }

  set(kind: MappedKind, old: string, id: string) {
    this.ids.set(old, id);
    this.write({ kind, old, new: id });
  }

  mark(kind: DoneKind, old: string) {
    this.done.add(`${kind}:${old}`);
    this.write({ kind, old });
  }

  isDone = (kind: DoneKind, old: string) => this.done.has(`${kind}:${old}`);

  markComplete() {
    this.complete = true;
    this.write({ kind: 'complete' });
  }

  /** A copy of `value` with every string that is a mapped id replaced by its new id. */
  remap<T>(value: T): T {
    if (typeof value === 'string') return (this.ids.get(value) ?? value) as T;
    if (Array.isArray(value)) return value.map((v) => this.remap(v)) as T;
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [this.ids.get(k) ?? k, this.remap(v)])) as T;
    }
    return value;
  }

  close() {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /** After a failed import whose domain was deleted again: the ids are gone, and so is the map. */
  discard() {
    this.close();
    unlinkSync(this.path);
  }
}
