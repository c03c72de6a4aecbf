package ai.aster.model.engine;

/** Receives a request's outputs on the engine thread; implementations hand them off and must not block. */
public interface RequestListener {

    void onOutput(RequestOutput output);

    /** The request failed inside the engine (for example the forward pass threw); no more outputs follow. */
    void onFailure(String message);
}
