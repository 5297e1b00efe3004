'use strict';
// Echo server on `ws` (npm): every message back as it came, text or binary. Subprotocol `echo` when offered.
const http = require('http');
const { WebSocketServer } = require('ws');
const { MAX_MESSAGE, options, choose, ready, stopOnSignals } = require('./common');

const opts = options(process.argv);
const server = http.createServer((req, res) => res.writeHead(404).end());
const wss = new WebSocketServer({
  server,
  maxPayload: MAX_MESSAGE,
  handleProtocols: (protocols) => choose([...protocols]) || false,
});
wss.on('connection', (socket) => {
  socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
  socket.on('error', () => {});
});
server.listen(opts.port, opts.host, () => ready('ws', server));
stopOnSignals(server);
