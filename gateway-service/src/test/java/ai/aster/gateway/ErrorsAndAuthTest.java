package ai.aster.gateway;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.aster.gateway.support.SandboxServiceResource;
import ai.aster.gateway.support.ScriptedModelResource;
import ai.aster.gateway.support.ScriptedModelServer;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.net.URL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Auth, invalid requests and a dead model service: always OpenAI's error shape, the right status, promptly. */
@QuarkusTest
@WithTestResource(ScriptedModelResource.class)
@WithTestResource(SandboxServiceResource.class)
class ErrorsAndAuthTest {

    private static final String OK_BODY = "{\"model\":\"scripted\",\"messages\":[{\"role\":\"user\","
            + "\"content\":\"[[script:plain]] hi\"}]}";

    ScriptedModelServer model;

    @TestHTTPResource("/v1")
    URL url;

    private static ValidatableResponse post(String key, String body) {
        var request = given().contentType(ContentType.JSON).body(body);
        if (key != null) {
            request = request.header("Authorization", "Bearer " + key);
        }
        return request.post("/v1/chat/completions").then();
    }

    private static void openAiShape(ValidatableResponse response) {
        response.contentType(ContentType.JSON)
                .body("error.message", notNullValue())
                .body("error.type", notNullValue())
                .body("error", org.hamcrest.Matchers.hasKey("param"))
                .body("error", org.hamcrest.Matchers.hasKey("code"));
    }

    @Test
    void missingOrWrongKeysAre401() {
        openAiShape(post(null, OK_BODY).statusCode(401).body("error.code", equalTo("invalid_api_key")));
        openAiShape(post("wrong", OK_BODY).statusCode(401));
        given().header("Authorization", "Basic dGVzdC1rZXk=").get("/v1/models").then().statusCode(401);
        var sdk = OpenAIOkHttpClient.builder().baseUrl(url.toString()).apiKey("nope").maxRetries(0).build();
        assertThrows(UnauthorizedException.class, () -> sdk.chat().completions().create(ChatCompletionCreateParams
                .builder().model("scripted").addUserMessage("hi").build()));
    }

    @Test
    void aValidKeyPasses() {
        model.script("plain", turn -> "Hello \\boxed{1}");
        post("test-key", OK_BODY).statusCode(200).body("object", equalTo("chat.completion"))
                .body("choices[0].message.role", equalTo("assistant"))
                .body("choices[0].message.content", equalTo("Hello \\boxed{1}"))
                .body("choices[0].finish_reason", equalTo("stop"))
                .body("usage.prompt_tokens", notNullValue());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"model\":\"m\"}                                                               | messages",
        "{\"messages\":[]}                                                                | messages",
        "{\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]}                          | messages[0].role",
        "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"n\":0}                   | n",
        "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":0}          | max_tokens",
        "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_completion_tokens\":-5} | max_completion_tokens",
        "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"temperature\":3}         | temperature",
        "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"top_p\":0}               | top_p",
        "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tool_calls\":-1}     | max_tool_calls",
        "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tool_timeout_s\":0}      | tool_timeout_s",
        "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"nope\"}}} | tool_choice",
        "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tools\":[{\"type\":\"retrieval\"}]} | tools[0]",
    })
    void invalidRequestsAre400WithTheOffendingParam(String body, String param) {
        openAiShape(post("test-key", body.strip()).statusCode(400)
                .body("error.type", equalTo("invalid_request_error")).body("error.param", equalTo(param.strip())));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"messages\": [",
        "[]",
        "{\"messages\":\"hello\"}",
        "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\"}]}]}",
        "''",
    })
    void unreadableBodiesAre400(String body) {
        openAiShape(post("test-key", body).statusCode(400).body("error.type", equalTo("invalid_request_error")));
    }

    @Test
    void unknownRoutesAre404InTheSameShape() {
        openAiShape(given().header("Authorization", "Bearer test-key").get("/v1/embeddings").then().statusCode(404));
    }

    @Test
    void aDeadModelServiceIs503Promptly() {
        model.down(503);
        try {
            long start = System.nanoTime();
            openAiShape(post("test-key", OK_BODY).statusCode(503)
                    .body("error.code", equalTo("service_unavailable"))
                    .body("error.message", containsString("model-service")));
            openAiShape(post("test-key", OK_BODY.replace("}]}", "}],\"stream\":true}")).statusCode(503));
            openAiShape(given().header("Authorization", "Bearer test-key").get("/v1/models").then().statusCode(503));
            assertTrue(System.nanoTime() - start < 10_000_000_000L, "503s took too long");
        } finally {
            model.down(0);
        }
    }
}
