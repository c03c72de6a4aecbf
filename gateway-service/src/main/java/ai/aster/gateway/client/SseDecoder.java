package ai.aster.gateway.client;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Splits a text/event-stream into events and hands on each event's data (its {@code data:} lines joined by
 * newlines). Fed with whatever the network delivers: an event (or a UTF-8 character) may span reads, a read may
 * hold many events. Bytes are decoded only once a whole event has arrived.
 */
final class SseDecoder {

    private final Consumer<String> onData;
    private byte[] pending = new byte[0];

    SseDecoder(Consumer<String> onData) {
        this.onData = onData;
    }

    void feed(byte[] bytes) {
        byte[] all = new byte[pending.length + bytes.length];
        System.arraycopy(pending, 0, all, 0, pending.length);
        System.arraycopy(bytes, 0, all, pending.length, bytes.length);
        int start = 0;
        int lineStart = 0;
        ByteArrayOutputStream event = new ByteArrayOutputStream();
        for (int i = 0; i < all.length; i++) {
            if (all[i] != '\n') {
                continue;
            }
            int lineEnd = i > lineStart && all[i - 1] == '\r' ? i - 1 : i;
            if (lineEnd == lineStart) { // a blank line ends the event
                dispatch(event);
                event.reset();
                start = i + 1;
            } else {
                event.write(all, lineStart, lineEnd - lineStart);
                event.write('\n');
            }
            lineStart = i + 1;
        }
        pending = java.util.Arrays.copyOfRange(all, start, all.length);
    }

    private void dispatch(ByteArrayOutputStream event) {
        StringBuilder data = null;
        for (String line : event.toString(StandardCharsets.UTF_8).split("\n")) {
            if (line.startsWith("data:")) {
                String value = line.substring(line.startsWith("data: ") ? 6 : 5);
                data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
            }
        }
        if (data != null) {
            onData.accept(data.toString());
        }
    }
}
