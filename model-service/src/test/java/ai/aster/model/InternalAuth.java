package ai.aster.model;

import io.restassured.RestAssured;
import io.restassured.builder.RequestSpecBuilder;

/** Every test request carries the internal token of the test profile ({@code %test.aster.internal-token}). */
public final class InternalAuth {

    public static final String TOKEN = "test-internal-token";
    public static final String HEADER = "Bearer " + TOKEN;

    private InternalAuth() {
    }

    /** Call from {@code @BeforeEach}: RestAssured sends {@code Authorization: Bearer <token>} by default. */
    public static void sendToken() {
        RestAssured.requestSpecification = new RequestSpecBuilder().addHeader("Authorization", HEADER).build();
    }
}
