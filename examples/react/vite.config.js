// Plain Vite: esbuild compiles the JSX; Hudong's wasm, stylesheet and language packs are
// found by Vite through the package's `new URL(…, import.meta.url)`.
export default {
  esbuild: { jsx: 'automatic' },
};
