/**
 * The seeds of the randomized tests (search-upkeep, search-sets, store-search, store-backends): each test's own,
 * shifted by TEST_SEED (default 0). The suite runs the same sequences every time; `TEST_SEED=N` runs other ones, to
 * look for what the fixed ones do not reach.
 */
const shift = Number(process.env.TEST_SEED ?? 0);
if (!Number.isSafeInteger(shift)) throw new Error(`TEST_SEED must be an integer, not ${JSON.stringify(process.env.TEST_SEED)}`);

export const seed = (base: number) => base + shift;
