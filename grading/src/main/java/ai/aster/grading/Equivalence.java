package ai.aster.grading;

import ai.aster.grading.MathNode.Add;
import ai.aster.grading.MathNode.Const;
import ai.aster.grading.MathNode.Div;
import ai.aster.grading.MathNode.Fn;
import ai.aster.grading.MathNode.Interval;
import ai.aster.grading.MathNode.Matrix;
import ai.aster.grading.MathNode.Mul;
import ai.aster.grading.MathNode.Neg;
import ai.aster.grading.MathNode.Num;
import ai.aster.grading.MathNode.Percent;
import ai.aster.grading.MathNode.PlusMinus;
import ai.aster.grading.MathNode.Pow;
import ai.aster.grading.MathNode.Rel;
import ai.aster.grading.MathNode.SetOf;
import ai.aster.grading.MathNode.Sym;
import ai.aster.grading.MathNode.Text;
import ai.aster.grading.MathNode.TupleOf;
import ai.aster.grading.MathNode.Union;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * Whether a predicted answer equals the gold one, following Math-Verify's {@code verify} rules: assignments are
 * compared by their value ({@code x=3} is 3), a relation gold against a set prediction is turned into a set,
 * sets match in any order and tuples in order, intervals by their ends and openness, relations up to a constant
 * factor (and flipped), numbers exactly unless a float is involved (then rounded to {@code floatRounding}
 * decimals), and everything else symbolically: a numeric test at random points rejects unequal expressions, Symja
 * confirms equal ones. One instance per comparison (it carries the deadline).
 */
final class Equivalence {

    private static final double CLOSE = 1e-9;
    private static final int POINTS = 4;

    private final GradeOptions options;
    private final AlgebraEngine algebra;
    private final Deadline deadline;
    private final Random random = new Random(20260130L);

    Equivalence(GradeOptions options, AlgebraEngine algebra, Deadline deadline) {
        this.options = options;
        this.algebra = algebra;
        this.deadline = deadline;
    }

    boolean equal(MathNode gold, MathNode pred) {
        deadline.check();
        gold = MatrixArithmetic.evaluate(expandPlusMinus(gold));
        pred = MatrixArithmetic.evaluate(expandPlusMinus(pred));
        if (!options.strict()) {
            pred = renameVariables(gold, pred);
        }
        boolean goldAssignment = isAssignment(gold);
        boolean predAssignment = isAssignment(pred);
        boolean goldEquation = isEquation(gold);
        boolean predEquation = isEquation(pred);
        if (goldAssignment) {
            gold = firstLhsLastRhs((Rel) gold);
        }
        if (predAssignment) {
            pred = firstLhsLastRhs((Rel) pred);
        }
        if (predEquation && !goldEquation) {
            pred = lastRhs((Rel) pred);
        } else if (goldAssignment && !predEquation) {
            gold = lastRhs((Rel) gold);
        }
        if (gold instanceof Rel r && isSetLike(pred)) {
            gold = relationAsSet(r);
        }
        if (options.allowSetRelationComp() && pred instanceof Rel r && isSetLike(gold)) {
            pred = relationAsSet(r);
        }
        if (gold.equals(pred)) {
            return true;
        }
        if (gold instanceof Rel g && pred instanceof Rel p) {
            return relationsEqual(g, p);
        }
        if (gold instanceof Rel || pred instanceof Rel) {
            return false;
        }
        if (gold instanceof Matrix g && pred instanceof Matrix p) {
            return matricesEqual(g, p);
        }
        if (isSetLike(gold) || isSetLike(pred)) {
            return setsEqual(gold, pred);
        }
        if (gold instanceof Matrix || pred instanceof Matrix) {
            return false;
        }
        return scalarsEqual(gold, pred);
    }

    // ---- sets, tuples, intervals ----

    private static boolean isSetLike(MathNode n) {
        return n instanceof SetOf || n instanceof TupleOf || n instanceof Interval || n instanceof Union;
    }

    private boolean setsEqual(MathNode gold, MathNode pred) {
        if (gold instanceof Interval g && pred instanceof Interval p) {
            return g.loOpen() == p.loOpen() && g.hiOpen() == p.hiOpen() && equal(g.lo(), p.lo()) && equal(g.hi(), p.hi());
        }
        if (gold instanceof Union g && pred instanceof Union p) {
            return unordered(g.parts(), p.parts());
        }
        // an open interval (a, b) may have been meant as the pair (a, b)
        if (gold instanceof Interval g && (pred instanceof TupleOf || pred instanceof SetOf)) {
            List<MathNode> items = items(pred);
            return g.loOpen() && g.hiOpen() && items.size() == 2 && ordered(List.of(g.lo(), g.hi()), items);
        }
        if (pred instanceof Interval p && (gold instanceof TupleOf || gold instanceof SetOf)) {
            List<MathNode> items = items(gold);
            return p.loOpen() && p.hiOpen() && items.size() == 2 && ordered(items, List.of(p.lo(), p.hi()));
        }
        if (gold instanceof Interval || pred instanceof Interval || gold instanceof Union || pred instanceof Union) {
            return false;
        }
        List<MathNode> g = gold instanceof SetOf ? distinct(items(gold)) : items(gold);
        List<MathNode> p = pred instanceof SetOf ? distinct(items(pred)) : items(pred);
        if (g.size() != p.size()) {
            return false;
        }
        if (gold instanceof TupleOf gt && pred instanceof TupleOf pt) {
            // a parenthesised pair against one from a plain list: still ordered
            return ordered(gt.items(), pt.items());
        }
        if (gold instanceof TupleOf) {
            return ordered(g, p); // the prediction's set is read in its written order
        }
        return unordered(g, p);
    }

    /** A set's elements without repeats (written twice is listed once, as in a set). */
    private static List<MathNode> distinct(List<MathNode> items) {
        return items.stream().distinct().toList();
    }

    private static List<MathNode> items(MathNode n) {
        return switch (n) {
            case SetOf s -> s.items();
            case TupleOf t -> t.items();
            default -> List.of(n);
        };
    }

    private boolean ordered(List<MathNode> g, List<MathNode> p) {
        if (g.size() != p.size()) {
            return false;
        }
        for (int i = 0; i < g.size(); i++) {
            if (!equal(g.get(i), p.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** A perfect matching between the two lists (small lists: backtracking). */
    private boolean unordered(List<MathNode> g, List<MathNode> p) {
        if (g.size() != p.size()) {
            return false;
        }
        Boolean[][] memo = new Boolean[g.size()][p.size()];
        return match(0, g, p, new boolean[p.size()], memo);
    }

    private boolean match(int i, List<MathNode> g, List<MathNode> p, boolean[] used, Boolean[][] memo) {
        if (i == g.size()) {
            return true;
        }
        for (int j = 0; j < p.size(); j++) {
            if (used[j]) {
                continue;
            }
            if (memo[i][j] == null) {
                memo[i][j] = equal(g.get(i), p.get(j));
            }
            if (memo[i][j]) {
                used[j] = true;
                if (match(i + 1, g, p, used, memo)) {
                    return true;
                }
                used[j] = false;
            }
        }
        return false;
    }

    private boolean matricesEqual(Matrix g, Matrix p) {
        if (g.rows().size() != p.rows().size()) {
            return false;
        }
        for (int r = 0; r < g.rows().size(); r++) {
            if (!ordered(g.rows().get(r), p.rows().get(r))) {
                return false;
            }
        }
        return true;
    }

    // ---- relations ----

    private static boolean isEquation(MathNode n) {
        return n instanceof Rel r && r.ops().stream().allMatch("="::equals);
    }

    /** {@code x = ...}, {@code f(x) = ...}, {@code |AB| = ...}: an equation whose left side has no numbers. */
    private static boolean isAssignment(MathNode n) {
        return isEquation(n) && onlySymbols(((Rel) n).operands().getFirst());
    }

    private static boolean onlySymbols(MathNode n) {
        return switch (n) {
            case Sym s -> true;
            case Text t -> true;
            case Const c -> c == Const.E || c == Const.I;
            case Fn f -> f.args().stream().allMatch(Equivalence::onlySymbols);
            case Mul m -> m.factors().stream().allMatch(Equivalence::onlySymbols);
            case Div d -> onlySymbols(d.num()) && onlySymbols(d.den());
            case TupleOf t -> t.items().stream().allMatch(Equivalence::onlySymbols);
            default -> false;
        };
    }

    private static MathNode firstLhsLastRhs(Rel r) {
        return new Rel(List.of(r.operands().getFirst(), r.operands().getLast()), List.of("="));
    }

    private static MathNode lastRhs(Rel r) {
        return r.operands().getLast();
    }

    /** {@code a < x <= b}, {@code x > a}, {@code x != a} over one variable as an interval or union; else as is. */
    private MathNode relationAsSet(Rel r) {
        List<MathNode> ops = r.operands();
        int variable = -1;
        for (int i = 0; i < ops.size(); i++) {
            if (!variables(ops.get(i)).isEmpty()) {
                if (variable >= 0) {
                    return r;
                }
                variable = i;
            }
        }
        if (variable < 0 || !(ops.get(variable) instanceof Sym || ops.get(variable) instanceof Fn)) {
            return r;
        }
        if (ops.get(variable) instanceof Fn(String name, var args) && name.equals("Abs") && args.getFirst() instanceof Sym) {
            MathNode inner = relationAsSet(new Rel(replaceAt(ops, variable, args.getFirst()), r.ops()));
            if (inner instanceof Interval(MathNode lo, MathNode hi, boolean lOpen, boolean hOpen) && !hi.equals(Const.INFINITY)) {
                // lo <= |x| <= hi is [-hi, -lo] U [lo, hi]
                return new Union(List.of(new Interval(new Neg(hi), new Neg(lo), hOpen, lOpen), new Interval(lo, hi, lOpen, hOpen)));
            }
            return r;
        }
        MathNode lo = new Neg(Const.INFINITY);
        MathNode hi = Const.INFINITY;
        boolean loOpen = true;
        boolean hiOpen = true;
        for (int k = 0; k < r.ops().size(); k++) {
            String op = r.ops().get(k);
            boolean variableOnLeft = k == variable;
            boolean variableOnRight = k + 1 == variable;
            if (!variableOnLeft && !variableOnRight) {
                continue;
            }
            MathNode bound = ops.get(variableOnLeft ? k + 1 : k);
            switch (op) {
                case "<", "<=" -> {
                    if (variableOnLeft) {
                        hi = bound;
                        hiOpen = op.equals("<");
                    } else {
                        lo = bound;
                        loOpen = op.equals("<");
                    }
                }
                case ">", ">=" -> {
                    if (variableOnLeft) {
                        lo = bound;
                        loOpen = op.equals(">");
                    } else {
                        hi = bound;
                        hiOpen = op.equals(">");
                    }
                }
                case "!=" -> {
                    return new Union(List.of(new Interval(new Neg(Const.INFINITY), bound, true, true),
                            new Interval(bound, Const.INFINITY, true, true)));
                }
                default -> {
                    return r;
                }
            }
        }
        return new Interval(lo, hi, loOpen, hiOpen);
    }

    private static List<MathNode> replaceAt(List<MathNode> list, int index, MathNode value) {
        List<MathNode> copy = new ArrayList<>(list);
        copy.set(index, value);
        return copy;
    }

    private boolean relationsEqual(Rel g, Rel p) {
        if (g.ops().size() != p.ops().size()) {
            return false;
        }
        if (g.ops().size() > 1) {
            for (int i = 0; i < g.ops().size(); i++) {
                Rel gi = new Rel(List.of(g.operands().get(i), g.operands().get(i + 1)), List.of(g.ops().get(i)));
                Rel pi = new Rel(List.of(p.operands().get(i), p.operands().get(i + 1)), List.of(p.ops().get(i)));
                if (!relationsEqual(gi, pi)) {
                    return false;
                }
            }
            return true;
        }
        String gop = g.ops().getFirst();
        String pop = p.ops().getFirst();
        int sign; // the factor between the two sides' differences must have this sign (0: any non-zero)
        if (gop.equals(pop)) {
            sign = gop.equals("=") || gop.equals("!=") ? 0 : 1;
        } else if (gop.equals(flip(pop))) {
            sign = -1;
        } else {
            return false;
        }
        MathNode dg = new Add(List.of(g.operands().get(0), new Neg(g.operands().get(1))));
        MathNode dp = new Add(List.of(p.operands().get(0), new Neg(p.operands().get(1))));
        if (sign >= 0 && scalarsEqual(dg, dp)) {
            return true;
        }
        if (sign <= 0 && scalarsEqual(dg, new Neg(dp))) {
            return true;
        }
        return proportional(dg, dp, sign);
    }

    private static String flip(String op) {
        return switch (op) {
            case "<" -> ">";
            case ">" -> "<";
            case "<=" -> ">=";
            case ">=" -> "<=";
            default -> op;
        };
    }

    /** Whether {@code a = k*b} for a constant k of the given sign (the same equation or inequality, rescaled). */
    private boolean proportional(MathNode a, MathNode b, int sign) {
        Set<String> vars = new TreeSet<>(variables(a));
        vars.addAll(variables(b));
        if (vars.isEmpty()) {
            return false;
        }
        Double ratio = null;
        int points = 0;
        for (int i = 0; i < POINTS * 3 && points < POINTS; i++) {
            Map<String, Double> at = randomPoint(vars);
            try {
                double x = NumericValue.evaluate(a, at);
                double y = NumericValue.evaluate(b, at);
                if (!Double.isFinite(x) || !Double.isFinite(y) || Math.abs(y) < 1e-12) {
                    continue;
                }
                double r = x / y;
                if (ratio == null) {
                    ratio = r;
                } else if (!close(ratio, r)) {
                    return false;
                }
                points++;
            } catch (NumericValue.Unsupported e) {
                return false;
            }
        }
        if (ratio == null || points < POINTS || Math.abs(ratio) < 1e-12) {
            return false;
        }
        return sign == 0 || Math.signum(ratio) == sign;
    }

    // ---- scalars ----

    private boolean scalarsEqual(MathNode g, MathNode p) {
        deadline.check();
        if (g.equals(p)) {
            return true;
        }
        if (g instanceof Percent(MathNode x)) {
            return scalarsEqual(x, p) || scalarsEqual(new Div(x, num(100)), p);
        }
        if (p instanceof Percent(MathNode x)) {
            return scalarsEqual(g, x) || scalarsEqual(g, new Div(x, num(100)));
        }
        String gw = word(g);
        String pw = word(p);
        if (g instanceof Text || p instanceof Text || g instanceof Sym || p instanceof Sym) {
            if (gw != null && pw != null) {
                return gw.equalsIgnoreCase(pw);
            }
            if (g instanceof Text || p instanceof Text) {
                return false;
            }
        }
        if (g instanceof Fn(String gn, var ga) && gn.equals("Ratio") && p instanceof Fn(String pn, var pa) && pn.equals("Ratio")) {
            // 7:32 = 14:64, but 12:00 is a time, not a division by zero
            ExactValue a = ExactValue.evaluate(new Div(ga.get(0), ga.get(1)));
            ExactValue b = ExactValue.evaluate(new Div(pa.get(0), pa.get(1)));
            return ordered(ga, pa) || (a != null && a.equals(b));
        }
        if (isFloatAtom(g) || isFloatAtom(p)) {
            BigDecimal a = decimalValue(g);
            BigDecimal b = decimalValue(p);
            if (a != null && b != null) {
                int places = options.floatRounding();
                return a.setScale(places, RoundingMode.HALF_EVEN).compareTo(b.setScale(places, RoundingMode.HALF_EVEN)) == 0;
            }
        }
        ExactValue eg = ExactValue.evaluate(g);
        ExactValue ep = ExactValue.evaluate(p);
        if (eg != null && ep != null) {
            return eg.equals(ep);
        }
        Set<String> vars = new TreeSet<>(variables(g));
        vars.addAll(variables(p));
        Boolean numeric = numericVerdict(g, p, vars);
        if (Boolean.FALSE.equals(numeric)) {
            return false;
        }
        if (Boolean.TRUE.equals(numeric) && (containsDecimal(g) || containsDecimal(p))) {
            return true; // a float written inside an expression: equal to machine precision is equal
        }
        Boolean symbolic = symbolicVerdict(g, p, vars.isEmpty());
        if (symbolic != null && symbolic) {
            return true;
        }
        // Symja could not show it (or had no time): agreement at random points stands
        return Boolean.TRUE.equals(numeric);
    }

    /** TRUE/FALSE when the expressions can be evaluated (at random points when they have variables), else null. */
    private Boolean numericVerdict(MathNode g, MathNode p, Set<String> vars) {
        int agreed = 0;
        int tries = vars.isEmpty() ? 1 : POINTS * 3;
        int wanted = vars.isEmpty() ? 1 : POINTS;
        for (int i = 0; i < tries && agreed < wanted; i++) {
            Map<String, Double> at = randomPoint(vars);
            double x;
            double y;
            try {
                x = NumericValue.evaluate(g, at);
                y = NumericValue.evaluate(p, at);
            } catch (NumericValue.Unsupported e) {
                return null;
            }
            if (Double.isNaN(x) || Double.isNaN(y) || Double.isInfinite(x) != Double.isInfinite(y)) {
                if (Double.isNaN(x) != Double.isNaN(y) && vars.isEmpty()) {
                    return false;
                }
                continue;
            }
            if (Double.isInfinite(x)) {
                if (x != y) {
                    return false;
                }
            } else if (!close(x, y)) {
                return false;
            }
            agreed++;
        }
        return agreed == wanted ? Boolean.TRUE : null;
    }

    private Boolean symbolicVerdict(MathNode g, MathNode p, boolean closedForm) {
        String difference;
        try {
            difference = new SymjaForm().difference(g, p);
        } catch (NumericValue.Unsupported e) {
            return null;
        }
        return algebra.isZero(difference, closedForm, deadline).orElse(null);
    }

    private Map<String, Double> randomPoint(Set<String> vars) {
        Map<String, Double> at = new HashMap<>();
        for (String v : vars) {
            at.put(v, 0.3 + 1.7 * random.nextDouble());
        }
        return at;
    }

    private static boolean close(double x, double y) {
        return Math.abs(x - y) <= CLOSE * Math.max(1, Math.max(Math.abs(x), Math.abs(y)));
    }

    private static boolean isFloatAtom(MathNode n) {
        return switch (n) {
            case Num num -> num.decimal();
            case Neg(Num num) -> num.decimal();
            case Percent(MathNode x) -> isFloatAtom(x);
            default -> false;
        };
    }

    private static boolean containsDecimal(MathNode n) {
        return switch (n) {
            case Num num -> num.decimal();
            case Neg(MathNode x) -> containsDecimal(x);
            case Percent(MathNode x) -> containsDecimal(x);
            case Add(var t) -> t.stream().anyMatch(Equivalence::containsDecimal);
            case Mul(var f) -> f.stream().anyMatch(Equivalence::containsDecimal);
            case Div(MathNode a, MathNode b) -> containsDecimal(a) || containsDecimal(b);
            case Pow(MathNode a, MathNode b) -> containsDecimal(a) || containsDecimal(b);
            case Fn f -> f.args().stream().anyMatch(Equivalence::containsDecimal);
            default -> false;
        };
    }

    /** The value of a closed-form expression to about 15 significant digits (exact when rational), or null. */
    private static BigDecimal decimalValue(MathNode n) {
        ExactValue e = ExactValue.evaluate(n);
        if (e != null) {
            return e.toBigDecimal();
        }
        if (!variables(n).isEmpty()) {
            return null;
        }
        try {
            double d = NumericValue.evaluate(n, Map.of());
            return Double.isFinite(d) ? new BigDecimal(d) : null;
        } catch (NumericValue.Unsupported ex) {
            return null;
        }
    }

    /** A word-like answer: a text, a variable, or letters multiplied together ({@code odd} parsed as o*d*d). */
    private static String word(MathNode n) {
        return switch (n) {
            case Text(String t) -> t.replaceAll("^\\((.*)\\)$", "$1").replace(" ", "");
            case Sym(String name) -> name;
            case Const c when c == Const.E -> "e";
            case Mul(var factors) -> {
                StringBuilder b = new StringBuilder();
                for (MathNode f : factors) {
                    String w = f instanceof Sym || f == Const.E ? word(f) : null;
                    if (w == null) {
                        yield null;
                    }
                    b.append(w);
                }
                yield b.toString();
            }
            default -> null;
        };
    }

    // ---- helpers ----

    static Set<String> variables(MathNode n) {
        Set<String> out = new TreeSet<>();
        collectVariables(n, out);
        return out;
    }

    private static void collectVariables(MathNode n, Set<String> out) {
        switch (n) {
            case Sym(String name) -> out.add(name);
            case Neg(MathNode x) -> collectVariables(x, out);
            case Percent(MathNode x) -> collectVariables(x, out);
            case Add(var t) -> t.forEach(x -> collectVariables(x, out));
            case Mul(var f) -> f.forEach(x -> collectVariables(x, out));
            case Div(MathNode a, MathNode b) -> {
                collectVariables(a, out);
                collectVariables(b, out);
            }
            case Pow(MathNode a, MathNode b) -> {
                collectVariables(a, out);
                collectVariables(b, out);
            }
            case Fn f -> f.args().forEach(x -> collectVariables(x, out));
            case Rel r -> r.operands().forEach(x -> collectVariables(x, out));
            case SetOf s -> s.items().forEach(x -> collectVariables(x, out));
            case TupleOf t -> t.items().forEach(x -> collectVariables(x, out));
            case Interval i -> {
                collectVariables(i.lo(), out);
                collectVariables(i.hi(), out);
            }
            case Union u -> u.parts().forEach(x -> collectVariables(x, out));
            case Matrix m -> m.rows().forEach(r -> r.forEach(x -> collectVariables(x, out)));
            case PlusMinus pm -> {
                if (pm.a() != null) {
                    collectVariables(pm.a(), out);
                }
                collectVariables(pm.b(), out);
            }
            default -> {
            }
        }
    }

    /** With strict off, the prediction's variables are renamed to the gold's (in sorted order) when they pair up. */
    private static MathNode renameVariables(MathNode gold, MathNode pred) {
        List<String> g = new ArrayList<>(variables(gold));
        List<String> p = new ArrayList<>(variables(pred));
        if (g.size() != p.size() || g.equals(p)) {
            return pred;
        }
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < g.size(); i++) {
            map.put(p.get(i), g.get(i));
        }
        return Rewrite.renameSymbols(pred, map);
    }

    /** Replaces each {@code a \pm b} by the set of both signs (a single-element answer stays as is). */
    static MathNode expandPlusMinus(MathNode n) {
        List<MathNode> variants = Rewrite.plusMinusVariants(n);
        return variants.size() == 1 ? variants.getFirst() : new SetOf(variants);
    }

    private static Num num(long v) {
        return new Num(BigDecimal.valueOf(v), false);
    }
}
