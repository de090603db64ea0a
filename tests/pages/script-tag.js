// A page without a bundler or modules: one classic script tag gives `window.Hudong`.
/* global Hudong */
var events = [];
var room = Hudong.lazyRoom({ roomId: 'tag-1', userId: 'u-1', mount: '#overlay', locale: 'en', persist: false });
room.on('*', function (e) { events.push(e.type); });
var queued = room.apply({ type: 'poll.open', widget_id: 'p1', question: 'Which one?', options: [{ id: 'a', label: 'Ruby' }, { id: 'b', label: 'Rose' }] });

function play() {
  var video = document.querySelector('video');
  var canvas = document.createElement('canvas');
  canvas.width = 64;
  canvas.height = 36;
  var ctx = canvas.getContext('2d');
  setInterval(function () { ctx.fillStyle = 'hsl(' + (Date.now() % 360) + ' 60% 50%)'; ctx.fillRect(0, 0, 64, 36); }, 30);
  video.srcObject = canvas.captureStream(30);
  return video.play();
}
window.scriptTag = { room: room, events: events, queued: queued, play: play };
document.body.dataset.ready = 'true';
