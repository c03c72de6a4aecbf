package ai.aster.trainer.service;

/** Where a record that cannot be parsed or stored goes, with the reason; returns once the copy is durable. */
@FunctionalInterface
public interface DeadLetters {
    void send(IncomingRecord record, String reason);
}
