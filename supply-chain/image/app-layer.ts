/**
 * The application layer: Sovra itself under /app, the same for every
 * platform. It holds the compiled code (`lib/`, from `npm run build`), the
 * entry point (`bin/sovra.js`), package.json with both lockfiles, and the
 * data files the code reads at run time (`shipped()`): every JSON and YAML
 * file in the folders the build compiles (tsconfig.build.json's
 * `include`). A compiled file whose source is gone (a stale output of an
 * earlier build) is left out; a source without its compiled file means
 * lib/ is not built from this checkout, and the build stops.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SovraError } from '../../core/errors.js';
import { Layer } from './layer.js';
import { APP_DIR } from './npm-layers.js';

/** Files at the package root that go into the image. */
const ROOT_FILES = ['package.json', 'package-lock.json', 'images.lock.json'];
/** Data files the code reads at run time, by extension. */
const DATA = /\.(json|ya?ml)$/;

function walk(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) {
      if (e.name !== 'node_modules') out.push(...walk(dir, r));
    } else if (e.isFile()) out.push(r);
  }
  return out;
}

/** The folders the build compiles, from tsconfig.build.json. */
function buildFolders(root: string): string[] {
  const file = join(root, 'tsconfig.build.json');
  if (!existsSync(file)) throw new SovraError('bad-input', `${file} is missing: the image is built from a Sovra checkout (package root ${root}).`);
  const include = (JSON.parse(readFileSync(file, 'utf8')) as { include?: unknown }).include;
  if (!Array.isArray(include) || !include.every((f) => typeof f === 'string' && /^[a-z-]+$/.test(f))) throw new SovraError('bad-input', `${file}: "include" is not a list of folder names.`);
  return include as string[];
}

/** The application layer of the checkout at `root`. */
export function appLayer(root: string, mtime: number): { layer: Layer; files: number } {
  const layer = new Layer('application: Sovra (lib/, bin/, shipped data)', mtime, 0o555);
  const add = (rel: string, mode = 0o444) => layer.add(`${APP_DIR}/${rel}`, { type: 'file', mode, uid: 0, gid: 0, content: { path: join(root, rel), offset: 0, size: statSync(join(root, rel)).size } }, rel);
  layer.dir(APP_DIR, 0o555);
  const lib = join(root, 'lib');
  if (!existsSync(join(lib, 'cli', 'main.js'))) throw new SovraError('bad-input', `lib/cli/main.js is missing in ${root}: the image carries the compiled code. Run \`npm run build\` first.`);
  for (const f of ROOT_FILES) if (existsSync(join(root, f))) add(f);
  for (const f of walk(root, 'bin')) add(f, f.endsWith('.js') ? 0o555 : 0o444);

  const folders = buildFolders(root);
  const sources = folders.filter((d) => existsSync(join(root, d))).flatMap((d) => walk(root, d));
  const missing: string[] = [];
  for (const s of sources) {
    if (s.endsWith('.ts') && !s.endsWith('.test.ts') && !s.endsWith('.d.ts') && !existsSync(join(lib, s.replace(/\.ts$/, '.js')))) missing.push(s);
    else if (DATA.test(s)) add(s);
  }
  if (missing.length > 0) {
    throw new SovraError('bad-input', `lib/ is not built from this checkout: ${missing.length} source file(s) have no compiled file (${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''}). Run \`npm run build\` first.`);
  }
  let files = 0;
  for (const f of walk(lib)) {
    if (f === '.tsbuildinfo') continue;
    // A compiled file without its source is left over from an older build: not part of this checkout.
    if (f.endsWith('.js') && !existsSync(join(root, f.replace(/\.js$/, '.ts')))) continue;
    add(`lib/${f}`);
    files++;
  }
  return { layer, files };
}
