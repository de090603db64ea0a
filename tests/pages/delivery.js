// A host page for the delivery tests: a room with a real transport to the local collector,
// and a way to make the widgets emit events.
import { createRoom } from '/dist/index.js';

const params = new URLSearchParams(location.search);
const kind = params.get('transport') ?? 'http';
const transport =
  kind === 'websocket'
    ? { type: 'websocket', url: `ws://${location.host}/collect/ws` }
    : { type: 'http', url: '/collect' };

const emitted = [];
const errors = [];
const room = await createRoom({
  roomId: params.get('room') ?? 'delivery-room',
  userId: params.get('user') ?? 'viewer-1',
  mount: '#overlay',
  transport,
  format: params.get('format') ?? 'hudong',
  writeKey: params.get('writeKey') ?? undefined,
  consent: params.get('consent') ?? 'granted',
  personalData: params.get('personal') ? { userId: params.get('personal'), salt: 'test-salt' } : undefined,
  delivery: {
    flushIntervalMs: Number(params.get('flush') ?? 150),
    maxBatchEvents: 6,
    backoffBaseMs: 100,
    backoffMaxMs: 800,
    ...(params.get('maxQueue') ? { maxQueueEvents: Number(params.get('maxQueue')) } : {}),
  },
});

room.on('*', (e) => {
  emitted.push(e.event_id);
  window.recordEmitted?.(e.event_id);
});
room.on('error', (e) => errors.push(e));

let serial = 0;
/** n rounds of open → vote → close → remove: four events each. */
function cycles(n) {
  for (let i = 0; i < n; i++) {
    const id = `p${Date.now().toString(36)}-${serial++}`;
    room.apply({
      type: 'poll.open',
      widget_id: id,
      question: 'Which one?',
      options: [
        { id: 'a', label: 'A' },
        { id: 'b', label: 'B' },
      ],
    });
    room.vote(id, serial % 2 ? 'a' : 'b');
    room.apply({ type: 'poll.close', widget_id: id });
    room.apply({ type: 'widget.remove', widget_id: id });
  }
}

window.h = { room, emitted, errors, cycles };
document.body.dataset.ready = 'true';
