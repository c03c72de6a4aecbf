package ai.aster.grading;

import ai.aster.grading.MathNode.Add;
import ai.aster.grading.MathNode.Matrix;
import ai.aster.grading.MathNode.Mul;
import java.util.ArrayList;
import java.util.List;

/** Sums and products of written-out matrices, so that {@code A + B} is compared as the matrix it equals. */
final class MatrixArithmetic {

    private MatrixArithmetic() {}

    static MathNode evaluate(MathNode n) {
        if (n instanceof Add(var terms) && terms.stream().allMatch(t -> t instanceof Matrix)) {
            Matrix acc = (Matrix) terms.getFirst();
            for (MathNode t : terms.subList(1, terms.size())) {
                Matrix m = (Matrix) t;
                if (!sameShape(acc, m)) {
                    return n;
                }
                List<List<MathNode>> rows = new ArrayList<>();
                for (int r = 0; r < acc.rows().size(); r++) {
                    List<MathNode> row = new ArrayList<>();
                    for (int c = 0; c < acc.rows().get(r).size(); c++) {
                        row.add(new Add(List.of(acc.rows().get(r).get(c), m.rows().get(r).get(c))));
                    }
                    rows.add(row);
                }
                acc = new Matrix(rows);
            }
            return acc;
        }
        if (n instanceof Mul(var factors) && factors.size() == 2 && factors.get(0) instanceof Matrix a
                && factors.get(1) instanceof Matrix b) {
            int inner = a.rows().getFirst().size();
            if (b.rows().size() != inner) {
                return n;
            }
            List<List<MathNode>> rows = new ArrayList<>();
            for (List<MathNode> aRow : a.rows()) {
                List<MathNode> row = new ArrayList<>();
                for (int c = 0; c < b.rows().getFirst().size(); c++) {
                    List<MathNode> terms = new ArrayList<>();
                    for (int k = 0; k < inner; k++) {
                        terms.add(new Mul(List.of(aRow.get(k), b.rows().get(k).get(c))));
                    }
                    row.add(new Add(terms));
                }
                rows.add(row);
            }
            return new Matrix(rows);
        }
        return n;
    }

    private static boolean sameShape(Matrix a, Matrix b) {
        if (a.rows().size() != b.rows().size()) {
            return false;
        }
        for (int r = 0; r < a.rows().size(); r++) {
            if (a.rows().get(r).size() != b.rows().get(r).size()) {
                return false;
            }
        }
        return true;
    }
}
