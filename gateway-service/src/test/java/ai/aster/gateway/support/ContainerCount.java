package ai.aster.gateway.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.URLEncoder;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Counts the containers (running or not) carrying a sandbox instance label, through the Docker Engine API. */
public final class ContainerCount {

    private ContainerCount() {}

    public static int withInstanceLabel(String instance) {
        String socket = System.getenv().getOrDefault("DOCKER_HOST", "unix:///run/podman/podman.sock")
                .replaceFirst("^unix://", "");
        String filters = URLEncoder.encode("{\"label\":[\"ai.aster.sandbox.instance=" + instance + "\"]}",
                StandardCharsets.UTF_8);
        String request = "GET /v1.41/containers/json?all=true&filters=" + filters + " HTTP/1.0\r\nHost: docker\r\n\r\n";
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(Path.of(socket)));
            channel.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(16384);
            while (channel.read(buffer) > 0) {
                out.write(buffer.array(), 0, buffer.position());
                buffer.clear();
            }
            String response = out.toString(StandardCharsets.UTF_8);
            String body = response.substring(response.indexOf("\r\n\r\n") + 4).strip();
            if (!response.startsWith("HTTP/1.") || !response.split(" ")[1].equals("200")) {
                throw new IllegalStateException("container engine answered: " + response.lines().findFirst().orElse(""));
            }
            // count the container objects: each has exactly one "Id" key
            int count = 0;
            for (int i = body.indexOf("\"Id\""); i >= 0; i = body.indexOf("\"Id\"", i + 1)) {
                count++;
            }
            return count;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
