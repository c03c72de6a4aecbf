package ai.aster.trainer.service;

/** One Kafka record of the trajectory topic, as the ingest needs it (value kept as bytes for the dead-letter copy). */
public record IncomingRecord(String topic, int partition, long offset, String key, byte[] value) {}
