package com.mking.backup.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An HTTP/1.1 proxy on loopback in front of an S3 server that answers a share of the requests with S3's 503 SlowDown, as
 * an overloaded or failing S3 does: half of those faults before the request reaches the server, half after the server
 * carried it out (the answer is lost on the way back). Clients sign requests for the proxy's address; the Host header
 * is passed on unchanged, so S3Proxy checks the same signature. One request per connection ({@code Connection: close}),
 * which keeps the proxy a byte pipe. Every request's head is recorded ({@link #requestHeads}).
 */
public final class FaultyHttpProxy implements AutoCloseable {

    private final ServerSocket server;
    private final int upstreamPort;
    private final double faultShare;
    private final Random dice;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger faults = new AtomicInteger();
    private final AtomicLong bodyBytes = new AtomicLong();
    private final java.util.List<String> heads = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    private volatile boolean open = true;
    private volatile List<String> dropped = List.of();

    /** {@code faultShare} of requests fail (0.3: 15 % before the server, 15 % after it); {@code seed} makes runs repeatable. */
    public FaultyHttpProxy(int upstreamPort, double faultShare, long seed) throws IOException {
        this.upstreamPort = upstreamPort;
        this.faultShare = faultShare;
        this.dice = new Random(seed);
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "faulty-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    public int requests() {
        return requests.get();
    }

    public int faults() {
        return faults.get();
    }

    /**
     * Headers (by name prefix, lower case) recorded but not passed on: what the server behind does not implement (S3Proxy
     * and object lock). The server must then not check signatures, which cover these headers.
     */
    public FaultyHttpProxy dropping(String... headerPrefixes) {
        dropped = List.of(headerPrefixes);
        return this;
    }

    /** The request line and headers of every request received, in order (0 % faults: a recording proxy). */
    public java.util.List<String> requestHeads() {
        synchronized (heads) {
            return java.util.List.copyOf(heads);
        }
    }

    /** Request body bytes received from clients (what was sent again counts again). */
    public long bodyBytes() {
        return bodyBytes.get();
    }

    private void accept() {
        while (open) {
            try {
                Socket client = server.accept();
                Thread handler = new Thread(() -> handle(client), "faulty-proxy-connection");
                handler.setDaemon(true);
                handler.start();
            } catch (IOException e) {
                if (open) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        }
    }

    private void handle(Socket client) {
        try (client; Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort)) {
            InputStream fromClient = client.getInputStream();
            String head = readHead(fromClient);
            if (head == null) {
                return;
            }
            requests.incrementAndGet();
            heads.add(head);
            long length = contentLength(head);
            double roll;
            synchronized (dice) {
                roll = dice.nextDouble();
            }
            if (roll < faultShare / 2) {
                faults.incrementAndGet();
                copy(fromClient, OutputStream.nullOutputStream(), length);
                slowDown(client.getOutputStream());
                return;
            }
            OutputStream toUpstream = upstream.getOutputStream();
            toUpstream.write(withConnectionClose(head).getBytes(StandardCharsets.ISO_8859_1));
            copy(fromClient, toUpstream, length);
            toUpstream.flush();
            if (roll < faultShare) { // carried out by the server; its answer is lost
                faults.incrementAndGet();
                upstream.getInputStream().transferTo(OutputStream.nullOutputStream());
                slowDown(client.getOutputStream());
                return;
            }
            upstream.getInputStream().transferTo(client.getOutputStream());
        } catch (IOException e) {
            // the client or the server went away: the client sees a broken connection, as it would without us
        }
    }

    private void copy(InputStream in, OutputStream out, long length) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long left = length;
        while (left > 0) {
            int read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (read < 0) {
                throw new IOException("the client closed the request body early");
            }
            out.write(buffer, 0, read);
            bodyBytes.addAndGet(read);
            left -= read;
        }
    }

    private static void slowDown(OutputStream out) throws IOException {
        String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SlowDown</Code><Message>Please reduce your "
                + "request rate.</Message><RequestId>fault</RequestId></Error>";
        out.write(("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/xml\r\nContent-Length: " + xml.length()
                + "\r\nConnection: close\r\n\r\n" + xml).getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** The request line and headers, up to the blank line; null when the client closed without a request. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static long contentLength(String head) throws IOException {
        for (String line : head.split("\r\n")) {
            String lower = line.toLowerCase(Locale.ROOT);
            if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                throw new IOException("chunked request bodies are not handled by this proxy");
            }
            if (lower.startsWith("content-length:")) {
                return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        return 0;
    }

    private String withConnectionClose(String head) {
        StringBuilder rewritten = new StringBuilder();
        for (String line : head.split("\r\n")) {
            String lower = line.toLowerCase(Locale.ROOT);
            if (!lower.startsWith("connection:") && dropped.stream().noneMatch(lower::startsWith)) {
                rewritten.append(line).append("\r\n");
            }
        }
        return rewritten.append("Connection: close\r\n\r\n").toString();
    }

    @Override
    public void close() throws IOException {
        open = false;
        server.close();
    }
}
