package ai.aster.modeling.io;

import java.nio.ByteBuffer;

/** Safetensors element types this library reads and writes, and their conversions to and from float32. */
public final class DType {

    public static final String F32 = "F32";
    public static final String BF16 = "BF16";
    public static final String F16 = "F16";

    private DType() {
    }

    /** Bytes per element. */
    public static int width(String dtype) {
        return switch (dtype) {
            case F32 -> 4;
            case BF16, F16 -> 2;
            default -> throw new IllegalArgumentException("unsupported safetensors dtype " + dtype
                    + " (supported: F32, BF16, F16)");
        };
    }

    /** Reads {@code out.length} little-endian values of {@code dtype} from {@code in}, widened to float32. */
    static void widen(String dtype, ByteBuffer in, float[] out) {
        switch (dtype) {
            case F32 -> in.asFloatBuffer().get(out);
            // bf16 is the upper half of a float32: widening is exact
            case BF16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float.intBitsToFloat((in.getShort() & 0xFFFF) << 16);
                }
            }
            case F16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float.float16ToFloat(in.getShort());
                }
            }
            default -> throw new IllegalArgumentException("unsupported safetensors dtype " + dtype);
        }
    }

    /** Writes {@code values} as little-endian {@code dtype} into {@code out} (bf16 rounds to nearest even). */
    static void narrow(String dtype, float[] values, ByteBuffer out) {
        switch (dtype) {
            case F32 -> {
                for (float v : values) {
                    out.putFloat(v);
                }
            }
            case BF16 -> {
                for (float v : values) {
                    out.putShort(toBf16(v));
                }
            }
            case F16 -> {
                for (float v : values) {
                    out.putShort(Float.floatToFloat16(v));
                }
            }
            default -> throw new IllegalArgumentException("unsupported safetensors dtype " + dtype);
        }
    }

    /** float32 to bf16 bits, round to nearest even; NaN stays NaN. */
    public static short toBf16(float v) {
        int bits = Float.floatToRawIntBits(v);
        if (Float.isNaN(v)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }
}
