package ai.aster.model.service;

import ai.aster.protocol.openai.ChatCompletionChunk;
import ai.aster.protocol.openai.ChatCompletionRequest;
import ai.aster.protocol.openai.ChatCompletionResponse;
import ai.aster.protocol.openai.CompletionRequest;
import ai.aster.protocol.openai.CompletionResponse;
import ai.aster.protocol.openai.DetokenizeRequest;
import ai.aster.protocol.openai.DetokenizeResponse;
import ai.aster.protocol.openai.ModelList;
import ai.aster.protocol.openai.TokenizeRequest;
import ai.aster.protocol.openai.TokenizeResponse;
import ai.aster.protocol.openai.WeightsRequest;
import ai.aster.protocol.openai.WeightsResponse;

/**
 * What answers the OpenAI-compatible API: the embedded DJL engine or an upstream server. Every method validates
 * synchronously (throwing {@link ApiException}) before anything is streamed, and every response carries
 * {@code policy_version}.
 */
public interface InferenceBackend {

    /** The served model as /v1/models lists it. */
    ModelList.Model model();

    /** A streamed completion: chunks, then (with {@code stream_options.include_usage}) a usage chunk. */
    EventStream<CompletionResponse> streamCompletion(CompletionRequest request);

    /** A whole completion. */
    CompletionResponse completion(CompletionRequest request) throws InterruptedException;

    EventStream<ChatCompletionChunk> streamChat(ChatCompletionRequest request);

    ChatCompletionResponse chat(ChatCompletionRequest request) throws InterruptedException;

    TokenizeResponse tokenize(TokenizeRequest request);

    DetokenizeResponse detokenize(DetokenizeRequest request);

    /** Loads a checkpoint and swaps it in, bumping the policy version (admin). */
    WeightsResponse loadWeights(WeightsRequest request) throws InterruptedException;
}
