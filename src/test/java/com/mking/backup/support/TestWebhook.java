package com.mking.backup.support;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A local HTTP endpoint standing in for a Slack incoming webhook: it keeps what is posted and answers a set status. */
public final class TestWebhook implements AutoCloseable {

    private final HttpServer server;
    private final String path;
    private final List<String> posts = new CopyOnWriteArrayList<>();
    private volatile int status = 200;

    public TestWebhook(String path) throws IOException {
        this.path = path;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(path, exchange -> {
            posts.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** What was posted so far, oldest first. */
    public List<String> posts() {
        return posts;
    }

    public void answer(int status) {
        this.status = status;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
