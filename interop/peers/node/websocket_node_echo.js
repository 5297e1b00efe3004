'use strict';
// Echo server on `websocket` (WebSocket-Node, npm). Subprotocol `echo` when offered.
const http = require('http');
const { server: WebSocketServer } = require('websocket');
const { MAX_MESSAGE, choose, options, ready, stopOnSignals } = require('./common');

const opts = options(process.argv);
const server = http.createServer((req, res) => res.writeHead(404).end());
const wss = new WebSocketServer({
  httpServer: server,
  autoAcceptConnections: false,
  maxReceivedFrameSize: MAX_MESSAGE,
  maxReceivedMessageSize: MAX_MESSAGE,
});
wss.on('request', (request) => {
  const connection = request.accept(choose(request.requestedProtocols), request.origin);
  connection.on('message', (message) => {
    if (message.type === 'utf8') connection.sendUTF(message.utf8Data);
    else connection.sendBytes(message.binaryData);
  });
  connection.on('error', () => {});
});
server.listen(opts.port, opts.host, () => ready('websocket (WebSocket-Node)', server));
stopOnSignals(server);
