package ai.aster.trainer.service;

import java.util.List;

/** Writes rows idempotently (an upsert by id): writing the same trajectory twice leaves one row. */
public interface TrajectoryWriter {

    /** Writes all rows in one transaction; {@link RowRejectedException} when some row's content was refused. */
    void upsertAll(List<StoredTrajectory> rows) throws RowRejectedException;

    /** Writes one row. */
    void upsert(StoredTrajectory row) throws RowRejectedException;
}
