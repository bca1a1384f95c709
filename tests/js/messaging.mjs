// Drives the official IVS Chat Messaging JavaScript client against a Messaging
// API endpoint, for `tests/messaging_js.rs`.
//
//   node messaging.mjs ws://127.0.0.1:PORT
//
// Commands arrive on stdin, one JSON object per line; everything the clients
// see is written to stdout, one JSON object per line:
//   {"cmd":"connect","client":NAME,"tokens":[{token,tokenExpirationTime,sessionExpirationTime}],"maxReconnectAttempts":N}
//   {"cmd":"send","client":NAME,"tag":TAG,"content":S,"attributes":{...}}
//   {"cmd":"delete","client":NAME,"tag":TAG,"id":ID,"reason":S}
//   {"cmd":"disconnectUser","client":NAME,"tag":TAG,"userId":S,"reason":S}
//   {"cmd":"quit"}
// The token provider hands out the given tokens in order, then fails.

import { createInterface } from 'node:readline';
import { WebSocket } from 'ws';
import {
  ChatRoom,
  DeleteMessageRequest,
  DisconnectUserRequest,
  SendMessageRequest,
} from 'amazon-ivs-chat-messaging';

// Node 20 has no global WebSocket; the SDK uses whatever global there is.
globalThis.WebSocket = WebSocket;

const endpoint = process.argv[2];
const rooms = new Map();
const out = (observation) => process.stdout.write(`${JSON.stringify(observation)}\n`);
const optional = (v) => (v === undefined ? null : v);

// Log arguments as JSON: errors and error events by their message, the rest as they are.
const describe = (value) => {
  if (value instanceof Error) return value.message;
  if (value && typeof value === 'object' && 'message' in value) return String(value.message);
  return value === undefined ? null : value;
};

const message = (m) => ({
  id: m.id,
  requestId: optional(m.requestId),
  content: m.content,
  attributes: optional(m.attributes),
  sendTime: m.sendTime.toISOString(),
  sender: { userId: m.sender.userId, attributes: optional(m.sender.attributes) },
});

const event = (e) => ({
  id: e.id,
  requestId: optional(e.requestId),
  eventName: e.eventName,
  attributes: optional(e.attributes),
  sendTime: e.sendTime.toISOString(),
});

const deletion = (e) => ({
  id: e.id,
  requestId: optional(e.requestId),
  messageId: e.messageId,
  reason: optional(e.reason),
  sendTime: e.sendTime.toISOString(),
});

const disconnection = (e) => ({
  id: e.id,
  requestId: optional(e.requestId),
  userId: e.userId,
  reason: optional(e.reason),
  sendTime: e.sendTime.toISOString(),
});

const chatError = (e) => ({
  id: optional(e.id),
  requestId: optional(e.requestId),
  errorCode: optional(e.errorCode),
  errorMessage: optional(e.errorMessage),
});

function connect({ client, tokens, maxReconnectAttempts }) {
  const queue = [...tokens];
  const room = new ChatRoom({
    id: client,
    regionOrUrl: endpoint,
    maxReconnectAttempts,
    tokenProvider: async () => {
      out({ client, event: 'tokenRequested' });
      const next = queue.shift();
      if (next === undefined) throw new Error('no token left');
      return {
        token: next.token,
        tokenExpirationTime: new Date(next.tokenExpirationTime),
        sessionExpirationTime: new Date(next.sessionExpirationTime),
      };
    },
  });
  // The SDK logs the raw token at debug level: keep only errors, as observations.
  room.logLevel = 'error';
  room.logger = {
    debug() {},
    info() {},
    error: (...args) => out({ client, log: 'error', args: args.map(describe) }),
  };
  room.addListener('connecting', () => out({ client, event: 'connecting' }));
  room.addListener('connect', () => out({ client, event: 'connect' }));
  room.addListener('disconnect', (reason) => out({ client, event: 'disconnect', reason }));
  room.addListener('message', (m) => out({ client, event: 'message', data: message(m) }));
  room.addListener('event', (e) => out({ client, event: 'event', data: event(e) }));
  room.addListener('messageDelete', (e) => out({ client, event: 'messageDelete', data: deletion(e) }));
  room.addListener('userDisconnect', (e) => out({ client, event: 'userDisconnect', data: disconnection(e) }));
  rooms.set(client, room);
  room.connect();
}

function request(client, tag, send, describeValue) {
  let pending;
  try {
    pending = send(rooms.get(client));
  } catch (error) {
    out({ client, tag, result: 'thrown', message: describe(error) });
    return;
  }
  pending.then(
    (value) => out({ client, tag, result: 'ok', data: describeValue(value) }),
    (error) => out({ client, tag, result: 'error', error: chatError(error) }),
  );
}

function run(command) {
  const { cmd, client, tag } = command;
  switch (cmd) {
    case 'connect':
      connect(command);
      break;
    case 'send':
      request(client, tag, (r) => r.sendMessage(new SendMessageRequest(command.content, command.attributes)), message);
      break;
    case 'delete':
      request(client, tag, (r) => r.deleteMessage(new DeleteMessageRequest(command.id, command.reason)), deletion);
      break;
    case 'disconnectUser':
      request(client, tag, (r) => r.disconnectUser(new DisconnectUserRequest(command.userId, command.reason)), disconnection);
      break;
    case 'quit':
      for (const room of rooms.values()) {
        if (room.state !== 'disconnected') room.disconnect();
      }
      out({ event: 'bye' });
      // Let stdout drain; the rooms' refresh timers would keep Node alive.
      setTimeout(() => process.exit(0), 50);
      break;
    default:
      out({ event: 'unknownCommand', cmd });
  }
}

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() !== '') run(JSON.parse(line));
});
out({ event: 'ready' });
