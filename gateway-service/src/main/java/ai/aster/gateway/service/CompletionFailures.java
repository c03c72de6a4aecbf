package ai.aster.gateway.service;

import java.util.concurrent.CompletionException;

/** What failed a future: its dependent stages wrap the original failure in a {@link CompletionException}. */
public final class CompletionFailures {

    private CompletionFailures() {}

    /** The failure itself, unwrapped from a {@link CompletionException}; null stays null. */
    public static Throwable cause(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }
}
