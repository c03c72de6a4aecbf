package ai.aster.modeling.io;

import java.util.Arrays;

/**
 * A dense row-major float32 tensor held in Java memory (what crosses between safetensors files and DJL).
 *
 * @param shape dimensions, outermost first
 * @param data  {@code product(shape)} values, row-major
 */
public record FloatTensor(long[] shape, float[] data) {

    public FloatTensor {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n
                    + " values, got " + data.length);
        }
    }
}
