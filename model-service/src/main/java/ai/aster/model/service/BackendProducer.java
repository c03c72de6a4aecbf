package ai.aster.model.service;

import ai.aster.model.config.ModelServiceConfig;
import ai.aster.protocol.openai.ModelList;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/** Picks the backend named by {@code aster.model.backend}; only that one is ever created. */
@ApplicationScoped
public class BackendProducer {

    private static final Logger LOG = Logger.getLogger(BackendProducer.class);

    @Produces
    @Singleton
    InferenceBackend backend(ModelServiceConfig config, Instance<EmbeddedBackend> embedded,
            Instance<UpstreamBackend> upstream) {
        return switch (config.backend()) {
            case embedded -> embedded.get();
            case openai -> upstream.get();
        };
    }

    /** Loads the model (or reaches the upstream) at start, so the first request does not pay for it. */
    void onStart(@Observes StartupEvent event, InferenceBackend backend, ModelServiceConfig config) {
        ModelList.Model model = backend.model();
        LOG.infof("serving %s with backend %s on device %s (context %s tokens, policy version %d)", model.id(),
                config.backend(), model.device(), model.maxModelLen(), model.policyVersion());
    }
}
