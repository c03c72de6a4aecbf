package ai.aster.modeling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.aster.modeling.jinja.JinjaException;
import ai.aster.modeling.jinja.JinjaTemplate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Expected strings are what Python's jinja2 (trim_blocks, lstrip_blocks, as transformers configures it) renders. */
class JinjaTemplateTest {

    static String render(String template, Map<String, Object> vars) {
        return JinjaTemplate.parse(template).render(vars);
    }

    @Test
    void loopsConditionsAndWhitespaceControl() {
        String t = "{% for m in messages %}\n  {%- if m.role == 'user' %}U:{{ m.content }}{% elif m.role == 'assistant' %}"
                + "A:{{ m.content | trim }}{% else %}?{% endif %}{{ ',' if not loop.last }}\n{% endfor %}";
        List<Object> messages = List.of(Map.of("role", "user", "content", "hi"),
                Map.of("role", "assistant", "content", "  yo  "), Map.of("role", "x"));
        assertEquals("U:hi,\nA:yo,\n?\n", render(t, Map.of("messages", messages)));
    }

    @Test
    void pythonStringMethodsSlicesAndNamespace() {
        String t = "{%- set ns = namespace(n=0, last='') %}{%- for x in items[::-1] %}{%- if x.startswith('a') %}"
                + "{%- set ns.n = ns.n + 1 %}{%- set ns.last = x %}{%- endif %}{%- endfor %}"
                + "{{ ns.n }} {{ ns.last }} {{ 'a<b>c</b>d'.split('<b>')[-1].split('</b>')[0] }} "
                + "{{ '\\n\\nx\\n'.strip('\\n') }}|{{ items|length }}|{{ items[1:] }}|{{ 'abc'[::-1] }}";
        assertEquals("2 aa c x|3|['b', 'ab']|cba", render(t, Map.of("items", List.of("aa", "b", "ab"))));
    }

    @Test
    void tojsonIsPythonJsonDumps() {
        Map<String, Object> tool = new java.util.LinkedHashMap<>();
        tool.put("name", "f");
        tool.put("args", List.of(1, 2.5, true, "é\"\n"));
        tool.put("none", null);
        assertEquals("{\"name\": \"f\", \"args\": [1, 2.5, true, \"é\\\"\\n\"], \"none\": null}",
                render("{{ t | tojson }}", Map.of("t", tool)));
        assertEquals("{\n  \"a\": [\n    1\n  ]\n}", render("{{ {'a': [1]} | tojson(indent=2) }}", Map.of()));
    }

    @Test
    void testsMacrosAndLoopControls() {
        String t = "{% macro tag(x, y='!') %}<{{ x }}{{ y }}>{% endmacro %}"
                + "{% for i in range(10) %}{% if i is even %}{% continue %}{% endif %}{% if i > 6 %}{% break %}{% endif %}"
                + "{{ tag(i) }}{% endfor %}{{ undefined_var is defined }} {{ none is none }} {{ 'x' is string }}"
                + " {{ x | default('d') }}";
        assertEquals("<1!><3!><5!>False True True d", render(t, Map.of()));
    }

    @Test
    void errorsAreReportedNotSwallowed() {
        assertThrows(JinjaException.class, () -> render("{{ raise_exception('bad role') }}", Map.of()));
        assertThrows(JinjaException.class, () -> JinjaTemplate.parse("{% if x %}no end"));
        assertThrows(JinjaException.class, () -> JinjaTemplate.parse("{% include 'x' %}"));
    }
}
