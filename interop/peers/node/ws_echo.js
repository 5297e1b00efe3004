'use strict';
// Echo server on `ws` (npm): every message back as it came, text or binary. Subprotocol `echo` when offered.
// --deflate: `perMessageDeflate: true`, ws's documented switch with its default settings (off by default on a
// server; among the defaults, messages under 1024 bytes are sent uncompressed: `threshold`).
const http = require('http');
const { WebSocketServer } = require('ws');
const { MAX_MESSAGE, options, choose, ready, stopOnSignals } = require('./common');

const opts = options(process.argv, ['--deflate']);
const server = http.createServer((req, res) => res.writeHead(404).end());
const wss = new WebSocketServer({
  server,
  maxPayload: MAX_MESSAGE,
  perMessageDeflate: Boolean(opts.deflate),
  handleProtocols: (protocols) => choose([...protocols]) || false,
});
wss.on('connection', (socket) => {
  socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
  socket.on('error', () => {});
});
server.listen(opts.port, opts.host, () => ready('ws', server));
stopOnSignals(server);
