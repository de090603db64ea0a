// The headless build's stand-in for assets.js: no stylesheet, no language packs (it draws
// nothing, and a room with a mount is refused before either would be asked for).
export const DEFAULT_CSS_URL = null;
export const PACK_URLS = {};
