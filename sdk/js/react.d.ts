// `hudong/react`: the custom elements in React 19's JSX (TSX), with their attributes typed.
//   import type {} from 'hudong/react';   // or: /// <reference types="hudong/react" />
//   <hudong-room room-id="r1" commands="wss://…" video="#live"><hudong-poll widget-id="p1" spec={json} /></hudong-room>
// React 19 sets unknown props on custom elements as properties when the element has one
// (`options`, `spec`) and as attributes otherwise; events: `addEventListener` on a ref.
import type { DetailedHTMLProps, HTMLAttributes } from 'react';
import type { HudongRoomAttributes, HudongRoomElement, HudongWidgetAttributes, HudongWidgetElement, HudongWidgetTag } from './elements.js';

type HudongRoomProps = DetailedHTMLProps<HTMLAttributes<HudongRoomElement>, HudongRoomElement> &
  HudongRoomAttributes & { options?: HudongRoomElement['options'] };
type HudongWidgetProps = DetailedHTMLProps<HTMLAttributes<HudongWidgetElement>, HudongWidgetElement> & HudongWidgetAttributes;

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements extends Record<HudongWidgetTag, HudongWidgetProps> {
      'hudong-room': HudongRoomProps;
    }
  }
}

export type { HudongRoomProps, HudongWidgetProps };
