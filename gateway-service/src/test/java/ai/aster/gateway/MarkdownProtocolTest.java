package ai.aster.gateway;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.aster.gateway.support.MarkdownProfile;
import ai.aster.gateway.support.SandboxServiceResource;
import ai.aster.gateway.support.ScriptedModelResource;
import ai.aster.gateway.support.ScriptedModelServer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The markdown protocol end to end: python blocks run in the real sandbox, results come back as output blocks. */
@QuarkusTest
@TestProfile(MarkdownProfile.class)
@WithTestResource(ScriptedModelResource.class)
@WithTestResource(SandboxServiceResource.class)
class MarkdownProtocolTest {

    ScriptedModelServer model;

    @Test
    void pythonBlocksRunAndOutputBlocksFollow() {
        model.script("torl", turn -> switch (turn.index()) {
            case 0 -> "Square seven.\n```python\nx = 7\nprint(x**2)\n```\n";
            case 1 -> "Now add one.\n```python\nprint(x + 1)\n```\n";
            default -> "So the results were " + turn.toolResults().get(0).strip() + " and "
                    + turn.lastResult().strip() + ": \\boxed{49}";
        });
        given().contentType(ContentType.JSON).header("Authorization", "Bearer test-key")
                .body("{\"messages\":[{\"role\":\"user\",\"content\":\"[[script:torl]] 7^2?\"}]}")
                .post("/v1/chat/completions").then().log().ifValidationFails().statusCode(200)
                .body("choices[0].finish_reason", equalTo("stop"))
                .body("choices[0].message.content", equalTo("So the results were 49 and 8: \\boxed{49}"))
                .body("choices[0].message.tool_trace.output", equalTo(List.of("49\n", "8\n")))
                .body("choices[0].message.tool_trace.code", equalTo(List.of("x = 7\nprint(x**2)\n", "print(x + 1)\n")))
                .body("choices[0].message.reasoning_content", equalTo("Square seven.\nNow add one.\n"));
        // the model saw its block, then the output block, token for token
        String lastPrompt = model.calls("torl").get(2).promptIds().stream()
                .map(ai.aster.gateway.support.TestTokenizer::decode).reduce("", String::concat);
        assertTrue(lastPrompt.endsWith("```python\nx = 7\nprint(x**2)\n```\n```output\n49\n```\n"
                + "Now add one.\n```python\nprint(x + 1)\n```\n```output\n8\n```\n"), lastPrompt);
    }
}
