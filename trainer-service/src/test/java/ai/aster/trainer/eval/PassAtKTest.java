package ai.aster.trainer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PassAtKTest {

    @Test
    void matchesTheBinomialFormulaComputedByHand() {
        // 1 - C(3,2)/C(4,2) = 1 - 3/6
        assertEquals(0.5, PassAtK.estimate(4, 1, 2), 1e-12);
        // 1 - C(3,3)/C(5,3) = 1 - 1/10
        assertEquals(0.9, PassAtK.estimate(5, 2, 3), 1e-12);
        // 1 - C(12,4)/C(16,4) = 1 - 495/1820
        assertEquals(1 - 495.0 / 1820.0, PassAtK.estimate(16, 4, 4), 1e-12);
        // k = 1 is the share of correct samples
        assertEquals(0.3, PassAtK.estimate(10, 3, 1), 1e-12);
    }

    @Test
    void edgeCases() {
        assertEquals(0.0, PassAtK.estimate(16, 0, 16));
        assertEquals(1.0, PassAtK.estimate(16, 1, 16), "with n = k one correct sample is always drawn");
        assertEquals(1.0, PassAtK.estimate(16, 16, 1));
        assertEquals(1.0, PassAtK.estimate(5, 3, 3), "fewer wrong samples (2) than draws (3)");
    }

    @Test
    void rejectsImpossibleCounts() {
        assertThrows(IllegalArgumentException.class, () -> PassAtK.estimate(4, 5, 2));
        assertThrows(IllegalArgumentException.class, () -> PassAtK.estimate(4, 1, 5));
        assertThrows(IllegalArgumentException.class, () -> PassAtK.estimate(0, 0, 1));
    }
}
