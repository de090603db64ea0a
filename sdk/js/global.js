// The script-tag build (`dist/hudong.global.js`): for pages without a bundler.
//
//   <script src="https://cdn.example.com/hudong/dist/hudong.global.js"></script>
//   <script>
//     const room = Hudong.lazyRoom({ roomId: 'r1', mount: '#overlay' });
//     room.apply({ type: 'poll.open', … });   // kept until the SDK has loaded
//   </script>
//
// A couple of kilobytes: the loader and the custom elements. The SDK (`index.js` and its
// wasm, beside this file) is imported only when a room starts, after the video plays.
import { lazyRoom as lazy } from './loader.js';
import { defineElements, setSdkUrl } from './elements.js';

const here = document.currentScript?.src ?? location.href;
const sdkUrl = new URL('./index.js', here).href;
setSdkUrl(sdkUrl);

/** As `lazyRoom` from `hudong/loader`. */
export const lazyRoom = (options, load = {}) => lazy(options, { sdkUrl, ...load });
/** As `createRoom` from `hudong`: imports the SDK now. */
export const createRoom = (options) => import(sdkUrl).then((m) => m.createRoom(options));
/** Fetches and compiles the SDK now, to have it ready early. */
export const load = (options) => import(sdkUrl).then((m) => m.load(options));
export { defineElements };

defineElements();
