package ai.aster.trainer.rest;

import ai.aster.trainer.dataset.DatasetExporter;
import ai.aster.trainer.dataset.DatasetExporter.ExportRequest;
import ai.aster.trainer.dataset.DatasetExporter.ExportedFile;
import ai.aster.trainer.dataset.DatasetRows;
import ai.aster.trainer.dataset.ExportFormat;
import ai.aster.trainer.service.InvalidRequestException;
import ai.aster.trainer.service.TrajectoryQuery;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import jakarta.ws.rs.core.UriInfo;
import java.nio.file.Files;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code GET /v1/datasets/export}: the store as a training set for verl (RL prompts or multi-turn SFT rows, parquet)
 * or as JSONL. The file is written first, then streamed, so a failure is an error answer, not a truncated download,
 * and the answer can say how many rows it holds ({@code X-Aster-Export-Rows}).
 */
@Path("/v1/datasets")
public class DatasetResource {

    public static final String ROWS_HEADER = "X-Aster-Export-Rows";
    private static final Set<String> OWN = Set.of("format", "data_source", "split");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final DatasetExporter exporter;

    public DatasetResource(DatasetExporter exporter) {
        this.exporter = exporter;
    }

    @GET
    @Path("/export")
    public Response export(@QueryParam("format") String format, @QueryParam("data_source") String dataSource,
            @QueryParam("split") String split, @BeanParam TrajectoryQueryParams filters, @Context UriInfo uri) {
        rejectUnknown(uri.getQueryParameters().keySet());
        ExportFormat exportFormat = ExportFormat.parse(format);
        TrajectoryQuery query = filters.toQuery();
        ExportRequest request = new ExportRequest(exportFormat, query,
                text("data_source", dataSource, DatasetRows.DEFAULT_DATA_SOURCE),
                text("split", split, DatasetRows.DEFAULT_SPLIT));
        ExportedFile exported = exporter.exportToTemporaryFile(request);
        String name = "aster-" + exportFormat.wireName() + "-" + ZonedDateTime.now(ZoneOffset.UTC).format(STAMP) + "."
                + exportFormat.extension();
        StreamingOutput body = out -> {
            try {
                Files.copy(exported.file(), out);
            } finally {
                exported.delete();
            }
        };
        return Response.ok(body, exportFormat.mediaType())
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + name + "\"")
                .header(HttpHeaders.CONTENT_LENGTH, exported.bytes())
                .header(ROWS_HEADER, exported.rows())
                .build();
    }

    /** A misspelt filter would otherwise be ignored and export more than asked for. */
    private static void rejectUnknown(Set<String> names) {
        for (String name : names) {
            if (name.equals("cursor") || name.equals("limit")) {
                throw new InvalidRequestException(name + " is not an export parameter: an export walks every page "
                        + "of the store that matches the filters", name);
            }
            if (!OWN.contains(name) && !TrajectoryQueryParams.FILTERS.contains(name)) {
                Set<String> known = new TreeSet<>(OWN);
                known.addAll(TrajectoryQueryParams.FILTERS);
                throw new InvalidRequestException("unknown parameter '" + name + "'; export takes "
                        + String.join(", ", known), name);
            }
        }
    }

    private static String text(String param, String value, String fallback) {
        if (value == null) {
            return fallback;
        }
        if (value.isBlank()) {
            throw new InvalidRequestException(param + " must not be empty", param);
        }
        return value.strip();
    }
}
