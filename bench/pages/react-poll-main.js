// The poll in React 19 (bundled and minified by esbuild).
harness.start();
const { mountPoll } = await import('/build/react-poll.js');
harness.ready(mountPoll(document.querySelector('#overlay'), '/dist/hudong.css'));
