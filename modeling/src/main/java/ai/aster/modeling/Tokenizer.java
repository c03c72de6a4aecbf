package ai.aster.modeling;

import java.nio.file.Path;
import java.util.OptionalInt;

/** A Hugging Face {@code tokenizer.json} (through DJL's tokenizers binding) plus the special tokens of its config. */
public final class Tokenizer implements AutoCloseable {

    private Tokenizer() {
    }

    /** Loads {@code tokenizer.json} and {@code tokenizer_config.json} from a model folder. */
    public static Tokenizer load(Path modelDir) {
        throw new UnsupportedOperationException("not yet");
    }

    /** Token ids of {@code text}; no BOS/EOS added; special-token strings in the text map to their ids. */
    public int[] encode(String text) {
        throw new UnsupportedOperationException("not yet");
    }

    /** Text of {@code ids}, special tokens kept as text (so "&lt;tool_call&gt;" round-trips). */
    public String decode(int[] ids) {
        throw new UnsupportedOperationException("not yet");
    }

    /** One token's text as it decodes in context (for logprobs and streaming). */
    public String tokenText(int id) {
        throw new UnsupportedOperationException("not yet");
    }

    public int vocabSize() {
        throw new UnsupportedOperationException("not yet");
    }

    public OptionalInt tokenId(String token) {
        throw new UnsupportedOperationException("not yet");
    }

    /** Ids that end generation: {@code <|im_end|>} and {@code <|endoftext|>} when present, plus the config's eos. */
    public int[] eosTokenIds() {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public void close() {
        throw new UnsupportedOperationException("not yet");
    }
}
