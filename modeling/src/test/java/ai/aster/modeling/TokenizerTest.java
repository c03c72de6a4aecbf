package ai.aster.modeling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerTest {

    @TempDir
    static Path dir;

    static Tokenizer tokenizer;

    @BeforeAll
    static void init() {
        ModelInit.write(dir, ModelInit.Options.defaults());
        tokenizer = Tokenizer.load(dir);
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    @Test
    void roundTripsArbitraryText() {
        String[] samples = {
            "Hello, world!", "  leading and trailing spaces  ", "line one\nline two\r\n\ttabbed\n\n",
            "Ünïcödé, 中文, emoji 🎉🧮, math ∫x²dx = x³/3", "<|im_start|>user\nWhat is 2+2?<|im_end|>\n",
            "<tool_call>\n{\"name\": \"code_interpreter\", \"arguments\": {\"code\": \"print(1)\"}}\n</tool_call>",
            "<think>\nlet me see\n</think>\n\n\\boxed{4}", "", "<tool_response>\n4\n</tool_response>", "\u0000\u0001\u007f"
        };
        for (String s : samples) {
            assertEquals(s, tokenizer.decode(tokenizer.encode(s)), "round trip of " + s);
        }
        Random r = new Random(3);
        for (int i = 0; i < 50; i++) {
            StringBuilder sb = new StringBuilder();
            for (int j = 0; j < 40; j++) {
                int cp = switch (r.nextInt(4)) {
                    case 0 -> 32 + r.nextInt(95);
                    case 1 -> '\n';
                    case 2 -> 0x4E00 + r.nextInt(500);
                    default -> 0x1F300 + r.nextInt(200);
                };
                sb.appendCodePoint(cp);
            }
            assertEquals(sb.toString(), tokenizer.decode(tokenizer.encode(sb.toString())));
        }
    }

    @Test
    void specialTokensAreSingleIdsAndEosIsConfigured() {
        int imEnd = tokenizer.tokenId("<|im_end|>").orElseThrow();
        int eot = tokenizer.tokenId("<|endoftext|>").orElseThrow();
        for (String special : ModelInit.SPECIAL_TOKENS) {
            int id = tokenizer.tokenId(special).orElseThrow();
            assertArrayEquals(new int[] {id}, tokenizer.encode(special), special);
            assertEquals(special, tokenizer.tokenText(id));
        }
        assertArrayEquals(new int[] {imEnd, eot}, tokenizer.eosTokenIds());
        assertEquals(ModelInit.vocabSize(), tokenizer.vocabSize());
        assertArrayEquals(new int[] {'a', 'b', 'c'}, tokenizer.encode("abc"));
        assertEquals(" ", tokenizer.tokenText(' '));
    }

    @Test
    void everyIdMapsBackToItself() {
        for (int id = 0; id < tokenizer.vocabSize(); id++) {
            assertEquals(id, tokenizer.tokenId(tokenizer.tokenString(id)).orElseThrow(), "id " + id);
        }
        for (String special : ModelInit.SPECIAL_TOKENS) {
            int id = tokenizer.tokenId(special).orElseThrow();
            assertEquals(special, tokenizer.decode(new int[] {id}));
        }
    }

    @Test
    void longTextIsNotTruncated() {
        String text = "x".repeat(20_000);
        assertEquals(20_000, tokenizer.encode(text).length);
    }

    @Test
    void incrementalDecoderHoldsBackSplitCharacters() {
        String text = "a€b🎉\nend";
        int[] ids = tokenizer.encode(text);
        assertTrue(ids.length > text.length(), "multi-byte characters take several byte tokens");
        IncrementalDecoder decoder = new IncrementalDecoder(tokenizer);
        StringBuilder streamed = new StringBuilder();
        for (int id : ids) {
            String piece = decoder.next(id);
            assertTrue(!piece.contains("\uFFFD"), "no partial character is emitted");
            streamed.append(piece);
        }
        streamed.append(decoder.flush());
        assertEquals(text, streamed.toString());
    }
}
