// `hudong/vue`: the custom elements in Vue 3 templates, with their attributes typed
// (`vue-tsc`, Volar). Tell Vue they are custom elements (`compilerOptions.isCustomElement:
// (tag) => tag.startsWith('hudong-')`), then:
//   import type {} from 'hudong/vue';
//   <hudong-room room-id="r1" commands="wss://…"><hudong-poll widget-id="p1" :spec="json" /></hudong-room>
import type { DefineComponent } from 'vue';
import type { HudongRoomAttributes, HudongWidgetAttributes, HudongWidgetTag } from './elements.js';

type HudongWidgetComponents = { [K in HudongWidgetTag]: DefineComponent<HudongWidgetAttributes> };

declare module 'vue' {
  interface GlobalComponents extends HudongWidgetComponents {
    'hudong-room': DefineComponent<HudongRoomAttributes>;
  }
}

export {};
