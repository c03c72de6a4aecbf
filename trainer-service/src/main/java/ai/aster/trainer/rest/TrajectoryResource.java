package ai.aster.trainer.rest;

import ai.aster.trainer.service.StoreStats;
import ai.aster.trainer.service.TrajectoryPage;
import ai.aster.trainer.service.TrajectoryService;
import ai.aster.trainer.service.TrajectoryService.TrajectoryDetail;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** The trajectory store's read API. */
@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
public class TrajectoryResource {

    private final TrajectoryService service;

    public TrajectoryResource(TrajectoryService service) {
        this.service = service;
    }

    @GET
    @Path("/trajectories")
    public TrajectoryPage list(@BeanParam TrajectoryQueryParams params) {
        return service.list(params.toQuery());
    }

    @GET
    @Path("/trajectories/{id}")
    public TrajectoryDetail get(@PathParam("id") String id) {
        return service.get(id).orElseThrow(() -> new NotFoundException("no trajectory with id " + id));
    }

    @GET
    @Path("/stats")
    public StoreStats stats() {
        return service.stats();
    }
}
