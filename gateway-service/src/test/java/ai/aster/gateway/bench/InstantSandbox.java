package ai.aster.gateway.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * A sandbox stand-in that answers every execution at once with "5\n" (and, like the real one, 401 without the
 * internal token): for the overhead benchmark only.
 */
final class InstantSandbox implements AutoCloseable {

    private static final String RESULT = "{\"status\":\"ok\",\"exit_code\":0,\"stdout\":\"5\\n\",\"stderr\":\"\","
            + "\"stdout_truncated\":false,\"stderr_truncated\":false,\"duration_ms\":0}";

    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;

    InstantSandbox() throws IOException {
        try {
            server = vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true).setAcceptBacklog(1024))
                    .requestHandler(request -> request.body().onSuccess(body -> {
                        String path = request.path();
                        boolean authorized = ("Bearer " + ai.aster.gateway.support.ScriptedModelServer.INTERNAL_TOKEN)
                                .equals(request.getHeader("Authorization"));
                        if (!authorized && path.startsWith("/v1/")) {
                            request.response().setStatusCode(401).end(); // like the real sandbox
                        } else if (path.startsWith("/v1/executions")) {
                            request.response().putHeader("Content-Type", "application/json").end(RESULT);
                        } else if (path.startsWith("/v1/sessions")) {
                            request.response().setStatusCode(204).end();
                        } else {
                            request.response().setStatusCode(path.equals("/q/health/ready") ? 200 : 404).end();
                        }
                    }))
                    .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IOException("cannot start the sandbox stand-in", e);
        }
    }

    String url() {
        return "http://127.0.0.1:" + server.actualPort();
    }

    @Override
    public void close() {
        vertx.close();
    }
}
