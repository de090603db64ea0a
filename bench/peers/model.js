// The poll logic both peers share, so they differ from Hudong only in how they render:
// the same commands (poll.open, poll.tally), the same rules (counts never fall, a vote
// counts once, percentages by largest remainder) and the same markup and strings.
export const STRINGS = {
  lang: 'en', overlay: 'Live interactions', poll: 'Poll', tapToVote: 'Tap an option to vote',
  yourChoice: 'Your choice', voted: 'Vote received', votes: 'votes',
};

export function openPoll(cmd) {
  return { id: cmd.widget_id, question: cmd.question, options: cmd.options, counts: cmd.options.map(() => 0), mine: -1 };
}

/** Applies a command to a poll; returns the next poll (a new object when it changed). */
export function reduce(poll, cmd) {
  if (cmd.type === 'poll.open') return openPoll(cmd);
  if (!poll || cmd.widget_id !== poll.id) return poll;
  if (cmd.type === 'poll.tally') {
    const counts = poll.options.map((o, i) => Math.max(poll.counts[i], cmd.counts[o.id] ?? 0));
    return counts.every((c, i) => c === poll.counts[i]) ? poll : { ...poll, counts };
  }
  return poll;
}

export function vote(poll, index) {
  if (poll.mine >= 0) return poll;
  const counts = poll.counts.slice();
  counts[index] += 1;
  return { ...poll, counts, mine: index };
}

export function percentages(counts) {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return counts.map(() => 0);
  const floors = counts.map((c) => Math.floor((c * 100) / total));
  const rema = counts.map((c, i) => [(c * 100) % total, i]).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  let missing = 100 - floors.reduce((a, b) => a + b, 0);
  for (const [, i] of rema) if (missing-- > 0) floors[i] += 1;
  return floors;
}

export const total = (poll) => poll.counts.reduce((a, b) => a + b, 0);
