// A live room in Vue 3 with Hudong's custom elements. Vue sets `spec` as a property (the
// element defines it) and listens to Hudong's DOM events with `onHudong-event`.
import { createApp, h, ref, onMounted, onBeforeUnmount } from 'vue';
import { defineElements } from 'hudong/elements';

defineElements();

const SHADES = {
  question: '哪个色号更适合主播？',
  options: [
    { id: 'ruby', label: '正红 Ruby' },
    { id: 'rose', label: '玫瑰 Rose' },
  ],
};

const LiveRoom = {
  setup() {
    const room = ref(null);
    const log = ref([]);
    const showPoll = ref(true);
    const push = (line) => { log.value = [...log.value.slice(-4), line]; };
    let timer;
    // Commands from your room backend go to the element (here: a tally every few seconds).
    onMounted(() => {
      timer = setInterval(() => {
        room.value?.apply({ type: 'poll.tally', widget_id: 'shade', counts: { ruby: 120 + Math.floor(Math.random() * 10), rose: 98 } });
      }, 3000);
    });
    onBeforeUnmount(() => clearInterval(timer));
    return () => [
      h('div', { class: 'stage' }, [
        h('video', { playsinline: true, muted: true }),
        h('hudong-room', {
          ref: room,
          'room-id': 'room-8848',
          'user-id': 'viewer-1',
          locale: 'zh-CN',
          persist: 'false',
          'onHudong-event': (e) => push(e.detail.type),
          'onHudong-error': (e) => push(`error: ${e.detail.code}`),
        }, showPoll.value ? [h('hudong-poll', { 'widget-id': 'shade', spec: SHADES })] : []),
      ]),
      h('div', { class: 'log' }, [
        h('button', { type: 'button', onClick: () => { showPoll.value = !showPoll.value; } }, showPoll.value ? 'Remove the poll' : 'Show the poll'),
        h('ol', { 'aria-label': 'events' }, log.value.map((t, i) => h('li', { key: i }, t))),
      ]),
    ];
  },
};

createApp(LiveRoom).mount('#app');
