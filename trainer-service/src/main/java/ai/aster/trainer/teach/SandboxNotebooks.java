package ai.aster.trainer.teach;

import ai.aster.protocol.sandbox.ExecutionRequest;
import ai.aster.protocol.sandbox.ExecutionResult;
import ai.aster.protocol.sandbox.ExecutionStatus;
import ai.aster.protocol.tools.ToolResultText;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Runs the code calls of many trajectories in one sandbox execution, each trajectory ("notebook") in its own fresh
 * globals as a sandbox session would hold them, each call run like the sandbox runner's cell. The teacher's batched
 * mode: a container per call bounds teaching at about one call a second on two cores, and the SFT data that
 * teaches a small model to copy numbers needs thousands of distinct problems. The outputs are still the real
 * sandbox's (the same image, interpreter and libraries); only the container is shared.
 */
public final class SandboxNotebooks {

    /** One call's output as the notebook driver reports it. */
    record CellOutput(boolean ok, String out, String err, long ms) {}

    private final SandboxExecutions sandbox;
    private final ObjectMapper json;
    private final String driver;

    public SandboxNotebooks(SandboxExecutions sandbox, ObjectMapper json) {
        this.sandbox = sandbox;
        this.json = json;
        try (InputStream in = SandboxNotebooks.class.getResourceAsStream("/teach/notebooks.py")) {
            this.driver = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param notebooks each trajectory's calls, in order
     * @return per notebook, the result of each call that ran (a notebook stops at its first failed call), in the
     *         shape a sandbox session call returns: {@code ok} with its stdout and stderr, or {@code error}
     */
    public List<List<ExecutionResult>> run(List<List<String>> notebooks, double timeoutS) {
        String stdin;
        try {
            stdin = json.writeValueAsString(notebooks);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        ExecutionResult result = sandbox.execute(new ExecutionRequest(driver, "python", null, timeoutS, null, stdin));
        if (result.status() != ExecutionStatus.OK || result.stdoutTruncated()) {
            throw new TeachingException("a batch of " + notebooks.size() + " trajectories ended "
                    + (result.stdoutTruncated() ? "with its output cut at the sandbox's cap (use a smaller batch)"
                    : result.status().wireName() + ": " + ToolResultText.render(result, timeoutS).strip()));
        }
        List<List<CellOutput>> outputs;
        try {
            outputs = json.readValue(result.stdout(), new TypeReference<>() {});
        } catch (IOException e) {
            throw new TeachingException("the notebook driver printed something that is not its report: "
                    + e.getMessage());
        }
        if (outputs.size() != notebooks.size()) {
            throw new TeachingException("the notebook driver reported " + outputs.size() + " notebooks of "
                    + notebooks.size());
        }
        return outputs.stream().map(cells -> cells.stream().map(SandboxNotebooks::asResult).toList()).toList();
    }

    private static ExecutionResult asResult(CellOutput cell) {
        return new ExecutionResult(cell.ok() ? ExecutionStatus.OK : ExecutionStatus.ERROR, cell.ok() ? 0 : 1,
                cell.out(), cell.err(), false, false, cell.ms(), null);
    }
}
