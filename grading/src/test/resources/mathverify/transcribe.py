# Transcribes Math-Verify's parametrized test cases into JSONL (gold, prediction, expected, options).
import ast, json, math, sys
COMMIT = sys.argv[1]
FILES = ["test_all.py", "test_boxed.py", "test_numina_cases.py", "test_open_thoughts.py", "test_strict.py", "test_yujianll.py"]
# the compare_strings options each test function uses (read from its body)
OPTS = {
 "test_number_extraction": dict(extraction=["expr"]),
 "test_latex_notation": dict(extraction=["latex"]),
 "test_latex_notation_math": dict(extraction=["latex"]),
 "test_relations_math": dict(extraction=["latex"]),
 "test_matrix_extraction": dict(extraction=["latex"]),
 "test_set_rel_assymetry": dict(extraction=["latex"]),
 "test_float_precision": dict(float_rounding=5),
 "test_sqrt_precision": dict(float_rounding=5),
 "test_symbols": dict(float_rounding=5),
 "test_string_extraction@test_yujianll.py": dict(boxed_priority="default"),
}
out = []
for f in FILES:
    src = open(f).read()
    tree = ast.parse(src)
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        for dec in node.decorator_list:
            if not (isinstance(dec, ast.Call) and getattr(dec.func, "attr", "") == "parametrize"):
                continue
            names = [n.strip() for n in ast.literal_eval(dec.args[0]).split(",")]
            for elt in dec.args[1].elts:
                try:
                    vals = ast.literal_eval(elt)
                except ValueError:
                    # the one f-string case: f"{math.sqrt(17):.15f}"
                    assert node.name == "test_float_precision", ast.dump(elt)
                    vals = (f"{math.sqrt(17):.15f}", "$\\sqrt{17}$", 1)
                row = dict(zip(names, vals))
                o = {"extraction": ["latex", "expr"], "float_rounding": 6, "strict": True, "allow_set_relation_comp": False}
                o.update(OPTS.get(node.name, {}))
                o.update(OPTS.get(node.name + "@" + f, {}))
                if "precision" in row: o["float_rounding"] = row["precision"]
                if "strict" in row: o["strict"] = row["strict"]
                if "allow_set_relation_comp" in row: o["allow_set_relation_comp"] = row["allow_set_relation_comp"]
                exp = row.get("expected", row.get("result"))
                out.append({"test": f"{f}::{node.name}", "gold": row["gold"], "prediction": row["pred"],
                            "expected": int(exp), **o, "source": f"huggingface/Math-Verify@{COMMIT}:tests/{f}"})
# test_precision's compare_strings assertion (the others in it call sympy_expr_eq on sympy objects directly)
out.append({"test": "test_all.py::test_precision", "gold": "$\\frac{1}{3}$", "prediction": "0.3333$", "expected": 1,
            "extraction": ["latex", "expr"], "float_rounding": 4, "strict": True, "allow_set_relation_comp": False,
            "source": f"huggingface/Math-Verify@{COMMIT}:tests/test_all.py"})
for r in out:
    print(json.dumps(r, ensure_ascii=False))
