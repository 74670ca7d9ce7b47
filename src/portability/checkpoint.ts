/**
 * Export to a file that survives interruption. After every chunk the file is synced and `FILE.checkpoint`
 * records the file length and the export state; a later run with the same FILE cuts the file back to that length
 * and continues from that state, so a resumed export writes exactly the bytes an uninterrupted one would have.
 * The checkpoint is removed when the export is complete.
 */
import { closeSync, existsSync, fsyncSync, ftruncateSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import type { ConnectCasesClient } from '@aws-sdk/client-connectcases';
import { exportChunks, type ExportOptions, type ExportState } from './export.js';
import { toLine, type Counts } from './format.js';

const CHECKPOINT_VERSION = 1;

interface Checkpoint {
  version: number;
  domainId: string;
  /** Length of the export file when `state` was reached. */
  bytes: number;
  state: ExportState;
}

export const checkpointPath = (file: string) => `${file}.checkpoint`;

export interface FileExportResult {
  counts: Counts;
  /** Cases that were already in the file from an interrupted run. */
  resumedAfterCases: number;
}

function readCheckpoint(path: string, domainId: string, file: string): Checkpoint | undefined {
  if (!existsSync(path)) return undefined;
  let c: Checkpoint;
  try {
    c = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`the checkpoint ${path} cannot be read (${(e as Error).message}); delete it to export from the start`);
  }
  if (c.version !== CHECKPOINT_VERSION || typeof c.bytes !== 'number' || !c.state) throw new Error(`the checkpoint ${path} is not one this opencases wrote; delete it to export from the start`);
  if (c.domainId !== domainId) throw new Error(`the checkpoint ${path} belongs to an export of domain ${c.domainId}; delete it or choose another --out file`);
  if (!existsSync(file)) throw new Error(`the checkpoint ${path} continues ${file}, which is missing; delete the checkpoint to export from the start`);
  return c;
}

/** Writes the export of `opts.domainId` to `file`, continuing an interrupted export of the same domain to it. */
export async function exportToFile(
  client: ConnectCasesClient,
  opts: ExportOptions & { file: string; onChunk?: (state: ExportState) => void },
): Promise<FileExportResult> {
  const path = checkpointPath(opts.file);
  const resume = readCheckpoint(path, opts.domainId, opts.file);
  const fd = openSync(opts.file, resume ? 'r+' : 'w');
  let bytes = resume?.bytes ?? 0;
  let state = resume?.state;
  try {
    // Anything after the checkpoint was written by a chunk that never completed.
    ftruncateSync(fd, bytes);
    for await (const chunk of exportChunks(client, opts, resume?.state)) {
      const buf = Buffer.from(chunk.records.map(toLine).join(''), 'utf8');
      writeSync(fd, buf, 0, buf.length, bytes);
      bytes += buf.length;
      fsyncSync(fd);
      state = chunk.state;
      const checkpoint: Checkpoint = { version: CHECKPOINT_VERSION, domainId: opts.domainId, bytes, state };
      writeFileSync(`${path}.tmp`, JSON.stringify(checkpoint));
      renameSync(`${path}.tmp`, path);
      opts.onChunk?.(state);
    }
  } finally {
    closeSync(fd);
  }
  unlinkSync(path);
  return { counts: state!.counts, resumedAfterCases: resume?.state.counts.cases ?? 0 };
}
