// Type-checked against the installed package: the elements in React 19 JSX, Vue 3's and
// Svelte 5's element maps, their DOM events, and the lazy room typed like the full one.
import type {} from 'hudong/react';
import type {} from 'hudong/vue';
import type {} from 'hudong/svelte';
import type { GlobalComponents } from 'vue';
import type { SvelteHTMLElements } from 'svelte/elements';
import { defineElements, type HudongRoomElement } from 'hudong/elements';
import { lazyRoom } from 'hudong/loader';
import type { PollVoteEvent } from 'hudong';

defineElements();

// React: the elements are JSX intrinsics with typed attributes.
export const show = (spec: string) => (
  <hudong-room room-id="r1" commands="wss://live.example.com/rooms/r1" video="#live" theme="dark">
    <hudong-poll widget-id="p1" spec={spec} />
    <hudong-flash-sale widget-id="f1" />
  </hudong-room>
);
// @ts-expect-error room-id is required
export const noRoom = <hudong-room theme="dark" />;
// @ts-expect-error a widget needs its widget-id
export const noWidget = <hudong-poll spec="{}" />;
// @ts-expect-error not an element Hudong defines
export const typo = <hudong-pol widget-id="p1" />;

// Vue: global components with the same attributes.
type VueRoomProps = InstanceType<GlobalComponents['hudong-room']>['$props'];
export const vueRoom: VueRoomProps = { 'room-id': 'r1', locale: 'zh-CN' };
// @ts-expect-error an attribute's value is a string
export const vueBad: VueRoomProps = { 'room-id': 42 };
type VuePollProps = InstanceType<GlobalComponents['hudong-poll']>['$props'];
export const vuePoll: VuePollProps = { 'widget-id': 'p1', spec: '{}' };

// Svelte: the element map.
export const svelteRoom: SvelteHTMLElements['hudong-room'] = { 'room-id': 'r1', video: '#live' };
// @ts-expect-error an attribute's value is a string
export const svelteBad: SvelteHTMLElements['hudong-tasks'] = { 'widget-id': 7 };

// DOM events of the elements: `detail` is the event's own type.
const el = document.querySelector('hudong-room') as HudongRoomElement;
el.addEventListener('poll.vote', (e) => {
  const ids: string[] = e.detail.option_ids;
  console.log(ids);
});
el.addEventListener('hudong-ready', (e) => e.detail.room.apply({ type: 'widget.remove', widget_id: 'p1' }));
el.addEventListener('hudong-error', (e) => console.warn(e.detail.code));
// @ts-expect-error a poll vote has no `outcome`
el.addEventListener('poll.vote', (e) => e.detail.outcome);

// The lazy room: the same event types as the full one.
const lazy = lazyRoom({ roomId: 'r1', mount: '#overlay' });
const off = lazy.on('poll.vote', (e) => {
  const vote: PollVoteEvent = e;
  console.log(vote.option_ids);
});
off();
// @ts-expect-error not an event type
lazy.on('poll.vot', () => {});
