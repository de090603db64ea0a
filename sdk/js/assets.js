// The view's files the facade loads beside itself: the stylesheet and the language packs.
// One literal `new URL` each, so bundlers (Vite, webpack) see and emit each file. The
// headless build bundles assets-headless.js instead: it draws nothing and ships none of them.
export const DEFAULT_CSS_URL = new URL('./hudong.css', import.meta.url);
export const PACK_URLS = {
  'zh-TW': () => new URL('./locales/zh-TW.json', import.meta.url),
  id: () => new URL('./locales/id.json', import.meta.url),
  th: () => new URL('./locales/th.json', import.meta.url),
  vi: () => new URL('./locales/vi.json', import.meta.url),
};
