'use strict';
// Autobahn testee for the Node libraries: getCaseCount, runCase?case=N&agent=NAME for N = 1..count (every
// text and binary message echoed with its type, closes left to the library), then updateReports.
//
//   node testee.js --lib ws|websocket-driver|websocket --modules DIR [--draft rfc6455|hybi-08]
//                  --url ws://HOST:PORT --agent NAME
//
// --modules: the node_modules folder the libraries come from (interop/node_modules, `npm ci` in interop/).
// --draft picks the protocol version the library offers: 13 (rfc6455) or 8 (hybi-08). websocket-driver's
// client speaks only 13 (its hixie-75/76 drivers are server-side only). Progress goes to stderr; the exit
// status is 0 when the loop completed. No timeout of the testee's own: the fuzzing server ends each case.
const net = require('net');
const path = require('path');

const MAX_MESSAGE = 2 ** 25; // Autobahn's 9.* send up to 16 MiB in one frame; no library default may fail them
const VERSIONS = { rfc6455: 13, 'hybi-08': 8 };

function options(argv) {
  const opts = { lib: '', modules: '', draft: 'rfc6455', url: '', agent: '' };
  for (let i = 2; i < argv.length; i += 1) {
    const name = argv[i].replace(/^--/, '');
    if (!(name in opts) || i + 1 >= argv.length) throw new Error(`unknown option or no value: ${argv[i]}`);
    opts[name] = argv[(i += 1)];
  }
  for (const name of ['lib', 'modules', 'url', 'agent']) if (!opts[name]) throw new Error(`--${name} is required`);
  if (!(opts.draft in VERSIONS)) throw new Error(`unknown draft ${opts.draft}`);
  return opts;
}

// Each library: first(url) resolves with the first message; echo(url) echoes until the connection is
// closed and resolves with how many messages it echoed (a library error is only reported: the server
// saw it on the wire).
function wsLibrary(load, version) {
  const { WebSocket } = load('ws');
  const open = (url) => new WebSocket(url, { protocolVersion: version, maxPayload: MAX_MESSAGE });
  return {
    first: (url) => new Promise((resolve, reject) => {
      const ws = open(url);
      ws.on('message', (data) => { resolve(data.toString()); ws.close(); });
      ws.on('error', reject);
      ws.on('close', () => reject(new Error('closed before the first message')));
    }),
    echo: (url) => new Promise((resolve) => {
      const ws = open(url);
      let echoed = 0;
      ws.on('message', (data, isBinary) => { ws.send(data, { binary: isBinary }); echoed += 1; });
      ws.on('error', (error) => process.stderr.write(`  ws error: ${error.message}\n`));
      ws.on('close', () => resolve(echoed)); // ws emits close after an error too
    }),
  };
}

function websocketNodeLibrary(load, version) {
  const { client: WebSocketClient } = load('websocket');
  const config = { webSocketVersion: version, maxReceivedFrameSize: MAX_MESSAGE, maxReceivedMessageSize: MAX_MESSAGE };
  const connect = (url, onConnection, onFailure) => {
    const client = new WebSocketClient(config);
    client.on('connect', onConnection);
    client.on('connectFailed', onFailure);
    client.connect(url);
  };
  return {
    first: (url) => new Promise((resolve, reject) => {
      connect(url, (connection) => {
        connection.on('message', (message) => { resolve(message.utf8Data); connection.close(); });
        connection.on('close', () => reject(new Error('closed before the first message')));
      }, reject);
    }),
    echo: (url) => new Promise((resolve, reject) => {
      connect(url, (connection) => {
        let echoed = 0;
        connection.on('message', (message) => {
          if (message.type === 'utf8') connection.sendUTF(message.utf8Data);
          else connection.sendBytes(message.binaryData);
          echoed += 1;
        });
        connection.on('error', (error) => process.stderr.write(`  websocket error: ${error.message}\n`));
        connection.on('close', () => resolve(echoed));
      }, reject);
    }),
  };
}

function driverLibrary(load, version) {
  const websocket = load('websocket-driver');
  if (version !== 13) throw new Error(`websocket-driver's client speaks only version 13, not ${version}`);
  // one connection: the driver over a TCP socket; onMessage(driver, event); resolves when the socket closes
  const connect = (url, onMessage) => new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    const driver = websocket.client(url, { maxLength: MAX_MESSAGE });
    const tcp = net.connect(Number(port), hostname);
    let opened = false;
    tcp.setNoDelay(true);
    tcp.pipe(driver.io).pipe(tcp);
    tcp.on('connect', () => driver.start());
    tcp.on('error', (error) => (opened ? process.stderr.write(`  tcp error: ${error.message}\n`) : reject(error)));
    tcp.on('close', () => resolve());
    driver.on('open', () => { opened = true; });
    driver.on('message', (event) => onMessage(driver, event));
    driver.on('error', (error) => process.stderr.write(`  websocket-driver error: ${error.message}\n`));
    driver.on('close', () => tcp.end());
  });
  return {
    first: async (url) => {
      let first = null;
      await connect(url, (driver, event) => { if (first === null) { first = String(event.data); driver.close(); } });
      if (first === null) throw new Error('closed before the first message');
      return first;
    },
    echo: async (url) => {
      let echoed = 0;
      await connect(url, (driver, event) => {
        if (typeof event.data === 'string') driver.text(event.data);
        else driver.binary(event.data);
        echoed += 1;
      });
      return echoed;
    },
  };
}

const LIBRARIES = { ws: wsLibrary, websocket: websocketNodeLibrary, 'websocket-driver': driverLibrary };

async function main() {
  const opts = options(process.argv);
  const load = (name) => require(path.join(path.resolve(opts.modules), name));
  if (!(opts.lib in LIBRARIES)) throw new Error(`unknown library ${opts.lib}`);
  const library = LIBRARIES[opts.lib](load, VERSIONS[opts.draft]);
  const name = `${opts.lib} ${load(`${opts.lib}/package.json`).version} (${opts.draft}, Node ${process.version})`;
  const url = opts.url.replace(/\/+$/, '');
  const agent = encodeURIComponent(opts.agent);
  const count = JSON.parse(await library.first(`${url}/getCaseCount`));
  process.stderr.write(`${name}: ${count} cases from ${url}, agent ${opts.agent}\n`);
  const started = Date.now();
  for (let n = 1; n <= count; n += 1) {
    try {
      const echoed = await library.echo(`${url}/runCase?case=${n}&agent=${agent}`);
      process.stderr.write(`case ${n}/${count}: echoed ${echoed}\n`);
    } catch (error) {
      process.stderr.write(`case ${n}/${count}: ${error.message}\n`);
    }
  }
  process.stderr.write(`ran ${count} cases in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  await library.echo(`${url}/updateReports?agent=${agent}`);
  process.stderr.write('reports updated\n');
}

main().then(() => process.exit(0), (error) => {
  process.stderr.write(`testee: ${error.message}\n`);
  process.exit(1);
});
