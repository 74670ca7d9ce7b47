/**
 * Flame graphs of the server's CPU profile.
 *
 * `foldStacks` turns a V8 .cpuprofile into collapsed stacks ("frame;frame;frame count" per line, the format of
 * Brendan Gregg's stackcollapse tools), keeping only the samples after a point in time (start-up left out) and
 * no idle samples. bench/api.ts --profile writes them next to the profile.
 *
 * Run as a script, it renders collapsed stacks with speedscope (its "left heavy" view: every call path merged,
 * widest first) in headless Chromium and saves a PNG:
 *   npx tsx bench/flamegraph.ts STACKS.folded OUT.png [--title T] [--width 1600] [--height 900]
 * speedscope comes from the npm registry through npx (not a dependency of opencases); Chromium must be on PATH
 * (`chromium`) or named by $CHROMIUM.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const SPEEDSCOPE = 'speedscope@1.25.0';

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
}

/** Collapsed stacks of the samples taken at or after `fromMicros` (V8's monotonic clock), idle samples left out. */
export function foldStacks(profile: CpuProfile, fromMicros: number, root: string): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const frame = (id: number) => {
    const { functionName, url } = byId.get(id)!.callFrame;
    // A dependency is named by its package, the project's own code by its path.
    const file = url.replace(/^file:\/\//, '').replace(`${root}/`, '');
    const where = file.includes('node_modules/') ? /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)![1] : file;
    // ';' separates frames in the collapsed format; V8 names regular expressions by their (long) source.
    const name = functionName.length > 60 ? `${functionName.slice(0, 59)}…` : functionName || '(anonymous)';
    return `${name}${where ? ` ${where}` : ''}`.replaceAll(';', ',');
  };
  const counts = new Map<number, number>();
  let t = profile.startTime;
  profile.samples.forEach((s, i) => {
    t += profile.timeDeltas[i];
    if (t >= fromMicros && byId.get(s)!.callFrame.functionName !== '(idle)') counts.set(s, (counts.get(s) ?? 0) + 1);
  });
  const lines: string[] = [];
  for (const [id, n] of counts) {
    const stack: string[] = [];
    // The root node ("(root)") is left out: every stack would start with it.
    for (let x: number | undefined = id; x !== undefined && parent.has(x); x = parent.get(x)) stack.push(frame(x));
    lines.push(`${stack.reverse().join(';')} ${n}`);
  }
  return lines.sort().join('\n') + '\n';
}

function render(stacksFile: string, out: string, opts: { title: string; width: number; height: number }) {
  // The speedscope package as npx installs it: its bin script lives in the package's bin/.
  const bin = execFileSync('npm', ['exec', '--yes', `--package=${SPEEDSCOPE}`, '--', 'sh', '-c', 'command -v speedscope'], { encoding: 'utf8' }).trim();
  const index = join(dirname(realpathSync(bin)), '..', 'dist', 'release', 'index.html');
  // The loader speedscope's own CLI writes: a script that hands the profile to the page opened from disk.
  const work = mkdtempSync(join(tmpdir(), 'flamegraph-'));
  const loader = join(work, 'profile.js');
  const data = readFileSync(stacksFile).toString('base64');
  writeFileSync(loader, `speedscope.loadFileFromBase64(${JSON.stringify(basename(stacksFile))}, ${JSON.stringify(data)})`);
  const hash = `#localProfilePath=${encodeURIComponent(loader)}&view=left-heavy&title=${encodeURIComponent(opts.title)}`;
  execFileSync(
    process.env.CHROMIUM ?? 'chromium',
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--hide-scrollbars',
      `--user-data-dir=${join(work, 'chromium')}`,
      `--window-size=${opts.width},${opts.height}`,
      // Lets the page load the profile and draw before the screenshot is taken.
      '--virtual-time-budget=20000',
      `--screenshot=${resolve(out)}`,
      pathToFileURL(index).href + hash,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { title: { type: 'string' }, width: { type: 'string', default: '1600' }, height: { type: 'string', default: '900' } },
  });
  if (positionals.length !== 2) throw new Error('usage: bench/flamegraph.ts STACKS.folded OUT.png [--title T] [--width N] [--height N]');
  const [stacks, out] = positionals;
  render(stacks, out, { title: values.title ?? basename(stacks), width: Number(values.width), height: Number(values.height) });
  console.log(`wrote ${out}`);
}
