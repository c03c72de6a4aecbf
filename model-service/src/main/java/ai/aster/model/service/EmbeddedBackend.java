package ai.aster.model.service;

import ai.aster.model.config.ModelServiceConfig;
import ai.aster.model.engine.ChoiceDelta;
import ai.aster.model.engine.EngineLoop;
import ai.aster.model.engine.EngineOverloadedException;
import ai.aster.model.engine.EngineRequest;
import ai.aster.model.engine.EngineSettings;
import ai.aster.model.engine.InputProcessor;
import ai.aster.model.engine.InvalidRequestException;
import ai.aster.model.engine.RequestOutput;
import ai.aster.modeling.ChatTemplate;
import ai.aster.modeling.KvCache;
import ai.aster.modeling.Qwen3Config;
import ai.aster.modeling.Qwen3Model;
import ai.aster.modeling.Tokenizer;
import ai.aster.protocol.openai.ApiError;
import ai.aster.protocol.openai.ChatCompletionChunk;
import ai.aster.protocol.openai.ChatCompletionRequest;
import ai.aster.protocol.openai.ChatCompletionResponse;
import ai.aster.protocol.openai.ChatMessage;
import ai.aster.protocol.openai.CompletionChoice;
import ai.aster.protocol.openai.CompletionLogprobs;
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
import ai.djl.Device;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Typed;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.jboss.logging.Logger;

/** The embedded backend: this project's Qwen3 decoder on DJL behind the continuous-batching {@link EngineLoop}. */
@ApplicationScoped
@Typed(EmbeddedBackend.class)
public class EmbeddedBackend implements InferenceBackend {

    private static final Logger LOG = Logger.getLogger(EmbeddedBackend.class);

    private final ModelServiceConfig config;
    private final MeterRegistry registry;
    private final CheckpointRoot checkpoints;
    private Path modelDir;
    private String modelId;
    private Device device;
    private Tokenizer tokenizer;
    private ChatTemplate template;
    private Qwen3Config modelConfig;
    private InputProcessor input;
    private EngineLoop engine;
    private final long created = Instant.now().getEpochSecond();

    public EmbeddedBackend(ModelServiceConfig config, MeterRegistry registry) {
        this.config = config;
        this.registry = registry;
        this.checkpoints = new CheckpointRoot(Path.of(config.checkpointRoot()));
    }

    @PostConstruct
    void start() {
        String path = config.path().orElseThrow(() -> new IllegalStateException(
                "aster.model.path (env ASTER_MODEL_PATH) must name a model folder for the embedded backend"));
        modelDir = Path.of(path).toAbsolutePath().normalize();
        if (!Files.isRegularFile(modelDir.resolve("config.json"))) {
            throw new IllegalStateException("no config.json in the model folder " + modelDir
                    + " (aster.model.path / ASTER_MODEL_PATH)");
        }
        modelId = config.id().orElse(modelDir.getFileName().toString());
        device = config.device().map(Device::fromName).orElseGet(Qwen3Model::defaultDevice);
        config.computeThreads().ifPresent(Qwen3Model::setComputeThreads);
        long t0 = System.nanoTime();
        Qwen3Model model = Qwen3Model.load(modelDir, device);
        tokenizer = Tokenizer.load(modelDir);
        template = ChatTemplate.forModel(modelDir);
        modelConfig = model.config();
        int maxModelLen = Math.min(modelConfig.maxPositionEmbeddings(),
                config.maxModelLen().orElse(modelConfig.maxPositionEmbeddings()));
        long kvBytes = KvBudget.bytes(config.kvCacheBytes(), device);
        Qwen3Config served = modelConfig;
        input = new InputProcessor(tokenizer, modelConfig.vocabSize(), maxModelLen, config.maxBatchSize(), kvBytes,
                positions -> KvCache.bytesFor(served, positions));
        EngineSettings settings = new EngineSettings(config.maxBatchSize(), config.maxQueuedRequests(),
                config.maxTokensPerStep(), Math.min(config.prefixCacheBytes(), kvBytes), kvBytes,
                config.reloadDrainTimeout(), config.initialPolicyVersion());
        engine = new EngineLoop(model, tokenizer, settings, registry);
        engine.start();
        LOG.infof("model %s loaded from %s on device %s in %d ms (%,d parameters, context %d tokens, KV budget "
                + "%,d bytes = %,d tokens)", modelId, modelDir, deviceName(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), modelConfig.parameterCount(), maxModelLen,
                kvBytes, kvBytes / KvCache.bytesPerPosition(modelConfig));
    }

    @PreDestroy
    void stop() {
        if (engine != null) {
            engine.close();
        }
        if (tokenizer != null) {
            tokenizer.close();
        }
    }

    /** The engine itself, for health checks and the benchmark. */
    public EngineLoop engine() {
        return engine;
    }

    @Override
    public ModelList.Model model() {
        return new ModelList.Model(modelId, "model", created, "aster", input.maxModelLen(), config.toolProtocol(),
                engine.policyVersion(), deviceName());
    }

    /** "cpu" or "gpu(0)". */
    private String deviceName() {
        Device d = engine.model().device();
        return d.isGpu() ? "gpu(" + d.getDeviceId() + ")" : d.getDeviceType();
    }

    // ---- completions

    @Override
    public EventStream<CompletionResponse> streamCompletion(CompletionRequest request) {
        String id = "cmpl-" + UUID.randomUUID().toString().replace("-", "");
        EngineRequest engineRequest = validated(() -> input.completion(id, request));
        boolean usage = request.streamOptions() != null && request.streamOptions().wantsUsage();
        return new CompletionEvents(id, engineRequest, submit(engineRequest), Boolean.TRUE.equals(request.returnTokenIds()),
                usage);
    }

    @Override
    public CompletionResponse completion(CompletionRequest request) throws InterruptedException {
        String id = "cmpl-" + UUID.randomUUID().toString().replace("-", "");
        EngineRequest engineRequest = validated(() -> input.completion(id, request));
        CompletionEvents events = new CompletionEvents(id, engineRequest, submit(engineRequest),
                Boolean.TRUE.equals(request.returnTokenIds()), true);
        CompletionAggregator aggregate = new CompletionAggregator();
        try {
            CompletionResponse chunk;
            while ((chunk = events.next()) != null) {
                aggregate.add(chunk);
            }
        } catch (InterruptedException e) {
            events.cancel();
            throw e;
        }
        return aggregate.result(engineRequest.promptIds().length);
    }

    /** Maps engine outputs of one completion request to streamed chunks. */
    private final class CompletionEvents implements EventStream<CompletionResponse> {
        private final String id;
        private final EngineRequest request;
        private final EngineEvents events;
        private final boolean returnTokenIds;
        private final boolean includeUsage;
        private final long createdAt = Instant.now().getEpochSecond();
        private boolean first = true;
        private RequestOutput last;
        private boolean done;

        CompletionEvents(String id, EngineRequest request, EngineEvents events, boolean returnTokenIds,
                boolean includeUsage) {
            this.id = id;
            this.request = request;
            this.events = events;
            this.returnTokenIds = returnTokenIds;
            this.includeUsage = includeUsage;
        }

        @Override
        public CompletionResponse next(BooleanSupplier clientGone) throws InterruptedException {
            if (done) {
                return null;
            }
            RequestOutput output = events.next(clientGone);
            if (output == null) {
                done = true;
                if (includeUsage && last != null) {
                    return new CompletionResponse(id, CompletionResponse.OBJECT, createdAt, modelId, List.of(),
                            Usage.of(last.promptTokens(), last.completionTokens()), null, last.policyVersion(),
                            spanned(last));
                }
                return null;
            }
            last = output;
            List<CompletionChoice> choices = new ArrayList<>(output.deltas().size());
            for (ChoiceDelta d : output.deltas()) {
                choices.add(new CompletionChoice(d.index(), d.text(), logprobs(d), d.finishReason(), d.stopReason(),
                        returnTokenIds ? d.tokenIds() : null));
            }
            List<Integer> promptIds = null;
            if (first && returnTokenIds) {
                promptIds = Arrays.stream(request.promptIds()).boxed().toList();
            }
            first = false;
            return new CompletionResponse(id, CompletionResponse.OBJECT, createdAt, modelId, choices, null,
                    promptIds, output.policyVersion(), output.finished() ? spanned(output) : null);
        }

        private CompletionLogprobs logprobs(ChoiceDelta d) {
            if (d.logprobs() == null) {
                return null;
            }
            boolean withTop = request.logprobs() != null && request.logprobs() > 0;
            List<String> tokens = new ArrayList<>();
            List<Double> values = new ArrayList<>();
            List<java.util.Map<String, Double>> top = withTop ? new ArrayList<>() : null;
            List<Integer> offsets = new ArrayList<>();
            for (ChoiceDelta.TokenLogprob lp : d.logprobs()) {
                tokens.add(lp.token());
                values.add(lp.logprob());
                if (top != null) {
                    top.add(lp.top() == null ? java.util.Map.of() : lp.top());
                }
                offsets.add(lp.textOffset());
            }
            return new CompletionLogprobs(tokens, values, top, offsets);
        }

        @Override
        public void cancel() {
            events.cancel();
        }
    }

    // ---- chat

    @Override
    public EventStream<ChatCompletionChunk> streamChat(ChatCompletionRequest request) {
        String id = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
        ChatPlan plan = chatRequest(id, request);
        boolean usage = request.streamOptions() != null && request.streamOptions().wantsUsage();
        EngineEvents events = submit(plan.request());
        long createdAt = Instant.now().getEpochSecond();
        ReasoningSplitter[] splitters = new ReasoningSplitter[plan.request().n()];
        for (int i = 0; i < splitters.length; i++) {
            splitters[i] = new ReasoningSplitter(plan.opensThinking());
        }
        return new EventStream<>() {
            private final Set<Integer> started = new HashSet<>();
            private RequestOutput last;
            private boolean done;

            @Override
            public ChatCompletionChunk next(BooleanSupplier clientGone) throws InterruptedException {
                if (done) {
                    return null;
                }
                RequestOutput output = events.next(clientGone);
                if (output == null) {
                    done = true;
                    if (usage && last != null) {
                        return new ChatCompletionChunk(id, ChatCompletionChunk.OBJECT, createdAt, modelId, List.of(),
                                Usage.of(last.promptTokens(), last.completionTokens()), last.policyVersion(),
                                spanned(last));
                    }
                    return null;
                }
                last = output;
                List<ChatCompletionChunk.Choice> choices = new ArrayList<>();
                for (ChoiceDelta d : output.deltas()) {
                    String role = started.add(d.index()) ? "assistant" : null;
                    ReasoningSplitter.Split split = splitters[d.index()].feed(d.text());
                    String reasoning = split.reasoning();
                    String content = split.content();
                    if (d.finishReason() != null) {
                        ReasoningSplitter.Split rest = splitters[d.index()].finish();
                        reasoning += rest.reasoning();
                        content += rest.content();
                    }
                    choices.add(new ChatCompletionChunk.Choice(d.index(), new ChatMessage(role, content, null,
                            reasoning.isEmpty() ? null : reasoning, null, null, null), d.finishReason()));
                }
                return new ChatCompletionChunk(id, ChatCompletionChunk.OBJECT, createdAt, modelId, choices, null,
                        output.policyVersion(), output.finished() ? spanned(output) : null);
            }

            @Override
            public void cancel() {
                events.cancel();
            }
        };
    }

    @Override
    public ChatCompletionResponse chat(ChatCompletionRequest request) throws InterruptedException {
        String id = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
        ChatPlan plan = chatRequest(id, request);
        EngineEvents events = submit(plan.request());
        int n = plan.request().n();
        ReasoningSplitter[] splitters = new ReasoningSplitter[n];
        StringBuilder[] reasoning = new StringBuilder[n];
        StringBuilder[] content = new StringBuilder[n];
        String[] finish = new String[n];
        for (int i = 0; i < n; i++) {
            splitters[i] = new ReasoningSplitter(plan.opensThinking());
            reasoning[i] = new StringBuilder();
            content[i] = new StringBuilder();
        }
        RequestOutput last = null;
        try {
            RequestOutput output;
            while ((output = events.next(() -> false)) != null) {
                last = output;
                for (ChoiceDelta d : output.deltas()) {
                    ReasoningSplitter.Split split = splitters[d.index()].feed(d.text());
                    reasoning[d.index()].append(split.reasoning());
                    content[d.index()].append(split.content());
                    if (d.finishReason() != null) {
                        finish[d.index()] = d.finishReason();
                        ReasoningSplitter.Split rest = splitters[d.index()].finish();
                        reasoning[d.index()].append(rest.reasoning());
                        content[d.index()].append(rest.content());
                    }
                }
            }
        } catch (InterruptedException e) {
            events.cancel();
            throw e;
        }
        List<ChatCompletionResponse.Choice> choices = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ChatMessage message = new ChatMessage("assistant", content[i].toString(), null,
                    reasoning[i].isEmpty() ? null : reasoning[i].toString(), null, null, null);
            choices.add(new ChatCompletionResponse.Choice(i, message, finish[i]));
        }
        return new ChatCompletionResponse(id, ChatCompletionResponse.OBJECT, Instant.now().getEpochSecond(), modelId,
                choices, Usage.of(last.promptTokens(), last.completionTokens()), last.policyVersion(), spanned(last));
    }

    /** A chat request ready for the engine, and whether the prompt leaves the model inside {@code <think>}. */
    private record ChatPlan(EngineRequest request, boolean opensThinking) {}

    private ChatPlan chatRequest(String id, ChatCompletionRequest request) {
        if (request.messages() == null || request.messages().isEmpty()) {
            throw ApiException.badRequest("messages must not be empty", "messages");
        }
        String prompt = render(request.messages(), request.tools(), true, false);
        EngineRequest engineRequest = validated(() -> input.chat(id, request, tokenizer.encode(prompt)));
        return new ChatPlan(engineRequest, prompt.stripTrailing().endsWith("<think>"));
    }

    // ---- tokenizer

    @Override
    public TokenizeResponse tokenize(TokenizeRequest request) {
        if (request.messages() != null && request.prompt() != null) {
            throw ApiException.badRequest("give either prompt or messages, not both", "messages");
        }
        if (request.messages() != null) {
            if (request.messages().isEmpty()) {
                throw ApiException.badRequest("messages must not be empty", "messages");
            }
            boolean continueFinal = Boolean.TRUE.equals(request.continueFinalMessage());
            boolean addGeneration = !continueFinal && !Boolean.FALSE.equals(request.addGenerationPrompt());
            String text = render(request.messages(), request.tools(), addGeneration, continueFinal);
            int[] ids = tokenizer.encode(text);
            return new TokenizeResponse(ids.length, input.maxModelLen(), boxed(ids), text);
        }
        if (request.prompt() == null) {
            throw ApiException.badRequest("prompt or messages is required", "prompt");
        }
        int[] ids = tokenizer.encode(request.prompt());
        return new TokenizeResponse(ids.length, input.maxModelLen(), boxed(ids), null);
    }

    /**
     * Renders through the chat template. With {@code continueFinal} the last message stays open: the template's
     * closing {@code <|im_end|>} after it is removed, so the model continues that message.
     */
    private String render(List<ChatMessage> messages, List<ai.aster.protocol.openai.ToolDefinition> tools,
            boolean addGenerationPrompt, boolean continueFinal) {
        String text;
        try {
            text = template.render(messages, tools, addGenerationPrompt);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("the chat template cannot render these messages: " + e.getMessage(),
                    "messages");
        }
        if (continueFinal) {
            String stripped = text.stripTrailing();
            if (stripped.endsWith("<|im_end|>")) {
                text = stripped.substring(0, stripped.length() - "<|im_end|>".length());
            }
        }
        return text;
    }

    @Override
    public DetokenizeResponse detokenize(DetokenizeRequest request) {
        if (request.tokens() == null) {
            throw ApiException.badRequest("tokens is required", "tokens");
        }
        int[] ids = new int[request.tokens().size()];
        for (int i = 0; i < ids.length; i++) {
            Integer id = request.tokens().get(i);
            if (id == null || id < 0 || id >= modelConfig.vocabSize()) {
                throw ApiException.badRequest("token id " + id + " at position " + i + " is outside the vocabulary [0, "
                        + modelConfig.vocabSize() + ")", "tokens");
            }
            ids[i] = id;
        }
        return new DetokenizeResponse(tokenizer.decode(ids));
    }

    // ---- weights

    @Override
    public synchronized WeightsResponse loadWeights(WeightsRequest request) throws InterruptedException {
        Path dir = checkpoints.resolve(request.path());
        long t0 = System.nanoTime();
        Qwen3Config candidate;
        try {
            candidate = Qwen3Config.read(dir.resolve("config.json"));
        } catch (RuntimeException e) {
            throw ApiException.unprocessable("the checkpoint's config.json cannot be read: " + e.getMessage(), "path");
        }
        Qwen3Config current = engine.model().config();
        if (candidate.vocabSize() != current.vocabSize() || candidate.hiddenSize() != current.hiddenSize()
                || candidate.numHiddenLayers() != current.numHiddenLayers()
                || candidate.numAttentionHeads() != current.numAttentionHeads()
                || candidate.numKeyValueHeads() != current.numKeyValueHeads()
                || candidate.headDim() != current.headDim()) {
            throw ApiException.unprocessable("the checkpoint is not compatible with the served model: " + candidate
                    + " versus " + current, "path");
        }
        checkSameTokenizer(dir);
        Qwen3Model model;
        try {
            model = Qwen3Model.load(dir, engine.model().device());
        } catch (RuntimeException e) {
            LOG.warnf("refused checkpoint %s: %s", dir, e.toString());
            throw ApiException.unprocessable("the checkpoint cannot be loaded (the old weights stay): " + e.getMessage(),
                    "path");
        }
        long version;
        try {
            version = engine.swapWeights(model).get(config.reloadDrainTimeout().toSeconds() + 60, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new ApiException(503, ApiError.unavailable("the weights swap did not complete: " + e.getMessage()));
        }
        modelDir = dir;
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        LOG.infof("loaded checkpoint %s as policy version %d in %d ms", dir, version, ms);
        return new WeightsResponse(dir.toString(), version, ms);
    }

    /** A checkpoint that brings its own tokenizer must bring the same one: token ids must keep their meaning. */
    private void checkSameTokenizer(Path dir) {
        Path candidate = dir.resolve("tokenizer.json");
        Path current = modelDir.resolve("tokenizer.json");
        if (!Files.isRegularFile(candidate) || !Files.isRegularFile(current)) {
            return;
        }
        try {
            if (Files.mismatch(candidate, current) != -1) {
                throw ApiException.unprocessable("the checkpoint's tokenizer.json differs from the served model's",
                        "path");
            }
        } catch (IOException e) {
            throw ApiException.unprocessable("the checkpoint's tokenizer.json cannot be read: " + e.getMessage(),
                    "path");
        }
    }

    // ---- helpers

    private EngineEvents submit(EngineRequest request) {
        EngineEvents events = new EngineEvents();
        try {
            events.attach(engine.submit(request, events));
        } catch (EngineOverloadedException e) {
            throw new ApiException(429, ApiError.overloaded(e.getMessage()), config.retryAfterSeconds());
        }
        return events;
    }

    private static EngineRequest validated(java.util.function.Supplier<EngineRequest> build) {
        try {
            return build.get();
        } catch (InvalidRequestException e) {
            throw ApiException.badRequest(e.getMessage(), e.param());
        }
    }

    /** The versions that produced a request's tokens when the weights were swapped under it, else null. */
    private static List<Long> spanned(RequestOutput output) {
        return output.policyVersions().size() > 1 ? output.policyVersions() : null;
    }

    private static List<Integer> boxed(int[] ids) {
        return Arrays.stream(ids).boxed().toList();
    }
}
