package ai.aster.sandbox.service;

import jakarta.enterprise.context.ApplicationScoped;

/** What the service last learned about the container engine and the image; read by readiness and by every call. */
@ApplicationScoped
public class EngineStatus {

    /** Null while ready; otherwise why calls cannot run (engine unreachable, image missing), said for a person. */
    private volatile String problem = "the container engine has not been checked yet";

    public boolean ready() {
        return problem == null;
    }

    public String problem() {
        return problem;
    }

    void up() {
        problem = null;
    }

    void down(String why) {
        problem = why;
    }
}
