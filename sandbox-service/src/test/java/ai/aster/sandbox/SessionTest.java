package ai.aster.sandbox;

import static ai.aster.sandbox.SandboxApi.call;
import static ai.aster.sandbox.SandboxApi.run;
import static ai.aster.sandbox.SandboxApi.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Calls sharing a session_id see each other's names; each call still runs in its own fresh container. */
@QuarkusTest
class SessionTest {

    private static Map<String, Object> inSession(String session, String code) {
        return call(code, "session_id", session);
    }

    @Test
    void stateCarriesAcrossThreeCalls() {
        String s = "s-" + UUID.randomUUID();
        JsonPath first = run(inSession(s, """
                import sympy
                x = sympy.Symbol('x')
                counter = 1
                def bump(n):
                    return n + counter
                print(__import__('socket').gethostname())
                """));
        assertThat(first.getString("status")).isEqualTo("ok");
        assertThat(first.getString("session_id")).isEqualTo(s);
        String host1 = first.getString("stdout").strip();

        JsonPath second = run(inSession(s, """
                counter += 1
                class Doubler:
                    def twice(self, v):
                        return 2 * v
                d = Doubler()
                from fractions import Fraction
                half = Fraction(1, 2)
                print(__import__('socket').gethostname())
                """));
        assertThat(second.getString("status")).isEqualTo("ok");
        assertThat(second.getString("stderr")).isEmpty();
        String host2 = second.getString("stdout").strip();

        JsonPath third = run(inSession(s, "print(bump(10), d.twice(counter), half + 1, sympy.factor(x**2 - 1))"));
        assertThat(third.getString("stdout")).isEqualTo("12 4 3/2 (x - 1)*(x + 1)\n");
        assertThat(host1).isNotEqualTo(host2); // a fresh container each time
    }

    @Test
    void starImportsAndDecoratedFunctionsCarryOverQuietly() {
        String s = "i-" + UUID.randomUUID();
        JsonPath first = run(inSession(s, """
                from sympy import *
                from math import *
                from functools import lru_cache
                x, y = symbols('x y')
                @lru_cache(None)
                def fib(n):
                    return n if n < 2 else fib(n - 1) + fib(n - 2)
                square = lambda t: t * t
                """));
        assertThat(first.getString("status")).isEqualTo("ok");
        assertThat(first.getString("stderr")).isEmpty();
        JsonPath second = run(inSession(s,
                "print(factor(x**2 - y**2), Q.positive(x), sympify('2*x'), fib(40), square(gcd(12, 18)))"));
        assertThat(second.getString("stderr")).isEmpty();
        assertThat(second.getString("stdout")).isEqualTo("(x - y)*(x + y) Q.positive(x) 2*x 102334155 36\n");
    }

    @Test
    void sessionsDoNotShareState() {
        String a = "a-" + UUID.randomUUID();
        String b = "b-" + UUID.randomUUID();
        run(inSession(a, "secret = 42"));
        assertThat(run(inSession(b, "print('secret' in globals())")).getString("stdout")).isEqualTo("False\n");
        assertThat(run("print('secret' in globals())").getString("stdout")).isEqualTo("False\n");
        assertThat(run(inSession(a, "secret")).getString("stdout")).isEqualTo("42\n");
    }

    @Test
    void unpicklableNameIsDroppedWithANoteAndTheRestIsKept() {
        String s = "u-" + UUID.randomUUID();
        JsonPath first = run(inSession(s, "kept = [1, 2]\ngen = (i for i in range(3))"));
        assertThat(first.getString("status")).isEqualTo("ok");
        assertThat(first.getString("stderr")).contains("variable 'gen' could not be carried to the next call");
        JsonPath second = run(inSession(s, "print(kept, 'gen' in globals())"));
        assertThat(second.getString("status")).isEqualTo("ok");
        assertThat(second.getString("stdout")).isEqualTo("[1, 2] False\n");
    }

    @Test
    void stateSurvivesAFailedCallUpToTheFailure() {
        String s = "f-" + UUID.randomUUID();
        JsonPath failing = run(inSession(s, "y = 5\nraise ValueError('boom')"));
        assertThat(failing.getString("status")).isEqualTo("error");
        assertThat(run(inSession(s, "y")).getString("stdout")).isEqualTo("5\n");
    }

    @Test
    void deletedSessionStartsEmpty() {
        String s = "d-" + UUID.randomUUID();
        run(inSession(s, "z = 1"));
        given().delete("/v1/sessions/" + s).then().statusCode(204);
        given().delete("/v1/sessions/" + s).then().statusCode(404);
        assertThat(run(inSession(s, "print('z' in globals())")).getString("stdout")).isEqualTo("False\n");
    }
}
