package ai.aster.modeling;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** Expected strings are what CPython 3.11 prints for {@code repr(x)} and {@code json.dumps(x, ensure_ascii=False)}. */
class PythonJsonTest {

    @Test
    void floatsPrintAsPythonRepr() {
        assertEquals("1.0", PythonJson.floatRepr(1.0));
        assertEquals("0.5", PythonJson.floatRepr(0.5));
        assertEquals("0.0001", PythonJson.floatRepr(1e-4));
        assertEquals("1e-05", PythonJson.floatRepr(1e-5));
        assertEquals("0.00015", PythonJson.floatRepr(1.5e-4));
        assertEquals("10000000.0", PythonJson.floatRepr(1e7));
        assertEquals("15000000000.0", PythonJson.floatRepr(1.5e10));
        assertEquals("1e+16", PythonJson.floatRepr(1e16));
        assertEquals("-2.5e-07", PythonJson.floatRepr(-2.5e-7));
    }

    @Test
    void dumpsLikePythonJson() throws Exception {
        var node = new ObjectMapper().readTree("{\"name\": \"ç\\n\\\"x\\\"\", \"t\": 0.001, \"n\": [1, true, null]}");
        assertEquals("{\"name\": \"ç\\n\\\"x\\\"\", \"t\": 0.001, \"n\": [1, true, null]}", PythonJson.dumps(node));
    }
}
