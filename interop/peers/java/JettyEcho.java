// Echo server on Jetty 9 (Debian's jetty9 libraries, Jetty's native WebSocket API): every message back
// as it came. Subprotocol `echo` when offered. Compiled by `python -m interop` with javac against the jars
// in /usr/share/java; run as `java -cp BUILD:JARS JettyEcho --port N`, which prints one ready line.
// Compression: Jetty 9.4 registers its extensions (permessage-deflate, deflate-frame, x-webkit-deflate-frame)
// through a ServiceLoader, so a WebSocketServlet accepts permessage-deflate unless told otherwise. Without
// --deflate they are unregistered (the plain interop row is compression off, as every other plain row);
// with --deflate the factory keeps Jetty's defaults.

import java.nio.ByteBuffer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.servlet.ServletContextHandler;
import org.eclipse.jetty.servlet.ServletHolder;
import org.eclipse.jetty.util.Jetty;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.annotations.OnWebSocketMessage;
import org.eclipse.jetty.websocket.api.annotations.WebSocket;
import org.eclipse.jetty.websocket.servlet.WebSocketServlet;
import org.eclipse.jetty.websocket.servlet.WebSocketServletFactory;

public final class JettyEcho {
    static final int MAX_MESSAGE = 16 * 1024 * 1024; // the catalogue's largest message (the reference server's limit)
    static final String[] COMPRESSION = {"permessage-deflate", "deflate-frame", "x-webkit-deflate-frame"};

    @WebSocket
    public static final class EchoSocket {
        @OnWebSocketMessage
        public void onText(Session session, String message) {
            session.getRemote().sendStringByFuture(message);
        }

        @OnWebSocketMessage
        public void onBinary(Session session, byte[] data, int offset, int length) {
            session.getRemote().sendBytesByFuture(ByteBuffer.wrap(data, offset, length));
        }
    }

    public static final class EchoServlet extends WebSocketServlet {
        private final boolean deflate;

        EchoServlet(boolean deflate) {
            this.deflate = deflate;
        }

        @Override
        public void configure(WebSocketServletFactory factory) {
            if (!deflate) {
                for (String name : COMPRESSION) {
                    factory.getExtensionFactory().unregister(name);
                }
            }
            factory.getPolicy().setMaxTextMessageSize(MAX_MESSAGE);
            factory.getPolicy().setMaxBinaryMessageSize(MAX_MESSAGE);
            factory.setCreator((request, response) -> {
                if (request.getSubProtocols().contains("echo")) {
                    response.setAcceptedSubProtocol("echo");
                }
                return new EchoSocket();
            });
        }
    }

    public static void main(String[] args) throws Exception {
        String host = "127.0.0.1";
        int port = 0;
        boolean deflate = false;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--port")) {
                port = Integer.parseInt(args[++i]);
            } else if (args[i].equals("--host")) {
                host = args[++i];
            } else if (args[i].equals("--deflate")) {
                deflate = true;
            } else {
                throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        context.addServlet(new ServletHolder(new EchoServlet(deflate)), "/*");
        server.setHandler(context);
        server.setStopAtShutdown(true);
        server.start();
        System.out.println("jetty " + Jetty.VERSION + (deflate ? " (permessage-deflate)" : "") + " echo ready on ws://" + host + ":" + connector.getLocalPort() + "/");
        System.out.flush();
        server.join();
    }
}
