package ai.aster.modeling.jinja;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Tokenizes and parses one expression (or the expression parts of a statement), precedence as in Jinja. */
final class ExprParser {

    private static final List<String> OPERATORS = List.of("==", "!=", "<=", ">=", "//", "**", "(", ")", "[", "]",
            "{", "}", ",", ":", ".", "|", "+", "-", "*", "/", "%", "~", "<", ">", "=");

    private final List<String> tokens; // strings keep their quotes; numbers and names as written
    private int pos;

    ExprParser(String src) {
        this.tokens = tokenize(src);
    }

    static List<String> tokenize(String s) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '\'' || c == '"') {
                StringBuilder sb = new StringBuilder().append(c);
                int j = i + 1;
                while (j < s.length() && s.charAt(j) != c) {
                    if (s.charAt(j) == '\\' && j + 1 < s.length()) {
                        sb.append(s.charAt(j)).append(s.charAt(j + 1));
                        j += 2;
                    } else {
                        sb.append(s.charAt(j++));
                    }
                }
                if (j >= s.length()) {
                    throw new JinjaException("unterminated string in: " + s);
                }
                out.add(sb.append(c).toString());
                i = j + 1;
            } else if (Character.isDigit(c)) {
                int j = i;
                while (j < s.length() && (Character.isDigit(s.charAt(j)) || s.charAt(j) == '.'
                        && j + 1 < s.length() && Character.isDigit(s.charAt(j + 1)))) {
                    j++;
                }
                out.add(s.substring(i, j));
                i = j;
            } else if (Character.isLetter(c) || c == '_') {
                int j = i;
                while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) {
                    j++;
                }
                out.add(s.substring(i, j));
                i = j;
            } else {
                String op = null;
                for (String o : OPERATORS) {
                    if (s.startsWith(o, i)) {
                        op = o;
                        break;
                    }
                }
                if (op == null) {
                    throw new JinjaException("unexpected character '" + c + "' in: " + s);
                }
                out.add(op);
                i += op.length();
            }
        }
        return out;
    }

    boolean atEnd() {
        return pos >= tokens.size();
    }

    String peek() {
        return pos < tokens.size() ? tokens.get(pos) : null;
    }

    String peek(int ahead) {
        return pos + ahead < tokens.size() ? tokens.get(pos + ahead) : null;
    }

    String next() {
        if (pos >= tokens.size()) {
            throw new JinjaException("unexpected end of expression");
        }
        return tokens.get(pos++);
    }

    boolean accept(String t) {
        if (t.equals(peek())) {
            pos++;
            return true;
        }
        return false;
    }

    void expect(String t) {
        String got = next();
        if (!t.equals(got)) {
            throw new JinjaException("expected '" + t + "' but found '" + got + "'");
        }
    }

    String name() {
        String t = next();
        if (!Character.isLetter(t.charAt(0)) && t.charAt(0) != '_') {
            throw new JinjaException("expected a name, found '" + t + "'");
        }
        return t;
    }

    /** A full expression including {@code a if b else c}. */
    Expr expression() {
        Expr e = or();
        if ("if".equals(peek())) {
            pos++;
            Expr cond = or();
            Expr otherwise = accept("else") ? expression() : new Expr.Literal(JinjaRuntime.UNDEFINED);
            return new Expr.Conditional(cond, e, otherwise);
        }
        return e;
    }

    /** An expression without the conditional form (for loop iterables followed by {@code if}). */
    Expr orExpression() {
        return or();
    }

    private Expr or() {
        Expr e = and();
        while (accept("or")) {
            e = new Expr.Binary("or", e, and());
        }
        return e;
    }

    private Expr and() {
        Expr e = not();
        while (accept("and")) {
            e = new Expr.Binary("and", e, not());
        }
        return e;
    }

    private Expr not() {
        if (accept("not")) {
            return new Expr.Unary("not", not());
        }
        return comparison();
    }

    private Expr comparison() {
        Expr e = concat();
        while (true) {
            String t = peek();
            if (t == null) {
                return e;
            }
            switch (t) {
                case "==", "!=", "<", "<=", ">", ">=" -> {
                    pos++;
                    e = new Expr.Binary(t, e, concat());
                }
                case "in" -> {
                    pos++;
                    e = new Expr.Binary("in", e, concat());
                }
                case "not" -> {
                    if ("in".equals(peek(1))) {
                        pos += 2;
                        e = new Expr.Unary("not", new Expr.Binary("in", e, concat()));
                    } else {
                        return e;
                    }
                }
                case "is" -> {
                    pos++;
                    boolean negated = accept("not");
                    String test = name();
                    List<Expr> args = new ArrayList<>();
                    if (accept("(")) {
                        args = arguments(new LinkedHashMap<>());
                    } else if (peek() != null && startsPrimary(peek())) {
                        args.add(concat());
                    }
                    e = new Expr.Test(e, test, args, negated);
                }
                default -> {
                    return e;
                }
            }
        }
    }

    private boolean startsPrimary(String t) {
        char c = t.charAt(0);
        return (Character.isLetterOrDigit(c) || c == '\'' || c == '"') && !List.of("and", "or", "else", "if", "not",
                "in", "is").contains(t);
    }

    private Expr concat() {
        Expr e = additive();
        while (accept("~")) {
            e = new Expr.Binary("~", e, additive());
        }
        return e;
    }

    private Expr additive() {
        Expr e = multiplicative();
        while ("+".equals(peek()) || "-".equals(peek())) {
            String op = next();
            e = new Expr.Binary(op, e, multiplicative());
        }
        return e;
    }

    private Expr multiplicative() {
        Expr e = unary();
        while ("*".equals(peek()) || "/".equals(peek()) || "//".equals(peek()) || "%".equals(peek())) {
            String op = next();
            e = new Expr.Binary(op, e, unary());
        }
        return e;
    }

    private Expr unary() {
        if (accept("-")) {
            return new Expr.Unary("-", unary());
        }
        if (accept("+")) {
            return unary();
        }
        return filtered();
    }

    private Expr filtered() {
        Expr e = postfix(primary());
        while (accept("|")) {
            String filter = name();
            List<Expr> args = new ArrayList<>();
            Map<String, Expr> kwargs = new LinkedHashMap<>();
            if (accept("(")) {
                args = arguments(kwargs);
            }
            e = postfix(new Expr.Filter(e, filter, args, kwargs));
        }
        return e;
    }

    private Expr postfix(Expr e) {
        while (true) {
            if (accept(".")) {
                e = new Expr.Attr(e, next());
            } else if (accept("[")) {
                Expr start = null;
                if (!":".equals(peek())) {
                    start = expression();
                }
                if (accept(":")) {
                    Expr stop = null;
                    Expr step = null;
                    if (!":".equals(peek()) && !"]".equals(peek())) {
                        stop = expression();
                    }
                    if (accept(":") && !"]".equals(peek())) {
                        step = expression();
                    }
                    expect("]");
                    e = new Expr.Slice(e, start, stop, step);
                } else {
                    expect("]");
                    e = new Expr.Item(e, start);
                }
            } else if (accept("(")) {
                Map<String, Expr> kwargs = new LinkedHashMap<>();
                List<Expr> args = arguments(kwargs);
                e = new Expr.Call(e, args, kwargs);
            } else {
                return e;
            }
        }
    }

    /** Arguments after an opening parenthesis, through the closing one. */
    private List<Expr> arguments(Map<String, Expr> kwargs) {
        List<Expr> args = new ArrayList<>();
        while (!accept(")")) {
            if (peek(1) != null && "=".equals(peek(1)) && Character.isLetter(peek().charAt(0))) {
                String key = next();
                pos++;
                kwargs.put(key, expression());
            } else {
                args.add(expression());
            }
            if (!accept(",")) {
                expect(")");
                break;
            }
        }
        return args;
    }

    private Expr primary() {
        String t = next();
        char c = t.charAt(0);
        if (c == '\'' || c == '"') {
            StringBuilder s = new StringBuilder(unquote(t));
            // adjacent string literals concatenate
            while (peek() != null && (peek().charAt(0) == '\'' || peek().charAt(0) == '"')) {
                s.append(unquote(next()));
            }
            return new Expr.Literal(s.toString());
        }
        if (Character.isDigit(c)) {
            return new Expr.Literal(t.contains(".") ? (Object) Double.parseDouble(t) : (Object) Long.parseLong(t));
        }
        switch (t) {
            case "(" -> {
                if (accept(")")) {
                    return new Expr.TupleExpr(List.of());
                }
                Expr first = expression();
                if (accept(")")) {
                    return first;
                }
                List<Expr> items = new ArrayList<>(List.of(first));
                while (accept(",")) {
                    if (")".equals(peek())) {
                        break;
                    }
                    items.add(expression());
                }
                expect(")");
                return new Expr.TupleExpr(items);
            }
            case "[" -> {
                List<Expr> items = new ArrayList<>();
                while (!accept("]")) {
                    items.add(expression());
                    if (!accept(",")) {
                        expect("]");
                        break;
                    }
                }
                return new Expr.ListExpr(items);
            }
            case "{" -> {
                List<Expr> keys = new ArrayList<>();
                List<Expr> values = new ArrayList<>();
                while (!accept("}")) {
                    keys.add(expression());
                    expect(":");
                    values.add(expression());
                    if (!accept(",")) {
                        expect("}");
                        break;
                    }
                }
                return new Expr.DictExpr(keys, values);
            }
            case "true", "True" -> {
                return new Expr.Literal(Boolean.TRUE);
            }
            case "false", "False" -> {
                return new Expr.Literal(Boolean.FALSE);
            }
            case "none", "None" -> {
                return new Expr.Literal(null);
            }
            default -> {
                if (Character.isLetter(c) || c == '_') {
                    return new Expr.Name(t);
                }
                throw new JinjaException("unexpected '" + t + "'");
            }
        }
    }

    static String unquote(String quoted) {
        String body = quoted.substring(1, quoted.length() - 1);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '\\' && i + 1 < body.length()) {
                char n = body.charAt(++i);
                switch (n) {
                    case 'n' -> out.append('\n');
                    case 't' -> out.append('\t');
                    case 'r' -> out.append('\r');
                    case '\\' -> out.append('\\');
                    case '\'' -> out.append('\'');
                    case '"' -> out.append('"');
                    case 'u' -> {
                        out.append((char) Integer.parseInt(body.substring(i + 1, i + 5), 16));
                        i += 4;
                    }
                    default -> out.append('\\').append(n);
                }
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
