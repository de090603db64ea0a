// Hudong as custom elements, for plain HTML, React, Vue or any framework that renders DOM:
//
//   <hudong-room room-id="r1" commands="wss://live.example.com/rooms/r1" video="#live">
//     <hudong-poll widget-id="p1" spec='{"question":"Which shade?","options":[…]}'></hudong-poll>
//   </hudong-room>
//
// Attributes and properties go in; every Hudong event comes out as a DOM CustomEvent that
// bubbles and crosses shadow roots. The elements are light: the SDK itself is fetched when
// the first room connects (after the video plays, when a `video` is named), through the loader.
import { lazyRoom } from './loader.js';

/** Widget elements: tag → the prefix of their commands. */
export const WIDGET_ELEMENTS = Object.freeze({
  'hudong-poll': 'poll',
  'hudong-quiz': 'quiz',
  'hudong-redeem': 'redeem',
  'hudong-flash-sale': 'flash',
  'hudong-try-on': 'tryon',
  'hudong-lottery': 'lottery',
  'hudong-lead': 'lead',
  'hudong-likes': 'likes',
  'hudong-products': 'products',
  'hudong-coupon': 'coupon',
  'hudong-questions': 'questions',
  'hudong-tasks': 'tasks',
});

export const ROOM_ATTRIBUTES = [
  'room-id', 'user-id', 'session-id', 'locale', 'theme', 'light-dom', 'commands', 'snapshot-url',
  'collector', 'time-url', 'video', 'persist', 'css-url', 'wasm-url',
];

const BaseElement = globalThis.HTMLElement ?? class {};

function fire(el, type, detail) {
  el.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
}

// Defaults the host's own CSS always wins over (`:where` has no specificity): the elements are
// boxes the overlay is positioned in. Constructed sheets are not inline styles, so a strict
// style-src Content-Security-Policy lets them through.
function adoptDefaultStyle() {
  if (!globalThis.CSSStyleSheet || !document.adoptedStyleSheets) return;
  const tags = ['hudong-room', ...Object.keys(WIDGET_ELEMENTS)].join(', ');
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(`:where(${tags}) { display: block; position: relative; }`);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
}

/** The overlay is anchored to the bottom of the element's box: a box with no height hides it. */
function warnIfFlat(room, tries = 20) {
  const box = room.style.display === 'contents' ? room.parentElement : room;
  if (!box?.isConnected) return;
  // Until its stylesheet has loaded the overlay sits in the flow and gives the box a height.
  const overlay = (room.shadowRoot ?? room).querySelector('.hd-overlay');
  if (!overlay || getComputedStyle(overlay).position !== 'absolute') {
    if (tries > 0) setTimeout(() => warnIfFlat(room, tries - 1), 250);
    return;
  }
  if (box.getBoundingClientRect().height > 0) return;
  console.warn(`<${box.localName}> has no height, so its widgets are drawn outside it: place it over the video (position: absolute; inset: 0) or give it a height.`);
}

/** Options for `createRoom` from the element's attributes, then its `options` property. */
function roomOptions(el) {
  const attr = (name) => el.getAttribute(name) ?? undefined;
  const options = {
    roomId: attr('room-id'),
    userId: attr('user-id'),
    sessionId: attr('session-id'),
    locale: attr('locale') ?? document.documentElement.lang ?? undefined,
    theme: attr('theme'),
    mount: el,
    shadow: !el.hasAttribute('light-dom'),
    persist: attr('persist') !== 'false',
    cssUrl: attr('css-url'),
    wasmUrl: attr('wasm-url'),
    timeUrl: attr('time-url'),
  };
  const commands = attr('commands');
  if (commands) {
    const url = new URL(commands, location.href);
    options.commands = url.protocol === 'ws:' || url.protocol === 'wss:'
      ? { type: 'websocket', url: url.href }
      : { type: 'sse', url: url.href, snapshotUrl: new URL(attr('snapshot-url') ?? commands, location.href).href };
  }
  const collector = attr('collector');
  if (collector) options.transport = { type: 'http', url: new URL(collector, location.href).href };
  for (const key of Object.keys(options)) if (options[key] === undefined || options[key] === '') delete options[key];
  return { ...options, ...el.options };
}

/**
 * `<hudong-room>`: one live room's overlay. Renders into its own open shadow root
 * (`light-dom` renders into the element itself). Reads its attributes when connected; a
 * changed attribute, or a new `options` object, starts the room again.
 */
export class HudongRoomElement extends BaseElement {
  static observedAttributes = ROOM_ATTRIBUTES;

  #lazy = null;
  #options;
  #pending = false;
  #widgets = new Set();
  #checked = false;

  /** Extra `createRoom` options (functions, objects), applied over the attributes. */
  get options() { return this.#options; }
  set options(value) {
    this.#options = value ?? undefined;
    this.#restart();
  }

  /** The loaded room (`null` until `ready` resolves, or while disconnected). */
  get room() { return this.#lazy?.room ?? null; }
  /** Resolves with the room once it has loaded. */
  get ready() { return this.#lazy ? this.#lazy.ready : Promise.reject(new Error('<hudong-room> is not connected')); }

  connectedCallback() {
    if (this.#lazy || this.#pending) return;
    this.#start();
  }

  disconnectedCallback() {
    // A move (disconnect then connect in one task) keeps the room.
    queueMicrotask(() => {
      if (!this.isConnected) this.#stop();
    });
  }

  attributeChangedCallback(name, old, value) {
    if (old === value) return;
    // Another language is drawn live: the room and its widgets stay as they are.
    if (name === 'locale' && this.#lazy && !this.#pending) {
      const result = this.#lazy.setLocale(value || document.documentElement.lang || 'zh-CN');
      Promise.resolve(result).then((r) => {
        if (r && !r.ok && !r.queued) fire(this, 'hudong-error', { type: 'error', ...r.error });
      });
      return;
    }
    this.#restart();
  }

  #restart() {
    if (!this.#lazy || this.#pending) return;
    this.#pending = true;
    queueMicrotask(() => {
      this.#pending = false;
      if (!this.isConnected) return;
      this.#stop();
      this.#start();
    });
  }

  #start() {
    const options = roomOptions(this);
    if (!options.roomId) {
      fire(this, 'hudong-error', { type: 'error', code: 'invalid_options', message: '<hudong-room> needs a room-id attribute' });
      return;
    }
    const selector = this.getAttribute('video');
    const video = selector ? document.querySelector(selector) : null;
    const lazy = lazyRoom(options, { video, maxWaitMs: video ? undefined : 0, sdkUrl: sdkUrl.value });
    this.#lazy = lazy;
    lazy.on('*', (event) => {
      if (event.type === 'widget.shown' && !this.#checked) {
        this.#checked = true;
        requestAnimationFrame(() => warnIfFlat(this));
      }
      fire(this, 'hudong-event', event);
      fire(this, event.type, event);
    });
    lazy.on('error', (error) => fire(this, 'hudong-error', error));
    lazy.ready.then((room) => {
      if (this.#lazy === lazy) fire(this, 'hudong-ready', { room });
    }, () => {});
    for (const widget of this.#widgets) widget.openIn(this);
  }

  #stop() {
    this.#lazy?.destroy();
    this.#lazy = null;
  }

  /** @internal a widget element inside this room. */
  adopt(widget) { this.#widgets.add(widget); if (this.#lazy) widget.openIn(this); }
  /** @internal */
  release(widget) { this.#widgets.delete(widget); }

  apply(command) { return this.#call('apply', command); }
  receive(message) { return this.#call('receive', message); }
  act(action) { return this.#call('act', action); }
  vote(widgetId, optionIds) { return this.#call('vote', widgetId, optionIds); }
  flush() { return this.#call('flush'); }

  #call(name, ...args) {
    if (!this.#lazy) return { ok: false, error: { code: 'not_connected', message: '<hudong-room> is not in the document' } };
    return this.#lazy[name](...args);
  }
}

/** A spec given as JSON: the object, or `{error}` when it is not JSON. */
function parseSpec(json) {
  try {
    return JSON.parse(json);
  } catch (err) {
    return { error: err };
  }
}

/**
 * A widget as an element: its `*.open` command comes from the `spec` property (or the `spec`
 * attribute, as JSON) and `widget-id`. Inside a `<hudong-room>` it opens in that room's
 * overlay; on its own it is a room of its own (`room-id` and the room's other attributes).
 * Removing the element removes the widget.
 */
export class HudongWidgetElement extends BaseElement {
  static observedAttributes = ['widget-id', 'spec', ...ROOM_ATTRIBUTES];

  #spec;
  #host = null;
  #own = null;
  #opened = null;

  /** The widget's `<prefix>.open` command without `type` and `widget_id`. */
  get spec() {
    if (this.#spec !== undefined) return this.#spec;
    const raw = this.getAttribute('spec');
    return raw == null ? undefined : parseSpec(raw);
  }
  /** An object, or JSON as the attribute takes it (what server-rendered frameworks hand over). */
  set spec(value) {
    const next = typeof value === 'string' ? parseSpec(value) : value ?? undefined;
    // The same spec again (a framework hydrating what the server rendered) leaves the open
    // widget as it is: re-opening would drop the viewer's state in it.
    const same = this.#opened && !(next?.error instanceof Error) && JSON.stringify(next) === JSON.stringify(this.spec);
    this.#spec = next;
    if (!same) this.#reopen();
  }

  get widgetId() { return this.getAttribute('widget-id') ?? this.id ?? ''; }
  /** The room this widget is in (its `<hudong-room>`'s, or its own). */
  get room() { return this.#host?.room ?? this.#own?.room ?? null; }

  connectedCallback() {
    this.#host = this.parentElement?.closest('hudong-room') ?? null;
    if (this.#host) {
      this.#host.adopt(this);
    } else if (!this.#own) {
      this.#own = document.createElement('hudong-room');
      for (const name of ROOM_ATTRIBUTES) {
        const value = this.getAttribute(name);
        if (value != null) this.#own.setAttribute(name, value);
      }
      this.#own.style.display = 'contents';
      this.append(this.#own);
      this.openIn(this.#own);
    }
  }

  disconnectedCallback() {
    queueMicrotask(() => {
      if (this.isConnected) return;
      this.#close();
      this.#host?.release(this);
      this.#host = null;
      this.#own?.remove();
      this.#own = null;
    });
  }

  attributeChangedCallback(name, old, value) {
    if (old === value) return;
    if (ROOM_ATTRIBUTES.includes(name)) {
      if (value == null) this.#own?.removeAttribute(name);
      else this.#own?.setAttribute(name, value);
    } else {
      this.#reopen();
    }
  }

  #target() { return this.#host ?? this.#own; }

  #reopen() {
    const target = this.#target();
    if (!target) return;
    this.#close();
    this.openIn(target);
  }

  #close() {
    const target = this.#target();
    if (this.#opened && target) target.apply({ type: 'widget.remove', widget_id: this.#opened });
    this.#opened = null;
  }

  /** @internal applies this widget's open command to `room`. */
  openIn(room) {
    const spec = this.spec;
    if (spec === undefined) return;
    const prefix = WIDGET_ELEMENTS[this.localName];
    const widgetId = this.widgetId;
    let error = null;
    if (!widgetId) error = `<${this.localName}> needs a widget-id attribute`;
    else if (spec?.error instanceof Error) error = `<${this.localName} widget-id="${widgetId}">: the spec attribute is not JSON: ${spec.error.message}`;
    else if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) error = `<${this.localName}>: spec must be an object`;
    if (error) {
      fire(this, 'hudong-error', { type: 'error', code: 'invalid_field', message: error });
      return;
    }
    const result = room.apply({ ...spec, type: `${prefix}.open`, widget_id: widgetId });
    if (result?.ok === false) fire(this, 'hudong-error', { type: 'error', ...result.error });
    else this.#opened = widgetId;
  }
}

// Where the SDK is fetched from: beside this module, unless the script-tag build says otherwise.
const sdkUrl = { value: undefined };
/** @internal used by the script-tag build, whose code has no module URL. */
export function setSdkUrl(url) { sdkUrl.value = url; }

/**
 * Registers `<hudong-room>` and the widget elements (`<hudong-poll>`, `<hudong-quiz>`, …).
 * Safe to call more than once; a name some other script defined first is left alone.
 */
export function defineElements(registry = globalThis.customElements) {
  if (!registry) return;
  if (!registry.get('hudong-room')) {
    adoptDefaultStyle();
    registry.define('hudong-room', HudongRoomElement);
  }
  for (const tag of Object.keys(WIDGET_ELEMENTS)) {
    if (!registry.get(tag)) registry.define(tag, class extends HudongWidgetElement {});
  }
}
