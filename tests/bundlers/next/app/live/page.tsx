import type { PollOpenCommand } from 'hudong';
import { LiveRoom } from './live-room';

const open: PollOpenCommand = { type: 'poll.open', widget_id: 'p1', question: 'สีไหนดี?', options: [{ id: 'a', label: 'Ruby' }, { id: 'b', label: 'Rose' }] };

export default function Live() {
  return (<div className="stage"><LiveRoom roomId="next-live" open={open} /></div>);
}
