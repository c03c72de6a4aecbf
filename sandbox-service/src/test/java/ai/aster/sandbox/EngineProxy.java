package ai.aster.sandbox;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Unix-socket forwarder in front of the real container engine, so a test can take the engine away (every
 * connection dropped, new ones refused) and bring it back, without touching the engine other suites use.
 */
final class EngineProxy implements AutoCloseable {

    private final Path listenAt;
    private final Path engineSocket;
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
    private volatile ServerSocketChannel server;

    EngineProxy(Path listenAt, Path engineSocket) {
        this.listenAt = listenAt;
        this.engineSocket = engineSocket;
    }

    String dockerHost() {
        return "unix://" + listenAt;
    }

    synchronized void restore() throws IOException {
        if (server != null) {
            return;
        }
        Files.deleteIfExists(listenAt);
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)
                .bind(UnixDomainSocketAddress.of(listenAt));
        server = s;
        Thread.ofPlatform().daemon().name("engine-proxy-accept").start(() -> acceptLoop(s));
    }

    /** The engine disappears: the socket stops accepting and every open connection is dropped. */
    synchronized void cut() throws IOException {
        if (server != null) {
            server.close();
            server = null;
        }
        Files.deleteIfExists(listenAt);
        for (SocketChannel c : open) {
            closeQuietly(c);
        }
        open.clear();
    }

    @Override
    public void close() throws IOException {
        cut();
    }

    private void acceptLoop(ServerSocketChannel s) {
        while (s.isOpen()) {
            try {
                SocketChannel client = s.accept();
                SocketChannel upstream = SocketChannel.open(UnixDomainSocketAddress.of(engineSocket));
                open.add(client);
                open.add(upstream);
                Thread.ofVirtual().start(() -> pump(client, upstream));
                Thread.ofVirtual().start(() -> pump(upstream, client));
            } catch (IOException e) {
                return; // closed by cut()
            }
        }
    }

    private void pump(SocketChannel from, SocketChannel to) {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        try {
            while (from.read(buffer) >= 0) {
                buffer.flip();
                while (buffer.hasRemaining()) {
                    to.write(buffer);
                }
                buffer.clear();
            }
        } catch (IOException e) {
            // one side went away
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            open.remove(from);
            open.remove(to);
        }
    }

    private static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
