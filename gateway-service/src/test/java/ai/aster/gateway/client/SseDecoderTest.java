package ai.aster.gateway.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseDecoderTest {

    private final List<String> data = new ArrayList<>();
    private final SseDecoder decoder = new SseDecoder(data::add);

    @Test
    void eventsSplitAnywhereEvenInsideAUtf8CharacterComeOutWhole() {
        byte[] stream = "data: {\"text\":\"π ≈ 3.14\"}\n\n: comment\n\ndata: [DONE]\n\n".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < stream.length; i++) {
            decoder.feed(Arrays.copyOfRange(stream, i, i + 1));
        }
        assertEquals(List.of("{\"text\":\"π ≈ 3.14\"}", "[DONE]"), data);
    }

    @Test
    void crlfFramingAndMultiLineDataAreAccepted() {
        decoder.feed("event: x\r\ndata:a\r\ndata: b\r\n\r\ndata: c\n\nda".getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of("a\nb", "c"), data);
        decoder.feed("ta: d\n\n".getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of("a\nb", "c", "d"), data);
    }
}
