// A live room in React 19 with Hudong's custom elements: props go in as properties, Hudong's
// DOM events come out through `on<event>` props. No wrapper library needed.
import { useEffect, useRef, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { defineElements } from 'hudong/elements';

defineElements();

const SHADES = {
  question: '哪个色号更适合主播？',
  options: [
    { id: 'ruby', label: '正红 Ruby' },
    { id: 'rose', label: '玫瑰 Rose' },
  ],
};

function LiveRoom() {
  const room = useRef(null);
  const [log, setLog] = useState([]);
  const [showPoll, setShowPoll] = useState(true);

  // Commands from your room backend go to the element (here: a tally every few seconds).
  useEffect(() => {
    const timer = setInterval(() => {
      room.current?.apply({ type: 'poll.tally', widget_id: 'shade', counts: { ruby: 120 + Math.floor(Math.random() * 10), rose: 98 } });
    }, 3000);
    return () => clearInterval(timer);
  }, []);

  return (
    <>
      <div className="stage">
        <video playsInline muted />
        <hudong-room
          ref={room}
          room-id="room-8848"
          user-id="viewer-1"
          locale="zh-CN"
          persist="false"
          onhudong-event={(e) => setLog((l) => [...l.slice(-4), e.detail.type])}
          onhudong-error={(e) => setLog((l) => [...l.slice(-4), `error: ${e.detail.code}`])}
        >
          {showPoll && <hudong-poll widget-id="shade" spec={SHADES} />}
        </hudong-room>
      </div>
      <div className="log">
        <button type="button" onClick={() => setShowPoll((v) => !v)}>{showPoll ? 'Remove the poll' : 'Show the poll'}</button>
        <ol aria-label="events">{log.map((t, i) => <li key={i}>{t}</li>)}</ol>
      </div>
    </>
  );
}

createRoot(document.getElementById('root')).render(<LiveRoom />);
