package ai.aster.sandbox;

import static ai.aster.sandbox.SandboxApi.call;
import static ai.aster.sandbox.SandboxApi.post;
import static ai.aster.sandbox.SandboxApi.run;
import static ai.aster.sandbox.SandboxApi.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** One call at a time against the real service and real containers. */
@QuarkusTest
class ExecutionResourceTest {

    @Test
    void successReturnsStdoutAndStderr() {
        JsonPath r = run("import sys\nprint('out')\nprint('err', file=sys.stderr)");
        assertThat(r.getString("status")).isEqualTo("ok");
        assertThat(r.getInt("exit_code")).isZero();
        assertThat(r.getString("stdout")).isEqualTo("out\n");
        assertThat(r.getString("stderr")).isEqualTo("err\n");
        assertThat(r.getBoolean("stdout_truncated")).isFalse();
        assertThat(r.getBoolean("stderr_truncated")).isFalse();
        assertThat(r.getLong("duration_ms")).isNotNegative();
    }

    @Test
    void bareFinalExpressionIsPrintedLikeARepl() {
        assertThat(run("x = 6\nx * 7").getString("stdout")).isEqualTo("42\n");
        assertThat(run("print('a')\nNone").getString("stdout")).isEqualTo("a\n");
        assertThat(run("'text'").getString("stdout")).isEqualTo("'text'\n");
    }

    @Test
    void preludeIsImported() {
        JsonPath r = run("sp.factor(sp.Symbol('x')**2 - 1), np.arange(3).sum(), math.gcd(12, 18), "
                + "len(list(itertools.permutations(range(3))))");
        assertThat(r.getString("stdout")).isEqualTo("((x - 1)*(x + 1), 3, 6, 6)\n");
    }

    @Test
    void outputOfSubprocessesAndForkedChildrenIsCaptured() {
        JsonPath r = run("""
                import os, subprocess
                print("py")
                os.system("echo shell; echo shell-err >&2")
                subprocess.run(["python3", "-c", "print(42)"])
                pid = os.fork()
                if pid == 0:
                    print("child")
                    os._exit(0)
                os.waitpid(pid, 0)
                os.write(1, b"fd\\n")
                print("end")
                """);
        assertThat(r.getString("status")).isEqualTo("ok");
        assertThat(r.getString("stdout")).isEqualTo("py\nshell\n42\nchild\nfd\nend\n");
        assertThat(r.getString("stderr")).isEqualTo("shell-err\n");
    }

    @Test
    void outputAChildWritesAfterTheParentsLastLineIsKept() {
        JsonPath r = run("""
                import subprocess, sys
                subprocess.Popen([sys.executable, "-c",
                                  "import time; time.sleep(0.5); print('child done'); print('child err', file=__import__('sys').stderr)"])
                print("parent done")
                """);
        assertThat(r.getString("status")).isEqualTo("ok");
        assertThat(r.getString("stdout")).isEqualTo("parent done\nchild done\n");
        assertThat(r.getString("stderr")).isEqualTo("child err\n");
    }

    @Test
    void outputOfAnOrphanedGrandchildAndOfAThreadIsKept() {
        JsonPath r = run("""
                import os, threading, time
                if os.fork() == 0:
                    if os.fork() == 0:
                        time.sleep(0.5)
                        os.write(1, b"grandchild\\n")
                    os._exit(0)
                def late():
                    time.sleep(0.3)
                    print("thread")
                threading.Thread(target=late).start()
                import concurrent.futures, sys
                # one write a line: print() writes the text and its newline apart, so two threads printing at once
                # may interleave within a line ("executormain")
                concurrent.futures.ThreadPoolExecutor(2).submit(lambda: sys.stdout.write("executor\\n"))  # never shut down
                _ = sys.stdout.write("main\\n")  # a bare last expression would be echoed, as in a REPL
                """);
        assertThat(r.getString("status")).isEqualTo("ok");
        // Writers with no order between them: every line is there.
        assertThat(r.getString("stdout").lines().sorted()).containsExactly("executor", "grandchild", "main", "thread");
    }

    @Test
    void aChildThatNeverEndsRunsIntoTheTimeout() {
        JsonPath r = run(call("import subprocess\nsubprocess.Popen(['sleep', '1000'])\nprint('started')", "timeout_s", 2));
        assertThat(r.getString("status")).isEqualTo("timeout");
        assertThat(r.getString("stdout")).isEqualTo("started\n");
    }

    @Test
    void stdinIsFedToTheProgram() {
        assertThat(run(call("print(input()[::-1])", "stdin", "abc\n")).getString("stdout")).isEqualTo("cba\n");
    }

    @Test
    void nonZeroExitIsAnError() {
        JsonPath exit3 = run("import sys\nprint('before')\nsys.exit(3)");
        assertThat(exit3.getString("status")).isEqualTo("error");
        assertThat(exit3.getInt("exit_code")).isEqualTo(3);
        assertThat(exit3.getString("stdout")).isEqualTo("before\n");

        JsonPath raised = run("print('partial')\n1/0");
        assertThat(raised.getString("status")).isEqualTo("error");
        assertThat(raised.getInt("exit_code")).isEqualTo(1);
        assertThat(raised.getString("stdout")).isEqualTo("partial\n");
        assertThat(raised.getString("stderr")).contains("ZeroDivisionError").doesNotContain("aster_runner");
    }

    @Test
    void syntaxErrorIsReportedWithoutRunnerInternals() {
        JsonPath r = run("def f(:\n    pass");
        assertThat(r.getString("status")).isEqualTo("error");
        assertThat(r.getInt("exit_code")).isEqualTo(1);
        assertThat(r.getString("stderr")).contains("SyntaxError").contains("line 1").doesNotContain("aster_runner");
    }

    @Test
    void infiniteLoopTimesOut() {
        assertTimesOut("while True:\n    pass");
    }

    @Test
    void sleepTimesOut() {
        assertTimesOut("import time\nprint('started')\ntime.sleep(1000)");
    }

    private static void assertTimesOut(String code) {
        long start = System.nanoTime();
        JsonPath r = run(call(code, "timeout_s", 2));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(r.getString("status")).isEqualTo("timeout");
        assertThat(r.get("exit_code") == null).isTrue();
        assertThat(r.getString("stderr")).contains("timed out after 2 s");
        assertThat(took).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(2 + 4));
    }

    @Test
    void memoryBombEndsAsOomAndTheServiceStaysHealthy() {
        JsonPath r = run(call("a = []\nwhile True:\n    a.append(bytearray(10**7))", "memory_mb", 128));
        assertThat(r.getString("status")).isEqualTo("oom");
        assertThat(r.getInt("exit_code")).isEqualTo(137);
        given().get("/q/health/ready").then().statusCode(200);
        assertThat(run("print('alive')").getString("stdout")).isEqualTo("alive\n");
    }

    @Test
    void forkBombIsContainedAndTheNextCallWorks() {
        long start = System.nanoTime();
        JsonPath r = run(call("import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass",
                "timeout_s", 3));
        assertThat(r.getString("status")).isIn("timeout", "error");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3 + 5));
        assertThat(run("print(sum(range(10)))").getString("stdout")).isEqualTo("45\n");
    }

    @Test
    void networkIsUnreachable() {
        int servicePort = io.restassured.RestAssured.port;
        JsonPath r = run("""
                import socket
                for host, port in [("1.1.1.1", 53), ("127.0.0.1", %d), ("10.88.0.1", %d)]:
                    try:
                        socket.create_connection((host, port), timeout=2).close()
                        print(host, "connected")
                    except OSError as e:
                        print(host, "failed", type(e).__name__)
                try:
                    socket.getaddrinfo("example.com", 80)
                    print("dns resolved")
                except OSError:
                    print("dns failed")
                """.formatted(servicePort, servicePort));
        assertThat(r.getString("stdout")).contains("1.1.1.1 failed", "127.0.0.1 failed", "10.88.0.1 failed",
                "dns failed").doesNotContain("connected", "resolved");
    }

    @Test
    void onlyTheWorkDirIsWritable() {
        JsonPath r = run("""
                for path in ["/etc/aster", "/aster", "/usr/lib/aster", "/ipc/aster", "/opt/aster/aster", "/tmp/aster"]:
                    try:
                        open(path, "w").write("x")
                        print(path, "written")
                    except OSError:
                        print(path, "refused")
                open("/work/ok.txt", "w").write("fine")
                print(open("/work/ok.txt").read())
                """);
        String out = r.getString("stdout");
        assertThat(out).doesNotContain("written").contains("fine");
        assertThat(out.lines().filter(l -> l.endsWith("refused")).count()).isEqualTo(6);
    }

    @Test
    void containerIsUnprivilegedAndGetsNoServiceEnvironment() {
        JsonPath r = run("""
                import os
                print(os.getuid(), os.getgid())
                status = open("/proc/self/status").read().splitlines()
                print([l.split()[1] for l in status if l.startswith(("CapEff", "NoNewPrivs"))])
                print(sorted(os.environ))
                """);
        String[] lines = r.getString("stdout").split("\n");
        assertThat(lines[0]).isEqualTo("65534 65534");
        assertThat(lines[1]).isEqualTo("['0000000000000000', '1']");
        Set<String> allowed = Set.of("PATH", "HOME", "TMPDIR", "LANG", "PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED",
                "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "HOSTNAME", "TERM", "container");
        String names = lines[2].replaceAll("[\\[\\]' ]", "");
        for (String name : names.split(",")) {
            assertThat(allowed).contains(name);
        }
        assertThat(System.getenv()).containsKey("PATH"); // sanity: the service has an environment to leak
        assertThat(lines[2]).doesNotContain("JAVA_HOME", "MAVEN", "DOCKER_HOST");
    }

    @Test
    void hugeOutputIsTruncated() {
        JsonPath r = run("print('x' * (20 * 1024 * 1024))\nimport os\nos.write(2, b'e' * (20 * 1024 * 1024))");
        assertThat(r.getString("status")).isEqualTo("ok");
        assertThat(r.getBoolean("stdout_truncated")).isTrue();
        assertThat(r.getBoolean("stderr_truncated")).isTrue();
        assertThat(r.getString("stdout").getBytes(StandardCharsets.UTF_8)).hasSize(65536);
        assertThat(r.getString("stderr").getBytes(StandardCharsets.UTF_8)).hasSize(65536);
    }

    @Test
    void multiByteOutputIsCutAtACharacterBoundary() {
        JsonPath r = run("print('é' * 40000)");
        assertThat(r.getBoolean("stdout_truncated")).isTrue();
        String out = r.getString("stdout");
        assertThat(out).matches("é+");
        assertThat(out.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(65536);
    }

    @Test
    void customMemoryLimitGetsItsOwnContainer() {
        JsonPath r = run(call("print(open('/sys/fs/cgroup/memory/memory.limit_in_bytes').read().strip() "
                + "if __import__('os').path.exists('/sys/fs/cgroup/memory/memory.limit_in_bytes') "
                + "else open('/sys/fs/cgroup/memory.max').read().strip())", "memory_mb", 256));
        assertThat(r.getString("status")).isEqualTo("ok");
        assertThat(r.getString("stdout").strip()).isEqualTo(String.valueOf(256L * 1024 * 1024));
    }

    @Test
    void warmContainersThatDiedAreSkipped() throws Exception {
        // Behind the service's back (as an engine restart would), every container of this instance goes away.
        try (var docker = TestEngine.client()) {
            for (String id : TestEngine.containersOf("sandbox-test")) {
                try {
                    docker.removeContainerCmd(id).withForce(true).exec();
                } catch (RuntimeException e) {
                    // already being removed by the service
                }
            }
        }
        JsonPath r = run("print('still works')");
        assertThat(r.getString("status")).isEqualTo("ok");
        assertThat(r.getString("stdout")).isEqualTo("still works\n");
    }

    @Test
    void readinessIsUpWithEngineAndImage() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'sandbox-engine' }.status", equalTo("UP"));
        given().get("/q/health/live").then().statusCode(200);
    }

    @Test
    void metricsAreExported() {
        run("print(1)");
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("aster_sandbox_executions_total{", "status=\"ok\"",
                "aster_sandbox_execution_duration_seconds_bucket", "aster_sandbox_queue_depth",
                "aster_sandbox_pool_size", "aster_sandbox_containers_created_total",
                "aster_sandbox_containers_removed_total");
    }

    @Test
    void unknownSessionDeleteIs404() {
        given().delete("/v1/sessions/never-used").then().statusCode(404)
                .body("error.code", equalTo("session_not_found"))
                .body("error.message", containsString("never-used"));
    }

    static Map<String, Object> withSession(String code, String session) {
        return call(code, "session_id", session);
    }
}
