package ai.aster.trainer.rest;

import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * {@code /ui} to {@code /ui/}: the viewer's files (META-INF/resources/ui) are static and hold no secret, so they are
 * served without the internal token; the page asks for it and sends it on every API call.
 */
@ApplicationScoped
public class ViewerRedirect {

    void addRoute(@Observes Router router) {
        // Vert.x matches "/ui" on "/ui/" too: redirect only the bare path, let the static handler serve the rest
        router.get("/ui").handler(rc -> {
            if (rc.request().path().equals("/ui")) {
                rc.redirect("/ui/");
            } else {
                rc.next();
            }
        });
    }
}
