'use strict';
// The client half for Node.js libraries: scenario.js with a W3C-style socket from `ws`, `websocket`
// (WebSocket-Node's W3CWebSocket) or `websocket-driver` (its client driver over a TCP socket).
// node clients.js --lib ws|websocket|websocket-driver --url ws://127.0.0.1:PORT/ --version 13|8 [--count N]
// prints one JSON line: the scenario's result plus the library and its version.
const net = require('net');
const scenario = require('./scenario');

const MAX_MESSAGE = 64 * 1024 * 1024;

function options(argv) {
  const opts = { lib: 'ws', url: '', version: 13, count: 8 };
  for (let i = 2; i < argv.length; i += 1) {
    const name = argv[i].replace(/^--/, '');
    if (!(name in opts)) throw new Error(`unknown option ${argv[i]}`);
    const value = argv[(i += 1)];
    opts[name] = typeof opts[name] === 'number' ? Number(value) : value;
  }
  return opts;
}

// websocket-driver has no W3C object of its own: a small one over its client driver and net.
function driverSocket(url, protocol, version) {
  const websocket = require('websocket-driver');
  if (version !== 13) throw new Error(`websocket-driver's client speaks only version 13, not ${version}`);
  const { hostname, port } = new URL(url);
  const driver = websocket.client(url, { protocols: [protocol], maxLength: MAX_MESSAGE });
  const tcp = net.connect(Number(port), hostname);
  const ws = { binaryType: 'arraybuffer', protocol: '', readyState: 0 };
  const fire = (name, event) => { if (typeof ws[name] === 'function') ws[name](event); };
  tcp.setNoDelay(true);
  tcp.pipe(driver.io).pipe(tcp);
  tcp.on('connect', () => driver.start());
  tcp.on('error', (error) => fire('onerror', { message: error.message }));
  tcp.on('close', () => { if (ws.readyState !== 3) { ws.readyState = 3; fire('onclose', { code: 1006, reason: '', wasClean: false }); } });
  driver.on('open', () => { ws.readyState = 1; ws.protocol = driver.protocol || ''; fire('onopen', {}); });
  driver.on('error', (error) => fire('onerror', { message: error.message }));
  driver.on('message', (event) => {
    const data = typeof event.data === 'string' ? event.data
      : event.data.buffer.slice(event.data.byteOffset, event.data.byteOffset + event.data.byteLength);
    fire('onmessage', { data });
  });
  driver.on('close', (event) => {
    ws.readyState = 3;
    fire('onclose', { code: event.code, reason: event.reason, wasClean: true });
    tcp.end();
  });
  ws.send = (data) => (typeof data === 'string' ? driver.text(data) : driver.binary(Buffer.from(data)));
  ws.close = (code, reason) => driver.close(reason, code);
  return ws;
}

function factory(opts) {
  if (opts.lib === 'ws') {
    const { WebSocket } = require('ws');
    return (protocol) => new WebSocket(opts.url, [protocol], { protocolVersion: opts.version, maxPayload: MAX_MESSAGE });
  }
  if (opts.lib === 'websocket') {
    const { w3cwebsocket: W3CWebSocket } = require('websocket');
    const config = { webSocketVersion: opts.version, maxReceivedFrameSize: MAX_MESSAGE, maxReceivedMessageSize: MAX_MESSAGE };
    return (protocol) => new W3CWebSocket(opts.url, protocol, undefined, undefined, undefined, config);
  }
  if (opts.lib === 'websocket-driver') return (protocol) => driverSocket(opts.url, protocol, opts.version);
  throw new Error(`unknown library ${opts.lib}`);
}

async function main() {
  const opts = options(process.argv);
  const lib = opts.lib;
  const version = require(`${lib}/package.json`).version;
  let result;
  try {
    result = await scenario(factory(opts), opts.count);
  } catch (e) {
    result = { ok: false, rejected: false, steps: [], error: e.message };
  }
  process.stdout.write(`${JSON.stringify({ library: lib, version, node: process.version, ...result })}\n`);
  process.exit(0);
}

main();
