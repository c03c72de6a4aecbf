package ai.aster.gateway.service;

/** The model or sandbox service is down, refuses, or stays silent: the trajectory ends with {@code error}, 503. */
public class DependencyUnavailableException extends RuntimeException {

    private final String dependency;

    public DependencyUnavailableException(String dependency, String message, Throwable cause) {
        super(dependency + ": " + message, cause);
        this.dependency = dependency;
    }

    public String dependency() {
        return dependency;
    }
}
