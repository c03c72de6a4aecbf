package ai.aster.gateway.client;

import io.smallrye.common.vertx.VertxContext;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The Vert.x context a trajectory's upstream calls are issued on. A trajectory started from a client's request is
 * bound to that request's event loop, so (with {@link LoopHttpClients}) the model's token stream is read, handed to
 * the agent loop and written back to the client as SSE on one thread: no hand-over between event loops per token
 * or per call. Unbound (other callers), Vert.x's context for the calling thread, as before.
 */
@ApplicationScoped
public class UpstreamContext {

    private final Vertx vertx;
    private final ThreadLocal<Context> home = new ThreadLocal<>(); // set for a bound task's run only

    public UpstreamContext(Vertx vertx) {
        this.vertx = vertx;
    }

    /**
     * {@code work}, to run on another thread with the current event loop (the caller's) as the home of its
     * upstream calls; unchanged when not called on an event loop.
     */
    public Runnable bindToCurrentLoop(Runnable work) {
        Context current = Vertx.currentContext();
        if (current == null || !current.isEventLoopContext()) {
            return work;
        }
        // the root context: the request's own (duplicated) context carries its request-scoped state
        Context loop = VertxContext.getRootContext(current);
        return () -> {
            home.set(loop);
            try {
                work.run();
            } finally {
                home.remove();
            }
        };
    }

    /** The context to issue an upstream call on from the current thread. */
    Context get() {
        Context loop = home.get();
        return loop != null ? loop : vertx.getOrCreateContext();
    }
}
