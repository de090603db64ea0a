// The headless build as a bundler builds it: commands in, state out, no view files at all.
import { createRoom } from 'hudong/headless';

async function main() {
  const room = await createRoom({ roomId: 'bundled-headless', userId: 'u-1', persist: false });
  const opened = room.apply({ type: 'poll.open', widget_id: 'p1', question: 'Which shade?', options: [{ id: 'a', label: 'Ruby' }, { id: 'b', label: 'Rose' }] });
  const voted = room.vote('p1', 'b');
  window.app = { opened, voted, widgets: room.widgets.map((w) => [w.kind, w.my_choice ?? null]) };
  document.body.dataset.ready = 'true';
}
main().catch((err) => {
  document.body.dataset.error = String(err?.stack ?? err);
});
