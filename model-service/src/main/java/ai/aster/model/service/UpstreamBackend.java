package ai.aster.model.service;

import ai.aster.model.client.UpstreamClient;
import ai.aster.model.client.UpstreamClient.UpstreamException;
import ai.aster.model.config.ModelServiceConfig;
import ai.aster.modeling.ChatTemplate;
import ai.aster.modeling.Tokenizer;
import ai.aster.protocol.openai.ApiError;
import ai.aster.protocol.openai.ChatCompletionChunk;
import ai.aster.protocol.openai.ChatCompletionRequest;
import ai.aster.protocol.openai.ChatCompletionResponse;
import ai.aster.protocol.openai.ChatMessage;
import ai.aster.protocol.openai.CompletionChoice;
import ai.aster.protocol.openai.CompletionRequest;
import ai.aster.protocol.openai.CompletionResponse;
import ai.aster.protocol.openai.DetokenizeRequest;
import ai.aster.protocol.openai.DetokenizeResponse;
import ai.aster.protocol.openai.ModelList;
import ai.aster.protocol.openai.TokenizeRequest;
import ai.aster.protocol.openai.TokenizeResponse;
import ai.aster.protocol.openai.Usage;
import ai.aster.protocol.openai.WeightsRequest;
import ai.aster.protocol.openai.WeightsResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Typed;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Backend {@code openai}: forwards to an upstream OpenAI-compatible server and normalises its answers to this
 * service's contract: SSE or JSON-lines streams, finish-reason spellings, a missing usage (counted with the local
 * tokenizer when {@code aster.model.path} names the model folder, else from returned token ids, else 0), the served
 * model name, and {@code policy_version} (the upstream's own if it reports one, else {@code initial-policy-version}).
 */
@ApplicationScoped
@Typed(UpstreamBackend.class)
public class UpstreamBackend implements InferenceBackend {

    private static final Logger LOG = Logger.getLogger(UpstreamBackend.class);

    private final ModelServiceConfig config;
    private final UpstreamClient client;
    private final ObjectMapper json;
    private Tokenizer tokenizer;
    private ChatTemplate template;
    private volatile String upstreamModel;
    private volatile long policyVersion;

    public UpstreamBackend(ModelServiceConfig config, UpstreamClient client, ObjectMapper json) {
        this.config = config;
        this.client = client;
        this.json = json;
        this.policyVersion = config.initialPolicyVersion();
    }

    @PostConstruct
    void start() {
        config.path().map(Path::of).filter(dir -> Files.isRegularFile(dir.resolve("tokenizer.json"))).ifPresent(dir -> {
            tokenizer = Tokenizer.load(dir);
            template = ChatTemplate.forModel(dir);
            LOG.infof("local tokenizer from %s counts usage the upstream leaves out", dir);
        });
    }

    @PreDestroy
    void stop() {
        if (tokenizer != null) {
            tokenizer.close();
        }
    }

    // ---- models

    @Override
    public ModelList.Model model() {
        JsonNode entry = upstreamEntry();
        String name = entry.path("id").asText(upstreamModel());
        if (entry.hasNonNull("policy_version")) {
            policyVersion = entry.get("policy_version").asLong();
        }
        int maxLen = entry.hasNonNull("max_model_len") ? entry.get("max_model_len").asInt()
                : config.upstream().defaultMaxModelLen();
        return new ModelList.Model(config.id().orElse(name), "model", entry.path("created").asLong(0),
                entry.path("owned_by").asText("upstream"), maxLen, config.toolProtocol(), policyVersion, "upstream");
    }

    private JsonNode upstreamEntry() {
        JsonNode models = call(client::models);
        JsonNode data = models.path("data");
        String wanted = config.upstream().model().orElse(null);
        for (JsonNode m : data) {
            if (wanted == null || wanted.equals(m.path("id").asText())) {
                return m;
            }
        }
        return json.createObjectNode();
    }

    private String upstreamModel() {
        if (upstreamModel == null) {
            upstreamModel = config.upstream().model().orElseGet(() -> {
                JsonNode first = call(client::models).path("data").path(0).path("id");
                if (first.isMissingNode()) {
                    throw new ApiException(503, ApiError.unavailable("the upstream lists no models"));
                }
                return first.asText();
            });
        }
        return upstreamModel;
    }

    private String servedName() {
        return config.id().orElseGet(this::upstreamModel);
    }

    // ---- completions

    @Override
    public EventStream<CompletionResponse> streamCompletion(CompletionRequest request) {
        ObjectNode body = forwarded(request, true);
        UpstreamClient.Lines lines = call(() -> client.postStreaming("v1/completions", body));
        boolean includeUsage = request.streamOptions() != null && request.streamOptions().wantsUsage();
        return new UpstreamStream<>(lines, includeUsage, node -> {
            CompletionResponse c = toValue(node, CompletionResponse.class);
            return new CompletionResponse(c.id(), CompletionResponse.OBJECT, c.created(), servedName(),
                    c.choices() == null ? List.of() : c.choices(), null, c.promptTokenIds(), version(node));
        }, (chunk, counter) -> {
            for (CompletionChoice choice : chunk.choices()) {
                counter.add(choice.text(), choice.tokenIds());
            }
        }, (last, usage) -> new CompletionResponse(last.id(), CompletionResponse.OBJECT, last.created(),
                servedName(), List.of(), usage, null, last.policyVersion()),
                () -> promptTokens(request.prompt()));
    }

    @Override
    public CompletionResponse completion(CompletionRequest request) {
        ObjectNode body = forwarded(request, false);
        String text = call(() -> client.post("v1/completions", body));
        List<JsonNode> chunks = documents(text);
        CompletionAggregator aggregate = new CompletionAggregator();
        for (JsonNode node : chunks) {
            UpstreamNormalizer.normalizeChoices(node);
            aggregate.add(toValue(node, CompletionResponse.class));
        }
        CompletionResponse merged = aggregate.result(0);
        Usage usage = chunks.stream().anyMatch(n -> n.hasNonNull("usage")) ? merged.usage() : null;
        if (usage == null) {
            UsageCounter counter = new UsageCounter();
            merged.choices().forEach(c -> counter.add(c.text(), c.tokenIds()));
            usage = Usage.of(promptTokens(request.prompt()), counter.total());
        }
        return new CompletionResponse(merged.id(), CompletionResponse.OBJECT, merged.created(), servedName(),
                merged.choices(), usage, merged.promptTokenIds(), version(chunks.get(chunks.size() - 1)));
    }

    // ---- chat

    @Override
    public EventStream<ChatCompletionChunk> streamChat(ChatCompletionRequest request) {
        ObjectNode body = forwarded(request, true);
        UpstreamClient.Lines lines = call(() -> client.postStreaming("v1/chat/completions", body));
        boolean includeUsage = request.streamOptions() != null && request.streamOptions().wantsUsage();
        return new UpstreamStream<>(lines, includeUsage, node -> {
            ChatCompletionChunk c = toValue(node, ChatCompletionChunk.class);
            return new ChatCompletionChunk(c.id(), ChatCompletionChunk.OBJECT, c.created(), servedName(),
                    c.choices() == null ? List.of() : c.choices(), null, version(node));
        }, (chunk, counter) -> {
            for (ChatCompletionChunk.Choice choice : chunk.choices()) {
                if (choice.delta() != null) {
                    counter.add(choice.delta().content(), null);
                }
            }
        }, (last, usage) -> new ChatCompletionChunk(last.id(), ChatCompletionChunk.OBJECT, last.created(),
                servedName(), List.of(), usage, last.policyVersion()),
                () -> chatPromptTokens(request.messages()));
    }

    @Override
    public ChatCompletionResponse chat(ChatCompletionRequest request) {
        ObjectNode body = forwarded(request, false);
        JsonNode node = client.parse(call(() -> client.post("v1/chat/completions", body)));
        UpstreamNormalizer.normalizeChoices(node);
        ChatCompletionResponse r = toValue(node, ChatCompletionResponse.class);
        Usage usage = r.usage();
        if (usage == null) {
            UsageCounter counter = new UsageCounter();
            for (ChatCompletionResponse.Choice c : r.choices()) {
                counter.add(c.message() == null ? null : c.message().content(), null);
            }
            usage = Usage.of(chatPromptTokens(request.messages()), counter.total());
        }
        return new ChatCompletionResponse(r.id(), ChatCompletionResponse.OBJECT, r.created(), servedName(),
                r.choices(), usage, version(node));
    }

    // ---- tokenizer and weights

    @Override
    public TokenizeResponse tokenize(TokenizeRequest request) {
        if (tokenizer != null) {
            if (request.messages() != null) {
                boolean add = !Boolean.FALSE.equals(request.addGenerationPrompt());
                String text = template.render(request.messages(), request.tools(), add);
                int[] ids = tokenizer.encode(text);
                return new TokenizeResponse(ids.length, model().maxModelLen(), boxed(ids), text);
            }
            if (request.prompt() == null) {
                throw ApiException.badRequest("prompt or messages is required", "prompt");
            }
            int[] ids = tokenizer.encode(request.prompt());
            return new TokenizeResponse(ids.length, model().maxModelLen(), boxed(ids), null);
        }
        // vLLM serves these at the root, not under /v1
        ObjectNode body = json.valueToTree(request);
        body.put("model", upstreamModel());
        return toValue(client.parse(call(() -> client.post("tokenize", body))), TokenizeResponse.class);
    }

    @Override
    public DetokenizeResponse detokenize(DetokenizeRequest request) {
        if (tokenizer != null) {
            if (request.tokens() == null) {
                throw ApiException.badRequest("tokens is required", "tokens");
            }
            return new DetokenizeResponse(tokenizer.decode(request.tokens().stream().mapToInt(Integer::intValue)
                    .toArray()));
        }
        ObjectNode body = json.valueToTree(request);
        body.put("model", upstreamModel());
        return toValue(client.parse(call(() -> client.post("detokenize", body))), DetokenizeResponse.class);
    }

    @Override
    public WeightsResponse loadWeights(WeightsRequest request) {
        throw new ApiException(501, ApiError.of("invalid_request_error",
                "backend openai does not load weights: reload them in the upstream engine", "path", "not_supported"));
    }

    // ---- helpers

    private ObjectNode forwarded(Object request, boolean stream) {
        if (request == null) {
            throw ApiException.badRequest("a JSON request body is required", null);
        }
        ObjectNode body = json.valueToTree(request);
        body.put("model", upstreamModel());
        body.put("stream", stream);
        if (stream) {
            body.putObject("stream_options").put("include_usage", true); // ask; counted locally if ignored
        } else {
            body.remove("stream_options");
        }
        return body;
    }

    private long version(JsonNode node) {
        return node.hasNonNull("policy_version") ? node.get("policy_version").asLong() : policyVersion;
    }

    /** One JSON document, or (servers that stream regardless) one per SSE / JSON line. */
    private List<JsonNode> documents(String text) {
        try {
            JsonNode single = json.readTree(text);
            if (single != null && single.isObject()) {
                rejectError(single);
                return List.of(single);
            }
        } catch (IOException e) {
            // not a single document: read it as lines
        }
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : text.split("\n")) {
            String payload = UpstreamNormalizer.payload(line);
            if (payload == null || payload.equals(UpstreamNormalizer.DONE)) {
                continue;
            }
            JsonNode node = client.parse(payload);
            rejectError(node);
            nodes.add(node);
        }
        if (nodes.isEmpty()) {
            throw new ApiException(502, ApiError.of("server_error", "the upstream answered no completion", null,
                    "upstream_error"));
        }
        return nodes;
    }

    private static void rejectError(JsonNode node) {
        if (node.hasNonNull("error")) {
            JsonNode e = node.get("error");
            String message = e.isObject() ? e.path("message").asText(e.toString()) : e.asText();
            throw new ApiException(502, ApiError.of("server_error", "the upstream failed: " + message, null,
                    "upstream_error"));
        }
    }

    private <T> T toValue(JsonNode node, Class<T> type) {
        try {
            return json.treeToValue(node, type);
        } catch (IOException e) {
            throw new ApiException(502, ApiError.of("server_error",
                    "the upstream's answer does not have the OpenAI shape: " + e.getMessage(), null, "upstream_error"));
        }
    }

    private int promptTokens(JsonNode prompt) {
        if (prompt == null) {
            return 0;
        }
        if (prompt.isArray() && prompt.size() > 0 && prompt.get(0).isIntegralNumber()) {
            return prompt.size();
        }
        if (prompt.isTextual() && tokenizer != null) {
            return tokenizer.encode(prompt.asText()).length;
        }
        return 0;
    }

    private int chatPromptTokens(List<ChatMessage> messages) {
        if (tokenizer == null || messages == null) {
            return 0;
        }
        return tokenizer.encode(template.render(messages, null, true)).length;
    }

    /** Counts completion tokens when the upstream reports no usage: token ids if given, else the local tokenizer. */
    final class UsageCounter {
        private int fromIds;
        private int fromText;

        void add(String text, List<Integer> tokenIds) {
            if (tokenIds != null) {
                fromIds += tokenIds.size();
            } else if (text != null && !text.isEmpty() && tokenizer != null) {
                fromText += tokenizer.encode(text).length;
            }
        }

        int total() {
            return fromIds > 0 ? fromIds : fromText;
        }
    }

    /** Maps an upstream failure to this service's error: unreachable 503, overloaded 429, refusals kept, else 502. */
    private <T> T call(java.util.function.Supplier<T> upstreamCall) {
        try {
            return upstreamCall.get();
        } catch (UpstreamException e) {
            throw translate(e);
        }
    }

    private ApiException translate(UpstreamException e) {
        if (e.status() == 0) {
            return new ApiException(503, ApiError.unavailable(e.getMessage()));
        }
        ApiError upstreamError = null;
        if (e.body() != null) {
            try {
                JsonNode body = json.readTree(e.body());
                if (body != null && body.path("error").isObject()) {
                    JsonNode err = body.get("error");
                    upstreamError = ApiError.of(err.path("type").asText("invalid_request_error"),
                            err.path("message").asText(e.getMessage()), err.path("param").asText(null),
                            err.path("code").asText(null));
                }
            } catch (IOException ignored) {
                // not JSON: use our own message
            }
        }
        if (e.status() == 429) {
            return new ApiException(429, upstreamError != null ? upstreamError
                    : ApiError.overloaded("the upstream is at capacity"), config.retryAfterSeconds());
        }
        if (e.status() >= 400 && e.status() < 500) {
            return new ApiException(e.status(), upstreamError != null ? upstreamError
                    : ApiError.invalidRequest("the upstream refused the request: " + e.body(), null));
        }
        return new ApiException(502, ApiError.of("server_error", "the upstream failed with status " + e.status()
                + (upstreamError != null ? ": " + upstreamError.error().message() : ""), null, "upstream_error"));
    }

    private static List<Integer> boxed(int[] ids) {
        return Arrays.stream(ids).boxed().toList();
    }

    /**
     * A stream read from the upstream line by line: payloads normalised and mapped, usage chunks held back and
     * re-emitted once at the end (or counted when missing) when the client asked for usage.
     */
    private final class UpstreamStream<T> implements EventStream<T> {
        private final UpstreamClient.Lines lines;
        private final boolean includeUsage;
        private final Function<JsonNode, T> map;
        private final java.util.function.BiConsumer<T, UsageCounter> count;
        private final java.util.function.BiFunction<T, Usage, T> usageChunk;
        private final java.util.function.IntSupplier promptTokens;
        private final UsageCounter counter = new UsageCounter();
        private T last;
        private Usage usage;
        private boolean done;

        UpstreamStream(UpstreamClient.Lines lines, boolean includeUsage, Function<JsonNode, T> map,
                java.util.function.BiConsumer<T, UsageCounter> count,
                java.util.function.BiFunction<T, Usage, T> usageChunk, java.util.function.IntSupplier promptTokens) {
            this.lines = lines;
            this.includeUsage = includeUsage;
            this.map = map;
            this.count = count;
            this.usageChunk = usageChunk;
            this.promptTokens = promptTokens;
        }

        @Override
        public T next(java.util.function.BooleanSupplier clientGone) {
            if (done || clientGone.getAsBoolean()) {
                cancel();
                return null;
            }
            while (true) {
                String line;
                try {
                    line = lines.next();
                } catch (IOException e) {
                    done = true;
                    lines.close();
                    throw new ApiException(502, ApiError.of("server_error",
                            "the upstream stream broke: " + e.getMessage(), null, "upstream_error"));
                }
                String payload = line == null ? UpstreamNormalizer.DONE : UpstreamNormalizer.payload(line);
                if (payload == null) {
                    continue;
                }
                if (payload.equals(UpstreamNormalizer.DONE)) {
                    done = true;
                    lines.close();
                    if (includeUsage && last != null) {
                        Usage u = usage != null ? usage : Usage.of(promptTokens.getAsInt(), counter.total());
                        return usageChunk.apply(last, u);
                    }
                    return null;
                }
                JsonNode node = client.parse(payload);
                if (node.hasNonNull("error")) {
                    done = true;
                    lines.close();
                    rejectError(node);
                }
                UpstreamNormalizer.normalizeChoices(node);
                T chunk = map.apply(node);
                last = chunk;
                if (node.hasNonNull("usage")) {
                    usage = toValue(node.get("usage"), Usage.class);
                }
                JsonNode choices = node.path("choices");
                if (!choices.isArray() || choices.isEmpty()) {
                    continue; // a usage-only chunk: re-emitted once at the end
                }
                count.accept(chunk, counter);
                return chunk;
            }
        }

        @Override
        public void cancel() {
            done = true;
            lines.close();
        }
    }
}
