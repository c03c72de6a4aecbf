package ai.aster.modeling.jinja;

import ai.aster.modeling.jinja.JinjaRuntime.Callable;
import ai.aster.modeling.jinja.JinjaRuntime.Namespace;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A small Jinja2 interpreter covering what Hugging Face chat templates use: output and statements with
 * whitespace control ({@code trim_blocks} and {@code lstrip_blocks} on, as transformers sets them), {@code if/elif/
 * else}, {@code for} with {@code loop.*}, {@code else} and an inline {@code if}, {@code set} (also
 * {@code ns.attr} and block form), {@code macro}, {@code break/continue}, {@code namespace()},
 * {@code raise_exception()}, {@code range()}, Python string methods ({@code startswith}, {@code split},
 * {@code strip}...), slices ({@code messages[::-1]}), the usual filters ({@code tojson} as Python's
 * {@code json.dumps}, {@code length}, {@code trim}...) and tests ({@code is string}, {@code is defined}...).
 * Values are plain Java: String, Long, Double, Boolean, null, List, Map. Immutable and thread-safe once parsed.
 */
public final class JinjaTemplate {

    private static final Object BREAK = new Object();
    private static final Object CONTINUE = new Object();

    private final List<Node> body;

    private JinjaTemplate(List<Node> body) {
        this.body = body;
    }

    /** Parses a template; throws {@link JinjaException} with the problem for syntax it does not support. */
    public static JinjaTemplate parse(String source) {
        Parser p = new Parser(JinjaLexer.lex(source));
        List<Node> nodes = p.block(Set.of());
        if (p.pending != null) {
            throw new JinjaException("unexpected {% " + p.pending + " %}");
        }
        return new JinjaTemplate(nodes);
    }

    /** Renders with these variables (values: String, Number, Boolean, null, List, Map). */
    public String render(Map<String, Object> variables) {
        Deque<Map<String, Object>> scopes = new ArrayDeque<>();
        Map<String, Object> globals = new HashMap<>();
        globals.put("namespace", (Callable) (a, k) -> {
            Namespace ns = new Namespace();
            k.forEach(ns.values::put);
            return ns;
        });
        globals.put("raise_exception", (Callable) (a, k) -> {
            throw new JinjaException(a.isEmpty() ? "raise_exception" : JinjaRuntime.str(a.get(0)));
        });
        globals.put("range", (Callable) (a, k) -> {
            long start = a.size() > 1 ? (long) JinjaRuntime.num(a.get(0)) : 0;
            long stop = (long) JinjaRuntime.num(a.get(a.size() > 1 ? 1 : 0));
            long step = a.size() > 2 ? (long) JinjaRuntime.num(a.get(2)) : 1;
            List<Object> out = new ArrayList<>();
            for (long i = start; step > 0 ? i < stop : i > stop; i += step) {
                out.add(i);
            }
            return out;
        });
        globals.put("dict", (Callable) (a, k) -> new LinkedHashMap<>(k));
        globals.put("strftime_now", (Callable) (a, k) -> java.time.LocalDate.now().format(
                java.time.format.DateTimeFormatter.ofPattern("dd MMM yyyy", java.util.Locale.ROOT)));
        scopes.push(globals);
        Map<String, Object> top = new HashMap<>();
        variables.forEach((key, v) -> top.put(key, normalize(v)));
        scopes.push(top);
        StringBuilder out = new StringBuilder();
        new Interpreter(scopes).run(body, out);
        return out.toString();
    }

    /** Java numbers and collections as template values (ints to Long, floats to Double). */
    static Object normalize(Object v) {
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof Float f) {
            return f.doubleValue();
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            l.forEach(x -> out.add(normalize(x)));
            return out;
        }
        if (v instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            m.forEach((key, x) -> out.put(key, normalize(x)));
            return out;
        }
        return v;
    }

    /** Recursive-descent over the segments. */
    private static final class Parser {
        private final List<JinjaLexer.Segment> segments;
        private int pos;
        String pending; // the terminator statement that ended the last block

        Parser(List<JinjaLexer.Segment> segments) {
            this.segments = segments;
        }

        List<Node> block(Set<String> terminators) {
            List<Node> nodes = new ArrayList<>();
            pending = null;
            while (pos < segments.size()) {
                JinjaLexer.Segment s = segments.get(pos++);
                switch (s.kind()) {
                    case TEXT -> nodes.add(new Node.Text(s.text()));
                    case OUTPUT -> nodes.add(new Node.Output(expression(s.text(), s.line())));
                    case STATEMENT -> {
                        String keyword = s.text().split("\\s+", 2)[0];
                        if (terminators.contains(keyword)) {
                            pending = s.text();
                            return nodes;
                        }
                        nodes.add(statement(s, keyword));
                    }
                }
            }
            if (!terminators.isEmpty()) {
                throw new JinjaException("missing {% " + String.join(" / ", terminators) + " %}");
            }
            return nodes;
        }

        private Expr expression(String text, int line) {
            ExprParser p = new ExprParser(text);
            Expr e = p.expression();
            if (!p.atEnd()) {
                throw new JinjaException("line " + line + ": unexpected '" + p.peek() + "' in '" + text + "'");
            }
            return e;
        }

        private Node statement(JinjaLexer.Segment s, String keyword) {
            String rest = s.text().substring(keyword.length()).strip();
            switch (keyword) {
                case "if" -> {
                    List<Expr> conditions = new ArrayList<>();
                    List<List<Node>> bodies = new ArrayList<>();
                    conditions.add(expression(rest, s.line()));
                    List<Node> otherwise = List.of();
                    while (true) {
                        List<Node> b = block(Set.of("elif", "else", "endif"));
                        String end = pending;
                        if (end.startsWith("elif")) {
                            bodies.add(b);
                            conditions.add(expression(end.substring(4).strip(), s.line()));
                        } else if (end.equals("else")) {
                            bodies.add(b);
                            otherwise = block(Set.of("endif"));
                            break;
                        } else {
                            bodies.add(b);
                            break;
                        }
                    }
                    pending = null;
                    return new Node.If(conditions, bodies, otherwise);
                }
                case "for" -> {
                    ExprParser p = new ExprParser(rest);
                    List<String> targets = new ArrayList<>();
                    boolean paren = p.accept("(");
                    targets.add(p.name());
                    while (p.accept(",")) {
                        targets.add(p.name());
                    }
                    if (paren) {
                        p.expect(")");
                    }
                    p.expect("in");
                    Expr iterable = p.orExpression();
                    Expr filter = null;
                    if (p.accept("if")) {
                        filter = p.orExpression();
                    }
                    p.accept("recursive");
                    if (!p.atEnd()) {
                        throw new JinjaException("line " + s.line() + ": cannot parse for loop '" + rest + "'");
                    }
                    List<Node> loopBody = block(Set.of("else", "endfor"));
                    List<Node> otherwise = List.of();
                    if ("else".equals(pending)) {
                        otherwise = block(Set.of("endfor"));
                    }
                    pending = null;
                    return new Node.For(targets, iterable, filter, loopBody, otherwise);
                }
                case "set" -> {
                    int eq = findAssignment(rest);
                    if (eq < 0) {
                        List<Node> b = block(Set.of("endset"));
                        pending = null;
                        return new Node.SetBlock(rest.strip(), b);
                    }
                    String target = rest.substring(0, eq).strip();
                    Expr value = expression(rest.substring(eq + 1), s.line());
                    int dot = target.indexOf('.');
                    return dot < 0 ? new Node.Set(target, null, value)
                            : new Node.Set(target.substring(0, dot).strip(), target.substring(dot + 1).strip(), value);
                }
                case "macro" -> {
                    ExprParser p = new ExprParser(rest);
                    String name = p.name();
                    p.expect("(");
                    List<String> params = new ArrayList<>();
                    List<Expr> defaults = new ArrayList<>();
                    while (!p.accept(")")) {
                        params.add(p.name());
                        defaults.add(p.accept("=") ? p.expression() : null);
                        if (!p.accept(",")) {
                            p.expect(")");
                            break;
                        }
                    }
                    List<Node> b = block(Set.of("endmacro"));
                    pending = null;
                    return new Node.Macro(name, params, defaults, b);
                }
                case "break" -> {
                    return new Node.Break();
                }
                case "continue" -> {
                    return new Node.Continue();
                }
                case "generation" -> {
                    // transformers' assistant-mask marker: renders its body unchanged
                    List<Node> b = block(Set.of("endgeneration"));
                    pending = null;
                    return new Node.If(List.of(new Expr.Literal(Boolean.TRUE)), List.of(b), List.of());
                }
                default -> throw new JinjaException("line " + s.line() + ": unsupported statement {% " + keyword + " %}");
            }
        }

        /** The '=' of "set x = ...", not part of "==" or inside a string. */
        private static int findAssignment(String s) {
            char quote = 0;
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (quote != 0) {
                    if (c == '\\') {
                        i++;
                    } else if (c == quote) {
                        quote = 0;
                    }
                } else if (c == '\'' || c == '"') {
                    quote = c;
                } else if (c == '=' && (i + 1 >= s.length() || s.charAt(i + 1) != '=')
                        && (i == 0 || "=!<>".indexOf(s.charAt(i - 1)) < 0)) {
                    return i;
                }
            }
            return -1;
        }
    }

    /** Walks the tree; scopes are a stack of maps (for-loop bodies and macros push one). */
    private static final class Interpreter {
        private final Deque<Map<String, Object>> scopes;

        Interpreter(Deque<Map<String, Object>> scopes) {
            this.scopes = scopes;
        }

        /** Runs nodes; returns BREAK or CONTINUE when a loop control statement was hit, else null. */
        Object run(List<Node> nodes, StringBuilder out) {
            for (Node n : nodes) {
                Object signal = exec(n, out);
                if (signal != null) {
                    return signal;
                }
            }
            return null;
        }

        private Object exec(Node n, StringBuilder out) {
            switch (n) {
                case Node.Text t -> out.append(t.text());
                case Node.Output o -> out.append(JinjaRuntime.str(eval(o.expr())));
                case Node.If i -> {
                    for (int k = 0; k < i.conditions().size(); k++) {
                        if (JinjaRuntime.truthy(eval(i.conditions().get(k)))) {
                            return run(i.bodies().get(k), out);
                        }
                    }
                    return run(i.otherwise(), out);
                }
                case Node.For f -> {
                    return loop(f, out);
                }
                case Node.Set s -> {
                    Object value = eval(s.value());
                    if (s.attribute() == null) {
                        scopes.peek().put(s.name(), value);
                    } else {
                        Object target = lookup(s.name());
                        if (!(target instanceof Namespace ns)) {
                            throw new JinjaException("cannot set attribute of " + s.name() + " (not a namespace)");
                        }
                        ns.values.put(s.attribute(), value);
                    }
                }
                case Node.SetBlock s -> {
                    StringBuilder captured = new StringBuilder();
                    run(s.body(), captured);
                    scopes.peek().put(s.name(), captured.toString());
                }
                case Node.Macro m -> scopes.peek().put(m.name(), (Callable) (args, kwargs) -> {
                    Map<String, Object> local = new HashMap<>();
                    for (int k = 0; k < m.params().size(); k++) {
                        String p = m.params().get(k);
                        Object v = k < args.size() ? args.get(k) : kwargs.containsKey(p) ? kwargs.get(p)
                                : m.defaults().get(k) != null ? eval(m.defaults().get(k)) : JinjaRuntime.UNDEFINED;
                        local.put(p, v);
                    }
                    scopes.push(local);
                    StringBuilder captured = new StringBuilder();
                    try {
                        run(m.body(), captured);
                    } finally {
                        scopes.pop();
                    }
                    return captured.toString();
                });
                case Node.Break b -> {
                    return BREAK;
                }
                case Node.Continue c -> {
                    return CONTINUE;
                }
            }
            return null;
        }

        private Object loop(Node.For f, StringBuilder out) {
            List<?> all = JinjaRuntime.iterable(eval(f.iterable()));
            List<Object> items = new ArrayList<>();
            for (Object item : all) {
                if (f.filter() == null) {
                    items.add(item);
                } else {
                    scopes.push(bind(f.targets(), item, new HashMap<>()));
                    try {
                        if (JinjaRuntime.truthy(eval(f.filter()))) {
                            items.add(item);
                        }
                    } finally {
                        scopes.pop();
                    }
                }
            }
            if (items.isEmpty()) {
                return run(f.otherwise(), out);
            }
            int n = items.size();
            for (int i = 0; i < n; i++) {
                Map<String, Object> loop = new HashMap<>();
                loop.put("index0", (long) i);
                loop.put("index", (long) i + 1);
                loop.put("revindex0", (long) (n - 1 - i));
                loop.put("revindex", (long) (n - i));
                loop.put("first", i == 0);
                loop.put("last", i == n - 1);
                loop.put("length", (long) n);
                loop.put("previtem", i > 0 ? items.get(i - 1) : JinjaRuntime.UNDEFINED);
                loop.put("nextitem", i < n - 1 ? items.get(i + 1) : JinjaRuntime.UNDEFINED);
                Map<String, Object> scope = bind(f.targets(), items.get(i), new HashMap<>());
                scope.put("loop", loop);
                scopes.push(scope);
                Object signal;
                try {
                    signal = run(f.body(), out);
                } finally {
                    scopes.pop();
                }
                if (signal == BREAK) {
                    break;
                }
            }
            return null;
        }

        private static Map<String, Object> bind(List<String> targets, Object item, Map<String, Object> scope) {
            if (targets.size() == 1) {
                scope.put(targets.get(0), item);
            } else {
                List<?> parts = JinjaRuntime.iterable(item);
                if (parts.size() != targets.size()) {
                    throw new JinjaException("cannot unpack " + parts.size() + " values into " + targets);
                }
                for (int k = 0; k < targets.size(); k++) {
                    scope.put(targets.get(k), parts.get(k));
                }
            }
            return scope;
        }

        private Object lookup(String name) {
            for (Map<String, Object> scope : scopes) {
                if (scope.containsKey(name)) {
                    return scope.get(name);
                }
            }
            return JinjaRuntime.UNDEFINED;
        }

        private Object eval(Expr e) {
            switch (e) {
                case Expr.Literal l -> {
                    return l.value();
                }
                case Expr.Name n -> {
                    return lookup(n.name());
                }
                case Expr.ListExpr l -> {
                    List<Object> out = new ArrayList<>();
                    l.items().forEach(x -> out.add(eval(x)));
                    return out;
                }
                case Expr.TupleExpr t -> {
                    List<Object> out = new ArrayList<>();
                    t.items().forEach(x -> out.add(eval(x)));
                    return out;
                }
                case Expr.DictExpr d -> {
                    Map<Object, Object> out = new LinkedHashMap<>();
                    for (int k = 0; k < d.keys().size(); k++) {
                        out.put(eval(d.keys().get(k)), eval(d.values().get(k)));
                    }
                    return out;
                }
                case Expr.Attr a -> {
                    return JinjaRuntime.attribute(eval(a.target()), a.name());
                }
                case Expr.Item i -> {
                    return JinjaRuntime.item(eval(i.target()), eval(i.key()));
                }
                case Expr.Slice s -> {
                    return JinjaRuntime.slice(eval(s.target()), s.start() == null ? null : eval(s.start()),
                            s.stop() == null ? null : eval(s.stop()), s.step() == null ? null : eval(s.step()));
                }
                case Expr.Call c -> {
                    Object callee = eval(c.callee());
                    if (!(callee instanceof Callable f)) {
                        throw new JinjaException("'" + describe(c.callee()) + "' is not callable");
                    }
                    List<Object> args = new ArrayList<>();
                    c.args().forEach(x -> args.add(eval(x)));
                    Map<String, Object> kwargs = new LinkedHashMap<>();
                    c.kwargs().forEach((k, x) -> kwargs.put(k, eval(x)));
                    return f.call(args, kwargs);
                }
                case Expr.Filter f -> {
                    List<Object> args = new ArrayList<>();
                    f.args().forEach(x -> args.add(eval(x)));
                    Map<String, Object> kwargs = new LinkedHashMap<>();
                    f.kwargs().forEach((k, x) -> kwargs.put(k, eval(x)));
                    return JinjaRuntime.filter(f.name(), eval(f.target()), args, kwargs);
                }
                case Expr.Test t -> {
                    List<Object> args = new ArrayList<>();
                    t.args().forEach(x -> args.add(eval(x)));
                    return JinjaRuntime.test(t.name(), eval(t.target()), args) != t.negated();
                }
                case Expr.Unary u -> {
                    Object v = eval(u.operand());
                    if (u.op().equals("not")) {
                        return !JinjaRuntime.truthy(v);
                    }
                    return v instanceof Long l ? (Object) (-l) : (Object) (-JinjaRuntime.num(v));
                }
                case Expr.Binary b -> {
                    if (b.op().equals("and")) {
                        Object left = eval(b.left());
                        return JinjaRuntime.truthy(left) ? eval(b.right()) : left;
                    }
                    if (b.op().equals("or")) {
                        Object left = eval(b.left());
                        return JinjaRuntime.truthy(left) ? left : eval(b.right());
                    }
                    return JinjaRuntime.binary(b.op(), eval(b.left()), eval(b.right()));
                }
                case Expr.Conditional c -> {
                    return JinjaRuntime.truthy(eval(c.condition())) ? eval(c.then()) : eval(c.otherwise());
                }
            }
        }

        private static String describe(Expr e) {
            return e instanceof Expr.Name n ? n.name() : e instanceof Expr.Attr a ? a.name() : "expression";
        }
    }
}
