// A host page of another project, using the installed `hudong` package.
// The test checks that Node resolves the bare specifier `hudong` to this very file.
import { createRoom, PROTOCOL_VERSION } from '/node_modules/hudong/dist/index.js';

const log = { events: [], sunk: [], errors: [], protocol: PROTOCOL_VERSION };
window.hudongTest = log;

let failTransport = false;
log.failTransport = (on) => (failTransport = on);

const room = await createRoom({
  roomId: 'shop-1',
  mount: '#overlay',
  userId: 'u-1',
  locale: 'en',
  seed: 42,
  persist: false,
  delivery: { flushIntervalMs: 50, backoffBaseMs: 50, backoffMaxMs: 200 },
  // The host's own transport: resolve when the batch is stored.
  transport: async (batch) => {
    if (failTransport) throw new Error('collector unreachable');
    log.sunk.push(...batch.events);
  },
});
room.on('*', (e) => log.events.push(e));
room.on('error', (e) => log.errors.push(e));
log.room = room;
document.body.dataset.ready = 'true';
