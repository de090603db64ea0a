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
import { buildElementsManifest } from './elements-manifest.mjs';

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

/**
 * cargo build → [wasm-split] → wasm-bindgen → wasm-opt, for one feature set, into `outDir`
 * (`shipped`: part of the package). With `split` (the `split` feature on), the module is
 * cut at each widget's split point (widgets/src/split.rs) into the main module and one
 * chunk per widget view (plus chunks of code several views share), each optimized on its
 * own, with the loader the main module imports (`__wasm_split.js`).
 */
function buildWasm(cargoFeatures, bindgenDir, outDir, { shipped = true, split = false } = {}) {
  run('cargo', ['build', '--release', '--target', 'wasm32-unknown-unknown', '-p', 'hudong-wasm', '--locked', ...cargoFeatures], { env });
  rmSync(bindgenDir, { recursive: true, force: true });
  let input = join(root, 'target', 'wasm32-unknown-unknown', 'release', 'hudong_wasm.wasm');
  const splitDir = `${bindgenDir}-split`;
  if (split) {
    rmSync(splitDir, { recursive: true, force: true });
    run('wasm-split-cli', [input, splitDir, '--out-name', 'hudong_wasm'], { env });
    input = join(splitDir, 'hudong_wasm.wasm');
  }
  run(
    'wasm-bindgen',
    [
      '--target', 'web',
      // `__wbg_reset_state`: after a panic the facade restarts the module with it and
      // restores the rooms (see ARCHITECTURE.md, "Failure isolation").
      '--experimental-reset-state-function',
      // The chunks link to the main module's function table, which wasm-bindgen would hide.
      ...(split ? ['--keep-lld-exports'] : []),
      '--out-dir', bindgenDir,
      '--out-name', 'hudong_wasm',
      input,
    ],
    { env },
  );
  mkdirSync(outDir, { recursive: true });
  // What ships runs -Oz until it stops shrinking (--converge: 3 KB less brotli'd than one
  // -Oz, for twice the time); the test-only builds take one pass.
  const passes = shipped ? ['-Oz', '--converge'] : ['-Oz'];
  run(wasmOpt, [...passes, ...features, join(bindgenDir, 'hudong_wasm_bg.wasm'), '-o', join(outDir, 'hudong_wasm_bg.wasm')]);
  for (const f of ['hudong_wasm.js', 'hudong_wasm.d.ts']) copyFileSync(join(bindgenDir, f), join(outDir, f));
  if (split) {
    for (const f of readdirSync(splitDir).filter((f) => f.endsWith('.wasm') && f !== 'hudong_wasm.wasm')) {
      run(wasmOpt, [...passes, ...features, join(splitDir, f), '-o', join(outDir, f)], { stdio: ['ignore', 'inherit', 'ignore'] });
    }
    // The chunks of code several views share (wasm-split makes one per set of views that
    // shares it: ~90 small modules) travel as one file, fetched with the first view.
    const shared = readdirSync(outDir).filter((f) => /^chunk_\d+\.wasm$/.test(f)).sort();
    const at = {};
    const parts = [];
    let offset = 0;
    for (const f of shared) {
      const bytes = readFileSync(join(outDir, f));
      parts.push(bytes);
      at[f] = [offset, bytes.length];
      offset += bytes.length;
      rmSync(join(outDir, f));
    }
    const bundle = sharedBundle(Buffer.concat(parts));
    for (const f of shared) at[f][0] += bundle.start;
    writeFileSync(join(outDir, SHARED_VIEWS), bundle.bytes);
    const loader = splitLoader(readFileSync(join(splitDir, '__wasm_split.js'), 'utf8'), at);
    writeFileSync(join(outDir, '__wasm_split.js'), loader);
    writeFileSync(join(outDir, 'chunks.json'), JSON.stringify(chunkFiles(loader), null, 1) + '\n');
  }
}

/** Each widget's chunk files, from the loader: `{ poll: ['split_poll.wasm', 'chunk_3.wasm'] }`. */
function chunkFiles(loader) {
  const url = (expr) => expr.match(/new URL\("\.\/([^"]+)"/)?.[1];
  const shared = Object.fromEntries([...loader.matchAll(/^const (__chunk_\d+) = makeLoad\((.*?), \[\]\);$/gms)].map((m) => [m[1], url(m[2]) ?? (m[2].includes('sharedPart(') ? SHARED_VIEWS : undefined)]));
  const units = {};
  for (const m of loader.matchAll(/^export const __wasm_split_load_(\w+) = wrapAsyncCb\(makeLoad\((.*?), \[([^\]]*)\]\)\);$/gms)) {
    const deps = m[3].split(',').map((d) => d.trim()).filter(Boolean).map((d) => shared[d]);
    units[m[1]] = [...new Set([url(m[2]), ...deps].filter(Boolean))];
  }
  if (!Object.keys(units).length || Object.values(units).flat().some((f) => !f)) throw new Error('build: could not read the chunk table');
  return units;
}

/** The file that carries the views' shared chunks. */
const SHARED_VIEWS = 'views_shared.wasm';

/**
 * One file for many chunks: a wasm module with no code whose one custom section
 * (`hudong.chunks`) holds the chunks end to end, so that it is served, cached and
 * compressed like the other `.wasm` files. `start`: where the chunks begin in it.
 */
function sharedBundle(payload) {
  const leb = (n) => { const out = []; do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; out.push(b); } while (n); return out; };
  const name = Buffer.from('hudong.chunks');
  const body = [...leb(name.length), ...name];
  const head = Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x00, ...leb(body.length + payload.length), ...body]);
  return { bytes: Buffer.concat([head, payload]), start: head.length };
}

/**
 * The loader of the widgets' chunks, from the one wasm-split writes: its chunk table (which
 * file, after which shared chunks) is kept; its runtime is replaced by one that survives
 * the module being restarted after a failure (`__wbg_reset_state`). Each chunk is fetched
 * and compiled once; it is linked to the main module's current instance, and linked again
 * to a restarted one, whose memory starts with no chunk loaded.
 */
function splitLoader(generated, bundled) {
  const shared = generated.match(/const \{ ([^}]*) \} = initSync\(undefined, undefined\);/);
  const first = generated.search(/^(\/\*|const __chunk_|export const )/m);
  if (!shared || first < 0) throw new Error('build: unexpected __wasm_split.js from wasm-split-cli');
  const names = shared[1].split(',').map((n) => n.trim()).filter(Boolean);
  let table = generated.slice(first);
  const fetcher = /\(\) => \{\s*const src = fetch\(new URL\(("[^"]+"), import\.meta\.url\)\);\s*src\.catch\(\(\) => \{\}\);\s*return async \(imports\) => \(WebAssembly\.instantiateStreaming\(src, imports\)\);\s*\}\s*/g;
  const files = [...table.matchAll(fetcher)].length;
  table = table.replace(fetcher, (_, file) => {
    const part = bundled[JSON.parse(file).slice(2)];
    return part ? `compiled(() => sharedPart(${part[0]}, ${part[1]}))` : `compiled(() => fetch(new URL(${file}, import.meta.url)))`;
  });
  table = table.replaceAll('() => async (_imp) => ({})', 'null');
  if (!files || /instantiateStreaming|_imp/.test(table)) throw new Error('build: unexpected chunk loaders in __wasm_split.js');
  return `// Loads each widget's chunk and links it to the main module (generated by scripts/build.mjs).
import { initSync } from "./hudong_wasm.js";

let sharedImports, sharedFrom, generation = 0;
/** What a chunk links to: the main module's current instance (a new one after a restart). */
function getSharedImports() {
    const main = initSync(undefined, undefined);
    if (main !== sharedFrom) {
        sharedFrom = main;
        generation++;
        const { ${names.join(', ')} } = main;
        sharedImports = { __wasm_split: { ${names.join(', ')} } };
    }
    return sharedImports;
}
let sharedFile;
/** One of the views' shared chunks, from the file that carries them all (fetched once). */
function sharedPart(offset, length) {
    if (sharedFile === undefined) {
        const started = fetch(new URL("./${SHARED_VIEWS}", import.meta.url)).then((res) => {
            if (!res.ok) throw new Error(\`\${res.status} \${res.url}\`);
            return res.arrayBuffer();
        });
        started.catch(() => { if (sharedFile === started) sharedFile = undefined; });
        sharedFile = started;
    }
    return sharedFile.then((bytes) => new Uint8Array(bytes, offset, length));
}
/** A chunk's compiled module, fetched once (again only after a failed fetch). */
function compiled(request) {
    let module;
    return () => {
        if (module === undefined) {
            const started = (async () => {
                const res = await request();
                if (res instanceof Uint8Array) return WebAssembly.compile(res);
                if (!res.ok) throw new Error(\`\${res.status} \${res.url}\`);
                return (res.headers.get('content-type') ?? '').startsWith('application/wasm')
                    ? WebAssembly.compileStreaming(res)
                    : WebAssembly.compile(await res.arrayBuffer());
            })();
            started.catch(() => { if (module === started) module = undefined; });
            module = started;
        }
        return module;
    };
}
/** Links a chunk (after the chunks it needs) to the current instance, once per instance. */
function makeLoad(moduleOf, deps) {
    let linked, linkedIn = -1;
    return () => {
        const imports = getSharedImports();
        if (linked === undefined || linkedIn !== generation) {
            const compiling = moduleOf && moduleOf();
            const started = (async () => {
                await Promise.all(deps.map((d) => d()));
                return moduleOf ? WebAssembly.instantiate(await compiling, imports) : {};
            })();
            started.catch(() => { if (linked === started) linked = undefined; });
            linked = started;
            linkedIn = generation;
        }
        return linked;
    };
}
/** What the module calls: load, then answer through its function table, unless the module
 * was restarted meanwhile (the callback belongs to the old instance). */
function wrapAsyncCb(load) {
    return async (callbackIndex, callbackData) => {
        const table = getSharedImports().__wasm_split.__indirect_function_table;
        let success = false;
        try {
            await load();
            success = true;
        } catch (e) {
            console.error(e);
        }
        if (table === getSharedImports().__wasm_split.__indirect_function_table) table.get(callbackIndex)(callbackData, success);
    };
}
${table}`;
}

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
// The full SDK: every widget with its yew view.
buildWasm(['--features', 'split'], bindgenOut, dist, { split: true });
// The headless build (`hudong/headless`): state machines, delivery and command sources, no views.
buildWasm(['--no-default-features'], join(root, 'target', 'hudong-bindgen-headless'), join(dist, 'headless'));
// The recovery build: the full SDK that can also restore a room from a checkpoint of its
// journal. Not loaded with the SDK: the facade (both builds) readies it when the page is
// idle once a room's journal has a checkpoint, and uses it after a failure.
buildWasm(['--features', 'restore'], join(root, 'target', 'hudong-bindgen-recover'), join(dist, 'recover'));
// The headless build's own, with no views: a headless page never fetches (nor has its
// bundler emit) a module with the overlay in it.
buildWasm(['--no-default-features', '--features', 'restore'], join(root, 'target', 'hudong-bindgen-headless-recover'), join(dist, 'headless', 'recover'));
writeFileSync(join(dist, 'wasm-features.json'), JSON.stringify(features) + '\n');
// `--fault` (npm test): a test-only build with a widget that fails on purpose, for the
// failure-isolation tests. Never part of the package.
const faultDist = join(root, 'target', 'fault-dist');
if (process.argv.includes('--fault')) {
  rmSync(faultDist, { recursive: true, force: true });
  buildWasm(['--features', 'fault,split'], join(root, 'target', 'hudong-bindgen-fault'), faultDist, { shipped: false, split: true });
  buildWasm(['--features', 'fault,restore'], join(root, 'target', 'hudong-bindgen-fault-recover'), join(faultDist, 'recover'), { shipped: false });
}

// The facade and the wasm-bindgen glue ship minified (what a page downloads first), each with
// a source map beside it (`index.js.map`, sources included) for the page's devtools and error
// trackers; the readable facade is sdk/js/index.js, the glue is generated.
const minify = async (file) => {
  const code = readFileSync(join(dist, file), 'utf8');
  const name = file.split('/').pop();
  const out = await transform(code, { minify: true, format: 'esm', target: 'es2022', legalComments: 'none', sourcemap: 'external', sourcefile: name, sourcesContent: true });
  writeFileSync(join(dist, file), `${out.code}//# sourceMappingURL=${name}.map\n`);
  writeFileSync(join(dist, `${file}.map`), out.map);
};
// The facade's modules (index.js, options.js, inband.js, recovery.js, assets.js) ship as one file: no
// waterfall.
const FACADE_MODULES = ['index.js', 'options.js', 'inband.js', 'recovery.js', 'assets.js'];
/**
 * The facade, bundled and minified into `out`; its recovery build is `./recover/` beside it.
 * The headless one names no stylesheet or language pack (assets-headless.js), so a bundler
 * looks for no view file that the headless build does not ship.
 */
async function buildFacade(out, headless = false) {
  const headlessAssets = {
    name: 'headless-assets',
    setup(b) {
      b.onResolve({ filter: /^\.\/assets\.js$/ }, () => ({ path: join(root, 'sdk', 'js', 'assets-headless.js') }));
    },
  };
  await esbuild({
    entryPoints: [join(root, 'sdk', 'js', 'index.js')], outfile: out, bundle: true, format: 'esm', minify: true,
    target: 'es2022', logLevel: 'error', legalComments: 'none', sourcemap: 'linked', sourcesContent: true,
    external: ['./hudong_wasm.js', './recover/*'], plugins: headless ? [headlessAssets] : [],
  });
  const code = readFileSync(out, 'utf8');
  if (!code.includes('./recover/')) throw new Error('build: the facade no longer names ./recover/');
  for (const asset of headless ? ['hudong.css', 'locales/'] : []) {
    if (code.includes(asset)) throw new Error(`build: the headless facade names ${asset}, which it does not ship`);
  }
}
await buildFacade(join(dist, 'index.js'));
for (const file of ['hudong_wasm.js', '__wasm_split.js', 'headless/hudong_wasm.js', 'recover/hudong_wasm.js', 'headless/recover/hudong_wasm.js']) await minify(file);
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
// The headless facade: the same code, with its own recovery build and no view files.
await buildFacade(join(dist, 'headless', 'index.js'), true);
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
// The loader ships minified: it is the one piece a page puts in its first script. Its
// whitespace and comments stay, for the comments that tell bundlers to leave the import of a
// `sdkUrl` alone (webpack warns about an expression import without them).
await esbuild({
  entryPoints: [join(root, 'sdk', 'js', 'loader.js')],
  outfile: join(dist, 'loader.js'),
  minifySyntax: true, minifyIdentifiers: true, format: 'esm', target: 'es2020', logLevel: 'error', sourcemap: 'linked', sourcesContent: true,
});
if (!readFileSync(join(dist, 'loader.js'), 'utf8').includes('webpackIgnore: true')) throw new Error('build: dist/loader.js lost its webpackIgnore comment');
// The custom elements (`hudong/elements`): light, they import the loader beside them.
await esbuild({
  entryPoints: [join(root, 'sdk', 'js', 'elements.js')],
  outfile: join(dist, 'elements.js'),
  minify: true, format: 'esm', target: 'es2020', logLevel: 'error', sourcemap: 'linked', sourcesContent: true,
});
copyFileSync(join(root, 'sdk', 'js', 'elements.d.ts'), join(dist, 'elements.d.ts'));
// Its Custom Elements Manifest (package.json `customElements`), and the elements' types for
// React 19 JSX, Vue 3 and Svelte 5 (`hudong/react`, `hudong/vue`, `hudong/svelte`: types,
// with an empty module so that a plain `import 'hudong/react'` resolves too).
writeFileSync(join(dist, 'custom-elements.json'), `${JSON.stringify(await buildElementsManifest(root, dist), null, 1)}\n`);
for (const framework of ['react', 'vue', 'svelte']) {
  copyFileSync(join(root, 'sdk', 'js', `${framework}.d.ts`), join(dist, `${framework}.d.ts`));
  writeFileSync(join(dist, `${framework}.js`), `// Types only: see ${framework}.d.ts.\nexport {};\n`);
}
// The GA4 / Tag Manager adapter (`hudong/analytics`).
await esbuild({
  entryPoints: [join(root, 'sdk', 'js', 'analytics.js')],
  outfile: join(dist, 'analytics.js'),
  minify: true, format: 'esm', target: 'es2020', logLevel: 'error', sourcemap: 'linked', sourcesContent: true,
});
copyFileSync(join(root, 'sdk', 'js', 'analytics.d.ts'), join(dist, 'analytics.d.ts'));
// The script-tag build: loader and elements in one classic script defining `window.Hudong`.
await esbuild({
  entryPoints: [join(root, 'sdk', 'js', 'global.js')],
  outfile: join(dist, 'hudong.global.js'),
  bundle: true, minify: true, format: 'iife', globalName: 'Hudong', target: 'es2020', logLevel: 'error', sourcemap: 'linked', sourcesContent: true,
  // It always loads the SDK from a URL beside itself (setSdkUrl), never by bundling it.
  external: ['./index.js'],
});
// The sandbox's dashboard charts (not part of the package).
mkdirSync(join(dist, 'vendor', 'uplot'), { recursive: true });
for (const f of ['uPlot.esm.js', 'uPlot.min.css']) copyFileSync(join(root, 'node_modules', 'uplot', 'dist', f), join(dist, 'vendor', 'uplot', f));
// hls.js, for the sandbox's live video (the backend's HLS test stream).
mkdirSync(join(dist, 'vendor', 'hls.js'), { recursive: true });
copyFileSync(join(root, 'node_modules', 'hls.js', 'dist', 'hls.min.mjs'), join(dist, 'vendor', 'hls.js', 'hls.min.mjs'));

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
// The widgets' chunks: each fetched when a widget of its kind is first drawn.
const chunks = JSON.parse(readFileSync(join(dist, 'chunks.json'), 'utf8'));
const allChunks = [...new Set(Object.values(chunks).flat())].sort();
const main = ['hudong_wasm_bg.wasm', 'hudong_wasm.js', '__wasm_split.js', 'index.js', 'hudong.css'];
const ARTIFACTS = {
  // What a room that opens one poll downloads: the SDK and the poll's chunks.
  'first widget (poll)': [...main, ...chunks.poll],
  // Every widget: the SDK and all the chunks.
  full: [...main, ...allChunks],
  'all chunks': allChunks,
  // Fetched with the first widget: the code several views share.
  'views shared': [SHARED_VIEWS],
  // What each further kind of widget adds.
  ...Object.fromEntries(Object.entries(chunks).sort().map(([kind, files]) => [`chunk: ${kind}`, files.filter((f) => f !== SHARED_VIEWS)])),
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
for (const f of main) rows.push({ name: f, files: [f], ...sizeOf([f]) });
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
