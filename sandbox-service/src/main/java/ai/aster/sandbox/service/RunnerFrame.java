package ai.aster.sandbox.service;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * One frame of the service-runner protocol: a type byte, a 4-byte big-endian length, the payload (see
 * {@code aster_runner.py}). The runner is untrusted code's neighbour, so every length is checked against a maximum.
 */
record RunnerFrame(byte type, byte[] payload) {

    static final byte REQUEST = 'R';
    static final byte STATE = 'S';
    static final byte STDOUT = 'O';
    static final byte STDERR = 'E';
    static final byte EXIT = 'X';
    /** Empty: the runner has imported the prelude (sent while waiting in the pool, or during the call). */
    static final byte PRELUDE_READY = 'P';

    void writeTo(WritableByteChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(5 + payload.length);
        buffer.put(type).putInt(payload.length).put(payload).flip();
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** Reads one frame; null at a clean end of stream before a new frame. */
    static RunnerFrame readFrom(ReadableByteChannel channel, int maxPayload) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(5);
        if (!fill(channel, head, true)) {
            return null;
        }
        head.flip();
        byte type = head.get();
        int length = head.getInt();
        if (length < 0 || length > maxPayload) {
            throw new IOException("runner sent a frame of " + Integer.toUnsignedString(length) + " bytes");
        }
        ByteBuffer payload = ByteBuffer.allocate(length);
        fill(channel, payload, false);
        return new RunnerFrame(type, payload.array());
    }

    private static boolean fill(ReadableByteChannel channel, ByteBuffer buffer, boolean endAllowed)
            throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                if (endAllowed && buffer.position() == 0) {
                    return false;
                }
                throw new EOFException("runner closed the connection inside a frame");
            }
        }
        return true;
    }
}
