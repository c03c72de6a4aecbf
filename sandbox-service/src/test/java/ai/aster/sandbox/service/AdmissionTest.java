package ai.aster.sandbox.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class AdmissionTest {

    @Test
    void refusesBeyondSlotsAndQueue() throws Exception {
        Admission admission = new Admission(1, 1, 10_000);
        Admission.Ticket first = admission.enter();
        CompletableFuture<Admission.Ticket> queued = CompletableFuture.supplyAsync(admission::enter);
        await().atMost(Duration.ofSeconds(5)).until(() -> admission.waiting() == 1);
        assertThatThrownBy(admission::enter).isInstanceOf(OverloadedException.class);
        first.close();
        Admission.Ticket second = queued.get();
        assertThat(admission.waiting()).isZero();
        second.close();
        admission.enter().close(); // free again
    }

    @Test
    void queuedCallGivesUpAfterTheWaitLimit() {
        Admission admission = new Admission(1, 5, 200);
        Admission.Ticket held = admission.enter();
        long start = System.nanoTime();
        assertThatThrownBy(admission::enter).isInstanceOf(OverloadedException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
        held.close();
    }
}
