package ai.aster.trainer.curriculum;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Which side of the train / held-out line a problem is on, decided by the problem's text alone (SHA-256 of it):
 * one problem in {@link #HELDOUT_MODULUS} is held out. Whatever seed, count or generator drew it, an instance always
 * lands on the same side, so no held-out problem can ever be generated into a training set.
 */
public enum Split {
    TRAIN, HELDOUT;

    /** One in this many problem texts is held out. */
    public static final int HELDOUT_MODULUS = 10;

    public static Split of(String problem) {
        byte[] digest = sha256(problem);
        long head = 0;
        for (int i = 0; i < 8; i++) {
            head = (head << 8) | (digest[i] & 0xff);
        }
        return Long.remainderUnsigned(head, HELDOUT_MODULUS) == 0 ? HELDOUT : TRAIN;
    }

    /** A stable short name for a problem text: the first 12 hex digits of its SHA-256. */
    public static String fingerprint(String problem) {
        return HexFormat.of().formatHex(sha256(problem), 0, 6);
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Split parse(String name) {
        for (Split s : values()) {
            if (s.wireName().equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("--split must be train or heldout; was '" + name + "'");
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
