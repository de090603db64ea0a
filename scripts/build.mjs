// Builds the publishable package into dist/:
//   cargo build (wasm32, release) → wasm-bindgen --target web → wasm-opt -Oz (npm binaryen)
// then copies the JS facade, its types and the stylesheet, and prints the sizes.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

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

run('cargo', ['build', '--release', '--target', 'wasm32-unknown-unknown', '-p', 'hudong-wasm', '--locked'], { env });

rmSync(bindgenOut, { recursive: true, force: true });
run(
  'wasm-bindgen',
  [
    '--target', 'web',
    '--out-dir', bindgenOut,
    '--out-name', 'hudong_wasm',
    join(root, 'target', 'wasm32-unknown-unknown', 'release', 'hudong_wasm.wasm'),
  ],
  { env },
);

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

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
run(wasmOpt, ['-Oz', ...features, join(bindgenOut, 'hudong_wasm_bg.wasm'), '-o', join(dist, 'hudong_wasm_bg.wasm')]);

for (const f of ['hudong_wasm.js', 'hudong_wasm.d.ts']) copyFileSync(join(bindgenOut, f), join(dist, f));
copyFileSync(join(root, 'sdk', 'js', 'index.js'), join(dist, 'index.js'));
copyFileSync(join(root, 'sdk', 'js', 'index.d.ts'), join(dist, 'index.d.ts'));
copyFileSync(join(root, 'sdk', 'js', 'testing.js'), join(dist, 'testing.js'));
copyFileSync(join(root, 'sdk', 'js', 'testing.d.ts'), join(dist, 'testing.d.ts'));
copyFileSync(join(root, 'widgets', 'style', 'hudong.css'), join(dist, 'hudong.css'));
// The sandbox's dashboard charts (not part of the package).
mkdirSync(join(dist, 'vendor', 'uplot'), { recursive: true });
for (const f of ['uPlot.esm.js', 'uPlot.min.css']) copyFileSync(join(root, 'node_modules', 'uplot', 'dist', f), join(dist, 'vendor', 'uplot', f));

// Sizes: raw, gzip -9, brotli q11 (what CDNs serve).
const rows = [];
let total = { raw: 0, gzip: 0, brotli: 0 };
for (const f of ['hudong_wasm_bg.wasm', 'hudong_wasm.js', 'index.js', 'hudong.css']) {
  const buf = readFileSync(join(dist, f));
  const row = {
    file: f,
    raw: buf.length,
    gzip: gzipSync(buf, { level: 9 }).length,
    brotli: brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
  rows.push(row);
  for (const k of ['raw', 'gzip', 'brotli']) total[k] += row[k];
}
rows.push({ file: 'total', ...total });
writeFileSync(join(dist, 'sizes.json'), JSON.stringify(rows, null, 2) + '\n');
const kb = (n) => (n / 1024).toFixed(1).padStart(7) + ' KB';
console.log('\nfile                    raw        gzip       brotli');
for (const r of rows) console.log(r.file.padEnd(20), kb(r.raw), kb(r.gzip), kb(r.brotli));
