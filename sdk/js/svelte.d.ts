// `hudong/svelte`: the custom elements in Svelte 5 markup, with their attributes typed
// (`svelte-check`):
//   import type {} from 'hudong/svelte';
//   <hudong-room room-id="r1" commands="wss://…"><hudong-poll widget-id="p1" spec={json}></hudong-poll></hudong-room>
import type { HTMLAttributes } from 'svelte/elements';
import type { HudongRoomAttributes, HudongRoomElement, HudongWidgetAttributes, HudongWidgetElement, HudongWidgetTag } from './elements.js';

type HudongWidgetElements = { [K in HudongWidgetTag]: HTMLAttributes<HudongWidgetElement> & HudongWidgetAttributes };

declare module 'svelte/elements' {
  interface SvelteHTMLElements extends HudongWidgetElements {
    'hudong-room': HTMLAttributes<HudongRoomElement> & HudongRoomAttributes;
  }
}

export {};
