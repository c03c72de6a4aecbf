package ai.aster.model.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The one folder {@code POST /v1/weights} may read checkpoints from ({@code aster.model.checkpoint-root}). A
 * requested path (relative to the root, or absolute) is refused when it names {@code ..}, or when it or any file in
 * it resolves (symbolic links followed) outside the root's real path: a caller holding the internal token still
 * cannot make the service read arbitrary files.
 */
public final class CheckpointRoot {

    private final Path root;

    /** {@code root} relative to the working directory unless absolute. */
    public CheckpointRoot(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path path() {
        return root;
    }

    /**
     * The real path of the checkpoint folder {@code requested} names.
     *
     * @throws ApiException 400 naming {@code path} when it is outside the root, not a folder, or holds a link out
     */
    public Path resolve(String requested) {
        if (requested == null || requested.isBlank()) {
            throw ApiException.badRequest("path (a checkpoint folder under " + root + ") is required", "path");
        }
        Path asked = Path.of(requested);
        for (Path part : asked) {
            if (part.toString().equals("..")) {
                throw ApiException.badRequest("path must not contain '..': checkpoints are read only under the "
                        + "checkpoint root " + root + " (aster.model.checkpoint-root)", "path");
            }
        }
        Path realRoot;
        try {
            realRoot = root.toRealPath();
        } catch (IOException e) {
            throw ApiException.badRequest("the checkpoint root " + root
                    + " (aster.model.checkpoint-root) does not exist", "path");
        }
        Path candidate = root.resolve(asked).normalize();
        if (!Files.isDirectory(candidate)) {
            throw ApiException.badRequest("no checkpoint folder at " + candidate, "path");
        }
        Path real = realPath(candidate);
        if (!real.startsWith(realRoot)) {
            throw outside(requested, real, realRoot);
        }
        try (Stream<Path> files = Files.list(real)) {
            for (Path file : files.toList()) {
                if (Files.isSymbolicLink(file) && !realPath(file).startsWith(realRoot)) {
                    throw outside(requested + "/" + file.getFileName(), realPath(file), realRoot);
                }
            }
        } catch (IOException e) {
            throw ApiException.badRequest("the checkpoint folder " + real + " cannot be listed: " + e.getMessage(),
                    "path");
        }
        return real;
    }

    private static Path realPath(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            // a dangling link: where it points (it cannot be read either way)
            try {
                return p.getParent().resolve(Files.readSymbolicLink(p)).normalize();
            } catch (IOException | UnsupportedOperationException inner) {
                return p.toAbsolutePath().normalize();
            }
        }
    }

    private ApiException outside(String requested, Path real, Path realRoot) {
        return ApiException.badRequest(requested + " resolves to " + real + ", outside the checkpoint root "
                + realRoot + " (aster.model.checkpoint-root): checkpoints are read only under it", "path");
    }
}
