# Runs many trajectories' code calls in this one sandbox execution (the teacher's batched mode): stdin is a JSON
# list of notebooks, each a list of cells; each notebook gets its own fresh globals, as a sandbox session would,
# and each cell runs like the sandbox runner's cell (a bare final expression is printed). A notebook stops at its
# first failing cell. stdout is one JSON list per notebook of {"ok", "out", "err", "ms"} per cell that ran.
import ast
import contextlib
import io
import json
import sys
import time
import traceback


def run_cell(code, ns, out, err):
    tree = ast.parse(code, filename="<cell>", mode="exec")
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        exec(compile(tree, "<cell>", "exec"), ns)
        if last is not None:
            value = eval(compile(last, "<cell>", "eval"), ns)
            if value is not None:
                print(repr(value))


def run_notebook(cells):
    ns = {"__name__": "__main__", "__builtins__": __builtins__}
    results = []
    for code in cells:
        out, err = io.StringIO(), io.StringIO()
        start = time.perf_counter()
        try:
            run_cell(code, ns, out, err)
            ok = True
        except BaseException:
            err.write(traceback.format_exc(limit=-1))
            ok = False
        ms = int((time.perf_counter() - start) * 1000)
        results.append({"ok": ok, "out": out.getvalue(), "err": err.getvalue(), "ms": ms})
        if not ok:
            break
    return results


notebooks = json.load(sys.stdin)
sys.stdout.write(json.dumps([run_notebook(cells) for cells in notebooks]))
