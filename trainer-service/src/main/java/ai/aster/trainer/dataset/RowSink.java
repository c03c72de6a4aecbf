package ai.aster.trainer.dataset;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/** Where export rows go, one JSON row at a time; closing finishes the file. */
interface RowSink extends AutoCloseable {

    void write(ObjectNode row) throws IOException;

    @Override
    void close() throws IOException;
}
