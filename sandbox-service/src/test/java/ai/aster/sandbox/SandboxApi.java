package ai.aster.sandbox;

import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.LinkedHashMap;
import java.util.Map;

/** Small helpers for calling the running service over real HTTP. */
final class SandboxApi {

    /** The internal token of the test profile (application.properties). */
    static final String TOKEN = "sandbox-test-token";
    static final String AUTHORIZATION = "Bearer " + TOKEN;

    private SandboxApi() {}

    /** A request carrying the internal token. */
    static RequestSpecification given() {
        return RestAssured.given().header("Authorization", AUTHORIZATION);
    }

    static Map<String, Object> call(String code) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", code);
        return body;
    }

    static Map<String, Object> call(String code, String key, Object value) {
        Map<String, Object> body = call(code);
        body.put(key, value);
        return body;
    }

    static Response post(Object body) {
        return given().contentType(ContentType.JSON).body(body).when().post("/v1/executions");
    }

    /** Runs a call that must be answered 200 and returns its JSON. */
    static JsonPath run(Map<String, Object> body) {
        return post(body).then().statusCode(200).extract().jsonPath();
    }

    static JsonPath run(String code) {
        return run(call(code));
    }
}
