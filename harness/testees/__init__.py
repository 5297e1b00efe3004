"""Testees: programs that follow Autobahn's testee contract for one client library or browser each.

Each connects to `<url>/getCaseCount`, then to `<url>/runCase?case=N&agent=NAME` for N = 1..count, echoing
every text and binary message with the same type and leaving the closing handshake to the library, then to
`<url>/updateReports?agent=NAME`. Progress goes to stderr; the exit status is 0 when the loop completed.
None of them has a timeout of its own: the fuzzing server ends every case, and whoever runs a testee
bounds its wall time.

- contract.py: the URLs, the command line (--url, --agent) and the case loop the Python testees share;
- websockets_client.py, aiohttp_client.py, tornado_client.py: the Python libraries;
- node/testee.js: the Node libraries (ws, websocket-driver, WebSocket-Node), one switch;
- browser.py and browser.html: a page that runs the whole loop in a headless browser started on its own.
"""
