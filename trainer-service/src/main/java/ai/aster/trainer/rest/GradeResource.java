package ai.aster.trainer.rest;

import ai.aster.trainer.service.GradeBatchRequest;
import ai.aster.trainer.service.GradeRequest;
import ai.aster.trainer.service.GradeResponse;
import ai.aster.trainer.service.GradeService;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** Answer grading as Math-Verify's parse + verify. */
@Path("/v1/grade")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class GradeResource {

    private final GradeService service;

    public GradeResource(GradeService service) {
        this.service = service;
    }

    @POST
    public GradeResponse grade(GradeRequest request) {
        return service.grade(request);
    }

    @POST
    @Path("/batch")
    public GradeResponse.Batch batch(GradeBatchRequest request) {
        return service.gradeBatch(request);
    }
}
