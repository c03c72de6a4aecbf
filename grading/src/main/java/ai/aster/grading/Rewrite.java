package ai.aster.grading;

import ai.aster.grading.MathNode.Add;
import ai.aster.grading.MathNode.Div;
import ai.aster.grading.MathNode.Fn;
import ai.aster.grading.MathNode.Interval;
import ai.aster.grading.MathNode.Matrix;
import ai.aster.grading.MathNode.Mul;
import ai.aster.grading.MathNode.Neg;
import ai.aster.grading.MathNode.Percent;
import ai.aster.grading.MathNode.PlusMinus;
import ai.aster.grading.MathNode.Pow;
import ai.aster.grading.MathNode.Rel;
import ai.aster.grading.MathNode.SetOf;
import ai.aster.grading.MathNode.Sym;
import ai.aster.grading.MathNode.TupleOf;
import ai.aster.grading.MathNode.Union;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/** Tree rewrites used before comparing: renaming variables, expanding {@code \pm}. */
final class Rewrite {

    private static final int MAX_VARIANTS = 64;

    private Rewrite() {}

    static MathNode renameSymbols(MathNode n, Map<String, String> names) {
        return map(n, x -> x instanceof Sym(String name) && names.containsKey(name) ? new Sym(names.get(name)) : x);
    }

    /** Every node of the tree bottom-up through {@code f}. */
    static MathNode map(MathNode n, UnaryOperator<MathNode> f) {
        MathNode r = switch (n) {
            case Neg(MathNode x) -> new Neg(map(x, f));
            case Percent(MathNode x) -> new Percent(map(x, f));
            case Add(var t) -> new Add(mapAll(t, f));
            case Mul(var t) -> new Mul(mapAll(t, f));
            case Div(MathNode a, MathNode b) -> new Div(map(a, f), map(b, f));
            case Pow(MathNode a, MathNode b) -> new Pow(map(a, f), map(b, f));
            case Fn(String name, var args) -> new Fn(name, mapAll(args, f));
            case Rel(var operands, var ops) -> new Rel(mapAll(operands, f), ops);
            case SetOf(var items) -> new SetOf(mapAll(items, f));
            case TupleOf(var items, boolean p) -> new TupleOf(mapAll(items, f), p);
            case Interval(MathNode lo, MathNode hi, boolean a, boolean b) -> new Interval(map(lo, f), map(hi, f), a, b);
            case Union(var parts) -> new Union(mapAll(parts, f));
            case Matrix(var rows) -> new Matrix(rows.stream().map(r2 -> mapAll(r2, f)).toList());
            case PlusMinus(MathNode a, MathNode b) -> new PlusMinus(a == null ? null : map(a, f), map(b, f));
            default -> n;
        };
        return f.apply(r);
    }

    private static List<MathNode> mapAll(List<MathNode> nodes, UnaryOperator<MathNode> f) {
        return nodes.stream().map(x -> map(x, f)).toList();
    }

    /**
     * The expressions a {@code \pm} stands for: {@code \frac{-1 \pm \sqrt{17}}{2}} gives both roots. Inside a set
     * or tuple each element is expanded on its own (a set gains the elements).
     */
    static List<MathNode> plusMinusVariants(MathNode n) {
        if (n instanceof SetOf(var items)) {
            List<MathNode> out = new ArrayList<>();
            for (MathNode i : items) {
                out.addAll(plusMinusVariants(i));
            }
            return List.of(new SetOf(out));
        }
        if (n instanceof TupleOf || n instanceof Interval || n instanceof Union || n instanceof Matrix || n instanceof Rel) {
            return List.of(n);
        }
        List<MathNode> out = new ArrayList<>();
        expand(n, out);
        return out;
    }

    private static void expand(MathNode n, List<MathNode> out) {
        PlusMinus pm = first(n);
        if (pm == null || out.size() >= MAX_VARIANTS) {
            out.add(n);
            return;
        }
        MathNode plus = pm.a() == null ? pm.b() : new Add(List.of(pm.a(), pm.b()));
        MathNode minus = pm.a() == null ? new Neg(pm.b()) : new Add(List.of(pm.a(), new Neg(pm.b())));
        expand(replaceFirst(n, pm, plus), out);
        expand(replaceFirst(n, pm, minus), out);
    }

    private static PlusMinus first(MathNode n) {
        PlusMinus[] found = new PlusMinus[1];
        map(n, x -> {
            if (found[0] == null && x instanceof PlusMinus pm) {
                found[0] = pm;
            }
            return x;
        });
        return found[0];
    }

    private static MathNode replaceFirst(MathNode n, PlusMinus target, MathNode with) {
        boolean[] done = new boolean[1];
        return map(n, x -> {
            if (!done[0] && x.equals(target)) {
                done[0] = true;
                return with;
            }
            return x;
        });
    }
}
