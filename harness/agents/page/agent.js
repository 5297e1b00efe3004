/*
 * wsinterop's in-page agent: the harness puts this script into a page with one evaluate, then hands it a
 * case's steps as a JSON program and collects what the page observed. Everything that measures the
 * subject (waits, the case's deadline, event times) happens here, on the page's clock
 * (performance.now()), so that the harness's own slowness (browser IPC, a busy machine) never counts.
 *
 *   wsAgent.open({url, protocols, timeout, caseTimeout})  new WebSocket; resolves at open, close or timeout;
 *                                                         the case's deadline starts here
 *   wsAgent.watchChat({caseTimeout})                     on the chat room page: drive it as a user instead
 *   wsAgent.run({payloads, ops})                         run a program segment (see below)
 *   wsAgent.finish({close, closeTimeout})                close if asked and still open; wait for the close
 *   wsAgent.chatLines()                                  the chat room page's lines, as [from, text]
 *   wsAgent.reset()                                      forget a closed connection: the page serves another
 *
 * Each returns, as one JSON string, {events, now, opened, closed, timedOut}: the events since the last
 * call, stamped {t: page ms}, received payloads as size + SHA-256 + a short preview (never the bytes).
 *
 * Ops: {op: "send", kind: "text"|"binary", payload: index, size, blob}, {op: "close", code, reason},
 * {op: "wait", for: "message"|"close"|"tcp_closed"|null, count, timeout}, {op: "repeat", count, ops}, and on
 * the chat room page {op: "join"|"say"|"leave", text, timeout}, where a message wait counts chat lines.
 * Payloads, each built once: {text}, {base64}, {kind, repeat: {byte, count}}, {kind, random: {seed,
 * count}} (CPython's random.Random(seed).randbytes(count), byte for byte).
 *
 * An exception from the WebSocket API is an observation (an "exception" event); anything else that
 * throws (an unknown op, a malformed program) rejects the call: a harness error, never a verdict.
 */
(function () {
  "use strict";
  if (window.wsAgent) return;

  var PREVIEW = 256;
  function fresh() {
    return {
      ws: null, chat: false, opened: false, closed: false, closeCalled: false, timedOut: false,
      deadline: Infinity, caseTimeout: 0, events: [], digests: [], waiters: [], received: 0, consumed: 0, lines: 0,
    };
  }

  var state = fresh();

  function now() { return performance.now(); }

  function record(type, data) {
    var event = {type: type, t: now(), data: data || {}};
    state.events.push(event);
    notify();
    return event;
  }

  function notify() {
    state.waiters.slice().forEach(function (check) { check(); });
  }

  /* Resolves true as soon as pred() holds (checked on every event), false after `ms`. */
  function until(pred, ms) {
    return new Promise(function (resolve) {
      if (pred()) { resolve(true); return; }
      var timer = null;
      function done(value) {
        clearTimeout(timer);
        state.waiters.splice(state.waiters.indexOf(check), 1);
        resolve(value);
      }
      function check() { if (pred()) done(true); }
      state.waiters.push(check);
      timer = setTimeout(function () { done(pred()); }, Math.min(Math.max(ms, 0), 0x7fffffff));
    });
  }

  function hex(bytes) {
    var out = [];
    for (var i = 0; i < bytes.length; i++) out.push((bytes[i] < 16 ? "0" : "") + bytes[i].toString(16));
    return out.join("");
  }

  /* size, sha256 and a preview, as the harness's payload_summary gives them */
  function summarize(data) {
    var text = typeof data === "string";
    var bytes = text ? new TextEncoder().encode(data) : new Uint8Array(data);
    var summary = {kind: text ? "text" : "binary", size: bytes.length};
    var preview = bytes.subarray(0, PREVIEW);
    if (text) summary.text = new TextDecoder("utf-8").decode(preview);
    else summary.hex = hex(preview);
    if (bytes.length > PREVIEW) summary.truncated = true;
    return crypto.subtle.digest("SHA-256", bytes).then(function (digest) {
      summary.sha256 = hex(new Uint8Array(digest));
      return summary;
    });
  }

  // --- payloads the page builds itself -------------------------------------------------------------

  /* MT19937 seeded as CPython's random.seed(int) does (init_by_array over the 32-bit words of |seed|). */
  function Twister(seed) {
    var n = BigInt(seed), key = [];
    if (n < 0n) n = -n;
    do { key.push(Number(n & 0xffffffffn)); n >>= 32n; } while (n > 0n);
    var mt = new Uint32Array(624), i = 1, j = 0, k;
    mt[0] = 19650218;
    for (var m = 1; m < 624; m++) mt[m] = Math.imul(1812433253, mt[m - 1] ^ (mt[m - 1] >>> 30)) + m;
    for (k = Math.max(624, key.length); k; k--) {
      mt[i] = (mt[i] ^ Math.imul(mt[i - 1] ^ (mt[i - 1] >>> 30), 1664525)) + key[j] + j;
      i++; j++;
      if (i >= 624) { mt[0] = mt[623]; i = 1; }
      if (j >= key.length) j = 0;
    }
    for (k = 623; k; k--) {
      mt[i] = (mt[i] ^ Math.imul(mt[i - 1] ^ (mt[i - 1] >>> 30), 1566083941)) - i;
      i++;
      if (i >= 624) { mt[0] = mt[623]; i = 1; }
    }
    mt[0] = 0x80000000;
    this.mt = mt;
    this.index = 624;
  }

  Twister.prototype.next = function () {
    var mt = this.mt, y, kk;
    if (this.index >= 624) {
      for (kk = 0; kk < 624; kk++) {
        y = (mt[kk] & 0x80000000) | (mt[(kk + 1) % 624] & 0x7fffffff);
        mt[kk] = mt[(kk + 397) % 624] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.index = 0;
    }
    y = mt[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    return (y ^ (y >>> 18)) >>> 0;
  };

  /* random.Random(seed).randbytes(count): getrandbits(8 * count) as little-endian bytes */
  function randomBytes(seed, count) {
    var twister = new Twister(seed), out = new Uint8Array(count);
    for (var at = 0; at < count; at += 4) {
      var word = twister.next(), left = count - at;
      if (left < 4) word >>>= 32 - 8 * left;
      for (var b = 0; b < Math.min(4, left); b++) out[at + b] = (word >>> (8 * b)) & 0xff;
    }
    return out;
  }

  function build(payload) {
    if ("text" in payload) return payload.text;
    if ("repeat" in payload) {
      var r = payload.repeat;
      return payload.kind === "text" ? String.fromCharCode(r.byte).repeat(r.count) : new Uint8Array(r.count).fill(r.byte);
    }
    if ("random" in payload) return randomBytes(payload.random.seed, payload.random.count);
    if ("base64" in payload) {
      var raw = atob(payload.base64), bytes = new Uint8Array(raw.length);
      for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
      return bytes;
    }
    throw new Error("unknown payload " + JSON.stringify(payload));
  }

  // --- the WebSocket ---------------------------------------------------------------------------------

  function observed(error) {
    record("exception", {name: error.name, message: String(error.message)});
  }

  function attach(ws) {
    ws.binaryType = "arraybuffer";
    ws.onopen = function () {
      state.opened = true;
      record("open", {protocol: ws.protocol, extensions: ws.extensions});
    };
    ws.onerror = function () { record("error", {readyState: ws.readyState}); };
    ws.onclose = function (e) {
      state.closed = true;
      record("close", {code: e.code, reason: e.reason, wasClean: e.wasClean});
    };
    ws.onmessage = function (e) {
      state.received++;
      var event = record("message", {});
      state.digests.push(summarize(e.data).then(function (s) { Object.assign(event.data, s); }));
    };
  }

  function left() { return state.deadline - now(); }

  function expire() {
    if (state.timedOut) return;
    state.timedOut = true;
    record("timeout", {waiting_for: "the case to end", seconds: state.caseTimeout});
  }

  function caseOver() {
    if (left() <= 0) expire();
    return state.timedOut;
  }

  /* wait for pred within `seconds` and the case's deadline; a timeout event names what was awaited (a
   * timer may fire a little before the clock reaches the deadline: the deadline it was set by is over) */
  function wait(pred, seconds, what) {
    var limit = seconds * 1000, remaining = left();
    return until(pred, Math.min(limit, remaining)).then(function (ok) {
      if (!ok && remaining <= limit) expire();
      else if (!ok && what) record("timeout", {waiting_for: what, seconds: seconds});
      return ok;
    });
  }

  // --- the chat room page, driven as a user would -----------------------------------------------------

  function byId(id) {
    var node = document.getElementById(id);
    if (!node) throw new Error("this is not the chat room page: no #" + id);
    return node;
  }

  function chatState() { return byId("status").getAttribute("data-state"); }

  function chatLines() {
    return Array.prototype.map.call(document.querySelectorAll("#messages .message"), function (item) {
      var from = item.querySelector(".from"), text = item.querySelector(".text");
      return [from ? from.textContent : "", text ? text.textContent : ""];
    });
  }

  function type(input, text) {
    input.focus();
    input.value = text;
    input.dispatchEvent(new Event("input", {bubbles: true}));
  }

  var observer = null;

  function watchChat() {
    if (observer) return;
    observer = new MutationObserver(notify);
    observer.observe(document.body, {subtree: true, childList: true, attributes: true});
  }

  var chat = {
    join: function (op) {
      type(byId("join-name"), op.text);
      byId("join-button").click();
      var joined = function () { return /^(open|closed)$/.test(chatState()); };
      return wait(joined, op.timeout, "the page to join the room").then(function () {
        state.lines = 0; // the page starts its list over
        if (chatState() === "open") record("open", {name: op.text});
        else if (chatState() === "closed") record("close", {code: byId("status").getAttribute("data-close-code")});
      });
    },
    say: function (op) {
      type(byId("chat-input"), op.text);
      byId("send-button").click(); // what Enter in the input does: the form's default button
      record("said", {text: op.text});
    },
    leave: function (op) {
      byId("leave-button").click();
      var left = function () { return /^(closed|idle)$/.test(chatState()); };
      return wait(left, op.timeout, "the page to leave the room").then(function (ok) {
        if (ok) record("close", {code: byId("status").getAttribute("data-close-code")});
      });
    },
  };

  // --- programs ------------------------------------------------------------------------------------

  function send(op, payloads) {
    var data = payloads[op.payload];
    if (data === undefined) throw new Error("no payload " + op.payload);
    try {
      if (op.kind === "text") state.ws.send(data);
      else state.ws.send(op.blob ? new Blob([data]) : data.buffer);
    } catch (e) {
      observed(e);
      return;
    }
    record("sent", {kind: op.kind, size: op.size, blob: op.blob});
  }

  function close(op) {
    state.closeCalled = true;
    record("close_called", {code: op.code, reason: op.reason});
    try {
      if (op.code === null) state.ws.close();
      else state.ws.close(op.code, op.reason);
    } catch (e) {
      observed(e);
    }
  }

  function waitOp(op) {
    if (state.chat) {
      var wanted = state.lines + op.count;
      state.lines = wanted;
      return wait(function () { return chatLines().length >= wanted; }, op.timeout, wanted + " chat lines");
    }
    if (op.for === "message") {
      state.consumed += op.count;
      var target = state.consumed;
      return wait(function () { return state.received >= target || state.closed; }, op.timeout, "message");
    }
    if (op.for === null) return wait(function () { return state.closed; }, op.timeout, null);
    return wait(function () { return state.closed; }, op.timeout, op.for);
  }

  /* the ops in order, until the socket closes (a chat page goes on) or the case's time is up */
  async function runOps(ops, payloads) {
    for (var i = 0; i < ops.length; i++) {
      var op = ops[i];
      if ((state.closed && !state.chat) || caseOver()) return;
      if (op.op === "repeat") {
        for (var n = 0; n < op.count; n++) {
          if ((state.closed && !state.chat) || caseOver()) return;
          await runOps(op.ops, payloads);
        }
      } else if (op.op === "send") send(op, payloads);
      else if (op.op === "close") close(op);
      else if (op.op === "wait") await waitOp(op);
      else if (state.chat && chat.hasOwnProperty(op.op)) await chat[op.op](op);
      else throw new Error("unknown op " + JSON.stringify(op.op) + (state.chat ? " on the chat room page" : ""));
    }
  }

  /* what happened since the last call (received payloads' digests complete), as one JSON string:
   * Playwright returns a string far faster than an object of a thousand events (Firefox above all) */
  async function collect(extra) {
    var digests = state.digests;
    state.digests = [];
    await Promise.all(digests);
    var events = state.events;
    state.events = [];
    var result = {events: events, now: now(), opened: state.opened, closed: state.closed, timedOut: state.timedOut};
    return JSON.stringify(Object.assign(result, extra));
  }

  function startClock(caseTimeout) {
    state.caseTimeout = caseTimeout;
    state.deadline = now() + caseTimeout * 1000;
  }

  window.wsAgent = {
    open: async function (args) {
      startClock(args.caseTimeout);
      try {
        state.ws = args.protocols.length ? new WebSocket(args.url, args.protocols) : new WebSocket(args.url);
      } catch (e) {
        observed(e);
        return collect();
      }
      attach(state.ws);
      await wait(function () { return state.opened || state.closed; }, args.timeout, "the open event");
      return collect();
    },
    watchChat: async function (args) {
      startClock(args.caseTimeout);
      byId("status");
      state.chat = true;
      watchChat();
      return collect();
    },
    run: async function (program) {
      var payloads = program.payloads.map(build);
      await runOps(program.ops, payloads);
      return collect();
    },
    finish: async function (args) { // after the case's deadline nothing more is done: the harness drops the page
      if (state.ws && !state.closed && !state.timedOut) {
        if (args.close && !state.closeCalled) close({code: 1000, reason: ""});
        var seconds = state.closeCalled ? args.closeTimeout : left() / 1000;
        if (!(await until(function () { return state.closed; }, seconds * 1000))) {
          state.timedOut = true;
          record("timeout", {waiting_for: "the close event", seconds: Math.round(seconds * 1000) / 1000});
        }
      }
      return collect();
    },
    chatLines: function () { return collect({lines: chatLines()}); },
    reset: function () { // the page serves the next connection: only once this one has closed
      if (state.ws && !state.closed) throw new Error("reset before the WebSocket closed");
      state = fresh();
      return collect();
    },
    payload: function (description) { // tests: the digest of a payload as the page builds it
      var data = build(description);
      return summarize(typeof data === "string" ? data : data.buffer);
    },
  };
})();
