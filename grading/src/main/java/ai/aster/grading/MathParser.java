package ai.aster.grading;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Recursive-descent parser from normalised LaTeX (or plain text such as {@code 3/4*x^2}) to a {@link MathNode}.
 * LaTeX's one-token arguments are understood ({@code \frac12}, {@code \sqrt3}); letters multiply ({@code ab} is
 * {@code a*b}); {@code (a,b)} is a pair that may be an open interval, {@code [a,b)} an interval, {@code \{...\}} a
 * set; a top-level list is a set ({@code ;} groups tuples). Input is expected from {@link LatexNormalizer}.
 */
final class MathParser {

    /** The input is not an expression this parser understands. */
    static final class ParseException extends RuntimeException {
        ParseException(String message) {
            super(message, null, false, false);
        }
    }

    private static final int MAX_DEPTH = 200;
    private static final Set<Character> FUNCTION_LETTERS = Set.of('f', 'g', 'h', 'F', 'G', 'H', 'P', 'Q', 'W');
    private static final Map<String, String> FUNCTIONS = Map.ofEntries(
            Map.entry("sin", "Sin"), Map.entry("cos", "Cos"), Map.entry("tan", "Tan"), Map.entry("cot", "Cot"),
            Map.entry("sec", "Sec"), Map.entry("csc", "Csc"), Map.entry("arcsin", "ArcSin"),
            Map.entry("arccos", "ArcCos"), Map.entry("arctan", "ArcTan"), Map.entry("sinh", "Sinh"),
            Map.entry("cosh", "Cosh"), Map.entry("tanh", "Tanh"), Map.entry("ln", "Log"), Map.entry("log", "Log"),
            Map.entry("exp", "Exp"), Map.entry("det", "Det"), Map.entry("gcd", "GCD"), Map.entry("lcm", "LCM"),
            Map.entry("max", "Max"), Map.entry("min", "Min"));
    /** Commands that only style what follows ({@code \mathbf{x}} is x). */
    private static final Set<String> TRANSPARENT = Set.of("boxed", "fbox", "mathbf", "mathit", "mathrm", "bm",
            "boldsymbol", "overline", "vec", "hat", "bar", "tilde", "underline", "widehat", "overrightarrow",
            "displaystyle", "textstyle", "mathcal", "mathsf");
    private static final Set<String> IGNORED = Set.of("quad", "qquad", "circ", "degree", "displaystyle", "left",
            "right", "big", "Big", "bigg", "Bigg", "limits", "nolimits", "dots", "ldots", "cdots", "mathrm");

    private final String s;
    private final boolean complex;
    private int pos;
    private int depth;
    private int absDepth;

    private MathParser(String s, boolean complex) {
        this.s = s;
        this.complex = complex;
    }

    /**
     * Parses a whole normalised answer.
     *
     * @param complex whether a lone {@code i} is the imaginary unit (else it is a variable)
     */
    static MathNode parse(String text, boolean complex) {
        MathParser p = new MathParser(text, complex);
        MathNode node = p.top();
        p.skipSpace();
        if (p.pos < p.s.length()) {
            throw new ParseException("unexpected '" + p.s.charAt(p.pos) + "' at " + p.pos);
        }
        return node;
    }

    // top: a list of relations separated by ',' (a set) and ';' (a set of tuples)
    private MathNode top() {
        List<List<MathNode>> groups = new ArrayList<>();
        List<MathNode> current = new ArrayList<>();
        boolean semicolons = false;
        current.add(relation());
        while (true) {
            skipSpace();
            if (peek(',')) {
                pos++;
                if (atEnd()) {
                    break; // a trailing comma
                }
                current.add(relation());
            } else if (peek(';')) {
                pos++;
                semicolons = true;
                groups.add(current);
                current = new ArrayList<>();
                if (atEnd()) {
                    break;
                }
                current.add(relation());
            } else {
                break;
            }
        }
        if (!current.isEmpty()) {
            groups.add(current);
        }
        if (!semicolons) {
            List<MathNode> items = groups.getFirst();
            return items.size() == 1 ? items.getFirst() : new SetOf(List.copyOf(items));
        }
        List<MathNode> items = new ArrayList<>();
        for (List<MathNode> g : groups) {
            items.add(g.size() == 1 ? g.getFirst() : new TupleOf(List.copyOf(g), false));
        }
        return items.size() == 1 ? items.getFirst() : new SetOf(items);
    }

    private MathNode relation() {
        enter();
        MathNode first = ratio();
        List<MathNode> operands = new ArrayList<>(List.of(first));
        List<String> ops = new ArrayList<>();
        while (true) {
            skipSpace();
            String op = relOp();
            if (op == null) {
                break;
            }
            if (op.equals("~")) {
                // "x = 1/3 \approx 0.33" keeps the exact value; a lone "x \approx 11" reads as an equation
                MathNode approx = ratio();
                if (ops.contains("=")) {
                    continue;
                }
                operands.add(approx);
                ops.add("=");
                continue;
            }
            if (op.equals("in")) {
                // "x \in S" is the set S
                MathNode set = ratio();
                if (ops.isEmpty()) {
                    operands.set(0, set);
                    first = set;
                    continue;
                }
                operands.add(set);
                ops.add("=");
                continue;
            }
            operands.add(ratio());
            ops.add(op);
        }
        leave();
        return ops.isEmpty() ? first : new Rel(List.copyOf(operands), List.copyOf(ops));
    }

    private String relOp() {
        String[][] table = {
            {"\\leqslant", "<="}, {"\\geqslant", ">="}, {"\\leq", "<="}, {"\\geq", ">="}, {"\\neq", "!="},
            {"\\le", "<="}, {"\\ge", ">="}, {"\\ne", "!="}, {"\\lt", "<"}, {"\\gt", ">"}, {"\\in", "in"},
            {"<=", "<="}, {">=", ">="}, {"!=", "!="}, {"=<", "<="}, {"=>", ">="}, {"≤", "<="}, {"≥", ">="},
            {"≠", "!="}, {"\\approx", "~"}, {"≈", "~"}, {"==", "="}, {"=", "="}, {"<", "<"}, {">", ">"}, {"\\equiv", "="}};
        for (String[] t : table) {
            if (s.startsWith(t[0], pos) && !(t[0].startsWith("\\") && letterAt(pos + t[0].length()))) {
                pos += t[0].length();
                return t[1];
            }
        }
        return null;
    }

    // a : b (a ratio, kept as one)
    private MathNode ratio() {
        MathNode a = setExpr();
        skipSpace();
        if (peek(':') && !s.startsWith(":=", pos)) {
            pos++;
            MathNode b = setExpr();
            return new Fn("Ratio", List.of(a, b));
        }
        return a;
    }

    private MathNode setExpr() {
        MathNode a = additive();
        List<MathNode> parts = null;
        while (true) {
            skipSpace();
            if (command("cup")) {
                if (parts == null) {
                    parts = new ArrayList<>(List.of(a));
                }
                parts.add(additive());
            } else {
                break;
            }
        }
        return parts == null ? a : new Union(List.copyOf(parts));
    }

    private MathNode additive() {
        enter();
        skipSpace();
        MathNode acc = term();
        List<MathNode> terms = new ArrayList<>(List.of(acc));
        while (true) {
            skipSpace();
            if (peek('+')) {
                pos++;
                terms.add(term());
            } else if (peek('-') && !s.startsWith("->", pos)) {
                pos++;
                terms.add(new Neg(term()));
            } else if (command("pm") || command("mp") || consume('±')) {
                MathNode left = terms.size() == 1 ? terms.getFirst() : new MathNode.Add(List.copyOf(terms));
                MathNode right = term();
                terms = new ArrayList<>(List.of(new PlusMinus(left, right)));
            } else {
                break;
            }
        }
        leave();
        return terms.size() == 1 ? terms.getFirst() : new MathNode.Add(List.copyOf(terms));
    }

    private MathNode term() {
        MathNode first = unary();
        List<MathNode> factors = new ArrayList<>(List.of(first));
        while (true) {
            skipSpace();
            if (peek('*') || peek('×') || peek('·')) {
                pos++;
                if (peek('*')) {
                    pos++; // "**" is a power in plain text
                    MathNode exp = unary();
                    factors.set(factors.size() - 1, new Pow(factors.getLast(), exp));
                    continue;
                }
                factors.add(unary());
            } else if (command("cdot") || command("times") || command("ast")) {
                factors.add(unary());
            } else if (peek('/') || peek('÷')) {
                pos++;
                MathNode den = unary();
                factors.set(factors.size() - 1, new Div(factors.getLast(), den));
            } else if (command("div") || command("over")) {
                MathNode den = unary();
                factors.set(factors.size() - 1, new Div(factors.getLast(), den));
            } else if (startsAtom()) {
                factors.add(power());
            } else {
                break;
            }
        }
        return factors.size() == 1 ? factors.getFirst() : new Mul(List.copyOf(factors));
    }

    private MathNode unary() {
        enter();
        skipSpace();
        MathNode r;
        if (peek('-') || peek('−')) {
            pos++;
            r = new Neg(unary());
        } else if (peek('+')) {
            pos++;
            r = unary();
        } else if (command("pm") || consume('±')) {
            r = new PlusMinus(null, unary());
        } else {
            r = power();
        }
        leave();
        return r;
    }

    private MathNode power() {
        MathNode base = postfix(atom());
        skipSpace();
        if (peek('^')) {
            pos++;
            skipSpace();
            MathNode exp;
            if (peek('{')) {
                exp = braceGroup();
            } else if (peek('(') || peek('-') || peek('+')) {
                exp = unary();
            } else {
                exp = singleTokenArgument();
            }
            return postfix(new Pow(base, exp));
        }
        return base;
    }

    private MathNode postfix(MathNode x) {
        while (true) {
            skipSpace();
            if (peek('!') && !s.startsWith("!=", pos)) {
                pos++;
                x = new Fn("Factorial", List.of(x));
            } else if (s.startsWith("\\%", pos)) {
                pos += 2;
                x = new Percent(x);
            } else if (peek('%')) {
                pos++;
                x = new Percent(x);
            } else if (peek('\'')) {
                pos++;
                x = x instanceof Sym sym ? new Sym(sym.name() + "'") : x;
            } else {
                return x;
            }
        }
    }

    private boolean startsAtom() {
        if (atEnd()) {
            return false;
        }
        char c = s.charAt(pos);
        if (Character.isDigit(c) || Character.isLetter(c) || c == '(' || c == '{' || c == '.') {
            return c != '.' || (pos + 1 < s.length() && Character.isDigit(s.charAt(pos + 1)));
        }
        if (c == '[') {
            return true;
        }
        if (c == '|') {
            return absDepth == 0;
        }
        if (c == '\\') {
            String name = commandName(pos);
            if (name.isEmpty()) {
                return s.startsWith("\\{", pos) || s.startsWith("\\|", pos) && absDepth == 0;
            }
            return !Set.of("cdot", "times", "div", "pm", "mp", "cup", "cap", "le", "leq", "ge", "geq", "ne",
                    "neq", "lt", "gt", "in", "right", "end", "rfloor", "rceil", "approx", "to", "leqslant",
                    "geqslant", "equiv", "over", "ast", "setminus", "quad", "qquad", "rbrace", "rangle").contains(name);
        }
        return false;
    }

    private MathNode atom() {
        enter();
        try {
            skipSpace();
            if (atEnd()) {
                throw new ParseException("expression ends early");
            }
            char c = s.charAt(pos);
            if (Character.isDigit(c) || (c == '.' && pos + 1 < s.length() && Character.isDigit(s.charAt(pos + 1)))) {
                return number();
            }
            if (c == '\\') {
                return commandAtom();
            }
            if (Character.isLetter(c)) {
                return letterAtom();
            }
            switch (c) {
                case '(' -> {
                    pos++;
                    return bracketed('(');
                }
                case '[' -> {
                    pos++;
                    return bracketed('[');
                }
                case '{' -> {
                    pos++;
                    List<MathNode> items = listUntil('}');
                    expect('}');
                    return items.size() == 1 ? items.getFirst() : new SetOf(items);
                }
                case '|' -> {
                    pos++;
                    absDepth++;
                    MathNode inner = additive();
                    absDepth--;
                    skipSpace();
                    expect('|');
                    return new Fn("Abs", List.of(inner));
                }
                default -> throw new ParseException("unexpected '" + c + "' at " + pos);
            }
        } finally {
            leave();
        }
    }

    private MathNode number() {
        int start = pos;
        while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
            pos++;
        }
        boolean decimal = false;
        if (pos + 1 < s.length() && s.charAt(pos) == '.' && Character.isDigit(s.charAt(pos + 1))) {
            decimal = true;
            pos++;
            while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
                pos++;
            }
        }
        return new Num(new BigDecimal(s.substring(start, pos)), decimal);
    }

    private MathNode letterAtom() {
        int start = pos;
        // plain-text function names and constants: sqrt(2), pi, sin x
        int end = start;
        while (end < s.length() && Character.isLetter(s.charAt(end)) && s.charAt(end) < 128) {
            end++;
        }
        String word = s.substring(start, end);
        if (word.equals("sqrt")) {
            pos = end;
            return new Fn("Sqrt", List.of(functionArgument()));
        }
        if (word.equals("pi")) {
            pos = end;
            return Const.PI;
        }
        if (FUNCTIONS.containsKey(word) && end < s.length() && s.charAt(end) == '(') {
            pos = end;
            return new Fn(FUNCTIONS.get(word), List.of(functionArgument()));
        }
        char c = s.charAt(pos++);
        String name = String.valueOf(c);
        String subscript = subscript();
        if (subscript != null) {
            return functionApplication(name + "_" + subscript);
        }
        if (c == 'e' && !(pos < s.length() && s.charAt(pos) == '(')) {
            return Const.E;
        }
        if (c == 'i' && complex) {
            return Const.I;
        }
        if (c == 'π') {
            return Const.PI;
        }
        if (c == '∞') {
            return Const.INFINITY;
        }
        if (FUNCTION_LETTERS.contains(c)) {
            return functionApplication(name);
        }
        return new Sym(name);
    }

    private MathNode functionApplication(String name) {
        if (peek('(') && FUNCTION_LETTERS.contains(name.charAt(0))) {
            pos++;
            List<MathNode> args = listUntil(')');
            expect(')');
            return new Fn(name, args);
        }
        return new Sym(name);
    }

    /** The raw text of a subscript ({@code _3}, {@code _{37}}), or null. */
    private String subscript() {
        if (!peek('_')) {
            return null;
        }
        pos++;
        skipSpace();
        if (peek('{')) {
            int close = matchingBrace(pos);
            String inner = s.substring(pos + 1, close).replaceAll("[\\s{}\\\\]", "");
            pos = close + 1;
            return inner;
        }
        if (atEnd()) {
            throw new ParseException("empty subscript");
        }
        if (s.charAt(pos) == '\\') {
            String name = commandName(pos);
            pos += 1 + name.length();
            return name;
        }
        return String.valueOf(s.charAt(pos++));
    }

    private MathNode commandAtom() {
        if (s.startsWith("\\{", pos) || s.startsWith("\\lbrace", pos)) {
            pos += s.startsWith("\\{", pos) ? 2 : 7;
            List<MathNode> items = new ArrayList<>();
            skipSpace();
            if (!(s.startsWith("\\}", pos) || s.startsWith("\\rbrace", pos))) {
                items = listUntil('\u0000');
            }
            skipSpace();
            if (s.startsWith("\\}", pos)) {
                pos += 2;
            } else if (s.startsWith("\\rbrace", pos)) {
                pos += 7;
            } else {
                throw new ParseException("unclosed \\{");
            }
            return new SetOf(items);
        }
        if (s.startsWith("\\|", pos)) {
            pos += 2;
            absDepth++;
            MathNode inner = additive();
            absDepth--;
            skipSpace();
            if (!s.startsWith("\\|", pos)) {
                throw new ParseException("unclosed \\|");
            }
            pos += 2;
            return new Fn("Norm", List.of(inner));
        }
        String name = commandName(pos);
        if (name.isEmpty()) {
            throw new ParseException("bad command at " + pos);
        }
        pos += 1 + name.length();
        switch (name) {
            case "frac", "dfrac", "tfrac", "cfrac" -> {
                MathNode num = argument();
                MathNode den = argument();
                return new Div(num, den);
            }
            case "binom", "dbinom", "tbinom", "choose" -> {
                return new Fn("Binomial", List.of(argument(), argument()));
            }
            case "sqrt" -> {
                skipSpace();
                if (peek('[')) {
                    pos++;
                    MathNode index = additive();
                    skipSpace();
                    expect(']');
                    MathNode radicand = argument();
                    return new Pow(radicand, new Div(new Num(BigDecimal.ONE, false), index));
                }
                return new Fn("Sqrt", List.of(argument()));
            }
            case "pi" -> {
                return Const.PI;
            }
            case "infty", "infinity" -> {
                return Const.INFINITY;
            }
            case "emptyset", "varnothing" -> {
                return new SetOf(List.of());
            }
            case "imath", "i" -> {
                return Const.I;
            }
            case "e" -> {
                return Const.E;
            }
            case "mathbb" -> {
                MathNode set = argument();
                if (set instanceof Sym sym && sym.name().equals("R")) {
                    return new Interval(new Neg(Const.INFINITY), Const.INFINITY, true, true);
                }
                return new Text("mathbb" + set);
            }
            case "text", "textbf", "textit", "textrm", "textnormal", "mbox", "operatorname" -> {
                skipSpace();
                String inner = rawGroup().strip();
                if (name.equals("operatorname")) {
                    return new Fn(inner, List.of(functionArgument()));
                }
                return new Text(inner);
            }
            case "lfloor" -> {
                MathNode inner = additive();
                skipSpace();
                if (!command("rfloor")) {
                    throw new ParseException("unclosed \\lfloor");
                }
                return new Fn("Floor", List.of(inner));
            }
            case "lceil" -> {
                MathNode inner = additive();
                skipSpace();
                if (!command("rceil")) {
                    throw new ParseException("unclosed \\lceil");
                }
                return new Fn("Ceiling", List.of(inner));
            }
            case "begin" -> {
                return environment();
            }
            default -> {
            }
        }
        if (TRANSPARENT.contains(name)) {
            return argument();
        }
        String fn = FUNCTIONS.get(name);
        if (fn != null) {
            MathNode exponent = null;
            MathNode logBase = null;
            skipSpace();
            if (peek('_') && fn.equals("Log")) {
                pos++;
                logBase = argument();
                skipSpace();
            }
            if (peek('^')) {
                pos++;
                exponent = argument();
            }
            MathNode arg = functionArgument();
            MathNode applied = logBase != null ? new Fn("Log", List.of(logBase, arg)) : new Fn(fn, List.of(arg));
            if (exponent != null) {
                // \sin^{-1} x is the inverse function, \sin^2 x the square
                if (exponent instanceof Neg(Num n) && n.value().compareTo(BigDecimal.ONE) == 0 && fn.length() == 3) {
                    return new Fn("Arc" + fn, List.of(arg));
                }
                return new Pow(applied, exponent);
            }
            return applied;
        }
        if (IGNORED.contains(name)) {
            skipSpace();
            if (atEnd() || !startsAtom()) {
                throw new ParseException("nothing after \\" + name);
            }
            return atom();
        }
        if (Character.isLetter(name.charAt(0))) {
            // greek letters and unknown commands are variables (\alpha, \theta)
            String subscript = subscript();
            return new Sym(subscript == null ? name : name + "_" + subscript);
        }
        throw new ParseException("unknown command \\" + name);
    }

    private MathNode environment() {
        String env = rawGroup();
        if (!env.endsWith("matrix") && !env.equals("array")) {
            throw new ParseException("unsupported environment " + env);
        }
        if (env.equals("array")) {
            skipSpace();
            if (peek('{')) {
                rawGroup(); // column spec
            }
        }
        String end = "\\end{" + env + "}";
        int close = s.indexOf(end, pos);
        if (close < 0) {
            throw new ParseException("unclosed " + env);
        }
        String body = s.substring(pos, close);
        pos = close + end.length();
        List<List<MathNode>> rows = new ArrayList<>();
        for (String row : body.split("\\\\\\\\")) {
            if (row.isBlank()) {
                continue;
            }
            List<MathNode> cells = new ArrayList<>();
            for (String cell : row.split("&")) {
                cells.add(parse(cell.strip().replaceAll("^\\\\hline", ""), complex));
            }
            rows.add(cells);
        }
        if (rows.isEmpty()) {
            throw new ParseException("empty matrix");
        }
        return new Matrix(rows);
    }

    /** {@code (...)}, {@code [...]}: a group, a tuple or an interval, by its brackets and its number of items. */
    private MathNode bracketed(char open) {
        List<MathNode> items = listUntil('\u0001');
        skipSpace();
        if (atEnd()) {
            throw new ParseException("unclosed " + open);
        }
        char close = s.charAt(pos);
        if (close != ')' && close != ']') {
            throw new ParseException("unexpected '" + close + "' at " + pos);
        }
        pos++;
        if (items.size() == 2 && (open == '[' || close == ']')) {
            return new Interval(items.get(0), items.get(1), open == '(', close == ')');
        }
        if (items.size() == 1) {
            return items.getFirst();
        }
        return new TupleOf(items, open == '(' && close == ')');
    }

    /** Comma- or semicolon-separated relations up to (not including) a closing bracket. */
    private List<MathNode> listUntil(char closer) {
        List<MathNode> items = new ArrayList<>();
        skipSpace();
        if (peek(closer) || (closer == '\u0001' && (peek(')') || peek(']')))) {
            return items;
        }
        items.add(relation());
        while (true) {
            skipSpace();
            if (peek(',') || peek(';')) {
                pos++;
                items.add(relation());
            } else {
                return items;
            }
        }
    }

    /** A macro argument: a brace group or, as LaTeX reads {@code \frac12}, one token. */
    private MathNode argument() {
        skipSpace();
        if (peek('{')) {
            return braceGroup();
        }
        return singleTokenArgument();
    }

    private MathNode singleTokenArgument() {
        skipSpace();
        if (atEnd()) {
            throw new ParseException("missing argument");
        }
        char c = s.charAt(pos);
        if (Character.isDigit(c)) {
            pos++;
            return new Num(new BigDecimal(String.valueOf(c)), false);
        }
        if (Character.isLetter(c)) {
            pos++;
            if (c == 'e') {
                return Const.E;
            }
            return c == 'i' && complex ? Const.I : new Sym(String.valueOf(c));
        }
        if (c == '\\') {
            return commandAtom();
        }
        return atom();
    }

    private MathNode braceGroup() {
        expect('{');
        List<MathNode> items = listUntil('}');
        skipSpace();
        expect('}');
        if (items.isEmpty()) {
            throw new ParseException("empty group");
        }
        return items.size() == 1 ? items.getFirst() : new SetOf(items);
    }

    /** A function's argument: parenthesised, braced, or the next factor ({@code \sin x}). */
    private MathNode functionArgument() {
        skipSpace();
        if (peek('(')) {
            pos++;
            MathNode inner = relation();
            skipSpace();
            expect(')');
            return inner;
        }
        if (peek('{')) {
            return braceGroup();
        }
        return power();
    }

    private String rawGroup() {
        skipSpace();
        if (!peek('{')) {
            throw new ParseException("expected '{' at " + pos);
        }
        int close = matchingBrace(pos);
        String inner = s.substring(pos + 1, close);
        pos = close + 1;
        return inner;
    }

    private int matchingBrace(int open) {
        int d = 0;
        for (int i = open; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '{') {
                d++;
            } else if (c == '}' && --d == 0) {
                return i;
            }
        }
        throw new ParseException("unbalanced braces");
    }

    private String commandName(int at) {
        int i = at + 1;
        while (i < s.length() && Character.isLetter(s.charAt(i)) && s.charAt(i) < 128) {
            i++;
        }
        return s.substring(at + 1, i);
    }

    /** Consumes {@code \name} when it is next (and not a prefix of a longer command). */
    private boolean command(String name) {
        skipSpace();
        if (s.startsWith("\\" + name, pos) && !letterAt(pos + 1 + name.length())) {
            pos += 1 + name.length();
            return true;
        }
        return false;
    }

    private boolean letterAt(int i) {
        return i < s.length() && Character.isLetter(s.charAt(i)) && s.charAt(i) < 128;
    }

    private void skipSpace() {
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (Character.isWhitespace(c)) {
                pos++;
            } else if (c == '\\' && pos + 1 < s.length() && (s.charAt(pos + 1) == ',' || s.charAt(pos + 1) == ';'
                    || s.charAt(pos + 1) == ' ' || s.charAt(pos + 1) == '!' || s.charAt(pos + 1) == ':')) {
                pos += 2;
            } else if (c == '\\' && (s.startsWith("\\quad", pos) || s.startsWith("\\qquad", pos))) {
                pos += s.startsWith("\\quad", pos) ? 5 : 6;
            } else if (c == '\\' && (s.startsWith("\\left", pos) || s.startsWith("\\right", pos))
                    && !letterAt(pos + (s.startsWith("\\left", pos) ? 5 : 6))) {
                pos += s.startsWith("\\left", pos) ? 5 : 6;
                if (pos < s.length() && s.charAt(pos) == '.') {
                    pos++;
                }
            } else {
                return;
            }
        }
    }

    private boolean peek(char c) {
        skipSpace();
        return pos < s.length() && s.charAt(pos) == c;
    }

    private boolean consume(char c) {
        if (peek(c)) {
            pos++;
            return true;
        }
        return false;
    }

    private boolean atEnd() {
        skipSpace();
        return pos >= s.length();
    }

    private void expect(char c) {
        skipSpace();
        if (pos >= s.length() || s.charAt(pos) != c) {
            throw new ParseException("expected '" + c + "' at " + pos);
        }
        pos++;
    }

    private void enter() {
        if (++depth > MAX_DEPTH) {
            throw new ParseException("nested too deeply");
        }
    }

    private void leave() {
        depth--;
    }
}
