// The headless build: the same rooms and events, no overlay; the page draws its own UI.
import * as headless from '/dist/headless/index.js';
window.headless = headless;
document.body.dataset.ready = 'true';
