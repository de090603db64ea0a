// The Custom Elements Manifest (custom-elements.json, schema 2.1.0) of `hudong/elements`,
// for editors, Storybook and framework wrappers: the tags and attributes come from the
// elements' own module (what they observe), the events from the protocol's declarations.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// What each attribute does (the d.ts says the same on `HudongRoomAttributes`).
const ABOUT = {
  'room-id': 'The room (required).',
  'user-id': 'The viewer.',
  'session-id': "The viewer's session (default: one per page load).",
  locale: 'zh-CN, en, … (default: the page\'s lang).',
  theme: 'light, dark or auto.',
  'light-dom': 'Present: render into the element itself instead of a shadow root.',
  commands: 'A wss: URL (WebSocket), or an https: URL (Server-Sent Events, with snapshot-url).',
  'snapshot-url': "The room's snapshot for an SSE command stream.",
  collector: 'An HTTP events collector.',
  'time-url': "The server's clock (GET → {now}).",
  video: 'A selector of the live video: the SDK loads once it plays.',
  persist: 'false: keep unsent events in memory only.',
  'css-url': 'Where the stylesheet is (default: beside the SDK).',
  'wasm-url': 'Where the wasm is (default: beside the SDK).',
  'widget-id': "The widget's id (required).",
  spec: 'The open command without type and widget_id, as JSON.',
};

const MODULE = 'dist/elements.js';
const attribute = (name) => {
  if (!ABOUT[name]) throw new Error(`elements manifest: no description of the attribute "${name}"`);
  return { name, type: { text: name === 'light-dom' ? 'boolean' : 'string' }, description: ABOUT[name] };
};

/** The manifest, from the elements module's exports and the protocol's declarations. */
export function elementsManifest({ ROOM_ATTRIBUTES, WIDGET_ELEMENTS, HudongWidgetElement }, protocolDts) {
  const eventTypes = [...protocolDts.matchAll(/Extract<HudongEvent, \{ type: '([a-z_.]+)' \}>/g)].map((m) => m[1]);
  if (eventTypes.length < 20) throw new Error('elements manifest: the protocol declarations list too few events');
  const events = [
    { name: 'hudong-ready', type: { text: 'CustomEvent<{ room: Room }>' }, description: 'The room has loaded.' },
    { name: 'hudong-event', type: { text: 'CustomEvent<HudongEvent | ChannelStateEvent>' }, description: 'Every event, and the command channel\'s state changes.' },
    { name: 'hudong-error', type: { text: 'CustomEvent<HudongErrorEvent>' }, description: 'A typed error (a refused command, a failed transport).' },
    ...[...new Set(eventTypes)].map((t) => ({ name: t, type: { text: `CustomEvent<Extract<HudongEvent, { type: '${t}' }>>` }, description: `The protocol's ${t} event.` })),
  ];
  const roomMethods = ['apply', 'receive', 'act', 'vote', 'flush'].map((name) => ({ kind: 'method', name }));
  const room = {
    kind: 'class',
    name: 'HudongRoomElement',
    tagName: 'hudong-room',
    customElement: true,
    description: "One live room's overlay, in an open shadow root (light-dom: in the element). Loads the SDK once its video plays.",
    superclass: { name: 'HTMLElement', package: 'global:' },
    attributes: ROOM_ATTRIBUTES.map(attribute),
    members: [
      { kind: 'field', name: 'options', type: { text: 'Partial<RoomOptions> | undefined' }, description: 'Options attributes cannot carry, applied over them.' },
      { kind: 'field', name: 'room', type: { text: 'Room | null' }, readonly: true },
      { kind: 'field', name: 'ready', type: { text: 'Promise<Room>' }, readonly: true },
      ...roomMethods,
    ],
    events,
  };
  const widgetAttributes = HudongWidgetElement.observedAttributes.map(attribute);
  const widgets = Object.entries(WIDGET_ELEMENTS).map(([tag, prefix]) => ({
    kind: 'class',
    name: `Hudong${tag.slice('hudong-'.length).replace(/(^|-)([a-z])/g, (_, __, c) => c.toUpperCase())}Element`,
    tagName: tag,
    customElement: true,
    description: `A ${prefix} widget: opens ${prefix}.open with its spec in the enclosing <hudong-room>, or in a room of its own.`,
    superclass: { name: 'HudongWidgetElement', module: MODULE },
    attributes: widgetAttributes,
    members: [
      { kind: 'field', name: 'spec', type: { text: 'Record<string, unknown> | undefined' } },
      { kind: 'field', name: 'widgetId', type: { text: 'string' }, readonly: true },
      { kind: 'field', name: 'room', type: { text: 'Room | null' }, readonly: true },
    ],
    events: events.filter((e) => e.name === 'hudong-error' || e.name.startsWith('widget.') || [prefix, prefix.replace(/s$/, '')].some((p) => e.name.startsWith(`${p}.`))),
  }));
  const declarations = [room, ...widgets];
  return {
    schemaVersion: '2.1.0',
    readme: 'README.md',
    modules: [{
      kind: 'javascript-module',
      path: MODULE,
      declarations,
      exports: [
        { kind: 'js', name: 'HudongRoomElement', declaration: { name: 'HudongRoomElement', module: MODULE } },
        { kind: 'js', name: 'defineElements', declaration: { name: 'defineElements', module: MODULE } },
        ...declarations.map((d) => ({ kind: 'custom-element-definition', name: d.tagName, declaration: { name: d.name, module: MODULE } })),
      ],
    }],
  };
}

/** Reads the module and the declarations from `root` and `dist`. */
export async function buildElementsManifest(root, dist) {
  const elements = await import(join(root, 'sdk', 'js', 'elements.js'));
  return elementsManifest(elements, readFileSync(join(dist, 'protocol.d.ts'), 'utf8'));
}
