'use strict';
// Shared bits of the Node echo servers: options, the subprotocol choice, the ready line.

const MAX_MESSAGE = 16 * 1024 * 1024; // the catalogue's largest message (and the reference server's limit)
const PROTOCOL = 'echo'; // selected when offered; otherwise no subprotocol (accepted, RFC 6455 §4.2.2)

// --port N, --host H; `flags`: the switches this server takes (['--deflate'] gives opts.deflate = true)
function options(argv, flags = []) {
  const opts = { host: '127.0.0.1', port: 0 };
  for (let i = 2; i < argv.length; i += 1) {
    if (argv[i] === '--port') opts.port = Number(argv[(i += 1)]);
    else if (argv[i] === '--host') opts.host = argv[(i += 1)];
    else if (flags.includes(argv[i])) opts[argv[i].slice(2)] = true;
    else throw new Error(`unknown option ${argv[i]}`);
  }
  return opts;
}

function choose(offered) {
  return offered.includes(PROTOCOL) ? PROTOCOL : null;
}

function ready(name, server) {
  const { address, port } = server.address();
  process.stdout.write(`${name} echo ready on ws://${address}:${port}/\n`);
}

function stopOnSignals(server) {
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

module.exports = { MAX_MESSAGE, PROTOCOL, options, choose, ready, stopOnSignals };
