"""ASTER sandbox runner: runs exactly one piece of code in this container, then exits.

Started as PID 1 of a fresh container: connects to the service's Unix socket (argv[1]), which tells the service
the container is ready, imports the prelude in a background thread while it waits, then reads one request,
runs it, streams capped stdout/stderr back, sends the new session state and the exit status, and exits.

Frames both ways: 1 byte type, 4 bytes big-endian length, payload.
  service -> runner: 'R' JSON {code, stdin, output_limit, session, state_limit}, then 'S' state blob (may be empty)
  runner -> service: 'P' (empty: the prelude is imported; may come before or during the call), 'O' stdout bytes,
  'E' stderr bytes, 'S' state blob, 'X' JSON {exit_code, stdout_truncated, stderr_truncated, session_reset}.
  'X' comes only after every process of the cell has exited and its output has been sent; then the runner exits
  (the service reads to the end of the connection).
"""
import ast
import io
import json
import os
import re
import socket
import struct
import sys
import threading
import types

OWNER_PID = os.getpid()
PRELUDE_NAMES = ("sp", "np", "math", "itertools")
# Code that names one of these needs the prelude imported before it runs; other code can start at once.
PRELUDE_WORDS = re.compile(r"\b(sp|np|sympy|numpy|scipy|mpmath|dill)\b")
_prelude = {}


def _import_prelude(channel):
    # The slow part of a warm start (about 0.7 s): done while the container waits in the pool.
    try:
        _load_prelude()
    finally:
        # Tells the service this container is fully warm (it prefers such containers for code that needs the
        # prelude, and starts such code's time limit now). Sent even if an import failed: the code runs anyway.
        try:
            channel.send(b"P", b"")
        except OSError:
            pass


def _load_prelude():
    # Importing numpy sets variables of its own (GOTOBLAS_MAIN_FREE); the cell sees the same environment whether or
    # not the prelude finished before it started.
    before = dict(os.environ)
    try:
        _import_prelude_modules()
    finally:
        for name in [n for n in os.environ if n not in before]:
            del os.environ[name]


def _import_prelude_modules():
    import math
    import itertools
    _prelude["math"] = math
    _prelude["itertools"] = itertools
    import numpy
    _prelude["np"] = numpy
    import sympy
    _prelude["sp"] = sympy
    import dill  # noqa: F401  (session state)


class Channel:
    def __init__(self, sock):
        self.sock = sock
        self.lock = threading.Lock()

    def send(self, kind, payload):
        with self.lock:
            self.sock.sendall(kind + struct.pack(">I", len(payload)) + payload)

    def _read_exact(self, n):
        chunks = []
        while n > 0:
            chunk = self.sock.recv(min(n, 1 << 20))
            if not chunk:
                raise EOFError("service closed the connection")
            chunks.append(chunk)
            n -= len(chunk)
        return b"".join(chunks)

    def receive(self):
        head = self._read_exact(5)
        (length,) = struct.unpack(">I", head[1:])
        return head[:1], self._read_exact(length)


class FdStream(io.TextIOBase):
    """sys.stdout / sys.stderr: text goes straight to file descriptor fd (a pipe, see OutputPump), so that it stays
    in order with output that bypasses sys.stdout (os.system, subprocesses, C extensions, forked children)."""

    def __init__(self, fd):
        self.fd = fd

    def writable(self):
        return True

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError("write() argument must be str, not " + type(text).__name__)
        data = text.encode("utf-8", "replace")
        while data:
            try:
                data = data[os.write(self.fd, data):]
            except OSError:
                break
        return len(text)

    def flush(self):
        pass

    def isatty(self):
        return False

    @property
    def encoding(self):
        return "utf-8"


def _cut_utf8(data):
    """data without a trailing incomplete UTF-8 sequence."""
    i = len(data) - 1
    while i >= 0 and len(data) - i <= 4 and (data[i] & 0xC0) == 0x80:
        i -= 1
    if i < 0:
        return data
    lead = data[i]
    need = 1 if lead < 0x80 else 2 if lead >> 5 == 0b110 else 3 if lead >> 4 == 0b1110 else 4
    return data if len(data) - i >= need else data[:i]


class OutputPump:
    """Points file descriptor fd at a pipe and forwards what arrives to the service as frames of one kind, up to
    the byte cap (cut on a character boundary); beyond it only notes the truncation."""

    def __init__(self, channel, kind, limit, fd):
        self.channel = channel
        self.kind = kind
        self.remaining = limit
        self.truncated = False
        read_end, write_end = os.pipe()
        os.dup2(write_end, fd)
        os.close(write_end)
        self.read_end = read_end
        self.thread = threading.Thread(target=self._pump, name="output-%d" % fd, daemon=True)
        self.thread.start()

    def _pump(self):
        while True:
            try:
                data = os.read(self.read_end, 65536)
            except OSError:
                break
            if not data:
                break
            self.forward(data)
        os.close(self.read_end)

    def forward(self, data):
        if self.remaining <= 0:
            self.truncated = True
            return
        if len(data) > self.remaining:
            data = _cut_utf8(data[: self.remaining])
            self.remaining = 0
            self.truncated = True
        else:
            self.remaining -= len(data)
        if data:
            self.channel.send(self.kind, data)

    def note(self, line):
        """A line of the runner's own, sent directly (after the pipes are closed)."""
        self.channel.send(self.kind, (line + "\n").encode("utf-8"))


def _become_subreaper():
    """Makes orphaned descendants of the cell this process's children, so that _wait_for_processes sees them too
    (PID 1 of the container is one already; this covers a runner started under an init process)."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        pass


def _wait_for_threads():
    """Waits for the cell's non-daemon threads as the interpreter does at exit (threading._shutdown: first the
    threading atexit hooks, which tell idle executor workers to stop, then the joins): their output belongs to the
    call."""
    shutdown = getattr(threading, "_shutdown", None)
    if shutdown is not None:
        shutdown()
        return
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join()


def _wait_for_processes():
    """Waits until every process the cell started (children, and orphans reparented here) has exited; the call's
    timeout bounds this."""
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return
        except InterruptedError:
            continue


def _release_fds(pumps):
    """Closes the runner's ends of the output pipes, waits for every process of the cell, then for the pumps to
    forward what is left. When this returns, every byte the pipes will ever carry has been sent to the service:
    no process that could still write to them is alive, so each pump has read to the end of its pipe."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)
    _wait_for_processes()
    for pump in pumps:
        pump.thread.join()


def _run_cell(code, ns):
    """Runs code like a REPL cell: a bare final expression is printed. Returns the exit code."""
    try:
        tree = ast.parse(code, filename="<cell>", mode="exec")
    except (SyntaxError, ValueError) as e:  # ValueError: source with null bytes
        import traceback
        sys.stderr.write("".join(traceback.format_exception_only(type(e), e)))
        return 1
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
    try:
        exec(compile(tree, "<cell>", "exec"), ns)
        if last is not None:
            value = eval(compile(last, "<cell>", "eval"), ns)
            if value is not None:
                print(repr(value))
        return 0
    except SystemExit as e:
        if e.code is None:
            return 0
        if isinstance(e.code, int):
            return e.code & 0xFF if e.code >= 0 else 1
        print(e.code, file=sys.stderr)
        return 1
    except BaseException:
        _print_exception()
        return 1


def _print_exception():
    import traceback
    etype, value, tb = sys.exc_info()
    while tb is not None and tb.tb_frame.f_code.co_filename != "<cell>":
        tb = tb.tb_next
    sys.stderr.write("".join(traceback.format_exception(etype, value, tb)))


def _dill_for(ns):
    """dill, told that the cell's module is __main__ (it bound the runner script at import), so that functions
    pickle with a reference to the session's globals instead of a copy of them."""
    import dill
    import dill._dill
    dill._dill._main_module = sys.modules["__main__"]
    return dill


# Each carried name is stored as one of: ("module", name), ("ref", module, qualname) for a function or class that
# is importable from its module (e.g. everything a star import brings), or ("dill", bytes) for everything else.
MAX_NOTES = 5


def _reference(value):
    """How to import value again, or None when it is not a module-level object of an importable module."""
    if isinstance(value, types.ModuleType):
        return ("module", value.__name__)
    module = getattr(value, "__module__", None)
    qualname = getattr(value, "__qualname__", None)
    if not isinstance(module, str) or not isinstance(qualname, str) or "<" in qualname:
        return None
    target = sys.modules.get(module)
    if target is None or target is sys.modules.get("__main__"):
        return None
    for part in qualname.split("."):
        target = getattr(target, part, None)
    return ("ref", module, qualname) if target is value else None


def _module_attribute(name, value):
    """("ref", module, name) when an imported module holds value under the same name (what `from m import *`
    or `from m import name` bound), else None."""
    cell = sys.modules.get("__main__")  # also registered as __mp_main__ once multiprocessing is imported
    for module_name, module in list(sys.modules.items()):
        if module is not None and module is not cell and getattr(module, name, None) is value:
            return ("ref", module_name, name)
    return None


def _save_state(ns, bound, limit, notes):
    """Stores each user name on its own, so one that cannot be pickled is dropped alone (with a note)."""
    import pickle
    dill = _dill_for(ns)
    entries = {}
    dropped = []
    for name, value in list(ns.items()):
        if name.startswith("__") or bound.get(name) is value:
            continue
        try:
            entries[name] = _reference(value) or ("dill", dill.dumps(value))
        except BaseException as e:  # noqa: BLE001  (anything can fail while pickling user objects)
            found = _module_attribute(name, value)
            if found is not None:
                entries[name] = found
                continue
            dropped.append("note: variable '%s' could not be carried to the next call (%s: %s)"
                           % (name, type(e).__name__, str(e)[:200]))
    size = {n: len(e[1]) if e[0] == "dill" else 0 for n, e in entries.items()}
    total = sum(size.values())
    for name in sorted(size, key=size.get, reverse=True):
        if total <= limit:
            break
        total -= size[name]
        del entries[name]
        dropped.append("note: variable '%s' is too large to be carried to the next call" % name)
    _add_notes(notes, dropped)
    return pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL)


def _restore_state(blob, ns, notes):
    """Restores each carried name on its own; False when the state as a whole cannot be read (the cell then starts
    with empty globals, and the service reports session_reset)."""
    import importlib
    import pickle
    dill = _dill_for(ns)
    try:
        entries = pickle.loads(blob)
    except BaseException as e:  # noqa: BLE001
        notes.append("note: the session state of earlier calls could not be restored (%s: %s); this call "
                     "started with empty globals" % (type(e).__name__, str(e)[:200]))
        return False
    failed = []
    for name, entry in entries.items():
        try:
            if entry[0] == "module":
                ns[name] = importlib.import_module(entry[1])
            elif entry[0] == "ref":
                value = importlib.import_module(entry[1])
                for part in entry[2].split("."):
                    value = getattr(value, part)
                ns[name] = value
            else:
                ns[name] = dill.loads(entry[1])
        except BaseException as e:  # noqa: BLE001
            failed.append("note: variable '%s' from an earlier call could not be restored (%s: %s)"
                          % (name, type(e).__name__, str(e)[:200]))
    _add_notes(notes, failed)
    return True


def _add_notes(notes, lines):
    notes.extend(lines[:MAX_NOTES])
    if len(lines) > MAX_NOTES:
        notes.append("note: ... and %d more such variables" % (len(lines) - MAX_NOTES))


def main():
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(sys.argv[1])
    channel = Channel(sock)
    _become_subreaper()
    prelude = threading.Thread(target=_import_prelude, args=(channel,), name="prelude", daemon=True)
    prelude.start()

    kind, payload = channel.receive()
    if kind != b"R":
        os._exit(2)
    request = json.loads(payload.decode("utf-8"))
    _, state = channel.receive()
    code = request["code"]
    session = bool(request.get("session"))
    limit = int(request.get("output_limit", 65536))

    out = OutputPump(channel, b"O", limit, 1)
    err = OutputPump(channel, b"E", limit, 2)
    sys.stdout, sys.stderr = FdStream(1), FdStream(2)
    sys.stdin = io.StringIO(request.get("stdin") or "")

    # The cell runs as __main__ so that its functions and classes pickle by value and keep their globals.
    module = types.ModuleType("__main__")
    module.__dict__["__builtins__"] = __builtins__
    sys.modules["__main__"] = module
    ns = module.__dict__
    notes = []
    if session or PRELUDE_WORDS.search(code):
        prelude.join()
    elif prelude.is_alive():
        # The import goes on beside code that does not need it: hand the GIL back to the cell quickly.
        sys.setswitchinterval(0.0002)
    bound = dict(_prelude)
    ns.update(bound)
    session_reset = False
    if state:
        session_reset = not _restore_state(state, ns, notes)
    for note in notes:
        print(note, file=sys.stderr)
    notes.clear()

    exit_code = _run_cell(code, ns)
    if os.getpid() != OWNER_PID:
        os._exit(0)  # a fork of the cell that fell through: only the runner answers
    _wait_for_threads()
    _release_fds([out, err])

    if session:
        try:
            blob = _save_state(ns, bound, int(request.get("state_limit", 16 << 20)), notes)
            for note in notes:
                err.note(note)
            channel.send(b"S", blob)
        except BaseException as e:  # noqa: BLE001
            session_reset = True
            err.note("note: the session state could not be saved (%s: %s); the next call of this session starts "
                     "from the state before this call" % (type(e).__name__, e))
    channel.send(b"X", json.dumps({"exit_code": exit_code, "stdout_truncated": out.truncated,
                                  "stderr_truncated": err.truncated,
                                  "session_reset": session_reset}).encode("utf-8"))
    os._exit(0)


if __name__ == "__main__":
    main()
