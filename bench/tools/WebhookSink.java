import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpServer;

/**
 * The benchmark's webhook receiver (bench/run.sh, workload earn-webhook): answers every delivery 204 at once
 * and counts requests and distinct event ids. GET /count answers "requests distinct".
 *
 *   java bench/tools/WebhookSink.java <port>
 */
public class WebhookSink {
    public static void main(String[] args) throws IOException {
        AtomicLong requests = new AtomicLong();
        Set<String> events = ConcurrentHashMap.newKeySet();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])), 256);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/count", exchange -> {
            byte[] body = (requests.get() + " " + events.size()).getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.createContext("/hook", exchange -> {
            try (InputStream body = exchange.getRequestBody()) {
                body.readAllBytes();
            }
            requests.incrementAndGet();
            events.add(exchange.getRequestHeaders().getFirst("Coalition-Event-Id"));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
    }
}
