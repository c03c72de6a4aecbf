package ai.aster.trainer.dataset;

import ai.aster.trainer.service.InvalidRequestException;
import java.util.Arrays;
import java.util.stream.Collectors;

/** What {@code GET /v1/datasets/export} writes: verl's RL prompts, verl's multi-turn SFT rows, or those rows as JSONL. */
public enum ExportFormat {

    /** One row per distinct problem with a reference answer (verl's RLHFDataset columns), parquet. */
    VERL_RL("verl-rl", "application/vnd.apache.parquet", "parquet"),
    /** One row per trajectory (verl's MultiTurnSFTDataset: {@code messages}, {@code tools}), parquet. */
    VERL_SFT("verl-sft", "application/vnd.apache.parquet", "parquet"),
    /** The SFT rows as JSON lines (OpenAI-format conversations with tool calls and tool results). */
    JSONL("jsonl", "application/x-ndjson", "jsonl");

    private final String wireName;
    private final String mediaType;
    private final String extension;

    ExportFormat(String wireName, String mediaType, String extension) {
        this.wireName = wireName;
        this.mediaType = mediaType;
        this.extension = extension;
    }

    public String wireName() {
        return wireName;
    }

    public String mediaType() {
        return mediaType;
    }

    public String extension() {
        return extension;
    }

    public boolean parquet() {
        return this != JSONL;
    }

    public static String names() {
        return Arrays.stream(values()).map(ExportFormat::wireName).collect(Collectors.joining(", "));
    }

    /** @throws InvalidRequestException (param {@code format}) for a missing or unknown name */
    public static ExportFormat parse(String name) {
        if (name == null || name.isBlank()) {
            throw new InvalidRequestException("format is required: one of " + names(), "format");
        }
        for (ExportFormat format : values()) {
            if (format.wireName.equals(name.strip())) {
                return format;
            }
        }
        throw new InvalidRequestException("format must be one of " + names() + "; was '" + name + "'", "format");
    }
}
