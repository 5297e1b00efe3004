/* The client half's traffic, in terms of the W3C WebSocket API, so that it runs unchanged in Node (with a
 * library's W3C-style socket) and in a browser page:
 *   1. echo: subprotocol `echo`; COUNT text and COUNT binary messages of growing sizes; every echo must
 *      come back equal and in order; then close with 1000 and see the close complete.
 *   2. chat: the seed's chat room, two people (alice, bob) on org.ietf.websocket.test-echo-broadcast; each
 *      line "name:text" must reach both of them, the sender included.
 * The result: {ok, steps: [[name, ok, detail], ...], error}. A handshake refusal is {rejected: true}.
 */
(function (root) {
  'use strict';

  var SIZES = [0, 1, 125, 126, 127, 65535, 65536, 100000];
  var CHAT = 'org.ietf.websocket.test-echo-broadcast';
  var TIMEOUT = 10000;

  function textOf(n, i) {
    var s = 'text ' + i + ' ';
    while (s.length < n) s += String.fromCharCode(97 + (s.length % 26));
    return n < 8 ? s.slice(0, n) : s;
  }

  function bytesOf(n, i) {
    var b = new Uint8Array(n);
    for (var k = 0; k < n; k += 1) b[k] = (k * 31 + i * 7) & 255;
    return b;
  }

  function asBytes(data) {
    if (data instanceof ArrayBuffer) return new Uint8Array(data);
    if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    return null;
  }

  function same(a, b) {
    if (typeof a === 'string' || typeof b === 'string') return a === b;
    var x = asBytes(a);
    var y = asBytes(b);
    if (!x || !y || x.length !== y.length) return false;
    for (var k = 0; k < x.length; k += 1) if (x[k] !== y[k]) return false;
    return true;
  }

  function describe(data) {
    if (typeof data === 'string') return 'text of ' + data.length + ' chars';
    var b = asBytes(data);
    return b ? 'binary of ' + b.length + ' bytes' : typeof data;
  }

  // A connection: resolves once open, rejects (with .rejected) when the handshake fails.
  function connect(makeSocket, protocol) {
    return new Promise(function (resolve, reject) {
      var ws;
      var conn = { messages: [], waiters: [], closed: null, ws: null };
      try {
        ws = makeSocket(protocol);
      } catch (e) {
        reject(e);
        return;
      }
      conn.ws = ws;
      ws.binaryType = 'arraybuffer';
      var opened = false;
      ws.onopen = function () {
        opened = true;
        resolve(conn);
      };
      ws.onmessage = function (event) {
        conn.messages.push(event.data);
        conn.waiters.slice().forEach(function (w) { w(); });
      };
      ws.onerror = function (event) {
        if (!opened) {
          var err = new Error('handshake failed: ' + ((event && (event.message || (event.error && event.error.message))) || 'error event'));
          err.rejected = true;
          reject(err);
        }
      };
      ws.onclose = function (event) {
        conn.closed = { code: event.code, reason: event.reason, wasClean: event.wasClean };
        conn.waiters.slice().forEach(function (w) { w(); });
        if (!opened) {
          var err = new Error('handshake failed: closed with ' + event.code);
          err.rejected = true;
          reject(err);
        }
      };
    });
  }

  function until(conn, test, what) {
    return new Promise(function (resolve, reject) {
      var timer = null;
      function check() {
        if (test()) {
          clearTimeout(timer);
          conn.waiters.splice(conn.waiters.indexOf(check), 1);
          resolve();
        } else if (conn.closed && !test()) {
          clearTimeout(timer);
          conn.waiters.splice(conn.waiters.indexOf(check), 1);
          reject(new Error(what + ': the connection closed (' + conn.closed.code + ')'));
        }
      }
      conn.waiters.push(check);
      timer = setTimeout(function () {
        conn.waiters.splice(conn.waiters.indexOf(check), 1);
        reject(new Error(what + ': nothing within ' + TIMEOUT / 1000 + ' s (got ' + conn.messages.length + ' messages)'));
      }, TIMEOUT);
      check();
    });
  }

  function close(conn) {
    if (conn.closed) return Promise.resolve(conn.closed);
    conn.ws.close(1000, 'bye');
    return until(conn, function () { return conn.closed !== null; }, 'close').then(function () { return conn.closed; });
  }

  async function echoStep(makeSocket, count) {
    var conn = await connect(makeSocket, 'echo');
    if (conn.ws.protocol !== 'echo') throw new Error('the server selected ' + JSON.stringify(conn.ws.protocol) + ', not "echo"');
    var sent = [];
    for (var i = 0; i < count; i += 1) {
      var n = SIZES[i % SIZES.length];
      sent.push(textOf(n, i));
      sent.push(bytesOf(n, i));
    }
    sent.forEach(function (m) { conn.ws.send(m); });
    var waited = null;
    try {
      await until(conn, function () { return conn.messages.length >= sent.length; }, 'echo');
    } catch (e) {
      waited = e;
    }
    for (var k = 0; k < sent.length; k += 1) {
      if (k >= conn.messages.length) {
        throw new Error('message ' + (k + 1) + ' (' + describe(sent[k]) + ') not echoed; ' + waited.message);
      }
      if (!same(sent[k], conn.messages[k])) {
        if (k + 1 < sent.length && same(sent[k + 1], conn.messages[k])) {
          throw new Error('message ' + (k + 1) + ' (' + describe(sent[k]) + ') was never delivered: the next echo came in its place');
        }
        throw new Error('echo ' + (k + 1) + ' differs: sent ' + describe(sent[k]) + ', got ' + describe(conn.messages[k]));
      }
    }
    var closed = await close(conn);
    var detail = count + ' text + ' + count + ' binary messages (0 to ' + SIZES[Math.min(count, SIZES.length) - 1] + ' bytes) echoed';
    return [detail, closed];
  }

  async function chatStep(makeSocket) {
    var alice = await connect(makeSocket, CHAT);
    var bob = await connect(makeSocket, CHAT);
    if (alice.ws.protocol !== CHAT) throw new Error('the server selected ' + JSON.stringify(alice.ws.protocol));
    var lines = ['alice:has joined!', 'bob:has joined!', 'alice:hello bob', 'bob:hi alice'];
    for (var i = 0; i < lines.length; i += 1) {
      var from = lines[i].indexOf('alice') === 0 ? alice : bob;
      from.ws.send(lines[i]);
      var want = i + 1;
      await until(alice, function () { return alice.messages.length >= want; }, 'chat line ' + want + ' to alice');
      await until(bob, function () { return bob.messages.length >= want; }, 'chat line ' + want + ' to bob');
    }
    [alice, bob].forEach(function (who, w) {
      lines.forEach(function (line, k) {
        if (who.messages[k] !== line) throw new Error((w ? 'bob' : 'alice') + ' saw ' + JSON.stringify(who.messages[k]) + ' for ' + JSON.stringify(line));
      });
    });
    await close(alice);
    await close(bob);
    return lines.length + ' chat lines reached both people';
  }

  async function run(makeSocket, count) {
    var result = { ok: false, rejected: false, steps: [], error: null };
    try {
      var echo = await echoStep(makeSocket, count);
      result.steps.push(['echo', true, echo[0]]);
      var c = echo[1];
      var cleanly = c.code === 1000 && c.wasClean !== false;
      result.steps.push(['close', cleanly, 'close code ' + c.code + (c.wasClean === false ? ', not clean' : '')]);
    } catch (e) {
      result.rejected = !!e.rejected;
      result.error = e.message;
      result.steps.push(['echo', false, e.message]);
      if (result.rejected) return result;
    }
    try {
      result.steps.push(['chat', true, await chatStep(makeSocket)]);
    } catch (e) {
      result.error = result.error || e.message;
      result.steps.push(['chat', false, e.message]);
    }
    result.ok = result.steps.every(function (s) { return s[1]; });
    return result;
  }

  root.wsinteropScenario = run;
  if (typeof module !== 'undefined' && module.exports) module.exports = run;
})(typeof globalThis !== 'undefined' ? globalThis : this);
