// The official IVS Chat Messaging JavaScript client under the messaging client benchmark
// (`cargo run --release -p ivschat-bench --bin messaging-client-bench`), which measures this
// process from outside (CPU time and resident memory from /proc) while it works.
//
//   node bench.mjs
//
// Commands arrive on stdin, one JSON object per line; answers go to stdout:
//   {"cmd":"connect","endpoint":URL,"tokens":[T,...]}  -> {"event":"connected","rooms":N}
//   {"cmd":"roundtrip","messages":N}                   -> {"event":"done","seconds":S}
//   {"cmd":"receive","messages":N}                     -> {"event":"receiving"}, then
//                                                         {"event":"done","seconds":S} once the
//                                                         first room received N messages
//   {"cmd":"quit"}
// It starts with {"event":"ready"}. Errors end the process with a message on stderr.

import { createInterface } from 'node:readline';
import { WebSocket } from 'ws';
import { ChatRoom, SendMessageRequest } from 'amazon-ivs-chat-messaging';

// Node 20 has no global WebSocket; the SDK uses whatever global there is.
globalThis.WebSocket = WebSocket;

const out = (answer) => process.stdout.write(`${JSON.stringify(answer)}\n`);
const fail = (error) => {
  process.stderr.write(`bench.mjs: ${error?.message ?? JSON.stringify(error)}\n`);
  process.exit(1);
};
const quiet = { debug() {}, info() {}, error() {} };
const rooms = [];

// A room on one token whose expiry is an hour away: no refresh during the run.
const join = (endpoint, token) =>
  new Promise((resolve, reject) => {
    const room = new ChatRoom({
      regionOrUrl: endpoint,
      tokenProvider: async () => ({ token, tokenExpirationTime: new Date(Date.now() + 3600e3) }),
    });
    // Its default level is 'debug', which logs every step (and the token) to the console.
    room.logLevel = 'error';
    room.logger = quiet;
    const off = [
      room.addListener('connect', () => {
        off.forEach((f) => f());
        resolve(room);
      }),
      room.addListener('disconnect', (reason) => {
        off.forEach((f) => f());
        reject(new Error(`disconnected while connecting: ${reason}`));
      }),
    ];
    room.connect();
  });

// Sends `n` messages one after the other, each once its own echo came back.
async function roundTrips(n) {
  const room = rooms[0];
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i += 1) {
    await room.sendMessage(new SendMessageRequest(`message ${i}`));
  }
  return Number(process.hrtime.bigint() - started) / 1e9;
}

// Counts the first room's messages (sent by someone else) until `n`; answers at once.
function receive(n) {
  let count = 0;
  let started;
  const offDisconnect = rooms[0].addListener('disconnect', (reason) => {
    out({ event: 'error', error: `disconnected: ${reason}` });
  });
  const off = rooms[0].addListener('message', () => {
    if (count === 0) started = process.hrtime.bigint();
    count += 1;
    if (count === n) {
      off();
      offDisconnect();
      out({ event: 'done', seconds: Number(process.hrtime.bigint() - started) / 1e9 });
    }
  });
  out({ event: 'receiving' });
}

async function run(command) {
  switch (command.cmd) {
    case 'connect':
      rooms.push(...(await Promise.all(command.tokens.map((t) => join(command.endpoint, t)))));
      out({ event: 'connected', rooms: rooms.length });
      break;
    case 'roundtrip':
      out({ event: 'done', seconds: await roundTrips(command.messages) });
      break;
    case 'receive':
      receive(command.messages);
      break;
    case 'quit':
      process.exit(0);
      break;
    default:
      fail(new Error(`unknown command ${command.cmd}`));
  }
}

// One command at a time, in order.
let queue = Promise.resolve();
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() !== '') queue = queue.then(() => run(JSON.parse(line))).catch(fail);
});
out({ event: 'ready' });
