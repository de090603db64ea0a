// How the sandbox's pages get their credentials from the reference backend, as a host page
// would from its own servers: the host key (the console's, given once in the address as
// `#key=…` by `npm start`) and a viewer's signed session token (`POST /rooms/{id}/join`).
const STORE = 'hudong-demo-host-key';
const fromHash = new URLSearchParams(location.hash.slice(1)).get('key');
if (fromHash) {
  localStorage.setItem(STORE, fromHash);
  history.replaceState(null, '', location.pathname + location.search); // keep it out of the address bar
}
export const hostKey = localStorage.getItem(STORE);

/** Headers for the host's calls (commands, members, follows, the load tool). */
export const hostHeaders = () => ({ 'content-type': 'application/json', ...(hostKey ? { authorization: `Bearer ${hostKey}` } : {}) });

/**
 * Joins the room as `userId` and returns the room options that carry the session token:
 * `userId` (the token's), `sessionId`, the command socket's URL and the transport's headers. Without the reference
 * backend (the lightweight development server) there is nothing to join.
 */
export async function join(roomId, userId) {
  const ask = (body) =>
    fetch(`/rooms/${encodeURIComponent(roomId)}/join`, { method: 'POST', headers: hostHeaders(), body: JSON.stringify(body) }).catch(() => null);
  let res = await ask({ user_id: userId });
  // Naming the viewer takes the host key; a page without it (a phone on the LAN) joins as
  // an anonymous viewer the backend names — and, presenting the token it got last time,
  // stays that viewer across reloads.
  const kept = `hudong-demo-anonymous:${roomId}`;
  if (res?.status === 403) {
    const renew = localStorage.getItem(kept);
    res = await ask(renew ? { renew } : {});
  }
  const ws = `/rooms/${encodeURIComponent(roomId)}/ws`;
  if (!res?.ok) {
    return { commands: { type: 'websocket', url: `${ws}?user=${encodeURIComponent(userId)}` }, transport: { type: 'http', url: '/collect' } };
  }
  const session = await res.json();
  if (session.user_id.startsWith('anon-')) localStorage.setItem(kept, session.token);
  return {
    userId: session.user_id,
    sessionId: session.session_id,
    commands: { type: 'websocket', url: `${ws}?token=${encodeURIComponent(session.token)}` },
    transport: { type: 'http', url: '/collect', headers: { authorization: `Bearer ${session.token}` } },
  };
}
