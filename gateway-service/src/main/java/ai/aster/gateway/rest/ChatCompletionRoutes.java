package ai.aster.gateway.rest;

import ai.aster.gateway.client.ModelServiceClient;
import ai.aster.gateway.config.GatewayConfig;
import ai.aster.gateway.service.ApiException;
import ai.aster.gateway.service.ChatCompletionService;
import ai.aster.gateway.service.ChatExchange;
import ai.aster.gateway.service.ChatObserver;
import ai.aster.gateway.service.ChatResult;
import ai.aster.gateway.service.OutputGate;
import ai.aster.gateway.service.DependencyUnavailableException;
import ai.aster.gateway.service.GatewayMetrics;
import ai.aster.gateway.service.PreparedChat;
import ai.aster.gateway.service.TrajectoryEvents;
import ai.aster.gateway.service.TrajectoryOutcome;
import ai.aster.gateway.service.UpstreamRejectedException;
import ai.aster.protocol.openai.ApiError;
import ai.aster.protocol.openai.ChatCompletionChunk;
import ai.aster.protocol.openai.ChatCompletionRequest;
import ai.aster.protocol.openai.ChatCompletionResponse;
import ai.aster.protocol.openai.ChatMessage;
import ai.aster.protocol.openai.ModelList;
import ai.aster.protocol.openai.ToolCall;
import ai.aster.protocol.openai.ToolTraceEntry;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.List;

/**
 * The public OpenAI API: {@code POST /v1/chat/completions} (JSON or SSE) and {@code GET /v1/models}. Plain Vert.x
 * routes rather than JAX-RS, for exact control of the SSE framing (the error event, {@code [DONE]}) and of the
 * client-disconnect signal that cancels a trajectory. Thin: parse, validate, hand to the service, write.
 */
@ApplicationScoped
public class ChatCompletionRoutes {

    private final ChatCompletionService service;
    private final ModelServiceClient model;
    private final ApiKeyFilter apiKeys;
    private final GatewayMetrics metrics;
    private final GatewayConfig config;
    private final ObjectMapper json;
    private final boolean plainEscaping; // see DeltaEvent

    public ChatCompletionRoutes(ChatCompletionService service, ModelServiceClient model, ApiKeyFilter apiKeys,
            GatewayMetrics metrics, GatewayConfig config, ObjectMapper json) {
        this.service = service;
        this.model = model;
        this.apiKeys = apiKeys;
        this.metrics = metrics;
        this.config = config;
        this.json = json;
        this.plainEscaping = DeltaEvent.plainEscaping(json);
    }

    void register(@Observes Router router) {
        router.route("/v1/*").order(-30).handler(BodyHandler.create().setBodyLimit(config.maxBodyBytes()));
        router.route("/v1/*").order(-29).handler(apiKeys::handle);
        router.post("/v1/chat/completions").order(-28).handler(this::chat);
        router.get("/v1/models").order(-28).handler(this::models);
        router.route("/v1/*").order(-27).handler(rc -> reply(rc, new ApiException(404, ApiError.of(
                "invalid_request_error", "no route " + rc.request().method() + " " + rc.request().path(), null,
                "not_found"), null)));
        router.route("/v1/*").failureHandler(this::failure);
    }

    private void chat(RoutingContext rc) {
        long arrival = System.nanoTime();
        PreparedChat chat;
        try {
            Buffer body = rc.body().buffer();
            if (body == null || body.length() == 0) {
                throw ApiException.invalid("the request body must be a JSON object", null);
            }
            ChatCompletionRequest request;
            try {
                request = json.readValue(body.getBytes(), ChatCompletionRequest.class);
            } catch (JsonProcessingException e) {
                throw ApiException.invalid("invalid JSON body: " + e.getOriginalMessage(), null);
            } catch (java.io.IOException e) {
                throw ApiException.invalid("unreadable body", null);
            }
            chat = service.plan(request, rc.request().getHeader("X-Aster-Source"));
        } catch (ApiException e) {
            reply(rc, e);
            return;
        }
        Context context = Vertx.currentContext();
        try {
            SseObserver sse = chat.stream() ? new SseObserver(rc, context, chat) : null;
            ChatExchange exchange = sse != null
                    ? service.start(chat, arrival, sse)
                    : service.start(chat, arrival, new JsonObserver(rc, context));
            // the response's only close handler: cancel the trajectory, and let a stream paused for the client go on
            rc.response().closeHandler(v -> {
                exchange.cancel();
                if (sse != null) {
                    sse.writer.clientClosed();
                }
            });
        } catch (ApiException e) {
            reply(rc, e);
        }
    }

    private void models(RoutingContext rc) {
        Context context = Vertx.currentContext();
        service.offload(() -> {
            Object answer;
            try {
                ModelList list = model.models();
                List<ModelList.Model> models = list.data().stream().map(m -> new ModelList.Model(m.id(), "model",
                        m.created(), m.ownedBy() == null ? "aster" : m.ownedBy(), m.maxModelLen(),
                        m.toolProtocol() == null ? config.toolProtocol() : m.toolProtocol(), m.policyVersion(),
                        m.device())).toList();
                answer = ModelList.of(models);
            } catch (DependencyUnavailableException e) {
                answer = new ApiException(503, ApiError.unavailable(e.getMessage()), null);
            } catch (UpstreamRejectedException e) {
                answer = new ApiException(502, ApiError.unavailable(e.getMessage()), null);
            } catch (RuntimeException e) {
                answer = new ApiException(503, ApiError.unavailable("model-service: " + e.getMessage()), null);
            }
            Object result = answer;
            context.runOnContext(v -> {
                if (result instanceof ApiException e) {
                    reply(rc, e);
                } else {
                    metrics.request(200);
                    rc.response().putHeader("Content-Type", "application/json").end(write(result));
                }
            });
        });
    }

    private void failure(RoutingContext rc) {
        int status = rc.statusCode() > 0 ? rc.statusCode() : 500;
        String message = status == 413 ? "the request body is larger than " + config.maxBodyBytes() + " bytes"
                : status == 500 ? "internal error" : "request failed";
        metrics.request(status);
        ErrorResponses.send(rc, status, status >= 500 ? ApiError.internal(message)
                : ApiError.invalidRequest(message, null), null);
    }

    private void reply(RoutingContext rc, ApiException e) {
        metrics.request(e.status());
        ErrorResponses.send(rc, e.status(), e.error(), e.retryAfterS());
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    /** ASTER extension on the response and the usage chunk: precise timings per choice, for the benchmark. */
    private ArrayNode timings(ChatResult result) {
        ArrayNode list = json.createArrayNode();
        for (TrajectoryOutcome outcome : result.outcomes()) {
            if (outcome != null) {
                var n = outcome.nanos();
                list.addObject().put("id", outcome.trajectory().id()).put("total_us", n.total() / 1000)
                        .put("model_us", n.model() / 1000).put("tool_us", n.tool() / 1000).put("turns", n.turns());
            }
        }
        return list;
    }

    /** Non-streaming: one JSON body when every choice is done. */
    private final class JsonObserver implements ChatObserver {
        private final RoutingContext rc;
        private final Context context;

        JsonObserver(RoutingContext rc, Context context) {
            this.rc = rc;
            this.context = context;
        }

        @Override
        public TrajectoryEvents events(int choice) {
            return TrajectoryEvents.NONE;
        }

        @Override
        public void finished(ChatResult result) {
            String body = null;
            if (result.failure() == null) {
                PreparedChat chat = result.chat();
                List<ChatCompletionResponse.Choice> choices = new ArrayList<>();
                for (int i = 0; i < result.outcomes().size(); i++) {
                    TrajectoryOutcome outcome = result.outcomes().get(i);
                    choices.add(new ChatCompletionResponse.Choice(i, outcome.message(), outcome.finishReason()));
                }
                ObjectNode response = json.valueToTree(new ChatCompletionResponse(chat.id(),
                        ChatCompletionResponse.OBJECT, chat.created(), chat.model(), choices, result.usage(),
                        result.policyVersion()));
                response.set("x_aster_timings", timings(result));
                body = write(response);
            }
            String json = body;
            context.runOnContext(v -> {
                if (result.failure() != null) {
                    reply(rc, result.failure());
                } else if (!rc.response().closed() && !rc.response().ended()) {
                    metrics.request(200);
                    rc.response().putHeader("Content-Type", "application/json").end(json);
                }
            });
        }
    }

    /** Streaming: SSE chunks as the trajectories produce them, written through an {@link SseWriter}. */
    private final class SseObserver implements ChatObserver {
        private final RoutingContext rc;
        private final Context context;
        private final PreparedChat chat;
        private final SseWriter writer;

        SseObserver(RoutingContext rc, Context context, PreparedChat chat) {
            this.rc = rc;
            this.context = context;
            this.chat = chat;
            this.writer = new SseWriter(rc.response(), context, this::head, () -> metrics.request(200));
        }

        /** The first chunk of each choice: the role, and an empty trace when the built-in interpreter is active. */
        private String head() {
            StringBuilder head = new StringBuilder();
            for (int i = 0; i < chat.specs().size(); i++) {
                List<ToolTraceEntry> trace = chat.specs().get(i).builtinCode() ? List.of() : null;
                head.append("data: ").append(write(chunk(List.of(new ChatCompletionChunk.Choice(i,
                        new ChatMessage("assistant", "", null, null, null, null, trace), null)), null, null)))
                        .append("\n\n");
            }
            return head.toString();
        }

        @Override
        public TrajectoryEvents events(int choice) {
            return new TrajectoryEvents() {
                // the per-token events: framed once per choice (at first use), only the delta is written per token
                private volatile DeltaEvent reasoning;
                private volatile DeltaEvent content;

                @Override
                public void reasoning(String delta) {
                    if (reasoning == null) {
                        reasoning = frame(new ChatMessage(null, null, null, DeltaEvent.MARK, null, null, null));
                    }
                    writer.send(reasoning.event(delta));
                }

                @Override
                public void content(String delta) {
                    if (content == null) {
                        content = frame(new ChatMessage(null, DeltaEvent.MARK, null, null, null, null, null));
                    }
                    writer.send(content.event(delta));
                }

                private DeltaEvent frame(ChatMessage delta) {
                    return new DeltaEvent(json, chunk(List.of(new ChatCompletionChunk.Choice(choice, delta, null)),
                            null, null), plainEscaping);
                }

                @Override
                public void toolTrace(ToolTraceEntry entry) {
                    send(choice, new ChatMessage(null, null, null, null, null, null, List.of(entry)));
                }

                @Override
                public void toolCall(ToolCall call) {
                    ToolCall indexed = new ToolCall(0, call.id(), call.type(), call.function());
                    send(choice, new ChatMessage(null, null, null, null, List.of(indexed), null, null));
                }

                @Override
                public OutputGate gate() {
                    return writer;
                }
            };
        }

        private ChatCompletionChunk chunk(List<ChatCompletionChunk.Choice> choices, ai.aster.protocol.openai.Usage usage,
                Long policyVersion) {
            return new ChatCompletionChunk(chat.id(), ChatCompletionChunk.OBJECT, chat.created(), chat.model(), choices,
                    usage, policyVersion);
        }

        private void send(int choice, ChatMessage delta) {
            writer.send("data: " + write(chunk(List.of(new ChatCompletionChunk.Choice(choice, delta, null)), null,
                    null)) + "\n\n");
        }

        @Override
        public void finished(ChatResult result) {
            if (result.failure() != null) {
                // before the head: a plain error status; after it: an error event ends the stream
                context.runOnContext(v -> reply(rc, result.failure()));
                return;
            }
            StringBuilder tail = new StringBuilder();
            for (int i = 0; i < result.outcomes().size(); i++) {
                tail.append("data: ").append(write(chunk(List.of(new ChatCompletionChunk.Choice(i,
                        new ChatMessage(null, null, null, null, null, null, null),
                        result.outcomes().get(i).finishReason())), null, null))).append("\n\n");
            }
            if (chat.includeUsage()) {
                ObjectNode usage = json.valueToTree(chunk(List.of(), result.usage(), result.policyVersion()));
                usage.set("x_aster_timings", timings(result));
                tail.append("data: ").append(write(usage)).append("\n\n");
            }
            tail.append("data: [DONE]\n\n");
            writer.end(tail.toString());
        }
    }
}
