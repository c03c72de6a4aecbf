package ai.aster.gateway.client;

import ai.aster.gateway.config.GatewayConfig;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Vert.x HTTP clients to the internal services: one per event loop. Vert.x reads a pooled connection on the
 * event loop that opened it and hands each response event to the context that issued the request; with one shared
 * pool, a call issued on one loop often got a connection of another, and every read of its response (each token
 * of a stream) crossed between the two threads. A call issued on an event loop through {@link #current()} gets a
 * connection of that loop, so the connection, its reads and the caller's handlers share one thread.
 */
@ApplicationScoped
public class LoopHttpClients {

    private final Vertx vertx;
    private final HttpClientOptions options;
    private final PoolOptions pool;
    private final Map<Thread, HttpClient> perLoop = new ConcurrentHashMap<>();
    private final HttpClient offLoop; // for callers on a worker context

    public LoopHttpClients(Vertx vertx, GatewayConfig config) {
        this.vertx = vertx;
        this.options = new HttpClientOptions().setTcpNoDelay(true).setKeepAlive(true).setConnectTimeout(2000);
        // per loop: each trajectory's calls use one loop's pool, so the cap holds for the loop it runs on
        this.pool = new PoolOptions().setHttp1MaxSize(config.modelServiceConnections());
        this.offLoop = vertx.createHttpClient(options, pool);
    }

    /** The client of the calling event loop (the shared fallback when not called on one). */
    HttpClient current() {
        if (!Context.isOnEventLoopThread()) {
            return offLoop;
        }
        return perLoop.computeIfAbsent(Thread.currentThread(), loop -> vertx.createHttpClient(options, pool));
    }

    @PreDestroy
    void close() {
        perLoop.values().forEach(HttpClient::close);
        offLoop.close();
    }
}
