/** A SQLite store's files as a crash would leave them, for tests of what a restart recovers. */
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Copies the database and its WAL into a new directory and returns it. The store must have been opened with
 * `checkpoints: false` and be between two transactions: then the database file does not change while it is copied,
 * and the copy holds every committed transaction and nothing else, as after a crash at this moment.
 */
export function copyAsCrashed(dataDir: string): string {
  const copy = mkdtempSync(join(tmpdir(), 'oc-crashed-'));
  for (const file of ['opencases.db', 'opencases.db-wal']) copyFileSync(join(dataDir, file), join(copy, file));
  return copy;
}
