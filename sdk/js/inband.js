// Commands carried by the video itself, as timed metadata: ID3 tags in the stream's segments
// (`TXXX` frames described `hudong`, each the channel's message `{pts, ...command}`), as an
// encoder's PutMetadata or the reference backend's `POST /stream/metadata` write them.

/** The largest command carried in a stream's metadata, in bytes of JSON text (as IVS's). */
export const MAX_INBAND_BYTES = 1024;

/** The description of the ID3 `TXXX` frames that carry Hudong's messages. */
export const INBAND_DESCRIPTION = 'hudong';

const size = (b, i, syncsafe) =>
  syncsafe
    ? ((b[i] & 0x7f) << 21) | ((b[i + 1] & 0x7f) << 14) | ((b[i + 2] & 0x7f) << 7) | (b[i + 3] & 0x7f)
    : ((b[i] << 24) >>> 0) + (b[i + 1] << 16) + (b[i + 2] << 8) + b[i + 3];

const DECODERS = ['latin1', 'utf-16', 'utf-16be', 'utf-8'];

/** Splits a text frame's body at its description's terminator: `[description, value]`. */
function textFrame(body) {
  const encoding = body[0];
  const decoder = new TextDecoder(DECODERS[encoding] ?? 'utf-8');
  const wide = encoding === 1 || encoding === 2;
  let end = 1;
  while (end < body.length && !(body[end] === 0 && (!wide || (body[end + 1] === 0 && (end - 1) % 2 === 0)))) end += 1;
  const value = body.subarray(end + (wide ? 2 : 1));
  // A value may end with its own terminator.
  const trimmed = value.length && value[value.length - 1] === 0 ? value.subarray(0, value.length - 1) : value;
  return [decoder.decode(body.subarray(1, end)), decoder.decode(trimmed)];
}

/**
 * The Hudong messages in an ID3v2.3/2.4 tag (the bytes of one metadata sample): the values of
 * its `TXXX` frames described `hudong`. Anything that is not such a tag gives none.
 * @param {Uint8Array} bytes
 * @returns {string[]}
 */
export function hudongFrames(bytes) {
  const out = [];
  if (!(bytes instanceof Uint8Array) || bytes.length < 10) return out;
  if (bytes[0] !== 0x49 || bytes[1] !== 0x44 || bytes[2] !== 0x33) return out; // "ID3"
  const version = bytes[3];
  if (version !== 3 && version !== 4) return out;
  const end = Math.min(bytes.length, 10 + size(bytes, 6, true));
  let i = 10;
  if (bytes[5] & 0x40) i += version === 4 ? size(bytes, 10, true) : 4 + size(bytes, 10, false); // extended header
  while (i + 10 <= end) {
    const id = String.fromCharCode(bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]);
    const length = size(bytes, i + 4, version === 4);
    if (!/^[A-Z0-9]{4}$/.test(id) || length <= 0 || i + 10 + length > end) break;
    if (id === 'TXXX') {
      const [description, value] = textFrame(bytes.subarray(i + 10, i + 10 + length));
      if (description === INBAND_DESCRIPTION) out.push(value);
    }
    i += 10 + length;
  }
  return out;
}

/**
 * A message from a stream's metadata as the room takes it: parsed (it is at most 1 KB), its
 * `pts` given by `at` when it carries none. Throws a `RangeError` for one over the limit and
 * a `SyntaxError` for one that is not a JSON object.
 * @param {string} text
 * @param {number | undefined} at  the sample's moment in stream time, when known
 */
export function inbandMessage(text, at) {
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > MAX_INBAND_BYTES) {
    throw new RangeError(`a command in the stream's metadata is ${bytes} bytes long; the limit is ${MAX_INBAND_BYTES} bytes`);
  }
  const message = JSON.parse(text);
  if (message === null || typeof message !== 'object' || Array.isArray(message)) throw new SyntaxError('a command in the stream\'s metadata is not a JSON object');
  if (message.pts == null && Number.isFinite(at)) message.pts = Math.round(at);
  return message;
}
