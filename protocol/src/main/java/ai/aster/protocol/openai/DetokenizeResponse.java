package ai.aster.protocol.openai;

/** Answer of {@code /v1/detokenize}. */
public record DetokenizeResponse(String prompt) {}
