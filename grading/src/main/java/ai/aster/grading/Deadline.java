package ai.aster.grading;

import java.time.Duration;

/** A point in time after which work on one grading call stops; checked by the regexes and the evaluators. */
record Deadline(long nanos) {

    /** Thrown where work passes its deadline; the comparison counts as not equal. */
    static final class Expired extends RuntimeException {
        Expired() {
            super("grading deadline passed", null, false, false);
        }
    }

    static Deadline after(Duration d) {
        return new Deadline(System.nanoTime() + d.toNanos());
    }

    boolean passed() {
        return System.nanoTime() - nanos > 0;
    }

    long remainingNanos() {
        return Math.max(0, nanos - System.nanoTime());
    }

    void check() {
        if (passed()) {
            throw new Expired();
        }
    }

    /**
     * The text as a {@link CharSequence} that throws {@link Expired} once the deadline passes: Java's regex engine
     * cannot be interrupted, but it reads its input through {@code charAt}, so a backtracking pattern on a long
     * model output stops here instead of wedging its thread.
     */
    CharSequence guard(String text) {
        return new Guarded(text, this, 0, text.length());
    }

    private static final class Guarded implements CharSequence {
        private final String text;
        private final Deadline deadline;
        private final int start;
        private final int end;
        private int reads;

        Guarded(String text, Deadline deadline, int start, int end) {
            this.text = text;
            this.deadline = deadline;
            this.start = start;
            this.end = end;
        }

        @Override
        public int length() {
            return end - start;
        }

        @Override
        public char charAt(int index) {
            if ((++reads & 0xFFF) == 0) {
                deadline.check();
            }
            return text.charAt(start + index);
        }

        @Override
        public CharSequence subSequence(int from, int to) {
            return new Guarded(text, deadline, start + from, start + to);
        }

        @Override
        public String toString() {
            return text.substring(start, end);
        }
    }
}
