// The poll in plain DOM JavaScript.
harness.start();
const { mountPoll } = await import('/build/plain-poll.js');
harness.ready(mountPoll(document.querySelector('#overlay'), '/dist/hudong.css'));
