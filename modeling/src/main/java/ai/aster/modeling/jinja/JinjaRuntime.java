package ai.aster.modeling.jinja;

import ai.aster.modeling.PythonJson;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Values, Python-like semantics, filters, tests and string methods for {@link JinjaTemplate}. */
final class JinjaRuntime {

    /** Jinja's Undefined: renders empty, is falsy, and attributes of it are undefined too. */
    static final Object UNDEFINED = new Object() {
        @Override
        public String toString() {
            return "Undefined";
        }
    };

    /** Something callable from a template (functions, bound methods, macros). */
    @FunctionalInterface
    interface Callable {
        Object call(List<Object> args, Map<String, Object> kwargs);
    }

    /** {@code namespace(...)}: the one mutable object templates can assign attributes to. */
    static final class Namespace {
        final Map<String, Object> values = new LinkedHashMap<>();
    }

    private JinjaRuntime() {
    }

    static boolean truthy(Object v) {
        if (v == null || v == UNDEFINED) {
            return false;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof String s) {
            return !s.isEmpty();
        }
        if (v instanceof Long l) {
            return l != 0;
        }
        if (v instanceof Double d) {
            return d != 0;
        }
        if (v instanceof Collection<?> c) {
            return !c.isEmpty();
        }
        if (v instanceof Map<?, ?> m) {
            return !m.isEmpty();
        }
        return true;
    }

    /** Python's str(). */
    static String str(Object v) {
        if (v == UNDEFINED) {
            return "";
        }
        if (v instanceof String s) {
            return s;
        }
        return repr(v);
    }

    /** Python's repr() of template values. */
    static String repr(Object v) {
        if (v == null) {
            return "None";
        }
        if (v == UNDEFINED) {
            return "";
        }
        if (v instanceof Boolean b) {
            return b ? "True" : "False";
        }
        if (v instanceof Double d) {
            return pyFloat(d);
        }
        if (v instanceof String s) {
            return "'" + s.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n") + "'";
        }
        if (v instanceof List<?> l) {
            List<String> parts = new ArrayList<>();
            l.forEach(x -> parts.add(repr(x)));
            return "[" + String.join(", ", parts) + "]";
        }
        if (v instanceof Map<?, ?> m) {
            List<String> parts = new ArrayList<>();
            m.forEach((k, x) -> parts.add(repr(k) + ": " + repr(x)));
            return "{" + String.join(", ", parts) + "}";
        }
        return String.valueOf(v);
    }

    static String pyFloat(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        return PythonJson.floatRepr(d);
    }

    static boolean isNumber(Object v) {
        return v instanceof Long || v instanceof Double;
    }

    static double num(Object v) {
        if (v instanceof Long l) {
            return l;
        }
        if (v instanceof Double d) {
            return d;
        }
        if (v instanceof Boolean b) {
            return b ? 1 : 0;
        }
        throw new JinjaException("not a number: " + repr(v));
    }

    static boolean equal(Object a, Object b) {
        if (a == UNDEFINED) {
            a = null;
        }
        if (b == UNDEFINED) {
            b = null;
        }
        if (isNumber(a) && isNumber(b)) {
            return num(a) == num(b);
        }
        return Objects.equals(a, b);
    }

    static int compare(Object a, Object b) {
        if (isNumber(a) && isNumber(b)) {
            return Double.compare(num(a), num(b));
        }
        if (a instanceof String x && b instanceof String y) {
            return x.compareTo(y);
        }
        throw new JinjaException("cannot compare " + repr(a) + " and " + repr(b));
    }

    static boolean contains(Object container, Object item) {
        if (container instanceof String s) {
            return s.contains(str(item));
        }
        if (container instanceof List<?> l) {
            return l.stream().anyMatch(x -> equal(x, item));
        }
        if (container instanceof Map<?, ?> m) {
            return m.containsKey(item);
        }
        if (container == UNDEFINED || container == null) {
            return false;
        }
        throw new JinjaException("'in' needs a string, list or mapping, got " + repr(container));
    }

    static Object binary(String op, Object a, Object b) {
        switch (op) {
            case "+" -> {
                if (a instanceof String x && b instanceof String y) {
                    return x + y;
                }
                if (a instanceof List<?> x && b instanceof List<?> y) {
                    List<Object> out = new ArrayList<>(x);
                    out.addAll(y);
                    return out;
                }
                return arithmetic(op, a, b);
            }
            case "~" -> {
                return str(a) + str(b);
            }
            case "-", "/", "//", "%" -> {
                if ("%".equals(op) && a instanceof String fmt) {
                    return percentFormat(fmt, b);
                }
                return arithmetic(op, a, b);
            }
            case "*" -> {
                if (a instanceof String s && b instanceof Long n) {
                    return s.repeat((int) Math.max(0, n));
                }
                return arithmetic(op, a, b);
            }
            case "==" -> {
                return equal(a, b);
            }
            case "!=" -> {
                return !equal(a, b);
            }
            case "<" -> {
                return compare(a, b) < 0;
            }
            case "<=" -> {
                return compare(a, b) <= 0;
            }
            case ">" -> {
                return compare(a, b) > 0;
            }
            case ">=" -> {
                return compare(a, b) >= 0;
            }
            case "in" -> {
                return contains(b, a);
            }
            default -> throw new JinjaException("unknown operator " + op);
        }
    }

    private static Object percentFormat(String fmt, Object arg) {
        List<?> args = arg instanceof List<?> l ? l : List.of(arg);
        StringBuilder out = new StringBuilder();
        int k = 0;
        for (int i = 0; i < fmt.length(); i++) {
            char c = fmt.charAt(i);
            if (c == '%' && i + 1 < fmt.length()) {
                char f = fmt.charAt(++i);
                if (f == '%') {
                    out.append('%');
                } else {
                    out.append(str(args.get(k++)));
                }
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static Object arithmetic(String op, Object a, Object b) {
        if (a instanceof Long x && b instanceof Long y && !"/".equals(op)) {
            return switch (op) {
                case "+" -> x + y;
                case "-" -> x - y;
                case "*" -> x * y;
                case "//" -> Math.floorDiv(x, y);
                case "%" -> Math.floorMod(x, y);
                default -> throw new JinjaException("unknown operator " + op);
            };
        }
        double x = num(a);
        double y = num(b);
        return switch (op) {
            case "+" -> x + y;
            case "-" -> x - y;
            case "*" -> x * y;
            case "/" -> x / y;
            case "//" -> Math.floor(x / y);
            case "%" -> x - y * Math.floor(x / y);
            default -> throw new JinjaException("unknown operator " + op);
        };
    }

    static Object attribute(Object target, String name) {
        if (target instanceof Namespace ns) {
            return ns.values.getOrDefault(name, UNDEFINED);
        }
        if (target instanceof Map<?, ?> m) {
            if (m.containsKey(name)) {
                return m.get(name);
            }
            return mapMethod(m, name);
        }
        if (target instanceof String s) {
            return stringMethod(s, name);
        }
        if (target instanceof List<?> l) {
            return listMethod(l, name);
        }
        return UNDEFINED;
    }

    static Object item(Object target, Object key) {
        if (target instanceof List<?> l && isNumber(key)) {
            int i = (int) num(key);
            if (i < 0) {
                i += l.size();
            }
            return i >= 0 && i < l.size() ? l.get(i) : UNDEFINED;
        }
        if (target instanceof String s && isNumber(key)) {
            int i = (int) num(key);
            if (i < 0) {
                i += s.length();
            }
            return i >= 0 && i < s.length() ? String.valueOf(s.charAt(i)) : UNDEFINED;
        }
        if (target instanceof Map<?, ?> || target instanceof Namespace) {
            if (key instanceof String k) {
                return attribute(target, k);
            }
            return target instanceof Map<?, ?> m && m.containsKey(key) ? m.get(key) : UNDEFINED;
        }
        return UNDEFINED;
    }

    static Object slice(Object target, Object start, Object stop, Object step) {
        int n = target instanceof String s ? s.length() : target instanceof List<?> l ? l.size() : -1;
        if (n < 0) {
            throw new JinjaException("cannot slice " + repr(target));
        }
        int st = step == null || step == UNDEFINED ? 1 : (int) num(step);
        if (st == 0) {
            throw new JinjaException("slice step cannot be zero");
        }
        int lo;
        int hi;
        if (st > 0) {
            lo = bound(start, n, 0, 0, n);
            hi = bound(stop, n, n, 0, n);
        } else {
            lo = bound(start, n, n - 1, -1, n - 1);
            hi = bound(stop, n, -1, -1, n - 1);
        }
        List<Integer> idx = new ArrayList<>();
        for (int i = lo; st > 0 ? i < hi : i > hi; i += st) {
            idx.add(i);
        }
        if (target instanceof String s) {
            StringBuilder sb = new StringBuilder();
            idx.forEach(i -> sb.append(s.charAt(i)));
            return sb.toString();
        }
        List<?> l = (List<?>) target;
        List<Object> out = new ArrayList<>();
        idx.forEach(i -> out.add(l.get(i)));
        return out;
    }

    private static int bound(Object v, int n, int dflt, int min, int max) {
        if (v == null || v == UNDEFINED) {
            return dflt;
        }
        int i = (int) num(v);
        if (i < 0) {
            i += n;
        }
        return Math.max(min, Math.min(max, i));
    }

    private static Object mapMethod(Map<?, ?> m, String name) {
        return switch (name) {
            case "items" -> (Callable) (a, k) -> {
                List<Object> out = new ArrayList<>();
                m.forEach((key, v) -> out.add(List.of(key, v == null ? nullValue() : v)));
                return out;
            };
            case "keys" -> (Callable) (a, k) -> new ArrayList<>(m.keySet());
            case "values" -> (Callable) (a, k) -> new ArrayList<>(m.values());
            case "get" -> (Callable) (a, k) -> m.containsKey(a.get(0)) ? m.get(a.get(0))
                    : a.size() > 1 ? a.get(1) : null;
            default -> UNDEFINED;
        };
    }

    private static Object nullValue() {
        return null;
    }

    private static Object listMethod(List<?> l, String name) {
        return switch (name) {
            case "index" -> (Callable) (a, k) -> (long) l.indexOf(a.get(0));
            case "count" -> (Callable) (a, k) -> l.stream().filter(x -> equal(x, a.get(0))).count();
            default -> UNDEFINED;
        };
    }

    private static Object stringMethod(String s, String name) {
        return switch (name) {
            case "startswith" -> (Callable) (a, k) -> a.get(0) instanceof List<?> l
                    ? l.stream().anyMatch(p -> s.startsWith(str(p))) : s.startsWith(str(a.get(0)));
            case "endswith" -> (Callable) (a, k) -> a.get(0) instanceof List<?> l
                    ? l.stream().anyMatch(p -> s.endsWith(str(p))) : s.endsWith(str(a.get(0)));
            case "strip" -> (Callable) (a, k) -> strip(s, a.isEmpty() ? null : a.get(0), true, true);
            case "lstrip" -> (Callable) (a, k) -> strip(s, a.isEmpty() ? null : a.get(0), true, false);
            case "rstrip" -> (Callable) (a, k) -> strip(s, a.isEmpty() ? null : a.get(0), false, true);
            case "split" -> (Callable) (a, k) -> split(s, a.isEmpty() ? k.get("sep") : a.get(0),
                    a.size() > 1 ? (int) num(a.get(1)) : k.containsKey("maxsplit") ? (int) num(k.get("maxsplit")) : -1);
            case "upper" -> (Callable) (a, k) -> s.toUpperCase();
            case "lower" -> (Callable) (a, k) -> s.toLowerCase();
            case "title" -> (Callable) (a, k) -> title(s);
            case "capitalize" -> (Callable) (a, k) -> s.isEmpty() ? s
                    : s.substring(0, 1).toUpperCase() + s.substring(1).toLowerCase();
            case "replace" -> (Callable) (a, k) -> s.replace(str(a.get(0)), str(a.get(1)));
            case "find" -> (Callable) (a, k) -> (long) s.indexOf(str(a.get(0)));
            case "count" -> (Callable) (a, k) -> (long) (s.isEmpty() || str(a.get(0)).isEmpty() ? 0
                    : (s.length() - s.replace(str(a.get(0)), "").length()) / str(a.get(0)).length());
            case "join" -> (Callable) (a, k) -> {
                List<String> parts = new ArrayList<>();
                ((List<?>) a.get(0)).forEach(x -> parts.add(str(x)));
                return String.join(s, parts);
            };
            case "format" -> (Callable) (a, k) -> {
                String out = s;
                for (Object arg : a) {
                    out = out.replaceFirst("\\{\\}", java.util.regex.Matcher.quoteReplacement(str(arg)));
                }
                return out;
            };
            case "isdigit" -> (Callable) (a, k) -> !s.isEmpty() && s.chars().allMatch(Character::isDigit);
            default -> UNDEFINED;
        };
    }

    private static String title(String s) {
        StringBuilder out = new StringBuilder();
        boolean start = true;
        for (char c : s.toCharArray()) {
            out.append(start ? Character.toUpperCase(c) : Character.toLowerCase(c));
            start = !Character.isLetter(c);
        }
        return out.toString();
    }

    static String strip(String s, Object chars, boolean left, boolean right) {
        String set = chars == null || chars == UNDEFINED ? null : str(chars);
        int i = 0;
        int j = s.length();
        if (left) {
            while (i < j && (set == null ? Character.isWhitespace(s.charAt(i)) : set.indexOf(s.charAt(i)) >= 0)) {
                i++;
            }
        }
        if (right) {
            while (j > i && (set == null ? Character.isWhitespace(s.charAt(j - 1)) : set.indexOf(s.charAt(j - 1)) >= 0)) {
                j--;
            }
        }
        return s.substring(i, j);
    }

    static List<Object> split(String s, Object sep, int maxsplit) {
        List<Object> out = new ArrayList<>();
        if (sep == null || sep == UNDEFINED) {
            for (String part : s.strip().split("\\s+", maxsplit < 0 ? 0 : maxsplit + 1)) {
                if (!part.isEmpty()) {
                    out.add(part);
                }
            }
            return out;
        }
        String d = str(sep);
        if (d.isEmpty()) {
            throw new JinjaException("empty separator");
        }
        int from = 0;
        while (maxsplit < 0 || out.size() < maxsplit) {
            int at = s.indexOf(d, from);
            if (at < 0) {
                break;
            }
            out.add(s.substring(from, at));
            from = at + d.length();
        }
        out.add(s.substring(from));
        return out;
    }

    static int length(Object v) {
        if (v instanceof String s) {
            return s.codePointCount(0, s.length());
        }
        if (v instanceof Collection<?> c) {
            return c.size();
        }
        if (v instanceof Map<?, ?> m) {
            return m.size();
        }
        if (v == UNDEFINED || v == null) {
            return 0;
        }
        throw new JinjaException("object of type " + v.getClass().getSimpleName() + " has no length");
    }

    static List<?> iterable(Object v) {
        if (v instanceof List<?> l) {
            return l;
        }
        if (v instanceof Map<?, ?> m) {
            return new ArrayList<>(m.keySet());
        }
        if (v instanceof String s) {
            List<Object> out = new ArrayList<>();
            s.codePoints().forEach(cp -> out.add(new String(Character.toChars(cp))));
            return out;
        }
        if (v == UNDEFINED || v == null) {
            return List.of();
        }
        throw new JinjaException(repr(v) + " is not iterable");
    }

    /** Python's {@code json.dumps(v, ensure_ascii=False, indent=indent)} for template values. */
    static String toJson(Object v, Integer indent) {
        StringBuilder out = new StringBuilder();
        json(v, indent, 0, out);
        return out.toString();
    }

    private static void json(Object v, Integer indent, int depth, StringBuilder out) {
        if (v == null || v == UNDEFINED) {
            out.append("null");
        } else if (v instanceof Boolean b) {
            out.append(b ? "true" : "false");
        } else if (v instanceof Long l) {
            out.append(l);
        } else if (v instanceof Double d) {
            out.append(Double.isNaN(d) ? "NaN" : Double.isInfinite(d) ? (d > 0 ? "Infinity" : "-Infinity") : pyFloat(d));
        } else if (v instanceof String s) {
            PythonJson.appendString(s, out);
        } else if (v instanceof List<?> l) {
            if (l.isEmpty()) {
                out.append("[]");
                return;
            }
            out.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) {
                    out.append(indent == null ? ", " : ",");
                }
                newline(indent, depth + 1, out);
                json(l.get(i), indent, depth + 1, out);
            }
            newline(indent, depth, out);
            out.append(']');
        } else if (v instanceof Map<?, ?> || v instanceof Namespace) {
            Map<?, ?> m = v instanceof Namespace ns ? ns.values : (Map<?, ?>) v;
            if (m.isEmpty()) {
                out.append("{}");
                return;
            }
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) {
                    out.append(indent == null ? ", " : ",");
                }
                first = false;
                newline(indent, depth + 1, out);
                PythonJson.appendString(str(e.getKey()), out);
                out.append(": ");
                json(e.getValue(), indent, depth + 1, out);
            }
            newline(indent, depth, out);
            out.append('}');
        } else {
            PythonJson.appendString(str(v), out);
        }
    }

    private static void newline(Integer indent, int depth, StringBuilder out) {
        if (indent != null) {
            out.append('\n').append(" ".repeat(indent * depth));
        }
    }

    static Object filter(String name, Object v, List<Object> args, Map<String, Object> kwargs) {
        return switch (name) {
            case "length", "count" -> (long) length(v);
            case "tojson" -> toJson(v, kwargs.containsKey("indent") ? (Integer) (int) num(kwargs.get("indent"))
                    : args.isEmpty() ? null : (Integer) (int) num(args.get(0)));
            case "trim" -> strip(str(v), args.isEmpty() ? null : args.get(0), true, true);
            case "string" -> str(v);
            case "lower" -> str(v).toLowerCase();
            case "upper" -> str(v).toUpperCase();
            case "title" -> title(str(v));
            case "capitalize" -> {
                String s = str(v);
                yield s.isEmpty() ? s : s.substring(0, 1).toUpperCase() + s.substring(1).toLowerCase();
            }
            case "safe", "e", "escape" -> v;
            case "int" -> v instanceof String s ? (Object) Long.parseLong(s.strip()) : (Object) (long) num(v);
            case "float" -> num(v instanceof String s ? Double.parseDouble(s) : v);
            case "default", "d" -> v == UNDEFINED || (args.size() > 1 && truthy(args.get(1)) && !truthy(v))
                    ? (args.isEmpty() ? "" : args.get(0)) : v;
            case "first" -> iterable(v).isEmpty() ? UNDEFINED : iterable(v).get(0);
            case "last" -> iterable(v).isEmpty() ? UNDEFINED : iterable(v).get(iterable(v).size() - 1);
            case "list" -> new ArrayList<>(iterable(v));
            case "reverse" -> {
                if (v instanceof String s) {
                    yield new StringBuilder(s).reverse().toString();
                }
                List<Object> out = new ArrayList<>(iterable(v));
                java.util.Collections.reverse(out);
                yield out;
            }
            case "join" -> {
                List<String> parts = new ArrayList<>();
                iterable(v).forEach(x -> parts.add(str(x)));
                yield String.join(args.isEmpty() ? "" : str(args.get(0)), parts);
            }
            case "items" -> attribute(v, "items") instanceof Callable c ? c.call(List.of(), Map.of()) : List.of();
            case "replace" -> str(v).replace(str(args.get(0)), str(args.get(1)));
            case "selectattr", "rejectattr" -> {
                boolean select = name.equals("selectattr");
                String attr = str(args.get(0));
                List<Object> out = new ArrayList<>();
                for (Object x : iterable(v)) {
                    Object a = attribute(x, attr);
                    boolean ok = args.size() > 1 ? test(str(args.get(1)), a, args.subList(2, args.size())) : truthy(a);
                    if (ok == select) {
                        out.add(x);
                    }
                }
                yield out;
            }
            case "map" -> {
                List<Object> out = new ArrayList<>();
                for (Object x : iterable(v)) {
                    out.add(kwargs.containsKey("attribute") ? attribute(x, str(kwargs.get("attribute")))
                            : filter(str(args.get(0)), x, args.subList(1, args.size()), Map.of()));
                }
                yield out;
            }
            case "unique" -> {
                List<Object> out = new ArrayList<>();
                for (Object x : iterable(v)) {
                    if (out.stream().noneMatch(y -> equal(x, y))) {
                        out.add(x);
                    }
                }
                yield out;
            }
            case "abs" -> v instanceof Long l ? (Object) Math.abs(l) : (Object) Math.abs(num(v));
            case "round" -> (double) Math.round(num(v));
            case "indent" -> {
                int width = args.isEmpty() ? 4 : (int) num(args.get(0));
                yield str(v).replace("\n", "\n" + " ".repeat(width));
            }
            case "dictsort" -> {
                List<Object> out = new ArrayList<>();
                ((Map<?, ?>) v).entrySet().stream().sorted((x, y) -> str(x.getKey()).compareTo(str(y.getKey())))
                        .forEach(e -> out.add(List.of(e.getKey(), e.getValue())));
                yield out;
            }
            default -> throw new JinjaException("unknown filter '" + name + "'");
        };
    }

    static boolean test(String name, Object v, List<Object> args) {
        return switch (name) {
            case "defined" -> v != UNDEFINED;
            case "undefined" -> v == UNDEFINED;
            case "none" -> v == null;
            case "string" -> v instanceof String;
            case "number" -> isNumber(v);
            case "integer" -> v instanceof Long;
            case "float" -> v instanceof Double;
            case "boolean" -> v instanceof Boolean;
            case "true" -> Boolean.TRUE.equals(v);
            case "false" -> Boolean.FALSE.equals(v);
            case "mapping" -> v instanceof Map<?, ?> || v instanceof Namespace;
            case "sequence", "iterable" -> v instanceof List<?> || v instanceof String || v instanceof Map<?, ?>;
            case "callable" -> v instanceof Callable;
            case "equalto", "eq", "sameas" -> equal(v, args.get(0));
            case "ne" -> !equal(v, args.get(0));
            case "in" -> contains(args.get(0), v);
            case "even" -> ((long) num(v)) % 2 == 0;
            case "odd" -> ((long) num(v)) % 2 != 0;
            case "lower" -> v instanceof String s && s.equals(s.toLowerCase());
            case "upper" -> v instanceof String s && s.equals(s.toUpperCase());
            default -> throw new JinjaException("unknown test '" + name + "'");
        };
    }
}
