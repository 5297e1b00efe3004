/*
 * The chat room from Jetty's TestServer (seeds/getting-started-with-websockets.txt), done properly.
 *
 * Joining opens a WebSocket to this page's own URL with the org.ietf.websocket.test-echo-broadcast
 * subprotocol (override with ?protocol=NAME, or ?protocol= for none), which echoes every message to
 * every connection. Messages travel as "name:text"; received ones are split at the first ':' and only
 * ever inserted as text, never as markup.
 *
 * Test hooks: #status carries data-state (idle|connecting|open|closed) and data-close-code; every
 * entry of #messages is an li.message with data-from and data-text.
 *
 * Plain ES5, so that a browser old enough to lack WebSocket still runs it and shows the warning.
 */
(function () {
  "use strict";

  var DEFAULT_PROTOCOL = "org.ietf.websocket.test-echo-broadcast";

  var el = {};
  var room = { socket: null, name: "" };

  function byId(id) {
    return document.getElementById(id);
  }

  function show(node, visible) {
    if (visible) {
      node.removeAttribute("hidden");
    } else {
      node.setAttribute("hidden", "");
    }
  }

  function decodeComponent(text) {
    try {
      return decodeURIComponent(text.replace(/\+/g, " "));
    } catch (e) {
      return text;
    }
  }

  /* The value of query parameter `name`, or null when absent. */
  function queryParam(name) {
    var pairs = window.location.search.replace(/^\?/, "").split("&");
    for (var i = 0; i < pairs.length; i++) {
      var eq = pairs[i].indexOf("=");
      var key = eq < 0 ? pairs[i] : pairs[i].slice(0, eq);
      if (pairs[i] !== "" && decodeComponent(key) === name) {
        return eq < 0 ? "" : decodeComponent(pairs[i].slice(eq + 1));
      }
    }
    return null;
  }

  /* This page's URL with http: -> ws: and https: -> wss:, same host, path and query, no fragment. */
  function socketUrl(loc) {
    var scheme = loc.protocol === "https:" ? "wss:" : "ws:";
    return scheme + "//" + loc.host + loc.pathname + loc.search;
  }

  function subprotocols() {
    var chosen = queryParam("protocol");
    if (chosen === null) {
      return [DEFAULT_PROTOCOL];
    }
    return chosen === "" ? [] : [chosen];
  }

  function setStatus(state, closeCode, detail) {
    var code = closeCode === undefined ? "" : String(closeCode);
    var text = state;
    if (code !== "") {
      text += " (code " + code + ")";
    }
    if (detail) {
      text += ": " + detail;
    }
    el.status.setAttribute("data-state", state);
    el.status.setAttribute("data-close-code", code);
    el.status.textContent = text;
    el.joinButton.disabled = state === "connecting";
  }

  function showRoom(inRoom) {
    show(el.joinForm, !inRoom);
    show(el.room, inRoom);
    (inRoom ? el.chatInput : el.joinName).focus();
  }

  function textOf(data) {
    if (typeof data === "string") {
      return data;
    }
    if (window.TextDecoder) {
      return new TextDecoder("utf-8").decode(data);
    }
    return "[binary message, " + data.byteLength + " bytes]";
  }

  function span(className, text) {
    var node = document.createElement("span");
    node.className = className;
    node.textContent = text;
    return node;
  }

  /* Append one received message; `from` is empty when it has no ':'. */
  function append(data) {
    var message = textOf(data);
    var colon = message.indexOf(":");
    var from = colon < 0 ? "" : message.slice(0, colon);
    var text = message.slice(colon + 1);
    var item = document.createElement("li");
    item.className = "message";
    item.setAttribute("data-from", from);
    item.setAttribute("data-text", text);
    if (from !== "") {
      item.appendChild(span("from", from));
      item.appendChild(document.createTextNode(": "));
    }
    item.appendChild(span("text", text));
    el.messages.appendChild(item);
    el.messages.scrollTop = el.messages.scrollHeight;
  }

  function send(text) {
    var ws = room.socket;
    if (ws && ws.readyState === WebSocket.OPEN) {
      ws.send(room.name + ":" + text);
    }
  }

  function join(name) {
    var ws;
    try {
      ws = new WebSocket(socketUrl(window.location), subprotocols());
    } catch (e) {
      setStatus("closed", undefined, "cannot connect (" + (e.name || e) + ")");
      return;
    }
    room.socket = ws;
    room.name = name;
    ws.binaryType = "arraybuffer";
    while (el.messages.firstChild) {
      el.messages.removeChild(el.messages.firstChild);
    }
    setStatus("connecting");

    // Events of a socket that was left and replaced by a newer one are ignored.
    ws.onopen = function () {
      if (ws === room.socket) {
        setStatus("open");
        showRoom(true);
        send("has joined!");
      }
    };
    ws.onmessage = function (event) {
      if (ws === room.socket) {
        append(event.data);
      }
    };
    ws.onclose = function (event) {
      if (ws === room.socket) {
        room.socket = null;
        setStatus("closed", event.code);
        showRoom(false);
      }
    };
  }

  function leave() {
    if (room.socket) {
      room.socket.close(1000);
    }
    showRoom(false);
  }

  function onJoin(event) {
    event.preventDefault();
    var name = el.joinName.value.replace(/^\s+|\s+$/g, "");
    if (name === "" || name.indexOf(":") >= 0 || el.status.getAttribute("data-state") === "connecting") {
      el.joinName.focus();
      return;
    }
    join(name);
  }

  function onChat(event) {
    event.preventDefault();
    var text = el.chatInput.value;
    if (text.length > 0) {
      send(text);
      el.chatInput.value = "";
    }
    el.chatInput.focus();
  }

  function init() {
    el = {
      status: byId("status"),
      noWebSocket: byId("no-websocket"),
      joinForm: byId("join-form"),
      joinName: byId("join-name"),
      joinButton: byId("join-button"),
      room: byId("room"),
      messages: byId("messages"),
      chatForm: byId("chat-form"),
      chatInput: byId("chat-input"),
      leaveButton: byId("leave-button")
    };
    if (!window.WebSocket) {
      show(el.noWebSocket, true);
      el.joinName.disabled = true;
      el.joinButton.disabled = true;
      return;
    }
    el.joinForm.addEventListener("submit", onJoin);
    el.chatForm.addEventListener("submit", onChat); // Enter in #chat-input submits too
    el.leaveButton.addEventListener("click", leave);
    el.joinName.focus();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
