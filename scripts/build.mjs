// Builds the publishable package into dist/:
//   cargo build (wasm32, release) → wasm-bindgen --target web → wasm-opt -Oz --converge
//   (npm binaryen),
// once with the views (the full SDK) and once without (dist/headless/), then copies the JS
// facade, its types and the stylesheet, minifies the loader, and records the sizes.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';
import { build as esbuild, transform } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const bindgenOut = join(root, 'target', 'hudong-bindgen');
const quiet = process.argv.includes('--quiet');

function run(cmd, args, opts = {}) {
  if (!quiet) console.log(`$ ${cmd} ${args.join(' ')}`);
  execFileSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
}

const cargoBin = join(process.env.HOME ?? '', '.cargo', 'bin');
const env = { ...process.env, PATH: `${cargoBin}:${process.env.PATH}` };

const wasmOpt = join(root, 'node_modules', '.bin', 'wasm-opt');
if (!existsSync(wasmOpt)) throw new Error('wasm-opt missing: run `npm ci` (binaryen is a devDependency)');
// The features rustc enables by default for wasm32-unknown-unknown, and nothing newer.
const features = [
  '--enable-bulk-memory',
  '--enable-mutable-globals',
  '--enable-nontrapping-float-to-int',
  '--enable-sign-ext',
  '--enable-reference-types',
  '--enable-multivalue',
];

/** cargo build → wasm-bindgen → wasm-opt, for one feature set, into `outDir` (`shipped`: part of the package). */
function buildWasm(cargoFeatures, bindgenDir, outDir, shipped = true) {
  run('cargo', ['build', '--release', '--target', 'wasm32-unknown-unknown', '-p', 'hudong-wasm', '--locked', ...cargoFeatures], { env });
  rmSync(bindgenDir, { recursive: true, force: true });
  run(
    'wasm-bindgen',
    [
      '--target', 'web',
      // `__wbg_reset_state`: after a panic the facade restarts the module with it and
      // restores the rooms (see ARCHITECTURE.md, "Failure isolation").
      '--experimental-reset-state-function',
      '--out-dir', bindgenDir,
      '--out-name', 'hudong_wasm',
      join(root, 'target', 'wasm32-unknown-unknown', 'release', 'hudong_wasm.wasm'),
    ],
    { env },
  );
  mkdirSync(outDir, { recursive: true });
  // What ships runs -Oz until it stops shrinking (--converge: 3 KB less brotli'd than one
  // -Oz, for twice the time); the test-only builds take one pass.
  const passes = shipped ? ['-Oz', '--converge'] : ['-Oz'];
  run(wasmOpt, [...passes, ...features, join(bindgenDir, 'hudong_wasm_bg.wasm'), '-o', join(outDir, 'hudong_wasm_bg.wasm')]);
  for (const f of ['hudong_wasm.js', 'hudong_wasm.d.ts']) copyFileSync(join(bindgenDir, f), join(outDir, f));
}

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
// The full SDK: every widget with its yew view.
buildWasm([], bindgenOut, dist);
// The headless build (`hudong/headless`): state machines, delivery and command sources, no views.
buildWasm(['--no-default-features'], join(root, 'target', 'hudong-bindgen-headless'), join(dist, 'headless'));
// The recovery build: the full SDK that can also restore a room from a checkpoint of its
// journal. Not loaded with the SDK: the facade (both builds) readies it when the page is
// idle once a room's journal has a checkpoint, and uses it after a failure.
buildWasm(['--features', 'restore'], join(root, 'target', 'hudong-bindgen-recover'), join(dist, 'recover'));
writeFileSync(join(dist, 'wasm-features.json'), JSON.stringify(features) + '\n');
// `--fault` (npm test): a test-only build with a widget that fails on purpose, for the
// failure-isolation tests. Never part of the package.
const faultDist = join(root, 'target', 'fault-dist');
if (process.argv.includes('--fault')) {
  rmSync(faultDist, { recursive: true, force: true });
  buildWasm(['--features', 'fault'], join(root, 'target', 'hudong-bindgen-fault'), faultDist, false);
  buildWasm(['--features', 'fault,restore'], join(root, 'target', 'hudong-bindgen-fault-recover'), join(faultDist, 'recover'), false);
}

// The facade and the wasm-bindgen glue ship minified (what a page downloads first); the
// readable facade is sdk/js/index.js, the glue is generated.
const minify = async (code) => (await transform(code, { minify: true, format: 'esm', target: 'es2022', legalComments: 'none' })).code;
// The facade's modules (index.js, options.js, recovery.js) ship as one file: no waterfall.
const FACADE_MODULES = ['index.js', 'options.js', 'recovery.js'];
const facade = (await esbuild({
  entryPoints: [join(root, 'sdk', 'js', 'index.js')], write: false, bundle: true, format: 'esm',
  target: 'es2022', logLevel: 'error', legalComments: 'none',
  external: ['./hudong_wasm.js', './recover/*'],
})).outputFiles[0].text;
if (!facade.includes('"./recover/')) throw new Error('build: the facade no longer names ./recover/');
writeFileSync(join(dist, 'index.js'), await minify(facade));
for (const dir of ['.', 'headless', 'recover']) {
  const glue = join(dist, dir, 'hudong_wasm.js');
  writeFileSync(glue, await minify(readFileSync(glue, 'utf8')));
}
// The keys of the overlay's texts come from the files widgets/build.rs makes the Rust
// `Strings` struct from (widgets/strings/*.json, `common` first), so the types cannot drift.
const stringFiles = readdirSync(join(root, 'widgets', 'strings')).filter((f) => f.endsWith('.json'))
  .sort().sort((a, b) => (b === 'common.json') - (a === 'common.json'));
const strings = stringFiles.map((f) => JSON.parse(readFileSync(join(root, 'widgets', 'strings', f), 'utf8')));
// Each file's keys in byte order, as the Rust build reads them (a sorted map).
const keyList = strings.flatMap((group) => Object.keys(group).sort());
if (!keyList.length) throw new Error('build: no strings in widgets/strings/');
const GENERATED = 'export type HudongStringKey = string; // generated';
const dts = readFileSync(join(root, 'sdk', 'js', 'index.d.ts'), 'utf8');
if (!dts.includes(GENERATED)) throw new Error(`build: sdk/js/index.d.ts lacks "${GENERATED}"`);
writeFileSync(join(dist, 'index.d.ts'), dts.replace(GENERATED, `export type HudongStringKey =\n${keyList.map((k) => `  | '${k}'`).join('\n')};`));
// The headless facade is the same file, one folder down from the recovery build.
writeFileSync(join(dist, 'headless', 'index.js'), await minify(facade.replaceAll('"./recover/', '"../recover/')));
copyFileSync(join(dist, 'index.d.ts'), join(dist, 'headless', 'index.d.ts'));
// The protocol's types come from the core's Rust types (ts-rs), so they cannot drift from
// what the SDK (de)serializes; a named alias per command, action and event follows them.
const protocolDts = protocolDeclarations();
writeFileSync(join(dist, 'protocol.d.ts'), protocolDts);
copyFileSync(join(dist, 'protocol.d.ts'), join(dist, 'headless', 'protocol.d.ts'));
copyFileSync(join(root, 'sdk', 'js', 'testing.js'), join(dist, 'testing.js'));
copyFileSync(join(root, 'sdk', 'js', 'testing.d.ts'), join(dist, 'testing.d.ts'));
copyFileSync(join(root, 'sdk', 'js', 'loader.d.ts'), join(dist, 'loader.d.ts'));
// The stylesheet ships minified (its comments document it in widgets/style/hudong.css).
const css = readFileSync(join(root, 'widgets', 'style', 'hudong.css'), 'utf8');
writeFileSync(join(dist, 'hudong.css'), (await transform(css, { loader: 'css', minify: true, legalComments: 'none', target: ['chrome87', 'safari14'] })).code);
if (process.argv.includes('--fault')) {
  for (const f of [...FACADE_MODULES, 'testing.js']) copyFileSync(join(root, 'sdk', 'js', f), join(faultDist, f));
  copyFileSync(join(root, 'widgets', 'style', 'hudong.css'), join(faultDist, 'hudong.css'));
}
// Language packs, fetched only by rooms in those languages: every widget's strings
// (widgets/strings/<widget>.json, each key in every language) gathered per language.
mkdirSync(join(dist, 'locales'), { recursive: true });
const packs = { 'zh-TW': {}, id: {}, th: {}, vi: {} };
for (const group of strings) {
  for (const [key, texts] of Object.entries(group)) for (const tag of Object.keys(packs)) packs[tag][key] = texts[tag];
}
for (const [tag, pack] of Object.entries(packs)) writeFileSync(join(dist, 'locales', `${tag}.json`), `${JSON.stringify(pack, null, 1)}\n`);
// The loader ships minified: it is the one piece a page puts in its first script.
await esbuild({
  entryPoints: [join(root, 'sdk', 'js', 'loader.js')],
  outfile: join(dist, 'loader.js'),
  minify: true, format: 'esm', target: 'es2020', logLevel: 'error',
});
// The custom elements (`hudong/elements`): light, they import the loader beside them.
await esbuild({
  entryPoints: [join(root, 'sdk', 'js', 'elements.js')],
  outfile: join(dist, 'elements.js'),
  minify: true, format: 'esm', target: 'es2020', logLevel: 'error',
});
copyFileSync(join(root, 'sdk', 'js', 'elements.d.ts'), join(dist, 'elements.d.ts'));
// The GA4 / Tag Manager adapter (`hudong/analytics`).
await esbuild({
  entryPoints: [join(root, 'sdk', 'js', 'analytics.js')],
  outfile: join(dist, 'analytics.js'),
  minify: true, format: 'esm', target: 'es2020', logLevel: 'error',
});
copyFileSync(join(root, 'sdk', 'js', 'analytics.d.ts'), join(dist, 'analytics.d.ts'));
// The script-tag build: loader and elements in one classic script defining `window.Hudong`.
await esbuild({
  entryPoints: [join(root, 'sdk', 'js', 'global.js')],
  outfile: join(dist, 'hudong.global.js'),
  bundle: true, minify: true, format: 'iife', globalName: 'Hudong', target: 'es2020', logLevel: 'error',
  // It always loads the SDK from a URL beside itself (setSdkUrl), never by bundling it.
  external: ['./index.js'],
});
// The sandbox's dashboard charts (not part of the package).
mkdirSync(join(dist, 'vendor', 'uplot'), { recursive: true });
for (const f of ['uPlot.esm.js', 'uPlot.min.css']) copyFileSync(join(root, 'node_modules', 'uplot', 'dist', f), join(dist, 'vendor', 'uplot', f));

// Sizes: raw, gzip -9, brotli q11 (what CDNs serve), per shipped artifact: what a page
// that uses it downloads. Checked against bench/budgets.json by `npm test`.
const sizeOf = (files) => {
  const s = { raw: 0, gzip: 0, brotli: 0 };
  for (const f of files) {
    const buf = readFileSync(join(dist, f));
    s.raw += buf.length;
    s.gzip += gzipSync(buf, { level: 9 }).length;
    s.brotli += brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  }
  return s;
};
const ARTIFACTS = {
  full: ['hudong_wasm_bg.wasm', 'hudong_wasm.js', 'index.js', 'hudong.css'],
  headless: ['headless/hudong_wasm_bg.wasm', 'headless/hudong_wasm.js', 'headless/index.js'],
  loader: ['loader.js'],
  elements: ['elements.js', 'loader.js'],
  global: ['hudong.global.js'],
  analytics: ['analytics.js'],
  'language pack (th)': ['locales/th.json'],
  // Not loaded with the SDK: readied in idle time once a journal has a checkpoint.
  'recovery build': ['recover/hudong_wasm_bg.wasm', 'recover/hudong_wasm.js'],
};
const rows = Object.entries(ARTIFACTS).map(([name, files]) => ({ name, files, ...sizeOf(files) }));
for (const f of ARTIFACTS.full) rows.push({ name: f, files: [f], ...sizeOf([f]) });
writeFileSync(join(dist, 'sizes.json'), JSON.stringify(rows, null, 2) + '\n');
const kb = (n) => (n / 1024).toFixed(1).padStart(7) + ' KB';
if (!quiet) {
  console.log('\nartifact                raw        gzip       brotli');
  for (const r of rows) console.log(r.name.padEnd(20), kb(r.raw), kb(r.gzip), kb(r.brotli));
}

/** `dist/protocol.d.ts`: the core's declarations plus `Command` and one alias per message. */
function protocolDeclarations() {
  const stdout = execFileSync('cargo', ['run', '--quiet', '--locked', '-p', 'hudong-core', '--features', 'typescript', '--example', 'typescript'], {
    cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20,
  });
  const declared = (name) => {
    const m = stdout.match(new RegExp(`^export type ${name} = ([^]*?);\\n\\n`, 'm'));
    if (!m) throw new Error(`build: no ${name} in the generated declarations`);
    return [...new Set([...m[1].matchAll(/"type": "([a-z_.]+)"/g)].map((t) => t[1]))];
  };
  const pascal = (type) => type.split(/[._]/).map((w) => (w === 'tryon' ? 'TryOn' : w[0].toUpperCase() + w.slice(1))).join('');
  const alias = (union, suffix, types) => types.map((t) => `export type ${pascal(t)}${suffix} = Extract<${union}, { type: '${t}' }>;`).join('\n');
  return `${stdout}/** A command, as \`room.apply\` and the command sources take it (\`v\`: the protocol version). */
export type Command = CommandBody & { v?: 1 };

${alias('Command', 'Command', declared('CommandBody'))}

${alias('Action', 'Action', declared('Action'))}

${alias('HudongEvent', 'Event', declared('HudongEvent'))}
`;
}
