// The full SDK on window, for tests that drive createRoom in several locales.
window.Hudong = await import('/dist/index.js');
await window.Hudong.load();
document.body.dataset.ready = 'true';
