'use strict';
// Echo server on `websocket-driver` (npm) over a bare TCP server, with the legacy drafts enabled
// (allowDrafts: hixie-75 and hixie-76). Subprotocol `echo` when offered.
const net = require('net');
const websocket = require('websocket-driver');
const { MAX_MESSAGE, PROTOCOL, options, ready, stopOnSignals } = require('./common');

const opts = options(process.argv);
const server = net.createServer((connection) => {
  const driver = websocket.server({ protocols: [PROTOCOL], allowDrafts: true, maxLength: MAX_MESSAGE });
  driver.on('connect', () => {
    if (websocket.isWebSocket(driver)) {
      driver.start();
    } else {
      // not a WebSocket handshake (websocket-driver leaves the answer to the application): 400
      connection.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    }
  });
  driver.on('message', (event) => {
    if (typeof event.data === 'string') driver.text(event.data);
    else driver.binary(event.data);
  });
  driver.on('close', () => connection.end());
  driver.on('error', () => {});
  connection.on('error', () => {});
  connection.setNoDelay(true); // as Node's http servers do; without it Nagle adds ~40 ms per echo
  connection.pipe(driver.io).pipe(connection);
});
server.listen(opts.port, opts.host, () => ready('websocket-driver', server));
stopOnSignals(server);
